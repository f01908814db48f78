"""Label handling: which task fits a label column, class order and encoding."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import config
from core.config import TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION
from core.errors import DataError


def _number_name(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _number_names(numbers: np.ndarray) -> list[str]:
    """_number_name of each; whole numbers at once (a million row ids took 0.9 s one by one)."""
    if (np.floor(numbers) == numbers).all() and (np.abs(numbers) < 2 ** 53).all():
        return numbers.astype(np.int64).astype(str).tolist()
    return [_number_name(number) for number in numbers]


def as_numbers(values) -> np.ndarray | None:
    """The values as finite floats, or None if any is not a number."""
    values = list(values)
    if not values:
        return None
    try:  # Arrow's parser: a million row ids in 0.04 s, not 0.34 s (checked four times a pick)
        numbers = pc.cast(pa.array(values, type=pa.string()), pa.float64()).to_numpy(
            zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all numbers, or numbers Python's float
        try:  # alone reads ("1_000", full-width digits): its answer decides, as it always did
            numbers = np.asarray(values, dtype=str).astype(np.float64)
        except ValueError:
            return None
    return numbers if np.isfinite(numbers).all() else None


def _numeric_labels(labels: pd.Series) -> pd.Series | None:
    """canonical_labels of a column pandas read as numbers, without a string per row
    (a million row ids took 2 s as strings); None for other columns."""
    if not pd.api.types.is_numeric_dtype(labels) or pd.api.types.is_bool_dtype(labels):
        return None
    numbers = labels.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(numbers)
    if not np.isfinite(numbers[present]).all():
        return None  # "inf" is not a number to as_numbers: the general path keeps strings
    distinct, rows_of = np.unique(numbers[present], return_inverse=True)
    names = np.full(len(numbers), None, dtype=object)
    names[present] = np.array(_number_names(distinct), dtype=object)[rows_of]
    return pd.Series(names, index=labels.index, name=labels.name, dtype=object)


def canonical_labels(labels: pd.Series, merge_case: bool = False) -> pd.Series:
    """Stripped label strings (None when missing); numbers written one way ("1.0" -> "1");
    with ``merge_case``, spellings that differ only in capital letters as one (one_case)."""
    numbers = _numeric_labels(labels)
    if numbers is not None:
        return numbers
    # Each distinct value is named once, then every row takes its value's name: uploads are
    # read as text, and a million row ids named row by row took 3 s per Data page run.
    codes, distinct = pd.factorize(labels)  # a missing value's code is -1
    names = [_stripped(value) for value in np.asarray(distinct, dtype=object)]
    present = [name for name in names if name is not None]
    numbers = as_numbers(present)
    if numbers is not None:
        number_names = iter(_number_names(numbers))
        names = [None if name is None else next(number_names) for name in names]
    by_code = np.array([*names, None], dtype=object)  # code -1 takes the last: None
    canonical = pd.Series(by_code[codes], index=labels.index, name=labels.name, dtype=object)
    return one_case(canonical) if merge_case and numbers is None else canonical


def _stripped(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return None if pd.isna(value) else (str(value).strip() or None)


def one_case(canonical: pd.Series) -> pd.Series:
    """Each label as most rows spell it, among the spellings that differ only in case
    ("positive" for "Positive", "positive" and "POSITIVE"; ties: the first in name order).
    ``canonical``: the labels as canonical_labels gives them."""
    counts = canonical.dropna().value_counts()
    spelling: dict[str, str] = {}
    for value, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        spelling.setdefault(value.casefold(), value)
    return pd.Series([None if v is None else spelling[v.casefold()] for v in canonical.tolist()],
                     index=canonical.index, name=canonical.name, dtype=object)


def case_variants(canonical: pd.Series) -> list[list[str]]:
    """Groups of label spellings that differ only in capital letters, such as "Positive"
    and "positive": separate classes unless merged (QA: 9 classes for 3 sentiments).
    ``canonical``: the labels as canonical_labels gives them (read once per page run)."""
    spellings = pd.Series(pd.unique(canonical.dropna()), dtype=object)
    written = "".join(spellings)
    if written.casefold() == written:  # no capital letters at all, such as row ids: nothing
        return []  # to fold (a million ids took 0.4 s to fold one by one)
    folded = spellings.str.casefold()
    clashing = folded.duplicated(keep=False)  # vectorised: a million ids take no Python loop
    groups = spellings[clashing].groupby(folded[clashing], sort=False)
    return [sorted(group) for _, group in groups]


def _quoted(labels: pd.Series) -> str:
    return f"'{labels.name}'" if labels.name is not None else "with the labels"


def sorted_classes(names) -> list[str]:
    names = list(names)
    numbers = as_numbers(names)
    if numbers is not None:
        return [name for _, name in sorted(zip(numbers, names))]
    return sorted(names, key=lambda name: (name.lower(), name))


def _too_many_classes(column: str, count: int, numeric: bool) -> DataError:
    advice = (", or choose regression to predict the number." if numeric else
              ". Regression is not possible either, because the values are not numbers.")
    return DataError(f"The column {column} has {count:,} different values; pick a column with "
                     f"categories (at most {config.MAX_CLASSES} different values){advice}")


def infer_task(labels: pd.Series) -> str:
    """binary, multiclass or regression, judged from the label values."""
    return task_of(canonical_labels(labels))


def task_of(canonical: pd.Series) -> str:
    """infer_task of labels that canonical_labels gave already (the page reads them once)."""
    distinct = pd.unique(canonical.dropna())  # hashed, not sorted: a million ids stay cheap
    column = _quoted(canonical)
    if not len(distinct):
        raise DataError(f"The column {column} has no labels. Choose the column that holds "
                        "the categories or scores to learn.")
    if len(distinct) == 1:
        raise DataError(f"The column {column} has only one class ('{distinct[0]}'). "
                        "A classifier needs at least two different labels.")
    if len(distinct) == 2:
        return TASK_BINARY
    numbers = as_numbers(distinct)
    if numbers is not None:
        whole = bool(np.all(numbers == np.round(numbers)))
        return TASK_MULTICLASS if whole and len(distinct) <= config.MAX_CLASSES else TASK_REGRESSION
    if len(distinct) <= config.MAX_CLASSES:
        return TASK_MULTICLASS
    raise _too_many_classes(column, len(distinct), numeric=False)


# Label column names that mark numbers as a scale (review_score, Rating, stars, grade...).
SCALE_WORDS = re.compile(r"rating|rated|star|score|grade|overall|rank|point|level")


def are_numbers(class_names) -> bool:
    return as_numbers(class_names) is not None


def named_classes(class_names, label_column: str) -> tuple[str, ...]:
    """Numbered classes as "rating 5", for people to read: "the words that pushed this toward
    5 most" read oddly (browser QA). Other class names stay as they are."""
    if not are_numbers(class_names):
        return tuple(class_names)
    return tuple(f"{label_column} {name}" for name in class_names)


