"""Linking a Teams account, in Dutch (B1, je-form): the commands a leader types and what they hear at
each step (the outcomes of bot/linking.py)."""

from __future__ import annotations

import re
import unicodedata

from .. import texts
from ..linking import Outcome

LINK, UNLINK, CANCEL = "koppelen", "ontkoppelen", "stoppen"
_COMMANDS = (
    (UNLINK, re.compile(r"^(ontkoppel( mijn)?( teams)?( account)?|(mijn )?(teams )?account ontkoppelen|ontkoppelen)$")),
    (LINK, re.compile(r"^(koppel( mijn)?( teams)?( account)?|(mijn )?(teams )?account koppelen|koppelen)$")),
    (CANCEL, re.compile(r"^(stop|stoppen|annuleer|annuleren|afbreken|laat maar)$")),
)

# What a leader hears at each step is fixed wording in domain.yml (`responses:`): utter_link_<outcome kind>,
# utter_teams_link_hint and utter_reminders_*. The names below are read once at import, for the modules
# that import them (actions/personal.py, channels/commands.py).

# Shown below the login hint to a Teams user who is not linked yet; the button sends "koppel mijn account".
TEAMS_LINK_HINT = texts.text("utter_teams_link_hint")
LINK_BUTTON = texts.buttons("utter_teams_link_hint")[0]


def command_of(text: str) -> str | None:
    """LINK, UNLINK or CANCEL for the few fixed commands (any case, accents and punctuation ignored)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = " ".join(re.sub(r"[^\w\s]", " ", plain).split())
    for command, pattern in _COMMANDS:
        if pattern.match(plain):
            return command
    return None


_REMINDERS = re.compile(r"^(zet )?(mijn )?herinneringen? (aan|uit)( zetten)?$")

REMINDERS_ON = {channel: texts.text(f"utter_reminders_on_{channel}") for channel in ("teams", "email")}
REMINDERS_OFF = texts.text("utter_reminders_off")
REMINDERS_WHO = {channel: texts.text(f"utter_reminders_who_{channel}") for channel in ("teams", "email")}


def reminders_command(text: str) -> bool | None:
    """True for "herinneringen aan", False for "herinneringen uit", None for anything else."""
    plain = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    found = _REMINDERS.match(plain)
    return None if found is None else found.group(3) == "aan"


def say(outcome: Outcome) -> str:
    return texts.text(f"utter_link_{outcome.kind}", masked=outcome.masked, minutes=outcome.minutes,
                      tries_left=outcome.tries_left)


__all__ = ["CANCEL", "LINK", "LINK_BUTTON", "TEAMS_LINK_HINT", "UNLINK", "command_of", "say"]
