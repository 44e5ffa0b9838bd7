"""Fixtures for the helpdesk tests: stores on SQLite and PostgreSQL, a webhook receiver.

The PostgreSQL fixtures are those of tests/store/conftest.py (loaded from that file, not copied), so the
same local server and a database of this session's own are used.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Iterator

import pytest

from bot.helpdesk import Helpdesk
from bot.store import Store
from helpdesk_support import ROOT, Receiver, fast_config, free_port

_spec = importlib.util.spec_from_file_location("_store_conftest", ROOT / "tests" / "store" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)
pg_server = _store_conftest.pg_server
pg_url = _store_conftest.pg_url


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'helpdesk.db'}")
    s.upgrade()
    yield s
    s.close()


pg_store = _store_conftest.pg_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> Store:
    s: Store = request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "pg_store")
    return s


@pytest.fixture
def helpdesk(any_store: Store) -> Helpdesk:
    return Helpdesk(any_store, fast_config())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(free_port())
    r.start()
    yield r
    r.stop()
