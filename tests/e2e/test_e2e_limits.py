"""Issue 17: requests per client address and per identity are limited in the app (`make run`), on
every channel, against servers of their own with low limits (the shared servers allow the suite's
thousands of requests from 127.0.0.1). Over real HTTP, socket.io and the Teams stand-in."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Iterator

import pytest

from tests.teams.msstub import MicrosoftStub

from .conftest import Servers, start_servers, widget_socket
from .test_e2e_personal import token

pytestmark = pytest.mark.e2e

PER_ADDRESS, PER_IDENTITY = 12, 3
NOTE = "Je stuurt veel berichten kort na elkaar"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, MicrosoftStub]]:
    stub = MicrosoftStub().start()
    servers = start_servers(tmp_path_factory.mktemp("limits"), {
        **stub.env, "RATE_LIMIT_PER_ADDRESS": str(PER_ADDRESS), "RATE_LIMIT_PER_IDENTITY": str(PER_IDENTITY)})
    yield servers, stub
    if servers.process.poll() is None:
        servers.interrupt()
    stub.stop()


def test_a_widget_session_is_limited_with_a_dutch_note(limited: tuple[Servers, MicrosoftStub]) -> None:
    servers, _ = limited

    async def scenario() -> list[str]:
        client, heard, _ = await widget_socket(servers)
        for _ in range(4):
            await client.emit("user_uttered", {"message": "hallo"})
        for _ in range(120):  # the note comes at once; the three answers after their turns
            if any(NOTE in t for t in heard) and sum(NOTE not in t for t in heard) >= 3:
                break
            await asyncio.sleep(0.5)
        await client.disconnect()
        return heard

    heard = asyncio.run(scenario())
    assert sum(NOTE in t for t in heard) == 1 and len(heard) >= 4, heard  # three answered, the fourth noted


def test_a_leader_then_an_address_runs_out_with_a_dutch_429(limited: tuple[Servers, MicrosoftStub]) -> None:
    servers, _ = limited
    leader = {"Authorization": f"Bearer {token('100234')}"}
    statuses = [servers.post({"sender": "l", "message": "hallo"}, leader)[0] for _ in range(PER_IDENTITY + 1)]
    assert statuses[:PER_IDENTITY] == [200] * PER_IDENTITY and statuses[-1] == 429
    # The address has budget left for anonymous requests, until it too runs out (tokens trickle back
    # at PER_ADDRESS a minute, so allow a few more than the budget while the turns run).
    seen = []
    for _ in range(PER_ADDRESS + 4):
        status, body = servers.post({"sender": "a", "message": "hallo"})
        seen.append(status)
        if status == 429:
            break
    # The widget test used 4 of the address's requests, the leader 4: about 4 left.
    assert seen[-1] == 429 and seen.count(200) >= PER_ADDRESS - 2 * (PER_IDENTITY + 1) - 1, seen
    request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}/webhooks/rest/webhook",
                                     data=json.dumps({"sender": "a", "message": "hallo"}).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        urllib.request.urlopen(request, timeout=10)
        pytest.fail("not limited")
    except urllib.error.HTTPError as refused:
        assert refused.code == 429 and int(refused.headers["Retry-After"]) >= 1
        body = json.loads(refused.read())
    assert time.monotonic() - started < 1.0  # refused before any language processing
    assert body["error"] == "te_veel" and NOTE in body["message"]
    assert "Traceback" not in servers.log.read_text()


def test_a_teams_user_is_limited_with_a_dutch_reply(limited: tuple[Servers, MicrosoftStub]) -> None:
    """Teams requests come from Microsoft's addresses: only the Teams user is counted."""
    from tests.teams.test_e2e_teams import send

    servers, stub = limited
    conversation = "a:e2e-limits-teams"
    for _ in range(PER_IDENTITY + 1):
        send(servers, stub, stub.activity("hallo", conversation=conversation))
    replies = stub.wait_replies(conversation, count=PER_IDENTITY + 1, timeout=90)
    assert sum(NOTE in str(r.activity.get("text", "")) for r in replies) == 1
    other = "a:e2e-limits-other"  # another Teams user is not affected
    send(servers, stub, stub.activity("hallo", conversation=other))
    assert NOTE not in str(stub.wait_replies(other)[0].activity.get("text", ""))
