"""Properties over random dossiers of valid activities (hypothesis)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answers.explain import explain
from bot.register import (
    DiplomaActivity,
    Dossier,
    ProgrammeActivity,
    RuleBook,
    ValuationActivity,
    load_rules,
)

BOOK: RuleBook = load_rules()
# database=None: no .hypothesis/ folder in the repository.
SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

PROGRAMME_NAMES = [
    "leerKRACHT jaar-1", "LK1", "leerkracht jaar 1", "het schoolleidersprogramma", "SLP",
    "Teamcoaching voor managers", "Coachingsvaardigheden", "directieprogramma",
]
THEME_NAMES = [None, *[t.name for t in BOOK.themes.values()], "kwaliteitszorg"]

# Dates on which the points rules apply (srpo-2020 onwards, within the shipped data).
new_days = st.dates(min_value=date(2020, 11, 17), max_value=date(2040, 12, 31))
old_days = st.dates(min_value=date(2013, 1, 1), max_value=date(2020, 11, 16))
completion = st.one_of(st.none(), st.dates(min_value=date(2013, 1, 1), max_value=date(2040, 12, 31)))

programmes = st.builds(ProgrammeActivity, programme=st.sampled_from(PROGRAMME_NAMES), completed_on=completion)
valuations = st.builds(
    ValuationActivity,
    level=st.integers(min_value=4, max_value=6),
    theme=st.sampled_from(THEME_NAMES),
    count=st.integers(min_value=1, max_value=20),
    completed_on=completion,
)
diplomas = st.builds(DiplomaActivity, diploma=st.sampled_from(["master", "vakbekwaam"]))
activities = st.one_of(programmes, valuations, diplomas)
activity_lists = st.lists(activities, max_size=25).map(tuple)
dossiers = st.builds(
    Dossier,
    activities=activity_lists,
    registration_type=st.sampled_from([None, "RDO", "RADO"]),
    level=st.sampled_from([None, "basisbekwaam", "vakbekwaam"]),
)


def points_of(activity: Any, on: date) -> int:
    value = BOOK.value_of(activity, on)
    if value.term is None or value.term.points is None:
        return 0
    return value.term.points


def split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def derivation(first_line: str) -> tuple[list[int], int]:
    """'a (..) + b (..) = total van de N; ...' -> ([a, b], total)."""
    if first_line.startswith("Je hebt nog geen punten: 0 van de"):
        return [], 0
    left, right = split_top(first_line, " = ")[:2]
    terms = [int(re.match(r"\s*(\d+) \(", part).group(1)) for part in split_top(left, " + ")]  # type: ignore[union-attr]
    total = int(re.match(r"(\d+) van de \d+;", right).group(1))  # type: ignore[union-attr]
    return terms, total


@SETTINGS
@given(dossier=dossiers, on=new_days)
def test_total_is_the_sum_of_activity_points(dossier: Dossier, on: date) -> None:
    ev = BOOK.evaluate(dossier, on)
    assert ev.total_points == sum(points_of(a, on) for a in dossier.activities)
    assert ev.total_points == sum(t.points or 0 for t in ev.terms)


@SETTINGS
@given(dossier=dossiers, extra=activities, on=new_days)
def test_adding_an_activity_never_lowers_the_total(dossier: Dossier, extra: Any, on: date) -> None:
    before = BOOK.evaluate(dossier, on)
    after = BOOK.evaluate(Dossier(dossier.activities + (extra,), dossier.registration_type, dossier.level), on)
    assert after.total_points is not None and before.total_points is not None
    assert after.total_points >= before.total_points
    assert after.total_points - before.total_points == points_of(extra, on)
    assert len(after.themes_covered) >= len(before.themes_covered)
    if before.complete:
        assert after.complete


@SETTINGS
@given(dossier=dossiers, on=new_days)
def test_points_missing(dossier: Dossier, on: date) -> None:
    ev = BOOK.evaluate(dossier, on)
    assert ev.points_required == 100
    assert ev.points_missing == max(0, 100 - (ev.total_points or 0))
    professionalisation = next(s for s in ev.routes if s.route.id == "professionalisering")
    assert professionalisation.complete is (ev.points_missing == 0)


@SETTINGS
@given(dossier=dossiers, on=new_days)
def test_explanation_derivation_sums_to_the_total(dossier: Dossier, on: date) -> None:
    ev = BOOK.evaluate(dossier, on)
    # A completed diploma route is said first (what is true first); the derivation follows it.
    lines = [line for line in explain(ev).lines if not line.startswith("Je hebt een diploma voor de")]
    terms, total = derivation(lines[0])
    assert total == ev.total_points
    assert sum(terms) == ev.total_points
    assert terms == [t.points for t in ev.terms]


@SETTINGS
@given(dossier=dossiers, on=new_days)
def test_explanation_mentions_the_total(dossier: Dossier, on: date) -> None:
    ev = BOOK.evaluate(dossier, on)
    assert f"{ev.total_points} van de 100" in explain(ev).text
    if any(s.route.diploma and s.complete for s in ev.routes):
        # What is true first: the diploma route is met, so no "je mist nog ..." at all.
        assert explain(ev).lines[0].startswith("Je hebt een diploma voor de")
        assert "je mist" not in explain(ev).text
        assert ("heb je geen punten nodig" if ev.points_missing else "je hebt genoeg punten") in explain(ev).text
    elif ev.points_missing:
        assert f"je mist nog {ev.points_missing} punten" in explain(ev).text
    else:
        assert "je hebt genoeg punten" in explain(ev).text
    assert explain(ev).sources


@SETTINGS
@given(dossier=dossiers, extra=activities, on=new_days)
def test_what_if_agrees_with_evaluate(dossier: Dossier, extra: Any, on: date) -> None:
    result = BOOK.what_if(dossier, [extra], on)
    assert result.gained_points == points_of(extra, on)
    assert result.after.total_points == BOOK.evaluate(
        Dossier(dossier.activities + (extra,), dossier.registration_type, dossier.level), on
    ).total_points


@SETTINGS
@given(dossier=dossiers, extra=activities, on=old_days)
def test_old_rules_themes_monotone_and_counted_in_explanation(dossier: Dossier, extra: Any, on: date) -> None:
    before = BOOK.evaluate(dossier, on)
    after = BOOK.evaluate(Dossier(dossier.activities + (extra,), dossier.registration_type, dossier.level), on)
    assert before.total_points is None and before.themes_required == 3
    full_before = sum(1 for c in before.themes_covered if c.full)
    full_after = sum(1 for c in after.themes_covered if c.full)
    assert full_after >= full_before
    assert before.themes_missing == max(0, 3 - full_before)
    derivation_line = [line for line in explain(before).lines if not line.startswith("Je hebt een diploma voor de")][0]
    assert f"{full_before} van de 3" in derivation_line
