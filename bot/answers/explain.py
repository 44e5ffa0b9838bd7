"""The rules' results in Dutch: a dossier's derivation ("70 (leerKRACHT jaar-1) + 20 (...) = 90 van de 100;
je mist nog 10 punten."), what a counted activity is called, why something does not count, a route's
status, and what an added activity would change. The rules module (`bot.register`) returns values; this
module is where they are worded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import singledispatch

from ..dutch import format_date
from ..register import InvalidInput, RuleBook
from ..register.counting import PointsModel, RegulationModel, ThemesModel
from ..register.model import Programme, Route, Source
from ..register.results import (
    Activity,
    CoveredTheme,
    Evaluation,
    Informal,
    NoPointValue,
    NoRecognition,
    NotCertified,
    OtherModel,
    Reason,
    RouteAbsent,
    RouteStatus,
    Term,
    Unvalued,
    Valuation,
    ValuationActivity,
    WhatIf,
)


@dataclass(frozen=True)
class Explanation:
    """A dossier's derivation: the lines, them joined as one text, and the sources they rest on."""

    text: str
    lines: tuple[str, ...]
    sources: tuple[Source, ...]

    def with_sources(self) -> str:
        cites = "; ".join(s.cite() for s in self.sources)
        return f"{self.text}\nBron: {cites}" if cites else self.text


# -- what counted ----------------------------------------------------------------------------
def _valued_subject(valued: Valuation) -> str:
    if valued.ref is None:
        return "thema" if valued.count == 1 else f"{valued.count} thema's"
    return valued.ref.label if valued.count == 1 else f"{valued.count} × {valued.ref.label}"


def term_label(term: Term) -> str:
    """A counted activity's short label: "leerKRACHT jaar-1", "thema op niveau 5: 10 + 10 extra"."""
    if isinstance(term.subject, Programme):
        return term.subject.short
    valued = term.subject
    subject = _valued_subject(valued)
    if valued.level is None:
        return f"waardering: {subject}"
    one = f"{valued.base} + {valued.extra} extra" if valued.extra else None
    if valued.count == 1:
        label = f"{subject} op niveau {valued.level}" + (f": {one}" if one else "")
    else:
        label = f"{subject} op niveau {valued.level}: {valued.count} × " + (f"({one})" if one else f"{valued.base}")
    return label + (" (overgangsperiode)" if valued.transition else "")


def render_term(term: Term) -> str:
    """A term in a sum: "70 (leerKRACHT jaar-1)"."""
    return f"{term.points} ({term_label(term)})"


def via_labels(covered: CoveredTheme) -> list[str]:
    """What covers a theme, as the derivation names it: the part of each term's label before a colon."""
    return list(dict.fromkeys(term_label(term).split(":")[0] for term in covered.via))


# -- what does not count ---------------------------------------------------------------------
def unvalued_label(item: Unvalued) -> str:
    subject = item.subject
    if isinstance(subject, (Programme, Route)):
        return subject.short
    if isinstance(subject, Valuation):
        text = _valued_subject(subject)
        return f"waardering van {text.lower() if subject.ref is None else text}"
    if isinstance(subject, ValuationActivity):
        return "waardering van een thema"
    return f"diploma {subject.diploma}"


def reason_text(reason: Reason) -> str:
    """Why something does not count, as a clause: "deze opleiding valt onder informeel leren; ..."."""
    if isinstance(reason, NoRecognition):
        return f"voor {format_date(reason.day)} noemen mijn bronnen geen waarde voor deze opleiding"
    if isinstance(reason, NotCertified):
        return ("mijn bronnen noemen dit programma niet als gecertificeerd door het Schoolleidersregister PO "
                "en geven het geen waarde")
    if isinstance(reason, Informal):
        return "deze opleiding valt onder informeel leren; mijn bronnen noemen er geen waarde in punten voor"
    if isinstance(reason, NoPointValue):
        return "mijn bronnen noemen geen waarde in punten voor deze opleiding"
    if isinstance(reason, OtherModel):
        return (f"gewaardeerd op {format_date(reason.valued_on)} onder {reason.valued_under.name}; hoe dat "
                f"omgerekend wordt naar {reason.counted_under.name} staat niet in mijn bronnen")
    if isinstance(reason, RouteAbsent):
        return f"deze route bestaat niet onder {reason.regulation.name}"
    # OutsidePeriod (mypy checks that no other reason is left)
    return (f"afgerond op {format_date(reason.completed_on)}, buiten je periode "
            f"({format_date(reason.start)} tot {format_date(reason.end)})")


def unvalued_reason(item: Unvalued) -> str:
    return reason_text(item.reason)


def points_for(book: RuleBook, activity: Activity, on: date) -> int:
    """Points for one activity on a date. Raises `InvalidInput` with the Dutch reason when the rules give it
    no points."""
    value = book.value_of(activity, on)
    if value.term is None or value.term.points is None:
        reason = unvalued_reason(value.unvalued) if value.unvalued else "Deze activiteit levert geen punten op."
        raise InvalidInput(reason)
    return value.term.points


