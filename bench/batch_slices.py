"""A one-way network's training step with each batch cut into 1, 2, 3 or 4 slices.

core.trainer cuts a one-way network's big batches in two (split_batch_parts), so the
two halves run as two chains of LSTM steps on the two cores. This times one training
step of LSTM(50) at 25 and 50 tokens, batch 512, for each slice count, interleaved in one
process so the machine's noise falls on all. Random token ids: no shared data needed.

Usage: .venv/bin/python bench/batch_slices.py [--rounds 12]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")  # the training worker's setting on 2 cores

import numpy as np  # noqa: E402

from common import save_summary, summary_row  # noqa: E402  (bench/ is on sys.path when run)
from core import model as model_lib  # noqa: E402
from core import trainer as trainer_lib  # noqa: E402
from core.config import ModelSpec  # noqa: E402
from learned_start import BATCH, CLASSES, VOCAB, interleaved_step_ms  # noqa: E402

SLICES = (1, 2, 3, 4)


def trainer(spec: ModelSpec, parts: int):
    import keras

    keras.utils.set_random_seed(1)
    net = model_lib.build_model(spec, "multiclass", CLASSES, VOCAB, padding_mask=False)
    model = trainer_lib.training_model(net, parts)
    model_lib.compile_model(model, "multiclass", "rmsprop", 1e-3)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    print("network              | " + " | ".join(f"{n} slice{'s' * (n > 1)} ms" for n in SLICES))
    rows = []
    for tokens in (25, 50):
        spec = ModelSpec(units=(50,), bidirectional=False, embedding_dim=25, max_tokens=tokens,
                         vocab_size=VOCAB, dropout=0.0)
        rng = np.random.default_rng(0)
        ids = rng.integers(2, VOCAB, size=(BATCH, tokens)).astype("int32")
        y = rng.integers(0, CLASSES, size=BATCH)
        ms = interleaved_step_ms({n: trainer(spec, n) for n in SLICES}, ids, y, args.rounds)
        name = f"LSTM(50), {tokens} tokens"
        print(f"{name:20} | " + " | ".join(f"{ms[n]:11.1f}" for n in SLICES))
        best_other = min(ms[n] for n in SLICES if n != 2)
        rows.append(summary_row(f"{name}: ms per training step in 2 slices (baseline: the best of "
                                "1, 3 or 4)", ms[2], best_other, best_other / ms[2], digits=1))
    save_summary("batch_slices", rows)


if __name__ == "__main__":
    main()
