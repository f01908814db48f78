"""Typed specs that describe a run, and project-wide settings.

Every spec is a frozen dataclass so it can be hashed, cached, compared and
stored as JSON in a run's ``spec.json`` without surprises.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

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


def _tuple_fields(cls, data: dict) -> dict:
    known = {f.name: f for f in dataclasses.fields(cls)}
    out = {}
    for key, value in data.items():
        if key not in known:
            continue  # tolerate specs written by newer versions
        if isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return out


def clean_from_dict(data: dict) -> CleanSpec:
    return CleanSpec(**_tuple_fields(CleanSpec, data))


def data_from_dict(data: dict) -> DataSpec:
    fields = _tuple_fields(DataSpec, data)
    fields["clean"] = clean_from_dict(data.get("clean") or {})
    return DataSpec(**fields)


def model_from_dict(data: dict) -> ModelSpec:
    return ModelSpec(**_tuple_fields(ModelSpec, data))


def train_from_dict(data: dict) -> TrainSpec:
    return TrainSpec(**_tuple_fields(TrainSpec, data))
