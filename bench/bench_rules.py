"""Benchmark: RuleBook.evaluate and its derivation (explain) on a 20-activity dossier.

Run from the repository root:

    .venv/bin/python bench/bench_rules.py [--iterations N] [--repeats R] [--json FILE]

Each repeat times N evaluations one by one with time.perf_counter; the figures are the median and the
95th percentile over all R × N single evaluations, in microseconds. Rules data is loaded once, before timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.answers.explain import explain  # noqa: E402
from bot.register import (  # noqa: E402
    Dossier,
    ProgrammeActivity,
    ValuationActivity,
    load_rules,
)

ON = date(2024, 1, 1)


def dossier() -> Dossier:
    """20 activities: 8 programmes (some without points) and 12 valuations at levels 4-6."""
    programmes = [
        ProgrammeActivity("leerKRACHT jaar-1", date(2021, 6, 30)),
        ProgrammeActivity("het schoolleidersprogramma", date(2022, 6, 30)),
        ProgrammeActivity("LK1"),
        ProgrammeActivity("SLP"),
        ProgrammeActivity("Teamcoaching voor managers"),
        ProgrammeActivity("Coachingsvaardigheden"),
        ProgrammeActivity("directieprogramma"),
        ProgrammeActivity("leerkracht jaar 1", date(2020, 12, 15)),
    ]
    themes = [None, "kwaliteitszorg", "verandermanagement", "persoonlijk leiderschap"]
    valuations = [
        ValuationActivity(level=4 + i % 3, theme=themes[i % len(themes)], count=1 + i % 2,
                          completed_on=date(2021, 1 + i % 12, 1) if i % 2 else None)
        for i in range(12)
    ]
    activities = tuple(programmes + valuations)
    assert len(activities) == 20
    return Dossier(activities, registration_type="RADO", level="basisbekwaam", period_start=date(2020, 12, 1))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run(iterations: int, repeats: int) -> dict[str, object]:
    book = load_rules()
    subject = dossier()
    result = book.evaluate(subject, ON)  # warm-up, and a check that the dossier evaluates
    samples: list[float] = []
    repeat_medians: list[float] = []
    for _ in range(repeats):
        these: list[float] = []
        for _ in range(iterations):
            start = time.perf_counter()
            explain(book.evaluate(subject, ON))  # what evaluate did before the wording moved to explain
            these.append((time.perf_counter() - start) * 1e6)
        repeat_medians.append(statistics.median(these))
        samples.extend(these)
    return {
        "benchmark": "RuleBook.evaluate + explain, 20-activity dossier",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
        "iterations": iterations,
        "repeats": repeats,
        "total_points": result.total_points,
        "median_us": round(statistics.median(samples), 2),
        "p95_us": round(percentile(samples, 0.95), 2),
        "min_us": round(min(samples), 2),
        "repeat_medians_us": [round(m, 2) for m in repeat_medians],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="evaluations per repeat (default 2000)")
    parser.add_argument("--repeats", type=int, default=5, help="number of repeats (default 5)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.repeats < 1:
        parser.error("--iterations and --repeats must be at least 1")

    figures = run(args.iterations, args.repeats)
    machine = figures["machine"]
    assert isinstance(machine, dict)
    print(f"{figures['benchmark']} ({figures['total_points']} points)")
    print(f"machine: {machine['platform']}, {machine['cpu_count']} CPUs, Python {machine['python']}")
    print(f"date: {figures['date']}")
    print(f"{args.repeats} repeats x {args.iterations} evaluations")
    print(f"median: {figures['median_us']} us per evaluation")
    print(f"p95: {figures['p95_us']} us per evaluation")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
