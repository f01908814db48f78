"""One text per row: the chosen text columns joined, then cleaned.

Cleaning is the costly part of preparing a file (a million rows: about 1.5 s), and it
depends only on the text columns and the cleaning options, so ``CleanedTexts`` is made
once and reused when only the label or the split changes (see ``core.data``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core import text
from core.config import DataSpec
from core.errors import DataError


def require_columns(df: pd.DataFrame, columns) -> None:
    for column in columns:
        if column not in df.columns:
            available = ", ".join(map(str, df.columns))
            raise DataError(f"The column '{column}' is not in this file. Available columns: {available}.")


def _is_numeric_column(values: pd.Series) -> bool:
    filled = values.dropna()

    def all_numbers(part: pd.Series) -> bool:
        return bool(pd.to_numeric(part, errors="coerce").notna().all())

    # A text column shows itself in its first rows: a million texts need not all be parsed.
    return len(filled) > 0 and all_numbers(filled.head(100)) and all_numbers(filled)


def _join_parts(parts) -> str:
    joined = ""
    for part in parts:
        piece = part.strip() if isinstance(part, str) else ("" if pd.isna(part) else str(part))
        if not piece:
            continue
        if not joined:
            joined = piece
        else:
            joined += (" " if joined[-1] in ".!?:;" else ". ") + piece
    return joined


def join_text_columns(df: pd.DataFrame, text_columns) -> pd.Series:
    """One text per row: the non-empty parts joined as 'part1. part2'."""
    columns = list(text_columns)
    if not columns:
        raise DataError("Choose at least one text column.")
    require_columns(df, columns)
    if all(_is_numeric_column(df[c]) for c in columns):
        names = ", ".join(f"'{c}'" for c in columns)
        subject = f"The text column {names} contains" if len(columns) == 1 else \
            f"The text columns {names} contain"
        raise DataError(f"{subject} only numbers, not text. Choose a column with words "
                        "in it, for example reviews, titles or messages.")
    rows = zip(*(df[c].tolist() for c in columns))
    return pd.Series([_join_parts(parts) for parts in rows], index=df.index, name="text", dtype=object)


@dataclass(frozen=True)
class CleanedTexts:
    """Every row's text, cleaned and as written, and whether the model gets a word from it."""
    made_by: tuple  # cleaned_by(spec) of the spec it was made for
    texts: list[str]
    written: list[str]
    has_words: np.ndarray


def cleaned_by(spec: DataSpec) -> tuple:
    """What the cleaned texts depend on: the text columns and the options that change texts."""
    return spec.text_columns, replace(spec.clean, drop_empty=True, drop_duplicates=True)


def clean_texts(df: pd.DataFrame, spec: DataSpec) -> CleanedTexts:
    pairs = [text.cleaned_and_written(joined, spec.clean)
             for joined in join_text_columns(df, spec.text_columns).tolist()]
    texts, written = [cleaned for cleaned, _ in pairs], [shown for _, shown in pairs]
    # The model's own rule: a text of only punctuation gives it no token, like an empty one
    # (such a file passed preparing, then failed at the end of training: browser QA).
    has_words = np.fromiter(map(text.has_words, texts), dtype=bool, count=len(texts))
    return CleanedTexts(cleaned_by(spec), texts, written, has_words)
