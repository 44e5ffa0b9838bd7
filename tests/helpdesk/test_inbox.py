"""The helpdesk's mailbox poller (bot/helpdesk/inbox.py, issue 20) against a real IMAP server: Debian's
dovecot on 127.0.0.1 (tests/helpdesk/imap_server.py), messages delivered with IMAP APPEND. One ticket
per message, marked only after the commit, never twice; a database that is down leaves the message
unmarked until it is back; oversized, HTML-only, auto-reply and odd messages; the CLI's Dutch error for
bad credentials, and the worker and `helpdesk inbox` stopping cleanly on SIGTERM."""

from __future__ import annotations

import contextlib
import imaplib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from helpdesk_support import PYTHON, ROOT, fast_config, free_port
from imap_server import ImapServer

from bot.helpdesk import Helpdesk
from bot.helpdesk.inbox import KEYWORD, InboxConfig, InboxError, MailInbox, RoundReport, message_key
from bot.helpdesk.mailtriage import Understood
from bot.store import Store
from bot.store.models import MailMessage, Ticket, TicketOutbox

TODAY = date(2026, 12, 3)


class Understanding:
    """A stand-in for the trained NLU that counts what it was asked (the triage is tested elsewhere)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, text: str) -> Understood:
        self.asked.append(text)
        return Understood("ask_costs", 0.9) if "kost" in text.lower() else Understood("nlu_fallback", 0.4)


def mail(body: str = "Wat kost de herregistratie? Ik wil het graag weten.", *, subject: str = "Vraag over kosten",
         message_id: str | None = "<vraag-1@school.nl>", sender: str = "Anna Jansen <anna@school.nl>",
         html: str | None = None, headers: dict[str, str] | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@register.nl"
    message["Subject"] = subject
    message["Date"] = "Thu, 03 Dec 2026 09:15:00 +0100"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as the IMAP server keeps it


@pytest.fixture(scope="module")
def imap_server() -> Iterator[ImapServer]:
    server = ImapServer.start()
    yield server
    server.stop()


@pytest.fixture
def imap(imap_server: ImapServer) -> ImapServer:
    """The module's dovecot, as a new user with an empty mailbox."""
    imap_server.new_user()
    return imap_server


def config(server: ImapServer, **values: Any) -> InboxConfig:
    base: dict[str, Any] = {"host": "127.0.0.1", "port": server.port, "user": server.user,
                            "password": server.password, "ssl": False, "interval": 0.05, "timeout": 5.0}
    base.update(values)
    return InboxConfig(**base)


class Poller:
    """A MailInbox on the test server with a fake understanding; `lines` holds what it logged."""

    def __init__(self, store: Store, server: ImapServer, **values: Any) -> None:
        self.lines: list[str] = []
        self.understanding = Understanding()
        self.helpdesk = Helpdesk(store, fast_config())
        self.inbox = MailInbox(self.helpdesk, config(server, **values), understanding=lambda: self.understanding,
                               log=self.lines.append, today=lambda: TODAY)

    def poll(self) -> RoundReport:
        return self.inbox.poll()


def tickets(store: Store) -> list[Any]:
    with store.database.session() as session:
        return list(session.execute(sa.select(Ticket).order_by(Ticket.id)).scalars())


def flags(server: ImapServer, mailbox: str = "INBOX") -> list[str]:
    return [f for _, f in server.messages(mailbox)]


