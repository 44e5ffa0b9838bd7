"""`token NUMMER [--ttl SECONDS]`: a signed test token for the web channel."""

from __future__ import annotations

import argparse

from .common import err


def cmd_token(args: argparse.Namespace) -> int:
    from ..store.validation import NUMBER_RE

    number: str = args.nummer.strip()
    if not NUMBER_RE.fullmatch(number):
        err(f"Registratienummer {args.nummer!r} klopt niet: verwacht 6 tot 10 cijfers.")
        return 1
    if args.ttl < 1:
        err("--ttl moet minstens 1 seconde zijn.")
        return 1
    try:
        from ..identity import issue_token
    except ImportError as exc:
        err(f"Tokens uitgeven kan nog niet: bot.identity ontbreekt ({exc}).")
        return 1
    try:
        token = issue_token(number, ttl_seconds=args.ttl)
    except Exception as exc:  # a misconfigured key: report it without a traceback
        err(f"Token uitgeven mislukt: {type(exc).__name__}: {exc}")
        return 1
    print(token)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = sub.add_parser("token", help="een ondertekend testtoken voor het webkanaal")
    token.add_argument("nummer", metavar="NUMMER")
    token.add_argument("--ttl", type=int, default=3600, help="geldigheid in seconden (standaard 3600)")
    token.set_defaults(run=cmd_token)
