"""The personal overview as a picture: a progress bar and a timeline to the deadline. No Rasa here.

`bot.progress.overview` computes the figures; this module words them (Dutch, B1) and renders them twice:

- `overview_attachment`: the attachment the action sends beside its text answer. The widget
  (web/app.js) draws it as a progress bar and a timeline; every text it shows comes from here, the
  widget adds no words of its own. REST clients get it as an extra message (`attachment`), the text
  answer stays as it was.
- `adaptive_card`: the same attachment as a Microsoft Teams Adaptive Card (schema 1.5), sent by
  channels/teams.py with the text answer in the same activity.

The text answer remains the accessible fallback: everything in the picture is also said in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .dutch import format_date
from .progress import Overview
from .replies import capital

OVERVIEW_TYPE = "registerwijzer_overzicht"  # the attachment's `type`: what the widget and Teams look for
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"  # the highest Adaptive Card version Teams renders on desktop, web and mobile
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

TITLE = "Jouw overzicht"
UNITS = {"punten": ("punt", "punten", "Punten voor je herregistratie"),
         "themas": ("thema", "thema's", "Thema's voor je herregistratie")}
PERIOD_LABEL = "Je periode"
START = "Begin"
TODAY = "Vandaag"
TODAY_MARK = "vandaag"
DEADLINE = "Uiterlijk herregistreren"
REMAINING = "Nog te gaan"


# -- wording ----------------------------------------------------------------------------------------
def count_text(done: int, required: int, unit: str) -> str:
    """'70 van de 100 punten', '3 van de 5 thema's'."""
    return f"{done} van de {required} {UNITS[unit][1]}"


def status_text(overview: Overview) -> str:
    if overview.complete:
        return f"Je voldoet al aan de eisen, via de {overview.via}." if overview.via else "Je voldoet al aan de eisen."
    if overview.unit is None or overview.done is None or overview.required is None:
        return ""
    missing = max(0, overview.required - overview.done)
    one, many, _ = UNITS[overview.unit]
    return f"Je mist nog {missing} {one if missing == 1 else many}."


def remaining_text(today: date, deadline: date) -> str:
    """The time left to the deadline in words: 'nog 12 dagen', 'nog ongeveer 8 maanden', 'nog ongeveer
    2 jaar en 3 maanden'; 'vandaag is je laatste dag'; 'je periode is verlopen op 31 juli 2026'."""
    days = (deadline - today).days
    if days < 0:
        return f"je periode is verlopen op {format_date(deadline)}"
    if days == 0:
        return "vandaag is je laatste dag"
    if days < 61:
        return f"nog {days} {'dag' if days == 1 else 'dagen'}"
    months = round(days / 30.44)
    if months < 24:
        return f"nog ongeveer {months} maanden"
    years, rest = divmod(months, 12)
    return f"nog ongeveer {years} jaar" + (f" en {rest} {'maand' if rest == 1 else 'maanden'}" if rest else "")


def elapsed(overview: Overview) -> float:
    """How far today lies between the period's start (0) and the deadline (1), clamped."""
    total = (overview.deadline - overview.period_start).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (overview.today - overview.period_start).days / total))


def summary_text(overview: Overview) -> str:
    """The whole picture in one or two sentences (the card's fallback and what a screen reader hears)."""
    parts = []
    if overview.unit is not None and overview.done is not None and overview.required is not None:
        parts.append(f"Je hebt {count_text(overview.done, overview.required, overview.unit)}.")
    status = status_text(overview)
    if status:
        parts.append(status)
    left = remaining_text(overview.today, overview.deadline)
    parts.append(f"Je herregistreert uiterlijk op {format_date(overview.deadline)}: {left}."
                 if overview.today <= overview.deadline else capital(left) + ".")
    return " ".join(parts)


# -- the attachment (widget, REST) ----------------------------------------------------------------------
def overview_attachment(overview: Overview) -> dict[str, Any]:
    """{'type': OVERVIEW_TYPE, 'payload': {...}}: figures and their Dutch labels, JSON-ready."""
    bar: dict[str, Any] | None = None
    if overview.unit is not None and overview.done is not None and overview.required is not None:
        bar = {
            "label": UNITS[overview.unit][2],
            "unit": overview.unit,
            "value": overview.done,
            "max": overview.required,
            "text": count_text(overview.done, overview.required, overview.unit),
            "status": status_text(overview),
        }
    left = remaining_text(overview.today, overview.deadline)
    period = {
        "label": PERIOD_LABEL,
        "start": overview.period_start.isoformat(),
        "end": overview.deadline.isoformat(),
        "today": overview.today.isoformat(),
        "elapsed": round(elapsed(overview), 4),
        "start_text": f"{START}: {format_date(overview.period_start)}",
        "today_text": f"{TODAY}: {format_date(overview.today)}",
        "today_mark": TODAY_MARK,
        "end_text": f"{DEADLINE}: {format_date(overview.deadline)}",
        "remaining": capital(left) + ".",
    }
    payload = {"title": TITLE, "progress": bar, "period": period, "summary": summary_text(overview)}
    return {"type": OVERVIEW_TYPE, "payload": payload}


