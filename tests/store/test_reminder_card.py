"""Issue 19: a reminder pushed to Teams carries the leader's overview as an Adaptive Card below its text;
by e-mail it stays text."""

from __future__ import annotations

from typing import Iterator

import pytest

from bot import cards
from bot.store import Store
from tests.store.test_reminders import SHORT, linked
from tests.teams.msstub import MicrosoftStub


@pytest.fixture(scope="module")
def stub() -> Iterator[MicrosoftStub]:
    running = MicrosoftStub().start()
    yield running
    running.stop()


def test_a_teams_reminder_carries_the_overview_card(store: Store, stub: MicrosoftStub) -> None:
    conversation = "a:reminder-card"
    reminders = linked(store, stub, conversation=conversation)
    assert reminders.set(SHORT, "teams", True)
    assert reminders.send().delivered == 1
    [received] = stub.replies(conversation)
    assert "Herinnering van Registerwijzer" in received.activity["text"]
    [card] = received.activity["attachments"]
    assert card["contentType"] == cards.ADAPTIVE_CARD
    content = card["content"]
    assert content["type"] == "AdaptiveCard" and content["version"] == cards.CARD_VERSION
    blocks = [e["text"] for e in content["body"] if e["type"] == "TextBlock"]
    assert "Punten voor je herregistratie" in blocks and any(b.startswith("70 van de ") for b in blocks)
    assert "Je mist nog" in content["fallbackText"]
