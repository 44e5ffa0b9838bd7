"""Points: how many a period asks, what an activity or a learning level is worth."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from ..facets import plain_text
from ..register import PointsModel, RuleBook, RulesError, ValuationActivity, format_date
from ..replies import Answer, Query, join_nl, with_sources
from .common import (
    dated,
    points_programmes,
    professionalisation_requirement,
    programme_of,
    provider_programmes,
    regulation_for,
    trajectory_of,
    valuation_rule_text,
)
from .explain import points_for
from .programmes import programme_value, provider_overview


def points_needed(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    if current is not None or not isinstance(regulation.model, PointsModel):
        now = current or regulation
        # The seeds describe the old requirement in themes and the change to points; nothing more.
        text = (f"Vóór {format_date(now.valid_from)} vroeg de route via professionalisering "
                f"{professionalisation_requirement(regulation)}.")
        sources = [regulation.routes.source]
        if now.points_required is not None:
            text += f" Sinds {format_date(now.valid_from)} behelst een herregistratieperiode in totaal {now.points_required.value} punten."
            sources.append(now.points_required.source)
        return with_sources(text, sources)
    assert regulation.points_required is not None
    examples = [f"{p.short} ({pts})" for p, pts in points_programmes(book, today)]
    others = [book.route(r) for r in regulation.routes.value if not book.route(r).professionalisation]
    text = (
        f"Je hebt {regulation.points_required.value} punten nodig per herregistratieperiode van "
        f"{regulation.cycle_years.value} jaar. Punten haal je met vooraf gewaardeerde activiteiten "
        f"(bijvoorbeeld {join_nl(examples)}) en met achteraf te waarderen activiteiten: per thema "
        f"{valuation_rule_text(regulation)}."
    )
    if others:
        # The points are the professionalisation route; the other routes as the data names them.
        text += (" Dat is de route via professionalisering. Andere routes zijn "
                 + join_nl([r.name + (f" ({r.condition.text})" if r.condition else "") for r in others]) + ".")
    text += "\n" + dated(book, regulation, today, "points_required", "cycle_years")
    sources = [regulation.points_required.source, regulation.cycle_years.source]
    if others:
        sources.append(regulation.routes.source)
    if regulation.valuation_points:
        sources.append(regulation.valuation_points.source)
    return with_sources(text, sources + [p.source for p, _ in points_programmes(book, today)])


def activity_points(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    if current is not None:
        return points_needed(book, q, today)
    programme = programme_of(book, q)
    if programme is not None:
        return programme_value(book, programme, today)
    by_provider = provider_programmes(book, q.text)
    if len(by_provider) == 1:
        return programme_value(book, by_provider[0], today)
    if by_provider:
        return provider_overview(book, by_provider, today)
    level = q.first("learning_level")
    if len(q.all("learning_level")) > 1:
        return level_overview(book, today)  # "het verschil tussen niveau 4 en niveau 6": every level
    if level is not None:
        return level_value(book, q, level, today)
    if trajectory_of(book, q) is not None or (regulation.valuation_points is not None and q.all("theme")):
        return level_overview(book, today, intro="Bij een waardering achteraf telt elk thema apart. ")
    examples = [f"{p.short}: {pts} punten" for p, pts in points_programmes(book, today)]
    text = (
        "Een vooraf gewaardeerde activiteit heeft een vaste waarde, bijvoorbeeld "
        f"{join_nl(examples)}. Een thema dat je achteraf laat waarderen levert "
        f"{valuation_rule_text(regulation)}. Noem een opleiding of een niveau, dan zoek ik het voor je uit."
    )
    sources = [p.source for p, _ in points_programmes(book, today)]
    if regulation.valuation_points:
        sources.append(regulation.valuation_points.source)
    return with_sources(text, sources)


def level_value(book: RuleBook, q: Query, level_text: str, today: date) -> Answer:
    regulation = book.regulation_on(today)
    count_text = q.first("theme_count")
    try:
        level = int(level_text)
        count = int(count_text) if count_text is not None else 1
        points = points_for(book, ValuationActivity(level=level, count=count), today)
    except (RulesError, ValueError) as exc:
        message = exc.message if isinstance(exc, RulesError) else "Dat niveau of aantal kan ik niet lezen."
        return with_sources(message, [regulation.valuation_points.source] if regulation.valuation_points else [])
    assert regulation.valuation_points is not None
    vp = regulation.valuation_points.value
    extra = vp.extra(level)
    how = f"{vp.base} + {extra} extra" if extra else f"{vp.base}"
    if count == 1:
        text = f"Een thema op leerniveau {level} levert {points} punten op: {how}."
    else:
        text = f"{count} thema's op leerniveau {level} leveren {points} punten op ({how} per thema)."
    text += "\n" + dated(book, regulation, today, "valuation_points")
    return with_sources(text, [regulation.valuation_points.source])


def level_overview(book: RuleBook, today: date, intro: str = "") -> Answer:
    regulation = book.regulation_on(today)
    if regulation.valuation_points is None:
        return with_sources("Onder de regels van nu ken ik geen punten voor leerniveaus.", [regulation.source])
    info = book.texts.learning_levels
    text = (
        f"{intro}Een thema dat je achteraf laat waarderen telt mee vanaf leerniveau "
        f"{regulation.valuation_points.value.min_level}: het levert {valuation_rule_text(regulation)}. "
        f"{info.note} Je beoordelaar of de helpdesk kan je daar meer over vertellen."
    )
    return with_sources(text, [regulation.valuation_points.source, info.source])


# A question about what the learning levels mean or ask of you ("wat houden de niveaus in", "wat betekent
# leerniveau 5", "wat moet ik kunnen voor niveau 6"): the seeds name the levels but do not explain them.
LEVEL_MEANING_RE = re.compile(
    r"\bbeteken\w*|\binhoud\w*|\bhoud\w* .*\bin\b|\buitleg\w*|\bleg\w* .*\buit\b|\bomschrijving\w*|"
    r"\bcriteri\w*|\bversta\w* .*\bonder\b|\bwat (?:moet|zou) (?:ik|je) (?:kunnen|laten zien|beheersen)\b|"
    r"\bhoe (?:haal|bereik) (?:ik|je)\b|\bwat is (?:leer)?niveau \d\b|\bwat zijn (?:de )?(?:leer)?niveaus\b\s*\??$")


def asks_level_meaning(text: str) -> bool:
    """Whether a question about learning levels asks what they mean or contain (the sources don't say)."""
    plain = plain_text(text)
    if re.search(r"\bhoeveel\b|\bpunten\b|\bminima\w*|\blaagste\b", plain):
        return False  # "hoeveel punten per niveau", "wat is het minimale niveau": the data answers
    return LEVEL_MEANING_RE.search(plain) is not None


def learning_levels(book: RuleBook, q: Query, today: date) -> Answer:
    result = level_overview(book, today)
    if asks_level_meaning(q.text):
        return replace(result, complete=False)  # the text says the sources do not explain the levels
    return result
