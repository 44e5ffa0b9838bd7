"""Issue 19: the personal overview reaches Teams as an Adaptive Card, in the same activity as its text."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Iterator

import pytest

from bot import cards
from bot.progress import Overview
from channels.teams import TeamsOutput

from .msstub import MicrosoftStub
from .test_teams_output import channel

ATTACHMENT = cards.overview_attachment(Overview("punten", 70, 100, False, None, date(2023, 3, 1), date(2027, 3, 1),
                                               date(2026, 11, 22)))


@pytest.fixture(scope="module")
def stub() -> Iterator[MicrosoftStub]:
    running = MicrosoftStub().start()
    yield running
    running.stop()


def test_text_and_overview_go_as_one_activity(stub: MicrosoftStub) -> None:
    activity = stub.activity(conversation="a:card-one")
    message = {"text": "Je periode loopt van 1 maart 2023 tot 1 maart 2027.\n70 van de 100", "attachment": ATTACHMENT}
    asyncio.run(TeamsOutput(channel(stub), activity).send_response("user", message))
    [reply] = stub.replies("a:card-one")
    assert reply.activity["text"] == "Je periode loopt van 1 maart 2023 tot 1 maart 2027.\n\n70 van de 100"
    assert reply.activity["textFormat"] == "markdown" and reply.activity["replyToId"] == activity["id"]
    [card] = reply.activity["attachments"]
    assert card == cards.card_attachment(ATTACHMENT)
    assert card["content"]["fallbackText"].startswith("Je hebt 70 van de 100 punten.")


def test_an_overview_alone_is_a_card_and_other_attachments_are_not_sent_as_raw_text(stub: MicrosoftStub) -> None:
    activity = stub.activity(conversation="a:card-alone")
    output = TeamsOutput(channel(stub), activity)
    asyncio.run(output.send_response("user", {"attachment": ATTACHMENT}))
    asyncio.run(output.send_response("user", {"attachment": {"type": "iets", "payload": {"geheim": 1}}}))
    [reply] = stub.replies("a:card-alone")
    assert "text" not in reply.activity
    assert reply.activity["attachments"][0]["contentType"] == cards.ADAPTIVE_CARD


def test_plain_text_and_buttons_are_sent_as_before(stub: MicrosoftStub) -> None:
    activity = stub.activity(conversation="a:card-none")
    output = TeamsOutput(channel(stub), activity)
    asyncio.run(output.send_response("user", {"text": "Hallo"}))
    asyncio.run(output.send_response("user", {"text": "Kies", "buttons": [{"title": "Ja", "payload": "/affirm"}],
                                              "attachment": ATTACHMENT}))
    first, second, third = stub.replies("a:card-none")
    assert first.activity["text"] == "Hallo" and "attachments" not in first.activity
    assert second.activity["attachments"][0]["contentType"] == "application/vnd.microsoft.card.hero"
    assert third.activity["attachments"][0]["contentType"] == cards.ADAPTIVE_CARD  # with buttons: after them
