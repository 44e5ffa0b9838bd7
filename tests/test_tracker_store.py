"""The windowed tracker store: bounded trackers for Rasa, the whole conversation kept, in this process
(`storage: memory`) or in the project's database (`storage: sql`, which a restart continues)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

import pytest

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered

from bot.store import Store
from components.tracker_store import WindowTrackerStore

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[1] / "domain.yml"))


async def one_turn(store: WindowTrackerStore, sender: str, n: int, *extra: object) -> None:
    """One message as Rasa's processor handles it: retrieve (or create), update, save."""
    tracker = await store.retrieve(sender) or store.init_tracker(sender)
    tracker.update(UserUttered(f"vraag {n}", {"name": "greet", "confidence": 1.0}))
    for event in extra:
        tracker.update(event)
    tracker.update(BotUttered(f"antwoord {n}"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def turn(store: WindowTrackerStore, n: int, *extra: object) -> None:
    asyncio.run(one_turn(store, "ik", n, *extra))


Make = Callable[..., WindowTrackerStore]


@pytest.fixture(params=["memory", "sql"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Make:
    """A store of each kind; the SQL ones on one SQLite file of the test, as a restarted server would."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    if request.param == "sql":
        store = Store(url)
        store.upgrade()
        store.close()

    def build(max_turns: int = 20) -> WindowTrackerStore:
        return WindowTrackerStore(DOMAIN, max_turns=max_turns, storage=request.param, url=url)
    return build


def user_turns(events: object) -> int:
    return sum(isinstance(e, UserUttered) for e in events)  # type: ignore[attr-defined]


def test_the_window_stays_bounded_and_keeps_the_state(make: Make) -> None:
    store = make(5)
    turn(store, 0, SlotSet("calc_question", "level"), ActiveLoop("helpdesk_form"),
         SlotSet("helpdesk_email", "jan@school.nl"))
    for n in range(1, 40):
        turn(store, n)
    window = asyncio.run(store.retrieve("ik"))
    assert window is not None and user_turns(window.events) == 5
    assert window.latest_message.text == "vraag 39"
    assert window.get_slot("calc_question") == "level" and window.get_slot("helpdesk_email") == "jan@school.nl"
    assert window.active_loop_name == "helpdesk_form"
    assert len(window.events) < 40  # bounded, whatever the length of the conversation
    full = asyncio.run(store.retrieve_full_tracker("ik"))
    assert full is not None and user_turns(full.events) == 40
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [f"vraag {n}" for n in range(40)]


def test_a_second_save_of_the_same_tracker_adds_only_what_is_new(make: Make) -> None:
    store = make(3)
    for n in range(10):
        turn(store, n)

    async def twice() -> None:
        tracker = await store.retrieve("ik")
        tracker.update(UserUttered("nog een", {"name": "greet", "confidence": 1.0}))
        await store.save(tracker)
        tracker.update(BotUttered("ja"))
        await store.save(tracker)
    asyncio.run(twice())
    full = asyncio.run(store.retrieve_full_tracker("ik"))
    texts = [e.text for e in full.events if isinstance(e, (UserUttered, BotUttered))]
    assert texts.count("nog een") == 1 and texts.count("ja") == 1 and texts[-2:] == ["nog een", "ja"]


def test_a_reset_slot_stays_reset(make: Make) -> None:
    store = make(2)
    turn(store, 0, SlotSet("calc_question", "level"))
    turn(store, 1, SlotSet("calc_question", None))
    for n in range(2, 8):
        turn(store, n)
    window = asyncio.run(store.retrieve("ik"))
    assert window.get_slot("calc_question") is None
    assert asyncio.run(store.retrieve("iemand anders")) is None


def test_a_restart_continues_the_conversation_form_included(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    store = Store(url)
    store.upgrade()
    store.close()
    before = WindowTrackerStore(DOMAIN, max_turns=4, storage="sql", url=url)
    turn(before, 0, ActiveLoop("helpdesk_form"), SlotSet("helpdesk_question", "Mag ik uitstel?"))
    for n in range(1, 6):
        turn(before, n)
    after = WindowTrackerStore(DOMAIN, max_turns=4, storage="sql", url=url)  # a new process on the same file
    window = asyncio.run(after.retrieve("ik"))
    assert window is not None and window.latest_message.text == "vraag 5"
    assert window.active_loop_name == "helpdesk_form" and window.get_slot("helpdesk_question") == "Mag ik uitstel?"
    turn(after, 6)
    full = asyncio.run(after.retrieve_full_tracker("ik"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [f"vraag {n}" for n in range(7)]
    assert list(asyncio.run(after.keys())) == ["ik"]
    # The memory store keeps nothing across a restart: the difference the SQL store makes.
    assert asyncio.run(WindowTrackerStore(DOMAIN, storage="memory").retrieve("ik")) is None


def test_an_unknown_storage_is_refused() -> None:
    with pytest.raises(ValueError):
        WindowTrackerStore(DOMAIN, storage="redis")


def test_an_unreachable_database_ends_the_turn_instead_of_forgetting_the_conversation() -> None:
    """Rasa's FailSafeTrackerStore would answer with an empty conversation when `retrieve` raises an
    Exception; StoreUnavailable gets past it, so the channel apologises and nothing is forgotten."""
    import socket

    from rasa.core.tracker_store import FailSafeTrackerStore

    from components.tracker_store import StoreUnavailable

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    store = WindowTrackerStore(DOMAIN, storage="sql", url=f"postgresql+psycopg2://postgres@127.0.0.1:{port}/weg")
    wrapped = FailSafeTrackerStore(store)
    with pytest.raises(StoreUnavailable):
        asyncio.run(wrapped.retrieve("ik"))
    with pytest.raises(StoreUnavailable):
        asyncio.run(wrapped.save(store.init_tracker("ik")))


def test_the_embedded_database_brings_its_own_schema(tmp_path: Path) -> None:
    """`rasa run` in a fresh checkout: the SQLite file gets the newest schema when the conversation store
    starts; a second start changes nothing."""
    from bot.store.database import Database, head_revision

    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert database.revision() is None
        assert database.upgrade_if_embedded() is True
        assert database.revision() == head_revision()
        assert database.upgrade_if_embedded() is False
    finally:
        database.close()
