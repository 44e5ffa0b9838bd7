"""Linking a Teams account, in Dutch (B1, je-form): the commands a leader types and what they hear at
each step (the outcomes of bot/linking.py)."""

from __future__ import annotations

import re
import unicodedata

from ..linking import Outcome

LINK, UNLINK, CANCEL = "koppelen", "ontkoppelen", "stoppen"
_COMMANDS = (
    (UNLINK, re.compile(r"^(ontkoppel( mijn)?( teams)?( account)?|(mijn )?(teams )?account ontkoppelen|ontkoppelen)$")),
    (LINK, re.compile(r"^(koppel( mijn)?( teams)?( account)?|(mijn )?(teams )?account koppelen|koppelen)$")),
    (CANCEL, re.compile(r"^(stop|stoppen|annuleer|annuleren|afbreken|laat maar)$")),
)

# Shown below the login hint to a Teams user who is not linked yet; the button sends "koppel mijn account".
LINK_BUTTON = ("Account koppelen", "koppel mijn account")
TEAMS_LINK_HINT = (
    "In Teams zie ik je eigen gegevens zodra je je Teams-account aan je dossier koppelt. Dat doe je één "
    "keer: typ **koppel mijn account**. Je krijgt dan een code op het e-mailadres dat het register van je heeft."
)

_SAY = {
    "ask_number": "We koppelen je Teams-account aan je dossier. Wat is je registratienummer? "
                  "(Typ **stop** om te stoppen.)",
    "bad_number": "Dat is geen registratienummer. Een registratienummer heeft 6 tot 10 cijfers, bijvoorbeeld "
                  "100234. Typ je nummer, of **stop**.",
    "unknown_number": "Bij dit nummer kan ik geen code sturen. Kijk je nummer na en typ **koppel mijn account** "
                      "om het opnieuw te proberen, of vraag de helpdesk om hulp.",
    "code_sent": "Ik heb een code van 6 cijfers gestuurd naar {masked}, het e-mailadres dat het register van je "
                 "heeft. Typ de code hier. De code is {minutes} minuten geldig.",
    "mail_failed": "Het versturen van de code lukt nu niet. Probeer het later opnieuw met **koppel mijn account**.",
    "too_many": "Je hebt al een paar keer een code gevraagd. Probeer het over een uur opnieuw.",
    "locked": "Je hebt te vaak een verkeerde code getypt. Probeer het over {minutes} minuten opnieuw met "
              "**koppel mijn account**.",
    "wrong_code": "Die code klopt niet. Je kunt het nog {tries_left} keer proberen.",
    "expired": "Die code is verlopen. Typ **koppel mijn account** voor een nieuwe code.",
    "linked": "Gelukt: je Teams-account is gekoppeld aan je dossier. Vraag bijvoorbeeld: "
              "**hoeveel punten heb ik nog nodig?** Ontkoppelen kan altijd met **ontkoppel mijn account**.",
    "already_linked": "Je Teams-account is al gekoppeld aan je dossier. Ontkoppelen kan met "
                      "**ontkoppel mijn account**.",
    "unlinked": "Je Teams-account is niet meer gekoppeld aan je dossier. Ik laat hier nu geen eigen gegevens "
                "meer zien.",
    "not_linked": "Je Teams-account is niet gekoppeld, dus er valt niets te ontkoppelen.",
    "cancelled": "Gestopt. Je account is niet gekoppeld.",
    "no_attempt": "Je bent niet bezig met koppelen. Typ **koppel mijn account** om te beginnen.",
}


def command_of(text: str) -> str | None:
    """LINK, UNLINK or CANCEL for the few fixed commands (any case, accents and punctuation ignored)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = " ".join(re.sub(r"[^\w\s]", " ", plain).split())
    for command, pattern in _COMMANDS:
        if pattern.match(plain):
            return command
    return None


_REMINDERS = re.compile(r"^(zet )?(mijn )?herinneringen? (aan|uit)( zetten)?$")

REMINDERS_ON = {
    "teams": "Herinneringen staan aan. Eindigt je periode binnen zes maanden en mis je nog punten, dan stuur ik je "
             "hier een bericht, hoogstens eens per vier weken. Uitzetten kan met **herinneringen uit**.",
    "email": "Herinneringen staan aan. Eindigt je periode binnen zes maanden en mis je nog punten, dan krijg je een "
             "e-mail op het adres dat het register van je heeft, hoogstens eens per vier weken. Uitzetten kan met "
             "**herinneringen uit**.",
}
REMINDERS_OFF = "Herinneringen staan uit. Aanzetten kan altijd weer met **herinneringen aan**."
REMINDERS_WHO = {
    "teams": "Herinneringen kan ik alleen sturen als ik weet wie je bent. Koppel eerst je Teams-account: typ "
             "**koppel mijn account**.",
    "email": "Herinneringen kan ik alleen sturen als ik weet wie je bent. Log in op het portaal van het "
             "Schoolleidersregister PO en open de chat daar.",
}


def reminders_command(text: str) -> bool | None:
    """True for "herinneringen aan", False for "herinneringen uit", None for anything else."""
    plain = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    found = _REMINDERS.match(plain)
    return None if found is None else found.group(3) == "aan"


def say(outcome: Outcome) -> str:
    return _SAY[outcome.kind].format(masked=outcome.masked, minutes=outcome.minutes, tries_left=outcome.tries_left)


__all__ = ["CANCEL", "LINK", "LINK_BUTTON", "TEAMS_LINK_HINT", "UNLINK", "command_of", "say"]
