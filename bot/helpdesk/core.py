"""Tickets: create one (ticket and its outbox rows in one transaction), read them back, and keep the
questions the assistant could not answer (scrubbed of personal data)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..dutch import literal
from ..errors import UserError
from ..register import format_date
from ..store import Database, Store
from ..store.database import aware, utcnow
from ..store.models import CHANNELS, TICKET_REASONS, Ticket, TicketOutbox, UnansweredQuestion
from .checks import check_email, check_question, check_registratienummer
from .config import HelpdeskConfig
from .scrub import scrub, text_hash
from .service import ServiceLevel, load_service_level
from .triage import triage

ROLES = ("gebruiker", "assistent")
MAX_TRANSCRIPT_LINES = 500
MAX_LINE = 4000
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
PAYLOAD_VERSION = 1


class HelpdeskError(UserError):
    """Something the caller can tell the user: `message` is Dutch (B1, je-form)."""


# -- input and output records ------------------------------------------------------------------
@dataclass(frozen=True)
class TranscriptLine:
    role: str  # "gebruiker" | "assistent"
    text: str
    at: datetime | None = None


@dataclass(frozen=True)
class TicketDraft:
    question: str
    email: str
    registratienummer: str | None
    verified: bool
    consent: bool
    channel: str  # "web" | "teams" | "rest"
    conversation_id: str
    intent: str | None
    reason: str  # "fallback" | "buiten_gegevens" | "persoonlijk" | "op_verzoek"
    transcript: tuple[TranscriptLine, ...] = ()
    client: str | None = None  # pseudonym of the client's address (channels/limits.client_key), if known


@dataclass(frozen=True)
class Delivery:
    """One outbox row of a ticket, as the CLI shows it."""

    kind: str  # "webhook" | "email"
    status: str  # "pending" | "delivered" | "failed"
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    idempotency_key: str
    failing: bool = False  # still pending after HELPDESK_MAX_ATTEMPTS attempts

    @property
    def state(self) -> str:
        """delivered | pending | failing | failed"""
        if self.status == "pending" and self.failing:
            return "failing"
        return self.status


@dataclass(frozen=True)
class TicketRecord:
    number: str
    created_at: datetime
    category: str
    priority: str
    expected_by: date
    reasons: tuple[str, ...]
    question: str
    email: str
    registratienummer: str | None
    verified: bool
    consent: bool
    channel: str
    conversation_id: str
    intent: str | None
    reason: str
    period_end: date | None
    transcript: tuple[TranscriptLine, ...] = ()
    deliveries: tuple[Delivery, ...] = field(default=())

    @property
    def delivery_state(self) -> str:
        """The worst state of the deliveries: failed > failing > pending > delivered."""
        states = [d.state for d in self.deliveries]
        for state in ("failed", "failing", "pending", "delivered"):
            if state in states:
                return state
        return "none"


@dataclass(frozen=True)
class UnansweredSummary:
    text: str
    count: int
    last_seen: datetime
    intents: tuple[str, ...]


# -- converting ---------------------------------------------------------------------------------
def _transcript_json(lines: Sequence[TranscriptLine]) -> list[dict[str, Any]]:
    kept = list(lines)[-MAX_TRANSCRIPT_LINES:]
    result: list[dict[str, Any]] = []
    for line in kept:
        role = line.role if line.role in ROLES else "assistent"
        at = aware(line.at)
        result.append({"role": role, "text": str(line.text)[:MAX_LINE],
                       "at": at.astimezone(timezone.utc).isoformat() if at else None})
    return result


def _transcript_lines(raw: object) -> tuple[TranscriptLine, ...]:
    if not isinstance(raw, list):
        return ()
    lines = []
    for item in raw:
        if isinstance(item, dict):
            at = item.get("at")
            lines.append(TranscriptLine(str(item.get("role", "")), str(item.get("text", "")),
                                        datetime.fromisoformat(at) if isinstance(at, str) else None))
    return tuple(lines)


def ticket_json(ticket: TicketRecord) -> dict[str, Any]:
    """The ticket as JSON-ready data (webhook body, `tickets export --format json`)."""
    return {
        "number": ticket.number,
        "created_at": ticket.created_at.astimezone(timezone.utc).isoformat(),
        "category": ticket.category,
        "priority": ticket.priority,
        "reasons": list(ticket.reasons),
        "expected_by": ticket.expected_by.isoformat(),
        "question": ticket.question,
        "email": ticket.email,
        "registratienummer": ticket.registratienummer,
        "verified": ticket.verified,
        "consent": ticket.consent,
        "channel": ticket.channel,
        "conversation_id": ticket.conversation_id,
        "intent": ticket.intent,
        "reason": ticket.reason,
        "period_end": ticket.period_end.isoformat() if ticket.period_end else None,
        "transcript": _transcript_json(ticket.transcript) if ticket.consent else None,
    }


def _record(row: Any, deliveries: Iterable[Delivery] = ()) -> TicketRecord:
    created = aware(row.created_at)
    assert created is not None
    return TicketRecord(
        number=str(row.number), created_at=created, category=row.category, priority=row.priority,
        expected_by=row.expected_by, reasons=tuple(str(r) for r in (row.reasons or ())), question=row.question,
        email=row.email, registratienummer=row.registratienummer, verified=bool(row.verified),
        consent=bool(row.consent), channel=row.channel, conversation_id=row.conversation_id, intent=row.intent,
        reason=row.reason, period_end=row.period_end, transcript=_transcript_lines(row.transcript),
        deliveries=tuple(deliveries),
    )


def _delivery(row: Any, max_attempts: int) -> Delivery:
    attempts = int(row.attempts)
    return Delivery(
        kind=row.kind, status=row.status, attempts=attempts,
        next_attempt_at=aware(row.next_attempt_at) if row.status == "pending" else None,
        delivered_at=aware(row.delivered_at), last_error=row.last_error, idempotency_key=row.idempotency_key,
        failing=row.status == "pending" and attempts >= max_attempts,
    )


def long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {format_date(day)}"


def next_steps(ticket: TicketRecord) -> str:
    """What the leader hears once the ticket is stored (Dutch, B1, je-form)."""
    parts = [
        f"Je vraag is doorgegeven aan de helpdesk van het Schoolleidersregister PO. "
        f"Je ticketnummer is {ticket.number}.",
        f"Je krijgt uiterlijk {long_date(ticket.expected_by)} antwoord per e-mail op {literal(ticket.email)}.",
    ]
    if ticket.priority == "hoog":
        parts.append("Je vraag krijgt voorrang, omdat er een termijn speelt.")
    if ticket.consent:
        parts.append("Een medewerker leest je vraag en ons gesprek.")
    else:
        parts.append("Een medewerker leest je vraag. Ons gesprek geef ik niet door.")
    parts.append("Noem je ticketnummer als je zelf contact opneemt met de helpdesk.")
    return " ".join(parts)


# -- writing a ticket (the chat's hand-over here, an e-mail in intake.py) -----------------------------
def add_ticket(session: Any, ticket: Ticket, day: date, email_enabled: bool,
               extra: dict[str, Any] | None = None) -> list[Delivery]:
    """Add `ticket` in the caller's transaction, give it its number (RW-<year>-<id>) and add its outbox
    rows (the webhook, and the e-mail when it is on) with the payload `ticket_json` plus `extra`."""
    session.add(ticket)
    session.flush()
    ticket.number = f"RW-{day.year}-{int(ticket.id):06d}"
    session.flush()
    payload = {"event": "ticket.created", "version": PAYLOAD_VERSION,
               "ticket": {**ticket_json(_record(ticket)), **(extra or {})}}
    rows = [("webhook", ticket.uid)]
    if email_enabled:
        rows.append(("email", f"{ticket.uid}-email"))
    created = ticket.created_at
    deliveries = []
    for kind, key in rows:
        session.add(TicketOutbox(ticket_id=ticket.id, kind=kind, idempotency_key=key, payload=payload,
                                 status="pending", attempts=0, next_attempt_at=created,
                                 created_at=created, updated_at=created))
        deliveries.append(Delivery(kind, "pending", 0, created, None, None, key))
    return deliveries


def unanswered_row(text: str, intent: str | None, created: datetime, source: str = "chat"
                   ) -> UnansweredQuestion | None:
    """A question the assistant could not answer, scrubbed of personal data; None for an empty one."""
    clean = scrub(text or "")
    if not clean:
        return None
    return UnansweredQuestion(text=clean, text_hash=text_hash(clean), intent=(intent or "").strip()[:100] or None,
                              created_at=created, source=source)


# -- the helpdesk --------------------------------------------------------------------------------
class Helpdesk:
    """Tickets and unanswered questions in the store's database.

    `Helpdesk(store)` shares the store's `Database` (one engine, one thread pool); `Helpdesk()` opens a
    store of its own on `database_url()` and closes it in `close()`. The configuration defaults to the
    environment; the service level is read (once) when the first ticket needs it.
    """

    def __init__(self, store: Store | None = None, config: HelpdeskConfig | None = None,
                 service_level: ServiceLevel | None = None) -> None:
        self._own_store = store is None
        self.store = store if store is not None else Store()
        self.config = config if config is not None else HelpdeskConfig.from_env()
        self._service_level = service_level

    @property
    def database(self) -> Database:
        return self.store.database

    @property
    def service_level(self) -> ServiceLevel:
        """The operator's service level (`load_service_level()` when none was given), read once."""
        if self._service_level is None:
            self._service_level = load_service_level()
        return self._service_level

    def close(self) -> None:
        if self._own_store:
            self.store.close()

    def _session(self) -> Any:
        return self.database.session()

    # -- creating ----------------------------------------------------------------------------
    def create_ticket(self, draft: TicketDraft, today: date | None = None) -> TicketRecord:
        """Triage the draft and commit the ticket with its outbox rows in one transaction.

        Raises HelpdeskError (Dutch message) for bad input or when the database refuses; then nothing
        is stored, and the caller should keep the draft and offer to try again.
        """
        question = check_question(draft.question)
        if question.value is None:
            raise HelpdeskError(question.prompt or "Je vraag klopt niet.")
        email = check_email(draft.email)
        if email.value is None:
            raise HelpdeskError(email.prompt or "Je e-mailadres klopt niet.")
        number: str | None = None
        if draft.registratienummer not in (None, ""):
            checked = check_registratienummer(draft.registratienummer)
            if checked.value is None:
                raise HelpdeskError(checked.prompt or "Je registratienummer klopt niet.")
            number = checked.value
        if draft.channel not in CHANNELS:
            raise HelpdeskError(f"Onbekend kanaal '{draft.channel}'.")
        if draft.reason not in TICKET_REASONS:
            raise HelpdeskError(f"Onbekende reden '{draft.reason}'.")
        conversation_id = (draft.conversation_id or "").strip()[:255] or "onbekend"
        intent = (draft.intent or "").strip()[:100] or None

        created = utcnow()
        day = today or date.today()
        try:
            leader = self.store.leader(number) if number else None
            client = (draft.client or "").strip()[:64] or None
            recent = self._recent_tickets(created, conversation_id, email.value, number)
            from_address = self._last_hour(created, Ticket.client == client) if client else 0
        except SQLAlchemyError:
            raise HelpdeskError(_SAVE_FAILED) from None
        if recent >= self.config.tickets_per_hour:
            raise HelpdeskError(_TOO_MANY.format(count=recent))
        if from_address >= self.config.tickets_per_address:
            raise HelpdeskError(_TOO_MANY_HERE)
        # Only a verified leader's period counts (issue 17): a number typed by anyone must not change
        # what they hear (priority, answer date), or it would tell whether that leader's period ends soon.
        found_end = leader.period_end if leader else None
        period_end = found_end if draft.verified else None
        result = triage(question.value, intent, period_end, day)
        reasons = list(result.reasons)
        if number and leader is None:
            reasons.append(f"registratienummer {number} niet gevonden in de database")
        if number and not draft.verified:
            reasons.append("registratienummer opgegeven door de gebruiker, identiteit niet gecontroleerd")
            if found_end is not None:
                reasons.append(f"periode van dit nummer eindigt op {format_date(found_end)}; "
                               "niet meegeteld voor de prioriteit (niet gecontroleerd)")
        expected = self.service_level.expected_by(result.priority, day)
        transcript = _transcript_json(draft.transcript) if draft.consent else None
        uid = uuid.uuid4().hex

        try:
            with self._session() as session, session.begin():
                ticket = Ticket(
                    uid=uid, created_at=created, category=result.category, priority=result.priority,
                    reasons=reasons, expected_by=expected, question=question.value, email=email.value,
                    registratienummer=number, verified=bool(draft.verified), consent=bool(draft.consent),
                    channel=draft.channel, conversation_id=conversation_id, intent=intent, reason=draft.reason,
                    period_end=period_end, transcript=transcript, client=client,
                )
                deliveries = add_ticket(session, ticket, day, self.config.email_enabled)
                session.flush()
        except SQLAlchemyError as exc:
            raise HelpdeskError(_SAVE_FAILED) from exc  # the cause stays attached for the caller's log
        return _record(ticket, deliveries)

    def _recent_tickets(self, now: datetime, conversation_id: str, email: str, number: str | None) -> int:
        """Tickets of the last hour from this conversation, e-mail address or registratienummer."""
        same = [Ticket.conversation_id == conversation_id, sa.func.lower(Ticket.email) == email.lower()]
        if number:
            same.append(Ticket.registratienummer == number)
        return self._last_hour(now, sa.or_(*same))

    def _last_hour(self, now: datetime, condition: Any) -> int:
        """How many tickets of the last hour meet `condition` (the limits per person and per address)."""
        query = sa.select(sa.func.count()).select_from(Ticket).where(
            Ticket.created_at >= now - timedelta(hours=1), condition)
        with self._session() as session:
            return int(session.execute(query).scalar_one())

    async def acreate_ticket(self, draft: TicketDraft, today: date | None = None) -> TicketRecord:
        return await self.database.in_thread(functools.partial(self.create_ticket, draft, today))

    def record_unanswered(self, text: str, intent: str | None) -> None:
        """Keep a question the assistant could not answer, without personal data. Empty text is ignored."""
        row = unanswered_row(text, intent, utcnow())
        if row is None:
            return
        with self._session() as session, session.begin():
            session.add(row)

    async def arecord_unanswered(self, text: str, intent: str | None) -> None:
        await self.database.in_thread(functools.partial(self.record_unanswered, text, intent))

    # -- reading -----------------------------------------------------------------------------
    def _deliveries(self, session: Any, ticket_ids: Sequence[int]) -> dict[int, list[Delivery]]:
        found: dict[int, list[Delivery]] = {i: [] for i in ticket_ids}
        for i in range(0, len(ticket_ids), 500):
            query = (sa.select(TicketOutbox).where(TicketOutbox.ticket_id.in_(ticket_ids[i:i + 500]))
                     .order_by(TicketOutbox.ticket_id, TicketOutbox.id))
            for row in session.execute(query).scalars():
                found[int(row.ticket_id)].append(_delivery(row, self.config.max_attempts))
        return found

    def tickets(self, *, category: str | None = None, priority: str | None = None, state: str | None = None,
                limit: int | None = None) -> tuple[TicketRecord, ...]:
        """Tickets, newest first; `state` filters on the delivery state (pending, failing, failed, delivered)."""
        query = sa.select(Ticket).order_by(Ticket.id.desc())
        if category:
            query = query.where(Ticket.category == category)
        if priority:
            query = query.where(Ticket.priority == priority)
        with self._session() as session:
            rows = list(session.execute(query).scalars())
            deliveries = self._deliveries(session, [int(r.id) for r in rows])
        records = [_record(r, deliveries[int(r.id)]) for r in rows]
        if state:
            records = [r for r in records if r.delivery_state == state]
        return tuple(records[:limit] if limit else records)

    def ticket(self, number: str) -> TicketRecord | None:
        with self._session() as session:
            row = session.execute(sa.select(Ticket).where(Ticket.number == number.strip().upper())).scalar_one_or_none()
            if row is None:
                return None
            return _record(row, self._deliveries(session, [int(row.id)])[int(row.id)])

    def retry(self, number: str) -> int:
        """Put a ticket's failed or failing deliveries back in the queue, due now. The number of rows."""
        now = utcnow()
        with self._session() as session, session.begin():
            found = session.execute(sa.select(Ticket.id, Ticket.erased_at)
                                    .where(Ticket.number == number.strip().upper())).first()
            if found is None:
                raise HelpdeskError(f"Geen ticket met nummer {number!r}.")
            ticket_id, erased_at = found
            if erased_at is not None:
                raise HelpdeskError(f"De persoonsgegevens van ticket {number.strip().upper()} zijn gewist; "
                                    "er valt niets meer te versturen.")
            result = session.execute(
                sa.update(TicketOutbox.__table__)
                .where(TicketOutbox.ticket_id == ticket_id, TicketOutbox.status != "delivered")
                .values(status="pending", next_attempt_at=now, updated_at=now)
            )
            return int(result.rowcount)

    def unanswered(self, limit: int | None = None, since: datetime | None = None) -> tuple[UnansweredSummary, ...]:
        """The unanswered questions (scrubbed), most frequent first."""
        query = sa.select(UnansweredQuestion.text, UnansweredQuestion.intent, UnansweredQuestion.created_at)
        if since is not None:
            query = query.where(UnansweredQuestion.created_at >= since)
        groups: dict[str, tuple[int, datetime, dict[str, int]]] = {}
        with self._session() as session:
            for text, intent, created in session.execute(query):
                count, last, intents = groups.get(text, (0, datetime.min.replace(tzinfo=timezone.utc), {}))
                when = aware(created) or last
                if intent:
                    intents[intent] = intents.get(intent, 0) + 1
                groups[text] = (count + 1, max(last, when), intents)
        summaries = [
            UnansweredSummary(text, count, last, tuple(sorted(intents, key=lambda k: (-intents[k], k))))
            for text, (count, last, intents) in groups.items()
        ]
        summaries.sort(key=lambda s: (-s.count, -s.last_seen.timestamp(), s.text))
        return tuple(summaries[:limit] if limit else summaries)

    def counts(self) -> dict[str, int]:
        """Tickets, and outbox rows per state (for the CLI and tests)."""
        with self._session() as session:
            result = {"tickets": int(session.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar_one())}
            for state in ("pending", "delivered", "failed"):
                result[state] = int(session.execute(
                    sa.select(sa.func.count()).select_from(TicketOutbox).where(TicketOutbox.status == state)
                ).scalar_one())
            return result


_SAVE_FAILED = ("Het lukte niet om je vraag op te slaan voor de helpdesk. Er is niets verstuurd. "
                "Probeer het over een paar minuten nog eens.")
_TOO_MANY_HERE = ("Vanaf deze verbinding zijn het afgelopen uur al veel vragen aan de helpdesk gestuurd. "
                  "Probeer het over een uur opnieuw, of mail de helpdesk zelf.")
_TOO_MANY = ("Je hebt het afgelopen uur al {count} vragen aan de helpdesk gestuurd. De helpdesk beantwoordt "
             "die eerst; stuur een nieuwe vraag over een uur, of vul je eerdere vraag aan als de helpdesk je mailt.")
