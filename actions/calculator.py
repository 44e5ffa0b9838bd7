"""action_calculate_points: the points calculator in chat."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import answer
from bot.calculator import (
    ACTIVITIES_QUESTION,
    LEVEL_QUESTION,
    MAX_TEXT,
    calculate,
    is_calculation,
    level_buttons,
    level_from,
    parse,
)
from bot.context import Context, adds_to_calculation, follow_up, remember, topic_for_values
from bot.facets import refine, with_names
from bot.register import ProgrammeActivity, load_rules
from bot.replies import Answer, Query

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
        last = str(tracker.get_slot("calc_last") or "")
        if asked is None and last and adds_to_calculation(message):
            earlier = last  # "en met LK1 erbij?": the last calculation with this added
        elif asked is None and latest_intent(tracker) == "inform":
            return self.bare_value(dispatcher, tracker)
        # What the calculation is made of: the earlier text, and this message unless it only gave the level.
        done = earlier if asked == "level" else f"{earlier}\n{message}".strip()
        if asked == "level":
            parsed = parse(book, earlier, default_level=level_from(message, entities))
        else:
            parsed = parse(book, done, entities)
        if parsed.empty:
            utter(dispatcher, tracker, Answer(ACTIVITIES_QUESTION))
            return [SlotSet("calc_question", "activities"), SlotSet("calc_text", "")]
        if parsed.needs_level:
            utter(dispatcher, tracker, Answer(LEVEL_QUESTION, level_buttons(book, today())))
            return [SlotSet("calc_question", "level"), SlotSet("calc_text", done)]
        only = parsed.activities[0] if len(parsed.activities) == 1 else None
        if (isinstance(only, ProgrammeActivity) and not earlier and parsed.asked_level is None
                and not is_calculation(parsed, message)):
            # "Ik heb het SLP afgerond, wat betekent dat in punten?": that programme's value, not a sum.
            query = Query("ask_activity_points", {"programme": (only.programme,)}, message)
            utter(dispatcher, tracker, answer(book, query, today()))
            return [SlotSet("calc_question", None), SlotSet("calc_text", None), SlotSet("calc_last", done[-MAX_TEXT:])]
        utter(dispatcher, tracker, calculate(book, parsed, today()))
        return [SlotSet("calc_question", None), SlotSet("calc_text", None), SlotSet("calc_last", done[-MAX_TEXT:])]

    @staticmethod
    def bare_value(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """A value without a question open ('LK1', 'niveau 5'): say what it is worth."""
        book = load_rules()
        query = with_names(book, query_from(tracker))
        context = Context.from_slot(tracker.get_slot("topic_context"))
        asked = follow_up(query, context)
        if asked.intent == "inform":
            # No question before it to lean on: the value itself names the topic ("basisbekwaam").
            asked = replace(asked, intent=topic_for_values(asked) or "inform")
        utter(dispatcher, tracker, answer(book, asked, today()))
        if asked.intent == "inform":
            return []
        return [SlotSet("topic_context", remember(refine(book, asked)).to_slot())]
