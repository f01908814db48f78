"""Typed specs that describe a run, and project-wide settings.

Every spec is a frozen dataclass so it can be hashed, cached, compared and
stored as JSON in a run's ``spec.json`` without surprises.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import SpecError

TASK_BINARY = "binary"
TASK_MULTICLASS = "multiclass"
TASK_REGRESSION = "regression"
TASKS = (TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "sample_data"

# Above this many distinct labels a column is not treated as categories.
MAX_CLASSES = 50
# Uploads above this size are refused before parsing (bytes).
MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_MODEL_BYTES = 200 * 1024 * 1024


def runs_home() -> Path:
    """Where the run store lives: ``$LSTM_STUDIO_HOME`` or ``runs/`` in the repo."""
    return Path(os.environ.get("LSTM_STUDIO_HOME") or PROJECT_ROOT / "runs")


def worker_limit() -> int:
    """How many trainings may run at once (``$LSTM_STUDIO_WORKERS``, default 1)."""
    try:
        return max(1, int(os.environ.get("LSTM_STUDIO_WORKERS", "1")))
    except ValueError:
        return 1


def worker_nice() -> int:
    """How far below the server a training worker runs (``$LSTM_STUDIO_WORKER_NICE``, default 10).

    People wait on pages and explanations; nobody waits on one more batch. At equal
    priority a training took a full core of a 2-core server and pages queued behind
    it (bench/load.py). 0 keeps training at the server's priority.
    """
    try:
        return max(0, min(19, int(os.environ.get("LSTM_STUDIO_WORKER_NICE", "10"))))
    except ValueError:
        return 10


@dataclass(frozen=True)
class CleanSpec:
    """How raw text is cleaned before the model sees it (applied at predict time too)."""

    lowercase: bool = True
    strip_html: bool = True
    remove_stopwords: bool = False
    max_words: int | None = None  # keep only the first N words
    drop_empty: bool = True
    drop_duplicates: bool = True


@dataclass(frozen=True)
class DataSpec:
    """Which columns to use and how to split them."""

    text_columns: tuple[str, ...]
    label_column: str
    task: str | None = None  # None: infer from the labels
    # Numbered classes (ratings 1-5) form a scale, so "how far off" means something;
    # topic codes 1-4 do not. None: judged from the label column's name.
    ordered: bool | None = None
    # Labels that differ only in capital letters ("Positive", "positive") as one class.
    merge_label_case: bool = False
    clean: CleanSpec = field(default_factory=CleanSpec)
    valid_fraction: float = 0.1
    test_fraction: float = 0.1
    seed: int = 42


@dataclass(frozen=True)
class ModelSpec:
    """The network architecture. Defaults are the product's tuned defaults."""

    rnn: str = "lstm"  # "lstm" or "gru"
    units: tuple[int, ...] = (64,)  # one entry per stacked layer (1-4)
    bidirectional: bool = True
    dropout: float = 0.2
    recurrent_dropout: float = 0.0
    # How the last recurrent layer's outputs become one vector per text:
    # "last" keeps its final state; "mean"/"max" pool over every real token.
    pooling: str = "last"
    dense_layers: tuple[int, ...] = ()
    embedding_dim: int = 64
    glove_path: str | None = None  # GloVe-format text file; overrides embedding_dim
    trainable_embedding: bool = True
    vocab_size: int = 20000
    max_tokens: int = 200  # tokens kept per text
    min_freq: int = 1


@dataclass(frozen=True)
class TrainSpec:
    """How the network is fitted."""

    optimizer: str = "adam"  # adam, rmsprop, sgd, adamw
    learning_rate: float = 1e-3
    # Small batches give small datasets enough updates per epoch (BBC: 94% -> 96%
    # validation with 32 vs 64; see bench/README.md).
    batch_size: int = 32
    epochs: int = 15
    early_stopping_patience: int | None = 3  # None: train all epochs
    class_weights: bool = False
    seed: int = 42


def to_dict(spec) -> dict:
    """A JSON-ready dict of any spec (tuples become lists)."""
    return dataclasses.asdict(spec)


def _checked_fields(cls, data, where: str) -> dict:
    """The fields of ``cls`` found in ``data``, each checked against its annotation.

    Specs come from our own spec.json files and from hand-written ``--config`` files, so a
    wrong type (``"units": 64``, ``"bidirectional": "no"``) must become a plain message,
    not a traceback or, worse, a setting silently read the wrong way.
    """
    if not isinstance(data, dict):
        raise SpecError(f"The '{where}' settings must be a JSON object, such as {{}}.")
    hints = typing.get_type_hints(cls)
    # Unknown keys are skipped (specs written by newer versions); the caller reads "clean".
    return {key: _checked_value(hints[key], value, f"{where}.{key}")
            for key, value in data.items() if key in hints and hints[key] is not CleanSpec}


_KIND_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a text"}
_LIST_WORDS = {int: "whole numbers, such as [64]", str: "texts, such as [\"title\"]"}


def _checked_value(kind, value, name: str):
    if isinstance(kind, types.UnionType):  # X | None
        if value is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if typing.get_origin(kind) is tuple:  # tuple[int, ...] or tuple[str, ...]
        item = typing.get_args(kind)[0]
        if not isinstance(value, list | tuple) or not all(_fits(item, v) for v in value):
            raise SpecError(f"Setting '{name}' must be a list of {_LIST_WORDS[item]}, "
                            f"not {json.dumps(value)}.")
        return tuple(value)
    if not _fits(kind, value):
        raise SpecError(f"Setting '{name}' must be {_KIND_WORDS[kind]}, not {json.dumps(value)}.")
    return float(value) if kind is float else value


def _fits(kind, value) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return _is_whole(value)
    if kind is float:
        return _is_whole(value) or isinstance(value, float) and math.isfinite(value)
    return isinstance(value, kind)


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_from_dict(data: dict) -> CleanSpec:
    return CleanSpec(**_checked_fields(CleanSpec, data, "data.clean"))


def data_from_dict(data: dict) -> DataSpec:
    fields = _checked_fields(DataSpec, data, "data")
    fields["clean"] = clean_from_dict(data.get("clean") or {})
    return DataSpec(**fields)


def model_from_dict(data: dict) -> ModelSpec:
    return ModelSpec(**_checked_fields(ModelSpec, data, "model"))


def train_from_dict(data: dict) -> TrainSpec:
    return TrainSpec(**_checked_fields(TrainSpec, data, "train"))


def validate_train_spec(spec: TrainSpec) -> None:
    """Raise SpecError for training settings no run can use (the page's widgets cannot
    produce these; a hand-written config can)."""
    if not 1 <= spec.epochs <= 1000:
        raise SpecError("Epochs must be between 1 and 1,000.")
    if not 1 <= spec.batch_size <= 65536:
        raise SpecError("Batch size must be between 1 and 65,536.")
    if not 0 < spec.learning_rate <= 10:
        raise SpecError("The learning rate must be above 0 and at most 10.")
    if spec.early_stopping_patience is not None and spec.early_stopping_patience < 1:
        raise SpecError("Early stopping's patience must be at least 1 epoch (or null for none).")
