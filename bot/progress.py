"""Personal answers from a leader's stored dossier, computed by the rules module. No Rasa here.

Only approved activities count; planned and submitted ones are shown apart. Every answer carries
the derivation and its sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from . import texts
from .answers.common import dated
from .answers.explain import explain, what_if_text
from .calculator import calculate, parse, ways_to_close
from .register import Activity, Dossier, Evaluation, ProgrammeActivity, RuleBook, RulesError, format_date
from .replies import Answer, source_line

STATUS_NL = {"gepland": "gepland", "ingediend": "ingediend", "goedgekeurd": "goedgekeurd", "afgewezen": "afgewezen"}
WARNING_MONTHS = 6
NUMBER_IN_TEXT = re.compile(r"\b\d{6,10}\b")

# Fixed wording in domain.yml (`responses:`), read once at import.
LOGIN_HINT = texts.text("utter_login_hint")
# Below a general answer to a question about the asker's own dossier, from someone not logged in.
LOGIN_FOR_OWN = texts.text("utter_login_for_own")
OTHER_LEADER = texts.text("utter_other_leader")
NOT_FOUND = texts.text("utter_dossier_not_found")


class LeaderLike(Protocol):
    @property
    def registratienummer(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def registration_type(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...


class ActivityLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def programme(self) -> str | None: ...
    @property
    def themes(self) -> Sequence[str]: ...
    @property
    def learning_level(self) -> int | None: ...
    @property
    def diploma(self) -> str | None: ...
    @property
    def completed_on(self) -> date: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Personal:
    leader: LeaderLike
    approved: Dossier
    pending: tuple[ActivityLike, ...]
    all_activities: tuple[ActivityLike, ...]


def mentions_other_leader(text: str, own: str) -> bool:
    return any(number != own for number in NUMBER_IN_TEXT.findall(text or ""))


def months_between(start: date, end: date) -> float:
    return (end - start).days / 30.44


def describe(book: RuleBook, activity: ActivityLike) -> str:
    if activity.kind == "programme" and activity.programme:
        try:
            return book.programme(activity.programme).short
        except RulesError:
            return activity.programme
    if activity.kind == "diploma":
        return f"diploma {activity.diploma}"
    themes = []
    for theme in activity.themes:
        try:
            themes.append(book.theme(theme).name)
        except RulesError:
            themes.append(theme)
    level = f" op niveau {activity.learning_level}" if activity.learning_level else ""
    return f"waardering {', '.join(themes) or 'van een thema'}{level}"


def evaluate(book: RuleBook, personal: Personal, today: date) -> Evaluation:
    return book.evaluate(personal.approved, today)


@dataclass(frozen=True)
class Overview:
    """Where a leader stands, as figures for a picture (bot/cards.py words it): what counts under the rules
    in force (`unit` "punten", or "themas" where a regulation counts themes), how much of it is done and
    required (None when the regulation counts neither), whether a route is complete already (`via`: the
    diploma route that does it), and the period with today."""

    unit: str | None
    done: int | None
    required: int | None
    complete: bool
    via: str | None
    period_start: date
    deadline: date
    today: date


def overview(book: RuleBook, personal: Personal, today: date) -> Overview:
    """The figures behind the personal overview (progress bar and timeline); no wording here."""
    ev = evaluate(book, personal, today)
    unit: str | None = None
    done = required = None
    if ev.points_required is not None and ev.total_points is not None:
        unit, done, required = "punten", ev.total_points, ev.points_required
    elif ev.themes_required is not None:
        unit, required = "themas", ev.themes_required
        done = sum(1 for covered in ev.themes_covered if covered.full)
    route = next((s.route for s in ev.routes if s.route.diploma and s.complete), None)
    leader = personal.leader
    return Overview(unit, done, required, ev.complete, route.short if route is not None else None,
                    leader.period_start, leader.period_end, today)


def progress(book: RuleBook, personal: Personal, today: date) -> Answer:
    """Points so far, points missing, deadline, pending activities, and what would close the gap."""
    ev = evaluate(book, personal, today)
    leader = personal.leader
    lines = [f"Je periode loopt van {format_date(leader.period_start)} tot {format_date(leader.period_end)}."]
    explanation = explain(ev)
    lines.extend(explanation.lines)
    if personal.pending:
        items = "; ".join(f"{describe(book, a)} ({STATUS_NL.get(a.status, a.status)})" for a in personal.pending)
        lines.append(f"Nog niet meegeteld, want nog niet goedgekeurd: {items}.")
    if ev.points_missing and not ev.complete:
        done = {a.programme for a in personal.approved.activities if isinstance(a, ProgrammeActivity)}
        ways = ways_to_close(book, ev.points_missing, today, exclude=done)
        if ways:
            lines.append("Je kunt dat bijvoorbeeld halen met " + ways + ".")
    lines.append(dated(book, ev.regulation, today, "points_required"))
    return Answer("\n".join(lines) + "\n\n" + source_line(explanation.sources), (), explanation.sources)


def deadline(book: RuleBook, personal: Personal, today: date) -> Answer:
    leader = personal.leader
    ev = evaluate(book, personal, today)
    days = (leader.period_end - today).days
    if days < 0:
        when = f"Je periode is verlopen op {format_date(leader.period_end)}."
    else:
        when = (f"Je herregistreert uiterlijk op {format_date(leader.period_end)}: dat is over {days} dagen. "
                f"Je periode begon op {format_date(leader.period_start)}.")
    status = _complete_text(ev) if ev.complete else _missing_text(ev)
    cycle = book.regulation_on(leader.period_start).cycle_years
    return Answer(f"{when} {status}\n\n{source_line((cycle.source, *explain(ev).sources))}")


def _complete_text(ev: Evaluation) -> str:
    """'Je voldoet al aan de eisen', with the route that does it when it is a diploma's."""
    route = next((s.route for s in ev.routes if s.route.diploma and s.complete), None)
    return f"Je voldoet al aan de eisen, via de {route.short}." if route is not None else "Je voldoet al aan de eisen."


