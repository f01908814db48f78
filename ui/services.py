"""Shared, cached objects: the job queue (one per server) and loaded models."""

import json
from pathlib import Path

import streamlit as st

from core import jobs, runs
from core import predictor as predictor_lib
from core.errors import StudioError


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
