"""Errors of the register's rules.

`RulesError` and its subclasses are `bot.errors.UserError`s: they carry a Dutch `message` that may be
shown to a school leader as it is. `DataError` is for the operator who edits the rules data: it names the
file and the field that is wrong.
"""

from __future__ import annotations

from ..errors import UserError


class RulesError(UserError, ValueError):
    """Bad input to the rules module; `message` is safe to show to a user."""


class UnknownProgramme(RulesError):
    """A programme name the rules data does not know."""


class UnknownTheme(RulesError):
    """A theme name the rules data does not know."""


class InvalidLevel(RulesError):
    """A learning level outside what the regulation values."""


class InvalidCount(RulesError):
    """A negative, zero or absurd number of activities or themes."""


class OutsideRegulations(RulesError):
    """A date for which no regulation in the data applies."""


class InvalidInput(RulesError):
    """Any other input the rules cannot compute with."""


class DataError(Exception):
    """The rules data is invalid. The message names the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(f"{file}: {field}: {problem}")
        self.file = file
        self.field = field
        self.problem = problem
