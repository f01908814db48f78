"""A first guess at which columns hold the texts and which the labels (core.data re-exports it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from core import config

LABEL_HINTS = ("label", "labels", "category", "class", "topic", "rating", "sentiment",
               "target", "y", "stars", "score", "genre", "emotion", "polarity")
TITLE_HINTS = ("title", "headline", "subject", "summary")


@dataclass(frozen=True)
class ColumnSuggestion:
    text_columns: tuple[str, ...]
    label_column: str | None


def _column_profile(values: pd.Series) -> dict:
    filled = values.dropna().astype(str)
    filled = filled[filled.str.strip() != ""]
    if filled.empty:
        return {"mean_length": 0.0, "mean_words": 0.0, "numeric": False, "distinct": 0, "unique_share": 0.0}
    return {
        "mean_length": float(filled.str.len().mean()),
        "mean_words": float(filled.str.split().str.len().mean()),
        "numeric": bool(pd.to_numeric(filled, errors="coerce").notna().all()),
        "distinct": int(filled.nunique()),
        "unique_share": filled.nunique() / len(filled),
    }


def _hint_rank(column: str, hints: tuple[str, ...]) -> int:
    name = str(column).strip().lower()
    if name in hints:
        return hints.index(name)
    words = set(re.split(r"[\W_]+", name))
    matches = [hints.index(word) for word in words if word in hints]
    return 100 + min(matches) if matches else 1000


def _named_like_labels(column: str, profile: dict) -> bool:
    """A column called "label" (or "sentiment", …) with a few values holds the answers.

    When the real text column held only numbers, "label" was the wordiest one left and
    was offered as the text, with no label suggested (browser QA).
    """
    return _hint_rank(column, LABEL_HINTS) < 100 and 2 <= profile["distinct"] <= config.MAX_CLASSES


def _suggest_text_columns(profiles: dict) -> tuple[str, ...]:
    wordy = {c: p for c, p in profiles.items() if not p["numeric"] and p["mean_length"] > 0
             and not _named_like_labels(c, p)}
    if not wordy:
        return ()
    body = max(wordy, key=lambda c: wordy[c]["mean_length"])
    titles = [c for c, p in wordy.items()
              if c != body and 15 < p["mean_length"] < wordy[body]["mean_length"]
              and (_hint_rank(c, TITLE_HINTS) < 1000
                   or (p["mean_words"] >= 3 and p["unique_share"] >= 0.5))]
    if not titles:
        return (body,)
    title = min(titles, key=lambda c: (_hint_rank(c, TITLE_HINTS), -wordy[c]["mean_length"]))
    return (title, body)


def suggest_columns(df: pd.DataFrame) -> ColumnSuggestion:
    """A first guess at the text column(s) and the label column."""
    sample = df.head(5000)
    profiles = {column: _column_profile(sample[column]) for column in df.columns}
    text_columns = _suggest_text_columns(profiles)
    candidates = [c for c, p in profiles.items()
                  if c not in text_columns and 2 <= p["distinct"] <= config.MAX_CLASSES]
    candidates = [c for c in candidates if 2 <= df[c].dropna().nunique() <= config.MAX_CLASSES]
    order = {c: i for i, c in enumerate(df.columns)}
    label = min(candidates, default=None,
                key=lambda c: (_hint_rank(c, LABEL_HINTS), profiles[c]["distinct"], order[c]))
    if label is None:  # no categories: a column of numbers to predict (a score, a price)
        numbers = [c for c, p in profiles.items() if c not in text_columns and p["numeric"]
                   and p["distinct"] > config.MAX_CLASSES and not _row_numbers(sample[c])]
        label = min(numbers, default=None, key=lambda c: (_hint_rank(c, LABEL_HINTS), order[c]))
    return ColumnSuggestion(text_columns=text_columns, label_column=label)


def _row_numbers(values: pd.Series) -> bool:
    """Whole numbers, each once: an id or a stray index column, nothing to predict."""
    numbers = pd.to_numeric(values.dropna(), errors="coerce")
    return bool((numbers % 1 == 0).all() and numbers.is_unique)
