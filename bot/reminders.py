"""Reminders pushed before the deadline (issue 18): `python -m bot reminders send`, and the helpdesk
worker every REMINDERS_INTERVAL_MINUTES.

- Opt-in per leader and channel (`reminder_settings`): "herinneringen aan/uit" in Teams (a linked
  account) or in the widget when logged in (by e-mail, to the address on file).
- `schedule`: for every opted-in leader whose period ends within six months with points or themes short
  (bot/progress.reminder), one row in the `reminders` outbox — in Teams when possible, else by e-mail; at
  most one per leader per `every_days` (28), and never two for the same four-week bucket: a unique key,
  so two senders at once or a restart create it once.
- `deliver`: each due row under a lease (like the helpdesk's outbox), by Bot Framework proactive
  messaging into the conversation Teams gave when the leader last wrote (the bot's own token, only to
  an allowed serviceUrl; bot/teams_api.py) with the overview as an Adaptive Card below the text (issue 19,
  bot/cards.py), or by e-mail. A failure is retried with back-off; a
  permanent one (or `max_attempts`) marks the row failed.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import cards, progress
from .errors import UserError
from .helpdesk.config import HelpdeskConfig, env_float, env_int
from .helpdesk.outbox import backoff, smtp_deliver
from .periodic import repeat
from .register import RuleBook
from .store import Store
from .store.database import utcnow
from .store.models import ChannelIdentity, Leader, Reminder, ReminderSetting, TeamsReference
from .teams_api import ProactiveSender, SendError, config_from_env

CHANNELS = ("teams", "email")
Mail = Callable[[str, str, str], None]  # (to, subject, text)


class ReminderError(UserError):
    pass


@dataclass(frozen=True)
class ReminderConfig:
    every_days: int = 28
    max_attempts: int = 10
    lease_seconds: float = 120.0
    backoff_base: float = 60.0
    backoff_cap: float = 6 * 3600.0
    interval_minutes: float = 60.0  # how often the worker runs `send` (0: never, use cron)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReminderConfig:
        e = os.environ if env is None else env
        return cls(interval_minutes=env_float(e, "REMINDERS_INTERVAL_MINUTES", 60.0, 0.0),
                   max_attempts=env_int(e, "REMINDERS_MAX_ATTEMPTS", 10, 1),
                   backoff_base=env_float(e, "REMINDERS_BACKOFF_BASE", 60.0, 0.0))


@dataclass(frozen=True)
class SendReport:
    scheduled: int = 0
    delivered: int = 0
    failed: int = 0
    retrying: int = 0


def smtp_mail(config: HelpdeskConfig) -> Mail:
    def send(to: str, subject: str, text: str) -> None:
        if not config.smtp_host:
            raise SendError("HELPDESK_SMTP_HOST is niet ingesteld")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = config.mail_from, to, subject
        message.set_content(text.replace("**", ""))
        smtp_deliver(config, message)

    return send


class Reminders:
    def __init__(self, store: Store, book: RuleBook, teams: ProactiveSender | None, mail: Mail | None,
                 config: ReminderConfig | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.database = store.database
        self.book = book
        self.teams = teams
        self.mail = mail
        self.config = config or ReminderConfig()
        self.clock = clock
        self.name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"

    # -- opt-in and where to reach a Teams user -------------------------------------------------
    def set(self, number: str, channel: str, enabled: bool) -> bool:
        """Turn reminders on or off; False when there is no such leader."""
        if channel not in CHANNELS:
            raise ReminderError(f"Onbekend kanaal {channel!r} voor herinneringen (teams of email).")
        now = self.clock()
        with self.database.session() as session, session.begin():
            leader_id = session.execute(sa.select(Leader.id).where(Leader.registratienummer == number)).scalar()
            if leader_id is None:
                return False
            row = session.execute(sa.select(ReminderSetting).where(
                ReminderSetting.leader_id == leader_id, ReminderSetting.channel == channel)).scalar_one_or_none()
            if row is None:
                session.add(ReminderSetting(leader_id=leader_id, channel=channel, enabled=enabled, updated_at=now))
            else:
                row.enabled, row.updated_at = enabled, now
        return True

    def enabled(self, number: str, channel: str) -> bool:
        with self.database.session() as session:
            return bool(session.execute(sa.select(ReminderSetting.enabled).join(
                Leader, Leader.id == ReminderSetting.leader_id).where(
                Leader.registratienummer == number, ReminderSetting.channel == channel)).scalar())

    def remember(self, external_id: str, service_url: str, conversation_id: str, tenant_id: str, user_id: str) -> None:
        """The conversation reference of a Teams user's latest message (for proactive messages)."""
        now = self.clock()
        with self.database.session() as session, session.begin():
            row = session.get(TeamsReference, external_id)
            if row is None:
                session.add(TeamsReference(external_id=external_id, service_url=service_url,
                                           conversation_id=conversation_id, tenant_id=tenant_id, user_id=user_id,
                                           updated_at=now))
            else:
                row.service_url, row.conversation_id, row.tenant_id = service_url, conversation_id, tenant_id
                row.user_id, row.updated_at = user_id, now

    # -- scheduling ------------------------------------------------------------------------------
    def schedule(self, today: date | None = None) -> int:
        """Reminders due today, one per leader: in Teams when they opted in there and their linked account
        can be reached, else by e-mail when they opted in to that."""
        now = self.clock()
        day = today or now.date()
        bucket = day.toordinal() // self.config.every_days
        with self.database.session() as session:
            wanted: dict[str, set[str]] = {}
            for number, channel in session.execute(sa.select(Leader.registratienummer, ReminderSetting.channel).join(
                    ReminderSetting, ReminderSetting.leader_id == Leader.id).where(ReminderSetting.enabled.is_(True))):
                wanted.setdefault(str(number), set()).add(str(channel))
        created = 0
        for number, channels in sorted(wanted.items()):
            channel = ("teams" if "teams" in channels and self._teams_target(number) is not None
                       else "email" if "email" in channels else None)
            personal = self.store.personal(number) if channel else None
            if channel is None or personal is None:
                continue  # Teams only: not linked, or never wrote, so nowhere to send to
            answer = progress.reminder(self.book, personal, day)
            if answer is None:
                continue
            try:
                with self.database.session() as session, session.begin():
                    leader_id = session.execute(sa.select(Leader.id).where(
                        Leader.registratienummer == number)).scalar_one()
                    recent = session.execute(sa.select(sa.func.count()).select_from(Reminder).where(
                        Reminder.leader_id == leader_id,
                        Reminder.created_at > now - timedelta(days=self.config.every_days))).scalar_one()
                    if recent:
                        continue
                    session.add(Reminder(leader_id=leader_id, channel=channel, bucket=bucket, text=answer.text,
                                         status="pending", attempts=0, next_attempt_at=now, created_at=now))
                created += 1
            except IntegrityError:  # another sender created this very reminder just now
                continue
        return created

    # -- delivery --------------------------------------------------------------------------------
    def claim(self, limit: int = 50) -> list[tuple[int, int, str, str]]:
        now = self.clock()
        lease = now + timedelta(seconds=self.config.lease_seconds)
        claimed = []
        with self.database.session() as session:
            due = session.execute(sa.select(Reminder.id).where(
                Reminder.status == "pending", Reminder.next_attempt_at <= now,
                sa.or_(Reminder.lease_until.is_(None), Reminder.lease_until < now)).order_by(Reminder.id).limit(limit)
            ).scalars().all()
        for rid in due:
            with self.database.session() as session, session.begin():
                taken = session.execute(sa.update(Reminder).where(
                    Reminder.id == rid, Reminder.status == "pending",
                    sa.or_(Reminder.lease_until.is_(None), Reminder.lease_until < now),
                ).values(lease_owner=self.name, lease_until=lease)).rowcount
                if taken == 1:
                    row = session.get(Reminder, rid)
                    claimed.append((int(row.id), int(row.leader_id), str(row.channel), str(row.text)))
        return claimed

    def deliver(self) -> SendReport:
        delivered = failed = retrying = 0
        for rid, leader_id, channel, text in self.claim():
            error: SendError | None = None
            try:
                self._send(leader_id, channel, text)
            except SendError as exc:
                error = exc
            except Exception as exc:  # smtplib, OSError...: temporary
                error = SendError(f"{type(exc).__name__}: {exc}"[:200])
            now = self.clock()
            with self.database.session() as session, session.begin():
                row = session.get(Reminder, rid)
                if row is None or row.lease_owner != self.name:
                    continue  # our lease ran out and another sender took it over
                row.lease_owner, row.lease_until = None, None
                if error is None:
                    row.status, row.delivered_at, row.last_error = "delivered", now, None
                    delivered += 1
                    continue
                row.attempts = int(row.attempts) + 1
                row.last_error = error.reason
                if error.permanent or row.attempts >= self.config.max_attempts:
                    row.status = "failed"
                    failed += 1
                else:
                    row.next_attempt_at = now + timedelta(seconds=backoff(self.config, int(row.attempts)))
                    retrying += 1
        return SendReport(0, delivered, failed, retrying)

    def send(self, today: date | None = None) -> SendReport:
        scheduled = self.schedule(today)
        report = self.deliver()
        return SendReport(scheduled, report.delivered, report.failed, report.retrying)

    # -- helpers -----------------------------------------------------------------------------------
    def _teams_target(self, number: str) -> Any:
        with self.database.session() as session:
            return session.execute(sa.select(TeamsReference).join(
                ChannelIdentity, sa.and_(ChannelIdentity.external_id == TeamsReference.external_id,
                                         ChannelIdentity.channel == "teams")).join(
                Leader, Leader.id == ChannelIdentity.leader_id).where(Leader.registratienummer == number)
                .order_by(TeamsReference.updated_at.desc()).limit(1)).scalar_one_or_none()

    def _send(self, leader_id: int, channel: str, text: str) -> None:
        with self.database.session() as session:
            leader = session.get(Leader, leader_id)
            number, email = (str(leader.registratienummer), str(leader.email)) if leader is not None else ("", "")
        if not number:
            raise SendError("schoolleider niet meer in de database", permanent=True)
        if channel == "email":
            if self.mail is None:
                raise SendError("e-mail is niet ingesteld")
            self.mail(email, "Herinnering: je herregistratie in het Schoolleidersregister PO", text)
            return
        target = self._teams_target(number)
        if target is None:
            raise SendError("Teams-account niet (meer) gekoppeld", permanent=True)
        if self.teams is None:
            raise SendError("Teams is niet ingesteld")
        activity: dict[str, Any] = {
            "type": "message", "text": text, "textFormat": "markdown",
            "conversation": {"id": str(target.conversation_id)}, "recipient": {"id": str(target.user_id)},
            "channelData": {"tenant": {"id": str(target.tenant_id)}},
        }
        # The overview as of sending (bot/cards.py), as an Adaptive Card below the text, as in a chat.
        personal = self.store.personal(number)
        card = cards.card_attachment(cards.overview_attachment(
            progress.overview(self.book, personal, self.clock().date()))) if personal is not None else None
        if card is not None:
            activity["attachments"] = [card]
        self.teams.send(str(target.service_url), str(target.conversation_id), activity)


