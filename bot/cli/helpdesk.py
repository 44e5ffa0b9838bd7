"""`helpdesk worker [--once]`, `helpdesk status`: delivering the outbox (webhook, e-mail)."""

from __future__ import annotations

import argparse

from .common import STATE_LABELS, open_helpdesk


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
    import threading

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
    delivered = worker.run(stop, once=args.once)
    log(f"Helpdesk-worker gestopt: {delivered} levering(en) afgeleverd.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    helpdesk = sub.add_parser("helpdesk", help="de helpdesk-levering").add_subparsers(dest="action", metavar="ACTION",
                                                                                     required=True)
    worker = helpdesk.add_parser("worker", help="de outbox afleveren (webhook, e-mail) tot SIGTERM/SIGINT")
    worker.add_argument("--once", action="store_true", help="alleen afleveren wat nu klaarstaat, dan stoppen")
    worker.set_defaults(run=cmd_helpdesk_worker)
    helpdesk.add_parser("status", help="configuratie en outbox per status").set_defaults(run=cmd_helpdesk_status)
