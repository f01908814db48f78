"""How many tokens does cutting each training batch to its shortest text skip?

core.batches.training_batches cuts every batch to its shortest text so that no padding
is left and the network trains without a mask. This runs one real epoch of that pipeline
per dataset and counts the tokens left out (they differ from epoch to epoch).
Usage: .venv/bin/python bench/skipped_tokens.py [--chunks 50,8,4]
(--chunks: the numbers of batches sorted together, core.batches.BUCKET_CHUNK, to compare)
"""

from __future__ import annotations

import argparse

import numpy as np
from common import SHARED_DATA, print_table

from core import batches, data, predictor
from core import model as model_lib
from core.config import DataSpec, ModelSpec


def skipped_share(dataset, spec: ModelSpec, batch_size: int) -> float:
    vocabulary = model_lib.build_vocabulary(dataset.train.texts, spec)
    ids = predictor.vectorize(model_lib.build_vectorizer(vocabulary, spec), dataset.train.texts)
    lengths = predictor.sequence_lengths(ids)
    labels = np.zeros(len(ids), dtype="int64")  # not used here
    kept = sum(int(x.shape[0] * x.shape[1])
               for x, _ in batches.training_batches(ids, labels, batch_size, seed=42))
    return 1 - kept / lengths.sum()


def cases():
    for sample in data.sample_datasets():
        spec = DataSpec(sample.text_columns, sample.label_column, task=sample.task)
        yield f"{sample.key} sample", data.load_sample(sample.key), spec, 200, 32
    if SHARED_DATA.exists():
        bbc = data.read_csv(SHARED_DATA / "bbc" / "bbc-text.csv")
        yield "BBC", bbc, DataSpec(("text",), "category"), 200, 32
        ag = data.read_csv(SHARED_DATA / "ag_news" / "test.csv")
        yield "AG News", ag, DataSpec(tuple(ag.columns[1:3]), ag.columns[0]), 50, 512


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", default=str(batches.BUCKET_CHUNK),
                        help="comma list of BUCKET_CHUNK values to compare")
    chunks = [int(chunk) for chunk in parser.parse_args().chunks.split(",")]
    rows = []
    for name, frame, data_spec, max_tokens, batch_size in cases():
        dataset = data.prepare_dataset(frame, data_spec)
        shares = []
        for chunk in chunks:
            batches.BUCKET_CHUNK = chunk
            shares.append(skipped_share(dataset, ModelSpec(max_tokens=max_tokens), batch_size))
        rows.append([name, max_tokens, batch_size, len(dataset.train.texts)]
                    + [f"{share:.1%}" for share in shares])
    print_table(["dataset", "max tokens", "batch", "training texts"]
                + [f"skipped, chunk {chunk}" for chunk in chunks], rows)


if __name__ == "__main__":
    main()
