"""All runs side by side: one row per run, like a tutorial's results summary."""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from core import config, labels, presets
from core import runs as runs_lib

WEIGHTS_MEMBER = "model.weights.h5"
COLUMNS = ("name", "status", "data", "task", "architecture", "max tokens", "embedding", "units",
           "params", "epochs", "test accuracy", "test RMSE", "baseline accuracy",
           "baseline RMSE", "seconds/epoch", "created")


def architecture(model_spec: dict | None) -> str:
    """"BiLSTM 64", "LSTM 50/60/75", "GRU 32 (average of words)"; "imported" when unknown."""
    if not model_spec or not model_spec.get("units"):
        return "imported"
    return presets.architecture_words(
        model_spec.get("rnn", "lstm"), model_spec["units"], bool(model_spec.get("bidirectional")),
        model_spec.get("dense_layers") or (), model_spec.get("pooling", "last"))


def _count_params(weights: bytes) -> int | None:
    import h5py  # a Keras dependency; reads layer shapes without TensorFlow

    total = 0

    def visit(name, obj):
        nonlocal total
        # Optimizer slots and RNG states are stored too but are not model parameters.
        if isinstance(obj, h5py.Dataset) and "/vars/" in f"/{name}" \
                and "optimizer" not in name and "seed_generator" not in name:
            total += int(np.prod(obj.shape)) if obj.shape else 1

    with h5py.File(io.BytesIO(weights), "r") as handle:
        handle.visititems(visit)
    return total or None


@functools.lru_cache(maxsize=256)
def _params_cached(path: str, mtime: float, size: int) -> int | None:
    try:
        with zipfile.ZipFile(path) as archive:
            return _count_params(archive.read(WEIGHTS_MEMBER))
    except Exception:  # an unreadable file just leaves the cell empty
        return None


def model_params(model_path: Path) -> int | None:
    """Parameters stored in a ``model.keras`` (cached per file version), or None."""
    try:
        stat = Path(model_path).stat()
    except OSError:
        return None
    return _params_cached(str(model_path), stat.st_mtime, stat.st_size)


def _embedding(model_spec: dict) -> str | None:
    dim = model_spec.get("embedding_dim")
    if model_spec.get("glove_path"):
        frozen = "" if model_spec.get("trainable_embedding", True) else ", frozen"
        return f"GloVe {dim or ''}".strip() + frozen
    return None if dim is None else str(dim)


def _score_cells(task: str, data_spec: dict, report: dict) -> dict:
    metrics, base = report.get("metrics") or {}, report.get("baseline") or {}
    if task == config.TASK_REGRESSION:
        rmse, base_rmse = metrics.get("rmse"), base.get("rmse")
    elif labels.classes_are_ordered(task, metrics.get("class_names") or (),
                                    str(data_spec.get("label_column")), data_spec.get("ordered")):
        rmse, base_rmse = metrics.get("ordinal_rmse"), base.get("rmse")  # ratings as classes
    else:
        rmse = base_rmse = None  # topic codes 1-4 are names, not amounts
    return {"test accuracy": metrics.get("accuracy"), "test RMSE": rmse,
            "baseline accuracy": base.get("accuracy"), "baseline RMSE": base_rmse}


def status_words(run: runs_lib.RunInfo) -> str:
    """The status column: what a run's state means for its results, in a few words."""
    broke_in, kept = run.state.get("diverged_in"), run.state.get("best_epoch")
    if broke_in and kept:  # browser QA: such a run read "finished", like a healthy one
        return f"broke down in epoch {broke_in}; epoch {kept} kept"
    if run.stopped_before_start:
        return "stopped while waiting"
    if run.spec.get("imported"):
        return "imported"
    return run.status


def _data_name(source: str | None) -> str | None:
    """The sample's title or the file's name (the CLI records a path: its last part)."""
    if not source:
        return None
    return str(source).replace("\\", "/").rsplit("/", 1)[-1] or None


