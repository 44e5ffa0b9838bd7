"""The points calculator in chat: read what a leader says they did, compute with the rules module.

"Ik heb leerKRACHT jaar-1 gedaan en één thema op niveau 5 laten waarderen. Heb ik genoeg punten?"
becomes (ProgrammeActivity(leerkracht-jaar-1), ValuationActivity(level=5)) and an answer with the
derivation. When something essential is missing (no activities at all, or a valuation without a
level) the result says which one question to ask. No Rasa here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .answers.common import dated, old_regulation
from .answers.explain import explain
from .facets import COMPARISON_RE, NUMBER, OLD_RULES_RE, number
from .register import (
    Activity,
    DiplomaActivity,
    Dossier,
    InvalidLevel,
    ProgrammeActivity,
    RuleBook,
    RulesError,
    ValuationActivity,
    format_date,
)
from .register.model import Source, Theme, ValuationPoints, normalise
from .replies import Answer, Button, capital, join_nl, source_line

LEVEL_RE = re.compile(rf"\b(?:leer)?niveau\s*({NUMBER})\b|\bn(?:iv)?\.?\s?([3-7])\b")
COUNT_THEME_RE = re.compile(rf"\b({NUMBER})\s*(?:x\s*|keer\s*|maal\s*)?(?:\w+\s+)?\w*(?:thema'?s?|themas)\b")
COUNT_TIMES_RE = re.compile(rf"\b({NUMBER})\s*(?:x|keer|maal)\b")
LEADING_COUNT_RE = re.compile(rf"^\s*(?:nog\s+)?({NUMBER})\s+(?:op|met|van|in)\b")
VALUATION_WORD_RE = re.compile(r"\b(?:thema'?s?|themas|waarde?r\w*|gewaardeerd\w*)\b")
MASTER_RE = re.compile(r"\bmaster")
VAKBEKWAAM_RE = re.compile(r"\bvak\s?bekwaam\w*\s*(?:opleiding|diploma)|\bopleiding\s+vak\s?bekwaam")
LEVEL_LIST_RE = re.compile(
    rf"(?:\b({NUMBER})\s+(?:thema'?s?|themas)\b[^.?!§]*?)?\b(?:leer)?niveaus?\s*"
    rf"((?:[3-7]|vier|vijf|zes)(?:\s*(?:,|\ben\b|&|\+)\s*(?:[3-7]|vier|vijf|zes)\b"
    rf"(?!\s*(?:op|met|x|keer|maal|thema)))+)"
)
SPLIT_RE = re.compile(r"\s*(?:,|;|\+|&|\ben\b|\bplus\b|\bdaarnaast\b|\bverder\b|\book\b)\s*")
MAX_TEXT = 2000


@dataclass(frozen=True)
class Parsed:
    activities: tuple[Activity, ...]
    needs_level: bool
    old_rules: bool
    # "Hoeveel thema's op niveau 6 moet ik nog laten waarderen?": the level of the themes asked for.
    asked_level: int | None = None
    # "Wat levert meer op: LK1 of drie thema's op niveau 5?": the activities on each side, to compare.
    alternatives: tuple[tuple[Activity, ...], ...] = ()
    # "Als één waardering drie thema's tegelijk dekt ...": a case the sources do not settle.
    shared_valuation: bool = False

    @property
    def empty(self) -> bool:
        return not self.activities


def _mask(text: str, names: Mapping[str, object], tag: str) -> tuple[str, list[str]]:
    """Replace every known name (longest first) by a placeholder; return the ids in order found."""
    found: list[tuple[int, str]] = []
    for name in sorted(names, key=len, reverse=True):
        if len(name) < 3:
            continue
        pattern = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")
        for match in pattern.finditer(text):
            item = names[name]
            found.append((match.start(), _named_id(name, item)))
        text = pattern.sub(f" {tag} ", text)
    found.sort()
    return text, [item_id for _, item_id in found]


def _named_id(name: str, item: object) -> str:
    """The id of what a name names: a sub-theme's own id when the name is a sub-theme's (it covers its theme
    in part), else the item's."""
    sub = item.subtheme_named(name) if isinstance(item, Theme) else None
    return str(sub.id) if sub is not None else str(getattr(item, "id", item))


