"""The helpdesk's own triage of an incoming e-mail (issue 20): the sender's questions, what the assistant
understands of each, a drafted answer from the rules data where the sources answer it, and the mail's
category and priority with the reasons why. Nothing here sends anything: an agent checks every draft.

    result = triage_mail(Mail(subject, body, sender="a@school.nl"), understand, load_rules(), date.today(),
                         store=store)
    result.category, result.priority, result.reasons
    result.questions[0].status     # "concept" (a draft with sources) or "buiten_de_bronnen" (with the reason)
    result.reply                   # one reply for the agent to check, or None when nothing could be drafted
    result.to_json()               # what POST /helpdesk/triage answers and a ticket keeps

`understand` is the assistant's own NLU for one question (a Rasa model in `channels/understanding.py`);
this module is plain Python and never imports Rasa. Drafts come from the chat's renderer
(`bot.answers.answer`) with their sources. A draft never holds a personal figure unless the helpdesk
confirmed that the sender is the leader on file (`confirmed=True`); a sender address that matches a leader
is only a probable match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ..answers import answer
from ..answers.topics import BY_INTENT, INTENT_CATEGORIES
from ..facets import refine, speaks_of_own_dossier, with_names
from ..outside import find_stem, normalised, outside_topic
from ..register import RuleBook, format_date
from ..replies import Query, source_line
from .checks import check_email, check_registratienummer
from .mailtext import clean_mail
from .triage import _FIRST, _THEN, URGENT_WINDOW, deadline_mentioned

__all__ = ["DRAFT", "OUTSIDE", "Mail", "MailTriage", "QuestionTriage", "SenderMatch", "Understand", "Understood",
           "triage_mail"]

JSON_VERSION = 1
DRAFT = "concept"
OUTSIDE = "buiten_de_bronnen"
# Below this confidence the draft is left to a person: a wrong draft costs an agent more than none.
DRAFT_CONFIDENCE = 0.6

# Intents that are no question for the helpdesk ("Groet, Jeroen", "Alvast bedankt!").
NOT_A_QUESTION = frozenset({"greet", "goodbye", "thank", "affirm", "deny"})
# Intents about the asker's own dossier: never drafted for an unconfirmed sender.
PERSONAL_INTENTS = frozenset({"ask_my_progress", "ask_my_deadline", "ask_my_dossier", "ask_my_what_if",
                              "ask_my_suggestion", "personal_case"})
# General topics a personal question may also be worded as ("hoeveel punten heb ik nog nodig?").
OWN_DOSSIER_TOPICS = frozenset({"ask_points_needed", "ask_herregistratie", "calculate_points"})
NO_DRAFT_INTENTS = frozenset({"nlu_fallback", "ask_outside_sources", "out_of_scope", "request_helpdesk",
                              "ask_capabilities", "inform", "calculate_points"})


@dataclass(frozen=True)
class Mail:
    """An incoming e-mail (or a message from the helpdesk's system)."""

    subject: str
    body: str
    html: bool = False
    sender: str = ""
    registratienummer: str | None = None


@dataclass(frozen=True)
class Understood:
    """What the NLU made of one question: the intent, its confidence, the entities' values and the ranking."""

    intent: str
    confidence: float
    entities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranking: tuple[tuple[str, float], ...] = ()


Understand = Callable[[str], Understood]


class LeaderLookup(Protocol):
    """The part of `bot.store.Store` the triage reads."""

    def leader(self, registratienummer: str) -> Any: ...

    def leader_by_email(self, email: str) -> Any: ...

    def activities(self, registratienummer: str) -> Any: ...


@dataclass(frozen=True)
class QuestionTriage:
    text: str
    intent: str
    confidence: float
    topic: str | None            # the topic's title as the chat offers it, if it has one
    category: str | None         # the helpdesk category of the topic
    status: str                  # DRAFT or OUTSIDE
    reason: str                  # why drafted, or why left to a person (Dutch, for the agent)
    draft: str | None = None     # the answer with its sources (DRAFT only)
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "confidence": round(self.confidence, 3),
                "topic": self.topic, "category": self.category, "status": self.status, "reason": self.reason,
                "draft": self.draft, "sources": list(self.sources)}


@dataclass(frozen=True)
class SenderMatch:
    """The leader whose address on file is the sender's: a probable match, never a verified identity."""

    status: str                       # "waarschijnlijk" | "bevestigd" | "geen"
    registratienummer: str | None
    note: str

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "registratienummer": self.registratienummer, "note": self.note}


