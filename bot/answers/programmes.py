"""Programmes: what one is and is worth, its themes, what it asks, its costs and enrolment, the certified
offer, programmes per theme, leerKRACHT for directieteams, and a named block of a programme's data."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from ..facets import asks_time, detail_blocks, facet_of, plain_text
from ..register import RuleBook, format_date
from ..register.model import Phases, Programme, ProgrammeCosts, Source, StudyLoad, Theme, Trajectory
from ..replies import HELPDESK_BUTTONS, HELPDESK_OFFER, Answer, Button, Query, bullets, capital, join_nl, with_sources
from .common import (
    block_text,
    dated,
    known_programmes,
    programme_asked,
    programme_of,
    provider_programmes,
    regulation_for,
    theme_of,
    trajectory_of,
)
from .valuation import trajectory_cost_text, trajectory_costs, valuation, valuation_steps


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


def phases_note(phases: Phases) -> str:
    """The data's note when the source names more phases than it describes ("vier fases", three described)."""
    note = phases.note
    if note and phases.stated_count != len(phases.items):
        return f" ({note.rstrip('.')}.)"
    return ""


def not_named_certified(programme: Programme) -> str:
    """A programme the sources give no recognition: what they say (nothing), not what follows from it."""
    return (f"Mijn bronnen noemen {programme.short} niet als gecertificeerd door het Schoolleidersregister PO, "
            "en noemen er geen punten voor. Of het toch meetelt, kan de helpdesk je vertellen.")


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
    hours = programme.study_load_hours
    sources = [value_source]
    if hours is not None:
        parts.append(f"De studiebelasting is {hours.hours} uur.")
        sources.append(hours.source)
    phases = programme.phases
    if phases is not None:
        parts.append(f"Het heeft {phases.stated_count} fases: "
                     + join_nl([p.name for p in phases.items]) + "." + phases_note(phases))
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
        steps = trajectory.steps
        if steps is not None and not asks_time(q.text):
            return valuation_steps(book, q, today)  # what you do for a waardering: its steps
        what = "hoe lang het duurt" if asks_time(q.text) else "wat je er precies voor moet doen"
        text = (f"{capital(what)} bij {trajectory.name}, staat niet in mijn bronnen. {HELPDESK_OFFER}")
        sources = [steps.source] if steps is not None else [trajectory.source]
        return with_sources(text, sources, HELPDESK_BUTTONS, complete=False)
    if programme is None:
        programme, candidates = programme_asked(book, q, lambda p: p.validation or p.study_load_hours)
        if programme is None:
            return ask_which_programme(book, "ask_programme_requirements", candidates)
    validation = programme.validation
    hours: StudyLoad | None = programme.study_load_hours
    sources = []
    parts = []
    if hours is not None and asks_time(q.text):
        # A question about time gets the time first; what you do for it follows.
        parts.append(f"De studiebelasting van {programme.short} is {hours.hours} uur.")
        sources.append(hours.source)
        hours = None
    if validation is not None:
        parts.append(f"Voor {programme.short} doe je actief mee aan:\n" + bullets(validation.items))
        parts.append(f"Dit wordt gevalideerd door {validation.validated_by}. {validation.certificate}")
        sources.append(validation.source)
    if hours is not None:
        parts.append(f"De studiebelasting is {hours.hours} uur.")
        sources.append(hours.source)
    if not parts:
        return with_sources(
            f"Wat je precies moet doen voor {programme.short}, staat niet in mijn bronnen. "
            f"Vraag het {programme.provider}, of de helpdesk.", [programme.source], HELPDESK_BUTTONS, complete=False)
    return with_sources("\n".join(parts), sources)


def costs(book: RuleBook, q: Query, today: date) -> Answer:
    programme = programme_of(book, q)
    trajectory = trajectory_of(book, q)
    if programme is not None:
        info = programme.costs
        if info is None:
            return with_sources(f"Wat {programme.short} kost, staat niet in mijn bronnen. "
                                f"Dat weet {programme.provider}.", [programme.source], complete=False)
        return with_sources(f"Kosten van {programme.short}: {info.text}{vat_note(q, info)}", [info.source])
    if trajectory is not None or q.intent == "ask_valuation_costs":
        return trajectory_costs(book, trajectory)
    parts = []
    sources = []
    for prog in book.programmes.values():
        info = prog.costs
        if info is not None:
            parts.append(f"{capital(prog.short)}: {info.text}")
            sources.append(info.source)
    for traj in book.trajectories.values():
        cost = traj.costs
        if cost is not None:
            parts.append(f"{capital(traj.name)}: " + trajectory_cost_text(cost))
            sources.append(cost.source)
    text = ("Dit zijn de kosten die in mijn bronnen staan:\n" + bullets(parts)
            + "\nWat registratie in het register zelf kost, staat niet in mijn bronnen.")
    return with_sources(text, sources)


def vat_note(q: Query, info: ProgrammeCosts) -> str:
    """A question about btw that the cost data does not settle: say so rather than let the sum imply it."""
    if re.search(r"\bbtw\b", plain_text(q.text)) and "btw" not in block_text(info).lower():
        return "\nOf dit bedrag inclusief of exclusief btw is, staat niet in mijn bronnen."
    return ""


