"""The leaders' store as SQLAlchemy models (1.4, written in 2.0 style).

Three tables: `leaders`, `activities` (one row per professionalisation activity in a leader's dossier)
and `channel_identities` (a channel's external user id linked to a leader). The Alembic migrations
in `migrations/versions/` create exactly this schema; a test compares the two.

SQLAlchemy 1.4 ships no type information, so mypy sees these classes as `Any`-based; the store's
public API never hands ORM objects out (see `records.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declarative_base, relationship

# Deterministic constraint names, so migrations can refer to (and drop) them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REGISTRATION_TYPES = ("RDO", "RADO")
LEVELS = ("basisbekwaam", "vakbekwaam")
KINDS = ("programme", "valuation", "diploma")
DIPLOMAS = ("master", "vakbekwaam")
STATUSES = ("gepland", "ingediend", "goedgekeurd", "afgewezen")
CHANNELS = ("web", "teams", "rest")

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
Base: Any = declarative_base(metadata=metadata)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Leader(Base):  # type: ignore[misc]
    """A school leader in the register, with the current herregistratie period."""

    __tablename__ = "leaders"
    __table_args__ = (
        sa.CheckConstraint("length(registratienummer) BETWEEN 6 AND 10", name="registratienummer_length"),
        sa.CheckConstraint(_in("registration_type", REGISTRATION_TYPES), name="registration_type"),
        sa.CheckConstraint(f"level IS NULL OR {_in('level', LEVELS)}", name="level"),
        sa.CheckConstraint("period_end > period_start", name="period_order"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    registratienummer: Mapped[str] = sa.Column(sa.String(10), nullable=False, unique=True)
    name: Mapped[str] = sa.Column(sa.String(200), nullable=False)
    email: Mapped[str] = sa.Column(sa.String(254), nullable=False)
    registration_type: Mapped[str] = sa.Column(sa.String(4), nullable=False)
    level: Mapped[str | None] = sa.Column(sa.String(12), nullable=True)
    registratiedatum: Mapped[date] = sa.Column(sa.Date, nullable=False)
    period_start: Mapped[date] = sa.Column(sa.Date, nullable=False)
    period_end: Mapped[date] = sa.Column(sa.Date, nullable=False)
    created_at: Mapped[datetime] = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )

    activities = relationship("Activity", back_populates="leader", cascade="all, delete-orphan",
                              passive_deletes=True, lazy="raise")
    identities = relationship("ChannelIdentity", back_populates="leader", cascade="all, delete-orphan",
                              passive_deletes=True, lazy="raise")


class Activity(Base):  # type: ignore[misc]
    """One activity in a leader's dossier: a programme, a valuation (achteraf) or a diploma."""

    __tablename__ = "activities"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", KINDS), name="kind"),
        sa.CheckConstraint(_in("status", STATUSES), name="status"),
        sa.CheckConstraint(f"diploma IS NULL OR {_in('diploma', DIPLOMAS)}", name="diploma"),
        sa.CheckConstraint("kind <> 'programme' OR programme IS NOT NULL", name="programme_named"),
        sa.CheckConstraint("kind <> 'diploma' OR diploma IS NOT NULL", name="diploma_named"),
        sa.CheckConstraint("learning_level IS NULL OR learning_level BETWEEN 1 AND 9", name="learning_level"),
        sa.CheckConstraint("points_awarded IS NULL OR points_awarded >= 0", name="points_awarded"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    leader_id: Mapped[int] = sa.Column(
        sa.Integer, sa.ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    programme: Mapped[str | None] = sa.Column(sa.String(100), nullable=True)
    themes: Mapped[list[str]] = sa.Column(sa.JSON, nullable=False, default=list)
    learning_level: Mapped[int | None] = sa.Column(sa.Integer, nullable=True)
    diploma: Mapped[str | None] = sa.Column(sa.String(10), nullable=True)
    points_awarded: Mapped[int | None] = sa.Column(sa.Integer, nullable=True)
    completed_on: Mapped[date] = sa.Column(sa.Date, nullable=False)
    status: Mapped[str] = sa.Column(sa.String(11), nullable=False)
    certificate_reference: Mapped[str | None] = sa.Column(sa.String(100), nullable=True)
    created_at: Mapped[datetime] = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )

    leader = relationship("Leader", back_populates="activities", lazy="raise")


class ChannelIdentity(Base):  # type: ignore[misc]
    """A channel's user id (Teams user, REST back-office sender, web token subject) linked to a leader."""

    __tablename__ = "channel_identities"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external_id"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="channel"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    channel: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    external_id: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    leader_id: Mapped[int] = sa.Column(
        sa.Integer, sa.ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )

    leader = relationship("Leader", back_populates="identities", lazy="raise")


