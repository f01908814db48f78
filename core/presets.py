"""Ready-made architectures for the Model & Train page, and small setting parsers.

A preset is a (ModelSpec, TrainSpec) pair with a plain title. The tutorial
presets copy the settings of well-known LSTM text tutorials so a class can
compare them with the product's tuned default.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from core.config import ModelSpec, TrainSpec
from core.errors import SpecError

# Fewer steps than this per epoch and the curves barely move on a small dataset.
MIN_BATCHES_PER_EPOCH = 5
MIN_BATCH_SIZE = 16


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    description: str
    model: ModelSpec
    train: TrainSpec

    def for_rows(self, n_train: int | None) -> tuple[ModelSpec, TrainSpec]:
        """The specs, with the batch size shrunk when the training split is small."""
        batch = fit_batch_size(self.train.batch_size, n_train)
        return self.model, dataclasses.replace(self.train, batch_size=batch)


def _tutorial_lstm(units: tuple[int, ...], bidirectional: bool) -> ModelSpec:
    # Embedding 25 and 50 tokens as in the classic "LSTM in Keras" sentiment tutorial.
    return ModelSpec(units=units, bidirectional=bidirectional, embedding_dim=25, max_tokens=50)


_TUTORIAL_TRAIN = TrainSpec(optimizer="rmsprop", batch_size=512, epochs=10)

PRESETS: tuple[Preset, ...] = (
    Preset("recommended", "Recommended (fast BiLSTM)",
           "One bidirectional LSTM of 64 units that reads each text both ways; "
           "a good start for most data.", ModelSpec(), TrainSpec()),
    Preset("tiny", "Tiny (classroom demo, seconds)",
           "A very small LSTM that trains in seconds, so a class can watch the loss fall.",
           ModelSpec(units=(16,), bidirectional=False, embedding_dim=32, max_tokens=60,
                     vocab_size=5000, dropout=0.1),
           TrainSpec(epochs=6, batch_size=32, learning_rate=0.01, early_stopping_patience=None)),
    Preset("lstm50", "Single LSTM(50)",
           "Tutorial setting: one LSTM of 50 units reading left to right, 25-number word "
           "vectors, the first 50 tokens, RMSprop.", _tutorial_lstm((50,), False), _TUTORIAL_TRAIN),
    Preset("bilstm50", "Single BiLSTM(50)",
           "The same tutorial setting, but the LSTM reads each text in both directions.",
           _tutorial_lstm((50,), True), _TUTORIAL_TRAIN),
    Preset("stacked_lstm", "Stacked LSTM 50/60/75",
           "Three LSTM layers (50, 60 and 75 units), each reading the previous one's output.",
           _tutorial_lstm((50, 60, 75), False), _TUTORIAL_TRAIN),
    Preset("stacked_bilstm", "Stacked BiLSTM 50/60/75",
           "Three bidirectional LSTM layers (50, 60 and 75 units); the slowest preset.",
           _tutorial_lstm((50, 60, 75), True), _TUTORIAL_TRAIN),
    Preset("bbc", "BBC tutorial BiLSTM(64)",
           "The BBC news tutorial: 5,000 words, 200 tokens, 64-number word vectors, "
           "a BiLSTM of 64 units and a dense layer of 64.",
           ModelSpec(units=(64,), bidirectional=True, embedding_dim=64, dense_layers=(64,),
                     vocab_size=5000, max_tokens=200, dropout=0.0),
           TrainSpec(epochs=10, batch_size=32, early_stopping_patience=None)),
)
DEFAULT_PRESET = PRESETS[0].key


def preset(key: str) -> Preset:
    for item in PRESETS:
        if item.key == key:
            return item
    raise SpecError(f"There is no preset called '{key}'.")


def fit_batch_size(batch_size: int, n_train: int | None) -> int:
    """Halve the batch size until an epoch has a few steps (never below 16)."""
    if not n_train:
        return batch_size
    while batch_size > MIN_BATCH_SIZE and n_train / batch_size < MIN_BATCHES_PER_EPOCH:
        batch_size = max(MIN_BATCH_SIZE, batch_size // 2)
    return batch_size


def parse_layer_sizes(value: str) -> tuple[int, ...]:
    """ "64, 32" -> (64, 32); "" -> (). Refuses anything but whole numbers above 0."""
    parts = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise SpecError("Write the dense layer sizes as whole numbers separated by commas, "
                        "for example 64, 32 (or leave the box empty for none).") from None
    if any(size < 1 for size in sizes):
        raise SpecError("Each dense layer needs at least 1 unit.")
    if len(sizes) > 4:
        raise SpecError("Use at most 4 dense layers.")
    return sizes


def format_layer_sizes(sizes: tuple[int, ...]) -> str:
    return ", ".join(str(size) for size in sizes)


def architecture_name(spec: ModelSpec) -> str:
    """A short label such as "BiLSTM 64" or "GRU 50/60/75 + dense 64"."""
    return architecture_words(spec.rnn, spec.units, spec.bidirectional, spec.dense_layers,
                              spec.pooling)


# Named in the architecture: two runs that differed only here looked the same (QA).
POOLING_TAGS = {"mean": "average of words", "max": "strongest signal"}
POOLING_WORDS = {"last": "the final state", "mean": "the average over all words",
                 "max": "the strongest signal"}


def architecture_words(rnn: str, units, bidirectional: bool, dense_layers=(),
                       pooling: str = "last") -> str:
    """architecture_name from the parts, as a saved spec holds them (one name everywhere:
    the runs table once read "GRU 16-8" for Model & Train's "GRU 16/8")."""
    name = f"{'Bi' if bidirectional else ''}{str(rnn).upper()} {'/'.join(map(str, units))}"
    if pooling in POOLING_TAGS:
        name += f" ({POOLING_TAGS[pooling]})"
    if dense_layers:
        name += " + dense " + "/".join(map(str, dense_layers))
    return name
