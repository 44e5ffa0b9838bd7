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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from .. import texts
from ..answers import answer
from ..answers.topics import BY_INTENT, INTENT_CATEGORIES, TOPICS
from ..facets import (
    FACET_FORMS,
    PROGRAMME_FACETS,
    facet_of,
    names_in_text,
    plain_text,
    refine,
    speaks_of_own_dossier,
    with_names,
)
from ..outside import EMPLOYMENT_STEMS, find_stem, normalised, outside_topic
from ..register import RuleBook, format_date
from ..replies import Answer, Query, source_line
from .checks import check_email, check_registratienummer
from .mailtext import clean_mail, core_question, last_clause, subject_line
from .triage import URGENT_WINDOW, Keywords, deadline_mentioned, subject_label

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
# Questions about a programme's points, themes, costs, ... need to know which programme: without one
# (in the question, the subject line or the rest of the mail) the chat would list them all, which is no
# answer to a letter. Which programmes are certified is a question of its own, and every certificate is
# uploaded in the register the same way (seed 002).
NEEDS_SUBJECT = (PROGRAMME_FACETS - {"ask_certified_programmes", "ask_certificate_upload"}) | {"ask_themes"}
# "Voor welke thema's telt hij?", "wat kost dat?": the question points back at something said earlier.
POINTS_BACK_RE = re.compile(r"\b(hij|zij|ze|die|deze|dit|dat|daarvan|daarvoor|ervoor|ervan)\b")
# Auto-replies and out-of-office notices (RFC 3834 defines the headers; the subject is what every client
# writes): they ask nothing.
AUTO_REPLY_RE = re.compile(r"^\s*(automatisch antwoord|automatisch beantwoord|automatic reply|auto[- ]?reply|"
                           r"autoreply|afwezig|out of (the )?office|niet aanwezig|afwezigheidsbericht)\b", re.I)
# Understood as not about the register at all (salary, a school's own matters). A question about the
# register that the sources do not answer (ask_outside_sources) still has a category: keywords decide.
UNDERSTOOD_OUTSIDE = frozenset({"out_of_scope"})
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

    def personal(self, registratienummer: str) -> Any: ...


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

    @property
    def facet(self) -> str | None:
        """What the question's form asks of its subject (points, costs, themes, time, …): a facet's title."""
        found = facet_of(self.text)
        topic = BY_INTENT.get(found) if found else None
        return topic.title if topic is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "confidence": round(self.confidence, 3),
                "topic": self.topic, "facet": self.facet, "category": self.category, "status": self.status,
                "reason": self.reason, "draft": self.draft, "sources": list(self.sources)}


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


def _facets(text: str) -> list[str]:
    """Every programme facet the question asks for, in the order of strength ("hoeveel punten levert het
    op en voor welke thema's?" asks two)."""
    plain = plain_text(text)
    return list(dict.fromkeys(intent for intent, pattern in FACET_FORMS if pattern.search(plain)))


def _with_context(query: Query, context: Mapping[str, tuple[str, ...]]) -> Query:
    """The programme or trajectory of the mail (its subject line, its other sentences) for a question that
    names none: a reader of a letter does the same."""
    entities = dict(query.entities)
    if entities.get("programme") or entities.get("traject"):
        return query
    for key in ("programme", "traject"):
        values = context.get(key, ())
        if len(values) == 1:
            entities[key] = values
            return Query(query.intent, entities, query.text)
    return query


def _agreed(book: RuleBook, text: str, u: Understood, context: Mapping[str, tuple[str, ...]]) -> bool:
    """Two independent readings agree on a question the model was unsure of: the model's intent is one of
    the facets the question's form asks for ("hoeveel punten levert dat op"), and the programme it is about
    is known from the question or the rest of the mail. Never below half the drafting confidence."""
    if u.confidence < DRAFT_CONFIDENCE / 2 or u.intent not in PROGRAMME_FACETS:
        return False
    query = _with_context(with_names(book, Query(u.intent, dict(u.entities), text)), context)
    return u.intent in _facets(text) and len(query.all("programme") or query.all("traject")) == 1


def _said_elsewhere(text: str, others: Sequence[str]) -> bool:
    """Whether every listed item of `text` ("- Kwaliteitsmanagement") is in one of the other answers."""
    items = [line[2:].strip() for line in text.splitlines() if line.startswith("- ")]
    return bool(items) and any(all(item in other for item in items) for other in others)


def _render(book: RuleBook, query: Query, today: date) -> Answer:
    """The chat's answer; for a named programme asked several things at once, each facet's answer."""
    facets = [f for f in _facets(query.text) if f in PROGRAMME_FACETS]
    named = query.all("programme") or query.all("traject")
    if len(named) == 1 and len(facets) > 1 and query.intent in PROGRAMME_FACETS | {"ask_themes"}:
        parts = []
        for facet in facets:
            render = BY_INTENT[facet].render
            if render is not None:
                parts.append(render(book, Query(facet, query.entities, query.text), today))
        if parts and all(p.sources for p in parts):
            texts = [p.text.split("\n\nBron")[0].strip() for p in parts]
            # One answer may already say what another lists ("70 punten … telt voor de thema's …"): no repeats.
            texts = [t for i, t in enumerate(texts) if not _said_elsewhere(t, texts[:i] + texts[i + 1:])]
            return Answer("\n\n".join(texts), (), tuple(dict.fromkeys(x for p in parts for x in p.sources)))
    return answer(book, query, today)


