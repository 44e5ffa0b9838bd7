"""The helpdesk actions with real rasa_sdk trackers over a real SQLite store."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.helpdesk import ActionHelpdeskStart, ActionHelpdeskSubmit, AskConsent, ValidateHelpdeskForm
from bot.answers import HELPDESK_OFFER
from bot.bootstrap import Services, override
from bot.helpdesk import Helpdesk
from bot.identity import verified_metadata
from bot.register import load_rules
from bot.store import Store
from bot.store.demo import install_demo

LEADER = "100234"


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Helpdesk]:
    store = Store(f"sqlite:///{tmp_path / 'helpdesk.db'}")
    store.upgrade()
    install_demo(store, load_rules(), date.today())
    helpdesk = Helpdesk(store)
    with override(Services(helpdesk=helpdesk)):
        yield helpdesk
    store.close()


def tracker(text: str, intent: str, slots: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None,
            history: list[dict[str, Any]] | None = None, channel: str = "rest") -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": [], "metadata": metadata or {}}
    events = [*(history or []), {"event": "user", "text": text, "parse_data": message, "input_channel": channel,
                                 "metadata": metadata or {}, "timestamp": 1_760_000_000.0}]
    return Tracker("gesprek-1", slots or {}, message, events, False, None, {}, "action_listen")


def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def validate(slot: str, value: Any, t: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateHelpdeskForm(), f"validate_{slot}")
    return dispatcher.messages, asyncio.run(method(value, dispatcher, t, {}))


def test_start_after_an_offer_takes_the_unanswered_question_along() -> None:
    history = [{"event": "user", "text": "hoe vraag ik uitstel aan", "parse_data": {"intent": {"name": "ask_outside_sources"}}},
               {"event": "bot", "text": "Daar staat niets over. " + HELPDESK_OFFER}]
    offered = {"helpdesk_offered": True}  # set by the action server after the offer (actions/server.py)
    [message], events = run(ActionHelpdeskStart(), tracker("/request_helpdesk", "request_helpdesk", slots=offered,
                                                           history=history))
    assert "“hoe vraag ik uitstel aan”" in message["text"]
    assert SlotSet("helpdesk_question", "hoe vraag ik uitstel aan") in events
    assert SlotSet("helpdesk_reason", "buiten_gegevens") in events
    assert events[-1] == FollowupAction("helpdesk_form")


def test_start_for_a_verified_leader_fills_the_number_and_never_asks_it() -> None:
    meta = verified_metadata(LEADER, "web")
    _, events = run(ActionHelpdeskStart(), tracker("ik wil een medewerker", "request_helpdesk", metadata=meta))
    assert SlotSet("helpdesk_registratienummer", LEADER) in events
    _, result = validate("helpdesk_registratienummer", "999999", tracker("999999", "inform", metadata=meta))
    assert result == {"helpdesk_registratienummer": LEADER}  # never another leader's number


def test_a_too_long_question_is_not_quoted_but_asked_again() -> None:
    text = "waarom " * 2000
    [message], events = run(ActionHelpdeskStart(), tracker(text, "personal_case"))
    assert "waarom waarom" not in message["text"]
    assert not any(e.get("name") == "helpdesk_question" for e in events if e.get("event") == "slot")


@pytest.mark.parametrize("slot, value, prompt", [
    ("helpdesk_question", "", "nog geen vraag"),
    ("helpdesk_question", "x" * 10_000, "te lang"),
    ("helpdesk_question", "<script>alert(1)</script> waar is mijn certificaat", "HTML"),
    ("helpdesk_question", "ja", "je vraag zelf nog nodig"),  # "ja" to "Wat is je vraag?" is no question
    ("helpdesk_question", "help", "je vraag zelf nog nodig"),
    ("helpdesk_email", "jan@@school", "naam@school.nl"),
    ("helpdesk_registratienummer", "12ab", "registratienummer"),
    ("helpdesk_consent", "misschien", "'ja' of 'nee'"),
])
def test_bad_answers_get_a_dutch_prompt_and_keep_the_slot_empty(slot: str, value: str, prompt: str) -> None:
    messages, result = validate(slot, value, tracker(value, "inform"))
    assert result == {slot: None}
    assert prompt.lower() in messages[0]["text"].lower()


def test_good_answers_are_cleaned() -> None:
    assert validate("helpdesk_email", " Jan@School.NL ", tracker("x", "inform"))[1] == {"helpdesk_email": "Jan@school.nl"}
    assert validate("helpdesk_registratienummer", "weet ik niet", tracker("x", "inform"))[1] == {
        "helpdesk_registratienummer": "onbekend"}
    assert validate("helpdesk_consent", "ja", tracker("ja", "affirm"))[1] == {"helpdesk_consent": True}
    assert validate("helpdesk_consent", "nee", tracker("nee", "deny"))[1] == {"helpdesk_consent": False}


def test_stop_ends_the_form_and_nothing_is_handed_over(desk: Helpdesk) -> None:
    _, result = validate("helpdesk_email", "laat maar", tracker("laat maar", "deny"))
    assert result == {"helpdesk_cancelled": True}
    slots = asyncio.run(ValidateHelpdeskForm().required_slots([], CollectingDispatcher(),
                                                               tracker("x", "deny", slots=result), {}))
    assert slots == []
    [message], _ = run(ActionHelpdeskSubmit(), tracker("laat maar", "deny", slots=result))
    assert "niets door" in message["text"]
    assert desk.tickets() == ()


def test_consent_buttons() -> None:
    [message], _ = run(AskConsent(), tracker("x", "inform"))
    assert [b["payload"] for b in message["buttons"]] == ["ja", "nee"]


def filled(consent: bool, **extra: Any) -> dict[str, Any]:
    return {"helpdesk_question": "Mijn certificaat staat niet in mijn dossier, kan dat voor 1 december?",
            "helpdesk_email": "jan@school.nl", "helpdesk_registratienummer": LEADER, "helpdesk_consent": consent,
            "helpdesk_reason": "persoonlijk", "helpdesk_intent": "personal_case", **extra}


def test_only_the_current_session_goes_into_the_ticket_and_the_quote(desk: Helpdesk) -> None:
    """Issue 17: an earlier session of the same conversation (another day, perhaps another person at a
    shared computer) is neither quoted nor sent along."""
    earlier = [{"event": "user", "text": "mijn BSN is 123456782, hoe vraag ik uitstel aan",
                "parse_data": {"intent": {"name": "ask_outside_sources"}}, "timestamp": 1_750_000_000.0},
               {"event": "bot", "text": "Daar staat niets over. " + HELPDESK_OFFER},
               {"event": "action", "name": "action_session_start"}, {"event": "session_started"},
               {"event": "user", "text": "hallo", "timestamp": 1_760_000_000.0}, {"event": "bot", "text": "Hoi!"}]
    [message], events = run(ActionHelpdeskStart(), tracker("ik wil een medewerker spreken", "request_helpdesk",
                                                           history=earlier))
    assert "uitstel" not in message["text"] and not any(
        e == SlotSet("helpdesk_question", "mijn BSN is 123456782, hoe vraag ik uitstel aan") for e in events)
    run(ActionHelpdeskSubmit(), tracker("ja", "affirm", slots=filled(True), history=earlier))
    [ticket] = desk.tickets()
    assert [line.text for line in ticket.transcript][:2] == ["hallo", "Hoi!"]
    assert not any("uitstel" in line.text for line in ticket.transcript)


def test_submit_stores_the_ticket_before_saying_its_number(desk: Helpdesk) -> None:
    history = [{"event": "user", "text": "hallo", "timestamp": 1_760_000_000.0}, {"event": "bot", "text": "Hoi!"}]
    [message], events = run(ActionHelpdeskSubmit(), tracker("ja", "affirm", slots=filled(True), history=history,
                                                            metadata=verified_metadata(LEADER, "web")))
    [ticket] = desk.tickets()
    assert ticket.number in message["text"] and "jan@school.nl" in message["text"]
    assert ticket.verified and ticket.registratienummer == LEADER and ticket.priority == "hoog"
    assert ticket.category == "certificaat of waardering"
    assert [line.text for line in ticket.transcript][:2] == ["hallo", "Hoi!"]
    assert SlotSet("helpdesk_question", None) in events


def test_without_consent_only_the_question_goes(desk: Helpdesk) -> None:
    history = [{"event": "user", "text": "geheim gesprek"}, {"event": "bot", "text": "Hoi!"}]
    run(ActionHelpdeskSubmit(), tracker("nee", "deny", slots=filled(False, helpdesk_registratienummer="onbekend"),
                                        history=history))
    [ticket] = desk.tickets()
    assert ticket.transcript == () and not ticket.consent
    assert ticket.registratienummer is None and not ticket.verified


def test_an_unverified_number_is_not_marked_verified(desk: Helpdesk) -> None:
    run(ActionHelpdeskSubmit(), tracker("ja", "affirm", slots=filled(True)))
    [ticket] = desk.tickets()
    assert ticket.registratienummer == LEADER and not ticket.verified


def test_a_database_failure_keeps_everything_and_offers_to_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        async def acreate_ticket(self, draft: Any) -> Any:
            raise RuntimeError("database away")

    with override(Services(helpdesk=Broken())):  # type: ignore[arg-type]
        [message], events = run(ActionHelpdeskSubmit(), tracker("ja", "affirm", slots=filled(True)))
    assert "niet om je vraag op te slaan" in message["text"] and events == []
    assert message["buttons"][0]["payload"] == "/request_helpdesk"


def test_the_ticket_keeps_the_client_pseudonym_the_channel_set(desk: Helpdesk) -> None:
    """Issue 17: tickets per address are counted by the pseudonym the channel put in the metadata."""
    from channels.limits import CLIENT_KEY, client_key

    key = client_key("192.0.2.7")
    run(ActionHelpdeskSubmit(), tracker("ja", "affirm", slots=filled(True), metadata={CLIENT_KEY: key}))
    with desk.database.session() as session:
        from bot.store.models import Ticket
        assert [t.client for t in session.query(Ticket)] == [key]
    assert key != client_key("192.0.2.8") and "192.0.2.7" not in str(key)
