"""Microsoft Teams over the Bot Framework, for a single-tenant bot (see docs/teams.md).

Webhook: POST /webhooks/teams/webhook. Rasa's own Bot Framework channel fetches Microsoft's keys at
start-up with blocking `requests`, checks little more than the audience and sends with the
multi-tenant token endpoint; this connector keeps its interface and replaces those parts:

- every activity is verified completely (`verify_activity`): RS256 only, issuer, audience = app id,
  `exp` required (5 minutes leeway), the token's `serviceurl` claim equals the activity's
  `serviceUrl`, the signing key is endorsed for the activity's `channelId`, and the `serviceUrl`
  is on the allow-list. Anything else: 401. The bot's own token only ever goes to an allowed URL;
- OpenID metadata and keys are fetched lazily (never at start-up), cached for a day and fetched
  again for an unknown key id (at most once a minute);
- everything outgoing is non-blocking (aiohttp, with timeouts). The webhook answers 200 at once and
  the turn runs in a background task, so a slow Teams endpoint stalls no other conversation. The
  bot token (client credentials, single tenant) is cached until 5 minutes before it expires and
  concurrent turns share one fetch;
- buttons become a hero card with `imBack` actions whose value is the (Dutch) title; the last offer
  per conversation maps a title that comes back to its payload (`Choices`; in Redis with REDIS_URL,
  so any replica resolves it);
- the personal overview (bot/cards.py) goes as an Adaptive Card in the same activity as its text answer;
- the Teams user reaches the actions as metadata (`teams_user_id`, `teams_aad_object_id`,
  `teams_tenant_id`, `verified_channel: teams`); a Teams account by itself proves no
  registratienummer. Only once it is linked (issue 18, bot/linking.py: a one-time code sent to the
  e-mail address on file for the number) does its Azure AD object id bring the leader into the
  metadata, and personal answers work as on the website. "koppel mijn account", the number and the
  code, "ontkoppel mijn account" and "stop" are handled here, before Rasa (docs/teams.md).
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import UserMessage
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.answers.linking import CANCEL, LINK, UNLINK, command_of, say
from bot.bootstrap import services
from bot.cards import card_attachment
from bot.identity import CHANNEL_KEY, verified_metadata
from bot.teams_api import (  # shared with the reminders
    TeamsConfig,
    config_from_env,
    service_url_allowed,
    token_form,
    token_from,
)
from channels.apology import guarded
from channels.commands import reminders_step
from channels.limits import RATE_LIMITED, RequestLimits, bounded, clean_id, rate_limited_text, with_cut
from channels.shared_state import KEY_PREFIX, async_redis

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
LEEWAY_SECONDS = 300  # Microsoft's clock-skew allowance
TEAMS_CHANNEL = "msteams"
# Keys that could not be refreshed for this long are dropped: the webhook answers 503 until Microsoft's
# keys can be fetched again, rather than trusting keys Microsoft may have revoked meanwhile.
KEYS_MAX_AGE_SECONDS = 3 * 24 * 3600
KEYS_TTL_SECONDS = 24 * 3600
KEYS_REFETCH_SECONDS = 60.0  # at most one fetch a minute caused by an unknown key id
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
MAX_BODY_BYTES = 256 * 1024
MAX_TOKEN_CHARS = 8192
HERO_CARD = "application/vnd.microsoft.card.hero"
OFFER_TTL_SECONDS = 7 * 24 * 3600  # an offer in Redis lasts a week (a click after that is read as typed)
MAX_CARD_BUTTONS = 6  # more buttons than Teams shows on one card go on the next card
LIST_ITEM = re.compile(r"^\s*([-*•]|\d+[.)])\s")
MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)

UNAUTHORIZED = {"error": "niet_geautoriseerd", "message": "Dit verzoek komt niet aantoonbaar van Microsoft Teams."}
NOT_CONFIGURED = {"error": "niet_ingesteld",
                  "message": "Het Teams-kanaal is niet ingesteld (TEAMS_APP_ID, TEAMS_APP_PASSWORD en TEAMS_TENANT_ID)."}
BAD_REQUEST = {"error": "ongeldig_verzoek", "message": "Dit is geen geldige Bot Framework-activiteit."}
TOO_LARGE = {"error": "te_groot", "message": "Dit bericht is te groot."}
WRONG_TENANT = {"error": "andere_organisatie", "message": "Deze assistent is alleen beschikbaar binnen onze organisatie."}
UNAVAILABLE = {"error": "tijdelijk_niet_beschikbaar",
               "message": "De sleutels van Microsoft zijn nu niet op te halen. Probeer het later opnieuw."}


class AuthError(Exception):
    """A request that is not proven to come from the Bot Framework. `reason` is for logs only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """Microsoft's signing keys could not be fetched (and none are cached)."""


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class SigningKey:
    key: Any  # a cryptography RSA public key
    endorsements: frozenset[str]


