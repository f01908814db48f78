"""A run's stored test results, typed: ``eval.json`` plus the test texts of ``data.csv``.

Evaluate, the HTML report and the runs table all read results through here,
so none of them needs TensorFlow: the worker already scored the test split.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from core import config
from core import data as data_lib
from core import evaluation, labels
from core.baseline import BaselineResult
from core.errors import RunError

EVAL_FILE = "eval.json"
# How RunResults.mistakes orders classes on a scale, in the words of Evaluate and the report.
FURTHEST_OFF_FIRST = ("The classes are a scale, so these wrong answers are the furthest off, "
                      "furthest first (the surest first among equally far ones).")


def test_text_number(index: int) -> str:
    """"#7" for the test split's text at ``index`` (from 0), as Evaluate, Explain's list of
    test texts and the report all write it, so "look at #7" means one text everywhere."""
    return f"#{index + 1}"


def mistake_number(mistake: evaluation.Mistake) -> str:
    return test_text_number(mistake.index)


@dataclass(frozen=True)
class RunResults:
    run_id: str
    name: str
    task: str
    class_names: tuple[str, ...]
    label_column: str
    ordered: bool  # numbered classes that form a scale (labels.classes_are_ordered)
    metrics: evaluation.EvalResult  # as scored by the worker (threshold 0.5)
    baseline: BaselineResult | None
    scores: np.ndarray  # (n, k) probabilities (binary: [1-p, p]) or (n,) values
    texts: list[str]  # the test split as written (data.Split.shown), aligned with ``scores``
    y: np.ndarray  # class index, or the true value for regression
    predict_seconds: float | None

    @property
    def is_binary(self) -> bool:
        return self.task == config.TASK_BINARY

    @property
    def is_regression(self) -> bool:
        return self.task == config.TASK_REGRESSION

    @property
    def class_values(self) -> np.ndarray | None:
        """Ordered classes' values (ratings "1".."5" as 1..5), else None."""
        if not self.ordered:
            return None
        return labels.as_numbers(self.class_names)

    @property
    def is_ordinal(self) -> bool:
        """Classes on a numbered scale, so "how far off" means something."""
        return self.ordered

    @property
    def class_word(self) -> str:
        """What a class is called: the label column for numbered classes ("rating"), so a
        class reads "rating 2" as on Explain and Predict; else "class"."""
        return self.label_column if labels.are_numbers(self.class_names) else "class"

    @property
    def p_positive(self) -> np.ndarray:
        return self.scores[:, 1]

    def never_predicted(self, result: evaluation.EvalResult) -> list[str]:
        """The classes no test text was predicted as in ``result`` (an empty matrix column).

        Their precision has no value; sklearn's report writes 0, which reads as a score.
        """
        if result.confusion is None:
            return []
        predicted = np.asarray(result.confusion).sum(axis=0)
        return [name for name, count in zip(self.class_names, predicted) if count == 0]

    def at_threshold(self, threshold: float) -> evaluation.EvalResult:
        """The metrics again at another cut-off (binary); the stored ones otherwise."""
        if not self.is_binary or threshold == self.metrics.threshold:
            return self.metrics
        return evaluation.evaluate_predictions(self.task, self.class_names, self.y,
                                               self.scores, threshold, self.ordered)

    def mistakes(self, n: int = 20, threshold: float = 0.5) -> list[evaluation.Mistake]:
        if self.is_ordinal:
            return self._furthest_off(n, threshold)
        return evaluation.worst_mistakes(self.texts, self.task, self.class_names, self.y,
                                         self.scores, n=n, threshold=threshold)

    def _furthest_off(self, n: int, threshold: float) -> list[evaluation.Mistake]:
        """Classes on a scale: the furthest-off answers first (``error``: how far), the
        surest first among equally far ones. QA: "surest first" put a 2 taken for a 5
        above a 1 taken for a 5."""
        value = dict(zip(self.class_names, self.class_values))
        wrong = evaluation.worst_mistakes(self.texts, self.task, self.class_names, self.y,
                                          self.scores, len(self.y), threshold)  # surest first
        off = [dataclasses.replace(m, error=abs(value[m.true_label] - value[m.predicted_label]))
               for m in wrong]
        return sorted(off, key=lambda m: -m.error)[:n]  # stable: surest first within a distance

    def true_and_predicted_values(self) -> tuple[np.ndarray, np.ndarray] | None:
        """For a predicted-vs-true chart: regression values, or for classes on a scale the
        true class value against the chosen class's value (what RMSE and MAE measure)."""
        if self.is_regression:
            return np.asarray(self.y, dtype=float), np.asarray(self.scores, dtype=float)
        values = self.class_values
        if values is None:
            return None
        chosen = np.argmax(np.asarray(self.scores), axis=1)
        return values[np.asarray(self.y, dtype=int)], values[chosen]


def has_results(store, run_id: str) -> bool:
    return (store.path(run_id) / EVAL_FILE).exists()


def load_results(store, run_id: str) -> RunResults:
    """Everything Evaluate shows; RunError/DataError with a plain message if incomplete."""
    info = store.info(run_id)
    report = store.read_json(run_id, EVAL_FILE)
    if not report or "metrics" not in report:
        raise RunError("This run has no test results yet. They are written when training ends.")
    dataset = data_lib.load_dataset(store.path(run_id))
    scores = np.asarray(report.get("test_scores") or [], dtype=float)
    if len(scores) != len(dataset.test.texts):
        raise RunError("The stored test results do not match this run's test texts. "
                       "Train the run again to refresh them.")
    data_spec = info.spec.get("data") or {}
    label_column = str(data_spec.get("label_column") or "value")
    ordered = labels.classes_are_ordered(dataset.task, dataset.class_names, label_column,
                                         data_spec.get("ordered"))
    metrics = evaluation.EvalResult.from_dict(report["metrics"])
    baseline = BaselineResult.from_dict(report["baseline"]) if report.get("baseline") else None
    if not ordered and dataset.task != config.TASK_REGRESSION:
        # Class names that only look like numbers (topic codes): no "how far off".
        metrics = dataclasses.replace(metrics, ordinal_rmse=None, ordinal_mae=None)
        if baseline:
            baseline = dataclasses.replace(baseline, rmse=None, mae=None)
    return RunResults(
        run_id=run_id, name=info.name, task=dataset.task,
        class_names=tuple(dataset.class_names), label_column=label_column, ordered=ordered,
        metrics=metrics, baseline=baseline,
        scores=scores, texts=dataset.test.shown, y=np.asarray(dataset.test.y),
        predict_seconds=report.get("predict_seconds"),
    )
