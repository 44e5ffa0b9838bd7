"""The database: one engine, its sessions, its migrations and the thread pool for blocking work.

One `Database` per process is shared by everything that uses the database (`Store`, `Helpdesk`, the
outbox worker): one connection pool, one thread pool. Plain Python, no Rasa.

    database = Database()                       # DATABASE_URL, else var/registerwijzer.db
    with database.session() as session: ...     # a new session per unit of work, never a global one
    value = await database.in_thread(call)      # blocking work off the event loop (async callers)
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar, overload

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool, StaticPool

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DB = REPO / "var" / "registerwijzer.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Connections in the pool and threads in the executor: a thread never waits for a connection.
POOL_SIZE = 8
THREAD_PREFIX = "store"



def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """Datetimes come back naive from SQLite; everything is stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)

# The database is away (down, restarting, failing over), as opposed to a bad statement or bad data.
UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError)


def database_url(env: Mapping[str, str] | None = None) -> str:
    """`DATABASE_URL` from the environment, else the SQLite file `<repo>/var/registerwijzer.db`."""
    url = (os.environ if env is None else env).get("DATABASE_URL", "").strip()
    if url:
        return url
    DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB}"


# -- the engine ----------------------------------------------------------------------------------
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable and writable by its owner only; an existing one
    is made so. Its journal files (-wal, -shm) are created by SQLite with the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)


def make_engine(url: str) -> Any:
    """A future-style engine: SQLite shared across threads, PostgreSQL with pre-ping."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
        if memory:
            engine = sa.create_engine(url, future=True, poolclass=StaticPool,
                                      connect_args={"check_same_thread": False})
        else:
            private_file(Path(database).expanduser().resolve())
            engine = sa.create_engine(
                url, future=True, poolclass=QueuePool, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                connect_args={"check_same_thread": False, "timeout": 30},
            )
            sa.event.listen(engine, "connect", _sqlite_wal)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, future=True, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                            pool_recycle=1800)


# -- migrations ----------------------------------------------------------------------------------
def alembic_config(url: str | None = None, connection: Any = None) -> Config:
    """Alembic's configuration built in code, so upgrades work from any working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


# -- the database --------------------------------------------------------------------------------
class Database:
    """The engine, sessions and thread pool of one database. `Database()` uses `database_url()`."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.engine: Any = make_engine(self.url)
        self._executor = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix=THREAD_PREFIX)

    def __repr__(self) -> str:
        return f"Database({self.engine.url!r})"

    def close(self) -> None:
        """Wait for running work, then close every pooled connection."""
        self._executor.shutdown(wait=True)
        self.engine.dispose()

    def session(self) -> Any:
        """A new ORM session (use it as a context manager; `session.begin()` for a transaction)."""
        return Session(self.engine, future=True, expire_on_commit=False)

    async def in_thread(self, call: Callable[[], T]) -> T:
        """Run blocking work (a database call) in the database's thread pool: the event loop never blocks."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    # -- schema ----------------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration (idempotent)."""
        with self.engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), revision)

    def downgrade(self, revision: str = "base") -> None:
        with self.engine.begin() as connection:
            command.downgrade(alembic_config(connection=connection), revision)

    def revision(self) -> str | None:
        """The schema revision in the database (None when never upgraded)."""
        with self.engine.connect() as connection:
            current: str | None = MigrationContext.configure(connection).get_current_revision()
            return current

    def upgrade_if_embedded(self) -> bool:
        """The embedded SQLite file brings its own schema up to date, so `rasa run` in a fresh terminal
        works without `python -m bot db upgrade` first; a server database (PostgreSQL) is migrated by its
        operator only. True when it upgraded."""
        if self.engine.dialect.name != "sqlite" or self.revision() == head_revision():
            return False
        self.upgrade()
        return True


__all__ = [
    "DEFAULT_DB",
    "POOL_SIZE",
    "Database",
    "alembic_config",
    "database_url",
    "head_revision",
    "make_engine",
]
