"""action_answer: every question intent, answered from the rules data in one turn."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import progress
from bot.answers import TOPICS, answer
from bot.calculator import MAX_TEXT, calculate, is_calculation, parse
from bot.context import Context, adds_to_calculation, follow_up, remember
from bot.facets import refine, speaks_of_own_dossier, with_names
from bot.identity import leader_from_metadata
from bot.register import load_rules
from bot.replies import Answer

from .common import helpdesk_offered, latest_entities, query_from, today, utter
from .helpdesk import record_unanswered
from .personal import load_personal

# Topics under which a message may really be a sum of activities.
CALCULABLE = {"ask_activity_points", "ask_points_needed", "ask_learning_levels", "ask_programme_info",
              "ask_valuation", "ask_certified_programmes", "inform", "ask_herregistratie"}

SMALL_TALK = {"greet", "goodbye", "thank", "affirm", "deny", "inform", "ask_capabilities", "out_of_scope"}

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
        if query.intent == "affirm" and helpdesk_offered(tracker):
            return [*events, FollowupAction("action_helpdesk_start")]
        if query.intent == "ask_outside_sources":
            await record_unanswered(tracker)
        book = load_rules()
        query = follow_up(with_names(book, query), Context.from_slot(tracker.get_slot("topic_context")))
        result = None
        last = str(tracker.get_slot("calc_last") or "")
        if last and adds_to_calculation(query.text):
            # "En met LK1 erbij?" after a calculation: the same sum with this added.
            parsed = parse(book, f"{last}\n{query.text}")
            if not parsed.empty and not parsed.needs_level:
                result = calculate(book, parsed, today())
                events.append(SlotSet("calc_last", f"{last}\n{query.text}"[-MAX_TEXT:]))  # the calculator reads no more
        if result is None and query.intent in CALCULABLE:
            # "3x niveau 6", "LK1 en het SLP, hoeveel is dat samen?": a sum, whatever the topic looked like.
            parsed = parse(book, query.text, latest_entities(tracker))
            if is_calculation(parsed, query.text):
                result = calculate(book, parsed, today())
                events.append(SlotSet("calc_last", query.text))
        if result is None:
            result = answer(book, query, today())
            if query.intent in TOPICS and query.intent not in SMALL_TALK:
                events.append(SlotSet("topic_context", remember(refine(book, query)).to_slot()))
                if last:
                    events.append(SlotSet("calc_last", None))  # another subject: "erbij" adds to no sum now
        number = leader_from_metadata(tracker.latest_message.get("metadata"))
        if number is None and query.intent in PERSONALISED and speaks_of_own_dossier(query.text):
            # "Wanneer verloopt mijn registratie?" before logging in: the rule, and how to see one's own.
            result = Answer(result.text + "\n\n" + progress.LOGIN_FOR_OWN, result.buttons, result.sources)
        if number is not None and query.intent in PERSONALISED:
            personal = await load_personal(number)
            if personal is not None:
                note = progress.personal_note(load_rules(), personal, today())
                result = Answer(result.text + "\n\n" + note, result.buttons, result.sources)
        utter(dispatcher, tracker, result)
        return events
