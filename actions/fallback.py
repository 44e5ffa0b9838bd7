"""The two-stage fallback: offer the two likeliest topics, then say honestly what we don't know."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.facets import with_names
from bot.fallback import ask_rephrase, clarify, give_up, two_part
from bot.register import load_rules
from bot.replies import Answer

from .common import latest_text, query_from, today, utter
from .helpdesk import record_unanswered


class ActionAskAffirmation(Action):
    """First stage: 'Bedoel je A of B?' with the two likeliest topics as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        ranked = [(str(r.get("name")), float(r.get("confidence") or 0)) for r in ranking if isinstance(r, dict)]
        book = load_rules()
        both = two_part(book, with_names(book, query_from(tracker)), ranked, today())
        answer: Answer = both if both is not None else clarify(latest_text(tracker), ranked, book)
        utter(dispatcher, tracker, answer)
        return []


class ActionDefaultFallback(Action):
    """Last stage: say honestly that we cannot answer, and offer the helpdesk."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        utter(dispatcher, tracker, give_up(latest_text(tracker)))
        await record_unanswered(tracker)
        return [UserUtteranceReverted()]


class ActionAskRephrase(Action):
    """Second stage, after 'Iets anders': ask the user to put the question differently."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        utter(dispatcher, tracker, ask_rephrase())
        return []
