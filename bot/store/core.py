"""The store: the leaders' queries and writes, and the conversion to the rules module's Dossier.

The engine, sessions and thread pool belong to the `Database` (database.py) the store is given, shared
with the helpdesk; one session per call (never a global session). Query results leave the store as
frozen dataclasses (records.py), so nothing lazy-loads outside a session. The async variants run the
same synchronous call in the database's thread pool, so the action server's event loop never blocks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..errors import UserError
from ..register import DiplomaActivity, Dossier, ProgrammeActivity, ValuationActivity, load_rules
from ..register.rules import Activity as RulesActivity
from .database import Database, head_revision
from .models import Activity, ChannelIdentity, Leader
from .records import ActivityRecord, LeaderRecord
from .validation import check_activity, check_identity, check_leader, check_number

if TYPE_CHECKING:
    from ..progress import Personal

PENDING_STATUSES = ("gepland", "ingediend")
# SQLite allows 999 bound parameters per statement in old builds; stay well below it.
IN_CHUNK = 500


class StoreError(UserError):
    """A problem an operator or caller can act on (Dutch `message`, no traceback needed); `errors` lists
    every single problem (an import's lines)."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


# -- queries -------------------------------------------------------------------------------------
_LEADER_COLUMNS = (
    Leader.registratienummer, Leader.name, Leader.email, Leader.registration_type, Leader.level,
    Leader.registratiedatum, Leader.period_start, Leader.period_end,
)
_ACTIVITY_COLUMNS = (
    Activity.id, Leader.registratienummer, Activity.kind, Activity.programme, Activity.themes,
    Activity.learning_level, Activity.diploma, Activity.points_awarded, Activity.completed_on,
    Activity.status, Activity.certificate_reference,
)


# Built once: reusing a statement skips its construction and cache-key computation on every call.
_LEADER_BY_NUMBER = sa.select(*_LEADER_COLUMNS).where(Leader.registratienummer == sa.bindparam("number"))
# Case-insensitive; more than one leader on one address is no match (see `leader_by_email`).
_LEADERS_BY_EMAIL = sa.select(*_LEADER_COLUMNS).where(sa.func.lower(Leader.email) == sa.bindparam("email")).limit(2)
_LEADER_BY_IDENTITY = (
    sa.select(*_LEADER_COLUMNS)
    .join(ChannelIdentity, ChannelIdentity.leader_id == Leader.id)
    .where(ChannelIdentity.channel == sa.bindparam("channel"),
           ChannelIdentity.external_id == sa.bindparam("external_id"))
)
_ACTIVITIES_BY_NUMBER = (
    sa.select(*_ACTIVITY_COLUMNS)
    .join(Leader, Activity.leader_id == Leader.id)
    .where(Leader.registratienummer == sa.bindparam("number"))
    .order_by(Activity.completed_on, Activity.id)
)


def _leader_record(row: Any) -> LeaderRecord:
    number: str = row[0]
    name: str = row[1]
    email: str = row[2]
    rtype: str = row[3]
    level: str | None = row[4]
    registered: date = row[5]
    start: date = row[6]
    end: date = row[7]
    return LeaderRecord(number, name, email, rtype, level, registered, start, end)


def _activity_record(row: Any) -> ActivityRecord:
    themes_raw: object = row[4]
    themes = tuple(str(t) for t in themes_raw) if isinstance(themes_raw, (list, tuple)) else ()
    ident: int = row[0]
    number: str = row[1]
    kind: str = row[2]
    programme: str | None = row[3]
    level: int | None = row[5]
    diploma: str | None = row[6]
    points: int | None = row[7]
    done: date = row[8]
    status: str = row[9]
    certificate: str | None = row[10]
    return ActivityRecord(ident, number, kind, programme, themes, level, diploma, points, done, status, certificate)


# -- the store -----------------------------------------------------------------------------------
class Store:
    """The leaders' store on a `Database`. `Store()` opens `database_url()`; pass a URL or a shared
    `Database` (then its owner closes it)."""

    def __init__(self, database: Database | str | None = None) -> None:
        self._own_database = not isinstance(database, Database)
        self.database = database if isinstance(database, Database) else Database(database)

    @property
    def url(self) -> str:
        return self.database.url

    @property
    def engine(self) -> Any:
        return self.database.engine

    def __repr__(self) -> str:
        return f"Store({self.engine.url!r})"

    def close(self) -> None:
        """Close the database when this store opened it."""
        if self._own_database:
            self.database.close()

    def _session(self) -> Any:
        return self.database.session()

    # -- schema ----------------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration (idempotent)."""
        self.database.upgrade(revision)

    def downgrade(self, revision: str = "base") -> None:
        self.database.downgrade(revision)

    def revision(self) -> str | None:
        """The schema revision in the database (None when never upgraded)."""
        return self.database.revision()

    def check_schema(self) -> None:
        """Raise a StoreError unless the schema is at the newest migration."""
        current, head = self.revision(), head_revision()
        if current != head:
            raise StoreError(
                f"Het databaseschema is niet bij (versie {current or 'geen'}, nieuwste {head}). "
                "Voer eerst `python -m bot db upgrade` uit."
            )

    # -- reads -----------------------------------------------------------------------------
    def leader(self, registratienummer: str) -> LeaderRecord | None:
        if check_number(registratienummer, []) is None:
            return None
        with self._session() as session:
            row = session.execute(_LEADER_BY_NUMBER, {"number": registratienummer.strip()}).first()
        return _leader_record(row) if row is not None else None

    def leader_by_email(self, email: str) -> LeaderRecord | None:
        """The one leader with this address on file (any case); None when none or several share it.
        An address is a probable match at most, never a verified identity (issue 20)."""
        address = (email or "").strip().lower()
        if not address or len(address) > 254:
            return None
        with self._session() as session:
            rows = session.execute(_LEADERS_BY_EMAIL, {"email": address}).all()
        return _leader_record(rows[0]) if len(rows) == 1 else None

    def personal(self, registratienummer: str) -> Personal | None:
        """The leader with the dossier the rules count (approved activities), the pending ones and all of
        them, as `bot.progress` reads it; None when there is no such leader."""
        from ..progress import Personal

        leader = self.leader(registratienummer)
        if leader is None:
            return None
        activities = self.activities(registratienummer)
        return Personal(leader, to_dossier(leader, activities), pending(activities), activities)

    def leader_by_identity(self, channel: str, external_id: str) -> LeaderRecord | None:
        if check_identity(channel, external_id, []) is None:
            return None
        with self._session() as session:
            row = session.execute(_LEADER_BY_IDENTITY, {"channel": channel, "external_id": external_id.strip()}).first()
        return _leader_record(row) if row is not None else None

    def activities(self, registratienummer: str) -> tuple[ActivityRecord, ...]:
        """A leader's activities, oldest first, in one query."""
        if check_number(registratienummer, []) is None:
            return ()
        with self._session() as session:
            rows = session.execute(_ACTIVITIES_BY_NUMBER, {"number": registratienummer.strip()}).all()
        return tuple(_activity_record(row) for row in rows)

    def activities_of(self, numbers: Iterable[str]) -> dict[str, tuple[ActivityRecord, ...]]:
        """Activities of several leaders at once (one query per 500 leaders, not one per leader)."""
        wanted = sorted({n for n in numbers if check_number(n, []) is not None})
        found: dict[str, list[ActivityRecord]] = {n: [] for n in wanted}
        with self._session() as session:
            for i in range(0, len(wanted), IN_CHUNK):
                query = (
                    sa.select(*_ACTIVITY_COLUMNS)
                    .join(Leader, Activity.leader_id == Leader.id)
                    .where(Leader.registratienummer.in_(wanted[i:i + IN_CHUNK]))
                    .order_by(Activity.completed_on, Activity.id)
                )
                for row in session.execute(query):
                    record = _activity_record(row)
                    found[record.registratienummer].append(record)
        return {n: tuple(rows) for n, rows in found.items()}

    def identities(self, registratienummer: str) -> tuple[tuple[str, str], ...]:
        """The (channel, external id) pairs linked to a leader."""
        if check_number(registratienummer, []) is None:
            return ()
        query = (
            sa.select(ChannelIdentity.channel, ChannelIdentity.external_id)
            .join(Leader, ChannelIdentity.leader_id == Leader.id)
            .where(Leader.registratienummer == registratienummer.strip())
            .order_by(ChannelIdentity.channel, ChannelIdentity.external_id)
        )
        with self._session() as session:
            return tuple((str(c), str(e)) for c, e in session.execute(query))

    def existing_numbers(self, numbers: Iterable[str]) -> set[str]:
        """Which of these registratienummers are already in the store."""
        with self._session() as session:
            return self._existing(session, list(numbers))

    def counts(self) -> dict[str, int]:
        """Rows per table (for operators and tests)."""
        with self._session() as session:
            result: dict[str, int] = {}
            for name, model in (("leaders", Leader), ("activities", Activity), ("channel_identities", ChannelIdentity)):
                value: int = session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
                result[name] = int(value)
            return result

    # -- writes ----------------------------------------------------------------------------
    def add_leader(
        self, registratienummer: str, name: str, email: str, registration_type: str, period_start: date, *,
        level: str | None = None, registratiedatum: date | None = None, period_end: date | None = None,
    ) -> LeaderRecord:
        """Add one leader. The period end defaults to the rules' period end from `period_start`."""
        if period_end is None:
            period_end = load_rules().period_end(period_start)
        errors: list[str] = []
        checked = check_leader(registratienummer, name, email, registration_type, level,
                               registratiedatum or period_start, period_start, period_end, errors)
        if checked is None:
            raise StoreError("Ongeldige schoolleider: " + "; ".join(errors), errors)
        self.import_leaders((checked,))
        return checked

    def add_activity(
        self, registratienummer: str, kind: Literal["programme", "valuation", "diploma"], completed_on: date, *,
        status: str = "goedgekeurd", programme: str | None = None, themes: Sequence[str] = (),
        learning_level: int | None = None, diploma: str | None = None, points_awarded: int | None = None,
        certificate_reference: str | None = None, today: date | None = None,
    ) -> ActivityRecord:
        """Add one activity, checked against the rules data (programme and theme ids canonicalised)."""
        errors: list[str] = []
        checked = check_activity(load_rules(), registratienummer, kind, programme, tuple(themes), learning_level,
                                 diploma, points_awarded, completed_on, status, certificate_reference,
                                 today or date.today(), errors)
        if checked is None:
            raise StoreError("Ongeldige activiteit: " + "; ".join(errors), errors)
        ids = self.import_activities((checked,))
        return replace(checked, id=ids[0])

    def import_leaders(self, leaders: Sequence[LeaderRecord]) -> int:
        """Insert checked leaders in one transaction: all or nothing. Raises StoreError on a duplicate."""
        return len(self.import_dossiers(leaders, ())[0])

    def import_activities(self, activities: Sequence[ActivityRecord]) -> list[int]:
        """Insert checked activities in one transaction: all or nothing. Returns the new ids in order."""
        return self.import_dossiers((), activities)[1]

    def import_dossiers(
        self, leaders: Sequence[LeaderRecord], activities: Sequence[ActivityRecord],
    ) -> tuple[list[str], list[int]]:
        """Insert checked leaders and activities (of new or stored leaders) in ONE transaction.

        Returns the registratienummers and the new activity ids. Raises StoreError, with nothing
        written, on a duplicate registratienummer or an activity of an unknown leader.
        """
        numbers = [leader.registratienummer for leader in leaders]
        if len(set(numbers)) != len(numbers):
            raise StoreError("Niets ingevoerd: een registratienummer komt dubbel voor.")
        leader_rows = [
            {"registratienummer": leader.registratienummer, "name": leader.name, "email": leader.email,
             "registration_type": leader.registration_type, "level": leader.level,
             "registratiedatum": leader.registratiedatum, "period_start": leader.period_start,
             "period_end": leader.period_end}
            for leader in leaders
        ]
        try:
            with self._session() as session, session.begin():
                duplicates = self._existing(session, numbers)
                if duplicates:
                    raise StoreError("Niets ingevoerd: registratienummer(s) al in de database: "
                                     + ", ".join(sorted(duplicates)))
                if leader_rows:
                    session.execute(sa.insert(Leader), leader_rows)
                ids = self._ids(session, {a.registratienummer for a in activities})
                missing = sorted({a.registratienummer for a in activities} - set(ids))
                if missing:
                    raise StoreError("Niets ingevoerd: onbekend(e) registratienummer(s): " + ", ".join(missing))
                added: list[Any] = []
                for activity in activities:
                    row = Activity(
                        leader_id=ids[activity.registratienummer], kind=activity.kind, programme=activity.programme,
                        themes=list(activity.themes), learning_level=activity.learning_level,
                        diploma=activity.diploma, points_awarded=activity.points_awarded,
                        completed_on=activity.completed_on, status=activity.status,
                        certificate_reference=activity.certificate_reference,
                    )
                    session.add(row)
                    added.append(row)
                session.flush()
                new_ids = [int(row.id) for row in added]
        except IntegrityError as exc:
            raise StoreError(f"Niets ingevoerd: de database weigerde de rijen ({_first_line(exc)}).") from None
        return numbers, new_ids

    @staticmethod
    def _existing(session: Any, numbers: Sequence[str]) -> set[str]:
        wanted = sorted(set(numbers))
        found: set[str] = set()
        for i in range(0, len(wanted), IN_CHUNK):
            query = sa.select(Leader.registratienummer).where(Leader.registratienummer.in_(wanted[i:i + IN_CHUNK]))
            found.update(str(n) for n in session.execute(query).scalars())
        return found

    @staticmethod
    def _ids(session: Any, numbers: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(numbers))
        found: dict[str, int] = {}
        for i in range(0, len(wanted), IN_CHUNK):
            query = sa.select(Leader.registratienummer, Leader.id).where(
                Leader.registratienummer.in_(wanted[i:i + IN_CHUNK]))
            for number, ident in session.execute(query):
                found[str(number)] = int(ident)
        return found

    def link_identity(self, channel: str, external_id: str, registratienummer: str) -> None:
        """Link a channel's user id to a leader (re-linking moves it to the new leader)."""
        errors: list[str] = []
        checked = check_identity(channel, external_id, errors)
        number = check_number(registratienummer, errors)
        if checked is None or number is None:
            raise StoreError("Ongeldige koppeling: " + "; ".join(errors), errors)
        channel, external = checked
        with self._session() as session, session.begin():
            leader_id = session.execute(
                sa.select(Leader.id).where(Leader.registratienummer == number)).scalar_one_or_none()
            if leader_id is None:
                raise StoreError(f"Registratienummer {number} staat niet in de database.")
            existing = session.execute(
                sa.select(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                                 ChannelIdentity.external_id == external)
            ).scalar_one_or_none()
            if existing is None:
                session.add(ChannelIdentity(channel=channel, external_id=external, leader_id=leader_id))
            else:
                existing.leader_id = leader_id

    def delete_leader(self, registratienummer: str) -> bool:
        """Remove a leader with their activities and identities. False when there was none."""
        if check_number(registratienummer, []) is None:
            return False
        with self._session() as session, session.begin():
            leader_id = session.execute(
                sa.select(Leader.id).where(Leader.registratienummer == registratienummer)).scalar_one_or_none()
            if leader_id is None:
                return False
            # Explicit deletes: SQLite only cascades with PRAGMA foreign_keys, and bulk deletes skip the ORM.
            session.execute(sa.delete(Activity).where(Activity.leader_id == leader_id))
            session.execute(sa.delete(ChannelIdentity).where(ChannelIdentity.leader_id == leader_id))
            session.execute(sa.delete(Leader).where(Leader.id == leader_id))
            return True

    # -- async variants (never block the event loop) ---------------------------------------
    async def aleader(self, registratienummer: str) -> LeaderRecord | None:
        return await self.database.in_thread(functools.partial(self.leader, registratienummer))

    async def aleader_by_identity(self, channel: str, external_id: str) -> LeaderRecord | None:
        return await self.database.in_thread(functools.partial(self.leader_by_identity, channel, external_id))

    async def aactivities(self, registratienummer: str) -> tuple[ActivityRecord, ...]:
        return await self.database.in_thread(functools.partial(self.activities, registratienummer))


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return text.strip().splitlines()[0][:200]


# -- to the rules module -------------------------------------------------------------------------
def to_dossier(
    leader: LeaderRecord, activities: Iterable[ActivityRecord], include: Sequence[str] = ("goedgekeurd",),
) -> Dossier:
    """The rules module's Dossier for a leader: only activities whose status is in `include`.

    A valuation with several themes becomes one ValuationActivity per theme. Programme ids are passed
    as stored: an id the rules do not know makes the rules module report it (UnknownProgramme).
    """
    converted: list[RulesActivity] = []
    for activity in activities:
        if activity.status not in include:
            continue
        converted.extend(_to_rules(activity))
    return Dossier(tuple(converted), leader.registration_type, leader.level, leader.period_start)


def _to_rules(activity: ActivityRecord) -> Iterator[RulesActivity]:
    done = activity.completed_on
    if activity.kind == "programme":
        yield ProgrammeActivity(activity.programme or "", done)
    elif activity.kind == "valuation":
        if not activity.themes:
            yield ValuationActivity(level=activity.learning_level, theme=None, count=1, completed_on=done)
        for theme in activity.themes:
            yield ValuationActivity(level=activity.learning_level, theme=theme, count=1, completed_on=done)
    elif activity.kind == "diploma":
        if activity.diploma == "master":
            yield DiplomaActivity("master", done)
        elif activity.diploma == "vakbekwaam":
            yield DiplomaActivity("vakbekwaam", done)
        else:
            raise StoreError(f"Activiteit {activity.id}: diploma '{activity.diploma}' is niet master of vakbekwaam.")
    else:
        raise StoreError(f"Activiteit {activity.id}: soort '{activity.kind}' ken ik niet.")


def pending(activities: Iterable[ActivityRecord]) -> tuple[ActivityRecord, ...]:
    """The activities not counted yet: planned ('gepland') or submitted ('ingediend')."""
    return tuple(a for a in activities if a.status in PENDING_STATUSES)
