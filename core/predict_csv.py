"""Predict a whole table of texts, in chunks, with a progress callback."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from core import data as data_lib
from core.config import TASK_REGRESSION
from core.errors import DataError

CHUNK_ROWS = 5000


def predict_frame(predictor, frame: pd.DataFrame, text_columns: list[str],
                  progress: Callable[[float], None] | None = None,
                  threshold: float = 0.5) -> pd.DataFrame:
    """``frame`` plus a ``prediction`` column and one probability column per class."""
    missing = [c for c in text_columns if c not in frame.columns]
    if missing:
        raise DataError(f"This file has no column named {', '.join(repr(c) for c in missing)}, "
                        f"which the model was trained on. Available columns: "
                        f"{', '.join(map(str, frame.columns))}.")
    texts = data_lib.join_text_columns(frame, list(text_columns)).tolist()
    parts = []
    for start in range(0, len(texts), CHUNK_ROWS):
        parts.append(predictor.scores(texts[start:start + CHUNK_ROWS]))
        if progress:
            progress(min(1.0, (start + CHUNK_ROWS) / max(1, len(texts))))
    scores = np.concatenate(parts) if parts else np.zeros((0, predictor.n_outputs))
    out = frame.copy()
    out["prediction"] = predictor.labels(scores, threshold) if len(scores) else []
    if predictor.task != TASK_REGRESSION and len(scores):
        for i, name in enumerate(predictor.class_names):
            out[f"probability {name}"] = np.round(scores[:, i], 4)
    return out
