"""Conversations on the project's database (components/tracker_store.py, `storage: sql`), on SQLite and
on the real PostgreSQL server: what one process saved, another continues."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered

from bot.store import Store
from components.tracker_store import WindowTrackerStore
from tests.test_tracker_store import one_turn as _turn

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


def test_another_process_continues_the_conversation(any_store: Store) -> None:
    one = WindowTrackerStore(DOMAIN, max_turns=3, storage="sql", url=any_store.url)
    two = WindowTrackerStore(DOMAIN, max_turns=3, storage="sql", url=any_store.url)

    async def go() -> None:
        await _turn(one, "s1", 0, ActiveLoop("helpdesk_form"), SlotSet("helpdesk_email", "a@school.nl"))
        for n in range(1, 5):
            await _turn(one if n % 2 else two, "s1", n)  # turns alternate between two replicas
        await _turn(two, "s2", 0)
        window = await one.retrieve("s1")
        assert window is not None and window.latest_message.text == "vraag 4"
        assert window.active_loop_name == "helpdesk_form" and window.get_slot("helpdesk_email") == "a@school.nl"
        assert sum(isinstance(e, UserUttered) for e in window.events) == 3
        full = await two.retrieve_full_tracker("s1")
        assert full is not None
        assert [e.text for e in full.events if isinstance(e, UserUttered)] == [f"vraag {n}" for n in range(5)]
        assert sorted(await one.keys()) == ["s1", "s2"]
        assert await one.retrieve("nobody") is None and await one.retrieve_full_tracker("nobody") is None

    asyncio.run(go())
    one.conversations.database.close()  # type: ignore[attr-defined]
    two.conversations.database.close()  # type: ignore[attr-defined]
