"""POST /helpdesk/triage (channels/helpdesk_api.py) over real HTTP, without Rasa: the channel's blueprint in a
Sanic app of its own on a port the OS picks, a stand-in for the server's model (keywords to intents) and the
demo leaders in a SQLite store. The request's checks, the errors (Dutch JSON, never a stack trace) and what
the triage answers; the real model is in tests/e2e/test_e2e_helpdesk_triage.py."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sanic_thread import ThreadedSanic

from bot.bootstrap import Services, override
from bot.register import load_rules
from bot.store import Store
from bot.store.demo import install_demo
from channels.helpdesk_api import MAX_BODY_CHARS, MAX_SUBJECT_CHARS, HelpdeskApiInput, Invalid, read_mail
from channels.limits import RequestLimits

TOKEN = "helpdesk-unit-token-" + "h" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ANNA = "anna.devries@example.nl"  # demo leader 100234 (bot/store/demo.py)
MAIL = ("Goedemorgen,\n\nWij hebben op school een vraag over de herregistratie.\n"
        "- Hoeveel punten zijn nodig voor een herregistratie?\n"
        "- Is uitstel mogelijk als je langdurig ziek bent geweest?\n\n"
        "Hartelijke groet,\nAnna de Vries\nDirecteur basisschool De Klimop")


class StandInAgent:
    """The server's loaded model as far as the endpoint uses it: keywords to an intent."""

    def __init__(self) -> None:
        self.ready = True
        self.delay = 0.0
        self.parsed: list[str] = []

    def is_ready(self) -> bool:
        return self.ready

    async def parse_message(self, text: str) -> dict[str, Any]:
        self.parsed.append(text)
        await asyncio.sleep(self.delay)
        lower = text.lower()
        if "uitstel" in lower:
            intent, confidence = "ask_outside_sources", 0.94
        elif "punten" in lower:
            intent, confidence = "ask_points_needed", 0.93
        else:
            intent, confidence = "nlu_fallback", 0.3
        return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
                "intent_ranking": [{"name": intent, "confidence": confidence}]}


class ApiServer(ThreadedSanic):
    """One Sanic app with the endpoint's blueprint and a stand-in model, served from a thread of its own."""

    def __init__(self) -> None:
        self.agent = StandInAgent()
        super().__init__("helpdesk-api-unit", self._setup)

    async def on_new_message(self, message: Any) -> None:  # the endpoint never hands anything to Rasa
        raise AssertionError("no chat message expected")

    def _setup(self, app: Any) -> None:
        channel = HelpdeskApiInput.from_credentials(None)
        app.blueprint(channel.blueprint(self.on_new_message), url_prefix=channel.url_prefix())
        app.ctx.agent = self.agent


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('helpdesk-api') / 'api.db'}")
    store.upgrade()
    install_demo(store, load_rules(), date.today())
    with override(Services(store=store)):
        yield store
    store.close()


@pytest.fixture(scope="module")
def server(store: Store) -> Iterator[ApiServer]:
    running = ApiServer().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_API_TOKEN", TOKEN)
    monkeypatch.setattr(RequestLimits, "_shared", RequestLimits(0, 0))  # no limits, unless a test sets them


def post(server: ApiServer, body: dict[str, Any] | bytes, headers: dict[str, Any] | None = None,
         path: str = "/helpdesk/triage") -> httpx.Response:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=30) as client:
        if isinstance(body, bytes):
            return client.post(path, content=body, headers=AUTH if headers is None else headers)
        return client.post(path, json=body, headers=AUTH if headers is None else headers)


def mail(**fields: Any) -> dict[str, Any]:
    return {"subject": "Vragen over herregistratie", "body": MAIL, "from": ANNA, **fields}


def assert_dutch_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message"} and body["message"]
    assert "Traceback" not in response.text and "Exception" not in response.text
    if code is not None:
        assert body["error"] == code
    return dict(body)


# -- the triage -------------------------------------------------------------------------------------------

def test_a_mail_gets_its_triage_with_a_draft_and_a_question_left_to_a_person(server: ApiServer) -> None:
    response = post(server, mail())
    assert response.status_code == 200, response.text
    triage = response.json()
    assert triage["version"] == 1 and triage["subject"] == "Vragen over herregistratie"
    first, second = triage["questions"]
    assert first["intent"] == "ask_points_needed" and first["status"] == "concept"
    assert "100 punten" in first["draft"] and first["sources"] and first["sources"][0] in first["draft"]
    assert second["status"] == "buiten_de_bronnen" and "uitstel" in second["reason"]
    assert triage["category"] and triage["priority"] in {"hoog", "normaal"} and triage["reasons"]
    assert "100 punten" in triage["reply"] and "apart antwoord" in triage["reply"]
    assert "signature" in triage["removed"] and "De Klimop" not in triage["text"]


