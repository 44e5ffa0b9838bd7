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
from .replies import HELPDESK_OFFER

# Why a hand-over started (stored with the ticket).
FALLBACK, OUTSIDE, PERSONAL, ON_REQUEST = "fallback", "buiten_gegevens", "persoonlijk", "op_verzoek"
REASON_BY_INTENT = {"nlu_fallback": FALLBACK, "ask_outside_sources": OUTSIDE, "personal_case": PERSONAL}

# Short messages that stop the form: nothing is handed over.
CANCEL = re.compile(
    r"^(stop|stoppen|ik wil stoppen|annuleer|annuleren|cancel|afbreken|laat maar|nee,? laat maar|"
    r"toch maar niet|toch niet|vergeet het( maar)?|niet doorsturen|niet doorgeven|ik wil geen ticket)[.!]?$"
)
UNKNOWN_NUMBER = re.compile(r"^(weet ik niet|ik weet het niet|geen idee|onbekend|heb ik niet|geen|nvt|n\.v\.t\.)[.!]?$")

INTRO_WITH_QUESTION = "Ik geef je vraag door aan de helpdesk van het Schoolleidersregister PO: “{question}”"
INTRO = "Ik zet je vraag door naar de helpdesk van het Schoolleidersregister PO. Daarvoor heb ik nog een paar gegevens nodig."
CANCELLED = "Goed, ik geef niets door aan de helpdesk. Kan ik je ergens anders mee helpen?"


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
    return text.endswith(HELPDESK_OFFER)


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
        return INTRO_WITH_QUESTION.format(question=literal(start.question))
    return INTRO


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


# What the form asks, slot by slot (actions/helpdesk.py renders them).
ASK = {
    "helpdesk_question": "Wat is je vraag voor de helpdesk? Schrijf hem in je eigen woorden. Typ 'stop' als je toch niets wilt doorgeven.",
    "helpdesk_email": "Op welk e-mailadres kan de helpdesk je antwoorden?",
    "helpdesk_registratienummer": (
        "Wat is je registratienummer? Je vindt het in het portaal van het register. Weet je het niet? Typ dan 'weet ik niet'."
    ),
    "helpdesk_consent": "Mag ik dit gesprek meesturen, zodat de helpdesk je vraag beter begrijpt?",
}
CONSENT_BUTTONS = (("Ja, stuur het gesprek mee", "ja"), ("Nee, alleen mijn vraag", "nee"))
NOT_SAVED = (
    "Het lukte me niet om je vraag op te slaan. Je gegevens ben ik niet kwijt: probeer het over een paar "
    "minuten opnieuw met de knop hieronder."
)
RETRY_BUTTON = ("Opnieuw proberen", "/request_helpdesk")
