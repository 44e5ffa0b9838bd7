"""Teams end to end over HTTP: `scripts/run.sh` with the Teams channel pointed at the local stand-in
for Microsoft's endpoints (tests/teams/msstub.py)."""

from __future__ import annotations

import json
import subprocess
import re
import time
import uuid
import urllib.error
import urllib.request
from typing import Any, Callable, Iterator
from urllib.parse import unquote

import pytest

from e2e.conftest import ROOT, Servers, start_servers

from tests.mail_sink import MailServers

from .msstub import MicrosoftStub

pytestmark = pytest.mark.e2e

Case = Callable[[MicrosoftStub], tuple[dict[str, str], dict[str, Any]]]


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, MicrosoftStub]]:
    stub = MicrosoftStub()  # not listening yet: "Microsoft" is down while the servers start
    mail = MailServers()
    stub.mail = mail.make()  # type: ignore[attr-defined]  # the register's mail server: linking codes
    servers = start_servers(tmp_path_factory.mktemp("teams"), extra_env={
        **stub.env, "HELPDESK_SMTP_HOST": "127.0.0.1", "HELPDESK_SMTP_PORT": str(stub.mail.port),  # type: ignore[attr-defined]
        "HELPDESK_MAIL_FROM": "registerwijzer@register.example"})
    stub.start()
    # What the servers asked of "Microsoft" by the time they were up, kept for the start-up test whatever
    # runs before it.
    stub.at_start = (stub.key_requests, list(stub.token_requests))  # type: ignore[attr-defined]
    yield servers, stub
    if servers.process.poll() is None:
        servers.interrupt()
    stub.stop()
    mail.stop()


def post(servers: Servers, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None,
         path: str = "/webhooks/teams/webhook") -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}{path}", data=data,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def send(servers: Servers, stub: MicrosoftStub, activity: dict[str, Any]) -> None:
    status, body = post(servers, activity, {"Authorization": f"Bearer {stub.token()}"})
    assert status == 200, body


def settled(servers: Servers, stub: MicrosoftStub) -> None:
    """Wait until the server has done what it does with the requests sent before: a genuine message in
    a conversation of its own is answered. Then an absence (no reply) can be asserted, with no sleep."""
    conversation = f"a:e2e-settled-{uuid.uuid4().hex[:8]}"
    send(servers, stub, stub.activity("hallo", conversation=conversation))
    stub.wait_replies(conversation)


def texts(replies: list[Any]) -> str:
    return "\n".join(str(r.activity.get("text", "")) for r in replies)


