"""A `make cluster` (scripts/cluster.sh) started for the tests and the cluster benchmark: on free ports,
with its own folder under /var/tmp and its own PostgreSQL server, removed again afterwards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import BACKOFFICE_TOKEN, JWT_KEY, ROOT, free_port, port_open

PG_PORT = 25436  # below the ephemeral range, away from the test server (25432) and make cluster (25433)


def _bases(replicas: int) -> tuple[int, int]:
    """Two port bases with base+1..base+replicas free on 127.0.0.1 (cluster.sh numbers replicas so)."""
    for _ in range(50):
        rasa, actions = (20000 + int(uuid.uuid4().int % 9000) for _ in range(2))
        wanted = [rasa + i for i in range(1, replicas + 1)] + [actions + i for i in range(1, replicas + 1)]
        if len(set(wanted)) == len(wanted) and not any(port_open(p) for p in wanted):
            return rasa, actions
    raise RuntimeError("no free ports for the replicas")




@dataclass
class Cluster:
    directory: Path
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return int(self.env["CLUSTER_PORT"])

    @property
    def replicas(self) -> int:
        return int(self.env["CLUSTER_REPLICAS"])

    @property
    def web_port(self) -> int:  # what tests/e2e/test_e2e_widget.Widget needs
        return self.port

    def replica_port(self, i: int) -> int:
        return int(self.env["CLUSTER_RASA_PORT"]) + i

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{PG_PORT}/registerwijzer"

    def start(self, timeout: float = 400) -> None:
        self.process = subprocess.Popen(
            ["bash", "scripts/cluster.sh"], cwd=ROOT, env=self.env, stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"cluster.sh exited early:\n{self.tail()}")
            if all(self.up(i) for i in range(1, self.replicas + 1)) and port_open(self.port):
                return
            time.sleep(1)
        self.stop()
        pytest.fail(f"the cluster did not come up in {timeout:.0f} s:\n{self.tail()}")

    def up(self, replica: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.replica_port(replica)}/", timeout=2):
                return port_open(int(self.env["CLUSTER_ACTIONS_PORT"]) + replica)
        except OSError:
            return False

    def stop(self, timeout: float = 90) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"cluster.sh did not stop within {timeout:.0f} s of Ctrl-C:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def ctl(self, *args: str) -> str:
        result = subprocess.run([str(ROOT / ".venv/bin/supervisorctl"), "-c",
                                 str(self.directory / "run" / "supervisord.conf"), *args],
                                capture_output=True, text=True, timeout=120)
        return result.stdout

    def postgres(self, command: str) -> None:
        subprocess.run(["bash", "scripts/postgres.sh", command], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, timeout=120)

    def post(self, body: dict[str, Any], port: int | None = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port or self.port}/webhooks/rest/webhook",
            data=raw if raw is not None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def texts(self, message: str, sender: str, port: int | None = None) -> str:
        status, replies = self.post({"sender": sender, "message": message}, port)
        assert status == 200, (status, replies)
        return "\n".join(str(m.get("text", "")) for m in replies)

    def remove(self) -> None:
        """Stop it (PostgreSQL included) and delete its folder."""
        if self.process is not None and self.process.poll() is None:
            self.stop()
        subprocess.run(["bash", "scripts/postgres.sh", "stop"], cwd=ROOT, env=self.env, capture_output=True,
                       timeout=120)
        shutil.rmtree(self.directory, ignore_errors=True)


def new_cluster(log: Path, replicas: int, env: dict[str, str] | None = None) -> Cluster:
    """A cluster ready to start: its folder under /var/tmp (the postgres user must read it), free ports."""
    directory = Path(f"/var/tmp/registerwijzer-test-cluster-{uuid.uuid4().hex[:8]}")
    directory.mkdir(mode=0o755)
    rasa, actions = _bases(replicas)
    full = {**os.environ,
            "CLUSTER_DIR": str(directory), "CLUSTER_PORT": str(free_port()), "CLUSTER_REPLICAS": str(replicas),
            "CLUSTER_PG_PORT": str(PG_PORT), "CLUSTER_REDIS_PORT": str(free_port()),
            "CLUSTER_RASA_PORT": str(rasa), "CLUSTER_ACTIONS_PORT": str(actions),
            "PG_PORT": str(PG_PORT), "PG_DIR": str(directory / "pg"),
            "REGISTERWIJZER_JWT_KEY": JWT_KEY, "REGISTERWIJZER_JWT_ALGORITHM": "HS256",
            "REST_CHANNEL_TOKEN": BACKOFFICE_TOKEN, "RUN_STOP_GRACE": "10", **(env or {})}
    for name in ("DATABASE_URL", "REDIS_URL", "ACTION_SERVER_URL", "WEBCHAT_ALLOWED_ORIGINS"):
        full.pop(name, None)
    return Cluster(directory, full, log)
