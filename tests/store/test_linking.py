"""Linking a Teams account to a leader with a one-time code (bot/linking.py, issue 18), on SQLite and
the real PostgreSQL, with a recording mailer (the SMTP path is tested end to end in the Teams e2e test)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.answers.linking import CANCEL, LINK, UNLINK, command_of, say
from bot.linking import LinkConfig, Linking, mask_email
from bot.privacy import Privacy
from bot.store import Store
from bot.store.models import LinkAttempt, LinkEvent

AAD, OTHER = "11111111-2222-3333-4444-555555555555", "99999999-2222-3333-4444-555555555555"
ANNA = "100234"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.broken = False

    def __call__(self, address: str, code: str) -> None:
        if self.broken:
            raise OSError("mail server down")
        self.sent.append((address, code))


@pytest.fixture
def setup(any_store: Store) -> tuple[Store, Linking, Mailbox, Clock]:
    any_store.upgrade()
    any_store.add_leader(ANNA, "Anna Jansen", "anna.jansen@school.nl", "RDO", date(2024, 1, 1))
    any_store.add_leader("200345", "Bob de Vries", "bob@school.nl", "RDO", date(2024, 1, 1))
    mailbox, clock = Mailbox(), Clock()
    return any_store, Linking(any_store.database, mailbox, LinkConfig(), clock), mailbox, clock


def test_the_happy_path_links_the_account_and_logs_without_the_code(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    store, linking, mailbox, _ = setup
    assert linking.start("teams", AAD).kind == "ask_number"
    assert linking.open_attempt("teams", AAD) == "nummer"
    # An address typed in the chat is ignored: the code goes to the address on file only.
    sent = linking.give_number("teams", AAD, "mijn nummer is 100234, stuur het naar boef@evil.example")
    assert sent.kind == "code_sent" and sent.masked == "an***@sc***.nl" and sent.minutes == 10
    [(address, code)] = mailbox.sent
    assert address == "anna.jansen@school.nl" and len(code) == 6 and code.isdigit()
    assert linking.open_attempt("teams", AAD) == "code"
    linked = linking.give_code("teams", AAD, f" {code} ")
    assert linked.kind == "linked" and linked.number == ANNA
    assert linking.linked_number("teams", AAD) == ANNA and store.leader_by_identity("teams", AAD).registratienummer == ANNA
    assert linking.open_attempt("teams", AAD) is None
    with store.database.session() as session:
        events = [e.event for e in session.execute(sa.select(LinkEvent).order_by(LinkEvent.id)).scalars()]
        stored = json.dumps([[str(v) for v in row] for row in session.execute(sa.select(LinkAttempt.__table__))])
        logged = json.dumps([[str(v) for v in row] for row in session.execute(sa.select(LinkEvent.__table__))])
    assert events == ["gestart", "code_verstuurd", "gekoppeld"]
    assert code not in stored and code not in logged  # only a salted hash while it was valid, then nothing
    assert linking.start("teams", AAD).kind == "already_linked"


def test_wrong_and_expired_codes(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    _, linking, mailbox, clock = setup
    linking.start("teams", AAD)
    linking.give_number("teams", AAD, ANNA)
    code = mailbox.sent[-1][1]
    wrong = "000000" if code != "000000" else "111111"
    assert linking.give_code("teams", AAD, wrong).tries_left == 4
    assert linking.give_code("teams", AAD, "12 34").kind == "wrong_code"  # not a code at all counts too
    clock.now += timedelta(minutes=10, seconds=1)
    assert linking.give_code("teams", AAD, code).kind == "expired"
    assert linking.linked_number("teams", AAD) is None


def test_five_wrong_codes_then_a_cool_down(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    _, linking, mailbox, clock = setup
    linking.start("teams", AAD)
    linking.give_number("teams", AAD, ANNA)
    code = mailbox.sent[-1][1]
    wrong = "000000" if code != "000000" else "111111"
    outcomes = [linking.give_code("teams", AAD, wrong) for _ in range(5)]
    assert [o.tries_left for o in outcomes[:4]] == [4, 3, 2, 1]
    assert outcomes[4].kind == "locked" and outcomes[4].minutes == 30
    assert linking.give_code("teams", AAD, code).kind == "no_attempt"  # the right code is too late now
    assert linking.start("teams", AAD).kind == "locked"
    clock.now += timedelta(minutes=31)
    assert linking.start("teams", AAD).kind == "ask_number"  # after the cool-down a new try may start
    assert linking.linked_number("teams", AAD) is None


def test_code_requests_are_limited_per_account_and_per_number(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    _, linking, mailbox, clock = setup
    for _ in range(3):
        linking.start("teams", AAD)
        assert linking.give_number("teams", AAD, ANNA).kind == "code_sent"
    linking.start("teams", AAD)
    assert linking.give_number("teams", AAD, "200345").kind == "too_many"  # this account: any number
    linking.start("teams", OTHER)
    assert linking.give_number("teams", OTHER, ANNA).kind == "too_many"  # this number: any account
    assert len(mailbox.sent) == 3
    clock.now += timedelta(hours=1, minutes=1)
    linking.start("teams", OTHER)
    assert linking.give_number("teams", OTHER, ANNA).kind == "code_sent"  # an hour later: allowed again


def test_unknown_numbers_count_against_the_limit_and_name_no_one(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    _, linking, mailbox, _ = setup
    for number in ("999991", "999992", "999993"):
        linking.start("teams", AAD)
        assert linking.give_number("teams", AAD, number).kind == "unknown_number"
    linking.start("teams", AAD)
    assert linking.give_number("teams", AAD, ANNA).kind == "too_many"
    assert mailbox.sent == []
    assert linking.give_number("teams", AAD, "geen nummer").kind == "bad_number"


def test_a_mail_failure_stops_the_attempt(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    _, linking, mailbox, _ = setup
    mailbox.broken = True
    linking.start("teams", AAD)
    assert linking.give_number("teams", AAD, ANNA).kind == "mail_failed"
    assert linking.open_attempt("teams", AAD) is None


def test_unlink_cancel_and_erase(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    store, linking, mailbox, _ = setup
    assert linking.unlink("teams", AAD).kind == "not_linked"
    assert linking.cancel("teams", AAD).kind == "no_attempt"
    linking.start("teams", AAD)
    assert linking.cancel("teams", AAD).kind == "cancelled" and linking.open_attempt("teams", AAD) is None
    linking.start("teams", AAD)
    linking.give_number("teams", AAD, ANNA)
    linking.give_code("teams", AAD, mailbox.sent[-1][1])
    assert linking.unlink("teams", AAD).kind == "unlinked" and linking.linked_number("teams", AAD) is None
    linking.start("teams", AAD)
    linking.give_number("teams", AAD, ANNA)
    linking.give_code("teams", AAD, mailbox.sent[-1][1])
    report = Privacy(store.database).erase(ANNA)  # the privacy command unlinks too, and forgets the log
    assert report.identities == 1 and report.links > 0
    assert linking.linked_number("teams", AAD) is None
    with store.database.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(LinkEvent)).scalar_one() == 0
        assert session.execute(sa.select(sa.func.count()).select_from(LinkAttempt)).scalar_one() == 0


@pytest.mark.parametrize("text,command", [
    ("koppel mijn account", LINK), ("Koppel mijn account!", LINK), ("account koppelen", LINK), ("koppelen", LINK),
    ("ontkoppel mijn account", UNLINK), ("Mijn Teams-account ontkoppelen", UNLINK), ("stop", CANCEL),
    ("hoeveel punten heb ik?", None), ("kan ik mijn account koppelen aan teams?", None), ("100234", None),
])
def test_the_commands(text: str, command: str | None) -> None:
    assert command_of(text) == command


def test_every_outcome_has_dutch_words() -> None:
    from bot.linking import KINDS, Outcome

    for kind in KINDS:
        text = say(Outcome(kind, masked="an***@sc***.nl", minutes=10, tries_left=2))
        assert text and "{" not in text
    assert mask_email("a@b.nl") == "a***@b***.nl"


def test_the_helpdesk_reads_the_log_without_codes(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    store.upgrade()
    store.add_leader(ANNA, "Anna Jansen", "anna.jansen@school.nl", "RDO", date(2024, 1, 1))
    mailbox = Mailbox()
    linking = Linking(store.database, mailbox)
    linking.start("teams", AAD)
    linking.give_number("teams", AAD, ANNA)
    linking.give_code("teams", AAD, mailbox.sent[-1][1])
    linking.unlink("teams", AAD)
    assert main(["--database-url", store.url, "links", ANNA]) == 0
    out = capsys.readouterr().out
    assert "gekoppeld" in out and "ontkoppeld" in out and "code_verstuurd" in out and AAD in out
    assert mailbox.sent[-1][1] not in out
    assert main(["--database-url", store.url, "links", "999999"]) == 0
    assert "Geen koppelingen voor 999999" in capsys.readouterr().out


def test_purge_forgets_attempts_after_a_week_and_the_log_after_a_year(setup: tuple[Store, Linking, Mailbox, Clock]) -> None:
    store, linking, mailbox, clock = setup
    linking.start("teams", AAD)
    linking.give_number("teams", AAD, ANNA)
    linking.give_code("teams", AAD, mailbox.sent[-1][1])
    privacy = Privacy(store.database)

    def counts() -> tuple[int, int]:
        with store.database.session() as session:
            return (session.execute(sa.select(sa.func.count()).select_from(LinkAttempt)).scalar_one(),
                    session.execute(sa.select(sa.func.count()).select_from(LinkEvent)).scalar_one())

    assert counts() == (2, 3)
    assert privacy.purge(now=clock.now + timedelta(days=8)).links == 2 and counts() == (0, 3)
    assert privacy.purge(now=clock.now + timedelta(days=366)).links == 3 and counts() == (0, 0)
    assert linking.linked_number("teams", AAD) == ANNA  # the link itself stays: it is what the leader asked for
