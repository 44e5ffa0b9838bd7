"""Which questions come back (issue 20): the unanswered questions of the chat and the e-mail inbox, grouped
first by topic and then by similar wording, each group with a hint whether the rules data has a text about
it (the understanding failed) or not (an FAQ entry or rule is missing).

    report = unanswered_groups(helpdesk.database, since=utcnow() - timedelta(days=30))
    for group in report.groups:
        group.topic, group.question, group.count, group.wordings, group.chat, group.email, group.passage

Plain Python, no Rasa. The topic is the intent's title in the topics table; a question the assistant did
not place (nlu_fallback, ask_outside_sources, out_of_scope) gets the subject outside the sources it names
(`bot.outside`), else "Niet herkend". Within a topic, wordings are normalised for Dutch (lower case, accents
folded, punctuation and stop words gone, common suffixes stripped) and clustered in one greedy,
deterministic pass: most frequent wording first, each joining the group whose representative shares the
largest part of its stems (Jaccard similarity >= `threshold`), else starting a group of its own. An
index of the representatives' rarest stems finds the groups to compare with, at most MAX_CANDIDATES per
wording, so a pass is O(wordings x MAX_CANDIDATES) at worst; at most MAX_ROWS questions are read. The
hint is `bot.passages.best_passage` (the one text sharing the question's rare words, when one stands out)
for the MAX_HINTS largest groups.

E-mail tickets keep their triage (`MailTriage.to_json`); each of their questions is matched to a group the
same way, to count how many were drafted ("concept") and how many were left to a person. Tickets whose
personal data was erased have no triage and are skipped.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..answers.topics import BY_INTENT
from ..outside import ACCOUNT_STEMS, OUTSIDE_STEMS, find_stem, normalised, outside_topic
from ..passages import best_passage
from ..register import RuleBook, load_rules
from ..register.model import normalise
from ..store import Database
from ..store.database import aware
from ..store.models import Ticket, UnansweredQuestion
from .mailtriage import DRAFT, OUTSIDE
from .scrub import scrub

__all__ = ["CSV_FIELDS", "MAX_HINTS", "MAX_ROWS", "MAX_TICKETS", "NOT_SEARCHED", "NO_TEXT", "THRESHOLD",
           "QuestionGroup", "TextCount", "UnansweredReport", "csv_safe", "similarity", "stems", "topic_of",
           "unanswered_groups", "unanswered_texts"]

THRESHOLD = 0.5          # Jaccard similarity of the stem sets to join a group
MAX_ROWS = 50_000        # the newest unanswered questions read
MAX_TICKETS = 10_000     # the newest e-mail tickets whose triage is read
MAX_CANDIDATES = 200     # groups a wording is compared with, at most
MAX_HINTS = 500          # groups (the largest) for which the rules data is searched
EXAMPLES = 3             # other wordings shown per group
NO_TEXT = "geen tekst in de bronnen"
NOT_SEARCHED = "niet gezocht"
NOT_RECOGNISED = "Niet herkend"
OUTSIDE_OTHER = "Buiten de bronnen (overig)"
NOT_ABOUT_REGISTER = "Geen vraag over het register"
# Intents that do not place a question on a topic of the sources.
UNPLACED = frozenset({"nlu_fallback", "ask_outside_sources", "out_of_scope"})

# Function words, the words of asking and of a letter: they say nothing about the subject.
STOP_WORDS = frozenset("""
de het een en of van voor in op aan met bij als om te tot naar door uit over tussen zonder na onder tegen
ik je jij jou jouw mij me mijn u uw we wij ons onze ze zij hij hem haar hun zich men zelf
is ben bent zijn was waren wordt worden word werd kan kun kunt kunnen kon konden moet moeten mag mogen
wil wilt willen zou zouden zal zullen heb hebt heeft hebben had hadden ga gaat gaan doe doet doen
wat wie waar waarom wanneer welke welk hoe hoeveel hoelang dat die dit deze er daar hier daarvan hiervoor
niet geen ook nog al dan wel nu toch eigenlijk graag even echt erg heel hele alle alles iets niets veel
meer maar want omdat dus elk elke ieder iedere andere ander soms altijd nooit misschien precies ongeveer
hallo hoi beste geachte dag goedemorgen goedemiddag groet groeten vriendelijke bedankt dank alvast
weet weten vraag vragen vraagje iemand ja nee oke ok
""".split())
# Intents without a title in the topics table.
INTENT_LABELS: Mapping[str, str] = {
    "personal_case": "Persoonlijke situatie", "inform": "Losse woorden, geen vraag",
    **dict.fromkeys(("greet", "goodbye", "thank", "affirm", "deny"), "Gesprek (groet, bedankt, ja of nee)"),
}
# Subjects outside the sources as the register reads them (the stems of bot.outside, folded).
OUTSIDE_LABELS: Mapping[str, str] = {
    "pe online": "pe-online", "overleden": "overlijden", "ontslaan": "ontslag", "contributie": "lidmaatschap",
}
ACCOUNT_LABEL = "account en inloggen"
_PLACEHOLDER = re.compile(r"\[[a-z-]+\]")
_WORD = re.compile(r"[a-z0-9]+")
# One letter off: a plural -s after a vowel or -er/-el/-em (thema's, leiders), an inflected -e (nieuwe), a
# verb's -t after a long vowel and a consonant (betaalt, neemt).
_ONE_LETTER = re.compile(r"(?:^.{3,}(?:[aoiy]s|ers|els|ems|e)|(?:aa|ee|oo|uu)[b-df-hj-np-tv-z]t)$")


# -- wording ------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """A Dutch word without its common endings: plural, diminutive, inflection ("opleidingen" ->
    "opleiding", "huizen" -> "huis", "betaalt" -> "betal"); doubled letters folded so that "betaal" and
    "betalen" meet. Rough on purpose: it only has to make wordings of one question meet."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (("heden", "heid"), ("ingen", "ing"), ("etjes", ""), ("tjes", ""), ("tje", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("en") and len(word) >= 5:
            word = word[:-2]
            if word.endswith("v"):
                word = word[:-1] + "f"
            elif word.endswith("z"):
                word = word[:-1] + "s"
        elif _ONE_LETTER.search(word):
            word = word[:-1]
    return re.sub(r"(.)\1+", r"\1", word)


