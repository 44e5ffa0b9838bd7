"""The helpdesk's e-mail triage on its frozen evaluation set (tests/triage_eval/), with the trained model.

Issue 20 asks `make test` to gate on no wrong draft and a category accuracy of at least 90 %. Measured on
4 December 2026 (results/triage-eval.md): 91.4 % of categories, no wrong draft, 38 of 99 questions drafted
correctly. The gate is the issue's; the drafts drafted correctly and the sender matches may not get worse.

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

# Issue 20's gate, and a floor under what was measured on 4 December 2026 (38 drafted correctly) with a
# small margin: a fresh clone trains its own model, and another machine's CPU threads may move a
# borderline question.
FLOOR_CATEGORY = 0.90
CEILING_WRONG = 0
FLOOR_CORRECT = 36


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    assert eval_triage.frozen_ok(), "tests/triage_eval/emails.yml was changed after it was frozen"
    scores, _ = eval_triage.run(eval_triage.load_cases())
    return eval_triage.summary(scores)


def test_issue_20_gate_no_wrong_draft_category_accuracy_of_90_percent_and_no_worse_drafts(
        measured: dict[str, Any]) -> None:
    outcomes = measured["outcomes"]
    assert measured["mails"] == 70 and measured["questions"] == 99
    assert measured["category_accuracy"] >= FLOOR_CATEGORY, measured
    assert outcomes[eval_triage.WRONG] <= CEILING_WRONG, measured
    assert outcomes[eval_triage.CORRECT] >= FLOOR_CORRECT, measured
    assert measured["sender_match_accuracy"] == 1.0, measured  # a match by address only, never by a typed number

