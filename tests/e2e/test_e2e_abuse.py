"""Issue 17, hostile input over real HTTP against the running servers (`scripts/run.sh`)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from .conftest import Servers
from .test_e2e_personal import bearer, token

pytestmark = pytest.mark.e2e


def rasa_rss_mb(servers: Servers) -> float:
    from bench.assistant_servers import _children, _cmdline, _descendants, _rss_bytes

    tree = _children()
    [rasa] = [pid for pid in _descendants(servers.process.pid, tree) if "rasa run" in _cmdline(pid)]
    return sum(_rss_bytes(p) for p in _descendants(rasa, tree)) / 2**20


@pytest.mark.parametrize("size", [200_000, 1_000_000])
def test_a_huge_message_is_answered_quickly_with_bounded_memory(servers: Servers, size: int) -> None:
    """Measured before issue 17: 200,000 characters took 43 s, an empty reply and Rasa's memory from
    2.0 to 15.4 GB. Now the channel reads at most the first 5,000 characters or 1,000 words and says so."""
    servers.texts("hallo", sender="e2e-huge-warm")
    before = rasa_rss_mb(servers)
    start = time.monotonic()
    replies = servers.say("hoeveel punten heb ik nodig voor herregistratie? " + "bla " * (size // 4),
                          sender=f"e2e-huge-{size}")
    elapsed = time.monotonic() - start
    texts = [str(r.get("text", "")) for r in replies]
    read = re.search(r"Ik heb alleen de eerste ([\d.]+) tekens gelezen", texts[0])
    assert read is not None and 3_000 < int(read.group(1).replace(".", "")) <= 5_000, texts  # 1,000 words
    assert len(texts) >= 2 and "Traceback" not in "".join(texts)
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert rasa_rss_mb(servers) - before < 100


def test_an_anonymous_client_cannot_continue_a_leaders_conversation(servers: Servers) -> None:
    """Measured before issue 17: a leader's question left the helpdesk offered under sender S; an
    anonymous "ja" with the same S started the hand-over in the leader's conversation and quoted the
    leader's question. Now each identity has its own conversation."""
    me = "e2e-shared-sender"
    asked = servers.texts("hoe vraag ik uitstel aan voor mijn herregistratie", me, bearer(token("100234")))
    assert "helpdesk" in asked
    anonymous = servers.texts("ja", me)
    assert "uitstel" not in anonymous
    assert "“hoe vraag ik uitstel aan" in servers.texts("ja", me, bearer(token("100234")))


def test_the_database_and_the_token_are_for_their_owner_only(servers: Servers, tmp_path: Path) -> None:
    import os
    import subprocess

    database = Path(servers.env["DATABASE_URL"].removeprefix("sqlite:///"))
    assert database.stat().st_mode & 0o077 == 0, oct(database.stat().st_mode)
    # scripts/env.sh (run.sh, cluster.sh) creates the back-office token for its user only.
    root = Path(__file__).resolve().parents[2]
    probe = tmp_path / "probe"
    probe.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "REST_CHANNEL_TOKEN"}
    subprocess.run(["bash", "-c", f"cd {root} && WEB_ORIGIN_PORT=1 source scripts/env.sh && touch {probe}/made"],
                   env=env, check=True, timeout=60)
    assert (root / "var" / "rest-token").stat().st_mode & 0o077 == 0
    assert (probe / "made").stat().st_mode & 0o077 == 0


def test_a_widget_socket_cannot_write_into_another_session(servers: Servers) -> None:
    """A socket that never asked for a session, naming someone else's session id in its message, is
    ignored; the session's own socket gets its answers; a leader's token on that session is a
    conversation of its own (the anonymous "ja" below starts nothing of the leader's)."""
    import asyncio

    import socketio

    origin = f"http://127.0.0.1:{servers.web_port}"
    url = f"http://127.0.0.1:{servers.rasa_port}"

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        owner, intruder = socketio.AsyncClient(), socketio.AsyncClient()
        heard: dict[str, list[str]] = {"owner": [], "intruder": []}
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        owner.on("session_confirm", lambda sid: confirmed.set_result(sid))
        owner.on("bot_uttered", lambda m: heard["owner"].append(str(m.get("text", ""))))
        intruder.on("bot_uttered", lambda m: heard["intruder"].append(str(m.get("text", ""))))
        await owner.connect(url, headers={"Origin": origin}, transports=["polling"])
        await intruder.connect(url, headers={"Origin": origin}, transports=["polling"])
        await owner.emit("session_request", {"session_id": None})
        session = await asyncio.wait_for(confirmed, 30)
        await intruder.emit("user_uttered", {"session_id": session, "message": "hallo"})
        await asyncio.sleep(3)
        intruded = list(heard["owner"]) + list(heard["intruder"])
        leader = {"token": token("100234")}
        await owner.emit("user_uttered", {"session_id": session, "message": "hoe vraag ik uitstel aan voor mijn "
                                          "herregistratie", "customData": leader})
        for _ in range(60):
            if any("helpdesk" in t for t in heard["owner"]):
                break
            await asyncio.sleep(0.5)
        offered = list(heard["owner"])
        heard["owner"].clear()
        await owner.emit("user_uttered", {"session_id": session, "message": "ja"})  # no token: anonymous
        for _ in range(60):
            if heard["owner"]:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)
        await owner.disconnect()
        await intruder.disconnect()
        return intruded, offered, list(heard["owner"])

    intruded, offered, anonymous = asyncio.run(scenario())
    assert intruded == []
    assert any("helpdesk" in t for t in offered)
    assert anonymous and not any("uitstel" in t for t in anonymous), anonymous


def test_ending_a_widget_conversation_needs_a_valid_token_and_an_allowed_origin(servers: Servers) -> None:
    """The logout endpoint (POST /webhooks/socketio/end): no token, a forged one or a foreign page
    gets a Dutch refusal, never a deletion; a valid token for a session with no conversation is fine."""
    import json
    import urllib.error
    import urllib.request

    def end(body: object, origin: str | None = None) -> tuple[int, dict[str, str]]:
        headers = {"Content-Type": "text/plain", **({"Origin": origin} if origin else {})}
        request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}/webhooks/socketio/end",
                                         data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    session = "a" * 32
    assert end({"session_id": session})[0] == 400
    assert end({"session_id": session, "token": "x.y.z"})[0] == 400
    assert end({"session_id": "../../etc", "token": token("100234")})[0] == 400
    status, body = end({"session_id": session, "token": token("100234")}, origin="https://evil.example")
    assert status == 403 and "beëindigd" in body["message"]
    assert end({"session_id": session, "token": token("100234")}) == (200, {"status": "geen gesprek"})
    assert end([1, 2])[0] == 400
