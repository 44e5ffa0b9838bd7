"""Benchmark: what users feel, as ratios against Rasa's own sample assistant in the same run.

Run from the repository root (`make bench`, or `make bench-quick` for the short version):

    .venv/bin/python bench/bench_assistant.py [--quick] [--train] [--postgres URL] [--json FILE] [--md FILE]

1. Understanding: the held-out evaluation Rasa writes to results/nlu/ (re-run when missing or older than
   the model): intent accuracy and macro-F1, entity micro-F1, per-intent table, misclassified examples.
2. Speed: REST turn latency p50/p95 and throughput for 1 and 10 concurrent clients, ours (scripts/run.sh on
   free ports, a temp SQLite store with the demo leaders) against `rasa init`'s moodbot (the floor),
   alternating the two; both warmed up first.
3. Long conversations: 100 turns in one conversation (3 senders, one after another), latency early vs late.
4. Cost: training time (from the last `make train` log, or measured with --train), model size, resident
   memory of the Rasa and action servers after 1,000 turns.
5. Scale: bench/bench_rules.py and bench/bench_store.py, run as subprocesses.

Writes results/bench.json and results/bench.md (quick: results/bench-quick.*). The trained sample is cached
under results/bench-sample/rasa-VERSION/; --quick never trains it (sample figures are then skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import assistant_load as load  # noqa: E402
import assistant_report as report_md  # noqa: E402
import assistant_servers as servers  # noqa: E402

REPO = servers.REPO
PY = REPO / ".venv" / "bin" / "python"
MODEL = servers.MODEL
NLU_OUT = REPO / "results" / "nlu"
NLU_COMMAND = ["rasa", "test", "nlu", "--nlu", "tests/nlu/holdout.yml", "--model", "models/registerwijzer.tar.gz",
               "--out", "results/nlu"]
TRAIN_LOGS = (REPO / "results" / "train.log", REPO / "var" / "train.log", REPO / ".stamps" / "train.log")
SECTIONS = ("understanding", "speed", "long", "memory", "cost", "scale")

TARGETS = {"p95_ratio": 1.5, "throughput_ratio": 0.7, "long_ratio": 1.5, "memory_bytes": int(1.5 * 2**30),
           "training_seconds": 300}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    total = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                total = int(line.split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        models = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")]
        cpu = models[0] if models else cpu
    except OSError:
        pass
    return {"platform": platform.platform(), "processor": cpu, "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "rasa": servers.rasa_version(), "total_memory_bytes": total}


# --- 1. Understanding ----------------------------------------------------------------------------

def nlu_is_fresh() -> bool:
    report = NLU_OUT / "intent_report.json"
    return report.exists() and report.stat().st_mtime >= MODEL.stat().st_mtime


def start_nlu_evaluation(tmp: Path) -> subprocess.Popen[bytes] | None:
    if nlu_is_fresh():
        log("understanding: results/nlu is newer than the model; reading it")
        return None
    log("understanding: running " + " ".join(NLU_COMMAND))
    command = [str(REPO / ".venv" / "bin" / NLU_COMMAND[0]), *NLU_COMMAND[1:]]
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, **servers.QUIET_ENV},
                            stdout=(tmp / "nlu.log").open("wb"), stderr=subprocess.STDOUT)


def finish_understanding(process: subprocess.Popen[bytes] | None, tmp: Path) -> dict[str, Any]:
    if process is not None and process.wait(timeout=1800) != 0:
        return {"skipped": f"rasa test nlu failed: {(tmp / 'nlu.log').read_text()[-1500:]}"}
    try:
        return {**report_md.understanding(NLU_OUT), "results_dir": str(NLU_OUT.relative_to(REPO)),
                "evaluated_now": process is not None}
    except (OSError, KeyError, ValueError) as exc:
        return {"skipped": f"could not read results/nlu: {exc}"}


# --- 2-4. Speed, long conversations, memory ---------------------------------------------------------

class Counter:
    """Turns sent to each assistant, for 'memory after N turns'."""

    def __init__(self) -> None:
        self.turns: dict[str, int] = {}

    def add(self, name: str, n: int) -> None:
        self.turns[name] = self.turns.get(name, 0) + n


def run_speed(ours: load.Target, sample: load.Target | None, levels: list[int], turns: int, rounds: int,
              counter: Counter) -> dict[str, Any]:
    result: dict[str, Any] = {"script_ours": list(ours.script),
                              "script_sample": list(sample.script) if sample else list(load.SAMPLE_SCRIPT),
                              "levels": []}
    for clients in levels:
        pooled: dict[str, list[float]] = {"ours": [], "sample": []}
        by_message: dict[str, dict[str, list[float]]] = {"ours": {}, "sample": {}}
        walls = {"ours": 0.0, "sample": 0.0}
        for round_ in range(rounds):  # alternate ours and the sample so drift in machine load hits both
            for key, target in (("ours", ours), ("sample", sample)):
                if target is None:
                    continue
                per_client, wall = load.conversations(target, clients, turns, f"c{clients}r{round_}")
                pooled[key].extend(x for c in per_client for x in c)
                for c in per_client:
                    for i, x in enumerate(c):
                        by_message[key].setdefault(target.script[i % len(target.script)], []).append(x)
                walls[key] += wall
                counter.add(target.name, clients * turns)
        level: dict[str, Any] = {"clients": clients, "turns_per_client": turns, "rounds": rounds}
        for key in ("ours", "sample"):
            if pooled[key]:
                level[key] = {"turns": len(pooled[key]), **load.summary(pooled[key]),
                              "wall_s": round(walls[key], 2),
                              "throughput_turns_per_s": round(len(pooled[key]) / walls[key], 2),
                              "p50_ms_by_message": {m: round(statistics.median(v), 1)
                                                    for m, v in by_message[key].items()}}
        if "sample" in level:
            level["p95_ratio"] = round(level["ours"]["p95_ms"] / level["sample"]["p95_ms"], 2)
            level["throughput_ratio"] = round(level["ours"]["throughput_turns_per_s"]
                                              / level["sample"]["throughput_turns_per_s"], 2)
        o = level["ours"]
        log(f"speed, {clients} client(s): ours p50 {o['p50_ms']:.0f} ms, p95 {o['p95_ms']:.0f} ms, "
            f"{o['throughput_turns_per_s']:.2f} turns/s"
            + (f"; sample p95 {level['sample']['p95_ms']:.0f} ms, {level['sample']['throughput_turns_per_s']:.2f} "
               f"turns/s; ratios p95 {level['p95_ratio']}, throughput {level['throughput_ratio']}"
               if "sample" in level else ""))
        result["levels"].append(level)
    return result


def windows(turns: int) -> tuple[tuple[int, int], tuple[int, int]]:
    width = 10 if turns >= 40 else max(1, turns // 4)
    early_start = 6 if turns >= 40 else 2
    return (early_start, early_start + width - 1), (turns - width + 1, turns)


def run_long(ours: load.Target, sample: load.Target | None, turns: int, senders: int,
             counter: Counter) -> dict[str, Any]:
    early, late = windows(turns)
    result: dict[str, Any] = {}
    for key, target in (("ours", ours), ("sample", sample)):
        if target is None:
            result[key] = {"skipped": "no sample assistant"}
            continue
        result[key] = load.long_conversation(target, turns, senders, early, late)
        counter.add(target.name, turns * senders)
        v = result[key]
        log(f"long conversation, {key}: turns {early[0]}-{early[1]} {v['early_ms']:.0f} ms, "
            f"turns {late[0]}-{late[1]} {v['late_ms']:.0f} ms, ratio {v['ratio_late_to_early']}")
    return result


def top_up(target: load.Target, counter: Counter, total: int, clients: int) -> None:
    missing = total - counter.turns.get(target.name, 0)
    if missing > 0:
        per_client = -(-missing // clients)
        log(f"memory: {clients} clients x {per_client} more turns to {target.name} (to reach {total})")
        load.conversations(target, clients, per_client, "mem")
        counter.add(target.name, clients * per_client)


# --- 4. Cost ---------------------------------------------------------------------------------------

def training_from_log() -> dict[str, Any] | None:
    for path in TRAIN_LOGS:
        if path.exists():
            found = re.findall(r"\[train\] done in (\d+) s", path.read_text(errors="replace"))
            if found:
                return {"ours_seconds": float(found[-1]), "ours_source": f"last `make train` in {path.relative_to(REPO)}"}
    return None


def train_ours(tmp: Path) -> dict[str, Any]:
    out = tmp / "train"
    command = ["bash", str(REPO / "scripts" / "rasa-train.sh"), str(out), "bench-train"]  # as make train does
    log("cost: training our model from scratch into a temp folder (about 5 minutes)")
    start = time.monotonic()
    done = subprocess.run(command, cwd=REPO, env={**os.environ, **servers.QUIET_ENV}, capture_output=True,
                          timeout=7200)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        return {"ours_seconds": None, "ours_source": "rasa train failed: " + done.stderr.decode()[-500:]}
    return {"ours_seconds": round(seconds, 1), "ours_source": "measured: scripts/rasa-train.sh TEMP bench-train",
            "ours_trained_model_bytes": (out / "bench-train.tar.gz").stat().st_size}


# --- 5. Scale --------------------------------------------------------------------------------------

def run_scale(quick: bool, postgres: str | None, tmp: Path) -> dict[str, Any]:
    rules_json = tmp / "bench_rules.json" if quick else REPO / "results" / "bench_rules.json"
    store_json = tmp / "bench_store.json" if quick else REPO / "results" / "bench_store.json"
    rules_cmd = ["bench/bench_rules.py", *(["--iterations", "200", "--repeats", "2"] if quick else [])]
    store_cmd = ["bench/bench_store.py", *(["--leaders", "2000", "--lookups", "50", "--sqlite", str(tmp / "store.db")]
                                           if quick else [])]
    shown = [".venv/bin/python", *store_cmd]
    if postgres and not quick:
        store_cmd += ["--postgres", postgres]
        shown += ["--postgres", '"$(bash scripts/postgres.sh start)"']
    result: dict[str, Any] = {"commands": {"rules": " ".join([".venv/bin/python", *rules_cmd]),
                                           "store": " ".join(shown)}, "errors": {}}
    for key, command, out in (("rules", rules_cmd, rules_json), ("store", store_cmd, store_json)):
        log(f"scale: {' '.join(command[:1])}")
        done = subprocess.run([str(PY), *command, "--json", str(out)], cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, **servers.QUIET_ENV}, timeout=3600)
        if done.returncode != 0:
            result["errors"][key] = done.stderr[-1500:]
            continue
        result[key] = json.loads(out.read_text(encoding="utf-8"))
    return result


def keep_logs(tmp: Path, report: dict[str, Any]) -> None:
    """Copy the servers' logs to results/bench-logs/ (the temp folder goes away)."""
    target = REPO / "results" / ("bench-quick-logs" if report["quick"] else "bench-logs")
    kept = []
    for source in (tmp / "ours" / "run.log", tmp / "sample" / "sample-run.log", tmp / "nlu.log"):
        if source.exists():
            target.mkdir(parents=True, exist_ok=True)
            (target / source.name).write_bytes(source.read_bytes())
            kept.append(str((target / source.name).relative_to(REPO)))
    report["server_logs"] = kept


