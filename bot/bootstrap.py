"""One bootstrap: the process's database, store and helpdesk, built once from the environment.

Plain Python, no Rasa. The action server's actions ask `services()` for what they need::

    leader = await services().store.aleader(number)
    ticket = await services().helpdesk.acreate_ticket(draft)

`services()` calls `bootstrap()` on first use and keeps the result for the life of the process. Each part
is built when it is first asked for, and only then: a misconfigured helpdesk (`ConfigError`) does not stop
the personal answers, and a part whose construction failed is tried again on the next call. Tests hand
in their own parts: `with override(Services(store=...)):` (or `Services(helpdesk=...)`, or
`set_services(...)`, which returns the services to put back).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping

from .helpdesk import Helpdesk, HelpdeskConfig
from .helpdesk.service import ServiceLevel
from .linking import LinkConfig, Linking, smtp_mailer
from .reminders import Reminders, build_reminders
from .store import Database, Store, database_url


class Services:
    """The parts the assistant needs, sharing one `Database`. Parts passed in are used as they are (and
    closed by whoever made them); the others are built on first use from `env` (default: os.environ)."""

    def __init__(
        self, env: Mapping[str, str] | None = None, *, database_url: str | None = None,
        database: Database | None = None, store: Store | None = None, helpdesk: Helpdesk | None = None,
        helpdesk_config: HelpdeskConfig | None = None, service_level: ServiceLevel | None = None,
        linking: Linking | None = None,
    ) -> None:
        self._env = env
        self._database_url = database_url
        self._helpdesk = helpdesk
        self._store = store
        self._database = database
        self._helpdesk_config = helpdesk_config
        self._service_level = service_level
        self._linking: Linking | None = linking
        self._reminders: Reminders | None = None
        self._built: list[Database] = []  # what close() closes
        self._lock = threading.RLock()

    @property
    def env(self) -> Mapping[str, str]:
        return os.environ if self._env is None else self._env

    @property
    def database(self) -> Database:
        with self._lock:
            if self._database is None:
                if self._store is not None or self._helpdesk is not None:
                    self._database = self.store.database
                else:
                    self._database = Database(self._database_url or database_url(self.env))
                    self._built.append(self._database)
            return self._database

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = self._helpdesk.store if self._helpdesk is not None else Store(self.database)
            return self._store

    @property
    def helpdesk_config(self) -> HelpdeskConfig:
        """HELPDESK_* from the environment; raises ConfigError (Dutch, for the operator) when wrong."""
        with self._lock:
            if self._helpdesk_config is None:
                self._helpdesk_config = HelpdeskConfig.from_env(self.env)
            return self._helpdesk_config

    @property
    def helpdesk(self) -> Helpdesk:
        with self._lock:
            if self._helpdesk is None:
                self._helpdesk = Helpdesk(self.store, self.helpdesk_config, self._service_level)
            return self._helpdesk

    @property
    def linking(self) -> Linking:
        """Linking channel accounts to leaders (codes by e-mail through the helpdesk's SMTP settings)."""
        with self._lock:
            if self._linking is None:
                self._linking = Linking(self.database, smtp_mailer(self.helpdesk_config),
                                        LinkConfig.from_env(self.env))
            return self._linking

    @property
    def reminders(self) -> Reminders:
        """Reminders before the deadline (Teams through the bot's own token, e-mail through SMTP)."""
        with self._lock:
            if self._reminders is None:
                self._reminders = build_reminders(self.store, self.helpdesk_config, self.env)
            return self._reminders

    @property
    def service_level(self) -> ServiceLevel:
        """The helpdesk's service level (read when first needed; `ServiceLevelError` when unreadable)."""
        return self.helpdesk.service_level

    def close(self) -> None:
        """Close the database this container opened (parts passed in stay open)."""
        with self._lock:
            for part in self._built:
                part.close()
            self._built.clear()


def bootstrap(env: Mapping[str, str] | None = None, *, database_url: str | None = None) -> Services:
    """The services of a process, from the environment (`DATABASE_URL`, `HELPDESK_*`); nothing is opened
    until a part is first used."""
    return Services(env, database_url=database_url)


_current: Services | None = None
_current_lock = threading.Lock()


def services() -> Services:
    """The process's services: `bootstrap()` on the first call, the same object afterwards."""
    global _current
    with _current_lock:
        if _current is None:
            _current = bootstrap()
        return _current


def set_services(replacement: Services | None) -> Services | None:
    """Use `replacement` from now on (a test's own parts; None: bootstrap again on next use). Returns the
    services used until now, so a test can put them back."""
    global _current
    with _current_lock:
        previous, _current = _current, replacement
        return previous


@contextlib.contextmanager
def override(replacement: Services) -> Iterator[Services]:
    """`services()` is `replacement` inside the block, and what it was before afterwards (for tests)."""
    previous = set_services(replacement)
    try:
        yield replacement
    finally:
        set_services(previous)


__all__ = ["Services", "bootstrap", "override", "services", "set_services"]
