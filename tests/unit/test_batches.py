"""The tf.data batches fit() reads: shuffled, cut, padded only where the mask reads them."""

import numpy as np

from core import batches as batch_lib


def _epoch(dataset):
    return [(x.numpy(), y.numpy()) for x, y in dataset]


def test_shuffled_batches_cover_every_row_once_with_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 200, size=1000)
    ids = np.zeros((1000, 200), dtype="int32")
    for row, length in enumerate(lengths):
        ids[row, :length] = row + 1  # a token id that names its row
    y = np.arange(1000, dtype="int64")
    dataset = batch_lib.training_batches(ids, y, 16, seed=0)
    first, second = _epoch(dataset), _epoch(dataset)
    for batches in (first, second):
        assert sorted(np.concatenate([y for _, y in batches]).tolist()) == list(range(1000))
        assert all(x.shape[1] == lengths[y].min() for x, y in batches)  # cut to the shortest
        assert all((x != 0).all() for x, _ in batches)  # so no padding is left
        assert all((x[:, 0] - 1 == y).all() for x, y in batches)  # rows stay with labels
        assert np.median([np.ptp(lengths[y]) for _, y in batches]) < 20  # ~190 unsorted
    assert [y.tolist() for _, y in first] != [y.tolist() for _, y in second]  # reshuffled


def test_fit_batches_repeat_whole_reshuffled_epochs():
    ids = np.arange(1, 101, dtype="int32").reshape(100, 1)  # one token naming its row
    dataset, per_epoch = batch_lib.fit_batches(ids, np.arange(100), batch_size=16, seed=0)
    assert per_epoch == 7  # six of 16 and one of 4
    batches = [y.numpy() for _, y in dataset.take(3 * per_epoch)]
    epochs = [batches[i * per_epoch:(i + 1) * per_epoch] for i in range(3)]
    for epoch in epochs:
        assert sorted(np.concatenate(epoch).tolist()) == list(range(100))
    assert epochs[0][0].tolist() != epochs[1][0].tolist()


def test_an_empty_text_does_not_cut_its_batch_to_one_token():
    ids = np.zeros((4, 10), dtype="int32")
    for row, length in enumerate([0, 6, 7, 7]):
        ids[row, :length] = 5
    batches = _epoch(batch_lib.training_batches(ids, np.arange(4), batch_size=4, seed=0))
    assert [x.shape for x, _ in batches] == [(4, 6)]


def test_validation_batches_sort_texts_by_length_and_cut_each_batch_to_its_longest():
    ids = np.zeros((7, 50), dtype="int32")
    for row, length in enumerate([3, 5, 3, 40, 0, 3, 5]):
        ids[row, :length] = row + 1
    y = np.arange(7, dtype="int64")
    batches = _epoch(batch_lib.validation_batches(ids, y, batch_size=3))
    assert [(x.shape[1], y.tolist()) for x, y in batches] == [
        (3, [4, 0, 2]), (5, [5, 1, 6]), (40, [3])]
    for x, y in batches:  # every token kept, padding only after a text's last token
        np.testing.assert_array_equal(x, ids[y, :x.shape[1]])
