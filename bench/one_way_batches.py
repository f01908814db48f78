"""Why a one-way network trails the tutorial after 4 epochs: framework, or batches?

Test accuracy after a few epochs (AG News split, as speed.py: --repeat 3, batch 512,
rmsprop, embedding 25) for one architecture, over several training seeds, in these
variants:

  tutorial        the tutorial's pipeline in tf_keras (speed.run_tutorial)
  keras3_prepad   the same pre-padded arrays and Sequential network, trained by Keras 3
  keras3_random   LSTM Studio's token ids, padded at the end, masked, random batches
  keras3_sorted   the same, with batches of similar length (sorted within chunks of
                  --chunk batches, as core.batches does), padded to the longest, masked;
                  --groups N: each batch N sorted groups from random places in the order
  studio          LSTM Studio's pipeline (speed.run_studio: sorted batches cut to their
                  shortest text, the learned start), with core.batches.BUCKET_CHUNK = --chunk

Padded, masked batches are slow (Keras 3's masked LSTM); they are here to tell what
the batches' make-up does to learning from what cutting them does.
Usage: .venv/bin/python bench/one_way_batches.py [--arch stacked_lstm] [--epochs 4]
       [--seeds 42,1,2,3,4] [--chunk 50] [--variants tutorial,keras3_prepad,...] [--repeat 3]
Needs: pip install -r bench/requirements.txt (tf-keras).
"""

from __future__ import annotations

import argparse

import numpy as np
import speed
from common import print_table

from core import batches, predictor
from core import model as model_lib
from core.config import ModelSpec

VARIANTS = ("tutorial", "keras3_prepad", "keras3_random", "keras3_sorted", "studio")


def tutorial_arrays(ds, max_len):
    from tf_keras.preprocessing.sequence import pad_sequences
    from tf_keras.preprocessing.text import Tokenizer

    tokenizer = Tokenizer(num_words=speed.VOCAB)
    tokenizer.fit_on_texts(ds.train.texts)
    return [pad_sequences(tokenizer.texts_to_sequences(s.texts), maxlen=max_len)
            for s in (ds.train, ds.valid, ds.test)]


def studio_arrays(ds, units, bidirectional, max_len):
    spec = ModelSpec(units=units, bidirectional=bidirectional, embedding_dim=speed.EMBEDDING,
                     max_tokens=max_len, vocab_size=speed.VOCAB, dropout=0.0)
    vectorizer = model_lib.build_vectorizer(model_lib.build_vocabulary(ds.train.texts, spec), spec)
    return [predictor.vectorize(vectorizer, s.texts) for s in (ds.train, ds.valid, ds.test)]


def sorted_padded_batches(ids, y, seed: int, chunk: int, groups: int = 1):
    """core.batches.training_batches, but each batch padded to its longest text, not cut.

    ``groups``: each batch made of this many sorted groups from random places in the order."""
    import tensorflow as tf

    lengths = tf.constant(predictor.sequence_lengths(ids).astype("int32"))
    ids_t, y_t = tf.constant(ids, tf.int32), tf.constant(y)
    rows = tf.data.Dataset.range(len(ids)).shuffle(len(ids), seed=seed)
    rows = rows.batch(speed.BATCH * chunk).map(
        lambda c: tf.gather(c, tf.argsort(tf.gather(lengths, c), stable=True)))
    steps = batches.batches_per_pass(len(ids), speed.BATCH)
    shuffled = rows.unbatch().batch(speed.BATCH // groups).shuffle(steps * groups, seed=seed + 1)
    if groups > 1:
        shuffled = shuffled.unbatch().batch(speed.BATCH)

    def pad_to_longest(batch_rows):
        width = tf.maximum(1, tf.reduce_max(tf.gather(lengths, batch_rows)))
        return tf.gather(ids_t, batch_rows)[:, :width], tf.gather(y_t, batch_rows)

    return shuffled.map(pad_to_longest).repeat(), steps


def keras3_accuracy(ds, arrays, units, bidirectional, epochs, seed, masked, sorted_chunk=None,
                    groups=1):
    import keras

    x_train, x_valid, x_test = arrays
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((None,), dtype="int32"),
              keras.layers.Embedding(speed.VOCAB, speed.EMBEDDING, mask_zero=masked)]
    for i, n in enumerate(units):
        lstm = keras.layers.LSTM(n, return_sequences=i < len(units) - 1)
        layers.append(keras.layers.Bidirectional(lstm) if bidirectional else lstm)
    layers.append(keras.layers.Dense(ds.n_classes, activation="softmax"))
    net = keras.Sequential(layers)
    net.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    if sorted_chunk:
        train, steps = sorted_padded_batches(x_train, ds.train.y, seed, sorted_chunk, groups)
        net.fit(train, steps_per_epoch=steps, epochs=epochs, verbose=0)
    else:
        net.fit(x_train, ds.train.y, batch_size=speed.BATCH, epochs=epochs, verbose=0)
    return float(np.mean(net.predict(x_test, batch_size=512, verbose=0).argmax(1) == ds.test.y))


def accuracy(variant: str, ds, arch: str, epochs: int, seed: int, chunk: int, arrays: dict,
             groups: int = 1) -> float:
    units, bidirectional, max_len = speed.ARCHS[arch]
    if variant == "tutorial":
        return speed.run_tutorial(ds, units, bidirectional, max_len, epochs, seed)[1]
    if variant == "studio":
        batches.BUCKET_CHUNK = chunk
        return speed.run_studio(ds, units, bidirectional, max_len, epochs, seed)[1]
    if variant == "keras3_prepad":
        return keras3_accuracy(ds, arrays["tutorial"], units, bidirectional, epochs, seed, False)
    return keras3_accuracy(ds, arrays["studio"], units, bidirectional, epochs, seed, True,
                           chunk if variant == "keras3_sorted" else None, groups=groups)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="stacked_lstm", help=", ".join(speed.ARCHS))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seeds", default="42,1,2,3,4")
    parser.add_argument("--chunk", type=int, default=batches.BUCKET_CHUNK,
                        help="batches sorted together by length (keras3_sorted, studio)")
    parser.add_argument("--groups", type=int, default=1,
                        help="keras3_sorted: each batch this many sorted groups from random places")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--repeat", type=int, default=3,
                        help="training rows tiled this many times per epoch (speed.py's --repeat)")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    units, bidirectional, max_len = speed.ARCHS[args.arch]
    ds = speed.repeat_train(speed.load_split(None), args.repeat)
    arrays = {"tutorial": tutorial_arrays(ds, max_len),
              "studio": studio_arrays(ds, units, bidirectional, max_len)}
    rows = []
    for variant in args.variants.split(","):
        accs = [accuracy(variant, ds, args.arch, args.epochs, seed, args.chunk, arrays, args.groups)
                for seed in seeds]
        print(variant, [round(a, 3) for a in accs], flush=True)
        rows.append([variant, f"{np.mean(accs):.3f}", f"{min(accs):.3f}–{max(accs):.3f}",
                     " ".join(f"{a:.3f}" for a in accs)])
    print(f"{args.arch}, {args.epochs} epochs, seeds {args.seeds}, chunk {args.chunk}, "
          f"groups {args.groups}")
    print_table(["variant", "mean test acc", "range", "per seed"], rows)


if __name__ == "__main__":
    main()
