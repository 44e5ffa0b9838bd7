"""The helpdesk system's own endpoint for e-mail triage (issue 20): `POST /helpdesk/triage`.

Not a chat channel: nothing reaches the conversation, nothing is stored. The helpdesk's system sends
one e-mail as JSON and gets its triage back (`bot/helpdesk/mailtriage.py`): category, priority with
the reasons, each question with what the assistant understood of it and a draft with its sources or
'buiten de bronnen' with the reason, and the sender's match by address (probable, never verified).

    POST /helpdesk/triage
    Authorization: Bearer $HELPDESK_API_TOKEN
    {"subject": "...", "body": "...", "body_format": "text" | "html", "from": "a@school.nl",
     "registratienummer": "100234" | null, "confirmed_sender": false}

- `HELPDESK_API_TOKEN` (at least 16 characters) from the environment; unset: 503, a wrong or missing
  token: 401 (compared in constant time). Requests are counted per client address first (429 with
  Retry-After, channels/limits.py), so guessing the token is slow.
- Strict input: unknown keys, wrong types, a missing body, an address or registratienummer that is
  not one: 400; a request over 2 MB, a body over 200,000 or a subject over 1,000 characters: 413.
  Every error is Dutch JSON `{"error": code, "message": text}`, never a stack trace.
- `confirmed_sender: true` means the helpdesk has checked that the sender is the leader on file: only
  then may a draft hold that leader's own figures. Without it a matching address is "waarschijnlijk".
- The triage (plain Python, with its database reads) runs in a worker thread; each text it needs
  understood (the questions, the subject line) is parsed by the model the Rasa server has loaded, on the
  server's event loop, which never waits for the thread.

Rasa mounts a channel at `urljoin("/webhooks/", url_prefix())`; the absolute prefix "/helpdesk" puts
this one at /helpdesk/triage.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from email.utils import parseaddr
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import services
from bot.dutch import thousands
from bot.helpdesk.checks import check_email, check_registratienummer
from bot.helpdesk.mailtriage import Mail, MailTriage, Understood, triage_mail
from bot.identity import same_secret
from bot.register import load_rules
from bot.store import StoreError
from channels.limits import MAX_BODY_BYTES, RequestLimits, client_address, rate_limited_json, wait_seconds
from channels.understanding import parse_with

logger = logging.getLogger(__name__)

TOKEN_ENV = "HELPDESK_API_TOKEN"
MIN_TOKEN_CHARS = 16
MAX_BODY_CHARS = 200_000
MAX_SUBJECT_CHARS = 1_000
MAX_FROM_CHARS = 320
MAX_NUMBER_CHARS = 40
PARSE_TIMEOUT = 30.0  # seconds for one text on the server's model
# Triages at once per server process (HELPDESK_API_CONCURRENCY, default 2: each may parse up to 9 texts on
# the model the chat also uses); a request waits at most QUEUE_SECONDS for a turn, then gets 503 "druk".
DEFAULT_CONCURRENCY = 2
QUEUE_SECONDS = 10.0
FIELDS = frozenset({"subject", "body", "body_format", "from", "registratienummer", "confirmed_sender"})
FORMATS = ("text", "html")


def _error(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


NOT_CONFIGURED = _error("niet_ingesteld", "Dit koppelpunt is niet ingesteld: de beheerder moet HELPDESK_API_TOKEN "
                                          "instellen (minstens 16 tekens).")
UNAUTHORIZED = _error("niet_geautoriseerd", "Het token ontbreekt of klopt niet. Stuur de header "
                                            "'Authorization: Bearer <token>' mee.")
UNAVAILABLE = _error("niet_beschikbaar", "De triage is op dit moment niet beschikbaar. Probeer het over een "
                                         "minuut opnieuw.")
FAILED = _error("mislukt", "De triage van deze e-mail is mislukt. Probeer het opnieuw; blijft het misgaan, meld "
                           "het dan aan de beheerder.")
BUSY = _error("druk", "Er worden nu al veel e-mails tegelijk getrieerd. Probeer het over een halve minuut opnieuw.")
DESCRIPTION = _error(
    "methode_niet_toegestaan",
    "Stuur een POST met JSON: subject (tekst), body (tekst), body_format (\"text\" of \"html\"), from "
    "(e-mailadres), registratienummer (tekst of null) en confirmed_sender (true of false), met de header "
    "'Authorization: Bearer <token>'. Het antwoord is de triage van de e-mail.",
)


class Invalid(Exception):
    """A request the endpoint refuses: its status (400 or 413) and the Dutch error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = _error(code, message)


