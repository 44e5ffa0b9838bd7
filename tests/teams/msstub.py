"""A local stand-in for Microsoft's Bot Framework endpoints, on 127.0.0.1, for tests.

One aiohttp server in a thread serves:

- `GET /openid`: the OpenID metadata document (its `jwks_uri` points at this server);
- `GET /keys`: a JWKS with RSA keys carrying `endorsements` (key "teams" endorsed for msteams,
  key "webchat" only for webchat; key "rogue" signs tokens but is never published);
- `POST /{tenant}/oauth2/v2.0/token`: client credentials; checks client id, secret and scope;
- the Bot Connector under any path prefix: `POST {prefix}/v3/conversations/{id}/activities[/{replyTo}]`
  records the activity and the Authorization header it got; `delays[conversation_id]` makes it slow,
  `unauthorized` makes it answer 401.

`token(...)` signs as the Bot Framework would; its keyword arguments make each bad variant.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
APP_ID = "00000000-1111-2222-3333-444444444444"
APP_PASSWORD = "stand-in-secret"
TENANT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Received:
    """One request to the stand-in Bot Connector."""
    path: str
    conversation: str
    reply_to: str | None
    authorization: str | None
    activity: dict[str, Any]
    arrived: float
    finished: float | None = None


@dataclass
class MicrosoftStub:
    port: int = field(default_factory=free_port)
    app_id: str = APP_ID
    app_password: str = APP_PASSWORD
    tenant_id: str = TENANT_ID
    delays: dict[str, float] = field(default_factory=dict)
    unauthorized: set[str] = field(default_factory=set)  # conversations whose sends get HTTP 401
    received: list[Received] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # ("arrived"|"finished", conversation)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    key_requests: int = 0
    issued: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.private = {name: rsa.generate_private_key(public_exponent=65537, key_size=2048)
                        for name in ("teams", "webchat", "rogue", "later")}
        self.published = {"teams": ["msteams"], "webchat": ["webchat"]}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # -- addresses ---------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.base}/teams/"

    @property
    def env(self) -> dict[str, str]:
        """TEAMS_* for the servers under test: everything points at this stand-in."""
        return {
            "TEAMS_APP_ID": self.app_id, "TEAMS_APP_PASSWORD": self.app_password, "TEAMS_TENANT_ID": self.tenant_id,
            "TEAMS_TOKEN_ENDPOINT": f"{self.base}/{self.tenant_id}/oauth2/v2.0/token",
            "TEAMS_OPENID_METADATA_URL": f"{self.base}/openid", "TEAMS_ALLOWED_SERVICE_URLS": self.service_url,
        }

    # -- signing -----------------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        keys = []
        for name, endorsements in self.published.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private[name].public_key()))
            keys.append({**jwk, "kid": name, "use": "sig", "endorsements": endorsements})
        return {"keys": keys}

    def token(self, service_url: str | None = None, *, key: str = "teams", kid: str | None = None,
              alg: str = "RS256", drop: tuple[str, ...] = (), **claims: Any) -> str:
        """A Bot Framework token; `key`, `kid`, `alg`, `drop` and claim overrides make bad ones."""
        now = int(time.time())
        body: dict[str, Any] = {"iss": ISSUER, "aud": self.app_id, "exp": now + 3600, "nbf": now - 60,
                                "serviceurl": service_url or self.service_url, **claims}
        for name in drop:
            body.pop(name, None)
        header = {"kid": kid if kid is not None else key}
        if alg == "none":
            head = _b64(json.dumps({"alg": "none", "typ": "JWT", **header}).encode())
            return f"{head}.{_b64(json.dumps(body).encode())}."
        if alg.startswith("HS"):
            return jwt.encode(body, "a-shared-secret-that-is-long-enough-for-hs256", algorithm=alg, headers=header)
        return jwt.encode(body, self.private[key], algorithm=alg, headers=header)

    def activity(self, text: str = "hallo", conversation: str | None = None, **fields: Any) -> dict[str, Any]:
        """A Teams message activity in a personal chat, as the Bot Connector posts it."""
        conversation = conversation or f"a:{uuid.uuid4().hex}"
        activity: dict[str, Any] = {
            "type": "message", "id": f"{int(time.time() * 1000)}", "channelId": "msteams",
            "serviceUrl": self.service_url, "text": text, "textFormat": "plain",
            "timestamp": "2026-11-23T10:00:00.000Z", "locale": "nl-NL",
            "from": {"id": "29:user-" + conversation[-8:], "name": "Test Leider",
                     "aadObjectId": "11111111-2222-3333-4444-" + conversation[-12:].rjust(12, "0")},
            "conversation": {"id": conversation, "conversationType": "personal", "tenantId": self.tenant_id},
            "recipient": {"id": f"28:{self.app_id}", "name": "Registerwijzer"},
            "channelData": {"tenant": {"id": self.tenant_id}},
        }
        activity.update(fields)
        return activity

    # -- records -----------------------------------------------------------------------------------
    def replies(self, conversation: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.conversation == conversation]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received so far: {[r.activity for r in self.received]}")
            time.sleep(0.1)

    def wait_replies(self, conversation: str, count: int = 1, timeout: float = 60) -> list[Received]:
        self.wait_for(lambda: len([r for r in self.replies(conversation) if r.finished]) >= count, timeout)
        time.sleep(0.3)  # a turn may send more than one message
        return self.replies(conversation)

    # -- server ------------------------------------------------------------------------------------
    async def _openid(self, request: web.Request) -> web.Response:
        with self._lock:
            self.key_requests += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks())

    async def _token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        with self._lock:
            self.token_requests.append(form)
        if request.match_info["tenant"] != self.tenant_id:
            return web.json_response({"error": "invalid_request"}, status=400)
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials", self.app_id, self.app_password):
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("scope") != "https://api.botframework.com/.default":
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = f"stand-in-bot-token-{uuid.uuid4().hex}"
        with self._lock:
            self.issued.append(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    async def _connector(self, request: web.Request) -> web.Response:
        path = request.raw_path.split("?")[0]
        head, _, tail = path.partition("/v3/conversations/")
        parts = tail.split("/")
        if not tail or len(parts) < 2 or parts[1] != "activities":
            return web.json_response({"error": "not found"}, status=404)
        conversation = unquote(parts[0])
        record = Received(path, conversation, unquote(parts[2]) if len(parts) > 2 else None,
                          request.headers.get("Authorization"), await request.json(), time.monotonic())
        with self._lock:
            self.received.append(record)
            self.events.append(("arrived", conversation))
        await asyncio.sleep(self.delays.get(conversation, 0))
        with self._lock:
            record.finished = time.monotonic()
            self.events.append(("finished", conversation))
        if conversation in self.unauthorized:
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        return web.json_response({"id": uuid.uuid4().hex})

    def start(self) -> MicrosoftStub:
        app = web.Application()
        app.router.add_get("/openid", self._openid)
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/{tail:.*}", self._connector)
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("stand-in did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
