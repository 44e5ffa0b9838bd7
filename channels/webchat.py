"""The website widget's channel: Rasa's socket.io channel with allowed origins and verified identity.

- Only origins in `allowed_origins` (credentials.yml, from WEBCHAT_ALLOWED_ORIGINS) may connect;
  python-engineio rejects the others and answers the allowed ones with CORS headers.
- Session persistence: the widget asks for its earlier session_id after a reload and gets the same
  conversation back. A session id must look like one we hand out (32 hex characters).
- Identity: the page passes the portal's signed token in `customData.token` with every message; it is
  verified here, server-side, and only the verified leader goes into the metadata. Anything else the
  client sends as metadata is dropped. A bad or expired token gets a Dutch reply and is not processed.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage  # type: ignore[import-untyped]
from rasa.core.channels.socketio import (  # type: ignore[import-untyped]
    SocketBlueprint,
    SocketIOInput,
    SocketIOOutput,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer  # type: ignore[import-untyped]

from bot.identity import IdentityError, verified_metadata, verify_token
from channels.apology import with_apology
from channels.shared_state import socketio_manager

logger = logging.getLogger(__name__)

SESSION_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_MESSAGE = 20_000  # characters; longer messages are cut (the input guard answers long ones)
BAD_TOKEN = "Je inlogtoken is ongeldig of verlopen. Log opnieuw in via het portaal en stel je vraag nog eens."


def parse_origins(value: object) -> list[str]:
    """`"http://a, http://b"` or a YAML list -> a clean list; empty means same-origin only."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip().rstrip("/") for item in items if str(item).strip()]


def session_id_from(data: object) -> Optional[str]:
    candidate = data.get("session_id") if isinstance(data, dict) else None
    return candidate if isinstance(candidate, str) and SESSION_RE.match(candidate) else None


def identity_from(data: dict[str, Any]) -> Optional[dict[str, str]]:
    """Verified metadata for a message: `{}` when anonymous; None when a token is given but invalid."""
    custom = data.get("customData")
    token = custom.get("token") if isinstance(custom, dict) else None
    if token in (None, ""):
        return {}
    try:
        return verified_metadata(verify_token(token), "web")
    except IdentityError as exc:
        logger.info("webchat: rejected token (%s)", exc.reason)
        return None


class WebchatInput(SocketIOInput):  # type: ignore[misc]
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            bool(credentials.get("session_persistence", True)),
            credentials.get("socketio_path", "/socket.io"),
        )
        channel.allowed_origins = parse_origins(credentials.get("allowed_origins"))
        return channel

    allowed_origins: list[str] = []

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = with_apology(on_new_message)
        # None: python-engineio accepts the server's own origin only.
        # With REDIS_URL, rooms and emits go through Redis, so any replica reaches any widget.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins or None,
                          client_manager=socketio_manager())
        self.sio = sio
        webhook: Blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=self.namespace)  # type: ignore[untyped-decorator]
        async def session_request(sid: Text, data: object) -> None:
            session_id = session_id_from(data) or uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)  # type: ignore[untyped-decorator]
        async def handle_message(sid: Text, data: object) -> None:
            if not isinstance(data, dict):
                return
            sender_id = session_id_from(data) if self.session_persistence else sid
            if sender_id is None:
                logger.info("webchat: message without a valid session_id ignored")
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            metadata = identity_from(data)
            if metadata is None:
                await output.send_text_message(sender_id, BAD_TOKEN)
                return
            text = data.get("message")
            if not isinstance(text, str):
                return  # the widget's empty start-up message: nothing to answer
            await on_new_message(
                UserMessage(text[:MAX_MESSAGE], output, sender_id, input_channel=self.name(), metadata=metadata)
            )

        return webhook
