"""What the rules module computes with and returns: activities and dossiers in, values out.

Results are values (numbers, lists, statuses, reasons with their parameters) with their sources; no
Dutch sentences. How they read is `bot.answers.explain`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from .model import Programme, Recognition, Regulation, Route, Source, Theme, ThemeRef


# -- activities and dossiers -----------------------------------------------------------------
@dataclass(frozen=True)
class ProgrammeActivity:
    """A programme followed and completed (vooraf gewaardeerd or certified formal learning)."""

    programme: str
    completed_on: date | None = None


@dataclass(frozen=True)
class ValuationActivity:
    """Learning valued afterwards: `count` themes valued at `level` (level None under the old rules)."""

    level: int | None = None
    theme: str | None = None
    count: int = 1
    completed_on: date | None = None


@dataclass(frozen=True)
class DiplomaActivity:
    """A diploma that is a route of its own: 'master' (NVAO) or 'vakbekwaam'."""

    diploma: Literal["master", "vakbekwaam"]
    completed_on: date | None = None


Activity = ProgrammeActivity | ValuationActivity | DiplomaActivity


@dataclass(frozen=True)
class Dossier:
    """What a leader has done in one herregistratie period."""

    activities: tuple[Activity, ...] = ()
    registration_type: str | None = None
    level: str | None = None
    period_start: date | None = None


# -- what counted ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Valuation:
    """A valuation afterwards as the rules counted it: `count` themes (`ref`, or unnamed), and under a
    model that values levels, the level with its points per theme (`base` + `extra`)."""

    count: int
    ref: ThemeRef | None
    level: int | None = None          # None: the model values no levels (themes)
    base: int = 0
    extra: int = 0
    transition: bool = False          # valued in the regulation's transition period


@dataclass(frozen=True)
class Term:
    """One counted activity: what it is (a programme or a valuation), its points (None: the model counts
    no points), the themes it covers, and its sources."""

    subject: Programme | Valuation
    points: int | None
    themes: tuple[ThemeRef, ...]
    sources: tuple[Source, ...]
    unnamed_themes: int = 0


# -- why something does not count --------------------------------------------------------------
@dataclass(frozen=True)
class NoRecognition:
    """The sources give the programme no value on `day`."""

    day: date


@dataclass(frozen=True)
class NotCertified:
    """The sources do not name the programme as certified (recognition form 'none')."""


@dataclass(frozen=True)
class Informal:
    """The programme is informal learning; the sources give it no points."""


@dataclass(frozen=True)
class NoPointValue:
    """The model counts points, and the sources give the programme none."""


@dataclass(frozen=True)
class OtherModel:
    """Valued on `valued_on` under `valued_under`, whose model differs from `counted_under`'s."""

    valued_on: date
    valued_under: Regulation
    counted_under: Regulation


@dataclass(frozen=True)
class RouteAbsent:
    """A diploma route that the regulation does not have."""

    regulation: Regulation


@dataclass(frozen=True)
class OutsidePeriod:
    """Completed on `completed_on`, outside the period [start, end)."""

    completed_on: date
    start: date
    end: date


Reason = NoRecognition | NotCertified | Informal | NoPointValue | OtherModel | RouteAbsent | OutsidePeriod

# What was not counted: the programme or route the rules resolved, the valuation as counted, or (outside
# the period, where nothing is valued) the activity itself.
UnvaluedSubject = Programme | Route | Valuation | ValuationActivity | DiplomaActivity


@dataclass(frozen=True)
class Unvalued:
    """An activity that does not count, and why."""

    subject: UnvaluedSubject
    reason: Reason
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class ActivityValue:
    """What one activity is worth under one regulation."""

    regulation: Regulation
    term: Term | None
    unvalued: Unvalued | None
    diploma: str | None = None


# -- a dossier's evaluation ------------------------------------------------------------------
@dataclass(frozen=True)
class CoveredTheme:
    """A theme the dossier covers, by which terms, and whether in full (not only a sub-theme)."""

    theme: Theme
    via: tuple[Term, ...]
    full: bool


@dataclass(frozen=True)
class RouteStatus:
    route: Route
    applicable: bool | None      # None: unknown (the dossier lacks registration type or level)
    complete: bool
    has_diploma: bool = False    # the dossier reports the route's diploma


@dataclass(frozen=True)
class Tally:
    """How a regulation's model sums a dossier up: points, or themes (the other kind stays None)."""

    total_points: int | None = None
    points_required: int | None = None
    points_missing: int | None = None
    themes_required: int | None = None
    themes_missing: int | None = None


@dataclass(frozen=True)
class Evaluation:
    regulation: Regulation
    on: date
    terms: tuple[Term, ...]
    unvalued: tuple[Unvalued, ...]
    diplomas: tuple[str, ...]
    total_points: int | None
    points_required: int | None
    points_missing: int | None
    themes_covered: tuple[CoveredTheme, ...]
    themes_required: int | None
    themes_missing: int | None
    routes: tuple[RouteStatus, ...]

    @property
    def complete(self) -> bool:
        return any(status.complete for status in self.routes)


@dataclass(frozen=True)
class WhatIf:
    before: Evaluation
    after: Evaluation
    added: tuple[Term, ...]

    @property
    def gained_points(self) -> int | None:
        if self.before.total_points is None or self.after.total_points is None:
            return None
        return self.after.total_points - self.before.total_points


@dataclass(frozen=True)
class ProgrammeForTheme:
    programme: Programme
    recognition: Recognition
    ref: ThemeRef
