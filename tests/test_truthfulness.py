"""Issue 13: no claim the sources don't make. Each test names a sentence an answer used to say that
goes beyond the seeds, and checks the answers now say what the seeds say (or that they are silent)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.answers import TOPICS, Query, answer
from bot.calculator import calculate, parse
from bot.register import RuleBook

TODAY = date(2026, 12, 2)

# Sentences that claimed more than the sources: none may come back, in any answer.
CLAIMS = [
    r"dus het levert (als opleiding )?geen punten op",          # directieteams: the seed is silent on certification
    r"werkte het register niet met punten",                      # an inference from a list of changes
    r"herregistreer je zonder punten",                           # the 2020 seed says nothing of routes
    r"masterdiploma",                                            # ... and dropped "door de NVAO geaccrediteerde"
    r"dan krijg je punten per thema",                            # coachingsvaardigheden: two seeds joined
    r"voor de waardering van één thema",                         # the seed: "een professionaliseringsthema"
]


def _all_answers(book: RuleBook) -> list[str]:
    texts = []
    for intent in TOPICS:
        texts.append(answer(book, Query(intent), TODAY).text)
        for programme in book.programmes:
            texts.append(answer(book, Query(intent, {"programme": (programme,)}), TODAY).text)
        for trajectory in book.trajectories:
            texts.append(answer(book, Query(intent, {"traject": (trajectory,)}), TODAY).text)
        texts.append(answer(book, Query(intent, {"regeling": ("oud",)}), TODAY).text)
    return texts


@pytest.mark.parametrize("claim", CLAIMS)
def test_no_answer_makes_a_claim_the_sources_do_not(book: RuleBook, claim: str) -> None:
    offending = [t[:120] for t in _all_answers(book) if re.search(claim, t)]
    assert not offending, offending


def test_the_programme_for_directieteams_is_stated_as_the_source_does(book: RuleBook) -> None:
    text = answer(book, Query("ask_activity_points", {"programme": ("leerkracht-directieteams",)}), TODAY).text
    assert "Mijn bronnen noemen het leerKRACHT-programma voor directieteams niet als gecertificeerd" in text
    assert "helpdesk" in text


def test_four_phases_stated_three_described_shows_the_datas_note(book: RuleBook) -> None:
    for query in (Query("ask_mt_programme"), Query("ask_programme_info", {"programme": ("leerkracht-directieteams",)})):
        text = answer(book, query, TODAY).text
        assert "4 fases" in text and "beschrijft verdieping en borging samen" in text


def test_points_needed_names_the_other_routes_as_the_data_does(book: RuleBook) -> None:
    text = answer(book, Query("ask_points_needed"), TODAY).text
    assert "een door de NVAO geaccrediteerde masteropleiding" in text
    assert "alleen als je als RADO geregistreerd bent met een opleiding 'basisbekwaam'" in text


def test_the_routes_under_the_current_rules_say_where_they_come_from(book: RuleBook) -> None:
    text = answer(book, Query("ask_routes"), TODAY).text
    assert "noemt de routes niet" in text and "Blankestijn & Partners" in text


def test_the_old_rules_are_described_in_themes_not_as_a_register_without_points(book: RuleBook) -> None:
    text = answer(book, Query("ask_points_needed", {"regeling": ("oud",)}), TODAY).text
    assert "ontwikkeling op minstens 3 van de 7 professionaliseringsthema's" in text
    assert "behelst een herregistratieperiode in totaal 100 punten" in text


def test_coachingsvaardigheden_is_informal_learning_and_no_more(book: RuleBook) -> None:
    text = answer(book, Query("ask_activity_points", {"programme": ("coachingsvaardigheden",)}), TODAY).text
    assert "in het kader van informeel leren" in text and "Een waarde in punten noemen mijn bronnen er niet voor" in text


def test_a_valued_sub_theme_is_a_part_of_its_theme_in_the_calculator(book: RuleBook) -> None:
    """Old rules: 'omgaan met verschillen als team' is a sub-theme; the sources leave open whether it
    completes the theme, as for Teamcoaching voor managers."""
    message = "vroeger: ik heb omgaan met verschillen als team laten waarderen en ook kwaliteitsmanagement laten waarderen"
    text = calculate(book, parse(book, message), TODAY).text
    assert "= 1 van de 3 thema's" in text
    assert "Omgaan met verschillen: alleen een deelthema (waardering)" in text and "staat niet in mijn bronnen" in text


def test_a_value_without_a_date_holds_under_its_regulation(book: RuleBook, data_copy) -> None:
    """The leerKRACHT seed gives 70 points and no date: the value holds under the points regulation, and
    its start is that regulation's (one source of truth: move the regulation, the value moves with it)."""
    import yaml
    from bot.register import build
    lk1 = book.programme("leerkracht-jaar-1").recognition[-1]
    assert lk1.valid_under == "srpo-2020" and lk1.valid_from == book.regulation_on(TODAY).valid_from
    path = data_copy / "regulations.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["regulations"][1]["valid_from"] = date(2020, 12, 1)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    moved = build(data_copy)
    assert moved.programme("leerkracht-jaar-1").recognition[-1].valid_from == date(2020, 12, 1)
    assert moved.programme("leerkracht-jaar-1").recognition_on(date(2020, 11, 20)) is None


