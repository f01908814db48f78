"""Read, check, clean and split a CSV into a ``Dataset``; save and load it.

Every problem a user can cause is raised as ``DataError`` with a plain message.
Reading lives in ``core.csv_reader``, label logic in ``core.labels`` and column
suggestions in ``core.columns``; they are re-exported here so callers only need ``core.data``.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from core import config
from core.config import TASK_REGRESSION, DataSpec
from core.columns import ColumnSuggestion, suggest_columns
from core.csv_reader import read_csv
from core.errors import DataError
from core.labels import canonical_labels, encode_labels, infer_task, resolve_task
from core.row_texts import CleanedTexts, clean_texts, cleaned_by, join_text_columns, require_columns

__all__ = [
    "CleanedTexts", "ColumnSuggestion", "Dataset", "PrepSummary", "SampleDataset", "Split",
    "clean_texts", "cleaned_by", "infer_task", "join_text_columns", "load_dataset", "load_sample",
    "prepare_dataset", "read_csv", "sample_datasets", "save_dataset", "suggest_columns",
]

MIN_ROWS = 10
NO_WORDS_LEFT = ("After cleaning, no text has a word left for the model: each is empty or "
                 "holds only punctuation.")
DATA_FILE = "data.csv"
META_FILE = "dataset.json"
WRITTEN = "written"  # data.csv's column of the texts as written (see Split.written)


@dataclass(frozen=True)
class Split:
    texts: list[str]  # cleaned: what the model trains on and is scored on
    y: np.ndarray  # int64 class index, or float32 for regression
    # The same texts as the user wrote them (see text.cleaned_and_written), aligned with ``texts``,
    # for people to read; None where only the cleaned texts are known (older runs).
    written: list[str] | None = None

    @property
    def shown(self) -> list[str]:
        """The texts to show people: as written where known, else as cleaned."""
        return self.texts if self.written is None else self.written


@dataclass(frozen=True)
class PrepSummary:
    rows_in: int
    rows_used: int
    dropped_missing_label: int
    dropped_empty: int
    dropped_duplicates: int


@dataclass(frozen=True)
class Dataset:
    task: str
    class_names: tuple[str, ...]  # () for regression
    train: Split
    valid: Split
    test: Split
    summary: PrepSummary

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_classification(self) -> bool:
        return self.task != TASK_REGRESSION

    def splits(self) -> dict[str, Split]:
        return {"train": self.train, "valid": self.valid, "test": self.test}


@dataclass(frozen=True)
class SampleDataset:
    key: str
    title: str
    description: str
    path: Path
    text_columns: tuple[str, ...]
    label_column: str


# ------------------------------------------------------------ preparing data

def _check_fractions(spec: DataSpec) -> float:
    holdout = spec.valid_fraction + spec.test_fraction
    if spec.valid_fraction <= 0 or spec.test_fraction <= 0 or not 0 < holdout < 0.9:
        raise DataError("The validation and test shares must each be above 0% and together "
                        "below 90% of the rows (for example 10% and 10%).")
    return holdout


def _min_rows_per_class(holdout: float) -> int:
    # Stratifying twice needs at least 2 rows of each class in the held-out part.
    return max(2, math.ceil(2 / holdout - 1e-9))


def _check_class_sizes(y: np.ndarray, class_names: tuple[str, ...], holdout: float) -> None:
    needed = _min_rows_per_class(holdout)
    counts = np.bincount(y, minlength=len(class_names))
    small = [i for i in np.argsort(counts, kind="stable") if counts[i] < needed]
    if not small:
        return
    name, count = class_names[small[0]], int(counts[small[0]])
    more = len(small) - 1
    others = (f" (and {more} more class{'es are' if more > 1 else ' is'} too small)"
              if more else "")
    raise DataError(f"The class '{name}' has only {count:,} row{'s' if count != 1 else ''}{others}; "
                    f"at these shares each class needs at least {needed} rows so that the "
                    "training, validation and test parts all get some of it. Remove that class, "
                    "add rows, or make the validation and test shares larger.")


def _check_every_part_has_every_class(y: np.ndarray, class_names: tuple[str, ...],
                                      parts) -> None:
    """Stratifying rounds each class's share of a part, so at uneven shares a small class
    can get no row in one (browser QA: 10 of 200 rows, validation 5% and test 40%)."""
    for part, rows in zip(("training", "validation", "test"), parts):
        missing = np.setdiff1d(np.arange(len(class_names)), y[rows])
        if missing.size:
            fix = ("make the validation and test shares smaller" if part == "training"
                   else f"make the {part} share larger")
            raise DataError(f"With these shares the {part} part ({len(rows):,} rows) gets no "
                            f"row of the class '{class_names[missing[0]]}' "
                            f"({int((y == missing[0]).sum()):,} rows in all). To fix it, {fix}, "
                            "or add rows of that class.")


def _regression_strata(y: np.ndarray, holdout: float) -> np.ndarray | None:
    needed = _min_rows_per_class(holdout)
    for n_bins in range(10, 1, -1):
        if len(y) < n_bins * needed:
            continue
        bins = pd.qcut(y, n_bins, labels=False, duplicates="drop")
        counts = np.bincount(bins)
        if len(counts) > 1 and counts.min() >= needed:
            return bins
    return None


def _split_once(index, n_out: int, strata, seed: int, task: str):
    try:
        return train_test_split(index, test_size=n_out, stratify=strata, random_state=seed)
    except ValueError as exc:
        if strata is not None and task == TASK_REGRESSION:
            return train_test_split(index, test_size=n_out, random_state=seed)
        raise DataError("The data cannot be split into training, validation and test parts "
                        "with these shares: every part needs rows of every class. Make the "
                        "validation and test shares larger, or add rows.") from exc


def _part_size(n_rows: int, fraction: float) -> int:
    # The tolerance keeps 500 x 0.1 at 50 rows despite 0.1 not being exact in binary.
    return max(1, math.ceil(n_rows * fraction - 1e-9))


def _split_indices(y: np.ndarray, task: str, spec: DataSpec, holdout: float):
    strata = y if task != TASK_REGRESSION else _regression_strata(y, holdout)
    n_valid, n_test = _part_size(len(y), spec.valid_fraction), _part_size(len(y), spec.test_fraction)
    train, rest = _split_once(np.arange(len(y)), n_valid + n_test, strata, spec.seed, task)
    rest_strata = None if strata is None else strata[rest]
    valid, test = _split_once(rest, n_test, rest_strata, spec.seed, task)
    return train, valid, test


def _usable_rows(df: pd.DataFrame, spec: DataSpec,
                 cleaned: CleanedTexts | None) -> tuple[pd.DataFrame, dict]:
    if cleaned is None or cleaned.made_by != cleaned_by(spec):
        cleaned = clean_texts(df, spec)
    labels = canonical_labels(df[spec.label_column], spec.merge_label_case).tolist()
    # One frame keeps each written text beside its cleaned one through every drop below.
    # Object columns, as Python strings: pandas' own string type would copy every text.
    frame = pd.DataFrame({"text": cleaned.texts, WRITTEN: cleaned.written, "label": labels},
                         dtype=object).assign(has_words=cleaned.has_words)
    labelled = frame["label"].notna()
    if not labelled.any():
        raise DataError(f"The label column '{spec.label_column}' is empty in every row. "
                        "Choose the column that holds the answers to learn.")
    frame = frame[labelled]
    empty = ~frame["has_words"]
    if empty.all():
        raise DataError(f"{NO_WORDS_LEFT} Check that you chose the right text column, or "
                        "switch off some cleaning options.")
    counts = {"dropped_missing_label": int((~labelled).sum()), "dropped_empty": 0,
              "dropped_duplicates": 0}
    if spec.clean.drop_empty:
        counts["dropped_empty"] = int(empty.sum())
        frame = frame[~empty]
    if spec.clean.drop_duplicates:
        duplicated = frame.duplicated(["text", "label"])
        counts["dropped_duplicates"] = int(duplicated.sum())
        frame = frame[~duplicated]
    return frame.reset_index(drop=True), counts


def _check_label_not_read(spec: DataSpec) -> None:
    """A model that reads its own answer scores 100% and learns nothing."""
    if spec.label_column in spec.text_columns:
        raise DataError(f"The label column '{spec.label_column}' is also chosen as a text "
                        "column, so the model would read the answer it should predict. "
                        "Remove it from the text columns.")


def _too_few_rows(rows: int, counts: dict) -> DataError:
    """The message for too few usable rows, naming what removed the others and the way back."""
    causes = [(counts["dropped_missing_label"], "had no label", None),
              (counts["dropped_empty"], "had no words after cleaning",
               'keep them by unticking "Drop rows whose text is empty" (cleaning options)'),
              (counts["dropped_duplicates"], "repeated another row",
               'keep them by unticking "Drop duplicate rows" (cleaning options), or add a text '
               "column that tells them apart")]
    dropped = [(n, why, fix) for n, why, fix in causes if n]
    message = (f"Only {rows:,} usable row{'s are' if rows != 1 else ' is'} left after cleaning; "
               f"at least {MIN_ROWS} are needed (a few hundred or more give useful models).")
    for n, why, fix in dropped:
        message += f" {n:,} row{'s' if n != 1 else ''} {why}" + (f": {fix}." if fix else ".")
    return DataError(message)


def prepare_dataset(df: pd.DataFrame, spec: DataSpec,
                    cleaned: CleanedTexts | None = None) -> Dataset:
    """Clean the chosen columns, check the labels and make a seeded, stratified split.

    ``cleaned``: clean_texts(df, ...) made before; used when ``spec`` cleans the same way.
    """
    holdout = _check_fractions(spec)
    require_columns(df, [*spec.text_columns, spec.label_column])
    _check_label_not_read(spec)
    frame, counts = _usable_rows(df, spec, cleaned)
    if len(frame) < MIN_ROWS:
        raise _too_few_rows(len(frame), counts)
    labels = frame["label"].rename(spec.label_column)
    task = resolve_task(labels, spec.task)
    class_names, y = encode_labels(labels, task)
    if task != TASK_REGRESSION:
        _check_class_sizes(y, class_names, holdout)
    indices = _split_indices(y, task, spec, holdout)
    if task != TASK_REGRESSION:
        _check_every_part_has_every_class(y, class_names, indices)
    texts, written = frame["text"].to_numpy(), frame[WRITTEN].to_numpy()
    parts = [Split(texts[idx].tolist(), y[idx], written[idx].tolist()) for idx in indices]
    summary = PrepSummary(rows_in=len(df), rows_used=len(frame), **counts)
    return Dataset(task, class_names, *parts, summary=summary)


# ------------------------------------------------------------ saving and loading

def _write_atomic(path: Path, content: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _label_strings(ds: Dataset, y: np.ndarray) -> list[str]:
    if ds.is_classification:
        return [ds.class_names[i] for i in y]
    return [repr(float(value)) for value in y]  # repr round-trips float32 exactly


def save_dataset(ds: Dataset, folder: Path) -> None:
    """Write ``data.csv`` (split,text,label,written) and ``dataset.json`` atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = [pd.DataFrame({"split": name, "text": part.texts, "label": _label_strings(ds, part.y),
                            WRITTEN: part.shown}, dtype=object)
              for name, part in ds.splits().items()]
    table = pd.concat(frames, ignore_index=True)
    _write_atomic(folder / DATA_FILE,
                  table.to_csv(index=False, quoting=csv.QUOTE_ALL, lineterminator="\n"))
    meta = {"format": 1, "task": ds.task, "class_names": list(ds.class_names),
            "summary": asdict(ds.summary),
            "rows": {name: len(part.texts) for name, part in ds.splits().items()}}
    _write_atomic(folder / META_FILE, json.dumps(meta, indent=2, ensure_ascii=False))


