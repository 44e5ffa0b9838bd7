"""The facet of a question from its form, the programme from the data's own words, comparisons on
both sides, anonymous what-ifs, repeated themes (issue 12's classes 2–5 and 7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot import progress
from bot.answers import Query, answer
from bot.calculator import calculate, parse
from bot.facets import compared_learning_forms, facet_of, programme_by_detail, refine
from bot.register import RuleBook

TODAY = date(2026, 11, 22)
LK1 = {"programme": ("leerkracht-jaar-1",)}


@pytest.mark.parametrize("text,facet", [
    ("hoeveel tijd kost leerKRACHT jaar-1?", "ask_programme_requirements"),
    ("hoe lang duurt lk1", "ask_programme_requirements"),
    ("hoeveel uur studiebelasting heeft het", "ask_programme_requirements"),
    ("wat kost lk1", "ask_costs"),
    ("is het gratis?", "ask_costs"),
    ("hoe meld ik me aan", "ask_enrolment"),
    ("hoeveel punten is lk1 waard", "ask_activity_points"),
    ("wat is lk1", None),
])
def test_the_form_of_the_question_names_the_facet(text: str, facet: str | None) -> None:
    assert facet_of(text) == facet


def test_time_is_never_answered_with_costs(book: RuleBook) -> None:
    """'Hoeveel tijd kost' shares every word with 'wat kost' but one: the form decides, not the intent."""
    result = answer(book, Query("ask_costs", LK1, "hoeveel tijd kost leerKRACHT jaar-1?"), TODAY)
    assert result.text.startswith("De studiebelasting van leerKRACHT jaar-1 is 115 uur.")
    assert "kosten" not in result.text.lower()
    costs = answer(book, Query("ask_programme_requirements", LK1, "wat kost leerKRACHT jaar-1?"), TODAY)
    assert costs.text.startswith("Kosten van leerKRACHT jaar-1")


@pytest.mark.parametrize("text", ["hoeveel webinars moet ik volgen?", "hoeveel coachgesprekken zijn verplicht",
                                  "hoeveel responses heb je nodig bij de 360 graden feedback",
                                  "moet ik ook naar de bootcamp"])
def test_a_detail_only_one_programme_has_needs_no_follow_up(book: RuleBook, text: str) -> None:
    assert programme_by_detail(book, text) is book.programme("leerkracht-jaar-1")
    result = answer(book, Query("ask_programme_requirements", {}, text), TODAY)
    assert result.text.startswith("Dit staat in mijn bronnen alleen bij leerKRACHT jaar-1.")
    assert "Over welke opleiding" not in result.text


@pytest.mark.parametrize("text", ["hoe schrijf ik me in", "wat moet ik doen", "hoeveel kost het", "Wat kost de herregistratie?"])
def test_a_question_without_a_detail_still_asks_which_programme(book: RuleBook, text: str) -> None:
    assert programme_by_detail(book, text) is None
    assert refine(book, Query("ask_enrolment", {}, text)).entities == {}


def test_the_detail_follows_the_data(book: RuleBook) -> None:
    """One source of truth: the detail is found in the programme's own data, so moving it moves the answer."""
    lk1 = book.programme("leerkracht-jaar-1")
    slp = book.programme("leerkracht-schoolleidersprogramma")
    validation = lk1.validation
    moved = replace(book, programmes={**book.programmes, lk1.id: replace(lk1, validation=None),
                                      slp.id: replace(slp, validation=validation)})
    found = programme_by_detail(moved, "hoeveel webinars moet ik volgen?")
    assert found is not None and found.id == slp.id


def test_a_comparison_answers_both_sides(book: RuleBook) -> None:
    forms = compared_learning_forms(book, "Wat is het verschil tussen formeel en informeel leren?")
    assert [f.id for f, _ in forms] == ["formeel", "informeel"]
    text = answer(book, Query("ask_valuation", {}, "Wat is het verschil tussen formeel en informeel leren?"),
                  TODAY).text
    assert "Formeel leren" in text and "Informeel leren" in text and "Bron" in text
    both = answer(book, Query("ask_rule_changes", {}, "verschil vooraf gewaardeerde en achteraf te waarderen "
                              "activiteiten?"), TODAY).text
    assert "Vooraf gewaardeerde activiteiten" in both and "Achteraf te waarderen activiteiten" in both
    assert compared_learning_forms(book, "wat is informeel leren") == []


def test_an_anonymous_what_if_gets_the_general_computation(book: RuleBook) -> None:
    result = progress.anonymous_what_if(book, "wat als ik een thema op niveau 6 toevoeg aan leerKRACHT jaar-1?",
                                        [], TODAY)
    assert "= 100 van de 100" in result.text
    assert result.text.endswith(progress.ANONYMOUS_WHAT_IF_NOTE)
    assert progress.anonymous_what_if(book, "wat als ik nog iets extra doe?", [], TODAY).text == progress.LOGIN_HINT


