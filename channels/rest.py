"""The REST channel with verified identity.

- Anonymous: `{"sender", "message"}` as with Rasa's REST channel; general questions only.
- Portal token: `Authorization: Bearer <JWT>` (or `"token"` in the body), verified server-side;
  the leader in the token is the only identity the actions see.
- Back office and tests: header `X-Backoffice-Token: $REST_CHANNEL_TOKEN` plus `"registratienummer"`
  in the body acts as that leader.
Metadata sent by the client is always dropped; a bad token or back-office token gets 401.
Conversations of this channel are kept apart from the others: the sender id gets the prefix `rest:`
(a REST client can never write into a widget or Teams conversation) and who is talking
(`conversation_id`), a missing sender gets a fresh one-off id, and the input channel is always
"rest", whatever the body claims. Messages are cut to their start beyond 5,000 characters and bodies
beyond 2 MB refused; requests are limited per client address and per identity (HTTP 429 with a Dutch
message and Retry-After; channels/limits.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.identity import (
    CHANNEL_KEY,
    METADATA_KEY,
    NUMBER_RE,
    IdentityError,
    TokenConfig,
    rest_token,
    same_secret,
    verified_metadata,
    verify_token,
)
from channels.apology import guarded
from channels.conversations import scoped
from channels.limits import (
    MAX_BODY_BYTES,
    TOO_LARGE,
    RequestLimits,
    bounded,
    clean_id,
    client_address,
    rate_limited_json,
    wait_seconds,
    with_client,
    with_cut,
)

SENDER_PREFIX = "rest:"
MAX_SENDER = 200
UNAUTHORIZED = {"error": "niet_geautoriseerd", "message": "Je inlogtoken is ongeldig of verlopen. Log opnieuw in."}
BAD_BODY = {"error": "ongeldig", "message": "Stuur een JSON-object met je vraag als tekst in \"message\"."}


def conversation_id(verified: dict[str, str] | None, sender: str) -> str:
    """`rest:` + who is talking + the client's sender id (channels/conversations.py)."""
    return SENDER_PREFIX + scoped(verified, sender)


def bearer(request: Request) -> str | None:
    header = str(request.headers.get("Authorization", ""))
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    token = json_body(request).get("token")
    return token if isinstance(token, str) else None


def json_body(request: Request) -> dict[str, Any]:
    """The JSON body as a dict; anything else (bad JSON, a list) as an empty one."""
    try:
        body = request.json
    except Exception:  # sanic raises InvalidUsage for malformed JSON
        return {}
    return body if isinstance(body, dict) else {}


class VerifiedRestInput(RestInput):  # type: ignore[misc]
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> VerifiedRestInput:
        TokenConfig.from_env()  # token settings unfit for this environment: Rasa does not start
        return cls()

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint: Blueprint = super().blueprint(guarded(on_new_message))

        @blueprint.middleware("request")  # type: ignore[untyped-decorator]
        async def verify(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            request.ctx.verified = None
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json(TOO_LARGE, status=413)
            body = json_body(request)
            if not isinstance(body.get("message"), str):  # not JSON, not an object, or no text to read
                return response.json(BAD_BODY, status=400)
            office = request.headers.get("X-Backoffice-Token")
            if office is not None:
                number = body.get("registratienummer")
                if not same_secret(office, rest_token()) or not (isinstance(number, str) and NUMBER_RE.match(number)):
                    return response.json(UNAUTHORIZED, status=401)
                request.ctx.verified = verified_metadata(number, "rest")
                return None
            token = bearer(request)
            if token is not None:
                try:
                    request.ctx.verified = verified_metadata(verify_token(token), "web")
                except IdentityError:
                    return response.json(UNAUTHORIZED, status=401)
            verified = request.ctx.verified
            identity = f"{verified[CHANNEL_KEY]}:{verified[METADATA_KEY]}" if verified else None
            wait = RequestLimits.shared().wait(client_address(request), identity)
            if wait:
                return response.json(rate_limited_json(wait), status=429,
                                     headers={"Retry-After": str(wait_seconds(wait))})
            return None

        return blueprint

    async def _extract_sender(self, req: Request) -> str | None:
        sender = json_body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER or not clean_id(sender):
            sender = uuid.uuid4().hex
        return conversation_id(getattr(req.ctx, "verified", None), sender)

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def _extract_message(self, req: Request) -> str | None:
        message = json_body(req).get("message")
        if not isinstance(message, str):
            return None
        text, req.ctx.cut_from = bounded(message)
        return text

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = with_cut(getattr(request.ctx, "verified", None), getattr(request.ctx, "cut_from", None))
        return with_client(metadata, client_address(request))
