"""Dutch answers (B1, je-form) rendered from the rules data: every number and name comes from
`bot/register/data`, every answer names its source. No Rasa here.

`answer(book, query, today)` dispatches on the intent; entities refine the answer (a programme, a
theme, a learning level, the old or the new rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Sequence

from .helpdesk.triage import outside_topic
from .passages import best_passage
from .facets import asks_master_route, narrow_by_detail, COMPARISON_RE, PROGRAMME_FACETS, asks_time, plain_text, years_named, detail_blocks, facet_of, compared_learning_forms, defined_learning_form, refine, with_names
from .register import RuleBook, RulesError, ValuationActivity, format_date
from .register.rules import MONTHS
from .register.model import Info, Programme, Regulation, Source, Theme, Trajectory, normalise


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: tuple[Button, ...] = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Query:
    """What the user asked: the intent and the entities' canonical values."""

    intent: str
    entities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    text: str = ""

    def first(self, name: str) -> str | None:
        values = self.entities.get(name, ())
        return values[0] if values else None

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.entities.get(name, ())))


HELPDESK_OFFER = "Wil je dat ik je vraag doorgeef aan de helpdesk?"
HELPDESK_BUTTONS = (Button("Ja, geef door aan de helpdesk", "/request_helpdesk"), Button("Nee, dank je", "/deny"))


# -- helpers ---------------------------------------------------------------------------------
def with_sources(text: str, sources: Iterable[Source], buttons: Sequence[Button] = ()) -> Answer:
    unique = tuple(dict.fromkeys(sources))
    if unique:
        text = f"{text}\n\n{source_line(unique)}"
    return Answer(text, tuple(buttons), unique)


def source_line(sources: Sequence[Source]) -> str:
    """'Bron: publisher, ‘document’ (onderdeel ‘x’)', one entry per document, sections grouped."""
    documents: dict[tuple[str, str], list[str]] = {}
    for source in sources:
        sections = documents.setdefault((source.publisher, source.title), [])
        if source.section is not None and source.section not in sections:
            sections.append(source.section)  # no section: the document as a whole
    parts = []
    for (publisher, title), sections in documents.items():
        label = "onderdeel" if len(sections) == 1 else "onderdelen"
        where = f" ({label} {join_nl([f'‘{s}’' for s in sections])})" if sections else ""
        parts.append(f"{publisher}, ‘{title}’{where}")
    return ("Bron: " if len(parts) == 1 else "Bronnen: ") + "; ".join(parts) + "."


def euro(amount: int) -> str:
    return "€ " + f"{amount:,}".replace(",", ".")


def join_nl(items: Sequence[str], last: str = "en") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def capital(text: str) -> str:
    """Upper-case the first letter, except in brand names written with inner capitals (leerKRACHT)."""
    first_word = text.split(" ", 1)[0]
    if any(c.isupper() for c in first_word[1:]):
        return text
    return text[:1].upper() + text[1:]


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


def programme_asked(book: RuleBook, q: Query, *blocks: str) -> tuple[Programme | None, list[Programme]]:
    """The programme a question is about: the one it names; else, of the programmes whose data holds one
    of `blocks` and (when it names one) are its provider's, the one left or the one its details settle
    ("wanneer krijg ik het leerKRACHT-certificaat?": only jaar-1 has a certificate). With None, the
    candidates that are left, to ask about."""
    programme = programme_of(book, q)
    if programme is not None:
        return programme, [programme]
    candidates = [p for p in book.programmes.values() if not blocks or any(p.info.get(b) is not None for b in blocks)]
    of_provider = [p for p in provider_programmes(book, q.text) if p in candidates]
    candidates = narrow_by_detail(book, q.text, of_provider or candidates)
    return (candidates[0] if len(candidates) == 1 else None), candidates


def provider_overview(book: RuleBook, programmes: Sequence[Programme], today: date) -> Answer:
    provider = programmes[0].provider
    lines = []
    sources: list[Source] = []
    for programme in programmes:
        text, source = programme_value_text(programme, today)
        lines.append(text)
        sources.append(source)
    text = f"{provider} heeft meer dan één programma:\n" + bullets(lines)
    return with_sources(text, sources)


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


# -- topics ----------------------------------------------------------------------------------
def greet(book: RuleBook, q: Query, today: date) -> Answer:
    return Answer(
        "Hoi! Ik ben Registerwijzer. Ik help je met vragen over registratie en herregistratie in het "
        "Schoolleidersregister PO. Wat wil je weten?"
    )


