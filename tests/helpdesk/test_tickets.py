"""create_ticket: triage, one transaction, unique numbers under concurrency, consent, next steps."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bot.helpdesk import Helpdesk, HelpdeskError, next_steps
from bot.store import Store
from bot.store.database import head_revision

from helpdesk_support import draft, fast_config

TODAY = date(2026, 11, 23)  # Monday


def test_ticket_is_committed_with_its_outbox_row(helpdesk: Helpdesk) -> None:
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    assert re.fullmatch(r"RW-2026-\d{6}", ticket.number)
    assert ticket.category == "certificaat of waardering" and ticket.priority == "normaal"
    assert ticket.expected_by == date(2026, 11, 26)
    # Read back through a separate engine: really committed.
    other = Helpdesk(Store(helpdesk.store.url), fast_config())
    try:
        stored = other.ticket(ticket.number)
        assert stored is not None
        assert stored.question == ticket.question and stored.reasons == ticket.reasons
        assert [t.text for t in stored.transcript] == ["Hoi, mijn certificaat?", "Sorry, dat weet ik niet."]
        assert [(d.kind, d.status, d.attempts) for d in stored.deliveries] == [("webhook", "pending", 0)]
        assert other.counts() == {"tickets": 1, "pending": 1, "delivered": 0, "failed": 0}
    finally:
        other.store.close()


def test_without_consent_only_the_question_is_kept(helpdesk: Helpdesk) -> None:
    ticket = helpdesk.create_ticket(draft(consent=False), today=TODAY)
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.transcript == () and not stored.consent
    with helpdesk.store.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT transcript FROM tickets")).scalar()
        payload = conn.execute(sa.text("SELECT payload FROM ticket_outbox")).scalar()
    assert raw is None
    assert "Sorry, dat weet ik niet" not in str(payload)
    assert "Ons gesprek geef ik niet door" in next_steps(ticket)


def test_period_end_is_looked_up_and_makes_it_urgent(helpdesk: Helpdesk) -> None:
    helpdesk.store.add_leader("100234", "Anna de Vries", "anna@school.nl", "RDO", date(2022, 12, 1),
                              period_end=TODAY + timedelta(weeks=6))
    ticket = helpdesk.create_ticket(draft("Hoeveel punten mis ik nog?", registratienummer="100 234", verified=True,
                                          intent="ask_my_progress"), today=TODAY)
    assert ticket.registratienummer == "100234" and ticket.period_end == TODAY + timedelta(weeks=6)
    assert (ticket.category, ticket.priority) == ("herregistratie en punten", "hoog")
    assert ticket.expected_by == date(2026, 11, 24)
    assert any("binnen 8 weken" in r for r in ticket.reasons)
    text = next_steps(ticket)
    assert f"Je ticketnummer is {ticket.number}." in text
    assert "Je krijgt uiterlijk dinsdag 24 november 2026 antwoord per e-mail op anna@school.nl." in text
    assert "voorrang" in text


def test_an_unverified_number_never_changes_what_the_user_hears(helpdesk: Helpdesk) -> None:
    """Issue 17: anyone can type a number in the form. Its period must not raise the priority or bring
    the answer date forward, or the reply would tell whether that leader's period ends soon; the
    helpdesk sees the number, unverified, and the period as a note."""
    helpdesk.store.add_leader("100234", "Anna de Vries", "anna@school.nl", "RDO", date(2022, 12, 1),
                              period_end=TODAY + timedelta(weeks=6))
    typed = helpdesk.create_ticket(draft("Hoeveel punten mis ik nog?", registratienummer="100234", verified=False,
                                         intent="ask_my_progress"), today=TODAY)
    unknown = helpdesk.create_ticket(draft("Hoeveel punten mis ik nog?", registratienummer="999999", verified=False,
                                           intent="ask_my_progress"), today=TODAY)
    assert typed.registratienummer == "100234" and not typed.verified and typed.period_end is None
    assert typed.priority == unknown.priority == "normaal" and typed.expected_by == unknown.expected_by
    assert next_steps(typed).replace(typed.number, "X") == next_steps(unknown).replace(unknown.number, "X")
    assert any("niet meegeteld voor de prioriteit" in r for r in typed.reasons)


def test_tickets_per_person_and_hour_are_limited(any_store: Store) -> None:
    """Issue 17: one person (conversation, e-mail address or number) creates at most a few tickets an hour;
    the next one gets a Dutch explanation and nothing is stored; someone else is not affected."""
    helpdesk = Helpdesk(any_store, fast_config(tickets_per_hour=3))
    for i in range(3):
        helpdesk.create_ticket(draft(email="jan@school.nl", conversation_id=f"gesprek-{i}"), today=TODAY)
    with pytest.raises(HelpdeskError) as refused:
        helpdesk.create_ticket(draft(email="JAN@school.nl", conversation_id="nog-een"), today=TODAY)
    assert "afgelopen uur al 3 vragen" in refused.value.message
    for i in range(3):  # one conversation with a new address each time is still one person
        helpdesk.create_ticket(draft(email=f"adres{i}@school.nl", conversation_id="zelfde"), today=TODAY)
    with pytest.raises(HelpdeskError):
        helpdesk.create_ticket(draft(email="nieuw@school.nl", conversation_id="zelfde"), today=TODAY)
    helpdesk.create_ticket(draft(email="ander@school.nl", conversation_id="weer-een-ander"), today=TODAY)
    assert len(helpdesk.tickets()) == 7


def test_unknown_number_is_noted(helpdesk: Helpdesk) -> None:
    ticket = helpdesk.create_ticket(draft(registratienummer="999999"), today=TODAY)
    assert ticket.period_end is None
    assert any("999999 niet gevonden" in r for r in ticket.reasons)
    assert any("niet gecontroleerd" in r for r in ticket.reasons)


@pytest.mark.parametrize("values, fragment", [
    ({"question": "a" * 10_000}, "te lang (10.000 tekens)"), ({"email": "anna@"}, "naam@school.nl"),
    ({"registratienummer": "12"}, "6 tot 10"), ({"question": "<script>x</script>"}, "zonder HTML-code"),
])
def test_bad_draft_is_refused_in_dutch_and_nothing_stored(helpdesk: Helpdesk, values: dict[str, str],
                                                          fragment: str) -> None:
    values = dict(values)
    question = values.pop("question", "Mijn vraag over het register")
    with pytest.raises(HelpdeskError) as caught:
        helpdesk.create_ticket(draft(question, **values), today=TODAY)
    assert fragment in caught.value.message
    assert helpdesk.counts()["tickets"] == 0


def test_email_row_only_when_smtp_is_configured(any_store: Store) -> None:
    helpdesk = Helpdesk(any_store, fast_config(smtp_host="127.0.0.1", mail_to=("helpdesk@register.nl",)))
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    assert sorted(d.kind for d in ticket.deliveries) == ["email", "webhook"]
    assert len({d.idempotency_key for d in ticket.deliveries}) == 2


_TRIGGERS = {
    "sqlite": ["CREATE TRIGGER outbox_boom BEFORE INSERT ON ticket_outbox BEGIN SELECT RAISE(ABORT, 'boom'); END"],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION outbox_boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER outbox_boom BEFORE INSERT ON ticket_outbox FOR EACH ROW EXECUTE FUNCTION outbox_boom()",
    ],
}
_DROP = {"sqlite": ["DROP TRIGGER outbox_boom"],
         "postgresql": ["DROP TRIGGER outbox_boom ON ticket_outbox", "DROP FUNCTION outbox_boom()"]}


def test_failure_mid_way_leaves_nothing_half(helpdesk: Helpdesk) -> None:
    """The database refuses the outbox row (a real trigger): the ticket row is rolled back with it."""
    dialect = helpdesk.store.engine.dialect.name
    with helpdesk.store.engine.begin() as conn:
        for statement in _TRIGGERS[dialect]:
            conn.execute(sa.text(statement))
    try:
        with pytest.raises(HelpdeskError) as caught:
            helpdesk.create_ticket(draft(), today=TODAY)
        assert "niets verstuurd" in caught.value.message
        assert helpdesk.counts() == {"tickets": 0, "pending": 0, "delivered": 0, "failed": 0}
    finally:
        with helpdesk.store.engine.begin() as conn:
            for statement in _DROP[dialect]:
                conn.execute(sa.text(statement))
    assert helpdesk.create_ticket(draft(), today=TODAY).number


def test_numbers_unique_under_concurrency(helpdesk: Helpdesk) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(i: int) -> None:
        start.wait()
        try:
            for j in range(5):
                record = helpdesk.create_ticket(draft(f"Vraag {i}-{j} over mijn certificaat",
                                                      conversation_id=f"c{i}"), today=TODAY)
                with lock:
                    numbers.append(record.number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert helpdesk.counts()["tickets"] == 40 and helpdesk.counts()["pending"] == 40


def test_async_variants(helpdesk: Helpdesk) -> None:
    async def go() -> str:
        ticket = await helpdesk.acreate_ticket(draft(), today=TODAY)
        await helpdesk.arecord_unanswered("Mag ik 100234 gebruiken?", "nlu_fallback")
        return ticket.number

    number = asyncio.run(go())
    assert helpdesk.ticket(number) is not None
    assert helpdesk.unanswered()[0].text == "mag ik [nummer] gebruiken?"


def test_unanswered_by_frequency(helpdesk: Helpdesk) -> None:
    for text in ("Kan ik 100234 overzetten?", "kan ik  999888 overzetten?", "Wat is PE-online?",
                 "KAN IK 123456 OVERZETTEN?", "   "):
        helpdesk.record_unanswered(text, "nlu_fallback")
    summary = helpdesk.unanswered()
    assert [(s.text, s.count) for s in summary] == [("kan ik [nummer] overzetten?", 3), ("wat is pe-online?", 1)]
    assert summary[0].intents == ("nlu_fallback",)


def test_downgrade_to_0001_keeps_leaders(any_store: Store) -> None:
    any_store.add_leader("100234", "Anna", "anna@school.nl", "RDO", date(2024, 1, 1))
    any_store.downgrade("0001")
    assert any_store.leader("100234") is not None
    assert "tickets" not in sa.inspect(any_store.engine).get_table_names()
    any_store.upgrade()
    assert any_store.revision() == head_revision()


def test_tickets_per_client_address_are_limited(any_store: Store) -> None:
    """Issue 17: many people behind one address (a pseudonym of it, from the channel) create at most
    `tickets_per_address` tickets an hour; another address is not affected; no address, no limit."""
    helpdesk = Helpdesk(any_store, fast_config(tickets_per_hour=100, tickets_per_address=2))
    for i in range(2):
        helpdesk.create_ticket(draft(email=f"p{i}@school.nl", conversation_id=f"g{i}", client="adres-a"), today=TODAY)
    with pytest.raises(HelpdeskError) as refused:
        helpdesk.create_ticket(draft(email="p9@school.nl", conversation_id="g9", client="adres-a"), today=TODAY)
    assert "Vanaf deze verbinding" in refused.value.message
    helpdesk.create_ticket(draft(email="q@school.nl", conversation_id="h", client="adres-b"), today=TODAY)
    for i in range(3):
        helpdesk.create_ticket(draft(email=f"r{i}@school.nl", conversation_id=f"k{i}"), today=TODAY)
    assert len(helpdesk.tickets()) == 6
