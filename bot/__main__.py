"""Admin CLI for the leaders' store: `python -m bot COMMAND` (see docs/store.md).

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
    unanswered [--limit N]          questions the assistant could not answer (no personal data), by frequency
    helpdesk worker [--once]        deliver the outbox (webhook, e-mail) until SIGTERM/SIGINT
    helpdesk status                 the helpdesk configuration and the outbox per state

The database is `--database-url`, else `DATABASE_URL`, else `var/registerwijzer.db`. Errors go to
stderr with exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn, Sequence

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from .register import RulesError, format_date, load_rules  # noqa: E402
from .store import ActivityRecord, LeaderRecord, Store, StoreError, pending, to_dossier  # noqa: E402

if TYPE_CHECKING:
    from datetime import datetime

    from .helpdesk import Helpdesk, TicketRecord

STATUS_WIDTH = 11


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _store(args: argparse.Namespace) -> Store:
    url: str | None = args.database_url
    return Store(url)


# -- db --------------------------------------------------------------------------------------------
def cmd_db_upgrade(args: argparse.Namespace) -> int:
    store = _store(args)
    before = store.revision()
    store.upgrade()
    after = store.revision()
    where = store.engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"Schema is al bij (revisie {after}): {where}")
    else:
        print(f"Schema bijgewerkt van {before or 'leeg'} naar {after}: {where}")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from .store import head_revision

    store = _store(args)
    current, head = store.revision(), head_revision()
    print(f"revisie {current or 'geen'} (nieuwste: {head})")
    return 0 if current == head else 1


# -- leaders ---------------------------------------------------------------------------------------
def cmd_leaders_import(args: argparse.Namespace) -> int:
    from .store.importer import import_leaders

    store = _store(args)
    store.check_schema()
    count = import_leaders(store, Path(args.file))
    print(f"{count} schoolleider(s) ingevoerd uit {args.file}.")
    return 0


def cmd_activities_import(args: argparse.Namespace) -> int:
    from .store.importer import import_activities

    store = _store(args)
    store.check_schema()
    count = import_activities(store, load_rules(), Path(args.file), date.today())
    print(f"{count} activiteit(en) ingevoerd uit {args.file}.")
    return 0


def _describe(activity: ActivityRecord) -> str:
    if activity.kind == "programme":
        text = f"opleiding {activity.programme}"
    elif activity.kind == "valuation":
        level = f" op niveau {activity.learning_level}" if activity.learning_level is not None else ""
        text = f"waardering {', '.join(activity.themes) or '(geen thema)'}{level}"
    else:
        text = f"diploma {activity.diploma}"
    extra = []
    if activity.points_awarded is not None:
        extra.append(f"{activity.points_awarded} punten toegekend")
    if activity.certificate_reference:
        extra.append(f"certificaat {activity.certificate_reference}")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def _leader_lines(leader: LeaderRecord) -> list[str]:
    return [
        f"Schoolleider {leader.registratienummer}: {leader.name} <{leader.email}>",
        f"  {leader.registration_type}" + (f", {leader.level}" if leader.level else "")
        + f"; geregistreerd {leader.registratiedatum.isoformat()}",
        f"  periode {leader.period_start.isoformat()} tot {leader.period_end.isoformat()}",
    ]


def cmd_leaders_show(args: argparse.Namespace) -> int:
    store = _store(args)
    store.check_schema()
    leader = store.leader(args.nummer)
    if leader is None:
        _err(f"Geen schoolleider met registratienummer {args.nummer!r} in de database.")
        return 1
    activities = store.activities(leader.registratienummer)
    lines = _leader_lines(leader)
    identities = store.identities(leader.registratienummer)
    if identities:
        lines.append("  gekoppeld: " + ", ".join(f"{c}:{e}" for c, e in identities))
    lines.append(f"Activiteiten ({len(activities)}):")
    lines.extend(f"  {a.completed_on.isoformat()}  {a.status:<{STATUS_WIDTH}}  {_describe(a)}" for a in activities)
    if not activities:
        lines.append("  (nog geen)")
    print("\n".join(lines))
    today = date.today()
    try:
        evaluation = load_rules().evaluate(to_dossier(leader, activities), today)
    except RulesError as exc:
        _err(f"Evaluatie niet mogelijk: {exc}")
        return 1
    print(f"Evaluatie op {format_date(today)} (alleen goedgekeurde activiteiten):")
    print("  " + evaluation.explanation.text.replace("\n", "\n  "))
    waiting = pending(activities)
    if waiting:
        print(f"Nog niet meegeteld (gepland of ingediend): {len(waiting)} activiteit(en).")
    return 0


# -- demo and token --------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from .store.demo import install_demo

    store = _store(args)
    store.upgrade()
    for line in install_demo(store, load_rules(), date.today(), reset=args.reset):
        print(line)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from .store.validation import NUMBER_RE

    number: str = args.nummer.strip()
    if not NUMBER_RE.fullmatch(number):
        _err(f"Registratienummer {args.nummer!r} klopt niet: verwacht 6 tot 10 cijfers.")
        return 1
    if args.ttl < 1:
        _err("--ttl moet minstens 1 seconde zijn.")
        return 1
    try:
        from .identity import issue_token
    except ImportError as exc:
        _err(f"Tokens uitgeven kan nog niet: bot.identity ontbreekt ({exc}).")
        return 1
    try:
        token = issue_token(number, ttl_seconds=args.ttl)
    except Exception as exc:  # a misconfigured key: report it without a traceback
        _err(f"Token uitgeven mislukt: {type(exc).__name__}: {exc}")
        return 1
    print(token)
    return 0


# -- helpdesk --------------------------------------------------------------------------------------
STATE_LABELS = {"delivered": "afgeleverd", "pending": "wacht", "failing": "faalt", "failed": "MISLUKT",
                "none": "-"}


def _helpdesk(args: argparse.Namespace) -> "Helpdesk":
    from .helpdesk import ConfigError, Helpdesk, HelpdeskConfig

    store = _store(args)
    store.check_schema()
    try:
        config = HelpdeskConfig.from_env()
    except ConfigError as exc:
        raise StoreError(f"Helpdeskconfiguratie: {exc}") from None
    return Helpdesk(store, config)


def _local(moment: "datetime | None") -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def _delivery_text(ticket: "TicketRecord", webhook_enabled: bool, email_enabled: bool) -> str:
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
    helpdesk = _helpdesk(args)
    tickets = helpdesk.tickets(category=args.category, priority=args.priority, state=args.status, limit=args.limit)
    config = helpdesk.config
    if not tickets:
        print("Geen tickets" + (" met deze filters." if args.category or args.priority or args.status else "."))
    else:
        print(f"{'nummer':<15}  {'aangemaakt':<16}  {'categorie':<25}  {'prioriteit':<10}  levering")
        for t in tickets:
            print(f"{t.number:<15}  {_local(t.created_at):<16}  {t.category:<25}  {t.priority:<10}  "
                  f"{_delivery_text(t, config.webhook_enabled, config.email_enabled)}")
    if not config.webhook_enabled:
        print("Let op: HELPDESK_WEBHOOK_URL is niet ingesteld; de webhook-leveringen blijven bewaard en wachten.")
    return 0


def cmd_tickets_show(args: argparse.Namespace) -> int:
    helpdesk = _helpdesk(args)
    t = helpdesk.ticket(args.nummer)
    if t is None:
        _err(f"Geen ticket met nummer {args.nummer!r}.")
        return 1
    lines = [
        f"Ticket {t.number}",
        f"  aangemaakt:        {_local(t.created_at)}",
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
            when = f"[{_local(line.at)}] " if line.at else ""
            lines.append(f"  {when}{line.role}: {line.text}")
    lines.append("Levering:")
    for d in t.deliveries:
        detail = [f"status {STATE_LABELS[d.state]}", f"{d.attempts} poging(en)"]
        if d.delivered_at:
            detail.append(f"afgeleverd {_local(d.delivered_at)}")
        elif d.next_attempt_at and d.status == "pending":
            detail.append(f"volgende poging {_local(d.next_attempt_at)}")
        if d.last_error and d.status != "delivered":
            detail.append(f"laatste fout: {d.last_error}")
        lines.append(f"  {d.kind} [{d.idempotency_key}]: " + ", ".join(detail))
    print("\n".join(lines))
    return 0


EXPORT_FIELDS = ("number", "created_at", "category", "priority", "reasons", "expected_by", "question", "email",
                 "registratienummer", "verified", "consent", "channel", "conversation_id", "intent", "reason",
                 "period_end", "delivery", "transcript")


def cmd_tickets_export(args: argparse.Namespace) -> int:
    import csv
    import io
    import json

    from .helpdesk import ticket_json

    helpdesk = _helpdesk(args)
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
            writer.writerow({k: "" if flat.get(k) is None else flat[k] for k in EXPORT_FIELDS})
    if args.output:
        Path(args.output).write_text(out.getvalue(), encoding="utf-8", newline="")
        _err(f"{len(rows)} ticket(s) geschreven naar {args.output}.")
    else:
        sys.stdout.write(out.getvalue())
    return 0


def cmd_tickets_retry(args: argparse.Namespace) -> int:
    from .helpdesk import HelpdeskError

    helpdesk = _helpdesk(args)
    try:
        count = helpdesk.retry(args.nummer)
    except HelpdeskError as exc:
        _err(exc.message)
        return 1
    print(f"{count} levering(en) van {args.nummer} staan weer in de wachtrij.")
    return 0


def cmd_unanswered(args: argparse.Namespace) -> int:
    helpdesk = _helpdesk(args)
    summary = helpdesk.unanswered(limit=args.limit)
    if not summary:
        print("Nog geen onbeantwoorde vragen.")
        return 0
    print(f"{'aantal':>6}  {'laatst':<16}  vraag (zonder persoonsgegevens)  [herkend als]")
    for item in summary:
        intents = f"  [{', '.join(item.intents)}]" if item.intents else ""
        print(f"{item.count:>6}  {_local(item.last_seen):<16}  {item.text}{intents}")
    return 0


def cmd_helpdesk_status(args: argparse.Namespace) -> int:
    from .helpdesk.outbox import OutboxWorker

    helpdesk = _helpdesk(args)
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

    from .helpdesk.outbox import OutboxWorker

    helpdesk = _helpdesk(args)
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
    delivered = worker.run(stop, once=args.once)
    log(f"Helpdesk-worker gestopt: {delivered} levering(en) afgeleverd.")
    return 0


# -- parser ----------------------------------------------------------------------------------------
class Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits with 1 like every other error."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: fout: {message}\n")


def parser() -> argparse.ArgumentParser:
    main = Parser(prog="python -m bot", description="Beheer van de Registerwijzer-database.")
    main.add_argument("--database-url", default=None,
                      help="database-URL (standaard: DATABASE_URL, anders var/registerwijzer.db)")
    sub = main.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = sub.add_parser("db", help="het databaseschema").add_subparsers(dest="action", metavar="ACTION",
                                                                          required=True)
    db.add_parser("upgrade", help="schema bijwerken naar de nieuwste migratie").set_defaults(run=cmd_db_upgrade)
    db.add_parser("current", help="huidige schemarevisie tonen").set_defaults(run=cmd_db_current)

    leaders = sub.add_parser("leaders", help="schoolleiders").add_subparsers(dest="action", metavar="ACTION",
                                                                             required=True)
    imp = leaders.add_parser("import", help="schoolleiders uit een CSV-bestand invoeren (alles of niets)")
    imp.add_argument("file", metavar="FILE.csv")
    imp.set_defaults(run=cmd_leaders_import)
    show = leaders.add_parser("show", help="een schoolleider, de activiteiten en de evaluatie tonen")
    show.add_argument("nummer", metavar="NUMMER")
    show.set_defaults(run=cmd_leaders_show)

    for name in ("activiteiten", "activities"):
        acts = sub.add_parser(name, help="activiteiten" if name == "activiteiten" else argparse.SUPPRESS)
        acts_sub = acts.add_subparsers(dest="action", metavar="ACTION", required=True)
        aimp = acts_sub.add_parser("import", help="activiteiten uit een CSV-bestand invoeren (alles of niets)")
        aimp.add_argument("file", metavar="FILE.csv")
        aimp.set_defaults(run=cmd_activities_import)

    demo = sub.add_parser("demo", help="demo-schoolleiders 100234, 100235, 100236 invoeren (idempotent)")
    demo.add_argument("--reset", action="store_true", help="demo-schoolleiders opnieuw aanmaken (verse datums)")
    demo.set_defaults(run=cmd_demo)

    token = sub.add_parser("token", help="een ondertekend testtoken voor het webkanaal")
    token.add_argument("nummer", metavar="NUMMER")
    token.add_argument("--ttl", type=int, default=3600, help="geldigheid in seconden (standaard 3600)")
    token.set_defaults(run=cmd_token)

    from .store.models import TICKET_CATEGORIES, TICKET_PRIORITIES

    tickets = sub.add_parser("tickets", help="helpdesktickets").add_subparsers(dest="action", metavar="ACTION",
                                                                              required=True)
    states = ("pending", "failing", "failed", "delivered")
    tlist = tickets.add_parser("list", help="tickets tonen, nieuwste eerst")
    texport = tickets.add_parser("export", help="tickets exporteren als CSV of JSON")
    for p in (tlist, texport):
        p.add_argument("--status", choices=states, help="leverstatus (slechtste van webhook en e-mail)")
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

    unanswered = sub.add_parser("unanswered", help="onbeantwoorde vragen (zonder persoonsgegevens), vaakst eerst")
    unanswered.add_argument("--limit", type=int, default=None)
    unanswered.set_defaults(run=cmd_unanswered)

    helpdesk = sub.add_parser("helpdesk", help="de helpdesk-levering").add_subparsers(dest="action", metavar="ACTION",
                                                                                     required=True)
    worker = helpdesk.add_parser("worker", help="de outbox afleveren (webhook, e-mail) tot SIGTERM/SIGINT")
    worker.add_argument("--once", action="store_true", help="alleen afleveren wat nu klaarstaat, dan stoppen")
    worker.set_defaults(run=cmd_helpdesk_worker)
    helpdesk.add_parser("status", help="configuratie en outbox per status").set_defaults(run=cmd_helpdesk_status)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except StoreError as exc:
        _err(exc.message)
        for error in exc.errors:
            _err(f"  {error}")
        return 1
    except KeyboardInterrupt:
        _err("Afgebroken.")
        return 130
    except Exception as exc:  # database unreachable, bad URL...: one line, no traceback
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError  # type: ignore[import-untyped]

        if isinstance(exc, (SQLAlchemyError, ArgumentError)):
            _err(f"Databasefout: {_one_line(exc)}")
            return 1
        raise


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


if __name__ == "__main__":
    sys.exit(main())
