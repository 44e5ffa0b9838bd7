"""Work the helpdesk worker repeats in a thread of its own (the retention purge, the reminders)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def repeat(job: Callable[[], str | None], seconds: float, stop: threading.Event, log: Callable[[str], None],
           failed: str) -> None:
    """`job` now and then every `seconds` until `stop` is set. What it returns is logged; a failure (the
    database away) is logged as `failed`, formatted with the error's type as `{error}`, and tried again."""
    while not stop.is_set():
        try:
            said = job()
            if said:
                log(said)
        except Exception as exc:
            log(failed.format(error=type(exc).__name__))
        stop.wait(seconds)
