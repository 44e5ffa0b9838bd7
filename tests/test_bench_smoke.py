"""Smoke test: the benchmark script runs and prints figures. No timing assertions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_runs_and_prints_numbers(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "bench/bench_rules.py", "--iterations", "50", "--repeats", "2", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^median: \d+(\.\d+)? us per evaluation$", proc.stdout, re.MULTILINE), proc.stdout
    assert re.search(r"^p95: \d+(\.\d+)? us per evaluation$", proc.stdout, re.MULTILINE), proc.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["iterations"] == 50 and figures["repeats"] == 2
    assert figures["median_us"] > 0 and figures["p95_us"] >= figures["median_us"]
    assert figures["machine"]["cpu_count"] >= 1
    assert figures["total_points"] > 0
