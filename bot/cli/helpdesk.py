"""`helpdesk worker [--once]`, `helpdesk status`: delivering the outbox (webhook, e-mail);
`helpdesk inbox [--once]`: the helpdesk's IMAP mailbox into tickets (bot/helpdesk/inbox.py)."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import UserError
from .common import STATE_LABELS, open_helpdesk

if TYPE_CHECKING:
    from ..helpdesk import Helpdesk
    from ..helpdesk.inbox import MailInbox


def cmd_helpdesk_status(args: argparse.Namespace) -> int:
    from ..helpdesk.outbox import OutboxWorker

    helpdesk = open_helpdesk(args)
    config = helpdesk.config
    print(f"webhook: {config.webhook_url or 'niet ingesteld (HELPDESK_WEBHOOK_URL); leveringen wachten'}")
    mail = f"{config.smtp_host}:{config.smtp_port} → {', '.join(config.mail_to)}" if config.email_enabled else \
        "niet ingesteld (HELPDESK_SMTP_HOST en HELPDESK_MAIL_TO)"
    print(f"e-mail:  {mail}")
    counts = OutboxWorker(helpdesk).pending_summary()
    print(f"tickets: {helpdesk.counts()['tickets']}")
    for key in sorted(counts):
        kind, state = key.split(":")
        print(f"  {kind:<8} {STATE_LABELS[state]:<11} {counts[key]}")
    return 0


def cmd_helpdesk_worker(args: argparse.Namespace) -> int:
    import signal

    from ..helpdesk.outbox import OutboxWorker

    helpdesk = open_helpdesk(args)
    config = helpdesk.config

    def log(message: str) -> None:
        print(message, flush=True)

    worker = OutboxWorker(helpdesk, log=log)
    if not worker.enabled_kinds():
        log("Geen webhook of e-mail ingesteld (HELPDESK_WEBHOOK_URL, HELPDESK_SMTP_HOST + HELPDESK_MAIL_TO): "
            "de tickets blijven bewaard en wachten.")
    stop = threading.Event()
    if not args.once:
        def on_signal(signum: int, _frame: object) -> None:
            log(f"Signaal {signal.Signals(signum).name}: de worker stopt na de lopende levering.")
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log(f"Helpdesk-worker {worker.name} gestart (elke {config.worker_interval:g} s).")
        from ..privacy import Privacy, purge_every, purge_hours

        hours = purge_hours()
        if hours > 0:  # retention (docs/privacy.md): the worker applies it, on the same database
            privacy = Privacy(helpdesk.database)
            threading.Thread(target=purge_every, args=(privacy, hours, stop, log), daemon=True,
                             name="privacy-purge").start()
        from ..reminders import build_reminders, send_every

        reminders = build_reminders(helpdesk.store, config)
        if reminders.config.interval_minutes > 0:  # reminders before the deadline (bot/reminders.py)
            threading.Thread(target=send_every, args=(reminders, stop, log), daemon=True,
                             name="reminders").start()
        inbox = _inbox(helpdesk, log)
        if inbox is not None:  # the helpdesk's mailbox into tickets (bot/helpdesk/inbox.py, issue 20)
            log(f"Inbox-poller gestart: {inbox.config.address}, map {inbox.config.mailbox} "
                f"(elke {inbox.config.interval:g} s).")
            threading.Thread(target=_poll_inbox, args=(inbox, stop, log), daemon=True, name="inbox").start()
    delivered = worker.run(stop, once=args.once)
    log(f"Helpdesk-worker gestopt: {delivered} levering(en) afgeleverd.")
    return 0


def _inbox(helpdesk: Helpdesk, log: Callable[[str], None]) -> MailInbox | None:
    """The mailbox poller when HELPDESK_IMAP_HOST is set, else None."""
    from ..helpdesk import ConfigError
    from ..helpdesk.inbox import InboxConfig, MailInbox

    try:
        config = InboxConfig.from_env()
    except ConfigError as exc:
        raise UserError(f"Helpdeskconfiguratie: {exc.message}") from None
    return MailInbox(helpdesk, config, log=log) if config is not None else None


def _poll_inbox(inbox: MailInbox, stop: threading.Event, log: Callable[[str], None]) -> None:
    """The worker's inbox thread: a problem is logged, never ends the worker's deliveries."""
    try:
        inbox.run(stop)
    except UserError as exc:
        log(f"Inbox-poller gestopt: {exc.message}")
    except Exception as exc:  # the thread must say why it ended
        log(f"Inbox-poller gestopt door een fout: {type(exc).__name__}: {exc}")


def cmd_helpdesk_inbox(args: argparse.Namespace) -> int:
    import signal

    helpdesk = open_helpdesk(args)

    def log(message: str) -> None:
        print(message, flush=True)

    inbox = _inbox(helpdesk, log)
    if inbox is None:
        raise UserError("HELPDESK_IMAP_HOST is niet ingesteld: er is geen mailbox om te lezen "
                        "(zie docs/helpdesk.md, 'E-mail in de helpdeskmailbox').")
    stop = threading.Event()
    if not args.once:
        def on_signal(signum: int, _frame: object) -> None:
            log(f"Signaal {signal.Signals(signum).name}: de inbox-poller stopt na de lopende e-mail.")
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log(f"Inbox-poller gestart: {inbox.config.address}, map {inbox.config.mailbox} "
            f"(elke {inbox.config.interval:g} s).")
    total = inbox.run(stop, once=args.once)
    log(f"Inbox-poller gestopt: {total.tickets} ticket(s), {total.geen_vraag} automatisch antwoord(en) "
        f"zonder ticket, {total.known} al eerder verwerkt.")
    if args.once and total.deferred:
        return 1  # the database could not be reached: the rest waits in the mailbox
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    helpdesk = sub.add_parser("helpdesk", help="de helpdesk: levering, mailbox en e-mailtriage").add_subparsers(dest="action", metavar="ACTION",
                                                                                     required=True)
    worker = helpdesk.add_parser("worker", help="de outbox afleveren (webhook, e-mail) tot SIGTERM/SIGINT")
    worker.add_argument("--once", action="store_true", help="alleen afleveren wat nu klaarstaat, dan stoppen")
    worker.set_defaults(run=cmd_helpdesk_worker)
    helpdesk.add_parser("status", help="configuratie en outbox per status").set_defaults(run=cmd_helpdesk_status)
    inbox = helpdesk.add_parser("inbox", help="de helpdeskmailbox (IMAP) lezen en tickets maken tot SIGTERM/SIGINT")
    inbox.add_argument("--once", action="store_true", help="één ronde: de nieuwe e-mail nu verwerken, dan stoppen")
    inbox.set_defaults(run=cmd_helpdesk_inbox)
    from .mail import register_triage

    register_triage(helpdesk)
