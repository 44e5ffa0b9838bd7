"""A local SMTP server for tests (the standard library's smtpd in a thread): what was sent, as bytes."""

from __future__ import annotations

import socket
import threading
import warnings
from email import message_from_bytes
from email.message import Message
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asyncore
    import smtpd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailSink(smtpd.SMTPServer):
    def __init__(self, port: int, answer: str | None = None) -> None:
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.port = port
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.answer = answer

    def process_message(self, peer: Any, mailfrom: str, rcpttos: list[str], data: bytes | str,
                        **kwargs: Any) -> str | None:
        if self.answer:
            return self.answer
        self.messages.append((mailfrom, rcpttos, data if isinstance(data, bytes) else data.encode()))
        return None

    def parsed(self) -> list[Message]:
        return [message_from_bytes(data) for _, _, data in self.messages]


class MailServers:
    """Sinks served from one thread until `stop()`."""

    def __init__(self) -> None:
        self.sinks: list[MailSink] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def make(self, answer: str | None = None) -> MailSink:
        sink = MailSink(free_port(), answer)
        self.sinks.append(sink)
        if self._thread is None:
            self._thread = threading.Thread(
                target=lambda: [asyncore.loop(timeout=0.05, count=1) for _ in iter(self._stop.is_set, True)],
                daemon=True)
            self._thread.start()
        return sink

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for sink in self.sinks:
            sink.close()
