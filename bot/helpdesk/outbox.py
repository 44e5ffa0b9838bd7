"""Delivering tickets: the outbox worker, the signed webhook and the e-mail notification.

Every delivery is a `ticket_outbox` row; all state lives in the database, so a worker can be killed at
any moment and a new one carries on. A worker claims due rows with one atomic UPDATE that sets a lease
(`lease_owner`, `lease_until`; on PostgreSQL the candidate rows are picked with FOR UPDATE SKIP LOCKED),
so two workers never send the same row at the same time; a row whose lease ran out (its worker died)
is claimed again. Delivery is at least once: a worker killed after the receiver accepted but before it
recorded success sends again with the same Idempotency-Key, by which the receiver recognises it.

Retries back off exponentially with jitter, capped at HELPDESK_BACKOFF_CAP; after
HELPDESK_MAX_ATTEMPTS attempts a row keeps being retried at the cap and the CLI shows it as failing.
A permanent error (HTTP 4xx other than 408 and 429, an SMTP 5xx refusal) marks the row `failed`: kept,
shown by `tickets list`, and put back with `tickets retry NUMMER`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..store.database import UNREACHABLE, utcnow
from ..store.models import TicketOutbox
from .config import HelpdeskConfig
from .core import Helpdesk

USER_AGENT = "Registerwijzer-Helpdesk/1"
SIGNATURE_HEADER = "X-Registerwijzer-Signature"
TIMESTAMP_HEADER = "X-Registerwijzer-Timestamp"
MAX_ERROR = 500

_TABLE = TicketOutbox.__table__


@dataclass(frozen=True)
class Outcome:
    ok: bool
    permanent: bool = False
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    token: str


# -- the webhook ---------------------------------------------------------------------------------
def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the shared secret over `<timestamp>.<body>`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: float = 300.0,
           now: float | None = None) -> bool:
    """What a receiver does: check the signature and that the timestamp is recent (replay protection)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def post_webhook(config: HelpdeskConfig, key: str, payload: dict[str, Any], attempt: int) -> Outcome:
    url, secret = config.webhook_url, config.webhook_secret
    if not url or not secret:
        return Outcome(False, error="webhook niet ingesteld")
    parts = urlsplit(url)
    body = body_bytes(payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "X-Registerwijzer-Attempt": str(attempt),
    }
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=config.webhook_timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=config.webhook_timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        detail = response.read(2000).decode("utf-8", "replace").strip()
        status = response.status
        retry_after = _retry_after(response.getheader("Retry-After"))
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
    finally:
        connection.close()
    if 200 <= status < 300:
        return Outcome(True)
    error = f"HTTP {status}" + (f": {detail}" if detail else "")
    if status in (408, 429) or status >= 500:
        return Outcome(False, error=error[:MAX_ERROR], retry_after=retry_after)
    return Outcome(False, permanent=True, error=error[:MAX_ERROR])


# -- the e-mail ----------------------------------------------------------------------------------
def mail_message(config: HelpdeskConfig, key: str, payload: dict[str, Any]) -> EmailMessage:
    ticket = payload.get("ticket", {})
    message = EmailMessage()
    message["From"] = config.mail_from
    message["To"] = ", ".join(config.mail_to)
    if ticket.get("email"):
        message["Reply-To"] = str(ticket["email"])
    message["Subject"] = (f"[Registerwijzer] {ticket.get('number')}: {ticket.get('category')} "
                          f"(prioriteit {ticket.get('priority')})")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=key, domain="registerwijzer")
    message["X-Registerwijzer-Ticket"] = str(ticket.get("number"))
    message["Idempotency-Key"] = key
    lines = [
        f"Nieuw ticket {ticket.get('number')} via Registerwijzer.",
        "",
        f"Categorie:          {ticket.get('category')}",
        f"Prioriteit:         {ticket.get('priority')} ({'; '.join(ticket.get('reasons') or [])})",
        f"Antwoord uiterlijk: {ticket.get('expected_by')}",
        f"E-mail schoolleider: {ticket.get('email')}",
        f"Registratienummer:  {ticket.get('registratienummer') or '-'}"
        + (" (geverifieerd)" if ticket.get("verified") else ""),
        f"Kanaal:             {ticket.get('channel')} (gesprek {ticket.get('conversation_id')})",
        "",
        "Vraag:",
        str(ticket.get("question")),
        "",
    ]
    transcript = ticket.get("transcript")
    if ticket.get("consent") and isinstance(transcript, list):
        lines.append("Gesprek (met toestemming):")
        lines.extend(f"  {line.get('role')}: {line.get('text')}" for line in transcript if isinstance(line, dict))
    else:
        lines.append("Geen toestemming om het gesprek door te geven.")
    message.set_content("\n".join(lines) + "\n")
    return message


