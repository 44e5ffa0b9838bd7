"""The personal actions with real rasa_sdk trackers over a real SQLite store (demo leaders)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.personal import ActionPersonal, ActionSessionStart
from bot.bootstrap import Services, override
from bot.identity import verified_metadata
from bot.register import load_rules
from bot.store import Store
from bot.store.demo import install_demo


@pytest.fixture
def demo_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'actions.db'}")
    store.upgrade()
    install_demo(store, load_rules(), date.today())
    with override(Services(store=store)):
        yield store
    store.close()


def tracker(text: str, intent: str, metadata: dict[str, Any] | None = None,
            slots: dict[str, Any] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": [],
               "metadata": metadata or {}}
    events = [{"event": "user", "text": text, "parse_data": message, "metadata": metadata or {}}]
    return Tracker("leader", slots or {}, message, events, False, None, {}, "action_listen")


def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_anonymous_gets_the_login_hint(demo_store: Store) -> None:
    [message], _ = run(ActionPersonal(), tracker("hoeveel punten heb ik al", "ask_my_progress"))
    assert "Log in op het portaal" in message["text"]


def test_verified_leader_gets_own_points(demo_store: Store) -> None:
    t = tracker("hoeveel punten heb ik al", "ask_my_progress", verified_metadata("100234", "web"))
    [message], _ = run(ActionPersonal(), t)
    assert "70 (leerKRACHT jaar-1)" in message["text"]


def test_unknown_leader_is_told_honestly(demo_store: Store) -> None:
    t = tracker("hoeveel punten heb ik al", "ask_my_progress", verified_metadata("999999", "web"))
    [message], _ = run(ActionPersonal(), t)
    assert "geen dossier" in message["text"]


def test_session_start_warns_soon_and_short(demo_store: Store) -> None:
    t = tracker("hallo", "greet", slots={"session_started_metadata": verified_metadata("100234", "web")})
    messages, events = run(ActionSessionStart(), t)
    assert messages and messages[0]["text"].startswith("Let op: je periode eindigt op")
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"


def test_session_start_for_anonymous_says_nothing(demo_store: Store) -> None:
    messages, events = run(ActionSessionStart(), tracker("hallo", "greet"))
    assert messages == []
    assert [e["event"] for e in events] == ["session_started", "action"]


def test_general_answer_gets_personal_line(demo_store: Store) -> None:
    t = tracker("hoeveel punten heb je nodig", "ask_points_needed", verified_metadata("100234", "web"))
    [message], _ = run(ActionAnswer(), t)
    assert "Voor jou: je hebt nu 70 van de 100 punten" in message["text"]


def test_anonymous_progress_question_also_gets_the_general_rule(demo_store: Store) -> None:
    [message], _ = run(ActionPersonal(), tracker("hoeveel punten heb ik nog nodig", "ask_my_progress"))
    assert "Log in op het portaal" in message["text"]
    assert "Algemeen geldt:\nJe hebt 100 punten nodig" in message["text"]
