"""The leaders' progress store: SQLAlchemy models, Alembic migrations and a small typed API.

Plain Python, no Rasa. Usage::

    store = Store()                      # DATABASE_URL, else var/registerwijzer.db
    store = Store(database)               # or on a shared Database (one engine for store and helpdesk)
    store.upgrade()                      # Alembic upgrade head (idempotent)
    leader = store.leader("100234")      # LeaderRecord | None (frozen dataclass)
    activities = store.activities("100234")
    load_rules().evaluate(to_dossier(leader, activities), date.today())

In async code use `await store.aleader(...)`, `aleader_by_identity(...)`, `aactivities(...)`: the same
calls in the database's thread pool, a session per call. See docs/store.md.
"""

from .core import Store, StoreError, pending, to_dossier
from .database import Database, alembic_config, database_url, head_revision
from .records import ActivityRecord, LeaderRecord

__all__ = [
    "ActivityRecord", "Database", "LeaderRecord", "Store", "StoreError", "alembic_config", "database_url",
    "head_revision", "pending", "to_dossier",
]
