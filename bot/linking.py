"""Linking a channel account (a Teams user) to a leader with a one-time code (issue 18).

The leader gives a registratienummer; a random 6-digit code goes to the e-mail address **on file** for
that number (never to an address typed in the chat) and the user hears only the masked address. The
code is kept as a salted hash, valid `code_minutes`, at most `max_tries` wrong tries, then a cool-down.
Code requests are limited per channel account and per number. Every step is logged in `link_events`
for the helpdesk, without the code. Linking writes `channel_identities` (what the channel looks up);
unlinking removes it; `privacy erase` removes both.

Computation only: each call returns an outcome; bot/answers/linking.py words it in Dutch.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa

from .errors import UserError
from .helpdesk.config import HelpdeskConfig, env_float, env_int
from .helpdesk.outbox import smtp_deliver
from .identity import NUMBER_RE
from .store.database import Database, aware, utcnow
from .store.models import ChannelIdentity, Leader, LinkAttempt, LinkEvent

Mailer = Callable[[str, str], None]  # (address on file, code): raises on failure
CODE_RE = re.compile(r"^\s*(\d{6})\s*$")
OPEN = ("nummer", "code")


class LinkingError(UserError):
    pass


def smtp_mailer(config: HelpdeskConfig) -> Mailer:
    """Codes go out through the helpdesk's SMTP server (HELPDESK_SMTP_*, from HELPDESK_MAIL_FROM)."""

    def send(address: str, code: str) -> None:
        if not config.smtp_host:
            raise LinkingError("HELPDESK_SMTP_HOST is niet ingesteld: er kan geen code worden verstuurd.")
        message = EmailMessage()
        message["From"], message["To"] = config.mail_from, address
        message["Subject"] = "Je code om Registerwijzer in Teams te koppelen"
        message.set_content(
            f"Hallo,\n\nJe code is: {code}\n\nTyp deze code in Teams in het gesprek met Registerwijzer. "
            "De code is kort geldig.\n\nHeb je niet gevraagd om je Teams-account te koppelen? Typ de code dan "
            "nergens in en laat het de helpdesk van het Schoolleidersregister PO weten.\n")
        smtp_deliver(config, message)

    return send


def mask_email(address: str) -> str:
    """`anna.jansen@school.nl` -> `an***@sc***.nl`: enough to recognise, not to read."""
    local, _, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    return f"{local[:2]}***@{name[:2]}***{dot}{tld}" if dot else f"{local[:2]}***@{domain[:2]}***"


def code_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class LinkConfig:
    code_minutes: float = 10.0
    max_tries: int = 5
    cooldown_minutes: float = 30.0
    requests_per_hour: int = 3  # codes per channel account and per number

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LinkConfig:
        e = os.environ if env is None else env
        return cls(code_minutes=env_float(e, "LINK_CODE_MINUTES", 10.0, 1.0),
                   max_tries=env_int(e, "LINK_MAX_TRIES", 5, 1),
                   cooldown_minutes=env_float(e, "LINK_COOLDOWN_MINUTES", 30.0, 0.0),
                   requests_per_hour=env_int(e, "LINK_REQUESTS_PER_HOUR", 3, 1))


# -- outcomes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    kind: str  # see KINDS
    masked: str = ""  # code_sent: where the code went
    number: str = ""  # linked
    tries_left: int = 0  # wrong_code
    minutes: int = 0  # too_many, locked: how long to wait


KINDS = ("ask_number", "bad_number", "unknown_number", "code_sent", "mail_failed", "too_many", "locked",
         "wrong_code", "expired", "linked", "already_linked", "unlinked", "not_linked", "cancelled", "no_attempt")


def _minutes(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60 + (1 if delta.total_seconds() % 60 else 0)))


