"""Click on Train → first point on the chart, for the bundled news sample with default settings.

Measures what the teacher waits for, below the page: from start_run (what the Train
button calls) to the first batch record in metrics.jsonl. The page's live fragment
polls once a second, so the chart shows that point up to 1 s later.

Baseline in the same run: a cold worker (starts Python and imports TensorFlow on
the click) against the prewarmed standby worker the app keeps (JobQueue(prewarm=True)).
Usage: .venv/bin/python bench/first_point.py [--settle 60] [--repeat 2]
Target (issue 3): ≤ 10 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from common import fmt, print_table, save_summary, summary_row

from core import data, jobs
from core.config import DataSpec, ModelSpec, TrainSpec
from core.runs import RunStore


def sample_dataset():
    sample = next(s for s in data.sample_datasets() if s.key == "news")
    spec = DataSpec(text_columns=sample.text_columns, label_column=sample.label_column)
    return data.prepare_dataset(data.load_sample("news"), spec), spec


def first_batch_time(store: RunStore, run_id: str, timeout: float = 300) -> tuple[float, float]:
    """(worker started, first batch record) as wall-clock times."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        records, _ = store.read_metrics(run_id)
        batch = next((r for r in records if r["kind"] == "batch"), None)
        if batch:
            return store.status(run_id)["started"], batch["time"]
        if store.status(run_id).get("status") == "failed":
            raise RuntimeError(store.status(run_id).get("error"))
        time.sleep(0.05)
    raise TimeoutError("no batch point within the timeout")


def measure(prewarm: bool, settle: float) -> dict:
    dataset, data_spec = sample_dataset()
    with tempfile.TemporaryDirectory() as home:
        store = RunStore(Path(home))
        queue = jobs.JobQueue(store, prewarm=prewarm)
        try:
            if prewarm:
                time.sleep(settle)  # a server is up long before anyone presses Train
            click = time.time()
            run_id = jobs.start_run(queue, dataset, data_spec, ModelSpec(), TrainSpec(),
                                    name="first point", source="news sample")
            started, first = first_batch_time(store, run_id)
            queue.stop(run_id)
            queue.wait(run_id, timeout=120)
        finally:
            queue.shutdown()
    return {"worker_started_s": started - click, "first_point_s": first - click}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--settle", type=float, default=60,
                        help="seconds the prewarmed worker gets to import and warm up")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rows, firsts = [], {False: [], True: []}
    for prewarm in (False, True):
        for attempt in range(args.repeat):
            result = measure(prewarm, args.settle)
            name = "prewarmed worker" if prewarm else "cold worker (baseline)"
            print(json.dumps({"worker": name, **result}), flush=True)
            firsts[prewarm].append(result["first_point_s"])
            rows.append([name, attempt + 1, fmt(result["worker_started_s"], 2),
                         fmt(result["first_point_s"], 2), "≤ 10 s (+ ≤ 1 s page poll)"])
    print_table(["worker", "try", "click → training started s", "click → first point s",
                 "target"], rows)
    ours, cold = statistics.median(firsts[True]), statistics.median(firsts[False])
    save_summary("first_point", [summary_row(
        "Train click → first point, s (prewarmed vs cold worker)", ours, cold, cold / ours,
        "≤ 10 s", ours <= 10)])


if __name__ == "__main__":
    main()
