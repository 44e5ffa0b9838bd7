"""The regulation models: how a regulation counts professionalisation. One class per model.

A regulation refers to its model object (`Regulation.model`); the rules module asks it what a programme
or a valuation is worth, how a dossier is summed up and whether professionalisation is complete; the
answers ask it what professionalisation asks. A third model is one new class here, added to `MODELS`
(and, for its wording, one function per dispatch in `bot.answers.explain` / `bot.answers.common`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from ..dutch import join_nl
from .errors import InvalidInput, InvalidLevel
from .model import Fact, LearningForm, Recognition, Regulation, ThemeRef
from .results import CoveredTheme, NoPointValue, Tally, Term, Valuation


@dataclass(frozen=True)
class PointsRequirement:
    """Professionalisation asks `points` in a period."""

    points: Fact[int]


@dataclass(frozen=True)
class ThemesRequirement:
    """Professionalisation asks development on at least `min_themes` (of `theme_count`) themes, via one of
    the learning forms."""

    min_themes: Fact[int]
    theme_count: Fact[int] | None
    learning_forms: Fact[tuple[LearningForm, ...]]


Requirement = PointsRequirement | ThemesRequirement


@dataclass(frozen=True)
class RegulationModel(ABC):
    """How a regulation counts professionalisation."""

    id: ClassVar[str]          # the model's name in regulations.yml
    needs: ClassVar[str]       # the Regulation parameter a regulation of this model must set

    @abstractmethod
    def programme_points(self, recognition: Recognition) -> int | NoPointValue | None:
        """A recognised programme's points (None: this model counts no points), or why it has none."""

    @abstractmethod
    def valuation(self, regulation: Regulation, count: int, ref: ThemeRef | None, level: object,
                  when: date | None) -> Term:
        """What valuing `count` themes (`ref`, or unnamed) at `level` is worth. Raises a RulesError for
        input this model cannot value."""

    @abstractmethod
    def tally(self, regulation: Regulation, terms: Sequence[Term], covered: Sequence[CoveredTheme]) -> Tally:
        """A dossier summed up: what it has, what the regulation requires, what is missing."""

    @abstractmethod
    def professionalisation_complete(self, tally: Tally) -> bool:
        """Whether the professionalisation route is complete for a dossier so summed up."""

    @abstractmethod
    def requirement(self, regulation: Regulation) -> Requirement:
        """What professionalisation asks under the regulation."""


@dataclass(frozen=True)
class PointsModel(RegulationModel):
    """Points: a fixed value per programme, per valued theme a base plus an extra by learning level, and a
    total a period requires (the rules from 17 november 2020)."""

    id: ClassVar[str] = "points"
    needs: ClassVar[str] = "points_required"

    def programme_points(self, recognition: Recognition) -> int | NoPointValue | None:
        return recognition.points if recognition.points is not None else NoPointValue()

    def valuation(self, regulation: Regulation, count: int, ref: ThemeRef | None, level: object,
                  when: date | None) -> Term:
        rules = regulation.valuation_points
        if rules is None:
            raise InvalidInput(f"Onder {regulation.name} ken ik geen puntenregel voor waarderingen.")
        vp = rules.value
        if level is None:
            levels = [str(n) for n in range(vp.min_level, vp.max_level + 1)]
            raise InvalidLevel(
                f"Op welk leerniveau is het thema gewaardeerd? Dat kan niveau {join_nl(levels, 'of')} zijn."
            )
        if isinstance(level, bool) or not isinstance(level, int):
            raise InvalidLevel(f"Het leerniveau moet een getal van {vp.min_level} tot en met {vp.max_level} zijn.")
        if level < vp.min_level:
            raise InvalidLevel(
                f"Een thema telt pas mee vanaf leerniveau {vp.min_level}. Op niveau {level} levert het geen punten op."
            )
        if level > vp.max_level:
            raise InvalidLevel(f"Leerniveau {level} bestaat niet in de regels; het hoogste niveau is {vp.max_level}.")
        extra = vp.extra(level)
        transition = regulation.transition
        in_transition = when is not None and transition is not None and when < transition.value.until
        valued = Valuation(count, ref, level, vp.base, extra, in_transition)
        return Term(valued, (vp.base + extra) * count, (ref,) if ref is not None else (), (rules.source,),
                    unnamed_themes=0 if ref is not None else count)

    def tally(self, regulation: Regulation, terms: Sequence[Term], covered: Sequence[CoveredTheme]) -> Tally:
        if regulation.points_required is None:
            return Tally()
        total = sum(t.points or 0 for t in terms)
        required = regulation.points_required.value
        return Tally(total_points=total, points_required=required, points_missing=max(0, required - total))

    def professionalisation_complete(self, tally: Tally) -> bool:
        return tally.points_missing == 0

    def requirement(self, regulation: Regulation) -> PointsRequirement:
        assert regulation.points_required is not None  # the loader checks `needs`
        return PointsRequirement(regulation.points_required)


@dataclass(frozen=True)
class ThemesModel(RegulationModel):
    """Themes: development on a minimum number of different themes, no points (the rules before
    17 november 2020)."""

    id: ClassVar[str] = "themes"
    needs: ClassVar[str] = "min_themes"

    def programme_points(self, recognition: Recognition) -> int | NoPointValue | None:
        return None

    def valuation(self, regulation: Regulation, count: int, ref: ThemeRef | None, level: object,
                  when: date | None) -> Term:
        return Term(Valuation(count, ref), None, (ref,) if ref is not None else (),
                    (regulation.learning_forms.source,), unnamed_themes=0 if ref is not None else count)

    def tally(self, regulation: Regulation, terms: Sequence[Term], covered: Sequence[CoveredTheme]) -> Tally:
        if regulation.min_themes is None:
            return Tally()
        required = regulation.min_themes.value
        return Tally(themes_required=required, themes_missing=max(0, required - sum(1 for c in covered if c.full)))

    def professionalisation_complete(self, tally: Tally) -> bool:
        return tally.themes_missing == 0

    def requirement(self, regulation: Regulation) -> ThemesRequirement:
        assert regulation.min_themes is not None  # the loader checks `needs`
        return ThemesRequirement(regulation.min_themes, regulation.theme_count, regulation.learning_forms)


# The models the data may name, by their name in regulations.yml.
MODELS: dict[str, RegulationModel] = {m.id: m for m in (ThemesModel(), PointsModel())}