def _missing_text(ev: Evaluation) -> str:
    if ev.points_missing is not None:
        return f"Je mist nog {ev.points_missing} punten."
    if ev.themes_missing is not None:
        return f"Je mist nog {ev.themes_missing} thema's."
    return ""


def dossier(book: RuleBook, personal: Personal, today: date) -> Answer:
    leader = personal.leader
    header = (f"Dossier van {leader.name} ({leader.registratienummer}), {leader.registration_type}"
              + (f", {leader.level}" if leader.level else "") + ".")
    if not personal.all_activities:
        return Answer(header + "\nEr staan nog geen activiteiten in je dossier.")
    rows = [f"- {describe(book, a)}, {format_date(a.completed_on)}: {STATUS_NL.get(a.status, a.status)}"
            for a in sorted(personal.all_activities, key=lambda a: a.completed_on)]
    summary = progress(book, personal, today)
    covered = evaluate(book, personal, today).themes_covered
    if covered:
        names = [c.theme.name + ("" if c.full else " (deels)") for c in covered]
        rows.append("Thema's die je hiermee al hebt afgedekt: " + ", ".join(names) + ".")
    return Answer(header + "\n" + "\n".join(rows) + "\n\n" + summary.text, (), summary.sources)


def what_if(book: RuleBook, personal: Personal, text: str, entities: Sequence[dict[str, object]], today: date) -> Answer:
    added: tuple[Activity, ...] = parse(book, text, entities).activities
    if not added:
        return Answer("Wat wil je erbij doen? Noem een opleiding of een thema met niveau, bijvoorbeeld "
                      "'een thema op niveau 6'.")
    try:
        result = book.what_if(personal.approved, added, today)
    except RulesError as exc:
        return Answer(exc.message)
    return Answer(what_if_text(result) + "\n\n" + source_line(explain(result.after).sources))


ANONYMOUS_WHAT_IF_NOTE = texts.text("utter_what_if_anonymous_note")


