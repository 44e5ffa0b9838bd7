"""The topics table (bot/answers/topics.py) handles every intent of domain.yml exactly once, with the
action that data/rules/ gives it, and is the one place the other parts read titles and categories from."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.answers import TOPIC_TITLES, TOPICS
from bot.answers.topics import ANSWER, BY_INTENT, TABLE
from bot.helpdesk.triage import CATEGORIES, INTENT_CATEGORIES

ROOT = Path(__file__).resolve().parents[1]


def _domain_intents() -> list[str]:
    return [str(i) for i in yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]]


def _rule_actions() -> dict[str, set[str]]:
    """Per intent, the actions that rules run right after it (outside a form's own steps)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            steps = rule.get("steps") or []
            for step, following in zip(steps, steps[1:]):
                if "intent" in step and "action" in following:
                    found.setdefault(step["intent"], set()).add(following["action"])
    return found


def test_every_intent_of_the_domain_is_handled_exactly_once() -> None:
    intents = _domain_intents()
    listed = [topic.intent for topic in TABLE]
    assert len(listed) == len(set(listed)), "an intent is listed twice"
    assert sorted(listed) == sorted(intents)


def test_each_topic_names_the_action_the_rules_run() -> None:
    actions = _rule_actions()
    for topic in TABLE:
        if topic.intent in actions:
            assert actions[topic.intent] == {topic.action}, topic.intent


def test_a_renderer_exactly_for_what_the_answer_action_renders() -> None:
    for topic in TABLE:
        if topic.action == ANSWER:
            assert topic.render is not None, topic.intent
    assert set(TOPICS) == {t.intent for t in TABLE if t.render is not None}


def test_titles_and_categories_come_from_the_table() -> None:
    assert dict(TOPIC_TITLES) == {t.intent: t.title for t in TABLE if t.title}
    assert dict(INTENT_CATEGORIES) == {t.intent: t.category for t in TABLE if t.category}
    assert {t.category for t in TABLE if t.category} <= set(CATEGORIES)
    assert BY_INTENT["ask_costs"].category == "kosten"
