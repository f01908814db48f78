"""Shared, cached objects: the job queue (one per server) and loaded models."""

from pathlib import Path

import streamlit as st

from core import jobs, runs
from core.errors import StudioError


@st.cache_resource
def job_queue() -> jobs.JobQueue:
    """One queue for every session; its creation also marks dead runs as interrupted."""
    return jobs.JobQueue(runs.RunStore(), prewarm=True)


def store() -> runs.RunStore:
    return job_queue().store


@st.cache_resource(max_entries=4, show_spinner="Loading the model…")
def _cached_predictor(model_path: str, mtime: float, metadata_key: tuple):
    from core import predictor as predictor_lib

    task, class_names, clean_items = metadata_key
    metadata = {"task": task, "class_names": list(class_names), "clean": dict(clean_items)}
    return predictor_lib.load_predictor(Path(model_path), metadata)


def predictor(run_id: str):
    """The run's model, loaded once per file version and shared (read-only use)."""
    run_store = store()
    path = run_store.model_path(run_id)
    if not path.exists():
        raise StudioError("This run has no saved model yet. Wait for its first epoch to finish.")
    spec = run_store.spec(run_id)
    clean = tuple(sorted((spec.get("data") or {}).get("clean", {}).items()))
    key = (spec["task"], tuple(spec.get("class_names", [])), clean)
    return _cached_predictor(str(path), path.stat().st_mtime, key)
