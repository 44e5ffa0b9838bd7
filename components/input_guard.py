"""An NLU component that keeps the classifier from guessing on messages without words.

Empty messages, messages of only emoji, digits or punctuation, and keyboard mashing are marked `nlu_fallback` with
certainty, so the fallback answers them ("Ik zie geen vraag in je bericht ...") instead of a topic
that happened to score highest. The decision itself is `bot.language.classify`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

import components.speedups  # noqa: F401  (a fixed cost on every custom-action call, see the module)
from bot.language import Kind, classify

FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if classify(message.get(TEXT)) in (Kind.EMPTY, Kind.NO_WORDS, Kind.GIBBERISH):
                guarded = {"name": FALLBACK_INTENT, "confidence": 1.0}
                message.set(INTENT, guarded, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [guarded], add_to_output=True)
                message.set(ENTITIES, [], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