def anonymous_what_if(book: RuleBook, text: str, entities: Sequence[dict[str, object]], today: date) -> Answer:
    """A hypothetical from someone not logged in: the general computation over what the message names,
    with a line that logging in would use the real dossier; the login hint only when nothing is named."""
    parsed = parse(book, text, entities)
    if parsed.empty or parsed.needs_level:
        return Answer(LOGIN_HINT)
    result = calculate(book, parsed, today)
    return Answer(f"{result.text}\n\n{ANONYMOUS_WHAT_IF_NOTE}", result.buttons, result.sources)


def suggestion(book: RuleBook, personal: Personal, today: date) -> Answer:
    """Certified programmes covering themes the leader has not covered yet."""
    ev = evaluate(book, personal, today)
    covered = {c.theme.id for c in ev.themes_covered}
    done = {a.programme for a in personal.approved.activities if isinstance(a, ProgrammeActivity)}
    lines = []
    sources = []
    for programme in book.programmes.values():
        recognition = programme.recognition_on(today)
        if programme.id in done or recognition is None or recognition.form in ("none", "informeel"):
            continue
        new = [ref.theme.name for ref in recognition.themes if ref.theme.id not in covered]
        if new:
            points = f", {recognition.points} punten" if recognition.points is not None else ""
            lines.append(f"- {programme.short}{points}: {', '.join(new)}")
            sources.append(recognition.source)
    if not lines:
        return Answer("Mijn bronnen noemen geen gecertificeerde opleiding voor een thema dat je nog niet hebt. "
                      "Je kunt een thema ook achteraf laten waarderen.")
    text = "Deze gecertificeerde opleidingen dekken thema's die nog niet in je dossier staan:\n" + "\n".join(lines)
    return Answer(text + "\n\n" + source_line(sources), (), tuple(sources))


def start_warning(book: RuleBook, personal: Personal, today: date) -> str | None:
    """Said unasked at the start of a conversation: the period ends soon and points are short."""
    leader = personal.leader
    if not today <= leader.period_end or months_between(today, leader.period_end) > WARNING_MONTHS:
        return None
    ev = evaluate(book, personal, today)
    if ev.complete:
        return None
    return (f"Let op: je periode eindigt op {format_date(leader.period_end)} en {_missing_text(ev).lower()} "
            "Vraag gerust wat je nog kunt doen.").replace("  ", " ")


def personal_note(book: RuleBook, personal: Personal, today: date) -> str:
    """One line added to a general answer for a verified leader: where they stand themselves."""
    ev = evaluate(book, personal, today)
    status = _complete_text(ev).lower().rstrip(".") if ev.complete else _missing_text(ev).lower().rstrip(".")
    points = f"je hebt nu {ev.total_points} van de {ev.points_required} punten, " if ev.total_points is not None else ""
    return f"Voor jou: {points}{status}; je herregistreert uiterlijk op {format_date(personal.leader.period_end)}."


def reminder(book: RuleBook, personal: Personal, today: date) -> Answer | None:
    """The reminder pushed before the deadline (bot/reminders.py), or None when none is due: the period
    ends within WARNING_MONTHS and points or themes are short. What is missing, one concrete idea, the
    sources, and how to stop the reminders."""
    leader = personal.leader
    if not today <= leader.period_end or months_between(today, leader.period_end) > WARNING_MONTHS:
        return None
    ev = evaluate(book, personal, today)
    if ev.complete:
        return None
    idea = suggestion(book, personal, today)
    first = next((line[2:] for line in idea.text.splitlines() if line.startswith("- ")), None)
    sources = (*explain(ev).sources[:1], *idea.sources[:1])
    text = f"Herinnering van Registerwijzer: je periode eindigt op {format_date(leader.period_end)}. {_missing_text(ev)}"
    if first:
        text += f"\nEen idee: {first}."
    text += "\n\n" + source_line(sources) if sources else ""
    text += "\n\nGeen herinneringen meer? Typ **herinneringen uit**."
    return Answer(text, (), sources)
