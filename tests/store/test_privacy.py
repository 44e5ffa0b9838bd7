"""Retention and erasure (bot/privacy.py, issue 17) on SQLite and the real PostgreSQL: after `erase`,
nothing in any table names the leader; others' data is untouched; `purge` applies each retention period;
an idle conversation is not continued. The CLI reports what it removed."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet

from bot.cli import main
from bot.helpdesk import Helpdesk, HelpdeskConfig, HelpdeskError, TicketDraft, TranscriptLine
from bot.identity import pseudonym
from bot.privacy import Privacy, PrivacyError, Retention
from bot.store import Store
from bot.store.models import Conversation, TicketOutbox
from components.tracker_store import SqlConversations, WindowTrackerStore
from tests.test_tracker_store import one_turn

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
ANNA, BOB = "100234", "200345"


def ticket(helpdesk: Helpdesk, question: str, email: str, number: str | None = None, conversation: str = "c") -> str:
    record = helpdesk.create_ticket(TicketDraft(
        question=question, email=email, registratienummer=number, verified=number is not None, consent=True,
        channel="web", conversation_id=conversation, intent="nlu_fallback", reason="fallback",
        transcript=(TranscriptLine("gebruiker", question),)), today=date(2026, 12, 3))
    return str(record.number)


def everything(store: Store) -> str:
    """Every row of every table as text: what a person with the database would see."""
    with store.engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        return "\n".join(json.dumps([list(map(str, row)) for row in connection.execute(sa.text(f"SELECT * FROM {t}"))])
                         for t in tables)


def populated(store: Store) -> Helpdesk:
    store.upgrade()
    store.add_leader(ANNA, "Anna Jansen", "anna.jansen@school.nl", "RDO", date(2024, 1, 1))
    store.add_leader(BOB, "Bob de Vries", "bob@school.nl", "RDO", date(2024, 1, 1))
    store.link_identity("teams", "aad-anna", ANNA)
    store.link_identity("teams", "aad-bob", BOB)
    tracker_store = WindowTrackerStore(DOMAIN, storage="sql", url=store.url)

    async def talk() -> None:
        await one_turn(tracker_store, f"leader-{pseudonym(ANNA)}:s1", 0, SlotSet("helpdesk_email", "anna.jansen@school.nl"))
        await one_turn(tracker_store, f"rest:office-{pseudonym(ANNA)}:x", 0)
        await one_turn(tracker_store, f"leader-{pseudonym(BOB)}:s2", 0)
        await one_turn(tracker_store, "anon:s3", 0)

    asyncio.run(talk())
    tracker_store.conversations.database.close()  # type: ignore[attr-defined]
    helpdesk = Helpdesk(store, HelpdeskConfig(tickets_per_hour=1000))
    ticket(helpdesk, "Waar is mijn certificaat van Anna Jansen?", "anna.jansen@school.nl", ANNA,
           f"leader-{pseudonym(ANNA)}:s1")
    ticket(helpdesk, "Vraag met alleen haar adres", "Anna.Jansen@school.nl")
    ticket(helpdesk, "Vraag van Bob over zijn punten", "bob@school.nl", BOB)
    return helpdesk


def test_erase_leaves_nothing_that_names_the_leader_and_keeps_the_others(any_store: Store) -> None:
    helpdesk = populated(any_store)
    with any_store.database.session() as session, session.begin():  # one of Anna's deliveries is already out
        row = session.execute(sa.select(TicketOutbox).order_by(TicketOutbox.id)).scalars().first()
        row.status, row.delivered_at = "delivered", NOW
    before = everything(any_store)
    assert "anna.jansen@school.nl" in before.lower() and pseudonym(ANNA) in before

    report = Privacy(any_store.database).erase(ANNA)
    assert (report.leader, report.identities, report.conversations, report.tickets) == (1, 1, 2, 2)
    assert report.outbox == 2 and report.outbox_stopped == 1
    after = everything(any_store).lower()
    for trace in ("anna", ANNA, pseudonym(ANNA), "aad-anna", "mijn certificaat"):
        assert trace not in after, trace
    # Bob's dossier, identity, conversation and ticket are all still there, and the anonymous one.
    assert any_store.leader(BOB) is not None and any_store.identities(BOB) == (("teams", "aad-bob"),)
    assert "Vraag van Bob over zijn punten" in everything(any_store) and "anon:s3" in after
    tickets = helpdesk.tickets()
    assert len(tickets) == 3 and sum(t.question == "[gewist]" for t in tickets) == 2
    with any_store.database.session() as session:  # Anna's undelivered row is stopped, never sent
        states = session.execute(sa.select(TicketOutbox.status, TicketOutbox.payload)).all()
    assert sorted(s for s, _ in states) == ["delivered", "failed", "pending"]
    erased = [p for _, p in states if p.get("event") == "ticket.erased"]
    assert len(erased) == 2
    # Idempotent: a second erase finds nothing; retrying an erased ticket is refused in Dutch.
    again = Privacy(any_store.database).erase(ANNA)
    assert again.total == 0
    with pytest.raises(HelpdeskError, match="gewist"):
        helpdesk.retry(next(t.number for t in tickets if t.question == "[gewist]"))


def test_a_dry_run_reports_and_keeps_everything(any_store: Store) -> None:
    populated(any_store)
    before = everything(any_store)
    report = Privacy(any_store.database).erase(ANNA, dry_run=True)
    assert report.leader == 1 and report.tickets == 2
    assert everything(any_store) == before


def test_purge_applies_each_retention_period(any_store: Store) -> None:
    helpdesk = populated(any_store)
    helpdesk.record_unanswered("wat is pe-online?", "nlu_fallback")
    retention = Retention(conversations=7, tickets=365, unanswered=30, outbox=30)
    privacy = Privacy(any_store.database, retention)
    now = datetime.now(timezone.utc)
    assert privacy.purge(now=now) == type(privacy.purge(now=now))()  # nothing is old yet
    with any_store.database.session() as session, session.begin():
        session.execute(sa.update(Conversation).where(Conversation.sender_id == "anon:s3")
                        .values(updated_at=now - timedelta(days=8)))
        session.execute(sa.update(TicketOutbox).values(status="delivered", delivered_at=now - timedelta(days=31)))
    report = privacy.purge(now=now)
    assert (report.conversations, report.tickets, report.unanswered, report.outbox) == (1, 0, 0, 3)
    assert "anon:s3" not in everything(any_store)
    later = privacy.purge(now=now + timedelta(days=366))
    assert (later.conversations, later.tickets, later.unanswered) == (3, 3, 1)
    assert all(t.question == "[gewist]" and t.email == "" for t in helpdesk.tickets())
    assert any_store.leader(BOB) is not None  # dossiers are the register's records: not purged


def test_an_idle_conversation_is_not_continued(any_store: Store) -> None:
    populated(any_store)
    conversations = SqlConversations(any_store.url, idle_days=7)
    sender = f"leader-{pseudonym(BOB)}:s2"
    assert asyncio.run(conversations.window(sender)) is not None
    with any_store.database.session() as session, session.begin():
        session.execute(sa.update(Conversation).where(Conversation.sender_id == sender)
                        .values(updated_at=datetime.now(timezone.utc) - timedelta(days=7, minutes=1)))
    assert asyncio.run(conversations.window(sender)) is None  # a fresh start for the sender
    assert asyncio.run(conversations.events(sender)) is None  # and its events are gone
    conversations.database.close()


def test_retention_settings_are_checked() -> None:
    assert Retention.from_env({}) == Retention(7, 365, 365, 30)
    assert Retention.from_env({"RETENTION_TICKET_DAYS": "90", "RETENTION_CONVERSATION_DAYS": "0,5"}) == \
        Retention(0.5, 90, 365, 30)
    for bad in ("0", "-1", "veel", "100000"):
        with pytest.raises(PrivacyError, match="RETENTION_OUTBOX_DAYS"):
            Retention.from_env({"RETENTION_OUTBOX_DAYS": bad})


def test_the_cli_erases_and_reports_in_dutch(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    populated(store)
    assert main(["--database-url", store.url, "privacy", "erase", ANNA, "--dry-run"]) == 0
    assert "Proefdraai" in capsys.readouterr().out and store.leader(ANNA) is not None
    assert main(["--database-url", store.url, "privacy", "erase", ANNA]) == 0
    out = capsys.readouterr().out
    assert f"Gewist voor registratienummer {ANNA}" in out and "gesprekken:            2" in out
    assert store.leader(ANNA) is None
    assert main(["--database-url", store.url, "privacy", "erase", ANNA]) == 0
    assert "geen gegevens van dit nummer" in capsys.readouterr().out
    assert main(["--database-url", store.url, "privacy", "erase", "12ab"]) == 1
    assert "geen geldig registratienummer" in capsys.readouterr().err
    assert main(["--database-url", store.url, "privacy", "purge"]) == 0
    assert "Opgeschoond volgens de bewaartermijnen" in capsys.readouterr().out


def test_the_worker_purges_at_start_and_on_its_interval(store: Store) -> None:
    import threading

    from bot.privacy import purge_every, purge_hours

    populated(store)
    with store.database.session() as session, session.begin():
        session.execute(sa.update(Conversation).values(updated_at=datetime.now(timezone.utc) - timedelta(days=30)))
    stop, said = threading.Event(), []
    thread = threading.Thread(target=purge_every, args=(Privacy(store.database), 1 / 3600, stop, said.append))
    thread.start()
    deadline = datetime.now() + timedelta(seconds=20)
    while len(said) < 2 and datetime.now() < deadline:
        stop.wait(0.1)
    stop.set()
    thread.join(10)
    assert said[0].startswith("bewaartermijnen toegepast: 4 gesprek(ken)") and "0 gesprek(ken)" in said[1]
    assert purge_hours({}) == 24 and purge_hours({"PRIVACY_PURGE_HOURS": "0"}) == 0
    with pytest.raises(PrivacyError, match="PRIVACY_PURGE_HOURS"):
        purge_hours({"PRIVACY_PURGE_HOURS": "-1"})
