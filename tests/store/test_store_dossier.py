"""From stored records to the rules module's Dossier: only approved activities count."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers.explain import explain
from bot.register import (
    DiplomaActivity,
    ProgrammeActivity,
    RuleBook,
    UnknownProgramme,
    ValuationActivity,
)
from bot.store import ActivityRecord, LeaderRecord, Store, pending, to_dossier
from bot.store.demo import install_demo

TODAY = date(2026, 11, 22)
LEADER = LeaderRecord("100234", "Anna de Vries", "anna@example.nl", "RDO", None, date(2019, 3, 1),
                      date(2023, 3, 1), date(2027, 3, 1))


def act(ident: int, kind: str, status: str, done: date = date(2024, 6, 1), *, programme: str | None = None,
        themes: tuple[str, ...] = (), learning_level: int | None = None, diploma: str | None = None,
        points_awarded: int | None = None) -> ActivityRecord:
    return ActivityRecord(ident, "100234", kind, programme, themes, learning_level, diploma, points_awarded, done,
                          status, None)


LK1 = act(1, "programme", "goedgekeurd", programme="leerkracht-jaar-1", points_awarded=70)
TWO_THEMES = act(2, "valuation", "goedgekeurd", themes=("kwaliteitsmanagement", "verandermanagement"),
                 learning_level=5)
SUBMITTED = act(3, "valuation", "ingediend", themes=("persoonlijk-leiderschap",), learning_level=6)
PLANNED = act(4, "programme", "gepland", date(2027, 1, 1), programme="leerkracht-schoolleidersprogramma")
REJECTED = act(5, "valuation", "afgewezen", themes=("visiegestuurd-onderwijs",), learning_level=4)
DIPLOMA = act(6, "diploma", "goedgekeurd", diploma="vakbekwaam")
ALL = (LK1, TWO_THEMES, SUBMITTED, PLANNED, REJECTED)


def test_only_approved_activities_enter_the_dossier() -> None:
    dossier = to_dossier(LEADER, ALL)
    assert dossier.registration_type == "RDO" and dossier.level is None
    assert dossier.period_start == date(2023, 3, 1)
    assert dossier.activities == (
        ProgrammeActivity("leerkracht-jaar-1", date(2024, 6, 1)),
        ValuationActivity(level=5, theme="kwaliteitsmanagement", count=1, completed_on=date(2024, 6, 1)),
        ValuationActivity(level=5, theme="verandermanagement", count=1, completed_on=date(2024, 6, 1)),
    )


def test_pending_are_planned_and_submitted_only() -> None:
    assert pending(ALL) == (SUBMITTED, PLANNED)
    assert pending(()) == ()


def test_include_widens_the_dossier() -> None:
    dossier = to_dossier(LEADER, ALL, include=("goedgekeurd", "ingediend"))
    assert ValuationActivity(level=6, theme="persoonlijk-leiderschap", count=1,
                             completed_on=date(2024, 6, 1)) in dossier.activities
    assert len(dossier.activities) == 4


def test_diploma_and_valuation_without_theme() -> None:
    no_theme = act(7, "valuation", "goedgekeurd", learning_level=4)
    dossier = to_dossier(LEADER, (DIPLOMA, no_theme))
    assert dossier.activities == (DiplomaActivity("vakbekwaam", date(2024, 6, 1)),
                                  ValuationActivity(level=4, theme=None, count=1, completed_on=date(2024, 6, 1)))


def test_evaluation_counts_only_approved(book: RuleBook) -> None:
    evaluation = book.evaluate(to_dossier(LEADER, ALL), TODAY)
    # 70 + 2 × (10 + 10 at level 5); the submitted level-6 theme (30) and the rejected one do not count.
    assert evaluation.total_points == 110
    assert "70 (leerKRACHT jaar-1)" in explain(evaluation).text


def test_unknown_programme_is_kept_so_the_rules_report_it(book: RuleBook) -> None:
    odd = act(8, "programme", "goedgekeurd", programme="harvard-mba")
    dossier = to_dossier(LEADER, (LK1, odd))
    assert ProgrammeActivity("harvard-mba", date(2024, 6, 1)) in dossier.activities
    with pytest.raises(UnknownProgramme):
        book.evaluate(dossier, TODAY)


def test_demo_leaders_evaluate_as_documented(store: Store, book: RuleBook) -> None:
    install_demo(store, book, TODAY)
    anna = store.leader("100234")
    assert anna is not None
    activities = store.activities("100234")
    assert len(pending(activities)) == 1
    evaluation = book.evaluate(to_dossier(anna, activities), TODAY)
    assert evaluation.total_points == 70 and evaluation.points_missing == 30
    assert 0 < (anna.period_end - TODAY).days <= 183          # the unasked warning applies
    what_if = book.what_if(to_dossier(anna, activities), (ValuationActivity(level=6),), TODAY)
    assert what_if.after.total_points == 100
    bram = store.leader("100235")
    assert bram is not None and (bram.registration_type, bram.level) == ("RADO", "basisbekwaam")
    assert book.evaluate(to_dossier(bram, store.activities("100235")), TODAY).complete
    carla = store.leader("100236")
    assert carla is not None and store.activities("100236") == ()
    assert store.leader_by_identity("rest", "demo-100234") == anna
