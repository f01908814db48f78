"""How long the Data page takes per click on a big upload, for several kinds of label column.

Uploads N rows (default 1,000,000 short texts: the bad-input matrix's "1 million short rows")
with three candidate label columns: a sentiment (3 classes), a score (a number with many
values) and a row id. For each label column it times the click that chooses it (the data is
then prepared again) and a later click that changes no data setting (any click on the page
but the column, cleaning and split choices), through Streamlit's AppTest. The baseline, in
the same run, is the page with the sentiment as the label (the upload already chose it):
its label checks cost next to nothing, so the other rows show what a big label column adds.

Usage: .venv/bin/python bench/data_page.py [--rows 1000000] [--reruns 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from common import ROOT, print_table

sys.path.insert(0, str(ROOT))
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import state  # noqa: E402

LABELS = ("sentiment", "score", "id")


def csv_bytes(rows: int) -> bytes:
    rng = np.random.default_rng(0)
    moods = rng.choice(["positive", "negative", "neutral"], rows)
    scores = rng.uniform(0, 100, rows)
    lines = ["message,sentiment,score,id"] + [
        f"a message number {i} about things,{moods[i]},{scores[i]:.2f},{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reruns", type=int, default=3)
    args = parser.parse_args()
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=900)
    at.run()
    at.file_uploader(key=state.W_UPLOAD).set_value(("big.csv", csv_bytes(args.rows), "text/csv"))
    upload = timed_run(at)
    rows, base = [], None
    for label in LABELS:
        already = at.selectbox(key=state.W_LABEL_COLUMN).value == label
        at.selectbox(key=state.W_LABEL_COLUMN).set_value(label)
        choose = timed_run(at)
        reruns = []
        for _ in range(args.reruns):  # a click that changes no data setting: no preparing
            reruns.append(timed_run(at))
        rerun = statistics.median(reruns)
        base = base or rerun
        rows.append([label, f"{choose:.2f}" + (" (chosen on upload)" if already else ""), f"{rerun:.2f}", f"{rerun / base:.2f}x"])
    print(f"{args.rows:,} rows; upload {upload:.1f} s; seconds per click (AppTest), median of "
          f"{args.reruns} page runs")
    print_table(["label column", "choosing it", "a later click", "vs sentiment"], rows)


if __name__ == "__main__":
    main()
