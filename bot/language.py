"""Recognise messages the NLU should not be trusted with: empty, no words, English, very long."""

from __future__ import annotations

import re
from enum import Enum

ENGLISH = {
    "the", "is", "are", "what", "how", "many", "much", "do", "does", "i", "you", "my", "need", "can",
    "could", "would", "please", "points", "register", "registration", "hello", "hi", "thanks", "thank",
    "which", "when", "where", "who", "why", "have", "has", "with", "for", "of", "to", "and", "it",
    "this", "that", "course", "cost", "costs", "about", "help", "me", "speak", "english", "there",
    "should", "will", "did", "done", "enough", "get", "school", "leader", "principal", "be", "an",
}
DUTCH = {
    "de", "het", "een", "ik", "je", "jij", "u", "wat", "hoe", "hoeveel", "is", "zijn", "heb", "heeft",
    "punten", "thema", "thema's", "voor", "van", "met", "en", "op", "niet", "wel", "kan", "kun", "mag",
    "moet", "welke", "wanneer", "waar", "wie", "waarom", "mijn", "er", "dat", "die", "dit", "ook",
    "nog", "al", "bij", "hallo", "hoi", "dank", "bedankt", "opleiding", "telt", "mee", "niveau",
}
WORD_RE = re.compile(r"[a-zà-ÿ']+", re.IGNORECASE)
LONG_MESSAGE = 1000


# Keyboard mashing ("asdfjkl", "qwertyuiop"): four or more neighbouring keys of one row in a word.
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_MASH = {row[i:i + 4] for row in KEYBOARD_ROWS for i in range(len(row) - 3)}


class Kind(str, Enum):
    EMPTY = "empty"
    NO_WORDS = "no_words"
    GIBBERISH = "gibberish"
    ENGLISH = "english"
    OK = "ok"


def classify(text: str | None) -> Kind:
    if text is None or not text.strip():
        return Kind.EMPTY
    words = [w.lower() for w in WORD_RE.findall(text)]
    if not words:
        return Kind.NO_WORDS
    if all(is_mash(w) for w in words):
        return Kind.GIBBERISH
    if is_english(words):
        return Kind.ENGLISH
    return Kind.OK


def is_mash(word: str) -> bool:
    """A word typed by running along the keyboard, not a word of any language."""
    return len(word) >= 4 and any(word[i:i + 4] in _MASH for i in range(len(word) - 3))


def is_english(words: list[str]) -> bool:
    english = sum(1 for w in words if w in ENGLISH and w not in DUTCH)
    dutch = sum(1 for w in words if w in DUTCH and w not in ENGLISH)
    return english >= 2 and english > 2 * dutch


ENGLISH_NOTE = "Ik spreek alleen Nederlands."
ENGLISH_HINT = (
    "Ik spreek alleen Nederlands. Stel je vraag gerust in het Nederlands, bijvoorbeeld: "
    "'Hoeveel punten heb ik nodig voor mijn herregistratie?'"
)
NO_WORDS_REPLY = (
    "Ik zie geen vraag in je bericht. Stel je vraag in woorden, bijvoorbeeld: "
    "'Telt leerKRACHT jaar-1 mee voor mijn herregistratie?'"
)
GIBBERISH_REPLY = (
    "Dat begrijp ik niet. Stel je vraag in woorden, bijvoorbeeld: "
    "'Hoeveel punten heb ik nodig voor mijn herregistratie?'"
)
EMPTY_REPLY = "Je bericht is leeg. Wat wil je weten over je registratie of herregistratie?"
LONG_NOTE = "Je bericht is erg lang; ik heb vooral naar het begin gekeken. Stel je vraag het liefst kort."