def parse_jwks(document: object) -> dict[str, SigningKey]:
    """The RSA keys of a JWKS document (with Microsoft's `endorsements`), by key id."""
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not isinstance(entry.get("kid"), str):
            continue
        try:
            key = jwt.PyJWK(entry, algorithm="RS256").key
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        endorsements = entry.get("endorsements")
        names = frozenset(e for e in endorsements if isinstance(e, str)) if isinstance(endorsements, list) else frozenset()
        keys[entry["kid"]] = SigningKey(key, names)
    return keys


def bearer_token(header: object) -> str:
    if not isinstance(header, str) or not header.startswith("Bearer "):
        raise AuthError("no bearer token")
    token = header[7:].strip()
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise AuthError("empty or oversized token")
    if not token.isascii():  # a JWT is ASCII; PyJWT would fail to encode a lone surrogate
        raise AuthError("non-ASCII token")
    return token


def token_key_id(token: str) -> str:
    """The key id of a token that claims RS256; raises AuthError for any other algorithm."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError("malformed token") from None
    if header.get("alg") != "RS256":
        raise AuthError(f"algorithm {header.get('alg')!r} not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthError("token has no key id")
    return kid


def verify_activity(token: str, activity: Mapping[str, Any], config: TeamsConfig,
                    keys: Mapping[str, SigningKey]) -> dict[str, Any]:
    """The claims of a Bot Framework token that vouches for this activity; AuthError otherwise."""
    service_url = activity.get("serviceUrl")
    if not service_url_allowed(service_url, config.allowed_service_urls):
        raise AuthError(f"serviceUrl not allowed: {str(service_url)[:200]!r}")
    signing = keys.get(token_key_id(token))
    if signing is None:
        raise AuthError("token signed with an unknown key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, signing.key, algorithms=["RS256"], audience=config.app_id, issuer=ISSUER,
            leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"invalid token: {type(exc).__name__}") from None
    if claims.get("serviceurl") != service_url:
        raise AuthError("serviceurl claim does not match the activity")
    channel = activity.get("channelId")
    if not isinstance(channel, str) or channel not in signing.endorsements:
        raise AuthError(f"signing key not endorsed for channel {str(channel)[:50]!r}")
    if channel != TEAMS_CHANNEL:  # a genuine Bot Framework activity, but from another channel
        raise AuthError(f"only Microsoft Teams, not channel {channel[:50]!r}")
    return claims


async def _get_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url, allow_redirects=False) as reply:
        reply.raise_for_status()
        return await reply.json(content_type=None)


class KeyStore:
    """Microsoft's signing keys: fetched on first use, kept for a day, fetched again for an unknown key id."""

    def __init__(self, metadata_url: str, ttl: float = KEYS_TTL_SECONDS, refetch: float = KEYS_REFETCH_SECONDS,
                 max_age: float = KEYS_MAX_AGE_SECONDS) -> None:
        self.metadata_url, self.ttl, self.refetch, self.max_age = metadata_url, ttl, refetch, max_age
        self.keys: dict[str, SigningKey] = {}
        self.fetched_at = self.attempted_at = float("-inf")
        self.fetches = 0
        self._lock = asyncio.Lock()

    def _needs_fetch(self, kid: str) -> bool:
        now = time.monotonic()
        wanted = not self.keys or now - self.fetched_at > self.ttl or kid not in self.keys
        return wanted and now - self.attempted_at >= self.refetch

    async def get(self, kid: str) -> Mapping[str, SigningKey]:
        if self._needs_fetch(kid):
            async with self._lock:  # concurrent requests share one fetch
                if self._needs_fetch(kid):
                    await self._fetch()
        if self.keys and time.monotonic() - self.fetched_at > self.max_age:
            logger.error("Teams: Microsoft's keys could not be refreshed for %.0f hours: dropped", self.max_age / 3600)
            self.keys = {}
        if not self.keys:
            raise KeysUnavailable()
        return self.keys

    async def _fetch(self) -> None:
        self.attempted_at = time.monotonic()
        self.fetches += 1
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                metadata = await _get_json(session, self.metadata_url)
                jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
                if not isinstance(jwks_uri, str):
                    raise ValueError("no jwks_uri in the OpenID metadata")
                keys = parse_jwks(await _get_json(session, jwks_uri))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.warning("Teams: could not fetch the Bot Framework keys: %s", exc)
            return
        if keys:
            self.keys, self.fetched_at = keys, time.monotonic()


