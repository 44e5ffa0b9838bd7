"""A second opinion from the register's own data, for what the form of a message settles by itself.

The classifier learns topics from examples; some questions are settled by what they name, whatever
their wording, and the rules data knows those names:

- a message that states activities to add up ("LK1 en 3x niveau 5, genoeg?") is a calculation
  (`bot.calculator.is_calculation`);
- a question about a subject the sources say nothing about (accounts, uitstel, the register's fees)
  is answered honestly with the helpdesk offer (`bot.helpdesk.triage.outside_topic`);
- a programme or trajectory named with the facet asked ("wat kost B&T", "hoeveel uur is LK1") is that
  facet of that subject (`bot.facets`).

When one of these holds, the intent becomes that topic, with the classifier's ranking kept below it
(so the fallback no longer asks "Bedoel je A of B?" about a question the data answers). A confident
classification of a personal question, a hand-over or small talk is never overruled. Entities are left
as they are; the answers add the data's names themselves.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.calculator import is_calculation, parse
from bot.facets import facet_of, names_in_text
from bot.helpdesk.triage import outside_topic
from bot.register import load_rules

# Intents whose own judgement stands: the leader's own dossier, hand-overs and small talk.
KEEP = {"personal_case", "request_helpdesk", "ask_my_progress", "ask_my_deadline", "ask_my_dossier",
        "ask_my_what_if", "ask_my_suggestion", "greet", "goodbye", "thank", "affirm", "deny", "out_of_scope"}
# Intents under which a message may still be a calculation the classifier did not see as one.
CALCULABLE = {"ask_activity_points", "ask_points_needed", "ask_learning_levels", "ask_programme_info",
              "ask_valuation", "ask_certified_programmes", "inform", "ask_herregistratie", "nlu_fallback",
              "calculate_points", "ask_theme_repeat", "ask_themes"}
SUBJECT_ENTITIES = ("programme", "traject")


def second_opinion(text: str, intent: str, confidence: float, keep_above: float) -> Optional[str]:
    """The intent the data settles for this message, or None to keep the classifier's."""
    if not text or not text.strip():
        return None
    if intent in KEEP and confidence >= keep_above:
        return None
    book = load_rules()
    if outside_topic(text):
        return "ask_outside_sources"
    if intent in CALCULABLE or confidence < keep_above:
        parsed = parse(book, text)
        if is_calculation(parsed, text):
            return "calculate_points"
    facet = facet_of(text)
    if facet is not None and confidence < keep_above:
        named = names_in_text(book, text)
        if any(named.get(k) for k in SUBJECT_ENTITIES):
            return facet
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DomainSecondOpinion(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Below this confidence the classifier's own intent may be replaced by a facet of a named subject.
        return {"keep_above": 0.7}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.keep_above = float(config.get("keep_above", 0.7))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DomainSecondOpinion":
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            current = message.get(INTENT) or {}
            if not isinstance(text, str) or not isinstance(current, dict):
                continue
            name = str(current.get("name") or "")
            confidence = float(current.get("confidence") or 0.0)
            decided = second_opinion(text, name, confidence, self.keep_above)
            if decided is None or decided == name:
                continue
            chosen = {"name": decided, "confidence": max(confidence, 0.95)}
            ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != decided]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
