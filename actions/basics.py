"""Actions for the basic conversation: what the assistant can do."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import capabilities
from bot.register import load_rules


class ActionShowCapabilities(Action):
    def name(self) -> str:
        return "action_show_capabilities"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=capabilities(load_rules(), date.today()))
        return []
