"""Predict a whole table of texts, in chunks, with a progress callback."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from core import data as data_lib
from core import evaluation, labels
from core import text as text_lib
from core.predictor import knows_no_word, vectorize
from core.config import TASK_BINARY, TASK_REGRESSION
from core.errors import DataError, StudioError

CHUNK_ROWS = 5000
NOTE_COLUMN = "note"
NO_TEXT = "no text"  # the note on a row that has nothing for the model to read
# A row of words the model never saw: its answer rests on no word of the text, however sure
# it looks (QA: emoji-only and made-up rows got "no, 54%" with nothing said, where a typed
# text gets a warning).
NO_KNOWN_WORD = "no known word: the answer rests on none of its words"
THRESHOLD_COLUMN = "threshold"  # a two-class run's answers at a threshold other than 50%
# With a byte order mark, Excel on Windows reads the file as UTF-8 ("Café", not "CafÃ©");
# LSTM Studio's own reader skips the mark.
CSV_ENCODING = "utf-8-sig"
# A spreadsheet runs a cell that starts like a formula ("CSV injection", CWE-1236): browser QA
# saw a text "=HYPERLINK(…)" from an uploaded file go into the download unchanged. Such
# cells get a leading apostrophe in the file, as OWASP advises; numbers ("-3") stay as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_texts(source, name: str = "the file", header: bool | None = None) -> pd.DataFrame:
    """A CSV file of new texts: no label column needed, one row per row of the file.

    ``header`` None guesses whether the first row names the columns; True or False says.
    """
    return data_lib.read_csv(source, name=name, for_prediction=True, header=header)


def first_text_columns(frame: pd.DataFrame, trained_columns: list[str]) -> list[str]:
    """A first guess at which of the file's columns hold the texts, for a file that lacks
    some of the columns the model read.

    The trained columns the file has keep their place in the model's order, and each one
    the file lacks takes the next of the file's likeliest text columns (a title before a
    body): a run on title + text reading an id,text,headline file gets headline + text, as
    the model reads the joined text in this order (QA: it got text + headline).
    """
    have = [c for c in trained_columns if c in frame.columns]
    likely = _likely_text_columns(frame, but_not=have)
    # A column named like the missing one first: "Review Text" for a run on "text" (QA23:
    # it got "Title", the likeliest column, as a title comes before a body).
    named: dict[str, str | None] = {}
    for column in trained_columns:
        if column not in have:
            named[column] = _named_like(column, [c for c in likely if c not in named.values()])
    rest = iter([c for c in likely if c not in named.values()])
    guess = [c if c in have else named[c] or next(rest, None) for c in trained_columns]
    guess = [c for c in guess if c is not None] or likely[:1]
    return guess or [str(c) for c in frame.columns[:1]]


def _named_like(column: str, candidates: list[str]) -> str | None:
    """The candidate named ``column`` but for capitals, else one with it as a word of its name."""
    want = str(column).lower()
    return next((c for c in candidates if c.lower() == want), None) or next(
        (c for c in candidates if want in re.split(r"[\W_]+", c.lower())), None)


def _likely_text_columns(frame: pd.DataFrame, but_not: list[str]) -> list[str]:
    """The suggested text columns, then the file's other wordy columns, longest texts first."""
    suggestion = data_lib.suggest_columns(frame)
    sample = frame.head(5000)
    others = sorted((c for c in frame.columns if c not in suggestion.text_columns
                     and c != suggestion.label_column and _wordy(sample[c])),
                    key=lambda c: -sample[c].astype(str).str.len().mean())
    return [str(c) for c in (*suggestion.text_columns, *others) if c not in but_not]


def _wordy(values: pd.Series) -> bool:
    """Texts of a few words, not ids, numbers or one-word codes: browser QA saw "id" and
    "source" joined to the texts of a run that had read two columns, and an empty text
    then answered as its id."""
    filled = values.dropna().astype(str).str.strip()
    filled = filled[filled != ""]
    if filled.empty or pd.to_numeric(filled, errors="coerce").notna().all():
        return False
    return float(filled.str.split().str.len().mean()) >= 2


def _new_column(frame: pd.DataFrame, name: str) -> str:
    """``name``, or "name (model)" if the user's file has that column: theirs is kept."""
    while name in frame.columns:
        name = f"{name} (model)"
    return name


def saved_choice(store, run_id: str, predictor) -> tuple[str, float] | None:
    """The (class, threshold) chosen for a two-class run on Evaluate and kept with it, or
    None. Every page, the command line and the CSV answer at it.

    ``predictor``: anything with the run's ``task`` and ``class_names``.
    """
    if predictor.task != TASK_BINARY:
        return None
    try:
        return evaluation.usable_choice(predictor.class_names, store.threshold_choice(run_id))
    except StudioError:  # an unreadable choice is no choice
        return None