@pytest.mark.parametrize("entry,message", [
    ({"valid_under": "srpo-2099"}, "unknown regulation 'srpo-2099'"),
    ({"valid_under": "srpo-2020", "valid_from": date(2020, 11, 17)}, "either valid_from"),
    ({}, "either valid_from"),
])
def test_a_recognition_is_dated_once_and_by_a_known_regulation(data_copy, entry: dict, message: str) -> None:
    import yaml
    from bot.register import build
    from bot.register.errors import DataError
    path = data_copy / "programmes.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    recognition = data["programmes"][0]["recognition"][0]
    recognition.pop("valid_under", None)
    recognition.pop("valid_from", None)
    recognition.update(entry)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match=message) as failure:
        build(data_copy)
    assert "programmes.yml" in str(failure.value)


def test_every_seed_an_answer_draws_on_is_cited(book: RuleBook) -> None:
    """The certificate after a positive valuation is B&T's ninth step (004), not only Blankestijn &
    Partners' page (002); the routes' points and learning forms come from the B&T text of the changes."""
    upload = answer(book, Query("ask_certificate_upload"), TODAY)
    assert {s.seed[:3] for s in upload.sources} == {"002", "004"}
    routes = answer(book, Query("ask_routes"), TODAY)
    assert {s.seed[:3] for s in routes.sources} >= {"002", "004"}


def test_no_source_cites_a_heading_its_seed_lacks(book: RuleBook) -> None:
    """'Inleiding' was no heading of seed 000 or 004: the document as a whole is cited instead."""
    from bot.passages import _walk
    sources = {id(s): s for _, s in _walk(book, None, set())}.values()
    assert all(s.section != "Inleiding" for s in sources)
    whole = [s for s in sources if s.section is None]
    assert whole and all("onderdeel" not in s.for_user() for s in whole)


# -- dating what the assistant says ----------------------------------------------------------------
REFERENCE = "schoolleidersregisterpo.nl/professionaliseren"


def _edit(folder, name: str, change) -> None:
    import yaml
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("query", [Query("ask_herregistratie"), Query("ask_points_needed"), Query("ask_routes"),
                                   Query("ask_herregistratie", text="is het nu 4 of 5 jaar?")])
def test_answers_about_todays_rules_name_them_and_point_to_the_registers_site(book: RuleBook, query: Query) -> None:
    text = answer(book, query, TODAY).text
    assert "Dit zijn de regels vanaf 17 november 2020; mijn bronnen zijn van november 2020." in text
    assert REFERENCE in text and "helpdesk" in text


def test_the_two_cycle_questions_agree(book: RuleBook) -> None:
    how_often = answer(book, Query("ask_herregistratie", text="hoe vaak moet ik herregistreren?"), TODAY).text
    four_or_five = answer(book, Query("ask_herregistratie", text="is het nu 4 of 5 jaar?"), TODAY).text
    for text in (how_often, four_or_five):
        assert "iedere 4 jaar" in text and "heeft daarna de lengte van een periode en het aantal punten" in text
    assert "staat niet in mijn bronnen" not in four_or_five


def test_old_rules_are_dated_as_history_without_the_notice(book: RuleBook) -> None:
    text = answer(book, Query("ask_herregistratie", {"regeling": ("oud",)}), TODAY).text
    assert "Dit waren de regels van vóór 17 november 2020." in text and REFERENCE not in text


def test_the_sources_date_is_one_setting(book: RuleBook, data_copy) -> None:
    """Move 'bronnen bijgewerkt tot' past today and the notice goes; the regulation is still named."""
    from bot.register import build
    _edit(data_copy, "sources.yml", lambda d: d.update(current_until=date(2030, 1, 1)))
    text = answer(build(data_copy), Query("ask_points_needed"), TODAY).text
    assert REFERENCE not in text and "Dit zijn de regels vanaf 17 november 2020." in text


