"""A Sanic app served from a thread of its own on a port the OS picks, for tests of an input channel's
blueprint without a Rasa server (tests/test_rest_channel.py, tests/test_helpdesk_api.py)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from typing import Any

from sanic import Sanic


class ThreadedSanic:
    """`setup(app)` adds the blueprint (and anything on `app.ctx`); `start()` returns once it listens."""

    def __init__(self, name: str, setup: Callable[[Sanic], None]) -> None:
        self.name = name
        self.setup = setup
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = Sanic(f"{self.name}-{uuid.uuid4().hex[:8]}")
        self.setup(app)

        async def start() -> Any:
            server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False)
            await server.startup()
            await server.before_start()
            await server.after_start()
            self.port = server.server.sockets[0].getsockname()[1]  # bound by the OS: no race for a free port
            return server

        self.server = self.loop.run_until_complete(start())
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> ThreadedSanic:
        self.thread.start()
        assert self.ready.wait(30), f"the Sanic app {self.name} did not start"
        return self

    def stop(self) -> None:
        async def close() -> None:
            await self.server.before_stop()
            self.server.close()
            await self.server.wait_closed()
        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