# -- the Adaptive Card (Teams) ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Bar:
    label: str
    value: int
    max: int
    text: str
    status: str


@dataclass(frozen=True)
class _Period:
    label: str
    elapsed: float
    start_text: str
    today_text: str
    end_text: str
    remaining: str


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(key)
    return value


def _read(attachment: object) -> tuple[str, str, _Bar | None, _Period] | None:
    """(title, summary, bar, period) of an overview attachment; None for anything else (it crossed the
    wire from the action server, so it is checked rather than trusted)."""
    if not isinstance(attachment, Mapping) or attachment.get("type") != OVERVIEW_TYPE:
        return None
    payload = attachment.get("payload")
    if not isinstance(payload, Mapping):
        return None
    try:
        raw_bar, raw_period = payload.get("progress"), payload.get("period")
        bar = None
        if isinstance(raw_bar, Mapping):
            bar = _Bar(_str(raw_bar, "label"), _int(raw_bar, "value"), _int(raw_bar, "max"),
                       _str(raw_bar, "text"), _str(raw_bar, "status"))
        if not isinstance(raw_period, Mapping):
            return None
        fraction = raw_period.get("elapsed")
        if not isinstance(fraction, (int, float)) or isinstance(fraction, bool):
            return None
        period = _Period(_str(raw_period, "label"), min(1.0, max(0.0, float(fraction))),
                         _str(raw_period, "start_text"), _str(raw_period, "today_text"),
                         _str(raw_period, "end_text"), _str(raw_period, "remaining"))
        return _str(payload, "title"), _str(payload, "summary"), bar, period
    except ValueError:
        return None


def _track(fraction: float, filled: str, rest: str) -> dict[str, Any]:
    """A bar drawn with two weighted columns (Adaptive Cards 1.5 has no progress bar element)."""
    done = round(100 * min(1.0, max(0.0, fraction)))
    columns = [{"type": "Column", "width": weight, "style": style, "minHeight": "14px", "items": []}
               for weight, style in ((done, filled), (100 - done, rest)) if weight > 0]
    return {"type": "ColumnSet", "columns": columns, "spacing": "Small"}


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def adaptive_card(attachment: object) -> dict[str, Any] | None:
    """The overview attachment as an Adaptive Card (the attachment's content); None when it is not one."""
    read = _read(attachment)
    if read is None:
        return None
    title, summary, bar, period = read
    body: list[dict[str, Any]] = [_text(title, size="Medium", weight="Bolder")]
    if bar is not None:
        body += [
            _text(bar.label, weight="Bolder", spacing="Medium"),
            _track(bar.value / bar.max if bar.max > 0 else 1.0, "accent", "emphasis"),
            _text(bar.text, spacing="Small"),
        ]
        if bar.status:
            body.append(_text(bar.status, spacing="None", isSubtle=True))
    body += [
        _text(period.label, weight="Bolder", spacing="Medium"),
        _track(period.elapsed, "good", "emphasis"),
        {"type": "FactSet", "facts": [
            {"title": name, "value": value} for name, value in
            (_fact(period.start_text), _fact(period.today_text), _fact(period.end_text),
             (REMAINING, period.remaining))
        ]},
    ]
    return {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION,
            "fallbackText": summary, "speak": summary, "msteams": {"width": "Full"}, "body": body}


def _fact(text: str) -> tuple[str, str]:
    """'Begin: 1 augustus 2021' -> ('Begin', '1 augustus 2021')."""
    name, _, value = text.partition(": ")
    return (name, value) if value else ("", text)


def card_attachment(attachment: object) -> dict[str, Any] | None:
    """The Bot Framework attachment (contentType and content) for an overview attachment, or None."""
    card = adaptive_card(attachment)
    return {"contentType": ADAPTIVE_CARD, "content": card} if card is not None else None