def stems(text: str) -> frozenset[str]:
    """The stems of a question's words, without stop words and placeholders of personal data."""
    plain = normalise(_PLACEHOLDER.sub(" ", text.lower()).replace("'", "").replace("\u2019", ""))
    return frozenset(_stem(w) for w in _WORD.findall(plain) if w not in STOP_WORDS and len(w) >= 2)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two stem sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def topic_of(intent: str | None, text: str) -> str:
    """The topic a question is counted under: its intent's title, or the subject outside the sources it names."""
    if intent and intent not in UNPLACED:
        topic = BY_INTENT.get(intent)
        title = topic.title if topic is not None else None
        return title or INTENT_LABELS.get(intent, intent)  # an intent the table no longer knows: its name
    plain = normalised(text)
    named = [s for s in OUTSIDE_STEMS if s.strip() in plain]  # a cheap test first: most texts name none
    word = outside_topic(text) if named else None
    if word:
        stem = next((s for s in named if find_stem(plain, (s,))), None)
        label = (ACCOUNT_LABEL if stem in ACCOUNT_STEMS else OUTSIDE_LABELS.get(stem.strip(), stem.strip())
                 if stem is not None else word)
        return f"Buiten de bronnen: {label}"
    if intent == "ask_outside_sources":
        return OUTSIDE_OTHER
    if intent == "out_of_scope":
        return NOT_ABOUT_REGISTER
    return NOT_RECOGNISED


