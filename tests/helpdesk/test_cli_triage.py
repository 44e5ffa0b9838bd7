"""`python -m bot helpdesk triage FILE.eml|FILE.txt` and `--mbox FILE --out triage.csv` (bot/cli/mail.py).

In-process with a stand-in understanding (the triage's own rules are tested in test_mailtriage.py); one
end-to-end run in a subprocess with the trained model (marked e2e). Examples of our own.
"""

from __future__ import annotations

import csv
import json
import mailbox
import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.cli import mail as mail_cli
from bot.cli import main
from bot.helpdesk.mailtriage import Understood

ROOT = Path(__file__).resolve().parents[2]


def fake(text: str) -> Understood:
    lower = text.lower()
    if "punten" in lower:
        return Understood("ask_points_needed", 0.92)
    if "kost" in lower:
        return Understood("ask_costs", 0.9)
    return Understood("nlu_fallback", 0.3)


@pytest.fixture(autouse=True)
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(mail_cli, "_understanding", lambda args: fake)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")


def eml(path: Path, subject: str, body: str, sender: str = "Els Bos <els@school.example.nl>",
        message_id: str = "<1@school.example.nl>") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = (
        sender, "helpdesk@example.nl", subject, message_id)
    message.set_content(body)
    raw = message.as_bytes()
    path.write_bytes(raw)
    return raw


def test_a_text_file_with_header_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "vraag.txt"
    path.write_text("Onderwerp: herregistratie\nVan: piet@school.example.nl\n\nHoi,\n\nHoeveel punten heb ik "
                    "nodig voor herregistratie?\n\nGroet, Piet\n", encoding="utf-8")
    assert main(["helpdesk", "triage", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Categorie:  herregistratie en punten" in out and "Afzender:   piet@school.example.nl" in out
    assert "concept:" in out and "100 punten" in out and "Bron" in out
    assert "Conceptantwoord (controleer het voor je het verstuurt)" in out


def test_an_eml_file_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eml(tmp_path / "m.eml", "Kosten", "Wat kost het waarderingstraject van B&T?\n")
    assert main(["helpdesk", "triage", "--json", str(tmp_path / "m.eml")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sender"] == "els@school.example.nl" and data["category"] == "kosten"
    assert data["questions"][0]["status"] == "concept"


def test_an_mbox_to_csv_with_a_formula_kept_harmless(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    for number, (subject, body) in enumerate([("punten", "Hoeveel punten heb ik nodig voor herregistratie?"),
                                               ("=HYPERLINK(\"x\")", "Kan ik uitstel krijgen?")]):
        message = EmailMessage()
        message["From"], message["Subject"], message["Message-ID"] = (
            "a@school.example.nl", subject, f"<{number}@x>")
        message.set_content(body)
        box.add(message)
    box.flush()
    box.close()
    out = tmp_path / "triage.csv"
    assert main(["helpdesk", "triage", "--mbox", str(tmp_path / "in.mbox"), "--out", str(out)]) == 0
    assert "2 bericht(en) getrieerd" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["categorie"] for r in rows] == ["herregistratie en punten", "uitstel of bezwaar"]
    assert rows[0]["concepten"] == "1" and "100 punten" in rows[0]["antwoord"]
    assert rows[1]["onderwerp"].startswith("'=")  # a spreadsheet shows it, never runs it


def test_usage_errors_are_dutch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["helpdesk", "triage"]) == 1
    assert "Geef een bestand" in capsys.readouterr().err
    assert main(["helpdesk", "triage", "--mbox", str(tmp_path / "x.mbox")]) == 1
    assert "--out" in capsys.readouterr().err
    assert main(["helpdesk", "triage", str(tmp_path / "bestaat-niet.txt")]) == 1
    assert "Kan" in capsys.readouterr().err


def test_an_oversized_file_is_refused_with_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_cli, "MAX_FILE", 100)
    path = tmp_path / "groot.txt"
    path.write_text("Hoeveel punten? " * 20, encoding="utf-8")
    assert main(["helpdesk", "triage", str(path)]) == 1
    assert "te groot" in capsys.readouterr().err


@pytest.mark.e2e
def test_the_command_with_the_trained_model(tmp_path: Path) -> None:
    eml(tmp_path / "m.eml", "Vraag over leerKRACHT jaar-1",
        "Beste helpdesk,\n\nHoeveel punten levert leerKRACHT jaar-1 op voor mijn herregistratie?\n"
        "En kan ik uitstel krijgen?\n\nMet vriendelijke groet,\nEls Bos\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-m", "bot", "helpdesk", "triage", "--json", str(tmp_path / "m.eml")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout)
    statuses = {q["text"]: q["status"] for q in data["questions"]}
    assert statuses == {"Hoeveel punten levert leerKRACHT jaar-1 op voor mijn herregistratie?": "concept",
                        "En kan ik uitstel krijgen?": "buiten_de_bronnen"}, data["questions"]
    assert "70 punten" in data["reply"] and "Bron" in data["reply"]
    assert data["category"] == "uitstel of bezwaar" and "Els Bos" not in data["text"]
