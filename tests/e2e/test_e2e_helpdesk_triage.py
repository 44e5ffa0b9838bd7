"""POST /helpdesk/triage end to end (issue 20): the helpdesk's system sends an e-mail to the real Rasa server
(`scripts/run.sh` with the trained model and the demo leaders, the suite's shared `servers`) and gets its
triage: a draft from the rules data with its source, a question outside the sources left to a person, the
sender's address a probable match that brings no personal figures until the helpdesk confirms it.

The e-mails are written for this test, not taken from the frozen sets in tests/triage_eval/ or tests/eval/.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from .conftest import HELPDESK_API_TOKEN, Servers

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {HELPDESK_API_TOKEN}"}
ANNA = "anna.devries@example.nl"  # demo leader 100234: leerKRACHT jaar-1 approved, 70 of 100 points
TWO_QUESTIONS = """Goedemiddag,

Ik ben sinds dit schooljaar directeur van een kleine basisschool en probeer wegwijs te worden in het register.
Ik heb twee vragen:

1. Hoeveel punten zijn er nodig voor de herregistratie?
2. Kan ik uitstel krijgen voor mijn herregistratie? Ik ben een half jaar ziek geweest.

Alvast bedankt voor uw hulp.

Met vriendelijke groet,
Anna de Vries
Directeur OBS De Linde
Tel. 030 123 45 67

Verstuurd vanaf mijn iPhone"""


def send(servers: Servers, body: bytes | dict[str, Any], headers: dict[str, str] | None = None,
         method: str = "POST") -> tuple[int, dict[str, Any], str]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}/helpdesk/triage",
                                     data=data if method == "POST" else None, method=method,
                                     headers={"Content-Type": "application/json", **(AUTH if headers is None else headers)})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read().decode()
            return response.status, json.loads(raw), raw
    except urllib.error.HTTPError as exc:
        raw = exc.read().decode()
        return exc.code, json.loads(raw), raw


def test_a_mail_with_two_questions_gets_a_draft_and_one_left_to_a_person(servers: Servers) -> None:
    status, triage, raw = send(servers, {"subject": "Vragen over mijn herregistratie", "body": TWO_QUESTIONS,
                                         "from": f"Anna de Vries <{ANNA}>"})
    assert status == 200, raw
    drafted, outside = triage["questions"]
    assert drafted["status"] == "concept" and drafted["intent"] == "ask_points_needed"
    assert "100 punten" in drafted["draft"] and "Bron" in drafted["draft"]
    assert outside["status"] == "buiten_de_bronnen" and "uitstel" in outside["reason"]
    assert "100 punten" in triage["reply"] and "apart antwoord" in triage["reply"]
    assert triage["category"] == "uitstel of bezwaar" and triage["reasons"]
    assert "iPhone" not in triage["text"] and "030 123" not in triage["text"]
    # The address is Anna's: probable, not verified, and nothing of her dossier in the answer.
    assert triage["sender_match"]["status"] == "waarschijnlijk"
    assert triage["sender_match"]["registratienummer"] == "100234"
    assert "Voor jou" not in raw and "70 van de 100" not in raw and "je mist nog" not in raw


def test_a_question_about_her_own_points_waits_for_the_helpdesks_confirmation(servers: Servers) -> None:
    mail = {"subject": "Mijn punten", "from": ANNA, "registratienummer": "100234",
            "body": "Beste helpdesk,\n\nHoeveel punten heb ik nog nodig voor mijn herregistratie?\n\nGroet,\nAnna"}
    status, triage, raw = send(servers, mail)
    assert status == 200, raw
    (question,) = triage["questions"]  # left to a person, or a general draft: never her own figures
    assert question["status"] == "buiten_de_bronnen" or "portaal" in question["draft"]
    assert triage["sender_match"]["status"] == "waarschijnlijk"
    assert "70 van de 100" not in raw and "Voor jou" not in raw and "je mist nog" not in raw
    status, confirmed, raw = send(servers, {**mail, "confirmed_sender": True})
    assert status == 200, raw
    assert confirmed["sender_match"]["status"] == "bevestigd"
    assert "Voor jou: je hebt nu 70 van de 100 punten" in confirmed["questions"][0]["draft"]


def test_a_request_without_the_token_or_with_bad_json_or_too_large_is_refused_in_dutch(servers: Servers) -> None:
    mail = {"subject": "Vraag", "body": "Hoeveel punten zijn nodig?", "from": ANNA}
    refused = {
        "zonder token": (send(servers, mail, headers={}), 401, "niet_geautoriseerd"),
        "verkeerd token": (send(servers, mail, headers={"Authorization": "Bearer verkeerd-token-van-iemand"}), 401,
                           "niet_geautoriseerd"),
        "kapotte JSON": (send(servers, b'{"subject": "Vraag", "body": '), 400, "ongeldig"),
        "geen afzender": (send(servers, {"subject": "Vraag", "body": "Hoeveel punten zijn nodig?"}), 400, "ongeldig"),
        "te lang": (send(servers, {**mail, "body": "Hoeveel punten zijn nodig? " * 8_000}), 413, "te_groot"),
        "GET": (send(servers, b"", method="GET"), 405, "methode_niet_toegestaan"),
    }
    for case, ((status, body, raw), expected, code) in refused.items():
        assert (status, body.get("error")) == (expected, code), (case, raw)
        assert set(body) == {"error", "message"} and "Traceback" not in raw, (case, raw)
    assert "token" in refused["zonder token"][0][1]["message"]
    assert "JSON" in refused["kapotte JSON"][0][1]["message"]
    assert "200.000" in refused["te lang"][0][1]["message"]
