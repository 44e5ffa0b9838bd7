"""Fixtures for the store tests: a fresh SQLite file per test, and a real PostgreSQL server.

The PostgreSQL fixture runs `scripts/postgres.sh start` once per session and creates a database of
its own (dropped at the end), so concurrent test runs never share tables. Tests that need it are
marked `postgres`; `pytest -m "not postgres"` runs the rest without a server.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
TODAY = date(2026, 11, 22)


def sqlite_url_for(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sqlite_url_for(tmp_path / "store.db")


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    """An upgraded store on a fresh SQLite file."""
    s = Store(sqlite_url)
    s.upgrade()
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of the database `registerwijzer` on the local test server (started if needed, and then
    stopped at the end of the session, so that no server of this checkout outlives its tests)."""
    script = ["bash", str(ROOT / "scripts" / "postgres.sh")]
    was_running = subprocess.run([*script, "status"], cwd=ROOT, capture_output=True, timeout=60).returncode == 0
    result = subprocess.run([*script, "start"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        pytest.fail(f"scripts/postgres.sh start failed:\n{result.stderr[-3000:]}")
    try:
        yield result.stdout.strip().splitlines()[-1]
    finally:
        if not was_running:
            subprocess.run([*script, "stop"], cwd=ROOT, capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def pg_url(pg_server: str) -> Iterator[str]:
    """A database of this test session's own on the local PostgreSQL server; dropped afterwards."""
    import sqlalchemy as sa

    name = f"rw_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_server.rsplit("/", 1)[0] + "/postgres", future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    """An upgraded store on the session's PostgreSQL database, every table of ours emptied before the test."""
    import sqlalchemy as sa

    from bot.store.models import metadata

    s = Store(pg_url)
    s.upgrade()
    with s.engine.begin() as conn:
        tables = ", ".join(table.name for table in metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield s
    s.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The same test on SQLite and on PostgreSQL."""
    name = "store" if request.param == "sqlite" else "pg_store"
    s: Store = request.getfixturevalue(name)
    return s
