"""`demo [--reset]`: the documented demo leaders 100234, 100235, 100236 (idempotent)."""

from __future__ import annotations

import argparse
from datetime import date

from ..register import load_rules
from .common import open_store


def cmd_demo(args: argparse.Namespace) -> int:
    from ..store.demo import install_demo

    store = open_store(args)
    store.upgrade()
    for line in install_demo(store, load_rules(), date.today(), reset=args.reset):
        print(line)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="demo-schoolleiders 100234, 100235, 100236 invoeren (idempotent)")
    demo.add_argument("--reset", action="store_true", help="demo-schoolleiders opnieuw aanmaken (verse datums)")
    demo.set_defaults(run=cmd_demo)
