"""Microsoft Teams (Bot Framework) without Rasa: the single-tenant bot's configuration, the serviceUrl
allow-list, and a blocking sender for proactive messages (bot/reminders.py) with the bot's own token.
The Rasa channel (channels/teams.py) uses the same configuration and checks.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

SCOPE = "https://api.botframework.com/.default"
DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_SERVICE_URLS = ("https://smba.trafficmanager.net/",)
TOKEN_MARGIN_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 20.0


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str
    app_password: str
    tenant_id: str
    token_endpoint: str
    openid_metadata_url: str
    allowed_service_urls: tuple[str, ...]

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> TeamsConfig:
        given = {key: _text(value) for key, value in (credentials or {}).items()}
        tenant = given.get("tenant_id", "")
        urls = tuple(u.strip() for u in given.get("allowed_service_urls", "").split(",") if u.strip())
        return cls(
            app_id=given.get("app_id", ""),
            app_password=given.get("app_password", ""),
            tenant_id=tenant,
            token_endpoint=given.get("token_endpoint")
            or f"https://login.microsoftonline.com/{quote(tenant, safe='')}/oauth2/v2.0/token",
            openid_metadata_url=given.get("openid_metadata_url") or DEFAULT_OPENID_METADATA_URL,
            allowed_service_urls=urls or DEFAULT_SERVICE_URLS,
        )

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_password and self.tenant_id)


def service_url_allowed(url: object, allowed: Iterable[str]) -> bool:
    """True when `url` has the scheme and host of an allowed prefix and a path below it."""
    if not isinstance(url, str) or not url or len(url) > 2048 or any(c.isspace() or c == "\\" for c in url):
        return False
    try:
        given = urlsplit(url)
        given_port = given.port
    except ValueError:
        return False
    if given.username is not None or given.password is not None or given.query or given.fragment:
        return False
    path = given.path.rstrip("/") + "/"
    if "/../" in path or "/./" in path:
        return False
    for prefix in allowed:
        want = urlsplit(prefix)
        if (given.scheme.lower(), (given.hostname or "").lower(), given_port) == (
            want.scheme.lower(), (want.hostname or "").lower(), want.port
        ) and path.startswith(want.path.rstrip("/") + "/"):
            return True
    return False


ENV_NAMES = {"app_id": "TEAMS_APP_ID", "app_password": "TEAMS_APP_PASSWORD", "tenant_id": "TEAMS_TENANT_ID",
             "token_endpoint": "TEAMS_TOKEN_ENDPOINT", "openid_metadata_url": "TEAMS_OPENID_METADATA_URL",
             "allowed_service_urls": "TEAMS_ALLOWED_SERVICE_URLS"}


def config_from_env(env: Mapping[str, str] | None = None,
                    credentials: Mapping[str, Any] | None = None) -> TeamsConfig:
    """The channel's settings: each from its environment variable when that is set (secrets only come
    from there), else from credentials.yml (the non-secret defaults written there), else the default."""
    e = os.environ if env is None else env
    given = credentials or {}
    return TeamsConfig.from_credentials({key: _text(e.get(name)) or _text(given.get(key))
                                         for key, name in ENV_NAMES.items()})


def token_form(config: TeamsConfig) -> dict[str, str]:
    """The client-credentials request for the bot's own token (single tenant)."""
    return {"grant_type": "client_credentials", "client_id": config.app_id, "client_secret": config.app_password,
            "scope": SCOPE}


def token_from(data: object) -> tuple[str, float]:
    """The token in the endpoint's answer and until when (monotonic seconds) to use it; ValueError if none."""
    answer: dict[str, Any] = data if isinstance(data, dict) else {}
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise ValueError("token endpoint returned no access_token")
    try:
        seconds = max(float(answer.get("expires_in", 3600)), 0.0)
    except (TypeError, ValueError):
        seconds = 3600.0
    return token, time.monotonic() + max(seconds - TOKEN_MARGIN_SECONDS, seconds / 2)


class SendError(Exception):
    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class ProactiveSender:
    """Posts an activity into an existing conversation (Bot Framework proactive messaging), with the
    bot's token (client credentials, cached), only to an allowed serviceUrl. Blocking (for workers)."""

    def __init__(self, config: TeamsConfig) -> None:
        self.config = config
        self._token: str | None = None
        self._valid_until = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._valid_until:
                form = urllib.parse.urlencode(token_form(self.config)).encode()
                data = self._json(urllib.request.Request(self.config.token_endpoint, data=form, method="POST"))
                try:
                    self._token, self._valid_until = token_from(data)
                except ValueError:
                    raise SendError("het tokenadres gaf geen access_token") from None
            return self._token

    def send(self, service_url: str, conversation_id: str, activity: Mapping[str, Any]) -> None:
        if not self.config.configured:
            raise SendError("Teams is niet ingesteld (TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)")
        if not service_url_allowed(service_url, self.config.allowed_service_urls):
            raise SendError("serviceUrl staat niet op de lijst TEAMS_ALLOWED_SERVICE_URLS", permanent=True)
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        request = urllib.request.Request(url, data=json.dumps(activity).encode(), method="POST", headers={
            "Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"})
        try:
            self._json(request)
        except SendError as exc:
            if "HTTP 401" in exc.reason:
                self._token = None  # fetched again next time
            raise

    @staticmethod
    def _json(request: urllib.request.Request) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as reply:
                body = reply.read(1_000_000)
        except urllib.error.HTTPError as exc:
            raise SendError(f"HTTP {exc.code}", permanent=exc.code in (400, 403, 404)) from None
        except (OSError, ValueError) as exc:
            raise SendError(f"{type(exc).__name__}: {exc}"[:200]) from None
        try:
            return json.loads(body or b"null")
        except ValueError:
            return None


__all__ = ["DEFAULT_OPENID_METADATA_URL", "DEFAULT_SERVICE_URLS", "SCOPE", "ProactiveSender", "SendError",
           "TeamsConfig", "config_from_env", "service_url_allowed"]
