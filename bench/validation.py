"""One epoch's validation: a few padded batches read with the padding mask vs one batch per length.

Validation used to run one unmasked batch per distinct text length (no padding, so
no mask). It now runs texts sorted by length in batches of 512, padded to each
batch's longest text, through the network with the padding mask on
(core.batches.validation_batches, core.trainer.masked_twin). Both give the same
loss; this times them interleaved in one process on the AG News split's 760
validation texts, for the tutorial architectures of bench/speed.py.

Usage: .venv/bin/python bench/validation.py [--arch lstm50,bilstm50] [--repeats 8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import fmt, print_table, save_summary, summary_row
from speed import ARCHS, BATCH, EMBEDDING, VOCAB, load_split

from core import batches, predictor, training
from core import model as model_lib
from core import trainer as trainer_lib
from core.config import ModelSpec


def one_length_batches(ids: np.ndarray, y: np.ndarray, batch_size: int):
    """The previous validation batches: texts of exactly one length each, unpadded."""
    import tensorflow as tf

    lengths = predictor.sequence_lengths(ids)
    groups = [(ids[rows, :max(1, lengths[rows[0]])], y[rows])
              for rows in predictor.equal_length_batches(lengths, batch_size)]
    return tf.data.Dataset.from_generator(
        lambda: iter(groups), output_signature=(tf.TensorSpec((None, None), tf.int32),
                                                tf.TensorSpec((None,), tf.int64))), len(groups)


def time_arch(ds, name: str, repeats: int) -> dict:
    import keras

    units, bidirectional, max_len = ARCHS[name]
    spec = ModelSpec(units=units, bidirectional=bidirectional, embedding_dim=EMBEDDING,
                     max_tokens=max_len, vocab_size=VOCAB, dropout=0.0)
    vectorizer = model_lib.build_vectorizer(model_lib.build_vocabulary(ds.train.texts, spec), spec)
    keras.utils.set_random_seed(42)
    net = model_lib.build_model(spec, ds.task, ds.n_classes, vectorizer.vocabulary_size(),
                                padding_mask=False)
    trainer = trainer_lib.training_model(net, training.split_parts(spec, BATCH))
    for model in (net, trainer):
        model_lib.compile_model(model, ds.task, "rmsprop", 1e-3)
    ids = predictor.vectorize(vectorizer, ds.valid.texts)
    before, n_before = one_length_batches(ids, ds.valid.y, max(256, BATCH))
    now = batches.validation_batches(ids, ds.valid.y, max(batches.VALIDATION_BATCH, BATCH))
    seconds = {"before": [], "now": []}
    for _ in range(repeats):  # interleaved, so both see the same machine
        for key, model, dataset in (("before", net, before), ("now", trainer, now)):
            start = time.perf_counter()
            loss = model.evaluate(dataset, verbose=0)[0]
            seconds[key].append(time.perf_counter() - start)
            seconds[key + "_loss"] = loss
    best = {key: min(seconds[key][1:]) for key in ("before", "now")}  # the first call traces
    return {"batches_before": n_before, "batches_now": len(list(now)), **best,
            "same_loss": bool(np.isclose(seconds["before_loss"], seconds["now_loss"], rtol=1e-5))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default=",".join(ARCHS))
    parser.add_argument("--repeats", type=int, default=8)
    args = parser.parse_args()
    ds = load_split(None)
    rows, summary = [], []
    for name in args.arch.split(","):
        r = time_arch(ds, name, args.repeats)
        ratio = r["before"] / r["now"]
        rows.append([name, f"{r['batches_before']} → {r['batches_now']}", fmt(r["before"]),
                     fmt(r["now"]), f"{ratio:.2f}x", "yes" if r["same_loss"] else "NO"])
        summary.append(summary_row(f"{name}: validation s per epoch (baseline: one batch per length)",
                                   r["now"], r["before"], ratio, digits=3))
    print(f"AG News split: {len(ds.valid.texts)} validation texts; fastest of {args.repeats - 1} "
          "calls after the first")
    print_table(["arch", "batches", "one batch per length, s", "padded + masked, s", "speed-up",
                 "same loss"], rows)
    save_summary("validation", summary)


if __name__ == "__main__":
    main()
