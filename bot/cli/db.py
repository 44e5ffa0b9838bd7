"""`db upgrade`, `db current`: the database schema."""

from __future__ import annotations

import argparse

from ..store import head_revision
from .common import open_store


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    store = open_store(args)
    before = store.revision()
    store.upgrade()
    after = store.revision()
    where = store.database.engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"Schema is al bij (revisie {after}): {where}")
    else:
        print(f"Schema bijgewerkt van {before or 'leeg'} naar {after}: {where}")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    store = open_store(args)
    current, head = store.revision(), head_revision()
    print(f"revisie {current or 'geen'} (nieuwste: {head})")
    return 0 if current == head else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="het databaseschema").add_subparsers(dest="action", metavar="ACTION",
                                                                          required=True)
    db.add_parser("upgrade", help="schema bijwerken naar de nieuwste migratie").set_defaults(run=cmd_db_upgrade)
    db.add_parser("current", help="huidige schemarevisie tonen").set_defaults(run=cmd_db_current)
