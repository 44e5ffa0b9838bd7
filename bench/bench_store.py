"""Benchmark: dossier lookup plus evaluation with many leaders in the store.

Run from the repository root:

    .venv/bin/python bench/bench_store.py [--leaders 100000] [--lookups 2000] [--postgres URL] [--json FILE]

Fills a fresh database with N leaders and 0-5 activities each (3 on average; Core bulk inserts), then
times ~2,000 random "dossier lookups plus evaluation": `Store.leader` + `Store.activities` + `to_dossier`
+ `RuleBook.evaluate` (with the Dutch derivation), one by one with time.perf_counter after 50 warm-up
lookups. Reports p50/p95/p99 in milliseconds, and the database part alone.

SQLite: a fresh file (`--sqlite PATH`, default var/bench/bench_store.db). PostgreSQL (`--postgres URL`,
e.g. from `scripts/postgres.sh start`): a fresh database `<name>_bench` created next to the one in
the URL and dropped afterwards (`--keep` keeps it); the database in the URL itself is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bot.answers.explain import explain  # noqa: E402
from bot.register import add_years, load_rules  # noqa: E402
from bot.store import Store, to_dossier  # noqa: E402
from bot.store.models import Activity, Leader  # noqa: E402

BATCH = 10_000
THEMES = ("persoonlijk-leiderschap", "onderwijsinrichting-en-schoolorganisatie", "kwaliteitsmanagement",
          "professionele-ontwikkeling-leerkrachten", "leidinggeven-aan-leren", "verandermanagement",
          "visiegestuurd-onderwijs", "omgaan-met-verschillen")
PROGRAMMES = ("leerkracht-jaar-1", "leerkracht-schoolleidersprogramma", "leerkracht-directieteams")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def number(i: int) -> str:
    return f"{1_000_000 + i}"


def generate(count: int, today: date, seed: int) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Leaders with periods that started 0-4 years ago and 0-5 activities inside their period."""
    rnd = random.Random(seed)
    for i in range(count):
        start = today - timedelta(days=rnd.randrange(30, 4 * 365 - 30))
        leader = {
            "registratienummer": number(i), "name": f"Schoolleider {i}", "email": f"leider{i}@example.nl",
            "registration_type": "RADO" if i % 3 == 0 else "RDO",
            "level": ("basisbekwaam", "vakbekwaam")[i % 2] if i % 3 == 0 else None,
            "registratiedatum": add_years(start, -4) if i % 2 else start,
            "period_start": start, "period_end": add_years(start, 4),
        }
        acts = []
        span = max(1, (today - start).days)
        for _ in range(rnd.choice((0, 1, 2, 3, 3, 4, 4, 5, 5, 3))):
            done = start + timedelta(days=rnd.randrange(span))
            status = rnd.choice(("goedgekeurd", "goedgekeurd", "goedgekeurd", "ingediend", "gepland", "afgewezen"))
            roll = rnd.random()
            act: dict[str, Any] = {"kind": "valuation", "programme": None, "themes": [], "learning_level": None,
                                   "diploma": None, "points_awarded": None, "completed_on": done, "status": status,
                                   "certificate_reference": None}
            if roll < 0.3:
                act.update(kind="programme", programme=rnd.choice(PROGRAMMES), certificate_reference=f"C-{i}")
            elif roll < 0.33:
                act.update(kind="diploma", diploma=rnd.choice(("master", "vakbekwaam")))
            else:
                act.update(themes=rnd.sample(THEMES, rnd.choice((1, 1, 2))), learning_level=rnd.choice((4, 5, 6)))
            acts.append(act)
        yield leader, acts


def fill(store: Store, count: int, today: date, seed: int) -> tuple[int, int, float]:
    """Bulk-insert leaders and activities in batches; returns (leaders, activities, seconds)."""
    started = time.perf_counter()
    leaders = activities = 0
    leader_batch: list[dict[str, Any]] = []
    pending: list[tuple[str, list[dict[str, Any]]]] = []

    def flush(conn: Any) -> None:
        nonlocal leaders, activities
        if not leader_batch:
            return
        conn.execute(sa.insert(Leader), leader_batch)
        first, last = leader_batch[0]["registratienummer"], leader_batch[-1]["registratienummer"]
        ids = dict(conn.execute(sa.select(Leader.registratienummer, Leader.id).where(
            Leader.registratienummer.between(first, last))).all())
        rows = [{**act, "leader_id": ids[num]} for num, acts in pending for act in acts]
        if rows:
            conn.execute(sa.insert(Activity), rows)
        leaders += len(leader_batch)
        activities += len(rows)
        leader_batch.clear()
        pending.clear()

    with store.engine.begin() as conn:
        for leader, acts in generate(count, today, seed):
            leader_batch.append(leader)
            pending.append((leader["registratienummer"], acts))
            if len(leader_batch) >= BATCH:
                flush(conn)
        flush(conn)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        with store.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return leaders, activities, time.perf_counter() - started


