"""Checks for leaders and activities before they enter the store (CLI import and `Store.add_*`).

Every check returns all problems it finds, in Dutch, so an import can report every error at once.
Programme and theme ids are checked against the rules data (`bot.register.load_rules()`) and stored
as their canonical ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

from ..register import RuleBook, RulesError
from ..register.model import Programme, Theme
from .models import CHANNELS, DIPLOMAS, KINDS, LEVELS, REGISTRATION_TYPES, STATUSES
from .records import ActivityRecord, LeaderRecord

NUMBER_RE = re.compile(r"^\d{6,10}$")
# Deliberately simple: one @, no spaces, a dot in the domain. The register checks deliverability.
EMAIL_RE = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[A-Za-z]{2,}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_NAME = 200
MAX_EMAIL = 254
MAX_CERTIFICATE = 100
MAX_POINTS = 1000
MAX_EXTERNAL_ID = 255
KIND_ALIASES = {
    "programme": "programme", "opleiding": "programme",
    "valuation": "valuation", "waardering": "valuation",
    "diploma": "diploma",
}
THEME_SEPARATORS = re.compile(r"[;|]")
DONE_STATUSES = ("ingediend", "goedgekeurd", "afgewezen")

Kind = Literal["programme", "valuation", "diploma"]


def _clip(value: object, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def blank(value: str | None) -> str | None:
    """Stripped text, or None for a missing or empty value."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_number(value: object, errors: list[str], field: str = "registratienummer") -> str | None:
    if not isinstance(value, str) or not NUMBER_RE.fullmatch(value.strip()):
        shown = "leeg" if value in (None, "") else f"'{_clip(value)}'"
        errors.append(f"{field} {shown}: verwacht 6 tot 10 cijfers")
        return None
    return value.strip()


def parse_date(value: str | None, field: str, errors: list[str]) -> date | None:
    text = blank(value)
    if text is None:
        errors.append(f"{field} ontbreekt (verwacht JJJJ-MM-DD)")
        return None
    if not ISO_DATE_RE.fullmatch(text):
        errors.append(f"{field} '{_clip(text)}' is geen datum als JJJJ-MM-DD")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(f"{field} '{_clip(text)}' bestaat niet")
        return None


def parse_int(value: str | None, field: str, errors: list[str]) -> int | None:
    text = blank(value)
    if text is None:
        return None
    if not re.fullmatch(r"-?\d{1,6}", text):
        errors.append(f"{field} '{_clip(text)}' is geen heel getal")
        return None
    return int(text)


def check_leader(
    registratienummer: object, name: str | None, email: str | None, registration_type: str | None,
    level: str | None, registratiedatum: date | None, period_start: date | None, period_end: date | None,
    errors: list[str],
) -> LeaderRecord | None:
    """A leader's values checked and normalised; problems are appended to `errors`."""
    before = len(errors)
    number = check_number(registratienummer, errors)
    clean_name = blank(name)
    if clean_name is None:
        errors.append("naam ontbreekt")
    elif len(clean_name) > MAX_NAME:
        errors.append(f"naam is langer dan {MAX_NAME} tekens")
    clean_email = blank(email)
    if clean_email is None:
        errors.append("e-mail ontbreekt")
    elif len(clean_email) > MAX_EMAIL or not EMAIL_RE.fullmatch(clean_email):
        errors.append(f"e-mail '{_clip(clean_email)}' is geen geldig e-mailadres")
    rtype = (blank(registration_type) or "").upper()
    if rtype not in REGISTRATION_TYPES:
        errors.append(f"registratietype '{_clip(registration_type or '')}' is niet RDO of RADO")
    clean_level = (blank(level) or "").lower() or None
    if clean_level is not None and clean_level not in LEVELS:
        errors.append(f"niveau '{_clip(level or '')}' is niet basisbekwaam, vakbekwaam of leeg")
    if period_start is not None and period_end is not None and not period_end > period_start:
        errors.append(f"periode_eind {period_end.isoformat()} ligt niet na periode_start {period_start.isoformat()}")
    if registratiedatum is not None and period_start is not None and registratiedatum > period_start:
        errors.append(
            f"registratiedatum {registratiedatum.isoformat()} ligt na periode_start {period_start.isoformat()}"
        )
    if len(errors) > before or None in (number, clean_name, clean_email, registratiedatum, period_start, period_end):
        return None
    assert number is not None and clean_name is not None and clean_email is not None
    assert registratiedatum is not None and period_start is not None and period_end is not None
    return LeaderRecord(number, clean_name, clean_email, rtype, clean_level, registratiedatum, period_start, period_end)


def resolve_programme(book: RuleBook, value: str, errors: list[str]) -> str | None:
    found = book.find("programme", value)
    if not isinstance(found, Programme):
        errors.append(f"opleiding '{_clip(value)}' staat niet in de regels (bekend: {', '.join(book.programmes)})")
        return None
    return found.id


