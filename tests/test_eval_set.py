"""The answer evaluation set (tests/eval/) is well-formed, frozen and never trained on."""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"
sys.path.insert(0, str(ROOT / "bench"))

from eval_answers import (  # noqa: E402
    EvalSetError, Turn, judge, load_cases, compile_patterns,
)


def _plain(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", text)
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _training_examples() -> set[str]:
    found = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                for line in str(block.get("examples", "")).splitlines():
                    if line.strip().startswith("- "):
                        found.add(_plain(line.strip()[2:]))
    return found


def test_the_set_is_large_and_covers_every_kind_of_question() -> None:
    cases = load_cases(EVAL)
    assert len(cases) >= 300
    topics = Counter(c.topic for c in cases)
    styles = Counter(c.style for c in cases)
    assert len(topics) >= 15 and min(topics.values()) >= 5, topics
    for style in ("bare", "formal", "narrative", "typo", "followup", "comparison", "anonymous"):
        assert styles[style] >= 5, (style, styles)
    assert sum(1 for c in cases if c.leader) >= 30
    assert sum(1 for c in cases if len(c.turns) > 1) >= 20


def test_no_question_of_the_set_is_trained_on() -> None:
    cases = load_cases(EVAL) + load_cases(EVAL, "own50.yml")
    questions = {_plain(t.say) for c in cases for t in c.turns}
    overlap = questions & _training_examples()
    # Bare one-word answers ("ja", "nee") in a conversation are not questions anybody could copy.
    overlap = {q for q in overlap if len(q.split()) > 2}
    assert not overlap, sorted(overlap)[:10]


def test_the_set_is_frozen() -> None:
    """Each file's hash is recorded; a change needs a reason in CORRECTIONS.md and a new hash."""
    recorded = dict(line.split()[::-1] for line in (EVAL / "FROZEN.sha256").read_text().splitlines() if line)
    files = sorted(p.name for p in EVAL.glob("cases_*.yml"))
    assert sorted(recorded) == files
    for name in files:
        assert hashlib.sha256((EVAL / name).read_bytes()).hexdigest() == recorded[name], (
            f"{name} changed: record why in tests/eval/CORRECTIONS.md and update FROZEN.sha256")


def test_judging() -> None:
    turn = Turn("wat kost B&T", compile_patterns([r"€\s?995"], "t"), compile_patterns([r"gratis"], "t"))
    assert judge(turn, "Een waardering kost € 995 (exclusief btw).").outcome == "correct"
    assert judge(turn, "Het is gratis. € 995").outcome == "wrong"
    assert judge(turn, "Ik weet niet zeker wat je bedoelt. Gaat je vraag over ...").outcome == "clarify"
    assert judge(turn, "Een waardering kost € 1.200.").outcome == "wrong"
    assert judge(turn, "").outcome == "wrong"
    assert judge(turn, "Kosten: € 995 en None").outcome == "wrong"


def test_a_bad_set_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cases_x.yml").write_text("cases:\n  - id: a\n    turns:\n      - say: hoi\n        expect: ['(']\n")
    with pytest.raises(EvalSetError, match="bad pattern"):
        load_cases(tmp_path)
    (tmp_path / "cases_x.yml").write_text("cases:\n  - id: a\n    turns:\n      - say: hoi\n")
    with pytest.raises(EvalSetError, match="no judged turn"):
        load_cases(tmp_path)


def test_the_holdout_set_covers_every_intent_of_the_domain() -> None:
    """Every intent the assistant can be told has held-out examples (at least five), so the held-out gate
    measures all of them; a new intent without held-out examples fails here."""
    import yaml as _yaml
    root = Path(__file__).resolve().parents[1]
    domain = _yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]} - {"nlu_fallback"}
    holdout = _yaml.safe_load((root / "tests" / "nlu" / "holdout.yml").read_text(encoding="utf-8"))
    counts = {item["intent"]: sum(1 for line in item["examples"].splitlines() if line.strip().startswith("- "))
              for item in holdout["nlu"] if "intent" in item}
    thin = {intent: counts.get(intent, 0) for intent in intents if counts.get(intent, 0) < 5}
    assert not thin, f"held-out examples per intent below 5: {thin}"
    assert set(counts) <= intents | {"nlu_fallback"}, set(counts) - intents
