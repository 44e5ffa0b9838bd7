"""The REST channel (channels/rest.py) over real HTTP, without Rasa: its blueprint in a Sanic app
of its own on a port the OS picks, and a stand-in for Rasa's message handler that records what reaches
the assistant. Fast, and part of `make test-unit` (no model, no servers to install)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sanic_thread import ThreadedSanic

from bot.identity import TokenConfig, issue_token
from channels.limits import CLIENT_KEY, RequestLimits, client_key
from channels.rest import MAX_SENDER, UNAUTHORIZED, VerifiedRestInput

KEY = "rest-unit-secret-" + "k" * 32
OFFICE = "office-secret-" + "o" * 20


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTERWIJZER_JWT_KEY", KEY)
    monkeypatch.setenv("REGISTERWIJZER_JWT_ALGORITHM", "HS256")
    monkeypatch.setenv("REST_CHANNEL_TOKEN", OFFICE)
    monkeypatch.setattr(RequestLimits, "_shared", RequestLimits(0, 0))  # no limits, unless a test sets them


class ChannelServer(ThreadedSanic):
    """One Sanic app with the channel's blueprint and a stand-in for Rasa's message handler."""

    def __init__(self) -> None:
        self.seen: list[Any] = []
        super().__init__("rest-unit", self._setup)

    async def on_new_message(self, message: Any) -> None:
        self.seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ontvangen")

    def _setup(self, app: Any) -> None:
        app.blueprint(VerifiedRestInput().blueprint(self.on_new_message), url_prefix="/webhooks/rest")


@pytest.fixture(scope="module")
def server() -> Iterator[ChannelServer]:
    running = ChannelServer().start()
    yield running
    running.stop()


def exchange(server: ChannelServer, *requests: tuple[dict[str, Any] | bytes, dict[str, str]]
             ) -> tuple[list[httpx.Response], list[Any]]:
    """Send each (body, headers) to the channel; the responses and the messages that reached the handler."""
    server.seen.clear()
    responses = []
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as client:
        for body, headers in requests:
            if isinstance(body, bytes):
                responses.append(client.post("/webhooks/rest/webhook", content=body, headers=headers))
            else:
                responses.append(client.post("/webhooks/rest/webhook", json=body, headers=headers))
    return responses, list(server.seen)


def one(server: ChannelServer, body: dict[str, Any] | bytes,
        headers: dict[str, str] | None = None) -> tuple[httpx.Response, Any]:
    (response,), seen = exchange(server, (body, headers or {}))
    return response, (seen[0] if seen else None)


def test_anonymous_message_reaches_the_assistant_without_the_clients_metadata(server: ChannelServer) -> None:
    response, message = one(server, {"sender": "anna", "message": "hoi", "input_channel": "socketio",
                             "metadata": {"verified_leader": "100234"}})
    assert response.status_code == 200 and response.json() == [{"recipient_id": "rest:anon:anna", "text": "ontvangen"}]
    assert message.text == "hoi" and message.sender_id == "rest:anon:anna"
    # Only what the channel sets: the pseudonym of the client's address (tickets per address), no identity.
    assert message.metadata == {CLIENT_KEY: client_key("127.0.0.1")} and message.input_channel == "rest"


@pytest.mark.parametrize("where", ["header", "body"])
def test_a_portal_token_in_the_header_or_the_body_verifies_the_leader(server: ChannelServer, where: str) -> None:
    token = issue_token("100234", config=TokenConfig.from_env())
    body: dict[str, Any] = {"sender": "s", "message": "hoeveel punten heb ik?"}
    headers = {}
    if where == "header":
        headers["Authorization"] = f"Bearer {token}"
    else:
        body["token"] = token
    response, message = one(server, body, headers)
    assert response.status_code == 200
    assert message.metadata["verified_leader"] == "100234" and message.metadata["verified_channel"] == "web"


@pytest.mark.parametrize("token", [".", "a.b.c", "x" * 5000])
def test_a_bad_token_gets_401_and_reaches_nobody(server: ChannelServer, token: str) -> None:
    response, message = one(server, {"sender": "s", "message": "hoi"}, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json() == UNAUTHORIZED
    assert message is None


def test_a_token_signed_with_another_key_gets_401(server: ChannelServer) -> None:
    other = issue_token("100234", config=TokenConfig("HS256", "other" * 10, "other" * 10))
    response, message = one(server, {"sender": "s", "message": "hoi", "token": other})
    assert response.status_code == 401 and message is None


@pytest.mark.parametrize("office,number,status", [
    (OFFICE, "100234", 200),
    (OFFICE, None, 401),            # no number
    (OFFICE, "12", 401),            # not a registratienummer
    (OFFICE, 100234, 401),          # not a string
    ("wrong-secret", "100234", 401),
    ("", "100234", 401),
])
def test_the_back_office_token_needs_the_secret_and_a_valid_number(server: ChannelServer, office: str, number: object, status: int) -> None:
    body: dict[str, Any] = {"sender": "s", "message": "hoi"}
    if number is not None:
        body["registratienummer"] = number
    response, message = one(server, body, {"X-Backoffice-Token": office})
    assert response.status_code == status
    if status == 200:
        assert message.metadata["verified_leader"] == "100234" and message.metadata["verified_channel"] == "rest"
    else:
        assert message is None and response.json() == UNAUTHORIZED


def test_an_oversized_or_missing_sender_gets_a_fresh_id_of_its_own(server: ChannelServer) -> None:
    (r1, r2, r3), seen = exchange(server, ({"sender": "x" * (MAX_SENDER + 1), "message": "a"}, {}),
                                  ({"message": "b"}, {}), ({"sender": "   ", "message": "c"}, {}))
    assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 200]
    senders = [m.sender_id for m in seen]
    assert all(s.startswith("rest:anon:") and len(s) == len("rest:anon:") + 32 for s in senders)
    assert len(set(senders)) == 3 and "x" * 20 not in senders[0]


def test_a_sender_at_the_limit_is_kept(server: ChannelServer) -> None:
    response, message = one(server, {"sender": "y" * MAX_SENDER, "message": "hoi"})
    assert response.status_code == 200 and message.sender_id == "rest:anon:" + "y" * MAX_SENDER


def test_malformed_json_never_crashes_the_channel(server: ChannelServer) -> None:
    response, _ = one(server, b"{not json", {"Content-Type": "application/json"})
    assert response.status_code < 500


def test_each_identity_has_its_own_conversations(server: ChannelServer) -> None:
    """Issue 17: one sender id used anonymously, by a logged-in leader, by another leader and by the back
    office gives four conversations; the same identity again gives the same one. The number itself is
    not in the id (a pseudonym)."""
    token = issue_token("100234", config=TokenConfig.from_env())
    other = issue_token("100235", config=TokenConfig.from_env())
    body = {"sender": "S", "message": "ja"}
    _, seen = exchange(server, (body, {}), (body, {"Authorization": f"Bearer {token}"}),
                       (body, {"Authorization": f"Bearer {other}"}),
                       ({**body, "registratienummer": "100234"}, {"X-Backoffice-Token": OFFICE}),
                       (body, {"Authorization": f"Bearer {token}"}))
    ids = [m.sender_id for m in seen]
    assert len(set(ids[:4])) == 4 and ids[4] == ids[1]
    assert ids[0] == "rest:anon:S" and ids[1].startswith("rest:leader-") and ids[3].startswith("rest:office-")
    assert not any("100234" in i or "100235" in i for i in ids)


def test_a_long_message_is_cut_before_understanding_with_a_dutch_note(server: ChannelServer) -> None:
    from channels.limits import CUT_KEY, MAX_MESSAGE_CHARS

    response, message = one(server, {"sender": "lang", "message": "hoeveel punten " + "x" * 1_000_000})
    assert response.status_code == 200
    assert len(message.text) == MAX_MESSAGE_CHARS and message.text.startswith("hoeveel punten")
    assert message.metadata[CUT_KEY] == 1_000_015
    note = response.json()[0]["text"]
    assert "erg lang (1.000.015 tekens)" in note and "eerste 5.000 tekens" in note
    short, plain = one(server, {"sender": "kort", "message": "hoeveel punten"})
    assert CUT_KEY not in plain.metadata and len(short.json()) == 1


def test_a_body_beyond_reason_gets_413_in_dutch(server: ChannelServer) -> None:
    from channels.limits import MAX_BODY_BYTES

    body = b'{"sender": "s", "message": "' + b"a" * MAX_BODY_BYTES + b'"}'
    response, message = one(server, body, {"Content-Type": "application/json"})
    assert response.status_code == 413 and "te groot" in response.json()["message"] and message is None


def test_a_non_ascii_back_office_token_gets_401(server: ChannelServer) -> None:
    response, message = one(server, {"sender": "s", "message": "hoi", "registratienummer": "100234"},
                            {"X-Backoffice-Token": "géheim".encode()})  # type: ignore[dict-item]
    assert response.status_code == 401 and message is None


def test_requests_per_address_and_per_identity_are_limited(server: ChannelServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: beyond the limit a client gets 429 with a Dutch message and Retry-After, and nothing
    reaches the assistant; a leader has a budget of their own, used from any address."""
    monkeypatch.setattr(RequestLimits, "_shared", RequestLimits(per_address=4, per_identity=2))
    token = issue_token("100234", config=TokenConfig.from_env())
    leader = ({"sender": "s", "message": "hoi", "token": token}, {})
    responses, seen = exchange(server, leader, leader, leader)
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert len(seen) == 2
    refused = responses[2]
    assert refused.json()["error"] == "te_veel" and "Wacht" in refused.json()["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    anonymous = ({"sender": "a", "message": "hoi"}, {})
    responses, seen = exchange(server, anonymous, anonymous)  # the address has 4: 3 used, 1 left
    assert [r.status_code for r in responses] == [200, 429] and len(seen) == 1
    assert "Traceback" not in responses[1].text


def test_many_signs_are_cut_to_a_bounded_number_of_tokens(server: ChannelServer) -> None:
    """5,000 emoji cost the classifier seconds (one token each); 1,000 words or signs are read."""
    from channels.limits import MAX_MESSAGE_TOKENS

    response, message = one(server, {"sender": "emoji", "message": "😀" * 6000})
    assert len(message.text) == MAX_MESSAGE_TOKENS
    assert "erg lang (6.000 tekens)" in response.json()[0]["text"] and "eerste 1.000 tekens" in response.json()[0]["text"]


@pytest.mark.parametrize("text,expected", [
    ("a\ud800b", "a\ufffdb"),  # a lone surrogate: no character, the tokenizer cannot encode it
    ("a\x00b\x1bc", "a b c"),
    ('/inform{"x":' + "[" * 50 + "]" * 50 + "}", "/inform"),  # Rasa parses command entities recursively
    ('/inform{"learning_level": [1]}', '/inform{"learning_level": [1]}'),
])
def test_text_is_cleaned_before_understanding(server: ChannelServer, text: str, expected: str) -> None:
    body = json.dumps({"sender": "schoon", "message": text}).encode()  # "\ud800" escaped, as a client sends it
    _, message = one(server, body, {"Content-Type": "application/json"})
    assert message.text == expected


@pytest.mark.parametrize("body", [b"geen json", b"[1, 2]", b'{"sender": "s"}', b'{"message": null}',
                                  b'{"message": ["a"]}', b'{"a":' * 5000 + b"1" + b"}" * 5000])
def test_a_body_without_a_text_message_gets_400_in_dutch(server: ChannelServer, body: bytes) -> None:
    response, message = one(server, body, {"Content-Type": "application/json"})
    assert response.status_code == 400 and "JSON-object" in response.json()["message"] and message is None


def test_a_sender_id_that_cannot_be_stored_gets_a_fresh_one(server: ChannelServer) -> None:
    _, message = one(server, json.dumps({"sender": "s\ud800", "message": "hoi"}).encode(),
                     {"Content-Type": "application/json"})
    assert message.sender_id.startswith("rest:anon:") and "\ud800" not in message.sender_id