@dataclass(frozen=True)
class MailTriage:
    subject: str
    sender: str
    registratienummer: str | None     # as the sender typed it (checked format), not verified
    category: str
    priority: str
    reasons: tuple[str, ...]
    sender_match: SenderMatch
    text: str                         # the sender's own words
    removed: tuple[str, ...]
    questions: tuple[QuestionTriage, ...]
    reply: str | None
    period_end: date | None = None    # only for a confirmed sender

    @property
    def drafted(self) -> tuple[QuestionTriage, ...]:
        return tuple(q for q in self.questions if q.status == DRAFT)

    @property
    def intent(self) -> str | None:
        """The first question's intent (the ticket's `intent` column)."""
        return self.questions[0].intent if self.questions else None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION, "subject": self.subject, "sender": self.sender,
            "registratienummer": self.registratienummer, "category": self.category, "priority": self.priority,
            "reasons": list(self.reasons), "sender_match": self.sender_match.to_json(), "text": self.text,
            "removed": list(self.removed), "questions": [q.to_json() for q in self.questions], "reply": self.reply,
        }


# -- one question -------------------------------------------------------------------------------------
def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _outside(text: str, u: Understood, reason: str) -> QuestionTriage:
    topic = BY_INTENT.get(u.intent)
    return QuestionTriage(text, u.intent, u.confidence, topic.title if topic else None,
                          INTENT_CATEGORIES.get(u.intent), OUTSIDE, reason)


def _own_dossier(text: str, u: Understood) -> bool:
    return u.intent in PERSONAL_INTENTS or (u.intent in OWN_DOSSIER_TOPICS and speaks_of_own_dossier(text))


def triage_question(text: str, u: Understood, book: RuleBook, today: date, personal_note: str | None = None
                    ) -> QuestionTriage:
    """A draft from the rules data, or why a person must answer it."""
    subject = outside_topic(text)
    if subject:
        return _outside(text, u, f"vraagt om een medewerker: {subject} staat niet in de bronnen")
    if _own_dossier(text, u):
        if personal_note is None:
            return _outside(text, u, "gaat over het eigen dossier; de afzender is niet bevestigd, dus geen "
                                     "persoonlijke gegevens in een concept")
    if u.intent in NO_DRAFT_INTENTS or u.intent not in BY_INTENT:
        return _outside(text, u, f"niet te beantwoorden uit de bronnen ({u.intent})")
    if u.confidence < DRAFT_CONFIDENCE:
        return _outside(text, u, f"niet zeker genoeg begrepen ({_percent(u.confidence)} voor {u.intent})")
    topic = BY_INTENT[u.intent]
    if topic.render is None and u.intent not in PERSONAL_INTENTS:
        return _outside(text, u, f"niet te beantwoorden uit de bronnen ({u.intent})")
    query = refine(book, with_names(book, Query(u.intent, dict(u.entities), text)))
    intent = u.intent if u.intent not in PERSONAL_INTENTS else "ask_points_needed"
    result = answer(book, Query(intent, query.entities, text), today)
    if not result.sources:
        return _outside(text, u, "de bronnen geven hier geen antwoord op")
    body = result.text
    if personal_note is not None and _own_dossier(text, u):
        body = f"{body}\n\n{personal_note}"
    sources = (source_line(result.sources),)
    if sources[0] not in body:
        body = f"{body}\n\n{sources[0]}"
    why = f"{topic.title or u.intent}, {_percent(u.confidence)} zeker; antwoord uit de regels met bron"
    return QuestionTriage(text, u.intent, u.confidence, topic.title, INTENT_CATEGORIES.get(u.intent), DRAFT, why,
                          _email_text(body), sources)


def _email_text(chat: str) -> str:
    """A chat answer as e-mail text: the chat's closing offer of the helpdesk is not for a reply by mail."""
    from ..replies import helpdesk_offer

    offer = helpdesk_offer()
    return chat.replace(" " + offer, "").replace(offer, "").strip()


# -- the sender -----------------------------------------------------------------------------------------
def match_sender(sender: str, typed: str | None, store: LeaderLookup | None, confirmed: bool
                 ) -> tuple[SenderMatch, list[str]]:
    """The probable leader by address, and notes for the agent about a typed registratienummer."""
    notes: list[str] = []
    email = check_email(sender).value if sender else None
    leader = store.leader_by_email(email) if store is not None and email else None
    if leader is None:
        match = SenderMatch("geen", None, "afzender niet gevonden bij een schoolleider in de database")
    elif confirmed:
        match = SenderMatch("bevestigd", leader.registratienummer,
                            f"afzender is {leader.registratienummer}, bevestigd door de helpdesk")
    else:
        match = SenderMatch("waarschijnlijk", leader.registratienummer,
                            f"adres staat bij {leader.registratienummer}: waarschijnlijk dezelfde persoon, niet "
                            "geverifieerd; geen persoonlijke gegevens in het concept")
    if typed:
        if leader is not None and typed == leader.registratienummer:
            notes.append(f"opgegeven registratienummer {typed} hoort bij het adres van de afzender")
        elif store is not None and store.leader(typed) is not None:
            notes.append(f"opgegeven registratienummer {typed} hoort niet bij het adres van de afzender: "
                         "controleer wie dit is")
        elif store is not None:
            notes.append(f"opgegeven registratienummer {typed} niet gevonden in de database")
    return match, notes


