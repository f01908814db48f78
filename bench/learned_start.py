"""A one-way network's training step: the learned start read once per batch vs with every text.

Both arrangements train the same weights (tests/unit/test_training.py); this times
one training step of each on the same batch, interleaved in one process so the
machine's noise falls on both. Batch 512, embedding 25, rmsprop, as bench/speed.py;
random token ids, so no shared data is needed.

Usage: .venv/bin/python bench/learned_start.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")  # the training worker's setting on 2 cores

import numpy as np  # noqa: E402

from common import save_summary, summary_row  # noqa: E402  (bench/ is on sys.path when run)
from core import model as model_lib  # noqa: E402
from core import training  # noqa: E402
from core import trainer as trainer_lib  # noqa: E402
from core.config import ModelSpec  # noqa: E402

BATCH, VOCAB, CLASSES = 512, 20_000, 4
CASES = (("LSTM(50), 25 tokens", 25, (50,)), ("LSTM(50), 50 tokens", 50, (50,)),
         ("stacked LSTM 50/60/75, 50 tokens", 50, (50, 60, 75)))


def trainer(spec: ModelSpec, start_once: bool):
    import keras

    keras.utils.set_random_seed(1)
    net = model_lib.build_model(spec, "multiclass", CLASSES, VOCAB, padding_mask=False)
    model = trainer_lib.training_model(net, training.split_parts(spec, BATCH), start_once)
    model_lib.compile_model(model, "multiclass", "rmsprop", 1e-3)
    return model


def step_ms(tokens: int, units: tuple[int, ...], rounds: int) -> tuple[float, float]:
    """Median ms per training step: (start with every text, start once per batch)."""
    spec = ModelSpec(units=units, bidirectional=False, embedding_dim=25, max_tokens=tokens,
                     vocab_size=VOCAB, dropout=0.0)
    rng = np.random.default_rng(0)
    ids = rng.integers(2, VOCAB, size=(BATCH, tokens)).astype("int32")
    y = rng.integers(0, CLASSES, size=BATCH)
    times = interleaved_step_ms({False: trainer(spec, False), True: trainer(spec, True)}, ids, y, rounds)
    return times[False], times[True]


def interleaved_step_ms(models: dict, ids, y, rounds: int) -> dict:
    """Median ms per training step of each model, all timed in turns so noise falls on each."""
    for model in models.values():
        model.train_on_batch(ids, y)  # traces the step
    times = {key: [] for key in models}
    for _ in range(rounds):
        for key, model in models.items():
            started = time.perf_counter()
            for _ in range(5):
                model.train_on_batch(ids, y)
            times[key].append((time.perf_counter() - started) / 5 * 1000)
    return {key: float(np.median(values)) for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print("network                          | start with every text | start once per batch | speed-up")
    rows = []
    for name, tokens, units in CASES:
        per_text, once = step_ms(tokens, units, args.rounds)
        print(f"{name:32} | {per_text:18.1f} ms | {once:17.1f} ms | {per_text / once:.2f}x")
        rows.append(summary_row(f"{name}: ms per training step (baseline: start with every text)",
                                once, per_text, per_text / once, digits=1))
    save_summary("learned_start", rows)


if __name__ == "__main__":
    main()
