"""Personal answers end to end over HTTP: only for a verified identity, never another leader's data."""

from __future__ import annotations

import time

import jwt
import pytest

from .conftest import BACKOFFICE_TOKEN, JWT_KEY, Servers

pytestmark = pytest.mark.e2e

LEADER = "100234"      # demo leader: leerKRACHT jaar-1 approved, a valuation pending, period ends soon
OTHER = "100235"       # demo leader: RADO basisbekwaam with a vakbekwaam diploma


def token(number: str = LEADER, key: str = JWT_KEY, ttl: int = 600, **claims: object) -> str:
    now = int(time.time())
    body: dict[str, object] = {"registratienummer": number, "iat": now, "exp": now + ttl, **claims}
    return jwt.encode(body, key, algorithm="HS256")


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_anonymous_personal_question_hears_how_to_log_in(servers: Servers) -> None:
    text = servers.texts("hoeveel punten heb ik al?", sender="p-anon")
    assert "Log in op het portaal" in text
    assert "70 (leerKRACHT jaar-1)" not in text and "Nog niet meegeteld" not in text


def test_client_metadata_is_never_trusted(servers: Servers) -> None:
    text = servers.texts("hoeveel punten heb ik al?", sender="p-meta",
                         metadata={"verified_leader": LEADER, "verified_channel": "web"})
    assert "Log in op het portaal" in text


def test_signed_token_gives_the_right_personal_answer(servers: Servers) -> None:
    text = servers.texts("hoeveel punten heb ik al?", sender="p-ok", headers=bearer(token()))
    assert "70 (leerKRACHT jaar-1)" in text
    assert "Nog niet meegeteld, want nog niet goedgekeurd" in text


def test_rest_gets_the_overview_as_an_attachment_after_the_unchanged_text(servers: Servers) -> None:
    """Issue 19: the figures the widget draws and Teams shows as a card; REST clients keep the text and get
    the overview as one extra message they may use or ignore."""
    replies = servers.say("hoeveel punten heb ik al?", sender="p-overview", headers=bearer(token()))
    assert "70 (leerKRACHT jaar-1)" in "\n".join(str(r.get("text", "")) for r in replies)
    with_attachment = [i for i, r in enumerate(replies) if "attachment" in r]
    assert with_attachment == [len(replies) - 1], replies  # one, after the text
    overview = replies[-1]["attachment"]
    assert isinstance(overview, dict) and overview["type"] == "registerwijzer_overzicht"
    bar, period = overview["payload"]["progress"], overview["payload"]["period"]
    assert (bar["value"], bar["max"], bar["text"]) == (70, 100, "70 van de 100 punten")
    assert period["today_mark"] == "vandaag" and period["end_text"].startswith("Uiterlijk herregistreren: ")
    what_if = servers.say("wat als ik ook nog een thema op niveau 6 laat waarderen", sender="p-overview-wi",
                          headers=bearer(token()))
    assert not any("attachment" in r for r in what_if)  # only the overview questions carry it
    anonymous = servers.say("hoeveel punten heb ik al?", sender="p-overview-anon")
    assert not any("attachment" in r for r in anonymous)


def test_deadline_and_dossier(servers: Servers) -> None:
    headers = bearer(token())
    assert "Je herregistreert uiterlijk op" in servers.texts("wanneer moet ik uiterlijk herregistreren",
                                                               sender="p-dl", headers=headers)
    assert f"({LEADER})" in servers.texts("wat staat er in mijn dossier", sender="p-dos", headers=headers)


def test_what_if_on_the_stored_dossier(servers: Servers) -> None:
    text = servers.texts("wat als ik ook nog een thema op niveau 6 laat waarderen", sender="p-wi",
                         headers=bearer(token()))
    assert "kom je van 70 op 100" in text


@pytest.mark.parametrize("bad", [
    token(ttl=-3600),                                   # expired
    token(key="another-secret-" + "y" * 32),            # forged: wrong key
    token()[:-4] + "AAAA",                              # bad signature
    "garbage.token.value",                              # garbage
    jwt.encode({"registratienummer": LEADER}, JWT_KEY, algorithm="HS256"),  # no expiry
    jwt.encode({"exp": int(time.time()) + 600}, JWT_KEY, algorithm="HS256"),  # no registratienummer
])
def test_bad_tokens_are_refused_without_data(servers: Servers, bad: str) -> None:
    status, body = servers.post({"sender": "p-bad", "message": "hoeveel punten heb ik al?"}, bearer(bad))
    assert status == 401
    assert "leerKRACHT" not in str(body) and "punten" not in str(body)


def test_another_leaders_number_in_the_question_gives_only_own_data(servers: Servers) -> None:
    text = servers.texts(f"laat de punten van {OTHER} zien", sender="p-cross", headers=bearer(token()))
    assert "alleen jouw eigen gegevens" in text
    assert "70 (leerKRACHT jaar-1)" in text        # 100234's own dossier
    assert f"({OTHER})" not in text and "diploma vakbekwaam" not in text


def test_backoffice_token_acts_as_the_named_leader(servers: Servers) -> None:
    headers = {"X-Backoffice-Token": BACKOFFICE_TOKEN}
    text = servers.texts("wat staat er in mijn dossier", sender="p-office", headers=headers,
                         registratienummer=OTHER)
    assert f"({OTHER})" in text
    status, _ = servers.post({"sender": "p-office2", "message": "hoeveel punten heb ik al?",
                              "registratienummer": OTHER}, {"X-Backoffice-Token": "wrong"})
    assert status == 401


def test_session_start_warns_when_the_period_ends_soon(servers: Servers) -> None:
    text = servers.texts("hallo", sender="p-warn-new", headers=bearer(token()))
    assert "Let op: je periode eindigt op" in text


def test_general_question_gets_a_personal_line_when_logged_in(servers: Servers) -> None:
    text = servers.texts("hoeveel punten heb je nodig voor herregistratie", sender="p-gen", headers=bearer(token()))
    assert "Voor jou: je hebt nu 70 van de 100 punten" in text
    anonymous = servers.texts("hoeveel punten heb je nodig voor herregistratie", sender="p-gen-anon")
    assert "Voor jou" not in anonymous


def test_a_logged_in_leader_turns_email_reminders_on_and_off_in_the_widget(servers: Servers) -> None:
    """Issue 18: leaders without Teams opt in to the same reminders by e-mail, in the widget, logged in;
    anonymously the widget explains why it cannot."""
    import asyncio
    import sqlite3

    from .conftest import widget_socket

    async def say(texts: list[tuple[str, dict[str, str]]]) -> list[str]:
        client, heard, _ = await widget_socket(servers)
        for text, custom in texts:
            before = len(heard)
            await client.emit("user_uttered", {"message": text, "customData": custom})
            for _ in range(60):
                if len(heard) > before:
                    break
                await asyncio.sleep(0.25)
        await client.disconnect()
        return heard

    def enabled() -> list[tuple[str, int]]:
        with sqlite3.connect(servers.env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
            return db.execute("SELECT s.channel, s.enabled FROM reminder_settings s JOIN leaders l "
                              "ON l.id = s.leader_id WHERE l.registratienummer = ?", (LEADER,)).fetchall()

    leader = {"token": token()}
    heard = asyncio.run(say([("herinneringen aan", {}), ("herinneringen aan", leader)]))
    assert "Log in op het portaal" in heard[0] and "e-mail op het adres dat het register van je heeft" in heard[1]
    assert enabled() == [("email", 1)]
    heard = asyncio.run(say([("herinneringen uit", leader)]))
    assert "Herinneringen staan uit" in heard[0] and enabled() == [("email", 0)]