def label_column_name(spec: dict) -> str:
    """A run's label column, for "rating 4" and "Predicted rating". A model exported before
    the name travelled in the file has none: "class 4" reads right, and "Predicted value"."""
    column = (spec.get("data") or {}).get("label_column")
    if column:
        return str(column)
    return "value" if spec.get("task") == TASK_REGRESSION else "class"


ROW_ID_NAME = re.compile(r"(^|[_\s])(id|index|row|key)$|^(id|index|row|no|number)\b", re.I)


ROW_IDS_DISTINCT = 0.9  # share of rows with a number of their own: a file's repeated rows
# repeat their id too (QA: 20 duplicated rows hid an "id" label from an all-distinct rule)


def looks_like_row_ids(canonical: pd.Series, label_column: str) -> bool:
    """A label column where (nearly) every row has its own whole number, counting up one by
    one or named like an id: a row number, nothing a model can learn (QA: an "id" label
    passed). ``canonical``: the labels as canonical_labels gives them."""
    values = canonical.dropna()
    distinct = values.nunique()
    if len(values) < 20 or distinct < ROW_IDS_DISTINCT * len(values):  # cheap: most stop here
        return False
    numbers = as_numbers(pd.unique(values).tolist())
    if numbers is None or not np.all(numbers == np.round(numbers)):
        return False
    consecutive = numbers.max() - numbers.min() + 1 == distinct
    return bool(consecutive or ROW_ID_NAME.search(str(label_column).strip()))


def looks_like_scale(label_column: str) -> bool:
    return SCALE_WORDS.search(str(label_column).lower()) is not None


def classes_are_ordered(task: str, class_names, label_column: str, said: bool | None) -> bool:
    """Whether numbered classes form a scale, so a miss by one beats a miss by three.

    ``said`` is the user's answer (DataSpec.ordered); None (not asked, or a run saved
    before the question existed) lets the label column's name decide.
    """
    if task != TASK_MULTICLASS or not are_numbers(class_names):
        return False
    return looks_like_scale(label_column) if said is None else bool(said)


