"""The operator's service level (bot/helpdesk/service.yml): response time per priority in werkdagen."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

SERVICE_FILE = Path(__file__).resolve().parent / "service.yml"


class ServiceLevelError(Exception):
    pass


@dataclass(frozen=True)
class ServiceLevel:
    response_werkdagen: dict[str, int]
    closed_days: frozenset[date]

    def is_werkdag(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closed_days

    def add_werkdagen(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (weekends and closed days skipped)."""
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_werkdag(day):
                left -= 1
        return day

    def expected_by(self, priority: str, created: date) -> date:
        if priority not in self.response_werkdagen:
            raise ServiceLevelError(f"Geen reactietermijn voor prioriteit '{priority}' in de serviceafspraak.")
        return self.add_werkdagen(created, self.response_werkdagen[priority])


def service_file() -> Path:
    configured = os.environ.get("HELPDESK_SERVICE_FILE", "").strip()
    return Path(configured) if configured else SERVICE_FILE


def _load(path: Path) -> ServiceLevel:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ServiceLevelError(f"{path}: kan de serviceafspraak niet lezen ({exc}).") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("response_werkdagen"), dict):
        raise ServiceLevelError(f"{path}: 'response_werkdagen' ontbreekt.")
    times: dict[str, int] = {}
    for priority in ("hoog", "normaal"):
        value = raw["response_werkdagen"].get(priority)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60:
            raise ServiceLevelError(f"{path}: response_werkdagen.{priority} moet een geheel getal 0–60 zijn.")
        times[priority] = value
    closed: set[date] = set()
    for item in raw.get("closed_days") or ():
        if not isinstance(item, date):
            raise ServiceLevelError(f"{path}: closed_days: '{item}' is geen datum (JJJJ-MM-DD).")
        closed.add(item)
    return ServiceLevel(times, frozenset(closed))


def load_service_level(path: Path | None = None) -> ServiceLevel:
    """Read the service level (`HELPDESK_SERVICE_FILE`, else service.yml). Not cached: a `Helpdesk` reads
    it once, and `bot.bootstrap` builds one helpdesk per process."""
    return _load((path or service_file()).resolve())
