"""The Explain page's work at the app's default network, now vs the previous path, same run.

One Explain click runs LIME, leave-one-word-out, and LIME with two more seeds (the
stability check). Timed here on the default network (BiLSTM(64), embedding 64, 200
tokens; random weights: the work does not depend on them) for AG News texts of 30,
100 and 200 words, at 1,000 and 5,000 samples (the page's two settings):
- now: copies' token ids from the text's chunks (core.neighbourhood) and prefix trees
  (core.prefix_tree);
- before: the copies built as texts, no prefix trees.
Words holding HTML marks ("#39;" debris) are left out of the texts: with them the copies
are built as texts in both paths.
Usage: .venv/bin/python bench/explain_sizes.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import fmt, print_table, require_shared_data, save_summary, summary_row

from core import data, explain, predictor
from core import model as model_lib
from core import text as text_utils
from core.config import ModelSpec


def explain_click(model: predictor.Predictor, text: str, samples: int, now: bool) -> float:
    """Seconds for what one Explain click computes (ui.explain_view.run_explainers)."""
    removal_scores = model.removal_scores if now else None
    started = time.perf_counter()
    for seed in (0, 1, 2):
        explain.explain_lime(model.predict_fn, text, 0, model.class_names, num_samples=samples,
                             seed=seed, removal_scores=removal_scores)
        if seed == 0:
            explain.explain_occlusion(model.predict_fn, text, 0, model.class_names)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import keras

    frame = data.read_csv(require_shared_data() / "ag_news" / "test.csv")
    texts = (frame.iloc[:, 1] + ". " + frame.iloc[:, 2]).tolist()
    words = [w for w in " ".join(texts[:80]).split() if not text_utils.holds_html(w)]
    spec = ModelSpec()  # the app's defaults
    vectorizer = model_lib.build_vectorizer(model_lib.build_vocabulary(texts, spec), spec)
    keras.utils.set_random_seed(0)
    net = model_lib.build_model(spec, "multiclass", 4, vectorizer.vocabulary_size())
    names = ("World", "Sports", "Business", "Sci/Tech")
    now = predictor.Predictor(vectorizer, net, "multiclass", names)
    before = predictor.Predictor(vectorizer, net, "multiclass", names, share_prefixes=False)
    rows, summary = [], []
    for n_words in (30, 100, 200):
        text = " ".join(words[:n_words])
        for samples in (1000, 5000):
            explain_click(now, text, 100, True)  # graphs built, as in a running app
            explain_click(before, text, 100, False)
            times = {"now": [], "before": []}
            for _ in range(args.repeat):  # interleaved, so both see the same machine
                times["now"].append(explain_click(now, text, samples, True))
                times["before"].append(explain_click(before, text, samples, False))
            ours, theirs = (statistics.median(times[k]) for k in ("now", "before"))
            rows.append([f"{n_words} words, {samples:,} samples", fmt(ours, 2), fmt(theirs, 2),
                         f"{theirs / ours:.2f}x"])
            summary.append(summary_row(f"Explain click, default network, {n_words} words, "
                                       f"{samples} samples, s (baseline: the previous path)",
                                       ours, theirs, theirs / ours))
    print_table(["text", "now s", "before s", "speed-up"], rows)
    save_summary("explain_sizes", summary)


if __name__ == "__main__":
    main()
