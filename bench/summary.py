"""One table of every benchmark figure: measured value, baseline, ratio, target, met.

Reads the bench/results/*.summary.json files the benchmarks write (run_all.sh runs
them first). Usage: .venv/bin/python bench/summary.py
"""

from __future__ import annotations

import json
import time

from common import RESULTS_DIR, print_table

ORDER = ["speed_isolated", "speed_same_process", "learned_start", "first_point", "micro", "explain_sizes", "memory",
         "page_overhead", "load", "load_think3", "first_chart", "accuracy"]


def main():
    files = {f.name.removesuffix(".summary.json"): f for f in RESULTS_DIR.glob("*.summary.json")}
    if not files:
        print(f"No results in {RESULTS_DIR}; run bash bench/run_all.sh first.")
        return
    rows = []
    for name in sorted(files, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        file_time = files[name].stat().st_mtime
        for row in json.loads(files[name].read_text()):
            when = time.strftime("%d %b %H:%M", time.localtime(row.get("measured", file_time)))
            met = {True: "yes", False: "NO", None: "-"}[row["met"]]
            rows.append([name, row["measure"], row["value"], row["baseline"], row["ratio"],
                         row["target"], met, when])
    print_table(["bench", "measure", "value", "baseline", "ratio", "target", "met", "measured"],
                rows)


if __name__ == "__main__":
    main()
