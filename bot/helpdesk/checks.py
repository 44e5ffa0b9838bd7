"""Checks for what the helpdesk form collects: each returns the cleaned value or a Dutch prompt.

    result = check_email(text)
    if result.ok: use(result.value) else: say(result.prompt)

Nothing is thrown away: the form keeps asking with the prompt until the answer is usable. The prompts are
fixed wording in domain.yml (`responses:`, utter_helpdesk_<slot>_<problem>).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Generic, TypeVar

from .. import texts
from ..dutch import thousands

T = TypeVar("T")

MAX_QUESTION = 2000
MAX_EMAIL = 254
MAX_LOCAL = 64

_HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript\s*:|\bon[a-z]+\s*=\s*[\"']", re.IGNORECASE)
_LETTER_RE = re.compile(r"[^\W\d_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_NUMBER_RE = re.compile(r"^\d{6,10}$")



@dataclass(frozen=True)
class Check(Generic[T]):
    """The cleaned value, or None with a Dutch prompt saying what is wrong."""

    value: T | None
    prompt: str | None = None

    @property
    def ok(self) -> bool:
        return self.prompt is None


def _clean_text(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text).replace("\t", " ")
    lines = [re.sub(r"[ \u00a0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# A reply that answers a yes/no question, or only asks for help, is not a question for the helpdesk:
# "ja" to "Wat is je vraag voor de helpdesk?" asks again for the question itself.
BARE_REPLIES = frozenset({
    "ja", "jawel", "jazeker", "ja graag", "ja hoor", "ja prima", "ja ok", "ja oké", "yes", "nee", "neen", "nee hoor",
    "no", "ok", "oke", "oké", "okay", "okee", "prima", "goed", "is goed", "akkoord", "top", "graag", "help",
    "hulp", "helpdesk", "de helpdesk", "vraag", "een vraag", "ik heb een vraag", "ik wil een vraag stellen",
    "hallo", "hoi", "dank je", "dankjewel", "bedankt", "weet ik niet", "geen idee",
})


def is_bare_reply(text: str) -> bool:
    """Whether `text` is only a short reply such as "ja", "ok", "nee" or "help" (case and punctuation ignored)."""
    words = re.sub(r"[^\w\s]", " ", text.lower())
    return " ".join(words.split()) in BARE_REPLIES


def check_question(text: object) -> Check[str]:
    """The question in the leader's own words: not empty, some letters, not just "ja" or "help", at most
    2,000 characters, no HTML."""
    clean = _clean_text(text)
    if not clean:
        return Check(None, texts.text("utter_helpdesk_question_empty"))
    if not _LETTER_RE.search(clean):
        return Check(None, texts.text("utter_helpdesk_question_no_words"))
    if is_bare_reply(clean):
        return Check(None, texts.text("utter_helpdesk_question_bare"))
    if len(clean) > MAX_QUESTION:
        return Check(None, texts.text("utter_helpdesk_question_too_long", length=thousands(len(clean)),
                                      maximum=thousands(MAX_QUESTION)))
    if _HTML_RE.search(clean):
        return Check(None, texts.text("utter_helpdesk_question_html"))
    return Check(clean)


def check_email(text: object) -> Check[str]:
    """A practical e-mail check (one @, sensible local part and domain, max 254); the domain in lowercase."""
    raw = _clean_text(text)
    if raw.lower().startswith("mailto:"):
        raw = raw[7:]
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].strip()
    if not raw:
        return Check(None, texts.text("utter_helpdesk_email_empty"))
    if any(ch.isspace() for ch in raw):
        return Check(None, texts.text("utter_helpdesk_email_spaces"))
    if raw.count("@") != 1:
        return Check(None, texts.text("utter_helpdesk_email_at_sign"))
    local, domain = raw.split("@")
    domain = domain.rstrip(".").lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if domain and not domain.isascii() else domain
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if (not local or len(local) > MAX_LOCAL or not _LOCAL_RE.match(local) or len(labels) < 2
            or not all(_LABEL_RE.match(label) for label in labels) or not _TLD_RE.match(labels[-1])):
        return Check(None, texts.text("utter_helpdesk_email_invalid"))
    address = f"{local}@{domain}"
    if len(address) > MAX_EMAIL:
        return Check(None, texts.text("utter_helpdesk_email_too_long", maximum=MAX_EMAIL))
    return Check(address)


def check_registratienummer(text: object) -> Check[str]:
    """6 to 10 digits; spaces, dots and hyphens between them are tolerated."""
    raw = _clean_text(text)
    digits = re.sub(r"[\s.\-]", "", raw)
    if _NUMBER_RE.match(digits):
        return Check(digits)
    if not raw:
        return Check(None, texts.text("utter_helpdesk_number_empty"))
    if re.search(r"\D", digits):
        return Check(None, texts.text("utter_helpdesk_number_not_digits"))
    return Check(None, texts.text("utter_helpdesk_number_count", count=len(digits)))


_NO = ("geen toestemming", "niet akkoord", "liever niet", "niet doen", "niet goed", "nee hoor", "nee dank je",
       "nee", "neen", "nope", "no", "niet", "geen", "/deny")
_YES = ("ja hoor", "ja graag", "is goed", "dat mag", "dat is goed", "prima", "ja", "jawel", "jazeker", "yes",
        "akkoord", "goed", "oké", "oke", "okay", "ok", "mag", "zeker", "graag", "toestemming", "/affirm", "👍")
# Said yes with a negative word: checked first and taken out before the nee-words.
_YES_WITH_NEGATION = ("geen probleem", "geen bezwaar", "niet erg", "maakt niet uit", "heb ik geen moeite mee")


def _has(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![\w/]){re.escape(phrase)}(?!\w)", text) is not None


def check_consent(text: object) -> Check[bool]:
    """ja-words → True, nee-words → False; anything else (or both) → None with a prompt."""
    words = _clean_text(text).lower()
    words = re.sub(r"[.,!?;:()\"]+", " ", words)
    words = re.sub(r"\s+", " ", words).strip()
    if not words:
        return Check(None, texts.text("utter_helpdesk_consent_unclear"))
    yes = False
    for phrase in _YES_WITH_NEGATION:
        if _has(phrase, words):
            yes = True
            words = re.sub(rf"(?<![\w/]){re.escape(phrase)}(?!\w)", " ", words)
    no = False
    for phrase in _NO:
        if _has(phrase, words):
            no = True
            words = re.sub(rf"(?<![\w/]){re.escape(phrase)}(?!\w)", " ", words)
    yes = yes or any(_has(phrase, words) for phrase in _YES)
    if yes == no:
        return Check(None, texts.text("utter_helpdesk_consent_unclear"))
    return Check(yes)
