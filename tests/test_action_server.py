"""The action server (actions/server.py): Rasa SDK's executor with the slot `helpdesk_offered` kept up
to date after every action, so that it always says what the assistant's last message said: whether it
offered the helpdesk. Conversations are run through the executor as Rasa runs them, and the slot is
compared with the assistant's last message at every step."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa_sdk.events import ActionExecuted, FollowupAction, SessionStarted, SlotSet, UserUtteranceReverted

from actions.common import OFFERED
from actions.server import Executor, offer_events
from bot.answers import HELPDESK_OFFER
from bot.bootstrap import Services, override
from bot.helpdesk import Helpdesk
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def desk(tmp_path: Path) -> Iterator[Helpdesk]:
    """Unanswered questions go to a throw-away SQLite store, never the developer's database."""
    store = Store(f"sqlite:///{tmp_path / 'server.db'}")
    store.upgrade()
    helpdesk = Helpdesk(store)
    with override(Services(helpdesk=helpdesk)):
        yield helpdesk
    store.close()


@pytest.fixture(scope="module")
def executor() -> Executor:
    executor = Executor()
    executor.register_package("actions")
    return executor


def last_bot_text(events: list[dict[str, Any]]) -> str:
    for event in reversed(events):
        if event.get("event") == "bot":
            return str(event.get("text") or "")
    return ""


class Conversation:
    """A conversation as Rasa keeps it: the executor's replies become bot events, its events are added,
    and slots follow the slot events."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {}
        self.message: dict[str, Any] = {}

    def user(self, text: str, intent: str) -> None:
        self.message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": [],
                        "intent_ranking": [{"name": intent, "confidence": 0.95}]}
        self.events += [ActionExecuted("action_listen"), {"event": "user", "text": text, "parse_data": self.message}]

    def run(self, action: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        tracker = {"sender_id": "gesprek", "slots": dict(self.slots), "latest_message": self.message,
                   "events": list(self.events), "paused": False, "followup_action": None, "active_loop": {},
                   "latest_action_name": "action_listen"}
        result = asyncio.run(self.executor.run({"next_action": action, "tracker": tracker, "domain": {}}))
        assert result is not None
        self.events += [ActionExecuted(action)]
        self.events += [{"event": "bot", "text": r.get("text")} for r in result["responses"]] + result["events"]
        for event in result["events"]:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        # What the conversation's last message said, and what the slot says, are the same.
        assert (self.slots.get(OFFERED) is True) == last_bot_text(self.events).endswith(HELPDESK_OFFER)
        return result["responses"], result["events"]


def test_yes_right_after_the_offer_hands_the_question_over(executor: Executor) -> None:
    talk = Conversation(executor)
    talk.user("hoe vraag ik uitstel aan", "ask_outside_sources")
    [offer], _ = talk.run("action_answer")
    assert offer["text"].endswith(HELPDESK_OFFER) and talk.slots[OFFERED] is True
    talk.user("ja graag", "affirm")
    said, events = talk.run("action_answer")
    assert said == [] and FollowupAction("action_helpdesk_start") in events and talk.slots[OFFERED] is True
    [intro], events = talk.run("action_helpdesk_start")
    assert "“hoe vraag ik uitstel aan”" in intro["text"]
    assert SlotSet("helpdesk_reason", "buiten_gegevens") in events
    assert talk.slots[OFFERED] is False


def test_the_offer_counts_for_the_next_message_only(executor: Executor) -> None:
    talk = Conversation(executor)
    talk.user("hoe vraag ik uitstel aan", "ask_outside_sources")
    talk.run("action_answer")
    talk.user("hallo", "greet")
    talk.run("action_answer")
    assert talk.slots[OFFERED] is False
    talk.user("ja", "affirm")
    said, events = talk.run("action_answer")
    assert said and FollowupAction("action_helpdesk_start") not in events
    talk.user("ik wil de helpdesk", "request_helpdesk")
    [intro], _ = talk.run("action_helpdesk_start")
    assert "uitstel" not in intro["text"]  # no offer before: the form asks the question


def test_the_last_fallback_offers_after_its_rewind(executor: Executor) -> None:
    talk = Conversation(executor)
    talk.user("blablabla registratie ding", "nlu_fallback")
    [message], events = talk.run("action_default_fallback")
    assert HELPDESK_OFFER in message["text"]
    # After the rewind, or the rewind would take the slot back.
    assert events == [UserUtteranceReverted(), SlotSet(OFFERED, True)]


def test_the_forms_questions_and_prompts_end_the_offer(executor: Executor) -> None:
    talk = Conversation(executor)
    talk.slots[OFFERED] = True
    talk.events.append({"event": "bot", "text": "Daar staat niets over. " + HELPDESK_OFFER})
    talk.user("ja", "affirm")
    _, events = talk.run("action_ask_helpdesk_consent")
    assert events == [SlotSet(OFFERED, False)]


def test_an_action_that_says_nothing_changes_nothing() -> None:
    assert offer_events([], [SlotSet("x", 1)], True) == []
    assert offer_events([], [], None) == []
    assert offer_events([{"text": "Hoi!"}], [], True) == [SlotSet(OFFERED, False)]
    assert offer_events([{"text": "Eerst dit."}, {"text": "Geen idee. " + HELPDESK_OFFER}], [], None) == [
        SlotSet(OFFERED, True)]
    assert offer_events([{"text": HELPDESK_OFFER + "\nNog iets."}], [], None) == [SlotSet(OFFERED, False)]
    assert offer_events([{"buttons": [{"title": "Ja", "payload": "/affirm"}]}], [], True) == [SlotSet(OFFERED, False)]


def test_a_new_session_keeps_what_was_said_last() -> None:
    """A session start resets the slots; the last message, an offer, still stands (as it did when the
    actions read it from the events)."""
    started = [SessionStarted(), ActionExecuted("action_listen")]
    assert offer_events([], started, True) == [SlotSet(OFFERED, True)]
    assert offer_events([], started, None) == []
    assert offer_events([{"text": "Let op: je periode eindigt op 1 mei."}], started, True) == [SlotSet(OFFERED, False)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_action_server_command_sets_the_slot(tmp_path: Path) -> None:
    """`python -m actions.server`, as scripts/run.sh starts it, answers with the slot event."""
    port = free_port()
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        call = {"next_action": "action_default_ask_rephrase", "domain": {},
                "tracker": {"sender_id": "gesprek", "slots": {OFFERED: True}, "latest_message": {"text": "iets anders"},
                            "events": [], "paused": False, "followup_action": None, "active_loop": {},
                            "latest_action_name": "action_listen"}}
        request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=json.dumps(call).encode(),
                                         headers={"Content-Type": "application/json"})
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    reply = json.loads(response.read())
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.5)
        assert reply["responses"][0]["text"].startswith("Sorry, ik begrijp je vraag nog niet goed.")
        assert reply["events"] == [SlotSet(OFFERED, False)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
