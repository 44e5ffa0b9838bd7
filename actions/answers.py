"""action_answer: every question intent, answered from the rules data in one turn."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import HELPDESK_OFFER, Answer, Query, answer
from bot import progress
from bot.identity import leader_from_metadata
from bot.register import load_rules

from .common import last_bot_text, query_from, today, utter
from .helpdesk import record_unanswered
from .personal import load_personal

# General questions that also get the verified leader's own status.
PERSONALISED = {"ask_points_needed", "ask_herregistratie"}


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        query = query_from(tracker)
        events: list[dict[str, Any]] = []
        if tracker.get_slot("calc_question") is not None:
            events = [SlotSet("calc_question", None), SlotSet("calc_text", None)]
            if query.intent == "deny":
                utter(dispatcher, tracker, Answer("Goed, dan reken ik niet verder. Kan ik je ergens anders mee helpen?"))
                return events
        if query.intent == "affirm" and last_bot_text(tracker).endswith(HELPDESK_OFFER):
            return events + [FollowupAction("action_helpdesk_start")]
        if query.intent == "ask_outside_sources":
            await record_unanswered(tracker)
        result = answer(load_rules(), query, today())
        number = leader_from_metadata(tracker.latest_message.get("metadata"))
        if number is not None and query.intent in PERSONALISED:
            personal = await load_personal(number)
            if personal is not None:
                note = progress.personal_note(load_rules(), personal, today())
                result = Answer(result.text + "\n\n" + note, result.buttons, result.sources)
        utter(dispatcher, tracker, result)
        return events
