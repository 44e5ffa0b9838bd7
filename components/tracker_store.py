"""A tracker store that hands Rasa a bounded window of each conversation.

Why: stock Rasa's turn costs grow with the length of a conversation. Every turn it rebuilds the
whole tracker from its stored events, featurizes all past states for each policy prediction, and
sends the whole tracker as JSON to the action server for every custom action. Turn 100 of one
conversation is then several times slower than turn 10, for nothing: the policies look back at most
`max_history` turns (4 here).

What: what `retrieve` returns is at most the last
`max_turns` user turns, behind a short prefix that restores the conversation's state (the session
start, every slot that is set, the active form). Costs per turn stay flat. The whole conversation
is kept too (`retrieve_full_tracker`, Rasa's tracker endpoints).

Where: `storage: sql` (endpoints.yml) keeps conversations in the project's database (DATABASE_URL, else
the SQLite file var/registerwijzer.db; tables `conversations` and `conversation_events`, migration
0003), so a restart, or another replica on the same PostgreSQL, continues every conversation; a turn
reads one row and appends its new events. `storage: memory` (the default when constructed in code)
keeps them in this process, as Rasa's in-memory store. A stored conversation idle longer than
RETENTION_CONVERSATION_DAYS (7) is not continued: its next message deletes it and starts afresh, and
`python -m bot privacy purge` deletes the others (bot/privacy.py, docs/privacy.md).

    tracker_store:
      type: components.tracker_store.WindowTrackerStore
      max_turns: 20
      storage: sql
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Protocol

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

import components.speedups  # noqa: F401  (a fixed cost on every custom-action call, see the module)
from bot.privacy import Privacy, Retention
from bot.store.database import UNREACHABLE, Database, aware
from bot.store.models import Conversation, ConversationEvent

logger = logging.getLogger(__name__)

DEFAULT_MAX_TURNS = 20


class StoreUnavailable(BaseException):
    """The database cannot be reached (restarting, failing over). A BaseException on purpose: Rasa
    wraps every tracker store in a FailSafeTrackerStore that catches `Exception` and would carry on
    with an empty in-memory conversation, answering a leader halfway through the helpdesk form as if
    they had just arrived and keeping nothing. This ends the turn instead; the channel answers with
    the Dutch apology (channels/apology.py) and the next message, once the database is back,
    continues the conversation where it was."""
SESSION_SLOT = "session_started_metadata"


class Conversations(Protocol):
    """Where the windows and the events of conversations are kept."""

    async def window(self, sender: str) -> Optional[str]: ...
    async def events(self, sender: str) -> Optional[List[Dict[str, Any]]]: ...
    async def senders(self) -> List[str]: ...
    async def append(self, sender: str, new_events: List[Dict[str, Any]], window: str) -> None: ...


class MemoryConversations:
    """In this process only (lost at a restart), as Rasa's in-memory store."""

    def __init__(self) -> None:
        self.windows: Dict[str, str] = {}                   # sender -> serialised window tracker
        self.history: Dict[str, List[Dict[str, Any]]] = {}  # sender -> every event, as dicts

    async def window(self, sender: str) -> Optional[str]:
        return self.windows.get(sender)

    async def events(self, sender: str) -> Optional[List[Dict[str, Any]]]:
        return self.history.get(sender)

    async def senders(self) -> List[str]:
        return list(self.windows)

    async def append(self, sender: str, new_events: List[Dict[str, Any]], window: str) -> None:
        self.history.setdefault(sender, []).extend(new_events)
        self.windows[sender] = window


