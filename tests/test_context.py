"""Follow-ups answered in the context of the previous question (bot/context.py)."""

from __future__ import annotations

from datetime import date

from bot.answers import Query, answer
from bot.context import Context, follow_up, remember
from bot.register import RuleBook

TODAY = date(2026, 11, 22)
LK1 = {"programme": ("leerkracht-jaar-1",)}


def test_a_facet_follow_up_keeps_the_subject(book: RuleBook) -> None:
    context = remember(Query("ask_activity_points", LK1, "hoeveel punten levert lk1 op"))
    asked = follow_up(Query("ask_costs", {}, "en wat kost dat?"), context)
    assert asked.intent == "ask_costs" and asked.entities["programme"] == ("leerkracht-jaar-1",)
    assert answer(book, asked, TODAY).text.startswith("Kosten van leerKRACHT jaar-1")
    hours = follow_up(Query("ask_programme_info", {}, "en hoeveel uur is dat?"), context)
    assert "115 uur" in answer(book, hours, TODAY).text


def test_a_value_asks_the_previous_question_again(book: RuleBook) -> None:
    context = remember(Query("ask_routes", {}, "welke routes zijn er"))
    old = follow_up(Query("inform", {"regeling": ("oud",)}, "en volgens de oude regels?"), context)
    assert old.intent == "ask_routes" and old.entities["regeling"] == ("oud",)
    other = follow_up(Query("inform", {"programme": ("leerkracht-schoolleidersprogramma",)}, "en voor het SLP?"),
                      remember(Query("ask_activity_points", LK1, "hoeveel punten is lk1")))
    assert other.intent == "ask_activity_points"
    assert "35 punten" in answer(book, other, TODAY).text


def test_a_question_of_its_own_is_left_alone() -> None:
    context = remember(Query("ask_costs", LK1, "wat kost lk1"))
    own = Query("ask_committees", {}, "wat doet de commissie registratie precies in het register allemaal?")
    assert follow_up(own, context) is own
    assert follow_up(Query("ask_costs", {}, "en wat kost dat"), None).entities == {}


def test_the_slot_round_trip_drops_what_it_does_not_know() -> None:
    slot = Context("ask_costs", {"programme": ("leerkracht-jaar-1",)}).to_slot()
    assert Context.from_slot(slot) == Context("ask_costs", {"programme": ("leerkracht-jaar-1",)})
    assert Context.from_slot({"intent": "x", "entities": {"evil": ["1"]}}) == Context("x", {})
    assert Context.from_slot("rubbish") is None


def test_a_personal_looking_follow_up_about_a_programme_asks_its_value() -> None:
    from bot.context import Context, follow_up
    from bot.answers import Query
    context = Context("ask_programme_info", {"programme": ("leerkracht-schoolleidersprogramma",)})
    asked = follow_up(Query("ask_my_progress", {}, "telt dat ook mee voor mijn herregistratie?"), context)
    assert asked.intent == "ask_activity_points"
    assert asked.entities["programme"] == ("leerkracht-schoolleidersprogramma",)
    # A question about one's own points stays personal.
    own = follow_up(Query("ask_my_progress", {}, "en hoeveel punten heb ik nu?"), context)
    assert own.intent == "ask_my_progress"
