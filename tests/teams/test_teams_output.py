"""Sending to the Bot Connector: our output channel against the local stand-in over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Iterator

import pytest

from channels.teams import TeamsInput, TeamsOutput

from .msstub import MicrosoftStub


@pytest.fixture(scope="module")
def stub() -> Iterator[MicrosoftStub]:
    running = MicrosoftStub().start()
    yield running
    running.stop()


def channel(stub: MicrosoftStub) -> TeamsInput:
    return TeamsInput.from_credentials({k.removeprefix("TEAMS_").lower(): v for k, v in stub.env.items()})


def test_many_buttons_are_split_over_cards_and_remembered(stub: MicrosoftStub) -> None:
    teams = channel(stub)
    activity = stub.activity(conversation="a:out-many")
    buttons = [{"title": f"Keuze {i}", "payload": f"/choice{i}"} for i in range(8)]
    asyncio.run(TeamsOutput(teams, activity).send_text_with_buttons("user", "Kies er een:", buttons))
    [reply] = stub.replies("a:out-many")
    cards = reply.activity["attachments"]
    assert [len(c["content"]["buttons"]) for c in cards] == [6, 2]
    assert cards[1]["content"]["buttons"][1] == {"type": "imBack", "title": "Keuze 7", "value": "Keuze 7"}
    assert asyncio.run(teams.choices.resolve("a:out-many", "keuze 7")) == "/choice7"


def test_nothing_is_sent_to_a_service_url_off_the_allow_list(stub: MicrosoftStub) -> None:
    teams = channel(stub)
    activity = stub.activity(conversation="a:out-evil", serviceUrl=f"{stub.base}/evil/")
    before = len(stub.token_requests)
    asyncio.run(TeamsOutput(teams, activity).send_text_message("user", "geheim"))
    assert stub.replies("a:out-evil") == [] and len(stub.token_requests) == before


def test_a_rejected_token_is_fetched_again(stub: MicrosoftStub) -> None:
    teams = channel(stub)
    stub.unauthorized.add("a:out-401")

    async def scenario() -> None:
        output = TeamsOutput(teams, stub.activity(conversation="a:out-401"))
        await output.send_text_message("user", "een")
        await output.send_text_message("user", "twee")

    asyncio.run(scenario())
    first, second = stub.replies("a:out-401")
    assert first.authorization != second.authorization and teams.token.fetches == 2