def measure(store: Store, count: int, lookups: int, today: date, seed: int) -> dict[str, Any]:
    book = load_rules()
    rnd = random.Random(seed + 1)
    numbers = [number(rnd.randrange(count)) for _ in range(lookups + 50)]
    totals: list[float] = []
    db_only: list[float] = []
    activity_counts: list[int] = []
    for i, num in enumerate(numbers):
        t0 = time.perf_counter()
        leader = store.leader(num)
        activities = store.activities(num)
        t1 = time.perf_counter()
        assert leader is not None
        derivation = explain(book.evaluate(to_dossier(leader, activities), today)).text
        t2 = time.perf_counter()
        assert derivation
        if i >= 50:  # warm-up
            totals.append((t2 - t0) * 1000)
            db_only.append((t1 - t0) * 1000)
            activity_counts.append(len(activities))

    def figures(values: list[float]) -> dict[str, float]:
        return {"p50_ms": round(statistics.median(values), 3), "p95_ms": round(percentile(values, 0.95), 3),
                "p99_ms": round(percentile(values, 0.99), 3), "mean_ms": round(statistics.fmean(values), 3)}

    return {"lookups": len(totals), "lookup_and_evaluate": figures(totals), "database_only": figures(db_only),
            "mean_activities_per_lookup": round(statistics.fmean(activity_counts), 2)}


def run_backend(name: str, url: str, args: argparse.Namespace, today: date) -> dict[str, Any]:
    store = Store(url)
    try:
        store.upgrade()
        leaders, activities, seconds = fill(store, args.leaders, today, args.seed)
        print(f"[{name}] filled {leaders:,} leaders and {activities:,} activities in {seconds:.1f} s", flush=True)
        result = measure(store, args.leaders, args.lookups, today, args.seed)
        with store.engine.connect() as conn:
            version = (conn.execute(sa.text("SELECT version()")).scalar_one() if name == "postgresql"
                       else f"SQLite {sqlite3.sqlite_version}")
    finally:
        store.close()
    return {"backend": name, "server": str(version).split(",")[0], "leaders": leaders, "activities": activities,
            "fill_seconds": round(seconds, 1), **result}


def fresh_postgres(url: str) -> tuple[str, Any, str]:
    base = sa.engine.make_url(url)
    name = f"{base.database}_bench"
    admin = sa.create_engine(base.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return base.set(database=name).render_as_string(hide_password=False), admin, name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaders", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--sqlite", type=Path, default=REPO / "var" / "bench" / "bench_store.db",
                        help="SQLite file to (re)create")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--postgres", metavar="URL", help="also on PostgreSQL (a fresh <name>_bench database)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    if args.leaders < 1 or args.lookups < 1:
        parser.error("--leaders and --lookups must be at least 1")
    today = date.today()
    results = []
    if not args.no_sqlite:
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite}{suffix}").unlink(missing_ok=True)
        results.append(run_backend("sqlite", f"sqlite:///{args.sqlite}", args, today))
    if args.postgres:
        url, admin, name = fresh_postgres(args.postgres)
        try:
            results.append(run_backend("postgresql", url, args, today))
        finally:
            if not args.keep:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    report = {
        "benchmark": "Store.leader + Store.activities + to_dossier + RuleBook.evaluate, one lookup at a time",
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
                   f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}",
        "date": datetime.now(timezone.utc).date().isoformat(),
        "results": results,
    }
    print(f"machine: {report['machine']}; date: {report['date']}")
    for r in results:
        t, d = r["lookup_and_evaluate"], r["database_only"]
        print(f"{r['backend']:>10} ({r['server']}): {r['leaders']:,} leaders, {r['activities']:,} activities; "
              f"{r['lookups']} lookups: p50 {t['p50_ms']:.3f} ms, p95 {t['p95_ms']:.3f} ms, p99 {t['p99_ms']:.3f} ms "
              f"(database part p50 {d['p50_ms']:.3f} ms, p95 {d['p95_ms']:.3f} ms); fill {r['fill_seconds']} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
