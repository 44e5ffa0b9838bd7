"""What replicas share through Redis (`make cluster`): one setting, REDIS_URL.

Unset (`make run`, one process), each channel keeps its state in the process as before. Set, the
widget's socket.io rooms go through Redis (python-socketio's AsyncRedisManager: any replica can
reach any widget) and Teams' offered buttons are kept in Redis (any replica resolves the title that
comes back). Rasa's lock store follows the same setting (components/lock_store.py).
"""

from __future__ import annotations

import os
from typing import Any

KEY_PREFIX = "registerwijzer:"
# Seconds to wait for Redis before giving up on one call: a message then falls back (a Teams title
# is taken as typed) or fails with the service's apology, never a hang.
TIMEOUT_SECONDS = 5.0


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "").strip()


def async_redis(url: str | None = None) -> Any | None:
    """A `redis.asyncio.Redis` client for REDIS_URL, or None when it is not set."""
    url = redis_url() if url is None else url
    if not url:
        return None
    from redis import asyncio as aioredis

    return aioredis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS,
                                   health_check_interval=30)


def socketio_manager(url: str | None = None) -> Any | None:
    """python-socketio's client manager over Redis, or None (socket.io's default, in this process)."""
    url = redis_url() if url is None else url
    if not url:
        return None
    from socketio import AsyncRedisManager

    return AsyncRedisManager(url, channel=KEY_PREFIX + "socketio",
                             redis_options={"socket_connect_timeout": TIMEOUT_SECONDS, "health_check_interval": 30})
