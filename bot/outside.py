"""Subjects the sources say nothing about (accounts and logging in, postponement, ...): a question about
one gets no topic answer, whatever the topic looked like, but the honest "not in my sources" and the
helpdesk. Shared by the answers, the understanding (components/domain_opinion.py) and the helpdesk's
triage, which files such questions under their own category."""

from __future__ import annotations

import re

# Accounts and logging in: the assistant cannot help, the helpdesk can (a triage category of its own).
ACCOUNT_STEMS: tuple[str, ...] = (
    "inlog", "log in", "login", "ingelogd", "uitgelogd", "wachtwoord", "account", "gebruikersnaam",
    "verificatiecode", "tweestaps", "2fa", "mijn omgeving", "toegang tot mijn", "kan er niet in",
    "komt niet binnen", "kom niet binnen", "e-mailadres wijzigen", "e-mailadres aanpassen",
)

# Employment matters (salary, the cao, dismissal): the employer's and the unions' business, not the register's.
EMPLOYMENT_STEMS: tuple[str, ...] = (
    "salaris", "cao ", "cao-", "cao?", "loon ", "loonschaal", "inschaling", "ingeschaald", "ontslag", "ontslaan",
    "functiemix", "pensioen", "arbeidsvoorwaarde",
)

# Subjects the sources say nothing about, so that no topic answer may be given for them: accounts and
# logging in, and postponement (uitstel). Objections and rejected decisions are personal cases instead.
OUTSIDE_STEMS: tuple[str, ...] = (
    *ACCOUNT_STEMS,
    "uitstel", "zwanger", "ziek", "overlijden", "overleden", "mantelzorg", "pe-online",
    "pe online", "predicaat", "professionaliseringsbudget", "lidmaatschap", "contributie", *EMPLOYMENT_STEMS,
)


def normalised(text: str) -> str:
    """Lower case, white space folded, a space at both ends (so a stem can match at the edges)."""
    return " " + re.sub(r"\s+", " ", text.lower()) + " "


def stem_pattern(stem: str) -> str:
    """The regular expression of a keyword stem: a word that starts with it. A stem ending in a space is a
    whole word ("kost " is not "koster"); others match their compounds."""
    end = r"(?!\w)" if stem.endswith(" ") else r"\w*"
    return r"(?<![\w])" + re.escape(stem.strip()) + end


def find_stem(text: str, stems: tuple[str, ...]) -> str | None:
    """The first word of `text` (normalised) that starts with one of `stems`, or None."""
    for stem in stems:
        match = re.search(stem_pattern(stem), text)
        if match:
            return match.group(0)
    return None


def outside_topic(question: str) -> str | None:
    """The word that marks a question about a subject outside the sources, if any."""
    return find_stem(normalised(question), OUTSIDE_STEMS)
