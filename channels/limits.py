"""Bounded work per message, on every channel, before any language processing (issue 17).

A message longer than MAX_MESSAGE_CHARS is cut to its start; the user first hears a short Dutch note
saying so, then the answer to what was read. A request body beyond MAX_BODY_BYTES is refused with
HTTP 413 and a Dutch error (Sanic's own limit, SANIC_REQUEST_MAX_SIZE in scripts/env.sh, stops
anything larger still before it is read). The helpdesk form asks for at most 2,000 characters
(bot/helpdesk/checks.py), so nothing a user can hand over is lost by the cut.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.dutch import thousands
from bot.identity import CLIENT_KEY

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5_000
MAX_BODY_BYTES = 2 * 1024 * 1024
CUT_KEY = "ingekort_van"  # metadata: the message's length before the cut
TOO_LARGE = {"error": "te_groot", "message": "Dit bericht is te groot. Stel je vraag korter."}

Handler = Callable[[UserMessage], Awaitable[Any]]


_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_COMMAND_DEPTH = 10  # brackets in a "/intent{...}" command (Rasa parses them recursively)


MAX_MESSAGE_TOKENS = 1_000  # words and signs: the classifier's cost grows faster than their number
_TOKEN = re.compile(r"\w+|[^\w\s]")


def bounded(text: str) -> tuple[str, int | None]:
    """The text to process and, when it was cut, its original length. At most MAX_MESSAGE_CHARS
    characters and MAX_MESSAGE_TOKENS words or signs (5,000 emoji cost the classifier seconds, 5,000
    letters of one word nothing). Lone surrogates (no character at all; the tokenizer cannot encode
    them) become U+FFFD, control characters spaces, and a `/intent{...}` command nested beyond reason
    keeps only its intent."""
    length = len(text)
    kept = text[:MAX_MESSAGE_CHARS]
    for count, token in enumerate(_TOKEN.finditer(kept), start=1):
        if count == MAX_MESSAGE_TOKENS:
            kept = kept[:token.end()]
            break
    return clean(kept), (length if len(kept) < length else None)


def clean(text: str) -> str:
    text = _CONTROLS.sub(" ", _SURROGATES.sub("\ufffd", text))
    if text.lstrip().startswith("/") and nesting(text) > MAX_COMMAND_DEPTH:
        text = re.split(r"[{\[]", text, maxsplit=1)[0]
    return text


def nesting(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "}]":
            depth = max(depth - 1, 0)
    return deepest


def clean_id(value: str) -> bool:
    """An id fit to store and log: printable, no lone surrogates."""
    return value.isprintable() and _SURROGATES.search(value) is None


def cut_note(length: int, kept: int = MAX_MESSAGE_CHARS) -> str:
    return (f"Je bericht is erg lang ({thousands(length)} tekens). Ik heb alleen de eerste "
            f"{thousands(kept)} tekens gelezen. Stel je vraag kort, dan kan ik je het best helpen.")


def with_cut_note(on_new_message: Handler) -> Handler:
    """Tell the user first when their message was cut (the channel put its length in the metadata)."""

    async def handle(message: UserMessage) -> Any:
        length = (message.metadata or {}).get(CUT_KEY)
        if isinstance(length, int):
            await message.output_channel.send_text_message(message.sender_id,
                                                           cut_note(length, len(message.text or "")))
        return await on_new_message(message)

    return handle


def with_cut(metadata: dict[str, Any] | None, length: int | None) -> dict[str, Any] | None:
    """The channel's metadata with the original length added when the message was cut."""
    if length is None:
        return metadata
    return {**(metadata or {}), CUT_KEY: length}


# -- requests per client address and per identity ----------------------------------------------

RATE_LIMITED = "te_veel"


def wait_seconds(wait: float) -> int:
    """A wait as the user hears it and as Retry-After says it: whole seconds, at least 1."""
    return max(1, int(wait + 0.999))


def rate_limited_text(wait: float) -> str:
    seconds = wait_seconds(wait)
    return (f"Je stuurt veel berichten kort na elkaar. Wacht {seconds} seconde{'n' if seconds != 1 else ''} "
            "en stel je vraag dan opnieuw.")


def rate_limited_json(wait: float) -> dict[str, str]:
    return {"error": RATE_LIMITED, "message": rate_limited_text(wait)}


def per_minute(name: str, default: int) -> int:
    """A limit from the environment: requests per minute, 0 = no limit; a bad value keeps the default."""
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        logger.warning("%s=%r is not a whole number; using %d", name, raw[:20], default)
        return default
    return max(value, 0)


class RateLimiter:
    """Token buckets per key (a client address, an identity): `rate` requests a minute on average and as
    many at once. At most `max_keys` keys are kept (the least recently seen dropped first), so memory
    stays bounded however many clients there are. One per process: with several replicas each counts
    its own share (the cluster's nginx limits addresses in front of them; see docs/deploy.md)."""

    def __init__(self, rate: int, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def wait(self, key: str) -> float:
        """0 when the request may go ahead (and counts), else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(self.rate), now))
        tokens = min(float(self.rate), tokens + (now - at) * self.rate / 60.0)
        if tokens >= 1.0:
            tokens -= 1.0
            wait = 0.0
        else:
            wait = (1.0 - tokens) * 60.0 / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class RequestLimits:
    """The limits every channel applies before a message reaches the assistant: per client address
    (RATE_LIMIT_PER_ADDRESS, default 60 a minute) and per identity (RATE_LIMIT_PER_IDENTITY, default 30
    a minute: a verified leader, the back office for one leader, a widget session or a Teams user)."""

    def __init__(self, per_address: int, per_identity: int) -> None:
        self.addresses = RateLimiter(per_address)
        self.identities = RateLimiter(per_identity)

    @classmethod
    def from_env(cls) -> RequestLimits:
        return cls(per_minute("RATE_LIMIT_PER_ADDRESS", 60), per_minute("RATE_LIMIT_PER_IDENTITY", 30))

    _shared: RequestLimits | None = None

    @classmethod
    def shared(cls) -> RequestLimits:
        """The process's limits, shared by its channels (one budget per client, whichever channel it uses)."""
        if cls._shared is None:
            cls._shared = cls.from_env()
        return cls._shared

    def wait(self, address: str | None, identity: str | None) -> float:
        """0 to go ahead, else the seconds to wait. A refused request does not count against the other key."""
        wait = self.addresses.wait(address) if address else 0.0
        if wait:
            return wait
        return self.identities.wait(identity) if identity else 0.0


def client_address(request: Any) -> str | None:
    """The client's address of a Sanic request: `remote_addr` when a proxy is trusted
    (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER), else the peer's address."""
    return str(getattr(request, "remote_addr", "") or getattr(request, "ip", "") or "") or None


def client_key(address: str | None) -> str | None:
    """A pseudonym for a client address, for counting tickets per address without storing the address."""
    if not address:
        return None
    return hashlib.sha256(f"registerwijzer-client:{address}".encode()).hexdigest()[:16]


def with_client(metadata: dict[str, Any] | None, address: str | None) -> dict[str, Any] | None:
    key = client_key(address)
    if key is None:
        return metadata
    return {**(metadata or {}), CLIENT_KEY: key}