# Domain words as school leaders type them: "nivo 5", "niveua", "niveau5", "thma", "tema's".
SPELLING = (
    (re.compile(r"\b(?:nivo|niveua|nieveau|nievau|niveu|nivea|niveou|niv)\b"), "niveau"),
    (re.compile(r"\b(?:leer)?(niveau|nivo)(\d)\b"), r"\1 \2"),
    (re.compile(r"\b(?:thma|tema|themma|thena)('?s)?\b"), r"thema\1"),
)


def respell(plain: str) -> str:
    for pattern, replacement in SPELLING:
        plain = pattern.sub(replacement, plain)
    return plain


def parse(
    book: RuleBook,
    text: str,
    entities: Sequence[Mapping[str, object]] = (),
    default_level: int | None = None,
) -> Parsed:
    """Activities in a message. Unknown or odd values (level 3) are kept so the rules can say why."""
    sides = _alternatives(book, text[:MAX_TEXT])
    if sides:
        first, second = sides
        return Parsed(first.activities + second.activities, False, first.old_rules or second.old_rules,
                      alternatives=(first.activities, second.activities))
    plain = respell(normalise(text[:MAX_TEXT]).replace("×", "x"))
    plain = re.sub(r"(\d)\s*x\b", r"\1 x", plain)
    plain = LEVEL_LIST_RE.sub(_expand_level_list, plain)
    asked = HOW_MANY_THEMES_RE.search(plain)
    asked_level = number(asked.group(1)) if asked is not None else None
    if asked is not None:
        plain = plain[:asked.start()] + " , " + plain[asked.end():]  # what is asked is not done
    masked, programme_ids = _mask(plain, book.names.get("programme", {}), "§p")
    masked, theme_ids = _mask(masked, book.names.get("theme", {}), "§t")
    activities: list[Activity] = []
    seen_programmes: set[str] = set()
    programme_iter = iter(programme_ids)
    theme_iter = iter(theme_ids)

    pending: ValuationActivity | None = None
    for segment in SPLIT_RE.split(masked):
        if not segment.strip():
            continue
        programmes = [next(programme_iter) for _ in range(segment.count("§p"))]
        themes = [next(theme_iter) for _ in range(segment.count("§t"))]
        for programme in programmes:
            if programme not in seen_programmes:
                seen_programmes.add(programme)
                activities.append(ProgrammeActivity(programme))
        level = _level(segment)
        count = _count(segment, level is not None)
        if programmes and level is None:
            continue  # themes named next to a programme belong to that programme
        # A bare theme name is not a valuation: "LK1 voor verandermanagement en persoonlijk leiderschap".
        valuation_talk = bool(VALUATION_WORD_RE.search(segment)) or (bool(themes) and level is not None)
        if level is not None and pending is not None and count is None and not themes:
            # "... verandermanagement laten waarderen, daar kwam niveau 5 uit": the level of the one before.
            activities[activities.index(pending)] = ValuationActivity(level=level, theme=pending.theme,
                                                                      count=pending.count)
            pending = None
            continue
        if level is None and not valuation_talk and count is None:
            continue
        if level is None and not valuation_talk:
            continue
        if themes and (level is not None or VALUATION_WORD_RE.search(segment.replace("§t", ""))):
            # Since 17 November 2020 a theme may repeat: "verandermanagement drie keer op niveau 5".
            times = COUNT_TIMES_RE.search(segment)
            repeat = (number(times.group(1)) or 1) if times is not None else 1
            for theme in themes:
                activities.append(ValuationActivity(level=level, theme=theme, count=repeat))
        else:
            activities.append(ValuationActivity(level=level, count=count or 1))
        pending = activities[-1] if level is None else None  # type: ignore[assignment]

    for entity in entities:
        if entity.get("entity") == "programme":
            found = book.find("programme", str(entity.get("value", "")))
            if found is not None and found.id not in seen_programmes:
                seen_programmes.add(found.id)
                activities.append(ProgrammeActivity(found.id))
    if asked_level is None and not any(isinstance(a, ValuationActivity) for a in activities):
        levels = [str(e.get("value")) for e in entities if e.get("entity") == "learning_level"]
        counts = [str(e.get("value")) for e in entities if e.get("entity") == "theme_count"]
        for index, level_text in enumerate(levels):
            count = number(counts[index]) if index < len(counts) else None
            activities.append(ValuationActivity(level=number(level_text), count=count or 1))

    if MASTER_RE.search(plain):
        activities.append(DiplomaActivity("master"))
    if VAKBEKWAAM_RE.search(plain):
        activities.append(DiplomaActivity("vakbekwaam"))

    if default_level is not None:
        activities = [
            ValuationActivity(level=default_level, theme=a.theme, count=a.count)
            if isinstance(a, ValuationActivity) and a.level is None else a
            for a in activities
        ]
    old = bool(OLD_RULES_RE.search(plain)) or any(
        e.get("entity") == "regeling" and e.get("value") == "oud" for e in entities
    )
    needs_level = any(isinstance(a, ValuationActivity) and a.level is None for a in activities)
    shared = bool(SHARED_VALUATION_RE.search(plain))
    return Parsed(tuple(activities), needs_level and not old, old, asked_level, shared_valuation=shared)


