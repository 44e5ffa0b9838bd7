"""The helpdesk's e-mail triage on its frozen evaluation set (tests/triage_eval/), with the trained model.

Issue 20 asks `make test` to gate on no wrong draft and a category accuracy of at least 90 %. Measured on
3 December 2026 the triage does not reach that (see results/triage-eval.md and the issue's note): the
targets are an expected failure (`xfail(strict=True)`: it fails the suite the day they are met, so the
marker is taken off then). What is measured today is a floor that may not get worse: a change that adds a
wrong draft or loses category accuracy fails `make test`.

Never tune on the set: bench/eval_triage.py and tests/triage_eval/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import eval_triage  # noqa: E402

pytestmark = pytest.mark.e2e

# Measured on 3 December 2026 (results/triage-eval.md): 70.0 % of categories, 4 wrong drafts of 99
# questions, 33 drafted correctly. Not to get worse, with a small margin: a fresh clone trains its own
# model, and training on another machine's CPU threads may move a borderline question.
FLOOR_CATEGORY = 0.67
CEILING_WRONG = 5
FLOOR_CORRECT = 31


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    assert eval_triage.frozen_ok(), "tests/triage_eval/emails.yml was changed after it was frozen"
    scores, _ = eval_triage.run(eval_triage.load_cases())
    return eval_triage.summary(scores)


def test_the_triage_is_no_worse_than_measured(measured: dict[str, Any]) -> None:
    outcomes = measured["outcomes"]
    assert measured["mails"] == 70 and measured["questions"] == 99
    assert measured["category_accuracy"] >= FLOOR_CATEGORY, measured
    assert outcomes[eval_triage.WRONG] <= CEILING_WRONG, measured
    assert outcomes[eval_triage.CORRECT] >= FLOOR_CORRECT, measured
    assert measured["sender_match_accuracy"] == 1.0, measured  # a match by address only, never by a typed number


@pytest.mark.xfail(strict=True, reason="issue 20's gate is not met yet: 70 % of categories, 4 wrong drafts")
def test_issue_20_gate_no_wrong_draft_and_category_accuracy_of_90_percent(measured: dict[str, Any]) -> None:
    assert measured["outcomes"][eval_triage.WRONG] == 0
    assert measured["category_accuracy"] >= 0.90
