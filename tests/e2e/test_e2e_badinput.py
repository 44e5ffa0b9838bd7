"""Issue 17: a bad-input corpus over all three channels with 0 crashes and 0 stack traces.

One `scripts/run.sh` with the Teams channel pointed at the local stand-in for Microsoft
(tests/teams/msstub.py) serves all three channels: REST, the widget's socket.io and Teams. (The session
fixture `servers` has no Teams configuration, which is fixed at start-up; one server of this module's
own for all three channels is one start, whether this module runs alone or with the others, and its
log holds only what the corpus caused.) The corpus is in tests/e2e/badinput_corpus.py; every input is
a test of its own, so a failure names the input and shows what the log got while it was handled.

What every input must get:

- an answer, never HTTP 5xx, never a body with "Traceback", "Exception" or 'File "';
- REST: 200 with a list of messages, or a refusal (4xx) as JSON with a Dutch message; only what
  Sanic refuses before the channel runs (wrong method or path, headers or body beyond its limits)
  may answer 4xx in Sanic's own format;
- Teams: 200 with {"status": ...}, or 4xx as JSON with a Dutch message; after an activity the channel
  accepted ("ontvangen"), "hallo" in the same conversation gets the greeting at the stand-in connector;
- the widget: the socket stays usable (or is closed cleanly) and a normal message afterwards gets
  an answer;
- never the apology of channels/apology.py (that is a turn that failed with an exception);
- nothing in the run log while it is handled: no Traceback, no ERROR line, no process that exited.

Requests come from distinct loopback addresses (127.0.17.x for REST, 127.0.27.x for the widget):
the per-address rate limit (channels/limits.py, 60 a minute) would otherwise answer most of the
corpus with 429 before the channel reads it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import pytest

from channels.apology import APOLOGY
from teams.msstub import MicrosoftStub

from .badinput_corpus import (REST_CASES, TEAMS_CASES, WIDGET_EVENTS, WIDGET_PACKETS, WIDGET_QUERIES, Emit, Header,
                              Http, Packet, Query, TeamsCase, dumps)
from .conftest import Servers, start_servers

pytestmark = pytest.mark.e2e

TEAMS_PATH = "/webhooks/teams/webhook"
FORBIDDEN_IN_BODY = ("Traceback", "Exception", 'File "')
LOG_PROBLEM = re.compile(r"Traceback|Exception occurred|Task exception was never retrieved|\bERROR\b|\bCRITICAL\b"
                         r"|exited: |handler error")
DUTCH = {"je", "niet", "het", "dit", "een", "de", "is", "ongeldig", "bericht", "verzoek", "te", "geen", "van",
         "alleen", "deze", "wacht", "stel"}
ENGLISH = {"the", "not", "allowed", "found", "request", "invalid", "exceeds", "internal", "error", "server"}
NORMAL_QUESTION = "hoeveel punten heb ik nodig voor herregistratie?"
REPLY_TIMEOUT = 20.0


# -- the servers and their log ---------------------------------------------------------------------

@dataclass
class Hostile:
    servers: Servers
    stub: MicrosoftStub

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.servers.web_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.servers.rasa_port}"

    def log_size(self) -> int:
        return self.servers.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.servers.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def settled_log_since(self, offset: int, quiet: float = 0.05, limit: float = 3.0) -> str:
        """The log written since `offset`, once nothing more has arrived for `quiet` seconds."""
        deadline = time.monotonic() + limit
        size = self.log_size()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.log_size()
            if now == size:
                break
            size = now
        return self.log_since(offset)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    stub = MicrosoftStub().start()
    servers = start_servers(tmp_path_factory.mktemp("badinput"), extra_env=stub.env)
    yield Hostile(servers, stub)
    if servers.process.poll() is None:
        servers.interrupt()
    stub.stop()


def log_problems(text: str) -> list[str]:
    """The lines of a log excerpt that show a crash, with the project's own frames and the exception of
    every traceback (the last unindented line after "Traceback")."""
    lines = text.splitlines()
    found: list[str] = []
    in_traceback = False
    for line in lines:
        if in_traceback:
            if line.startswith('  File "') and "/site-packages/" not in line and "/lib/python3" not in line:
                found.append(line)
            elif line and not line.startswith(" "):
                found.append(line[:400])
                in_traceback = False
            continue
        if LOG_PROBLEM.search(line):
            found.append(line[:400])
            in_traceback = "Traceback" in line
    return found


def dutch(text: object) -> bool:
    words = set(re.findall(r"[a-zà-ÿ]+", str(text).lower()))
    return bool(words & DUTCH) and not words & ENGLISH


def body_problems(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    return [f"the answer contains {word!r}: {text[:300]!r}" for word in FORBIDDEN_IN_BODY if word in text]


def json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def refusal_problems(status: int, data: bytes) -> list[str]:
    """A channel's 4xx: a JSON object with an error code and a Dutch message."""
    answer = json_or_none(data)
    if not isinstance(answer, dict) or not isinstance(answer.get("error"), str):
        return [f"HTTP {status} without a JSON error: {data[:300]!r}"]
    if not dutch(answer.get("message")):
        return [f"HTTP {status} without a Dutch message: {answer!r:.300}"]
    return []


