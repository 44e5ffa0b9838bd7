"""The hand-over to the helpdesk: start, the form's questions and checks, and the ticket.

Logic lives in `bot.handover` (why, which question, transcript) and `bot.helpdesk` (checks, triage,
the ticket and its delivery); these adapters read the tracker (its events and the slot
`helpdesk_offered`) and render.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import handover
from bot.bootstrap import services
from bot.helpdesk import (
    TicketDraft,
    TranscriptLine,
    check_consent,
    check_email,
    check_question,
    check_registratienummer,
    next_steps,
)
from bot.identity import CLIENT_KEY, leader_from_metadata
from bot.replies import Answer

from .common import error_text, helpdesk_offered, latest_intent, latest_text, utter

FORM_SLOTS = ("helpdesk_question", "helpdesk_email", "helpdesk_registratienummer", "helpdesk_consent")
CHANNELS = {"socketio": "web", "teams": "teams", "rest": "rest"}
UNKNOWN = "onbekend"
logger = logging.getLogger(__name__)


def verified_leader(tracker: Tracker) -> str | None:
    return leader_from_metadata(tracker.latest_message.get("metadata"))


def current_session(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events since the conversation's last session start (issue 17): what an earlier session said,
    perhaps by someone else at a shared school computer, never goes into a ticket or a quote."""
    found = list(events)
    starts = [i for i, event in enumerate(found) if event.get("event") == "session_started"]
    return found[starts[-1] + 1:] if starts else found


