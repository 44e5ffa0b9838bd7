"""What several topics' renderers share: which regulation, programme, trajectory or theme a question is
about, the dating line, and rule texts used in more than one answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from ..dutch import month_year
from ..facets import narrow_by_detail
from ..register import RuleBook, RulesError, format_date
from ..register.counting import PointsRequirement
from ..register.model import (
    Bodies,
    Contact,
    Info,
    Instrument,
    ListInfo,
    Phases,
    Programme,
    Regions,
    Regulation,
    Source,
    TextInfo,
    Theme,
    Trajectory,
    TrajectoryCosts,
    normalise,
)
from ..replies import Answer, Query, capital, join_nl


def old_regulation(book: RuleBook, today: date) -> Regulation | None:
    """The regulation before the one in force today, if any."""
    current = book.regulation_on(today)
    earlier = [r for r in book.regulations if r.valid_from < current.valid_from]
    return earlier[-1] if earlier else None


def regulation_for(book: RuleBook, q: Query, today: date) -> tuple[Regulation, Regulation | None]:
    """The regulation the user asks about, and the one in force today when that differs."""
    current = book.regulation_on(today)
    if q.first("regeling") == "oud":
        old = old_regulation(book, today)
        if old is not None:
            return old, current
    return current, None


def changed_note(old: Regulation, current: Regulation) -> str:
    return f"Dit waren {old.name}. Op {format_date(current.valid_from)} is dat veranderd."


def known_programmes(book: RuleBook, q: Query) -> tuple[str, ...]:
    """The programmes a question names that the data knows (a misread word is left out)."""
    known = []
    for value in q.all("programme"):
        try:
            known.append(book.programme(value).id)
        except RulesError:
            continue
    return tuple(dict.fromkeys(known))


def programme_of(book: RuleBook, q: Query) -> Programme | None:
    """The first programme the question names that the data knows."""
    known = known_programmes(book, q)
    return book.programme(known[0]) if known else None


GENERIC_PROVIDER_WORDS = {"stichting", "partners", "academie"}


def provider_programmes(book: RuleBook, text: str) -> list[Programme]:
    """Programmes of a provider named in the text ('telt leerKRACHT mee?'), for an overview."""
    words = set(re.findall(r"[\w&]+", normalise(text)))
    found = []
    for programme in book.programmes.values():
        names = {w for w in re.findall(r"[\w&]+", normalise(programme.provider)) if len(w) > 3}
        if names - GENERIC_PROVIDER_WORDS & words:
            found.append(programme)
    return narrow_by_detail(book, text, found)


def programme_asked(book: RuleBook, q: Query, has: Callable[[Programme], object] | None = None
                    ) -> tuple[Programme | None, list[Programme]]:
    """The programme a question is about: the one it names; else, of the programmes whose data holds one
    the data `has` asks for and (when it names one) are its provider's, the one left or the one its details settle
    ("wanneer krijg ik het leerKRACHT-certificaat?": only jaar-1 has a certificate). With None, the
    candidates that are left, to ask about."""
    programme = programme_of(book, q)
    if programme is not None:
        return programme, [programme]
    candidates = [p for p in book.programmes.values() if has is None or has(p)]
    of_provider = [p for p in provider_programmes(book, q.text) if p in candidates]
    candidates = narrow_by_detail(book, q.text, of_provider or candidates)
    return (candidates[0] if len(candidates) == 1 else None), candidates


def trajectory_of(book: RuleBook, q: Query) -> Trajectory | None:
    for value in q.all("traject"):
        found = book.find("trajectory", value)
        if isinstance(found, Trajectory):
            return found
    return None


def theme_of(book: RuleBook, q: Query) -> Theme | None:
    for value in q.all("theme"):
        try:
            return book.theme(value)
        except RulesError:
            continue
    return None


def valuation_rule_text(regulation: Regulation) -> str:
    if regulation.valuation_points is None:
        return ""
    vp = regulation.valuation_points.value
    parts = [f"{vp.base} punten vanaf leerniveau {vp.min_level}"]
    for level in range(vp.min_level + 1, vp.max_level + 1):
        extra = vp.extra(level)
        if extra:
            parts.append(f"{vp.base + extra} op niveau {level} ({vp.base} + {extra} extra)")
    return join_nl(parts)


def points_programmes(book: RuleBook, on: date) -> list[tuple[Programme, int]]:
    result = []
    for programme in book.programmes.values():
        recognition = programme.recognition_on(on)
        if recognition is not None and recognition.form == "vooraf" and recognition.points is not None:
            result.append((programme, recognition.points))
    return result


def dated(book: RuleBook, regulation: Regulation, today: date, *parameters: str) -> str:
    """A line naming the rules an answer applies and, where the register changed these parameters after
    the sources, where the rules of now are. For an old regulation: "Dit waren ..." (history, no notice)."""
    if regulation is not book.regulation_on(today):
        return f"Dit waren {regulation.name}."
    text = f"Dit zijn {regulation.name}."
    changes = book.later_changes(regulation, parameters, today)
    if changes and book.currency is not None:
        until = book.currency.current_until
        references = list(dict.fromkeys(c.reference for c in changes))
        text = (f"Dit zijn {regulation.name}; mijn bronnen zijn van {month_year(until)}. "
                f"Het register heeft daarna {join_nl([c.subject for c in changes])} veranderd: kijk op "
                f"{join_nl(references)} of vraag het de helpdesk.")
    return text


def requirement_sources(regulation: Regulation) -> list[Source]:
    """The sources of what professionalisation asks under a regulation (points and the learning forms, or themes)."""
    facts = [regulation.points_required, regulation.min_themes, regulation.theme_count, regulation.learning_forms]
    return [fact.source for fact in facts if fact is not None]


def professionalisation_requirement(regulation: Regulation) -> str:
    asked = regulation.model.requirement(regulation)
    if isinstance(asked, PointsRequirement):
        return (f"{asked.points.value} punten in je periode, met vooraf gewaardeerde "
                "en achteraf te waarderen activiteiten")
    count = asked.theme_count.value if asked.theme_count else None
    forms = join_nl([f.name for f in asked.learning_forms.value], "of")
    of_total = f" van de {count}" if count else ""
    return f"ontwikkeling op minstens {asked.min_themes.value}{of_total} professionaliseringsthema's, via {forms}"


def block_text(info: Info) -> str:
    """A descriptive block as B1 sentences: its text, its items as a list, its fields as a line each."""
    lines: list[str] = []
    if isinstance(info, Contact):
        if info.role is not None:
            lines.append(f"{info.name or ''} ({info.role}). {info.text or ''}".strip())
        elif info.name is not None and info.text is not None:
            lines.append(f"{capital(info.name)}: {info.text}")
        elif info.text is not None:
            lines.append(info.text)
        if info.text is None:
            contact = [v for v in (info.name, info.role, info.email, info.phone) if v is not None]
            if contact:
                lines.append(", ".join(contact) + ".")
    elif isinstance(info, Instrument):
        lines.append(f"{capital(info.name)}: {info.text}")
    elif isinstance(info, TextInfo):
        lines.append(info.text)
    if isinstance(info, ListInfo):
        lines.extend(f"- {item}" for item in info.items)
    elif isinstance(info, Phases):
        lines.extend(f"- {phase.name}: {phase.description}" for phase in info.items)
    elif isinstance(info, Bodies):
        lines.extend(f"- {body.name}: {body.role}" for body in info.items)
    elif isinstance(info, TrajectoryCosts):
        lines.extend(f"- {item.name}" for item in info.items)
    elif isinstance(info, Regions):
        regions = (("het primair onderwijs", info.po), ("het mbo", info.mbo), ("het voortgezet onderwijs", info.vo))
        lines.extend(f"In {name}: {text}." for name, text in regions if text is not None)
    return "\n".join(lines)


def simple(text: str) -> Callable[[RuleBook, Query, date], Answer]:
    def render(book: RuleBook, q: Query, today: date) -> Answer:
        return Answer(text)
    return render
