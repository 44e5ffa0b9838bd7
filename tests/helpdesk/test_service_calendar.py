"""The operator's service calendar (bot/helpdesk/service.yml) lists the Dutch public holidays of this
year and next: a response date promised on a holiday would be a promise broken."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.helpdesk.service import SERVICE_FILE, load_service_level


def easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int) -> dict[str, date]:
    """The Dutch public holidays on a weekday-relevant calendar (Koningsdag moves to the 26th on a Sunday)."""
    sunday = easter(year)
    kings = date(year, 4, 27)
    if kings.weekday() == 6:
        kings = date(year, 4, 26)
    return {
        "Nieuwjaarsdag": date(year, 1, 1), "Tweede paasdag": sunday + timedelta(days=1), "Koningsdag": kings,
        "Hemelvaartsdag": sunday + timedelta(days=39), "Tweede pinksterdag": sunday + timedelta(days=50),
        "Eerste kerstdag": date(year, 12, 25), "Tweede kerstdag": date(year, 12, 26),
    }


def test_easter_is_computed_right() -> None:
    assert [easter(y) for y in (2024, 2025, 2026, 2027)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28)]


@pytest.mark.parametrize("offset", [0, 1])
def test_the_calendar_lists_the_holidays_of_this_year_and_next(offset: int) -> None:
    year = date.today().year + offset
    closed = load_service_level(SERVICE_FILE).closed_days
    missing = {name: day for name, day in public_holidays(year).items() if day not in closed}
    assert not missing, f"{SERVICE_FILE}: closed_days lacks {year}'s {missing}"
