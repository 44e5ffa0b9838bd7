"""PostgreSQL under concurrency: many threads and coroutines at once, racing writers refused cleanly."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from bot.store import Store, StoreError

pytestmark = pytest.mark.postgres
TODAY = date(2026, 11, 22)


def fill(store: Store, count: int) -> None:
    from bot.register import load_rules
    from bot.store.validation import check_activity, check_leader

    book, errors = load_rules(), []
    leaders = [check_leader(f"{400000 + i}", f"L{i}", f"l{i}@example.nl", "RDO", None, date(2023, 1, 1),
                            date(2023, 1, 1), date(2027, 1, 1), errors) for i in range(count)]
    acts = [check_activity(book, f"{400000 + i}", "programme", "LK1", (), None, None, 70, date(2024, 1, 1),
                           "goedgekeurd", None, TODAY, errors) for i in range(count)]
    assert not errors
    store.import_dossiers([x for x in leaders if x], [a for a in acts if a])


def test_threads_read_while_others_write(pg_store: Store) -> None:
    fill(pg_store, 50)
    failures: list[str] = []

    def reader(offset: int) -> None:
        for i in range(100):
            number = f"{400000 + (i * 7 + offset) % 50}"
            leader, activities = pg_store.leader(number), pg_store.activities(number)
            if leader is None or leader.registratienummer != number or len(activities) < 1:
                failures.append(number)

    def writer(offset: int) -> None:
        for i in range(20):
            number = f"{400000 + (i + offset) % 50}"
            pg_store.link_identity("teams", f"t-{offset}-{i}", number)
            pg_store.add_activity(number, "valuation", date(2024, 2, 1), themes=["kwaliteitszorg"],
                                  learning_level=4, status="ingediend", today=TODAY)

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(reader, k) for k in range(4)] + [pool.submit(writer, k) for k in range(2)]
        for future in futures:
            future.result()
    assert failures == []
    assert pg_store.counts() == {"leaders": 50, "activities": 50 + 40, "channel_identities": 40}


def test_many_concurrent_async_lookups(pg_store: Store) -> None:
    fill(pg_store, 30)

    async def scenario() -> None:
        numbers = [f"{400000 + i % 30}" for i in range(120)]
        leaders = await asyncio.gather(*(pg_store.aleader(n) for n in numbers))
        dossiers = await asyncio.gather(*(pg_store.aactivities(n) for n in numbers))
        assert [x.registratienummer if x else None for x in leaders] == numbers
        assert all(len(d) == 1 and d[0].registratienummer == n for d, n in zip(dossiers, numbers))

    asyncio.run(scenario())


def test_racing_imports_of_the_same_leader_one_wins(pg_store: Store) -> None:
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def add() -> None:
        barrier.wait()
        try:
            pg_store.add_leader("500000", "Race", "race@example.nl", "RDO", date(2024, 1, 1))
            outcomes.append("ok")
        except StoreError as exc:
            outcomes.append("refused" if "al in de database" in exc.message or "weigerde" in exc.message else "?")

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert pg_store.counts()["leaders"] == 1


def test_a_dropped_connection_is_replaced(pg_store: Store) -> None:
    """pool_pre_ping: a connection killed on the server side does not surface as an error."""
    import sqlalchemy as sa

    fill(pg_store, 1)
    with pg_store.engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    other = Store(pg_store.url)
    with other.engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    other.close()
    assert pg_store.leader("400000") is not None
