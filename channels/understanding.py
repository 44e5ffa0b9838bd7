"""The assistant's understanding (the trained Rasa NLU pipeline) for text that is not a chat turn: the
questions of an e-mail the helpdesk triages (bot/helpdesk/mailtriage.py, issue 20).

Inside the Rasa server, `parse_with(agent)` uses the model the server has loaded. Outside it (the CLI, the
inbox poller in the helpdesk worker), `RasaUnderstanding()` loads the newest model in `models/` once, in
this process, with its own event loop; about 15 s and a few hundred MB.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.helpdesk.mailtriage import Understood

ROOT = Path(__file__).resolve().parents[1]
MAX_TEXT = 2_000  # one question; the chat's own limit for a message is larger, a question is not


def understood(parsed: Mapping[str, Any]) -> Understood:
    """Rasa's parse result as the triage reads it."""
    intent = parsed.get("intent") or {}
    entities: dict[str, list[str]] = {}
    for entity in parsed.get("entities") or ():
        name, value = entity.get("entity"), entity.get("value")
        if isinstance(name, str) and value is not None:
            entities.setdefault(name, []).append(str(value))
    ranking = tuple((str(r.get("name")), float(r.get("confidence") or 0.0))
                    for r in parsed.get("intent_ranking") or () if r.get("name"))
    return Understood(str(intent.get("name") or "nlu_fallback"), float(intent.get("confidence") or 0.0),
                      {k: tuple(v) for k, v in entities.items()}, ranking)


def _plain(text: str) -> str:
    """A question as NLU input: bounded, and never Rasa's '/intent{...}' shortcut."""
    return " ".join(text.split())[:MAX_TEXT].lstrip("/").strip() or "?"


def parse_with(agent: Any) -> Callable[[str], Awaitable[Understood]]:
    """An async understanding on an already loaded Rasa Agent (the server's own)."""

    async def parse(text: str) -> Understood:
        return understood(await agent.parse_message(_plain(text)))

    return parse


class RasaUnderstanding:
    """The newest trained model in `models/` (or `model`), loaded once; calling it parses one question."""

    def __init__(self, model: str | os.PathLike[str] | None = None) -> None:
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        from rasa.core.agent import Agent
        from rasa.model import get_latest_model
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        # Rasa logs every parse at debug level to stdout unless told otherwise; a CLI prints its own lines.
        configure_logging_and_warnings(logging.WARNING)
        configure_structlog(logging.WARNING)

        path = get_latest_model(str(model or ROOT / "models"))
        if path is None:
            raise UserError("Er is nog geen getraind model in models/. Voer eerst `make train` uit.")
        self.model = Path(path)
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self.agent = Agent.load(str(path))
        if not self.agent.is_ready():
            raise UserError(f"Het model {self.model.name} kon niet worden geladen.")

    def __call__(self, text: str) -> Understood:
        with self._lock:  # one event loop, one caller at a time
            return understood(self._loop.run_until_complete(self.agent.parse_message(_plain(text))))

    def close(self) -> None:
        self._loop.close()
