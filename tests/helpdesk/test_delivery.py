"""Delivery from the outbox to a real webhook receiver and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from bot.helpdesk import Helpdesk, HelpdeskConfig
from bot.helpdesk.outbox import OutboxWorker, backoff, sign, verify
from bot.store import Store

from helpdesk_support import PYTHON, ROOT, SECRET, Receiver, draft, fast_config, free_port

from tests.mail_sink import MailServers, MailSink

TODAY = date(2026, 11, 23)


def webhook_helpdesk(store: Store, receiver: Receiver, **overrides: Any) -> Helpdesk:
    return Helpdesk(store, fast_config(webhook_url=receiver.url, webhook_secret=SECRET, **overrides))


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting")


def run_until_delivered(worker: OutboxWorker, helpdesk: Helpdesk, timeout: float = 20.0) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: helpdesk.counts()["pending"] == 0, timeout)
    finally:
        stop.set()
        thread.join(10)


def test_signature_helpers() -> None:
    body = b'{"a":1}'
    signature = sign("geheim", "1700000000", body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify("geheim", "1700000000", body, signature, now=1700000100)
    assert not verify("geheim", "1700000000", body + b" ", signature, now=1700000100)
    assert not verify("anders", "1700000000", body, signature, now=1700000100)
    assert not verify("geheim", "1700000000", body, signature, now=1700001000)  # too old: replay


def test_backoff_is_exponential_capped_and_jittered() -> None:
    config = HelpdeskConfig(backoff_base=10, backoff_cap=300, max_attempts=8)
    rng = random.Random(1)
    for attempts in range(1, 12):
        raw = min(300.0, 10 * 2 ** (attempts - 1))
        for _ in range(20):
            delay = backoff(config, attempts, rng)
            if attempts >= 8:
                assert 270 <= delay <= 300
            else:
                assert raw * 0.5 <= delay <= raw


def test_delivered_once_with_a_valid_signature(any_store: Store, receiver: Receiver) -> None:
    helpdesk = webhook_helpdesk(any_store, receiver)
    tickets = [helpdesk.create_ticket(draft(f"Vraag {i} over mijn certificaat"), today=TODAY) for i in range(3)]
    worker = OutboxWorker(helpdesk)
    assert worker.run(once=True) == 3
    assert worker.run(once=True) == 0
    keys = {d.idempotency_key for t in tickets for d in t.deliveries}
    assert set(receiver.accepted) == keys and len(receiver.posts) == 3 and receiver.bad_signatures == 0
    assert all(p["path"] == "/hooks/tickets" and p["attempt"] == "1" for p in receiver.posts)
    body = receiver.accepted[tickets[0].deliveries[0].idempotency_key]
    assert body["event"] == "ticket.created" and body["version"] == 1
    assert body["ticket"]["number"] == tickets[0].number
    assert body["ticket"]["category"] == "certificaat of waardering"
    assert body["ticket"]["transcript"][0] == {"role": "gebruiker", "text": "Hoi, mijn certificaat?", "at": None}
    for t in tickets:
        stored = helpdesk.ticket(t.number)
        assert stored is not None and stored.delivery_state == "delivered"
        assert stored.deliveries[0].delivered_at is not None and stored.deliveries[0].attempts == 1


def test_wrong_secret_is_refused_and_kept_as_failed(any_store: Store, receiver: Receiver) -> None:
    helpdesk = Helpdesk(any_store, fast_config(webhook_url=receiver.url, webhook_secret="verkeerd"))
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    OutboxWorker(helpdesk).run(once=True)
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.delivery_state == "failed"
    assert "HTTP 401" in (stored.deliveries[0].last_error or "")
    assert receiver.bad_signatures == 1 and not receiver.accepted


def test_receiver_down_then_up_arrives_exactly_once(any_store: Store) -> None:
    port = free_port()
    receiver = Receiver(port)  # not started yet: connection refused
    helpdesk = webhook_helpdesk(any_store, receiver, backoff_base=0.02, backoff_cap=0.1)
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    worker = OutboxWorker(helpdesk)
    for _ in range(4):
        worker.run(once=True)
        time.sleep(0.12)
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None
    delivery = stored.deliveries[0]
    assert delivery.status == "pending" and delivery.attempts == 4 and delivery.state == "failing"
    assert "ConnectionRefused" in (delivery.last_error or "")
    receiver.start()
    try:
        run_until_delivered(worker, helpdesk)
        key = delivery.idempotency_key
        assert list(receiver.accepted) == [key] and receiver.count(key) == 1
        worker.run(once=True)
        assert receiver.count(key) == 1
    finally:
        receiver.stop()


def test_slow_receiver_is_retried_and_we_stop_after_success(any_store: Store, receiver: Receiver) -> None:
    receiver.script = [("sleep", 1.2)]  # longer than the client timeout of 0.5 s
    helpdesk = webhook_helpdesk(any_store, receiver)
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    worker = OutboxWorker(helpdesk)
    worker.run(once=True)
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.deliveries[0].status == "pending"
    assert "timed out" in (stored.deliveries[0].last_error or "")
    run_until_delivered(worker, helpdesk)
    key = ticket.deliveries[0].idempotency_key
    time.sleep(1.0)  # let the slow first request finish on the receiver's side
    worker.run(once=True)
    assert receiver.count(key) == 2  # one timed out, one succeeded; none after the success
    assert list(receiver.accepted) == [key]  # the receiver deduplicated by Idempotency-Key
    assert receiver.duplicates == [key]


def test_5xx_then_200(any_store: Store, receiver: Receiver) -> None:
    receiver.script = [503, 500, 502]
    helpdesk = webhook_helpdesk(any_store, receiver)
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    run_until_delivered(OutboxWorker(helpdesk), helpdesk)
    key = ticket.deliveries[0].idempotency_key
    assert receiver.count(key) == 4 and list(receiver.accepted) == [key]
    assert [p["attempt"] for p in receiver.posts] == ["1", "2", "3", "4"]
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.deliveries[0].attempts == 4 and stored.delivery_state == "delivered"


def test_408_and_429_are_retried(any_store: Store, receiver: Receiver) -> None:
    receiver.script = [408, 429]
    helpdesk = webhook_helpdesk(any_store, receiver)
    helpdesk.create_ticket(draft(), today=TODAY)
    run_until_delivered(OutboxWorker(helpdesk), helpdesk)
    assert len(receiver.posts) == 3 and len(receiver.accepted) == 1


def test_4xx_is_permanent_kept_visible_and_retryable(any_store: Store, receiver: Receiver) -> None:
    receiver.script = [422]
    helpdesk = webhook_helpdesk(any_store, receiver)
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    worker = OutboxWorker(helpdesk)
    worker.run(once=True)
    time.sleep(0.4)
    worker.run(once=True)
    assert len(receiver.posts) == 1
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.delivery_state == "failed" and "HTTP 422" in str(stored.deliveries[0].last_error)
    assert [t.number for t in helpdesk.tickets(state="failed")] == [ticket.number]
    assert helpdesk.retry(ticket.number) == 1
    worker.run(once=True)
    assert len(receiver.accepted) == 1 and helpdesk.counts()["delivered"] == 1


def test_webhook_not_configured_keeps_rows_pending(any_store: Store) -> None:
    helpdesk = Helpdesk(any_store, fast_config())
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    assert OutboxWorker(helpdesk).run(once=True) == 0
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.deliveries[0].status == "pending" and stored.deliveries[0].attempts == 0


def test_two_workers_never_double_send(any_store: Store, receiver: Receiver) -> None:
    receiver.script = [("sleep", 0.02)] * 200
    helpdesk = webhook_helpdesk(any_store, receiver, batch_size=3, lease_seconds=5)
    keys = [helpdesk.create_ticket(draft(f"Vraag {i} over kosten"), today=TODAY).deliveries[0].idempotency_key
            for i in range(30)]
    other_store = Store(any_store.url)  # a second "process": its own engine and connections
    try:
        workers = [OutboxWorker(helpdesk), OutboxWorker(Helpdesk(other_store, helpdesk.config))]
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
        for t in threads:
            t.start()
        try:
            wait_for(lambda: helpdesk.counts()["delivered"] == 30)
        finally:
            stop.set()
            for t in threads:
                t.join(10)
    finally:
        other_store.close()
    assert sorted(receiver.accepted) == sorted(keys)
    assert [k for k in keys if receiver.count(k) != 1] == []
    assert receiver.duplicates == []


# -- the worker as a process ----------------------------------------------------------------------------
def worker_env(url: str, receiver: Receiver) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "PYTHONWARNINGS": "ignore", "PYTHONUNBUFFERED": "1",
            "HELPDESK_WEBHOOK_URL": receiver.url, "HELPDESK_WEBHOOK_SECRET": SECRET,
            "HELPDESK_WEBHOOK_TIMEOUT": "0.5", "HELPDESK_SMTP_TIMEOUT": "0.5", "HELPDESK_WORKER_INTERVAL": "0.05",
            "HELPDESK_BACKOFF_BASE": "0.05", "HELPDESK_BACKOFF_CAP": "0.3", "HELPDESK_LEASE_SECONDS": "1",
            "HELPDESK_BATCH_SIZE": "5"}


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(PYTHON), "-m", "bot", "helpdesk", "worker"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait(10)


def test_worker_process_killed_and_restarted_loses_nothing(any_store: Store, receiver: Receiver, tmp_path: Path,
                                                           processes: list[subprocess.Popen[bytes]]) -> None:
    receiver.script = [("sleep", 0.1)] * 100
    helpdesk = webhook_helpdesk(receiver=receiver, store=any_store)
    keys = [helpdesk.create_ticket(draft(f"Vraag {i} over mijn account"), today=TODAY).deliveries[0].idempotency_key
            for i in range(15)]
    env = worker_env(any_store.url, receiver)
    log = tmp_path / "worker.log"
    first = start_worker(env, log)
    processes.append(first)
    wait_for(lambda: len(receiver.accepted) >= 3)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert helpdesk.counts()["pending"] > 0  # killed mid-way
    second = start_worker(env, log)
    processes.append(second)
    wait_for(lambda: helpdesk.counts()["delivered"] == 15, timeout=30)
    second.send_signal(signal.SIGTERM)
    assert second.wait(15) == 0
    output = log.read_text()
    assert "SIGTERM" in output and "gestopt" in output and "Traceback" not in output
    assert sorted(receiver.accepted) == sorted(keys)
    # At least once with an idempotency key: only the request in flight at the kill may come twice.
    assert len(receiver.duplicates) <= 1
    assert all(receiver.count(k) <= 2 for k in keys)


def test_two_worker_processes_at_once(any_store: Store, receiver: Receiver, tmp_path: Path,
                                      processes: list[subprocess.Popen[bytes]]) -> None:
    receiver.script = [("sleep", 0.03)] * 100
    helpdesk = webhook_helpdesk(receiver=receiver, store=any_store)
    keys = [helpdesk.create_ticket(draft(f"Vraag {i}"), today=TODAY).deliveries[0].idempotency_key for i in range(20)]
    env = {**worker_env(any_store.url, receiver), "HELPDESK_LEASE_SECONDS": "10"}
    for n in range(2):
        processes.append(start_worker(env, tmp_path / f"w{n}.log"))
    wait_for(lambda: helpdesk.counts()["delivered"] == 20, timeout=30)
    for p in processes:
        p.send_signal(signal.SIGTERM)
        assert p.wait(15) == 0
    assert sorted(receiver.accepted) == sorted(keys) and receiver.duplicates == []
    assert all(receiver.count(k) == 1 for k in keys)


# -- e-mail ---------------------------------------------------------------------------------------------
@pytest.fixture
def mail_sink() -> Iterator[Callable[..., MailSink]]:
    servers = MailServers()
    yield servers.make
    servers.stop()


def test_email_notification(any_store: Store, mail_sink: Callable[..., MailSink]) -> None:
    sink = mail_sink()
    port = sink.socket.getsockname()[1]
    helpdesk = Helpdesk(any_store, fast_config(smtp_host="127.0.0.1", smtp_port=port,
                                               mail_from="registerwijzer@register.test",
                                               mail_to=("helpdesk@register.test",)))
    ticket = helpdesk.create_ticket(draft("Ik wil uitstel aanvragen, mijn periode verloopt"), today=TODAY)
    assert OutboxWorker(helpdesk).run(once=True) == 1  # the e-mail (no webhook configured: it waits)
    assert len(sink.messages) == 1
    mailfrom, to, data = sink.messages[0]
    text = data.decode("utf-8")
    assert mailfrom == "registerwijzer@register.test" and to == ["helpdesk@register.test"]
    assert f"Subject: [Registerwijzer] {ticket.number}: uitstel of bezwaar (prioriteit hoog)" in text
    assert "Reply-To: anna@school.nl" in text and "Idempotency-Key:" in text
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None
    states = {d.kind: d.state for d in stored.deliveries}
    assert states == {"email": "delivered", "webhook": "pending"}


def test_email_server_down_then_refusing(any_store: Store, mail_sink: Callable[..., MailSink]) -> None:
    port = free_port()
    helpdesk = Helpdesk(any_store, fast_config(smtp_host="127.0.0.1", smtp_port=port, mail_to=("hd@register.test",)))
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    worker = OutboxWorker(helpdesk)
    worker.run(once=True)  # nobody listening: retried later
    stored = helpdesk.ticket(ticket.number)
    assert stored is not None and stored.deliveries[1].status == "pending" and stored.deliveries[1].attempts == 1
    sink = mail_sink("550 mailbox unavailable")
    helpdesk2 = Helpdesk(any_store, fast_config(smtp_host="127.0.0.1", smtp_port=sink.socket.getsockname()[1],
                                                mail_to=("hd@register.test",)))
    time.sleep(0.35)
    OutboxWorker(helpdesk2).run(once=True)
    stored = helpdesk2.ticket(ticket.number)
    assert stored is not None
    email = [d for d in stored.deliveries if d.kind == "email"][0]
    assert email.state == "failed" and "550" in (email.last_error or "")


def test_the_worker_waits_out_a_database_outage_and_then_delivers(sqlite_store: Store, receiver: Receiver) -> None:
    """Issue 16: the database away (restarting, failing over) does not end the worker; it logs, backs off
    and delivers once the database is back, exactly once."""
    import sqlalchemy as sa

    helpdesk = webhook_helpdesk(sqlite_store, receiver)
    ticket = helpdesk.create_ticket(draft(), today=TODAY)
    lines: list[str] = []
    worker = OutboxWorker(helpdesk, log=lines.append)
    reachable = worker.engine
    worker.engine = sa.create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/nergens", future=True)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: sum("database niet bereikbaar" in line for line in lines) >= 2, timeout=10)
        assert thread.is_alive() and receiver.posts == []
        worker.engine = reachable  # the database is back
        wait_for(lambda: helpdesk.counts()["pending"] == 0, timeout=10)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert [body["ticket"]["number"] for body in receiver.accepted.values()] == [ticket.number]


def test_a_slow_batch_never_sends_a_row_another_worker_took_over(any_store: Store, receiver: Receiver) -> None:
    """Issue 17: a worker's lease on a batch may run out before it reaches the last row (a slow batch).
    Each row's lease is renewed right before it is sent; a row another worker has claimed meanwhile is
    left to that worker, so every ticket is posted once."""
    helpdesk = webhook_helpdesk(any_store, receiver)
    numbers = {helpdesk.create_ticket(draft(), today=TODAY).number for _ in range(2)}
    slow, quick = OutboxWorker(helpdesk), OutboxWorker(helpdesk)
    batch = slow.claim()
    assert len(batch) == 2
    time.sleep(slow.config.lease + 0.2)  # the slow worker's lease runs out before it sends anything
    assert quick.run(once=True) == 2
    assert [slow.deliver(row).ok for row in batch] == [False, False]
    assert len(receiver.posts) == 2 and {b["ticket"]["number"] for b in receiver.accepted.values()} == numbers
    assert helpdesk.counts()["pending"] == 0


def test_smtp_credentials_need_tls() -> None:
    """Issue 17: a mail password is never sent over an unencrypted connection."""
    from bot.helpdesk.config import ConfigError

    plain = {"HELPDESK_SMTP_HOST": "mail.example", "HELPDESK_MAIL_TO": "helpdesk@register.example",
             "HELPDESK_SMTP_USER": "registerwijzer", "HELPDESK_SMTP_PASSWORD": "geheim"}
    with pytest.raises(ConfigError, match="HELPDESK_SMTP_STARTTLS=1 is verplicht"):
        HelpdeskConfig.from_env(plain)
    secured = HelpdeskConfig.from_env({**plain, "HELPDESK_SMTP_STARTTLS": "1"})
    assert secured.smtp_starttls and secured.smtp_port == 587
    assert HelpdeskConfig.from_env({k: v for k, v in plain.items() if "USER" not in k and "PASSWORD" not in k})