SHARED_VALUATION_RE = re.compile(
    rf"\b(een|één|1|dezelfde|zelfde) waardering\b.{{0,60}}\b({NUMBER}|meer|meerdere) (thema'?s|themas)\b"
    rf"|\b(thema'?s|themas)\b.{{0,30}}\btegelijk\b|\btegelijk\b.{{0,30}}\b(thema'?s|themas)\b")
WHICH_MORE_RE = re.compile(r"\b(meer|meest|minder|beter|hoogst|hoger)\b")


def _alternatives(book: RuleBook, text: str) -> tuple[Parsed, Parsed] | None:
    """The two sides of 'meer: A of B?', when each names activities (and neither needs a level)."""
    plain = normalise(text)
    if not WHICH_MORE_RE.search(plain) or " of " not in plain:
        return None
    head, _, tail = plain.rpartition(" of ")
    head = head.split(":")[-1]
    first, second = parse(book, head), parse(book, tail)
    if first.empty or second.empty or first.needs_level or second.needs_level:
        return None
    return first, second


def _expand_level_list(match: re.Match[str]) -> str:
    """'drie thema's op niveau 4, 5 en 6' -> one theme at each level listed."""
    levels = re.findall(r"[3-7]|vier|vijf|zes", match.group(2))
    return " en ".join(f"1 thema op niveau {level}" for level in levels)


def _level(segment: str) -> int | None:
    match = LEVEL_RE.search(segment)
    if match is None:
        return None
    return number(match.group(1) or match.group(2))


def _count(segment: str, has_level: bool) -> int | None:
    times = COUNT_TIMES_RE.search(segment)
    for pattern in (COUNT_THEME_RE, COUNT_TIMES_RE):
        match = pattern.search(segment)
        if match is not None:
            found = number(match.group(1))
            if found == 1 and times is not None and match.group(1) in ("een", "eén", "één"):
                return number(times.group(1))  # "twee keer apart een thema": the article is no count
            return found
    if has_level:
        match = LEADING_COUNT_RE.search(segment)
        if match is not None:
            return number(match.group(1))
    return None


HOW_MANY_THEMES_RE = re.compile(
    rf"\bhoeveel\s+(?:\w+\s+)?(?:thema'?s?|themas|waarderingen|keer)\b(?:\s+\w+){{0,4}}?\s+(?:op\s+)?(?:leer)?niveau\s*({NUMBER})\b")
# What something means, asked of activities ("wat betekent niveau 1 en 2?"); narrower than facets.DEFINITION_RE,
# which also takes "wat is/zijn" (here "wat is LK1 en het SLP samen?" must stay a sum).
MEANING_RE = re.compile(r"\bwat (betekent|betekenen|houdt|houden|bedoel\w*)\b|\bwat is het verschil\b")
SUM_CUE_RE = re.compile(r"\b(genoeg|voldoende|klaar|mis ik|mis je|haal ik|kom ik|sta ik|bij elkaar|samen|totaal|opgeteld|"
                        r"heb ik dan|heb ik nu|nog nodig|in totaal|alles bij elkaar)\b")