def report(case_id: str, status: object, data: bytes, problems: list[str], log: str) -> str:
    return (f"input {case_id!r}: HTTP {status}, answer {data[:300]!r}\n  " + "\n  ".join(problems)
            + ("\nlog while it was handled:\n" + log[-4000:] if log.strip() else ""))


# -- raw HTTP ------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: Optional[int]
    content_type: str
    data: bytes
    error: Optional[str] = None


def send_raw(port: int, method: str, path: str, headers: tuple[Header, ...], data: Optional[bytes],
             source: Optional[str] = None, timeout: float = 60) -> Answer:
    """One request exactly as given (bytes in header values go out as they are), from `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if data is not None:
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders()
        if data:
            connection.send(data)
        reply = connection.getresponse()
        return Answer(reply.status, reply.getheader("Content-Type") or "", reply.read())
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, "", b"", f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def address(block: int, index: int) -> str:
    return f"127.0.{block + index // 250}.{index % 250 + 1}"


# -- REST ----------------------------------------------------------------------------------------

def rest_reply_problems(answer: Answer) -> list[str]:
    """A 200 from the REST channel: a list of messages (one JSON object a line when streamed, with
    ?stream=true), none of them the apology."""
    if answer.content_type.startswith("text/event-stream"):
        try:
            messages = [json.loads(line) for line in answer.data.decode().splitlines() if line.strip()]
        except ValueError:
            return [f"a streamed answer that is not JSON lines: {answer.data[:300]!r}"]
    else:
        messages = json_or_none(answer.data)
        if not isinstance(messages, list):
            return [f"200 without a list of messages: {answer.data[:300]!r}"]
    if not all(isinstance(m, dict) for m in messages):
        return [f"200 with something other than messages: {messages!r:.300}"]
    if any(APOLOGY in str(m.get("text", "")) for m in messages):
        return ["answered with the apology of channels/apology.py: the turn failed with an exception"]
    return []


@pytest.mark.parametrize("case", REST_CASES, ids=[c.id for c in REST_CASES])
def test_rest_bad_input(hostile: Hostile, case: Http) -> None:
    before = hostile.log_size()
    answer = send_raw(hostile.servers.rasa_port, case.method, case.path, case.headers, case.body,
                      address(17, REST_CASES.index(case)))
    log = hostile.settled_log_since(before)
    problems: list[str] = []
    if answer.status is None:
        if not case.may_reset:
            problems.append(f"no answer: {answer.error}")
    elif answer.status >= 500:
        problems.append(f"HTTP {answer.status}")
    elif case.framework:
        if not 200 <= answer.status < 500:
            problems.append(f"HTTP {answer.status}")
    elif answer.status == 200:
        problems += rest_reply_problems(answer)
    elif 400 <= answer.status < 500:
        problems += refusal_problems(answer.status, answer.data)
    else:
        problems.append(f"unexpected HTTP {answer.status}")
    problems += body_problems(answer.data)
    problems += [f"log: {line}" for line in log_problems(log)]
    assert not problems, report(case.id, answer.status, answer.data, problems, log)


def test_rest_commands_claim_no_leader(hostile: Hostile) -> None:
    """/inform with a registratienummer or verified_leader, then a personal question: no personal data."""
    servers, me = hostile.servers, "e2e-bad-claim"
    for command in ('/inform{"registratienummer":"100234"}', '/inform{"verified_leader":"100234"}'):
        servers.say(command, sender=me)
    text = servers.texts("hoeveel punten heb ik al?", sender=me, metadata={"verified_leader": "100234"})
    assert "Log in op het portaal" in text and "70 (leerKRACHT jaar-1)" not in text, text


def test_rest_answers_a_normal_question_after_the_corpus(hostile: Hostile) -> None:
    text = hostile.servers.texts(NORMAL_QUESTION, sender="e2e-bad-after")
    assert text.strip() and APOLOGY not in text and "punten" in text, text


# -- the widget's socket.io ------------------------------------------------------------------------

class Widget:
    """A python-socketio client as the widget connects (polling transport), from its own address."""

    def __init__(self, hostile: Hostile, source: str) -> None:
        import aiohttp
        import socketio

        self.hostile, self.source = hostile, source
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0)))
        self.client = socketio.AsyncClient(http_session=self.http, reconnection=False)
        self.heard: list[str] = []
        self.sessions: asyncio.Queue[object] = asyncio.Queue()
        self.client.on("bot_uttered", lambda m: self.heard.append(str(m.get("text", "")) if isinstance(m, dict)
                                                                  else repr(m)))
        self.client.on("session_confirm", lambda s: self.sessions.put_nowait(s))

    async def connect(self) -> None:
        await self.client.connect(self.hostile.url, headers={"Origin": self.hostile.origin}, transports=["polling"],
                                  wait_timeout=10)

    async def session(self) -> object:
        await self.client.emit("session_request", {"session_id": None})
        return await asyncio.wait_for(self.sessions.get(), 10)

    async def ask(self, text: str, expect: str, timeout: float = REPLY_TIMEOUT) -> bool:
        await self.client.emit("user_uttered", {"message": text})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(expect in said for said in self.heard):
                return True
            await asyncio.sleep(0.05)
        return False

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        if not self.http.closed:
            await self.http.close()


async def widget_follow_up(hostile: Hostile, widget: Widget, problems: list[str]) -> list[str]:
    """After the bad input: "hallo" on the same socket gets the greeting (on a new socket when the server
    closed this one: a clean refusal). Returns everything the server said on either."""
    heard = widget.heard
    if not widget.client.connected:
        await widget.close()
        widget = Widget(hostile, widget.source)
        widget.heard = heard
    try:
        if not widget.client.connected:
            await widget.connect()
        try:
            await widget.session()  # whatever the bad input did to the session
        except asyncio.TimeoutError:
            problems.append("the socket is still connected but no longer confirms a session_request (10 s)")
            return list(heard)
        if not await widget.ask("hallo", "Registerwijzer"):
            problems.append(f"no answer to 'hallo' afterwards within {REPLY_TIMEOUT:g} s")
        await asyncio.sleep(0.1)  # a late reply to the bad input
        return list(heard)
    finally:
        await widget.close()


async def widget_event(hostile: Hostile, case: Emit, source: str) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    widget = Widget(hostile, source)
    try:
        await widget.connect()
        if case.session:
            await widget.session()
        await widget.client.emit(case.event, case.args or None)
        await asyncio.sleep(0.05)
        return problems, await widget_follow_up(hostile, widget, problems)
    finally:
        await widget.close()


async def widget_packet(hostile: Hostile, case: Packet, source: str) -> tuple[list[str], list[str]]:
    import aiohttp

    problems: list[str] = []
    widget = Widget(hostile, source)
    try:
        await widget.connect()
        await widget.session()
        url = f"{hostile.url}/socket.io/?EIO=4&transport=polling&sid={widget.client.eio.sid}"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0))) as session:
            async with session.post(url, data=case.body, headers={
                    "Origin": hostile.origin, "Content-Type": "text/plain;charset=UTF-8"}) as reply:
                data = await reply.read()
                if reply.status >= 500:
                    problems.append(f"the packet got HTTP {reply.status}: {data[:300]!r}")
                problems += body_problems(data)
        await asyncio.sleep(0.05)
        return problems, await widget_follow_up(hostile, widget, problems)
    finally:
        await widget.close()


WIDGET_CASES: list[Emit | Packet] = [*WIDGET_EVENTS, *WIDGET_PACKETS]


@pytest.mark.parametrize("case", WIDGET_CASES, ids=[c.id for c in WIDGET_CASES])
def test_widget_bad_input(hostile: Hostile, case: Emit | Packet) -> None:
    before = hostile.log_size()
    source = address(27, WIDGET_CASES.index(case))
    scenario = widget_event(hostile, case, source) if isinstance(case, Emit) else widget_packet(hostile, case, source)
    problems, heard = asyncio.run(asyncio.wait_for(scenario, 60))
    log = hostile.settled_log_since(before)
    if any(APOLOGY in said for said in heard):
        problems.append("answered with the apology of channels/apology.py: the turn failed with an exception")
    problems += [f"said: {said[:200]!r}" for said in heard if any(word in said for word in FORBIDDEN_IN_BODY)]
    problems += [f"log: {line}" for line in log_problems(log)]
    assert not problems, (f"input {case.id!r}; heard {[s[:80] for s in heard]!r}\n  " + "\n  ".join(problems)
                          + ("\nlog while it was handled:\n" + log[-4000:] if log.strip() else ""))


@pytest.mark.parametrize("case", WIDGET_QUERIES, ids=[c.id for c in WIDGET_QUERIES])
def test_widget_bad_engineio_request(hostile: Hostile, case: Query) -> None:
    before = hostile.log_size()
    headers: tuple[Header, ...] = (("Origin", hostile.origin), ("Content-Type", "text/plain;charset=UTF-8"))
    answer = send_raw(hostile.servers.rasa_port, case.method, "/socket.io/?" + case.query, headers, case.body,
                      address(37, WIDGET_QUERIES.index(case)))
    log = hostile.settled_log_since(before)
    problems = [f"no answer: {answer.error}"] if answer.status is None else []
    if answer.status is not None and not 200 <= answer.status < 500:
        problems.append(f"HTTP {answer.status}")
    problems += body_problems(answer.data)
    problems += [f"log: {line}" for line in log_problems(log)]
    assert not problems, report(case.id, answer.status, answer.data, problems, log)


def test_widget_answers_a_normal_question_after_the_corpus(hostile: Hostile) -> None:
    async def scenario() -> tuple[bool, list[str]]:
        widget = Widget(hostile, "127.0.0.1")
        await widget.connect()
        await widget.session()
        answered = await widget.ask(NORMAL_QUESTION, "punten")
        heard = list(widget.heard)
        await widget.close()
        return answered, heard

    answered, heard = asyncio.run(scenario())
    assert answered and not any(APOLOGY in said for said in heard), heard


# -- Teams ---------------------------------------------------------------------------------------

def teams_reply_texts(stub: MicrosoftStub, conversation: str, expect: str,
                      timeout: float = REPLY_TIMEOUT) -> Optional[list[str]]:
    """Every text the connector stand-in got for `conversation`, once one containing `expect` has
    arrived; None when none did within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.finished and expect in str(r.activity.get("text", "")) for r in stub.replies(conversation)):
            time.sleep(0.1)  # a turn may send more than one message
            return [str(r.activity.get("text", "")) for r in stub.replies(conversation)]
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("case", TEAMS_CASES, ids=[c.id for c in TEAMS_CASES])
def test_teams_bad_input(hostile: Hostile, case: TeamsCase) -> None:
    stub = hostile.stub
    conversation = f"a:e2e-bad-{uuid.uuid4().hex[:12]}"
    activity = case.change(stub.activity("hallo", conversation=conversation))
    data = activity if isinstance(activity, bytes) else dumps(activity)
    authorization = case.authorization if case.authorization is not None else f"Bearer {stub.token()}"
    before = hostile.log_size()
    answer = send_raw(hostile.servers.rasa_port, "POST", TEAMS_PATH,
                      (("Content-Type", "application/json"), ("Authorization", authorization)), data)
    problems: list[str] = []
    reply = json_or_none(answer.data)
    if answer.status is None:
        problems.append(f"no answer: {answer.error}")
    elif answer.status >= 500:
        problems.append(f"HTTP {answer.status}")
    elif case.framework:
        if not 400 <= answer.status < 500:
            problems.append(f"HTTP {answer.status}")
    elif 400 <= answer.status < 500:
        problems += refusal_problems(answer.status, answer.data)
    elif answer.status != 200 or not isinstance(reply, dict) or reply.get("status") not in (
            "ontvangen", "genegeerd", "te_veel"):
        problems.append(f"HTTP {answer.status} with {answer.data[:300]!r}")
    elif reply["status"] == "ontvangen":
        give_up = time.monotonic() + 2.0
        # The same conversation goes on: "hallo" gets the greeting. Sent once the bad turn has answered
        # (or after 2 s: "/restart" answers nothing), else it waits a second for the conversation's lock.
        conversation_id = str(activity["conversation"]["id"]) if isinstance(activity, dict) else conversation
        stub.wait_for(lambda: any(r.finished for r in stub.replies(conversation_id)) or time.monotonic() > give_up)
        time.sleep(0.1)
        genuine = stub.activity("hallo", conversation=conversation_id)
        follow_up = send_raw(hostile.servers.rasa_port, "POST", TEAMS_PATH, (
            ("Content-Type", "application/json"), ("Authorization", f"Bearer {stub.token()}")), dumps(genuine))
        texts = teams_reply_texts(stub, conversation_id, "Registerwijzer")
        if follow_up.status != 200:
            problems.append(f"'hallo' afterwards in the same conversation: HTTP {follow_up.status} "
                            f"{follow_up.data[:200]!r}")
        elif texts is None:
            got = [r.activity.get("text") for r in stub.replies(conversation_id)]
            problems.append(f"no reply to 'hallo' afterwards in the same conversation within {REPLY_TIMEOUT:g} s; "
                            f"the connector got {got!r:.300}")
        elif any(APOLOGY in text for text in texts):
            problems.append("answered with the apology of channels/apology.py: the turn failed with an exception")
        elif any(word in text for text in texts for word in FORBIDDEN_IN_BODY):
            problems.append(f"a reply contains a stack trace: {texts!r:.500}")
    problems += body_problems(answer.data)
    log = hostile.settled_log_since(before)
    problems += [f"log: {line}" for line in log_problems(log)]
    assert not problems, report(case.id, answer.status, answer.data, problems, log)


def test_teams_answers_a_normal_question_after_the_corpus(hostile: Hostile) -> None:
    stub = hostile.stub
    conversation = f"a:e2e-bad-after-{uuid.uuid4().hex[:8]}"
    answer = send_raw(hostile.servers.rasa_port, "POST", TEAMS_PATH,
                      (("Content-Type", "application/json"), ("Authorization", f"Bearer {stub.token()}")),
                      dumps(stub.activity(NORMAL_QUESTION, conversation=conversation)))
    assert answer.status == 200 and json.loads(answer.data) == {"status": "ontvangen"}, answer
    texts = teams_reply_texts(stub, conversation, "punten")
    assert texts and "punten" in "\n".join(texts) and not any(APOLOGY in t for t in texts), texts


# -- afterwards ----------------------------------------------------------------------------------

def test_the_run_log_has_no_stack_trace_and_no_server_exited(hostile: Hostile) -> None:
    """The whole log of this run (also what came too late to be put down to one input)."""
    assert hostile.servers.process.poll() is None, "run.sh has stopped"
    problems = log_problems(hostile.log_since(0))
    assert not problems, f"{len(problems)} lines:\n" + "\n".join(problems[:200])
