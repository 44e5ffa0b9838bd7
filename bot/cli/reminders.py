"""`reminders send`, `reminders set NUMMER teams|email aan|uit`: reminders before the deadline (bot/reminders.py)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import open_helpdesk

if TYPE_CHECKING:
    from ..reminders import Reminders


def open_reminders(args: argparse.Namespace) -> Reminders:
    from ..reminders import build_reminders

    helpdesk = open_helpdesk(args)  # the store (schema checked) and the SMTP settings
    return build_reminders(helpdesk.store, helpdesk.config)


def cmd_send(args: argparse.Namespace) -> int:
    report = open_reminders(args).send()
    print(f"Herinneringen: {report.scheduled} nieuw klaargezet, {report.delivered} verstuurd, "
          f"{report.retrying} later opnieuw, {report.failed} mislukt.")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    on = args.stand == "aan"
    if not open_reminders(args).set(args.nummer, args.kanaal, on):
        print(f"Geen schoolleider met registratienummer {args.nummer}.")
        return 1
    print(f"Herinneringen via {args.kanaal} voor {args.nummer}: {'aan' if on else 'uit'}.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reminders = sub.add_parser("reminders", help="herinneringen voor de einddatum (Teams, e-mail)")
    actions = reminders.add_subparsers(dest="reminders_command", metavar="ACTIE", required=True)
    actions.add_parser("send", help="klaarzetten wat nodig is en versturen (ook voor cron)").set_defaults(run=cmd_send)
    setting = actions.add_parser("set", help="herinneringen aan of uit zetten voor een schoolleider")
    setting.add_argument("nummer", help="registratienummer")
    setting.add_argument("kanaal", choices=("teams", "email"))
    setting.add_argument("stand", choices=("aan", "uit"))
    setting.set_defaults(run=cmd_set)
