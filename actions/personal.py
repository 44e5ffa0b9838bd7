"""Personal answers: only for the verified leader the channel connector put in the metadata."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import cards, progress
from bot.answers import answer as general_answer
from bot.answers import linking
from bot.bootstrap import services
from bot.context import Context, follow_up
from bot.facets import PERSONAL_INTENTS, with_names
from bot.identity import leader_from_metadata
from bot.register import load_rules
from bot.replies import Answer, Button, Query
from bot.store import pending, to_dossier

from .common import latest_entities, latest_intent, latest_text, query_from, today, utter

# For an anonymous user, the general rule that goes with a personal question.
GENERAL = {"ask_my_progress": "ask_points_needed", "ask_my_deadline": "ask_herregistratie"}

RENDER = {
    "ask_my_progress": progress.progress,
    "ask_my_deadline": progress.deadline,
    "ask_my_dossier": progress.dossier,
    "ask_my_suggestion": progress.suggestion,
}
# The answers that show the overview picture (bot/cards.py) beside their text.
WITH_OVERVIEW = (progress.progress, progress.deadline, progress.dossier)


async def load_personal(number: str) -> progress.Personal | None:
    store = services().store  # the process's one store (bot.bootstrap); sessions are per call inside it
    leader = await store.aleader(number)
    if leader is None:
        return None
    activities = tuple(await store.aactivities(number))
    return progress.Personal(leader, to_dossier(leader, activities), tuple(pending(activities)), activities)


class ActionPersonal(Action):
    def name(self) -> str:
        return "action_personal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        context = Context.from_slot(tracker.get_slot("topic_context"))
        if follow_up(with_names(load_rules(), query_from(tracker)), context).intent not in PERSONAL_INTENTS:
            # "Telt dat ook mee voor mijn herregistratie?" after a programme: a question about that programme.
            from .answers import ActionAnswer  # here, not at the top: actions.answers imports this module
            return await ActionAnswer().run(dispatcher, tracker, domain)
        number = leader_from_metadata(tracker.latest_message.get("metadata"))
        if number is None:
            if latest_intent(tracker) == "ask_my_what_if":
                utter(dispatcher, tracker, progress.anonymous_what_if(
                    load_rules(), latest_text(tracker), latest_entities(tracker), today()))
                return []
            general = GENERAL.get(latest_intent(tracker))
            # In Teams, an account that is not linked yet: how to link it, with a button to start at once.
            teams = tracker.get_latest_input_channel() == "teams"
            text = linking.TEAMS_LINK_HINT if teams else progress.LOGIN_HINT
            if general is not None:
                text += "\n\nAlgemeen geldt:\n" + general_answer(load_rules(), Query(general), today()).text
            utter(dispatcher, tracker, Answer(text, (Button(*linking.LINK_BUTTON),) if teams else ()))
            return []
        personal = await load_personal(number)
        if personal is None:
            utter(dispatcher, tracker, Answer(progress.NOT_FOUND))
            return []
        book, intent, text, day = load_rules(), latest_intent(tracker), latest_text(tracker), today()
        render = None if intent == "ask_my_what_if" else RENDER.get(intent, progress.progress)
        if render is None:
            answer = progress.what_if(book, personal, text, latest_entities(tracker), day)
        else:
            answer = render(book, personal, day)
        if progress.mentions_other_leader(text, number):
            answer = Answer(progress.OTHER_LEADER + "\n\n" + answer.text, answer.buttons, answer.sources)
        # The picture travels in the same message as the text: the widget draws it below the text,
        # Teams sends both in one activity, REST returns it as an extra `attachment` message.
        picture = cards.overview_attachment(progress.overview(book, personal, day)) if render in WITH_OVERVIEW else None
        utter(dispatcher, tracker, answer, picture)
        return []


class ActionSessionStart(Action):
    """Start a session as Rasa does, and warn a verified leader whose period ends soon with points short."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        metadata = tracker.get_slot("session_started_metadata")
        events: list[dict[str, Any]] = [SessionStarted()]
        if metadata is not None:
            events.append(SlotSet("session_started_metadata", metadata))
        number = leader_from_metadata(metadata)
        if number is not None:
            personal = await load_personal(number)
            warning = progress.start_warning(load_rules(), personal, today()) if personal else None
            if warning:
                dispatcher.utter_message(text=warning)
        events.append(ActionExecuted("action_listen"))
        return events