def send_every(reminders: Reminders, stop: threading.Event, log: Callable[[str], None]) -> None:
    """`send` now and then every `interval_minutes` until `stop` is set."""
    minutes = reminders.config.interval_minutes

    def send() -> str | None:
        r = reminders.send()
        if not (r.scheduled or r.delivered or r.failed or r.retrying):
            return None
        return (f"herinneringen: {r.scheduled} klaargezet, {r.delivered} verstuurd, {r.retrying} later opnieuw, "
                f"{r.failed} mislukt")

    repeat(send, minutes * 60, stop, log, f"herinneringen niet verstuurd ({{error}}); opnieuw over {minutes:g} minuten")


def build_reminders(store: Store, helpdesk_config: HelpdeskConfig, env: Mapping[str, str] | None = None) -> Reminders:
    """From the environment: TEAMS_* for proactive messages (when set), HELPDESK_SMTP_* for e-mail."""
    from .register import load_rules

    teams = config_from_env(env)
    return Reminders(store, load_rules(), ProactiveSender(teams) if teams.configured else None,
                     smtp_mail(helpdesk_config) if helpdesk_config.smtp_host else None, ReminderConfig.from_env(env))


__all__ = ["ReminderConfig", "ReminderError", "Reminders", "SendReport", "build_reminders", "smtp_mail"]