def smtp_deliver(config: HelpdeskConfig, message: EmailMessage) -> None:
    """One message through the configured SMTP server (STARTTLS when set; a login only over TLS).
    Raises smtplib/OS errors as they come."""
    if config.smtp_user and config.smtp_password and not config.smtp_starttls:
        raise smtplib.SMTPException("SMTP-aanmelding zonder TLS geweigerd")  # never a password in the clear
    with smtplib.SMTP(str(config.smtp_host), config.smtp_port, timeout=config.smtp_timeout) as smtp:
        if config.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.smtp_user and config.smtp_password:
            smtp.login(config.smtp_user, config.smtp_password)
        smtp.send_message(message)


def send_mail(config: HelpdeskConfig, key: str, payload: dict[str, Any]) -> Outcome:
    if not config.email_enabled or not config.smtp_host:
        return Outcome(False, error="e-mail niet ingesteld")
    if config.smtp_user and config.smtp_password and not config.smtp_starttls:
        return Outcome(False, permanent=True, error="SMTP-aanmelding zonder TLS geweigerd")
    try:
        smtp_deliver(config, mail_message(config, key, payload))
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, permanent=True, error=f"ontvanger geweigerd: {exc.recipients}"[:MAX_ERROR])
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome(False, error=f"SMTP-aanmelding mislukt ({exc.smtp_code})")
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:MAX_ERROR]
        return Outcome(False, permanent=500 <= exc.smtp_code < 600, error=text)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
    return Outcome(True)


# -- the worker ----------------------------------------------------------------------------------
class Backoff(Protocol):
    """What a retry schedule needs (HelpdeskConfig, the reminders' ReminderConfig)."""

    @property
    def backoff_base(self) -> float: ...

    @property
    def backoff_cap(self) -> float: ...

    @property
    def max_attempts(self) -> int: ...


def backoff(config: Backoff, attempts: int, rng: random.Random | None = None) -> float:
    """Seconds until the next attempt after `attempts` failures: base·2^(n−1), capped, with jitter (50–100 %);
    from HELPDESK_MAX_ATTEMPTS on always around the cap."""
    rand = rng or random
    if attempts >= config.max_attempts:
        return float(config.backoff_cap * rand.uniform(0.9, 1.0))
    raw = config.backoff_base * (2.0 ** min(max(attempts - 1, 0), 60))
    return float(min(config.backoff_cap, raw) * rand.uniform(0.5, 1.0))


