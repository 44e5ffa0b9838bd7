"""Taking in one e-mail (issue 20): its `mail_messages` row, its ticket, the ticket's outbox rows and the
questions the sources do not answer, all in ONE transaction, so a message is processed exactly once.

    intake = MailIntake(helpdesk)
    intake.known(key)                                  # IntakeResult when this message was taken in before
    result = intake.take(IncomingMail(key, "INBOX", uid, mail), triage)   # committed before it returns
    result.status, result.ticket, result.new           # "ticket" | "geen_vraag", "RW-2026-000012", True

`message_key` is the SHA-256 of the message's Message-ID (bot/helpdesk/inbox.py); the unique constraint
on it is the final guard: a second `take` of the same message (another poller, a retry after a crash
between the commit and flagging the message in the mailbox) returns the first outcome and adds nothing.

Unlike the chat's `Helpdesk.create_ticket`, mail is never refused: no hourly limit per sender (those are
for the chat), and a sender address that fails `check_email` still gets a ticket, without an address and
with a reason saying that the answer cannot go by e-mail. An auto-reply is kept as `geen_vraag`, without
a ticket. The webhook payload is the one of `create_ticket` with the mail's triage added to the ticket.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..store.database import utcnow
from ..store.models import (
    TICKET_CATEGORIES,
    TICKET_PRIORITIES,
    MailMessage,
    Ticket,
)
from .checks import MAX_QUESTION, check_email, check_question, check_registratienummer
from .core import _SAVE_FAILED, Helpdesk, HelpdeskError, add_ticket, unanswered_row
from .mailtext import clean_mail
from .mailtriage import OUTSIDE, Mail, MailTriage

__all__ = ["IncomingMail", "IntakeResult", "MailIntake"]

TICKET = "ticket"
NO_QUESTION = "geen_vraag"
_CUT = " (…)"  # marks a text cut to the ticket's limit


@dataclass(frozen=True)
class IncomingMail:
    """One message from the mailbox, parsed (bot/helpdesk/inbox.py)."""

    message_key: str             # sha256 hex of the Message-ID (or of the message's bytes)
    mailbox: str
    uid: int | None
    mail: Mail
    auto_reply: bool = False     # Auto-Submitted, X-Autoreply, Precedence: bulk/auto_reply: no ticket
    note: str | None = None      # Dutch, for the agent: why the text could not be read (too large, no text)
    received_at: datetime | None = None


@dataclass(frozen=True)
class IntakeResult:
    message_key: str
    status: str                  # "ticket" | "geen_vraag"
    ticket: str | None           # the ticket's number (RW-<year>-<id>), None for geen_vraag
    new: bool                    # False: the message had been taken in before; nothing was added


def _bounded(text: str) -> str:
    """`text` within the ticket question's limit, cut at a word with a visible mark."""
    text = text.strip()
    if len(text) <= MAX_QUESTION:
        return text
    cut = text[:MAX_QUESTION - len(_CUT)]
    space = cut.rfind(" ")
    if space > MAX_QUESTION // 2:
        cut = cut[:space]
    return cut.rstrip() + _CUT


def ticket_question(message: IncomingMail, triage: MailTriage | None) -> tuple[str, list[str]]:
    """The ticket's question (the mail's own words, bounded) and notes for the agent about it. When the
    body was not read (`message.note`: too large), the note and the subject."""
    notes: list[str] = []
    subject = " ".join((message.mail.subject or "").split())[:200]
    if message.note:
        return _bounded("\n\n".join([message.note, *([f"Onderwerp: {subject}"] if subject else [])])), notes
    candidates = [triage.text, *(q.text for q in triage.questions[:1])] if triage is not None else []
    if triage is None and message.mail.body:  # no triage (an error): the cleaned text all the same
        candidates.append(clean_mail(message.mail.subject, message.mail.body, html_body=message.mail.html).text)
    candidates.append(subject)
    for candidate in candidates:
        bounded = _bounded(candidate or "")
        checked = check_question(bounded)
        if checked.value is not None:
            if bounded != candidate.strip():
                notes.append("tekst van de e-mail ingekort voor het ticket; de volledige tekst staat in de mailbox")
            return checked.value, notes
    parts = ["De e-mail heeft geen tekst die als vraag te lezen is. Lees de originele e-mail in de mailbox."]
    if subject:
        parts.append(f"Onderwerp: {subject}")
    return _bounded("\n\n".join(parts)), notes