def resolve_themes(book: RuleBook, values: Sequence[str], errors: list[str]) -> tuple[str, ...]:
    ids: list[str] = []
    for value in values:
        found = book.find("theme", value)
        if not isinstance(found, Theme):
            errors.append(f"thema '{_clip(value)}' staat niet in de regels (bekend: {', '.join(book.themes)})")
        else:
            ids.append(found.id)
    return tuple(ids)


def split_themes(text: str | None) -> tuple[str, ...]:
    """Themes in one CSV cell, separated by ';' or '|' (a comma separates the CSV's columns)."""
    return tuple(t.strip() for t in THEME_SEPARATORS.split(text or "") if t.strip())


def check_activity(
    book: RuleBook, registratienummer: object, kind: str | None, programme: str | None, themes: Sequence[str],
    learning_level: int | None, diploma: str | None, points_awarded: int | None, completed_on: date | None,
    status: str | None, certificate_reference: str | None, today: date, errors: list[str],
) -> ActivityRecord | None:
    """An activity's values checked against the rules data and normalised; problems go to `errors`."""
    before = len(errors)
    number = check_number(registratienummer, errors)
    clean_kind = KIND_ALIASES.get((blank(kind) or "").lower())
    if clean_kind is None:
        errors.append(f"soort '{_clip(kind or '')}' is niet programme/opleiding, valuation/waardering of diploma")
    clean_status = (blank(status) or "").lower()
    if clean_status not in STATUSES:
        errors.append(f"status '{_clip(status or '')}' is niet {', '.join(STATUSES)}")
    clean_programme = blank(programme)
    clean_diploma = (blank(diploma) or "").lower() or None
    theme_ids: tuple[str, ...] = ()
    if clean_kind == "programme":
        if clean_programme is None:
            errors.append("opleiding ontbreekt (verplicht bij soort programme)")
        else:
            clean_programme = resolve_programme(book, clean_programme, errors)
    elif clean_programme is not None:
        errors.append("opleiding hoort alleen bij soort programme")
    if clean_kind == "valuation":
        if not themes:
            errors.append("themas ontbreken (minstens één thema bij soort valuation)")
        theme_ids = resolve_themes(book, themes, errors)
    elif themes:
        errors.append("themas horen alleen bij soort valuation (een opleiding dekt haar thema's zelf)")
    if clean_kind == "diploma":
        if clean_diploma not in DIPLOMAS:
            errors.append(f"diploma '{_clip(diploma or '')}' is niet master of vakbekwaam")
    elif clean_diploma is not None:
        errors.append("diploma hoort alleen bij soort diploma")
    if clean_kind == "valuation" and completed_on is not None:
        _check_level(book, learning_level, completed_on, errors)
    elif clean_kind is not None and clean_kind != "valuation" and learning_level is not None:
        errors.append("niveau hoort alleen bij soort valuation")
    if points_awarded is not None and not 0 <= points_awarded <= MAX_POINTS:
        errors.append(f"punten {points_awarded} ligt niet tussen 0 en {MAX_POINTS}")
    if completed_on is not None and clean_status in DONE_STATUSES and completed_on > today:
        errors.append(f"datum {completed_on.isoformat()} ligt in de toekomst, maar de status is {clean_status}")
    certificate = blank(certificate_reference)
    if certificate is not None and len(certificate) > MAX_CERTIFICATE:
        errors.append(f"certificaat is langer dan {MAX_CERTIFICATE} tekens")
    if len(errors) > before or number is None or clean_kind is None or completed_on is None:
        return None
    return ActivityRecord(
        None, number, clean_kind, clean_programme, theme_ids, learning_level,
        clean_diploma if clean_kind == "diploma" else None, points_awarded, completed_on, clean_status, certificate,
    )


def _check_level(book: RuleBook, level: int | None, completed_on: date, errors: list[str]) -> None:
    try:
        regulation = book.regulation_on(completed_on)
    except RulesError as exc:
        errors.append(f"datum {completed_on.isoformat()}: {exc}")
        return
    rules = regulation.valuation_points
    if rules is None:
        if level is not None and not 1 <= level <= 9:
            errors.append(f"niveau {level} bestaat niet")
        return
    low, high = rules.value.min_level, rules.value.max_level
    if level is None:
        errors.append(f"niveau ontbreekt (verplicht bij soort valuation: {low} tot en met {high})")
    elif not low <= level <= high:
        errors.append(f"niveau {level} ligt niet tussen {low} en {high} ({regulation.name})")


def check_identity(channel: object, external_id: object, errors: list[str]) -> tuple[str, str] | None:
    before = len(errors)
    if channel not in CHANNELS:
        errors.append(f"kanaal '{_clip(channel)}' is niet {', '.join(CHANNELS)}")
    if not isinstance(external_id, str) or not external_id.strip() or len(external_id) > MAX_EXTERNAL_ID:
        errors.append("extern id ontbreekt of is te lang")
    if len(errors) > before:
        return None
    assert isinstance(channel, str) and isinstance(external_id, str)
    return channel, external_id.strip()


__all__ = [
    "KINDS", "check_activity", "check_identity", "check_leader", "check_number",
    "parse_date", "parse_int", "split_themes",
]
