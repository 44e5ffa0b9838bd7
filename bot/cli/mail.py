"""`helpdesk triage FILE.eml|FILE.txt …` and `helpdesk triage --mbox FILE --out triage.csv`: the e-mail
triage (bot/helpdesk/mailtriage.py) for one file or a batch, without the mailbox. Nothing is stored or sent.

A `.txt` file may start with header lines (`Onderwerp:`/`Subject:`, `Van:`/`From:`, `Registratienummer:`)
and an empty line; the rest is the body. The trained model is loaded once (about 15 s).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UserError

if TYPE_CHECKING:
    from ..helpdesk.mailtriage import Mail, MailTriage, Understand
    from ..store import Store

MAX_FILE = 5_000_000  # bytes of one message; larger files are refused with a reason, like the inbox does
CSV_FIELDS = ("bestand", "afzender", "onderwerp", "categorie", "prioriteit", "redenen", "afzender_match",
              "vragen", "concepten", "buiten_de_bronnen", "vragen_en_status", "antwoord")
_HEADER = re.compile(r"^(onderwerp|subject|van|from|registratienummer)\s*:\s*(.*)$", re.IGNORECASE)


def read_text_mail(text: str, name: str) -> Mail:
    """A plain-text mail: optional header lines, an empty line, the body."""
    from ..helpdesk.mailtriage import Mail

    headers: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines) and (found := _HEADER.match(lines[index])):
        key = {"subject": "onderwerp", "from": "van"}.get(found.group(1).lower(), found.group(1).lower())
        headers[key] = found.group(2).strip()
        index += 1
    if headers and index < len(lines) and not lines[index].strip():
        index += 1
    body = "\n".join(lines[index:] if headers else lines)
    return Mail(headers.get("onderwerp", Path(name).stem), body, html=False, sender=headers.get("van", ""),
                registratienummer=headers.get("registratienummer") or None)


def read_file(path: Path) -> Mail:
    from ..helpdesk.inbox import parse_message

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"Kan {path} niet lezen: {exc.strerror or exc}.") from None
    if size > MAX_FILE:
        raise UserError(f"{path} is te groot ({size:,} bytes; maximaal {MAX_FILE:,}).".replace(",", "."))
    raw = path.read_bytes()
    if path.suffix.lower() == ".eml":
        return parse_message(raw)[0]
    return read_text_mail(raw.decode("utf-8", errors="replace"), path.name)


def mbox_mails(path: Path) -> Iterator[tuple[str, Mail | None, str]]:
    """(label, mail or None, why not) for each message of an mbox file; oversized ones are skipped."""
    import mailbox

    from ..helpdesk.inbox import parse_message

    if not path.is_file():
        raise UserError(f"Kan {path} niet lezen: het bestand bestaat niet.")
    box = mailbox.mbox(str(path), create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            raw = box.get_bytes(key)
            label = f"{path.name}#{number}"
            if len(raw) > MAX_FILE:
                yield label, None, f"bericht te groot ({len(raw):,} bytes)".replace(",", ".")
                continue
            yield label, parse_message(raw)[0], ""
    finally:
        box.close()


def _store(args: argparse.Namespace) -> Store | None:
    """The leaders' store for the probable sender match; None (with a note) when there is none."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..store import Store, StoreError

    try:
        store = Store(args.database_url)
        store.check_schema()
        return store
    except (StoreError, SQLAlchemyError) as exc:
        message = exc.message if isinstance(exc, StoreError) else str(exc).splitlines()[0]
        print(f"Let op: geen database ({message}); afzenders worden niet herkend.", file=sys.stderr)
        return None


def _understanding(args: argparse.Namespace) -> Understand:
    from channels.understanding import RasaUnderstanding

    print("Het model wordt geladen …", file=sys.stderr, flush=True)
    return RasaUnderstanding(args.model)


