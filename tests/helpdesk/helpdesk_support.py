"""Helpers for the helpdesk tests (a module of its own: `conftest` is ambiguous between test folders)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.helpdesk import HelpdeskConfig, TicketDraft, TranscriptLine  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
SECRET = "test-secret-Ω"


def fast_config(**overrides: Any) -> HelpdeskConfig:
    values: dict[str, Any] = dict(webhook_timeout=0.5, smtp_timeout=0.5, worker_interval=0.05,
                                  backoff_base=0.05, backoff_cap=0.3, max_attempts=4, lease_seconds=0.5,
                                  tickets_per_hour=1000)
    values.update(overrides)
    return HelpdeskConfig(**values)


def draft(question: str = "Mijn certificaat staat niet in mijn dossier, hoe kan dat?", **values: Any) -> TicketDraft:
    base: dict[str, Any] = dict(
        question=question, email="anna@school.nl", registratienummer=None, verified=False, consent=True,
        channel="web", conversation_id="conv-1", intent="nlu_fallback", reason="fallback",
        transcript=(TranscriptLine("gebruiker", "Hoi, mijn certificaat?"),
                    TranscriptLine("assistent", "Sorry, dat weet ik niet.")),
    )
    base.update(values)
    return TicketDraft(**base)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- a real webhook receiver -------------------------------------------------------------------------
@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that verifies the signature and dedups by Idempotency-Key.

    `script` is a list of behaviours consumed one per request: an int (status to answer), or
    ("sleep", seconds) to answer 200 only after a delay. When empty it answers 200.
    """

    port: int
    secret: str = SECRET
    posts: list[dict[str, Any]] = field(default_factory=list)  # every POST that reached the handler
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key → body (first time)
    duplicates: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    script: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/tickets"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    action = receiver.script.pop(0) if receiver.script else 200
                key = self.headers.get("Idempotency-Key", "")
                timestamp = self.headers.get("X-Registerwijzer-Timestamp", "")
                expected = "sha256=" + hmac.new(receiver.secret.encode(), timestamp.encode() + b"." + body,
                                                hashlib.sha256).hexdigest()
                good = hmac.compare_digest(expected, self.headers.get("X-Registerwijzer-Signature", ""))
                with receiver.lock:
                    receiver.posts.append({"key": key, "good": good, "path": self.path,
                                           "attempt": self.headers.get("X-Registerwijzer-Attempt")})
                if isinstance(action, tuple) and action[0] == "sleep":
                    time.sleep(action[1])
                    action = 200
                if not good:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self._answer(401, b"bad signature")
                    return
                if action == 200:
                    with receiver.lock:
                        if key in receiver.accepted:
                            receiver.duplicates.append(key)
                        else:
                            receiver.accepted[key] = json.loads(body)
                self._answer(int(action), b"{}")

            def _answer(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client timed out and went away

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def count(self, key: str) -> int:
        with self.lock:
            return sum(1 for p in self.posts if p["key"] == key)
