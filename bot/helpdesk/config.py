"""The helpdesk's configuration, from the environment (documented in docs/helpdesk.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import UserError


class ConfigError(UserError):
    """A configuration problem for the operator; `message` is Dutch and names the variable."""


def env_float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is geen getal.") from None
    if value < minimum:
        raise ConfigError(f"{name} moet minstens {minimum:g} zijn.")
    return value


def env_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is geen geheel getal.") from None
    if value < minimum:
        raise ConfigError(f"{name} moet minstens {minimum} zijn.")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "ja", "on"):
        return True
    if raw in ("0", "false", "no", "nee", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: verwacht true of false.")


@dataclass(frozen=True)
class HelpdeskConfig:
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = 10.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 20.0
    mail_from: str = "registerwijzer@localhost"
    mail_to: tuple[str, ...] = ()
    worker_interval: float = 5.0
    backoff_base: float = 10.0
    backoff_cap: float = 3600.0
    max_attempts: int = 10
    lease_seconds: float = 120.0
    batch_size: int = 20
    # Tickets one person may create per hour (same conversation, e-mail address or registratienummer).
    tickets_per_hour: int = 5
    # Tickets from one client address per hour (a school's leaders may share one address).
    tickets_per_address: int = 20

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host) and bool(self.mail_to)

    @property
    def lease(self) -> float:
        """The lease on a claimed row: always longer than one send can take, so no two workers overlap."""
        return max(self.lease_seconds, 2 * max(self.webhook_timeout, self.smtp_timeout) + 1)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HelpdeskConfig:
        e = os.environ if env is None else env
        url = e.get("HELPDESK_WEBHOOK_URL", "").strip() or None
        secret = e.get("HELPDESK_WEBHOOK_SECRET", "") or None
        if url is not None:
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"HELPDESK_WEBHOOK_URL={url!r} moet met http:// of https:// beginnen.")
            if not secret:
                raise ConfigError("HELPDESK_WEBHOOK_SECRET ontbreekt: nodig om de webhook te ondertekenen "
                                  "wanneer HELPDESK_WEBHOOK_URL is ingesteld.")
        starttls = _bool(e, "HELPDESK_SMTP_STARTTLS", False)
        mail_to = tuple(a.strip() for a in e.get("HELPDESK_MAIL_TO", "").split(",") if a.strip())
        config = cls(
            webhook_url=url,
            webhook_secret=secret,
            webhook_timeout=env_float(e, "HELPDESK_WEBHOOK_TIMEOUT", 10.0, 0.05),
            smtp_host=e.get("HELPDESK_SMTP_HOST", "").strip() or None,
            smtp_port=env_int(e, "HELPDESK_SMTP_PORT", 587 if starttls else 25, 1),
            smtp_user=e.get("HELPDESK_SMTP_USER", "").strip() or None,
            smtp_password=e.get("HELPDESK_SMTP_PASSWORD", "") or None,
            smtp_starttls=starttls,
            smtp_timeout=env_float(e, "HELPDESK_SMTP_TIMEOUT", 20.0, 0.05),
            mail_from=e.get("HELPDESK_MAIL_FROM", "").strip() or "registerwijzer@localhost",
            mail_to=mail_to,
            worker_interval=env_float(e, "HELPDESK_WORKER_INTERVAL", 5.0, 0.01),
            backoff_base=env_float(e, "HELPDESK_BACKOFF_BASE", 10.0, 0.0),
            backoff_cap=env_float(e, "HELPDESK_BACKOFF_CAP", 3600.0, 0.0),
            max_attempts=env_int(e, "HELPDESK_MAX_ATTEMPTS", 10, 1),
            lease_seconds=env_float(e, "HELPDESK_LEASE_SECONDS", 120.0, 0.1),
            batch_size=env_int(e, "HELPDESK_BATCH_SIZE", 20, 1),
            tickets_per_hour=env_int(e, "HELPDESK_TICKETS_PER_HOUR", 5, 1),
            tickets_per_address=env_int(e, "HELPDESK_TICKETS_PER_ADDRESS", 20, 1),
        )
        if config.smtp_user and not config.smtp_password:
            raise ConfigError("HELPDESK_SMTP_PASSWORD ontbreekt bij HELPDESK_SMTP_USER.")
        if config.smtp_user and not config.smtp_starttls:
            raise ConfigError("HELPDESK_SMTP_STARTTLS=1 is verplicht bij HELPDESK_SMTP_USER: anders gaat het "
                              "wachtwoord onversleuteld over het netwerk.")
        return config
