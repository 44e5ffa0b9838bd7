"""Alembic migrations and models: upgrade/downgrade round trips, no drift, constraints enforced."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from bot.store import Store, head_revision
from bot.store.models import metadata

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"leaders", "activities", "channel_identities", "tickets", "ticket_outbox", "unanswered_questions",
          "conversations", "conversation_events", "link_attempts", "link_events", "reminder_settings", "teams_references", "reminders",
          "mail_messages"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A store on an empty database (PostgreSQL: the session database, downgraded to base)."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'm.db'}")
    else:
        s = Store(request.getfixturevalue("pg_url"))
        s.upgrade()
        s.downgrade("base")
    request.addfinalizer(s.close)
    return s


def tables(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(empty_store: Store) -> None:
    assert tables(empty_store) == set()
    assert empty_store.revision() is None
    empty_store.upgrade()
    assert tables(empty_store) == TABLES
    assert empty_store.revision() == head_revision() == "0006"
    empty_store.downgrade("base")
    assert tables(empty_store) == set()
    assert empty_store.revision() is None
    empty_store.upgrade()
    assert tables(empty_store) == TABLES


def test_upgrade_is_idempotent_and_keeps_data(empty_store: Store) -> None:
    from datetime import date

    empty_store.upgrade()
    empty_store.add_leader("123456", "Test", "t@example.nl", "RDO", date(2024, 1, 1))
    empty_store.upgrade()
    empty_store.upgrade()
    assert empty_store.leader("123456") is not None
    assert empty_store.revision() == head_revision()


def test_models_match_the_migrations(empty_store: Store) -> None:
    """Autogenerate finds no difference, and every named CHECK constraint of the models exists."""
    empty_store.upgrade()
    with empty_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == []
        inspector = sa.inspect(conn)
        for table in metadata.sorted_tables:
            wanted = {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
            found = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert wanted and wanted <= found, (table.name, wanted - found)
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            if table.name in ("activities", "channel_identities"):
                assert f"ix_{table.name}_leader_id" in indexes


def _insert_leader(conn: sa.engine.Connection, number: str = "123456", **values: object) -> int:
    row = {"registratienummer": number, "name": "X", "email": "x@example.nl", "registration_type": "RDO",
           "level": None, "registratiedatum": "2024-01-01", "period_start": "2024-01-01",
           "period_end": "2028-01-01", **values}
    conn.execute(sa.text(
        "INSERT INTO leaders (registratienummer, name, email, registration_type, level, registratiedatum, "
        "period_start, period_end) VALUES (:registratienummer, :name, :email, :registration_type, :level, "
        "CAST(:registratiedatum AS DATE), CAST(:period_start AS DATE), CAST(:period_end AS DATE))"), row)
    return int(conn.execute(sa.text("SELECT id FROM leaders WHERE registratienummer = :n"), {"n": number}).scalar_one())


def _insert_activity(conn: sa.engine.Connection, leader_id: int, **values: object) -> None:
    row = {"leader_id": leader_id, "kind": "programme", "programme": "leerkracht-jaar-1", "diploma": None,
           "status": "goedgekeurd", "learning_level": None, **values}
    conn.execute(sa.text(
        "INSERT INTO activities (leader_id, kind, programme, themes, learning_level, diploma, completed_on, status) "
        "VALUES (:leader_id, :kind, :programme, '[]', :learning_level, :diploma, CAST('2024-06-01' AS DATE), "
        ":status)"), row)


@pytest.mark.parametrize("leader_values", [
    {"registration_type": "XYZ"}, {"level": "expert"}, {"period_end": "2023-01-01"}, {"number": "123"},
])
def test_leader_constraints_are_enforced(empty_store: Store, leader_values: dict[str, object]) -> None:
    empty_store.upgrade()
    with pytest.raises(IntegrityError), empty_store.engine.begin() as conn:
        _insert_leader(conn, **leader_values)  # type: ignore[arg-type]


@pytest.mark.parametrize("activity_values", [
    {"kind": "cursus"}, {"status": "klaar"}, {"kind": "diploma", "programme": None, "diploma": None},
    {"kind": "diploma", "programme": None, "diploma": "phd"}, {"programme": None}, {"learning_level": 12},
    {"leader_id": 999_999},  # foreign key (SQLite enforces it with PRAGMA foreign_keys)
])
def test_activity_constraints_are_enforced(empty_store: Store, activity_values: dict[str, object]) -> None:
    empty_store.upgrade()
    with empty_store.engine.begin() as conn:
        leader_id = _insert_leader(conn)
        _insert_activity(conn, leader_id)  # a valid row goes in
    with pytest.raises(IntegrityError), empty_store.engine.begin() as conn:
        _insert_activity(conn, **{"leader_id": leader_id, **activity_values})  # type: ignore[arg-type]


def test_unique_number_and_identity(empty_store: Store) -> None:
    empty_store.upgrade()
    with empty_store.engine.begin() as conn:
        leader_id = _insert_leader(conn)
        conn.execute(sa.text("INSERT INTO channel_identities (channel, external_id, leader_id) VALUES "
                             "('teams', 'u1', :l)"), {"l": leader_id})
    with pytest.raises(IntegrityError), empty_store.engine.begin() as conn:
        _insert_leader(conn)
    with pytest.raises(IntegrityError), empty_store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO channel_identities (channel, external_id, leader_id) VALUES "
                             "('teams', 'u1', :l)"), {"l": leader_id})
    with pytest.raises(IntegrityError), empty_store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO channel_identities (channel, external_id, leader_id) VALUES "
                             "('fax', 'u2', :l)"), {"l": leader_id})


def test_cli_upgrade_works_from_any_directory(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for expected in ("bijgewerkt", "al bij"):
        result = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot", "db", "upgrade"], cwd=elsewhere,
                                env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout
    assert Store(env["DATABASE_URL"]).revision() == head_revision()


def test_plain_alembic_command_with_the_ini(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alembic.db'}"
    result = subprocess.run([str(ROOT / ".venv/bin/alembic"), "-c", str(ROOT / "bot/store/alembic.ini"),
                             "upgrade", "head"], cwd=tmp_path, env={**os.environ, "DATABASE_URL": url},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert Store(url).revision() == head_revision()