def _decode_split(rows: pd.DataFrame, task: str, class_names: tuple[str, ...]) -> Split:
    labels = rows["label"].tolist()
    if task == TASK_REGRESSION:
        y = np.asarray(labels, dtype=np.float64).astype(np.float32)
    else:
        index = {name: i for i, name in enumerate(class_names)}
        y = np.asarray([index[label] for label in labels], dtype=np.int64)
    # Runs saved before the written texts were kept have no such column: show them cleaned.
    written = rows[WRITTEN].tolist() if WRITTEN in rows.columns else None
    return Split(rows["text"].tolist(), y, written)


def load_dataset(folder: Path, written: bool = True) -> Dataset:
    """The dataset that ``save_dataset`` wrote into ``folder``.

    ``written=False`` leaves out the texts as written, which training never needs.
    """
    folder = Path(folder)
    columns = None if written else (lambda column: column != WRITTEN)
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        table = pd.read_csv(folder / DATA_FILE, dtype=str, keep_default_na=False,
                            na_filter=False, encoding="utf-8", usecols=columns)
        task, class_names = meta["task"], tuple(meta["class_names"])
        parts = [_decode_split(table[table["split"] == name], task, class_names)
                 for name in ("train", "valid", "test")]
        summary = PrepSummary(**meta["summary"])
    except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError) as exc:
        raise DataError("The training texts saved with this run are missing or damaged, so it "
                        "cannot train. Load the data on the Data page and train a new model.") from exc
    return Dataset(task, class_names, *parts, summary=summary)


