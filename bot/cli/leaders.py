"""`leaders import`, `leaders show`, `activiteiten import` (alias `activities import`): the leaders' data."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..answers.explain import explain
from ..register import RulesError, format_date, load_rules
from ..store import ActivityRecord, LeaderRecord, pending, to_dossier
from .common import err, open_store

STATUS_WIDTH = 11


def cmd_leaders_import(args: argparse.Namespace) -> int:
    from ..store.importer import import_leaders

    store = open_store(args)
    store.check_schema()
    count = import_leaders(store, Path(args.file))
    print(f"{count} schoolleider(s) ingevoerd uit {args.file}.")
    return 0


def cmd_activities_import(args: argparse.Namespace) -> int:
    from ..store.importer import import_activities

    store = open_store(args)
    store.check_schema()
    count = import_activities(store, load_rules(), Path(args.file), date.today())
    print(f"{count} activiteit(en) ingevoerd uit {args.file}.")
    return 0


def describe(activity: ActivityRecord) -> str:
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


def leader_lines(leader: LeaderRecord) -> list[str]:
    return [
        f"Schoolleider {leader.registratienummer}: {leader.name} <{leader.email}>",
        f"  {leader.registration_type}" + (f", {leader.level}" if leader.level else "")
        + f"; geregistreerd {leader.registratiedatum.isoformat()}",
        f"  periode {leader.period_start.isoformat()} tot {leader.period_end.isoformat()}",
    ]


def cmd_leaders_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    store.check_schema()
    leader = store.leader(args.nummer)
    if leader is None:
        err(f"Geen schoolleider met registratienummer {args.nummer!r} in de database.")
        return 1
    activities = store.activities(leader.registratienummer)
    lines = leader_lines(leader)
    identities = store.identities(leader.registratienummer)
    if identities:
        lines.append("  gekoppeld: " + ", ".join(f"{c}:{e}" for c, e in identities))
    lines.append(f"Activiteiten ({len(activities)}):")
    lines.extend(f"  {a.completed_on.isoformat()}  {a.status:<{STATUS_WIDTH}}  {describe(a)}" for a in activities)
    if not activities:
        lines.append("  (nog geen)")
    print("\n".join(lines))
    today = date.today()
    try:
        evaluation = load_rules().evaluate(to_dossier(leader, activities), today)
    except RulesError as exc:
        err(f"Evaluatie niet mogelijk: {exc.message}")
        return 1
    print(f"Evaluatie op {format_date(today)} (alleen goedgekeurde activiteiten):")
    print("  " + explain(evaluation).text.replace("\n", "\n  "))
    waiting = pending(activities)
    if waiting:
        print(f"Nog niet meegeteld (gepland of ingediend): {len(waiting)} activiteit(en).")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