def triage_question(text: str, u: Understood, book: RuleBook, today: date, personal_note: str | None = None,
                    context: Mapping[str, tuple[str, ...]] | None = None) -> QuestionTriage:
    """A draft from the rules data, or why a person must answer it."""
    subject = outside_topic(text)
    if subject:
        return _outside(text, u, f"vraagt om een medewerker: {subject} staat niet in de bronnen")
    own = _own_dossier(text, u) or speaks_of_own_dossier(text)
    general = u.intent in OWN_DOSSIER_TOPICS and u.intent in TOPICS
    if own and personal_note is None and not general:
        return _outside(text, u, "gaat over het eigen dossier; de afzender is niet bevestigd, dus geen "
                                 "persoonlijke gegevens in een concept")
    if u.intent in NO_DRAFT_INTENTS or u.intent not in BY_INTENT:
        return _outside(text, u, f"niet te beantwoorden uit de bronnen ({u.intent})")
    if u.confidence < DRAFT_CONFIDENCE and not _agreed(book, text, u, context or {}):
        return _outside(text, u, f"niet zeker genoeg begrepen ({_percent(u.confidence)} voor {u.intent})")
    topic = BY_INTENT[u.intent]
    if topic.render is None and u.intent not in PERSONAL_INTENTS:
        return _outside(text, u, f"niet te beantwoorden uit de bronnen ({u.intent})")
    intent = u.intent if u.intent not in PERSONAL_INTENTS else "ask_points_needed"
    query = with_names(book, Query(intent, dict(u.entities), text))
    query = _with_context(query, context or {})
    facet = facet_of(text)
    points_back = bool(POINTS_BACK_RE.search(plain_text(text)))
    if query.intent == "ask_certified_programmes" and points_back:
        # "Is die gecertificeerd?" about the programme the mail names: that programme, not the list.
        if not (query.all("programme") or query.all("traject")):
            return _outside(text, u, "niet duidelijk over welke opleiding of welk traject de vraag gaat")
        query = Query("ask_programme_info", query.entities, text)
    if query.intent == "ask_themes" and facet in PROGRAMME_FACETS and (query.all("programme") or query.all("traject")):
        query = Query(facet, query.entities, text)  # "voor welke thema's telt hij?" about the mail's programme
    query = refine(book, query)
    has_subject = bool(query.all("programme") or query.all("traject") or query.all("theme"))
    if query.intent in NEEDS_SUBJECT and not has_subject and (query.intent != "ask_themes" or points_back):
        return _outside(text, u, "niet duidelijk over welke opleiding of welk traject de vraag gaat")
    result = _render(book, query, today)
    if not result.sources:
        return _outside(text, u, "de bronnen geven hier geen antwoord op")
    if not result.complete:
        # The chat may say "dat staat niet in mijn bronnen" with the nearest rule; a mail gets a person.
        return _outside(text, u, "de bronnen beantwoorden deze vraag zelf niet")
    body = result.text
    if own:
        # "Hoeveel punten heb ik nog nodig?": the rule for everyone, and the leader's own figures only for a
        # sender the helpdesk confirmed; else where they stand.
        body = f"{body}\n\n{personal_note or texts.text('utter_mail_own_dossier')}"
    sources = (source_line(result.sources),)
    if sources[0] not in body:
        body = f"{body}\n\n{sources[0]}"
    asked = BY_INTENT.get(query.intent, topic)
    why = f"{asked.title or query.intent}, {_percent(u.confidence)} zeker; antwoord uit de regels met bron"
    return QuestionTriage(text, query.intent, u.confidence, asked.title, INTENT_CATEGORIES.get(query.intent), DRAFT,
                          why, _email_text(body), sources)


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

    personal = store.personal(number)
    if personal is None:
        return None, None
    return progress.personal_note(book, personal, today), personal.leader.period_end


