"""Triage: a category and a priority for a ticket, with the reasons why.

Category: the keywords that name a problem the assistant cannot solve (account and login, uitstel or
bezwaar) come first; then the NLU intent; then the other topic keywords; else "overig".
Priority: "hoog" when the leader's period ends within eight weeks (or has already ended), or when the
question mentions a deadline (a date, "deadline", "uiterlijk", "verloopt", "morgen", ...); else "normaal".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..answers.topics import INTENT_CATEGORIES as TOPIC_CATEGORIES
from ..outside import ACCOUNT_STEMS, outside_topic
from ..outside import find_stem as _find
from ..outside import normalised as _norm
from ..register import format_date

__all__ = ["CATEGORIES", "INTENT_CATEGORIES", "PRIORITIES", "Triage", "categorise", "deadline_mentioned",
           "outside_topic", "triage"]

CATEGORIES: tuple[str, ...] = (
    "registratie", "herregistratie en punten", "certificaat of waardering", "account en inloggen",
    "uitstel of bezwaar", "kosten", "overig",
)
PRIORITIES: tuple[str, ...] = ("hoog", "normaal")
URGENT_WINDOW = timedelta(weeks=8)

# The category of a question the understanding placed: one column of the topics table.
INTENT_CATEGORIES = TOPIC_CATEGORIES

# Keyword stems per category (matched at the start of a word, case-insensitive).
_FIRST: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("account en inloggen", ACCOUNT_STEMS),
    ("uitstel of bezwaar", (
        "uitstel", "verlenging", "verlengen", "bezwaar", "afgewezen", "afwijzing", "niet eens", "oneens",
        "klacht", "beroep ", "herziening", "zwangerschapsverlof", "ziek",
    )),
)
_THEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kosten", ("kosten", "kost ", "kost?", "betalen", "betaling", "betaald", "factuur", "prijs", "tarief",
                "euro", "€", "bijdrage", "terugbetal", "geld")),
    ("certificaat of waardering", ("certificaat", "certificaten", "waardering", "waarderen", "gewaardeerd",
                                   "bewijsstuk", "uploaden", "upload", "gecertificeerd")),
    ("herregistratie en punten", ("herregistr", "punten", "punt ", "thema", "periode", "professionalisering",
                                  "scholing", "leiderschapspraktijk")),
    ("registratie", ("registratie", "registreren", "geregistreerd", "inschrijv", "inschrijf", "aanmeld",
                     "rdo", "rado", "basisbekwaam", "vakbekwaam", "route")),
)

_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december", "jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept",
           "okt", "nov", "dec")
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_DEADLINE_WORDS = (
    "deadline", "uiterlijk", "verloopt", "verlopen", "vervalt", "verval", "morgen", "overmorgen", "vandaag",
    "volgende week", "deze week", "komende week", "op tijd", "te laat", "einddatum", "spoed", "dringend",
    "urgent", "zo snel mogelijk", "z.s.m", "zsm", "binnenkort", "afloopt", "loopt af", "loopt bijna af",
)
_DATE_RES = (
    re.compile(r"(?<!\d)\d{1,2}[-/]\d{1,2}(?:[-/]\d{2,4})?(?!\d)"),
    re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)"),
    re.compile(r"(?<!\d)\d{1,2}e?\s+(?:" + "|".join(_MONTHS) + r")\b\.?", re.IGNORECASE),
    re.compile(r"\b(?:voor|vóór|uiterlijk|tot|op)\s+(?:" + "|".join(_DAYS) + r")\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class Triage:
    category: str
    priority: str
    reasons: tuple[str, ...]


def categorise(question: str, intent: str | None) -> tuple[str, str]:
    """The category and one reason."""
    text = _norm(question)
    for category, stems in _FIRST:
        found = _find(text, stems)
        if found:
            return category, f"trefwoord '{found}' → {category}"
    if intent and intent in INTENT_CATEGORIES:
        category = INTENT_CATEGORIES[intent]
        return category, f"onderwerp van de vraag ({intent}) → {category}"
    for category, stems in _THEN:
        found = _find(text, stems)
        if found:
            return category, f"trefwoord '{found}' → {category}"
    return "overig", "geen onderwerp herkend → overig"


def deadline_mentioned(question: str) -> str | None:
    """The deadline word or date found in the question, if any."""
    text = _norm(question)
    for pattern in _DATE_RES:
        match = pattern.search(question)
        if match:
            return match.group(0).strip()
    return _find(text, _DEADLINE_WORDS)


def triage(question: str, intent: str | None, period_end: date | None, today: date) -> Triage:
    category, why = categorise(question, intent)
    reasons = [why]
    urgent = False
    if period_end is not None:
        if period_end < today:
            urgent = True
            reasons.append(f"periode is al afgelopen op {format_date(period_end)} → hoog")
        elif period_end - today <= URGENT_WINDOW:
            urgent = True
            reasons.append(f"periode eindigt op {format_date(period_end)}, binnen 8 weken → hoog")
        else:
            reasons.append(f"periode eindigt op {format_date(period_end)}, later dan over 8 weken")
    deadline = deadline_mentioned(question)
    if deadline:
        urgent = True
        reasons.append(f"termijn genoemd in de vraag ('{deadline}') → hoog")
    return Triage(category, "hoog" if urgent else "normaal", tuple(reasons))
