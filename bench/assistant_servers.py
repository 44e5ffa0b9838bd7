"""Servers for bench/bench_assistant.py: ours (scripts/run.sh, as the e2e tests start it) and Rasa's
own sample assistant (`rasa init`), plus resident memory of a process tree from /proc."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.e2e.conftest import BACKOFFICE_TOKEN, MODEL, free_port, port_open, start_servers  # noqa: E402

RASA = REPO / ".venv" / "bin" / "rasa"
SAMPLE_CACHE = REPO / "results" / "bench-sample"
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore", "RASA_TELEMETRY_ENABLED": "false",
             "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
SAMPLE_CREDENTIALS = "rest:\n"


def rasa_version() -> str:
    from importlib.metadata import version
    return version("rasa")


@dataclass
class Running:
    """A started server: its process group, REST port and (for ours) the back-office token."""
    name: str
    process: subprocess.Popen[bytes]
    rasa_port: int
    log: Path
    backoffice_token: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def stop(self, timeout: float = 60) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)


def start_ours(tmp: Path) -> Running:
    """scripts/run.sh on free ports with a temp SQLite store, demo leaders and a known back-office token
    (tests/e2e/conftest.start_servers: `python -m bot db upgrade`, `python -m bot demo`, then run.sh)."""
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        servers = start_servers(tmp, QUIET_ENV)
    except BaseException as exc:  # pytest.fail raises an OutcomeException outside pytest too
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise RuntimeError(f"our servers did not start: {exc}") from None
    return Running("registerwijzer", servers.process, servers.rasa_port, servers.log, BACKOFFICE_TOKEN)


# --- Rasa's sample assistant (the floor) ------------------------------------------------------------

def sample_dir() -> Path:
    return SAMPLE_CACHE / f"rasa-{rasa_version()}"


def cached_sample() -> dict[str, object] | None:
    """The cached, trained sample (results/bench-sample/rasa-VERSION/), or None."""
    meta = sample_dir() / "bench-sample.json"
    if not meta.exists():
        return None
    info = json.loads(meta.read_text(encoding="utf-8"))
    model = Path(str(info.get("model", "")))
    return info if model.exists() else None


def prepare_sample(log: Path) -> dict[str, object]:
    """`rasa init --no-prompt --init-dir DIR` (scaffolds and trains the moodbot), timed; cached by Rasa
    version so a repeated run skips it."""
    found = cached_sample()
    if found:
        return {**found, "cached": True}
    project = sample_dir()
    if project.exists():
        import shutil
        shutil.rmtree(project)
    project.mkdir(parents=True)
    command = [str(RASA), "init", "--no-prompt", "--init-dir", str(project)]
    start = time.monotonic()
    with log.open("wb") as out:
        subprocess.run(command, cwd=project, env={**os.environ, **QUIET_ENV}, stdout=out,
                       stderr=subprocess.STDOUT, check=True, timeout=1800)
    seconds = time.monotonic() - start
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init trained no model; see {log}")
    (project / "bench-credentials.yml").write_text(SAMPLE_CREDENTIALS, encoding="utf-8")
    info: dict[str, object] = {
        "rasa_version": rasa_version(), "project": str(project), "model": str(models[-1]),
        "train_seconds": round(seconds, 1),
        "train_command": " ".join(["rasa", "init", "--no-prompt", "--init-dir", "DIR"]) + "  (scaffold + train)",
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (project / "bench-sample.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return {**info, "cached": False}


def start_sample(info: dict[str, object], tmp: Path) -> Running:
    """`rasa run -p PORT --interface 127.0.0.1` in the sample project, REST channel only (the moodbot has
    no custom actions, so no action server)."""
    tmp.mkdir(parents=True, exist_ok=True)
    project = Path(str(info["project"]))
    credentials = project / "bench-credentials.yml"
    credentials.write_text(SAMPLE_CREDENTIALS, encoding="utf-8")
    port = free_port()
    log = tmp / "sample-run.log"
    process = subprocess.Popen(
        [str(RASA), "run", "-p", str(port), "--interface", "127.0.0.1", "--model", str(info["model"]),
         "--credentials", str(credentials), "--quiet"],
        cwd=project, env={**os.environ, **QUIET_ENV}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Running("rasa-sample", process, port, log)


def wait_until_up(running: Running, timeout: float = 300, also_port: int | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"{running.name} exited early:\n{running.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{running.rasa_port}/", timeout=2):
                if also_port is None or port_open(also_port):
                    return
        except OSError:
            pass
        time.sleep(1)
    running.stop()
    raise RuntimeError(f"{running.name} did not come up in {timeout:.0f} s:\n{running.log.read_text()[-3000:]}")


# --- Memory ---------------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int, tree: dict[int, list[int]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


ROLES = (  # (role, test on the command line); the first match names a direct child of run.sh
    ("rasa_server", lambda cmd: "rasa run" in cmd or "bin/rasa run" in cmd),
    ("action_server", lambda cmd: "actions.server" in cmd),
    ("helpdesk_worker", lambda cmd: "bot helpdesk worker" in cmd),
    ("web", lambda cmd: "channels.web" in cmd),
)


def memory(running: Running) -> dict[str, object]:
    """RSS (VmRSS from /proc, summed over each process's own subtree) of the servers under `running`."""
    tree = _children()
    by_role: dict[str, dict[str, object]] = {}
    for pid in _descendants(running.process.pid, tree):
        cmd = _cmdline(pid)
        for role, matches in ROLES:
            if matches(cmd) and role not in by_role:
                pids = _descendants(pid, tree)
                by_role[role] = {"pids": pids, "rss_bytes": sum(_rss_bytes(p) for p in pids)}
                break
    total = sum(_rss_bytes(p) for p in _descendants(running.process.pid, tree))
    return {"by_role": by_role, "process_group_rss_bytes": total}
