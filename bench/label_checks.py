"""What the Data page's label checks cost when a label column is chosen, for a big column.

The Data page reads the label column (core.labels.canonical_labels) and then asks whether
some labels differ only in capital letters (case_variants) and whether the column is a row
number (looks_like_row_ids), both on the canonical labels: once per file and label column
(core.labels.LabelFacts; until the seventh session, on every page run). This times each
step on N rows (default 1,000,000: the bad-input matrix's "1 million short rows") for a
column of three sentiments and for a column of row ids; the reading is the baseline the
checks add to. `data_page.py` times the whole page.

Usage: .venv/bin/python bench/label_checks.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from common import ROOT, print_table

sys.path.insert(0, str(ROOT))
from core import labels  # noqa: E402


def fastest(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    columns = {"sentiment": pd.Series(rng.choice(["positive", "negative", "neutral"], args.rows)),
               "id": pd.Series(np.arange(args.rows))}
    rows = []
    for name, column in columns.items():
        canonical = labels.canonical_labels(column)
        read = fastest(lambda: labels.canonical_labels(column), args.repeat)
        variants = fastest(lambda: labels.case_variants(canonical), args.repeat)
        row_ids = fastest(lambda: labels.looks_like_row_ids(canonical, name), args.repeat)
        rows.append([name, f"{read:.2f}", f"{variants:.3f}", f"{row_ids:.3f}",
                     f"{(variants + row_ids) / read:.0%}"])
    print(f"{args.rows:,} labels, fastest of {args.repeat}, seconds")
    print_table(["column", "read (canonical_labels)", "case_variants", "looks_like_row_ids",
                 "checks / read"], rows)


if __name__ == "__main__":
    main()
