"""The page server (channels/web.py) over real HTTP on 127.0.0.1, and the widget channel's checks."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from channels.webchat import BAD_TOKEN, identity_from, parse_origins, session_id_from
from bot.identity import TokenConfig, issue_token
from channels.web import BUNDLE, Site, WebError, handler_for, origin, vendor_bundle


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(Site.build("http://127.0.0.1:5999")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_page_is_dutch_and_loads_only_local_scripts(site_url: str) -> None:
    status, headers, body = get(site_url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert '<html lang="nl">' in page
    assert 'src="vendor/webchat.js"' in page and "http" not in page.split("<body>")[1].split("</footer>")[1]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"


def test_widget_bundle_is_served_without_outside_fonts(site_url: str) -> None:
    assert "fonts.googleapis.com" in BUNDLE.read_text(encoding="utf-8")  # the npm bundle has them...
    status, headers, body = get(site_url + "/vendor/webchat.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"fonts.googleapis.com" not in body  # ...the page never asks for them
    assert b"user_uttered" in body


def test_config_names_the_socket_and_csp_allows_only_it(site_url: str) -> None:
    status, headers, body = get(site_url + "/config.json")
    assert status == 200 and body == b'{"socketUrl": "http://127.0.0.1:5999"}'
    assert "connect-src 'self' http://127.0.0.1:5999 ws://127.0.0.1:5999;" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/nope", "/../web/app.js", "/node_modules/rasa-webchat/package.json",
                                  "/%2e%2e/bot/identity.py", "/package.json"])
def test_only_the_listed_files_are_served(site_url: str, path: str) -> None:
    status, _, body = get(site_url + path)
    assert status == 404 and "Deze pagina bestaat niet" in body.decode()


def test_head_has_no_body(site_url: str) -> None:
    status, headers, body = get(site_url + "/app.js", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 100


def test_missing_widget_and_bad_socket_url_are_explained(tmp_path: Path) -> None:
    with pytest.raises(WebError, match="make setup"):
        vendor_bundle(tmp_path / "index.js")
    with pytest.raises(WebError, match="WEBCHAT_SOCKET_URL"):
        origin("javascript:alert(1)")
    assert origin("https://chat.example.nl:8443/socket.io/") == "https://chat.example.nl:8443"


def test_allowed_origins_from_configuration() -> None:
    assert parse_origins("http://127.0.0.1:8080, https://www.example.nl/ ,") == [
        "http://127.0.0.1:8080", "https://www.example.nl"]
    assert parse_origins("") == [] and parse_origins(None) == []
    assert parse_origins(["https://a.nl"]) == ["https://a.nl"]


@pytest.mark.parametrize("data, expected", [
    ({"session_id": "0123456789abcdef0123456789abcdef"}, "0123456789abcdef0123456789abcdef"),
    ({"session_id": "../../etc"}, None), ({"session_id": 5}, None), ({}, None), ("text", None), (None, None),
])
def test_session_ids_must_be_ours(data: object, expected: str | None) -> None:
    assert session_id_from(data) == expected


def test_identity_comes_only_from_a_verified_token(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "unit-test-secret-" + "k" * 32
    monkeypatch.setenv("REGISTERWIJZER_JWT_KEY", key)
    monkeypatch.setenv("REGISTERWIJZER_JWT_ALGORITHM", "HS256")
    good = issue_token("100234", config=TokenConfig("HS256", key, key))
    assert identity_from({"customData": {"token": good}}) == {"verified_leader": "100234", "verified_channel": "web"}
    assert identity_from({"customData": {}}) == {} and identity_from({}) == {}
    # Client metadata never counts, a bad token is refused (None), never treated as anonymous.
    assert identity_from({"metadata": {"verified_leader": "100234"}}) == {}
    forged = issue_token("100234", config=TokenConfig("HS256", "f" * 48, "f" * 48))
    assert identity_from({"customData": {"token": forged}}) is None
    assert identity_from({"customData": {"token": 12}}) is None
    assert "Log opnieuw in" in BAD_TOKEN


def test_the_privacy_statement_is_linked_and_names_the_configured_periods(
        site_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    status, _, page = get(site_url + "/")
    assert status == 200 and b'href="privacy.html"' in page
    status, headers, statement = get(site_url + "/privacy.html")
    text = statement.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "7 dagen stil" in text and "Na 365 dagen" in text and "{{" not in text
    monkeypatch.setenv("RETENTION_CONVERSATION_DAYS", "2,5")
    monkeypatch.setenv("RETENTION_TICKET_DAYS", "90")
    other = Site.build("http://127.0.0.1:5999").files["/privacy.html"][0].decode()
    assert "2,5 dagen stil" in other and "Na 90 dagen" in other