class BotToken:
    """The bot's access token (client credentials against the tenant's token endpoint), cached."""

    def __init__(self, config: TeamsConfig) -> None:
        self.config = config
        self.fetches = 0
        self._token: str | None = None
        self._valid_until = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._token is None or time.monotonic() >= self._valid_until:
            async with self._lock:  # concurrent turns share one fetch
                if self._token is None or time.monotonic() >= self._valid_until:
                    await self._fetch()
        assert self._token is not None
        return self._token

    def forget(self) -> None:
        self._token = None

    async def _fetch(self) -> None:
        self.fetches += 1
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session, session.post(
                self.config.token_endpoint, data=token_form(self.config), allow_redirects=False) as reply:
            reply.raise_for_status()
            data = await reply.json(content_type=None)
        self._token, self._valid_until = token_from(data)


def _choice_key(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


class Choices:
    """The buttons last offered per conversation (title -> payload), for the imBack that comes back.

    In this process (the newest `limit` conversations), or, given a Redis client (REDIS_URL, see
    channels/shared_state.py), in Redis for `ttl` seconds, so the replica that receives the click
    need not be the one that offered the buttons. When Redis fails, the title is taken as typed."""

    def __init__(self, limit: int = 10_000, redis: Any | None = None, ttl: int = OFFER_TTL_SECONDS) -> None:
        self.limit = limit
        self.redis = redis
        self.ttl = ttl
        self._offers: OrderedDict[str, dict[str, str]] = OrderedDict()

    @staticmethod
    def key(conversation: str) -> str:
        return f"{KEY_PREFIX}teams:offer:{conversation}"

    async def offer(self, conversation: str, buttons: Mapping[str, str]) -> None:
        offer = {_choice_key(title): payload for title, payload in buttons.items()}
        if self.redis is not None:
            try:
                await self.redis.set(self.key(conversation), json.dumps(offer), ex=self.ttl)
            except RedisError as exc:
                logger.error("Teams: could not keep the offered buttons in Redis: %s", exc)
            return
        self._offers[conversation] = offer
        self._offers.move_to_end(conversation)
        while len(self._offers) > self.limit:
            self._offers.popitem(last=False)

    async def resolve(self, conversation: str, text: str) -> str:
        """The payload when `text` is an offered title; the offer is used up by any next message."""
        if self.redis is not None:
            try:
                stored = await self.redis.getdel(self.key(conversation))
            except RedisError as exc:
                logger.error("Teams: could not read the offered buttons from Redis: %s", exc)
                stored = None
            offer = json.loads(stored) if stored else {}
        else:
            offer = self._offers.pop(conversation, None) or {}
        return str(offer.get(_choice_key(text), text))


def teams_markdown(text: str) -> str:
    """Teams joins single line breaks: every line its own paragraph, list items kept together."""
    blocks: list[str] = []
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        if blocks and LIST_ITEM.match(line) and LIST_ITEM.match(blocks[-1].splitlines()[-1]):
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return "\n\n".join(blocks)


class TeamsOutput(BotFramework):  # type: ignore[misc]
    """Replies into the conversation of one incoming activity, non-blocking."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    def __init__(self, channel: TeamsInput, activity: Mapping[str, Any]) -> None:
        self.channel = channel
        self.service_url = str(activity["serviceUrl"])
        self.conversation = {"id": str(activity["conversation"]["id"])}
        sender, recipient = activity.get("from"), activity.get("recipient")
        self.user = {"id": str(sender["id"])} if isinstance(sender, dict) and "id" in sender else {}
        self.bot = {"id": str(recipient["id"])} if isinstance(recipient, dict) and "id" in recipient else {}
        self.reply_to = _text(activity.get("id"))
        self._offered: dict[str, str] = {}

    def prepare_message(self, recipient_id: str, message_data: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "from": self.bot, "recipient": self.user,
                                "conversation": self.conversation}
        if self.reply_to:
            data["replyToId"] = self.reply_to
        data.update(message_data)
        return data

    async def send(self, message_data: dict[str, Any]) -> None:
        if not service_url_allowed(self.service_url, self.channel.config.allowed_service_urls):
            logger.error("Teams: refusing to send to a serviceUrl that is not allowed")
            return
        url = f"{self.service_url.rstrip('/')}/v3/conversations/{quote(self.conversation['id'], safe='')}/activities"
        if self.reply_to:
            url += "/" + quote(self.reply_to, safe="")
        try:
            headers = {"Authorization": f"Bearer {await self.channel.token.get()}"}
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session, session.post(
                    url, json=message_data, headers=headers, allow_redirects=False) as reply:
                if reply.status == 401:
                    self.channel.token.forget()  # revoked or rotated: fetch a fresh one next time
                if reply.status >= 300:
                    logger.error("Teams: sending failed with HTTP %s: %s", reply.status, (await reply.text())[:300])
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.error("Teams: sending failed: %s", exc)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(self.prepare_message(recipient_id, {"text": teams_markdown(text), "textFormat": "markdown"}))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        offered = {str(b["title"]): str(b.get("payload") or b["title"]) for b in buttons if b.get("title")}
        self._offered.update(offered)
        await self.channel.choices.offer(self.conversation["id"], self._offered)
        actions = [{"type": "imBack", "title": title, "value": title} for title in offered]
        cards = [{"contentType": HERO_CARD, "content": {"buttons": actions[i:i + MAX_CARD_BUTTONS]}}
                 for i in range(0, len(actions), MAX_CARD_BUTTONS)]
        message = {"text": teams_markdown(text), "textFormat": "markdown", "attachments": cards}
        await self.send(self.prepare_message(recipient_id, message))

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A text with the personal overview (bot/cards.py) goes as one activity: the text, then the
        Adaptive Card. Everything else as Rasa sends it."""
        card = card_attachment(message.get("attachment"))
        text = message.get("text")
        if card is not None and isinstance(text, str) and text and not (message.get("buttons")
                                                                        or message.get("quick_replies")):
            activity = {"text": teams_markdown(text), "textFormat": "markdown", "attachments": [card]}
            await self.send(self.prepare_message(recipient_id, activity))
            return
        await super().send_response(recipient_id, message)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """The overview as an Adaptive Card by itself; other attachments are not shown in Teams (Rasa's
        default would post them as raw text)."""
        card = card_attachment(attachment)
        if card is None:
            logger.warning("Teams: an attachment that is not an overview was not sent")
            return
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))


