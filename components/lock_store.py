"""The lock store, chosen by the environment: Redis when REDIS_URL is set, else Rasa's in-memory one.

Rasa takes a lock per conversation for every message, so two messages to one conversation are
processed one after the other. In one process (`make run`) the in-memory lock store does that; with
replicas (`make cluster`) the lock must be shared, so it lives in Redis. One setting, REDIS_URL, for
everything the replicas share (this lock, the widget's socket.io rooms, Teams' offered buttons):

    lock_store:
      type: components.lock_store.EnvironmentLockStore
      key_prefix: registerwijzer
"""

from __future__ import annotations

import os
from typing import Any, Optional
from urllib.parse import urlsplit

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

REDIS_URL = "REDIS_URL"
# Seconds Rasa waits for Redis before a message fails with the service's apology (never a hang).
SOCKET_TIMEOUT = 5.0


def redis_settings(url: str) -> dict[str, Any]:
    """`redis://[:password@]host:port/db` (or `rediss://` for TLS) -> RedisLockStore's arguments."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"REDIS_URL must look like redis://host:port/0, not {url!r}")
    path = parts.path.strip("/")
    return {
        "host": parts.hostname, "port": parts.port or 6379, "db": int(path) if path.isdigit() else 0,
        "username": parts.username or None, "password": parts.password or None,
        "use_ssl": parts.scheme == "rediss",
    }


def lock_store_for(url: str, key_prefix: Optional[str] = None) -> LockStore:
    if not url:
        return InMemoryLockStore()
    return RedisLockStore(**redis_settings(url), key_prefix=key_prefix, socket_timeout=SOCKET_TIMEOUT)


class EnvironmentLockStore(LockStore):
    """Rasa builds custom lock stores as `cls(endpoint_config=...)`; this hands back the real one."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:
        kwargs = endpoint_config.kwargs if endpoint_config is not None else {}
        return lock_store_for(os.environ.get(REDIS_URL, "").strip(), kwargs.get("key_prefix"))
