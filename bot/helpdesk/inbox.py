"""The helpdesk's mailbox poller (issue 20): new e-mails in an IMAP mailbox become triaged tickets.

`python -m bot helpdesk inbox [--once]` runs it; `helpdesk worker` runs it in a thread when
HELPDESK_IMAP_HOST is set. Python's own `imaplib`: IMAP over TLS (port 993), or plain IMAP with STARTTLS
(143), or plain IMAP on this machine only. The variables are documented in `InboxConfig.from_env` and
docs/helpdesk.md.

One round:

1. Log in, select HELPDESK_IMAP_MAILBOX and search the messages without the keyword `$Registerwijzer`
   (at most HELPDESK_IMAP_BATCH of them, oldest first). Fetching uses BODY.PEEK: \\Seen stays as it was,
   so the agents' own unread marks are untouched.
2. Per message: its size and Message-ID first. The message key is the SHA-256 of the Message-ID
   (normalised), or of the message's bytes when it has none. A key the database already knows was
   committed before (a crash between the commit and step 4, or the same message delivered twice): it is
   only marked.
3. Otherwise the message is read (at most HELPDESK_IMAP_MAX_BYTES; a larger one gets a ticket that says
   so, from its headers only), triaged (bot/helpdesk/mailtriage.py) and taken in (bot/helpdesk/intake.py):
   mail_messages row, ticket, outbox rows and unanswered questions in ONE transaction.
4. Only after that commit the message gets the keyword, and is moved to HELPDESK_IMAP_PROCESSED when that
   is set. A message marked but not yet moved (a crash in between) is moved in the next round.

When the database cannot be reached the round stops at that message: it stays unmarked, the poller logs
one Dutch line, and the next round tries again. Nothing is lost and nothing is taken in twice: the unique
message key is the final guard. A server without keywords (no `\\*` in PERMANENTFLAGS) gets \\Seen as
the mark instead; then an agent who opens a message in the mailbox first must leave it unread.

The understanding (the trained Rasa model, channels/understanding.py) is loaded on the first message
that needs it; `bot/` never imports Rasa. Tests give a fake one (`MailInbox(..., understanding=...)`).
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import imaplib
import re
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..errors import UserError
from ..register import RuleBook
from .checks import check_registratienummer
from .config import ConfigError, _bool, env_float, env_int
from .core import Helpdesk, HelpdeskError
from .intake import IncomingMail, IntakeResult, MailIntake
from .mailtext import html_to_text
from .mailtriage import Mail, MailTriage, Understand, triage_mail

__all__ = ["KEYWORD", "InboxConfig", "InboxError", "InboxLoginError", "MailInbox", "RoundReport", "message_key",
           "parse_message"]

KEYWORD = "$Registerwijzer"
HEADER_LIMIT = 65_536  # the headers read of a message too large to read whole
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_NUMBER_LINE = re.compile(r"^[\s>*]*registratie-?nummer\s*:\s*(\d[\d .-]{4,16}\d)\b", re.IGNORECASE | re.MULTILINE)
_START = re.compile(rb"^\d+ \(")
_SIZE = re.compile(r"RFC822\.SIZE (\d+)")


class InboxError(UserError):
    """The mailbox cannot be reached or read; `message` is Dutch, for the operator."""


class InboxLoginError(InboxError):
    """The IMAP server refused the user name or password."""


# -- configuration ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class InboxConfig:
    host: str
    user: str
    password: str
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    mailbox: str = "INBOX"
    processed: str | None = None
    interval: float = 60.0
    timeout: float = 30.0
    max_bytes: int = 5_000_000
    batch: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> InboxConfig | None:
        """The poller's settings, or None when HELPDESK_IMAP_HOST is not set (no poller).

        HELPDESK_IMAP_HOST       the IMAP server; the poller runs only when it is set
        HELPDESK_IMAP_PORT       993 with SSL, else 143
        HELPDESK_IMAP_USER       user name (required)
        HELPDESK_IMAP_PASSWORD   password (required)
        HELPDESK_IMAP_SSL        IMAP over TLS (default true)
        HELPDESK_IMAP_STARTTLS   plain IMAP upgraded with STARTTLS (when HELPDESK_IMAP_SSL=false)
        HELPDESK_IMAP_MAILBOX    the folder to read (default INBOX)
        HELPDESK_IMAP_PROCESSED  a folder to move processed mail to (created when missing); empty: they stay
        HELPDESK_IMAP_INTERVAL   seconds between rounds (default 60)
        HELPDESK_IMAP_TIMEOUT    seconds for connecting and each command (default 30)
        HELPDESK_IMAP_MAX_BYTES  larger messages are not read; their ticket says so (default 5000000)
        HELPDESK_IMAP_BATCH      messages per round at most (default 20)
        """
        import os

        e = os.environ if env is None else env
        host = e.get("HELPDESK_IMAP_HOST", "").strip()
        if not host:
            return None
        use_ssl = _bool(e, "HELPDESK_IMAP_SSL", True)
        starttls = _bool(e, "HELPDESK_IMAP_STARTTLS", False)
        if use_ssl and starttls:
            raise ConfigError("Kies HELPDESK_IMAP_SSL of HELPDESK_IMAP_STARTTLS, niet allebei.")
        if not use_ssl and not starttls and host.lower() not in LOCAL_HOSTS:
            raise ConfigError("HELPDESK_IMAP_SSL=true of HELPDESK_IMAP_STARTTLS=true is verplicht voor een "
                              "IMAP-server op een andere machine: anders gaat het wachtwoord onversleuteld over "
                              "het netwerk.")
        user = e.get("HELPDESK_IMAP_USER", "").strip()
        password = e.get("HELPDESK_IMAP_PASSWORD", "")
        if not user or not password:
            raise ConfigError("HELPDESK_IMAP_USER en HELPDESK_IMAP_PASSWORD zijn verplicht bij HELPDESK_IMAP_HOST.")
        mailbox = e.get("HELPDESK_IMAP_MAILBOX", "").strip() or "INBOX"
        processed = e.get("HELPDESK_IMAP_PROCESSED", "").strip() or None
        for name, folder in (("HELPDESK_IMAP_MAILBOX", mailbox), ("HELPDESK_IMAP_PROCESSED", processed or "")):
            if not folder.isascii() or any(ch in folder for ch in '"\\\r\n'):
                raise ConfigError(f"{name}={folder!r}: gebruik een mapnaam zonder accenten, aanhalingstekens "
                                  "of backslash.")
        if processed == mailbox:
            raise ConfigError("HELPDESK_IMAP_PROCESSED moet een andere map zijn dan HELPDESK_IMAP_MAILBOX.")
        return cls(
            host=host, user=user, password=password,
            port=env_int(e, "HELPDESK_IMAP_PORT", 993 if use_ssl else 143, 1),
            ssl=use_ssl, starttls=starttls, mailbox=mailbox, processed=processed,
            interval=env_float(e, "HELPDESK_IMAP_INTERVAL", 60.0, 0.01),
            timeout=env_float(e, "HELPDESK_IMAP_TIMEOUT", 30.0, 0.1),
            max_bytes=env_int(e, "HELPDESK_IMAP_MAX_BYTES", 5_000_000, 1_000),
            batch=env_int(e, "HELPDESK_IMAP_BATCH", 20, 1),
        )

    @property
    def address(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


# -- one message -----------------------------------------------------------------------------------
def _normalised_id(value: str) -> str | None:
    found = re.search(r"<([^<>]+)>", value)
    text = "".join((found.group(1) if found else value).split())
    return text or None


def message_key(message_id: str | None, raw: bytes) -> str:
    """SHA-256 (hex) of the normalised Message-ID, or of the message's bytes when it has none."""
    normalised = _normalised_id(message_id or "")
    return hashlib.sha256(normalised.encode("utf-8", "replace") if normalised else raw).hexdigest()