# --- main ------------------------------------------------------------------------------------------

def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true", help="short version for make bench-quick / make test")
    parser.add_argument("--train", action="store_true", help="also time a training of our project from scratch (about 5 min)")
    parser.add_argument("--postgres", metavar="URL", help="bench_store.py also on this PostgreSQL server")
    parser.add_argument("--no-sample", action="store_true", help="skip Rasa's sample assistant")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections (default all): {','.join(SECTIONS)}")
    parser.add_argument("--clients", default=None, help="concurrency levels (default 1,10; quick 1,2)")
    parser.add_argument("--turns", type=int, default=None, help="turns per client per round (default 14; quick 3)")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds per level (default 2; quick 1)")
    parser.add_argument("--long-turns", type=int, default=None, help="long conversation turns (100; quick 20)")
    parser.add_argument("--long-senders", type=int, default=None, help="long conversations (3; quick 1)")
    parser.add_argument("--memory-turns", type=int, default=None, help="turns before memory (1000; quick 50)")
    parser.add_argument("--json", type=Path, default=None, help="default results/bench.json (quick: bench-quick.json)")
    parser.add_argument("--md", type=Path, default=None, help="default results/bench.md (quick: bench-quick.md)")
    args = parser.parse_args(argv)
    q = args.quick
    args.clients = [int(c) for c in (args.clients or ("1,2" if q else "1,10")).split(",")]
    args.turns = args.turns or (3 if q else 14)
    args.rounds = args.rounds or (1 if q else 2)
    args.long_turns = args.long_turns or (20 if q else 100)
    args.long_senders = args.long_senders or (1 if q else 3)
    args.memory_turns = args.memory_turns or (50 if q else 1000)
    name = "bench-quick" if q else "bench"
    args.json = args.json or REPO / "results" / f"{name}.json"
    args.md = args.md or REPO / "results" / f"{name}.md"
    args.sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = args.sections - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {sorted(unknown)}")
    return args


