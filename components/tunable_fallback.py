"""Rasa's FallbackClassifier, with its thresholds adjustable when the model is loaded.

The fallback threshold trades a clarification question against a wrong answer; `make eval` measures
that trade-off on the frozen evaluation set. To draw the curve without a training per point, the
evaluation loads one trained model several times with `REGISTERWIJZER_FALLBACK_THRESHOLD` (and
`REGISTERWIJZER_AMBIGUITY_THRESHOLD`) set. Unset, the values in config.yml apply.
"""

from __future__ import annotations

import os
from typing import Any, Dict

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

OVERRIDES = {"threshold": "REGISTERWIJZER_FALLBACK_THRESHOLD",
             "ambiguity_threshold": "REGISTERWIJZER_AMBIGUITY_THRESHOLD"}


def overridden(config: Dict[str, Any]) -> Dict[str, Any]:
    result = dict(config)
    for key, variable in OVERRIDES.items():
        raw = os.environ.get(variable, "").strip()
        if raw:
            value = float(raw)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{variable} must be between 0 and 1, not {raw}")
            result[key] = value
    return result


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TunableFallbackClassifier(FallbackClassifier):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TunableFallbackClassifier:
        return cls(overridden(config))
