#!/usr/bin/env python
"""Answer evaluation (`make eval`): the frozen evaluation set in tests/eval/, sent to the running assistant.

Every case is a fresh conversation over the REST channel (a leader's case with that leader's verified
identity, through the back-office header). Each judged turn is checked against its patterns: all
`expect` patterns must match the reply and no `reject` pattern may. A case is

- correct:  every judged turn answered correctly in one turn;
- clarify:  no wrong turn, but at least one turn was a clarification question or an honest "I can't
            answer that" (no claim made);
- wrong:    at least one judged turn made a claim that failed its patterns, or no reply came.

The set is written independently of the training data and never trained on (tests/test_eval_set.py
checks the overlap and the freeze). Reports: results/eval.json and results/eval.md.

    make eval                                        # trains if needed, starts its own servers
    .venv/bin/python bench/eval_answers.py --url http://127.0.0.1:5005 --backoffice-token TOKEN
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import yaml

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO / "tests" / "eval"
RESULTS = REPO / "results"

# Replies that ask the user to clarify, or decline honestly without claiming anything.
CLARIFY_MARKERS = (
    r"Ik weet niet zeker wat je bedoelt",
    r"Over welke (opleiding|thema|programma)",
    r"Kun je hem anders stellen",
    r"deze vraag kan ik niet goed beantwoorden",
    r"Welk (niveau|leerniveau)",
    r"Op welk (leer)?niveau",
    r"Wat heb je (al )?gedaan",
)
CLARIFY_RE = re.compile("|".join(CLARIFY_MARKERS), re.I)
# A reply that leaks an internal error is always wrong, whatever the patterns say.
LEAK_RE = re.compile(r"Traceback|Exception|\bNone\b|\{[a-z_]+\}")
OUTCOMES = ("correct", "clarify", "wrong")
STYLES_OF_NOTE = ("bare", "formal", "narrative", "typo", "followup", "anonymous")


@dataclass(frozen=True)
class Turn:
    say: str
    expect: tuple[re.Pattern[str], ...] = ()
    reject: tuple[re.Pattern[str], ...] = ()

    @property
    def judged(self) -> bool:
        return bool(self.expect or self.reject)


@dataclass(frozen=True)
class Case:
    id: str
    topic: str
    style: str
    turns: tuple[Turn, ...]
    leader: str | None = None
    file: str = ""


@dataclass
class TurnResult:
    say: str
    reply: str
    outcome: str
    missing: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


@dataclass
class CaseResult:
    case: Case
    outcome: str
    turns: list[TurnResult]


class EvalSetError(ValueError):
    pass


def compile_patterns(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise EvalSetError(f"{where}: patterns must be a list of strings")
    try:
        return tuple(re.compile(p, re.I | re.S) for p in raw)
    except re.error as exc:
        raise EvalSetError(f"{where}: bad pattern: {exc}") from exc


def load_cases(directory: Path = EVAL_DIR, pattern: str = "cases_*.yml") -> list[Case]:
    """Every case of every file matching `pattern` in `directory`, checked (unique ids, turns, patterns)."""
    cases: list[Case] = []
    seen: set[str] = set()
    files = sorted(directory.glob(pattern))
    if not files:
        raise EvalSetError(f"no cases_*.yml in {directory}")
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for index, raw in enumerate(data.get("cases") or []):
            where = f"{path.name} case {index + 1}"
            if not isinstance(raw, dict):
                raise EvalSetError(f"{where}: not a mapping")
            # Ids are unique within a file; the file's name makes them unique across files.
            case_id = f"{path.stem.removeprefix('cases_')}/{raw.get('id') or ''}"
            if not raw.get("id") or case_id in seen:
                raise EvalSetError(f"{where}: missing or duplicate id {case_id!r}")
            seen.add(case_id)
            turns = []
            for t_index, t in enumerate(raw.get("turns") or []):
                t_where = f"{path.name} {case_id} turn {t_index + 1}"
                if not isinstance(t, dict) or not isinstance(t.get("say"), str):
                    raise EvalSetError(f"{t_where}: a turn needs 'say'")
                turns.append(Turn(t["say"], compile_patterns(t.get("expect"), t_where),
                                  compile_patterns(t.get("reject"), t_where)))
            if not any(t.judged for t in turns):
                raise EvalSetError(f"{where} ({case_id}): no judged turn")
            leader = raw.get("leader")
            cases.append(Case(case_id, str(raw.get("topic") or "?"), str(raw.get("style") or "?"), tuple(turns),
                              str(leader) if leader is not None else None, path.name))
    return cases


def judge(turn: Turn, reply: str) -> TurnResult:
    if not reply.strip() or LEAK_RE.search(reply):
        return TurnResult(turn.say, reply, "wrong", ["(een antwoord zonder fouten)"])
    missing = [p.pattern for p in turn.expect if not p.search(reply)]
    rejected = [p.pattern for p in turn.reject if p.search(reply)]
    if not missing and not rejected:
        outcome = "correct"
    elif not rejected and CLARIFY_RE.search(reply):
        outcome = "clarify"
    else:
        outcome = "wrong"
    return TurnResult(turn.say, reply, outcome, missing, rejected)


Send = Callable[[str, str, "str | None"], str]


def rest_sender(url: str, backoffice_token: str | None, timeout: float = 30) -> Send:
    endpoint = url.rstrip("/") + "/webhooks/rest/webhook"

    def send(sender: str, message: str, leader: str | None) -> str:
        body: dict[str, Any] = {"sender": sender, "message": message}
        headers = {"Content-Type": "application/json"}
        if leader is not None:
            if not backoffice_token:
                raise SystemExit("a leader's case needs --backoffice-token")
            headers["X-Backoffice-Token"] = backoffice_token
            body["registratienummer"] = leader
        request = urllib.request.Request(endpoint, data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                replies = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
            return f"(geen antwoord: {exc})" if not isinstance(exc, urllib.error.HTTPError) else ""
        parts = []
        for m in replies if isinstance(replies, list) else []:
            if m.get("text"):
                parts.append(str(m["text"]))
            for b in m.get("buttons") or []:
                parts.append(f"[{b.get('title')}]")
        return "\n".join(parts)

    return send


def run_cases(cases: Sequence[Case], send: Send, run_id: str) -> list[CaseResult]:
    results = []
    for case in cases:
        sender = f"eval-{run_id}-{case.id}"
        turn_results = []
        if case.leader is not None:
            # As the widget does when a logged-in leader opens the chat: the session starts first, so an
            # unasked deadline warning arrives then, not glued to the answer of the first question.
            send(sender, "/session_start", case.leader)
        for turn in case.turns:
            reply = send(sender, turn.say, case.leader)
            if turn.judged:
                turn_results.append(judge(turn, reply))
            else:
                turn_results.append(TurnResult(turn.say, reply, "setup"))
        judged = [t.outcome for t in turn_results if t.outcome != "setup"]
        outcome = "wrong" if "wrong" in judged else "clarify" if "clarify" in judged else "correct"
        results.append(CaseResult(case, outcome, turn_results))
    return results


def hedged(result: CaseResult) -> bool:
    """A correct case whose answer came inside a clarification: the fallback quoted the passage of the
    sources that holds the fact, and still asked. Counted as correct, and reported apart."""
    return result.outcome == "correct" and any(
        t.outcome == "correct" and CLARIFY_RE.search(t.reply) for t in result.turns)


def rates(results: Iterable[CaseResult]) -> dict[str, Any]:
    results = list(results)
    counts = Counter(r.outcome for r in results)
    n = sum(counts.values())
    return {"n": n, **{o: counts[o] for o in OUTCOMES},
            **{f"{o}_rate": (counts[o] / n if n else 0.0) for o in OUTCOMES},
            "correct_hedged": sum(1 for r in results if hedged(r))}


def summarise(results: Sequence[CaseResult]) -> dict[str, Any]:
    by_topic: dict[str, list[CaseResult]] = defaultdict(list)
    by_style: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_topic[r.case.topic].append(r)
        by_style[r.case.style].append(r)
    return {
        "overall": rates(results),
        "topics": {t: rates(rs) for t, rs in sorted(by_topic.items())},
        "styles": {s: rates(rs) for s, rs in sorted(by_style.items())},
        "failures": [
            {"id": r.case.id, "topic": r.case.topic, "style": r.case.style, "outcome": r.outcome,
             "leader": r.case.leader,
             "turns": [{"say": t.say, "outcome": t.outcome, "missing": t.missing, "rejected": t.rejected,
                        "reply": t.reply[:600]} for t in r.turns]}
            for r in results if r.outcome != "correct"
        ],
    }


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def table(summary: dict[str, Any], key: str, label: str) -> list[str]:
    lines = [f"| {label} | cases | correct in one turn | clarification | wrong |", "|---|---|---|---|---|"]
    for name, r in summary[key].items():
        lines.append(f"| {name} | {r['n']} | {pct(r['correct_rate'])} | {pct(r['clarify_rate'])} | "
                     f"{pct(r['wrong_rate'])} |")
    o = summary["overall"]
    lines.append(f"| **all** | {o['n']} | **{pct(o['correct_rate'])}** | {pct(o['clarify_rate'])} | "
                 f"**{pct(o['wrong_rate'])}** |")
    return lines


def markdown(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    out = [f"# Answer evaluation ({meta['when']})", "",
           f"{summary['overall']['n']} cases from `tests/eval/` against {meta['target']}; "
           f"{meta['seconds']:.0f} s.", ""]
    o = summary["overall"]
    out += table(summary, "topics", "topic") + [
        "", f"Of the {o['correct']} correct cases, {o['correct_hedged']} got the fact inside a clarification "
            "(the fallback quoted the passage of the sources that holds it, and still asked).",
        "", "By style of question:", ""]
    out += table(summary, "styles", "style") + ["", "## Not correct in one turn", ""]
    for f in summary["failures"]:
        out.append(f"- **{f['id']}** ({f['outcome']}, {f['topic']}/{f['style']}"
                   + (f", leader {f['leader']}" if f["leader"] else "") + ")")
        for t in f["turns"]:
            if t["outcome"] in ("correct", "setup"):
                continue
            reply = " ".join(t["reply"].split())[:300]
            out.append(f"  - “{t['say']}” → {t['outcome']}; missing {t['missing']} rejected {t['rejected']}")
            out.append(f"    - reply: {reply}")
    return "\n".join(out) + "\n"


def print_summary(summary: dict[str, Any]) -> None:
    print("\n".join(table(summary, "topics", "topic")))
    o = summary["overall"]
    print(f"[eval] {o['correct_hedged']} of the {o['correct']} correct cases got the fact inside a clarification "
          "(a quoted passage of the sources)")


def evaluate(send: Send, target: str, cases: Sequence[Case] | None = None,
             out: Path | None = RESULTS) -> dict[str, Any]:
    cases = list(cases) if cases is not None else load_cases()
    started = time.monotonic()
    run_id = str(int(time.time()))
    results = run_cases(cases, send, run_id)
    summary = summarise(results)
    meta = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "target": target,
            "seconds": time.monotonic() - started}
    summary["meta"] = meta
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "eval.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
        (out / "eval.md").write_text(markdown(summary, meta), encoding="utf-8")
    return summary


def sweep(cases: Sequence[Case], thresholds: Sequence[float], weights: Sequence[float | None], out: Path) -> int:
    """The trade-off between a clarification and a wrong answer: one run of the set per setting."""
    sys.path.insert(0, str(REPO))
    from tests.e2e.conftest import BACKOFFICE_TOKEN, start_servers
    rows = []
    for weight in weights:
        for threshold in thresholds:
            env = {"REGISTERWIJZER_FALLBACK_THRESHOLD": str(threshold)}
            if weight is not None:
                env["REGISTERWIJZER_RETRIEVAL_DIET_WEIGHT"] = str(weight)
            with tempfile.TemporaryDirectory() as tmp:
                servers = start_servers(Path(tmp), env)
                try:
                    url = f"http://127.0.0.1:{servers.rasa_port}"
                    summary = evaluate(rest_sender(url, BACKOFFICE_TOKEN), url, cases, None)
                finally:
                    servers.interrupt()
            o = summary["overall"]
            rows.append((weight, threshold, o))
            print(f"[eval] weight {weight} threshold {threshold}: correct {pct(o['correct_rate'])}, "
                  f"clarify {pct(o['clarify_rate'])}, wrong {pct(o['wrong_rate'])}", flush=True)
    lines = ["# Fallback threshold: clarification against wrong answer", "",
             "| DIET weight in the blend | fallback threshold | correct in one turn | clarification | wrong |",
             "|---|---|---|---|---|"]
    for weight, threshold, o in rows:
        lines.append(f"| {'config' if weight is None else weight} | {threshold} | {pct(o['correct_rate'])} | "
                     f"{pct(o['clarify_rate'])} | {pct(o['wrong_rate'])} |")
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval-curve.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running Rasa server (default: start our own servers)")
    parser.add_argument("--backoffice-token", help="REST_CHANNEL_TOKEN of the running server (leaders' cases)")
    parser.add_argument("--only", help="comma-separated topics")
    parser.add_argument("--file", type=Path,
                        help="another set in the same format instead of the frozen one (e.g. tests/eval/own50.yml)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--sweep", metavar="THRESHOLDS",
                        help="comma-separated fallback thresholds: load the model once per value and report the "
                             "curve of correct / clarification / wrong (results/eval-curve.md)")
    parser.add_argument("--weights", metavar="WEIGHTS", default="",
                        help="with --sweep: also these DIET weights of the retrieval blend (1 = DIET alone)")
    args = parser.parse_args(argv)
    cases = load_cases(args.file.parent, args.file.name) if args.file else load_cases()
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.topic in wanted]
    if args.sweep:
        return sweep(cases, [float(x) for x in args.sweep.split(",")],
                     [float(x) for x in args.weights.split(",") if x.strip()] or [None], args.out)
    if args.url:
        summary = evaluate(rest_sender(args.url, args.backoffice_token), args.url, cases, args.out)
    else:
        sys.path.insert(0, str(REPO))
        from tests.e2e.conftest import BACKOFFICE_TOKEN, start_servers
        with tempfile.TemporaryDirectory() as tmp:
            print("[eval] starting the assistant (about 30 s)", flush=True)
            servers = start_servers(Path(tmp))
            try:
                url = f"http://127.0.0.1:{servers.rasa_port}"
                summary = evaluate(rest_sender(url, BACKOFFICE_TOKEN), "our servers (scripts/run.sh)", cases,
                                   args.out)
            finally:
                servers.interrupt()
    print_summary(summary)
    print(f"[eval] report: {args.out / 'eval.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