def reproduce(args: argparse.Namespace, argv: list[str], section: str | None = None) -> str:
    if section is None:
        if argv == ["--quick"]:
            return "make bench-quick"
        if argv == ["--postgres", args.postgres] or argv == [f"--postgres={args.postgres}"]:
            return "make bench"
        shown = [("URL" if a == args.postgres else a) for a in argv]
        return ".venv/bin/python bench/bench_assistant.py" + (" " + shlex.join(shown) if shown else "")
    return f".venv/bin/python bench/bench_assistant.py{' --quick' if args.quick else ''} --only {section}"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    started = time.monotonic()
    if not MODEL.exists():
        print(f"no trained model at {MODEL}; run `make train` first", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "benchmark": "Registerwijzer assistant vs Rasa's sample assistant",
        "quick": args.quick,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": reproduce(args, argv),
        "load_average": {"start": list(os.getloadavg())},
        "parameters": {"clients": args.clients, "turns_per_client": args.turns, "rounds": args.rounds,
                       "long_turns": args.long_turns, "long_senders": args.long_senders,
                       "memory_turns": args.memory_turns, "sections": sorted(args.sections)},
        "commands": {
            "understanding": " ".join(NLU_COMMAND) + "  (run by bench_assistant.py when results/nlu is stale)",
            "speed": reproduce(args, argv, "speed"),
            "long_conversation": reproduce(args, argv, "long"),
            "cost": reproduce(args, argv, "cost,memory") + (" --train" if args.train else ""),
        },
        "notes": [],
    }
    tmp_dir = tempfile.TemporaryDirectory(prefix="bench-assistant-")
    tmp = Path(tmp_dir.name)
    need_servers = bool(args.sections & {"speed", "long", "memory"})
    nlu = start_nlu_evaluation(tmp) if "understanding" in args.sections else None

    # The sample: cached, or trained now (never in --quick).
    sample_info: dict[str, Any] | None = None
    if args.no_sample:
        report["notes"].append("sample assistant skipped (--no-sample)")
    elif args.quick:
        sample_info = servers.cached_sample()
        if sample_info is None:
            report["notes"].append("sample assistant skipped: no cached sample (run `make bench` once to train it)")
    elif need_servers or "cost" in args.sections:
        log("sample: preparing Rasa's sample assistant (cached by Rasa version)")
        try:
            sample_info = servers.prepare_sample(tmp / "sample-train.log")
        except (subprocess.SubprocessError, RuntimeError, OSError) as exc:
            report["notes"].append(f"sample assistant skipped: {exc}")
    report["sample"] = sample_info

    ours_srv = sample_srv = None
    counter = Counter()
    try:
        if need_servers:
            if sample_info:
                sample_srv = servers.start_sample(sample_info, tmp / "sample")
            log("starting our servers (scripts/run.sh) and the sample")
            ours_srv = servers.start_ours(tmp / "ours")
            if sample_srv:
                servers.wait_until_up(sample_srv)
            ours = load.our_target(ours_srv.url, str(ours_srv.backoffice_token))
            sample = load.sample_target(sample_srv.url) if sample_srv else None
            warm = len(load.OUR_SCRIPT)
            for target in (ours, sample):
                if target:
                    load.warm_up(target, warm)
                    counter.add(target.name, warm)
            log("servers up and warmed up")
            memory: dict[str, Any] = {"ours_after_warmup": servers.memory(ours_srv)}
            if "speed" in args.sections:
                report["speed"] = run_speed(ours, sample, args.clients, args.turns, args.rounds, counter)
            if "long" in args.sections:
                report["long_conversation"] = run_long(ours, sample, args.long_turns, args.long_senders, counter)
            if "memory" in args.sections:
                top_up(ours, counter, args.memory_turns, max(args.clients))
                memory["ours"] = servers.memory(ours_srv)
                memory["turns_ours"] = counter.turns[ours.name]
                roles = memory["ours"]["by_role"]
                memory["ours_rasa_plus_actions_bytes"] = sum(
                    (roles.get(r) or {}).get("rss_bytes", 0) for r in ("rasa_server", "action_server"))
                if sample and sample_srv:
                    memory["sample"] = servers.memory(sample_srv)
                    memory["turns_sample"] = counter.turns[sample.name]
                log(f"memory: Rasa + action server {memory['ours_rasa_plus_actions_bytes'] / 2**20:.0f} MB "
                    f"after {memory['turns_ours']} turns")
                report.setdefault("cost", {})["memory"] = memory
    finally:
        for srv in (ours_srv, sample_srv):
            if srv:
                srv.stop()
        keep_logs(tmp, report)
    report["unanswered_turns"] = {name: {"count": len(v), "examples": v[:20]} for name, v in load.FAILED.items()}
    report["turns_sent"] = dict(counter.turns)
    if "understanding" in args.sections:
        report["understanding"] = finish_understanding(nlu, tmp)

    if "cost" in args.sections:
        cost = report.setdefault("cost", {})
        training = train_ours(tmp) if args.train else (training_from_log() or {
            "ours_seconds": None, "ours_source": "not measured: no `make train` log; pass --train to measure"})
        if sample_info:
            training["sample_seconds"] = sample_info.get("train_seconds")
            training["sample_source"] = "measured when cached: " + str(sample_info.get("train_command"))
        cost["training"] = training
        cost["model_bytes"] = {"ours": MODEL.stat().st_size,
                               "sample": Path(str(sample_info["model"])).stat().st_size if sample_info else None}

    if "scale" in args.sections:
        report["scale"] = run_scale(args.quick, args.postgres, tmp)

    report["targets"] = targets(report)
    report["load_average"]["end"] = list(os.getloadavg())
    report["seconds"] = round(time.monotonic() - started, 1)
    tmp_dir.cleanup()
    for path, text in ((args.json, json.dumps(report, indent=2, ensure_ascii=False) + "\n"),
                       (args.md, report_md.markdown(report))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for t in report["targets"]:
        log(f"target {t['figure']}: {t['value']} ({t['target']}): {report_md._met(t['met'])}")
    log(f"written: {args.json} and {args.md} in {report['seconds']:.0f} s")
    return 0


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def add(figure: str, value: Any, target: str, met: bool | None) -> None:
        found.append({"figure": figure, "value": value, "target": target, "met": met})

    for level in (report.get("speed") or {}).get("levels", []):
        c = level["clients"]
        r = level.get("p95_ratio")
        add(f"p95 latency ours / sample, {c} client(s)", r, f"≤ {TARGETS['p95_ratio']}",
            None if r is None else r <= TARGETS["p95_ratio"])
        r = level.get("throughput_ratio")
        add(f"throughput ours / sample, {c} client(s)", r, f"≥ {TARGETS['throughput_ratio']}",
            None if r is None else r >= TARGETS["throughput_ratio"])
    lc = report.get("long_conversation") or {}
    for key in ("ours", "sample"):
        v = lc.get(key) or {}
        if "ratio_late_to_early" in v:
            (a, b), (c, d) = v["early_window"], v["late_window"]
            add(f"long conversation latency, turns {c}–{d} / turns {a}–{b}, {key}",
                v["ratio_late_to_early"], f"≤ {TARGETS['long_ratio']}" if key == "ours" else "(reported)",
                v["ratio_late_to_early"] <= TARGETS["long_ratio"] if key == "ours" else None)
    mem = (report.get("cost") or {}).get("memory") or {}
    if "ours_rasa_plus_actions_bytes" in mem:
        value = mem["ours_rasa_plus_actions_bytes"]
        add(f"RSS Rasa + action server after {mem['turns_ours']} turns (MB)", round(value / 2**20),
            f"< {TARGETS['memory_bytes'] / 2**20:.0f} MB", value < TARGETS["memory_bytes"])
    seconds = ((report.get("cost") or {}).get("training") or {}).get("ours_seconds")
    if seconds is not None:
        add("training from scratch (s)", seconds, f"< {TARGETS['training_seconds']}", seconds < TARGETS["training_seconds"])
    for name, failed in (report.get("unanswered_turns") or {}).items():
        add(f"turns without an answer, {name}", failed["count"], "0", failed["count"] == 0)
    if "registerwijzer" not in (report.get("unanswered_turns") or {}) and report.get("turns_sent"):
        add("turns without an answer, registerwijzer", 0, "0", True)
    u = report.get("understanding") or {}
    if "intent_macro_f1" in u:
        add("intent macro-F1 (held-out)", u["intent_macro_f1"], "≥ 0.95 (make test gate)", u["intent_macro_f1"] >= 0.95)
        add("entity micro-F1 (held-out)", u["entity_micro_f1"], "≥ 0.90 (make test gate)", u["entity_micro_f1"] >= 0.90)
    return found


if __name__ == "__main__":
    raise SystemExit(main())