def _personal_note(store: LeaderLookup, number: str, book: RuleBook, today: date) -> tuple[str | None, date | None]:
    from .. import progress
    from ..store.core import pending, to_dossier

    leader = store.leader(number)
    if leader is None:
        return None, None
    activities = tuple(store.activities(number))
    personal = progress.Personal(leader, to_dossier(leader, activities), pending(activities), activities)
    return progress.personal_note(book, personal, today), leader.period_end


# -- the mail ---------------------------------------------------------------------------------------------
def categorise_mail(subject: str, text: str, questions: Sequence[QuestionTriage]) -> tuple[str, str]:
    """One category for the mail, and the reason. What only a person can do (account, uitstel, bezwaar)
    comes first; then the topic the questions were understood as, weighed by confidence; then keywords."""
    whole = normalised(f"{subject}\n{text}")
    for category, stems in _FIRST:
        found = find_stem(whole, stems)
        if found:
            return category, f"trefwoord '{found}' → {category}"
    weights: dict[str, float] = {}
    for q in questions:
        if q.category and q.confidence >= DRAFT_CONFIDENCE / 2:
            weights[q.category] = weights.get(q.category, 0.0) + q.confidence
    if weights:
        best = max(weights, key=lambda c: (weights[c], c))
        intents = sorted({q.intent for q in questions if q.category == best})
        return best, f"onderwerp van de vragen ({', '.join(intents)}) → {best}"
    for category, stems in _THEN:
        found = find_stem(whole, stems)
        if found:
            return category, f"trefwoord '{found}' → {category}"
    return "overig", "geen onderwerp herkend → overig"


def _reply(questions: Sequence[QuestionTriage]) -> str | None:
    drafted = [q for q in questions if q.status == DRAFT]
    if not drafted:
        return None
    parts = ["Beste schoolleider,", "Dank je wel voor je vraag."]
    for q in drafted:
        parts.append(f"Je vroeg: “{q.text}”\n{q.draft}" if len(questions) > 1 else str(q.draft))
    if len(drafted) < len(questions):
        parts.append("Je andere vraag bekijkt een collega van de helpdesk; je krijgt daarop apart antwoord."
                     if len(questions) - len(drafted) == 1 else
                     "Je andere vragen bekijkt een collega van de helpdesk; je krijgt daarop apart antwoord.")
    parts.append("Met vriendelijke groet,\nHelpdesk Schoolleidersregister PO")
    return "\n\n".join(parts)


def triage_mail(mail: Mail, understand: Understand, book: RuleBook, today: date, *,
                store: LeaderLookup | None = None, confirmed: bool = False) -> MailTriage:
    """Clean the mail, understand and answer each question, and sort the mail (see the module's doc)."""
    cleaned = clean_mail(mail.subject, mail.body, html_body=mail.html)
    typed = check_registratienummer(mail.registratienummer).value if mail.registratienummer else None
    match, notes = match_sender(mail.sender, typed, store, confirmed)
    note: str | None = None
    period_end: date | None = None
    if match.status == "bevestigd" and store is not None and match.registratienummer:
        note, period_end = _personal_note(store, match.registratienummer, book, today)
    questions = []
    for text in cleaned.questions:
        u = understand(text)
        if u.intent in NOT_A_QUESTION and u.confidence >= DRAFT_CONFIDENCE and len(cleaned.questions) > 1:
            continue
        questions.append(triage_question(text, u, book, today, note))
    category, why = categorise_mail(mail.subject, cleaned.text, questions)
    reasons = [why]
    urgent = False
    deadline = deadline_mentioned(cleaned.text) or deadline_mentioned(mail.subject)
    if deadline:
        urgent = True
        reasons.append(f"termijn genoemd in de mail ('{deadline}') → hoog")
    if period_end is not None:
        if period_end < today or period_end - today <= URGENT_WINDOW:
            urgent = True
            reasons.append(f"periode eindigt op {format_date(period_end)}, binnen 8 weken → hoog")
    reasons.append(match.note)
    reasons.extend(notes)
    return MailTriage(mail.subject, mail.sender, typed, category, "hoog" if urgent else "normaal", tuple(reasons),
                      match, cleaned.text, cleaned.removed, tuple(questions), _reply(questions), period_end)
