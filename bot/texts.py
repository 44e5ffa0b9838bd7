"""The assistant's fixed wording, read from domain.yml: one place to edit what it says in fixed words.

    text("utter_greet")                         -> the Dutch text
    text("utter_helpdesk_intro_question", question="...")  -> with its {placeholders} filled
    buttons("utter_helpdesk_offer")             -> ((title, payload), ...)

Texts computed from the rules data (points, dates, programmes, sources) are rendered in Python; the
fixed ones are the `responses:` of domain.yml, in Rasa's format: a name `utter_…`, one variation with
`text` and optional `buttons`. The actions say them (they add a note for English or long messages, keep
the slot `helpdesk_offered` right, and put computed parts around them), and the Teams channel says the
linking texts before Rasa runs, so they are read from the file here rather than uttered by Rasa.

Plain Python and PyYAML, no Rasa. The file is read once per path and cached; `REGISTERWIJZER_DOMAIN`
(or the `path` argument) points at another domain file, as the tests do.
"""

from __future__ import annotations

import functools
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"
ENV = "REGISTERWIJZER_DOMAIN"


class TextError(LookupError):
    """A fixed text that is missing or malformed in the domain file, or a placeholder left unfilled."""


@dataclass(frozen=True)
class Response:
    name: str
    text: str
    buttons: tuple[tuple[str, str], ...] = ()

    @property
    def placeholders(self) -> frozenset[str]:
        """The names between braces in the text, which `text()` fills."""
        return frozenset(field for _, field, _, _ in string.Formatter().parse(self.text) if field)


def domain_path(path: str | Path | None = None) -> Path:
    """`path`, else $REGISTERWIJZER_DOMAIN, else the project's domain.yml."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(ENV) or DOMAIN)


def _response(name: str, value: Any, source: Path) -> Response:
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        raise TextError(f"{source}: '{name}' must be a list with one variation (- text: ...)")
    first = value[0]
    text = first.get("text")
    if not isinstance(text, str) or not text.strip():
        raise TextError(f"{source}: '{name}' has no text")
    found = []
    for button in first.get("buttons") or []:
        if not isinstance(button, dict) or not isinstance(button.get("title"), str) \
                or not isinstance(button.get("payload"), str):
            raise TextError(f"{source}: a button of '{name}' needs a title and a payload")
        found.append((button["title"], button["payload"]))
    return Response(name, text.strip(), tuple(found))


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Mapping[str, Response]:
    source = Path(path)
    try:
        content = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TextError(f"the fixed texts cannot be read from {source}: {exc}") from exc
    return {str(name): _response(str(name), value, source)
            for name, value in (content.get("responses") or {}).items()}


def responses(path: str | Path | None = None) -> Mapping[str, Response]:
    """Every fixed text of the domain file, by name."""
    return _load(str(domain_path(path)))


def response(name: str, path: str | Path | None = None) -> Response:
    found = responses(path).get(name)
    if found is None:
        raise TextError(f"{domain_path(path)} has no text '{name}' (under responses:)")
    return found


def text(name: str, /, **values: object) -> str:
    """The text `name`, its {placeholders} filled from `values` (every one must be given)."""
    found = response(name)
    missing = found.placeholders - values.keys()
    if missing:
        raise TextError(f"text '{name}' needs a value for {', '.join(sorted(missing))}")
    return found.text.format(**values) if found.placeholders else found.text


def buttons(name: str, path: str | Path | None = None) -> tuple[tuple[str, str], ...]:
    """The (title, payload) of each button of `name`."""
    return response(name, path).buttons


__all__ = ["DOMAIN", "ENV", "Response", "TextError", "buttons", "domain_path", "response", "responses", "text"]
