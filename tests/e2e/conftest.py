"""Fixtures that start the real servers: the action server and Rasa, as `make run` does."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "registerwijzer.tar.gz"
# Test-only secrets: the servers under test get these, never the developer's own configuration.
JWT_KEY = "e2e-test-secret-" + "x" * 32
BACKOFFICE_TOKEN = "e2e-backoffice-token"
HELPDESK_API_TOKEN = "e2e-helpdesk-api-token-" + "t" * 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass
class Servers:
    process: subprocess.Popen[bytes]
    rasa_port: int
    actions_port: int
    log: Path
    env: dict[str, str]

    @property
    def web_port(self) -> int:
        return int(self.env["WEB_PORT"])

    def post(self, body: dict[str, object], headers: dict[str, str] | None = None) -> tuple[int, object]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
            data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def say(self, message: str, sender: str = "e2e", headers: dict[str, str] | None = None,
            **extra: object) -> list[dict[str, object]]:
        status, replies = self.post({"sender": sender, "message": message, **extra}, headers)
        assert status == 200, (status, replies)
        assert isinstance(replies, list)
        return replies

    def texts(self, message: str, sender: str = "e2e", headers: dict[str, str] | None = None,
              **extra: object) -> str:
        return "\n".join(str(m.get("text", "")) for m in self.say(message, sender, headers, **extra))

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group. If run.sh has not stopped
        within `timeout`, the test fails with what was still running and the end of the log."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            running = subprocess.run(["ps", "-o", "pid,etime,args", "-g", str(self.process.pid)],
                                     capture_output=True, text=True).stdout
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"run.sh did not stop within {timeout:g} s of Ctrl-C; still running:\n{running}\n"
                        f"log:\n{self.log.read_text()[-3000:]}")


PORT_TAKEN = ("address already in use", "errno 98", "could not bind")


def start_servers(tmp: Path, extra_env: dict[str, str] | None = None, attempts: int = 3) -> Servers:
    """Start `scripts/run.sh` on free ports; `extra_env` configures channels (Teams stand-in, origins).
    A port found free can be taken by another process before run.sh binds it: then it starts again on
    other ports (a server that exits for any other reason fails the test at once)."""
    for attempt in range(attempts):
        try:
            return _start_servers(tmp, extra_env, attempt)
        except PortTaken:
            continue
    pytest.fail(f"run.sh found its ports taken {attempts} times")


class PortTaken(Exception):
    pass


def _start_servers(tmp: Path, extra_env: dict[str, str] | None = None, attempt: int = 0) -> Servers:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make test`, which trains it first")
    rasa_port, actions_port = free_port(), free_port()
    log = tmp / ("run.log" if attempt == 0 else f"run-{attempt}.log")
    env = {
        **os.environ, "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port),
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}", "REGISTERWIJZER_JWT_KEY": JWT_KEY,
        "REGISTERWIJZER_JWT_ALGORITHM": "HS256", "REST_CHANNEL_TOKEN": BACKOFFICE_TOKEN,
        "HELPDESK_API_TOKEN": HELPDESK_API_TOKEN,
        "WEB_PORT": str(free_port()),
        # Every request of the suite comes from 127.0.0.1: the limits are tested on their own (test_e2e_abuse).
        "RATE_LIMIT_PER_ADDRESS": "100000", "RATE_LIMIT_PER_IDENTITY": "100000",
        "HELPDESK_TICKETS_PER_ADDRESS": "100000", **(extra_env or {}),
    }
    env.pop("ACTION_SERVER_URL", None)
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
        # A terminal's Ctrl-C reaches a foreground job with SIGINT at its default disposition.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    servers = Servers(process, rasa_port, actions_port, log, env)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if any(sign in log.read_text().lower() for sign in PORT_TAKEN):
                raise PortTaken(log.read_text()[-500:])
            pytest.fail(f"run.sh exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{rasa_port}/", timeout=2):
                if port_open(actions_port):
                    return servers
        except OSError:
            pass
        time.sleep(1)
    servers.interrupt()
    pytest.fail(f"servers did not come up in time:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = start_servers(tmp_path_factory.mktemp("servers"))
    yield running
    if running.process.poll() is None:
        running.interrupt()


async def widget_socket(servers: Servers) -> tuple[Any, list[str], str]:
    """A socket.io client connected as the widget (polling: the websocket client fails with this aiohttp),
    with a session: (client, the texts it hears, the session id). Disconnect it when done."""
    import asyncio

    import socketio

    client = socketio.AsyncClient()
    heard: list[str] = []
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.set_result(sid))
    client.on("bot_uttered", lambda m: heard.append(str(m.get("text", ""))))
    await client.connect(f"http://127.0.0.1:{servers.rasa_port}",
                         headers={"Origin": f"http://127.0.0.1:{servers.web_port}"}, transports=["polling"])
    await client.emit("session_request", {"session_id": None})
    return client, heard, await asyncio.wait_for(confirmed, 30)
