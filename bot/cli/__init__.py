"""Admin CLI for the leaders' store and the helpdesk: `python -m bot COMMAND` (see docs/store.md).

    db upgrade                      bring the schema to the newest migration (idempotent)
    db current                      show the schema revision
    leaders import FILE.csv         import leaders: every row checked, every error listed, all or nothing
    leaders show NUMMER             a leader, the activities and the evaluation by the rules module
    activiteiten import FILE.csv    import activities (same checks; programmes and themes from the rules data)
    demo [--reset]                  the documented demo leaders 100234, 100235, 100236 (idempotent)
    token NUMMER [--ttl SECONDS]    a signed test token for the web channel
    tickets list [--status S] [--category C] [--priority P] [--limit N]
                                    helpdesk tickets: number, created, category, priority, delivery state
    tickets show NUMMER             one ticket with reasons, transcript and deliveries
    tickets export --format csv|json [--output FILE]
    tickets retry NUMMER            put failed deliveries of a ticket back in the queue
    unanswered [--since DAGEN] [--source chat|email] [--by tekst] [--format csv [--output FILE]]
                                    unanswered questions (no personal data) grouped by topic and wording
    helpdesk worker [--once]        deliver the outbox (webhook, e-mail) until SIGTERM/SIGINT; with
                                    HELPDESK_IMAP_HOST it also reads the mailbox
    helpdesk status                 the helpdesk configuration and the outbox per state
    helpdesk inbox [--once]         new e-mails in the IMAP mailbox become triaged tickets (bot/helpdesk/inbox.py)
    helpdesk triage FILE.eml|FILE.txt … [--json] [--confirmed] | --mbox FILE --out triage.csv
                                    the e-mail triage for files, without the mailbox; nothing stored or sent
    privacy erase NUMMER [--dry-run]
                                    a leader's personal data everywhere (dossier, identities, conversations,
                                    tickets, outbox), with what was removed (bot/privacy.py, docs/privacy.md)
    privacy purge [--dry-run]       apply the retention periods (RETENTION_*_DAYS)
    reminders send                  schedule and send reminders before the deadline (also run by the worker)
    reminders set NUMMER teams|email aan|uit
    links [NUMMER] [--limit N]      the log of linked and unlinked Teams accounts (never a code)

The database is `--database-url`, else `DATABASE_URL`, else `var/registerwijzer.db`. Errors go to
stderr with exit code 1: a `bot.errors.UserError` as its Dutch message (here, in `main`, the one place),
a database error as one line, never a traceback.

One module per command group, each with `register(subparsers)`; a new group is a new module added to
`COMMAND_GROUPS` (their order is the order of `--help`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from ..errors import UserError
from ..store import StoreError
from . import db, demo, helpdesk, leaders, privacy, reminders, tickets, tokens
from .common import Parser, err

COMMAND_GROUPS = (db, leaders, demo, tokens, tickets, helpdesk, privacy, reminders)


def parser() -> argparse.ArgumentParser:
    main = Parser(prog="python -m bot", description="Beheer van de Registerwijzer-database.")
    main.add_argument("--database-url", default=None,
                      help="database-URL (standaard: DATABASE_URL, anders var/registerwijzer.db)")
    sub = main.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UserError as exc:
        err(exc.message)
        for error in exc.errors if isinstance(exc, StoreError) else ():
            err(f"  {error}")
        return 1
    except KeyboardInterrupt:
        err("Afgebroken.")
        return 130
    except Exception as exc:  # database unreachable, bad URL...: one line, no traceback
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        if isinstance(exc, (SQLAlchemyError, ArgumentError)):
            err(f"Databasefout: {_one_line(exc)}")
            return 1
        raise


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


__all__ = ["COMMAND_GROUPS", "main", "parser"]
