"""Memory of models the server builds and drops, with and without full garbage collections.

The Model page builds a Keras model for its summary (core.model.describe_model) each time
the settings change. Keras models hold reference cycles, so only a full gc.collect()
frees them, and the app turned Streamlit's after-every-run collection off for speed
(.streamlit/config.toml); ui.services runs one every 30 s instead. This builds the default
summary 200 times in script-run-like threads, once with no full collections (the baseline)
and once with one after each build, and prints the RSS growth of each.
Usage: .venv/bin/python bench/server_memory.py [--builds 200]
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import threading
from pathlib import Path

from common import print_table  # noqa: E402  (bench/ is on sys.path when run)

ROOT = Path(__file__).resolve().parent.parent


def build_many(builds: int, collect: bool) -> tuple[float, float]:
    import psutil

    sys.path.insert(0, str(ROOT))
    from core import model as model_lib
    from core.config import ModelSpec

    def once():  # Streamlit runs each script run in a thread of its own
        model_lib.describe_model(ModelSpec(), "multiclass", 4, 64, vocab_len=20000)

    me = psutil.Process()
    once()
    start = me.memory_info().rss / 2**20
    for _ in range(builds):
        thread = threading.Thread(target=once)
        thread.start()
        thread.join()
        if collect:
            gc.collect()
    return start, me.memory_info().rss / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=200)
    parser.add_argument("--only", choices=("none", "collect"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:  # one fresh process per variant, so neither inherits the other's heap
        start, end = build_many(args.builds, args.only == "collect")
        print(f"{start:.0f} {end:.0f}")
        return
    rows = []
    for variant, label in (("none", "none (baseline)"), ("collect", "after each build")):
        done = subprocess.run([sys.executable, __file__, "--only", variant, "--builds",
                               str(args.builds)], capture_output=True, text=True, check=True)
        start, end = map(float, done.stdout.split()[-2:])
        rows.append([label, f"{start:.0f}", f"{end:.0f}", f"{end - start:+.0f}"])
    print(f"{args.builds} model summaries built and dropped")
    print_table(["full collections", "start RSS MB", "end RSS MB", "growth MB"], rows)


if __name__ == "__main__":
    main()
