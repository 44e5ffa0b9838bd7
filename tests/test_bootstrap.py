"""Issue 15's seams: one Database shared by store, helpdesk and outbox; one bootstrap; one user error."""

from __future__ import annotations

import argparse
import asyncio
import threading
from pathlib import Path

import pytest

from bot.bootstrap import Services, bootstrap, override, services, set_services
from bot.errors import UserError
from bot.helpdesk import ConfigError, Helpdesk, HelpdeskError
from bot.helpdesk.outbox import OutboxWorker
from bot.register import RulesError, UnknownProgramme
from bot.store import Database, Store, StoreError


def test_store_helpdesk_and_worker_share_one_database(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'one.db'}")
    database.upgrade()
    store = Store(database)
    helpdesk = Helpdesk(store)
    assert helpdesk.database is database and OutboxWorker(helpdesk).database is database
    assert store.engine is database.engine and store.url == database.url
    store.close()  # not its database: still open
    assert store.revision() is not None
    database.close()


def test_in_thread_runs_in_the_database_threads(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'one.db'}")
    name = asyncio.run(database.in_thread(lambda: threading.current_thread().name))
    assert name.startswith("store")
    database.close()


def test_bootstrap_builds_each_part_once_and_only_when_asked(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'boot.db'}", "HELPDESK_WEBHOOK_URL": "ftp://nee"}
    built = bootstrap(env)
    assert built.store is built.store and built.store.database is built.database
    assert built.database.url == env["DATABASE_URL"]
    with pytest.raises(ConfigError):  # a wrong helpdesk configuration does not stop the store
        built.helpdesk  # noqa: B018
    built.close()


def test_services_are_one_object_and_can_be_overridden(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'fake.db'}")
    fake = Services(store=store)
    before = set_services(None)
    try:
        with override(fake):
            assert services() is fake and services().store is store and services().database is store.database
        first = services()
        assert services() is first and first is not fake
    finally:
        set_services(before)
        store.close()


def test_every_user_facing_error_is_a_user_error_with_a_dutch_message() -> None:
    for error in (RulesError("a"), UnknownProgramme("b"), StoreError("c", ["d"]), HelpdeskError("e"),
                  ConfigError("f")):
        assert isinstance(error, UserError) and error.message == str(error)
    assert isinstance(RulesError("x"), ValueError)
    assert StoreError("c", ["d"]).errors == ("d",)


def test_cli_groups_are_registered_in_one_list() -> None:
    from bot.cli import COMMAND_GROUPS, parser

    assert all(callable(group.register) for group in COMMAND_GROUPS)
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert list(commands.choices) == ["db", "leaders", "activiteiten", "activities", "demo", "token", "tickets",
                              "unanswered", "helpdesk", "privacy", "links", "reminders"]
