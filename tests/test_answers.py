"""Answers rendered from the rules data: every topic, entities, old rules, one source of truth."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.answers import TOPICS, TOPIC_TITLES, Query, answer
from bot.calculator import calculate, parse
from bot.language import DUTCH, Kind, classify
from bot.register import RuleBook, build

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("intent", sorted(TOPICS))
def test_every_topic_answers_in_dutch(book: RuleBook, intent: str) -> None:
    text = answer(book, Query(intent), TODAY).text
    assert text and "Traceback" not in text
    words = {w.lower() for w in re.findall(r"[\w']+", text)}
    assert len(words & DUTCH) >= 2, text
    assert classify(text) is not Kind.ENGLISH


@pytest.mark.parametrize("intent", [i for i in TOPICS if i.startswith("ask_") and i != "ask_outside_sources"
                                    and i != "ask_capabilities"])
def test_factual_topics_name_their_source_or_ask_back(book: RuleBook, intent: str) -> None:
    result = answer(book, Query(intent), TODAY)
    assert result.sources or result.buttons, intent
    if result.sources:
        assert "\n\nBron" in result.text


@pytest.mark.parametrize("query,expected", [
    # 000, "Hoe is leerKRACHT jaar-1 gecertificeerd?"
    (Query("ask_activity_points", {"programme": ("leerkracht-jaar-1",)}), "herregistratiewaarde van 70 punten"),
    # 000, "Het Schoolleiders programma"
    (Query("ask_activity_points", {"programme": ("leerkracht-schoolleidersprogramma",)}), "35%, wat gelijk staat aan 35 punten"),
    # 004, "Wijzigingen": 10 + 20 extra at level 6
    (Query("ask_activity_points", {"learning_level": ("6",)}), "30 punten op: 10 + 20 extra"),
    (Query("ask_activity_points", {"learning_level": ("5",), "theme_count": ("2",)}), "leveren 40 punten op"),
    (Query("ask_activity_points", {"learning_level": ("3",)}), "pas mee vanaf leerniveau 4"),
    (Query("ask_activity_points", {"programme": ("teamcoaching-voor-managers",)}), "Een waarde in punten noemen mijn bronnen niet"),
    (Query("ask_activity_points", {"programme": ("leerkracht-directieteams",)}), "niet als gecertificeerd"),
    (Query("ask_activity_points", {"programme": ("coachingsvaardigheden",)}), "in het kader van informeel leren"),
    # 002, "Procedure herregistratie"
    (Query("ask_routes"), "door de NVAO geaccrediteerde masteropleiding"),
    (Query("ask_herregistratie"), "iedere 4 jaar"),
    (Query("ask_points_needed"), "100 punten nodig per herregistratieperiode van 4 jaar"),
    # old rules are answered as the old rule, with the date it changed
    (Query("ask_points_needed", {"regeling": ("oud",)}), "Vóór 17 november 2020 vroeg de route via professionalisering ontwikkeling op minstens 3 van de 7"),
    (Query("ask_routes", {"regeling": ("oud",)}), "minstens 3 van de 7 professionaliseringsthema's"),
    (Query("ask_theme_repeat", {"regeling": ("oud",)}), "Op 17 november 2020 is dat veranderd"),
    (Query("ask_theme_repeat"), "De verplichting van 3 verschillende thema's is vervallen op 17 november 2020"),
    (Query("ask_theme_repeat"), "Je hebt 100 punten nodig per herregistratieperiode. Die punten mag je ook op hetzelfde thema halen."),
    (Query("ask_themes", {"regeling": ("oud",)}), "Er waren 7 professionaliseringsthema's"),
    (Query("ask_rule_changes"), "tot 1 februari 2021"),
    (Query("ask_leadership_practices"), "investeren in goede relaties met de omgeving"),
    (Query("ask_programme_themes", {"programme": ("teamcoaching-voor-managers",)}), "deelthema: omgaan met verschillen als team"),
    (Query("ask_programme_requirements", {"programme": ("leerkracht-jaar-1",)}), "minimaal zeven responses"),
    (Query("ask_programme_requirements", {"programme": ("leerkracht-jaar-1",)}), "115 uur"),
    (Query("ask_costs", {"programme": ("leerkracht-jaar-1",)}), "geen extra kosten"),
    (Query("ask_costs", {"traject": ("bt-waarderingstraject",)}), "€ 1.200"),
    (Query("ask_costs", {"traject": ("bt-waarderingstraject",)}), "exclusief btw"),
    (Query("ask_costs"), "Wat registratie in het register zelf kost, staat niet in mijn bronnen"),
    (Query("ask_costs", {"programme": ("leerkracht-directieteams",)}), "€ 3.400 en € 4.500"),
    (Query("ask_enrolment", {"programme": ("leerkracht-jaar-1",)}), "aan het begin van het schooljaar"),
    (Query("ask_certified_programmes", {"theme": ("visiegestuurd-onderwijs",)}), "Schoolleidersprogramma, 35 punten"),
    (Query("ask_valuation_steps"), "9. Bij een positieve waardering krijg je een certificaat"),
    (Query("ask_tma"), "€ 870"),
    (Query("ask_valuation_guidance"), "niet verplicht"),
    (Query("ask_certificate_upload"), "upload je in het register"),
    (Query("ask_organisation"), "in 2013"),
    (Query("ask_committees"), "Commissie Registratie: besluit over registratie- en herregistratieaanvragen"),
    (Query("ask_mt_programme"), "niet als gecertificeerd door het Schoolleidersregister PO"),
    (Query("ask_learning_levels"), "leggen niet uit wat die niveaus inhouden"),
    (Query("ask_outside_sources"), "geen verkeerd antwoord"),
])
def test_answers_state_the_seed_facts(book: RuleBook, query: Query, expected: str) -> None:
    assert expected in answer(book, query, TODAY).text


def test_unknown_intent_is_answered_honestly(book: RuleBook) -> None:
    result = answer(book, Query("ask_something_new"), TODAY)
    assert "niets over in de bronnen" in result.text
    assert result.buttons


def test_questions_without_a_programme_ask_which_one(book: RuleBook) -> None:
    result = answer(book, Query("ask_programme_themes"), TODAY)
    assert result.text == "Over welke opleiding gaat je vraag?"
    assert {b.payload for b in result.buttons} == {
        f'/ask_programme_themes{{"programme":"{p}"}}' for p in book.programmes
    }


def test_fallback_titles_cover_every_question_topic() -> None:
    questions = {i for i in TOPICS if i.startswith("ask_")} | {"calculate_points"}
    assert questions <= set(TOPIC_TITLES)


def _set_points(folder: Path, programme: str, points: int) -> None:
    path = folder / "programmes.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(p for p in data["programmes"] if p["id"] == programme)
    entry["recognition"][-1]["points"] = points
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_changing_a_value_in_the_data_changes_the_answers(book: RuleBook, data_copy: Path) -> None:
    """One source of truth: the chat answers and the calculator render the data, not a copy of it."""
    _set_points(data_copy, "leerkracht-jaar-1", 75)
    changed = build(data_copy)
    query = Query("ask_activity_points", {"programme": ("leerkracht-jaar-1",)})
    assert "75 punten" in answer(changed, query, TODAY).text
    assert "70 punten" in answer(book, query, TODAY).text
    assert "leerKRACHT jaar-1 (75)" in answer(changed, Query("ask_points_needed"), TODAY).text
    message = "ik heb leerkracht jaar 1 gedaan en een thema op niveau 5"
    assert "75 (leerKRACHT jaar-1) + 20" in calculate(changed, parse(changed, message), TODAY).text
    assert "70 (leerKRACHT jaar-1) + 20" in calculate(book, parse(book, message), TODAY).text


def test_a_provider_name_alone_gets_an_overview_of_its_programmes(book: RuleBook) -> None:
    """'telt leerKRACHT mee?' names a provider, not one programme: list them, each with its value."""
    text = answer(book, Query("ask_activity_points", text="telt leerKRACHT mee?"), TODAY).text
    assert text.startswith("Stichting leerKRACHT heeft meer dan één programma:")
    assert "70 punten" in text and "35 punten" in text and "niet als gecertificeerd" in text


def test_generated_lookups_are_current(book: RuleBook) -> None:
    """data/nlu/lookups.yml is generated from the rules data; regenerate it after editing the data."""
    from bot.nlu_data import render

    path = Path(__file__).resolve().parents[1] / "data" / "nlu" / "lookups.yml"
    assert path.read_text(encoding="utf-8") == render(book), "run: python -m bot.nlu_data > data/nlu/lookups.yml"


# -- the form of the question decides what the answer must contain -------------------------------
def test_herregistratie_names_who_and_the_routes(book: RuleBook) -> None:
    text = answer(book, Query("ask_herregistratie", text="wat houdt herregistreren in"), TODAY).text
    assert "zowel RDO's als RADO's" in text
    assert "NVAO" in text and "vakbekwaam" in text and "100 punten" in text


def test_a_period_the_sources_do_not_give_is_not_confirmed(book: RuleBook) -> None:
    result = answer(book, Query("ask_herregistratie", text="klopt het dat het nu zes jaar is?"), TODAY)
    assert result.text.startswith("Je noemt 6 jaar.")
    assert "4 jaar" in result.text and "helpdesk" in result.text
    assert [b.payload for b in result.buttons][0] == "/request_helpdesk"
    # The period the data gives is not questioned.
    plain = answer(book, Query("ask_herregistratie", text="is het iedere 4 jaar?"), TODAY)
    assert "Je noemt" not in plain.text and not plain.buttons


def test_the_old_standard_named_under_the_old_rules(book: RuleBook) -> None:
    text = answer(book, Query("ask_leadership_practices", {"regeling": ("oud",)}, "en vroeger?"), TODAY).text
    assert text.startswith("Vóór 17 november 2020 sprak de beroepsstandaard van competenties.")
    now = answer(book, Query("ask_leadership_practices", text="welke praktijken"), TODAY).text
    assert "competenties" not in now


def test_certified_programmes_under_the_old_rules(book: RuleBook) -> None:
    text = answer(book, Query("ask_certified_programmes", {"regeling": ("oud",)}, "vroeger"), TODAY).text
    assert text.startswith("Vóór 17 november 2020 telde een gecertificeerde opleiding als formeel leren")


def test_two_programmes_compared_without_a_facet_get_both_values(book: RuleBook) -> None:
    q = Query("ask_programme_themes", {"programme": ("verschil", "leerkracht-jaar-1",
                                                     "leerkracht-schoolleidersprogramma")}, "verschil lk1 en slp")
    text = answer(book, q, TODAY).text
    assert "70 punten" in text and "35 punten" in text


def test_btw_the_data_does_not_settle(book: RuleBook) -> None:
    q = Query("ask_costs", {"programme": ("leerkracht-directieteams",)}, "is dat met btw")
    assert "btw" in answer(book, q, TODAY).text
    q = Query("ask_costs", {"programme": ("leerkracht-directieteams",)}, "wat kost dat")
    assert "btw" not in answer(book, q, TODAY).text


def test_how_long_a_valuation_takes_is_outside_the_sources(book: RuleBook) -> None:
    q = Query("ask_programme_requirements", {"traject": ("bt-waarderingstraject",)}, "hoe lang duurt dat bij b&t")
    result = answer(book, q, TODAY)
    assert "hoe lang het duurt" in result.text.lower() and "staat niet in mijn bronnen" in result.text
    assert result.buttons


def test_two_questions_in_one_message_get_both_answers(book: RuleBook) -> None:
    from bot.fallback import two_part
    ranking = [("nlu_fallback", 0.3), ("ask_committees", 0.45), ("ask_organisation", 0.4)]
    both = two_part(book, Query("nlu_fallback", text="Welke commissies zijn er? En wie zit er in het bestuur?"),
                    ranking, TODAY)
    assert both is not None
    assert "Commissie Registratie" in both.text and "AVS" in both.text and both.sources
    # One question, two likely topics: ask which one is meant.
    assert two_part(book, Query("nlu_fallback", text="commissies van het register"), ranking, TODAY) is None
    # Never a personal dossier or a hand-over in a combined answer.
    personal = [("nlu_fallback", 0.3), ("ask_my_progress", 0.45), ("ask_points_needed", 0.4)]
    assert two_part(book, Query("nlu_fallback", text="hoeveel heb ik? en hoeveel moet je hebben?"), personal,
                    TODAY) is None


def test_who_develops_the_new_themes_is_said(book: RuleBook) -> None:
    assert "door schoolleiders zelf ontwikkeld" in answer(book, Query("ask_themes", text="thema's"), TODAY).text


def test_a_sub_theme_completing_the_whole_theme_is_not_settled_by_the_sources(book: RuleBook) -> None:
    q = Query("ask_themes", {"theme": ("omgaan-met-verschillen",)}, "telt het deelthema als het hele thema?")
    result = answer(book, q, TODAY)
    assert "staat niet in mijn bronnen" in result.text and result.buttons
    plain = answer(book, Query("ask_themes", {"theme": ("omgaan-met-verschillen",)}, "opleidingen voor dit thema"),
                   TODAY)
    assert "staat niet in mijn bronnen" not in plain.text
