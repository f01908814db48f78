"""Accuracy with DEFAULT settings on the public tutorial datasets.

Prints a table beside the tutorials' published figures and the TF-IDF
baseline trained on the same split. Usage:

    .venv/bin/python bench/accuracy.py [--only bbc,clothing_reg,clothing_cls,ag_news] [--epochs N]
                                       [--seeds 42,1,2]

With several seeds (the training seed: initial weights and batch order; the split
stays the same) each task shows the mean with the range, because one seed on a
small test split can move accuracy by a few points.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import fmt, print_table, require_shared_data, save_summary, summary_row, train_frame

from core import data
from core.config import DataSpec, ModelSpec, TrainSpec

# Published tutorial results (see ../shared/data/README.md).
TUTORIAL = {
    "bbc": ("accuracy", 0.935, "BiLSTM(64) tutorial, validation accuracy"),
    "clothing_reg": ("rmse", 0.799, "LSTM tutorial, regression RMSE"),
    "clothing_cls": ("accuracy", 0.64, "LSTM tutorial, classification accuracy (RMSE 0.817)"),
    "ag_news": ("accuracy", None, "tutorial pipeline on the same split: see bench/speed.py"),
}


def cases(shared: Path):
    bbc = data.read_csv(shared / "bbc" / "bbc-text.csv")
    clothing = data.read_csv(shared / "clothing_reviews" / "womens_clothing_reviews.csv")
    ag = data.read_csv(shared / "ag_news" / "test.csv")
    ag_text = [c for c in ag.columns[1:3]]
    return {
        "bbc": (bbc, DataSpec(("text",), "category", valid_fraction=0.1, test_fraction=0.2)),
        "clothing_reg": (clothing, DataSpec(("Title", "Review Text"), "Rating", task="regression")),
        "clothing_cls": (clothing, DataSpec(("Title", "Review Text"), "Rating", task="multiclass")),
        "ag_news": (ag, DataSpec(tuple(ag_text), ag.columns[0], valid_fraction=0.1,
                                 test_fraction=0.2)),
    }


def spread(values: list[float]) -> str:
    """One value, or the mean with the range over seeds."""
    if len(values) == 1:
        return fmt(values[0])
    return f"{sum(values) / len(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="bbc,clothing_reg,clothing_cls,ag_news")
    parser.add_argument("--epochs", type=int, help="override the default epochs (smoke runs)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--seeds", default="42", help="comma list of training seeds")
    args = parser.parse_args()
    shared = require_shared_data()
    seeds = [int(s) for s in args.seeds.split(",")]
    rows, results, summary = [], {}, []
    runs_dir = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
    for key, (frame, data_spec) in cases(shared).items():
        if key not in args.only.split(","):
            continue
        summaries = []
        for seed in seeds:
            train_spec = TrainSpec(seed=seed, **({"epochs": args.epochs} if args.epochs else {}))
            summaries.append(train_frame(frame, data_spec, ModelSpec(), train_spec, runs_dir,
                                         f"{key} seed {seed}"))
            print(json.dumps({key: summaries[-1]}), flush=True)
        results[key] = summaries
        metric, published, source = TUTORIAL[key]
        field = "rmse" if metric == "rmse" else "accuracy"
        ours = [s[f"test_{field}"] for s in summaries]
        base = summaries[0][f"baseline_{field}"]  # same split for every seed
        extra = (f" (RMSE {spread([s['test_rmse'] for s in summaries])})"
                 if key == "clothing_cls" else "")
        seconds = [x for s in summaries for x in s["epoch_seconds"]]
        mean = sum(ours) / len(ours)
        better = None if published is None else (mean <= published if metric == "rmse"
                                                 else mean >= published)
        summary.append(summary_row(f"{key} test {metric} (mean of {len(seeds)} seeds; "
                                   "baseline: TF-IDF)", mean, base, target=(
                                       f"{'≤' if metric == 'rmse' else '≥'} tutorial {published}"
                                       if published else "see speed.py"), met=better, digits=3,
                                   key=f"{key} test {metric}"))
        rows.append([key, metric, spread(ours) + extra, fmt(published), fmt(base),
                     "/".join(str(len(s["epoch_seconds"])) for s in summaries),
                     fmt(sum(seconds) / len(seconds), 1),
                     "/".join(str(s["best_epoch"]) for s in summaries), source])
    print()
    print(f"seeds: {', '.join(map(str, seeds))}")
    print_table(["task", "metric", "LSTM Studio (test)", "tutorial", "TF-IDF baseline", "epochs",
                 "s/epoch", "best epoch", "reference"], rows)
    save_summary("accuracy", summary)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
