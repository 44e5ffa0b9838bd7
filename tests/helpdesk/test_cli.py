"""The helpdesk CLI as an operator runs it: real subprocesses on a real database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bot.helpdesk import Helpdesk, TranscriptLine
from bot.store import Store

from helpdesk_support import PYTHON, ROOT, SECRET, Receiver, draft, fast_config

TODAY = date(2026, 11, 23)


class Cli:
    def __init__(self, url: str, extra: dict[str, str] | None = None) -> None:
        self.url = url
        self.extra = extra or {}

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
        env.update({"DATABASE_URL": self.url, "PYTHONWARNINGS": "ignore", **self.extra})
        result = subprocess.run([str(PYTHON), "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        return result


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Cli, list[str]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store(url)
    store.upgrade()
    helpdesk = Helpdesk(store, fast_config())
    numbers = [
        helpdesk.create_ticket(draft("Ik kan niet inloggen met mijn wachtwoord", intent="nlu_fallback",
                                     transcript=(TranscriptLine("gebruiker", "Inloggen lukt niet"),
                                                 TranscriptLine("assistent", "Dat kan ik niet oplossen.")),
                                     email="piet@school.nl"), today=TODAY).number,
        helpdesk.create_ticket(draft("Wat kost het, ik moet morgen betalen?", intent="ask_costs", consent=False),
                               today=TODAY).number,
    ]
    for text in ("Kan ik 100234 overzetten naar een andere school?", "kan ik 555666 overzetten naar een andere school?",
                 "Mail me op jan@school.nl over PE-online", "Wat is PE-online?"):
        helpdesk.record_unanswered(text, "nlu_fallback")
    store.close()
    return Cli(url), numbers


def test_tickets_list_and_filters(filled: tuple[Cli, list[str]]) -> None:
    cli, numbers = filled
    result = cli("tickets", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "nummer" in lines[0] and "levering" in lines[0]
    assert numbers[1] in lines[1] and "kosten" in lines[1] and "hoog" in lines[1]
    assert numbers[0] in lines[2] and "account en inloggen" in lines[2] and "normaal" in lines[2]
    assert "webhook: wacht (niet ingesteld)" in lines[1]
    assert "HELPDESK_WEBHOOK_URL is niet ingesteld" in result.stdout
    only = cli("tickets", "list", "--category", "kosten")
    assert numbers[1] in only.stdout and numbers[0] not in only.stdout
    assert numbers[0] in cli("tickets", "list", "--priority", "normaal").stdout
    assert "Geen tickets met deze filters." in cli("tickets", "list", "--status", "failed").stdout
    bad = cli("tickets", "list", "--category", "onzin")
    assert bad.returncode == 1


def test_tickets_show(filled: tuple[Cli, list[str]]) -> None:
    cli, numbers = filled
    result = cli("tickets", "show", numbers[0].lower())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for fragment in (f"Ticket {numbers[0]}", "account en inloggen", "trefwoord 'inloggen'", "piet@school.nl",
                     "gebruiker: Inloggen lukt niet", "assistent: Dat kan ik niet oplossen.", "webhook [",
                     "antwoord uiterlijk: 2026-11-26"):
        assert fragment in out, fragment
    no_consent = cli("tickets", "show", numbers[1]).stdout
    assert "nee (alleen de vraag is bewaard)" in no_consent and "Gesprek" not in no_consent
    missing = cli("tickets", "show", "RW-2026-999999")
    assert missing.returncode == 1 and "Geen ticket" in missing.stderr


def test_tickets_export_csv_and_json(filled: tuple[Cli, list[str]], tmp_path: Path) -> None:
    cli, numbers = filled
    result = cli("tickets", "export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["number"] for r in rows] == numbers
    assert rows[0]["category"] == "account en inloggen" and rows[0]["consent"] == "ja"
    assert "gebruiker: Inloggen lukt niet" in rows[0]["transcript"] and rows[1]["transcript"] == ""
    assert rows[1]["delivery"] == "webhook: pending"
    target = tmp_path / "out" / "tickets.json"
    target.parent.mkdir()
    result = cli("tickets", "export", "--format", "json", "--output", str(target))
    assert result.returncode == 0 and "2 ticket(s)" in result.stderr and result.stdout == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [d["number"] for d in data] == numbers
    assert data[0]["transcript"][1]["text"] == "Dat kan ik niet oplossen." and data[1]["transcript"] is None
    assert data[1]["priority"] == "hoog" and data[1]["delivery"]["webhook"]["state"] == "pending"


def test_unanswered_by_frequency_without_personal_data(filled: tuple[Cli, list[str]]) -> None:
    cli, _ = filled
    result = cli("unanswered")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    question = lines.index("        “kan ik [nummer] overzetten naar een andere school?”")
    assert lines[question - 1].split() == ["2x", "Niet", "herkend"]
    assert "Buiten de bronnen: pe-online" in result.stdout and "[e-mail]" in result.stdout
    for personal in ("100234", "555666", "jan@school.nl"):
        assert personal not in result.stdout


def test_worker_once_and_retry_from_the_cli(filled: tuple[Cli, list[str]], receiver: Receiver) -> None:
    cli, numbers = filled
    receiver.script = [400]
    configured = Cli(cli.url, {"HELPDESK_WEBHOOK_URL": receiver.url, "HELPDESK_WEBHOOK_SECRET": SECRET,
                               "HELPDESK_WEBHOOK_TIMEOUT": "1"})
    result = configured("helpdesk", "worker", "--once")
    assert result.returncode == 0, result.stderr
    assert "1 levering(en) afgeleverd" in result.stdout and "MISLUKT" in result.stdout
    listing = configured("tickets", "list", "--status", "failed").stdout
    assert len([n for n in numbers if n in listing]) == 1 and "webhook: MISLUKT" in listing
    failed = next(n for n in numbers if n in listing)
    assert "HTTP 400" in configured("tickets", "show", failed).stdout
    assert "weer in de wachtrij" in configured("tickets", "retry", failed).stdout
    assert "1 levering(en) afgeleverd" in configured("helpdesk", "worker", "--once").stdout
    assert len(receiver.accepted) == 2
    status = configured("helpdesk", "status").stdout
    assert receiver.url in status and "afgeleverd  2" in status


def test_misconfiguration_is_one_dutch_line(filled: tuple[Cli, list[str]]) -> None:
    cli, _ = filled
    result = Cli(cli.url, {"HELPDESK_WEBHOOK_URL": "http://127.0.0.1:1/x"})("helpdesk", "worker", "--once")
    assert result.returncode == 1 and "HELPDESK_WEBHOOK_SECRET ontbreekt" in result.stderr


def test_schema_behind_asks_for_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    store.upgrade("0001")
    store.close()
    result = Cli(url)("tickets", "list")
    assert result.returncode == 1 and "db upgrade" in result.stderr
