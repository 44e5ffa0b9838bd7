"""The cluster benchmark (`make bench`, issue 16): 50 concurrent conversations for 2 minutes through
nginx against `make cluster` (scripts/cluster.sh) with 1 and with 2 Rasa replicas, on this machine.

Reports errors (target 0), latency p50/p95, throughput and the ratio 2 replicas / 1 replica, and the
resident memory of every process. Writes results/bench-cluster.json and results/bench-cluster.md.

    .venv/bin/python bench/bench_cluster.py [--clients 50] [--seconds 120] [--replicas 1,2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import assistant_load as load  # noqa: E402
from bench.assistant_servers import _children, _descendants, _rss_bytes  # noqa: E402
from tests.e2e.cluster import Cluster, new_cluster  # noqa: E402
from tests.e2e.conftest import BACKOFFICE_TOKEN  # noqa: E402

RESULTS = ROOT / "results"


def log(message: str) -> None:
    print(f"[bench-cluster] {message}", flush=True)


def memory(cluster: Cluster) -> dict[str, int]:
    """Resident memory (MB) per supervised program, each over its own process subtree."""
    tree = _children()
    sizes: dict[str, int] = {}
    for line in cluster.ctl("status").splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == "RUNNING" and parts[2] == "pid":
            pid = int(parts[3].rstrip(","))
            sizes[parts[0]] = round(sum(_rss_bytes(p) for p in _descendants(pid, tree)) / 2**20)
    return sizes


def run_load(cluster: Cluster, clients: int, seconds: float, warm_up: float, port: int | None = None) -> dict[str, Any]:
    """The demo leaders in the cluster's database, a short warm-up, then the timed load and the memory.
    Through nginx, or straight to one replica's `port`."""
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot", "demo"], cwd=ROOT, check=True,
                   env={**cluster.env, "DATABASE_URL": cluster.database_url}, capture_output=True, timeout=300)
    target = load.our_target(f"http://127.0.0.1:{port or cluster.port}/webhooks/rest/webhook", BACKOFFICE_TOKEN)
    if warm_up:
        load.timed(target, cluster.replicas * 2, warm_up, f"warm{cluster.replicas}")
    result = load.timed(target, clients, seconds, f"r{cluster.replicas}")
    result["memory_mb"] = memory(cluster)
    result["replicas"] = cluster.replicas
    return result


def measure(replicas: int, clients: int, seconds: float, tmp: Path) -> dict[str, Any]:
    # The benchmark's clients all come from 127.0.0.1: nginx's per-address limit would measure itself.
    cluster = new_cluster(tmp / f"cluster-{replicas}.log", replicas,
                          env={"CLUSTER_RATE": "100000", "CLUSTER_BURST": "100000", "CLUSTER_WORKERS": "2"})
    try:
        log(f"{replicas} replica(s): starting")
        started = time.monotonic()
        cluster.start()
        log(f"{replicas} replica(s): up in {time.monotonic() - started:.0f} s")
        result = run_load(cluster, clients, seconds, warm_up=15)
        log(f"{replicas} replica(s): {result['turns']} turns, {result['errors']} errors, "
            f"p50 {result.get('p50_ms')} ms, p95 {result.get('p95_ms')} ms, "
            f"{result['throughput_turns_per_s']} turns/s")
        return result
    finally:
        cluster.remove()


def markdown(report: dict[str, Any]) -> str:
    lines = ["# Cluster benchmark (make cluster through nginx)", "",
             f"{report['clients']} concurrent conversations for {report['seconds']:.0f} s on {report['cores']} cores "
             f"({report['date']}).", "",
             "| replicas | turns | errors | p50 ms | p95 ms | turns/s | Rasa MB per replica | action server MB |",
             "|---|---|---|---|---|---|---|---|"]
    for run in report["runs"]:
        mem = run["memory_mb"]
        rasa = [v for k, v in mem.items() if k.startswith("rasa-")]
        actions = [v for k, v in mem.items() if k.startswith("actions-")]
        lines.append(f"| {run['replicas']} | {run['turns']} | {run['errors']} | {run.get('p50_ms')} | "
                     f"{run.get('p95_ms')} | {run['throughput_turns_per_s']} | {', '.join(map(str, rasa))} | "
                     f"{', '.join(map(str, actions))} |")
    if "throughput_ratio" in report:
        lines += ["", f"Throughput 2 replicas / 1 replica: **{report['throughput_ratio']}**."]
    lines += ["", "Memory per process (MB): " + "; ".join(
        f"{run['replicas']} replica(s): " + ", ".join(f"{k} {v}" for k, v in sorted(run["memory_mb"].items()))
        for run in report["runs"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import os

    report: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds, "cores": os.cpu_count(),
                              "date": time.strftime("%Y-%m-%d"), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for replicas in (int(r) for r in args.replicas.split(",")):
            report["runs"].append(measure(replicas, args.clients, args.seconds, Path(tmp)))
    by = {run["replicas"]: run for run in report["runs"]}
    if 1 in by and 2 in by and by[1]["throughput_turns_per_s"]:
        report["throughput_ratio"] = round(by[2]["throughput_turns_per_s"] / by[1]["throughput_turns_per_s"], 2)
    report["failed_turns"] = load.FAILED.get("registerwijzer", [])[:20]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench-cluster.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (args.out / "bench-cluster.md").write_text(markdown(report), encoding="utf-8")
    log(f"written {args.out / 'bench-cluster.md'}")
    return 0 if all(run["errors"] == 0 for run in report["runs"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
