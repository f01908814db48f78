"""Shared helpers for the benchmarks: locate ../shared/data and train through core."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

def chromium_or_skip() -> str | None:
    """Debian's chromium, when it and playwright are there; else None, with SKIP printed."""
    import importlib.util
    import shutil

    chromium = shutil.which("chromium") if importlib.util.find_spec("playwright") else None
    if chromium is None:
        print("SKIP: Debian chromium or the playwright package is missing.")
    return chromium


SHARED_DATA = Path(os.environ.get("LSTM_STUDIO_SHARED_DATA", ROOT.parent / "shared" / "data"))


def require_shared_data() -> Path:
    """Exit 0 with a note when the public datasets are not present (e.g. in CI)."""
    if not SHARED_DATA.exists():
        print(f"SKIP: {SHARED_DATA} not found; benchmarks need the public datasets.")
        sys.exit(0)
    return SHARED_DATA


def train_frame(frame, data_spec, model_spec, train_spec, runs_dir: Path, name: str) -> dict:
    """Prepare, train in a worker process and return the CLI-style summary."""
    from core import data, jobs
    from core.__main__ import _train_summary
    from core.runs import RunStore

    store = RunStore(runs_dir)
    dataset = data.prepare_dataset(frame, data_spec)
    run_id = jobs.create_run(store, dataset, data_spec, model_spec, train_spec, name=name,
                             source=name)
    started = time.time()
    code = jobs.run_in_foreground(store, run_id)
    if code != 0:
        raise RuntimeError(f"{name}: training failed: {store.status(run_id).get('error')}")
    summary = _train_summary(store, run_id)
    summary["wall_seconds"] = time.time() - started
    summary["rows"] = store.spec(run_id)["rows"]
    return summary


def print_table(headers: list[str], rows: list[list]) -> None:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = " | ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def fmt(value, digits=3):
    return "-" if value is None else (f"{value:.{digits}f}" if isinstance(value, float) else str(value))


RESULTS_DIR = ROOT / "bench" / "results"  # git-ignored; bench/summary.py reads it


def save_summary(name: str, rows: list[dict]) -> None:
    """Rows for the one table of bench/summary.py, each stamped with when it was measured.

    Each row: measure, value, baseline, ratio, target (all text) and met (True/False/None).
    A row replaces the stored row of the same key (the measure unless summary_row was
    given one); the others stay, so a partial run (accuracy.py --only bbc) keeps the
    figures it did not measure, with their own times.
    """
    import json

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.summary.json"
    stamped = [{**row, "measured": time.time()} for row in rows]
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = []
    fresh = {row["key"] for row in stamped}
    merged = [row for row in kept if row.get("key", row.get("measure")) not in fresh] + stamped
    path.write_text(json.dumps(merged, indent=1))


def summary_row(measure: str, value, baseline=None, ratio: float | None = None,
                target: str = "-", met: bool | None = None, digits: int = 2,
                key: str | None = None) -> dict:
    """``key`` names what is measured when ``measure`` also carries results (save_summary)."""
    return {"key": key or measure, "measure": measure, "value": fmt(value, digits),
            "baseline": fmt(baseline, digits) if baseline is not None else "-",
            "ratio": f"{ratio:.2f}x" if ratio is not None else "-", "target": target, "met": met}