# -- records -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionGroup:
    """Questions of one topic worded alike."""

    topic: str
    question: str                     # the most frequent wording (scrubbed of personal data)
    count: int                        # questions in the group
    wordings: int                     # distinct wordings
    chat: int                         # questions from the chat
    email: int                        # questions from e-mails left to a person
    first_seen: datetime
    last_seen: datetime
    examples: tuple[str, ...]         # other wordings, most frequent first (at most EXAMPLES)
    intents: tuple[str, ...]          # the intents seen, most frequent first
    passage: str | None = None        # the nearest text of the rules data (`best_passage`), if one stands out
    source: str | None = None         # that text's source, as a user reads it
    mail_drafted: int = 0             # questions of e-mail tickets like these that got a draft
    mail_to_person: int = 0           # ... and that were left to a person
    searched: bool = True             # the rules data was searched (only for the MAX_HINTS largest groups)

    @property
    def hint(self) -> str:
        if self.passage is not None:
            return self.passage
        return NO_TEXT if self.searched else NOT_SEARCHED


@dataclass(frozen=True)
class UnansweredReport:
    groups: tuple[QuestionGroup, ...]  # most questions first (at most `limit`)
    total_groups: int                  # groups before the limit
    questions: int                     # questions read
    chat: int
    email: int
    capped: bool                       # more than MAX_ROWS questions: only the newest were read


@dataclass(frozen=True)
class TextCount:
    """One identical (scrubbed) text: the view of `unanswered --by tekst`."""

    text: str
    count: int
    chat: int
    email: int
    last_seen: datetime
    intents: tuple[str, ...]


@dataclass
class _Wording:
    topic: str
    text: str
    stems: frozenset[str]
    first: datetime
    last: datetime
    count: int = 0
    chat: int = 0
    email: int = 0
    intents: Counter[str] = field(default_factory=Counter)

    def add(self, intent: str | None, created: datetime, source: str) -> None:
        self.count += 1
        if source == "email":
            self.email += 1
        else:
            self.chat += 1
        self.first = min(self.first, created)
        self.last = max(self.last, created)
        if intent:
            self.intents[intent] += 1


@dataclass
class _Cluster:
    members: list[_Wording]
    drafted: int = 0
    to_person: int = 0

    @property
    def lead(self) -> _Wording:
        return self.members[0]


class _Clusters:
    """The groups of one topic. Representatives are indexed by a prefix of their stems, rarest first
    (prefix filtering: two stem sets with a Jaccard similarity >= t share a stem within the first
    n - ceil(t * n) + 1 of either, in any fixed order); a wording is compared with at most MAX_CANDIDATES
    groups (per stem the oldest, which are the largest), so that a pass stays bounded when questions share
    only common words."""

    def __init__(self, threshold: float, frequency: Mapping[str, int]) -> None:
        self.threshold = threshold
        self.frequency = frequency
        self.clusters: list[_Cluster] = []
        self.leads: list[frozenset[str]] = []  # the representatives' stems
        self.sizes: list[int] = []
        self.by_stem: dict[str, list[int]] = {}
        self.by_set: dict[frozenset[str], int] = {}
        self.by_text: dict[str, int] = {}

    def _prefix(self, words: frozenset[str]) -> list[str]:
        ordered = sorted(words, key=lambda w: (self.frequency.get(w, 0), w))
        return ordered[:max(1, len(ordered) - math.ceil(self.threshold * len(ordered) - 1e-9) + 1)]

    def nearest(self, words: frozenset[str], text: str) -> _Cluster | None:
        """The group whose representative is most like these stems (at least the threshold; the first
        group on a tie), or None. A wording without stems ("wat is dat?") only meets the same text."""
        index = self.by_set.get(words) if words else self.by_text.get(text)
        if index is not None or not words:
            return self.clusters[index] if index is not None else None
        candidates: set[int] = set()
        for word in self._prefix(words):
            candidates.update(self.by_stem.get(word, ())[:MAX_CANDIDATES - len(candidates)])
        best, best_score, size = None, self.threshold, len(words)
        for found in sorted(candidates):
            common = len(words & self.leads[found])
            score = common / (size + self.sizes[found] - common)
            if score > best_score or (best is None and score == best_score):
                best, best_score = found, score
        return self.clusters[best] if best is not None else None

    def add(self, wording: _Wording) -> None:
        found = self.nearest(wording.stems, wording.text)
        if found is not None:
            found.members.append(wording)
            return
        self.clusters.append(_Cluster([wording]))
        self.leads.append(wording.stems)
        self.sizes.append(len(wording.stems))
        index = len(self.clusters) - 1
        self.by_text.setdefault(wording.text, index)
        if wording.stems:
            self.by_set.setdefault(wording.stems, index)
        for word in self._prefix(wording.stems) if wording.stems else ():
            self.by_stem.setdefault(word, []).append(index)


