"""Take personal data out of a question before it is kept as 'unanswered'.

E-mail addresses, URLs with a query string, IBANs, phone numbers, postcodes and numbers of 6 to 10
digits (registratienummers, BSNs) become placeholders; whitespace is collapsed and case lowered, so the
same question asked twice is counted together.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_KEPT = 500

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), "[e-mail]"),
    (re.compile(r"\b(?:https?://|www\.)\S*\?\S*", re.IGNORECASE), "[url]"),
    (re.compile(r"\b[A-Z]{2}\d{2}\s?(?:[A-Z0-9]{4}\s?){2,7}[A-Z0-9]{1,4}\b", re.IGNORECASE), "[iban]"),
    # Dutch phone numbers: 06-12345678, +31 6 1234 5678, 0031 20 123 4567, 020-123 45 67, (020) 1234567
    (re.compile(r"(?<![\w+])(?:\+|00)\d{2}[\s-]?(?:\(0\)\s?)?\d(?:[\s-]?\d){7,9}(?!\d)"), "[telefoon]"),
    (re.compile(r"(?<![\w])\(?0\d{1,3}\)?[\s-]?\d(?:[\s-]?\d){5,7}(?!\d)"), "[telefoon]"),
    # Postcodes: 1234 AB (capitals), or 1234ab written together.
    (re.compile(r"\b[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b"), "[postcode]"),
    (re.compile(r"\b[1-9]\d{3}(?!sa|sd|ss)[a-z]{2}\b"), "[postcode]"),
    # 6 to 10 digits, possibly grouped with spaces or dots (100 234, 10.02.34).
    (re.compile(r"(?<![\d.,])\d(?:[ .]?\d){5,9}(?![\d])"), "[nummer]"),
)


def scrub(text: str) -> str:
    """The text without personal data, normalised (lower case, single spaces, at most 500 characters)."""
    clean = unicodedata.normalize("NFC", text)
    for pattern, placeholder in _RULES:
        clean = pattern.sub(placeholder, clean)
    clean = re.sub(r"\s+", " ", clean).strip().lower()
    return clean[:MAX_KEPT].rstrip()


def text_hash(scrubbed: str) -> str:
    return hashlib.sha256(scrubbed.encode("utf-8")).hexdigest()
