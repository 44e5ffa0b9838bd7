"""The rules module: computes with the register's rules data. No Rasa here.

Usage::

    book = load_rules()
    result = book.evaluate(Dossier(activities=(ProgrammeActivity("leerKRACHT jaar-1"),
                                                ValuationActivity(level=5))), on=date(2024, 1, 1))
    result.total_points, result.points_missing      # (90, 10)
    explain(result).text                            # bot.answers.explain
    # "70 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 90 van de 100; je mist nog 10 punten."

Every number comes from the data. The results are values (`results.py`): numbers, lists, statuses and
reasons with their parameters, with their sources; their wording is in `bot.answers.explain`. How a
regulation counts (points or themes) is its model object (`counting.py`). Every error is a `RulesError`
with a Dutch message.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from ..dutch import format_date
from .errors import (
    InvalidCount,
    InvalidInput,
    OutsideRegulations,
    UnknownProgramme,
    UnknownTheme,
)
from .loader import (
    DATA_DIR,
    Loader,
    RawData,
    check_unique_names,
    load_trajectories,
)
from .model import (
    Currency,
    LaterChange,
    Named,
    Programme,
    RegisterTexts,
    Regulation,
    Route,
    Theme,
    ThemeRef,
    Trajectory,
    normalise,
)
from .results import (
    Activity,
    ActivityValue,
    CoveredTheme,
    DiplomaActivity,
    Dossier,
    Evaluation,
    Informal,
    NoPointValue,
    NoRecognition,
    NotCertified,
    OtherModel,
    OutsidePeriod,
    ProgrammeActivity,
    ProgrammeForTheme,
    RouteAbsent,
    RouteStatus,
    Term,
    Unvalued,
    UnvaluedSubject,
    Valuation,
    ValuationActivity,
    WhatIf,
)

__all__ = [  # the results are re-exported: callers import activities and results from here or the package
    "Activity", "ActivityValue", "CoveredTheme", "DiplomaActivity", "Dossier", "Evaluation", "ProgrammeActivity",
    "ProgrammeForTheme", "RouteStatus", "RuleBook", "Term", "Unvalued", "Valuation", "ValuationActivity", "WhatIf",
    "add_years", "build", "format_date", "load_rules",
]

# Input sanity bounds. These are not register rules: they only stop nonsense input
# (a typo such as 1000 themes) from producing a number.
MAX_COUNT = 20
MAX_ACTIVITIES = 200


# -- the rule book ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleBook:
    """All rules and facts, loaded from one data folder."""

    folder: Path
    regulations: tuple[Regulation, ...]
    routes: Mapping[str, Route]
    registration_types: Mapping[str, Named]
    levels: Mapping[str, Named]
    themes: Mapping[str, Theme]
    programmes: Mapping[str, Programme]
    trajectories: Mapping[str, Trajectory]
    texts: RegisterTexts
    # Normalised id, name and alias -> item, per kind ("programme", "theme", "registration_type", "level").
    names: Mapping[str, Mapping[str, Named]] = field(default_factory=dict)
    currency: Currency | None = None

    def later_changes(self, regulation: Regulation, parameters: Iterable[str], today: date) -> tuple[LaterChange, ...]:
        """Changes the register made after the sources to these parameters of the rules of `today`, that no
        later regulation in the data covers. None (empty) for an old regulation: its rules are history."""
        if self.currency is None or today <= self.currency.current_until or regulation is not self.regulation_on(today):
            return ()
        covered = set().union(*(r.declared for r in self.regulations if r.valid_from > self.currency.current_until))
        asked = set(parameters)
        return tuple(c for c in self.currency.later_changes if (set(c.parameters) & asked) - covered)

    def find(self, kind: str, name: object) -> Named | None:
        """The item of a kind whose id, name or alias matches `name` (case, accents, dashes ignored)."""
        if not isinstance(name, str):
            return None
        return self.names.get(kind, {}).get(normalise(name))

    # -- lookups -------------------------------------------------------------------------
    def regulation_on(self, day: date) -> Regulation:
        _check_date(day, "datum")
        for regulation in self.regulations:
            if regulation.applies_on(day):
                return regulation
        first = self.regulations[0].valid_from
        if day < first:
            raise OutsideRegulations(
                f"Voor {format_date(day)} ken ik geen regels: de vroegste regels die ik ken gelden "
                f"vanaf {format_date(first)}."
            )
        raise OutsideRegulations(f"Voor {format_date(day)} ken ik geen regels.")

    def regulation(self, regulation_id: str) -> Regulation:
        for regulation in self.regulations:
            if regulation.id == regulation_id:
                return regulation
        raise InvalidInput(f"Regeling '{regulation_id}' ken ik niet.")

    def programme(self, name: str) -> Programme:
        found = self.find("programme", name)
        if not isinstance(found, Programme):
            known = ", ".join(p.short for p in self.programmes.values())
            raise UnknownProgramme(
                f"De opleiding '{_clip(name)}' ken ik niet. Ik ken: {known}. "
                "Staat jouw opleiding er niet bij? Dan kan de helpdesk je verder helpen."
            )
        return found

    def theme(self, name: str) -> Theme:
        found = self.find("theme", name)
        if not isinstance(found, Theme):
            known = ", ".join(t.name for t in self.themes.values())
            raise UnknownTheme(
                f"Het thema '{_clip(name)}' ken ik niet. Deze thema's staan in mijn bronnen: {known}."
            )
        return found

    def theme_ref(self, name: str) -> ThemeRef:
        """A theme, or the part of it a sub-theme's name points at ("omgaan met verschillen als team" is a
        sub-theme: it covers its theme only in part, as the sources leave open whether it counts as whole)."""
        theme = self.theme(name)
        return ThemeRef(theme, theme.subtheme_named(name))

    def route(self, route_id: str) -> Route:
        try:
            return self.routes[route_id]
        except KeyError:
            raise InvalidInput(f"Route '{_clip(route_id)}' ken ik niet.") from None

    # -- dates ---------------------------------------------------------------------------
    def period_end(self, registration_date: date) -> date:
        """End of the herregistratie period that starts on a (her)registratiedatum."""
        regulation = self.regulation_on(registration_date)
        return add_years(registration_date, regulation.cycle_years.value)

    # -- one activity --------------------------------------------------------------------
    def value_of(self, activity: Activity, on: date) -> ActivityValue:
        """What one activity is worth under the regulation in force on `on`.

        Raises a `RulesError` for input that cannot be computed (unknown programme, level below the
        minimum, bad count); returns `unvalued` with a reason when the rules give it no value.
        """
        regulation = self.regulation_on(on)
        when = activity.completed_on
        if when is not None:
            _check_date(when, "datum van de activiteit")
        if isinstance(activity, ProgrammeActivity):
            return self._programme_value(activity, regulation, when or on)
        if isinstance(activity, ValuationActivity):
            return self._valuation_value(activity, regulation, when)
        if isinstance(activity, DiplomaActivity):
            return self._diploma_value(activity, regulation)
        raise InvalidInput("Deze activiteit ken ik niet.")

    def _programme_value(self, activity: ProgrammeActivity, regulation: Regulation, day: date) -> ActivityValue:
        programme = self.programme(activity.programme)
        recognition = programme.recognition_on(day)
        if recognition is None:
            return ActivityValue(regulation, None, Unvalued(programme, NoRecognition(day), (programme.source,)))
        if recognition.form == "none":
            return ActivityValue(regulation, None, Unvalued(programme, NotCertified(), (recognition.source,)))
        if recognition.form == "informeel":
            return ActivityValue(regulation, None, Unvalued(programme, Informal(), (recognition.source,)))
        points = regulation.model.programme_points(recognition)
        if isinstance(points, NoPointValue):
            return ActivityValue(regulation, None, Unvalued(programme, points, (recognition.source,)))
        term = Term(programme, points, recognition.themes, (recognition.source,))
        return ActivityValue(regulation, term, None)

    def _valuation_value(self, activity: ValuationActivity, regulation: Regulation, when: date | None) -> ActivityValue:
        count = activity.count
        if isinstance(count, bool) or not isinstance(count, int) or count < 1 or count > MAX_COUNT:
            raise InvalidCount(
                f"Het aantal thema's moet een heel getal van 1 tot en met {MAX_COUNT} zijn; "
                f"'{_clip(str(count))}' kan ik niet gebruiken."
            )
        ref = self.theme_ref(activity.theme) if activity.theme is not None else None
        if when is not None:
            done_under = self.regulation_on(when)
            if done_under.model != regulation.model:
                return ActivityValue(regulation, None, Unvalued(
                    Valuation(count, ref), OtherModel(when, done_under, regulation),
                    (done_under.source, regulation.source),
                ))
        return ActivityValue(regulation, regulation.model.valuation(regulation, count, ref, activity.level, when), None)

    def _diploma_value(self, activity: DiplomaActivity, regulation: Regulation) -> ActivityValue:
        route = next((r for r in self.routes.values() if r.diploma == activity.diploma), None)
        if route is None:
            raise InvalidInput(f"Een diploma '{_clip(str(activity.diploma))}' ken ik niet als route.")
        if route.id not in regulation.routes.value:
            return ActivityValue(regulation, None, Unvalued(
                route, RouteAbsent(regulation), (regulation.routes.source,),
            ))
        return ActivityValue(regulation, None, None, diploma=activity.diploma)

    # -- a dossier -----------------------------------------------------------------------
    def evaluate(self, dossier: Dossier, on: date) -> Evaluation:
        regulation = self.regulation_on(on)
        dossier = self._resolve_dossier(dossier)
        period_end = self.period_end(dossier.period_start) if dossier.period_start else None
        terms: list[Term] = []
        unvalued: list[Unvalued] = []
        diplomas: list[str] = []
        for activity in dossier.activities:
            done = activity.completed_on
            if (done is not None and dossier.period_start is not None and period_end is not None
                    and not dossier.period_start <= done < period_end):
                    unvalued.append(Unvalued(
                        self._subject(activity), OutsidePeriod(done, dossier.period_start, period_end),
                        (self.routes["professionalisering"].source,),
                    ))
                    continue
            value = self.value_of(activity, on)
            if value.term is not None:
                terms.append(value.term)
            if value.unvalued is not None:
                unvalued.append(value.unvalued)
            if value.diploma is not None:
                diplomas.append(value.diploma)
        return self._summarise(dossier, regulation, on, tuple(terms), tuple(unvalued), tuple(diplomas))

    def what_if(self, dossier: Dossier, added: Sequence[Activity], on: date) -> WhatIf:
        before = self.evaluate(dossier, on)
        after = self.evaluate(
            Dossier(dossier.activities + tuple(added), dossier.registration_type, dossier.level, dossier.period_start),
            on,
        )
        return WhatIf(before, after, after.terms[len(before.terms):])

    def programmes_for_theme(self, theme: str, on: date) -> tuple[ProgrammeForTheme, ...]:
        """Programmes recognised on `on` that cover a theme (or one of its sub-themes)."""
        wanted = self.theme(theme)
        self.regulation_on(on)
        found = []
        for programme in self.programmes.values():
            recognition = programme.recognition_on(on)
            if recognition is None or recognition.form in ("none", "informeel"):
                continue
            for ref in recognition.themes:
                if ref.theme.id == wanted.id:
                    found.append(ProgrammeForTheme(programme, recognition, ref))
        return tuple(found)

    # -- internals -----------------------------------------------------------------------
    def _resolve_dossier(self, dossier: Dossier) -> Dossier:
        """Check a dossier and return it with registration type and level as canonical ids."""
        if len(dossier.activities) > MAX_ACTIVITIES:
            raise InvalidCount(f"Een dossier met meer dan {MAX_ACTIVITIES} activiteiten kan ik niet doorrekenen.")
        registration_type = level = None
        if dossier.registration_type is not None:
            found = self.find("registration_type", dossier.registration_type)
            if found is None:
                raise InvalidInput(
                    f"Registratietype '{_clip(dossier.registration_type)}' ken ik niet; het is RDO of RADO."
                )
            registration_type = found.id
        if dossier.level is not None:
            found = self.find("level", dossier.level)
            if found is None:
                raise InvalidInput(f"Niveau '{_clip(dossier.level)}' ken ik niet; het is basisbekwaam of vakbekwaam.")
            level = found.id
        if dossier.period_start is not None:
            _check_date(dossier.period_start, "begindatum van je periode")
        for activity in dossier.activities:
            if not isinstance(activity, (ProgrammeActivity, ValuationActivity, DiplomaActivity)):
                raise InvalidInput("Deze activiteit ken ik niet.")
            if activity.completed_on is not None:
                _check_date(activity.completed_on, "datum van de activiteit")
        return Dossier(dossier.activities, registration_type, level, dossier.period_start)

    def _summarise(
        self, dossier: Dossier, regulation: Regulation, on: date,
        terms: tuple[Term, ...], unvalued: tuple[Unvalued, ...], diplomas: tuple[str, ...],
    ) -> Evaluation:
        covered = _covered_themes(terms)
        tally = regulation.model.tally(regulation, terms, covered)
        routes = tuple(
            self._route_status(self.routes[route_id], dossier, diplomas,
                               regulation.model.professionalisation_complete(tally))
            for route_id in regulation.routes.value
        )
        return Evaluation(
            regulation, on, terms, unvalued, diplomas, tally.total_points, tally.points_required,
            tally.points_missing, covered, tally.themes_required, tally.themes_missing, routes,
        )

    @staticmethod
    def _route_status(
        route: Route, dossier: Dossier, diplomas: tuple[str, ...], professionalised: bool,
    ) -> RouteStatus:
        if route.professionalisation:
            return RouteStatus(route, True, professionalised)
        applicable: bool | None = True
        cond = route.condition
        if cond is not None:
            checks = (
                (cond.registration_type, dossier.registration_type),
                (cond.level, dossier.level),
            )
            if any(want is not None and have is not None and want != have for want, have in checks):
                applicable = False
            elif any(want is not None and have is None for want, have in checks):
                applicable = None
        has_diploma = route.diploma in diplomas
        if applicable is False:
            return RouteStatus(route, False, False, has_diploma)
        if applicable is None:
            return RouteStatus(route, None, False, has_diploma)
        return RouteStatus(route, True, has_diploma, has_diploma)

    def _subject(self, activity: Activity) -> UnvaluedSubject:
        """What an activity outside the period is called: its programme, or the activity itself."""
        if isinstance(activity, ProgrammeActivity):
            return self.programme(activity.programme)
        return activity


def _covered_themes(terms: Sequence[Term]) -> tuple[CoveredTheme, ...]:
    via: dict[str, list[Term]] = {}
    full: dict[str, bool] = {}
    themes: dict[str, Theme] = {}
    for term in terms:
        for ref in term.themes:
            themes[ref.theme.id] = ref.theme
            terms_of = via.setdefault(ref.theme.id, [])
            if term not in terms_of:
                terms_of.append(term)
            full[ref.theme.id] = full.get(ref.theme.id, False) or ref.subtheme is None
    return tuple(CoveredTheme(themes[k], tuple(via[k]), full[k]) for k in themes)


# -- helpers ---------------------------------------------------------------------------------
def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def _check_date(day: object, what: str) -> None:
    if not isinstance(day, date):
        raise InvalidInput(f"De {what} is geen geldige datum.")
    if isinstance(day, datetime):
        raise InvalidInput(f"De {what} moet een dag zijn, zonder tijdstip.")
    if day.year < 1900 or day.year > 2200:
        raise OutsideRegulations(f"De {what} ({day.isoformat()}) valt buiten elke regeling die ik ken.")


def _clip(value: object, limit: int = 60) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name_index(items: Iterable[Named]) -> dict[str, Named]:
    index: dict[str, Named] = {}
    for item in items:
        names = list(item.names())
        if isinstance(item, Theme):
            for sub in item.subthemes:
                names.extend(sub.names())
        for name in names:
            index.setdefault(normalise(name), item)
    return index


# -- loading ---------------------------------------------------------------------------------
def build(folder: Path) -> RuleBook:
    """Load and check the data in `folder`; raises DataError naming file and field."""
    loader = Loader(RawData.read(folder))
    routes = loader.routes()
    route_map = {r.id: r for r in routes}
    regulations = loader.regulations(set(route_map))
    themes = loader.themes({r.id for r in regulations})
    check_unique_names("themes.yml", "themes", themes)
    theme_map = {t.id: t for t in themes}
    programmes = loader.programmes(theme_map, regulations)
    check_unique_names("programmes.yml", "programmes", programmes)
    trajectories = load_trajectories(loader)
    types = loader.simple_named("registration.yml", "registration_types")
    levels = loader.simple_named("registration.yml", "levels")
    return RuleBook(
        currency=loader.currency(),
        folder=folder,
        regulations=regulations,
        routes=route_map,
        registration_types={t.id: t for t in types},
        levels={lv.id: lv for lv in levels},
        themes=theme_map,
        programmes={p.id: p for p in programmes},
        trajectories={t.id: t for t in trajectories},
        texts=loader.register_texts(),
        names={
            "programme": _name_index(programmes),
            "theme": _name_index(themes),
            "registration_type": _name_index(types),
            "level": _name_index(levels),
            "trajectory": _name_index(trajectories),
        },
    )


@lru_cache(maxsize=8)
def _cached(folder: str) -> RuleBook:
    return build(Path(folder))


def load_rules(folder: Path | str | None = None) -> RuleBook:
    """The rule book for a data folder (default: the shipped data), cached per folder."""
    return _cached(str(Path(folder) if folder is not None else DATA_DIR))
