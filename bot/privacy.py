"""Retention and erasure of personal data (AVG; issue 17). Where personal data lives: docs/privacy.md.

- `Privacy.erase(number)`: a leader's dossier (leader, activities), linked channel identities, their
  conversations (by the pseudonym in the conversation id, bot.identity.pseudonym), and the personal data
  in tickets about them (by registratienummer, the e-mail address on file, or their conversations) and
  in those tickets' outbox rows. Ticket rows stay, anonymised, so the helpdesk's numbering and counts
  stay whole; an outbox row not yet delivered is stopped, never sent afterwards. Idempotent.
- `Privacy.purge(now)`: applies the retention periods (`Retention`, configurable from the environment).
- `Privacy.end_conversation(sender)`: a conversation removed at once (logging out in the widget).

All of it in one transaction per call; `dry_run` rolls it back and reports what would have gone.
Computation only: the CLI (bot/cli/privacy.py) words the reports.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa

from .errors import UserError
from .identity import NUMBER_RE, pseudonym
from .periodic import repeat
from .store.database import Database, utcnow
from .store.models import (
    Activity,
    ChannelIdentity,
    Conversation,
    ConversationEvent,
    Leader,
    LinkAttempt,
    LinkEvent,
    Reminder,
    ReminderSetting,
    TeamsReference,
    Ticket,
    TicketOutbox,
    UnansweredQuestion,
)

ERASED = "[gewist]"
ERASED_ERROR = "persoonsgegevens gewist (AVG); niet verstuurd"


class PrivacyError(UserError):
    pass


@dataclass(frozen=True)
class Retention:
    """How long personal data is kept, in days (each from the environment; defaults in docs/privacy.md).

    conversations: after the last message a conversation is no longer continued and is deleted
    tickets:       after creation a ticket's personal data (question, e-mail, transcript...) is removed
    unanswered:    after creation an unanswered question (already scrubbed) is deleted
    outbox:        after delivery the copy of a ticket in its outbox row is removed
    """

    conversations: float = 7.0
    tickets: float = 365.0
    unanswered: float = 365.0
    outbox: float = 30.0

    ENV: ClassVar[dict[str, str]] = {
        "conversations": "RETENTION_CONVERSATION_DAYS", "tickets": "RETENTION_TICKET_DAYS",
        "unanswered": "RETENTION_UNANSWERED_DAYS", "outbox": "RETENTION_OUTBOX_DAYS",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Retention:
        e = os.environ if env is None else env
        values: dict[str, float] = {}
        for field in fields(cls):
            name = cls.ENV[field.name]
            raw = e.get(name, "").strip().replace(",", ".")
            if not raw:
                continue
            try:
                days = float(raw)
            except ValueError:
                raise PrivacyError(f"{name}={raw!r} is geen aantal dagen.") from None
            if not 0 < days <= 36_500:
                raise PrivacyError(f"{name}={raw!r}: kies een aantal dagen groter dan 0 (en hoogstens 36500).")
            values[field.name] = days
        return cls(**values)

    def cutoff(self, what: str, now: datetime) -> datetime:
        return now - timedelta(days=float(getattr(self, what)))


@dataclass(frozen=True)
class ErasureReport:
    registratienummer: str
    leader: int = 0
    activities: int = 0
    identities: int = 0
    conversations: int = 0
    tickets: int = 0
    outbox: int = 0
    outbox_stopped: int = 0  # of `outbox`: not yet delivered, now never sent
    links: int = 0  # attempts to link an account and their log (bot/linking.py), Teams references
    reminders: int = 0  # opt-ins and reminders (bot/reminders.py)

    @property
    def total(self) -> int:
        return self.leader + self.identities + self.conversations + self.tickets + self.outbox + self.links + self.reminders


@dataclass(frozen=True)
class PurgeReport:
    conversations: int = 0
    tickets: int = 0
    unanswered: int = 0
    outbox: int = 0
    links: int = 0
    reminders: int = 0


def conversation_match(column: Any, number: str) -> Any:
    """Conversation ids of this leader on any channel: `…leader-<p>:…` (portal token) or `…office-<p>:…`."""
    p = pseudonym(number)
    return sa.or_(column.like(f"%leader-{p}:%"), column.like(f"%office-{p}:%"))


def erased_payload(ticket_number: str | None) -> dict[str, Any]:
    return {"event": "ticket.erased", "ticket": {"number": ticket_number}}


class Privacy:
    def __init__(self, database: Database | str | None = None, retention: Retention | None = None) -> None:
        self._own = not isinstance(database, Database)
        self.database = database if isinstance(database, Database) else Database(database)
        self.retention = retention if retention is not None else Retention.from_env()

    def close(self) -> None:
        if self._own:
            self.database.close()

    @contextlib.contextmanager
    def _transaction(self, dry_run: bool) -> Iterator[Any]:
        """One transaction: committed, or rolled back on an error or for a dry run."""
        with self.database.session() as session:
            transaction = session.begin()
            try:
                yield session
                session.flush()
            except BaseException:
                transaction.rollback()
                raise
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()

    # -- erasure ------------------------------------------------------------------------------
    def erase(self, registratienummer: str, *, now: datetime | None = None, dry_run: bool = False) -> ErasureReport:
        number = registratienummer.strip()
        if not NUMBER_RE.match(number):
            raise PrivacyError(f"{registratienummer!r} is geen geldig registratienummer (6 tot 10 cijfers).")
        now = now or utcnow()
        with self._transaction(dry_run) as session:
            leader = session.execute(sa.select(Leader).where(Leader.registratienummer == number)).scalar_one_or_none()
            counts: dict[str, int] = {}
            email = leader.email.lower() if leader is not None else None
            accounts = [] if leader is None else [str(a) for a in session.execute(
                sa.select(ChannelIdentity.external_id).where(ChannelIdentity.leader_id == leader.id)).scalars()]
            counts["links"] = sum(_deleted(session, sa.delete(table).where(sa.or_(
                table.registratienummer == number, table.external_id.in_(accounts))))
                for table in (LinkAttempt, LinkEvent))
            if leader is not None:  # reminders: opt-ins, queued or sent ones, and where Teams can reach them
                counts["reminders"] = sum(_deleted(session, sa.delete(table).where(table.leader_id == leader.id))
                                          for table in (ReminderSetting, Reminder))
                counts["links"] += _deleted(session, sa.delete(TeamsReference).where(
                    TeamsReference.external_id.in_(accounts)))
                counts["activities"] = _deleted(session, sa.delete(Activity).where(Activity.leader_id == leader.id))
                counts["identities"] = _deleted(
                    session, sa.delete(ChannelIdentity).where(ChannelIdentity.leader_id == leader.id))
                counts["leader"] = _deleted(session, sa.delete(Leader).where(Leader.id == leader.id))
            senders = [str(s) for s in session.execute(
                sa.select(Conversation.sender_id).where(conversation_match(Conversation.sender_id, number))).scalars()]
            counts["conversations"] = _delete_conversations(session, senders)
            about = [Ticket.registratienummer == number, conversation_match(Ticket.conversation_id, number)]
            if email:
                about.append(sa.func.lower(Ticket.email) == email)
            tickets = session.execute(sa.select(Ticket).where(sa.or_(*about), Ticket.erased_at.is_(None))).scalars().all()
            outbox, stopped = _anonymise(session, tickets, now, "gewist op verzoek")
            report = ErasureReport(number, tickets=len(tickets), outbox=outbox, outbox_stopped=stopped, **counts)
        return report

    # -- retention ----------------------------------------------------------------------------
    def purge(self, *, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
        now = now or utcnow()
        r = self.retention
        with self._transaction(dry_run) as session:
            senders = [str(s) for s in session.execute(sa.select(Conversation.sender_id).where(
                Conversation.updated_at < r.cutoff("conversations", now))).scalars()]
            conversations = _delete_conversations(session, senders)
            old = session.execute(sa.select(Ticket).where(
                Ticket.created_at < r.cutoff("tickets", now), Ticket.erased_at.is_(None))).scalars().all()
            _anonymise(session, old, now, "bewaartermijn verlopen")
            unanswered = _deleted(session, sa.delete(UnansweredQuestion).where(
                UnansweredQuestion.created_at < r.cutoff("unanswered", now)))
            delivered = session.execute(sa.select(TicketOutbox).where(
                TicketOutbox.status == "delivered", TicketOutbox.delivered_at < r.cutoff("outbox", now))).scalars()
            outbox = 0
            for row in delivered:
                if row.payload.get("event") != "ticket.erased":
                    row.payload = erased_payload(row.payload.get("ticket", {}).get("number"))
                    row.updated_at = now
                    outbox += 1
            # Linking and reminders (issue 18): an attempt matters for its hour of rate limits, so it goes
            # with the conversations; the log the helpdesk reads and sent reminders with the tickets.
            links = _deleted(session, sa.delete(LinkAttempt).where(
                LinkAttempt.created_at < r.cutoff("conversations", now)))
            links += _deleted(session, sa.delete(LinkEvent).where(LinkEvent.at < r.cutoff("tickets", now)))
            reminders = _deleted(session, sa.delete(Reminder).where(
                Reminder.status != "pending", Reminder.created_at < r.cutoff("tickets", now)))
            report = PurgeReport(conversations, len(old), unanswered, outbox, links, reminders)
        return report

    # -- one conversation ---------------------------------------------------------------------
    def end_conversation(self, sender: str) -> bool:
        """Remove one conversation now (logging out in the widget). False when there was none."""
        with self._transaction(dry_run=False) as session:
            return _delete_conversations(session, [sender]) > 0

    async def aend_conversation(self, sender: str) -> bool:
        return await self.database.in_thread(functools.partial(self.end_conversation, sender))


def purge_hours(env: Mapping[str, str] | None = None) -> float:
    """PRIVACY_PURGE_HOURS: how often the helpdesk worker applies the retention periods (24; 0 = never)."""
    raw = (os.environ if env is None else env).get("PRIVACY_PURGE_HOURS", "").strip().replace(",", ".")
    try:
        hours = float(raw) if raw else 24.0
    except ValueError:
        raise PrivacyError(f"PRIVACY_PURGE_HOURS={raw!r} is geen aantal uren.") from None
    if hours < 0:
        raise PrivacyError(f"PRIVACY_PURGE_HOURS={raw!r}: kies 0 (nooit) of een positief aantal uren.")
    return hours


def purge_every(privacy: Privacy, hours: float, stop: threading.Event, log: Callable[[str], None]) -> None:
    """Purge now and then every `hours` until `stop` is set; a failure is logged and tried next time."""

    def purge() -> str:
        r = privacy.purge()
        return (f"bewaartermijnen toegepast: {r.conversations} gesprek(ken), {r.tickets} ticket(s), "
                f"{r.unanswered} onbeantwoorde vraag/vragen, {r.outbox} outbox-bericht(en)")

    repeat(purge, hours * 3600, stop, log, f"bewaartermijnen niet toegepast ({{error}}); opnieuw over {hours:g} uur")


def _deleted(session: Any, statement: Any) -> int:
    return int(session.execute(statement).rowcount or 0)


def _delete_conversations(session: Any, senders: list[str]) -> int:
    removed = 0
    for start in range(0, len(senders), 500):  # bounded IN lists
        chunk = senders[start:start + 500]
        session.execute(sa.delete(ConversationEvent).where(ConversationEvent.sender_id.in_(chunk)))
        removed += _deleted(session, sa.delete(Conversation).where(Conversation.sender_id.in_(chunk)))
    return removed


def _anonymise(session: Any, tickets: Any, now: datetime, why: str) -> tuple[int, int]:
    """Remove the personal data from tickets and their outbox rows; category, priority, dates and the
    recognised intent stay for the register's counts. (outbox rows changed, of which stopped)"""
    ids = [int(t.id) for t in tickets]
    for t in tickets:
        t.question, t.email, t.registratienummer, t.transcript = ERASED, "", None, None
        t.conversation_id, t.period_end, t.client, t.erased_at = ERASED, None, None, now
        t.triage = None  # an e-mail's triage: its text, sender and questions (issue 20)
        t.reasons = [f"persoonsgegevens verwijderd op {now.date().isoformat()} ({why})"]
    changed = stopped = 0
    for start in range(0, len(ids), 500):
        for row in session.execute(sa.select(TicketOutbox).where(TicketOutbox.ticket_id.in_(ids[start:start + 500]))
                                   ).scalars():
            number = next((t.number for t in tickets if int(t.id) == int(row.ticket_id)), None)
            row.payload = erased_payload(number)
            if row.status == "pending":
                row.status, row.last_error, row.lease_owner, row.lease_until = "failed", ERASED_ERROR, None, None
                stopped += 1
            row.updated_at = now
            changed += 1
    session.flush()
    return changed, stopped


__all__ = ["ErasureReport", "Privacy", "PrivacyError", "PurgeReport", "Retention", "conversation_match"]