def capabilities(book: RuleBook, q: Query, today: date) -> Answer:
    regulation = book.regulation_on(today)
    cycle = regulation.cycle_years.value
    if regulation.points_required is not None:
        need = f"je hebt {regulation.points_required.value} punten nodig per periode van {cycle} jaar"
    elif regulation.min_themes is not None:
        need = f"je werkt per periode van {cycle} jaar aan minstens {regulation.min_themes.value} thema's"
    else:
        need = f"een periode duurt {cycle} jaar"
    certified = [p.short for p in book.programmes.values() if p.certified and p.certified.value]
    text = (
        "Ik ben Registerwijzer. Ik beantwoord vragen over registratie en herregistratie in het "
        f"Schoolleidersregister PO ({need}). Vraag me bijvoorbeeld naar:\n"
        + bullets([
            "de routes voor herregistratie en de punten die je nodig hebt",
            "de professionaliseringsthema's en leerniveaus",
            f"gecertificeerde opleidingen, zoals {join_nl(certified[:2])}",
            "achteraf laten waarderen: de stappen en de kosten",
            "het register zelf en zijn commissies",
        ])
        + "\nJe kunt ook je punten laten uitrekenen: 'Ik heb leerKRACHT jaar-1 gedaan en één thema op niveau 5. "
        "Heb ik genoeg?'\n"
        f"Ik ken de regels zoals ze gelden vanaf {format_date(regulation.valid_from)}. "
        "Kan ik iets niet beantwoorden, dan zeg ik dat eerlijk."
    )
    return Answer(text)


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
        text = (f"Dit zijn {regulation.name}; mijn bronnen zijn van {MONTHS[until.month - 1]} {until.year}. "
                f"Het register heeft daarna {join_nl([c.subject for c in changes])} veranderd: kijk op "
                f"{join_nl(references)} of vraag het de helpdesk.")
    return text


CYCLE_WORDS_RE = re.compile(r"\bcyclus|\bprioriteit|\bterug ?kijk|\bonderwerpen\b")


