"""Every custom action, run with real rasa_sdk trackers, dispatchers and events."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Iterator

import pytest

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.calculator import ActionCalculatePoints
from actions.fallback import ActionAskAffirmation, ActionAskRephrase, ActionDefaultFallback
from bot.answers import HELPDESK_OFFER
from bot.bootstrap import Services, override
from bot.helpdesk import Helpdesk
from bot.store import Store


@pytest.fixture(autouse=True)
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Helpdesk]:
    """Unanswered questions go to a throw-away SQLite store, never the developer's database."""
    store = Store(f"sqlite:///{tmp_path / 'actions.db'}")
    store.upgrade()
    helpdesk = Helpdesk(store)
    with override(Services(helpdesk=helpdesk)):
        yield helpdesk
    store.close()


def tracker(
    text: str, intent: str, entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None, ranking: list[dict[str, Any]] | None = None,
    last_bot: str | None = None,
) -> Tracker:
    message = {
        "text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    events: list[dict[str, Any]] = []
    if last_bot is not None:
        events.append({"event": "bot", "text": last_bot})
    events.append({"event": "user", "text": text, "parse_data": message})
    return Tracker("tester", slots or {}, message, events, False, None, {}, "action_listen")


def run(action: Action, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_answer_action_renders_the_topic_with_entities() -> None:
    entities = [{"entity": "programme", "value": "leerkracht-jaar-1", "start": 9, "end": 12}]
    messages, events = run(ActionAnswer(), tracker("telt het LK1 mee", "ask_activity_points", entities))
    # What the answer was about is kept for a follow-up ("en wat kost het?"), nothing else changes.
    assert events == [{"event": "slot", "timestamp": None, "name": "topic_context", "value": {
        "intent": "ask_activity_points", "entities": {"programme": ["leerkracht-jaar-1"]}}}]
    [message] = messages
    assert "herregistratiewaarde van 70 punten" in message["text"]
    assert "Bron:" in message["text"]


def test_answer_action_adds_buttons_when_it_asks_back() -> None:
    [message], _ = run(ActionAnswer(), tracker("voor welke thema's telt het", "ask_programme_themes"))
    assert message["text"] == "Over welke opleiding gaat je vraag?"
    assert len(message["buttons"]) == 5


def test_english_question_gets_a_dutch_note_and_the_answer() -> None:
    [message], _ = run(ActionAnswer(), tracker("how many points do I need for the register", "ask_points_needed"))
    assert message["text"].startswith("Ik spreek alleen Nederlands.")
    assert "100 punten nodig" in message["text"]


def test_yes_after_the_helpdesk_offer_starts_the_hand_over() -> None:
    offered = {"helpdesk_offered": True}  # set by the action server after the offer (actions/server.py)
    messages, events = run(ActionAnswer(), tracker("ja graag", "affirm", slots=offered,
                                                   last_bot=f"Geen idee. {HELPDESK_OFFER}"))
    assert messages == [] and events == [FollowupAction("action_helpdesk_start")]


def test_answer_action_closes_an_open_calculator_question() -> None:
    messages, events = run(ActionAnswer(), tracker("nee laat maar", "deny", slots={"calc_question": "level"}))
    assert "reken ik niet verder" in messages[0]["text"]
    assert SlotSet("calc_question", None) in events


def test_calculator_answers_in_one_turn_when_the_message_holds_enough() -> None:
    text = "Ik heb leerKRACHT jaar-1 gedaan en één thema op niveau 5 laten waarderen. Heb ik genoeg punten?"
    [message], events = run(ActionCalculatePoints(), tracker(text, "calculate_points"))
    assert message["text"].startswith("70 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 90 van de 100")
    assert SlotSet("calc_question", None) in events


def test_calculator_asks_one_question_for_a_missing_level_and_then_answers() -> None:
    text = "ik heb LK1 gedaan en 1 thema laten waarderen, heb ik genoeg?"
    [question], events = run(ActionCalculatePoints(), tracker(text, "calculate_points"))
    assert question["text"] == "Op welk leerniveau is je thema gewaardeerd?"
    assert [b["title"] for b in question["buttons"]] == ["Niveau 4", "Niveau 5", "Niveau 6"]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["calc_question"] == "level"
    follow_up = tracker("niveau 6", "inform", [{"entity": "learning_level", "value": "6"}], slots=slots)
    [message], events = run(ActionCalculatePoints(), follow_up)
    assert message["text"].startswith("70 (leerKRACHT jaar-1) + 30 (thema op niveau 6: 10 + 20 extra) = 100 van de 100")
    assert SlotSet("calc_question", None) in events


def test_calculator_asks_what_you_did_when_nothing_is_named() -> None:
    [question], events = run(ActionCalculatePoints(), tracker("heb ik al genoeg punten?", "calculate_points"))
    assert question["text"].startswith("Wat heb je al gedaan in deze periode?")
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    [message], _ = run(ActionCalculatePoints(), tracker("het slp en 2 thema's op niveau 6", "inform", slots=slots))
    assert "= 95 van de 100; je mist nog 5 punten." in message["text"]


def test_fallback_offers_the_two_likeliest_topics() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_costs", "confidence": 0.3},
               {"name": "greet", "confidence": 0.1}, {"name": "ask_enrolment", "confidence": 0.08}]
    [message], _ = run(ActionAskAffirmation(), tracker("kost inschrijven iets", "nlu_fallback", ranking=ranking))
    assert [b["payload"] for b in message["buttons"]] == ["/ask_costs", "/ask_enrolment", "/out_of_scope"]


def test_fallback_to_emoji_or_english() -> None:
    [emoji], _ = run(ActionAskAffirmation(), tracker("🙂🙂", "nlu_fallback"))
    assert emoji["text"].startswith("Ik zie geen vraag")
    [english], _ = run(ActionAskAffirmation(), tracker("what is the weather like in the register", "nlu_fallback"))
    assert english["text"].startswith("Ik spreek alleen Nederlands")


def test_last_fallback_is_honest_and_offers_the_helpdesk(desk: Helpdesk) -> None:
    [message], events = run(ActionDefaultFallback(), tracker("blablabla registratie ding", "nlu_fallback"))
    assert "niet goed beantwoorden" in message["text"] and HELPDESK_OFFER in message["text"]
    assert events == [{"event": "rewind", "timestamp": None}]
    assert [u.text for u in desk.unanswered()] == ["blablabla registratie ding"]


def test_questions_outside_the_sources_are_kept_without_personal_data(desk: Helpdesk) -> None:
    text = "ik ben 100234 en mail naar jan@school.nl: hoe vraag ik uitstel aan"
    [message], _ = run(ActionAnswer(), tracker(text, "ask_outside_sources"))
    assert HELPDESK_OFFER in message["text"]
    [kept] = desk.unanswered()
    assert "100234" not in kept.text and "jan@school.nl" not in kept.text and "uitstel" in kept.text


def test_a_bare_value_without_an_open_question_is_explained() -> None:
    entities = [{"entity": "programme", "value": "leerkracht-schoolleidersprogramma"}]
    [message], events = run(ActionCalculatePoints(), tracker("het slp", "inform", entities))
    assert "35%, wat gelijk staat aan 35 punten" in message["text"]
    assert events == [{"event": "slot", "timestamp": None, "name": "topic_context", "value": {
        "intent": "ask_programme_info", "entities": {"programme": ["leerkracht-schoolleidersprogramma"]}}}]


def test_bare_keywords_name_their_topic() -> None:
    """'basisbekwaam', 'rdo rado verschil': the value names the topic; no 'Stel je vraag in een hele zin'."""
    [message], _ = run(ActionCalculatePoints(), tracker("rdo rado verschil", "inform"))
    assert "Registerdirecteur Onderwijs" in message["text"] and "Registeradjunct-directeur" in message["text"]
    [message], _ = run(ActionCalculatePoints(), tracker("fases leerkracht directieteams", "inform"))
    assert "Startfase" in message["text"]


def test_second_stage_asks_to_rephrase_in_dutch() -> None:
    [message], events = run(ActionAskRephrase(), tracker("iets anders", "deny"))
    assert message["text"].startswith("Sorry, ik begrijp je vraag nog niet goed.")
    assert events == []


def test_a_follow_up_adds_to_the_last_calculation() -> None:
    [first], events = run(ActionCalculatePoints(), tracker("slp en een thema op niveau 5, hoeveel samen?",
                                                           "calculate_points"))
    assert "= 55 van de 100" in first["text"]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    # Whatever the classifier made of it, "en met ... erbij?" adds to that sum.
    [message], events = run(ActionAnswer(), tracker("en met lk1 erbij?", "ask_programme_requirements",
                                                    slots=slots))
    assert "= 125 van de 100" in message["text"]
    # Another subject in between: "erbij" has nothing to add to any more.
    _, events = run(ActionAnswer(), tracker("wat kost b&t", "ask_costs", slots=slots))
    assert SlotSet("calc_last", None) in events


def test_a_word_misread_as_the_old_rules_does_not_turn_the_answer_to_them() -> None:
    text = "verandermanagement gewaardeerd op niveau 6, hoeveel punten mag ik bijschrijven?"
    start = text.index("bijschrijven")
    entities = [{"entity": "regeling", "value": "oud", "start": start, "end": start + len("bijschrijven")}]
    [message], _ = run(ActionCalculatePoints(), tracker(text, "calculate_points", entities))
    assert "vóór 17 november 2020" not in message["text"]
    assert message["text"].startswith("30 (")


def test_a_personal_looking_follow_up_after_a_programme_answers_about_the_programme() -> None:
    from actions.personal import ActionPersonal
    slots = {"topic_context": {"intent": "ask_costs", "entities": {"programme": ["leerkracht-schoolleidersprogramma"]}}}
    [message], _ = run(ActionPersonal(), tracker("telt dat ook mee voor mijn herregistratie?", "ask_my_progress",
                                                 slots=slots))
    assert "35 punten" in message["text"] and "Log in" not in message["text"]


def test_one_programme_without_a_sum_gets_its_value() -> None:
    [message], _ = run(ActionCalculatePoints(), tracker("ik heb het slp gedaan, wat is dat waard?", "calculate_points"))
    assert "35 punten" in message["text"] and "je mist nog" not in message["text"]
    [message], _ = run(ActionCalculatePoints(), tracker("ik heb het slp gedaan, heb ik genoeg?", "calculate_points"))
    assert "je mist nog 65 punten" in message["text"]
