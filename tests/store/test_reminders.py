"""Reminders before the deadline (bot/reminders.py, issue 18) on SQLite and the real PostgreSQL, sent to
the local stand-in for Microsoft's Bot Connector (tests/teams/msstub.py) and a local SMTP server."""

from __future__ import annotations

import threading
from datetime import date
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.privacy import Privacy
from bot.register import load_rules
from bot.reminders import ReminderConfig, Reminders, smtp_mail
from bot.helpdesk import HelpdeskConfig
from bot.store import Store
from bot.store.demo import install_demo
from bot.store.models import Reminder
from bot.teams_api import ProactiveSender, config_from_env
from tests.mail_sink import MailServers, MailSink
from tests.teams.msstub import MicrosoftStub

TODAY = date.today()
SHORT, COMPLETE = "100234", "100236"  # demo: 100234's period ends in about four months, points short
AAD = "11111111-2222-3333-4444-000000000001"
CONVERSATION = "a:reminder-conversation"


@pytest.fixture(scope="module")
def stub() -> Iterator[MicrosoftStub]:
    running = MicrosoftStub().start()
    yield running
    running.stop()


@pytest.fixture
def mail() -> Iterator[MailSink]:
    servers = MailServers()
    yield servers.make()
    servers.stop()


def reminders_for(store: Store, stub: MicrosoftStub, mail: MailSink | None = None) -> Reminders:
    smtp = smtp_mail(HelpdeskConfig(smtp_host="127.0.0.1", smtp_port=mail.port, smtp_timeout=5)) if mail else None
    return Reminders(store, load_rules(), ProactiveSender(config_from_env(stub.env)), smtp,
                     ReminderConfig(backoff_base=0.0))


def linked(store: Store, stub: MicrosoftStub, number: str = SHORT, aad: str = AAD,
           conversation: str = CONVERSATION) -> Reminders:
    store.upgrade()
    install_demo(store, load_rules(), TODAY)
    store.link_identity("teams", aad, number)
    reminders = reminders_for(store, stub)
    reminders.remember(aad, stub.service_url, conversation, stub.tenant_id, "29:leader")
    return reminders


def sent_to(stub: MicrosoftStub, conversation: str) -> list[str]:
    return [str(r.activity.get("text", "")) for r in stub.replies(conversation)]


def test_a_reminder_arrives_once_across_runs_and_restarts(any_store: Store, stub: MicrosoftStub) -> None:
    conversation = f"{CONVERSATION}-{any_store.url[-6:]}"
    reminders = linked(any_store, stub, conversation=conversation)
    assert reminders.send().scheduled == 0  # not opted in: nothing
    assert reminders.set(SHORT, "teams", True)
    report = reminders.send()
    assert (report.scheduled, report.delivered) == (1, 1)
    [text] = sent_to(stub, conversation)
    assert "Herinnering" in text and "Je mist nog" in text and "Bron" in text and "herinneringen uit" in text
    [received] = stub.replies(conversation)
    assert received.authorization == f"Bearer {stub.issued[-1]}"  # the bot's own token
    assert reminders.send() == type(report)()  # a second run: nothing new
    assert reminders_for(any_store, stub).send() == type(report)()  # a restarted sender: nothing either
    assert len(sent_to(stub, conversation)) == 1


def test_not_for_an_opted_out_leader_or_one_with_enough_points(any_store: Store, stub: MicrosoftStub) -> None:
    conversation = f"{CONVERSATION}-out-{any_store.url[-6:]}"
    reminders = linked(any_store, stub, conversation=conversation)
    reminders.set(SHORT, "teams", True)
    reminders.set(SHORT, "teams", False)
    any_store.link_identity("teams", "aad-complete", COMPLETE)
    reminders.remember("aad-complete", stub.service_url, conversation + "-2", stub.tenant_id, "29:x")
    reminders.set(COMPLETE, "teams", True)
    assert reminders.send().scheduled == 0
    assert sent_to(stub, conversation) == [] and sent_to(stub, conversation + "-2") == []


def test_two_senders_at_once_send_one_reminder(any_store: Store, stub: MicrosoftStub) -> None:
    conversation = f"{CONVERSATION}-race-{any_store.url[-6:]}"
    first = linked(any_store, stub, conversation=conversation)
    first.set(SHORT, "teams", True)
    second = reminders_for(any_store, stub)
    barrier = threading.Barrier(2)

    def run(sender: Reminders) -> None:
        barrier.wait()
        sender.send()

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with any_store.database.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Reminder)).scalar_one() == 1
    assert len(sent_to(stub, conversation)) == 1


def test_the_connector_down_then_up_delivers_later_once(store: Store) -> None:
    down = MicrosoftStub()  # not started: the token endpoint and the connector refuse connections
    reminders = linked(store, down, conversation="a:later")
    reminders.set(SHORT, "teams", True)
    report = reminders.send()
    assert (report.scheduled, report.delivered, report.retrying) == (1, 0, 1)
    down.start()
    try:
        assert reminders.send().delivered == 1
        assert reminders.send().delivered == 0
        assert len(sent_to(down, "a:later")) == 1
    finally:
        down.stop()


def test_by_email_to_the_address_on_file(store: Store, stub: MicrosoftStub, mail: MailSink) -> None:
    store.upgrade()
    install_demo(store, load_rules(), TODAY)
    reminders = reminders_for(store, stub, mail)
    reminders.set(SHORT, "email", True)
    assert reminders.send().delivered == 1
    [message] = mail.parsed()
    assert message["To"] == store.leader(SHORT).email and "herregistratie" in message["Subject"]
    assert "Je mist nog" in message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert reminders.send().delivered == 0


def test_erasing_a_leader_forgets_reminders(store: Store, stub: MicrosoftStub) -> None:
    reminders = linked(store, stub, conversation="a:erase")
    reminders.set(SHORT, "teams", True)
    reminders.send()
    report = Privacy(store.database).erase(SHORT)
    assert report.reminders == 2 and report.identities >= 1 and report.links >= 1
    with store.database.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Reminder)).scalar_one() == 0
    assert reminders.send().scheduled == 0


def test_one_reminder_per_leader_in_teams_when_possible_else_by_email(store: Store, stub: MicrosoftStub,
                                                                      mail: MailSink) -> None:
    reminders = linked(store, stub, conversation="a:both")
    reminders = reminders_for(store, stub, mail)
    reminders.set(SHORT, "teams", True)
    reminders.set(SHORT, "email", True)
    assert reminders.send().delivered == 1
    assert len(sent_to(stub, "a:both")) == 1 and mail.messages == []  # Teams, not both