def test_a_later_regulation_in_the_data_covers_the_change_it_sets(book: RuleBook, data_copy) -> None:
    """Add the register's later rules as data (based_on): the notice goes away for what they set, and
    the answer gives their values; what they do not set (RDO/RADO) keeps its notice."""
    from bot.register import build

    def later(data) -> None:
        data["regulations"].append({
            "id": "srpo-later", "name": "de regels vanaf 1 augustus 2023", "valid_from": date(2023, 8, 1),
            "based_on": "srpo-2020", "source": {"seed": "004_07b99cfae6d442ad.txt",
                                                "section": "Wijzigingen Schoolleidersregister PO"},
            "cycle_years": {"value": 5, "source": {"seed": "004_07b99cfae6d442ad.txt",
                                                   "section": "Wijzigingen Schoolleidersregister PO"}},
            "points_required": {"value": 100, "source": {"seed": "004_07b99cfae6d442ad.txt",
                                                         "section": "Wijzigingen Schoolleidersregister PO"}},
        })
    _edit(data_copy, "regulations.yml", later)
    changed = build(data_copy)
    text = answer(changed, Query("ask_points_needed"), TODAY).text
    assert "Dit zijn de regels vanaf 1 augustus 2023." in text and "periode van 5 jaar" in text
    assert REFERENCE not in text
    assert "registratie als RDO of RADO veranderd" in answer(changed, Query("ask_registration_types"), TODAY).text


def test_a_later_change_names_known_parameters_only(data_copy) -> None:
    from bot.register import build
    from bot.register.errors import DataError
    _edit(data_copy, "sources.yml", lambda d: d["later_changes"][0].update(parameters=["cycle_jaren"]))
    with pytest.raises(DataError, match="unknown parameter 'cycle_jaren'"):
        build(data_copy)


def test_four_or_five_years_is_the_cycle_question() -> None:
    from components.domain_opinion import second_opinion
    ranking = [{"name": "ask_outside_sources", "confidence": 0.29}, {"name": "ask_programme_info", "confidence": 0.22}]
    assert second_opinion("is het nu 4 of 5 jaar?", "ask_outside_sources", 0.29, 0.7, ranking) == "ask_herregistratie"
    # One number of years with a subject the sources are silent on stays outside them.
    assert second_opinion("mag ik 2 jaar uitstel?", "ask_outside_sources", 0.29, 0.7, ranking) == "ask_outside_sources"


# -- what the data holds, reachable by a question ----------------------------------------------------
@pytest.mark.parametrize("query,heard,seed", [
    (Query("ask_herregistratie", text="wat is de cyclus van het register?"),
     "Je kiest zelf je prioriteiten, passend bij je school", "001"),
    (Query("ask_programme_info", {"programme": ("leerkracht-jaar-1",)}, "wat zijn de leerdoelen van LK1?"),
     "rolmodel zijn in het geven en ontvangen van feedback", "000"),
    (Query("ask_mt_programme", text="wat levert het programma voor directieteams op?"),
     "een sterkere verbetercultuur in de hele organisatie", "003"),
    (Query("ask_mt_programme", text="wat bedoelen ze met een directieteam in het po?"),
     "het bestuur, eventuele bovenschoolse directeuren en de schooldirecteuren", "003"),
    (Query("ask_themes", text="wie ontwikkelt de nieuwe thema's?"),
     "De nieuwe thema's worden door schoolleiders zelf ontwikkeld", "004"),
    (Query("ask_rule_changes", text="telt bij informeel leren het aantal uren?"),
     "je ontwikkeling op het thema telt, niet het aantal uren", "002"),
])
def test_what_the_data_holds_is_heard_with_its_source(book: RuleBook, query: Query, heard: str, seed: str) -> None:
    reply = answer(book, query, TODAY)
    assert heard in reply.text
    assert seed in {s.seed[:3] for s in reply.sources}


def test_the_calculator_and_the_rule_answers_say_which_rules_they_apply(book: RuleBook) -> None:
    text = calculate(book, parse(book, "ik heb LK1 gedaan en een thema op niveau 5"), TODAY).text
    assert "= 90 van de 100" in text and "Dit zijn de regels vanaf 17 november 2020" in text and REFERENCE in text
    level = answer(book, Query("ask_activity_points", {"learning_level": ("6",)}), TODAY).text
    assert "Dit zijn de regels vanaf 17 november 2020." in level and REFERENCE not in level  # no later change known
    repeat = answer(book, Query("ask_theme_repeat"), TODAY).text
    # It names the points a period asks, which the register changed after the sources: the notice says so.
    assert "Dit zijn de regels vanaf 17 november 2020" in repeat and REFERENCE in repeat