def run_row(store: runs_lib.RunStore, run: runs_lib.RunInfo) -> dict:
    model = run.spec.get("model") or {}
    seconds = [float(s) for s in run.state.get("epoch_seconds") or []]
    seconds = seconds[1:] or seconds  # the first epoch also builds the graph: not typical
    report = store.read_json(run.run_id, "eval.json", {}) or {}
    has_model = store.has_model(run.run_id)
    return {
        "name": run.name, "status": status_words(run),
        "data": _data_name(run.spec.get("source")),  # QA: which runs learned from the same texts
        "task": run.task_words,
        "architecture": architecture(model),
        "max tokens": model.get("max_tokens"),
        "embedding": _embedding(model),
        "units": "/".join(str(u) for u in model.get("units") or []) or None,
        "params": model_params(store.model_path(run.run_id)) if has_model else None,
        "epochs": run.state.get("epochs_done"),
        **_score_cells(run.task, run.spec.get("data") or {}, report),
        "seconds/epoch": float(np.mean(seconds)) if seconds else None,
        "created": pd.Timestamp.fromtimestamp(run.created) if run.created else pd.NaT,  # local time
    }


def runs_table(store: runs_lib.RunStore) -> pd.DataFrame:
    """One row per run, newest first, indexed by run id."""
    runs = store.list_runs()
    rows = [run_row(store, run) for run in runs]
    table = pd.DataFrame(rows, columns=list(COLUMNS), index=pd.Index(
        [run.run_id for run in runs], name="run id"))
    for column in ("max tokens", "params", "epochs"):
        table[column] = pd.array(table[column], dtype="Int64")
    return table


@dataclass(frozen=True)
class CurveOnAnother:
    """A run whose curve lies on another run's: for every epoch it ran (``whole``: a rerun
    with fewer epochs), or for its first ``epochs`` and then parting from it (a run stopped
    and trained more goes on with other shuffles than the same run trained without a stop)."""

    run: str
    under: str
    epochs: int
    whole: bool


def curves_on_others(runs: Mapping[str, Sequence[Mapping]], metric: str) -> list[CurveOnAnother]:
    """The runs whose by-epoch ``metric`` curve starts on another's (two epochs or more), each
    against the run it shares the most epochs with. Those are drawn dashed; the rest solid.

    Runs with the same data, settings and seed train alike, and one line then hid the
    others (QA). The longest curve stays solid; of two as long, the one more others lie on
    (QA22: a plain run was dashed under the run stopped and trained more, and a rerun lying
    on it vanished). A point is no line, so it only joins other points: three one-epoch runs
    drew one dot under a legend of three (QA).
    """
    curves = {label: curve for label, curve in _epoch_curves(runs, metric).items() if curve}

    def shared(one: str, other: str) -> int:
        return _shared_epochs(curves[one], curves[other])

    def lain_on(label: str) -> int:
        return sum(n for other in curves if other != label and (n := shared(label, other)) >= 2)

    found, placed = [], []
    for label in sorted(curves, key=lambda label: (-len(curves[label]), -lain_on(label))):
        points = [o for o in placed if len(curves[label]) > 1 or len(curves[o]) == 1]
        under = max(points, key=lambda other: shared(other, label), default=None)
        epochs = shared(under, label) if under else 0
        if epochs >= 2 or (under and epochs == len(curves[label]) == len(curves[under])):
            found.append(CurveOnAnother(label, under, epochs, whole=epochs == len(curves[label])))
        placed.append(label)
    return found


def _epoch_curves(runs: Mapping[str, Sequence[Mapping]], metric: str) -> dict[str, tuple]:
    return {label: tuple((r["epoch"], r[metric]) for r in records
                         if r.get("kind") == "epoch" and r.get(metric) is not None)
            for label, records in runs.items()}


def _shared_epochs(one: tuple, other: tuple) -> int:
    return next((i for i, (a, b) in enumerate(zip(one, other)) if a != b), min(len(one), len(other)))
