"""The Store API on SQLite and PostgreSQL: records, validation, identities, one query per call."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.store import ActivityRecord, LeaderRecord, Store, StoreError, database_url
from bot.store.validation import check_activity, check_leader
from bot.register import load_rules

TODAY = date(2026, 11, 22)


def add_anna(store: Store, number: str = "100234") -> LeaderRecord:
    return store.add_leader(number, "Anna de Vries", "anna@example.nl", "RDO", date(2023, 3, 1),
                            registratiedatum=date(2019, 3, 1))


def test_database_url_default_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_url()
    assert url.startswith("sqlite:///") and url.endswith("/var/registerwijzer.db")
    assert Path(url.removeprefix("sqlite:///")).parent.is_dir()
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://u@h:1/db")
    assert database_url() == "postgresql+psycopg2://u@h:1/db"


def test_leader_round_trip_and_records_are_frozen(any_store: Store) -> None:
    added = add_anna(any_store)
    assert added.period_end == date(2027, 3, 1)     # from the rules: a four-year cycle
    got = any_store.leader("100234")
    assert got == added
    assert isinstance(got, LeaderRecord)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.name = "x"  # type: ignore[misc]
    assert any_store.leader("100235") is None


@pytest.mark.parametrize("bad", ["", "abc", "12345", "12345678901", "100234' OR '1'='1", " "])
def test_malformed_numbers_find_nobody(any_store: Store, bad: str) -> None:
    add_anna(any_store)
    assert any_store.leader(bad) is None
    assert any_store.activities(bad) == ()


def test_add_leader_reports_every_problem(any_store: Store) -> None:
    with pytest.raises(StoreError) as info:
        any_store.add_leader("12a", "", "not-an-email", "XYZ", date(2024, 1, 1), level="expert",
                             period_end=date(2023, 1, 1))
    text = " | ".join(info.value.errors)
    for fragment in ("registratienummer", "naam", "e-mail", "registratietype", "niveau", "periode_eind"):
        assert fragment in text
    assert any_store.counts()["leaders"] == 0


def test_duplicate_leader_is_refused(any_store: Store) -> None:
    add_anna(any_store)
    with pytest.raises(StoreError, match="al in de database"):
        add_anna(any_store)
    assert any_store.counts()["leaders"] == 1


def test_activities_canonical_ids_order_and_one_query(any_store: Store) -> None:
    add_anna(any_store)
    add_anna(any_store, "100299")
    v = any_store.add_activity("100234", "valuation", date(2024, 2, 1), themes=["kwaliteitszorg", "Verandermanagement"],
                               learning_level=5, status="ingediend", today=TODAY)
    p = any_store.add_activity("100234", "programme", date(2024, 1, 1), programme="LK1", points_awarded=70,
                               certificate_reference="C-1", today=TODAY)
    any_store.add_activity("100299", "diploma", date(2024, 1, 1), diploma="master", today=TODAY)
    assert p.programme == "leerkracht-jaar-1"
    assert v.themes == ("kwaliteitsmanagement", "verandermanagement")
    statements: list[str] = []
    sa.event.listen(any_store.engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    got = any_store.activities("100234")
    assert len(statements) == 1, statements            # one query, no N+1
    assert [a.id for a in got] == [p.id, v.id]          # oldest first
    assert all(isinstance(a, ActivityRecord) for a in got)
    assert got[1].themes == ("kwaliteitsmanagement", "verandermanagement")
    statements.clear()
    several = any_store.activities_of(["100234", "100299", "100300"])
    assert len(statements) == 1
    assert [len(several[n]) for n in ("100234", "100299", "100300")] == [2, 1, 0]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"kind": "programme", "programme": "Harvard MBA"}, "opleiding 'Harvard MBA'"),
    ({"kind": "valuation", "themes": ["astrologie"], "learning_level": 5}, "thema 'astrologie'"),
    ({"kind": "valuation", "themes": ["kwaliteitszorg"], "learning_level": 3}, "niveau 3"),
    ({"kind": "valuation", "themes": ["kwaliteitszorg"]}, "niveau ontbreekt"),
    ({"kind": "valuation", "themes": []}, "themas ontbreken"),
    ({"kind": "diploma", "diploma": "phd"}, "diploma 'phd'"),
    ({"kind": "programme", "programme": "LK1", "status": "klaar"}, "status 'klaar'"),
    ({"kind": "programme", "programme": "LK1", "completed_on": date(2027, 1, 1)}, "in de toekomst"),
])
def test_add_activity_rejects_bad_input(any_store: Store, kwargs: dict[str, object], fragment: str) -> None:
    add_anna(any_store)
    args: dict[str, object] = {"completed_on": date(2024, 1, 1), "today": TODAY, **kwargs}
    kind = args.pop("kind")
    done = args.pop("completed_on")
    with pytest.raises(StoreError) as info:
        any_store.add_activity("100234", kind, done, **args)  # type: ignore[arg-type]
    assert fragment in info.value.message
    assert any_store.activities("100234") == ()


def test_activity_of_unknown_leader_is_refused(any_store: Store) -> None:
    with pytest.raises(StoreError, match="onbekend"):
        any_store.add_activity("100234", "programme", date(2024, 1, 1), programme="LK1", today=TODAY)


def test_identities_link_relink_and_lookup(any_store: Store) -> None:
    anna = add_anna(any_store)
    bram = add_anna(any_store, "100235")
    assert any_store.leader_by_identity("teams", "aad-1") is None
    any_store.link_identity("teams", "aad-1", "100234")
    any_store.link_identity("teams", "aad-1", "100234")           # idempotent
    assert any_store.leader_by_identity("teams", "aad-1") == anna
    assert any_store.leader_by_identity("web", "aad-1") is None   # per channel
    any_store.link_identity("teams", "aad-1", "100235")           # moves to another leader
    assert any_store.leader_by_identity("teams", "aad-1") == bram
    assert any_store.identities("100235") == (("teams", "aad-1"),)
    assert any_store.counts()["channel_identities"] == 1
    with pytest.raises(StoreError, match="niet in de database"):
        any_store.link_identity("rest", "x", "999999")
    with pytest.raises(StoreError, match="kanaal"):
        any_store.link_identity("fax", "x", "100234")
    assert any_store.leader_by_identity("fax", "x") is None


def test_delete_leader_removes_dossier_and_identities(any_store: Store) -> None:
    add_anna(any_store)
    any_store.add_activity("100234", "programme", date(2024, 1, 1), programme="LK1", today=TODAY)
    any_store.link_identity("rest", "demo", "100234")
    assert any_store.delete_leader("100234") is True
    assert any_store.delete_leader("100234") is False
    assert any_store.counts() == {"leaders": 0, "activities": 0, "channel_identities": 0}


def test_import_dossiers_is_all_or_nothing(any_store: Store) -> None:
    book, errors = load_rules(), []
    leader = check_leader("100240", "Nieuw", "n@example.nl", "RDO", None, date(2024, 1, 1), date(2024, 1, 1),
                          date(2028, 1, 1), errors)
    good = check_activity(book, "100240", "programme", "LK1", (), None, None, 70, date(2024, 5, 1), "goedgekeurd",
                          None, TODAY, errors)
    orphan = check_activity(book, "100241", "programme", "LK1", (), None, None, 70, date(2024, 5, 1),
                            "goedgekeurd", None, TODAY, errors)
    assert leader and good and orphan and not errors
    with pytest.raises(StoreError, match="100241"):
        any_store.import_dossiers((leader,), (good, orphan))
    assert any_store.counts() == {"leaders": 0, "activities": 0, "channel_identities": 0}
    numbers, ids = any_store.import_dossiers((leader,), (good,))
    assert numbers == ["100240"] and len(ids) == 1
    assert any_store.activities("100240")[0].id == ids[0]


@pytest.fixture
def memory_store() -> Iterator[Store]:
    s = Store("sqlite://")
    s.upgrade()
    yield s
    s.close()


def test_in_memory_sqlite_works_across_threads(memory_store: Store) -> None:
    import asyncio

    add_anna(memory_store)
    assert asyncio.run(memory_store.aleader("100234")) is not None
