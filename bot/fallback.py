"""Fallback answers: clarify between the two likeliest topics, or give up honestly."""

from __future__ import annotations

from typing import Sequence

from .answers import HELPDESK_BUTTONS, HELPDESK_OFFER, TOPIC_TITLES, Answer, Button
from .language import EMPTY_REPLY, ENGLISH_HINT, NO_WORDS_REPLY, Kind, classify



SPECIAL_REPLIES = {Kind.EMPTY: EMPTY_REPLY, Kind.NO_WORDS: NO_WORDS_REPLY, Kind.ENGLISH: ENGLISH_HINT}


def clarify(text: str, ranking: Sequence[tuple[str, float]]) -> Answer:
    kind = classify(text)
    if kind in SPECIAL_REPLIES:
        return Answer(SPECIAL_REPLIES[kind])
    topics = [name for name, _ in ranking if name in TOPIC_TITLES][:2]
    if not topics:
        return give_up(text)
    buttons = tuple(Button(TOPIC_TITLES[name], f"/{name}") for name in topics)
    buttons += (Button("Iets anders", "/deny"),)
    return Answer("Ik weet niet zeker wat je bedoelt. Gaat je vraag over een van deze onderwerpen?", buttons)


def give_up(text: str) -> Answer:
    kind = classify(text)
    if kind in SPECIAL_REPLIES:
        return Answer(SPECIAL_REPLIES[kind])
    return Answer(
        "Sorry, deze vraag kan ik niet goed beantwoorden. Ik wil je geen verkeerd antwoord geven. "
        "De helpdesk van het Schoolleidersregister PO kan je verder helpen. " + HELPDESK_OFFER,
        HELPDESK_BUTTONS,
    )


def ask_rephrase() -> Answer:
    return Answer(
        "Sorry, ik begrijp je vraag nog niet goed. Kun je hem anders stellen? Bijvoorbeeld: "
        "'Hoeveel punten levert leerKRACHT jaar-1 op?'"
    )
