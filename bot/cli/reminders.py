"""`reminders send`, `reminders set NUMMER teams|email aan|uit`: reminders before the deadline (bot/reminders.py);
`links [NUMMER]`: the log of linked Teams accounts for the helpdesk (bot/linking.py)."""

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
    register_links(sub)
    reminders = sub.add_parser("reminders", help="herinneringen voor de einddatum (Teams, e-mail)")
    actions = reminders.add_subparsers(dest="reminders_command", metavar="ACTIE", required=True)
    actions.add_parser("send", help="klaarzetten wat nodig is en versturen (ook voor cron)").set_defaults(run=cmd_send)
    setting = actions.add_parser("set", help="herinneringen aan of uit zetten voor een schoolleider")
    setting.add_argument("nummer", help="registratienummer")
    setting.add_argument("kanaal", choices=("teams", "email"))
    setting.add_argument("stand", choices=("aan", "uit"))
    setting.set_defaults(run=cmd_set)


def cmd_links(args: argparse.Namespace) -> int:
    """The linking log for the helpdesk: who linked or unlinked which account, when (never a code)."""
    import sqlalchemy as sa

    from ..store.models import LinkEvent
    from .common import local, open_store

    store = open_store(args)
    store.check_schema()
    query = sa.select(LinkEvent).order_by(LinkEvent.at.desc(), LinkEvent.id.desc()).limit(args.limit)
    if args.nummer:
        query = query.where(LinkEvent.registratienummer == args.nummer)
    with store.database.session() as session:
        events = session.execute(query).scalars().all()
        if not events:
            print("Geen koppelingen" + (f" voor {args.nummer}." if args.nummer else "."))
            return 0
        print(f"{'moment':<16}  {'nummer':<10}  {'gebeurtenis':<15}  account (kanaal)  toelichting")
        for e in events:
            print(f"{local(e.at):<16}  {e.registratienummer or '-':<10}  {e.event:<15}  "
                  f"{e.external_id} ({e.channel})  {e.detail or ''}".rstrip())
    return 0


def register_links(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    links = sub.add_parser("links", help="het logboek van gekoppelde en ontkoppelde accounts (zonder codes)")
    links.add_argument("nummer", nargs="?", help="alleen dit registratienummer")
    links.add_argument("--limit", type=int, default=50)
    links.set_defaults(run=cmd_links)
