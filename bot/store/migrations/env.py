"""Alembic environment for the leaders' store.

`Database.upgrade()` (and so `Store.upgrade()`) and `python -m bot db upgrade` pass an open connection in
`config.attributes["connection"]`; the plain `alembic -c bot/store/alembic.ini ...` command uses
`sqlalchemy.url` from the configuration, else `DATABASE_URL`, else the default SQLite file.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from bot.store.database import database_url, make_engine
from bot.store.models import metadata


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER constraints in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url") or database_url(),
                          target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


run_migrations()
