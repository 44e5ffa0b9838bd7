"""Smoke test: `bench/bench_assistant.py --quick` (make bench-quick) runs against the real servers and
writes every figure. No timing assertions."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]


def test_bench_assistant_quick_writes_the_figures(tmp_path: Path) -> None:
    out, md = tmp_path / "bench.json", tmp_path / "bench.md"
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "bench/bench_assistant.py", "--quick", "--json", str(out), "--md", str(md)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["quick"] is True and report["date"] and report["command"]
    assert report["machine"]["cpu_count"] >= 1 and report["machine"]["total_memory_bytes"] > 0

    understanding = report["understanding"]
    for key in ("intent_accuracy", "intent_macro_f1", "entity_micro_f1"):
        assert 0 <= understanding[key] <= 1, key
    assert understanding["per_intent"] and "misclassified" in understanding
    assert understanding["confusion_matrix_png"].endswith("intent_confusion_matrix.png")

    levels = report["speed"]["levels"]
    assert [level["clients"] for level in levels] == [1, 2]
    for level in levels:
        ours = level["ours"]
        assert ours["turns"] == level["clients"] * level["turns_per_client"]
        assert 0 < ours["p50_ms"] <= ours["p95_ms"] and ours["throughput_turns_per_s"] > 0
        if level.get("sample"):  # only with a cached sample (make bench trains it once)
            assert level["p95_ratio"] > 0 and level["throughput_ratio"] > 0

    long_ours = report["long_conversation"]["ours"]
    assert len(long_ours["curve_ms"]) == long_ours["turns"] == 20
    assert long_ours["early_ms"] > 0 and long_ours["late_ms"] > 0 and long_ours["ratio_late_to_early"] > 0

    cost = report["cost"]
    memory = cost["memory"]
    assert memory["turns_ours"] >= 50
    assert memory["ours"]["by_role"]["rasa_server"]["rss_bytes"] > 0
    assert memory["ours"]["by_role"]["action_server"]["rss_bytes"] > 0
    assert cost["model_bytes"]["ours"] > 0 and "training" in cost

    scale = report["scale"]
    assert scale["rules"]["median_us"] > 0 and scale["store"]["results"][0]["lookup_and_evaluate"]["p95_ms"] > 0

    assert report["targets"] and all({"figure", "value", "target", "met"} <= set(t) for t in report["targets"])
    text = md.read_text(encoding="utf-8")
    for heading in ("## Targets", "## Understanding", "## Speed", "## Long conversations", "## Cost", "## Scale"):
        assert heading in text

    # Every turn got an answer: a benchmark of failed turns measures nothing. And the report is whole.
    assert report["turns_sent"].get("registerwijzer", 0) > 0
    unanswered = {name: v["count"] for name, v in (report.get("unanswered_turns") or {}).items()}
    assert unanswered.get("registerwijzer", 0) == 0, report["unanswered_turns"]
    assert any(t["figure"] == "turns without an answer, registerwijzer" and t["met"] for t in report["targets"])
    assert "turns without an answer" in text
