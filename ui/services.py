"""Shared, cached objects (the job queue, loaded models) and the server's runtime settings.

The last two, keep_keras_between_runs and periodic_garbage_collection, undo Streamlit
defaults that cost every click ~0.1 s once TensorFlow is loaded (bench/README.md, Load).
"""

import gc
import json
import sys
import threading
from pathlib import Path

import streamlit as st

from core import jobs, runs
from core import predictor as predictor_lib
from core.errors import StudioError

GC_EVERY_S = 30.0  # full garbage collections, now that Streamlit does none after each run


@st.cache_resource
def job_queue() -> jobs.JobQueue:
    """One queue for every session; its creation also marks dead runs as interrupted."""
    return jobs.JobQueue(runs.RunStore(), prewarm=True)


def store() -> runs.RunStore:
    return job_queue().store


@st.cache_resource(max_entries=4, show_spinner="Loading the model…")
def _cached_predictor(model_path: str, mtime: float, metadata_json: str):
    return predictor_lib.load_predictor(Path(model_path), json.loads(metadata_json))


def predictor(run_id: str):
    """The run's model, loaded once per file version and shared (read-only use)."""
    run_store = store()
    path = run_store.model_path(run_id)
    if not path.exists():
        raise StudioError("This run has no saved model yet. Wait for its first epoch to finish.")
    # A JSON string is a hashable cache key for the metadata dict.
    metadata = json.dumps(predictor_lib.run_metadata(run_store.spec(run_id)), sort_keys=True)
    return _cached_predictor(str(path), path.stat().st_mtime, metadata)


def _close_matplotlib_figures() -> None:
    """What Streamlit's after-run cleanup does besides resetting Keras."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except Exception:  # noqa: BLE001 (as Streamlit: never break a page for this)
            pass


def keep_keras_between_runs() -> bool:
    """Stop Streamlit from resetting Keras after every script run.

    Streamlit 1.67 calls keras.backend.clear_session() when any script run ends: a full
    gc.collect() (0.11 s with the GIL held, measured with a model loaded) and an emptied
    TensorFlow kernel cache, so the next prediction took 58 ms instead of 2.4 ms. With
    ten sessions clicking, that was most of the server's CPU (bench/load.py). LSTM
    Studio keeps its models in st.cache_resource on purpose, and builds none in the
    server that need Keras' global name counters reset. Returns False (and changes
    nothing) if a Streamlit upgrade moved the hook; tests/app checks it is in place.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _close_matplotlib_figures
    return True


def collect_garbage_every(seconds: float) -> threading.Event:
    """A daemon thread running a full gc.collect() every ``seconds``; set the event to stop it.

    Keras models hold reference cycles, so a model the server builds and drops (the Model
    page's summary, an evicted cached model) is freed only by a full collection: without
    one, 200 summaries built and dropped added 198 MB of RSS, with one after each 7 MB
    (bench/server_memory.py). Streamlit's own collection after every script run cost
    every click 0.11 s (see .streamlit/config.toml); one every 30 s costs ~0.4% of a core.
    """
    stop = threading.Event()

    def loop():
        while not stop.wait(seconds):
            gc.collect()

    threading.Thread(target=loop, name="lstm-studio-gc", daemon=True).start()
    return stop


@st.cache_resource
def periodic_garbage_collection() -> threading.Event:
    """One collector thread per server process."""
    return collect_garbage_every(GC_EVERY_S)