# -- reading -------------------------------------------------------------------------------------
def _rows(database: Database, since: datetime | None, source: str | None, max_rows: int) -> list[Any]:
    query = sa.select(UnansweredQuestion.text, UnansweredQuestion.intent, UnansweredQuestion.created_at,
                      UnansweredQuestion.source).order_by(UnansweredQuestion.id.desc()).limit(max_rows + 1)
    if since is not None:
        query = query.where(UnansweredQuestion.created_at >= since)
    if source is not None:
        query = query.where(UnansweredQuestion.source == source)
    with database.session() as session:
        return list(session.execute(query))


def _mail_questions(database: Database, since: datetime | None, max_tickets: int) -> Iterable[Mapping[str, Any]]:
    """The questions of the newest e-mail tickets' triage (erased tickets have none)."""
    query = (sa.select(Ticket.triage).where(Ticket.channel == "email", Ticket.erased_at.is_(None),
                                            Ticket.triage.is_not(None))
             .order_by(Ticket.id.desc()).limit(max_tickets))
    if since is not None:
        query = query.where(Ticket.created_at >= since)
    with database.session() as session:
        triages = [t for (t,) in session.execute(query)]
    for triage in triages:
        questions = triage.get("questions") if isinstance(triage, Mapping) else None
        for question in questions if isinstance(questions, list) else ():
            if isinstance(question, Mapping) and isinstance(question.get("text"), str):
                yield question


def _hint(book: RuleBook, wordings: Iterable[str]) -> tuple[str | None, str | None]:
    """The text of the rules data that stands out for the first wording that has one, with its source."""
    for text in wordings:
        passage = best_passage(book, text)
        if passage is not None:
            return passage.text, passage.source.for_user()
    return None, None


def _ranked(intents: Counter[str]) -> tuple[str, ...]:
    return tuple(sorted(intents, key=lambda k: (-intents[k], k)))