def _bad(message: str) -> Invalid:
    return Invalid(400, "ongeldig", message)


def _too_large(message: str) -> Invalid:
    return Invalid(413, "te_groot", message)


def api_token() -> str | None:
    """The token the helpdesk's system sends; None when unset or too short to be a secret."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        logger.warning("%s is shorter than %d characters: the endpoint stays closed", TOKEN_ENV, MIN_TOKEN_CHARS)
        return None
    return token or None


def bearer(request: Request) -> str | None:
    header = str(request.headers.get("Authorization", ""))
    return header[7:].strip() if header.lower().startswith("bearer ") else None


_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str) -> str:
    """Text fit to process and answer in JSON: lone surrogates (from "\\ud800" escapes) become U+FFFD,
    control characters other than tabs and line breaks a space."""
    return _CONTROLS.sub(" ", _SURROGATES.sub("\ufffd", value))


def _string(body: Mapping[str, Any], key: str, limit: int, *, required: bool = False, default: str = "") -> str:
    value = body.get(key, None if required else default)
    if not isinstance(value, str):
        raise _bad(f"'{key}' ontbreekt of is geen tekst." if required else f"'{key}' moet tekst zijn.")
    if len(value) > limit:
        raise _too_large(f"'{key}' is te lang ({thousands(len(value))} tekens; maximaal {thousands(limit)}).")
    return _text(value)


def read_mail(raw: bytes) -> tuple[Mail, bool]:
    """The request's body as a Mail and whether the helpdesk confirmed the sender; raises Invalid."""
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large("Dit verzoek is te groot (maximaal 2 MB).")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("De inhoud is geen geldige JSON in UTF-8.") from None
    if not isinstance(body, dict):
        raise _bad("Stuur één JSON-object met de e-mail.")
    unknown = sorted(str(key)[:40] for key in body if key not in FIELDS)
    if unknown:
        raise _bad(f"Onbekende velden: {', '.join(unknown[:5])}. Toegestaan: {', '.join(sorted(FIELDS))}.")
    subject = _string(body, "subject", MAX_SUBJECT_CHARS)
    text = _string(body, "body", MAX_BODY_CHARS, required=True)
    if not (subject.strip() or text.strip()):
        raise _bad("De e-mail is leeg: geef een onderwerp of een tekst.")
    fmt = body.get("body_format", "text")
    if fmt not in FORMATS:
        raise _bad("'body_format' moet \"text\" of \"html\" zijn.")
    sender = _string(body, "from", MAX_FROM_CHARS, required=True)
    address = parseaddr(sender)[1] if "<" in sender else sender  # "Anna de Vries <anna@school.nl>"
    if check_email(address).value is None:
        raise _bad("'from' is geen geldig e-mailadres.")
    number = body.get("registratienummer")
    if number is not None:
        if not isinstance(number, str):
            raise _bad("'registratienummer' moet tekst of null zijn.")
        if len(number) > MAX_NUMBER_CHARS or (number.strip() and check_registratienummer(number).value is None):
            raise _bad("'registratienummer' moet uit 6 tot 10 cijfers bestaan (of null zijn).")
    confirmed = body.get("confirmed_sender", False)
    if not isinstance(confirmed, bool):
        raise _bad("'confirmed_sender' moet true of false zijn.")
    return Mail(subject, text, fmt == "html", address.strip(), (number or "").strip() or None), confirmed


