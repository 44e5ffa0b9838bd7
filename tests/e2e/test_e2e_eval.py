"""Model quality gates, run by `make test` on the trained model.

- NLU on the held-out set (tests/nlu/holdout.yml, never trained on): intent macro-F1 >= 0.95 and
  entity micro-F1 >= 0.90. The report (per-intent F1, confusion matrix image, errors) is kept in
  results/nlu/.
- Dialogue: every test story in tests/stories/ with --fail-on-prediction-errors.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import MODEL, ROOT

pytestmark = pytest.mark.e2e

RASA = str(ROOT / ".venv/bin/rasa")
RESULTS = ROOT / "results"
INTENT_MACRO_F1 = 0.95
ENTITY_F1 = 0.90


@pytest.fixture(scope="module")
def nlu_report() -> Path:
    out = RESULTS / "nlu"
    result = subprocess.run(
        [RASA, "test", "nlu", "--nlu", "tests/nlu/holdout.yml", "--model", str(MODEL), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def test_holdout_set_is_never_trained_on() -> None:
    def texts(path: Path) -> set[str]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = set()
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.add(line[2:].strip().lower())
        return found

    holdout = texts(ROOT / "tests/nlu/holdout.yml")
    training = set().union(*(texts(p) for p in (ROOT / "data/nlu").glob("*.yml")))
    assert holdout and not holdout & training, sorted(holdout & training)[:10]


def test_intent_macro_f1_on_the_holdout_set(nlu_report: Path) -> None:
    report = json.loads((nlu_report / "intent_report.json").read_text())
    macro = report["macro avg"]["f1-score"]
    weak = {k: round(v["f1-score"], 2) for k, v in report.items()
            if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
            and v["f1-score"] < 0.9}
    assert macro >= INTENT_MACRO_F1, f"intent macro-F1 {macro:.3f} < {INTENT_MACRO_F1}; weak intents: {weak}"
    assert (nlu_report / "intent_confusion_matrix.png").exists()


def test_entity_f1_on_the_holdout_set(nlu_report: Path) -> None:
    report = json.loads((nlu_report / "DIETClassifier_report.json").read_text())
    f1 = report["micro avg"]["f1-score"]
    weak = {k: round(v["f1-score"], 2) for k, v in report.items()
            if isinstance(v, dict) and "f1-score" in v and "avg" not in k and v["f1-score"] < 0.85}
    assert f1 >= ENTITY_F1, f"entity micro-F1 {f1:.3f} < {ENTITY_F1}; weak entities: {weak}"


def test_dialogue_test_stories_pass() -> None:
    out = RESULTS / "core"
    result = subprocess.run(
        [RASA, "test", "core", "--stories", "tests/stories", "--model", str(MODEL), "--out", str(out),
         "--fail-on-prediction-errors"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    failed = (out / "failed_test_stories.yml")
    detail = failed.read_text()[-3000:] if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, detail + result.stderr[-2000:]
