"""Typed, immutable objects for the register's rules as loaded from `data/*.yml`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

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


# -- descriptive blocks -------------------------------------------------------------------------
# What the data says about a programme, a trajectory or the register in words: each kind of block its
# own type, parsed and checked by the loader, so a renderer reads attributes, never keys.
@dataclass(frozen=True, kw_only=True)
class Info:
    """A descriptive block with its source; `key` is its name in the data ("costs", "phases")."""

    key: str
    source: Source
    # Other seeds the block draws on ("a positive valuation gives a certificate": B&T's ninth step).
    also: tuple[Source, ...] = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        return (self.source, *self.also)


@dataclass(frozen=True, kw_only=True)
class TextInfo(Info):
    """A block whose content is one text (enrolment, the upload of a certificate, ...)."""

    text: str


@dataclass(frozen=True, kw_only=True)
class ListInfo(Info):
    """A block whose content is a list of texts (learning goals, benefits, steps, activities)."""

    items: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class StudyLoad(Info):
    hours: int


@dataclass(frozen=True, kw_only=True)
class ProgrammeCosts(TextInfo):
    min_eur: int | None = None
    max_eur: int | None = None
    vat: str | None = None


@dataclass(frozen=True, kw_only=True)
class Validation(ListInfo):
    """What a participant does for a programme, who validates it, and the certificate."""

    validated_by: str
    certificate: str


@dataclass(frozen=True)
class Phase:
    name: str
    description: str


@dataclass(frozen=True, kw_only=True)
class Phases(Info):
    stated_count: int
    items: tuple[Phase, ...]
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Regions(Info):
    """A text per school sector (what a directieteam is in PO, MBO and VO)."""

    po: str | None = None
    mbo: str | None = None
    vo: str | None = None


@dataclass(frozen=True, kw_only=True)
class Contact(Info):
    name: str | None = None
    role: str | None = None
    text: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, kw_only=True)
class Certification(Info):
    value: bool
    by: str | None = None


@dataclass(frozen=True, kw_only=True)
class Count(Info):
    value: int
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Offer(TextInfo):
    """Something a trajectory offers that is not required (guidance)."""

    optional: bool


@dataclass(frozen=True, kw_only=True)
class Instrument(Offer):
    name: str


@dataclass(frozen=True)
class CostItem:
    id: str
    name: str
    eur: int


@dataclass(frozen=True, kw_only=True)
class TrajectoryCosts(Info):
    items: tuple[CostItem, ...]
    vat_included: bool

    def item(self, item_id: str) -> CostItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True, kw_only=True)
class Herregistratie(TextInfo):
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LearningLevels(Info):
    known: tuple[int, ...]
    meaning_in_sources: bool
    note: str


@dataclass(frozen=True, kw_only=True)
class ValuationInfo(TextInfo):
    assessor: str


@dataclass(frozen=True, kw_only=True)
class Founded(TextInfo):
    year: int


@dataclass(frozen=True, kw_only=True)
class Board(Info):
    members: tuple[str, ...]


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    aliases: tuple[str, ...]
    role: str


@dataclass(frozen=True, kw_only=True)
class Bodies(Info):
    items: tuple[Body, ...]
    advice: str
    composition: str


@dataclass(frozen=True)
class Organisation:
    founded: Founded
    board: Board
    bodies: Bodies
    activities: ListInfo
    cycle: TextInfo


@dataclass(frozen=True)
class RegisterTexts:
    """The register's own descriptive texts (not about one programme)."""

    herregistratie: Herregistratie
    certificate_upload: TextInfo
    learning_levels: LearningLevels
    valuation: ValuationInfo
    organisation: Organisation

    def blocks(self) -> tuple[Info, ...]:
        org = self.organisation
        return (self.herregistratie, self.certificate_upload, self.learning_levels, self.valuation,
                org.founded, org.board, org.bodies, org.activities, org.cycle)


@dataclass(frozen=True)
class Standard:
    """The professional standard (beroepsstandaard) as a regulation names it."""

    term: str
    replaces: str | None
    practices: tuple[str, ...]
    also: str
    also_description: str


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
    study_load_hours: StudyLoad | None = None
    costs: ProgrammeCosts | None = None
    enrolment: TextInfo | None = None
    validation: Validation | None = None
    learning_goals: ListInfo | None = None
    phases: Phases | None = None
    directieteam: Regions | None = None
    benefits: ListInfo | None = None
    contact: Contact | None = None

    def blocks(self) -> tuple[Info, ...]:
        """Its descriptive blocks, in the order of the data."""
        return _present(self.study_load_hours, self.costs, self.enrolment, self.validation, self.learning_goals,
                        self.phases, self.directieteam, self.benefits, self.contact)

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
    standard: Fact[Standard] | None = None
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
    certified: Certification | None = None
    themes_per_valuation: Count | None = None
    steps: ListInfo | None = None
    guidance: Offer | None = None
    reflection_instrument: Instrument | None = None
    costs: TrajectoryCosts | None = None
    contact: Contact | None = None

    def blocks(self) -> tuple[Info, ...]:
        """Its descriptive blocks, in the order of the data."""
        return _present(self.certified, self.themes_per_valuation, self.steps, self.guidance,
                        self.reflection_instrument, self.costs, self.contact)


def _present(*blocks: Info | None) -> tuple[Info, ...]:
    return tuple(block for block in blocks if block is not None)


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