# -- statuses --------------------------------------------------------------------------------
def route_status_text(status: RouteStatus) -> str:
    """A route's status in a few words: "voldaan", "niet voor jou: ...", "geen diploma gemeld"."""
    if status.route.professionalisation:
        return "voldaan" if status.complete else "nog niet voldaan"
    cond = status.route.condition
    if status.applicable is False:
        return f"niet voor jou: {cond.text if cond else ''}".strip()
    if status.applicable is None:
        return (cond.text if cond else "") + ("; diploma gemeld" if status.has_diploma else "")
    return "diploma gemeld" if status.has_diploma else "geen diploma gemeld"


def _capital(text: str, start: bool) -> str:
    return text[0].upper() + text[1:] if start else text


def points_status(ev: Evaluation, start: bool = False) -> str:
    """"je mist nog 10 punten.", "je hebt genoeg punten.", or that a diploma route needs none."""
    diploma = next((s.route.short for s in ev.routes if s.route.diploma and s.complete), None)
    if ev.points_missing and diploma:
        text = f"via de {diploma} heb je geen punten nodig."
    elif ev.points_missing:
        text = f"je mist nog {ev.points_missing} punten."
    else:
        text = "je hebt genoeg punten."
    return _capital(text, start)


def themes_status(ev: Evaluation, start: bool = False) -> str:
    if ev.themes_missing:
        word = "thema" if ev.themes_missing == 1 else "thema's"
        text = f"je mist nog {ev.themes_missing} {word}."
    else:
        text = "je hebt genoeg verschillende thema's."
    return _capital(text, start)


# -- a dossier's derivation ------------------------------------------------------------------
@singledispatch
def _derivation(model: RegulationModel, ev: Evaluation) -> tuple[list[str], list[Source]]:
    """The lines that sum a dossier up under a regulation's model, with the requirement's source."""
    raise NotImplementedError(f"no derivation for {type(model).__name__}")


@_derivation.register
def _points_derivation(model: PointsModel, ev: Evaluation) -> tuple[list[str], list[Source]]:
    requirement = model.requirement(ev.regulation)
    if ev.terms:
        line = (f"{' + '.join(render_term(t) for t in ev.terms)} = {ev.total_points} van de {ev.points_required}; "
                + points_status(ev))
    else:
        line = f"Je hebt nog geen punten: 0 van de {ev.points_required}; " + points_status(ev)
    return [line], [requirement.points.source]


@_derivation.register
def _themes_derivation(model: ThemesModel, ev: Evaluation) -> tuple[list[str], list[Source]]:
    requirement = model.requirement(ev.regulation)
    lines: list[str] = []
    full = [c for c in ev.themes_covered if c.full]
    if full:
        parts = " + ".join(f"{c.theme.name} ({', '.join(via_labels(c))})" for c in full)
        lines.append(f"{parts} = {len(full)} van de {ev.themes_required} thema's; " + themes_status(ev))
    else:
        lines.append(f"Je hebt nog geen thema afgerond: 0 van de {ev.themes_required}; " + themes_status(ev))
    for c in ev.themes_covered:
        if not c.full:
            lines.append(
                f"{c.theme.name}: alleen een deelthema ({', '.join(via_labels(c))}); of dat het hele thema afrondt, "
                "staat niet in mijn bronnen."
            )
    unnamed = sum(t.unnamed_themes for t in ev.terms)
    if unnamed == 1:
        lines.append("Daarnaast 1 gewaardeerd thema zonder naam; noem het thema, dan tel ik het mee.")
    elif unnamed:
        lines.append(f"Daarnaast {unnamed} gewaardeerde thema's zonder naam; noem de thema's, dan tel ik ze mee.")
    return lines, [requirement.min_themes.source]


def explain(ev: Evaluation) -> Explanation:
    """The derivation of an evaluation: the sum, diploma routes, what was not counted; with its sources."""
    lines, requirement_sources = _derivation(ev.regulation.model, ev)
    sources: list[Source] = [ev.regulation.source, *requirement_sources]
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
        lines.append(f"Niet meegeteld: {unvalued_label(item)}: {unvalued_reason(item)}.")
        sources.extend(item.sources)
    return Explanation(" ".join(lines), tuple(lines), tuple(dict.fromkeys(sources)))


def what_if_text(result: WhatIf) -> str:
    """What the added activities change: "Met 20 (...) erbij kom je van 70 op 90 van de 100 punten (+20). ..."."""
    before, after = result.before, result.after
    if after.total_points is not None and before.total_points is not None:
        gained = after.total_points - before.total_points
        return (
            f"Met {' en '.join(render_term(t) for t in result.added) or 'deze activiteit'} erbij kom je van "
            f"{before.total_points} op {after.total_points} van de {after.points_required} punten"
            f" (+{gained}). " + points_status(after, start=True)
        )
    full = sum(1 for c in after.themes_covered if c.full)
    return (f"Met deze activiteit erbij heb je {full} van de {after.themes_required} thema's. "
            + themes_status(after, start=True))