def report(result: MailTriage) -> str:
    """The triage as an agent reads it in a terminal."""
    from ..helpdesk.mailtriage import DRAFT

    lines = [f"Onderwerp:  {result.subject or '-'}", f"Afzender:   {result.sender or '-'}",
             f"Categorie:  {result.category}", f"Prioriteit: {result.priority}", "Redenen:"]
    lines += [f"  - {reason}" for reason in result.reasons]
    lines.append(f"Vragen ({len(result.questions)}):" if result.questions else "Geen vraag in dit bericht.")
    for number, q in enumerate(result.questions, start=1):
        state = "concept" if q.status == DRAFT else "buiten de bronnen"
        lines.append(f"  {number}. {q.text}")
        lines.append(f"     {state}: {q.reason} (begrepen als {q.intent}, {round(q.confidence * 100)} %)")
    lines.append("")
    lines.append("Conceptantwoord (controleer het voor je het verstuurt):" if result.reply else
                 "Geen conceptantwoord: een medewerker beantwoordt dit bericht.")
    if result.reply:
        lines += ["", result.reply]
    return "\n".join(lines)


def _row(label: str, result: MailTriage) -> dict[str, Any]:
    from ..helpdesk.mailtriage import DRAFT

    drafted = sum(q.status == DRAFT for q in result.questions)
    return {
        "bestand": label, "afzender": result.sender, "onderwerp": result.subject, "categorie": result.category,
        "prioriteit": result.priority, "redenen": " | ".join(result.reasons),
        "afzender_match": result.sender_match.registratienummer or "", "vragen": len(result.questions),
        "concepten": drafted, "buiten_de_bronnen": len(result.questions) - drafted,
        "vragen_en_status": " | ".join(f"{q.text} [{q.status}]" for q in result.questions),
        "antwoord": result.reply or "",
    }


def cmd_helpdesk_triage(args: argparse.Namespace) -> int:
    from ..helpdesk.analytics import csv_safe
    from ..helpdesk.mailtriage import triage_mail
    from ..register import load_rules

    if not args.files and not args.mbox:
        raise UserError("Geef een bestand (.eml of .txt) of --mbox BESTAND.")
    if args.mbox and not args.out:
        raise UserError("Met --mbox hoort --out BESTAND.csv: daar komt de triage van elk bericht.")
    mails: list[tuple[str, Mail | None, str]] = [(str(p), read_file(p), "") for p in map(Path, args.files)]
    store = _store(args)
    understand = _understanding(args)
    book, today = load_rules(), date.today()
    results = (mails if not args.mbox else mbox_mails(Path(args.mbox)))
    if not args.out:
        for label, mail, _ in results:
            assert mail is not None
            result = triage_mail(mail, understand, book, today, store=store, confirmed=args.confirmed)
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=2) if args.json else
                  f"== {label}\n{report(result)}\n")
        return 0
    counts = {"berichten": 0, "overgeslagen": 0}
    with open(args.out, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        for label, mail, why in results:
            if mail is None:
                writer.writerow({"bestand": label, "redenen": why})
                counts["overgeslagen"] += 1
                continue
            result = triage_mail(mail, understand, book, today, store=store, confirmed=args.confirmed)
            writer.writerow({k: csv_safe(v) for k, v in _row(label, result).items()})
            counts["berichten"] += 1
    print(f"{counts['berichten']} bericht(en) getrieerd naar {args.out}"
          + (f"; {counts['overgeslagen']} overgeslagen (te groot)." if counts["overgeslagen"] else "."))
    return 0


def register_triage(helpdesk: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    triage = helpdesk.add_parser(
        "triage", help="e-mail(s) triëren zonder mailbox: categorie, prioriteit, vragen en conceptantwoord")
    triage.add_argument("files", nargs="*", metavar="BESTAND", help="een .eml- of .txt-bestand")
    triage.add_argument("--mbox", metavar="BESTAND", help="alle berichten van een mbox-bestand")
    triage.add_argument("--out", metavar="BESTAND.csv", help="de triage als CSV (één regel per bericht)")
    triage.add_argument("--json", action="store_true", help="de triage als JSON (zoals POST /helpdesk/triage)")
    triage.add_argument("--confirmed", action="store_true",
                        help="de helpdesk heeft bevestigd dat de afzender de schoolleider is die bij het adres hoort: "
                             "persoonlijke gegevens mogen in het concept")
    triage.add_argument("--model", default=None, help="map of bestand van het model (standaard: models/)")
    triage.set_defaults(run=cmd_helpdesk_triage)