def _header(message: Message, name: str) -> str:
    """A header as text; a malformed one as its raw value, never an exception."""
    try:
        value = message.get(name)
    except Exception:  # the email package can fail on odd headers; the raw value will do
        value = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    return " ".join(str(value or "").split())


def _sender(message: Message) -> str:
    try:
        addresses = getattr(message.get("from"), "addresses", None)
        if addresses:
            return str(addresses[0].addr_spec)
    except Exception:  # fall back to the plain parser below
        pass
    found = getaddresses([_header(message, "from")])
    return found[0][1] if found else ""


def is_auto_reply(message: Message) -> bool:
    """Auto-Submitted other than "no", X-Autoreply/X-Autorespond, Precedence bulk/auto_reply/junk, or a
    delivery report (a bounce)."""
    auto = _header(message, "auto-submitted").lower()
    if auto and auto != "no":
        return True
    if any(_header(message, name).lower() not in ("", "no") for name in ("x-autoreply", "x-autorespond")):
        return True
    if _header(message, "precedence").lower() in ("bulk", "auto_reply", "junk"):
        return True
    return message.get_content_type() == "multipart/report"


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AttributeError):
        pass
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset
        return data.decode("utf-8", errors="replace")


def _body(message: EmailMessage) -> tuple[str, bool]:
    """The text/plain body, else the text/html one (html=True); ('', False) when there is none."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # a broken MIME structure: no body rather than no ticket
        part = None
    if part is None:
        return "", False
    return _text_of(part), part.get_content_subtype() == "html"


def registratienummer_in(text: str) -> str | None:
    """The number on a form-like line "Registratienummer: 123456", if there is one and it is valid."""
    found = _NUMBER_LINE.search(text)
    return check_registratienummer(found.group(1)).value if found else None


def parse_message(raw: bytes) -> tuple[Mail, bool, str | None]:
    """The mail as the triage reads it, whether it is an auto-reply, and its Message-ID."""
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    body, html = _body(message)
    plain = html_to_text(body) if html else body
    mail = Mail(subject=_header(message, "subject"), body=body, html=html, sender=_sender(message),
                registratienummer=registratienummer_in(plain))
    return mail, is_auto_reply(message), _header(message, "message-id") or None


def _size(size: int) -> str:
    """A size as the agent reads it: "64 kB", "12,3 MB"."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