class MailIntake:
    """Takes e-mails in on the helpdesk's database (see the module's doc)."""

    def __init__(self, helpdesk: Helpdesk) -> None:
        self.helpdesk = helpdesk

    def _session(self) -> Any:
        return self.helpdesk.database.session()

    def known(self, message_key: str) -> IntakeResult | None:
        """The outcome of this message when it was taken in before, else None. HelpdeskError when the
        database cannot be reached."""
        try:
            with self._session() as session:
                row = session.execute(
                    sa.select(MailMessage.status, Ticket.number)
                    .select_from(MailMessage)
                    .outerjoin(Ticket, Ticket.id == MailMessage.ticket_id)
                    .where(MailMessage.message_key == message_key)
                ).first()
        except SQLAlchemyError as exc:
            raise HelpdeskError(_SAVE_FAILED) from exc
        if row is None:
            return None
        return IntakeResult(message_key, str(row[0]), row[1], new=False)

    def take(self, message: IncomingMail, triage: MailTriage | None, today: date | None = None) -> IntakeResult:
        """Commit the message (and its ticket, outbox rows and unanswered questions) in one transaction.

        `triage` is None for an auto-reply, or when the triage failed (the ticket then says so). Returns the
        earlier outcome when the message was taken in before. Raises HelpdeskError when the database refuses;
        then nothing is stored and the message should stay unmarked in the mailbox.
        """
        key = message.message_key
        created = utcnow()
        day = today or date.today()
        try:
            with self._session() as session, session.begin():
                row = MailMessage(message_key=key, mailbox=message.mailbox[:255], uid=message.uid,
                                  received_at=message.received_at or created,
                                  status=NO_QUESTION if message.auto_reply else TICKET)
                session.add(row)
                session.flush()  # the unique message_key: a message taken in before stops here
                number = None
                if not message.auto_reply:
                    ticket = self._ticket(session, message, triage, created, day)
                    row.ticket_id = ticket.id
                    number = ticket.number
                    if triage is not None:
                        self._unanswered(session, triage, created)
                session.flush()
        except IntegrityError as exc:
            earlier = self.known(key)
            if earlier is not None:
                return earlier
            raise HelpdeskError(_SAVE_FAILED) from exc
        except SQLAlchemyError as exc:
            raise HelpdeskError(_SAVE_FAILED) from exc  # the cause stays attached for the caller's log
        return IntakeResult(key, row.status, number, new=True)

    def _ticket(self, session: Any, message: IncomingMail, triage: MailTriage | None, created: datetime,
                day: date) -> Ticket:
        mail = message.mail
        question, notes = ticket_question(message, triage)
        reasons: list[str] = []
        if message.note:
            reasons.append(message.note)
        if triage is not None:
            category = triage.category if triage.category in TICKET_CATEGORIES else "overig"
            priority = triage.priority if triage.priority in TICKET_PRIORITIES else "normaal"
            reasons.extend(triage.reasons)
            number = triage.registratienummer
        else:
            category, priority = "overig", "normaal"
            if not message.note:
                reasons.append("geen automatische beoordeling van deze e-mail: een medewerker leest hem")
            number = check_registratienummer(mail.registratienummer).value if mail.registratienummer else None
        reasons.extend(notes)
        email = check_email(mail.sender).value if mail.sender else None
        if email is None:
            sender = " ".join((mail.sender or "").split())[:100]
            reasons.append((f"afzender '{sender}' is geen bruikbaar e-mailadres" if sender else "afzender ontbreekt")
                           + ": antwoorden per e-mail kan niet; zie de originele e-mail in de mailbox")
        expected = self.helpdesk.service_level.expected_by(priority, day)
        uid = uuid.uuid4().hex
        triage_json = triage.to_json() if triage is not None else None
        ticket = Ticket(
            uid=uid, created_at=created, category=category, priority=priority, reasons=reasons,
            expected_by=expected, question=question, email=email or "", registratienummer=number,
            verified=False, consent=False, channel="email", conversation_id=f"mail:{message.message_key[:16]}",
            intent=((triage.intent if triage is not None else None) or "")[:100] or None, reason="email",
            period_end=None, transcript=None, client=None, triage=triage_json,
        )
        add_ticket(session, ticket, day, self.helpdesk.config.email_enabled, {"triage": triage_json})
        return ticket

    @staticmethod
    def _unanswered(session: Any, triage: MailTriage, created: datetime) -> None:
        """Each question the sources do not answer, scrubbed of personal data (as the chat keeps them)."""
        for q in triage.questions:
            row = unanswered_row(q.text, q.intent, created, source="email") if q.status == OUTSIDE else None
            if row is not None:
                session.add(row)
