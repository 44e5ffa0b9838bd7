"""What the command modules share: the parser class, stderr, and opening the store and the helpdesk."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

from ..errors import UserError
from ..store import Store

if TYPE_CHECKING:
    from datetime import datetime

    from ..helpdesk import Helpdesk

# One delivery state as the operator reads it.
STATE_LABELS = {"delivered": "afgeleverd", "pending": "wacht", "failing": "faalt", "failed": "MISLUKT",
                "none": "-"}


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits with 1 like every other error."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: fout: {message}\n")


def err(message: str) -> None:
    print(message, file=sys.stderr)


def open_store(args: argparse.Namespace) -> Store:
    """The store on `--database-url`, else DATABASE_URL, else var/registerwijzer.db."""
    url: str | None = args.database_url
    return Store(url)


def open_helpdesk(args: argparse.Namespace) -> Helpdesk:
    """The helpdesk on the store's database (schema checked) with HELPDESK_* from the environment."""
    from ..helpdesk import ConfigError, Helpdesk, HelpdeskConfig

    store = open_store(args)
    store.check_schema()
    try:
        config = HelpdeskConfig.from_env()
    except ConfigError as exc:
        raise UserError(f"Helpdeskconfiguratie: {exc.message}") from None
    return Helpdesk(store, config)


def local(moment: datetime | None) -> str:
    """A moment in the machine's time zone, to the minute; '-' for none."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "-"
