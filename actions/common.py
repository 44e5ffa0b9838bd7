"""Reading the tracker and writing answers: shared by every action."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import texts
from bot.errors import UserError
from bot.facets import regeling_value
from bot.helpdesk import ConfigError
from bot.language import LONG_MESSAGE, LONG_NOTE, Kind, classify
from bot.replies import Answer, Query


def today() -> date:
    return date.today()


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> str:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or "")


def latest_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """The entities of the latest message; a regulation ('regeling') only where its own words name one."""
    text = latest_text(tracker)
    found = []
    for entity in tracker.latest_message.get("entities") or []:
        if not isinstance(entity, dict):
            continue
        if entity.get("entity") == "regeling":
            start, end = entity.get("start"), entity.get("end")
            said = text[start:end] if isinstance(start, int) and isinstance(end, int) else str(entity.get("value"))
            value = regeling_value(said)
            if value is None:
                continue  # "bijschrijven" marked as a regulation by the classifier
            entity = {**entity, "value": value}
        found.append(entity)
    return found


def query_from(tracker: Tracker) -> Query:
    entities: dict[str, list[str]] = {}
    for entity in latest_entities(tracker):
        name, value = entity.get("entity"), entity.get("value")
        if isinstance(name, str) and value is not None:
            entities.setdefault(name, []).append(str(value))
    return Query(
        intent=latest_intent(tracker),
        entities={k: tuple(v) for k, v in entities.items()},
        text=latest_text(tracker),
    )


# Whether the assistant's last message offered the helpdesk (bot.handover.offers_helpdesk); the action
# server sets it after every action that says something (actions/server.py).
OFFERED = "helpdesk_offered"


def helpdesk_offered(tracker: Tracker) -> bool:
    return tracker.get_slot(OFFERED) is True


def error_text(exc: BaseException, fallback: str) -> str:
    """What the user hears about an error: a `UserError`'s Dutch message, anything else `fallback`.

    A `ConfigError` is a `UserError` for the operator (it names environment variables): the user hears
    `fallback` and the operator finds it in the log.
    """
    if isinstance(exc, UserError) and not isinstance(exc, ConfigError):
        return exc.message
    return fallback


def utter(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer,
          attachment: dict[str, Any] | None = None) -> None:
    """Send an answer, with a short note first when the message was English or very long, and with
    `attachment` (the personal overview, bot/cards.py) on the same message."""
    text = answer.text
    message = latest_text(tracker)
    if classify(message) is Kind.ENGLISH:
        text = texts.text("utter_english_note") + "\n\n" + text
    elif len(message) > LONG_MESSAGE:
        text = LONG_NOTE + "\n\n" + text
    buttons = [{"title": b.title, "payload": b.payload} for b in answer.buttons]
    dispatcher.utter_message(text=text, buttons=buttons or None, attachment=attachment)