def is_calculation(parsed: Parsed, text: str) -> bool:
    """Whether a message states activities to add up, whatever the classifier called it: two or more
    activities, a repeated valuation ("3x niveau 6"), or one activity with a question about the total."""
    if parsed.alternatives or (parsed.asked_level is not None and not parsed.needs_level):
        return True  # "hoeveel thema's op niveau 6 heb ik (nog) nodig?"
    if parsed.empty or parsed.needs_level:
        return False
    plain = normalise(text[:MAX_TEXT])
    if COMPARISON_RE.search(plain) and not SUM_CUE_RE.search(plain):
        return False  # "het verschil tussen niveau 4 en niveau 6" compares; it adds nothing up
    if MEANING_RE.search(plain) and not SUM_CUE_RE.search(plain):
        return False  # "wat betekent niveau 1 en niveau 2?" asks what they are, not what they add up to
    if all(isinstance(a, ValuationActivity) and a.level is None and a.theme is None for a in parsed.activities) \
            and not SUM_CUE_RE.search(plain):
        return False  # "mocht je hetzelfde thema twee keer gebruiken?" names no valuation to count
    if len(parsed.activities) >= 2:
        return True
    only = parsed.activities[0]
    if isinstance(only, ValuationActivity) and (only.count or 1) >= 2:
        return True
    return bool(SUM_CUE_RE.search(plain))


def level_from(text: str, entities: Sequence[Mapping[str, object]] = ()) -> int | None:
    """A learning level given as an answer: 'niveau 5', 'op 6', '4', 'vijf'."""
    for entity in entities:
        if entity.get("entity") == "learning_level":
            value = number(str(entity.get("value", "")))
            if value is not None:
                return value
    plain = normalise(text[:200])
    found = _level(plain)
    if found is not None:
        return found
    match = re.search(rf"\b({NUMBER})\b", plain)
    return number(match.group(1)) if match else None


# -- answers ---------------------------------------------------------------------------------
LEVEL_QUESTION = "Op welk leerniveau is je thema gewaardeerd?"
ACTIVITIES_QUESTION = (
    "Wat heb je al gedaan in deze periode? Noem je opleidingen en je gewaardeerde thema's met hun "
    "niveau, bijvoorbeeld: 'leerKRACHT jaar-1 en één thema op niveau 5'."
)


def level_buttons(book: RuleBook, today: date) -> tuple[Button, ...]:
    regulation = book.regulation_on(today)
    if regulation.valuation_points is None:
        return ()
    vp = regulation.valuation_points.value
    return tuple(
        Button(f"Niveau {level}", f'/inform{{"learning_level":"{level}"}}')
        for level in range(vp.min_level, vp.max_level + 1)
    )


def evaluation_day(book: RuleBook, parsed: Parsed, today: date) -> date:
    """Today, or the last day of the previous regulation when the user asks about the old rules."""
    if parsed.old_rules and old_regulation(book, today) is not None:
        return book.regulation_on(today).valid_from - timedelta(days=1)
    return today


def calculate(book: RuleBook, parsed: Parsed, today: date) -> Answer:
    """The one-turn answer: total, missing, derivation, sources, and what would close the gap."""
    day = evaluation_day(book, parsed, today)
    if parsed.alternatives:
        return compare(book, parsed.alternatives, day)
    notes: list[str] = []
    activities = parsed.activities
    try:
        evaluation = book.evaluate(Dossier(activities), day)
    except InvalidLevel as exc:
        # A valuation below the lowest level counts for nothing; the rest still counts.
        valued = tuple(a for a in activities if not _below_minimum(book, a, day))
        if not valued or len(valued) == len(activities):
            return Answer(exc.message)
        try:
            evaluation = book.evaluate(Dossier(valued), day)
        except RulesError as again:
            return Answer(again.message)
        notes.append(exc.message)
    except RulesError as exc:
        return Answer(exc.message)
    explanation = explain(evaluation)
    lines = notes + list(explanation.lines)
    regulation = evaluation.regulation
    if parsed.shared_valuation and regulation.valuation_points is not None:
        # The data's own note: whether the extra points count per theme or per valuation is not stated.
        lines.insert(0, "Of de extra punten per thema of per waardering gelden als één waardering meer thema's dekt, "
                        "staat niet in mijn bronnen. Als elk thema apart telt, is het zo:")
        lines.append("Zekerheid hierover geeft de helpdesk van het Schoolleidersregister PO.")
    if day != today:
        lines.insert(0, f"Volgens {regulation.name}:")
        current = book.regulation_on(today)
        lines.append(f"Op {format_date(current.valid_from)} zijn de regels veranderd.")
    diploma_route = any(s.complete and s.route.diploma for s in evaluation.routes)
    if evaluation.points_missing and not diploma_route:
        done = {a.programme for a in parsed.activities if isinstance(a, ProgrammeActivity)}
        ways = ways_to_close(book, evaluation.points_missing, day, exclude=done)
        asked = themes_needed(book, evaluation.points_missing, parsed.asked_level, day)
        if asked:
            lines.append(asked)
        elif ways:
            lines.append("Je kunt dat bijvoorbeeld halen met " + ways + ".")
    if day == today:
        lines.append(dated(book, regulation, today, "points_required", "valuation_points"))
    text = "\n".join(lines) + "\n\n" + source_line(explanation.sources)
    return Answer(text, (), explanation.sources)


