"""Issue 19: the personal action sends the overview (bot/cards.py) in the same message as its text, for the
questions about points, deadline and dossier only; never to someone not logged in."""

from __future__ import annotations

import pytest

from actions.personal import ActionPersonal
from bot.identity import verified_metadata
from bot.store import Store

from test_actions_personal import demo_store, run, tracker  # noqa: F401 (demo_store: a fixture)


@pytest.mark.parametrize(("text", "intent"), [("hoeveel punten heb ik al", "ask_my_progress"),
                                              ("wanneer moet ik herregistreren", "ask_my_deadline"),
                                              ("wat staat er in mijn dossier", "ask_my_dossier")])
def test_the_overview_travels_with_the_text(demo_store: Store, text: str, intent: str) -> None:
    [message], _ = run(ActionPersonal(), tracker(text, intent, verified_metadata("100234", "web")))
    assert message["text"]  # the text answer is kept: the accessible fallback, and what REST shows
    attachment = message["attachment"]
    assert attachment["type"] == "registerwijzer_overzicht"
    bar = attachment["payload"]["progress"]
    assert (bar["value"], bar["text"]) == (70, f"70 van de {bar['max']} punten")
    assert attachment["payload"]["period"]["today_mark"] == "vandaag"


@pytest.mark.parametrize(("text", "intent", "metadata"), [
    ("wat als ik ook nog een thema op niveau 6 laat waarderen", "ask_my_what_if", verified_metadata("100234", "web")),
    ("hoeveel punten heb ik al", "ask_my_progress", {}),
])
def test_no_overview_for_what_if_or_anonymous(demo_store: Store, text: str, intent: str,
                                                 metadata: dict[str, str]) -> None:
    messages, _ = run(ActionPersonal(), tracker(text, intent, metadata))
    assert messages and not any(m.get("attachment") for m in messages)