def herregistratie(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    info = book.info["herregistratie"]
    cycle = regulation.cycle_years
    text = (
        f"{info.get('text')} Een periode duurt {cycle.value} jaar: je herregistreert dus iedere "
        f"{cycle.value} jaar."
    )
    applies = [str(t) for t in info.get("applies_to") or ()]
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
    cycle_text = book.info.get("organisation.cycle")
    if cycle_text is not None and CYCLE_WORDS_RE.search(plain_text(q.text)):
        # "Wat is de cyclus?": the register's own paragraph on the four-year cycle.
        text = f"{text}\n{cycle_text.get('text')}"
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


def requirement_sources(regulation: Regulation) -> list[Source]:
    """The sources of what professionalisation asks under a regulation (points and the learning forms, or themes)."""
    facts = [regulation.points_required, regulation.min_themes, regulation.theme_count, regulation.learning_forms]
    return [fact.source for fact in facts if fact is not None]


def professionalisation_requirement(regulation: Regulation) -> str:
    if regulation.model == "points" and regulation.points_required is not None:
        return (f"{regulation.points_required.value} punten in je periode, met vooraf gewaardeerde "
                "en achteraf te waarderen activiteiten")
    assert regulation.min_themes is not None
    count = regulation.theme_count.value if regulation.theme_count else None
    forms = join_nl([f.name for f in regulation.learning_forms.value], "of")
    of_total = f" van de {count}" if count else ""
    return f"ontwikkeling op minstens {regulation.min_themes.value}{of_total} professionaliseringsthema's, via {forms}"


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


def points_needed(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    if current is not None or regulation.model != "points":
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
    if trajectory_of(book, q) is not None or regulation.valuation_points is not None and q.all("theme"):
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


def programme_value(book: RuleBook, programme: Programme, today: date) -> Answer:
    text, source = programme_value_text(programme, today)
    return with_sources(text, [source])


def programme_value_text(programme: Programme, today: date) -> tuple[str, Source]:
    """What a programme is worth on a date, as a sentence, and the source that says so."""
    recognition = programme.recognition_on(today)
    if recognition is None:
        return f"Voor {programme.short} noemen mijn bronnen op dit moment geen waarde.", programme.source
    themes = [ref.label for ref in recognition.themes]
    theme_text = f" Het telt voor de thema's {join_nl(themes)}." if themes else ""
    if recognition.form == "vooraf" and recognition.points is not None:
        value = recognition.value_text or f"{recognition.points} punten"
        text = (f"Ja, {programme.short} telt mee. Het is gecertificeerd door het Schoolleidersregister PO "
                f"en heeft een herregistratiewaarde van {value}.{theme_text}")
    elif recognition.form == "formeel":
        text = (f"{capital(programme.short)} is gecertificeerd binnen formeel leren.{theme_text} "
                "Een waarde in punten noemen mijn bronnen niet.")
    elif recognition.form == "informeel":
        note = programme.certified.note if programme.certified and programme.certified.note else ""
        # The seed says only that it can be followed within informal learning: no value, no themes.
        text = (f"{capital(programme.short)} valt onder informeel leren. {note} Een waarde in punten noemen "
                "mijn bronnen er niet voor.").replace("  ", " ")
    else:
        text = not_named_certified(programme)
    return text, recognition.source


def phases_note(phases: Info) -> str:
    """The data's note when the source names more phases than it describes ("vier fases", three described)."""
    items = phases.get("items") or []
    note = phases.get("note")
    if note and phases.get("stated_count") != len(items):
        return f" ({note.rstrip('.')}.)"
    return ""


def not_named_certified(programme: Programme) -> str:
    """A programme the sources give no recognition: what they say (nothing), not what follows from it."""
    return (f"Mijn bronnen noemen {programme.short} niet als gecertificeerd door het Schoolleidersregister PO, "
            "en noemen er geen punten voor. Of het toch meetelt, kan de helpdesk je vertellen.")


def level_value(book: RuleBook, q: Query, level_text: str, today: date) -> Answer:
    regulation = book.regulation_on(today)
    count_text = q.first("theme_count")
    try:
        level = int(level_text)
        count = int(count_text) if count_text is not None else 1
        points = book.points_for(ValuationActivity(level=level, count=count), today)
    except (RulesError, ValueError) as exc:
        message = exc.message_nl if isinstance(exc, RulesError) else "Dat niveau of aantal kan ik niet lezen."
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
    info = book.info["learning_levels"]
    text = (
        f"{intro}Een thema dat je achteraf laat waarderen telt mee vanaf leerniveau "
        f"{regulation.valuation_points.value.min_level}: het levert {valuation_rule_text(regulation)}. "
        f"{info.get('note')} Je beoordelaar of de helpdesk kan je daar meer over vertellen."
    )
    return with_sources(text, [regulation.valuation_points.source, info.source])


def learning_levels(book: RuleBook, q: Query, today: date) -> Answer:
    return level_overview(book, today)


def themes(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    theme = theme_of(book, q)
    if theme is not None and current is None:
        return programmes_for_theme(book, theme, today, q)
    named = [t for t in book.themes.values() if regulation.id in t.regulations]
    sources: list[Source] = [t.source for t in named]
    if regulation.model == "themes":
        count = regulation.theme_count.value if regulation.theme_count else len(named)
        text = (f"Er waren {count} professionaliseringsthema's; je koos er minstens "
                f"{regulation.min_themes.value if regulation.min_themes else '?'}. Mijn bronnen noemen daarvan: "
                f"{join_nl([t.name.lower() for t in named])}.")
        forms = regulation.learning_forms.value
        if forms:
            text += f" Je ontwikkelde je op de thema's via {join_nl([f.name for f in forms], 'of')}."
            sources.append(regulation.learning_forms.source)
        if regulation.theme_count:
            sources.append(regulation.theme_count.source)
        if current is not None:
            text += " " + changed_note(regulation, current)
        return with_sources(text, sources)
    text = "Deze professionaliseringsthema's staan in mijn bronnen:\n" + bullets(t.name for t in named)
    if regulation.themes_reordered:
        text += f"\n{regulation.themes_reordered.value}"
        sources.append(regulation.themes_reordered.source)
    if regulation.new_themes_per_year:
        text += f" Elk jaar komen er {regulation.new_themes_per_year.value} nieuwe thema's bij."
        if regulation.new_themes_per_year.note:
            text += f" {regulation.new_themes_per_year.note}"
        sources.append(regulation.new_themes_per_year.source)
    text += " De volledige, actuele lijst staat niet in mijn bronnen."
    return with_sources(text, sources)


def theme_repeat(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    rule = regulation.themes_must_differ
    if rule.value:
        minimum = regulation.min_themes.value if regulation.min_themes else "drie"
        text = f"Je moest je ontwikkelen op minstens {minimum} verschillende thema's."
        if current is not None:
            text = (f"Vroeger moest je je ontwikkelen op minstens {minimum} verschillende thema's. "
                    + changed_note(regulation, current))
            if not current.themes_must_differ.value:
                text += " Nu mag je hetzelfde thema verder verdiepen."
        return with_sources(text, [rule.source])
    old = old_regulation(book, today)
    text = "Ja. Je mag hetzelfde professionaliseringsthema opnieuw kiezen en verder verdiepen."
    if old is not None and old.themes_must_differ.value:
        text += (f" De verplichting van {old.min_themes.value if old.min_themes else 'drie'} verschillende thema's "
                 f"is vervallen op {format_date(regulation.valid_from)}.")
    text += "\n" + dated(book, regulation, today, "themes_must_differ")
    return with_sources(text, [rule.source])


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
    if current.standard:
        changes.append(f"de beroepsstandaard spreekt van {current.standard.value['term']} in plaats van "
                       f"{current.standard.value['replaces']}")
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
    text = (f"De beroepsstandaard noemt vijf {std['term']}:\n" + bullets(std["practices"])
            + f"\nDaarnaast is er aandacht voor {std['also']}. Dat gaat over {std['also_description']}.")
    if q.first("regeling") == "oud" and std.get("replaces"):
        # "Waar sprak de beroepsstandaard vroeger over?": what it named before, then what it names now.
        text = (f"Vóór {format_date(regulation.valid_from)} sprak de beroepsstandaard van {std['replaces']}. "
                f"Sindsdien spreekt hij van {std['term']}.\n{text}")
    return with_sources(text, [regulation.standard.source])


def ask_which_programme(book: RuleBook, topic: str, candidates: Sequence[Programme] = ()) -> Answer:
    buttons = tuple(
        Button(capital(p.short), f'/{topic}{{"programme":"{p.id}"}}') for p in candidates or book.programmes.values()
    )
    return Answer("Over welke opleiding gaat je vraag?", buttons)


def programme_info(book: RuleBook, q: Query, today: date) -> Answer:
    programme = programme_of(book, q)
    if programme is None:
        if trajectory_of(book, q) is not None:
            return valuation(book, q, today)
        by_provider = provider_programmes(book, q.text)
        if len(by_provider) == 1:
            return programme_info(book, replace(q, entities={**q.entities, "programme": (by_provider[0].id,)}), today)
        if by_provider:
            return provider_overview(book, by_provider, today)
        return certified_programmes(book, q, today)
    body, value_source = programme_value_text(programme, today)
    parts = [f"{programme.name} is een programma van {programme.provider}."]
    hours = programme.info.get("study_load_hours")
    sources = [value_source]
    if hours is not None:
        parts.append(f"De studiebelasting is {hours.get('value')} uur.")
        sources.append(hours.source)
    if "phases" in programme.info:
        phases = programme.info["phases"]
        parts.append(f"Het heeft {phases.get('stated_count')} fases: "
                     + join_nl([p["name"] for p in phases.get("items")]) + "." + phases_note(phases))
        sources.append(phases.source)
    text = " ".join(parts) + " " + body
    text += " Vraag gerust naar de thema's, de voorwaarden, de kosten of het inschrijven."
    return with_sources(text, sources)


def programme_themes(book: RuleBook, q: Query, today: date) -> Answer:
    programme = programme_of(book, q)
    if programme is None:
        theme = theme_of(book, q)
        if theme is not None:
            return programmes_for_theme(book, theme, today, q)
        return ask_which_programme(book, "ask_programme_themes")
    recognition = programme.recognition_on(today)
    if recognition is None or not recognition.themes:
        reason = {
            "informeel": "het valt onder informeel leren; bij een waardering achteraf kies je zelf het thema",
            "none": "mijn bronnen noemen het niet als gecertificeerd door het Schoolleidersregister PO",
        }.get(recognition.form if recognition else "", "mijn bronnen noemen geen thema's")
        return with_sources(f"{capital(programme.short)} telt niet voor vaste thema's: {reason}.",
                            [recognition.source if recognition else programme.source])
    count = len(recognition.themes)
    text = (f"{capital(programme.short)} telt voor {count} professionaliseringsthema{'' if count == 1 else chr(39) + 's'}:\n"
            + bullets(ref.label for ref in recognition.themes))
    return with_sources(text, [recognition.source])


def programme_requirements(book: RuleBook, q: Query, today: date) -> Answer:
    programme = programme_of(book, q)
    trajectory = trajectory_of(book, q)
    if programme is None and trajectory is not None:
        # "Hoe lang duurt een waardering bij B&T?": the trajectory's data holds steps, not a duration.
        steps = trajectory.info.get("steps")
        if steps is not None and not asks_time(q.text):
            return valuation_steps(book, q, today)  # what you do for a waardering: its steps
        what = "hoe lang het duurt" if asks_time(q.text) else "wat je er precies voor moet doen"
        text = (f"{capital(what)} bij {trajectory.name}, staat niet in mijn bronnen. {HELPDESK_OFFER}")
        sources = [steps.source] if steps is not None else [trajectory.source]
        return with_sources(text, sources, HELPDESK_BUTTONS)
    if programme is None:
        programme, candidates = programme_asked(book, q, "validation", "study_load_hours")
        if programme is None:
            return ask_which_programme(book, "ask_programme_requirements", candidates)
    validation = programme.info.get("validation")
    hours = programme.info.get("study_load_hours")
    sources = []
    parts = []
    if hours is not None and asks_time(q.text):
        # A question about time gets the time first; what you do for it follows.
        parts.append(f"De studiebelasting van {programme.short} is {hours.get('value')} uur.")
        sources.append(hours.source)
        hours = None
    if validation is not None:
        parts.append(f"Voor {programme.short} doe je actief mee aan:\n" + bullets(validation.get("items")))
        parts.append(f"Dit wordt gevalideerd door {validation.get('validated_by')}. {validation.get('certificate')}")
        sources.append(validation.source)
    if hours is not None:
        parts.append(f"De studiebelasting is {hours.get('value')} uur.")
        sources.append(hours.source)
    if not parts:
        return with_sources(
            f"Wat je precies moet doen voor {programme.short}, staat niet in mijn bronnen. "
            f"Vraag het {programme.provider}, of de helpdesk.", [programme.source], HELPDESK_BUTTONS)
    return with_sources("\n".join(parts), sources)


def costs(book: RuleBook, q: Query, today: date) -> Answer:
    programme = programme_of(book, q)
    trajectory = trajectory_of(book, q)
    if programme is not None:
        info = programme.info.get("costs")
        if info is None:
            return with_sources(f"Wat {programme.short} kost, staat niet in mijn bronnen. "
                                f"Dat weet {programme.provider}.", [programme.source])
        return with_sources(f"Kosten van {programme.short}: {info.get('text')}{vat_note(q, info)}", [info.source])
    if trajectory is not None or q.intent == "ask_valuation_costs":
        return trajectory_costs(book, trajectory)
    parts = []
    sources = []
    for prog in book.programmes.values():
        info = prog.info.get("costs")
        if info is not None:
            parts.append(f"{capital(prog.short)}: {info.get('text')}")
            sources.append(info.source)
    for traj in book.trajectories.values():
        cost = traj.info.get("costs")
        if cost is not None:
            parts.append(f"{capital(traj.name)}: " + trajectory_cost_text(cost))
            sources.append(cost.source)
    text = ("Dit zijn de kosten die in mijn bronnen staan:\n" + bullets(parts)
            + "\nWat registratie in het register zelf kost, staat niet in mijn bronnen.")
    return with_sources(text, sources)


def vat_note(q: Query, info: Info) -> str:
    """A question about btw that the cost data does not settle: say so rather than let the sum imply it."""
    if re.search(r"\bbtw\b", plain_text(q.text)) and "btw" not in block_text(info).lower():
        return "\nOf dit bedrag inclusief of exclusief btw is, staat niet in mijn bronnen."
    return ""


def trajectory_cost_text(cost: Info) -> str:
    items = [f"{item['name']} {euro(item['eur'])}" for item in cost.get("items")]
    vat = "" if cost.get("vat_included") else " (exclusief btw)"
    return join_nl(items) + vat + "."


def trajectory_costs(book: RuleBook, trajectory: Trajectory | None) -> Answer:
    traj = trajectory or next(iter(book.trajectories.values()))
    cost = traj.info["costs"]
    return with_sources(f"Kosten bij {traj.name}: " + trajectory_cost_text(cost), [cost.source])


def enrolment(book: RuleBook, q: Query, today: date) -> Answer:
    programme, candidates = programme_asked(book, q, "enrolment")
    if trajectory_of(book, q) is not None and programme_of(book, q) is None:
        programme = None  # "aanmelden voor een waardering bij B&T": the trajectory's own enrolment
    if programme is not None:
        info = programme.info.get("enrolment")
        if info is None:
            return with_sources(f"Hoe je je aanmeldt voor {programme.short}, staat niet in mijn bronnen. "
                                f"Vraag het {programme.provider}.", [programme.source])
        text = info.get("text")
        contact = programme.info.get("contact")
        sources = [info.source]
        if contact is not None:
            text += f" Vragen? Mail {contact.get('email')} of bel {contact.get('phone')}."
            sources.append(contact.source)
        return with_sources(text, sources)
    trajectory = trajectory_of(book, q)
    if trajectory is not None:
        contact = trajectory.info["contact"]
        steps = trajectory.info["steps"]
        text = (f"Je meldt je aan bij de {trajectory.provider} om je ontwikkeling op een professionaliseringsthema te laten waarderen. "
                f"{contact.get('text')} Vragen? Neem contact op met {contact.get('name')}, {contact.get('role')}.")
        return with_sources(text, [contact.source, steps.source])
    return ask_which_programme(book, "ask_enrolment", candidates)


def certified_programmes(book: RuleBook, q: Query, today: date) -> Answer:
    theme = theme_of(book, q)
    if theme is not None:
        return programmes_for_theme(book, theme, today, q)
    lines = []
    sources = []
    for programme in book.programmes.values():
        if not (programme.certified and programme.certified.value):
            continue
        recognition = programme.recognition_on(today)
        value = f": {recognition.points} punten" if recognition and recognition.points is not None else ""
        lines.append(f"{capital(programme.short)} ({programme.provider}){value}")
        sources.append(programme.certified.source)
        if programme.certified.note:
            lines[-1] += f". {programme.certified.note}"
    for traj in book.trajectories.values():
        lines.append(f"{capital(traj.name)}, om informeel leren achteraf te laten waarderen")
        sources.append(traj.info["certified"].source)
    text = ("Deze gecertificeerde opleidingen en trajecten staan in mijn bronnen:\n" + bullets(lines)
            + "\nDe volledige lijst van gecertificeerd aanbod staat niet in mijn bronnen.")
    regulation, current = regulation_for(book, q, today)
    if current is not None:
        # "Hoe telde een gecertificeerde opleiding vroeger mee?": the old learning form for certified offers.
        for form in regulation.learning_forms.value:
            if "gecertificeerd" in form.description:
                text = (f"Vóór {format_date(current.valid_from)} telde een gecertificeerde opleiding als "
                        f"{form.name}: {form.description}.\n{text}")
                sources.insert(0, regulation.learning_forms.source)
                break
    line = dated(book, book.regulation_on(today), today, "certification") if q.first("regeling") != "oud" else ""
    return with_sources(f"{text}\n{line}".strip(), sources)


def programmes_for_theme(book: RuleBook, theme: Theme, today: date, q: Query | None = None) -> Answer:
    found = book.programmes_for_theme(theme.id, today)
    sources: list[Source] = [theme.source]
    if not found:
        text = (f"Mijn bronnen noemen geen gecertificeerde opleiding voor het thema {theme.name.lower()}. "
                "Je kunt je ontwikkeling op dat thema wel achteraf laten waarderen.")
        return with_sources(text, sources)
    lines = []
    for item in found:
        points = f", {item.recognition.points} punten" if item.recognition.points is not None else ""
        sub = f" (alleen het deelthema {item.ref.subtheme.name.lower()})" if item.ref.subtheme else ""
        lines.append(f"{capital(item.programme.short)}{points}{sub}")
        sources.append(item.recognition.source)
    text = (f"Voor het thema {theme.name.lower()} noemen mijn bronnen:\n" + bullets(lines)
            + "\nJe kunt een thema ook achteraf laten waarderen.")
    subs = [item.ref.subtheme for item in found if item.ref.subtheme]
    if subs and q is not None and re.search(r"deelthema|\bhele thema\b", plain_text(q.text)):
        # "Rond ik met het deelthema het hele thema af?": the sources do not say.
        text = (f"Of je met het deelthema {subs[0].name.lower()} het hele thema {theme.name.lower()} afrondt, "
                f"staat niet in mijn bronnen. {HELPDESK_OFFER}\n{text}")
        return with_sources(text, sources, HELPDESK_BUTTONS)
    return with_sources(text, sources)


def valuation(book: RuleBook, q: Query, today: date) -> Answer:
    what = book.info["valuation.what"]
    regulation = book.regulation_on(today)
    text = what.get("text")
    sources = [what.source]
    if regulation.valuation_points is not None:
        text += f" Per thema krijg je {valuation_rule_text(regulation)}."
        sources.append(regulation.valuation_points.source)
    names = join_nl([t.name for t in book.trajectories.values()], "of")
    text += f" Een gecertificeerd traject hiervoor is {names}."
    return with_sources(text, sources + [t.info["certified"].source for t in book.trajectories.values()])


def valuation_steps(book: RuleBook, q: Query, today: date) -> Answer:
    traj = trajectory_of(book, q) or next(iter(book.trajectories.values()))
    steps = traj.info["steps"]
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(steps.get("items"), start=1))
    return with_sources(f"Zo gaat een waardering bij de {traj.provider}, in {len(steps.get('items'))} stappen:\n{numbered}",
                        [steps.source])


def valuation_guidance(book: RuleBook, q: Query, today: date) -> Answer:
    traj = trajectory_of(book, q) or next(iter(book.trajectories.values()))
    guidance = traj.info["guidance"]
    cost = traj.info["costs"]
    with_guidance = next((i for i in cost.get("items") if i["id"] == "intake_guidance"), None)
    text = "Ja, begeleiding is mogelijk en niet verplicht. " + guidance.get("text")
    if with_guidance is not None:
        text += f" Een {with_guidance['name']} kost {euro(with_guidance['eur'])}" + (
            "" if cost.get("vat_included") else " (exclusief btw)") + "."
    return with_sources(text, [guidance.source, cost.source])


def tma(book: RuleBook, q: Query, today: date) -> Answer:
    traj = trajectory_of(book, q) or next(iter(book.trajectories.values()))
    instrument = traj.info["reflection_instrument"]
    cost = traj.info["costs"]
    item = next((i for i in cost.get("items") if i["id"] == "tma"), None)
    text = f"De {instrument.get('name')} is een reflectie-instrument en niet verplicht. {instrument.get('text')}"
    if item is not None:
        text += f" Kosten: {euro(item['eur'])}" + ("" if cost.get("vat_included") else " (exclusief btw)") + "."
    return with_sources(text, [instrument.source, cost.source])


def certificate_upload(book: RuleBook, q: Query, today: date) -> Answer:
    info = book.info["certificate_upload"]
    return with_sources(
        info.get("text") + " Lukt het uploaden niet, dan kan de helpdesk je helpen.", info.sources
    )


def organisation(book: RuleBook, q: Query, today: date) -> Answer:
    founded = book.info["organisation.founded"]
    board = book.info["organisation.board"]
    activities = book.info["organisation.activities"]
    text = (
        f"Het Schoolleidersregister PO is in {founded.get('year')} {founded.get('text')}. "
        f"In het bestuur zitten {join_nl(board.get('members'))}. Het register doet onder meer dit:\n"
        + bullets(activities.get("items"))
    )
    return with_sources(text, [founded.source, board.source, activities.source])


def committees(book: RuleBook, q: Query, today: date) -> Answer:
    bodies = book.info["organisation.bodies"]
    lines = [f"{b['name']}: {b['role']}" for b in bodies.get("items")]
    text = ("Dit zijn de commissies en raden van het register:\n" + bullets(lines)
            + f"\n{bodies.get('composition')} {bodies.get('advice')}")
    return with_sources(text, [bodies.source])


def mt_programme(book: RuleBook, q: Query, today: date) -> Answer:
    programme = book.programme("leerkracht-directieteams")
    phases = programme.info["phases"]
    team = programme.info["directieteam"]
    cost = programme.info["costs"]
    certified = programme.certified
    text = (
        f"{programme.name} helpt een directieteam om samen te werken aan een verbetercultuur. Het heeft "
        f"{phases.get('stated_count')} fases, dezelfde als op scholen:\n"
        + bullets(f"{p['name']}: {p['description']}" for p in phases.get("items")) + phases_note(phases)
        + f"\nIn het primair onderwijs is het directieteam {team.get('PO')}. "
        f"Kosten: {cost.get('text')}. "
        + (not_named_certified(programme) if certified is not None and not certified.value else "")
    )
    sources = [phases.source, team.source, cost.source] + ([certified.source] if certified else [])
    return with_sources(text.strip(), sources)


def outside_sources(book: RuleBook, q: Query, today: date) -> Answer:
    passage = best_passage(book, q.text) if q.text else None
    if passage is not None:
        # "Wat moet er in dat plan staan?": what the data does say about it, quoted, and no more.
        return Answer(
            f"In mijn bronnen staat hierover alleen dit:\n“{passage.text}”\n{source_line([passage.source])}\n\n"
            "Meer staat er niet in, en ik wil je geen verkeerd antwoord geven. De helpdesk van het "
            "Schoolleidersregister PO kan je verder helpen. " + HELPDESK_OFFER,
            HELPDESK_BUTTONS, (passage.source,))
    return Answer(
        "Daar staat niets over in de bronnen die ik ken, en ik wil je geen verkeerd antwoord geven. "
        "De helpdesk van het Schoolleidersregister PO kan je hiermee wel helpen. " + HELPDESK_OFFER,
        HELPDESK_BUTTONS,
    )


def out_of_scope(book: RuleBook, q: Query, today: date) -> Answer:
    return Answer(
        "Daar kan ik je niet mee helpen. Ik weet alleen iets van registratie en herregistratie in het "
        "Schoolleidersregister PO: routes, punten, thema's, opleidingen, waarderen achteraf en kosten. "
        "Vraag bijvoorbeeld: 'Hoeveel punten heb ik nodig?'"
    )


def simple(text: str) -> Callable[[RuleBook, Query, date], Answer]:
    def render(book: RuleBook, q: Query, today: date) -> Answer:
        return Answer(text)
    return render


TOPICS: Mapping[str, Callable[[RuleBook, Query, date], Answer]] = {
    "greet": greet,
    "goodbye": simple("Tot ziens! Succes met je herregistratie."),
    "thank": simple("Graag gedaan! Heb je nog een vraag, stel hem gerust."),
    "affirm": simple("Prima. Wat wil je nog meer weten?"),
    "deny": simple("Goed. Kan ik je ergens anders mee helpen?"),
    "inform": simple("Waar wil je iets over weten? Stel je vraag gerust in een hele zin."),
    "ask_capabilities": capabilities,
    "out_of_scope": out_of_scope,
    "ask_herregistratie": herregistratie,
    "ask_routes": routes,
    "ask_registration_types": registration_types,
    "ask_points_needed": points_needed,
    "ask_activity_points": activity_points,
    "ask_learning_levels": learning_levels,
    "ask_themes": themes,
    "ask_theme_repeat": theme_repeat,
    "ask_rule_changes": rule_changes,
    "ask_leadership_practices": leadership_practices,
    "ask_programme_info": programme_info,
    "ask_programme_themes": programme_themes,
    "ask_programme_requirements": programme_requirements,
    "ask_costs": costs,
    "ask_enrolment": enrolment,
    "ask_certified_programmes": certified_programmes,
    "ask_valuation": valuation,
    "ask_valuation_steps": valuation_steps,
    "ask_valuation_guidance": valuation_guidance,
    "ask_tma": tma,
    "ask_certificate_upload": certificate_upload,
    "ask_organisation": organisation,
    "ask_committees": committees,
    "ask_mt_programme": mt_programme,
    "ask_outside_sources": outside_sources,
}

# Small talk is never overruled by a word of a subject outside the sources.
NEVER_OUTSIDE = {"greet", "goodbye", "thank", "affirm", "deny", "out_of_scope", "ask_capabilities"}

# Topics where a comparison between learning forms is answered on both sides.
COMPARABLE = {"ask_valuation", "ask_rule_changes", "ask_themes", "ask_valuation_steps", "ask_routes", "ask_points_needed", "ask_activity_points",
              "ask_programme_info", "ask_certified_programmes", "ask_registration_types", "ask_herregistratie"}

# What each topic is called when the assistant offers it as a choice (fallback buttons).
TOPIC_TITLES: Mapping[str, str] = {
    "ask_capabilities": "Wat kun je?",
    "request_helpdesk": "Contact met de helpdesk",
    "ask_herregistratie": "Wat is herregistratie?",
    "ask_routes": "De routes voor herregistratie",
    "ask_registration_types": "RDO en RADO",
    "ask_points_needed": "Hoeveel punten heb ik nodig?",
    "ask_activity_points": "Punten voor een opleiding of thema",
    "ask_learning_levels": "Leerniveaus",
    "ask_themes": "De professionaliseringsthema's",
    "ask_theme_repeat": "Mag een thema vaker?",
    "ask_rule_changes": "Wat veranderde in november 2020?",
    "ask_leadership_practices": "De leiderschapspraktijken",
    "ask_programme_info": "Over een opleiding",
    "ask_programme_themes": "Thema's van een opleiding",
    "ask_programme_requirements": "Voorwaarden van een opleiding",
    "ask_costs": "Kosten",
    "ask_enrolment": "Inschrijven",
    "ask_certified_programmes": "Gecertificeerde opleidingen",
    "ask_valuation": "Achteraf laten waarderen",
    "ask_valuation_steps": "De stappen van een waardering",
    "ask_valuation_guidance": "Begeleiding bij een waardering",
    "ask_tma": "De TMA",
    "ask_certificate_upload": "Certificaat uploaden",
    "ask_organisation": "Over het register",
    "ask_committees": "Commissies en raden",
    "ask_mt_programme": "leerKRACHT voor directieteams",
    "calculate_points": "Punten uitrekenen",
    "ask_my_progress": "Mijn punten",
    "ask_my_deadline": "Mijn herregistratiedatum",
    "ask_my_dossier": "Mijn dossier",
    "ask_my_what_if": "Wat als ik nog iets doe?",
    "ask_my_suggestion": "Welke opleiding past bij mij?",
    "ask_outside_sources": "Iets anders over het register",
}


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


# What a descriptive block of a programme or trajectory is called when it is the answer.
BLOCK_LABELS = {
    "learning_goals": "De leerdoelen van {subject}", "benefits": "Wat {subject} oplevert",
    "contact": "Contact over {subject}", "directieteam": "Wat {subject} met een directieteam bedoelt",
    "phases": "De fases van {subject}", "reflection_instrument": "Over de TMA bij {subject}",
    "guidance": "Begeleiding bij {subject}", "steps": "De stappen van {subject}",
    "validation": "Wat je doet voor {subject}", "enrolment": "Aanmelden voor {subject}",
    "costs": "Kosten van {subject}",
}
# The blocks an intent's own answer already shows.
OWN_BLOCKS = {
    "ask_costs": {"costs"}, "ask_enrolment": {"enrolment", "contact"},
    "ask_programme_requirements": {"validation", "study_load_hours"}, "ask_mt_programme": {"phases", "costs"},
    "ask_valuation_steps": {"steps"}, "ask_valuation_guidance": {"guidance"}, "ask_tma": {"reflection_instrument"},
}
DETAIL_INTENTS = set(OWN_BLOCKS) | {"ask_programme_info", "ask_programme_themes", "ask_activity_points",
                                    "ask_valuation", "ask_certified_programmes"}
VALUATION_INTENTS = {"ask_valuation_steps", "ask_valuation_guidance", "ask_tma"}
REGION_NAMES = {"PO": "het primair onderwijs", "MBO": "het mbo", "VO": "het voortgezet onderwijs"}


def block_text(info: Info) -> str:
    """A descriptive block as B1 sentences: its text, its items as a list, its fields as a line each."""
    data = dict(info.data)
    lines: list[str] = []
    if "role" in data:
        lines.append(f"{data.get('name', '')} ({data['role']}). {data.get('text', '')}".strip())
    elif "name" in data and "text" in data:
        lines.append(f"{capital(str(data['name']))}: {data['text']}")
    elif "text" in data:
        lines.append(str(data["text"]))
    for item in data.get("items") or ():
        if isinstance(item, Mapping):
            label = item.get("name") or ""
            rest = item.get("description") or item.get("role") or ""
            lines.append(f"- {label}: {rest}" if label and rest else f"- {label or rest}")
        else:
            lines.append(f"- {item}")
    for region, name in REGION_NAMES.items():
        if region in data:
            lines.append(f"In {name}: {data[region]}.")
    contact = [str(data[k]) for k in ("name", "role", "email", "phone") if k in data and "text" not in data]
    if contact:
        lines.append(", ".join(contact) + ".")
    return "\n".join(lines)


def detail_answer(book: RuleBook, q: Query) -> Answer | None:
    """The block of a named programme or trajectory that the question asks about, when it is not what
    the topic's own answer shows ("leerdoelen LK1", "contact B&T", "directieteam mbo")."""
    subject: Programme | Trajectory | None = programme_of(book, q) or trajectory_of(book, q)
    if subject is None and q.intent == "ask_mt_programme":
        subject = book.programme("leerkracht-directieteams")
    elif subject is None and q.intent in VALUATION_INTENTS and book.trajectories:
        subject = next(iter(book.trajectories.values()))
    if subject is None or len(q.all("programme")) > 1:
        return None
    if facet_of(q.text) is not None:
        return None  # "wat kost B&T met begeleiding": the facet asked answers, not the block named
    keys = detail_blocks(subject, q.text)
    if not keys or set(keys) & OWN_BLOCKS.get(q.intent, set()):
        # The topic's own block is among those named ("reflectie-instrument" for the TMA): its answer stands.
        return None
    info = subject.info[keys[0]]
    if not isinstance(info, Info) or not block_text(info).strip():
        return None
    name = subject.short if isinstance(subject, Programme) else subject.name
    label = BLOCK_LABELS.get(keys[0], "Over {subject}").format(subject=name)
    return with_sources(f"{capital(label)}:\n{block_text(info)}", [info.source])


def per_programme(book: RuleBook, q: Query, today: date,
                  render: Callable[[RuleBook, Query, date], Answer]) -> Answer:
    """A question about several programmes at once ("wat levert meer op, LK1 of het SLP?"): the same
    facet for each, one after the other, so a comparison is answered on every side."""
    parts = []
    sources: list[Source] = []
    for programme_id in known_programmes(book, q):
        single = replace(q, entities={**q.entities, "programme": (programme_id,)})
        result = render(book, single, today)
        parts.append(result.text.split("\n\nBron")[0].strip())
        sources.extend(result.sources)
    return with_sources("\n\n".join(parts), sources)


def answer(book: RuleBook, query: Query, today: date) -> Answer:
    """The answer to a question; an honest 'I don't know' for an intent without a topic."""
    if query.intent in TOPICS and query.intent not in NEVER_OUTSIDE and outside_topic(query.text):
        # Accounts, postponement, fees of the register...: the sources are silent, whatever the topic looked like.
        return outside_sources(book, query, today)
    if query.intent in COMPARABLE:
        forms = compared_learning_forms(book, query.text) or defined_learning_form(book, query.text)
        if forms:
            return comparison(book, forms, today)
    query = refine(book, with_names(book, query))
    render = TOPICS.get(query.intent)
    if render is None:
        return outside_sources(book, query, today)
    try:
        if query.intent in PROGRAMME_FACETS and len(known_programmes(book, query)) > 1:
            if facet_of(query.text) is None and COMPARISON_RE.search(plain_text(query.text)):
                render = programme_info  # "verschil LK1 en SLP": what each is and is worth, side by side
            return per_programme(book, query, today, render)
        if query.intent in DETAIL_INTENTS:
            detail = detail_answer(book, query)
            if detail is not None:
                return detail
        result = render(book, query, today)
    except RulesError as exc:
        return Answer(exc.message_nl)
    inferred = programme_of(book, Query(query.intent, {"programme": query.all("programme_inferred")}))
    if inferred is not None:
        # Say which programme the answer is about: the question named a detail only its data holds.
        result = replace(result, text=f"Dit staat in mijn bronnen alleen bij {inferred.short}.\n{result.text}")
    return result