def test_a_known_address_is_only_a_probable_match_and_brings_no_personal_figures(server: ApiServer) -> None:
    body = mail(body="Hoeveel punten heb ik nog nodig voor mijn herregistratie?\n\nGroet, Anna")
    triage = post(server, body).json()
    assert triage["sender_match"]["status"] == "waarschijnlijk"
    assert triage["sender_match"]["registratienummer"] == "100234"
    (question,) = triage["questions"]  # a general draft at most: never her own figures
    assert question["status"] == "buiten_de_bronnen" or "portaal" in question["draft"]
    answered = json.dumps(triage, ensure_ascii=False)
    assert "Voor jou" not in answered and "70 van de 100" not in answered and "je mist nog" not in answered
    confirmed = post(server, {**body, "confirmed_sender": True}).json()
    assert confirmed["sender_match"]["status"] == "bevestigd"
    assert confirmed["questions"][0]["status"] == "concept"
    assert "Voor jou: je hebt nu 70 van de 100 punten" in confirmed["questions"][0]["draft"]


def test_a_display_name_html_and_a_typed_number_are_read(server: ApiServer) -> None:
    html = ("<html><head><style>p{color:red}</style></head><body><p>Beste helpdesk,</p>"
            "<p>Hoeveel punten zijn nodig voor herregistratie?</p><script>alert(1)</script>"
            "<blockquote>Eerder bericht: kan ik uitstel krijgen?</blockquote></body></html>")
    response = post(server, mail(body=html, body_format="html", **{"from": f"Anna de Vries <{ANNA.upper()}>"},
                                 registratienummer="100 234"))
    assert response.status_code == 200, response.text
    triage = response.json()
    assert triage["sender"] == ANNA.upper() and triage["sender_match"]["status"] == "waarschijnlijk"
    assert triage["registratienummer"] == "100234"
    assert [q["intent"] for q in triage["questions"]] == ["ask_points_needed"]
    assert "alert" not in triage["text"] and "color" not in triage["text"] and "uitstel" not in triage["text"]


def test_an_unknown_sender_has_no_match(server: ApiServer) -> None:
    triage = post(server, mail(**{"from": "onbekend@school.example"})).json()
    assert triage["sender_match"] == {"status": "geen", "registratienummer": None,
                                      "note": "afzender niet gevonden bij een schoolleider in de database"}


def test_every_question_is_parsed_by_the_servers_model_and_nothing_reaches_the_chat(server: ApiServer) -> None:
    server.agent.parsed.clear()
    assert post(server, mail()).status_code == 200
    questions = ["Hoeveel punten zijn nodig voor een herregistratie?",
                 "Is uitstel mogelijk als je langdurig ziek bent geweest?"]
    assert set(questions) <= set(server.agent.parsed)  # and what else the triage reads (the subject line)
    assert len(server.agent.parsed) == len(set(server.agent.parsed))  # each text once


def test_odd_characters_do_not_break_the_answer(server: ApiServer) -> None:
    # JSON escapes of lone surrogates and a NUL, and an emoji as UTF-8.
    raw = ('{"subject": "Vraag \\ud800", "from": "' + ANNA + '", "body": "Hoeveel punten zijn nodig?\\u0000'
           '\\udfff Groet \U0001F600"}').encode()
    response = post(server, raw)
    assert response.status_code == 200, response.text
    assert "\ufffd" in response.json()["subject"]


# -- authentication -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": f"Bearer {TOKEN}x"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer tökén".encode()},
                                     {"X-Backoffice-Token": TOKEN}])
def test_a_missing_or_wrong_token_is_refused(server: ApiServer, headers: dict[str, Any]) -> None:
    response = post(server, mail(), headers)
    assert_dutch_error(response, 401, "niet_geautoriseerd")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("value", [None, "", "te-kort"])
def test_without_a_token_configured_the_endpoint_is_closed(server: ApiServer, monkeypatch: pytest.MonkeyPatch,
                                                            value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("HELPDESK_API_TOKEN")
    else:
        monkeypatch.setenv("HELPDESK_API_TOKEN", value)
    body = assert_dutch_error(post(server, mail()), 503, "niet_ingesteld")
    assert "HELPDESK_API_TOKEN" in body["message"]
    assert_dutch_error(post(server, mail(), {"Authorization": "Bearer te-kort"}), 503, "niet_ingesteld")


def test_get_describes_the_endpoint(server: ApiServer) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as client:
        response = client.get("/helpdesk/triage")
    body = assert_dutch_error(response, 405, "methode_niet_toegestaan")
    assert response.headers["allow"] == "POST" and "POST" in body["message"]


def test_requests_are_limited_per_client_address_before_the_token_is_checked(
        server: ApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RequestLimits, "_shared", RequestLimits(2, 0))
    assert post(server, mail(), {}).status_code == 401
    assert post(server, mail()).status_code == 200
    response = post(server, mail())
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert response.json()["error"] == "te_veel"


# -- the request's checks -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"", b"{", b"niet json", b"\xff\xfe{}", b"[1, 2]", b'"tekst"', b"null",
                                 b"[" * 100_000 + b"]" * 100_000])
