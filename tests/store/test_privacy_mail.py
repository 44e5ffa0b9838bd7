"""Erasure and retention (bot/privacy.py) for tickets from e-mail (issue 20): the triage the ticket keeps
holds the mail's text, sender and signature, so erasing the leader or the retention period removes it
with the other personal fields. The mail_messages row stays: it holds only a hash, a folder and a UID."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from bot.helpdesk import Helpdesk, HelpdeskConfig
from bot.helpdesk.intake import IncomingMail, MailIntake
from bot.helpdesk.mailtriage import Mail, Understood, triage_mail
from bot.privacy import Privacy
from bot.register import load_rules
from bot.store import Store
from bot.store.models import MailMessage, Ticket

ANNA = "100234"
TODAY = date(2026, 12, 3)
BODY = ("Beste helpdesk,\n\nWaarom staat mijn certificaat van de Regenboogacademie nog niet in mijn dossier?\n\n"
        "Met vriendelijke groet,\nAnna Jansen\nDirecteur")


def understand(text: str) -> Understood:
    return Understood("nlu_fallback", 0.4)


def everything(store: Store, tables: tuple[str, ...] = ()) -> str:
    """Every row of the tables (default: all) as text: what a person with the database would see."""
    with store.engine.connect() as connection:
        tables = tables or tuple(sa.inspect(connection).get_table_names())
        return "\n".join(json.dumps([list(map(str, row)) for row in connection.execute(sa.text(f"SELECT * FROM {t}"))])
                         for t in tables)


def mail_ticket(store: Store, key: str) -> str:
    store.upgrade()
    if store.leader(ANNA) is None:
        store.add_leader(ANNA, "Anna Jansen", "anna.jansen@school.nl", "RDO", date(2024, 1, 1))
    helpdesk = Helpdesk(store, HelpdeskConfig())
    mail = Mail("Certificaat", BODY, sender="anna.jansen@school.nl", registratienummer=ANNA)
    triage = triage_mail(mail, understand, load_rules(), TODAY, store=store)
    result = MailIntake(helpdesk).take(IncomingMail(key, "INBOX", 1, mail), triage, today=TODAY)
    return str(result.ticket)


def test_erasing_a_leader_removes_the_triage_of_their_mail(any_store: Store) -> None:
    number = mail_ticket(any_store, "a" * 64)
    tickets = everything(any_store, ("tickets", "ticket_outbox"))
    assert "Regenboogacademie" in tickets and "anna.jansen@school.nl" in tickets

    report = Privacy(any_store.database).erase(ANNA)
    assert report.tickets == 1
    after = everything(any_store)
    assert "anna.jansen" not in after and "Anna" not in after and "100234" not in after
    assert "Regenboogacademie" not in everything(any_store, ("tickets", "ticket_outbox"))
    with any_store.database.session() as session:
        ticket = session.execute(sa.select(Ticket).where(Ticket.number == number)).scalar_one()
        assert ticket.triage is None and ticket.erased_at is not None and ticket.channel == "email"
        assert session.execute(sa.select(MailMessage.ticket_id)).scalar_one() == ticket.id  # no personal data


def test_the_retention_period_removes_the_triage(any_store: Store) -> None:
    mail_ticket(any_store, "b" * 64)
    later = datetime.now(timezone.utc) + timedelta(days=10 * 365)
    assert Privacy(any_store.database).purge(now=later).tickets == 1
    with any_store.database.session() as session:
        assert session.execute(sa.select(Ticket.triage)).scalar_one() is None
    assert "Regenboogacademie" not in everything(any_store, ("tickets", "ticket_outbox"))
    assert "anna.jansen@school.nl" not in everything(any_store, ("tickets", "ticket_outbox"))
