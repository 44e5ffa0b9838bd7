"""A tracker store that hands Rasa a bounded window of each conversation.

Why: stock Rasa's turn costs grow with the length of a conversation. Every turn it rebuilds the
whole tracker from its stored events, featurizes all past states for each policy prediction, and
sends the whole tracker as JSON to the action server for every custom action. Turn 100 of one
conversation is then several times slower than turn 10, for nothing: the policies look back at most
`max_history` turns (4 here).

What: the same in-memory store as Rasa's default, but what `retrieve` returns is at most the last
`max_turns` user turns, behind a short prefix that restores the conversation's state (the session
start, every slot that is set, the active form). Costs per turn stay flat. The whole conversation
is kept too (`retrieve_full_tracker`, Rasa's tracker endpoints).

Configured in endpoints.yml:

    tracker_store:
      type: components.tracker_store.WindowTrackerStore
      max_turns: 20
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.core.brokers.broker import EventBroker  # type: ignore[import-untyped]
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore  # type: ignore[import-untyped]
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME  # type: ignore[import-untyped]
from rasa.shared.core.domain import Domain  # type: ignore[import-untyped]
from rasa.shared.core.events import (  # type: ignore[import-untyped]
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # type: ignore[import-untyped]

import components.speedups  # noqa: F401  (a fixed cost on every custom-action call, see the module)

DEFAULT_MAX_TURNS = 20
SESSION_SLOT = "session_started_metadata"


class WindowTrackerStore(TrackerStore, SerializedTrackerAsText):  # type: ignore[misc]
    def __init__(self, domain: Domain, event_broker: Optional[EventBroker] = None,
                 max_turns: int = DEFAULT_MAX_TURNS, **kwargs: Any) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url; an in-memory store has none
        super().__init__(domain, event_broker, **kwargs)
        self.max_turns = max(int(max_turns), 2)
        self.windows: Dict[Text, Text] = {}         # sender -> serialised window tracker
        self.history: Dict[Text, List[Dict[Text, Any]]] = {}  # sender -> every event, as dicts
        # sender -> events of the tracker object last handed out or saved: what is new at the next save
        self.window_lengths: Dict[Text, int] = {}

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        serialised = self.windows.get(sender_id)
        if serialised is None:
            return None
        tracker = self.deserialise_tracker(sender_id, serialised)
        if tracker is not None:
            self.window_lengths[sender_id] = len(tracker.events)
        return tracker

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        events = self.history.get(sender_id)
        if events is None:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def keys(self) -> Iterable[Text]:
        return self.windows.keys()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender = tracker.sender_id
        events = list(tracker.events)
        seen = self.window_lengths.get(sender, 0) if sender in self.windows else 0
        self.history.setdefault(sender, []).extend(event.as_dict() for event in events[seen:])
        window = self.window(tracker, events)
        self.windows[sender] = json.dumps(
            {"events": [event.as_dict() for event in window], "name": sender}
        )
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
