"""What an answer is, shared by every part that replies: `Answer`, `Button`, `Query`, fixed texts as answers
(`fixed`, wording in domain.yml through `bot.texts`), the helpdesk offer, source lines and Dutch list helpers
(`join_nl` lives in `bot.dutch`). No Rasa, no rules data here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from . import texts
from .dutch import join_nl as join_nl  # re-exported: the renderers import it from here
from .dutch import thousands
from .register.model import Source


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: tuple[Button, ...] = ()
    sources: tuple[Source, ...] = ()
    # False: the answer's main statement is that the sources do not say ("staat niet in mijn bronnen"); it
    # does not answer the question itself, so a consumer (the helpdesk's e-mail triage) must not send it as a reply.
    complete: bool = True


@dataclass(frozen=True)
class Query:
    """What the user asked: the intent and the entities' canonical values."""

    intent: str
    entities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    text: str = ""

    def first(self, name: str) -> str | None:
        values = self.entities.get(name, ())
        return values[0] if values else None

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.entities.get(name, ())))


def fixed(name: str, **values: object) -> Answer:
    """The fixed text `name` of domain.yml with its buttons, placeholders filled from `values`."""
    return Answer(texts.text(name, **values), tuple(Button(t, p) for t, p in texts.buttons(name)))


def helpdesk_offer() -> str:
    """The question that ends an answer that cannot help; a "ja" right after it hands the question over."""
    return texts.text("utter_helpdesk_offer")


def helpdesk_buttons() -> tuple[Button, ...]:
    return fixed("utter_helpdesk_offer").buttons


# Read once at import, for the renderers that import the names; the wording lives in domain.yml.
HELPDESK_OFFER = helpdesk_offer()
HELPDESK_BUTTONS = helpdesk_buttons()


def with_sources(text: str, sources: Iterable[Source], buttons: Sequence[Button] = (), complete: bool = True
                 ) -> Answer:
    unique = tuple(dict.fromkeys(sources))
    if unique:
        text = f"{text}\n\n{source_line(unique)}"
    return Answer(text, tuple(buttons), unique, complete)


def source_line(sources: Sequence[Source]) -> str:
    """'Bron: publisher, ‘document’ (onderdeel ‘x’)', one entry per document, sections grouped."""
    documents: dict[tuple[str, str], list[str]] = {}
    for source in sources:
        sections = documents.setdefault((source.publisher, source.title), [])
        if source.section is not None and source.section not in sections:
            sections.append(source.section)  # no section: the document as a whole
    parts = []
    for (publisher, title), sections in documents.items():
        label = "onderdeel" if len(sections) == 1 else "onderdelen"
        where = f" ({label} {join_nl([f'‘{s}’' for s in sections])})" if sections else ""
        parts.append(f"{publisher}, ‘{title}’{where}")
    return ("Bron: " if len(parts) == 1 else "Bronnen: ") + "; ".join(parts) + "."


def euro(amount: int) -> str:
    return "€ " + thousands(amount)

def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def capital(text: str) -> str:
    """Upper-case the first letter, except in brand names written with inner capitals (leerKRACHT)."""
    first_word = text.split(" ", 1)[0]
    if any(c.isupper() for c in first_word[1:]):
        return text
    return text[:1].upper() + text[1:]
