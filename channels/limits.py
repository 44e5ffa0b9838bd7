"""Bounded work per message, on every channel, before any language processing (issue 17).

A message longer than MAX_MESSAGE_CHARS is cut to its start; the user first hears a short Dutch note
saying so, then the answer to what was read. A request body beyond MAX_BODY_BYTES is refused with
HTTP 413 and a Dutch error (Sanic's own limit, SANIC_REQUEST_MAX_SIZE in scripts/env.sh, stops
anything larger still before it is read). The helpdesk form asks for at most 2,000 characters
(bot/helpdesk/checks.py), so nothing a user can hand over is lost by the cut.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage  # type: ignore[import-untyped]

from bot.dutch import thousands

MAX_MESSAGE_CHARS = 5_000
MAX_BODY_BYTES = 2 * 1024 * 1024
CUT_KEY = "ingekort_van"  # metadata: the message's length before the cut
TOO_LARGE = {"error": "te_groot", "message": "Dit bericht is te groot. Stel je vraag korter."}

Handler = Callable[[UserMessage], Awaitable[Any]]


def bounded(text: str) -> tuple[str, Optional[int]]:
    """The text to process and, when it was cut, its original length."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text, None
    return text[:MAX_MESSAGE_CHARS], len(text)


def cut_note(length: int) -> str:
    return (f"Je bericht is erg lang ({thousands(length)} tekens). Ik heb alleen de eerste "
            f"{thousands(MAX_MESSAGE_CHARS)} tekens gelezen. Stel je vraag kort, dan kan ik je het best helpen.")


def with_cut_note(on_new_message: Handler) -> Handler:
    """Tell the user first when their message was cut (the channel put its length in the metadata)."""

    async def handle(message: UserMessage) -> Any:
        length = (message.metadata or {}).get(CUT_KEY)
        if isinstance(length, int):
            await message.output_channel.send_text_message(message.sender_id, cut_note(length))
        return await on_new_message(message)

    return handle


def with_cut(metadata: Optional[dict[str, Any]], length: Optional[int]) -> Optional[dict[str, Any]]:
    """The channel's metadata with the original length added when the message was cut."""
    if length is None:
        return metadata
    return {**(metadata or {}), CUT_KEY: length}