def compare(book: RuleBook, sides: Sequence[tuple[Activity, ...]], day: date) -> Answer:
    """Each side's points, then which yields more."""
    totals: list[int] = []
    sources: list[Source] = []
    try:
        for side in sides:
            evaluation = book.evaluate(Dossier(side), day)
            totals.append(evaluation.total_points or 0)
            sources.extend(explain(evaluation).sources)
    except RulesError as exc:
        return Answer(exc.message)
    labels = [_label(book, side) for side in sides]
    lines = [f"{capital(label)}: {total} punten." for label, total in zip(labels, totals, strict=True)]
    if totals[0] == totals[1]:
        lines.append(f"Ze leveren allebei {totals[0]} punten op.")
    else:
        more, less = (0, 1) if totals[0] > totals[1] else (1, 0)
        lines.append(f"{capital(labels[more])} levert dus het meest op: {totals[more]} tegen {totals[less]} punten.")
    unique = tuple(dict.fromkeys(sources))
    return Answer("\n".join(lines) + "\n\n" + source_line(unique), (), unique)


def _label(book: RuleBook, side: Sequence[Activity]) -> str:
    names = []
    for activity in side:
        if isinstance(activity, ProgrammeActivity):
            names.append(book.programme(activity.programme).short)
        elif isinstance(activity, ValuationActivity):
            names.append(f"{themes_word(activity.count or 1)} op niveau {activity.level}")
        else:
            names.append(str(getattr(activity, "kind", "diploma")))
    return join_nl(names)


def themes_needed(book: RuleBook, missing: int, level: int | None, on: date) -> str:
    """'Op niveau 6 zijn dat nog 3 thema's (90 punten).' for the level a question asked about."""
    regulation = book.regulation_on(on)
    if level is None or regulation.valuation_points is None:
        return ""
    vp = regulation.valuation_points.value
    if not vp.min_level <= level <= vp.max_level:
        return ""
    count, points = themes_to_close(vp, level, missing)
    return f"Op niveau {level} zijn dat nog {themes_word(count)} ({points} punten)."


def themes_to_close(vp: ValuationPoints, level: int, missing: int) -> tuple[int, int]:
    """How many themes valued at `level` close a gap of `missing` points, and what they yield."""
    each = vp.base + vp.extra(level)
    count = math.ceil(missing / each)
    return count, count * each


def themes_word(count: int) -> str:
    return f"{count} thema" if count == 1 else f"{count} thema's"


def _below_minimum(book: RuleBook, activity: Activity, day: date) -> bool:
    regulation = book.regulation_on(day)
    return (isinstance(activity, ValuationActivity) and activity.level is not None
            and regulation.valuation_points is not None
            and activity.level < regulation.valuation_points.value.min_level)


def ways_to_close(book: RuleBook, missing: int, on: date, exclude: Iterable[str] = ()) -> str:
    """A short Dutch list of activities that would each close a gap of `missing` points."""
    regulation = book.regulation_on(on)
    options: list[str] = []
    if regulation.valuation_points is not None:
        vp = regulation.valuation_points.value
        for level in (vp.max_level, vp.min_level):
            if vp.base + vp.extra(level) <= 0:
                continue
            count, points = themes_to_close(vp, level, missing)
            option = f"{themes_word(count)} op niveau {level} ({points} punten)"
            if option not in options:
                options.append(option)
    excluded = set(exclude)
    for programme in book.programmes.values():
        recognition = programme.recognition_on(on)
        if (programme.id not in excluded and recognition is not None and recognition.form == "vooraf"
                and recognition.points is not None and recognition.points >= missing):
            options.append(f"{programme.short} ({recognition.points} punten)")
    if not options:
        return ""
    return ", ".join(options[:-1]) + " of " + options[-1] if len(options) > 1 else options[0]