async def triage(mail: Mail, confirmed: bool, parse: Callable[[str], Awaitable[Understood]],
                 today: date | None = None) -> MailTriage:
    """The triage in a worker thread (it is plain, blocking Python and reads the database); whatever text it
    asks to understand (each question, the subject line) is parsed by the server's model on this event
    loop, each text once, while the thread waits. The loop itself never waits for the thread."""
    loop = asyncio.get_running_loop()
    seen: dict[str, Understood] = {}

    async def parsed(text: str) -> Understood:
        return await parse(text)

    def understand(text: str) -> Understood:  # in the worker thread
        if text not in seen:
            future = asyncio.run_coroutine_threadsafe(parsed(text), loop)
            try:
                seen[text] = future.result(PARSE_TIMEOUT)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise
        return seen[text]

    call = functools.partial(triage_mail, mail, understand, load_rules(), today or date.today(),
                             store=services().store, confirmed=confirmed)
    return await asyncio.to_thread(call)


_TURNS: dict[int, asyncio.Semaphore] = {}


def concurrency() -> int:
    raw = os.environ.get("HELPDESK_API_CONCURRENCY", "").strip()
    return max(1, int(raw)) if raw.isdigit() else DEFAULT_CONCURRENCY


def _turns() -> asyncio.Semaphore:
    """The turns of this event loop (one per server process), made on first use."""
    loop = id(asyncio.get_running_loop())
    if loop not in _TURNS:
        _TURNS[loop] = asyncio.Semaphore(concurrency())
    return _TURNS[loop]


class HelpdeskApiInput(InputChannel):  # type: ignore[misc]
    """POST /helpdesk/triage for the helpdesk's system (see the module's doc)."""

    @classmethod
    def name(cls) -> str:
        return "helpdesk"

    def url_prefix(self) -> str:
        return "/helpdesk"  # absolute: mounted at /helpdesk, not under /webhooks/

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HelpdeskApiInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        api = Blueprint("helpdesk_api", __name__)

        @api.route("/triage", methods=["GET"])  # type: ignore[untyped-decorator]
        async def describe(request: Request) -> HTTPResponse:
            return response.json(DESCRIPTION, status=405, headers={"Allow": "POST"})

        @api.route("/triage", methods=["POST"])  # type: ignore[untyped-decorator]
        async def triage_endpoint(request: Request) -> HTTPResponse:
            wait = RequestLimits.shared().wait(client_address(request), None)
            if wait:
                return response.json(rate_limited_json(wait), status=429,
                                     headers={"Retry-After": str(wait_seconds(wait))})
            expected = api_token()
            if expected is None:
                return response.json(NOT_CONFIGURED, status=503)
            if not same_secret(bearer(request), expected):
                return response.json(UNAUTHORIZED, status=401, headers={"WWW-Authenticate": "Bearer"})
            try:
                mail, confirmed = read_mail(request.body or b"")
            except Invalid as refused:
                return response.json(refused.body, status=refused.status)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json(UNAVAILABLE, status=503, headers={"Retry-After": "30"})
            turns = _turns()
            try:
                await asyncio.wait_for(turns.acquire(), QUEUE_SECONDS)
            except asyncio.TimeoutError:
                return response.json(BUSY, status=503, headers={"Retry-After": "30"})
            try:
                result = await triage(mail, confirmed, parse_with(agent))
            except (SQLAlchemyError, StoreError, asyncio.TimeoutError, concurrent.futures.TimeoutError) as exc:  # the database away, the model stuck
                logger.error("helpdesk triage: unavailable: %s", type(exc).__name__)
                return response.json(UNAVAILABLE, status=503, headers={"Retry-After": "30"})
            except Exception as exc:  # never a stack trace to the client; never the mail in the log
                logger.error("helpdesk triage failed: %s", type(exc).__name__,
                             exc_info=logger.isEnabledFor(logging.DEBUG))
                return response.json(FAILED, status=500)
            finally:
                turns.release()
            logger.info("helpdesk triage: %d question(s), category %s, priority %s, sender %s",
                        len(result.questions), result.category, result.priority, result.sender_match.status)
            return response.json(result.to_json(), dumps=functools.partial(json.dumps, ensure_ascii=False))

        return api
