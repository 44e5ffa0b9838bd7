"""The website widget's channel: Rasa's socket.io channel with allowed origins and verified identity.

- Only origins in `allowed_origins` (credentials.yml, from WEBCHAT_ALLOWED_ORIGINS) may connect;
  python-engineio rejects the others and answers the allowed ones with CORS headers.
- Session persistence: the widget asks for its earlier session_id after a reload and gets the same
  conversation back. A session id must look like one we hand out (32 hex characters). It is bound
  to the socket that asked for it; a message names no session itself (issue 17).
- The conversation id is the session with who is talking (channels/conversations.py): logging in
  or out starts a fresh conversation in the same widget.
- Identity: the page passes the portal's signed token in `customData.token` with every message; it is
  verified here, server-side, and only the verified leader goes into the metadata. Anything else the
  client sends as metadata is dropped. A bad or expired token gets a Dutch reply and is not processed.
- Limits (channels/limits.py): messages per client address and per identity (the leader, else the
  session); beyond them a Dutch note instead of an answer.
- Logging out: the page posts to `/webhooks/socketio/end` and the leader's conversation of that
  session is deleted on the server (bot/privacy.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import (
    SocketBlueprint,
    SocketIOInput,
    SocketIOOutput,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.bootstrap import services
from bot.identity import IdentityError, leader_from_metadata, verified_metadata, verify_token
from bot.privacy import Privacy, Retention
from channels.apology import guarded
from channels.commands import reminders_step
from channels.conversations import scoped
from channels.limits import RequestLimits, bounded, client_address, rate_limited_text, with_client, with_cut
from channels.shared_state import socketio_manager

logger = logging.getLogger(__name__)

SESSION_RE = re.compile(r"^[0-9a-f]{32}$")
END_REFUSED = {"error": "ongeldig", "message": "Dit gesprek kan hier niet worden beëindigd."}
END_FAILED = {"error": "niet_bereikbaar", "message": "Het gesprek kon nu niet worden beëindigd; het verloopt vanzelf."}
BAD_TOKEN = "Je inlogtoken is ongeldig of verlopen. Log opnieuw in via het portaal en stel je vraag nog eens."


def parse_origins(value: object) -> list[str]:
    """`"http://a, http://b"` or a YAML list -> a clean list; empty means same-origin only."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip().rstrip("/") for item in items if str(item).strip()]


def session_id_from(data: object) -> str | None:
    candidate = data.get("session_id") if isinstance(data, dict) else None
    return candidate if isinstance(candidate, str) and SESSION_RE.match(candidate) else None


def identity_from(data: dict[str, Any]) -> dict[str, str] | None:
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


class OneLine(logging.Filter):
    """python-engineio and python-socketio log a malformed packet from a client as an ERROR with its
    traceback: one WARNING line instead (the client's fault, nothing for the operator to fix)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "Error"
            record.msg, record.args = f"socket.io: ongeldig pakket van een client genegeerd ({kind})", ()
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


for _name in ("engineio.server", "socketio.server"):
    logging.getLogger(_name).addFilter(OneLine())


class SessionOutput(SocketIOOutput):  # type: ignore[misc]
    """Replies go to the widget session's room, whatever the conversation id (which names the identity)."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, room: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.room = room

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=self.room)