def _activity_ok(activity: object) -> bool:
    if not isinstance(activity, dict):
        return False
    conversation = activity.get("conversation")
    return (isinstance(activity.get("type"), str) and isinstance(activity.get("serviceUrl"), str)
            and isinstance(conversation, dict) and isinstance(conversation.get("id"), str)
            and bool(conversation["id"]) and len(conversation["id"]) <= 255 and clean_id(conversation["id"])
            and isinstance(activity.get("from"), dict))


def tenant_of(activity: Mapping[str, Any]) -> str:
    """The Teams tenant (`channelData.tenant.id`); empty when `conversation.tenantId` contradicts it."""
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    found = _text(tenant.get("id")) if isinstance(tenant, dict) else ""
    also = _text(activity["conversation"].get("tenantId"))
    return "" if also and also.lower() != found.lower() else found


def message_text(activity: Mapping[str, Any]) -> str:
    """The user's text without an @mention of the bot (Teams adds `<at>Name</at>` outside personal chats)."""
    return MENTION.sub("", _text(activity.get("text"))).strip()


def teams_metadata(activity: Mapping[str, Any]) -> dict[str, str]:
    """What actions may know about the Teams user (a linked leader is added per turn, in `_run`)."""
    sender = activity["from"]
    metadata = {"teams_user_id": _text(sender.get("id")), "teams_aad_object_id": _text(sender.get("aadObjectId")),
                "teams_tenant_id": tenant_of(activity), CHANNEL_KEY: "teams"}
    return {key: value for key, value in metadata.items() if value}


