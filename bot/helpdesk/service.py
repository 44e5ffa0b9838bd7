"""The operator's service level (bot/helpdesk/service.yml): response time per priority in werkdagen.

A werkdag is Monday to Friday, except the Dutch public holidays (from the `holidays` package, so every
year is covered without a hand-kept list) that the service level does not skip, and except the
operator's own closing days listed in service.yml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays
import yaml

SERVICE_FILE = Path(__file__).resolve().parent / "service.yml"
COUNTRY = "NL"
# The years in which the names in `skip_public_holidays` are looked up: a name that occurs in none of
# them is a typo or a name the package renamed, and must not be ignored silently.
NAME_CHECK_YEARS = range(2025, 2036)


class ServiceLevelError(Exception):
    pass


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """The Dutch public holidays of `year` with their Dutch names, as the `holidays` package gives them."""
    calendar = holidays.country_holidays(COUNTRY, years=year, language="nl")
    return {day: str(name) for day, name in calendar.items()}


def holiday_names() -> frozenset[str]:
    """Every Dutch holiday name the package uses in `NAME_CHECK_YEARS` (one day may carry several, '; ')."""
    return frozenset(part for year in NAME_CHECK_YEARS for name in public_holidays(year).values()
                     for part in name.split("; "))


@dataclass(frozen=True)
class ServiceLevel:
    response_werkdagen: dict[str, int]
    closed_days: frozenset[date]
    skip_public_holidays: frozenset[str] = frozenset()

    def closing_reason(self, day: date) -> str | None:
        """Why `day` is no werkdag: a public holiday's name, 'sluitingsdag', 'weekend'; None on a werkdag."""
        if day.weekday() >= 5:
            return "weekend"
        if day in self.closed_days:
            return "sluitingsdag"
        name = public_holidays(day.year).get(day)
        if name and any(part not in self.skip_public_holidays for part in name.split("; ")):
            return name
        return None

    def is_werkdag(self, day: date) -> bool:
        return self.closing_reason(day) is None

    def add_werkdagen(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (weekends, public holidays and closed days skipped)."""
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
    skipped: set[str] = set()
    known = holiday_names()
    for name in raw.get("skip_public_holidays") or ():
        if not isinstance(name, str) or name not in known:
            raise ServiceLevelError(
                f"{path}: skip_public_holidays: '{name}' is geen Nederlandse feestdag van het pakket holidays "
                f"(bekend: {', '.join(sorted(known))}).")
        skipped.add(name)
    return ServiceLevel(times, frozenset(closed), frozenset(skipped))


def load_service_level(path: Path | None = None) -> ServiceLevel:
    """Read the service level (`HELPDESK_SERVICE_FILE`, else service.yml). Not cached: a `Helpdesk` reads
    it once, and `bot.bootstrap` builds one helpdesk per process."""
    return _load((path or service_file()).resolve())