def test_a_message_becomes_one_ticket_and_is_marked_after_the_commit(imap: ImapServer, sqlite_store: Store) -> None:
    imap.append(mail())
    poller = Poller(sqlite_store, imap)
    report = poller.poll()
    assert (report.tickets, report.known, report.deferred) == (1, 0, False)
    [ticket] = tickets(sqlite_store)
    assert (ticket.channel, ticket.reason, ticket.email, ticket.verified, ticket.consent) == (
        "email", "email", "anna@school.nl", False, False)
    assert ticket.category == "kosten" and ticket.triage["questions"][0]["intent"] == "ask_costs"
    assert ticket.question.startswith("Wat kost de herregistratie?")
    with sqlite_store.database.session() as session:
        outbox = session.execute(sa.select(TicketOutbox)).scalars().all()
        row = session.execute(sa.select(MailMessage)).scalar_one()
    assert [o.kind for o in outbox] == ["webhook"] and outbox[0].payload["ticket"]["triage"] == ticket.triage
    assert (row.status, row.ticket_id, row.uid, row.message_key) == (
        "ticket", ticket.id, 1, message_key("<vraag-1@school.nl>", b""))
    [marked] = flags(imap)
    assert KEYWORD in marked and "\\Seen" not in marked  # read with PEEK: the agents' unread mark stays
    assert poller.lines == [f"E-mail UID 1: ticket {ticket.number}."]
    assert poller.poll() == RoundReport()  # nothing new


def test_the_same_message_delivered_again_makes_no_second_ticket(imap: ImapServer, sqlite_store: Store) -> None:
    poller = Poller(sqlite_store, imap)
    imap.append(mail())
    poller.poll()
    asked = len(poller.understanding.asked)
    imap.append(mail(body="Dezelfde e-mail nog eens, via een tweede adres van de helpdesk."))  # same Message-ID
    report = poller.poll()
    assert (report.tickets, report.known) == (0, 1)
    assert len(tickets(sqlite_store)) == 1
    assert all(KEYWORD in f for f in flags(imap)) and len(flags(imap)) == 2
    assert len(poller.understanding.asked) == asked  # known by its Message-ID: not read or triaged again