# -- the mail ---------------------------------------------------------------------------------------------
def categorise_mail(subject: str, text: str, questions: Sequence[QuestionTriage], about: QuestionTriage | None
                    ) -> tuple[str, str]:
    """One category for the mail, and the reason, as the helpdesk routes: a mail without a question is
    `overig`; what only a person can do (account, uitstel, bezwaar) comes first; money goes to `kosten`;
    then the one topic the subject line names, when the body bears it out (the sender's own label); then the
    topic the questions (and the subject line, with half the weight) were understood as, weighed by
    confidence; then keywords."""
    if not questions:
        return "overig", "geen vraag in de mail → overig"
    keywords = Keywords(f"{subject}\n{text}")
    first = keywords.first()
    if first:
        return first
    # Money wins when the mail is about money: most of its questions, or its subject line. A side question
    # ("en wat kost dat?") weighs in with the other topics below.
    money = [q for q in questions if q.category == "kosten" and q.confidence >= DRAFT_CONFIDENCE / 2]
    subject_money = about is not None and about.category == "kosten" and about.confidence >= DRAFT_CONFIDENCE
    if money and (2 * len(money) > len(questions) or subject_money):
        return "kosten", f"vraag over kosten ({money[0].intent}) → kosten"
    label = subject_label(subject_line(subject), text, [q.text for q in questions])
    if label:
        return label
    weights: dict[str, float] = {}
    for q, weight in [(q, 1.0) for q in questions] + ([(about, 0.5)] if about is not None else []):
        if q.category and q.confidence >= DRAFT_CONFIDENCE / 2:
            weights[q.category] = weights.get(q.category, 0.0) + weight * q.confidence
    if weights:
        best = max(weights, key=lambda c: (weights[c], c))
        intents = sorted({q.intent for q in questions if q.category == best})
        return best, f"onderwerp van de vragen ({', '.join(intents) or 'onderwerpregel'}) → {best}"
    outside = [q for q in questions if (q.intent in UNDERSTOOD_OUTSIDE and q.confidence >= DRAFT_CONFIDENCE / 2)
               or find_stem(normalised(q.text), EMPLOYMENT_STEMS)]
    if len(outside) == len(questions):
        return "overig", f"geen vraag over het register ({', '.join(sorted({q.intent for q in outside}))}) → overig"
    return keywords.then() or ("overig", "geen onderwerp herkend → overig")


def _read(understand: Understand, question: str, before: str | None) -> Understood:
    """The understanding of a question; one that points back ("Waar doe ik dat?") and is not understood on
    its own is read again with the sentence before it, as a reader of a letter would."""
    u = understand(core_question(question))
    if before is None or (u.confidence >= DRAFT_CONFIDENCE and u.intent not in NO_DRAFT_INTENTS):
        return u
    again = understand(core_question(f"{last_clause(before)} {question}"))
    # The first reading was unsure or no topic; a sure second reading about a topic replaces it.
    sure = again.confidence >= DRAFT_CONFIDENCE and again.intent not in NO_DRAFT_INTENTS | NOT_A_QUESTION
    return again if sure else u


def _reply(questions: Sequence[QuestionTriage]) -> str | None:
    """One reply for the agent to check: the drafts, and a line that a colleague takes the rest."""
    drafted = [q for q in questions if q.status == DRAFT]
    if not drafted:
        return None
    parts = [texts.text("utter_mail_greeting")]
    for q in drafted:
        asked = texts.text("utter_mail_you_asked", question=q.text)
        parts.append(f"{asked}\n{q.draft}" if len(questions) > 1 else str(q.draft))
    left = len(questions) - len(drafted)
    if left:
        parts.append(texts.text("utter_mail_one_other" if left == 1 else "utter_mail_other_questions"))
    parts.append(texts.text("utter_mail_closing"))
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
    auto_reply = bool(AUTO_REPLY_RE.match(mail.subject or ""))
    title = subject_line(mail.subject)
    context = names_in_text(book, f"{title}\n{cleaned.text}")
    about = None
    if title and not auto_reply and cleaned.bulk is None:
        seen = understand(title)
        about = triage_question(title, seen, book, today, None, context)
    questions = []
    befores = cleaned.before or (None,) * len(cleaned.questions)
    for text, before in () if auto_reply else zip(cleaned.questions, befores, strict=True):
        u = _read(understand, text, before)
        if u.intent in NOT_A_QUESTION and u.confidence >= DRAFT_CONFIDENCE:
            continue
        questions.append(triage_question(text, u, book, today, note, context))
    category, why = categorise_mail(mail.subject, cleaned.text, questions, about)
    reasons = [why]
    urgent = False
    nothing_asked = auto_reply or cleaned.bulk is not None
    deadline = None if nothing_asked else deadline_mentioned(cleaned.text) or deadline_mentioned(mail.subject)
    if auto_reply:
        reasons.append("automatisch antwoord (afwezigheidsbericht): geen vraag, geen termijn")
    elif cleaned.bulk:
        reasons.append(f"{cleaned.bulk}; geen termijn")
    if deadline:
        urgent = True
        reasons.append(f"termijn genoemd in de mail ('{deadline}') → hoog")
    if period_end is not None and (period_end < today or period_end - today <= URGENT_WINDOW):
        urgent = True
        reasons.append(f"periode eindigt op {format_date(period_end)}, binnen 8 weken → hoog")
    reasons.append(match.note)
    reasons.extend(notes)
    return MailTriage(mail.subject, mail.sender, typed, category, "hoog" if urgent else "normaal", tuple(reasons),
                      match, cleaned.text, cleaned.removed, tuple(questions), _reply(questions), period_end)