def user_turns(events: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(intent, text) of every user message, oldest first (reverted ones too: they were still asked)."""
    turns = []
    for event in events:
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turns.append((str(intent.get("name") or ""), str(event.get("text") or "")))
    return turns


def messages(events: Iterable[dict[str, Any]]) -> list[handover.Message]:
    """Every message with a text, both sides, oldest first, as bot.handover takes them."""
    found: list[handover.Message] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        stamp = event.get("timestamp")
        at = datetime.fromtimestamp(stamp, tz=timezone.utc) if isinstance(stamp, (int, float)) else None
        found.append((handover.USER if kind == "user" else handover.BOT, str(event["text"]), at))
    return found


async def record_unanswered(tracker: Tracker) -> None:
    """Keep a question the assistant could not answer (scrubbed of personal data); never fail the answer."""
    try:
        await services().helpdesk.arecord_unanswered(latest_text(tracker), latest_intent(tracker) or None)
    except Exception:
        logger.exception("helpdesk: an unanswered question could not be recorded")


class ActionHelpdeskStart(Action):
    """Say what happens, fill what the conversation already holds, then the form asks the rest."""

    def name(self) -> str:
        return "action_helpdesk_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        earlier = user_turns(current_session(tracker.events))[:-1]  # the last one is this message
        start = handover.plan(latest_intent(tracker), latest_text(tracker), earlier, helpdesk_offered(tracker))
        if start.question and not check_question(start.question).ok:
            start = handover.Start(start.reason, None, start.intent)  # the form asks it again, with the reason
        utter(dispatcher, tracker, Answer(handover.intro(start)))
        events = [SlotSet("helpdesk_reason", start.reason), SlotSet("helpdesk_intent", start.intent),
                  SlotSet("helpdesk_cancelled", None)]
        if start.question:
            events.append(SlotSet("helpdesk_question", start.question))
        number = verified_leader(tracker)
        if number is not None:
            events.append(SlotSet("helpdesk_registratienummer", number))
        return [*events, FollowupAction("helpdesk_form")]


class AskSlot(Action):
    """The form's question for one slot: the text `utter_ask_<slot>` of domain.yml, said by the action server
    so that the slot `helpdesk_offered` follows it like every other message (actions/server.py)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = handover.ask(self.slot)  # utter_ask_<slot> in domain.yml
        dispatcher.utter_message(text=question.text,
                                 buttons=[{"title": b.title, "payload": b.payload} for b in question.buttons] or None)
        return []


class AskQuestion(AskSlot):
    slot = "helpdesk_question"


class AskEmail(AskSlot):
    slot = "helpdesk_email"


class AskNumber(AskSlot):
    slot = "helpdesk_registratienummer"


class AskConsent(AskSlot):
    slot = "helpdesk_consent"


class ValidateHelpdeskForm(FormValidationAction):
    """Each answer is checked by bot.helpdesk; a bad one gets a Dutch prompt, earlier answers stay."""

    def name(self) -> str:
        return "validate_helpdesk_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        if tracker.get_slot("helpdesk_cancelled"):
            return []  # the form ends; action_helpdesk_submit says nothing was handed over
        return list(FORM_SLOTS)

    def _checked(self, slot: str, result: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if result.ok:
            return {slot: result.value}
        dispatcher.utter_message(text=result.prompt)
        return {slot: None}

    @staticmethod
    def _cancel(value: Any) -> dict[str, Any] | None:
        if isinstance(value, str) and handover.is_cancel(value):
            return {"helpdesk_cancelled": True}
        return None

    async def validate_helpdesk_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._cancel(value) or self._checked("helpdesk_question", check_question(value), dispatcher)

    async def validate_helpdesk_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._cancel(value) or self._checked("helpdesk_email", check_email(value), dispatcher)

    async def validate_helpdesk_registratienummer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        verified = verified_leader(tracker)
        if verified is not None:
            return {"helpdesk_registratienummer": verified}  # never another number than the verified one
        if isinstance(value, str) and handover.is_unknown_number(value):
            return {"helpdesk_registratienummer": UNKNOWN}
        return self._cancel(value) or self._checked(
            "helpdesk_registratienummer", check_registratienummer(value), dispatcher)

    async def validate_helpdesk_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"helpdesk_consent": value}
        intent = latest_intent(tracker)
        if intent in ("affirm", "deny") and not handover.is_cancel(str(value)):
            return {"helpdesk_consent": intent == "affirm"}
        return self._cancel(value) or self._checked("helpdesk_consent", check_consent(value), dispatcher)


def draft_from(tracker: Tracker) -> TicketDraft:
    number = tracker.get_slot("helpdesk_registratienummer")
    verified = verified_leader(tracker)
    consent = tracker.get_slot("helpdesk_consent") is True
    lines = handover.transcript(messages(current_session(tracker.events))) if consent else []
    return TicketDraft(
        question=str(tracker.get_slot("helpdesk_question")),
        email=str(tracker.get_slot("helpdesk_email")),
        registratienummer=None if number in (None, UNKNOWN) else str(number),
        verified=verified is not None and verified == number,
        consent=consent,
        channel=CHANNELS.get(tracker.get_latest_input_channel() or "", "rest"),
        conversation_id=tracker.sender_id,
        intent=tracker.get_slot("helpdesk_intent"),
        reason=tracker.get_slot("helpdesk_reason") or handover.ON_REQUEST,
        transcript=tuple(TranscriptLine(role, text, at) for role, text, at in lines),
        client=client_of(tracker.latest_message.get("metadata")),
    )


def client_of(metadata: object) -> str | None:
    """The pseudonym of the client's address the channel put in the metadata (channels/limits.with_client)."""
    value = metadata.get(CLIENT_KEY) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and value else None


class ActionHelpdeskSubmit(Action):
    """Store the ticket (committed before the user hears its number), then say what happens next."""

    def name(self) -> str:
        return "action_helpdesk_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, None) for slot in (*FORM_SLOTS, "helpdesk_reason", "helpdesk_intent",
                                                  "helpdesk_cancelled")]
        if tracker.get_slot("helpdesk_cancelled"):
            utter(dispatcher, tracker, Answer(handover.cancelled()))
            return reset
        try:
            ticket = await services().helpdesk.acreate_ticket(draft_from(tracker))
        except Exception as exc:  # nothing stored: keep every answer, offer to try again
            logger.exception("helpdesk: the ticket could not be stored")
            retry = handover.not_saved()
            utter(dispatcher, tracker, Answer(error_text(exc, retry.text), retry.buttons))
            return []
        utter(dispatcher, tracker, Answer(next_steps(ticket)))
        return reset
