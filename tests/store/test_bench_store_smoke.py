"""The store benchmark runs end to end on a small database (no timing assertions)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_store_runs_small(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "bench/bench_store.py", "--leaders", "2000", "--lookups", "50",
         "--sqlite", str(tmp_path / "bench.db"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stderr
    assert "p95" in result.stdout and "machine:" in result.stdout
    report = json.loads(out.read_text())
    [sqlite] = report["results"]
    assert sqlite["backend"] == "sqlite" and sqlite["leaders"] == 2000 and sqlite["lookups"] == 50
    assert sqlite["activities"] > 2000
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        assert sqlite["lookup_and_evaluate"][key] > 0
    assert report["machine"] and report["date"]
