"""The helpdesk's e-mail triage measured on its frozen evaluation set (tests/triage_eval/, issue 20).

    .venv/bin/python bench/eval_triage.py            # writes results/triage-eval.md and .json

Every mail goes through `triage_mail` with the trained model (channels/understanding.py) and a fresh
SQLite store holding the demo leaders, so a sender's address can match one. Scored per mail: category,
priority, and the probable sender match. Scored per expected question (see `score_question`): drafted
correctly, drafted wrongly, or left to a person (rightly so when the sources do not answer it).

The set is only measured on, never trained or tuned on (tests/triage_eval/README.md). `make bench` runs
this; `tests/e2e/test_triage_eval.py` gates `make test` on no wrong draft and category accuracy ≥ 90 %.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVAL = ROOT / "tests" / "triage_eval"
CORRECT, WRONG, LEFT, RIGHTLY_LEFT = "goed", "fout", "aan een mens (beantwoordbaar)", "terecht aan een mens"
STOP = frozenset("""de het een en of ik je u mijn jouw uw is zijn ben heb hebt heeft moet moeten kan kun kunt
mag wil wat hoe hoeveel welke wanneer waar wie waarom dat die dit deze er in op voor van met aan bij naar om te
tot ook nog al dan als maar niet geen wel zo hier daar me mij we wij ze zij hij over uit door""".split())


def load_cases(path: Path = EVAL / "emails.yml") -> list[dict[str, Any]]:
    import yaml

    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(cases, list)
    return cases


def frozen_ok() -> bool:
    """Whether emails.yml still has the hash recorded when it was frozen."""
    expected = (EVAL / "FROZEN.sha256").read_text().split()[0]
    return hashlib.sha256((EVAL / "emails.yml").read_bytes()).hexdigest() == expected


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-z0-9]+", _fold(text)) if w not in STOP and len(w) > 1}


def _contains(text: str, needle: str) -> bool:
    return _fold(needle) in _fold(text)


@dataclass
class QuestionScore:
    mail: str
    ask: str
    answerable: bool
    outcome: str
    matched: str | None
    status: str | None
    why: str


@dataclass
class MailScore:
    id: str
    category: tuple[str, str]
    priority: tuple[str, str]
    priority_reason_ok: bool
    sender: tuple[str | None, str | None]
    questions: list[QuestionScore] = field(default_factory=list)


def _match(ask: str, questions: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The triaged question that shares most content words with the expected one (None: none shares any)."""
    wanted = _words(ask)
    best, best_score = None, 0.0
    for q in questions:
        have = _words(str(q["text"]))
        score = len(wanted & have) / max(1, len(wanted | have))
        if score > best_score:
            best, best_score = q, score
    return best


def score_question(mail: str, expected: Mapping[str, Any], result: Mapping[str, Any]) -> QuestionScore:
    """The issue's unit is the mail's draft: the facts a correct reply must hold are looked for in the
    whole reply, and any forbidden text anywhere in it is wrong. Which of our questions answers the expected
    one (the most shared words) decides whether it was drafted at all.

    Answerable: every must_contain in the reply → correct; drafted but a fact missing → wrong; not drafted
    → left to a person. Not answerable: drafted → wrong (a claim the sources do not make); else rightly
    left to a person."""
    ask, answerable = str(expected["ask"]), bool(expected["answerable"])
    must, must_not = list(expected.get("must_contain") or ()), list(expected.get("must_not_contain") or ())
    q = _match(ask, result["questions"])
    everything = "\n".join([str(result.get("reply") or "")] + [str(x.get("draft") or "") for x in result["questions"]])
    forbidden = [n for n in must_not if _contains(everything, n)]
    status = q["status"] if q else None
    matched = str(q["text"]) if q else None
    if forbidden:
        return QuestionScore(mail, ask, answerable, WRONG, matched, status, f"verboden tekst: {forbidden}")
    missing = [n for n in must if not _contains(everything, n)]
    drafted = q is not None and q["status"] == "concept"
    if answerable and drafted and not missing:
        return QuestionScore(mail, ask, answerable, CORRECT, matched, status, "")
    if answerable and drafted:
        return QuestionScore(mail, ask, answerable, WRONG, matched, status, f"concept mist: {missing}")
    if drafted:
        return QuestionScore(mail, ask, answerable, WRONG, matched, status, "concept voor een vraag buiten de bronnen")
    outcome = LEFT if answerable else RIGHTLY_LEFT
    return QuestionScore(mail, ask, answerable, outcome, matched, status, (q or {}).get("reason", "geen vraag gevonden"))


def score_mail(case: Mapping[str, Any], result: Mapping[str, Any]) -> MailScore:
    expect = case["expect"]
    phrases = [m.group(1) for r in expect.get("priority_reasons") or () for m in [re.search(r"'([^']+)'", r)] if m]
    reasons = " ".join(result["reasons"])
    reason_ok = expect["priority"] != "hoog" or result["priority"] != "hoog" or not phrases or any(
        _contains(reasons, p) or any(_contains(p, w) for w in re.findall(r"'([^']+)'", reasons)) for p in phrases)
    match = result["sender_match"]
    ours = match["registratienummer"] if match["status"] in ("waarschijnlijk", "bevestigd") else None
    score = MailScore(case["id"], (expect["category"], result["category"]), (expect["priority"], result["priority"]),
                      reason_ok, (expect.get("sender_match"), ours))
    score.questions = [score_question(case["id"], q, result) for q in expect.get("questions") or ()]
    return score