def test_a_run_interrupted_between_commit_and_marking_makes_no_duplicate(imap: ImapServer, sqlite_store: Store,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    imap.append(mail())
    poller = Poller(sqlite_store, imap)

    def crash(*_args: Any) -> None:
        raise imaplib.IMAP4.abort("verbinding verbroken")

    monkeypatch.setattr(poller.inbox, "_mark", crash)
    with pytest.raises(InboxError, match="viel weg"):
        poller.poll()
    assert len(tickets(sqlite_store)) == 1 and KEYWORD not in flags(imap)[0]

    monkeypatch.undo()
    report = poller.poll()
    assert (report.tickets, report.known) == (0, 1)
    assert len(tickets(sqlite_store)) == 1 and KEYWORD in flags(imap)[0]


def test_processed_mail_is_moved_also_after_a_crash_between_marking_and_moving(
        imap: ImapServer, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    imap.append(mail())
    imap.append(mail(message_id="<vraag-2@school.nl>"))
    poller = Poller(sqlite_store, imap, processed="Verwerkt", batch=1)
    monkeypatch.setattr(poller.inbox, "_move", lambda *_args: (_ for _ in ()).throw(OSError("weg")))
    with pytest.raises(InboxError):
        poller.poll()  # committed and marked, not moved
    monkeypatch.undo()
    report = poller.poll()  # moves the marked one first, then takes the next (batch=1)
    assert (report.tickets, report.moved) == (1, 2)
    assert flags(imap) == [] and len(flags(imap, "Verwerkt")) == 2
    assert all(KEYWORD in f for f in flags(imap, "Verwerkt")) and len(tickets(sqlite_store)) == 2


# -- a database that is down ------------------------------------------------------------------------
class Proxy:
    """A TCP forwarder in front of the test PostgreSQL server: stopping it is a database that is down."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets.clear()


@pytest.mark.postgres
def test_a_message_while_the_database_is_down_waits_and_is_taken_in_once_it_is_back(
        imap: ImapServer, pg_store: Store) -> None:
    url = sa.engine.make_url(pg_store.url)
    proxy = Proxy(int(url.port or 5432))
    proxy.start()
    store = Store(str(url.set(port=proxy.port)))
    try:
        poller = Poller(store, imap)
        imap.append(mail(message_id="<eerste@school.nl>"))
        assert poller.poll().tickets == 1  # the connection pool is warm

        proxy.stop()
        imap.append(mail(message_id="<tijdens-storing@school.nl>"))
        report = poller.poll()
        assert report.deferred and report.taken == 0
        assert poller.lines[-1].startswith("De database is niet bereikbaar: e-mail UID 2")
        assert KEYWORD not in flags(imap)[1]
        report = poller.poll()  # still down: the same, no crash
        assert report.deferred and KEYWORD not in flags(imap)[1]

        proxy.start()
        assert poller.poll().tickets == 1
        assert poller.poll() == RoundReport()
        assert [t.conversation_id for t in tickets(pg_store)] == [
            "mail:" + message_key("<eerste@school.nl>", b"")[:16],
            "mail:" + message_key("<tijdens-storing@school.nl>", b"")[:16]]
        assert all(KEYWORD in f for f in flags(imap))
    finally:
        proxy.stop()
        store.close()


# -- odd messages -----------------------------------------------------------------------------------
def test_an_oversized_message_gets_a_ticket_from_its_headers_only(imap: ImapServer, sqlite_store: Store) -> None:
    big = "Wat kost het? " + "GEHEIME-BIJLAGE " * 4000  # ~64 kB
    imap.append(mail(big, subject="Kosten van de herregistratie"))
    poller = Poller(sqlite_store, imap, max_bytes=20_000)
    assert poller.poll().tickets == 1
    [ticket] = tickets(sqlite_store)
    assert ticket.question == ("De e-mail is te groot om automatisch te lezen (67 kB; de grens is 20 kB). Lees hem "
                               "in de mailbox INBOX.\n\nOnderwerp: Kosten van de herregistratie")
    assert "GEHEIME-BIJLAGE" not in ticket.question and "GEHEIME-BIJLAGE" not in str(ticket.triage)
    assert ticket.email == "anna@school.nl" and "te groot" in ticket.reasons[0]
    assert all("GEHEIME" not in asked for asked in poller.understanding.asked)
    assert KEYWORD in flags(imap)[0]


def test_an_html_only_message_and_its_registratienummer(imap: ImapServer, sqlite_store: Store) -> None:
    html = ("<html><head><style>p { color: red }</style></head><body><p>Beste helpdesk,</p>"
            "<p>Wat kost de registratie in het register?</p><p>Registratienummer: 100 234</p>"
            "<p>Groet,<br>Anna</p></body></html>")
    imap.append(mail(html=html))
    Poller(sqlite_store, imap).poll()
    [ticket] = tickets(sqlite_store)
    assert "Wat kost de registratie in het register?" in ticket.question
    assert "<p>" not in ticket.question and "color" not in ticket.question
    assert ticket.registratienummer == "100234" and ticket.triage["registratienummer"] == "100234"


def test_an_auto_reply_is_kept_without_a_ticket_and_not_triaged(imap: ImapServer, sqlite_store: Store) -> None:
    imap.append(mail("Ik ben afwezig tot 7 december.", subject="Afwezig", message_id="<auto@school.nl>",
                     headers={"Auto-Submitted": "auto-replied"}))
    imap.append(mail("Vakantie.", subject="Re: Vakantie", message_id="<bulk@school.nl>",
                     headers={"Precedence": "bulk"}))
    poller = Poller(sqlite_store, imap)
    report = poller.poll()
    assert (report.tickets, report.geen_vraag) == (0, 2)
    assert tickets(sqlite_store) == [] and poller.understanding.asked == []
    with sqlite_store.database.session() as session:
        assert session.execute(sa.select(MailMessage.status)).scalars().all() == ["geen_vraag", "geen_vraag"]
    assert all(KEYWORD in f for f in flags(imap))


def test_messages_without_message_id_or_with_a_broken_charset_still_get_one_ticket(
        imap: ImapServer, sqlite_store: Store) -> None:
    no_id = mail("Hoeveel kost een certificaat?", message_id=None)
    broken = (b"From: piet@school.nl\r\nSubject: =?x-onbekend?q?Vraag?=\r\nMessage-ID: <kapot@school.nl>\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-onbekend\r\n\r\n"
              b"Wat kost het register? \xff\xfe caf\xe9\r\n")
    imap.append(no_id)
    imap.append(no_id)  # the same bytes again: the same key
    imap.append(broken)
    report = Poller(sqlite_store, imap).poll()
    assert (report.tickets, report.known) == (2, 1)
    found = tickets(sqlite_store)
    assert found[0].conversation_id == "mail:" + message_key(None, no_id)[:16]
    assert found[1].email == "piet@school.nl" and "Wat kost het register?" in found[1].question


def test_a_triage_that_fails_still_gives_a_ticket(imap: ImapServer, sqlite_store: Store) -> None:
    imap.append(mail("Beste helpdesk,\n\nHoe vraag ik uitstel aan?\n\nGroet,\nPiet"))
    poller = Poller(sqlite_store, imap)

    def broken(text: str) -> Understood:
        raise RuntimeError("model kapot")

    poller.understanding = broken  # type: ignore[assignment]
    assert poller.poll().tickets == 1
    [ticket] = tickets(sqlite_store)
    assert ticket.triage is None and ticket.question == "Hoe vraag ik uitstel aan?" and ticket.category == "overig"
    assert "geen automatische beoordeling" in ticket.reasons[0]
    assert poller.lines[0] == ("De automatische beoordeling van e-mail UID 1 mislukte (RuntimeError); het ticket "
                               "komt zonder beoordeling.")
    assert KEYWORD in flags(imap)[0]


# -- the command line -----------------------------------------------------------------------------
def cli_env(server: ImapServer, url: str, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env.update({"DATABASE_URL": url, "PYTHONWARNINGS": "ignore", "HELPDESK_IMAP_HOST": "127.0.0.1",
                "HELPDESK_IMAP_PORT": str(server.port), "HELPDESK_IMAP_SSL": "false",
                "HELPDESK_IMAP_USER": server.user, "HELPDESK_IMAP_PASSWORD": server.password,
                "HELPDESK_IMAP_INTERVAL": "0.2", "HELPDESK_WORKER_INTERVAL": "0.2", **values})
    return env


def test_bad_credentials_are_one_dutch_line_and_exit_code_1(imap: ImapServer, sqlite_store: Store) -> None:
    imap.append(mail())
    result = subprocess.run([str(PYTHON), "-m", "bot", "helpdesk", "inbox", "--once"], cwd=ROOT,
                            env=cli_env(imap, sqlite_store.url, HELPDESK_IMAP_PASSWORD="fout"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (f"Inloggen op de IMAP-server 127.0.0.1:{imap.port} als {imap.user} lukte niet. "
                                     "Controleer HELPDESK_IMAP_USER en HELPDESK_IMAP_PASSWORD.")
    assert KEYWORD not in flags(imap)[0] and tickets(sqlite_store) == []


@pytest.mark.parametrize("command", [["helpdesk", "inbox"], ["helpdesk", "worker"]])
def test_the_poller_and_the_worker_stop_cleanly_on_sigterm(imap: ImapServer, sqlite_store: Store,
                                                           command: list[str]) -> None:
    """An empty mailbox: no model is loaded; both log that the poller started, and stop on SIGTERM."""
    process = subprocess.Popen([str(PYTHON), "-m", "bot", *command], cwd=ROOT, env=cli_env(imap, sqlite_store.url),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        started = ""
        deadline = time.monotonic() + 30
        while "Inbox-poller gestart" not in started and time.monotonic() < deadline:
            started += process.stdout.readline()
        assert f"Inbox-poller gestart: {imap.user}@127.0.0.1:{imap.port}, map INBOX" in started
        time.sleep(0.5)  # a few rounds
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Signaal SIGTERM" in out
    if command[1] == "inbox":
        assert "Inbox-poller gestopt: 0 ticket(s)" in out
