"""Typed, immutable objects for the register's rules as loaded from `data/*.yml`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, Literal, Mapping, TypeVar

if TYPE_CHECKING:
    from .counting import RegulationModel

T = TypeVar("T")

Form = Literal["vooraf", "formeel", "informeel", "none"]


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower-case, accents stripped, dashes and underscores as spaces, white space folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[\u2010-\u2015_\-]+", " ", plain.lower())
    return re.sub(r"\s+", " ", plain).strip()


@dataclass(frozen=True)
class Source:
    """A seed document and a section heading in it (None: the document as a whole)."""

    seed: str
    section: str | None
    title: str
    publisher: str

    def for_user(self) -> str:
        """How a user sees the source: publisher, document and section (no internal file name)."""
        where = f", onderdeel ‘{self.section}’" if self.section else ""
        return f"{self.publisher}, ‘{self.title}’{where}"

    def cite(self) -> str:
        return f"{self.for_user()} ({self.seed})"


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One value with its source and an optional clarifying note."""

    value: T
    source: Source
    note: str | None = None


@dataclass(frozen=True)
class Info:
    """A descriptive block (costs, steps, enrolment...) kept as data for rendering, with its source."""

    data: Mapping[str, Any]
    source: Source
    # Other seeds the block draws on ("a positive valuation gives a certificate": B&T's ninth step).
    also: tuple[Source, ...] = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        return (self.source, *self.also)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True)
class Named:
    """Something with an id, a display name and aliases people use for it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    source: Source

    def names(self) -> tuple[str, ...]:
        return (self.id, self.name, *self.aliases)


@dataclass(frozen=True)
class SubTheme:
    id: str
    name: str
    aliases: tuple[str, ...]

    def names(self) -> tuple[str, ...]:
        return (self.id, self.name, *self.aliases)


@dataclass(frozen=True)
class Theme(Named):
    regulations: tuple[str, ...] = ()
    subthemes: tuple[SubTheme, ...] = ()

    def subtheme_named(self, name: str) -> SubTheme | None:
        """The sub-theme one of whose names `name` is (case, accents, dashes ignored), or None."""
        key = normalise(name)
        return next((sub for sub in self.subthemes if key in {normalise(n) for n in sub.names()}), None)


@dataclass(frozen=True)
class ThemeRef:
    theme: Theme
    subtheme: SubTheme | None = None

    @property
    def label(self) -> str:
        if self.subtheme is None:
            return self.theme.name
        return f"{self.theme.name} (deelthema: {self.subtheme.name.lower()})"


@dataclass(frozen=True)
class Recognition:
    """How the register counts a programme from `valid_from` on."""

    valid_from: date
    form: Form
    points: int | None
    themes: tuple[ThemeRef, ...]
    source: Source
    value_text: str | None = None
    note: str | None = None
    # Set when the source gives no date: the regulation whose unit the value is in (valid_from is its start).
    valid_under: str | None = None


@dataclass(frozen=True)
class Programme(Named):
    short: str = ""
    provider: str = ""
    certified: Fact[bool] | None = None
    certified_by: str | None = None
    recognition: tuple[Recognition, ...] = ()
    info: Mapping[str, Info] = field(default_factory=dict)

    def recognition_on(self, day: date) -> Recognition | None:
        current: Recognition | None = None
        for entry in self.recognition:
            if entry.valid_from <= day:
                current = entry
        return current


@dataclass(frozen=True)
class RouteCondition:
    registration_type: str | None
    level: str | None
    text: str


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    short: str
    diploma: str | None
    professionalisation: bool
    condition: RouteCondition | None
    source: Source


@dataclass(frozen=True)
class LearningForm:
    id: str
    name: str
    description: str
    replaces: str | None = None


@dataclass(frozen=True)
class ValuationPoints:
    min_level: int
    max_level: int
    base: int
    extra_by_level: Mapping[int, int]

    def extra(self, level: int) -> int:
        return self.extra_by_level.get(level, 0)


@dataclass(frozen=True)
class Transition:
    until: date
    text: str


@dataclass(frozen=True)
class Regulation:
    """One version of the herregistratie rules, in force on [valid_from, valid_until)."""

    id: str
    name: str
    valid_from: date
    valid_until: date | None
    source: Source
    model: RegulationModel           # how it counts professionalisation (points, themes): counting.py
    cycle_years: Fact[int]
    routes: Fact[tuple[str, ...]]
    learning_forms: Fact[tuple[LearningForm, ...]]
    themes_must_differ: Fact[bool]
    min_themes: Fact[int] | None = None
    theme_count: Fact[int] | None = None
    points_required: Fact[int] | None = None
    valuation_points: Fact[ValuationPoints] | None = None
    standard: Fact[Mapping[str, Any]] | None = None
    themes_reordered: Fact[str] | None = None
    new_themes_per_year: Fact[int] | None = None
    transition: Fact[Transition] | None = None
    note: str | None = None
    # The parameters this version sets itself (not copied by `based_on`): what a later version covers.
    declared: frozenset[str] = frozenset()

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


@dataclass(frozen=True)
class Trajectory(Named):
    """A certified valuation trajectory (achteraf waarderen), such as B&T's."""

    short: str = ""
    provider: str = ""
    info: Mapping[str, Info] = field(default_factory=dict)


@dataclass(frozen=True)
class LaterChange:
    """A change the register made after the sources, known from its public pages but not in the data."""

    subject: str                     # Dutch, as the answer says it: "de lengte van een periode"
    parameters: tuple[str, ...]      # regulation parameters (or other subjects) it touches
    reference: str                   # where the register describes the rules of now
    since: date | None = None


@dataclass(frozen=True)
class Currency:
    """Up to when the sources describe the register ("bronnen bijgewerkt tot"), and what changed later."""

    current_until: date
    later_changes: tuple[LaterChange, ...] = ()
