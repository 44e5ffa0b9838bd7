"""Custom actions run against real rasa_sdk trackers and dispatchers."""

from __future__ import annotations

import asyncio
from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.basics import ActionShowCapabilities
from bot.register import load_rules


def tracker(text: str, intent: str) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": message}]
    return Tracker("tester", {}, message, events, False, None, {}, "action_listen")


def test_capabilities_action_renders_the_current_point_rule() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionShowCapabilities().run(dispatcher, tracker("wat kun je", "ask_capabilities"), {}))
    assert events == []
    [message] = dispatcher.messages
    regulation = load_rules().regulation_on(date.today())
    assert regulation.points_required is not None
    assert f"{regulation.points_required.value} punten nodig per periode van {regulation.cycle_years.value} jaar" in message["text"]
    assert "leerKRACHT jaar-1" in message["text"]
