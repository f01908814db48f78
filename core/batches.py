"""The tf.data batches that fit() reads: training batches without padding, validation batches.

Everything runs inside tf.data, with no Python per batch: a Python generator here
cost up to 40% of the time, each batch waiting on the GIL (bench/README.md).
"""

from __future__ import annotations

import numpy as np

from core import predictor as predictor_lib

BUCKET_CHUNK = 50  # batches whose texts are sorted together by length
VALIDATION_BATCH = 512  # texts per validation batch at least: fewer batches, fewer steps


def batches_per_pass(rows: int, batch_size: int) -> int:
    """Batches in one pass over ``rows`` texts: the last one may be short."""
    return -(-rows // batch_size)


def training_batches(ids: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    """Shuffled tf.data batches of similar-length texts, cut to the shortest one, so no padding.

    Rows are shuffled, sorted by length within chunks of BUCKET_CHUNK batches,
    cut into batches, and the batches shuffled again: every epoch stays random,
    yet a batch's texts differ by a token or two, and cutting them to the
    shortest skips about 1-6% of tokens (different ones each epoch). With no
    padding left, the network trains without a mask, which takes a third off
    every step (bench/README.md).
    """
    import tensorflow as tf

    lengths = tf.constant(predictor_lib.sequence_lengths(ids).astype("int32"))
    ids_t, y_t = tf.constant(ids, tf.int32), tf.constant(y)
    rows = tf.data.Dataset.range(len(ids)).shuffle(len(ids), seed=seed)
    rows = rows.batch(batch_size * BUCKET_CHUNK).map(
        lambda chunk: tf.gather(chunk, tf.argsort(tf.gather(lengths, chunk), stable=True)))
    batches = rows.unbatch().batch(batch_size).shuffle(batches_per_pass(len(ids), batch_size),
                                                       seed=seed + 1)

    def cut_to_shortest(rows):
        # Empty texts (kept when "drop empty rows" is off) must not cut the others to nothing.
        batch_lengths = tf.gather(lengths, rows)
        longest = tf.reduce_max(batch_lengths)
        shortest = tf.reduce_min(tf.where(batch_lengths > 0, batch_lengths, longest))
        width = tf.maximum(1, shortest)
        return tf.gather(ids_t, rows)[:, :width], tf.gather(y_t, rows)

    return batches.map(cut_to_shortest).prefetch(tf.data.AUTOTUNE)


def fit_batches(ids: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    """training_batches repeated without end, and the batches that make one epoch, for fit().

    One iterator serves the whole fit: with a new one each epoch, the first batch of
    an epoch sometimes waited 1-2 s (stacked LSTM, 31 batches of ~0.1 s; bench/README.md).
    Every pass reshuffles, and ends with its one short batch, so epochs keep their edges.
    """
    per_epoch = batches_per_pass(len(ids), batch_size)
    return training_batches(ids, y, batch_size, seed).repeat(), per_epoch


def validation_batches(ids: np.ndarray, y: np.ndarray, batch_size: int):
    """tf.data batches of texts sorted by length, each cut to its longest text: little padding.

    For validation, where every token must count: the trainer reads these through
    the padding mask (core.trainer.masked_twin), exactly as the saved model reads
    texts. One unmasked batch per text length took LSTM(50) 0.10 s per epoch on AG News'
    760 validation texts (38 lengths), two padded batches 0.05 s (bench/validation.py).
    """
    import tensorflow as tf

    lengths = predictor_lib.sequence_lengths(ids).astype("int32")
    order = np.argsort(lengths, kind="stable")
    sizes = [len(order[i:i + batch_size]) for i in range(0, len(order), batch_size)]
    batch_rows = tf.RaggedTensor.from_row_lengths(order.astype("int64"), sizes)
    lengths_t, ids_t, y_t = tf.constant(lengths), tf.constant(ids, tf.int32), tf.constant(y)

    def gather(rows):
        width = tf.maximum(1, tf.reduce_max(tf.gather(lengths_t, rows)))
        return tf.gather(ids_t, rows)[:, :width], tf.gather(y_t, rows)

    return tf.data.Dataset.from_tensor_slices(batch_rows).map(gather).prefetch(tf.data.AUTOTUNE)
