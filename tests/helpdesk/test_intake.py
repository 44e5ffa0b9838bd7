"""Taking in one e-mail (bot/helpdesk/intake.py, issue 20) on SQLite and the real PostgreSQL: mail row,
ticket, outbox rows and unanswered questions in one transaction; a message never twice, not even when two
pollers take it in at the same moment; auto-replies without a ticket; mail is never refused."""

from __future__ import annotations

import threading
from datetime import date
from functools import lru_cache
from typing import Any

import pytest
import sqlalchemy as sa
from helpdesk_support import fast_config, free_port

from bot.helpdesk import Helpdesk, HelpdeskError
from bot.helpdesk.checks import MAX_QUESTION
from bot.helpdesk.intake import IncomingMail, IntakeResult, MailIntake
from bot.helpdesk.mailtriage import OUTSIDE, Mail, MailTriage, Understood, triage_mail
from bot.register import RuleBook, load_rules
from bot.store import Store
from bot.store.models import MailMessage, Ticket, TicketOutbox, UnansweredQuestion

TODAY = date(2026, 12, 3)
BODY = ("Beste helpdesk,\n\nWat kost de registratie? En waarom staat mijn certificaat van 0612345678 niet in mijn "
        "dossier?\n\nMet vriendelijke groet,\nAnna Jansen")


def understand(text: str) -> Understood:
    """A stand-in for the trained NLU (the triage itself is tested in test_mailtriage)."""
    if "kost" in text.lower():
        return Understood("ask_costs", 0.92)
    return Understood("nlu_fallback", 0.35)


@lru_cache(maxsize=1)
def book() -> RuleBook:
    return load_rules()


def incoming(key: str = "a" * 64, body: str = BODY, sender: str = "anna@school.nl", **values: Any) -> IncomingMail:
    mail = Mail("Vraag over registratie", body, sender=sender, registratienummer=values.pop("number", None))
    return IncomingMail(key, "INBOX", values.pop("uid", 7), mail, **values)


def triaged(message: IncomingMail, store: Store | None = None) -> MailTriage:
    return triage_mail(message.mail, understand, book(), TODAY, store=store)


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {model.__tablename__: int(connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())
                for model in (MailMessage, Ticket, TicketOutbox, UnansweredQuestion)}


def test_a_mail_becomes_one_ticket_with_its_triage_outbox_and_unanswered_questions(any_store: Store) -> None:
    helpdesk = Helpdesk(any_store, fast_config(smtp_host="127.0.0.1", mail_to=("helpdesk@register.nl",)))
    message = incoming(number="100234")
    triage = triaged(message, any_store)
    result = MailIntake(helpdesk).take(message, triage, today=TODAY)

    assert result.new and result.status == "ticket" and result.ticket and result.ticket.startswith("RW-2026-")
    ticket = helpdesk.ticket(result.ticket)
    assert ticket is not None
    assert (ticket.channel, ticket.reason, ticket.email, ticket.verified, ticket.consent) == (
        "email", "email", "anna@school.nl", False, False)
    assert ticket.registratienummer == "100234" and ticket.transcript == ()
    assert ticket.conversation_id == "mail:" + "a" * 16 and ticket.intent == triage.intent
    assert ticket.category == triage.category and ticket.priority == triage.priority
    assert list(ticket.reasons)[:len(triage.reasons)] == list(triage.reasons)
    assert ticket.question == triage.text and "Anna Jansen" not in ticket.question  # signature cut
    assert sorted(d.kind for d in ticket.deliveries) == ["email", "webhook"]
    with any_store.database.session() as session:
        row = session.execute(sa.select(Ticket)).scalar_one()
        assert row.triage == triage.to_json()
        payloads = [o.payload for o in session.execute(sa.select(TicketOutbox)).scalars()]
        mail_row = session.execute(sa.select(MailMessage)).scalar_one()
        assert (mail_row.message_key, mail_row.mailbox, mail_row.uid, mail_row.status, mail_row.ticket_id) == (
            "a" * 64, "INBOX", 7, "ticket", row.id)
        kept = session.execute(sa.select(UnansweredQuestion.text, UnansweredQuestion.source)).all()
    for payload in payloads:
        assert payload["event"] == "ticket.created" and payload["ticket"]["number"] == result.ticket
        assert payload["ticket"]["channel"] == "email" and payload["ticket"]["triage"] == triage.to_json()
    outside = [q for q in triage.questions if q.status == OUTSIDE]
    assert len(kept) == len(outside) >= 1
    assert all(source == "email" for _, source in kept)
    assert not any("0612345678" in text for text, _ in kept)  # scrubbed like the chat's