@pytest.mark.parametrize("text,total", [
    ("ik heb verandermanagement drie keer op niveau 5 laten waarderen", 60),
    ("kwaliteitsmanagement 2x gewaardeerd op niveau 4 en lk1 gedaan", 90),
    ("twee keer persoonlijk leiderschap op niveau 6", 60),
])
def test_a_repeated_theme_counts_every_valuation(book: RuleBook, text: str, total: int) -> None:
    assert f"= {total} van de 100" in calculate(book, parse(book, text), TODAY).text


@pytest.mark.parametrize("intent,text,block", [
    ("ask_programme_info", "leerdoelen leerkracht jaar 1", "De leerdoelen van leerKRACHT jaar-1:"),
    ("ask_programme_info", "ijsbergcoaching lk1", "Wat je doet voor leerKRACHT jaar-1:"),
    ("ask_mt_programme", "directieteam mbo", "In het mbo: de branche- of domeindirecteur"),
    ("ask_mt_programme", "contact leerkracht directieteams", "info@stichting-leerkracht.nl"),
    ("ask_costs", "Bij wie kan ik terecht met vragen over het waarderingstraject van B&T?", "Pauline Zwaal-Arora"),
])
def test_a_detail_of_a_subject_is_answered_from_its_own_block(book: RuleBook, intent: str, text: str,
                                                             block: str) -> None:
    result = answer(book, Query(intent, {}, text), TODAY)
    assert block in result.text and "Bron" in result.text


def test_the_topics_own_answer_stays_when_it_shows_the_block(book: RuleBook) -> None:
    assert answer(book, Query("ask_costs", LK1, "wat kost lk1"), TODAY).text.startswith("Kosten van leerKRACHT")


def test_names_are_made_canonical_and_unknown_ones_dropped(book: RuleBook) -> None:
    from bot.facets import with_names
    q = with_names(book, Query("ask_costs", {"programme": ("leerkracht jaar 1", "onzin")}, "wat kost het"))
    assert q.entities == {"programme": ("leerkracht-jaar-1",)}
    q = with_names(book, Query("ask_themes", {}, "hoeveel thema's moest je vóór de regelwijziging doen"))
    assert q.entities["regeling"] == ("oud",)


def test_a_single_learning_form_is_defined(book: RuleBook) -> None:
    text = answer(book, Query("ask_rule_changes", {}, "wat betekende formeel leren in de oude regeling"), TODAY).text
    assert text.startswith("Formeel leren (tot 17 november 2020): het volgen van gecertificeerd formeel aanbod")


@pytest.mark.parametrize("text", ["certificaat " * 18000, "punten " * 30000, "wat is " * 30000])
def test_a_hostile_message_is_read_in_bounded_time(book: RuleBook, text: str) -> None:
    """Patterns that look across a sentence read only its start: a 200,000-character message took a minute."""
    import time
    from components.domain_opinion import second_opinion
    started = time.process_time()
    facet_of(text), compared_learning_forms(book, text), programme_by_detail(book, text)
    answer(book, Query("ask_programme_info", {}, text), TODAY)
    second_opinion(text, "ask_costs", 0.3, 0.7, [])
    assert time.process_time() - started < 10


def test_keyboard_mashing_is_no_question() -> None:
    from bot.language import Kind, classify
    assert classify("qwer asdfgh") is Kind.GIBBERISH
    assert classify("hoeveel punten levert lk1 op") is Kind.OK
    assert classify("asdf en hoeveel punten") is Kind.OK  # one real word is enough to try


def test_only_old_and_new_rules_exist(book: RuleBook) -> None:
    from bot.answers import Query
    from bot.facets import with_names
    q = with_names(book, Query("inform", {"regeling": ("directieteam", "oud")}, "directieteam vroeger"))
    assert q.entities["regeling"] == ("oud",)


def test_jaar_1_alone_names_leerkracht_jaar_1(book: RuleBook) -> None:
    from bot.facets import names_in_text
    assert names_in_text(book, "wat kost jaar-1 bij leerkracht")["programme"] == ("leerkracht-jaar-1",)


@pytest.mark.parametrize("said,value", [
    ("vroeger", "oud"), ("onder de oude regeling", "oud"), ("vóór de wijziging", "oud"), ("destijds", "oud"),
    ("nieuwe regels", "nieuw"), ("tegenwoordig", "nieuw"), ("sinds 17 november 2020", "nieuw"),
    ("bijschrijven", None), ("ingangsdatum", None), ("2020", None),
])
def test_a_regulation_is_read_from_its_own_words(said: str, value: str | None) -> None:
    from bot.facets import regeling_value
    assert regeling_value(said) == value


def test_what_it_yields_for_the_herregistratie_is_points() -> None:
    assert facet_of("we doen mee met het slp, wat levert dat op voor mijn herregistratie") == "ask_activity_points"
