"""What leaves and enters the store: frozen dataclasses, never ORM objects (nothing lazy-loads).

One type per thing: the checks in `validation.py` return them, the store writes them, and its queries
return them. An activity that is not stored yet has `id=None`; one read from the store has its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LeaderRecord:
    registratienummer: str
    name: str
    email: str
    registration_type: str
    level: str | None
    registratiedatum: date
    period_start: date
    period_end: date


@dataclass(frozen=True)
class ActivityRecord:
    id: int | None  # None until stored
    registratienummer: str
    kind: str
    programme: str | None
    themes: tuple[str, ...]
    learning_level: int | None
    diploma: str | None
    points_awarded: int | None
    completed_on: date
    status: str
    certificate_reference: str | None


__all__ = ["ActivityRecord", "LeaderRecord"]