def predict_frame(predictor, frame: pd.DataFrame, text_columns: list[str],
                  progress: Callable[[float], None] | None = None,
                  choice: tuple[str, float] | None = None,
                  label_column: str | None = None) -> pd.DataFrame:
    """``frame`` plus a ``prediction`` column and one probability column per class.

    Every row stays, in order. A row with no text (empty, or only spaces or punctuation
    after the run's cleaning) gets no prediction rather than the one the model gives to
    nothing: empty prediction and probability cells, and NO_TEXT in a ``note`` column
    (added only when a row has a note). ``attrs["rows_without_text"]`` counts them; a row
    the model knows none of the words of keeps its answer, noted NO_KNOWN_WORD (counted in
    ``attrs["rows_without_known_words"]``);
    ``attrs["answer_columns"]`` names every added column.
    ``choice``: a two-class run's (class, threshold), saved_choice; a ``threshold`` column
    then says it on every answer when it is not 50%.
    ``label_column``: numbered classes' columns are named as the page names them,
    "probability rating 4" (QA21: "probability 4"); the answers stay the file's numbers.
    """
    threshold = evaluation.cut_on_second_class(predictor.class_names, choice)
    missing = [c for c in text_columns if c not in frame.columns]
    if missing:
        raise DataError(f"This file has no column named {', '.join(repr(c) for c in missing)}. "
                        f"Its columns: {', '.join(map(str, frame.columns))}.")
    texts = predictor.clean_texts(data_lib.join_text_columns(frame, list(text_columns)).tolist())
    readable = np.array([text_lib.has_words(t) for t in texts], dtype=bool)
    kept = [t for t, ok in zip(texts, readable) if ok]
    parts, unknown_only = [], []
    for start in range(0, len(kept), CHUNK_ROWS):
        ids = vectorize(predictor.vectorizer, kept[start:start + CHUNK_ROWS])
        parts.append(predictor.scores_of_ids(ids))
        unknown_only.append(knows_no_word(ids))
        if progress:
            progress(min(1.0, (start + CHUNK_ROWS) / len(kept)))
    empty_shape = (0,) if predictor.task == TASK_REGRESSION else (0, predictor.n_outputs)
    scores = np.concatenate(parts) if parts else np.zeros(empty_shape)
    out = frame.copy()
    predictions = np.full(len(frame), "", dtype=object)
    predictions[readable] = predictor.labels(scores, threshold) if len(scores) else []
    out[_new_column(out, "prediction")] = predictions
    shares = []
    if predictor.task != TASK_REGRESSION:
        named = (labels.named_classes(predictor.class_names, label_column) if label_column
                 else predictor.class_names)
        for i, name in enumerate(named):
            column = np.full(len(frame), np.nan)
            column[readable] = np.round(scores[:, i].astype(float), 4)  # no float32 noise
            shares.append(_new_column(out, f"probability {name}"))
            out[shares[-1]] = column
    out.attrs["probability_columns"] = shares
    if threshold != evaluation.DEFAULT_THRESHOLD:
        # QA: "negative" beside "probability positive" 0.60, and nothing in the file said why.
        rule = np.full(len(frame), "", dtype=object)
        rule[readable] = f"{choice[0]} from {choice[1]:.0%} sure"
        out[_new_column(out, THRESHOLD_COLUMN)] = rule
    notes = np.where(readable, "", NO_TEXT).astype(object)
    notes[np.flatnonzero(readable)[np.concatenate(unknown_only)] if parts else []] = NO_KNOWN_WORD
    if notes.any():
        out.attrs["note_column"] = _new_column(out, NOTE_COLUMN)
        out[out.attrs["note_column"]] = notes
    out.attrs["rows_without_text"] = int((~readable).sum())
    out.attrs["rows_without_known_words"] = int((notes == NO_KNOWN_WORD).sum())
    out.attrs["answer_columns"] = list(out.columns[len(frame.columns):])  # all added above
    out.attrs["formula_like_cells"] = sum(int(_formula_like(out[c]).sum()) for c in out.columns)
    return out


def csv_bytes(out: pd.DataFrame) -> bytes:
    """The predictions as a CSV file to download or save (UTF-8 with a byte order mark),
    every cell that a spreadsheet would run as a formula given a leading apostrophe."""
    safe = out.copy()
    for column in safe.columns:
        formula_like = _formula_like(safe[column])
        if formula_like.any():
            safe[column] = safe[column].where(~formula_like, "'" + safe[column].astype(str))
    return safe.to_csv(index=False).encode(CSV_ENCODING)


def _formula_like(values: pd.Series) -> pd.Series:
    """Which text cells start as a spreadsheet formula does (FORMULA_STARTS), numbers aside."""
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return pd.Series(False, index=values.index)
    try:
        starts = values.str.startswith(FORMULA_STARTS, na=False).astype(bool)
    except AttributeError:  # a column of no strings at all (all empty, say)
        return pd.Series(False, index=values.index)
    if starts.any():
        starts[starts] = pd.to_numeric(values[starts], errors="coerce").isna()
    return starts
