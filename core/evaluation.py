"""Scores a model's test predictions and finds the texts it got most wrong.

Inputs follow one contract for every model (LSTM or baseline):
classification scores are probabilities of shape (n, k) -- binary is always
(n, 2) = [1-p, p] -- and regression scores are predicted values of shape (n,).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Sequence

import numpy as np
from sklearn import metrics as skm

from core import config, labels
from core.errors import StudioError

# Curves are drawn in a browser and stored as JSON: more points add nothing visible.
MAX_CURVE_POINTS = 500

# Differences from the baseline this small read "about the same as the baseline". Both
# sit below the noise of the test split itself: one standard error of an accuracy near 80%
# is still 0.5 points on 6,400 test texts, and that of an RMSE is 1% of it on 5,000
# (RMSE / sqrt(2n)). So a gap that another split could reverse is never called "better",
# nor one the page rounds to "0.0 points" (accuracy is shown to a tenth of a point).
SAME_ACCURACY = 0.005  # half a percentage point
SAME_RMSE_SHARE = 0.01  # 1% of the baseline's RMSE


def _jsonable(value: Any) -> Any:
    """Turn numpy scalars/arrays (also nested in dicts/lists) into plain Python."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer, bool, np.bool_)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class EvalResult:
    """How well a model did on the test split."""

    task: str
    class_names: tuple[str, ...]
    n_test: int
    accuracy: float | None = None
    report: dict | None = None  # sklearn classification_report(output_dict=True)
    confusion: list[list[int]] | None = None  # rows: true class, columns: predicted
    rmse: float | None = None
    mae: float | None = None
    ordinal_rmse: float | None = None  # ordered classes only (ratings 1-5 as classes)
    ordinal_mae: float | None = None
    threshold: float | None = None  # binary only
    roc_auc: float | None = None  # binary only, None if the test set has one class

    def to_dict(self) -> dict:
        return _jsonable(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> "EvalResult":
        known = {f.name for f in dataclasses.fields(cls)}
        fields = {k: v for k, v in data.items() if k in known}
        fields["class_names"] = tuple(fields.get("class_names") or ())
        return cls(**fields)


@dataclass(frozen=True)
class ThresholdCurves:
    """ROC and precision-recall curves of a binary model (thinned for plotting)."""

    roc_fpr: list[float]
    roc_tpr: list[float]
    roc_thresholds: list[float]
    roc_auc: float | None
    pr_precision: list[float]
    pr_recall: list[float]
    pr_thresholds: list[float]
    pr_auc: float | None  # average precision, the usual area under the PR curve

    def to_dict(self) -> dict:
        return _jsonable(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> "ThresholdCurves":
        return cls(**{f.name: data.get(f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class Mistake:
    """One test text the model got wrong (or, for regression, far off)."""

    text: str
    true_label: str | float  # class name, or the true value for regression
    predicted_label: str | float
    confidence: float  # p(predicted class); abs error for regression
    error: float  # 1 - p(true class); abs error for regression; classes on a scale: how far
    index: int = -1  # its place in the test split, from 0: Explain lists it as "#{index + 1}"

    def to_dict(self) -> dict:
        return _jsonable(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> "Mistake":
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})


# ---------------------------------------------------------------- predictions

def class_scores(task: str, scores) -> np.ndarray:
    """Scores as an (n, k) matrix; a bare binary p (shape (n,) or (n, 1)) becomes [1-p, p]."""
    scores = np.asarray(scores, dtype=float)
    if task == config.TASK_BINARY and (scores.ndim == 1 or scores.shape[1] == 1):
        p = scores.reshape(-1)
        scores = np.stack([1.0 - p, p], axis=1)
    return scores


DEFAULT_THRESHOLD = 0.5  # a two-class run's cut-off (eval.json's) until one is chosen on Evaluate


def predicted_classes(task: str, scores: np.ndarray,
                      threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """Class index per row: the threshold on p(class 1) for binary, argmax otherwise."""
    scores = class_scores(task, scores)
    if task == config.TASK_BINARY:
        return (scores[:, 1] >= threshold).astype(int)
    return scores.argmax(axis=1)


def usable_choice(class_names: Sequence[str],
                  choice: tuple[str, float] | None) -> tuple[str, float] | None:
    """A (positive class, threshold) choice if it fits these classes: two, one of them its own."""
    return choice if choice and len(class_names) == 2 and choice[0] in class_names else None


def cut_on_second_class(class_names: Sequence[str], choice: tuple[str, float] | None) -> float:
    """The threshold on p(class_names[1]) that a (positive class, threshold) choice stands for.

    A cut-off t on one class is 1 - t on the other. Without a usable choice: 0.5.
    """
    if not usable_choice(class_names, choice):
        return DEFAULT_THRESHOLD
    positive, value = choice
    return float(value) if positive == class_names[1] else 1.0 - float(value)


def _check_inputs(task: str, y_true: np.ndarray, scores: np.ndarray) -> None:
    if task not in config.TASKS:
        raise ValueError(f"unknown task {task!r}")
    if len(y_true) == 0:
        raise StudioError("There are no test texts to evaluate.")
    if len(y_true) != len(scores):
        raise ValueError(f"{len(y_true)} labels but {len(scores)} predictions")


# ---------------------------------------------------------------- evaluation

def evaluate_predictions(task: str, class_names: Sequence[str], y_true, scores,
                         threshold: float = 0.5, ordered: bool = False) -> EvalResult:
    """Score test predictions (``scores``: see the module docstring). ``ordered`` classes
    (a scale, labels.classes_are_ordered) also get how far off the predicted class is."""
    y_true = np.asarray(y_true)
    scores = class_scores(task, scores)
    _check_inputs(task, y_true, scores)
    if task == config.TASK_REGRESSION:
        return _evaluate_regression(tuple(class_names), y_true.astype(float), scores.reshape(-1))
    return _evaluate_classification(task, tuple(class_names), y_true.astype(int), scores,
                                    threshold, ordered)


def _evaluate_regression(class_names, y_true, y_pred) -> EvalResult:
    errors = y_pred - y_true
    return EvalResult(
        task=config.TASK_REGRESSION, class_names=class_names, n_test=len(y_true),
        rmse=float(np.sqrt(np.mean(errors ** 2))), mae=float(np.mean(np.abs(errors))),
    )


def _evaluate_classification(task, class_names, y_true, scores, threshold, ordered):
    labels = list(range(len(class_names)))
    y_pred = predicted_classes(task, scores, threshold)
    report = skm.classification_report(
        y_true, y_pred, labels=labels, target_names=list(class_names),
        output_dict=True, zero_division=0,
    )
    ordinal_rmse, ordinal_mae = class_value_errors(class_names, y_true, y_pred) if ordered \
        else (None, None)
    binary = task == config.TASK_BINARY
    return EvalResult(
        task=task, class_names=class_names, n_test=len(y_true),
        accuracy=float(skm.accuracy_score(y_true, y_pred)),
        report=_jsonable(report),
        confusion=_jsonable(skm.confusion_matrix(y_true, y_pred, labels=labels)),
        ordinal_rmse=ordinal_rmse, ordinal_mae=ordinal_mae,
        threshold=float(threshold) if binary else None,
        roc_auc=_roc_auc(y_true, scores[:, 1]) if binary else None,
    )


def class_value_errors(class_names, y_true, y_pred) -> tuple[float | None, float | None]:
    """RMSE and MAE of the predicted class's value (None if not numbers): predicting
    4 stars for a 5-star text is less wrong than predicting 1 star."""
    values = labels.as_numbers(class_names)
    if values is None:
        return None, None
    errors = values[np.asarray(y_pred, dtype=int)] - values[np.asarray(y_true, dtype=int)]
    return float(np.sqrt(np.mean(errors ** 2))), float(np.mean(np.abs(errors)))


def _roc_auc(y_true: np.ndarray, p_positive: np.ndarray) -> float | None:
    if len(np.unique(y_true)) < 2:
        return None  # undefined when the test set holds one class only
    return float(skm.roc_auc_score(y_true, p_positive))


def normalize_confusion(counts) -> list[list[float]]:
    """Each row divided by its total (the share of each true class); empty rows stay 0."""
    matrix = np.asarray(counts, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    return shares.tolist()


# ---------------------------------------------------------------- binary threshold

def _thin(*arrays: np.ndarray) -> list[np.ndarray]:
    """Keep at most MAX_CURVE_POINTS evenly spaced points, always with both ends."""
    size = len(arrays[0])
    if size <= MAX_CURVE_POINTS:
        return list(arrays)
    keep = np.unique(np.linspace(0, size - 1, MAX_CURVE_POINTS).round().astype(int))
    return [a[keep] for a in arrays]


def threshold_curves(y_true, p_positive) -> ThresholdCurves:
    """ROC and PR curves; empty curves and None areas if the test set has one class."""
    y_true = np.asarray(y_true).astype(int)
    p_positive = np.asarray(p_positive, dtype=float)
    if len(np.unique(y_true)) < 2:
        return ThresholdCurves([], [], [], None, [], [], [], None)
    # Every distinct score keeps its point, so curve_point() finds the exact one (not thinned).
    fpr, tpr, roc_thr = skm.roc_curve(y_true, p_positive, drop_intermediate=False)
    roc_thr = np.minimum(roc_thr, 1.0)  # sklearn starts with +inf, which JSON cannot hold
    precision, recall, pr_thr = skm.precision_recall_curve(y_true, p_positive)
    # precision/recall have one more point than thresholds; pad so thinning aligns.
    pr_thr = np.append(pr_thr, 1.0)
    fpr, tpr, roc_thr = _thin(fpr, tpr, roc_thr)
    precision, recall, pr_thr = _thin(precision, recall, pr_thr)
    return ThresholdCurves(
        roc_fpr=fpr.tolist(), roc_tpr=tpr.tolist(), roc_thresholds=roc_thr.tolist(),
        roc_auc=float(skm.roc_auc_score(y_true, p_positive)),
        pr_precision=precision.tolist(), pr_recall=recall.tolist(),
        pr_thresholds=pr_thr.tolist(),
        pr_auc=float(skm.average_precision_score(y_true, p_positive)),
    )


def metrics_at_threshold(y_true, p_positive, threshold: float) -> dict:
    """Accuracy, precision, recall, F1 and the 2x2 confusion counts at one threshold."""
    y_true = np.asarray(y_true).astype(int)
    y_pred = (np.asarray(p_positive, dtype=float) >= threshold).astype(int)
    confusion = skm.confusion_matrix(y_true, y_pred, labels=[0, 1])
    (true_neg, false_pos), _ = confusion
    return {
        "threshold": float(threshold),
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision": float(skm.precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(skm.recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(skm.f1_score(y_true, y_pred, zero_division=0)),
        "false_positive_rate": float(false_pos / max(true_neg + false_pos, 1)),
        "confusion": confusion.tolist(),
    }


def curve_point(curves: ThresholdCurves, threshold: float) -> dict:
    """Where ``threshold`` sits on the curves, by the rule of metrics_at_threshold (a score
    at or above it counts as positive): false positive rate, recall and precision.

    Exact unless the curves were thinned (over MAX_CURVE_POINTS distinct scores); then
    pass metrics_at_threshold's numbers to the chart instead.
    """
    # ROC thresholds fall; the point at t is the last one still >= t (index 0: none passes).
    roc = np.asarray(curves.roc_thresholds)
    roc_i = max(int(np.count_nonzero(roc >= threshold)) - 1, 0)
    # PR thresholds rise (the last one is the padding "nothing passes"): the first >= t.
    pr = np.asarray(curves.pr_thresholds)
    pr_i = min(int(np.count_nonzero(pr < threshold)), len(pr) - 1)
    nothing_passes = pr_i == len(pr) - 1
    return {
        "false_positive_rate": curves.roc_fpr[roc_i],
        "recall": curves.roc_tpr[roc_i],
        # metrics_at_threshold counts the precision of no positive answers as 0.
        "precision": 0.0 if nothing_passes else curves.pr_precision[pr_i],
    }


# ---------------------------------------------------------------- mistakes

def worst_mistakes(texts: Sequence[str], task: str, class_names: Sequence[str], y_true,
                   scores, n: int = 20, threshold: float = 0.5) -> list[Mistake]:
    """The ``n`` most wrong test texts, most wrong first.

    Several classes: the wrong answers the model was surest of (highest probability of the
    class it predicted) first. Two classes: the furthest past ``threshold`` first (at 0.5,
    the same order). Regression: the predictions furthest from the true value first.
    """
    y_true = np.asarray(y_true)
    scores = class_scores(task, scores)
    _check_inputs(task, y_true, scores)
    if task == config.TASK_REGRESSION:
        return _worst_regression(texts, y_true.astype(float), scores.reshape(-1), n)
    return _worst_classification(texts, task, class_names, y_true.astype(int), scores, n, threshold)


def _worst_regression(texts, y_true, y_pred, n) -> list[Mistake]:
    abs_error = np.abs(y_pred - y_true)
    order = np.argsort(-abs_error, kind="stable")[:n]
    return [Mistake(text=texts[i], true_label=float(y_true[i]), predicted_label=float(y_pred[i]),
                    confidence=float(abs_error[i]), error=float(abs_error[i]), index=int(i))
            for i in order]


def _worst_classification(texts, task, class_names, y_true, scores, n, threshold) -> list[Mistake]:
    y_pred = predicted_classes(task, scores, threshold)
    rows = np.arange(len(y_true))
    error = 1.0 - scores[rows, y_true]
    confidence = scores[rows, y_pred]
    # How far past the line the answer was. With two classes the line is the threshold, so
    # at 0.7 a text the model gives 59% is called "no" and counts as 0.11 past it; with
    # several classes the line is the next best class, so the surest answer comes first.
    past_the_line = (np.abs(scores[:, 1] - threshold) if task == config.TASK_BINARY
                     else confidence)
    wrong = np.flatnonzero(y_pred != y_true)
    # Furthest wrong answer first; among equal ones, the least chance given to the truth.
    order = wrong[np.lexsort((-error[wrong], -past_the_line[wrong]))][:n]
    return [
        Mistake(text=texts[i], true_label=class_names[y_true[i]],
                predicted_label=class_names[y_pred[i]],
                confidence=float(confidence[i]), error=float(error[i]), index=int(i))
        for i in order
    ]


# ---------------------------------------------------------------- plain words

def compare_with_baseline(result: EvalResult, baseline) -> int:
    """1 if the model beats the baseline, -1 if the baseline is better, 0 if about the same
    (see SAME_ACCURACY and SAME_RMSE_SHARE)."""
    if result.task == config.TASK_REGRESSION:
        gain, tolerance = baseline.rmse - result.rmse, SAME_RMSE_SHARE * baseline.rmse
    else:
        gain, tolerance = result.accuracy - baseline.accuracy, SAME_ACCURACY
    if abs(gain) <= tolerance:
        return 0
    return 1 if gain > 0 else -1


def _half_up_percent(share: float, digits: int) -> str:
    # Ties round up, as the browser's tables do (JavaScript's toFixed on share * 100):
    # Python's own "%" format rounds 0.8125 to "81.2%" where a table shows "81.3%".
    exact = Decimal(share * 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{exact}%"


def percent(share: float) -> str:
    """"83.8%", as the page's metrics and tables print a share, but never a rounded
    "100.0%" or "0.0%" that is not exactly true."""
    for digits in (1, 2, 3):
        text = _half_up_percent(share, digits)
        if not ((share < 1 and float(text[:-1]) >= 100) or (share > 0 and float(text[:-1]) <= 0)):
            break
    return text


def _texts(n: int) -> str:
    return "1 test text" if n == 1 else f"{n:,} test texts"


def class_off_by(mae: float | None) -> str:
    """How far off an ordered class is, worded alike for the model and its baseline."""
    return "" if mae is None else f"; on average its predicted class is off by {mae:.2f}"


def headline(result: EvalResult) -> str:
    """One plain sentence a non-programmer can read."""
    if result.task == config.TASK_REGRESSION:
        return (f"On average the prediction is off by {result.mae:.2f} "
                f"(RMSE {result.rmse:.2f}) on the {_texts(result.n_test)}.")
    return (f"The model got {percent(result.accuracy)} of the {_texts(result.n_test)} right"
            f"{class_off_by(result.ordinal_mae)}.")
