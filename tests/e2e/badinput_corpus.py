"""The bad-input corpus of issue 17 ("0 crashes, 0 stack traces"), for tests/e2e/test_e2e_badinput.py.

Three channels, each a list of hostile or malformed inputs with an ASCII id (the pytest id):

- REST (`POST /webhooks/rest/webhook`): raw HTTP requests, bytes as sent on the wire;
- the widget's socket.io: events with malformed payloads, and raw Engine.IO packets;
- Teams (`POST /webhooks/teams/webhook`): activities a function makes from a genuine one.

Only data and the small functions that build it; the expectations are in the test module.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Union

REST_PATH = "/webhooks/rest/webhook"
JSON = (("Content-Type", "application/json"),)
Header = tuple[str, Union[str, bytes]]


def dumps(value: object) -> bytes:
    """JSON as a client would send it (ASCII: lone surrogates go out as \\ud800 escapes)."""
    return json.dumps(value).encode()


def nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    return opening * depth + closing * depth


def deep_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"x": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


# -- REST ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Http:
    """One raw request. `framework`: Sanic itself answers before the channel runs (wrong method or path,
    headers or body beyond Sanic's limits), so any 4xx in any format will do; the channel's own refusals
    must be JSON with a Dutch message. `may_reset`: the server may close the connection before the
    client has sent everything (a body beyond SANIC_REQUEST_MAX_SIZE)."""
    id: str
    body: bytes | None
    headers: tuple[Header, ...] = JSON
    method: str = "POST"
    path: str = REST_PATH
    framework: bool = False
    may_reset: bool = False


def sender(case_id: str) -> str:
    return "e2e-bad-" + case_id


def message(case_id: str, text: object, **extra: object) -> bytes:
    return dumps({"sender": sender(case_id), "message": text, **extra})


def rest(case_id: str, text: object, **extra: object) -> Http:
    """A well-formed JSON body whose `message` (or other fields) is the hostile part."""
    return Http(case_id, message(case_id, text, **extra))


def raw(case_id: str, body: bytes, headers: tuple[Header, ...] = JSON, **options: Any) -> Http:
    return Http(case_id, body, headers, **options)


def auth(case_id: str, value: str | bytes, name: str = "Authorization", **extra: object) -> Http:
    body = message(case_id, "hoeveel punten heb ik al?", **extra)
    return Http(case_id, body, JSON + ((name, value),))


CONTROL = "".join(chr(c) for c in range(32)) + "\x7f"
ZALGO = "h\u0334\u0321\u0327a\u0335\u0322l\u0336\u0328l\u0337\u0323o\u0338" * 50

REST_CASES: list[Http] = [
    # Not JSON, or JSON of the wrong shape.
    raw("body-not-json", b"hallo, hoeveel punten heb ik nodig?"),
    raw("body-empty", b""),
    raw("body-whitespace", b"  \n\t "),
    raw("body-truncated-json", b'{"sender": "e2e-bad-truncated", "message": "hal'),
    raw("body-trailing-garbage", message("trailing", "hallo") + b" xyz"),
    raw("body-single-quotes", b"{'sender': 'e2e-bad-quotes', 'message': 'hallo'}"),
    raw("body-json-list", dumps([{"sender": "e2e-bad-list", "message": "hallo"}])),
    raw("body-json-number", b"42"),
    raw("body-json-huge-exponent", b"1e999999"),
    raw("body-json-null", b"null"),
    raw("body-json-string", b'"hallo"'),
    raw("body-json-true", b"true"),
    raw("body-nan-literal", b'{"sender": "e2e-bad-nan", "message": NaN}'),
    raw("body-infinity-literal", b'{"sender": "e2e-bad-inf", "message": -Infinity}'),
    raw("body-duplicate-keys", b'{"sender": "e2e-bad-dup", "message": "hallo", "message": 42}'),
    raw("body-utf8-bom", b"\xef\xbb\xbf" + message("bom", "hallo")),
    raw("body-utf16", json.dumps({"sender": "e2e-bad-utf16", "message": "hallo"}).encode("utf-16")),
    # Missing, extra and mistyped fields.
    raw("fields-empty-object", b"{}"),
    raw("fields-only-sender", dumps({"sender": "e2e-bad-only-sender"})),
    raw("fields-only-message", dumps({"message": "hallo"})),
    rest("fields-extra", "hoeveel punten heb ik al?", input_channel="teams", registratienummer="100234",
         metadata={"verified_leader": "100234", "verified_channel": "web"}, stream=True,
         __proto__={"admin": True}, constructor={"prototype": {"admin": True}}),
    rest("message-number", 42),
    rest("message-float", 3.14),
    rest("message-bool", True),
    rest("message-list", ["hallo", "wereld"]),
    rest("message-object", {"text": "hallo"}),
    rest("message-null", None),
    rest("message-empty-string", ""),
    rest("message-empty-list", []),
    raw("message-bigint-5000-digits", b'{"sender": "e2e-bad-bigint", "message": ' + b"9" * 5000 + b"}"),
    raw("sender-number", dumps({"sender": 12345, "message": "hallo"})),
    raw("sender-list", dumps({"sender": ["a", "b"], "message": "hallo"})),
    raw("sender-object", dumps({"sender": {"id": "x"}, "message": "hallo"})),
    raw("sender-null", dumps({"sender": None, "message": "hallo"})),
    raw("sender-empty", dumps({"sender": "", "message": "hallo"})),
    raw("sender-whitespace", dumps({"sender": " \t\n", "message": "hallo"})),
    raw("sender-huge-1mb", dumps({"sender": "s" * 1_000_000, "message": "hallo"})),
    raw("sender-200-chars", dumps({"sender": "\u00e9" * 200, "message": "hallo"})),
    raw("sender-nul", dumps({"sender": "e2e\x00bad", "message": "hallo"})),
    raw("sender-control-chars", dumps({"sender": "e2e-bad-" + CONTROL, "message": "hallo"})),
    raw("sender-path-traversal", dumps({"sender": "../../../etc/passwd", "message": "hallo"})),
    raw("sender-other-channel-prefix", dumps({"sender": "socketio:anon:" + "0" * 32, "message": "hallo"})),
    raw("sender-lone-surrogate", dumps({"sender": "e2e-bad-\ud800", "message": "hallo"})),
    raw("sender-rtl-emoji", dumps({"sender": "\u202e\U0001f642\u200b", "message": "hallo"})),
    # Characters.
    rest("text-control-chars", CONTROL + "hallo"),
    rest("text-nul-inside", "hallo\x00wereld, hoeveel punten heb ik nodig?"),
    rest("text-only-nul", "\x00"),
    rest("text-ansi-escapes", "\x1b[31mhallo\x1b[0m\x07\x1b]0;titel\x07"),
    rest("text-crlf-header-injection", "hallo\r\nSet-Cookie: admin=1\r\n\r\n<html>"),
    rest("text-lone-high-surrogate", "\ud800"),
    rest("text-lone-low-surrogate", "\udfff hoeveel punten heb ik nodig?"),
    rest("text-reversed-surrogate-pair", "hallo \udc00\ud800"),
    rest("text-rtl-override", "\u202ehoeveel punten heb ik nodig?\u202c"),
    rest("text-bidi-isolates", "\u2066hallo\u2069 \u2067wereld\u2069 \u2068x\u2069"),
    rest("text-emoji", "\U0001f642\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f1f3\U0001f1f1 "
                       "hoeveel punten heb ik nodig?"),
    rest("text-emoji-200", "\U0001f600\U0001f44d\U0001f3fd" * 200),
    rest("text-zero-width", "ho\u200bev\u200ceel\u200d pun\u2060ten\ufeff heb ik nodig?"),
    rest("text-only-zero-width", "\u200b\u200c\u200d\u2060\ufeff"),
    rest("text-zalgo", ZALGO),
    rest("text-noncharacters", "\uffff\ufffe\U0010ffff\ue000\ufffd hallo"),
    rest("text-line-separators", "hallo\u2028wereld\u2029\x85\x0b\x0c"),
    rest("text-fullwidth", "\uff48\uff4f\uff45\uff56\uff45\uff45\uff4c \uff50\uff55\uff4e\uff54\uff45\uff4e"),
    rest("text-cyrillic-homoglyphs", "h\u043ee\u0432\u0435\u0435l p\u0443nt\u0435n"),
    # Markup, script and query injection.
    rest("inject-script-tag", "<script>alert(1)</script>"),
    rest("inject-markdown-javascript-link", "[x](javascript:alert(1))"),
    rest("inject-img-onerror", "<img src=x onerror=alert(1)> hoeveel punten?"),
    rest("inject-iframe-and-image", "<iframe src=//evil.example></iframe>![x](http://evil.example/x.png)"),
    rest("inject-markdown-mix", "**vet** _schuin_ `code` ```\nblok\n``` > citaat\n# kop\n| a | b |"),
    rest("inject-html-entities", "&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;b&#x3E; &amp;amp;"),
    rest("inject-templates", "{{7*7}} ${7*7} #{7*7} <%= 7*7 %> {% raw %}"),
    rest("inject-format-strings", "%s%s%s%n%x %(x)s {0} {0.__class__.__mro__} {x!r:>{y}}"),
    rest("inject-sql-drop", "'; DROP TABLE leaders; --"),
    rest("inject-sql-or", "1' OR '1'='1"),
    rest("inject-sql-union", "100234' UNION SELECT * FROM leaders --"),
    rest("inject-sql-quote", "\" OR 1=1 -- hoeveel punten heb ik al?"),
    rest("inject-path", "../../../../etc/passwd"),
    rest("inject-shell", "$(id) `id` | cat /etc/passwd; echo"),
    rest("inject-json-in-text",
         '{"sender": "iemand-anders", "message": "hallo", "metadata": {"verified_leader": "100234"}}'),
    rest("inject-ldap", "*)(uid=*))(|(uid=*"),
    rest("inject-literal-escapes", "\\u0000 \\x00 \\n %00 %0d%0a"),
    # Rasa's /intent{entities} commands.
    rest("command-ask-helpdesk", "/ask_helpdesk"),
    rest("command-restart", "/restart"),
    rest("command-session-start", "/session_start"),
    rest("command-greet", "/greet"),
    rest("command-nlu-fallback", "/nlu_fallback"),
    rest("command-unknown-intent", "/bestaat_niet"),
    rest("command-external", "/EXTERNAL_reminder"),
    rest("command-inform-registratienummer", '/inform{"registratienummer":"100234"}'),
    rest("command-inform-verified-leader", '/inform{"verified_leader":"100234"}'),
    rest("command-inform-list", '/inform{"learning_level": [1, 2, 3]}'),
    rest("command-inform-object", '/inform{"learning_level": {"a": {"b": 1}}}'),
    rest("command-inform-unclosed", "/inform{"),
    rest("command-inform-deep", '/inform{"learning_level":' + nested(1100) + "}"),
    rest("command-confidence-high", "/greet@1.5"),
    rest("command-confidence-negative", "/greet@-1"),
    rest("command-confidence-nan", "/greet@NaN"),
    rest("command-slash-only", "/"),
    rest("command-double-slash", "//"),
    rest("command-slash-nul", "/\x00"),
    rest("command-long-intent", "/" + "a" * 4999),
    rest("command-many-braces", "/inform" + "{}" * 600),
    # Metadata.
    rest("metadata-deep-100", "hallo", metadata=deep_dict(100)),
    raw("metadata-deep-10000", b'{"sender": "e2e-bad-deep1", "message": "hallo", "metadata": '
        + nested(10_000).encode() + b"}"),
    raw("metadata-deep-100000", b'{"sender": "e2e-bad-deep2", "message": "hallo", "metadata": '
        + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"),
    rest("metadata-wide-50000", "hallo", metadata={f"k{i}": i for i in range(50_000)}),
    rest("metadata-string", "hallo", metadata="verified_leader=100234"),
    rest("metadata-list", "hallo", metadata=[1, "2", None]),
    # Content-Type and encodings.
    raw("ctype-text-plain", message("ctype-plain", "hallo"), (("Content-Type", "text/plain"),)),
    raw("ctype-form", b"sender=e2e-bad-form&message=hallo",
        (("Content-Type", "application/x-www-form-urlencoded"),)),
    raw("ctype-multipart-garbage", b"--xyz\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhallo\r\n",
        (("Content-Type", "multipart/form-data; boundary=abc"),)),
    raw("ctype-missing", message("ctype-missing", "hallo"), ()),
    raw("ctype-latin1-charset", b'{"sender": "e2e-bad-latin1", "message": "h\xe9llo"}',
        (("Content-Type", "application/json; charset=latin-1"),)),
    raw("ctype-utf16-charset-utf8-body", message("ctype-utf16", "hallo"),
        (("Content-Type", "application/json; charset=utf-16"),)),
    raw("ctype-garbage", message("ctype-garbage", "hallo"), (("Content-Type", "\x01;;;=;charset=\"\""),)),
    raw("utf8-invalid-bytes", b'{"sender": "e2e-bad-utf8a", "message": "\xff\xfe hallo"}'),
    raw("utf8-overlong", b'{"sender": "e2e-bad-utf8b", "message": "\xc0\xaf hallo"}'),
    raw("utf8-truncated-sequence", b'{"sender": "e2e-bad-utf8c", "message": "hallo \xe2\x82"}'),
    raw("utf8-encoded-surrogate", b'{"sender": "e2e-bad-utf8d", "message": "\xed\xa0\x80 hallo"}'),
    raw("utf8-invalid-in-key", b'{"sen\xffder": "e2e-bad-utf8e", "message": "hallo"}'),
    # Authorization and the back-office token.
    auth("auth-latin1-byte", "Bearer h\u00e9llo".encode("latin-1")),
    auth("auth-utf8-bytes", "Bearer h\u00e9llo\u2603".encode()),
    auth("auth-garbage-jwt", "Bearer garbage.garbage.garbage"),
    auth("auth-bearer-no-space", "Bearer"),
    auth("auth-bearer-empty", "Bearer    "),
    auth("auth-alg-none-lowercase", "bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMDAyMzQifQ."),
    auth("auth-bearer-6000", "Bearer " + "x" * 6000),
    auth("auth-basic", "Basic ZTJlOmJhZA=="),
    auth("auth-nul-and-controls", "Bearer a\x00b\x01c\x7f"),
    Http("auth-twice", message("auth-twice", "hallo"),
         JSON + (("Authorization", "Bearer a.b.c"), ("Authorization", "Bearer d.e.f"))),
    Http("auth-huge-20000", message("auth-huge", "hallo"), JSON + (("Authorization", "Bearer " + "a" * 20_000),),
         framework=True),
    rest("token-in-body-number", "hallo", token=123),
    rest("token-in-body-object", "hallo", token={"sub": "100234"}),
    rest("token-in-body-empty", "hallo", token=""),
    rest("token-in-body-lone-surrogate", "hallo", token="\ud800"),
    rest("token-in-body-non-ascii", "hallo", token="h\u00e9llo.w\u00e9reld.x"),
    auth("backoffice-wrong", "niet-het-token", "X-Backoffice-Token", registratienummer="100234"),
    auth("backoffice-empty", "", "X-Backoffice-Token", registratienummer="100234"),
    auth("backoffice-latin1-byte", "t\u00f6ken".encode("latin-1"), "X-Backoffice-Token",
         registratienummer="100234"),
    auth("backoffice-number-not-string", "niet-het-token", "X-Backoffice-Token", registratienummer=100234),
    auth("backoffice-sql-number", "niet-het-token", "X-Backoffice-Token", registratienummer="100234' OR 1=1"),
    # HTTP level: methods, paths, query strings, sizes.
    Http("method-get", None, (), method="GET", framework=True),
    Http("method-put", message("put", "hallo"), method="PUT", framework=True),
    Http("method-delete", None, (), method="DELETE", framework=True),
    Http("method-patch", message("patch", "hallo"), method="PATCH", framework=True),
    Http("method-options", None, (("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")),
         method="OPTIONS", framework=True),
    Http("path-trailing-segment", message("path1", "hallo"), path=REST_PATH + "/x", framework=True),
    Http("path-bad-percent", message("path2", "hallo"), path="/webhooks/rest/%ff%00", framework=True),
    Http("path-unknown-channel", message("path3", "hallo"), path="/webhooks/nope/webhook", framework=True),
    Http("path-dot-segments", message("path4", "hallo"), path="/webhooks/rest/../rest/webhook", framework=True),
    Http("query-stream-null-message", message("stream1", None), path=REST_PATH + "?stream=true"),
    Http("query-stream-surrogate", message("stream2", "\ud800"), path=REST_PATH + "?stream=true"),
    Http("query-stream-garbage", message("stream3", "hallo"),
         path=REST_PATH + "?stream=" + urllib.parse.quote("\x00\u00e9") + "&stream=true&%ff=%fe"),
    raw("size-3mb-over-channel-limit", message("size3", "a" * 3_000_000)),
    raw("size-5mb-over-sanic-limit", message("size5", "a" * 5_000_000), framework=True, may_reset=True),
]


# -- socket.io (the widget) ----------------------------------------------------------------------

NO_DATA = object()  # emit the event without any argument


@dataclass(frozen=True)
class Emit:
    """One socket.io event. `session`: first ask for a session as the widget does (else the bad event
    comes before any session). `args`: the event's arguments (a tuple sends several)."""
    id: str
    event: str
    data: Any = NO_DATA
    session: bool = True

    @property
    def args(self) -> tuple[Any, ...]:
        if self.data is NO_DATA:
            return ()
        return self.data if isinstance(self.data, tuple) else (self.data,)


def said(case_id: str, data: Any) -> Emit:
    return Emit(case_id, "user_uttered", data)


def said_with(case_id: str, text: Any = "hallo", **extra: Any) -> Emit:
    return Emit(case_id, "user_uttered", {"message": text, **extra})


WIDGET_EVENTS: list[Emit] = [
    # user_uttered whose payload is not the object the widget sends.
    said("data-missing", NO_DATA),
    said("data-string", "hallo"),
    said("data-number", 42),
    said("data-float", 3.5),
    said("data-bool", True),
    said("data-null", None),
    said("data-list", ["hallo"]),
    said("data-bytes", b"\x00\xff\xfehallo"),
    said("data-two-arguments", ({"message": "hallo"}, {"message": "tweede"})),
    said("data-deep-dict-400", deep_dict(400)),
    # The message field.
    said("message-missing", {}),
    said_with("message-number", 42),
    said_with("message-list", ["hallo"]),
    said_with("message-null", None),
    said_with("message-object", {"text": "hallo"}),
    said_with("message-bytes", b"hallo"),
    said_with("message-empty", ""),
    said_with("message-control-chars", CONTROL + "hallo"),
    said_with("message-nul", "hallo\x00wereld"),
    said_with("message-lone-surrogate", "\ud800 hoeveel punten heb ik nodig?"),
    said_with("message-rtl-zero-width-emoji", "\u202e\u200b\U0001f642 hoeveel punten\ufeff?"),
    said_with("message-script", "<script>alert(1)</script>[x](javascript:alert(1))"),
    said_with("message-sql", "'; DROP TABLE leaders; --"),
    said_with("message-command-restart", "/restart"),
    said_with("message-command-inform", '/inform{"registratienummer":"100234"}'),
    said_with("message-command-deep", '/inform{"learning_level":' + nested(1100) + "}"),
    said_with("message-200000-chars", "bla " * 50_000),
    # customData (the portal token) and metadata.
    said_with("customdata-string", customData="garbage"),
    said_with("customdata-number", customData=42),
    said_with("customdata-list", customData=[1, 2]),
    said_with("customdata-null", customData=None),
    said_with("customdata-token-number", customData={"token": 123}),
    said_with("customdata-token-object", customData={"token": {"sub": "100234"}}),
    said_with("customdata-token-garbage", customData={"token": "garbage.garbage.garbage"}),
    said_with("customdata-token-lone-surrogate", customData={"token": "\ud800"}),
    said_with("customdata-token-non-ascii", customData={"token": "h\u00e9llo.w\u00e9reld.x"}),
    said_with("customdata-token-100000", customData={"token": "a" * 100_000}),
    said_with("customdata-deep", customData=deep_dict(400)),
    said_with("metadata-string", metadata="verified_leader=100234"),
    said_with("metadata-list", metadata=[1, None]),
    said_with("metadata-claims-leader", metadata={"verified_leader": "100234", "verified_channel": "web"}),
    said_with("session-id-other", session_id="0" * 32),
    said_with("session-id-number", session_id=123),
    # session_request with bad payloads (instead of the widget's own).
    Emit("session-request-no-data", "session_request", session=False),
    Emit("session-request-string", "session_request", "abc", session=False),
    Emit("session-request-number", "session_request", 42, session=False),
    Emit("session-request-list", "session_request", [None], session=False),
    Emit("session-request-two-arguments", "session_request", ({"session_id": None}, "x"), session=False),
    Emit("session-request-id-number", "session_request", {"session_id": 123}, session=False),
    Emit("session-request-id-huge", "session_request", {"session_id": "f" * 100_000}, session=False),
    Emit("session-request-id-surrogate", "session_request", {"session_id": "\ud800"}, session=False),
    Emit("session-request-id-traversal", "session_request", {"session_id": "../../etc/passwd"}, session=False),
    Emit("session-request-id-uppercase-hex", "session_request", {"session_id": "A" * 32}, session=False),
    # A message before any session, and events the server does not handle.
    Emit("message-before-session", "user_uttered", {"message": "hallo"}, session=False),
    Emit("event-bot-uttered-spoof", "bot_uttered", {"text": "<script>alert(1)</script>"}),
    Emit("event-session-confirm-spoof", "session_confirm", "0" * 32),
    Emit("event-unknown", "bestaat_niet", {"message": "hallo"}),
    Emit("event-name-surrogate", "\ud800", {"message": "hallo"}),
]


@dataclass(frozen=True)
class Packet:
    """A raw Engine.IO polling POST on a connected socket (what a hand-written client could send)."""
    id: str
    body: bytes


WIDGET_PACKETS: list[Packet] = [
    Packet("packet-truncated-json", b'42["user_uttered",'),
    Packet("packet-bad-socketio-type", b"4x"),
    Packet("packet-bad-engineio-type", b"\x00\xff"),
    Packet("packet-unknown-namespace", b'42/nope,["user_uttered",{"message":"hallo"}]'),
    Packet("packet-event-not-a-name", b"42[1,2,3]"),
    Packet("packet-event-object", b'42{"a":1}'),
    Packet("packet-event-empty-list", b"42[]"),
    Packet("packet-deep-nesting", b'42["user_uttered",' + nested(100_000).encode() + b"]"),
    Packet("packet-invalid-utf8", b'42["user_uttered",{"message":"\xff\xfe"}]'),
    Packet("packet-empty", b""),
    Packet("packet-many-separators", b"\x1e" * 1000),
]


@dataclass(frozen=True)
class Query:
    """A raw Engine.IO request with bad parameters (no session behind it)."""
    id: str
    query: str
    method: str = "GET"
    body: bytes | None = None


WIDGET_QUERIES: list[Query] = [
    Query("query-old-protocol", "EIO=3&transport=polling"),
    Query("query-bad-protocol", "EIO=abc&transport=polling"),
    Query("query-bad-transport", "EIO=4&transport=bogus"),
    Query("query-unknown-sid", "EIO=4&transport=polling&sid=bogus"),
    Query("query-websocket-without-upgrade", "EIO=4&transport=websocket"),
    Query("query-post-without-sid", "EIO=4&transport=polling", "POST", b'42["user_uttered",{"message":"hallo"}]'),
    Query("query-post-unknown-sid", "EIO=4&transport=polling&sid=" + "A" * 5000, "POST", b"40"),
    Query("query-garbage", "%ff%00=%fe&EIO=4&EIO=5&transport=polling&transport=polling"),
]


# -- Teams ---------------------------------------------------------------------------------------

Activity = dict[str, Any]


@dataclass(frozen=True)
class TeamsCase:
    """An activity `change`d from a genuine one (personal chat, the stub's serviceUrl, a fresh
    conversation), posted with a valid token unless `authorization` says otherwise. `change` may
    return bytes: the body as sent."""
    id: str
    change: Callable[[Activity], Union[Activity, bytes]]
    authorization: Union[str, bytes, None] = None  # None: a genuine token for the activity
    framework: bool = False


def setting(**fields: Any) -> Callable[[Activity], Activity]:
    return lambda a: {**a, **fields}


def without(*names: str) -> Callable[[Activity], Activity]:
    return lambda a: {k: v for k, v in a.items() if k not in names}


def in_conversation(**fields: Any) -> Callable[[Activity], Activity]:
    return lambda a: {**a, "conversation": {**a["conversation"], **fields}}


def in_from(value: Any) -> Callable[[Activity], Activity]:
    return lambda a: {**a, "from": value}


def body(data: bytes) -> Callable[[Activity], bytes]:
    return lambda a: data


TEAMS_CASES: list[TeamsCase] = [
    # Bodies that are no activity.
    TeamsCase("body-not-json", body(b"not json")),
    TeamsCase("body-empty", body(b"")),
    TeamsCase("body-null", body(b"null")),
    TeamsCase("body-number", body(b"42")),
    TeamsCase("body-list", lambda a: dumps([a])),
    TeamsCase("body-truncated", lambda a: dumps(a)[:-5]),
    TeamsCase("body-invalid-utf8", lambda a: dumps(a)[:-1] + b', "x": "\xff\xfe"}'),
    TeamsCase("body-utf8-bom", lambda a: b"\xef\xbb\xbf" + dumps(a)),
    TeamsCase("body-nan", lambda a: dumps(a)[:-1] + b', "x": NaN}'),
    TeamsCase("body-deep-channeldata", lambda a: dumps(a)[:-1] + b', "channelData2": ' + nested(100_000).encode()
              + b"}"),
    TeamsCase("body-over-256kb", setting(text="a" * 300_000)),
    # Required fields missing or of the wrong type.
    TeamsCase("missing-type", without("type")),
    TeamsCase("missing-serviceurl", without("serviceUrl")),
    TeamsCase("missing-conversation", without("conversation")),
    TeamsCase("missing-from", without("from")),
    TeamsCase("missing-channelid", without("channelId")),
    TeamsCase("missing-channeldata", without("channelData")),
    TeamsCase("missing-id-recipient-text", without("id", "recipient", "text")),
    TeamsCase("type-number", setting(type=1)),
    TeamsCase("type-list", setting(type=["message"])),
    TeamsCase("type-null", setting(type=None)),
    TeamsCase("type-unknown", setting(type="bestaat_niet")),
    TeamsCase("type-invoke", setting(type="invoke", name="adaptiveCard/action", value={"x": 1})),
    TeamsCase("type-empty", setting(type="")),
    TeamsCase("type-message-uppercase", setting(type="MESSAGE")),
    TeamsCase("from-string", in_from("29:user")),
    TeamsCase("from-list", in_from([{"id": "29:user"}])),
    TeamsCase("from-null", in_from(None)),
    TeamsCase("from-number", in_from(42)),
    TeamsCase("from-empty-object", in_from({})),
    TeamsCase("from-id-number", in_from({"id": 12345, "aadObjectId": 6789})),
    TeamsCase("from-id-object", in_from({"id": {"x": 1}, "aadObjectId": ["a"]})),
    TeamsCase("conversation-string", setting(conversation="a:conv")),
    TeamsCase("conversation-list", setting(conversation=[{"id": "a:conv"}])),
    TeamsCase("conversation-empty-object", setting(conversation={})),
    TeamsCase("conversation-id-number", in_conversation(id=42)),
    TeamsCase("conversation-id-empty", in_conversation(id="")),
    TeamsCase("conversation-id-lone-surrogate", in_conversation(id="a:e2e-bad-\ud800")),
    TeamsCase("conversation-id-2000-chars", in_conversation(id="a:" + "x" * 2000)),
    TeamsCase("conversation-id-url-characters", in_conversation(id="a:../../v3/x?y=1#z %00/")),
    TeamsCase("conversation-id-control-chars", in_conversation(id="a:e2e-bad-" + CONTROL)),
    TeamsCase("conversation-type-bogus", in_conversation(conversationType="bogus")),
    TeamsCase("conversation-type-number", in_conversation(conversationType=7)),
    TeamsCase("conversation-type-list", in_conversation(conversationType=["personal"])),
    TeamsCase("conversation-type-personal-uppercase", in_conversation(conversationType="PERSONAL")),
    TeamsCase("conversation-tenant-mismatch", in_conversation(tenantId="other-tenant")),
    TeamsCase("conversation-tenant-number", in_conversation(tenantId=42)),
    TeamsCase("recipient-string", setting(recipient="28:bot")),
    TeamsCase("recipient-number", setting(recipient=5)),
    TeamsCase("channeldata-string", setting(channelData="tenant")),
    TeamsCase("channeldata-tenant-string", setting(channelData={"tenant": "x"})),
    TeamsCase("channeldata-tenant-id-number", setting(channelData={"tenant": {"id": 5}})),
    TeamsCase("channelid-number", setting(channelId=7)),
    TeamsCase("serviceurl-number", setting(serviceUrl=7)),
    TeamsCase("serviceurl-javascript", setting(serviceUrl="javascript:alert(1)")),
    TeamsCase("id-number", setting(id=12345)),
    TeamsCase("id-object", setting(id={"x": 1})),
    TeamsCase("id-huge", setting(id="9" * 5000)),
    TeamsCase("id-slashes", setting(id="../../v3/conversations/x/activities")),
    # The text.
    TeamsCase("text-number", setting(text=42)),
    TeamsCase("text-list", setting(text=["hallo"])),
    TeamsCase("text-object", setting(text={"content": "hallo"})),
    TeamsCase("text-null", setting(text=None)),
    TeamsCase("text-empty", setting(text="")),
    TeamsCase("text-200kb", setting(text="bla " * 50_000)),
    TeamsCase("text-control-chars", setting(text=CONTROL + "hallo")),
    TeamsCase("text-nul", setting(text="hallo\x00wereld")),
    TeamsCase("text-lone-surrogate", setting(text="\ud800 hoeveel punten heb ik nodig?")),
    TeamsCase("text-rtl-zero-width-emoji", setting(text="\u202e\u200b\U0001f642 hoeveel punten\ufeff?")),
    TeamsCase("text-only-mention", setting(text="<at>Registerwijzer</at>")),
    TeamsCase("text-broken-mention", setting(text="<at>Registerwijzer <at></at></at>< at>x")),
    TeamsCase("text-script-markdown", setting(text="<script>alert(1)</script>[x](javascript:alert(1))")),
    TeamsCase("text-sql", setting(text="'; DROP TABLE leaders; --")),
    TeamsCase("text-command-restart", setting(text="/restart")),
    TeamsCase("text-command-inform", setting(text='/inform{"registratienummer":"100234"}')),
    TeamsCase("text-command-deep", setting(text='/inform{"learning_level":' + nested(1100) + "}")),
    TeamsCase("textformat-garbage", setting(textFormat={"x": 1}, locale=42, timestamp="gisteren")),
    # Attachments, values, entities.
    TeamsCase("attachments-string", setting(attachments="x")),
    TeamsCase("attachments-numbers", setting(attachments=[1, 2, None])),
    TeamsCase("attachments-bad-fields", setting(attachments=[{"contentType": 5, "content": [1], "contentUrl": 7}])),
    TeamsCase("attachments-file-no-text", setting(text=None, attachments=[
        {"contentType": "application/vnd.microsoft.teams.file.download.info", "name": "../../x.exe",
         "content": {"downloadUrl": "http://evil.example/x.exe"}}])),
    TeamsCase("attachments-deep", setting(attachments=[{"content": deep_dict(400)}])),
    TeamsCase("value-garbage", setting(value={"verified_leader": "100234", "x": [None]}, text=None)),
    TeamsCase("entities-garbage", setting(entities="x")),
    TeamsCase("membersadded-garbage", setting(type="conversationUpdate", membersAdded="x")),
    # Authorization headers with a valid activity.
    TeamsCase("auth-latin1-byte", setting(), authorization="Bearer h\u00e9llo".encode("latin-1")),
    TeamsCase("auth-utf8-bytes", setting(), authorization="Bearer h\u00e9llo\u2603".encode()),
    TeamsCase("auth-garbage", setting(), authorization="Bearer x.y.z"),
    TeamsCase("auth-bearer-empty", setting(), authorization="Bearer "),
    TeamsCase("auth-lowercase-scheme", setting(), authorization="bearer x.y.z"),
    TeamsCase("auth-7000-chars", setting(), authorization="Bearer " + "a" * 7000),
    TeamsCase("auth-huge-20000", setting(), authorization="Bearer " + "a" * 20_000, framework=True),
]
