"""The hand-over to the helpdesk, conversation side: why it starts, which question goes along, the
transcript, and reading the form's answers. Plain Python over plain values (the user's turns, whether
the helpdesk was just offered, the messages); reading them from Rasa's tracker is the actions' work
(`actions/helpdesk.py`, `actions/server.py`). The tickets themselves live in `bot.helpdesk`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .dutch import literal
from .replies import Answer, fixed, helpdesk_offer

# Why a hand-over started (stored with the ticket).
FALLBACK, OUTSIDE, PERSONAL, ON_REQUEST = "fallback", "buiten_gegevens", "persoonlijk", "op_verzoek"
REASON_BY_INTENT = {"nlu_fallback": FALLBACK, "ask_outside_sources": OUTSIDE, "personal_case": PERSONAL}

# Short messages that stop the form: nothing is handed over.
CANCEL = re.compile(
    r"^(stop|stoppen|ik wil stoppen|annuleer|annuleren|cancel|afbreken|laat maar|nee,? laat maar|"
    r"toch maar niet|toch niet|vergeet het( maar)?|niet doorsturen|niet doorgeven|ik wil geen ticket)[.!]?$"
)
UNKNOWN_NUMBER = re.compile(r"^(weet ik niet|ik weet het niet|geen idee|onbekend|heb ik niet|geen|nvt|n\.v\.t\.)[.!]?$")

# What the hand-over says is fixed wording in domain.yml (`responses:`): utter_helpdesk_intro(_question),
# utter_ask_<slot> for the form's questions, utter_helpdesk_cancelled and utter_helpdesk_not_saved.


@dataclass(frozen=True)
class Start:
    reason: str
    question: str | None  # the user's own question, when the conversation already holds it
    intent: str | None = None  # what the understanding made of that question (for triage)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def is_cancel(text: str) -> bool:
    return bool(CANCEL.match(_normal(text)))


def is_unknown_number(text: str) -> bool:
    return bool(UNKNOWN_NUMBER.match(_normal(text)))


def offers_helpdesk(text: str) -> bool:
    """Whether a message the assistant sends offers the helpdesk (a question it could not answer): then a
    "yes" or the button right after it hands that question over."""
    return text.endswith(helpdesk_offer())


def plan(intent: str, text: str, earlier: Sequence[tuple[str, str]], offered: bool) -> Start:
    """Why the hand-over starts and which question goes along.

    `earlier` holds (intent, text) of the user's messages before this one, oldest first; `offered` says
    whether the assistant's last message offered the helpdesk (`offers_helpdesk`).
    A personal case is itself the question. After the assistant offered the helpdesk (a question it
    could not answer), the question before the "yes" is the one to hand over. Otherwise the form asks.
    """
    if intent == "personal_case":
        return Start(PERSONAL, text.strip() or None, intent)
    if offered:
        asked = [(i, t) for i, t in earlier if t.strip() and not t.startswith("/")]
        for earlier_intent, earlier_text in reversed(asked):
            if earlier_intent not in ("affirm", "deny", "request_helpdesk"):
                return Start(REASON_BY_INTENT.get(earlier_intent, FALLBACK), earlier_text.strip(), earlier_intent)
    return Start(ON_REQUEST, None)


def intro(start: Start) -> str:
    if start.question:
        return fixed("utter_helpdesk_intro_question", question=literal(start.question)).text
    return fixed("utter_helpdesk_intro").text


def ask(slot: str) -> Answer:
    """The form's question for `slot` (with its buttons)."""
    return fixed(f"utter_ask_{slot}")


def cancelled() -> str:
    return fixed("utter_helpdesk_cancelled").text


def not_saved() -> Answer:
    """The ticket could not be stored: try again later, with the retry button."""
    return fixed("utter_helpdesk_not_saved")


# The tracker store hands the actions a window of the last turns of a conversation (endpoints.yml,
# tracker_store.max_turns); a transcript with this many user turns may have lost its start.
WINDOW_TURNS = 20
EARLIER_LEFT_OUT = (f"(Eerdere berichten van dit gesprek zijn niet meegestuurd: de assistent bewaart voor de "
                    f"helpdesk de laatste {WINDOW_TURNS} beurten.)")


# A message of the conversation: who said it (USER or BOT), its text, and when (None when unknown).
USER, BOT = "user", "bot"
Message = tuple[str, str, datetime | None]


def transcript(messages: Iterable[Message],
               window_turns: int = WINDOW_TURNS) -> list[tuple[str, str, datetime | None]]:
    """(role, text, time) of the messages the actions see: what the helpdesk gets with consent. That is
    the whole conversation up to `window_turns` user turns; beyond, its last turns, with a first line
    saying earlier messages were left out (so the helpdesk never takes a window for the whole)."""
    lines = [("gebruiker" if speaker == USER else "assistent", text, at) for speaker, text, at in messages]
    if sum(1 for role, _, _ in lines if role == "gebruiker") >= window_turns:
        lines.insert(0, ("assistent", EARLIER_LEFT_OUT, None))
    return lines