def summary(scores: Sequence[MailScore]) -> dict[str, Any]:
    n = len(scores)
    questions = [q for s in scores for q in s.questions]
    outcomes = Counter(q.outcome for q in questions)
    answerable = [q for q in questions if q.answerable]
    return {
        "mails": n,
        "category_accuracy": sum(s.category[0] == s.category[1] for s in scores) / n,
        "priority_accuracy": sum(s.priority[0] == s.priority[1] for s in scores) / n,
        "priority_reason_ok": sum(s.priority_reason_ok for s in scores) / n,
        "sender_match_accuracy": sum(s.sender[0] == s.sender[1] for s in scores) / n,
        "questions": len(questions),
        "answerable": len(answerable),
        "outcomes": {k: outcomes.get(k, 0) for k in (CORRECT, WRONG, LEFT, RIGHTLY_LEFT)},
        "drafted_correctly_share": outcomes.get(CORRECT, 0) / max(1, len(questions)),
        "wrong_share": outcomes.get(WRONG, 0) / max(1, len(questions)),
        "left_to_person_share": (outcomes.get(LEFT, 0) + outcomes.get(RIGHTLY_LEFT, 0)) / max(1, len(questions)),
        "answerable_drafted_correctly": outcomes.get(CORRECT, 0) / max(1, len(answerable)),
    }


def run(cases: Sequence[Mapping[str, Any]], understand: Any = None, today: date | None = None
        ) -> tuple[list[MailScore], list[dict[str, Any]]]:
    """Triage every case with a fresh demo store; the scores and the raw triage JSON."""
    from bot.helpdesk.mailtriage import Mail, triage_mail
    from bot.register import load_rules
    from bot.store import Store
    from bot.store.demo import install_demo

    if understand is None:
        from channels.understanding import RasaUnderstanding

        understand = RasaUnderstanding()
    book, day = load_rules(), today or date.today()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'triage-eval.db'}")
        store.upgrade()
        install_demo(store, book, day)
        scores, raw = [], []
        for case in cases:
            mail = Mail(case["subject"], case["body"], case.get("body_format") == "html", case["from"],
                        case.get("registratienummer"))
            result = triage_mail(mail, understand, book, day, store=store).to_json()
            raw.append({"id": case["id"], **result})
            scores.append(score_mail(case, result))
        store.close()
    return scores, raw


def markdown(stats: Mapping[str, Any], scores: Sequence[MailScore], seconds: float) -> str:
    o = stats["outcomes"]
    lines = [
        "# E-mail triage on the frozen set (tests/triage_eval/)", "",
        f"{stats['mails']} mails, {stats['questions']} questions ({stats['answerable']} answerable from the "
        f"sources); {seconds:.0f} s including loading the model.", "",
        "| measure | value |", "|---|---|",
        f"| category accuracy | {stats['category_accuracy']:.1%} |",
        f"| priority accuracy | {stats['priority_accuracy']:.1%} |",
        f"| priority `hoog` with the right reason | {stats['priority_reason_ok']:.1%} |",
        f"| probable sender match | {stats['sender_match_accuracy']:.1%} |",
        f"| questions drafted correctly | {o[CORRECT]} ({stats['drafted_correctly_share']:.1%}) |",
        f"| questions drafted wrongly | {o[WRONG]} ({stats['wrong_share']:.1%}) |",
        f"| answerable, left to a person | {o[LEFT]} |",
        f"| not answerable, rightly left to a person | {o[RIGHTLY_LEFT]} |",
        f"| answerable questions drafted correctly | {stats['answerable_drafted_correctly']:.1%} |", "",
        "## Mails with a wrong category or priority", "",
    ]
    for s in scores:
        if s.category[0] != s.category[1] or s.priority[0] != s.priority[1]:
            lines.append(f"- {s.id}: category {s.category[1]} (expected {s.category[0]}), "
                         f"priority {s.priority[1]} (expected {s.priority[0]})")
    lines += ["", "## Wrong drafts", ""]
    lines += [f"- {q.mail}: “{q.ask}” — {q.why}" for s in scores for q in s.questions if q.outcome == WRONG] or ["none"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "triage-eval")
    args = parser.parse_args(argv)
    if not frozen_ok():
        print("tests/triage_eval/emails.yml differs from FROZEN.sha256: the set was changed.", file=sys.stderr)
        return 1
    started = time.monotonic()
    scores, raw = run(load_cases())
    seconds = time.monotonic() - started
    stats = summary(scores)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(
        {"summary": stats, "seconds": round(seconds, 1), "mails": raw,
         "questions": [q.__dict__ for s in scores for q in s.questions]}, ensure_ascii=False, indent=1))
    report = markdown(stats, scores, seconds)
    args.out.with_suffix(".md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
