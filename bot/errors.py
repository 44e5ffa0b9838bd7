"""The one error a user or operator can act on: `UserError`, with a Dutch `message`.

Plain Python, no Rasa. Every package raises a subclass of its own (`RulesError`, `StoreError`,
`HelpdeskError`, `ConfigError`); the edges map them in one place each: the admin CLI prints the message
on stderr and exits with 1 (`bot.cli.main`), an action turns it into an answer.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem described for a person: `message` is Dutch and safe to show as it is (no traceback needed).

    `str(error)` is the message as well.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


__all__ = ["UserError"]
