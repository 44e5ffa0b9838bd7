"""`privacy erase NUMMER`, `privacy purge`, `privacy status`: retention and erasure (AVG, docs/privacy.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import open_store

if TYPE_CHECKING:
    from ..privacy import Privacy


def _privacy(args: argparse.Namespace) -> Privacy:
    from ..privacy import Privacy

    store = open_store(args)
    store.check_schema()
    return Privacy(store.database)


def _prefix(args: argparse.Namespace) -> str:
    return "Proefdraai, er is niets gewist. Zou wissen" if args.dry_run else "Gewist"


def cmd_erase(args: argparse.Namespace) -> int:
    report = _privacy(args).erase(args.nummer, dry_run=args.dry_run)
    lines = [f"{_prefix(args)} voor registratienummer {report.registratienummer}:",
             f"  dossier:               {'ja' if report.leader else 'niet gevonden'}"
             + (f" (met {report.activities} activiteiten)" if report.leader else ""),
             f"  gekoppelde accounts:   {report.identities} (en {report.links} regels over het koppelen)",
             f"  gesprekken:            {report.conversations}",
             f"  tickets (persoonsgegevens verwijderd, ticket blijft): {report.tickets}",
             f"  outbox-berichten (inhoud verwijderd): {report.outbox}"
             + (f", waarvan {report.outbox_stopped} nog niet verstuurd en nu gestopt" if report.outbox_stopped else "")]
    if not report.total:
        lines.append("Er stonden geen gegevens van dit nummer in de database.")
    print("\n".join(lines))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    privacy = _privacy(args)
    r = privacy.retention
    report = privacy.purge(dry_run=args.dry_run)
    print(f"{'Proefdraai, er is niets gewist. Zou opschonen' if args.dry_run else 'Opgeschoond'} volgens de bewaartermijnen:\n"
          f"  gesprekken langer dan {r.conversations:g} dagen stil, verwijderd: {report.conversations}\n"
          f"  tickets ouder dan {r.tickets:g} dagen, persoonsgegevens verwijderd: {report.tickets}\n"
          f"  onbeantwoorde vragen ouder dan {r.unanswered:g} dagen, verwijderd: {report.unanswered}\n"
          f"  afgeleverde outbox-berichten ouder dan {r.outbox:g} dagen, inhoud verwijderd: {report.outbox}\n"
          f"  regels over het koppelen van accounts, verwijderd: {report.links}\n"
          f"  verstuurde herinneringen ouder dan {r.tickets:g} dagen, verwijderd: {report.reminders}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = sub.add_parser("privacy", help="persoonsgegevens wissen (AVG) en bewaartermijnen toepassen")
    actions = privacy.add_subparsers(dest="privacy_command", metavar="ACTIE", required=True)
    erase = actions.add_parser("erase", help="alle persoonsgegevens van één schoolleider wissen")
    erase.add_argument("nummer", help="registratienummer")
    erase.add_argument("--dry-run", action="store_true", help="alleen tellen, niets wissen")
    erase.set_defaults(run=cmd_erase)
    purge = actions.add_parser("purge", help="de bewaartermijnen toepassen (RETENTION_*_DAYS)")
    purge.add_argument("--dry-run", action="store_true", help="alleen tellen, niets wissen")
    purge.set_defaults(run=cmd_purge)
