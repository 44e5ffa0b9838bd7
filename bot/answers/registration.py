"""Registration and herregistratie: the period, the routes, RDO and RADO, what changed in 2020, the
professional standard, uploading a certificate, and the learning forms compared."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..facets import asks_master_route, plain_text, years_named
from ..register import RuleBook, format_date
from ..register.model import Regulation
from ..replies import HELPDESK_BUTTONS, HELPDESK_OFFER, Answer, Query, bullets, capital, join_nl, with_sources
from .common import (
    changed_note,
    dated,
    old_regulation,
    professionalisation_requirement,
    regulation_for,
    requirement_sources,
    valuation_rule_text,
)

CYCLE_WORDS_RE = re.compile(r"\bcyclus|\bprioriteit|\bterug ?kijk|\bonderwerpen\b")


def herregistratie(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    info = book.texts.herregistratie
    cycle = regulation.cycle_years
    text = (
        f"{info.text} Een periode duurt {cycle.value} jaar: je herregistreert dus iedere "
        f"{cycle.value} jaar."
    )
    applies = list(info.applies_to)
    if len(applies) > 1:
        plural = [f"{a}'s" for a in applies]
        text += f" Dat geldt voor zowel {join_nl(plural, 'als')}."
    # "Wat moet ik doen?": the routes in one line, so the answer says what the choice is.
    names = []
    for route_id in regulation.routes.value:
        route = book.route(route_id)
        names.append(route.name + (f" ({route.condition.text})" if route.condition is not None else ""))
    text += "\nDe routes: " + join_nl(names, "of") + "."
    if any(book.route(r).professionalisation for r in regulation.routes.value):
        text += f" Voor de laatste route geldt: {professionalisation_requirement(regulation)}."
    sources = [info.source, cycle.source, regulation.routes.source]
    cycle_text = book.texts.organisation.cycle
    if CYCLE_WORDS_RE.search(plain_text(q.text)):
        # "Wat is de cyclus?": the register's own paragraph on the four-year cycle.
        text = f"{text}\n{cycle_text.text}"
        sources.append(cycle_text.source)
    other = sorted(years_named(q.text) - {cycle.value})
    if other and current is None:
        # "Is het nu vijf jaar?": what the sources say, and that the register changed it later (when known).
        if book.later_changes(regulation, ["cycle_years"], today):
            later = dated(book, regulation, today, "cycle_years")
        else:
            later = "Of dat later veranderd is, staat niet in mijn bronnen."
        text = (f"Je noemt {join_nl([str(n) for n in other], 'of')} jaar. Mijn bronnen noemen een periode van "
                f"{cycle.value} jaar: je herregistreert iedere {cycle.value} jaar. {later} {HELPDESK_OFFER}")
        return with_sources(text, [info.source, cycle.source], HELPDESK_BUTTONS)
    line = dated(book, regulation, today, "cycle_years", "points_required", "routes")
    return with_sources(f"{text}\n{line}".strip(), sources)


def routes(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    if asks_master_route(q.text) and current is None and "master" in regulation.routes.value:
        # "Telt mijn master mee?": the master route as the data has it, and no more.
        route = book.route("master")
        return with_sources(
            f"{capital(route.name)} is een van de routes die je voor je herregistratie kunt kiezen. Andere eisen aan de master, "
            f"zoals het onderwerp of wanneer je hem haalde, noemen mijn bronnen niet. Twijfel je of jouw master "
            f"telt? {HELPDESK_OFFER}", [regulation.routes.source, route.source], HELPDESK_BUTTONS)
    lines = []
    sources = [regulation.routes.source]
    for index, route_id in enumerate(regulation.routes.value, start=1):
        route = book.route(route_id)
        line = route.name
        if route.condition is not None:
            line += f", {route.condition.text}"
        sources.append(route.source)
        if route.professionalisation:
            line += ": " + professionalisation_requirement(regulation)
            sources += requirement_sources(regulation)
        lines.append(f"{index}. {line}")
    intro = "Voor je herregistratie kies je één van deze routes:"
    text = intro + "\n" + "\n".join(lines)
    if regulation.routes.note:
        text += "\n" + regulation.routes.note
    if current is not None:
        text += "\n" + changed_note(regulation, current) + " Nu geldt: " + professionalisation_requirement(current) + "."
        sources += [current.source, *requirement_sources(current)]
    else:
        old = old_regulation(book, today)
        if old is not None:
            text += (f"\nVóór {format_date(regulation.valid_from)} gold voor de derde route: "
                     f"{professionalisation_requirement(old)}.")
            sources += [regulation.source, *requirement_sources(old)]
        text += "\n" + dated(book, regulation, today, "routes", "points_required")
    return with_sources(text.strip(), sources)


def registration_types(book: RuleBook, q: Query, today: date) -> Answer:
    types = [f"{t.id} ({t.name})" for t in book.registration_types.values()]
    vakbekwaam = book.route("vakbekwaam")
    text = (
        f"Je staat in het register als {join_nl(types, 'of')}. "
        f"Basisbekwaam en vakbekwaam gaan over je opleiding. Voor je herregistratie telt dat zo: "
        f"{vakbekwaam.name} is een route, {vakbekwaam.condition.text if vakbekwaam.condition else ''}. "
        "Wat het verschil tussen de twee niveaus verder inhoudt, staat niet in mijn bronnen."
    )
    line = dated(book, book.regulation_on(today), today, "registration_types")
    sources = [t.source for t in book.registration_types.values()] + [vakbekwaam.source]
    return with_sources(f"{text}\n{line}".strip(), sources)


def rule_changes(book: RuleBook, q: Query, today: date) -> Answer:
    current = book.regulation_on(today)
    old = old_regulation(book, today)
    if old is None:
        return with_sources(f"Ik ken alleen {current.name}.", [current.source])
    changes = []
    sources = [current.source]
    forms = {f.replaces: f for f in current.learning_forms.value if f.replaces}
    for old_form in old.learning_forms.value:
        new = forms.get(old_form.id)
        if new is not None:
            changes.append(f"'{old_form.name}' heet nu '{new.name}'")
    sources.append(current.learning_forms.source)
    if current.standard and current.standard.value.replaces:
        changes.append(f"de beroepsstandaard spreekt van {current.standard.value.term} in plaats van "
                       f"{current.standard.value.replaces}")
    if old.themes_must_differ.value and not current.themes_must_differ.value:
        changes.append("je hoeft niet meer op drie verschillende thema's te werken; je mag een thema verdiepen")
    if current.points_required:
        changes.append(f"een periode vraagt {current.points_required.value} punten")
    if current.valuation_points:
        changes.append(f"een achteraf gewaardeerd thema levert {valuation_rule_text(current)}")
    if current.themes_reordered:
        changes.append(current.themes_reordered.value.rstrip(".").lower().replace("de professionaliseringsthema's zijn", "de thema's zijn"))
    if current.new_themes_per_year:
        who = current.new_themes_per_year.note
        changes.append(f"elk jaar komen er {current.new_themes_per_year.value} nieuwe thema's bij"
                       + (f" ({who[0].lower()}{who[1:].rstrip('.')})" if who else ""))
    text = f"Op {format_date(current.valid_from)} is er veel veranderd:\n" + bullets(changes)
    if current.transition:
        text += "\n" + current.transition.value.text
        sources.append(current.transition.source)
    return with_sources(text, sources)


def leadership_practices(book: RuleBook, q: Query, today: date) -> Answer:
    regulation = book.regulation_on(today)
    if regulation.standard is None:
        return with_sources("Daar staat niets over in mijn bronnen.", [regulation.source])
    std = regulation.standard.value
    text = (f"De beroepsstandaard noemt vijf {std.term}:\n" + bullets(std.practices)
            + f"\nDaarnaast is er aandacht voor {std.also}. Dat gaat over {std.also_description}.")
    if q.first("regeling") == "oud" and std.replaces:
        # "Waar sprak de beroepsstandaard vroeger over?": what it named before, then what it names now.
        text = (f"Vóór {format_date(regulation.valid_from)} sprak de beroepsstandaard van {std.replaces}. "
                f"Sindsdien spreekt hij van {std.term}.\n{text}")
    return with_sources(text, [regulation.standard.source])


def certificate_upload(book: RuleBook, q: Query, today: date) -> Answer:
    info = book.texts.certificate_upload
    return with_sources(
        info.text + " Lukt het uploaden niet, dan kan de helpdesk je helpen.", info.sources
    )


def comparison(book: RuleBook, forms: Sequence[tuple[Any, Regulation]], today: date) -> Answer:
    """Both (or all) sides of a comparison between learning forms, each with the rules it belongs to."""
    current = book.regulation_on(today)
    lines = []
    sources = []
    for form, regulation in forms:
        when = ("nu" if regulation.id == current.id
                else f"tot {format_date(current.valid_from)}" if regulation.valid_from < current.valid_from
                else f"vanaf {format_date(regulation.valid_from)}")
        lines.append(f"{capital(form.name)} ({when}): {form.description}.")
        sources.append(regulation.learning_forms.source)
    replaced = [(f, r) for f, r in forms if f.replaces]
    text = ("Het verschil:\n" + bullets(lines)) if len(lines) > 1 else lines[0]
    for form, regulation in replaced:
        old = next((f for f, _ in forms if f.id == form.replaces), None)
        if old is not None:
            text += f"\nSinds {format_date(regulation.valid_from)} heet {old.name} '{form.name}'."
    return with_sources(text, sources)
