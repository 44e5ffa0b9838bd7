"""The assistant's fixed wording lives in domain.yml only (bot/texts.py reads it): editing a text there changes
what the Python says, every name the code asks for is there, and every text is a usable Dutch text."""

from __future__ import annotations

import asyncio
import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.helpdesk import FORM_SLOTS, AskConsent
from bot import handover, texts
from bot.answers import Query, answer
from bot.answers.linking import say
from bot.fallback import give_up
from bot.helpdesk import check_question
from bot.language import Kind, classify
from bot.linking import KINDS, Outcome
from bot.register import RuleBook

ROOT = Path(__file__).resolve().parent.parent
CODE = [p for folder in ("bot", "actions", "channels", "components") for p in (ROOT / folder).rglob("*.py")]
# A name in a string literal ("utter_greet", f"utter_ask_{slot}"), not in a comment or docstring.
NAME_RE = re.compile(r"""(?<=["'])utter_[a-z0-9_]*(?=["'{])""")
# Names the code builds from a prefix: the prefix and every name it completes to.
BUILT = {
    "utter_ask_": [f"utter_ask_{slot}" for slot in FORM_SLOTS],
    "utter_link_": [f"utter_link_{kind}" for kind in KINDS],
    "utter_reminders_on_": ["utter_reminders_on_teams", "utter_reminders_on_email"],
    "utter_reminders_who_": ["utter_reminders_who_teams", "utter_reminders_who_email"],
}


def names_in_code() -> set[str]:
    found: set[str] = set()
    for path in CODE:
        for name in NAME_RE.findall(path.read_text(encoding="utf-8")):
            if name.endswith("_"):
                assert name in BUILT, f"{path}: {name}… is built from a prefix this test does not know"
                found.update(BUILT[name])
            else:
                found.add(name)
    return found


@pytest.fixture
def edited_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of domain.yml with some texts changed, which the loader reads instead of the real one."""
    content = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    fixed = content["responses"]
    fixed["utter_greet"][0]["text"] = "Goedemorgen, hier Registerwijzer."
    fixed["utter_helpdesk_offer"][0]["text"] = "Zal ik de helpdesk vragen?"
    fixed["utter_ask_helpdesk_consent"][0]["text"] = "Mag het gesprek mee?"
    fixed["utter_ask_helpdesk_consent"][0]["buttons"][0]["title"] = "Ja hoor"
    fixed["utter_helpdesk_question_bare"][0]["text"] = "Typ je vraag zelf."
    fixed["utter_link_wrong_code"][0]["text"] = "Fout. Nog {tries_left} keer."
    copy = tmp_path / "domain.yml"
    copy.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(texts.ENV, str(copy))
    return copy


def test_editing_domain_yml_changes_what_the_assistant_says(edited_domain: Path, book: RuleBook,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert answer(book, Query("greet"), date(2026, 1, 5)).text == "Goedemorgen, hier Registerwijzer."
    given_up = give_up("Mag mijn kat mee naar de cursus?")
    assert given_up.text.endswith("Zal ik de helpdesk vragen?")
    assert handover.offers_helpdesk(given_up.text)  # the offer is recognised in its new words
    assert check_question("ja").prompt == "Typ je vraag zelf."
    assert say(Outcome("wrong_code", tries_left=2)) == "Fout. Nog 2 keer."
    # The form's question, as the action server says it.
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t", {}, {}, [], False, None, {}, "action_listen")
    asyncio.run(AskConsent().run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    assert message["text"] == "Mag het gesprek mee?"
    assert message["buttons"][0] == {"title": "Ja hoor", "payload": "ja"}
    # And back: without the variable, the project's own domain.yml.
    monkeypatch.delenv(texts.ENV)
    assert answer(book, Query("greet"), date(2026, 1, 5)).text.startswith("Hoi! Ik ben Registerwijzer.")


def test_a_path_argument_reads_another_file(edited_domain: Path) -> None:
    assert texts.response("utter_greet", path=edited_domain).text == "Goedemorgen, hier Registerwijzer."
    assert texts.response("utter_greet", path=ROOT / "domain.yml").text.startswith("Hoi!")


def test_every_name_the_code_uses_is_in_domain_yml() -> None:
    used = names_in_code()
    missing = used - set(texts.responses(ROOT / "domain.yml"))
    assert not missing, f"domain.yml lacks {sorted(missing)}"
    assert {"utter_greet", "utter_helpdesk_offer", "utter_ask_helpdesk_question"} <= used


def test_every_text_in_domain_yml_is_said_somewhere() -> None:
    unused = set(texts.responses(ROOT / "domain.yml")) - names_in_code()
    assert not unused, f"domain.yml has texts nothing says: {sorted(unused)}"


@pytest.mark.parametrize("name", sorted(texts.responses(ROOT / "domain.yml")))
def test_each_text_is_one_dutch_text(name: str) -> None:
    content: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variations = (content.get("texts") or {}).get(name) or (content.get("responses") or {}).get(name)
    assert isinstance(variations, list) and len(variations) == 1, "one variation: the actions say the first"
    found = texts.response(name, path=ROOT / "domain.yml")
    assert found.text.strip() and classify(found.text) is Kind.OK
    assert not re.search(r"\b(the|please|you)\b", found.text, re.IGNORECASE)
    for title, payload in found.buttons:
        assert title.strip() and payload.strip()
    # Every brace opens a placeholder that Python fills; a stray one would be said as it is.
    fields = [field for _, field, _, _ in string.Formatter().parse(found.text) if field is not None]
    assert found.text.count("{") == found.text.count("}") == len(fields) and all(fields)


def test_a_missing_text_or_value_is_a_clear_error() -> None:
    with pytest.raises(texts.TextError, match="no text 'utter_does_not_exist'"):
        texts.text("utter_does_not_exist")
    with pytest.raises(texts.TextError, match="needs a value for question"):
        texts.text("utter_helpdesk_intro_question")
    assert "“Waar blijft mijn certificaat?”" in texts.text("utter_helpdesk_intro_question",
                                                          question="Waar blijft mijn certificaat?")


def test_a_broken_domain_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "domain.yml"
    broken.write_text("responses:\n  utter_x:\n    - buttons: []\n", encoding="utf-8")
    with pytest.raises(texts.TextError, match="'utter_x' has no text"):
        texts.responses(broken)
