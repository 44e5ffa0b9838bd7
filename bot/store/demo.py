"""Demo leaders for local use (`python -m bot demo`), documented in docs/store.md.

Dates are relative to the day the demo is first installed, so 100234's period ends about four months
later (the assistant's unasked warning shows). Installing again changes nothing; `--reset` recreates them
with fresh dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from ..register import RuleBook, add_years
from .core import Store, StoreError
from .validation import check_activity, check_leader


@dataclass(frozen=True)
class DemoActivity:
    kind: Literal["programme", "valuation", "diploma"]
    completed_on: date
    status: str
    programme: str | None = None
    themes: tuple[str, ...] = ()
    learning_level: int | None = None
    diploma: str | None = None
    points_awarded: int | None = None
    certificate_reference: str | None = None


@dataclass(frozen=True)
class DemoLeader:
    registratienummer: str
    name: str
    email: str
    registration_type: str
    level: str | None
    registratiedatum: date
    period_start: date
    activities: tuple[DemoActivity, ...]
    identities: tuple[tuple[str, str], ...]


NUMBERS = ("100234", "100235", "100236")


def demo_leaders(book: RuleBook, today: date) -> tuple[DemoLeader, ...]:
    cycle = book.regulation_on(today).cycle_years.value
    # 100234: period ends in about four months; leerKRACHT jaar-1 approved, one valuation submitted.
    start_a = add_years(today + timedelta(days=120), -cycle)
    # 100235: halfway through; a vakbekwaam diploma approved (the RADO basisbekwaam route).
    start_b = add_years(today, -1) - timedelta(days=180)
    # 100236: just (re)registered; nothing in the dossier yet.
    start_c = today - timedelta(days=60)
    return (
        DemoLeader(
            "100234", "Anna de Vries", "anna.devries@example.nl", "RDO", None, add_years(start_a, -cycle), start_a,
            (
                DemoActivity("programme", start_a + timedelta(days=365), "goedgekeurd", programme="leerkracht-jaar-1",
                             points_awarded=70, certificate_reference="DEMO-LK1-0001"),
                DemoActivity("valuation", today - timedelta(days=30), "ingediend", themes=("kwaliteitsmanagement",),
                             learning_level=5),
            ),
            (("rest", "demo-100234"),),
        ),
        DemoLeader(
            "100235", "Bram Jansen", "bram.jansen@example.nl", "RADO", "basisbekwaam", start_b, start_b,
            (
                DemoActivity("diploma", start_b + timedelta(days=200), "goedgekeurd", diploma="vakbekwaam",
                             certificate_reference="DEMO-VB-0002"),
            ),
            (("rest", "demo-100235"),),
        ),
        DemoLeader(
            "100236", "Carla Smit", "carla.smit@example.nl", "RDO", None, start_c, start_c, (),
            (("rest", "demo-100236"),),
        ),
    )


def install_demo(store: Store, book: RuleBook, today: date, reset: bool = False) -> list[str]:
    """Insert the demo leaders that are missing (all of them again with `reset`). Returns what happened.

    Each leader goes in with their activities in one transaction; identities are linked every time.
    """
    report: list[str] = []
    for demo in demo_leaders(book, today):
        if reset:
            store.delete_leader(demo.registratienummer)
        if store.leader(demo.registratienummer) is not None:
            report.append(f"{demo.registratienummer} {demo.name}: staat er al (ongewijzigd)")
        else:
            errors: list[str] = []
            leader = check_leader(demo.registratienummer, demo.name, demo.email, demo.registration_type, demo.level,
                                  demo.registratiedatum, demo.period_start, book.period_end(demo.period_start), errors)
            activities = [
                check_activity(book, demo.registratienummer, a.kind, a.programme, a.themes, a.learning_level,
                               a.diploma, a.points_awarded, a.completed_on, a.status, a.certificate_reference,
                               today, errors)
                for a in demo.activities
            ]
            if leader is None or errors:
                raise StoreError(f"Demo {demo.registratienummer} klopt niet: " + "; ".join(errors), errors)
            store.import_dossiers((leader,), [a for a in activities if a is not None])
            report.append(f"{demo.registratienummer} {demo.name}: toegevoegd met {len(demo.activities)} activiteit(en)")
        for channel, external_id in demo.identities:
            store.link_identity(channel, external_id, demo.registratienummer)
    return report
