"""The data's own texts as a second opinion (bot/passages.py), and the programme a facet leaves
(bot.answers.programme_asked): questions the classifier cannot place still get what the sources say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from bot.answers import Query, answer, programme_asked, provider_programmes
from bot.fallback import clarify
from bot.passages import best_passage
from bot.register import RuleBook, build

TODAY = date(2026, 12, 2)
UNSURE = [("ask_herregistratie", 0.25), ("ask_organisation", 0.2)]


def test_a_question_sharing_rare_words_with_one_text_gets_that_text(book: RuleBook) -> None:
    passage = best_passage(book, "Hoort bij de herregistratie ook een plan voor mijn ontwikkeling?")
    assert passage is not None
    assert "plan voor je verdere ontwikkeling" in passage.text
    assert passage.source.seed.startswith("002_")


def test_words_of_every_text_or_of_none_give_no_passage(book: RuleBook) -> None:
    # Common words ("punten", "thema") and unknown ones pick out no single text.
    for question in ("hoeveel punten heb ik nodig?", "wat is het weer morgen?", "thema punten leren", "", "?!"):
        assert best_passage(book, question) is None, question


def test_a_compound_is_not_its_first_part(book: RuleBook) -> None:
    # "schoolleiderschap" is not "school": no leerKRACHT enrolment text for a question about a master.
    assert best_passage(book, "Moet mijn masteropleiding over schoolleiderschap gaan om mee te tellen?") is None


def test_the_fallback_quotes_the_passage_with_its_source_and_still_asks(book: RuleBook) -> None:
    question = "Tot wanneer kon je een lopend waarderingstraject bij B&T nog volgens de oude thema-indeling afronden?"
    reply = clarify(question, UNSURE, book)
    assert reply.text.startswith("Ik weet niet zeker wat je bedoelt.")
    assert "1 februari 2021" in reply.text and "Bron: " in reply.text
    assert [b.title for b in reply.buttons][-1] == "Iets anders"
    # Without the rules, or for a question about one's own dossier, it only asks.
    assert "Bron" not in clarify(question, UNSURE).text
    personal = clarify("telt mijn waardering van kwaliteitsmanagement al mee?",
                       [("ask_my_progress", 0.3), ("ask_my_what_if", 0.2)], book)
    assert "Bron" not in personal.text


def test_outside_the_sources_says_what_they_do_hold_and_no_more(book: RuleBook) -> None:
    reply = answer(book, Query("ask_outside_sources", text="Wat moet er eigenlijk in dat plan voor mijn ontwikkeling staan?"),
                   TODAY)
    assert "plan voor je verdere ontwikkeling" in reply.text
    assert "Meer staat er niet in" in reply.text and "helpdesk" in reply.text
    plain = answer(book, Query("ask_outside_sources", text="Kan ik uitstel krijgen?"), TODAY)
    assert plain.text.startswith("Daar staat niets over in de bronnen")


def test_the_passage_is_the_data_itself(book: RuleBook, data_copy: Path) -> None:
    """One source of truth: change the text in the data and the quoted passage changes with it."""
    path = data_copy / "registration.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["herregistratie"]["text"] = data["herregistratie"]["text"].replace(
        "maakt een plan voor je verdere ontwikkeling", "maakt een plan voor je verdere groei en ontwikkeling")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    changed = best_passage(build(data_copy), "Hoort bij de herregistratie ook een plan voor mijn ontwikkeling?")
    assert changed is not None and "groei en ontwikkeling" in changed.text


def test_a_facet_only_one_programme_has_needs_no_question(book: RuleBook) -> None:
    # Only jaar-1's data has a certificate (its validation): no "Over welke opleiding?".
    programme, _ = programme_asked(book, Query("ask_programme_requirements", text="Wanneer krijg ik het leerKRACHT-certificaat?"),
                                   lambda p: p.validation or p.study_load_hours)
    assert programme is not None and programme.id == "leerkracht-jaar-1"
    reply = answer(book, Query("ask_programme_requirements", text="Wanneer krijg ik het leerKRACHT-certificaat?"), TODAY)
    assert "expertcoach" in reply.text and "Over welke opleiding" not in reply.text


def test_a_detail_only_one_of_a_providers_programmes_holds_settles_it(book: RuleBook) -> None:
    reply = answer(book, Query("ask_enrolment", text="Waarmee verklaar ik mij akkoord bij de inschrijving voor leerKRACHT?"),
                   TODAY)
    assert "voorwaarden" in reply.text
    first_year = "Wij doen met de hele school mee aan leerKRACHT en ik zit in het eerste jaar. Wat levert dat op?"
    assert [p.id for p in provider_programmes(book, first_year)] == ["leerkracht-jaar-1"]
    text = answer(book, Query("ask_activity_points", text=first_year), TODAY).text
    assert "70 punten" in text and "35" not in text


def test_candidates_left_are_the_buttons(book: RuleBook) -> None:
    """Two programmes with an enrolment and nothing to tell them apart: ask about those two only."""
    reply = answer(book, Query("ask_enrolment", text="hoe schrijf ik me in voor leerKRACHT?"), TODAY)
    assert reply.text == "Over welke opleiding gaat je vraag?"
    assert [b.payload for b in reply.buttons] == ['/ask_enrolment{"programme":"leerkracht-jaar-1"}',
                                                 '/ask_enrolment{"programme":"leerkracht-directieteams"}']
    # A provider alone still gets the overview of all of its programmes.
    overview = answer(book, Query("ask_activity_points", text="telt leerKRACHT mee voor de registratie?"), TODAY).text
    assert "70 punten" in overview and "35 punten" in overview


def test_a_master_asked_about_gets_the_master_route_and_what_the_sources_leave_open(book: RuleBook) -> None:
    reply = answer(book, Query("ask_routes", text="Telt mijn master onderwijskunde mee voor mijn herregistratie?"), TODAY)
    assert reply.text.startswith("Een door de NVAO geaccrediteerde masteropleiding is een van de routes")
    assert "noemen mijn bronnen niet" in reply.text and reply.buttons
    # The routes question itself still lists every route.
    assert "1. een door de NVAO" in answer(book, Query("ask_routes", text="welke routes zijn er?"), TODAY).text


def test_a_doubtful_hand_over_about_a_master_is_the_master_route() -> None:
    from components.domain_opinion import second_opinion
    text = "ik heb een master onderwijskunde gedaan, die ging niet over leidinggeven. telt die voor mijn herregistratie?"
    ranking = [{"name": "personal_case", "confidence": 0.39}, {"name": "ask_activity_points", "confidence": 0.11}]
    assert second_opinion(text, "personal_case", 0.39, 0.7, ranking) == "ask_routes"
    # A sure hand-over stays one.
    assert second_opinion(text, "personal_case", 0.8, 0.7, ranking) is None

