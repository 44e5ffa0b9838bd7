"""Verified identity: signed tokens from the register's portal, and the back-office token.

The portal signs a JWT with the claims `registratienummer` and `exp`; our channel connectors verify
it server-side and put the verified leader into message metadata themselves. Metadata sent by a
client is never trusted.

Configuration (environment):
- `REGISTERWIJZER_JWT_ALGORITHM`: one algorithm, default HS256 (RS256/ES256 take a public key).
- `REGISTERWIJZER_JWT_KEY`: the HMAC secret, or the PEM public key for RS*/ES* (verification);
  `REGISTERWIJZER_JWT_SIGNING_KEY`: the PEM private key, only where test tokens are issued.
  Without a key, a random development secret is created once in `var/jwt-dev.key` (local use only).
- `REGISTERWIJZER_JWT_ISSUER`, `REGISTERWIJZER_JWT_AUDIENCE`: checked when set.
- `REGISTERWIJZER_JWT_MAX_LIFETIME`: seconds a token may still be valid for (default 12 hours); a token
  whose expiry lies further ahead is refused, so a leaked long-lived token is no master key.
- `REGISTERWIJZER_ENV`: `development` (default) or anything else, such as `production`. Outside
  development a configured key, an issuer and an audience are required (ConfigError otherwise); the
  portal should sign with an asymmetric algorithm (RS256 or ES256), so this side holds only a public key.
- `REST_CHANNEL_TOKEN`: the back-office token for the REST channel (see channels/rest.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from .errors import UserError

ROOT = Path(__file__).resolve().parents[1]
DEV_KEY_FILE = ROOT / "var" / "jwt-dev.key"
CLAIM = "registratienummer"
NUMBER_RE = re.compile(r"^\d{6,10}$")
LEEWAY_SECONDS = 30
MAX_LIFETIME_SECONDS = 12 * 3600
METADATA_KEY = "verified_leader"
CHANNEL_KEY = "verified_channel"
CLIENT_KEY = "client"  # metadata: a pseudonym of the client's address, set by the channel (tickets per address)


class IdentityConfigError(UserError):
    """The token settings are not fit for where the assistant runs (the message says what is missing)."""


class IdentityError(Exception):
    """A token that does not prove who someone is. `reason` is for logs, never for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TokenConfig:
    algorithm: str
    verify_key: str
    signing_key: str
    issuer: str | None = None
    audience: str | None = None
    max_lifetime: int = MAX_LIFETIME_SECONDS

    @classmethod
    def from_env(cls) -> TokenConfig:
        env = os.environ
        algorithm = env.get("REGISTERWIJZER_JWT_ALGORITHM", "HS256")
        issuer = env.get("REGISTERWIJZER_JWT_ISSUER") or None
        audience = env.get("REGISTERWIJZER_JWT_AUDIENCE") or None
        if env.get("REGISTERWIJZER_ENV", "development").strip().lower() != "development":
            missing = [name for name, value in (("REGISTERWIJZER_JWT_KEY", env.get("REGISTERWIJZER_JWT_KEY")),
                                                ("REGISTERWIJZER_JWT_ISSUER", issuer),
                                                ("REGISTERWIJZER_JWT_AUDIENCE", audience)) if not value]
            if missing:
                raise IdentityConfigError("Buiten de ontwikkelomgeving zijn deze instellingen verplicht: "
                                          + ", ".join(missing) + ".")
        key = env.get("REGISTERWIJZER_JWT_KEY") or _dev_key()
        signing = env.get("REGISTERWIJZER_JWT_SIGNING_KEY") or key
        try:
            lifetime = int(env.get("REGISTERWIJZER_JWT_MAX_LIFETIME") or MAX_LIFETIME_SECONDS)
        except ValueError:
            raise IdentityConfigError("REGISTERWIJZER_JWT_MAX_LIFETIME moet een heel aantal seconden zijn.") from None
        return cls(algorithm=algorithm, verify_key=key, signing_key=signing, issuer=issuer, audience=audience,
                   max_lifetime=max(lifetime, 60))


def _dev_key() -> str:
    """A random local development secret, created once; never used when a key is configured."""
    if not DEV_KEY_FILE.exists():
        DEV_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEV_KEY_FILE.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        DEV_KEY_FILE.chmod(0o600)
    return DEV_KEY_FILE.read_text(encoding="utf-8").strip()


def issue_token(registratienummer: str, ttl_seconds: int = 3600, config: TokenConfig | None = None) -> str:
    """A signed token as the portal would hand it to the widget (for tests and local use)."""
    if not NUMBER_RE.match(registratienummer):
        raise ValueError("registratienummer must be 6 to 10 digits")
    cfg = config or TokenConfig.from_env()
    now = int(time.time())
    claims: dict[str, Any] = {CLAIM: registratienummer, "iat": now, "exp": now + ttl_seconds}
    if cfg.issuer:
        claims["iss"] = cfg.issuer
    if cfg.audience:
        claims["aud"] = cfg.audience
    return jwt.encode(claims, cfg.signing_key, algorithm=cfg.algorithm)


def verify_token(token: object, config: TokenConfig | None = None) -> str:
    """The verified registratienummer in a token; raises IdentityError for anything else."""
    # A JWT is ASCII: anything else (a Latin-1 byte, a lone surrogate) is refused before PyJWT encodes it.
    if not isinstance(token, str) or not token or len(token) > 4096 or not token.isascii():
        raise IdentityError("missing or malformed token")
    cfg = config or TokenConfig.from_env()
    try:
        claims = jwt.decode(
            token,
            cfg.verify_key,
            algorithms=[cfg.algorithm],
            leeway=LEEWAY_SECONDS,
            issuer=cfg.issuer,
            audience=cfg.audience,
            options={"require": ["exp", CLAIM], "verify_aud": cfg.audience is not None},
        )
    except jwt.PyJWTError as exc:
        raise IdentityError(f"invalid token: {type(exc).__name__}") from None
    expires = claims.get("exp")
    if isinstance(expires, (int, float)) and expires - time.time() > cfg.max_lifetime + LEEWAY_SECONDS:
        raise IdentityError("token valid for longer than allowed")
    number = claims.get(CLAIM)
    if not isinstance(number, str) or not NUMBER_RE.match(number):
        raise IdentityError("token has no valid registratienummer")
    return number


def verified_metadata(registratienummer: str, channel: str) -> dict[str, str]:
    """The only metadata our connectors pass on: set by the server, never copied from a client."""
    return {METADATA_KEY: registratienummer, CHANNEL_KEY: channel}


def pseudonym(registratienummer: str) -> str:
    """The name of a leader in conversation ids (channels/conversations.py), so the number itself is
    not stored or logged with them; bot/privacy.py finds a leader's conversations by it."""
    return hashlib.sha256(f"registerwijzer:{registratienummer}".encode()).hexdigest()[:16]


def leader_from_metadata(metadata: object) -> str | None:
    if not isinstance(metadata, dict):
        return None
    number = metadata.get(METADATA_KEY)
    return number if isinstance(number, str) and NUMBER_RE.match(number) else None


def rest_token() -> str | None:
    token = os.environ.get("REST_CHANNEL_TOKEN", "").strip()
    return token or None


def same_secret(given: object, expected: str | None) -> bool:
    # As bytes: compare_digest refuses str with characters beyond ASCII (a 500 instead of a 401).
    return (isinstance(given, str) and expected is not None
            and secrets.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")))
