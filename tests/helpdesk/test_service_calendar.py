"""The operator's service calendar: Dutch public holidays come from the `holidays` package for every
year (no hand-kept list that runs out), service.yml adds the register's own closing days and names the
holidays on which the register still answers (Goede Vrijdag)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.helpdesk.service import SERVICE_FILE, ServiceLevelError, load_service_level


def easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm), computed apart from the package."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def closed_holidays(year: int) -> dict[str, date]:
    """The holidays on which the register is closed (Koningsdag moves to the 26th on a Sunday;
    Bevrijdingsdag only in the years divisible by five)."""
    sunday = easter(year)
    kings = date(year, 4, 27)
    if kings.weekday() == 6:
        kings = date(year, 4, 26)
    days = {
        "Nieuwjaarsdag": date(year, 1, 1), "Tweede paasdag": sunday + timedelta(days=1), "Koningsdag": kings,
        "Hemelvaartsdag": sunday + timedelta(days=39), "Tweede pinksterdag": sunday + timedelta(days=50),
        "Eerste kerstdag": date(year, 12, 25), "Tweede kerstdag": date(year, 12, 26),
    }
    if year % 5 == 0:
        days["Bevrijdingsdag"] = date(year, 5, 5)
    return days


def test_easter_is_computed_right() -> None:
    assert [easter(y) for y in (2024, 2025, 2026, 2027, 2031)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28), date(2031, 4, 13)]


@pytest.mark.parametrize("year", [date.today().year, date.today().year + 1, 2030, 2031, 2045])
def test_the_public_holidays_of_any_year_are_no_werkdag(year: int) -> None:
    level = load_service_level(SERVICE_FILE)
    open_on = {name: day for name, day in closed_holidays(year).items() if day.weekday() < 5 and level.is_werkdag(day)}
    assert not open_on, f"{year}: the helpdesk counts {open_on} as working days"


@pytest.mark.parametrize("year", [2026, 2031])
def test_goede_vrijdag_and_bevrijdingsdag_outside_lustrum_years_are_werkdagen(year: int) -> None:
    level = load_service_level(SERVICE_FILE)
    good_friday = easter(year) - timedelta(days=2)
    assert level.is_werkdag(good_friday)
    liberation = date(year, 5, 5)
    assert liberation.weekday() >= 5 or level.is_werkdag(liberation)


def test_bevrijdingsdag_is_closed_in_lustrum_years_only() -> None:
    level = load_service_level(SERVICE_FILE)
    assert date(2030, 5, 5).weekday() == 6  # a Sunday that year: closed anyway
    assert level.closing_reason(date(2035, 5, 4)) is None and level.closing_reason(date(2035, 5, 5)) == "weekend"
    assert level.closing_reason(date(2045, 5, 5)) == "Bevrijdingsdag"  # a Friday in a lustrum year


def test_answer_dates_around_the_holidays_of_2031() -> None:
    level = load_service_level(SERVICE_FILE)
    # Thursday before Easter 2031 (Goede Vrijdag 11 April is a working day, Tweede paasdag 14 April is not).
    assert level.expected_by("hoog", date(2031, 4, 10)) == date(2031, 4, 11)
    assert level.expected_by("normaal", date(2031, 4, 10)) == date(2031, 4, 16)
    # Hemelvaartsdag Thursday 22 May, Tweede pinksterdag Monday 2 June.
    assert level.expected_by("hoog", date(2031, 5, 21)) == date(2031, 5, 23)
    assert level.expected_by("normaal", date(2031, 5, 29)) == date(2031, 6, 4)
    # Christmas 2031: Thursday 25 and Friday 26 December.
    assert level.expected_by("hoog", date(2031, 12, 24)) == date(2031, 12, 29)
    assert level.expected_by("normaal", date(2031, 12, 23)) == date(2031, 12, 30)


def own_calendar(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "service.yml"
    path.write_text("response_werkdagen: {hoog: 1, normaal: 3}\nskip_public_holidays: [Goede Vrijdag]\n" + extra,
                    encoding="utf-8")
    return path


def test_the_registers_own_closing_day_still_counts(tmp_path: Path) -> None:
    level = load_service_level(own_calendar(tmp_path, "closed_days:\n  - 2031-12-29\n  - 2031-12-30\n"))
    assert level.closing_reason(date(2031, 12, 29)) == "sluitingsdag"
    assert level.expected_by("hoog", date(2031, 12, 24)) == date(2031, 12, 31)
    assert level.expected_by("normaal", date(2031, 12, 23)) == date(2032, 1, 2)   # Nieuwjaarsdag skipped too


def test_an_unknown_holiday_name_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "service.yml"
    path.write_text("response_werkdagen: {hoog: 1, normaal: 3}\nskip_public_holidays: [Goede vrijdag]\n",
                    encoding="utf-8")
    with pytest.raises(ServiceLevelError, match="Goede vrijdag"):
        load_service_level(path)


def test_skipping_no_holiday_closes_on_goede_vrijdag_too(tmp_path: Path) -> None:
    path = tmp_path / "service.yml"
    path.write_text("response_werkdagen: {hoog: 1, normaal: 3}\n", encoding="utf-8")
    level = load_service_level(path)
    assert level.closing_reason(date(2031, 4, 11)) == "Goede Vrijdag"
