"""Model quality gates, run by `make test` on the trained model.

- NLU on the held-out set (tests/nlu/holdout.yml, never trained on): intent macro-F1 >= 0.95 and
  entity micro-F1 >= 0.90. The report (per-intent F1, confusion matrix image, errors) is kept in
  results/nlu/.
- Dialogue: every test story in tests/stories/ with --fail-on-prediction-errors.
"""

from __future__ import annotations

import json
import re
import shutil
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
    shutil.rmtree(out, ignore_errors=True)  # only this run's reports, whatever the classifier is called
    result = subprocess.run(
        [RASA, "test", "nlu", "--nlu", "tests/nlu/holdout.yml", "--model", str(MODEL), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def _plain(example: str) -> str:
    """An example's text without entity annotations, punctuation, case or extra spaces."""
    text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", example)
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _intent_examples(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = set()
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue  # synonyms, lookups and regexes are not examples
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.add(_plain(line[2:]))
    return found


def test_plain_text_ignores_annotations_punctuation_and_case() -> None:
    assert _plain("Moest je [vroeger]{\"entity\": \"regeling\", \"value\": \"oud\"} [drie](theme_count) "
                  "verschillende thema's doen?") == "moest je vroeger drie verschillende thema s doen"
    assert _plain("goeiemiddag!") == _plain("Goeiemiddag")


def test_holdout_set_is_never_trained_on() -> None:
    """No held-out example is a training example, not even with other annotations or punctuation."""
    holdout = _intent_examples(ROOT / "tests/nlu/holdout.yml")
    training = set().union(*(_intent_examples(p) for p in (ROOT / "data/nlu").glob("*.yml")))
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
    (report_file,) = nlu_report.glob("*DIETClassifier_report.json")  # named after the DIET class in config.yml
    report = json.loads(report_file.read_text())
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
