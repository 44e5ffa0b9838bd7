"""Whole conversations over HTTP against the real servers (`scripts/run.sh`):

- a long conversation (more than 20 turns) that ends in the helpdesk form, a ticket with its transcript
  and a calculator follow-up: the only way to exercise the windowed tracker store inside a real Rasa
  server, where the window must keep what the form and the follow-up need;
- the two-stage fallback: a clarification, "Iets anders" (the button's /deny), the honest give-up with
  the helpdesk offer, and "ja" starting the hand-over; and choosing a topic from the clarification.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from bot.handover import EARLIER_LEFT_OUT

from .conftest import Servers

pytestmark = pytest.mark.e2e

NUMBER = re.compile(r"RW-\d{4}-\d+")
# A message the assistant cannot place (checked below: the flow starts with a clarification).
UNCLEAR = "register vraagje over dingen"

# Twenty-two questions of a long conversation, each with a word its answer must contain.
LONG = [
    ("hallo", "Registerwijzer"),
    ("wat is herregistratie?", "herregistratie"),
    ("hoe vaak moet dat?", "4 jaar"),
    ("welke routes zijn er", "NVAO"),
    ("hoeveel punten heb ik nodig", "100 punten"),
    ("wat levert leerKRACHT jaar-1 op", "70 punten"),
    ("en het schoolleidersprogramma?", "35"),
    ("wat kost een waardering bij B&T", "995"),
    ("en met begeleiding?", "1.200"),
    ("wat is de TMA", "Talenten"),
    ("welke thema's zijn er", "Verandermanagement"),
    ("mag ik een thema twee keer doen", "verdiepen"),
    ("wat is leerniveau 5", "niveau"),
    ("wat levert niveau 6 op", "30 punten"),
    ("wat zijn de leiderschapspraktijken", "visiegericht werken"),
    ("wie zit er in het bestuur", "AVS"),
    ("wat doet de commissie registratie", "Commissie Registratie"),
    ("wat is er veranderd in 2020", "17 november 2020"),
    ("wat kost het programma voor directieteams", "3.400"),
    ("hoe upload ik mijn certificaat", "upload"),
    ("wat is een RADO", "RADO"),
    ("bedankt", "Graag gedaan"),
]


def test_a_long_conversation_keeps_the_form_the_ticket_and_the_calculator_working(servers: Servers) -> None:
    me = "flow-long"
    for index, (message, expected) in enumerate(LONG):
        text = servers.texts(message, me)
        assert expected.lower() in text.lower(), f"turn {index + 1} {message!r}: {text[:300]}"
    assert len(LONG) > 20

    # The helpdesk form after 22 turns: every answer kept, the ticket made, the transcript whole.
    assert "Wat is je vraag voor de helpdesk" in servers.texts("ik wil een medewerker spreken", me)
    question = "Mijn waardering van verandermanagement staat nog niet in mijn dossier."
    assert "Op welk e-mailadres" in servers.texts(question, me)
    assert "registratienummer" in servers.texts("jan@school.nl", me)
    assert "Mag ik dit gesprek meesturen" in servers.texts("100234", me)
    done = servers.texts("ja", me)
    number = NUMBER.search(done)
    assert number, done
    database = servers.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        stored_question, transcript = db.execute("select question, transcript from tickets where number = ?",
                                                 (number.group(),)).fetchone()
    assert stored_question == question
    said = [line["text"] for line in json.loads(transcript) if line.get("text")]
    # The actions see the window of the last 20 turns (the store keeps Rasa's cost per turn flat): the
    # transcript holds those, the form included, and says first that earlier messages were left out.
    assert said[0] == EARLIER_LEFT_OUT
    assert "hallo" not in said and "wat is een RADO" in said and "ik wil een medewerker spreken" in said
    assert question in said and "jan@school.nl" in said

    # After the ticket, the calculator and its follow-up still work in the same conversation.
    first = servers.texts("ik heb leerKRACHT jaar-1 gedaan, hoeveel punten heb ik dan", me)
    assert "70 (leerKRACHT jaar-1)" in first and "van de 100" in first
    more = servers.texts("en met een thema op niveau 5 erbij?", me)
    assert "90 van de 100" in more, more


def test_the_two_stage_fallback_ends_with_the_helpdesk_when_asked(servers: Servers) -> None:
    me = "flow-fallback"
    first = servers.say(UNCLEAR, me)
    assert first[-1]["text"].startswith("Ik weet niet zeker wat je bedoelt"), first
    buttons = first[-1].get("buttons") or []  # type: ignore[union-attr]
    assert buttons[-1] == {"title": "Iets anders", "payload": "/out_of_scope"} and len(buttons) == 3, buttons
    # "Iets anders": the question is asked again.
    assert "Kun je hem anders stellen?" in servers.texts("/out_of_scope", me)
    # Still unclear: the topics once more; "Iets anders" again: an honest answer with the helpdesk offer.
    assert servers.texts(UNCLEAR, me).startswith("Ik weet niet zeker wat je bedoelt")
    give_up = servers.texts("/out_of_scope", me)
    assert "deze vraag kan ik niet goed beantwoorden" in give_up and "helpdesk" in give_up
    # "ja" takes the offer: the hand-over starts.
    assert "helpdesk" in servers.texts("ja", me).lower()
    # And "nee" to the offer of another conversation ends politely, without a hand-over.
    other = "flow-fallback-nee"
    servers.texts(UNCLEAR, other)
    servers.texts("/out_of_scope", other)
    servers.texts(UNCLEAR, other)
    servers.texts("/out_of_scope", other)
    assert "Kan ik je ergens anders mee helpen" in servers.texts("nee", other)


def test_choosing_a_topic_from_the_clarification_answers_it(servers: Servers) -> None:
    me = "flow-choose"
    first = servers.say(UNCLEAR, me)
    buttons = first[-1].get("buttons") or []  # type: ignore[union-attr]
    topics = [b for b in buttons if b["title"] != "Iets anders"]  # type: ignore[index]
    assert topics, first
    chosen = topics[0]["payload"]  # type: ignore[index]
    answer = servers.texts(str(chosen), me)
    assert answer and "Ik weet niet zeker" not in answer and "anders stellen" not in answer
