"""DIET trained on batches of messages of similar length: the same model, about half the training time.

Why: Rasa pads every batch to its longest message. Our messages average 7 tokens, but a batch of
64–256 random messages nearly always holds one of 18–20, so the transformer spent well over half of
its work on padding (training took ~5 s an epoch, 2 transformer layers about 2.5 s each).

What changes: each epoch the (shuffled, class-balanced) examples are sorted by length and cut into
batches, and the batches are shuffled, so a batch holds messages of about one length and the order
of lengths is random. Every example is still seen exactly once an epoch; the partial batch is drawn
at random and stays last, where Rasa's batch counting expects it. Prediction is DIET's, unchanged.

Also: Keras makes a new tf.data iterator every epoch, and dropping the old one waited for tf.data's
autotuning thread, up to 2.5 s at a time (about 25 s a training; py-spy showed the main thread in
~IteratorResource waiting on it). The pipeline is one prefetched Python generator with nothing to
tune, so DIET's training datasets run with autotuning off. The batches, and so the model, are the same.

Measured (2 cores, 1,420 examples, 70 epochs): DIET's training 367 s → 200–245 s with the buckets,
about 25 s less without autotuning; held-out intent macro-F1 and entity F1 within run-to-run noise
of Rasa's DIET (see docs/benchmarks.md).
Rasa's recipe validator names `DIETClassifier` literally, so `rasa train` prints two harmless
warnings that the configuration has no entity extractor for the entity examples and lookup tables.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import numpy as np
import tensorflow as tf
from keras.engine import data_adapter
from numpy.typing import NDArray
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers import diet_classifier
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils import train_utils
from rasa.utils.tensorflow.constants import SEQUENCE_LENGTH
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import Data, RasaModelData

LENGTH_JITTER = "length_jitter"


def bucketed_order(
    lengths: NDArray[Any], batch_size: int, rng: Any = np.random, jitter: float = 0.0,
) -> NDArray[Any]:
    """An order of the examples in which each run of `batch_size` holds examples of similar length.

    `lengths` is in the (already shuffled) order of the data; ties keep that order. Each length is
    sorted as if up to `jitter` tokens longer (at random), so messages within a few tokens of each
    other share batches in varying company. The remainder (n % batch_size examples, chosen at
    random) comes last.
    """
    n = len(lengths)
    if batch_size <= 0 or n <= batch_size:
        return np.arange(n)
    remainder = n % batch_size
    picked = rng.permutation(n)
    tail, rest = picked[:remainder], np.sort(picked[remainder:])
    keys = lengths[rest] + rng.uniform(0.0, jitter, size=len(rest))
    by_length = rest[np.argsort(keys, kind="stable")]
    batches = by_length.reshape(-1, batch_size)
    return np.concatenate([batches[rng.permutation(len(batches))].reshape(-1), tail])


class LengthBucketedBatchGenerator(RasaBatchDataGenerator):
    """Rasa's batch generator (increasing batch size, shuffling, balancing) with length buckets."""

    def __init__(self, *args: Any, jitter: float = 0.0, **kwargs: Any) -> None:
        self.jitter = jitter  # before RasaBatchDataGenerator.__init__, which orders the first epoch
        super().__init__(*args, **kwargs)

    def _shuffle_and_balance(self, batch_size: int) -> Data:
        data = super()._shuffle_and_balance(batch_size)
        lengths = data.get(TEXT, {}).get(SEQUENCE_LENGTH)
        if not self.shuffle or not lengths:
            return data
        order = bucketed_order(np.asarray(lengths[0], dtype=np.int64).reshape(-1), batch_size,
                               jitter=self.jitter)
        return RasaModelData._data_for_ids(data, order)

    @classmethod
    def replacing(cls, generator: RasaBatchDataGenerator, jitter: float = 0.0) -> LengthBucketedBatchGenerator:
        return cls(
            generator.model_data, batch_size=generator.batch_size, epochs=generator._epochs,
            batch_strategy=generator.batch_strategy, shuffle=generator.shuffle,
            drop_small_last_batch=generator.drop_small_last_batch, jitter=jitter,
        )


def _bucketed_generators(
    create: Callable[..., Tuple[RasaBatchDataGenerator, Optional[RasaBatchDataGenerator]]], jitter: float,
    *args: Any, **kwargs: Any,
) -> Tuple[RasaBatchDataGenerator, Optional[RasaBatchDataGenerator]]:
    training, validation = create(*args, **kwargs)
    return LengthBucketedBatchGenerator.replacing(training, jitter), validation


def _without_autotuning(get_dataset: Callable[[Any], tf.data.Dataset]) -> Callable[[Any], tf.data.Dataset]:
    @functools.wraps(get_dataset)
    def wrapped(adapter: Any) -> tf.data.Dataset:
        options = tf.data.Options()
        options.autotune.enabled = False
        return get_dataset(adapter).with_options(options)

    return wrapped


@contextlib.contextmanager
def _swapped(owner: Any, name: str, replacement: Any) -> Iterator[None]:
    """`owner.name` is `replacement` inside the block, and what it was after it."""
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class BucketedDIETClassifier(DIETClassifier):
    """DIETClassifier whose training batches are length buckets (see the module)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # length_jitter: how many tokens apart messages may be and still share a batch (3 measured
        # better than 0 on the held-out set at about the same speed)
        return {**DIETClassifier.get_default_config(), LENGTH_JITTER: 3.0}

    def train(self, training_data: TrainingData) -> Resource:
        # DIETClassifier.train builds its generators through train_utils.create_data_generators, and
        # Keras its datasets from them through KerasSequenceAdapter.get_dataset; swap in ours for the
        # length of this call only (training runs one component at a time).
        bucketed = functools.partial(_bucketed_generators, train_utils.create_data_generators,
                                     float(self.component_config[LENGTH_JITTER]))
        adapter = data_adapter.KerasSequenceAdapter
        with _swapped(train_utils, "create_data_generators", bucketed), \
                _swapped(adapter, "get_dataset", _without_autotuning(adapter.get_dataset)):
            return super().train(training_data)


assert diet_classifier.train_utils is train_utils  # the name DIETClassifier.train looks up
