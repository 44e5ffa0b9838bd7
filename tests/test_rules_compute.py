"""Computations of the rules module: points, totals, routes, dates, explanations, and bad input.

Expected numbers are written out by hand from the seeds (see test_rules_facts.py for their sources):
leerKRACHT jaar-1 = 70, Schoolleidersprogramma = 35 (seed 000); a valued theme = 10 at level 4, +10 at 5,
+20 at 6, 100 points per period, from 17 November 2020 (seed 004); 3 of 7 themes and a four-year cycle
before that (seed 002).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import pytest

from bot.answers.explain import (explain, points_for, route_status_text, term_label, unvalued_label, unvalued_reason,
                                 what_if_text)
from bot.register import (
    DiplomaActivity,
    Dossier,
    InvalidCount,
    InvalidInput,
    InvalidLevel,
    OutsideRegulations,
    PointsModel,
    ProgrammeActivity,
    RuleBook,
    RulesError,
    ThemesModel,
    UnknownProgramme,
    UnknownTheme,
    ValuationActivity,
    add_years,
    format_date,
)

P = ProgrammeActivity
V = ValuationActivity
D = DiplomaActivity
NEW = date(2024, 1, 1)   # under srpo-2020 (points)
OLD = date(2019, 6, 1)   # under srpo-2013 (themes)

LK1 = "leerkracht-jaar-1"
SLP = "leerkracht-schoolleidersprogramma"
TCM = "teamcoaching-voor-managers"


# -- points per activity ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "activity,points",
    [
        pytest.param(P("leerKRACHT jaar-1"), 70, id="000 lk1 by short name = 70"),
        pytest.param(P("Leiding geven aan continu verbeteren – leerKRACHT jaar-1"), 70, id="000 lk1 by full name"),
        pytest.param(P("LK1"), 70, id="000 lk1 alias LK1"),
        pytest.param(P("leerkracht jaar 1"), 70, id="000 lk1 alias 'leerkracht jaar 1'"),
        pytest.param(P("LEERKRACHT–JAAR 1"), 70, id="000 lk1 case and en dash folded"),
        pytest.param(P("leerKRACHT Schoolleidersprogramma"), 35, id="000 slp = 35"),
        pytest.param(P("het schoolleidersprogramma"), 35, id="000 slp alias 'het schoolleidersprogramma'"),
        pytest.param(P("  Het   Schoolleidersprogramma "), 35, id="000 slp white space folded"),
        pytest.param(V(level=4), 10, id="004 level 4 = 10"),
        pytest.param(V(level=5), 20, id="004 level 5 = 10 + 10"),
        pytest.param(V(level=6), 30, id="004 level 6 = 10 + 20"),
        pytest.param(V(level=4, count=3), 30, id="004 3 themes at level 4"),
        pytest.param(V(level=5, count=2), 40, id="004 2 themes at level 5"),
        pytest.param(V(level=6, count=20), 600, id="004 20 themes at level 6 (max count)"),
        pytest.param(V(level=5, theme="kwaliteitszorg"), 20, id="004 named theme at level 5"),
        pytest.param(V(level=6, theme="Omgaan met verschillen als team"), 30, id="004 theme by sub-theme name"),
    ],
)
def test_points_for_activity(book: RuleBook, activity: Any, points: int) -> None:
    assert points_for(book, activity, NEW) == points
    value = book.value_of(activity, NEW)
    assert value.term is not None and value.term.points == points
    assert value.regulation.id == "srpo-2020"


@pytest.mark.parametrize(
    "activity,reason",
    [
        pytest.param(P("Teamcoaching voor managers"), "geen waarde in punten", id="002 teamcoaching: no point value"),
        pytest.param(P("Coachingsvaardigheden"), "informeel leren", id="002 coachingsvaardigheden: informal"),
        pytest.param(P("leerKRACHT voor directieteams"), "niet als gecertificeerd", id="003 directieteams: not named certified"),
        pytest.param(P("LK1", completed_on=date(2020, 11, 16)), "noemen mijn bronnen geen waarde",
                     id="000/004 lk1 done before points existed"),
        pytest.param(V(level=5, completed_on=date(2020, 10, 1)), "de regels van vóór 17 november 2020",
                     id="004 valuation done under the old rules"),
    ],
)
def test_activity_without_points_has_a_reason(book: RuleBook, activity: Any, reason: str) -> None:
    value = book.value_of(activity, NEW)
    assert value.term is None
    assert value.unvalued is not None and reason in unvalued_reason(value.unvalued)
    with pytest.raises(InvalidInput) as exc:
        points_for(book, activity, NEW)
    assert reason in exc.value.message


@pytest.mark.parametrize("diploma,route", [("master", "master"), ("vakbekwaam", "vakbekwaam")])
def test_diploma_is_a_route_not_points(book: RuleBook, diploma: Any, route: str) -> None:
    value = book.value_of(D(diploma), NEW)
    assert value.term is None and value.unvalued is None and value.diploma == diploma
    with pytest.raises(InvalidInput) as exc:
        points_for(book, D(diploma), NEW)
    assert "geen punten" in exc.value.message
    ev = book.evaluate(Dossier((D(diploma),), registration_type="RADO", level="basisbekwaam"), NEW)
    assert ev.total_points == 0
    assert {s.route.id: s.complete for s in ev.routes}[route] is True


def test_old_rules_count_themes_not_points(book: RuleBook) -> None:
    value = book.value_of(P("teamcoaching"), OLD)
    assert value.regulation.id == "srpo-2013"
    assert value.term is not None and value.term.points is None
    assert [ref.label for ref in value.term.themes] == [
        "Persoonlijk leiderschap", "Omgaan met verschillen (deelthema: omgaan met verschillen als team)",
    ]
    lk1 = book.value_of(P("LK1"), OLD)
    assert lk1.term is None and lk1.unvalued is not None


def test_valuation_in_transition_period_is_marked(book: RuleBook) -> None:
    during = book.value_of(V(level=5, completed_on=date(2020, 12, 1)), NEW)
    after = book.value_of(V(level=5, completed_on=date(2021, 2, 1)), NEW)
    assert during.term is not None and during.term.points == 20 and "(overgangsperiode)" in term_label(during.term)
    assert after.term is not None and after.term.points == 20 and "overgangsperiode" not in term_label(after.term)


# -- dossiers ------------------------------------------------------------------------------------
POINTS_DOSSIERS = [
    pytest.param((), 0, 100, False, (), "Je hebt nog geen punten: 0 van de 100; je mist nog 100 punten.",
                 id="empty"),
    pytest.param((P("leerKRACHT jaar-1"), V(level=5)), 90, 10, False,
                 ("persoonlijk-leiderschap", "onderwijsinrichting-en-schoolorganisatie", "kwaliteitsmanagement",
                  "professionele-ontwikkeling-leerkrachten", "leidinggeven-aan-leren", "verandermanagement"),
                 "70 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 90 van de 100; "
                 "je mist nog 10 punten.",
                 id="issue example lk1 + level 5 = 90"),
    pytest.param((P("LK1"), P("slp")), 105, 0, True,
                 ("persoonlijk-leiderschap", "onderwijsinrichting-en-schoolorganisatie", "kwaliteitsmanagement",
                  "professionele-ontwikkeling-leerkrachten", "leidinggeven-aan-leren", "verandermanagement",
                  "visiegestuurd-onderwijs"),
                 "70 (leerKRACHT jaar-1) + 35 (het leerKRACHT Schoolleidersprogramma) = 105 van de 100; "
                 "je hebt genoeg punten.",
                 id="lk1 + slp = 105 complete"),
    pytest.param((P("slp"), V(level=4, count=3)), 65, 35, False, ("verandermanagement", "visiegestuurd-onderwijs"),
                 "35 (het leerKRACHT Schoolleidersprogramma) + 30 (3 thema's op niveau 4: 3 × 10) = 65 van de 100; "
                 "je mist nog 35 punten.",
                 id="slp + 3 themes level 4"),
    pytest.param((V(level=6, theme="kwaliteit"), V(level=6, theme="kwaliteitsmanagement")), 60, 40, False,
                 ("kwaliteitsmanagement",),
                 "30 (Kwaliteitsmanagement op niveau 6: 10 + 20 extra) + 30 (Kwaliteitsmanagement op niveau 6: "
                 "10 + 20 extra) = 60 van de 100; je mist nog 40 punten.",
                 id="004 same theme twice counts twice"),
    pytest.param((P("teamcoaching"), V(level=5)), 20, 80, False, (),
                 "20 (thema op niveau 5: 10 + 10 extra) = 20 van de 100; je mist nog 80 punten. Niet meegeteld: "
                 "Teamcoaching voor managers: mijn bronnen noemen geen waarde in punten voor deze opleiding.",
                 id="teamcoaching not counted under points"),
    pytest.param((P("LK1"), P("coachingsvaardigheden"), P("directieprogramma")), 70, 30, False,
                 ("persoonlijk-leiderschap", "onderwijsinrichting-en-schoolorganisatie", "kwaliteitsmanagement",
                  "professionele-ontwikkeling-leerkrachten", "leidinggeven-aan-leren", "verandermanagement"),
                 "70 (leerKRACHT jaar-1) = 70 van de 100; je mist nog 30 punten. Niet meegeteld: Coachingsvaardigheden: "
                 "deze opleiding valt onder informeel leren; mijn bronnen noemen er geen waarde in punten voor. "
                 "Niet meegeteld: het leerKRACHT-programma voor directieteams: mijn bronnen noemen dit programma niet als "
                 "gecertificeerd door het Schoolleidersregister PO en geven het geen waarde.",
                 id="informal and uncertified not counted"),
    pytest.param((V(level=6, count=3), V(level=4)), 100, 0, True, (),
                 "90 (3 thema's op niveau 6: 3 × (10 + 20 extra)) + 10 (thema op niveau 4) = 100 van de 100; "
                 "je hebt genoeg punten.",
                 id="exactly 100"),
]


@pytest.mark.parametrize("activities,total,missing,complete,themes,text", POINTS_DOSSIERS)
def test_dossier_under_points_rules(book: RuleBook, activities: tuple[Any, ...], total: int, missing: int,
                                    complete: bool, themes: tuple[str, ...], text: str) -> None:
    ev = book.evaluate(Dossier(activities), NEW)
    assert ev.regulation.id == "srpo-2020"
    assert (ev.total_points, ev.points_required, ev.points_missing) == (total, 100, missing)
    assert ev.complete is complete
    assert {s.route.id: s.complete for s in ev.routes}["professionalisering"] is complete
    assert tuple(c.theme.id for c in ev.themes_covered) == themes
    assert explain(ev).text == text
    assert ev.themes_required is None and ev.themes_missing is None


THEME_DOSSIERS = [
    pytest.param((), (), 3, False, "Je hebt nog geen thema afgerond: 0 van de 3; je mist nog 3 thema's.", id="empty"),
    pytest.param((P("teamcoaching"),), (("persoonlijk-leiderschap", True), ("omgaan-met-verschillen", False)), 2, False,
                 "Persoonlijk leiderschap (Teamcoaching voor managers) = 1 van de 3 thema's; je mist nog 2 thema's. "
                 "Omgaan met verschillen: alleen een deelthema (Teamcoaching voor managers); of dat het hele thema "
                 "afrondt, staat niet in mijn bronnen.",
                 id="002 teamcoaching: one theme + one sub-theme"),
    pytest.param((P("teamcoaching"), V(theme="kwaliteit"), V(theme="verandermanagement")),
                 (("persoonlijk-leiderschap", True), ("omgaan-met-verschillen", False), ("kwaliteitsmanagement", True),
                  ("verandermanagement", True)), 0, True,
                 "Persoonlijk leiderschap (Teamcoaching voor managers) + Kwaliteitsmanagement (waardering) + "
                 "Verandermanagement (waardering) = 3 van de 3 thema's; je hebt genoeg verschillende thema's. "
                 "Omgaan met verschillen: alleen een deelthema (Teamcoaching voor managers); of dat het hele thema "
                 "afrondt, staat niet in mijn bronnen.",
                 id="002 three different themes complete"),
    pytest.param((V(theme="kwaliteit"), V(theme="kwaliteit")), (("kwaliteitsmanagement", True),), 2, False,
                 "Kwaliteitsmanagement (waardering) = 1 van de 3 thema's; je mist nog 2 thema's.",
                 id="004 old rules: same theme twice counts once"),
    pytest.param((V(theme="omgaan met verschillen als team"), V(theme="kwaliteit")),
                 (("omgaan-met-verschillen", False), ("kwaliteitsmanagement", True)), 2, False,
                 "Kwaliteitsmanagement (waardering) = 1 van de 3 thema's; je mist nog 2 thema's. Omgaan met "
                 "verschillen: alleen een deelthema (waardering); of dat het hele thema afrondt, staat niet in mijn "
                 "bronnen.",
                 id="002 a valued sub-theme is a part, as with Teamcoaching"),
    pytest.param((V(count=2),), (), 3, False,
                 "Je hebt nog geen thema afgerond: 0 van de 3; je mist nog 3 thema's. Daarnaast 2 gewaardeerde "
                 "thema's zonder naam; noem de thema's, dan tel ik ze mee.",
                 id="unnamed themes not counted (plural)"),
    pytest.param((V(),), (), 3, False,
                 "Je hebt nog geen thema afgerond: 0 van de 3; je mist nog 3 thema's. Daarnaast 1 gewaardeerd "
                 "thema zonder naam; noem het thema, dan tel ik het mee.",
                 id="unnamed theme not counted (singular)"),
    pytest.param((P("LK1"),), (), 3, False,
                 "Je hebt nog geen thema afgerond: 0 van de 3; je mist nog 3 thema's. Niet meegeteld: leerKRACHT "
                 "jaar-1: voor 1 juni 2019 noemen mijn bronnen geen waarde voor deze opleiding.",
                 id="000 lk1 has no value before 17 November 2020"),
]


@pytest.mark.parametrize("activities,covered,missing,complete,text", THEME_DOSSIERS)
def test_dossier_under_theme_rules(book: RuleBook, activities: tuple[Any, ...],
                                   covered: tuple[tuple[str, bool], ...], missing: int, complete: bool,
                                   text: str) -> None:
    ev = book.evaluate(Dossier(activities), OLD)
    assert ev.regulation.id == "srpo-2013"
    assert ev.total_points is None and ev.points_required is None and ev.points_missing is None
    assert (ev.themes_required, ev.themes_missing) == (3, missing)
    assert tuple((c.theme.id, c.full) for c in ev.themes_covered) == covered
    assert ev.complete is complete
    assert explain(ev).text == text


ROUTE_CASES = [
    pytest.param(NEW, (D("master"),), {}, {"master": (True, True)}, True,
                 "Je hebt een diploma voor de masterroute: daarmee voldoe je aan je herregistratie.", id="master new"),
    pytest.param(OLD, (D("master"),), {}, {"master": (True, True)}, True,
                 "Je hebt een diploma voor de masterroute", id="master old"),
    pytest.param(NEW, (D("vakbekwaam"),), {"registration_type": "RADO", "level": "basisbekwaam"},
                 {"vakbekwaam": (True, True)}, True,
                 "Je hebt een diploma voor de route vakbekwaam", id="vakbekwaam RADO basisbekwaam"),
    pytest.param(NEW, (D("vakbekwaam"),), {"registration_type": "RDO"}, {"vakbekwaam": (False, False)}, False,
                 "Je diploma telt niet voor de route vakbekwaam: die is er alleen als je als RADO geregistreerd bent "
                 "met een opleiding 'basisbekwaam'.", id="vakbekwaam RDO: not for you"),
    pytest.param(NEW, (D("vakbekwaam"),), {"registration_type": "RADO", "level": "vakbekwaam"},
                 {"vakbekwaam": (False, False)}, False, "Je diploma telt niet", id="vakbekwaam RADO already vakbekwaam"),
    pytest.param(NEW, (D("vakbekwaam"),), {}, {"vakbekwaam": (None, False)}, False,
                 "dat weet ik nog niet van je", id="vakbekwaam condition unknown"),
    pytest.param(OLD, (D("vakbekwaam"),), {"registration_type": "RADO", "level": "basisbekwaam"},
                 {"vakbekwaam": (True, True)}, True, "route vakbekwaam", id="vakbekwaam old"),
    pytest.param(NEW, (P("LK1"), P("slp")), {}, {"master": (True, False), "professionalisering": (True, True)}, True,
                 "je hebt genoeg punten", id="professionalisation route complete"),
]


@pytest.mark.parametrize("on,activities,who,routes,complete,phrase", ROUTE_CASES)
def test_routes(book: RuleBook, on: date, activities: tuple[Any, ...], who: dict[str, str],
                routes: dict[str, tuple[bool | None, bool]], complete: bool, phrase: str) -> None:
    ev = book.evaluate(Dossier(activities, **who), on)  # type: ignore[arg-type]
    assert [s.route.id for s in ev.routes] == ["master", "vakbekwaam", "professionalisering"]
    got = {s.route.id: (s.applicable, s.complete) for s in ev.routes}
    for route_id, expected in routes.items():
        assert got[route_id] == expected
    assert ev.complete is complete
    assert phrase in explain(ev).text


def test_explanation_sources_cite_the_seeds(book: RuleBook) -> None:
    ev = book.evaluate(Dossier((P("leerKRACHT jaar-1"), V(level=5))), NEW)
    assert explain(ev).lines == (explain(ev).text,)
    cited = {(s.seed, s.section) for s in explain(ev).sources}
    assert ("000_5d449a2de9efa59e.txt", "Hoe is leerKRACHT jaar-1 gecertificeerd?") in cited
    assert ("004_07b99cfae6d442ad.txt", "Wijzigingen Schoolleidersregister PO") in cited
    full = explain(ev).with_sources()
    assert full.startswith(explain(ev).text + "\nBron: ")
    assert "onderdeel ‘Hoe is leerKRACHT jaar-1 gecertificeerd?’ (000_5d449a2de9efa59e.txt)" in full


# -- activities outside the period ------------------------------------------------------------------
def test_activities_outside_the_period_are_not_counted(book: RuleBook) -> None:
    dossier = Dossier(
        (
            P("LK1", date(2020, 6, 1)),       # before the period
            P("slp", date(2024, 12, 31)),     # last day inside
            P("slp", date(2025, 1, 1)),       # period end is exclusive
            V(level=4, completed_on=date(2021, 2, 1)),
        ),
        period_start=date(2021, 1, 1),
    )
    ev = book.evaluate(dossier, date(2022, 1, 1))
    assert ev.total_points == 45
    assert [unvalued_label(u) for u in ev.unvalued] == ["leerKRACHT jaar-1", "het leerKRACHT Schoolleidersprogramma"]
    assert all("buiten je periode (1 januari 2021 tot 1 januari 2025)" in unvalued_reason(u) for u in ev.unvalued)
    assert "Niet meegeteld: leerKRACHT jaar-1: afgerond op 1 juni 2020, buiten je periode" in explain(ev).text


def test_valuation_under_old_rules_not_counted_under_new(book: RuleBook) -> None:
    ev = book.evaluate(Dossier((V(level=5, completed_on=date(2020, 10, 1)), V(level=5))), NEW)
    assert ev.total_points == 20
    assert len(ev.unvalued) == 1
    assert unvalued_reason(ev.unvalued[0]) == (
        "gewaardeerd op 1 oktober 2020 onder de regels van vóór 17 november 2020; hoe dat omgerekend wordt naar "
        "de regels vanaf 17 november 2020 staat niet in mijn bronnen"
    )


# -- dates -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "registered,end",
    [
        pytest.param(date(2021, 3, 15), date(2025, 3, 15), id="002 four years"),
        pytest.param(date(2014, 9, 1), date(2018, 9, 1), id="002 four years under old rules"),
        pytest.param(date(2020, 11, 16), date(2024, 11, 16), id="last day of old rules"),
        pytest.param(date(2020, 11, 17), date(2024, 11, 17), id="first day of new rules"),
        pytest.param(date(2016, 2, 29), date(2020, 2, 29), id="29 Feb to a leap year"),
        pytest.param(date(2096, 2, 29), date(2100, 2, 28), id="29 Feb to 2100 (no leap year)"),
    ],
)
def test_period_end(book: RuleBook, registered: date, end: date) -> None:
    assert book.period_end(registered) == end


def test_add_years_29_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2023, 12, 31), 5) == date(2028, 12, 31)


@pytest.mark.parametrize(
    "day,regulation",
    [
        (date(2013, 1, 1), "srpo-2013"),
        (date(2019, 6, 1), "srpo-2013"),
        (date(2020, 11, 16), "srpo-2013"),
        (date(2020, 11, 17), "srpo-2020"),
        (date(2021, 1, 31), "srpo-2020"),
        (date(2035, 1, 1), "srpo-2020"),
    ],
)
def test_regulation_on(book: RuleBook, day: date, regulation: str) -> None:
    assert book.regulation_on(day).id == regulation


def test_format_date_is_dutch() -> None:
    assert format_date(date(2020, 11, 17)) == "17 november 2020"
    assert format_date(date(2021, 2, 1)) == "1 februari 2021"


# -- lookups ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,programme_id",
    [
        ("LK1", LK1), ("leerkracht jaar 1", LK1), ("leerKRACHT jaar-1", LK1), ("Leiding geven aan continu verbeteren", LK1),
        ("het schoolleidersprogramma", SLP), ("Schoolleidersprogramma", SLP), ("SLP", SLP),
        ("teamcoaching", TCM), ("Coachingsvaardigheden", "coachingsvaardigheden"),
        ("directieprogramma", "leerkracht-directieteams"),
    ],
)
def test_programme_aliases(book: RuleBook, name: str, programme_id: str) -> None:
    assert book.programme(name).id == programme_id


@pytest.mark.parametrize(
    "name,theme_id",
    [
        ("kwaliteitszorg", "kwaliteitsmanagement"), ("Persoonlijk Leiderschap", "persoonlijk-leiderschap"),
        ("leiding geven aan leren", "leidinggeven-aan-leren"), ("visie gestuurd onderwijs", "visiegestuurd-onderwijs"),
        ("omgaan met verschillen als team", "omgaan-met-verschillen"),
        ("professionele ontwikkeling van leerkrachten", "professionele-ontwikkeling-leerkrachten"),
    ],
)
def test_theme_aliases(book: RuleBook, name: str, theme_id: str) -> None:
    assert book.theme(name).id == theme_id


@pytest.mark.parametrize(
    "theme,on,programmes",
    [
        pytest.param("verandermanagement", NEW, {LK1, SLP}, id="000 verandermanagement: lk1 + slp"),
        pytest.param("visiegestuurd onderwijs", NEW, {SLP}, id="000 visiegestuurd: slp"),
        pytest.param("kwaliteitsmanagement", NEW, {LK1}, id="000 kwaliteit: lk1"),
        pytest.param("persoonlijk leiderschap", NEW, {LK1, TCM}, id="000/002 persoonlijk leiderschap"),
        pytest.param("persoonlijk leiderschap", OLD, {TCM}, id="002 old rules: only teamcoaching"),
        pytest.param("omgaan met verschillen als team", OLD, {TCM}, id="002 sub-theme"),
        pytest.param("kwaliteitsmanagement", OLD, set(), id="nothing before 2020 for kwaliteit"),
    ],
)
def test_programmes_for_theme(book: RuleBook, theme: str, on: date, programmes: set[str]) -> None:
    found = book.programmes_for_theme(theme, on)
    assert {f.programme.id for f in found} == programmes
    assert all(f.recognition.form not in ("none", "informeel") for f in found)


def test_programmes_for_theme_keeps_the_subtheme(book: RuleBook) -> None:
    (found,) = book.programmes_for_theme("omgaan met verschillen", OLD)
    assert found.ref.subtheme is not None and found.ref.subtheme.id == "omgaan-met-verschillen-als-team"


# -- what if --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "before,added,on,gained,text",
    [
        pytest.param((P("LK1"),), (V(level=5),), NEW, 20,
                     "Met 20 (thema op niveau 5: 10 + 10 extra) erbij kom je van 70 op 90 van de 100 punten (+20). "
                     "Je mist nog 10 punten.", id="lk1 + level 5"),
        pytest.param((P("LK1"),), (P("slp"),), NEW, 35,
                     "Met 35 (het leerKRACHT Schoolleidersprogramma) erbij kom je van 70 op 105 van de 100 punten "
                     "(+35). Je hebt genoeg punten.", id="lk1 + slp"),
        pytest.param((), (P("LK1"), V(level=6)), NEW, 100,
                     "Met 70 (leerKRACHT jaar-1) en 30 (thema op niveau 6: 10 + 20 extra) erbij kom je van 0 op 100 "
                     "van de 100 punten (+100). Je hebt genoeg punten.", id="two added"),
        pytest.param((P("teamcoaching"),), (V(theme="kwaliteit"),), OLD, None,
                     "Met deze activiteit erbij heb je 2 van de 3 thema's. Je mist nog 1 thema.",
                     id="old rules: sub-theme not counted as a theme"),
    ],
)
def test_what_if(book: RuleBook, before: tuple[Any, ...], added: tuple[Any, ...], on: date,
                 gained: int | None, text: str) -> None:
    dossier = Dossier(before)
    result = book.what_if(dossier, added, on)
    assert result.gained_points == gained
    assert what_if_text(result) == text
    assert dossier.activities == before
    assert len(result.added) == len(added)


# -- bad input --------------------------------------------------------------------------------------
def ev(book: RuleBook, *activities: Any, on: Any = NEW, **kw: Any) -> Any:
    return book.evaluate(Dossier(tuple(activities), **kw), on)


BAD = [
    pytest.param(lambda b: b.programme("Cursus timemanagement"), UnknownProgramme, "ken ik niet", id="unknown programme"),
    pytest.param(lambda b: ev(b, P("Cursus timemanagement")), UnknownProgramme, "helpdesk", id="unknown programme in dossier"),
    pytest.param(lambda b: b.programme(5), UnknownProgramme, "ken ik niet", id="programme name not text"),
    pytest.param(lambda b: b.theme("astrologie"), UnknownTheme, "thema", id="unknown theme"),
    pytest.param(lambda b: ev(b, V(level=5, theme="astrologie")), UnknownTheme, "ken ik niet", id="unknown theme in dossier"),
    pytest.param(lambda b: b.programmes_for_theme("astrologie", NEW), UnknownTheme, "thema", id="unknown theme lookup"),
    pytest.param(lambda b: b.theme(None), UnknownTheme, "ken ik niet", id="theme None"),
    pytest.param(lambda b: ev(b, V(level=3)), InvalidLevel, "vanaf leerniveau 4", id="level 3"),
    pytest.param(lambda b: ev(b, V(level=7)), InvalidLevel, "hoogste niveau", id="level 7"),
    pytest.param(lambda b: ev(b, V(level=0)), InvalidLevel, "leerniveau", id="level 0"),
    pytest.param(lambda b: ev(b, V()), InvalidLevel, "Op welk leerniveau", id="level missing under points"),
    pytest.param(lambda b: ev(b, V(level="5")), InvalidLevel, "getal", id="level as text"),
    pytest.param(lambda b: ev(b, V(level=True)), InvalidLevel, "getal", id="level True"),
    pytest.param(lambda b: ev(b, V(level=5, count=0)), InvalidCount, "heel getal", id="count 0"),
    pytest.param(lambda b: ev(b, V(level=5, count=-1)), InvalidCount, "heel getal", id="count -1"),
    pytest.param(lambda b: ev(b, V(level=5, count=21)), InvalidCount, "tot en met 20", id="count 21"),
    pytest.param(lambda b: ev(b, V(level=5, count=True)), InvalidCount, "heel getal", id="count True"),
    pytest.param(lambda b: ev(b, V(level=5, count="2")), InvalidCount, "heel getal", id="count '2'"),
    pytest.param(lambda b: ev(b, V(count=0), on=OLD), InvalidCount, "heel getal", id="count 0 old rules"),
    pytest.param(lambda b: ev(b, on=date(2012, 12, 31)), OutsideRegulations, "vroegste regels", id="before 2013"),
    pytest.param(lambda b: b.regulation_on(date(1800, 1, 1)), OutsideRegulations, "buiten elke regeling", id="year 1800"),
    pytest.param(lambda b: b.regulation_on(date(9999, 1, 1)), OutsideRegulations, "buiten elke regeling", id="year 9999"),
    pytest.param(lambda b: b.period_end(date(2012, 1, 1)), OutsideRegulations, "ken ik geen regels", id="period_end before 2013"),
    pytest.param(lambda b: ev(b, P("LK1", date(1066, 10, 14))), OutsideRegulations, "datum van de activiteit",
                 id="activity date absurd"),
    pytest.param(lambda b: ev(b, on="2024-01-01"), InvalidInput, "geen geldige datum", id="date as text"),
    pytest.param(lambda b: ev(b, on=datetime(2024, 1, 1, 12, 0)), InvalidInput, "zonder tijdstip", id="datetime"),
    pytest.param(lambda b: ev(b, P("LK1", datetime(2022, 1, 1)), period_start=date(2021, 1, 1)), InvalidInput,
                 "zonder tijdstip", id="activity datetime"),
    pytest.param(lambda b: ev(b, period_start="gisteren"), InvalidInput, "geen geldige datum", id="period start text"),
    pytest.param(lambda b: ev(b, *([P("LK1")] * 201)), InvalidCount, "activiteiten", id="201 activities"),
    pytest.param(lambda b: ev(b, *([V(level=6, count=20)] * 10_000)), InvalidCount, "activiteiten", id="10000 activities"),
    pytest.param(lambda b: ev(b, registration_type="XYZ"), InvalidInput, "RDO of RADO", id="unknown registration type"),
    pytest.param(lambda b: ev(b, registration_type=5), InvalidInput, "ken ik niet", id="registration type not text"),
    pytest.param(lambda b: ev(b, level="expert"), InvalidInput, "basisbekwaam of vakbekwaam", id="unknown level"),
    pytest.param(lambda b: ev(b, D("phd")), InvalidInput, "diploma", id="unknown diploma"),
    pytest.param(lambda b: ev(b, "LK1"), InvalidInput, "activiteit", id="not an activity"),
    pytest.param(lambda b: b.regulation("srpo-1999"), InvalidInput, "ken ik niet", id="unknown regulation id"),
    pytest.param(lambda b: b.route("snelweg"), InvalidInput, "ken ik niet", id="unknown route id"),
    pytest.param(lambda b: b.what_if(Dossier((P("LK1"),)), [V(level=9)], NEW), InvalidLevel, "hoogste niveau",
                 id="what_if with level 9"),
]


@pytest.mark.parametrize("call,error,dutch", BAD)
def test_bad_input_raises_a_dutch_rules_error(book: RuleBook, call: Callable[[RuleBook], Any],
                                              error: type[RulesError], dutch: str) -> None:
    with pytest.raises(error) as exc:
        call(book)
    assert isinstance(exc.value, RulesError)
    assert dutch in exc.value.message
    assert str(exc.value) == exc.value.message


@pytest.mark.parametrize("typed,level,applicable", [
    ("rado", "basis bekwaam", True),       # aliases from registration.yml (002, Procedure herregistratie)
    ("Registeradjunct-directeur Onderwijs", "basisbekwaam", True),
    ("registerdirecteur", None, False),
    ("RADO", "Vakbekwaam", False),
])
def test_registration_type_and_level_accept_their_names(book: RuleBook, typed: str, level: Any, applicable: bool) -> None:
    ev = book.evaluate(Dossier((D("vakbekwaam"),), registration_type=typed, level=level), NEW)
    status = {s.route.id: s for s in ev.routes}["vakbekwaam"]
    assert status.applicable is applicable
    assert status.complete is applicable


# -- values, not wording (issue 15) -------------------------------------------------------------------
def test_route_statuses_are_values_worded_by_the_renderer(book: RuleBook) -> None:
    ev = book.evaluate(Dossier((D("vakbekwaam"), P("LK1")), registration_type="RDO"), NEW)
    status = {s.route.id: s for s in ev.routes}
    assert (status["vakbekwaam"].applicable, status["vakbekwaam"].has_diploma) == (False, True)
    assert route_status_text(status["vakbekwaam"]).startswith("niet voor jou: alleen als je als RADO")
    assert route_status_text(status["master"]) == "geen diploma gemeld"
    assert route_status_text(status["professionalisering"]) == "nog niet voldaan"


def test_each_regulation_refers_to_its_model_object(book: RuleBook) -> None:
    old, new = book.regulation_on(OLD), book.regulation_on(NEW)
    assert isinstance(old.model, ThemesModel) and isinstance(new.model, PointsModel)
    assert old.model != new.model and new.model == PointsModel()
    assert new.model.requirement(new).points.value == 100
    assert old.model.requirement(old).min_themes.value == 3