class WebchatInput(SocketIOInput):  # type: ignore[misc]
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            bool(credentials.get("session_persistence", True)),
            credentials.get("socketio_path", "/socket.io"),
        )
        # WEBCHAT_ALLOWED_ORIGINS, when set, replaces the default written in credentials.yml.
        channel.allowed_origins = tuple(parse_origins(os.environ.get("WEBCHAT_ALLOWED_ORIGINS", "").strip()
                                                      or credentials.get("allowed_origins")))
        return channel

    allowed_origins: tuple[str, ...] = ()
    _privacy: Privacy | None = None

    def privacy(self) -> Privacy:
        if self._privacy is None:  # on the process's one database (bot.bootstrap), where conversations live
            self._privacy = Privacy(services().database, Retention())
        return self._privacy

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        to_rasa = on_new_message

        async def turn(message: UserMessage) -> Any:
            # "herinneringen aan/uit": reminders by e-mail for a logged-in leader (channels/commands.py)
            if await reminders_step(message, leader_from_metadata(message.metadata), "email"):
                return None
            return await to_rasa(message)

        on_new_message = guarded(turn)
        # None: python-engineio accepts the server's own origin only.
        # With REDIS_URL, rooms and emits go through Redis, so any replica reaches any widget.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(self.allowed_origins) or None,
                          client_manager=socketio_manager())
        self.sio = sio
        webhook: Blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/end", methods=["POST"])  # type: ignore[untyped-decorator]
        async def end(request: Request) -> HTTPResponse:
            """Logging out in the widget ends the leader's conversation on the server too (issue 17).
            The page sends `{"session_id", "token"}` with navigator.sendBeacon (text/plain: no preflight);
            only the leader in a valid token can end their own conversation of that session."""
            origin = request.headers.get("Origin")
            if origin and self.allowed_origins and origin.rstrip("/") not in self.allowed_origins:
                return response.json(END_REFUSED, status=403)
            try:
                data = json.loads(request.body or b"") if len(request.body or b"") <= 16_384 else None
            except (ValueError, RecursionError):
                data = None
            session_id = session_id_from(data)
            given = data.get("token") if isinstance(data, dict) else None
            metadata = identity_from({"customData": {"token": given}}) if session_id and given else None
            if not session_id or not metadata:
                return response.json(END_REFUSED, status=400)
            try:
                ended = await self.privacy().aend_conversation(scoped(metadata, session_id))
            except Exception as exc:  # the database away: the conversation expires later (bot/privacy.py)
                logger.warning("webchat: could not end a conversation: %s", type(exc).__name__)
                return response.json(END_FAILED, status=503)
            return response.json({"status": "beëindigd" if ended else "geen gesprek"})

        @sio.on("connect", namespace=self.namespace)  # type: ignore[untyped-decorator]
        async def connect(sid: str, environ: dict[str, Any], *_: object) -> None:
            address = client_address(environ.get("sanic.request"))
            await sio.save_session(sid, {"address": address}, namespace=self.namespace)

        @sio.on("session_request", namespace=self.namespace)  # type: ignore[untyped-decorator]
        async def session_request(sid: str, *args: object) -> None:
            data = args[0] if len(args) == 1 else None  # a client may send no data or several: take none
            session_id = session_id_from(data) or uuid.uuid4().hex
            if not self.session_persistence:
                session_id = sid
            # The session belongs to this socket from now on: messages name no session themselves.
            session = await sio.get_session(sid, namespace=self.namespace)
            address = session.get("address") if isinstance(session, dict) else None
            await sio.save_session(sid, {"session_id": session_id, "address": address}, namespace=self.namespace)
            sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)  # type: ignore[untyped-decorator]
        async def handle_message(sid: str, *args: object) -> None:
            data = args[0] if len(args) == 1 else None
            if not isinstance(data, dict):
                return
            session = await sio.get_session(sid, namespace=self.namespace)
            session_id = session.get("session_id") if isinstance(session, dict) else None
            if session_id is None:
                logger.info("webchat: message before a session_request ignored")
                return
            output = SessionOutput(sio, self.bot_message_evt, session_id)
            metadata = identity_from(data)
            if metadata is None:
                await output.send_text_message(session_id, BAD_TOKEN)
                return
            text = data.get("message")
            if not isinstance(text, str):
                return  # the widget's empty start-up message: nothing to answer
            address = session.get("address")
            identity = f"web:{leader_from_metadata(metadata)}" if metadata else f"session:{session_id}"
            wait = RequestLimits.shared().wait(address, identity)
            if wait:
                await output.send_text_message(session_id, rate_limited_text(wait))
                return
            text, length = bounded(text)
            # Who is talking is part of the conversation: logging in or out starts a fresh one.
            await on_new_message(UserMessage(text, output, scoped(metadata, session_id), input_channel=self.name(),
                                             metadata=with_client(with_cut(metadata, length), address)))

        return webhook
