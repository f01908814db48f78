"""Peak memory (RSS) of a training worker on 120,000 texts × 50 tokens, one epoch.

Baseline in the same run: a process that only imports TensorFlow and Keras (the floor
any TF training pays). Data: AG News rows repeated to 120k (texts differ only by row order,
which is what matters for memory). Usage: .venv/bin/python bench/memory.py [--rows 120000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from common import ROOT, print_table, require_shared_data, save_summary, summary_row


def peak_rss_mb(command: list[str]) -> float:
    """Run a child and return its peak RSS (MB) from the kernel's accounting."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after <= before:
        print("note: an earlier child had a higher peak; run this benchmark alone", file=sys.stderr)
    return after / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=120_000)
    args = parser.parse_args()
    shared = require_shared_data()
    ag = pd.read_csv(shared / "ag_news" / "test.csv", header=None, names=["label", "title", "body"])
    big = pd.concat([ag] * (args.rows // len(ag) + 1)).head(args.rows)
    floor = peak_rss_mb([sys.executable, "-c", "import tensorflow, keras"])
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "big.csv"
        big.to_csv(csv, index=False)
        config = Path(tmp) / "spec.json"
        config.write_text(json.dumps({
            "model": {"units": [50], "bidirectional": True, "embedding_dim": 25, "max_tokens": 50,
                      "vocab_size": 20000, "dropout": 0.0},
            "train": {"epochs": 1, "batch_size": 512, "optimizer": "rmsprop",
                      "early_stopping_patience": None},
            "data": {"clean": {"drop_duplicates": False}}}))
        training = peak_rss_mb([sys.executable, "-m", "core", "train", "--csv", str(csv),
                                "--text", "title", "--text", "body", "--label", "label",
                                "--config", str(config), "--runs-dir", str(Path(tmp) / "runs"),
                                "--quiet"])
    print_table(["measure", "peak RSS (MB)", "target"], [
        [f"training worker, {args.rows:,} × 50 tokens, BiLSTM(50), 1 epoch", f"{training:.0f}",
         "≤ 2048"],
        ["baseline: python -c 'import tensorflow, keras'", f"{floor:.0f}", "-"],
    ])
    print("RUSAGE_CHILDREN reports the largest single finished descendant: the training worker.")
    save_summary("memory", [summary_row(
        f"peak RSS MB, training {args.rows:,} × 50 tokens (baseline: importing TensorFlow)",
        training, floor, target="≤ 2048 MB", met=training <= 2048, digits=0)])


if __name__ == "__main__":
    main()