class OutboxWorker:
    """Claims due outbox rows and delivers them. Safe to run several at once, on several machines."""

    def __init__(self, helpdesk: Helpdesk, config: HelpdeskConfig | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.helpdesk = helpdesk
        self.config = config or helpdesk.config
        self.database = helpdesk.database
        self.engine = self.database.engine
        self.log = log or (lambda _message: None)
        self.name = f"w-{uuid.uuid4().hex[:12]}"

    def enabled_kinds(self) -> tuple[str, ...]:
        kinds = []
        if self.config.webhook_enabled:
            kinds.append("webhook")
        if self.config.email_enabled:
            kinds.append("email")
        return tuple(kinds)

    def claim(self, due_before: datetime | None = None, limit: int | None = None) -> list[Claimed]:
        """Lease up to `limit` due rows in one atomic UPDATE (the attempt is counted now)."""
        kinds = self.enabled_kinds()
        if not kinds:
            return []
        now = utcnow()
        due = min(now, due_before) if due_before else now
        token = f"{self.name}-{uuid.uuid4().hex[:12]}"
        free = sa.or_(_TABLE.c.lease_until.is_(None), _TABLE.c.lease_until < now)
        candidates = (
            sa.select(_TABLE.c.id)
            .where(_TABLE.c.status == "pending", _TABLE.c.next_attempt_at <= due, _TABLE.c.kind.in_(kinds), free)
            .order_by(_TABLE.c.next_attempt_at, _TABLE.c.id)
            .limit(limit or self.config.batch_size)
            .with_for_update(skip_locked=True)
        )
        claim = (
            sa.update(_TABLE)
            # The conditions again outside the subquery: PostgreSQL re-checks them on a row another worker
            # changed meanwhile, so a row is never leased twice even without SKIP LOCKED.
            .where(_TABLE.c.id.in_(candidates), _TABLE.c.status == "pending", free)
            .values(lease_owner=token, lease_until=now + timedelta(seconds=self.config.lease),
                    attempts=_TABLE.c.attempts + 1, updated_at=now)
        )
        with self.engine.begin() as connection:
            connection.execute(claim)
            rows = connection.execute(
                sa.select(_TABLE.c.id, _TABLE.c.kind, _TABLE.c.idempotency_key, _TABLE.c.payload, _TABLE.c.attempts)
                .where(_TABLE.c.lease_owner == token).order_by(_TABLE.c.next_attempt_at, _TABLE.c.id)
            ).all()
        return [Claimed(int(r.id), str(r.kind), str(r.idempotency_key), dict(r.payload), int(r.attempts), token)
                for r in rows]

    def release(self, row: Claimed) -> None:
        """Give a claimed row back unsent (shutting down): the attempt does not count."""
        with self.engine.begin() as connection:
            connection.execute(
                sa.update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.lease_owner == row.token)
                .values(lease_owner=None, lease_until=None,
                        attempts=sa.case((_TABLE.c.attempts > 0, _TABLE.c.attempts - 1), else_=0),
                        updated_at=utcnow())
            )

    def send(self, row: Claimed) -> Outcome:
        if row.kind == "webhook":
            return post_webhook(self.config, row.idempotency_key, row.payload, row.attempts)
        if row.kind == "email":
            return send_mail(self.config, row.idempotency_key, row.payload)
        return Outcome(False, permanent=True, error=f"onbekende soort '{row.kind}'")

    def renew(self, row: Claimed) -> bool:
        """Extend this worker's lease on `row` right before sending it, so the lease covers the send
        itself however long the batch before it took. False when the lease ran out and another worker
        has the row now (it is then sent by that worker, not twice)."""
        now = utcnow()
        with self.engine.begin() as connection:
            renewed = connection.execute(
                sa.update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.lease_owner == row.token,
                                        _TABLE.c.status == "pending")
                .values(lease_until=now + timedelta(seconds=self.config.lease), updated_at=now))
        return bool(renewed.rowcount)

    def deliver(self, row: Claimed) -> Outcome:
        if not self.renew(row):
            number = row.payload.get("ticket", {}).get("number", "?")
            self.log(f"{number} {row.kind}: lease verlopen, een andere worker neemt het over")
            return Outcome(False, error="lease verlopen")
        try:
            outcome = self.send(row)
        except Exception as exc:  # never lose a row to a bug in sending: retry it like a network error
            outcome = Outcome(False, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
        self.record(row, outcome)
        return outcome

    def record(self, row: Claimed, outcome: Outcome) -> None:
        now = utcnow()
        number = row.payload.get("ticket", {}).get("number", "?")
        with self.engine.begin() as connection:
            if outcome.ok:
                # Not conditional on the lease: it was delivered, whoever holds the row now.
                connection.execute(
                    sa.update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.status == "pending")
                    .values(status="delivered", delivered_at=now, lease_owner=None, lease_until=None,
                            last_error=None, updated_at=now))
                self.log(f"{number} {row.kind}: afgeleverd (poging {row.attempts})")
            elif outcome.permanent:
                connection.execute(
                    sa.update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.lease_owner == row.token)
                    .values(status="failed", lease_owner=None, lease_until=None, last_error=outcome.error,
                            updated_at=now))
                self.log(f"{number} {row.kind}: MISLUKT, blijvende fout: {outcome.error}")
            else:
                delay = backoff(self.config, row.attempts)
                if outcome.retry_after is not None:
                    delay = min(self.config.backoff_cap, max(delay, outcome.retry_after))
                connection.execute(
                    sa.update(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.lease_owner == row.token)
                    .values(next_attempt_at=now + timedelta(seconds=delay), lease_owner=None, lease_until=None,
                            last_error=outcome.error, updated_at=now))
                self.log(f"{number} {row.kind}: poging {row.attempts} mislukt ({outcome.error}); "
                         f"opnieuw over {delay:.1f} s")

    def run(self, stop: threading.Event | None = None, once: bool = False) -> int:
        """Deliver until `stop` is set; with `once`, deliver what is due now and return. Rows delivered."""
        stop = stop or threading.Event()
        started = utcnow()
        delivered = 0
        outage = 0  # rounds in a row that could not reach the database
        while not stop.is_set():
            try:
                rows = self.claim(due_before=started if once else None)
                for index, row in enumerate(rows):
                    if stop.is_set():
                        for rest in rows[index:]:
                            self.release(rest)
                        break
                    if self.deliver(row).ok:
                        delivered += 1
            except UNREACHABLE as exc:
                # The database is away (restarting, failing over): wait and try again, never exit.
                # A row claimed before the outage keeps its lease and is taken up again when it runs out.
                if once:
                    raise
                outage += 1
                delay = backoff(self.config, outage)
                self.log(f"database niet bereikbaar ({type(exc.orig).__name__}); opnieuw over {delay:.1f} s")
                stop.wait(delay)
                continue
            outage = 0
            if once and not rows:
                break
            if not rows:
                stop.wait(self.config.worker_interval)
        return delivered

    def pending_summary(self) -> dict[str, int]:
        """Rows per kind and state (pending, failing, failed, delivered)."""
        counts: dict[str, int] = {}
        query = sa.select(_TABLE.c.kind, _TABLE.c.status, _TABLE.c.attempts)
        with self.engine.connect() as connection:
            for kind, status, attempts in connection.execute(query):
                state = "failing" if status == "pending" and attempts >= self.config.max_attempts else status
                counts[f"{kind}:{state}"] = counts.get(f"{kind}:{state}", 0) + 1
        return counts

