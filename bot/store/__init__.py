"""The leaders' progress store: SQLAlchemy models, Alembic migrations and a small typed API.

Plain Python, no Rasa. Usage::

    store = Store()                      # DATABASE_URL, else var/registerwijzer.db
    store.upgrade()                      # Alembic upgrade head (idempotent)
    leader = store.leader("100234")      # LeaderRecord | None (frozen dataclass)
    activities = store.activities("100234")
    load_rules().evaluate(to_dossier(leader, activities), date.today())

In async code use `await store.aleader(...)`, `aleader_by_identity(...)`, `aactivities(...)`: the same
calls in the store's thread pool, a session per call. See docs/store.md.
"""

from .core import (
    ActivityRecord,
    LeaderRecord,
    Store,
    StoreError,
    alembic_config,
    database_url,
    head_revision,
    pending,
    to_dossier,
)

__all__ = [
    "ActivityRecord", "LeaderRecord", "Store", "StoreError", "alembic_config", "database_url", "head_revision",
    "pending", "to_dossier",
]