# -- the poller ---------------------------------------------------------------------------------------
@dataclass
class RoundReport:
    tickets: int = 0        # new tickets
    geen_vraag: int = 0     # auto-replies kept without a ticket
    known: int = 0          # taken in before (only marked now)
    moved: int = 0
    deferred: bool = False  # the database could not be reached: the rest waits for the next round

    @property
    def taken(self) -> int:
        return self.tickets + self.geen_vraag


def _rasa_understanding() -> Understand:
    from channels.understanding import RasaUnderstanding

    return RasaUnderstanding()


def _quote(mailbox: str) -> str:
    return '"' + mailbox + '"'


class _Deferred(Exception):
    """The database could not be reached: stop this round, leave the message unmarked."""


class MailInbox:
    """Polls one IMAP mailbox into tickets (see the module's doc)."""

    def __init__(self, helpdesk: Helpdesk, config: InboxConfig, *,
                 understanding: Callable[[], Understand] = _rasa_understanding, book: RuleBook | None = None,
                 log: Callable[[str], None] = print, today: Callable[[], date] = date.today) -> None:
        self.helpdesk = helpdesk
        self.config = config
        self.intake = MailIntake(helpdesk)
        self.log = log
        self.today = today
        self._load_understanding = understanding
        self._understand: Understand | None = None
        self._book = book
        self._marker = KEYWORD
        self._capabilities: frozenset[str] = frozenset()

    # -- connecting ------------------------------------------------------------------------------
    def connect(self) -> imaplib.IMAP4:
        c = self.config
        try:
            if c.ssl:
                connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(c.host, c.port, ssl_context=ssl.create_default_context(),
                                                              timeout=c.timeout)
            else:
                connection = imaplib.IMAP4(c.host, c.port, timeout=c.timeout)
                if c.starttls:
                    connection.starttls(ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error) as exc:
            raise InboxError(f"De IMAP-server {c.host}:{c.port} is niet bereikbaar ({_reason(exc)}). "
                             "Controleer HELPDESK_IMAP_HOST, HELPDESK_IMAP_PORT en HELPDESK_IMAP_SSL/STARTTLS.") from None
        try:
            if c.password.isascii() and c.user.isascii():
                connection.login(c.user, c.password)
            else:
                token = f"\0{c.user}\0{c.password}".encode()
                connection.authenticate("PLAIN", lambda _challenge: token)
        except (OSError, imaplib.IMAP4.error):
            _close(connection)
            raise InboxLoginError(f"Inloggen op de IMAP-server {c.host}:{c.port} als {c.user} lukte niet. "
                                  "Controleer HELPDESK_IMAP_USER en HELPDESK_IMAP_PASSWORD.") from None
        return connection

    def _select(self, connection: imaplib.IMAP4) -> None:
        status, data = connection.capability()  # after login: the server may announce more (MOVE, UIDPLUS)
        self._capabilities = frozenset(_text(data).upper().split()) if status == "OK" else frozenset()
        status, _ = connection.select(_quote(self.config.mailbox))
        if status != "OK":
            raise InboxError(f"De map {self.config.mailbox} bestaat niet op de IMAP-server (HELPDESK_IMAP_MAILBOX).")
        _, flags = connection.response("PERMANENTFLAGS")
        permanent = b" ".join(f for f in flags if isinstance(f, bytes))
        marker = KEYWORD if (b"\\*" in permanent or KEYWORD.encode() in permanent) else "\\Seen"
        if marker != self._marker:
            self.log(f"De IMAP-server kent geen eigen vlaggen: verwerkte e-mail wordt gemarkeerd als gelezen "
                     f"(\\Seen). Laat nieuwe e-mail in {self.config.mailbox} ongelezen tot hij verwerkt is.")
            self._marker = marker

    def _search(self, connection: imaplib.IMAP4, *criteria: str) -> list[int]:
        status, data = connection.uid("SEARCH", *criteria)
        if status != "OK":
            raise InboxError(f"Zoeken in {self.config.mailbox} lukte niet: {_text(data)}")
        return sorted(int(n) for chunk in data if isinstance(chunk, bytes) for n in chunk.split())

    # -- one round -------------------------------------------------------------------------------
    def poll(self) -> RoundReport:
        """One round (see the module's doc). InboxError when the server cannot be reached or read."""
        report = RoundReport()
        connection = self.connect()
        try:
            self._select(connection)
            if self.config.processed:
                self._prepare_folder(connection)
                if self._marker == KEYWORD:  # marked in an earlier round but not moved (a crash in between)
                    for uid in self._search(connection, "KEYWORD", KEYWORD, "UNDELETED"):
                        report.moved += self._move(connection, uid)
            unmarked = ("UNKEYWORD", KEYWORD) if self._marker == KEYWORD else ("UNSEEN",)
            for uid in self._search(connection, *unmarked, "UNDELETED")[:self.config.batch]:
                try:
                    result = self._one(connection, uid)
                except _Deferred:
                    report.deferred = True
                    self.log(f"De database is niet bereikbaar: e-mail UID {uid} en de rest blijven ongemarkeerd "
                             "in de mailbox en komen de volgende ronde opnieuw aan de beurt.")
                    break
                if result is None:
                    continue
                if not result.new:
                    report.known += 1
                elif result.status == "ticket":
                    report.tickets += 1
                    self.log(f"E-mail UID {uid}: ticket {result.ticket}.")
                else:
                    report.geen_vraag += 1
                    self.log(f"E-mail UID {uid}: automatisch antwoord, geen vraag (geen ticket).")
                self._mark(connection, uid)
                if self.config.processed:
                    report.moved += self._move(connection, uid)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise InboxError(f"De verbinding met de IMAP-server {self.config.host} viel weg ({_reason(exc)}); "
                             "de volgende ronde probeert het opnieuw.") from None
        finally:
            _close(connection)
        return report

    def _one(self, connection: imaplib.IMAP4, uid: int) -> IntakeResult | None:
        """Take one message in; its earlier outcome when it was taken in before; None when it is gone."""
        meta, literals = self._fetch(connection, uid, "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        if not meta:
            return None
        found = _SIZE.search(meta)
        size = int(found.group(1)) if found else 0
        ids = email.message_from_bytes(literals[0] if literals else b"", policy=policy.default)
        message_id = _header(ids, "message-id") or None
        if message_id:  # known by its Message-ID: no need to read it again
            earlier = self._known_or_none(message_key(message_id, b""))
            if earlier is not None:
                return earlier
        incoming = self._read(connection, uid, size, message_id)
        if incoming is None:
            return None
        earlier = self._known_or_none(incoming.message_key)
        if earlier is not None:
            return earlier
        triage = None if incoming.auto_reply else self._triage(uid, incoming)
        try:
            return self.intake.take(incoming, triage, today=self.today())
        except HelpdeskError:
            raise _Deferred() from None

    def _known_or_none(self, key: str) -> IntakeResult | None:
        try:
            return self.intake.known(key)
        except HelpdeskError:
            raise _Deferred() from None

    def _read(self, connection: imaplib.IMAP4, uid: int, size: int, message_id: str | None) -> IncomingMail | None:
        """The message as the intake takes it; None when it is no longer in the mailbox."""
        mailbox = self.config.mailbox
        if size > self.config.max_bytes:
            _, literals = self._fetch(connection, uid, f"(BODY.PEEK[HEADER]<0.{HEADER_LIMIT}>)")
            header = literals[0] if literals else b""
            mail, auto, _ = self._parse(header)
            note = (f"De e-mail is te groot om automatisch te lezen ({_size(size)}; de grens is "
                    f"{_size(self.config.max_bytes)}). Lees hem in de mailbox {mailbox}.")
            key = message_key(message_id, b"te-groot\0" + str(size).encode() + b"\0" + header)
            return IncomingMail(key, mailbox, uid, Mail(mail.subject, "", sender=mail.sender), auto, note)
        _, literals = self._fetch(connection, uid, "(BODY.PEEK[])")
        if not literals:
            return None  # removed from the mailbox meanwhile
        raw = literals[0]
        mail, auto, parsed_id = self._parse(raw)
        return IncomingMail(message_key(message_id or parsed_id, raw), mailbox, uid, mail, auto)

    def _parse(self, raw: bytes) -> tuple[Mail, bool, str | None]:
        try:
            return parse_message(raw)
        except Exception as exc:  # a message the email package cannot read still gets a ticket
            self.log(f"Een e-mail was niet te ontleden ({type(exc).__name__}); het ticket verwijst naar de mailbox.")
            return Mail("", ""), False, None

    def _triage(self, uid: int, incoming: IncomingMail) -> MailTriage | None:
        try:
            if self._understand is None:
                self._understand = self._load_understanding()
            if self._book is None:
                from ..register import load_rules

                self._book = load_rules()
            return triage_mail(incoming.mail, self._understand, self._book, self.today(), store=self.helpdesk.store)
        except SQLAlchemyError:  # the sender's match reads the database
            raise _Deferred() from None
        except UserError:
            raise  # no model, no rules: the operator must act; the message stays unmarked
        except Exception as exc:  # one odd message must not block the mailbox
            self.log(f"De automatische beoordeling van e-mail UID {uid} mislukte ({type(exc).__name__}); "
                     "het ticket komt zonder beoordeling.")
            return None

    def _fetch(self, connection: imaplib.IMAP4, uid: int, items: str) -> tuple[str, list[bytes]]:
        """The response to one UID FETCH for this message: its text parts, and its literals in order."""
        status, data = connection.uid("FETCH", str(uid), items)
        if status != "OK":
            raise imaplib.IMAP4.error(_text(data))
        groups: list[tuple[list[str], list[bytes]]] = []
        for item in data:
            head = item[0] if isinstance(item, tuple) else item
            if not isinstance(head, bytes):
                continue
            if _START.match(head) or not groups:
                groups.append(([], []))
            groups[-1][0].append(head.decode("latin-1"))
            if isinstance(item, tuple) and isinstance(item[1], bytes):
                groups[-1][1].append(item[1])
        for texts, literals in groups:
            meta = " ".join(texts)
            if re.search(rf"\bUID {uid}\b", meta):
                return meta, literals
        return "", []  # the message was expunged meanwhile

    def _mark(self, connection: imaplib.IMAP4, uid: int) -> None:
        status, data = connection.uid("STORE", str(uid), "+FLAGS.SILENT", f"({self._marker})")
        if status != "OK":
            raise imaplib.IMAP4.error(_text(data))

    def _prepare_folder(self, connection: imaplib.IMAP4) -> None:
        folder = _quote(self.config.processed or "")
        status, _ = connection.status(folder, "(MESSAGES)")
        if status != "OK":
            status, data = connection.create(folder)
            if status != "OK":
                raise InboxError(f"De map {self.config.processed} (HELPDESK_IMAP_PROCESSED) bestaat niet en kon niet "
                                 f"worden gemaakt: {_text(data)}")

    def _move(self, connection: imaplib.IMAP4, uid: int) -> int:
        folder = _quote(self.config.processed or "")
        if "MOVE" in self._capabilities:
            status, data = connection.uid("MOVE", str(uid), folder)
        else:
            status, data = connection.uid("COPY", str(uid), folder)
            if status == "OK":
                connection.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
                if "UIDPLUS" in self._capabilities:
                    connection.uid("EXPUNGE", str(uid))
        if status != "OK":
            raise imaplib.IMAP4.error(_text(data))
        return 1

    # -- running ---------------------------------------------------------------------------------
    def run(self, stop: threading.Event, once: bool = False) -> RoundReport:
        """Rounds every HELPDESK_IMAP_INTERVAL seconds until `stop` is set (one round with `once`).

        With `once`, or in the first round, a login or server error is raised (the configuration is wrong);
        later a failing round is logged and the next round tries again. Returns the totals."""
        total = RoundReport()
        first = True
        while not stop.is_set():
            try:
                report = self.poll()
                total.tickets += report.tickets
                total.geen_vraag += report.geen_vraag
                total.known += report.known
                total.moved += report.moved
                total.deferred = report.deferred
            except InboxError as exc:
                if once or (first and isinstance(exc, InboxLoginError)):
                    raise
                self.log(exc.message)
            first = False
            if once or stop.wait(self.config.interval):
                break
        return total


def _close(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except Exception:  # the connection is gone either way
        with contextlib.suppress(Exception):
            connection.shutdown()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _text(data: Any) -> str:
    if isinstance(data, list):
        return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data)[:200]
    return str(data)[:200]

