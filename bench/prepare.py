"""What keeping the texts as written costs when a dataset is prepared and saved.

Since each split keeps its texts as written beside the cleaned ones (data.csv's 'written'
column), preparing cleans each text once and keeps both, and data.csv holds both. This
times, on N synthetic short rows (default 1,000,000: the bad-input matrix's "1 million
short rows"), the cleaning step both ways and the saved file with and without the column:

  cleaning     text.clean_texts (cleaned only, the baseline) vs text.cleaned_and_written
  whole prep   read_csv + prepare_dataset + save_dataset, with peak RSS
  data.csv     size with the written column vs the same table without it (the old format)

Usage: .venv/bin/python bench/prepare.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from common import print_table

from core import data, text
from core.config import CleanSpec, DataSpec


def write_rows(path: Path, rows: int) -> None:
    """Short reviews with capitals; one in five holds HTML (a line break, an entity)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("text,label\n")
        handle.writelines(
            f"\"Review {i} says The Film was Good{' &amp; long<br />' if i % 5 == 0 else ''}\","
            f"{i % 2}\n" for i in range(rows))


def timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="bench-prepare-") as folder:
        measure(rows, Path(folder))


def measure(rows: int, folder: Path) -> None:
    write_rows(folder / "rows.csv", rows)

    frame, read_s = timed(lambda: data.read_csv(folder / "rows.csv"))
    texts, spec = frame["text"].tolist(), CleanSpec()
    _, cleaned_s = timed(lambda: text.clean_texts(texts, spec))
    _, both_s = timed(lambda: [text.cleaned_and_written(t, spec) for t in texts])
    dataset, prepare_s = timed(lambda: data.prepare_dataset(
        frame, DataSpec(text_columns=("text",), label_column="label")))
    _, save_s = timed(lambda: data.save_dataset(dataset, folder / "run"))
    with_written = (folder / "run" / data.DATA_FILE).stat().st_size
    # The file as it was before the written texts were kept: the same table less that column.
    table = pd.read_csv(folder / "run" / data.DATA_FILE, dtype=str, keep_default_na=False)
    cleaned_only = len(table.drop(columns=[data.WRITTEN]).to_csv(
        index=False, quoting=csv.QUOTE_ALL, lineterminator="\n").encode("utf-8"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rows:,} rows of ~40 characters, one in five with HTML; peak RSS {peak_mb:,.0f} MB")
    print_table(["measure", "with written texts", "baseline", "ratio"], [
        ["clean every text, s (baseline: cleaned only)", f"{both_s:.2f}", f"{cleaned_s:.2f}",
         f"{both_s / cleaned_s:.2f}x"],
        ["read_csv, s", f"{read_s:.2f}", "-", "-"],
        ["prepare_dataset, s", f"{prepare_s:.2f}", "-", "-"],
        ["save_dataset, s", f"{save_s:.2f}", "-", "-"],
        ["data.csv MB (baseline: without the written column)", f"{with_written / 1e6:.0f}",
         f"{cleaned_only / 1e6:.0f}", f"{with_written / cleaned_only:.2f}x"],
    ])


if __name__ == "__main__":
    sys.exit(main())