def test_start_up_contacted_no_microsoft_host(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    assert stub.at_start == (0, [])  # type: ignore[attr-defined]
    before = (stub.key_requests, len(stub.token_requests))
    with urllib.request.urlopen(f"http://127.0.0.1:{servers.rasa_port}/webhooks/teams/", timeout=10) as reply:
        assert json.loads(reply.read()) == {"status": "ok", "ingesteld": True}
    assert (stub.key_requests, len(stub.token_requests)) == before  # the health check contacts nobody either


def test_a_dutch_answer_arrives_with_the_bot_token(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    activity = stub.activity("hallo", conversation="a:e2e-hallo")
    send(servers, stub, activity)
    replies = stub.wait_replies("a:e2e-hallo")
    assert "Registerwijzer" in texts(replies) and "herregistratie" in texts(replies)
    reply = replies[0]
    assert reply.authorization == f"Bearer {stub.issued[0]}"
    assert unquote(reply.path) == "/teams/v3/conversations/a:e2e-hallo/activities/" + activity["id"]
    assert reply.reply_to == activity["id"]
    assert reply.activity["replyToId"] == activity["id"] and reply.activity["type"] == "message"
    assert reply.activity["recipient"] == {"id": activity["from"]["id"]}
    assert reply.activity["from"] == {"id": activity["recipient"]["id"]}
    assert reply.activity["textFormat"] == "markdown"


def test_costs_question_gets_a_sourced_answer(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    send(servers, stub, stub.activity("Wat kost de herregistratie?", conversation="a:e2e-costs"))
    text = texts(stub.wait_replies("a:e2e-costs"))
    assert "Bron" in text and "€" in text


def test_buttons_arrive_as_im_back_hero_card_and_a_click_gets_the_follow_up(
        teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    conversation = "a:e2e-calc"
    send(servers, stub, stub.activity("ik heb LK1 gedaan en een thema laten waarderen, heb ik genoeg punten?",
                                      conversation=conversation))
    [question] = stub.wait_replies(conversation)
    assert question.activity["text"] == "Op welk leerniveau is je thema gewaardeerd?"
    [card] = question.activity["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    buttons = card["content"]["buttons"]
    assert buttons == [{"type": "imBack", "title": t, "value": t} for t in ("Niveau 4", "Niveau 5", "Niveau 6")]
    send(servers, stub, stub.activity("Niveau 6", conversation=conversation))  # what Teams posts for the click
    answer = texts(stub.wait_replies(conversation, count=2)[1:])
    assert "= 100 van de 100; je hebt genoeg punten." in answer


def test_a_verified_leader_cannot_be_claimed_from_teams(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    activity = stub.activity("hoeveel punten heb ik al?", conversation="a:e2e-claim",
                             metadata={"verified_leader": "100234"}, value={"verified_leader": "100234"},
                             channelData={"tenant": {"id": stub.tenant_id}, "verified_leader": "100234"})
    send(servers, stub, activity)
    text = texts(stub.wait_replies("a:e2e-claim"))
    assert "koppel mijn account" in text and "70 (leerKRACHT jaar-1)" not in text


def _genuine(stub: MicrosoftStub) -> dict[str, str]:
    return {"Authorization": f"Bearer {stub.token()}"}


BAD: dict[str, Case] = {
    "missing": lambda s: ({}, s.activity()),
    "not bearer": lambda s: ({"Authorization": "Basic eDp5"}, s.activity()),
    "garbage": lambda s: ({"Authorization": "Bearer garbage.garbage.garbage"}, s.activity()),
    "key not published": lambda s: ({"Authorization": f"Bearer {s.token(key='rogue')}"}, s.activity()),
    "bad signature": lambda s: ({"Authorization": f"Bearer {s.token(key='rogue', kid='teams')}"}, s.activity()),
    "wrong audience": lambda s: ({"Authorization": f"Bearer {s.token(aud='another-bot')}"}, s.activity()),
    "wrong issuer": lambda s: ({"Authorization": f"Bearer {s.token(iss='https://evil.example')}"}, s.activity()),
    "expired": lambda s: ({"Authorization": f"Bearer {s.token(exp=int(time.time()) - 3600)}"}, s.activity()),
    "no expiry": lambda s: ({"Authorization": f"Bearer {s.token(drop=('exp',))}"}, s.activity()),
    "serviceUrl mismatch": lambda s: (
        {"Authorization": f"Bearer {s.token(s.base + '/teams/x/')}"}, s.activity()),
    "unendorsed channel": lambda s: ({"Authorization": f"Bearer {s.token(key='webchat')}"}, s.activity()),
    "HS256": lambda s: ({"Authorization": f"Bearer {s.token(alg='HS256')}"}, s.activity()),
    "alg none": lambda s: ({"Authorization": f"Bearer {s.token(alg='none')}"}, s.activity()),
    "disallowed serviceUrl": lambda s: (
        {"Authorization": f"Bearer {s.token(s.base + '/evil/')}"}, s.activity(serviceUrl=s.base + "/evil/")),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_requests_get_401_and_no_reply(teams: tuple[Servers, MicrosoftStub], case: str) -> None:
    servers, stub = teams
    headers, activity = BAD[case](stub)
    status, body = post(servers, activity, headers)
    assert status == 401, body
    assert body["error"] == "niet_geautoriseerd" and "Microsoft Teams" in body["message"]
    settled(servers, stub)
    assert stub.replies(activity["conversation"]["id"]) == []


def test_the_bot_token_never_goes_to_a_disallowed_service_url(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    evil = stub.base + "/evil/"
    for _ in range(2):
        post(servers, stub.activity("hallo", serviceUrl=evil), {"Authorization": f"Bearer {stub.token(evil)}"})
        post(servers, stub.activity("hallo", serviceUrl=evil), _genuine(stub))
    settled(servers, stub)
    assert all(r.path.startswith("/teams/") for r in stub.received)


@pytest.mark.parametrize("body", [b"not json", b"[]", b"{}", b'{"type": "message"}', b"", b"[" * 5000])
def test_malformed_bodies_get_400(teams: tuple[Servers, MicrosoftStub], body: bytes) -> None:
    servers, stub = teams
    status, reply = post(servers, body, _genuine(stub))
    assert status == 400 and reply["error"] == "ongeldig_verzoek"


def test_other_activity_types_are_ignored(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    activity = stub.activity(conversation="a:e2e-update", type="conversationUpdate",
                             membersAdded=[{"id": "29:someone"}])
    status, body = post(servers, activity, _genuine(stub))
    assert status == 200 and body == {"status": "genegeerd"}
    settled(servers, stub)
    assert stub.replies("a:e2e-update") == []


def test_group_chats_and_channels_are_ignored(teams: tuple[Servers, MicrosoftStub]) -> None:
    """Issue 17: the assistant answers in personal chats only (what a leader asks is personal)."""
    servers, stub = teams
    for kind in ("groupChat", "channel"):
        conversation = f"19:e2e-{kind}"
        activity = stub.activity(conversation=conversation)
        activity["conversation"]["conversationType"] = kind
        status, body = post(servers, activity, _genuine(stub))
        assert status == 200 and body == {"status": "genegeerd"}
    settled(servers, stub)
    assert stub.replies("19:e2e-groupChat") == [] and stub.replies("19:e2e-channel") == []


def test_another_tenant_gets_no_answer(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    activity = stub.activity(conversation="a:e2e-tenant", channelData={"tenant": {"id": "other-tenant"}})
    status, body = post(servers, activity, _genuine(stub))
    assert status == 403 and body["error"] == "andere_organisatie"
    settled(servers, stub)
    assert stub.replies("a:e2e-tenant") == []


def test_a_slow_connector_does_not_stall_another_conversation(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    stub.delays["a:e2e-slow"] = 8.0
    send(servers, stub, stub.activity("hallo", conversation="a:e2e-slow"))  # answered before the slow send
    stub.wait_for(lambda: ("arrived", "a:e2e-slow") in stub.events)  # the slow reply is now in flight
    send(servers, stub, stub.activity("Wat kost de herregistratie?", conversation="a:e2e-fast"))
    stub.wait_replies("a:e2e-slow")
    stub.wait_replies("a:e2e-fast")
    assert stub.events.index(("finished", "a:e2e-fast")) < stub.events.index(("finished", "a:e2e-slow"))


def test_one_bot_token_served_every_reply(teams: tuple[Servers, MicrosoftStub]) -> None:
    servers, stub = teams
    settled(servers, stub)  # at least one reply of its own, whatever ran before
    assert len(stub.token_requests) == 1
    assert stub.received and all(r.authorization == f"Bearer {stub.issued[0]}" for r in stub.received)


# Without TEAMS_APP_ID and the rest the webhook answers 503: tests/e2e/test_e2e_rest.py
# test_rasas_own_commands_work_from_a_fresh_terminal (a server started with no variables at all).


def test_linking_an_account_gives_personal_answers_until_it_is_unlinked(
        teams: tuple[Servers, MicrosoftStub]) -> None:
    """Issue 18: an unlinked user asking a personal question hears how to link and gets a button; the
    number brings a code to the address on file (never one typed in the chat), a wrong code is refused,
    the right one links, personal answers follow; unlinking ends them."""
    servers, stub = teams
    conversation = "a:e2e-link-000000000001"
    said: list[str] = []

    def exchange(text: str) -> str:
        send(servers, stub, stub.activity(text, conversation=conversation))
        replies = stub.wait_replies(conversation, count=len(said) + 1)
        said.append(str(replies[-1].activity.get("text", "")))
        return said[-1]

    hint = exchange("hoeveel punten heb ik nog nodig?")
    assert "koppel mijn account" in hint and "70 (leerKRACHT jaar-1)" not in hint
    [card] = stub.replies(conversation)[-1].activity["attachments"]
    assert {"type": "imBack", "title": "Account koppelen", "value": "Account koppelen"} in card["content"]["buttons"]
    assert "registratienummer" in exchange("Account koppelen")  # the button's title, as Teams posts it
    sent = exchange("100234, stuur de code naar boef@evil.example")
    assert "an***@ex***.nl" in sent, sent
    [message] = stub.mail.parsed()  # type: ignore[attr-defined]
    assert message["To"] == "anna.devries@example.nl"
    code = re.search(r"\b(\d{6})\b", message.get_payload(decode=True).decode()).group(1)  # type: ignore[union-attr]
    assert "klopt niet" in exchange("000000" if code != "000000" else "111111")
    assert "Gelukt" in exchange(code)
    assert "70 (leerKRACHT jaar-1)" in exchange("hoeveel punten heb ik al?")
    # Issue 19: the same activity carries the overview as an Adaptive Card, the text being its fallback.
    [card] = stub.replies(conversation)[-1].activity["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = card["content"]
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.5"
    blocks = [e["text"] for e in content["body"] if e["type"] == "TextBlock"]
    assert "70 van de 100 punten" in blocks and "Je mist nog 30 punten." in blocks
    bar = next(e for e in content["body"] if e["type"] == "ColumnSet")
    assert [c["width"] for c in bar["columns"]] == [70, 30]
    facts = {f["title"]: f["value"] for e in content["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert set(facts) == {"Begin", "Vandaag", "Uiterlijk herregistreren", "Nog te gaan"}
    assert f"tot {facts['Uiterlijk herregistreren']}." in said[-1]  # the same deadline as the text
    assert content["fallbackText"].startswith("Je hebt 70 van de 100 punten.")
    # Reminders: opted in here, pushed by the scheduled command into this conversation, once.
    assert "Herinneringen staan aan" in exchange("herinneringen aan")
    for _ in range(2):
        done = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot", "reminders", "send"], cwd=ROOT,
                              env=servers.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    pushed = [r for r in stub.replies(conversation)[len(said):]]
    assert len(pushed) == 1 and "Herinnering van Registerwijzer" in str(pushed[0].activity["text"])
    [reminder_card] = pushed[0].activity["attachments"]  # issue 19: the overview, as in the chat
    assert reminder_card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert reminder_card["content"]["fallbackText"].startswith("Je hebt 70 van de 100 punten.")
    said.append(str(pushed[0].activity["text"]))
    assert "niet meer gekoppeld" in exchange("ontkoppel mijn account")
    assert "koppel mijn account" in exchange("hoeveel punten heb ik al?")
