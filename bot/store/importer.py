"""CSV imports for operators: every row checked, every error reported with its line, all or nothing.

Leaders: `registratienummer,naam,email,registratietype,niveau,registratiedatum,periode_start,periode_eind`.
Activities: `registratienummer,soort,opleiding,themas,niveau,diploma,punten,datum,status,certificaat`
(several themes in one cell separated by ';' or '|'). UTF-8 (a BOM is fine); ',' or, as Dutch spreadsheet
exports write it, ';' as the separator. Line numbers count the header as line 1.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..register import RuleBook
from .core import Store, StoreError
from .records import ActivityRecord, LeaderRecord
from .validation import (
    check_activity,
    check_leader,
    parse_date,
    parse_int,
    split_themes,
)

LEADER_COLUMNS = (
    "registratienummer", "naam", "email", "registratietype", "niveau", "registratiedatum", "periode_start",
    "periode_eind",
)
ACTIVITY_COLUMNS = (
    "registratienummer", "soort", "opleiding", "themas", "niveau", "diploma", "punten", "datum", "status",
    "certificaat",
)
MAX_ROWS = 1_000_000


class ImportFailed(StoreError):
    """The file was not imported; `errors` lists every problem as 'regel N: ...'."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def read_rows(path: Path, columns: Sequence[str]) -> tuple[list[Row], list[str]]:
    """The data rows of a CSV file with exactly these columns (any order), and the rows' format errors.

    Raises ImportFailed when the file itself is unusable (missing, not UTF-8, wrong header, no rows).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed(f"Bestand niet gevonden: {path}") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path} is een map, geen CSV-bestand") from None
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path} is geen UTF-8-tekst (byte {exc.start}); sla het op als CSV UTF-8") from None
    except OSError as exc:
        raise ImportFailed(f"{path} kan ik niet lezen: {exc.strerror}") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFailed(f"regel 1: kopregel onleesbaar ({exc})") from None
    if header is None:
        raise ImportFailed(f"{path} is leeg; verwacht een kopregel met {','.join(columns)}")
    names = [h.strip().lower() for h in header]
    problems = []
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n not in columns]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if missing:
        problems.append(f"regel 1: kolom(men) ontbreken: {', '.join(missing)}")
    if unknown:
        problems.append(f"regel 1: onbekende kolom(men): {', '.join(unknown)}")
    if doubled:
        problems.append(f"regel 1: dubbele kolom(men): {', '.join(doubled)}")
    if problems:
        raise ImportFailed(f"{path}: kopregel klopt niet (verwacht {','.join(columns)})", problems)
    rows: list[Row] = []
    errors: list[str] = []
    previous_end = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"regel {previous_end + 1}: onleesbare CSV ({exc})")
            break
        line, previous_end = previous_end + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(names):
            errors.append(f"regel {line}: {len(fields)} velden, verwacht {len(names)}")
            continue
        rows.append(Row(line, dict(zip(names, fields, strict=True))))
        if len(rows) > MAX_ROWS:
            raise ImportFailed(f"{path}: meer dan {MAX_ROWS} rijen; splits het bestand")
    if not rows and not errors:
        raise ImportFailed(f"{path} bevat geen rijen onder de kopregel; niets ingevoerd")
    return rows, errors


def check_leader_rows(store: Store, rows: Sequence[Row]) -> tuple[list[LeaderRecord], list[str]]:
    """Checked leaders and every error ('regel N: ...'), including duplicates in the file and the store."""
    checked: list[LeaderRecord] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    lines: dict[str, int] = {}
    for row in rows:
        v = row.values
        row_errors: list[str] = []
        registered = parse_date(v["registratiedatum"], "registratiedatum", row_errors)
        start = parse_date(v["periode_start"], "periode_start", row_errors)
        end = parse_date(v["periode_eind"], "periode_eind", row_errors)
        leader = check_leader(v["registratienummer"], v["naam"], v["email"], v["registratietype"], v["niveau"],
                              registered, start, end, row_errors)
        number = v["registratienummer"].strip()
        if number in first_line:
            row_errors.append(f"registratienummer {number} staat ook op regel {first_line[number]}")
        elif number:
            first_line[number] = row.line
        errors.extend(f"regel {row.line}: {e}" for e in row_errors)
        if leader is not None and not row_errors:
            checked.append(leader)
            lines[leader.registratienummer] = row.line
    for number in sorted(store.existing_numbers(lines), key=lambda n: lines[n]):
        errors.append(f"regel {lines[number]}: registratienummer {number} staat al in de database")
    return checked, sorted(errors, key=_line_of)


def import_leaders(store: Store, path: Path) -> int:
    """Import a leaders CSV in one transaction; raises ImportFailed listing every error."""
    rows, errors = read_rows(path, LEADER_COLUMNS)
    checked, row_errors = check_leader_rows(store, rows)
    errors = sorted(errors + row_errors, key=_line_of)
    if errors:
        raise ImportFailed(f"{path}: {len(errors)} fout(en); niets ingevoerd", errors)
    return store.import_leaders(checked)


def _identity(a: ActivityRecord) -> tuple[object, ...]:
    """What makes an activity the same one, stored or not (not its id, status or points)."""
    return (a.registratienummer, a.kind, a.programme, tuple(sorted(a.themes)), a.learning_level, a.diploma,
            a.completed_on)


def check_activity_rows(
    store: Store, book: RuleBook, rows: Sequence[Row], today: date,
) -> tuple[list[ActivityRecord], list[str]]:
    checked: list[ActivityRecord] = []
    errors: list[str] = []
    seen: dict[tuple[object, ...], int] = {}
    lines: list[int] = []
    for row in rows:
        v = row.values
        row_errors: list[str] = []
        level = parse_int(v["niveau"], "niveau", row_errors)
        points = parse_int(v["punten"], "punten", row_errors)
        done = parse_date(v["datum"], "datum", row_errors)
        activity = check_activity(book, v["registratienummer"], v["soort"], v["opleiding"], split_themes(v["themas"]),
                                  level, v["diploma"], points, done, v["status"], v["certificaat"], today, row_errors)
        if activity is not None and not row_errors:
            key = _identity(activity)
            if key in seen:
                row_errors.append(f"dezelfde activiteit staat ook op regel {seen[key]}")
            else:
                seen[key] = row.line
                checked.append(activity)
                lines.append(row.line)
        errors.extend(f"regel {row.line}: {e}" for e in row_errors)
    numbers = {a.registratienummer for a in checked}
    known = store.existing_numbers(numbers)
    stored = {_identity(a) for group in store.activities_of(known).values() for a in group}
    for activity, line in zip(checked, lines, strict=True):
        if activity.registratienummer not in known:
            errors.append(f"regel {line}: registratienummer {activity.registratienummer} staat niet in de database")
        elif _identity(activity) in stored:
            errors.append(f"regel {line}: deze activiteit staat al in de database")
    return checked, sorted(errors, key=_line_of)


def import_activities(store: Store, book: RuleBook, path: Path, today: date) -> int:
    """Import an activities CSV in one transaction; raises ImportFailed listing every error."""
    rows, errors = read_rows(path, ACTIVITY_COLUMNS)
    checked, row_errors = check_activity_rows(store, book, rows, today)
    errors = sorted(errors + row_errors, key=_line_of)
    if errors:
        raise ImportFailed(f"{path}: {len(errors)} fout(en); niets ingevoerd", errors)
    return len(store.import_activities(checked))


def _line_of(error: str) -> int:
    try:
        return int(error.split(":", 1)[0].removeprefix("regel "))
    except ValueError:
        return 0
