"""The conversation side of the hand-over (bot/handover.py), over Rasa-shaped event dicts read as the
actions read them (actions/helpdesk.py); whether the helpdesk was just offered comes from the slot the
action server keeps (actions/server.py), given here as the events show it."""

from __future__ import annotations

from typing import Any

import pytest

from actions.helpdesk import messages, user_turns
from bot import handover, texts
from bot.answers import HELPDESK_OFFER


def user(text: str, intent: str, at: float = 1_700_000_000.0) -> dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": at, "parse_data": {"intent": {"name": intent}}}


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": 1_700_000_001.0}


def plan(intent: str, text: str, events: list[dict[str, Any]], offered: bool) -> handover.Start:
    """As action_helpdesk_start plans: the user's turns before this message, and the slot."""
    return handover.plan(intent, text, user_turns(events)[:-1], offered)


def test_a_personal_case_is_itself_the_question() -> None:
    text = "mijn certificaat is afgewezen en ik ben het er niet mee eens"
    start = plan("personal_case", text, [user(text, "personal_case")], offered=False)
    assert start == handover.Start("persoonlijk", text, "personal_case")
    assert text in handover.intro(start)


@pytest.mark.parametrize("intent, reason", [("ask_outside_sources", "buiten_gegevens"), ("nlu_fallback", "fallback")])
def test_after_an_offer_the_unanswered_question_goes_along(intent: str, reason: str) -> None:
    events = [user("hoe vraag ik uitstel aan", intent), bot("Daar staat niets over. " + HELPDESK_OFFER),
              user("/request_helpdesk", "request_helpdesk")]
    start = plan("request_helpdesk", "/request_helpdesk", events, offered=True)
    assert start == handover.Start(reason, "hoe vraag ik uitstel aan", intent)


def test_after_the_two_stage_fallback_the_rephrased_question_goes_along() -> None:
    events = [user("blabla register ding", "nlu_fallback"), bot("Gaat je vraag over een van deze onderwerpen?"),
              user("/out_of_scope", "out_of_scope"), bot("Kun je hem anders stellen?"),
              user("kan mijn bestuur mijn punten zien", "nlu_fallback"), bot("Gaat je vraag over een van deze?"),
              user("/out_of_scope", "out_of_scope"), {"event": "rewind"},
              bot("Sorry. " + HELPDESK_OFFER), user("ja graag", "affirm")]
    start = plan("affirm", "ja graag", events, offered=True)
    assert start.question == "kan mijn bestuur mijn punten zien" and start.reason == "fallback"


def test_a_plain_request_lets_the_form_ask() -> None:
    events = [user("hallo", "greet"), bot("Hoi!"), user("ik wil een medewerker spreken", "request_helpdesk")]
    start = plan("request_helpdesk", "ik wil een medewerker spreken", events, offered=False)
    assert start == handover.Start("op_verzoek", None)
    assert handover.intro(start) == texts.text("utter_helpdesk_intro")


@pytest.mark.parametrize("text", ["stop", "Stop.", "laat maar", "Nee, laat maar", "annuleren", " toch niet "])
def test_cancel_words(text: str) -> None:
    assert handover.is_cancel(text)


@pytest.mark.parametrize("text", ["stop met mijn registratie, hoe doe ik dat?", "nee", "ja", "mijn vraag gaat over stoppen"])
def test_a_question_is_not_a_cancel(text: str) -> None:
    assert not handover.is_cancel(text)


def test_unknown_number_words() -> None:
    assert handover.is_unknown_number("Weet ik niet") and handover.is_unknown_number("geen idee.")
    assert not handover.is_unknown_number("100234")


def test_transcript_has_both_sides_in_order_with_times() -> None:
    events = [{"event": "action", "name": "action_listen"}, user("hallo", "greet"), bot("Hoi!"),
              {"event": "slot", "name": "x", "value": 1}, bot("")]
    lines = handover.transcript(messages(events))
    assert [(role, text) for role, text, _ in lines] == [("gebruiker", "hallo"), ("assistent", "Hoi!")]
    assert lines[0][2] is not None and lines[0][2].year == 2023


def test_a_transcript_longer_than_the_window_says_earlier_messages_were_left_out() -> None:
    import yaml
    from pathlib import Path
    window = yaml.safe_load((Path(__file__).resolve().parents[1] / "endpoints.yml").read_text())["tracker_store"]
    assert window["max_turns"] == handover.WINDOW_TURNS  # one number for the store and the transcript
    short = [{"event": "user", "text": f"vraag {i}"} for i in range(3)]
    assert handover.transcript(messages(short))[0][1] == "vraag 0"
    long = [{"event": "user", "text": f"vraag {i}"} for i in range(handover.WINDOW_TURNS)]
    lines = handover.transcript(messages(long))
    assert lines[0] == ("assistent", handover.EARLIER_LEFT_OUT, None) and lines[1][1] == "vraag 0"
