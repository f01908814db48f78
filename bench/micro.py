"""Explain, predict, vectorize and CSV-read speed, each against a baseline in the same run.

- LIME on a 50-word text, 1,000 and 5,000 samples (p50 of 5 runs): LSTM Studio's
  explain_lime (vectorized neighbourhood, batched predict_fn) vs the tutorial's
  LimeTextExplainer on its make_predictions wrapper (model.predict, default batch 32).
- Occlusion (leave-one-word-out) on the same text.
- Batch prediction of 20,000 distinct texts (texts/s) vs model.predict with batch 32.
- Vectorizing 120,000 texts; reading a ~100 MB CSV (built from AG News rows).
Model: BiLSTM(50), embedding 25, 50 tokens, trained 1 epoch on the AG News split.
Usage: .venv/bin/python bench/micro.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import fmt, print_table, require_shared_data, save_summary, summary_row

from core import batches, data, explain, predictor
from core import model as model_lib
from core.config import DataSpec, ModelSpec


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tutorial_lime(predict, text, names, samples):
    """The tutorial's explanation: lime's LimeTextExplainer on its make_predictions wrapper."""
    from lime.lime_text import LimeTextExplainer

    explainer = LimeTextExplainer(class_names=list(names), random_state=0, bow=True)
    return explainer.explain_instance(text, predict, labels=(0,), num_features=10,
                                      num_samples=samples)


def distinct_texts(texts: list[str], count: int) -> list[str]:
    """``count`` texts: ``texts``, then copies with their words rotated.

    A plain repeat would be unfair: copies of a text begin alike, and LSTM Studio's
    predictor shares the work of equal beginnings (core.prefix_tree).
    """
    out = []
    for copy in range(count // len(texts) + 1):
        for text in texts:
            words = text.split()
            shift = (7 * copy) % max(len(words), 1)
            out.append(" ".join(words[shift:] + words[:shift]))
    return out[:count]


def train_small_model(ds):
    import keras

    spec = ModelSpec(units=(50,), bidirectional=True, embedding_dim=25, max_tokens=50,
                     vocab_size=20000, dropout=0.0)
    vocabulary = model_lib.build_vocabulary(ds.train.texts, spec)
    vectorizer = model_lib.build_vectorizer(vocabulary, spec)
    keras.utils.set_random_seed(0)
    net = model_lib.build_model(spec, ds.task, ds.n_classes, vectorizer.vocabulary_size(),
                                padding_mask=False)
    model_lib.compile_model(net, ds.task, "rmsprop", 1e-3)
    ids = predictor.vectorize(vectorizer, ds.train.texts)
    net.fit(batches.training_batches(ids, ds.train.y, 256, 0), epochs=1, verbose=0)
    return vectorizer, model_lib.with_padding_mask(net, on=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeat = 2 if args.quick else 5
    shared = require_shared_data()
    frame = data.read_csv(shared / "ag_news" / "test.csv")
    ds = data.prepare_dataset(frame, DataSpec(tuple(frame.columns[1:3]), frame.columns[0],
                                              test_fraction=0.2))
    vectorizer, net = train_small_model(ds)
    model = predictor.Predictor(vectorizer, net, ds.task, ds.class_names)
    # The path before this session, in this run: copies built as texts (core.neighbourhood)
    # and no prefix trees (core.prefix_tree).
    plain = predictor.Predictor(vectorizer, net, ds.task, ds.class_names, share_prefixes=False)
    e2e = model_lib.end_to_end(vectorizer, net)

    import tensorflow as tf

    def tutorial_predict(texts):  # the tutorial's make_predictions: model.predict, batch 32
        return e2e.predict(tf.constant(list(texts))[:, None], verbose=0)

    words = " ".join(ds.test.texts[:20]).split()[:50]
    text = " ".join(words)
    names = ds.class_names
    rows, summary = [], []
    for warm in (model, plain):  # build the graphs once, as a loaded app model would be
        explain.explain_lime(warm.predict_fn, text, 0, names, num_samples=100,
                             removal_scores=warm.removal_scores if warm is model else None)
    tutorial_predict([text])
    for samples in (1000, 5000):
        ours = timed(lambda: explain.explain_lime(model.predict_fn, text, 0, names,
                                                  num_samples=samples,
                                                  removal_scores=model.removal_scores), repeat)
        theirs = timed(lambda: tutorial_lime(tutorial_predict, text, names, samples),
                       repeat if samples == 1000 else 3)  # one 5,000 run varied 0.7-1.4 s
        no_trees = timed(lambda: explain.explain_lime(plain.predict_fn, text, 0, names,
                                                      num_samples=samples), repeat)
        target = "≤ 1 s" if samples == 1000 else "≤ 2 s"
        limit = 1.0 if samples == 1000 else 2.0
        summary.append(summary_row(f"LIME {samples} samples, 50 words, p50 s", ours, theirs,
                                   theirs / ours, f"{target}, ≥ 5x",
                                   ours <= limit and theirs / ours >= 5, digits=3))
        rows.append([f"LIME {samples} samples, 50 words (p50 s)", fmt(ours, 3), fmt(theirs, 3),
                     f"{theirs / ours:.1f}x", f"{target}, ≥ 5x"])
        rows.append(["  as texts, no prefix trees (p50 s)", fmt(no_trees, 3), "-",
                     f"now {no_trees / ours:.2f}x", "-"])
        summary.append(summary_row(f"LIME {samples} samples: now vs as texts without prefix "
                                   "trees, p50 s", ours, no_trees, no_trees / ours, digits=3))
    occlusion = timed(lambda: explain.explain_occlusion(model.predict_fn, text, 0, names), repeat)
    rows.append(["Occlusion, 50 words (s)", fmt(occlusion, 3), "-", "-", "≤ 0.3 s"])
    summary.append(summary_row("Occlusion, 50 words, s", occlusion, target="≤ 0.3 s",
                               met=occlusion <= 0.3, digits=3))

    texts = distinct_texts(ds.train.texts, 20000)
    ours = timed(lambda: model.scores(texts, already_clean=True))
    theirs = timed(lambda: tutorial_predict(texts[:5000])) * 4
    summary.append(summary_row("Batch prediction, texts/s", len(texts) / ours,
                               len(texts) / theirs, theirs / ours, "≥ 5,000/s",
                               len(texts) / ours >= 5000, digits=0))
    rows.append(["Batch prediction (texts/s)", fmt(len(texts) / ours, 0),
                 fmt(len(texts) / theirs, 0), f"{theirs / ours:.1f}x", "≥ 5,000/s"])

    many = (ds.train.texts * (120_000 // len(ds.train.texts) + 1))[:120_000]
    vec = timed(lambda: predictor.vectorize(vectorizer, many))
    rows.append(["Vectorize 120k texts (s)", fmt(vec, 2), "-", "-", "≤ 5 s"])
    summary.append(summary_row("Vectorize 120k texts, s", vec, target="≤ 5 s", met=vec <= 5))

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.csv"
        source = (shared / "ag_news" / "test.csv").read_bytes()
        with open(big, "wb") as handle:
            while handle.tell() < 100 * 1024 * 1024:
                handle.write(source)
        size_mb = big.stat().st_size / 1024 / 1024
        ours = timed(lambda: data.read_csv(big))
        import pandas as pd

        plain = timed(lambda: pd.read_csv(big, header=None, dtype=str))
        summary.append(summary_row(f"Read a {size_mb:.0f} MB CSV, s", ours, plain, plain / ours,
                                   "≤ 5 s", ours <= 5))
        rows.append([f"Read a {size_mb:.0f} MB CSV (s)", fmt(ours, 2), fmt(plain, 2),
                     f"{plain / ours:.2f}x", "≤ 5 s"])
    print_table(["measure", "LSTM Studio", "baseline", "ratio", "target"], rows)
    save_summary("micro", summary)
    print("baselines: LIME = lime's LimeTextExplainer on model.predict (batch 32); prediction = "
          "model.predict (batch 32), same model; CSV = plain pandas.read_csv")


if __name__ == "__main__":
    main()