def test_the_same_message_again_returns_the_first_outcome(any_store: Store) -> None:
    intake = MailIntake(Helpdesk(any_store, fast_config()))
    message = incoming()
    first = intake.take(message, triaged(message), today=TODAY)
    before = counts(any_store)
    again = intake.take(message, triaged(message), today=TODAY)
    assert again == IntakeResult(first.message_key, "ticket", first.ticket, new=False)
    assert intake.known(message.message_key) == again
    assert intake.known("b" * 64) is None
    assert counts(any_store) == before


def test_two_pollers_taking_the_same_message_at_once_make_one_ticket(any_store: Store) -> None:
    intake = MailIntake(Helpdesk(any_store, fast_config()))
    message = incoming(key="c" * 64)
    triage = triaged(message)
    results: list[IntakeResult] = []
    start = threading.Barrier(4)

    def take() -> None:
        start.wait()
        results.append(intake.take(message, triage, today=TODAY))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 4 and sum(r.new for r in results) == 1
    assert len({r.ticket for r in results}) == 1
    assert counts(any_store)["tickets"] == 1 and counts(any_store)["mail_messages"] == 1


def test_an_auto_reply_is_kept_without_a_ticket(any_store: Store) -> None:
    intake = MailIntake(Helpdesk(any_store, fast_config()))
    result = intake.take(incoming(key="d" * 64, body="Ik ben afwezig tot maandag.", auto_reply=True), None,
                         today=TODAY)
    assert result == IntakeResult("d" * 64, "geen_vraag", None, new=True)
    assert counts(any_store) == {"mail_messages": 1, "tickets": 0, "ticket_outbox": 0, "unanswered_questions": 0}


def test_mail_is_never_refused(any_store: Store) -> None:
    """No hourly limit per sender, a bad sender address, a text over the limit, no text: all tickets."""
    helpdesk = Helpdesk(any_store, fast_config(tickets_per_hour=1, tickets_per_address=1))
    intake = MailIntake(helpdesk)
    numbers = []
    for i in range(3):  # the chat's limit is 1 per hour; mail has none
        message = incoming(key=f"{i:064d}", body=f"Vraag nummer {i}: hoeveel punten heb ik nodig?")
        numbers.append(intake.take(message, triaged(message), today=TODAY).ticket)
    assert len(set(numbers)) == 3

    bad = incoming(key="e" * 64, sender="geen adres <<>>")
    ticket = helpdesk.ticket(str(intake.take(bad, triaged(bad), today=TODAY).ticket))
    assert ticket is not None and ticket.email == ""
    assert any("geen bruikbaar e-mailadres" in r and "antwoorden per e-mail kan niet" in r for r in ticket.reasons)

    long = incoming(key="f" * 64, body=("Ik heb een lange vraag over mijn punten. " * 120) + "Klopt dat?")
    ticket = helpdesk.ticket(str(intake.take(long, triaged(long), today=TODAY).ticket))
    assert ticket is not None and len(ticket.question) <= MAX_QUESTION and ticket.question.endswith("(…)")
    assert any("ingekort" in r for r in ticket.reasons)

    empty = incoming(key="9" * 64, body="", sender="")
    empty = IncomingMail(empty.message_key, "INBOX", 3, Mail("", ""))
    ticket = helpdesk.ticket(str(intake.take(empty, None, today=TODAY).ticket))
    assert ticket is not None and "geen tekst" in ticket.question and "afzender ontbreekt" in " ".join(ticket.reasons)
    assert ticket.category == "overig" and any("geen automatische beoordeling" in r for r in ticket.reasons)


def test_an_unreachable_database_stores_nothing_and_says_so_in_dutch() -> None:
    store = Store(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/registerwijzer")
    try:
        intake = MailIntake(Helpdesk(store, fast_config()))
        with pytest.raises(HelpdeskError, match="Het lukte niet om je vraag op te slaan"):
            intake.known("a" * 64)
        with pytest.raises(HelpdeskError):
            intake.take(incoming(), None, today=TODAY)
    finally:
        store.close()