class TeamsInput(BotFrameworkInput):  # type: ignore[misc]
    """Microsoft Teams, single tenant, at /webhooks/teams/webhook."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TeamsInput:
        return cls(config_from_env(credentials=credentials))

    def __init__(self, config: TeamsConfig) -> None:  # Rasa's __init__ would fetch keys now: not called
        self.config = config
        self.app_id, self.app_password = config.app_id, config.app_password
        self.keys = KeyStore(config.openid_metadata_url)
        self.token = BotToken(config)
        self.choices = Choices(redis=async_redis())
        self._tasks: set[asyncio.Task[None]] = set()
        if not config.configured:
            logger.info("Teams channel not configured (TEAMS_APP_ID/TEAMS_APP_PASSWORD/TEAMS_TENANT_ID): answers 503")

    async def authenticate(self, header: object, activity: Mapping[str, Any]) -> dict[str, Any]:
        token = bearer_token(header)
        return verify_activity(token, activity, self.config, await self.keys.get(token_key_id(token)))

    async def _run(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
                   activity: Mapping[str, Any]) -> None:
        """One turn: a step of linking the account (bot/linking.py), else Rasa with the linked leader."""

        async def turn(message: UserMessage) -> Any:
            aad = (message.metadata or {}).get("teams_aad_object_id")
            if not (isinstance(aad, str) and len(aad) <= 128 and clean_id(aad)):
                aad = None  # an Azure AD object id is a GUID: anything else cannot be linked
            number = await services().linking.run("linked_number", "teams", aad) if aad else None
            if aad and await self._linking_step(message, aad, linked=number is not None):
                return None
            if number and aad:  # a linked account: personal answers as for a logged-in leader on the website
                message.metadata = {**(message.metadata or {}), **verified_metadata(number, "teams")}
                reminders = services().reminders
                await reminders.database.in_thread(functools.partial(  # where a reminder can reach them
                    reminders.remember, aad, str(activity["serviceUrl"]), str(activity["conversation"]["id"]),
                    tenant_of(activity), _text(activity["from"].get("id"))))
            if await reminders_step(message, number, "teams"):
                return None
            return await on_new_message(message)

        await guarded(turn)(message)  # a failed turn: apology; others go on

    async def _linking_step(self, message: UserMessage, aad: str, linked: bool) -> bool:
        """Handle "koppel mijn account", "ontkoppel mijn account", and the number or code of a link in
        progress; False for anything else (a question while linking is simply answered). A linked
        account has no link in progress: only the two commands are looked at."""
        linking = services().linking
        command = command_of(message.text or "")
        if command == UNLINK:
            outcome = await linking.run("unlink", "teams", aad)
        elif command == LINK:
            outcome = await linking.run("start", "teams", aad)
        elif linked:
            return False
        else:
            state = await linking.run("open_attempt", "teams", aad)
            if state is None:
                return False
            if command == CANCEL:
                outcome = await linking.run("cancel", "teams", aad)
            elif not any(char.isdigit() for char in message.text or ""):
                return False
            else:
                step = "give_number" if state == "nummer" else "give_code"
                outcome = await linking.run(step, "teams", aad, message.text or "")
        await message.output_channel.send_text_message(message.sender_id, say(outcome))
        return True

    async def _note(self, activity: Mapping[str, Any], text: str) -> None:
        """A short reply outside a turn (the rate limit's note); a failure to send is only logged."""
        try:
            await TeamsOutput(self, activity).send_text_message(str(activity["conversation"]["id"]), text)
        except Exception as exc:  # the connector down or refusing: nothing more to tell the user
            logger.warning("Teams: could not send a note: %s", type(exc).__name__)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams = Blueprint("teams_webhook", __name__)

        @teams.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "ingesteld": self.config.configured})

        @teams.route("/webhook", methods=["POST"])  # type: ignore[untyped-decorator]
        async def webhook(request: Request) -> HTTPResponse:
            if not self.config.configured:
                return response.json(NOT_CONFIGURED, status=503)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json(TOO_LARGE, status=413)
            try:
                activity = json.loads(request.body or b"")
            except (ValueError, RecursionError):
                activity = None
            if not _activity_ok(activity):
                return response.json(BAD_REQUEST, status=400)
            try:
                await self.authenticate(request.headers.get("Authorization"), activity)
            except AuthError as exc:
                logger.warning("Teams: rejected a request: %s", exc.reason)
                return response.json(UNAUTHORIZED, status=401)
            except KeysUnavailable:
                return response.json(UNAVAILABLE, status=503)
            if activity["type"] != "message":
                return response.json({"status": "genegeerd"})
            tenant = tenant_of(activity)
            if not tenant or tenant.lower() != self.config.tenant_id.lower():
                logger.warning("Teams: message from another tenant ignored")
                return response.json(WRONG_TENANT, status=403)
            kind = activity["conversation"].get("conversationType")
            if kind not in (None, "personal"):  # group chats and channels: the assistant is personal only
                logger.info("Teams: message in a %s conversation ignored", str(kind)[:20])
                return response.json({"status": "genegeerd"})
            conversation = activity["conversation"]["id"]
            # Requests come from Microsoft's addresses, not the user's: only the Teams user is limited.
            sender = activity["from"]
            wait = RequestLimits.shared().wait(None, "teams:" + (_text(sender.get("aadObjectId"))
                                                                 or _text(sender.get("id")) or conversation))
            if wait:
                task = asyncio.create_task(self._note(activity, rate_limited_text(wait)))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                return response.json({"status": RATE_LIMITED})
            text, length = bounded(message_text(activity))
            message = UserMessage(
                text=await self.choices.resolve(conversation, text),
                output_channel=TeamsOutput(self, activity), sender_id=conversation, input_channel=self.name(),
                message_id=_text(activity.get("id")) or None, metadata=with_cut(teams_metadata(activity), length),
            )
            task = asyncio.create_task(self._run(on_new_message, message, activity))
            self._tasks.add(task)  # keep a reference until the turn is done
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "ontvangen"})

        return teams
