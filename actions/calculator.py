"""action_calculate_points: the points calculator in chat."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Answer, Query, answer
from bot.calculator import ACTIVITIES_QUESTION, LEVEL_QUESTION, calculate, level_buttons, level_from, parse
from bot.register import load_rules

from .common import latest_entities, latest_intent, latest_text, query_from, today, utter


class ActionCalculatePoints(Action):
    def name(self) -> str:
        return "action_calculate_points"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        book = load_rules()
        asked = tracker.get_slot("calc_question")
        earlier = str(tracker.get_slot("calc_text") or "")
        message, entities = latest_text(tracker), latest_entities(tracker)
        if asked is None and latest_intent(tracker) == "inform":
            return self.bare_value(dispatcher, tracker)
        if asked == "level":
            parsed = parse(book, earlier, default_level=level_from(message, entities))
        else:
            parsed = parse(book, f"{earlier}\n{message}".strip(), entities)
        if parsed.empty:
            utter(dispatcher, tracker, Answer(ACTIVITIES_QUESTION))
            return [SlotSet("calc_question", "activities"), SlotSet("calc_text", "")]
        if parsed.needs_level:
            text = earlier if asked == "level" else f"{earlier}\n{message}".strip()
            utter(dispatcher, tracker, Answer(LEVEL_QUESTION, level_buttons(book, today())))
            return [SlotSet("calc_question", "level"), SlotSet("calc_text", text)]
        utter(dispatcher, tracker, calculate(book, parsed, today()))
        return [SlotSet("calc_question", None), SlotSet("calc_text", None)]

    @staticmethod
    def bare_value(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """A value without a question open ('LK1', 'niveau 5'): say what it is worth."""
        query = query_from(tracker)
        known = {"programme", "learning_level", "traject"}
        intent = "ask_activity_points" if known & set(query.entities) else "inform"
        utter(dispatcher, tracker, answer(load_rules(), Query(intent, query.entities, query.text), today()))
        return []
