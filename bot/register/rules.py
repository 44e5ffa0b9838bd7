"""The rules module: computes with the register's rules data. No Rasa here.

Usage::

    book = load_rules()
    result = book.evaluate(Dossier(activities=(ProgrammeActivity("leerKRACHT jaar-1"),
                                                ValuationActivity(level=5))), on=date(2024, 1, 1))
    result.explanation.text
    # "70 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 90 van de 100; je mist nog 10 punten."

Every number comes from the data; every error is a `RulesError` with a Dutch message.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence, Union

from .errors import (
    InvalidCount,
    InvalidInput,
    InvalidLevel,
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
    Recognition,
    RegisterTexts,
    Regulation,
    Route,
    Source,
    Theme,
    ThemeRef,
    Trajectory,
    normalise,
)

# Input sanity bounds. These are not register rules: they only stop nonsense input
# (a typo such as 1000 themes) from producing a number.
MAX_COUNT = 20
MAX_ACTIVITIES = 200


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


Activity = Union[ProgrammeActivity, ValuationActivity, DiplomaActivity]


@dataclass(frozen=True)
class Dossier:
    """What a leader has done in one herregistratie period."""

    activities: tuple[Activity, ...] = ()
    registration_type: str | None = None
    level: str | None = None
    period_start: date | None = None


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One counted activity: its points (points model) and themes, with a short Dutch label."""

    label: str
    points: int | None
    detail: str | None
    themes: tuple[ThemeRef, ...]
    sources: tuple[Source, ...]
    unnamed_themes: int = 0

    def render(self) -> str:
        inside = f"{self.label}: {self.detail}" if self.detail else self.label
        return f"{self.points} ({inside})"


@dataclass(frozen=True)
class Unvalued:
    """An activity that does not count, and why (in Dutch)."""

    label: str
    reason: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class ActivityValue:
    """What one activity is worth under one regulation."""

    regulation: Regulation
    term: Term | None
    unvalued: Unvalued | None
    diploma: str | None = None


@dataclass(frozen=True)
class CoveredTheme:
    theme: Theme
    via: tuple[str, ...]
    full: bool


@dataclass(frozen=True)
class RouteStatus:
    route: Route
    applicable: bool | None
    complete: bool
    reason: str


@dataclass(frozen=True)
class Explanation:
    text: str
    lines: tuple[str, ...]
    sources: tuple[Source, ...]

    def with_sources(self) -> str:
        cites = "; ".join(s.cite() for s in self.sources)
        return f"{self.text}\nBron: {cites}" if cites else self.text


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
    explanation: Explanation

    @property
    def complete(self) -> bool:
        return any(status.complete for status in self.routes)