# ------------------------------------------------------------ sample data

def sample_datasets() -> list[SampleDataset]:
    """The small datasets shipped in ``sample_data/`` (written for this project)."""
    news = config.SAMPLE_DATA_DIR / "news" / "news.csv"
    reviews = config.SAMPLE_DATA_DIR / "reviews" / "reviews.csv"
    return [
        SampleDataset("news", "News briefs (4 topics)",
                      "Short invented news stories, each with a title and a topic to predict.",
                      news, ("title", "body"), "topic"),
        SampleDataset("reviews", "Product reviews (rating 1-5)",
                      "Invented product reviews; predict the star rating as classes or as a number.",
                      reviews, ("title", "review"), "rating"),
        SampleDataset("reviews_recommended", "Product reviews (recommended or not)",
                      "The same reviews; predict whether the reviewer recommends the product.",
                      reviews, ("title", "review"), "recommended"),
    ]


def load_sample(key: str) -> pd.DataFrame:
    samples = {sample.key: sample for sample in sample_datasets()}
    if key not in samples:
        raise DataError(f"There is no sample dataset called '{key}'. "
                        f"Choose one of: {', '.join(samples)}.")
    sample = samples[key]
    if not sample.path.is_file():
        raise DataError(f"The sample file for '{sample.title}' is missing from this installation.")
    return read_csv(sample.path, name=f"the sample '{sample.title}'")