class Linking:
    def __init__(self, database: Database, mailer: Mailer, config: LinkConfig | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.mailer = mailer
        self.config = config or LinkConfig()
        self.clock = clock

    # -- reading --------------------------------------------------------------------------------
    def open_attempt(self, channel: str, external_id: str) -> str | None:
        """'nummer' or 'code' while a link is being made (and not expired), else None."""
        with self.database.session() as session:
            row = self._open(session, channel, external_id, self.clock())
            return None if row is None else str(row.state)

    def linked_number(self, channel: str, external_id: str) -> str | None:
        with self.database.session() as session:
            number = session.execute(
                sa.select(Leader.registratienummer).join(ChannelIdentity, ChannelIdentity.leader_id == Leader.id)
                .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
            ).scalar_one_or_none()
            return None if number is None else str(number)

    # -- the steps ------------------------------------------------------------------------------
    def start(self, channel: str, external_id: str) -> Outcome:
        """"Koppel mijn account": ask for the number (or say it is linked already)."""
        now = self.clock()
        if self.linked_number(channel, external_id):
            return Outcome("already_linked")
        with self.database.session() as session, session.begin():
            locked = self._locked(session, channel, external_id, now)
            if locked is not None:
                return Outcome("locked", minutes=_minutes(locked - now))
            self._close_open(session, channel, external_id, "afgebroken")
            session.add(LinkAttempt(channel=channel, external_id=external_id, state="nummer", attempts=0,
                                    created_at=now, expires_at=now + timedelta(minutes=self.config.code_minutes)))
            self._log(session, now, channel, external_id, None, "gestart")
        return Outcome("ask_number")

    def give_number(self, channel: str, external_id: str, text: str) -> Outcome:
        """The number: send a code to the address on file. The answer never says whether a number
        exists beyond what the masked address shows to its owner."""
        now = self.clock()
        found = re.search(r"\b(\d{6,10})\b", text)
        if found is None or not NUMBER_RE.match(found.group(1)):
            return Outcome("bad_number")
        number = found.group(1)
        hour_ago = now - timedelta(hours=1)
        with self.database.session() as session, session.begin():
            locked = self._locked(session, channel, external_id, now)
            if locked is not None:
                return Outcome("locked", minutes=_minutes(locked - now))
            recent = session.execute(sa.select(sa.func.count()).select_from(LinkAttempt).where(
                LinkAttempt.created_at >= hour_ago, LinkAttempt.registratienummer.is_not(None),
                sa.or_(sa.and_(LinkAttempt.channel == channel, LinkAttempt.external_id == external_id),
                       LinkAttempt.registratienummer == number))).scalar_one()
            if recent >= self.config.requests_per_hour:
                return Outcome("too_many", minutes=60)
            self._close_open(session, channel, external_id, "afgebroken")
            leader = session.execute(sa.select(Leader).where(Leader.registratienummer == number)).scalar_one_or_none()
            expires = now + timedelta(minutes=self.config.code_minutes)
            if leader is None:  # counted like a code request: guessing numbers is as limited
                session.add(LinkAttempt(channel=channel, external_id=external_id, registratienummer=number,
                                        state="afgebroken", attempts=0, created_at=now, expires_at=expires))
                self._log(session, now, channel, external_id, number, "afgebroken", "nummer onbekend")
                return Outcome("unknown_number")
            code = f"{secrets.randbelow(10 ** 6):06d}"
            salt = secrets.token_hex(16)
            attempt = LinkAttempt(channel=channel, external_id=external_id, registratienummer=number, state="code",
                                  code_hash=code_hash(salt, code), salt=salt, attempts=0, created_at=now,
                                  expires_at=expires)
            session.add(attempt)
            session.flush()
            attempt_id, address = int(attempt.id), str(leader.email)
        # Committed first, then sent: no transaction stays open while the mail server answers.
        try:
            self.mailer(address, code)
        except Exception as exc:
            with self.database.session() as session, session.begin():
                session.execute(sa.update(LinkAttempt).where(LinkAttempt.id == attempt_id)
                                .values(state="afgebroken", code_hash=None, salt=None))
                self._log(session, now, channel, external_id, number, "afgebroken",
                          f"e-mail mislukt: {type(exc).__name__}")
            return Outcome("mail_failed")
        with self.database.session() as session, session.begin():
            self._log(session, now, channel, external_id, number, "code_verstuurd", mask_email(address))
        return Outcome("code_sent", masked=mask_email(address), minutes=int(self.config.code_minutes))

    def give_code(self, channel: str, external_id: str, text: str) -> Outcome:
        now = self.clock()
        match = CODE_RE.match(text)
        with self.database.session() as session, session.begin():
            row = session.execute(sa.select(LinkAttempt).where(
                LinkAttempt.channel == channel, LinkAttempt.external_id == external_id, LinkAttempt.state == "code",
            ).order_by(LinkAttempt.id.desc()).limit(1).with_for_update()).scalar_one_or_none()
            if row is None:
                return Outcome("no_attempt")
            if aware(row.expires_at) <= now:
                row.state = "verlopen"
                return Outcome("expired")
            if match is None or not secrets.compare_digest(code_hash(str(row.salt), match.group(1)), str(row.code_hash)):
                row.attempts = int(row.attempts) + 1
                left = self.config.max_tries - int(row.attempts)
                if left <= 0:
                    row.state = "geblokkeerd"
                    row.locked_until = now + timedelta(minutes=self.config.cooldown_minutes)
                    self._log(session, now, channel, external_id, row.registratienummer, "geblokkeerd")
                    return Outcome("locked", minutes=_minutes(row.locked_until - now))
                self._log(session, now, channel, external_id, row.registratienummer, "code_fout")
                return Outcome("wrong_code", tries_left=left)
            leader = session.execute(sa.select(Leader).where(
                Leader.registratienummer == row.registratienummer)).scalar_one_or_none()
            if leader is None:  # erased meanwhile
                row.state = "afgebroken"
                return Outcome("unknown_number")
            row.state, row.code_hash, row.salt = "gekoppeld", None, None
            existing = session.execute(sa.select(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)).scalar_one_or_none()
            if existing is None:
                session.add(ChannelIdentity(channel=channel, external_id=external_id, leader_id=leader.id))
            else:
                existing.leader_id = leader.id
            self._log(session, now, channel, external_id, row.registratienummer, "gekoppeld")
            return Outcome("linked", number=str(row.registratienummer))

    def cancel(self, channel: str, external_id: str) -> Outcome:
        now = self.clock()
        with self.database.session() as session, session.begin():
            closed = self._close_open(session, channel, external_id, "afgebroken")
            if closed:
                self._log(session, now, channel, external_id, None, "afgebroken")
        return Outcome("cancelled" if closed else "no_attempt")

    def unlink(self, channel: str, external_id: str) -> Outcome:
        now = self.clock()
        with self.database.session() as session, session.begin():
            number = session.execute(
                sa.select(Leader.registratienummer).join(ChannelIdentity, ChannelIdentity.leader_id == Leader.id)
                .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
            ).scalar_one_or_none()
            if number is None:
                return Outcome("not_linked")
            session.execute(sa.delete(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                                             ChannelIdentity.external_id == external_id))
            self._log(session, now, channel, external_id, number, "ontkoppeld")
        return Outcome("unlinked", number=str(number))

    # -- async, for the channels ----------------------------------------------------------------
    async def run(self, step: str, *args: Any) -> Any:
        return await self.database.in_thread(functools.partial(getattr(self, step), *args))

    # -- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _open(session: Any, channel: str, external_id: str, now: datetime) -> Any:
        row = session.execute(sa.select(LinkAttempt).where(
            LinkAttempt.channel == channel, LinkAttempt.external_id == external_id, LinkAttempt.state.in_(OPEN),
        ).order_by(LinkAttempt.id.desc()).limit(1)).scalar_one_or_none()
        return row if row is not None and aware(row.expires_at) > now else None

    @staticmethod
    def _close_open(session: Any, channel: str, external_id: str, state: str) -> int:
        return int(session.execute(sa.update(LinkAttempt).where(
            LinkAttempt.channel == channel, LinkAttempt.external_id == external_id, LinkAttempt.state.in_(OPEN),
        ).values(state=state, code_hash=None, salt=None)).rowcount or 0)

    @staticmethod
    def _locked(session: Any, channel: str, external_id: str, now: datetime) -> datetime | None:
        until = session.execute(sa.select(sa.func.max(LinkAttempt.locked_until)).where(
            LinkAttempt.channel == channel, LinkAttempt.external_id == external_id)).scalar_one_or_none()
        return aware(until) if until is not None and aware(until) > now else None

    @staticmethod
    def _log(session: Any, now: datetime, channel: str, external_id: str, number: str | None, event: str,
             detail: str | None = None) -> None:
        session.add(LinkEvent(at=now, channel=channel, external_id=external_id, registratienummer=number,
                              event=event, detail=detail))


__all__ = ["CODE_RE", "KINDS", "LinkConfig", "Linking", "LinkingError", "Outcome", "mask_email"]