@dataclass(frozen=True)
class WhatIf:
    before: Evaluation
    after: Evaluation
    added: tuple[Term, ...]
    text: str

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

    def points_for(self, activity: Activity, on: date) -> int:
        """Points for one activity on a date. Raises when the rules give it no points."""
        value = self.value_of(activity, on)
        if value.term is None or value.term.points is None:
            reason = value.unvalued.reason if value.unvalued else "Deze activiteit levert geen punten op."
            raise InvalidInput(reason)
        return value.term.points

    def _programme_value(self, activity: ProgrammeActivity, regulation: Regulation, day: date) -> ActivityValue:
        programme = self.programme(activity.programme)
        recognition = programme.recognition_on(day)
        label = programme.short
        if recognition is None:
            return ActivityValue(regulation, None, Unvalued(
                label,
                f"voor {format_date(day)} noemen mijn bronnen geen waarde voor deze opleiding",
                (programme.source,),
            ))
        if recognition.form == "none":
            return ActivityValue(regulation, None, Unvalued(
                label, "mijn bronnen noemen dit programma niet als gecertificeerd door het Schoolleidersregister PO "
                "en geven het geen waarde",
                (recognition.source,),
            ))
        if recognition.form == "informeel":
            return ActivityValue(regulation, None, Unvalued(
                label,
                "deze opleiding valt onder informeel leren; mijn bronnen noemen er geen waarde in punten voor",
                (recognition.source,),
            ))
        if regulation.model == "points" and recognition.points is None:
            return ActivityValue(regulation, None, Unvalued(
                label, "mijn bronnen noemen geen waarde in punten voor deze opleiding", (recognition.source,),
            ))
        points = recognition.points if regulation.model == "points" else None
        term = Term(label, points, None, recognition.themes, (recognition.source,))
        return ActivityValue(regulation, term, None)

    def _valuation_value(self, activity: ValuationActivity, regulation: Regulation, when: date | None) -> ActivityValue:
        count = activity.count
        if isinstance(count, bool) or not isinstance(count, int) or count < 1 or count > MAX_COUNT:
            raise InvalidCount(
                f"Het aantal thema's moet een heel getal van 1 tot en met {MAX_COUNT} zijn; "
                f"'{_clip(str(count))}' kan ik niet gebruiken."
            )
        ref = self.theme_ref(activity.theme) if activity.theme is not None else None
        theme = ref.theme if ref is not None else None
        refs = (ref,) if ref is not None else ()
        subject = ref.label if ref is not None else ("thema" if count == 1 else f"{count} thema's")
        if ref is not None and count > 1:
            subject = f"{count} × {ref.label}"
        if when is not None:
            done_under = self.regulation_on(when)
            if done_under.model != regulation.model:
                return ActivityValue(regulation, None, Unvalued(
                    f"waardering van {subject.lower() if theme is None else subject}",
                    f"gewaardeerd op {format_date(when)} onder {done_under.name}; hoe dat omgerekend wordt "
                    f"naar {regulation.name} staat niet in mijn bronnen",
                    (done_under.source, regulation.source),
                ))
        if regulation.model == "themes":
            term = Term(f"waardering: {subject}", None, None, refs, (regulation.learning_forms.source,),
                        unnamed_themes=0 if theme is not None else count)
            return ActivityValue(regulation, term, None)
        rules = regulation.valuation_points
        if rules is None:
            raise InvalidInput(f"Onder {regulation.name} ken ik geen puntenregel voor waarderingen.")
        vp = rules.value
        level = activity.level
        if level is None:
            raise InvalidLevel(
                f"Op welk leerniveau is het thema gewaardeerd? Dat kan niveau "
                f"{_levels_text(vp.min_level, vp.max_level)} zijn."
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
        each = vp.base + extra
        one = f"{vp.base} + {extra} extra" if extra else None
        if count == 1:
            detail = f"{subject} op niveau {level}" + (f": {one}" if one else "")
        else:
            detail = f"{subject} op niveau {level}: {count} × " + (f"({one})" if one else f"{vp.base}")
        note = ""
        transition = regulation.transition
        if when is not None and transition is not None and when < transition.value.until:
            note = " (overgangsperiode)"
        term = Term(detail + note, each * count, None, refs, (rules.source,),
                    unnamed_themes=0 if theme is not None else count)
        return ActivityValue(regulation, term, None)

    def _diploma_value(self, activity: DiplomaActivity, regulation: Regulation) -> ActivityValue:
        route = next((r for r in self.routes.values() if r.diploma == activity.diploma), None)
        if route is None:
            raise InvalidInput(f"Een diploma '{_clip(str(activity.diploma))}' ken ik niet als route.")
        if route.id not in regulation.routes.value:
            return ActivityValue(regulation, None, Unvalued(
                route.short, f"deze route bestaat niet onder {regulation.name}", (regulation.routes.source,),
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
            if done is not None and dossier.period_start is not None and period_end is not None:
                if not dossier.period_start <= done < period_end:
                    unvalued.append(Unvalued(
                        _activity_label(self, activity),
                        f"afgerond op {format_date(done)}, buiten je periode "
                        f"({format_date(dossier.period_start)} tot {format_date(period_end)})",
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
        new_terms = after.terms[len(before.terms):]
        if after.total_points is not None and before.total_points is not None:
            gained = after.total_points - before.total_points
            text = (
                f"Met {' en '.join(t.render() for t in new_terms) or 'deze activiteit'} erbij kom je van "
                f"{before.total_points} op {after.total_points} van de {after.points_required} punten"
                f" (+{gained}). " + _points_status(after, start=True)
            )
        else:
            full = sum(1 for c in after.themes_covered if c.full)
            text = (
                f"Met deze activiteit erbij heb je {full} van de "
                f"{after.themes_required} thema's. " + _themes_status(after, start=True)
            )
        return WhatIf(before, after, new_terms, text)

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
        total = required = missing = None
        themes_required = themes_missing = None
        if regulation.model == "points" and regulation.points_required is not None:
            total = sum(t.points or 0 for t in terms)
            required = regulation.points_required.value
            missing = max(0, required - total)
        elif regulation.min_themes is not None:
            themes_required = regulation.min_themes.value
            themes_missing = max(0, themes_required - sum(1 for c in covered if c.full))
        routes = tuple(
            self._route_status(self.routes[route_id], dossier, regulation, diplomas, missing, themes_missing)
            for route_id in regulation.routes.value
        )
        evaluation = Evaluation(
            regulation, on, terms, unvalued, diplomas, total, required, missing,
            covered, themes_required, themes_missing, routes, Explanation("", (), ()),
        )
        return _with_explanation(evaluation)

    def _route_status(
        self, route: Route, dossier: Dossier, regulation: Regulation, diplomas: tuple[str, ...],
        points_missing: int | None, themes_missing: int | None,
    ) -> RouteStatus:
        if route.professionalisation:
            missing = points_missing if regulation.model == "points" else themes_missing
            done = missing == 0
            return RouteStatus(route, True, done, "voldaan" if done else "nog niet voldaan")
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
            return RouteStatus(route, False, False, f"niet voor jou: {cond.text if cond else ''}".strip())
        if applicable is None:
            reason = cond.text if cond else ""
            return RouteStatus(route, None, False, reason + ("; diploma gemeld" if has_diploma else ""))
        return RouteStatus(route, True, has_diploma, "diploma gemeld" if has_diploma else "geen diploma gemeld")


# -- explanation -----------------------------------------------------------------------------
def _with_explanation(ev: Evaluation) -> Evaluation:
    from dataclasses import replace

    lines: list[str] = []
    sources: list[Source] = [ev.regulation.source]
    if ev.regulation.model == "points" and ev.regulation.points_required is not None:
        sources.append(ev.regulation.points_required.source)
        if ev.terms:
            lines.append(f"{' + '.join(t.render() for t in ev.terms)} = {ev.total_points} van de {ev.points_required}; "
                         + _points_status(ev))
        else:
            lines.append(f"Je hebt nog geen punten: 0 van de {ev.points_required}; " + _points_status(ev))
    else:
        if ev.regulation.min_themes is not None:
            sources.append(ev.regulation.min_themes.source)
        full = [c for c in ev.themes_covered if c.full]
        if full:
            parts = " + ".join(f"{c.theme.name} ({', '.join(c.via)})" for c in full)
            lines.append(f"{parts} = {len(full)} van de {ev.themes_required} thema's; " + _themes_status(ev))
        else:
            lines.append(f"Je hebt nog geen thema afgerond: 0 van de {ev.themes_required}; " + _themes_status(ev))
        for c in ev.themes_covered:
            if not c.full:
                lines.append(
                    f"{c.theme.name}: alleen een deelthema ({', '.join(c.via)}); of dat het hele thema afrondt, "
                    "staat niet in mijn bronnen."
                )
        unnamed = sum(t.unnamed_themes for t in ev.terms)
        if unnamed:
            if unnamed == 1:
                lines.append("Daarnaast 1 gewaardeerd thema zonder naam; noem het thema, dan tel ik het mee.")
            else:
                lines.append(
                    f"Daarnaast {unnamed} gewaardeerde thema's zonder naam; noem de thema's, dan tel ik ze mee."
                )
    for term in ev.terms:
        sources.extend(term.sources)
    for status in ev.routes:
        if status.route.diploma and status.complete:
            # What is true first: the leader already meets the requirement (issue 12).
            lines.insert(0, f"Je hebt een diploma voor de {status.route.short}: daarmee voldoe je aan je herregistratie.")
            sources.append(status.route.source)
        elif status.route.diploma and status.route.diploma in ev.diplomas and status.route.condition:
            cond = status.route.condition.text
            if status.applicable is False:
                lines.append(f"Je diploma telt niet voor de {status.route.short}: die is er {cond}.")
            else:
                lines.append(f"Je diploma telt voor de {status.route.short} {cond}; dat weet ik nog niet van je.")
            sources.append(status.route.source)
    for item in ev.unvalued:
        lines.append(f"Niet meegeteld: {item.label}: {item.reason}.")
        sources.extend(item.sources)
    unique = tuple(dict.fromkeys(sources))
    return replace(ev, explanation=Explanation(" ".join(lines), tuple(lines), unique))


def _diploma_route(ev: Evaluation) -> str | None:
    return next((s.route.short for s in ev.routes if s.route.diploma and s.complete), None)


def _points_status(ev: Evaluation, start: bool = False) -> str:
    diploma = _diploma_route(ev)
    if ev.points_missing and diploma:
        text = f"via de {diploma} heb je geen punten nodig."
    elif ev.points_missing:
        text = f"je mist nog {ev.points_missing} punten."
    else:
        text = "je hebt genoeg punten."
    return text[0].upper() + text[1:] if start else text


def _themes_status(ev: Evaluation, start: bool = False) -> str:
    if ev.themes_missing:
        word = "thema" if ev.themes_missing == 1 else "thema's"
        text = f"je mist nog {ev.themes_missing} {word}."
    else:
        text = "je hebt genoeg verschillende thema's."
    return text[0].upper() + text[1:] if start else text


def _covered_themes(terms: Sequence[Term]) -> tuple[CoveredTheme, ...]:
    via: dict[str, list[str]] = {}
    full: dict[str, bool] = {}
    themes: dict[str, Theme] = {}
    for term in terms:
        for ref in term.themes:
            themes[ref.theme.id] = ref.theme
            via.setdefault(ref.theme.id, [])
            source_label = term.label.split(":")[0]
            if source_label not in via[ref.theme.id]:
                via[ref.theme.id].append(source_label)
            full[ref.theme.id] = full.get(ref.theme.id, False) or ref.subtheme is None
    return tuple(CoveredTheme(themes[k], tuple(via[k]), full[k]) for k in themes)


def _activity_label(book: RuleBook, activity: Activity) -> str:
    if isinstance(activity, ProgrammeActivity):
        return book.programme(activity.programme).short
    if isinstance(activity, ValuationActivity):
        return "waardering van een thema"
    return f"diploma {activity.diploma}"


# -- helpers ---------------------------------------------------------------------------------
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def format_date(day: date) -> str:
    """A date as Dutch users write it: 17 november 2020."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


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


def _levels_text(low: int, high: int) -> str:
    levels = [str(n) for n in range(low, high + 1)]
    return ", ".join(levels[:-1]) + " of " + levels[-1] if len(levels) > 1 else levels[0]


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
