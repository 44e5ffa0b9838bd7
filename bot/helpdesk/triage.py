"""Triage: a category and a priority for a ticket, with the reasons why.

Category: the keywords that name a problem the assistant cannot solve (account and login, uitstel or
bezwaar) come first; then the NLU intent; then the other topic keywords; else "overig".
Priority: "hoog" when the leader's period ends within eight weeks (or has already ended), or when the
question mentions a deadline (a date, "deadline", "uiterlijk", "verloopt", "morgen", ...); else "normaal".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..answers.topics import INTENT_CATEGORIES as TOPIC_CATEGORIES
from ..outside import ACCOUNT_STEMS, outside_topic, stem_pattern
from ..outside import find_stem as _find
from ..outside import normalised as _norm
from ..register import format_date

__all__ = ["CATEGORIES", "INTENT_CATEGORIES", "PRIORITIES", "Keywords", "Triage", "categories_named", "categorise",
           "deadline_mentioned", "outside_topic", "subject_label", "triage"]

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
    ("certificaat of waardering", ("certificaat", "certificaten", "waardering", "waarderen", "waardeer", "gewaardeerd",
                                   "bewijsstuk", "uploaden", "upload", "gecertificeerd")),
    # A registration that runs out ("verloopt mijn registratie", "registratieperiode") is due for herregistratie.
    ("herregistratie en punten", ("herregistr", "punten", "punt ", "thema", "periode", "registratieperiode",
                                  "verloop", "verlopen", "professionalisering", "route", "scholing",
                                  "leiderschapspraktijk")),
    ("registratie", ("registratie", "registreren", "geregistreerd", "inschrijv", "inschrijf", "aanmeld",
                     "rdo", "rado", "basisbekwaam", "vakbekwaam")),
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


# "Kunt u mijn e-mailadres in het register wijzigen?", "mijn naam aanpassen": the leader's own data on file
# is changed in their account, by them or by a person of the register (one clause, either order).
_OWN_DATA = r"(?:naam|achternaam|voornaam|e-?mail(?:adres)?|mailadres|adres|telefoonnummer|gegevens)"
_CHANGE = (r"(?:wijzig(?:en|t|d|ing)?|gewijzigd|aan ?te ?passen|aanpassen|aanpassing|aangepast|pas \w+ aan|"
           r"verander(?:en|t|d|ing)?|veranderd|bij ?te ?werken|bijwerken|bijgewerkt|corrigeren|corrigeer|gecorrigeerd)\b")
_OWN_DATA_CHANGE = re.compile(rf"\b{_OWN_DATA}\b[^.?!\n]{{0,60}}?\b{_CHANGE}|\b{_CHANGE}\b[^.?!\n]{{0,40}}?\b{_OWN_DATA}\b",
                              re.IGNORECASE)
# A typo in a keyword ("acount", "certifikaat") still counts, for keywords long enough to be unmistakable.
FUZZY_MIN = 6
FUZZY_WORDS = 5000


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def _fuzzy(words: tuple[str, ...], stems: tuple[str, ...]) -> str | None:
    """The first word (up to FUZZY_WORDS distinct ones) that starts with a long stem, give or take one typo."""
    for stem in stems:
        if len(stem) < FUZZY_MIN or not stem.isalpha():
            continue
        for word in words:
            if word[0] != stem[0] or len(word) < len(stem) - 1:
                continue
            if any(_one_edit(word[:n], stem) for n in (len(stem) - 1, len(stem), len(stem) + 1)):
                return word
    return None


class Keywords:
    """The keyword rules of the triage over one text: exact stems first, then one typo, then the leader's
    own data to change (an account matter)."""

    def __init__(self, text: str) -> None:
        self.text = _norm(text)
        self.words = tuple(dict.fromkeys(re.findall(r"[^\W\d_]+", self.text)))[:FUZZY_WORDS]

    def find(self, rules: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, str] | None:
        """The first category of `rules` whose keyword the text holds, and the reason."""
        for category, stems in rules:
            found = _find(self.text, stems)
            if found:
                return category, f"trefwoord '{found}' → {category}"
        for category, stems in rules:
            found = _fuzzy(self.words, stems)
            if found:
                return category, f"trefwoord '{found}' (met een tikfout) → {category}"
        if rules is _FIRST:
            change = _OWN_DATA_CHANGE.search(self.text)
            if change:
                return "account en inloggen", f"eigen gegevens wijzigen ('{change.group(0).strip()}') → account en inloggen"
        return None

    def first(self) -> tuple[str, str] | None:
        """What only a person can do: account and login, uitstel or bezwaar."""
        return self.find(_FIRST)

    def then(self) -> tuple[str, str] | None:
        """The other topics' keywords."""
        return self.find(_THEN)


# Keywords that name a situation more than a topic, too loose to label a mail by its subject line: a
# vakbekwaam diploma is a registration and a route for herregistratie; one enrols for a programme too.
_NO_LABEL = frozenset({"basisbekwaam", "vakbekwaam", "aanmeld", "inschrijv", "inschrijf"})


def categories_named(text: str, stems_left_out: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The topic categories whose keywords `text` holds, in the order of the keyword table. Each word counts
    for the first category that names it: "registratieperiode" is a herregistratie word, not a registratie one."""
    plain = _norm(text)
    claimed: set[int] = set()
    named: list[str] = []
    for category, stems in _THEN:
        for stem in stems:
            if stem in stems_left_out:
                continue
            for match in re.finditer(stem_pattern(stem), plain):
                if match.start() in claimed:
                    continue
                claimed.add(match.start())
                if category not in named:
                    named.append(category)
    return tuple(named)


def subject_label(subject: str, body: str, questions: Sequence[str] = ()) -> tuple[str, str] | None:
    """The category a mail's subject line names, when it names exactly one and the body bears it out with a
    keyword of its own: the sender's own label for the mail ("Status waardering kwaliteitsmanagement"), which
    a helpdesk agent reads first. A subject naming none or several ("Wanneer verloopt mijn registratie?":
    registratie and herregistratie) labels nothing, and neither does one whose questions all speak, in their
    own words, of another topic ("net geregistreerd" over "Wanneer moet ik me herregistreren?")."""
    named = categories_named(subject, _NO_LABEL)
    if len(named) != 1 or named[0] not in categories_named(body):
        return None
    label = named[0]
    asked = [categories_named(q) for q in questions]
    if asked and all(asked) and not any(label in a for a in asked):
        return None
    return label, f"onderwerpregel noemt {label}, de mail zelf ook → {label}"


def categorise(question: str, intent: str | None) -> tuple[str, str]:
    """The category and one reason."""
    keywords = Keywords(question)
    first = keywords.first()
    if first:
        return first
    if intent and intent in INTENT_CATEGORIES:
        category = INTENT_CATEGORIES[intent]
        return category, f"onderwerp van de vraag ({intent}) → {category}"
    return keywords.then() or ("overig", "geen onderwerp herkend → overig")


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