def enrolment(book: RuleBook, q: Query, today: date) -> Answer:
    programme, candidates = programme_asked(book, q, lambda p: p.enrolment)
    if trajectory_of(book, q) is not None and programme_of(book, q) is None:
        programme = None  # "aanmelden voor een waardering bij B&T": the trajectory's own enrolment
    if programme is not None:
        enrolment = programme.enrolment
        if enrolment is None:
            return with_sources(f"Hoe je je aanmeldt voor {programme.short}, staat niet in mijn bronnen. "
                                f"Vraag het {programme.provider}.", [programme.source], complete=False)
        text = enrolment.text
        contact = programme.contact
        sources = [enrolment.source]
        if contact is not None:
            text += f" Vragen? Mail {contact.email} of bel {contact.phone}."
            sources.append(contact.source)
        return with_sources(text, sources)
    trajectory = trajectory_of(book, q)
    if trajectory is not None:
        contact = trajectory.contact
        steps = trajectory.steps
        if contact is None or steps is None:
            return with_sources(f"Hoe je je aanmeldt bij {trajectory.name}, staat niet in mijn bronnen.",
                                [trajectory.source], HELPDESK_BUTTONS, complete=False)
        text = (f"Je meldt je aan bij de {trajectory.provider} om je ontwikkeling op een professionaliseringsthema te laten waarderen. "
                f"{contact.text} Vragen? Neem contact op met {contact.name}, {contact.role}.")
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
        sources.append(traj.source)
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
        return with_sources(text, sources, HELPDESK_BUTTONS, complete=False)
    return with_sources(text, sources)


def mt_programme(book: RuleBook, q: Query, today: date) -> Answer:
    programme = book.programme("leerkracht-directieteams")
    phases, team, cost = programme.phases, programme.directieteam, programme.costs
    certified = programme.certified
    if phases is None or team is None or cost is None:
        return programme_info(book, replace(q, entities={**q.entities, "programme": (programme.id,)}), today)
    text = (
        f"{programme.name} helpt een directieteam om samen te werken aan een verbetercultuur. Het heeft "
        f"{phases.stated_count} fases, dezelfde als op scholen:\n"
        + bullets(f"{p.name}: {p.description}" for p in phases.items) + phases_note(phases)
        + f"\nIn het primair onderwijs is het directieteam {team.po}. "
        f"Kosten: {cost.text}. "
        + (not_named_certified(programme) if certified is not None and not certified.value else "")
    )
    sources = [phases.source, team.source, cost.source] + ([certified.source] if certified else [])
    return with_sources(text.strip(), sources)


# What a descriptive block of a programme or trajectory is called when it is the answer.
BLOCK_LABELS = {
    "learning_goals": "De leerdoelen van {subject}", "benefits": "Wat {subject} oplevert",
    "contact": "Contact over {subject}", "directieteam": "Wat {subject} met een directieteam bedoelt",
    "phases": "De fases van {subject}", "reflection_instrument": "Over de TMA bij {subject}",
    "guidance": "Begeleiding bij {subject}", "steps": "De stappen van {subject}",
    "validation": "Wat je doet voor {subject}", "enrolment": "Aanmelden voor {subject}",
    "costs": "Kosten van {subject}",
}


def detail_answer(book: RuleBook, q: Query, own_blocks: frozenset[str] = frozenset(),
                  trajectory_subject: bool = False) -> Answer | None:
    """The block of a named programme or trajectory that the question asks about, when it is not what
    the topic's own answer shows ("leerdoelen LK1", "contact B&T", "directieteam mbo")."""
    subject: Programme | Trajectory | None = programme_of(book, q) or trajectory_of(book, q)
    if subject is None and q.intent == "ask_mt_programme":
        subject = book.programme("leerkracht-directieteams")
    elif subject is None and trajectory_subject and book.trajectories:
        subject = next(iter(book.trajectories.values()))
    if subject is None or len(q.all("programme")) > 1:
        return None
    if facet_of(q.text) is not None:
        return None  # "wat kost B&T met begeleiding": the facet asked answers, not the block named
    blocks = detail_blocks(subject, q.text)
    if not blocks or {block.key for block in blocks} & own_blocks:
        # The topic's own block is among those named ("reflectie-instrument" for the TMA): its answer stands.
        return None
    info = blocks[0]
    if not block_text(info).strip():
        return None
    name = subject.short if isinstance(subject, Programme) else subject.name
    label = BLOCK_LABELS.get(info.key, "Over {subject}").format(subject=name)
    return with_sources(f"{capital(label)}:\n{block_text(info)}", [info.source])


def per_programme(book: RuleBook, q: Query, today: date,
                  render: Callable[[RuleBook, Query, date], Answer]) -> Answer:
    """A question about several programmes at once ("wat levert meer op, LK1 of het SLP?"): the same
    facet for each, one after the other, so a comparison is answered on every side."""
    parts = []
    sources: list[Source] = []
    complete = []
    for programme_id in known_programmes(book, q):
        single = replace(q, entities={**q.entities, "programme": (programme_id,)})
        result = render(book, single, today)
        parts.append(result.text.split("\n\nBron")[0].strip())
        sources.extend(result.sources)
        complete.append(result.complete)
    # Incomplete only when the sources answer for none of the programmes.
    return with_sources("\n\n".join(parts), sources, complete=any(complete) or not complete)
