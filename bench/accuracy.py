"""Accuracy with DEFAULT settings on the public tutorial datasets.

Prints a table beside the tutorials' published figures and the TF-IDF
baseline trained on the same split. Usage:

    .venv/bin/python bench/accuracy.py [--only bbc,clothing_reg,clothing_cls,ag_news] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import fmt, print_table, require_shared_data, train_frame

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="bbc,clothing_reg,clothing_cls,ag_news")
    parser.add_argument("--epochs", type=int, help="override the default epochs (smoke runs)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    shared = require_shared_data()
    train_spec = TrainSpec() if args.epochs is None else TrainSpec(epochs=args.epochs)
    rows, results = [], {}
    runs_dir = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
    for key, (frame, data_spec) in cases(shared).items():
        if key not in args.only.split(","):
            continue
        summary = train_frame(frame, data_spec, ModelSpec(), train_spec, runs_dir, key)
        results[key] = summary
        metric, published, source = TUTORIAL[key]
        ours = summary["test_rmse"] if metric == "rmse" else summary["test_accuracy"]
        base = summary["baseline_rmse"] if metric == "rmse" else summary["baseline_accuracy"]
        extra = f" (RMSE {summary['test_rmse']:.3f})" if key == "clothing_cls" else ""
        seconds = summary["epoch_seconds"]
        rows.append([key, metric, fmt(ours) + extra, fmt(published), fmt(base),
                     len(seconds), fmt(sum(seconds) / len(seconds), 1), summary["best_epoch"],
                     source])
        print(json.dumps({key: summary}), flush=True)
    print()
    print_table(["task", "metric", "LSTM Studio (test)", "tutorial", "TF-IDF baseline", "epochs",
                 "s/epoch", "best epoch", "reference"], rows)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
