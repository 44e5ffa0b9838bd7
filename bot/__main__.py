"""Admin CLI for the leaders' store: `python -m bot COMMAND` (see docs/store.md).

    db upgrade                      bring the schema to the newest migration (idempotent)
    db current                      show the schema revision
    leaders import FILE.csv         import leaders: every row checked, every error listed, all or nothing
    leaders show NUMMER             a leader, the activities and the evaluation by the rules module
    activiteiten import FILE.csv    import activities (same checks; programmes and themes from the rules data)
    demo [--reset]                  the documented demo leaders 100234, 100235, 100236 (idempotent)
    token NUMMER [--ttl SECONDS]    a signed test token for the web channel

The database is `--database-url`, else `DATABASE_URL`, else `var/registerwijzer.db`. Errors go to
stderr with exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Callable, NoReturn, Sequence

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from .register import RulesError, format_date, load_rules  # noqa: E402
from .store import ActivityRecord, LeaderRecord, Store, StoreError, pending, to_dossier  # noqa: E402

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