# -- the helpdesk (bot/helpdesk/; migration 0002) ------------------------------------------------
TICKET_CATEGORIES = (
    "registratie", "herregistratie en punten", "certificaat of waardering", "account en inloggen",
    "uitstel of bezwaar", "kosten", "overig",
)
TICKET_PRIORITIES = ("hoog", "normaal")
# "email": a message from the helpdesk's own mailbox or system, triaged (bot/helpdesk/mailtriage.py).
TICKET_REASONS = ("fallback", "buiten_gegevens", "persoonlijk", "op_verzoek", "email")
TICKET_CHANNELS = (*CHANNELS, "email")
UNANSWERED_SOURCES = ("chat", "email")
MAIL_STATUSES = ("ticket", "geen_vraag")
OUTBOX_KINDS = ("webhook", "email")
OUTBOX_STATUSES = ("pending", "delivered", "failed")


class Ticket(Base):  # type: ignore[misc]
    """A question the assistant could not answer, handed to the register's helpdesk.

    `number` (RW-<year>-<id>) is set in the same transaction as the insert; `transcript` is only kept
    when the leader consented (else NULL).
    """

    __tablename__ = "tickets"
    __table_args__ = (
        sa.CheckConstraint(_in("category", TICKET_CATEGORIES), name="category"),
        sa.CheckConstraint(_in("priority", TICKET_PRIORITIES), name="priority"),
        sa.CheckConstraint(_in("channel", TICKET_CHANNELS), name="channel"),
        sa.CheckConstraint(_in("reason", TICKET_REASONS), name="reason"),
        sa.CheckConstraint("consent OR transcript IS NULL", name="transcript_needs_consent"),
        sa.Index("ix_tickets_created_at", "created_at"),
        sa.Index("ix_tickets_client", "client"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    number: Mapped[str | None] = sa.Column(sa.String(20), nullable=True, unique=True)
    uid: Mapped[str] = sa.Column(sa.String(32), nullable=False, unique=True)
    created_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    category: Mapped[str] = sa.Column(sa.String(30), nullable=False)
    priority: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    reasons: Mapped[list[str]] = sa.Column(sa.JSON, nullable=False, default=list)
    expected_by: Mapped[date] = sa.Column(sa.Date, nullable=False)
    question: Mapped[str] = sa.Column(sa.Text, nullable=False)
    email: Mapped[str] = sa.Column(sa.String(254), nullable=False)
    registratienummer: Mapped[str | None] = sa.Column(sa.String(10), nullable=True)
    verified: Mapped[bool] = sa.Column(sa.Boolean(), nullable=False)
    consent: Mapped[bool] = sa.Column(sa.Boolean(), nullable=False)
    channel: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    conversation_id: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    intent: Mapped[str | None] = sa.Column(sa.String(100), nullable=True)
    reason: Mapped[str] = sa.Column(sa.String(20), nullable=False)
    period_end: Mapped[date | None] = sa.Column(sa.Date, nullable=True)
    transcript: Mapped[list[dict[str, Any]] | None] = sa.Column(sa.JSON(none_as_null=True), nullable=True)
    client: Mapped[str | None] = sa.Column(sa.String(64), nullable=True)  # pseudonym of the client's address
    erased_at: Mapped[datetime | None] = sa.Column(sa.DateTime(timezone=True), nullable=True)  # bot/privacy.py
    # An e-mail's triage (bot/helpdesk/mailtriage.py `MailTriage.to_json`): its questions, what was
    # understood and the drafts with their sources; NULL for chat tickets.
    triage: Mapped[dict[str, Any] | None] = sa.Column(sa.JSON(none_as_null=True), nullable=True)


class TicketOutbox(Base):  # type: ignore[misc]
    """One delivery of a ticket (webhook or e-mail), retried by the worker until it succeeds.

    A worker claims a due row by setting `lease_owner`/`lease_until` in an atomic UPDATE; a row whose
    lease has expired (a worker died) is claimed again. `status` is `failed` only for a permanent error
    (kept and shown in the CLI; `tickets retry` puts it back).
    """

    __tablename__ = "ticket_outbox"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", OUTBOX_KINDS), name="kind"),
        sa.CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        sa.Index("ix_ticket_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    ticket_id: Mapped[int] = sa.Column(
        sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    idempotency_key: Mapped[str] = sa.Column(sa.String(64), nullable=False, unique=True)
    payload: Mapped[dict[str, Any]] = sa.Column(sa.JSON, nullable=False)
    status: Mapped[str] = sa.Column(sa.String(10), nullable=False, default="pending")
    attempts: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    lease_owner: Mapped[str | None] = sa.Column(sa.String(64), nullable=True)
    lease_until: Mapped[datetime | None] = sa.Column(sa.DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = sa.Column(sa.DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = sa.Column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)


class UnansweredQuestion(Base):  # type: ignore[misc]
    """A question the assistant could not answer, scrubbed of personal data (see bot/helpdesk/scrub.py)."""

    __tablename__ = "unanswered_questions"
    __table_args__ = (
        sa.CheckConstraint("length(text) > 0", name="text_not_empty"),
        sa.Index("ix_unanswered_questions_text_hash", "text_hash"),
        sa.Index("ix_unanswered_questions_created_at", "created_at"),
        sa.CheckConstraint(_in("source", UNANSWERED_SOURCES), name="source"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    text: Mapped[str] = sa.Column(sa.Text, nullable=False)
    text_hash: Mapped[str] = sa.Column(sa.String(64), nullable=False)
    intent: Mapped[str | None] = sa.Column(sa.String(100), nullable=True)
    created_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    source: Mapped[str] = sa.Column(sa.String(10), nullable=False, server_default="chat")  # chat | email


class MailMessage(Base):  # type: ignore[misc]
    """An e-mail the inbox poller has taken in (bot/helpdesk/inbox.py), committed in the same transaction
    as its ticket, so a message is never processed twice: `message_key` is the SHA-256 of its Message-ID
    (or of its bytes when it has none). `status` is `ticket`, or `geen_vraag` (an auto-reply or a message
    without a question: kept, no ticket)."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        sa.CheckConstraint(_in("status", MAIL_STATUSES), name="status"),
        sa.Index("ix_mail_messages_received_at", "received_at"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    message_key: Mapped[str] = sa.Column(sa.String(64), nullable=False, unique=True)
    mailbox: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    uid: Mapped[int | None] = sa.Column(sa.BigInteger, nullable=True)
    received_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    status: Mapped[str] = sa.Column(sa.String(12), nullable=False)
    ticket_id: Mapped[int | None] = sa.Column(
        sa.Integer, sa.ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True, index=True
    )


class Conversation(Base):  # type: ignore[misc]
    """One conversation as Rasa's tracker store keeps it: the bounded window Rasa reads each turn (see
    components/tracker_store.py) and how many of its events are stored in `conversation_events`."""

    __tablename__ = "conversations"
    __table_args__ = (
        sa.CheckConstraint("length(sender_id) > 0", name="sender_not_empty"),
        sa.CheckConstraint("event_count >= 0", name="event_count_not_negative"),
        sa.Index("ix_conversations_updated_at", "updated_at"),
    )

    sender_id: Mapped[str] = sa.Column(sa.String(255), primary_key=True)
    window: Mapped[str] = sa.Column(sa.Text, nullable=False)
    event_count: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    updated_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)


class ConversationEvent(Base):  # type: ignore[misc]
    """Every event of a conversation, in order (Rasa's full tracker, for transcripts and the helpdesk)."""

    __tablename__ = "conversation_events"
    __table_args__ = (
        sa.UniqueConstraint("sender_id", "seq"),
        sa.CheckConstraint("seq >= 0", name="seq_not_negative"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    sender_id: Mapped[str] = sa.Column(
        sa.String(255), sa.ForeignKey("conversations.sender_id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    event: Mapped[str] = sa.Column(sa.Text, nullable=False)


# -- linking a channel account to a leader (bot/linking.py; migration 0005) -----------------------
LINK_STATES = ("nummer", "code", "gekoppeld", "afgebroken", "verlopen", "geblokkeerd")
LINK_EVENTS = ("gestart", "code_verstuurd", "code_fout", "geblokkeerd", "gekoppeld", "ontkoppeld", "afgebroken")


class LinkAttempt(Base):  # type: ignore[misc]
    """One try to link a channel account (a Teams user's Azure AD object id) to a leader: waiting for
    the registratienummer (`nummer`), then for the one-time code sent to the address on file (`code`).
    Only a salted hash of the code is kept; `attempts` counts wrong codes, `locked_until` the cool-down."""

    __tablename__ = "link_attempts"
    __table_args__ = (
        sa.CheckConstraint(_in("state", LINK_STATES), name="state"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="channel"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_link_attempts_channel_external_id", "channel", "external_id"),
        sa.Index("ix_link_attempts_registratienummer", "registratienummer"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    channel: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    external_id: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    registratienummer: Mapped[str | None] = sa.Column(sa.String(10), nullable=True)
    state: Mapped[str] = sa.Column(sa.String(12), nullable=False)
    code_hash: Mapped[str | None] = sa.Column(sa.String(64), nullable=True)
    salt: Mapped[str | None] = sa.Column(sa.String(32), nullable=True)
    attempts: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    locked_until: Mapped[datetime | None] = sa.Column(sa.DateTime(timezone=True), nullable=True)


class LinkEvent(Base):  # type: ignore[misc]
    """What happened to a link, for the helpdesk (never the code): started, code sent, wrong code,
    blocked, linked, unlinked, cancelled."""

    __tablename__ = "link_events"
    __table_args__ = (
        sa.CheckConstraint(_in("event", LINK_EVENTS), name="event"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="channel"),
        sa.Index("ix_link_events_at", "at"),
        sa.Index("ix_link_events_registratienummer", "registratienummer"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    channel: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    external_id: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    registratienummer: Mapped[str | None] = sa.Column(sa.String(10), nullable=True)
    event: Mapped[str] = sa.Column(sa.String(20), nullable=False)
    detail: Mapped[str | None] = sa.Column(sa.String(200), nullable=True)


# -- reminders before the deadline (bot/reminders.py; migration 0005) -----------------------------
REMINDER_CHANNELS = ("teams", "email")
REMINDER_STATUSES = ("pending", "delivered", "failed")


class ReminderSetting(Base):  # type: ignore[misc]
    """A leader's opt-in for reminders on one channel ("herinneringen aan/uit")."""

    __tablename__ = "reminder_settings"
    __table_args__ = (
        sa.UniqueConstraint("leader_id", "channel", name="uq_reminder_settings_leader_id_channel"),
        sa.CheckConstraint(_in("channel", REMINDER_CHANNELS), name="channel"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    leader_id: Mapped[int] = sa.Column(sa.Integer, sa.ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    enabled: Mapped[bool] = sa.Column(sa.Boolean(), nullable=False)
    updated_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)


class TeamsReference(Base):  # type: ignore[misc]
    """Where to reach a Teams user proactively: the conversation reference from their last message."""

    __tablename__ = "teams_references"
    __table_args__ = (sa.CheckConstraint("length(service_url) > 0", name="service_url_not_empty"),)

    external_id: Mapped[str] = sa.Column(sa.String(255), primary_key=True)  # the Azure AD object id
    service_url: Mapped[str] = sa.Column(sa.String(2048), nullable=False)
    conversation_id: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    tenant_id: Mapped[str] = sa.Column(sa.String(64), nullable=False)
    user_id: Mapped[str] = sa.Column(sa.String(255), nullable=False)
    updated_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)


class Reminder(Base):  # type: ignore[misc]
    """One reminder to send (a durable outbox row). At most one per leader and four-week `bucket`,
    whatever the channel (a unique key: two senders at once create it once); delivered under a lease."""

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("leader_id", "bucket", name="uq_reminders_leader_id_bucket"),
        sa.CheckConstraint(_in("channel", REMINDER_CHANNELS), name="channel"),
        sa.CheckConstraint(_in("status", REMINDER_STATUSES), name="status"),
        sa.Index("ix_reminders_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True)
    leader_id: Mapped[int] = sa.Column(sa.Integer, sa.ForeignKey("leaders.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    bucket: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    text: Mapped[str] = sa.Column(sa.Text, nullable=False)
    status: Mapped[str] = sa.Column(sa.String(10), nullable=False)
    attempts: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    lease_owner: Mapped[str | None] = sa.Column(sa.String(64), nullable=True)
    lease_until: Mapped[datetime | None] = sa.Column(sa.DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = sa.Column(sa.DateTime(timezone=True), nullable=False)
    delivered_at: Mapped[datetime | None] = sa.Column(sa.DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = sa.Column(sa.Text, nullable=True)