def test_a_body_that_is_no_json_object_is_refused(server: ApiServer, raw: bytes) -> None:
    assert_dutch_error(post(server, raw), 400, "ongeldig")


@pytest.mark.parametrize("fields, word", [
    ({"body": None}, "body"), ({"body": 12}, "body"), ({"subject": ["a"]}, "subject"),
    ({"body_format": "pdf"}, "body_format"), ({"from": 5}, "from"), ({"from": "geen adres"}, "from"),
    ({"from": ""}, "from"), ({"registratienummer": 100234}, "registratienummer"),
    ({"registratienummer": "12ab"}, "registratienummer"), ({"confirmed_sender": "true"}, "confirmed_sender"),
    ({"confirmed_sender": 1}, "confirmed_sender"), ({"subject": " ", "body": "\n"}, "leeg"),
    ({"registratie_nummer": "100234"}, "registratie_nummer"),
])
def test_a_field_of_the_wrong_kind_is_refused_with_its_name(server: ApiServer, fields: dict[str, Any],
                                                            word: str) -> None:
    body = assert_dutch_error(post(server, mail(**fields)), 400, "ongeldig")
    assert word in body["message"]


def test_a_missing_body_or_sender_is_refused(server: ApiServer) -> None:
    for key in ("body", "from"):
        body = mail()
        del body[key]
        assert key in assert_dutch_error(post(server, body), 400, "ongeldig")["message"]


@pytest.mark.parametrize("fields, word", [({"body": "x" * (MAX_BODY_CHARS + 1)}, "200.000"),
                                          ({"subject": "x" * (MAX_SUBJECT_CHARS + 1)}, "1.000")])
def test_a_body_or_subject_beyond_its_limit_is_too_large(server: ApiServer, fields: dict[str, Any], word: str) -> None:
    assert word in assert_dutch_error(post(server, mail(**fields)), 413, "te_groot")["message"]


def test_a_request_beyond_2_mb_is_too_large(server: ApiServer) -> None:
    assert_dutch_error(post(server, b" " * (2 * 1024 * 1024 + 1)), 413, "te_groot")
    with pytest.raises(Invalid) as refused:  # before the JSON is read
        read_mail(b"{" * (2 * 1024 * 1024 + 1))
    assert refused.value.status == 413


def test_the_limits_themselves_are_accepted(server: ApiServer) -> None:
    body = "Hoeveel punten zijn nodig?\n" + "a" * (MAX_BODY_CHARS - 30)
    response = post(server, mail(body=body, subject="x" * MAX_SUBJECT_CHARS, registratienummer=None))
    assert response.status_code == 200, response.text


# -- the server's own trouble ----------------------------------------------------------------------------------

def test_a_model_not_loaded_yet_is_unavailable(server: ApiServer) -> None:
    server.agent.ready = False
    try:
        response = post(server, mail())
    finally:
        server.agent.ready = True
    assert_dutch_error(response, 503, "niet_beschikbaar")
    assert response.headers["retry-after"] == "30"


def test_a_model_that_does_not_answer_in_time_is_unavailable(server: ApiServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import channels.helpdesk_api as api

    monkeypatch.setattr(api, "PARSE_TIMEOUT", 0.05)
    server.agent.delay = 0.5
    try:
        response = post(server, mail())
    finally:
        server.agent.delay = 0.0
    assert_dutch_error(response, 503, "niet_beschikbaar")


def test_a_failing_triage_is_a_dutch_error_without_a_trace(server: ApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    import channels.helpdesk_api as api

    def database_away(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(api, "triage_mail", database_away)
    response = post(server, mail())
    assert_dutch_error(response, 503, "niet_beschikbaar")
    assert "connection refused" not in response.text

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("geheim detail")

    monkeypatch.setattr(api, "triage_mail", broken)
    response = post(server, mail())
    assert_dutch_error(response, 500, "mislukt")
    assert "geheim detail" not in response.text


def test_triages_at_once_are_capped_and_the_rest_hear_druk(server: ApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """One slow triage holds the only turn; a second request waits its queue time and gets 503 'druk'."""
    import concurrent.futures

    import channels.helpdesk_api as api

    monkeypatch.setattr(api, "QUEUE_SECONDS", 0.2)
    monkeypatch.setattr(api, "_TURNS", {})
    monkeypatch.setenv("HELPDESK_API_CONCURRENCY", "1")
    server.agent.delay = 0.3  # per text; a mail has several
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            first = pool.submit(post, server, mail())
            time.sleep(0.1)
            second = pool.submit(post, server, mail())
            responses = [first.result(), second.result()]
    finally:
        server.agent.delay = 0.0
    assert responses[0].status_code == 200
    assert_dutch_error(responses[1], 503, "druk")
    assert post(server, mail()).status_code == 200  # the turn was given back
