"""Load for bench/bench_assistant.py: scripted conversations over Rasa's REST channel with asyncio and
aiohttp, one sender id per client; latency per turn and throughput."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

# Ours: general questions, personal ones (the verified demo leader), the calculator, small talk. They
# exercise action_answer, the personal actions (database + rules module) and action_calculate_points.
OUR_SCRIPT = (
    "hallo",
    "telt leerKRACHT jaar 1 mee?",
    "hoeveel punten heb ik nodig",
    "hoeveel punten heb ik al?",
    "wanneer moet ik uiterlijk herregistreren",
    "Ik heb leerKRACHT jaar-1 gedaan en één thema op niveau 5 laten waarderen. Heb ik genoeg punten?",
    "bedankt",
)
# Rasa's sample (moodbot), a conversation of the same length.
SAMPLE_SCRIPT = (
    "hi",
    "I am sad",
    "yes",
    "are you a bot?",
    "I am feeling great",
    "no",
    "bye",
)
DEMO_LEADER = "100234"


@dataclass
class Target:
    """Where and how to talk to one assistant."""
    name: str
    url: str
    script: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    body_extra: dict[str, object] = field(default_factory=dict)


def our_target(url: str, backoffice_token: str) -> Target:
    return Target("registerwijzer", url, OUR_SCRIPT, {"X-Backoffice-Token": backoffice_token},
                  {"registratienummer": DEMO_LEADER})


def sample_target(url: str) -> Target:
    return Target("rasa-sample", url, SAMPLE_SCRIPT)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(latencies_ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(latencies_ms), 1), "p95_ms": round(percentile(latencies_ms, 0.95), 1),
            "mean_ms": round(statistics.fmean(latencies_ms), 1), "max_ms": round(max(latencies_ms), 1)}


# Turns that got no answer (HTTP error, or HTTP 200 with no message): counted, not fatal, by assistant.
FAILED: dict[str, list[dict[str, object]]] = {}


async def _turn(session: aiohttp.ClientSession, target: Target, sender: str, message: str) -> float:
    body = {"sender": sender, "message": message, **target.body_extra}
    start = time.perf_counter()
    status: object
    try:
        async with session.post(target.url, json=body, headers=target.headers) as response:
            status = response.status
            payload = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        status, payload = type(exc).__name__, str(exc)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 200 or not isinstance(payload, list) or not payload:
        FAILED.setdefault(target.name, []).append({
            "sender": sender, "message": message, "status": status, "reply": str(payload)[:200],
            "ms": round(elapsed, 1), "at": time.strftime("%H:%M:%S")})
    return elapsed


async def _client(session: aiohttp.ClientSession, target: Target, sender: str, turns: int,
                  out: list[float]) -> None:
    for index in range(turns):
        out.append(await _turn(session, target, sender, target.script[index % len(target.script)]))


async def _conversations(target: Target, clients: int, turns: int, tag: str) -> tuple[list[list[float]], float]:
    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=clients + 2)
    per_client: list[list[float]] = [[] for _ in range(clients)]
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(
            _client(session, target, f"bench-{tag}-{i}-{uuid.uuid4().hex[:8]}", turns, per_client[i])
            for i in range(clients)))
        wall = time.perf_counter() - start
    return per_client, wall


def conversations(target: Target, clients: int, turns: int, tag: str) -> tuple[list[list[float]], float]:
    """`clients` concurrent conversations of `turns` turns each, every client its own sender id.
    Returns the latencies (ms) per client and the wall time (s)."""
    return asyncio.run(_conversations(target, clients, turns, tag))


def warm_up(target: Target, turns: int) -> None:
    conversations(target, 1, turns, "warmup")


def speed(target: Target, clients: int, turns: int, rounds: int = 1) -> dict[str, object]:
    """Latency p50/p95 per turn and throughput (turns/s) with `clients` concurrent clients."""
    latencies: list[float] = []
    wall = 0.0
    for round_ in range(rounds):
        per_client, seconds = conversations(target, clients, turns, f"c{clients}r{round_}")
        latencies.extend(x for client in per_client for x in client)
        wall += seconds
    return {"clients": clients, "turns_per_client": turns, "rounds": rounds, "turns": len(latencies),
            **summary(latencies), "wall_s": round(wall, 2), "throughput_turns_per_s": round(len(latencies) / wall, 2)}


def long_conversation(target: Target, turns: int, senders: int, early: tuple[int, int],
                      late: tuple[int, int]) -> dict[str, object]:
    """`senders` conversations of `turns` turns, one after another (one sender at a time). The latency per
    turn is the median over the senders; early/late are medians over windows of turn numbers (1-based)."""
    runs = [conversations(target, 1, turns, f"long{s}")[0][0] for s in range(senders)]
    curve = [round(statistics.median(run[i] for run in runs), 1) for i in range(turns)]

    def window(bounds: tuple[int, int]) -> float:
        first, last = bounds
        return round(statistics.median(x for run in runs for x in run[first - 1:last]), 1)

    early_ms, late_ms = window(early), window(late)
    return {"turns": turns, "senders": senders, "early_window": list(early), "late_window": list(late),
            "early_ms": early_ms, "late_ms": late_ms, "ratio_late_to_early": round(late_ms / early_ms, 2),
            "curve_ms": curve}


async def _timed(target: Target, clients: int, seconds: float, tag: str) -> tuple[list[float], float]:
    timeout = aiohttp.ClientTimeout(total=300)
    connector = aiohttp.TCPConnector(limit=clients + 2)
    latencies: list[float] = []
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        deadline = start + seconds

        async def client(index: int) -> None:
            sender = f"bench-{tag}-{index}-{uuid.uuid4().hex[:8]}"
            turn = 0
            while time.perf_counter() < deadline:
                latencies.append(await _turn(session, target, sender, target.script[turn % len(target.script)]))
                turn += 1

        await asyncio.gather(*(client(i) for i in range(clients)))
        wall = time.perf_counter() - start
    return latencies, wall


def timed(target: Target, clients: int, seconds: float, tag: str) -> dict[str, object]:
    """`clients` concurrent conversations, each sending its next message as soon as it has the answer,
    for `seconds`: latency p50/p95, throughput and the turns that failed."""
    failed_before = len(FAILED.get(target.name, []))
    latencies, wall = asyncio.run(_timed(target, clients, seconds, tag))
    errors = len(FAILED.get(target.name, [])) - failed_before
    return {"clients": clients, "seconds": seconds, "turns": len(latencies), "errors": errors,
            **(summary(latencies) if latencies else {}), "wall_s": round(wall, 2),
            "throughput_turns_per_s": round(len(latencies) / wall, 2)}
