"""Fallback answers: clarify between the two likeliest topics, or give up honestly."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from .answers import TOPIC_TITLES, answer
from .facets import COMPARISON_RE, PERSONAL_INTENTS, plain_text
from .language import EMPTY_REPLY, ENGLISH_HINT, GIBBERISH_REPLY, NO_WORDS_REPLY, Kind, classify
from .passages import best_passage
from .register import RuleBook
from .replies import Answer, Button, Query, fixed, helpdesk_buttons, helpdesk_offer, source_line, with_sources

SPECIAL_REPLIES = {Kind.EMPTY: EMPTY_REPLY, Kind.NO_WORDS: NO_WORDS_REPLY, Kind.GIBBERISH: GIBBERISH_REPLY,
                   Kind.ENGLISH: ENGLISH_HINT}


# Two questions in one message: "Is de TMA verplicht en wat kost die?", "Wat is X? En Y?".
SECOND_QUESTION_RE = re.compile(
    r"\?\s*\S.*\?|\s(en|maar)\s+(wat|hoe|hoeveel|wie|waar|wanneer|welke|kost|moet|mag|kan|is|zijn)\b")
# Topics two of which may be answered one after the other (no small talk, hand-over or personal dossier).
TWO_PART_TOPICS = set(TOPIC_TITLES) - {"ask_capabilities", "request_helpdesk", "calculate_points", "ask_my_progress",
                                       "ask_my_deadline", "ask_my_dossier", "ask_my_what_if", "ask_my_suggestion",
                                       "ask_outside_sources"}


def two_part(book: RuleBook, query: Query, ranking: Sequence[tuple[str, float]], today: date) -> Answer | None:
    """Both answers, when the classifier hesitated between two topics because the message asks two questions."""
    plain = plain_text(query.text)
    if not SECOND_QUESTION_RE.search(plain) and not COMPARISON_RE.search(plain):
        return None
    topics = [name for name, _ in ranking if name in TOPIC_TITLES][:2]
    if len(topics) < 2 or not all(name in TWO_PART_TOPICS for name in topics):
        return None
    parts = [answer(book, replace(query, intent=name), today) for name in topics]
    if any(not p.sources for p in parts):
        return None  # one of them is not answered from the data: ask instead
    texts = list(dict.fromkeys(p.text.split("\n\nBron")[0].strip() for p in parts))  # one answer may cover both
    return with_sources("\n\n".join(texts), [src for p in parts for src in p.sources])


def clarify(text: str, ranking: Sequence[tuple[str, float]], book: RuleBook | None = None) -> Answer:
    kind = classify(text)
    if kind in SPECIAL_REPLIES:
        return Answer(SPECIAL_REPLIES[kind])
    topics = [name for name, _ in ranking if name in TOPIC_TITLES][:2]
    # A passage of the rules data, unless the question is about the asker's own dossier.
    personal = (bool(topics) and all(name in PERSONAL_INTENTS for name in topics)
                and re.search(r"\b(ik|mijn|me|mij)\b", plain_text(text)) is not None)
    passage = best_passage(book, text) if book is not None and not personal else None
    if not topics and passage is None:
        return give_up(text)
    ask = fixed("utter_clarify")
    # After the topics, "Iets anders" (/out_of_scope): Rasa's two-stage fallback reads out_of_scope as "none
    # of these": it asks to rephrase, and after a second "none of these" gives up with the helpdesk offer
    # (a /deny would end the loop as an answer).
    buttons = tuple(Button(TOPIC_TITLES[name], f"/{name}") for name in topics) + ask.buttons
    if passage is not None:
        # One text of the data shares the question's rare words: show it, quoted, and still ask.
        return Answer(f"Ik weet niet zeker wat je bedoelt. Dit staat in mijn bronnen en past misschien bij je vraag:\n"
                      f"“{passage.text}”\n{source_line([passage.source])}\n\nGaat je vraag over iets anders? "
                      f"Kies dan hieronder.", buttons, (passage.source,))
    return Answer(ask.text, buttons)


def give_up(text: str) -> Answer:
    kind = classify(text)
    if kind in SPECIAL_REPLIES:
        return Answer(SPECIAL_REPLIES[kind])
    return Answer(fixed("utter_default").text + " " + helpdesk_offer(), helpdesk_buttons())


def ask_rephrase() -> Answer:
    return fixed("utter_ask_rephrase")
