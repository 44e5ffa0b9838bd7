"""`tickets list|show|export|retry` and `unanswered`: the helpdesk's tickets and unanswered questions."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..store.models import TICKET_CATEGORIES, TICKET_PRIORITIES, UNANSWERED_SOURCES
from .common import STATE_LABELS, err, local, open_helpdesk

if TYPE_CHECKING:
    from ..helpdesk import TicketRecord
    from ..helpdesk.analytics import QuestionGroup

EXPORT_FIELDS = ("number", "created_at", "category", "priority", "reasons", "expected_by", "question", "email",
                 "registratienummer", "verified", "consent", "channel", "conversation_id", "intent", "reason",
                 "period_end", "delivery", "transcript")
DELIVERY_STATES = ("pending", "failing", "failed", "delivered")


def delivery_text(ticket: TicketRecord, webhook_enabled: bool, email_enabled: bool) -> str:
    parts = []
    for d in ticket.deliveries:
        label = STATE_LABELS[d.state]
        enabled = webhook_enabled if d.kind == "webhook" else email_enabled
        if d.state in ("pending", "failing") and not enabled:
            label += " (niet ingesteld)"
        elif d.state in ("pending", "failing") and d.attempts:
            label += f" ({d.attempts}x)"
        parts.append(f"{'e-mail' if d.kind == 'email' else d.kind}: {label}")
    return "; ".join(parts) or "-"


def cmd_tickets_list(args: argparse.Namespace) -> int:
    helpdesk = open_helpdesk(args)
    tickets = helpdesk.tickets(category=args.category, priority=args.priority, state=args.status, limit=args.limit)
    config = helpdesk.config
    if not tickets:
        print("Geen tickets" + (" met deze filters." if args.category or args.priority or args.status else "."))
    else:
        print(f"{'nummer':<15}  {'aangemaakt':<16}  {'categorie':<25}  {'prioriteit':<10}  levering")
        for t in tickets:
            print(f"{t.number:<15}  {local(t.created_at):<16}  {t.category:<25}  {t.priority:<10}  "
                  f"{delivery_text(t, config.webhook_enabled, config.email_enabled)}")
    if not config.webhook_enabled:
        print("Let op: HELPDESK_WEBHOOK_URL is niet ingesteld; de webhook-leveringen blijven bewaard en wachten.")
    return 0


def cmd_tickets_show(args: argparse.Namespace) -> int:
    helpdesk = open_helpdesk(args)
    t = helpdesk.ticket(args.nummer)
    if t is None:
        err(f"Geen ticket met nummer {args.nummer!r}.")
        return 1
    lines = [
        f"Ticket {t.number}",
        f"  aangemaakt:        {local(t.created_at)}",
        f"  categorie:         {t.category}",
        f"  prioriteit:        {t.priority}",
        "  waarom:            " + "\n                     ".join(t.reasons),
        f"  antwoord uiterlijk: {t.expected_by.isoformat()}",
        f"  e-mail:            {t.email}",
        f"  registratienummer: {t.registratienummer or '-'}" + (" (geverifieerd)" if t.verified else ""),
        f"  periode eindigt:   {t.period_end.isoformat() if t.period_end else '-'}",
        f"  kanaal:            {t.channel} (gesprek {t.conversation_id})",
        f"  herkend als:       {t.intent or '-'}; reden: {t.reason}",
        f"  toestemming:       {'ja' if t.consent else 'nee (alleen de vraag is bewaard)'}",
        "Vraag:",
        "  " + t.question.replace("\n", "\n  "),
    ]
    if t.consent:
        lines.append(f"Gesprek ({len(t.transcript)} regels):")
        for line in t.transcript:
            when = f"[{local(line.at)}] " if line.at else ""
            lines.append(f"  {when}{line.role}: {line.text}")
    lines.append("Levering:")
    for d in t.deliveries:
        detail = [f"status {STATE_LABELS[d.state]}", f"{d.attempts} poging(en)"]
        if d.delivered_at:
            detail.append(f"afgeleverd {local(d.delivered_at)}")
        elif d.next_attempt_at and d.status == "pending":
            detail.append(f"volgende poging {local(d.next_attempt_at)}")
        if d.last_error and d.status != "delivered":
            detail.append(f"laatste fout: {d.last_error}")
        lines.append(f"  {d.kind} [{d.idempotency_key}]: " + ", ".join(detail))
    print("\n".join(lines))
    return 0


def cmd_tickets_export(args: argparse.Namespace) -> int:
    import csv
    import io
    import json

    from ..helpdesk import ticket_json
    from ..helpdesk.analytics import csv_safe

    helpdesk = open_helpdesk(args)
    tickets = helpdesk.tickets(category=args.category, priority=args.priority, state=args.status)
    rows = []
    for t in reversed(tickets):  # oldest first
        data = ticket_json(t)
        data["delivery"] = {d.kind: {"state": d.state, "attempts": d.attempts, "last_error": d.last_error,
                                     "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}
                            for d in t.deliveries}
        rows.append(data)
    out = io.StringIO(newline="")
    if args.format == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        for data in rows:
            flat = dict(data)
            flat["reasons"] = "; ".join(data["reasons"])
            flat["delivery"] = "; ".join(f"{k}: {v['state']}" for k, v in data["delivery"].items())
            flat["transcript"] = "\n".join(f"{line['role']}: {line['text']}" for line in data["transcript"] or [])
            flat["verified"] = "ja" if data["verified"] else "nee"
            flat["consent"] = "ja" if data["consent"] else "nee"
            # Questions and e-mails are the public's own words: no cell may start a spreadsheet formula.
            writer.writerow({k: "" if flat.get(k) is None else csv_safe(flat[k]) for k in EXPORT_FIELDS})
    if args.output:
        Path(args.output).write_text(out.getvalue(), encoding="utf-8", newline="")
        err(f"{len(rows)} ticket(s) geschreven naar {args.output}.")
    else:
        sys.stdout.write(out.getvalue())
    return 0


def cmd_tickets_retry(args: argparse.Namespace) -> int:
    helpdesk = open_helpdesk(args)
    count = helpdesk.retry(args.nummer)  # HelpdeskError: its message on stderr, exit 1 (bot.cli.main)
    print(f"{count} levering(en) van {args.nummer} staan weer in de wachtrij.")
    return 0


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        days = -1.0
    if not days > 0:
        raise argparse.ArgumentTypeError(f"{value!r} is geen aantal dagen (een getal groter dan 0)")
    return days


def _period(days: float) -> str:
    return " van de laatste dag." if days == 1 else f" van de laatste {days:g} dagen."


def _short(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _write(text: str, output: str | None, done: str) -> None:
    """`text` to the file `output` (UTF-8, CSV line ends kept) with `done` on stderr, else to stdout."""
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        err(done)
    else:
        sys.stdout.write(text)


def _group_lines(group: QuestionGroup) -> list[str]:
    wordings = "1 formulering" if group.wordings == 1 else f"{group.wordings} formuleringen"
    lines = [
        f"{group.count:>5}x  {group.topic}",
        f"        “{group.question}”",
        f"        {wordings} · chat {group.chat}, e-mail {group.email} · "
        f"eerst {local(group.first_seen)}, laatst {local(group.last_seen)}",
    ]
    if group.examples:
        lines.append("        ook: " + "; ".join(f"“{_short(e, 100)}”" for e in group.examples))
    if group.mail_drafted or group.mail_to_person:
        lines.append(f"        e-mailvragen zoals deze: {group.mail_drafted} met concept-antwoord, "
                     f"{group.mail_to_person} naar een medewerker")
    if group.passage is None and not group.searched:
        lines.append("        in de bronnen: niet gezocht (alleen bij de grootste groepen)")
    elif group.passage is None:
        lines.append("        in de bronnen: geen tekst")
    else:
        lines.append(f"        in de bronnen: “{_short(group.passage)}” ({group.source})")
    return lines


def cmd_unanswered(args: argparse.Namespace) -> int:
    import csv
    import io

    from ..helpdesk.analytics import CSV_FIELDS, csv_safe, unanswered_groups, unanswered_texts
    from ..store.database import utcnow

    helpdesk = open_helpdesk(args)
    since = utcnow() - timedelta(days=args.since) if args.since else None
    out = io.StringIO(newline="")
    if args.by == "tekst":
        texts = unanswered_texts(helpdesk.database, since=since, source=args.source, limit=args.limit)
        if args.format == "csv":
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(("vraag", "aantal", "chat", "email", "laatst", "herkend_als"))
            for t in texts:
                writer.writerow([csv_safe(v) for v in (t.text, t.count, t.chat, t.email, local(t.last_seen),
                                                        ", ".join(t.intents))])
            _write(out.getvalue(), args.output, f"{len(texts)} vraag/vragen geschreven naar {args.output}.")
            return 0
        if not texts:
            print("Nog geen onbeantwoorde vragen" + (" met deze filters." if since or args.source else "."))
            return 0
        print(f"{'aantal':>6}  {'laatst':<16}  vraag (zonder persoonsgegevens)  [herkend als]")
        for t in texts:
            intents = f"  [{', '.join(t.intents)}]" if t.intents else ""
            print(f"{t.count:>6}  {local(t.last_seen):<16}  {t.text}{intents}")
        return 0

    report = unanswered_groups(helpdesk.database, since=since, source=args.source, limit=args.limit)
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_FIELDS)
        for g in report.groups:
            row = (g.topic, g.question, g.count, g.wordings, g.chat, g.email, local(g.first_seen),
                   local(g.last_seen), " | ".join(g.examples), g.hint, g.source or "", g.mail_drafted,
                   g.mail_to_person, ", ".join(g.intents))
            writer.writerow([csv_safe(v) for v in row])
        _write(out.getvalue(), args.output, f"{len(report.groups)} groep(en) geschreven naar {args.output}.")
        return 0
    if not report.groups:
        print("Nog geen onbeantwoorde vragen" + (" met deze filters." if since or args.source else "."))
        return 0
    print("Onbeantwoorde vragen per onderwerp en formulering (zonder persoonsgegevens), vaakst eerst")
    for group in report.groups:
        print()
        print("\n".join(_group_lines(group)))
    shown = (f"{len(report.groups)} van {report.total_groups} groepen" if len(report.groups) < report.total_groups
             else f"{report.total_groups} groep(en)")
    print()
    print(f"{shown}; {report.questions} vragen (chat {report.chat}, e-mail {report.email})"
          + (_period(args.since) if args.since else "."))
    if report.capped:
        print(f"Let op: alleen de nieuwste {report.questions} vragen zijn meegeteld.")
    print("‘In de bronnen’ is de tekst uit de gegevens die het meest op de vraag lijkt.\n"
          "  ‘geen tekst’: waarschijnlijk ontbreekt er een vraag in de FAQ of een regel in de gegevens.\n"
          "  Wel een tekst: het antwoord staat in de bronnen, maar de assistent herkende de vraag niet.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tickets = sub.add_parser("tickets", help="helpdesktickets").add_subparsers(dest="action", metavar="ACTION",
                                                                              required=True)
    tlist = tickets.add_parser("list", help="tickets tonen, nieuwste eerst")
    texport = tickets.add_parser("export", help="tickets exporteren als CSV of JSON")
    for p in (tlist, texport):
        p.add_argument("--status", choices=DELIVERY_STATES, help="leverstatus (slechtste van webhook en e-mail)")
        p.add_argument("--category", choices=TICKET_CATEGORIES, metavar="CATEGORIE",
                       help="categorie: " + ", ".join(f"'{c}'" for c in TICKET_CATEGORIES))
        p.add_argument("--priority", choices=TICKET_PRIORITIES)
    tlist.add_argument("--limit", type=int, default=None)
    tlist.set_defaults(run=cmd_tickets_list)
    texport.add_argument("--format", choices=("csv", "json"), default="csv")
    texport.add_argument("--output", "-o", default=None, metavar="FILE", help="bestand (standaard: stdout)")
    texport.set_defaults(run=cmd_tickets_export)
    tshow = tickets.add_parser("show", help="één ticket met gesprek en levering")
    tshow.add_argument("nummer", metavar="NUMMER")
    tshow.set_defaults(run=cmd_tickets_show)
    tretry = tickets.add_parser("retry", help="mislukte leveringen van een ticket opnieuw proberen")
    tretry.add_argument("nummer", metavar="NUMMER")
    tretry.set_defaults(run=cmd_tickets_retry)

    unanswered = sub.add_parser("unanswered", help="onbeantwoorde vragen (zonder persoonsgegevens) per onderwerp "
                                                   "en formulering, vaakst eerst")
    unanswered.add_argument("--limit", type=int, default=None, metavar="N", help="hooguit N groepen (of teksten)")
    unanswered.add_argument("--since", type=_days, default=None, metavar="DAGEN",
                            help="alleen vragen van de laatste DAGEN dagen")
    unanswered.add_argument("--source", choices=UNANSWERED_SOURCES, default=None,
                            help="alleen vragen uit de chat of uit e-mails")
    unanswered.add_argument("--by", choices=("onderwerp", "tekst"), default="onderwerp",
                            help="onderwerp: gegroepeerd op onderwerp en formulering (standaard); "
                                 "tekst: alleen precies dezelfde teksten samen")
    unanswered.add_argument("--format", choices=("tekst", "csv"), default="tekst",
                            help="tekst om te lezen (standaard) of csv, één regel per groep")
    unanswered.add_argument("--output", "-o", default=None, metavar="FILE", help="bestand (standaard: stdout)")
    unanswered.set_defaults(run=cmd_unanswered)
