"""The async API never blocks the event loop: calls run in the store's threads, a session per call."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date

import pytest

from bot.store import LeaderRecord, Store

N = 20
DELAY = 0.05


def fill(store: Store, count: int = N) -> None:
    for i in range(count):
        store.add_leader(f"{200000 + i}", f"Leider {i}", f"l{i}@example.nl", "RADO" if i % 2 else "RDO",
                         date(2024, 1, 1))
        store.link_identity("teams", f"user-{i}", f"{200000 + i}")


def test_concurrent_aleader_calls_leave_the_loop_free(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)
    threads: set[str] = set()
    real = store.leader

    def slow_leader(number: str) -> LeaderRecord | None:
        threads.add(threading.current_thread().name)
        time.sleep(DELAY)          # a slow database: blocks whatever thread runs it
        return real(number)

    monkeypatch.setattr(store, "leader", slow_leader)

    async def scenario() -> tuple[list[LeaderRecord | None], int, float]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        tick_task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        start = time.perf_counter()
        results = await asyncio.gather(*(store.aleader(f"{200000 + i}") for i in range(N)))
        elapsed = time.perf_counter() - start
        done.set()
        await tick_task
        return list(results), ticks, elapsed

    results, ticks, elapsed = asyncio.run(scenario())
    assert [r.registratienummer if r else None for r in results] == [f"{200000 + i}" for i in range(N)]
    assert threading.main_thread().name not in threads and all(t.startswith("store") for t in threads)
    # The loop kept running while the calls waited: ~elapsed/5 ms ticks, at least a handful.
    assert ticks >= 5, ticks
    # And the calls overlapped (sequentially they would take N × DELAY = 1 s).
    assert elapsed < N * DELAY * 0.75, elapsed


def test_async_variants_return_the_same_records(store: Store) -> None:
    fill(store, 5)
    store.add_activity("200001", "programme", date(2024, 5, 1), programme="LK1", today=date(2026, 11, 22))

    async def scenario() -> None:
        leaders = await asyncio.gather(*(store.aleader(f"{200000 + i}") for i in range(5)))
        assert leaders == [store.leader(f"{200000 + i}") for i in range(5)]
        assert await store.aleader_by_identity("teams", "user-3") == store.leader("200003")
        assert await store.aleader_by_identity("teams", "nobody") is None
        assert await store.aactivities("200001") == store.activities("200001")
        assert await store.aleader("999999") is None

    asyncio.run(scenario())