class SqlConversations:
    """In the project's database (bot.store.database): one row per conversation holds its window, and
    `conversation_events` every event in order. Blocking work runs in the database's thread pool."""

    def __init__(self, url: Optional[str] = None, idle_days: Optional[float] = None) -> None:
        self.database = Database(url or None)
        if self.database.upgrade_if_embedded():  # the SQLite file of a fresh checkout (`rasa run`)
            logger.info("database schema upgraded to the newest version")
        # A conversation idle longer than this is not continued but deleted (bot/privacy.py purges the rest).
        self.idle = timedelta(days=idle_days if idle_days is not None else Retention.from_env().conversations)

    async def window(self, sender: str) -> Optional[str]:
        return await self.database.in_thread(lambda: self._window(sender))

    async def events(self, sender: str) -> Optional[List[Dict[str, Any]]]:
        return await self.database.in_thread(lambda: self._events(sender))

    async def senders(self) -> List[str]:
        return await self.database.in_thread(self._senders)

    async def append(self, sender: str, new_events: List[Dict[str, Any]], window: str) -> None:
        await self.database.in_thread(lambda: self._append(sender, new_events, window))

    def _window(self, sender: str) -> Optional[str]:
        with self.database.session() as session:
            row = session.get(Conversation, sender)
            if row is None:
                return None
            if aware(row.updated_at) >= datetime.now(timezone.utc) - self.idle:
                return str(row.window)
        Privacy(self.database).end_conversation(sender)  # expired: the sender starts afresh
        return None

    def _events(self, sender: str) -> Optional[List[Dict[str, Any]]]:
        with self.database.session() as session:
            if session.get(Conversation, sender) is None:
                return None
            rows = session.execute(sa.select(ConversationEvent.event).where(ConversationEvent.sender_id == sender)
                                   .order_by(ConversationEvent.seq)).scalars()
            return [json.loads(row) for row in rows]

    def _senders(self) -> List[str]:
        with self.database.session() as session:
            return [str(s) for s in session.execute(sa.select(Conversation.sender_id)).scalars()]

    def _append(self, sender: str, new_events: List[Dict[str, Any]], window: str) -> None:
        now = datetime.now(timezone.utc)
        with self.database.session() as session, session.begin():
            row = session.get(Conversation, sender, with_for_update=True)
            if row is None:
                row = Conversation(sender_id=sender, window=window, event_count=0, updated_at=now)
                session.add(row)
            start = int(row.event_count)
            session.add_all(ConversationEvent(sender_id=sender, seq=start + i, event=json.dumps(event))
                            for i, event in enumerate(new_events))
            row.window, row.event_count, row.updated_at = window, start + len(new_events), now


class WindowTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(self, domain: Domain, event_broker: Optional[EventBroker] = None,
                 max_turns: int = DEFAULT_MAX_TURNS, storage: str = "memory", url: Optional[str] = None,
                 **kwargs: Any) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url; the database comes from DATABASE_URL
        super().__init__(domain, event_broker, **kwargs)
        self.max_turns = max(int(max_turns), 2)
        if storage not in ("memory", "sql"):
            raise ValueError(f"tracker_store storage must be 'memory' or 'sql', not {storage!r}")
        self.conversations: Conversations = SqlConversations(url) if storage == "sql" else MemoryConversations()
        # sender -> events of the tracker object last handed out or saved: what is new at the next save
        self.window_lengths: Dict[str, int] = {}

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        try:
            serialised = await self.conversations.window(sender_id)
        except UNREACHABLE as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc
        if serialised is None:
            self.window_lengths.pop(sender_id, None)
            return None
        tracker = self.deserialise_tracker(sender_id, serialised)
        if tracker is not None:
            self.window_lengths[sender_id] = len(tracker.events)
        return tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        events = await self.conversations.events(sender_id)
        if events is None:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def keys(self) -> Iterable[str]:
        return await self.conversations.senders()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender = tracker.sender_id
        events = list(tracker.events)
        seen = self.window_lengths.get(sender, 0)
        window = self.window(tracker, events)
        serialised = json.dumps({"events": [event.as_dict() for event in window], "name": sender})
        try:
            await self.conversations.append(sender, [event.as_dict() for event in events[seen:]], serialised)
        except UNREACHABLE as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc
        self.window_lengths[sender] = len(events)  # a second save of the same tracker adds only what is new

    def window(self, tracker: DialogueStateTracker, events: List[Event]) -> List[Event]:
        """The events to keep: all of them, or the state prefix and the last `max_turns` turns."""
        starts = [i for i, event in enumerate(events)
                  if isinstance(event, UserUttered) and i > 0
                  and isinstance(events[i - 1], ActionExecuted) and events[i - 1].action_name == ACTION_LISTEN_NAME]
        if len(starts) <= self.max_turns:
            return events
        cut = starts[-self.max_turns] - 1  # keep the action_listen before the oldest kept turn
        stamp = events[cut].timestamp
        prefix: List[Event] = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp), SessionStarted(timestamp=stamp)]
        # The state now; replaying the kept turns on top of it ends in the same state.
        prefix += [SlotSet(name, slot.value, timestamp=stamp) for name, slot in tracker.slots.items()
                   if slot.value != slot.initial_value and name != SESSION_SLOT]
        if tracker.active_loop_name:
            prefix.append(ActiveLoop(tracker.active_loop_name, timestamp=stamp))
        return prefix + events[cut:]