def _examples(values) -> str:
    values = list(values)
    shown = ", ".join(f"'{v}'" for v in values[:3])
    # "'3', ...." ended a sentence with four dots (browser QA).
    return shown + (f" and {len(values) - 3:,} more" if len(values) > 3 else "")


def _classes_instead(count: int) -> str:
    """The one class task that fits ``count`` labels, or why none does."""
    if count == 2:
        return "Choose “Two classes” as what to predict instead."
    if count <= config.MAX_CLASSES:
        return "Choose “Several classes” as what to predict instead."
    return (f"With {count:,} different values it cannot be classes either (at most "
            f"{config.MAX_CLASSES}): pick a column with categories or numbers as the label.")


def resolve_task(labels: pd.Series, forced: str | None) -> str:
    """The task to train: ``forced``, checked against the labels, or the one they fit.
    ``labels``: as canonical_labels gives them."""
    if forced is None:
        return task_of(labels)
    if forced not in config.TASKS:
        raise DataError(f"Unknown task '{forced}'. Choose binary, multiclass or regression.")
    distinct = pd.unique(labels.dropna())
    column = _quoted(labels)
    numeric = as_numbers(distinct) is not None
    if forced == TASK_REGRESSION and not numeric:
        words = sorted(v for v in distinct if as_numbers([v]) is None)
        raise DataError(f"Predicting a number needs numbers in the column {column}, but it "
                        f"contains values such as {_examples(words)}. "
                        + _classes_instead(len(distinct)))
    if len(distinct) < 2:
        task_of(labels)  # raises the plain "only one class" message
    if forced == TASK_BINARY and len(distinct) != 2:
        raise DataError(f"“Two classes” needs exactly two labels, but the column {column} "
                        f"has {len(distinct):,}: {_examples(sorted_classes(distinct))}. "
                        "Choose “Several classes” as what to predict instead.")
    if forced == TASK_MULTICLASS and len(distinct) > config.MAX_CLASSES:
        raise _too_many_classes(column, len(distinct), numeric)
    return forced


def encode_labels(labels: pd.Series, task: str) -> tuple[tuple[str, ...], np.ndarray]:
    values = labels.tolist()
    if task == TASK_REGRESSION:
        return (), np.asarray(values, dtype=str).astype(np.float64).astype(np.float32)
    names = tuple(sorted_classes(set(values)))
    index = {name: i for i, name in enumerate(names)}
    return names, np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))


@dataclass(frozen=True)
class LabelFacts:
    """What the Data page says about a label column, read once per file and column: each
    page run read a million row ids again, 13 s a click (AppTest, one-off)."""

    canonical: pd.Series  # canonical_labels
    variants: list[list[str]]  # case_variants
    merged: pd.Series | None  # one_case(canonical), when there are variants
    row_ids: bool  # looks_like_row_ids
    number_range: tuple[float, float] | None  # (lowest, highest) if every label is a number
    tasks: dict[bool, str | DataError]  # task_of the labels, merged or not, or why none fits

    @classmethod
    def read(cls, column: pd.Series, label_column: str) -> LabelFacts:
        canonical = canonical_labels(column)
        variants = case_variants(canonical)
        merged = one_case(canonical) if variants else None
        tasks = {merge: _task_or_error(labels)
                 for merge, labels in ((False, canonical), (True, merged)) if labels is not None}
        numbers = as_numbers(pd.unique(canonical.dropna()))
        return cls(canonical, variants, merged, looks_like_row_ids(canonical, label_column),
                   None if numbers is None else (float(numbers.min()), float(numbers.max())),
                   tasks)

    @property
    def numbered(self) -> bool:
        """Every label a number (are_numbers)."""
        return self.number_range is not None

    def labels(self, merge_case: bool) -> pd.Series:
        return self.merged if merge_case and self.merged is not None else self.canonical

    def task(self, merge_case: bool) -> str:
        """task_of(labels(merge_case)); raises its DataError."""
        task = self.tasks[merge_case and self.merged is not None]
        if isinstance(task, DataError):
            raise DataError(str(task))  # a new one each time: a raise extends a traceback
        return task


def _task_or_error(canonical: pd.Series) -> str | DataError:
    try:
        return task_of(canonical)
    except DataError as error:
        return DataError(str(error))  # kept in the session: no traceback holding the labels
