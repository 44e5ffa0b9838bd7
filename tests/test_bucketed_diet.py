"""Length-bucketed DIET batches (components/bucketed_diet.py): every example once an epoch, batches of
about one length in random order, and less padding than Rasa's random batches."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
import tensorflow as tf

from components.bucketed_diet import LengthBucketedBatchGenerator, bucketed_order
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import SEQUENCE, SEQUENCE_LENGTH
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import FeatureArray, RasaModelData


def _lengths(n: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 21, size=n)


def _padded_tokens(lengths: np.ndarray, order: np.ndarray, batch_size: int) -> int:
    return sum(len(batch) * int(lengths[batch].max())
               for batch in (order[i:i + batch_size] for i in range(0, len(order), batch_size)))


@pytest.mark.parametrize("n,batch_size", [(1366, 64), (1366, 256), (1000, 100), (130, 64)])
def test_every_example_exactly_once(n: int, batch_size: int) -> None:
    order = bucketed_order(_lengths(n), batch_size, np.random.RandomState(1), jitter=3.0)
    assert sorted(order.tolist()) == list(range(n))


def test_full_batches_hold_one_narrow_length_range_in_random_order() -> None:
    lengths, batch_size = _lengths(1366), 64
    order = bucketed_order(lengths, batch_size, np.random.RandomState(2))
    full = [order[i:i + batch_size] for i in range(0, 1366 - 1366 % batch_size, batch_size)]
    spans = [int(lengths[b].max() - lengths[b].min()) for b in full]
    assert max(spans) <= 1, spans  # without jitter: one or two lengths
    starts = [int(lengths[b].min()) for b in full]
    assert starts != sorted(starts) and starts != sorted(starts, reverse=True)


def test_the_partial_batch_is_last_and_drawn_at_random() -> None:
    lengths, batch_size = _lengths(1366), 64
    tails = [set(bucketed_order(lengths, batch_size, np.random.RandomState(seed))[-(1366 % batch_size):])
             for seed in range(3)]
    assert tails[0] != tails[1] != tails[2]
    assert len({int(lengths[i]) for i in tails[0]}) > 3  # not the longest or shortest examples


def test_padding_is_far_below_random_batches() -> None:
    lengths, batch_size = _lengths(1366), 128
    rng = np.random.RandomState(3)
    bucketed = _padded_tokens(lengths, bucketed_order(lengths, batch_size, rng), batch_size)
    random = _padded_tokens(lengths, rng.permutation(1366), batch_size)
    assert bucketed < 0.7 * random


def test_small_data_keeps_its_order() -> None:
    assert bucketed_order(np.array([5, 1, 3]), 64).tolist() == [0, 1, 2]


def _model_data(lengths: np.ndarray) -> RasaModelData:
    sequences = [scipy.sparse.coo_matrix(np.full((int(n), 3), float(n))) for n in lengths]
    data = RasaModelData(label_key=None, label_sub_key=None)
    data.add_features(TEXT, SEQUENCE, [FeatureArray(np.array(sequences), number_of_dimensions=3)])
    data.add_lengths(TEXT, SEQUENCE_LENGTH, TEXT, SEQUENCE)
    return data


def test_the_generator_batches_by_length_and_keeps_features_with_their_example() -> None:
    lengths = _lengths(300)
    rasa = RasaBatchDataGenerator(_model_data(lengths), batch_size=[32, 64], epochs=3, shuffle=True)
    generator = LengthBucketedBatchGenerator.replacing(rasa)
    assert len(generator) == len(rasa) == 10
    seen = []
    for index in range(len(generator)):
        batch, _ = generator[index]
        batch_lengths = np.asarray(generator._data[TEXT][SEQUENCE_LENGTH][0])[index * 32:(index + 1) * 32]
        # each example's features still belong to it: its feature values are its own length
        rows = [m for m in generator._data[TEXT][SEQUENCE][0][index * 32:(index + 1) * 32]]
        assert [int(m.shape[0]) for m in rows] == [int(n) for n in batch_lengths]
        assert all(float(m.toarray().max()) == m.shape[0] for m in rows)
        if index < len(generator) - 1:
            assert int(batch_lengths.max() - batch_lengths.min()) <= 4  # random batches span ~19
        seen.extend(int(n) for n in batch_lengths)
    assert sorted(seen) == sorted(int(n) for n in lengths)


def test_jitter_mixes_neighbouring_lengths_but_keeps_batches_narrow() -> None:
    lengths, batch_size = _lengths(1366), 64
    plain = bucketed_order(lengths, batch_size, np.random.RandomState(4))
    jittered = bucketed_order(lengths, batch_size, np.random.RandomState(4), jitter=3.0)
    assert sorted(jittered.tolist()) == list(range(1366))
    full = range(0, 1366 - 1366 % batch_size, batch_size)
    spans = [int(lengths[jittered[i:i + batch_size]].max() - lengths[jittered[i:i + batch_size]].min())
             for i in full]
    assert max(spans) <= 4 and max(spans) > 1, spans
    together = {frozenset(plain[i:i + batch_size].tolist()) for i in full}
    assert together.isdisjoint({frozenset(jittered[i:i + batch_size].tolist()) for i in full})


def test_the_component_defaults_to_a_small_jitter() -> None:
    from components.bucketed_diet import LENGTH_JITTER, BucketedDIETClassifier
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    config = BucketedDIETClassifier.get_default_config()
    assert config[LENGTH_JITTER] == 3.0
    assert {k: v for k, v in config.items() if k != LENGTH_JITTER} == DIETClassifier.get_default_config()


class _TwoBatches(tf.keras.utils.Sequence):  # type: ignore[misc]
    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return np.full((2, 3), float(index), dtype=np.float32), np.zeros((2,), dtype=np.float32)


def test_training_swaps_in_bucketed_batches_and_untuned_datasets_and_restores_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside BucketedDIETClassifier.train, DIET gets the length-bucketed generators and Keras builds
    its datasets with tf.data autotuning off (the same batches); both are Rasa's and Keras's again after,
    also when training fails."""
    import functools

    from components.bucketed_diet import BucketedDIETClassifier
    from keras.engine import data_adapter
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.utils import train_utils

    original_create = train_utils.create_data_generators
    original_get_dataset = data_adapter.KerasSequenceAdapter.get_dataset
    seen: dict[str, object] = {}

    def fake_train(self: DIETClassifier, training_data: object) -> None:
        create = train_utils.create_data_generators
        seen["create"] = create.func if isinstance(create, functools.partial) else create
        dataset = data_adapter.KerasSequenceAdapter(_TwoBatches()).get_dataset()
        seen["autotune"] = dataset.options().autotune.enabled
        seen["batches"] = [float(x[0, 0]) for x, _ in dataset]
        raise RuntimeError("training failed")

    monkeypatch.setattr(DIETClassifier, "train", fake_train)
    component = object.__new__(BucketedDIETClassifier)
    component.component_config = BucketedDIETClassifier.get_default_config()
    with pytest.raises(RuntimeError):
        component.train(None)  # type: ignore[arg-type]
    assert seen["create"] is not original_create and getattr(seen["create"], "__name__") == "_bucketed_generators"
    assert seen["autotune"] is False
    assert seen["batches"] == [0.0, 1.0]
    assert train_utils.create_data_generators is original_create
    assert data_adapter.KerasSequenceAdapter.get_dataset is original_get_dataset
    assert data_adapter.KerasSequenceAdapter(_TwoBatches()).get_dataset().options().autotune.enabled is not False
