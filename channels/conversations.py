"""Conversation ids that include who is talking (issue 17), for every channel that knows it.

An anonymous visitor, a logged-in leader and the back office acting for a leader each get their own
conversations: a message from one identity never continues another's, and logging in or out starts
a fresh conversation. A leader is named by a pseudonym (a hash of the registratienummer), so the
number itself is not in the id that is stored and logged.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.identity import CHANNEL_KEY, METADATA_KEY, pseudonym


def scoped(verified: Mapping[str, str] | None, conversation: str) -> str:
    """`anon:…`, `leader-<pseudonym>:…` (a portal token) or `office-<pseudonym>:…` (the back office)."""
    if not verified:
        return f"anon:{conversation}"
    who = "office" if verified.get(CHANNEL_KEY) == "rest" else "leader"
    return f"{who}-{pseudonym(verified.get(METADATA_KEY, ''))}:{conversation}"
