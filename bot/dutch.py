"""Dutch formatting primitives shared by every layer that writes for a user: the rules' error messages
and the answers' renderers. Plain Python, nothing project-specific."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def thousands(n: int) -> str:
    """A whole number with Dutch thousands separators: 200000 -> "200.000"."""
    return f"{n:,}".replace(",", ".")


def format_date(day: date) -> str:
    """A date as Dutch users write it: 17 november 2020."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: date) -> str:
    """A month as Dutch users write it: december 2025."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def join_nl(items: Sequence[str], last: str = "en") -> str:
    """'a, b en c' (or 'a, b of c'); empty items are left out."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


# Not ( ): without a [ before them they make nothing. Not <: Markdown parsers differ on escaping it
# (remark-parse 5, in the widget, does not), so it becomes the entity &lt;, which every parser shows as <.
_MARKDOWN = re.compile(r"([\\`*_\[\]>!#|~{}])")


def literal(text: str) -> str:
    """User text quoted in an answer, shown as typed: every answer is Markdown (the widget and Teams
    render it), so a quoted `[link](...)`, `![image](...)`, `<b>`, or `*` must not become one. (A bare URL
    may still be linked by the widget, but then it shows its own address: no disguised link.)"""
    escaped = _MARKDOWN.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    escaped = re.sub(r"(?m)^(\s*)([-+=])(?=\s)", r"\1\\\2", escaped)  # no list or heading from a line start
    return re.sub(r"(?m)^(\s*)(\d+)\.(?=\s)", r"\1\2\\.", escaped)