def unanswered_groups(database: Database, *, since: datetime | None = None, source: str | None = None,
                      limit: int | None = None, threshold: float = THRESHOLD, book: RuleBook | None = None,
                      max_rows: int = MAX_ROWS, max_tickets: int = MAX_TICKETS,
                      max_hints: int = MAX_HINTS) -> UnansweredReport:
    """The unanswered questions (optionally since a moment, of one source: chat | email) in groups by topic
    and similar wording, most questions first; `limit` groups at most (all when None)."""
    rows = _rows(database, since, source, max_rows)
    capped = len(rows) > max_rows
    rows = rows[:max_rows]
    wordings: dict[tuple[str, str], _Wording] = {}
    topics: dict[tuple[str | None, str], str] = {}
    for text, intent, created, origin in rows:
        topic = topics.get((intent, text))
        if topic is None:
            topic = topics[(intent, text)] = topic_of(intent, text)
        when = aware(created)
        wording = wordings.get((topic, text))
        if wording is None:
            wording = wordings[(topic, text)] = _Wording(topic, text, stems(text), when, when)
        wording.add(intent, when, origin or "chat")

    frequency = Counter(w for wording in wordings.values() for w in wording.stems)
    per_topic: dict[str, _Clusters] = {}
    ordered = sorted(wordings.values(), key=lambda w: (-w.count, -w.last.timestamp(), w.text))
    for wording in ordered:
        per_topic.setdefault(wording.topic, _Clusters(threshold, frequency)).add(wording)

    if source != "chat":
        for question in _mail_questions(database, since, max_tickets):
            text = scrub(question["text"])
            intent = question.get("intent") if isinstance(question.get("intent"), str) else None
            topic = topic_of(intent, text)
            in_topic = per_topic.get(topic)
            found = in_topic.nearest(stems(text), text) if in_topic is not None else None
            if found is not None and question.get("status") == DRAFT:
                found.drafted += 1
            elif found is not None and question.get("status") == OUTSIDE:
                found.to_person += 1

    clusters = [c for topic in per_topic.values() for c in topic.clusters]

    def size(c: _Cluster) -> tuple[int, float, str, str]:
        last = max(m.last for m in c.members)
        return -sum(m.count for m in c.members), -last.timestamp(), c.lead.topic, c.lead.text

    clusters.sort(key=size)
    chosen = clusters[:limit] if limit else clusters
    rules = book if book is not None else load_rules() if chosen and max_hints > 0 else None
    groups = []
    for number, cluster in enumerate(chosen):
        members = cluster.members
        searched = rules is not None and number < max_hints
        intents: Counter[str] = Counter()
        for m in members:
            intents.update(m.intents)
        passage, where = (None, None)
        if searched and rules is not None:
            passage, where = _hint(rules, [m.text for m in members[:EXAMPLES + 1]])
        groups.append(QuestionGroup(
            topic=cluster.lead.topic, question=cluster.lead.text, count=sum(m.count for m in members),
            wordings=len(members), chat=sum(m.chat for m in members), email=sum(m.email for m in members),
            first_seen=min(m.first for m in members), last_seen=max(m.last for m in members),
            examples=tuple(m.text for m in members[1:EXAMPLES + 1]), intents=_ranked(intents),
            passage=passage, source=where, mail_drafted=cluster.drafted, mail_to_person=cluster.to_person,
            searched=searched,
        ))
    chat = sum(w.chat for w in wordings.values())
    email = sum(w.email for w in wordings.values())
    return UnansweredReport(tuple(groups), len(clusters), chat + email, chat, email, capped)


def unanswered_texts(database: Database, *, since: datetime | None = None, source: str | None = None,
                     limit: int | None = None, max_rows: int = MAX_ROWS) -> tuple[TextCount, ...]:
    """The unanswered questions by identical (scrubbed) text, most frequent first."""
    found: dict[str, _Wording] = {}
    for text, intent, created, origin in _rows(database, since, source, max_rows)[:max_rows]:
        when = aware(created)
        wording = found.get(text)
        if wording is None:
            wording = found[text] = _Wording("", text, frozenset(), when, when)
        wording.add(intent, when, origin or "chat")
    result = [TextCount(w.text, w.count, w.chat, w.email, w.last, _ranked(w.intents))
              for w in found.values()]
    result.sort(key=lambda t: (-t.count, -t.last_seen.timestamp(), t.text))
    return tuple(result[:limit] if limit else result)


# -- export --------------------------------------------------------------------------------------
CSV_FIELDS = ("onderwerp", "voorbeeldvraag", "aantal", "formuleringen", "chat", "email", "eerst", "laatst",
              "voorbeelden", "dichtstbijzijnde_bron", "bron", "email_concept", "email_medewerker", "herkend_als")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: a string that starts like a formula (= + - @, tab, CR) gets a
    leading quote (formula injection: the questions are the public's own words)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value
