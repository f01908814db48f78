import json
import math

import numpy as np
import pytest

from core import config, evaluation
from core.errors import StudioError
from core.evaluation import (
    EvalResult, Mistake, ThresholdCurves, evaluate_predictions, headline,
    metrics_at_threshold, normalize_confusion, threshold_curves, worst_mistakes,
)


def binary_scores(p):
    p = np.asarray(p, dtype=float)
    return np.stack([1 - p, p], axis=1)


def test_binary_accuracy_confusion_and_auc():
    y = [0, 0, 1, 1]
    result = evaluate_predictions(config.TASK_BINARY, ("neg", "pos"), y,
                                  binary_scores([0.1, 0.6, 0.4, 0.9]))
    assert result.accuracy == 0.5
    assert result.confusion == [[1, 1], [1, 1]]
    assert result.threshold == 0.5
    assert result.roc_auc == pytest.approx(0.75)
    assert result.rmse is None and result.ordinal_rmse is None
    assert result.report["pos"]["recall"] == pytest.approx(0.5)


def test_binary_accepts_bare_positive_probability():
    bare = evaluate_predictions(config.TASK_BINARY, ("neg", "pos"), [0, 1], [[0.2], [0.7]])
    full = evaluate_predictions(config.TASK_BINARY, ("neg", "pos"), [0, 1],
                                binary_scores([0.2, 0.7]))
    assert bare == full


def test_binary_threshold_moves_predictions():
    result = evaluate_predictions(config.TASK_BINARY, ("neg", "pos"), [0, 0, 1, 1],
                                  binary_scores([0.1, 0.6, 0.4, 0.9]), threshold=0.3)
    assert result.confusion == [[1, 1], [0, 2]]
    assert result.accuracy == 0.75


RATING_SCORES = np.array([
    [0.8, 0.1, 0.1],  # pred "1", true "1"
    [0.1, 0.1, 0.8],  # pred "3", true "1": off by 2
    [0.1, 0.8, 0.1],  # pred "2", true "3": off by 1
    [0.1, 0.2, 0.7],  # pred "3", true "3"
])


def test_ordered_numeric_classes_get_ordinal_errors():
    result = evaluate_predictions(config.TASK_MULTICLASS, ("1", "2", "3"), [0, 0, 2, 2],
                                  RATING_SCORES, ordered=True)
    assert result.accuracy == 0.5
    assert result.confusion == [[1, 0, 1], [0, 0, 0], [0, 1, 1]]
    assert result.ordinal_mae == pytest.approx(3 / 4)
    assert result.ordinal_rmse == pytest.approx(math.sqrt(5 / 4))
    assert headline(result).endswith("; on average its predicted class is off by 0.75.")
    assert result.threshold is None and result.roc_auc is None


def test_numbered_classes_that_are_only_names_get_no_ordinal_errors():
    # Topic codes 1-3: predicting 3 for a 1 is no worse than predicting 2.
    result = evaluate_predictions(config.TASK_MULTICLASS, ("1", "2", "3"), [0, 0, 2, 2],
                                  RATING_SCORES)
    assert result.accuracy == 0.5
    assert result.ordinal_rmse is None and result.ordinal_mae is None
    assert "off by" not in headline(result)


def test_text_class_names_have_no_ordinal_errors():
    result = evaluate_predictions(config.TASK_MULTICLASS, ("a", "b", "c"), [0, 1],
                                  np.eye(3)[[0, 2]], ordered=True)
    assert result.ordinal_rmse is None and result.ordinal_mae is None


def test_regression_rmse_and_mae():
    result = evaluate_predictions(config.TASK_REGRESSION, (), [1.0, 2.0, 3.0, 4.0],
                                  np.array([[1.0], [2.0], [5.0], [4.0]]))
    assert result.rmse == pytest.approx(1.0)  # sqrt(4 / 4)
    assert result.mae == pytest.approx(0.5)
    assert result.accuracy is None and result.confusion is None


def test_empty_test_split_is_a_user_error():
    with pytest.raises(StudioError):
        evaluate_predictions(config.TASK_BINARY, ("a", "b"), [], np.zeros((0, 2)))


def test_eval_result_json_round_trip():
    result = evaluate_predictions(config.TASK_MULTICLASS, ("1", "2", "3"), [0, 1, 2, 2],
                                  np.eye(3)[[0, 1, 1, 2]], ordered=True)
    data = json.loads(json.dumps(result.to_dict()))
    assert EvalResult.from_dict(data) == result
    assert isinstance(data["confusion"][0][0], int)


def test_normalize_confusion_handles_empty_rows():
    assert normalize_confusion([[3, 1], [0, 0]]) == [[0.75, 0.25], [0.0, 0.0]]


def test_threshold_curves_and_metrics():
    y = [0, 0, 1, 1]
    p = [0.1, 0.4, 0.35, 0.8]
    curves = threshold_curves(y, p)
    assert curves.roc_auc == pytest.approx(0.75)
    assert max(curves.roc_thresholds) <= 1.0  # no +inf: JSON-safe
    assert len(curves.pr_precision) == len(curves.pr_thresholds)
    assert ThresholdCurves.from_dict(json.loads(json.dumps(curves.to_dict()))) == curves
    at = metrics_at_threshold(y, p, 0.3)
    assert at["confusion"] == [[1, 1], [0, 2]]
    assert at["accuracy"] == 0.75
    assert at["precision"] == pytest.approx(2 / 3)
    assert at["recall"] == 1.0
    assert at["f1"] == pytest.approx(0.8)


def test_threshold_curves_with_one_class_are_empty():
    curves = threshold_curves([1, 1], [0.2, 0.9])
    assert curves.roc_fpr == [] and curves.roc_auc is None


def test_worst_mistakes_classification_order():
    texts = ["right", "slightly wrong", "very wrong", "wrong"]
    scores = binary_scores([0.9, 0.45, 0.05, 0.3])
    mistakes = worst_mistakes(texts, config.TASK_BINARY, ("neg", "pos"), [1, 1, 1, 1], scores)
    assert [m.text for m in mistakes] == ["very wrong", "wrong", "slightly wrong"]
    first = mistakes[0]
    assert (first.true_label, first.predicted_label) == ("pos", "neg")
    assert first.error == pytest.approx(0.95) and first.confidence == pytest.approx(0.95)
    assert Mistake.from_dict(json.loads(json.dumps(first.to_dict()))) == first


def test_worst_mistakes_regression_and_limit():
    mistakes = worst_mistakes(["a", "b", "c"], config.TASK_REGRESSION, (), [1.0, 2.0, 3.0],
                              [1.5, 4.0, 3.0], n=2)
    assert [m.text for m in mistakes] == ["b", "a"]
    assert mistakes[0].error == pytest.approx(2.0)


def test_each_mistake_knows_its_place_in_the_test_split():
    """Evaluate numbers a mistake as Explain numbers the test text ("#3"), not by its rank."""
    texts = ["right", "slightly wrong", "very wrong", "wrong"]
    mistakes = worst_mistakes(texts, config.TASK_BINARY, ("neg", "pos"), [1, 1, 1, 1],
                              binary_scores([0.9, 0.45, 0.05, 0.3]))
    assert [m.index for m in mistakes] == [2, 3, 1]
    assert all(texts[m.index] == m.text for m in mistakes)
    off = worst_mistakes(["a", "b", "c"], config.TASK_REGRESSION, (), [1.0, 2.0, 3.0],
                         [1.5, 4.0, 3.0], n=2)
    assert [m.index for m in off] == [1, 0]


def test_headlines_are_plain_sentences():
    cls = evaluate_predictions(config.TASK_BINARY, ("a", "b"), [0, 1, 1, 1],
                               binary_scores([0.2, 0.8, 0.9, 0.1]))
    assert headline(cls) == "The model got 75.0% of the 4 test texts right."  # as the metric shows it
    reg = evaluate_predictions(config.TASK_REGRESSION, (), [1.0, 2.0], [1.5, 2.5])
    assert headline(reg) == "On average the prediction is off by 0.50 (RMSE 0.50) on the 2 test texts."
    almost = evaluate_predictions(config.TASK_BINARY, ("a", "b"), [1] * 999 + [0],
                                  binary_scores([0.9] * 1000))
    assert "99.9%" in headline(almost)  # never a rounded, untrue 100%


@pytest.mark.parametrize("share, shown", [(0.8375, "83.8%"), (1.0, "100.0%"), (0.0, "0.0%"),
                                          (0.99996, "99.996%"), (0.0004, "0.04%")])
def test_a_share_reads_as_the_metrics_print_it_and_never_rounds_to_an_untrue_whole(share, shown):
    from core.evaluation import percent

    assert percent(share) == shown


def test_worst_mistakes_put_the_surest_wrong_answer_first():
    """The page says "the model was most sure about these wrong answers": sort by that."""
    texts = ["truth nearly ignored", "sure and wrong", "unsure and wrong", "right"]
    scores = np.array([
        [0.05, 0.50, 0.45],  # true "a": least chance for the truth, but only 50% sure
        [0.20, 0.80, 0.00],  # true "a": 80% sure of "b"
        [0.30, 0.35, 0.35],  # true "c": predicted "b" (first of the tie), 35% sure
        [0.10, 0.10, 0.80],  # true "c": right
    ])
    mistakes = worst_mistakes(texts, config.TASK_MULTICLASS, ("a", "b", "c"), [0, 0, 2, 2],
                              scores)
    assert [m.text for m in mistakes] == ["sure and wrong", "truth nearly ignored",
                                          "unsure and wrong"]
    assert [m.confidence for m in mistakes] == pytest.approx([0.80, 0.50, 0.35])
    assert mistakes[1].error == pytest.approx(0.95)  # 1 - p(true class) is still there


def test_two_class_mistakes_are_ordered_by_how_far_past_the_threshold():
    texts = ["59% yes, called no", "20% yes, called no", "75% yes, called yes", "95% yes"]
    p_yes = np.array([0.59, 0.20, 0.75, 0.95])
    truth = [1, 1, 0, 1]  # the first two are wrong at 0.7, the third is wrong too
    mistakes = worst_mistakes(texts, config.TASK_BINARY, ("no", "yes"), truth, p_yes,
                              threshold=0.7)
    # 0.50 past the line, then 0.11 and 0.05: at 0.7 the 75% "yes" is barely an answer
    assert [m.text for m in mistakes] == ["20% yes, called no", "59% yes, called no",
                                          "75% yes, called yes"]
    assert [m.predicted_label for m in mistakes] == ["no", "no", "yes"]
    assert [m.confidence for m in mistakes] == pytest.approx([0.80, 0.41, 0.75])


def baseline(task, accuracy=None, rmse=None):
    from core.baseline import BaselineResult

    return BaselineResult(task=task, accuracy=accuracy, rmse=rmse,
                          mae=None if rmse is None else rmse, seconds=0.1, description="TF-IDF")


def regression_result(rmse):
    return EvalResult(task=config.TASK_REGRESSION, class_names=(), n_test=100, rmse=rmse, mae=rmse)


def accuracy_result(accuracy):
    return EvalResult(task=config.TASK_MULTICLASS, class_names=("a", "b"), n_test=1000,
                      accuracy=accuracy)


@pytest.mark.parametrize("model, base, verdict", [
    (0.906, 0.911, 0),   # QA's case: "0.91 vs 0.91" must not read "the LSTM does better"
    (0.911, 0.906, 0),
    (0.80, 0.91, 1),
    (0.95, 0.91, -1),
    (0.0, 0.0, 0),
])
def test_a_regression_within_one_percent_of_the_baseline_is_about_the_same(model, base,
                                                                            verdict):
    from core import evaluation

    result, other = regression_result(model), baseline(config.TASK_REGRESSION, rmse=base)
    assert evaluation.compare_with_baseline(result, other) == verdict


@pytest.mark.parametrize("model, base, verdict", [
    (0.7004, 0.7, 0),    # shows as "+0.0 points"
    (0.703, 0.7, 0),     # under half a point
    (0.697, 0.7, 0),
    (0.72, 0.7, 1),
    (0.68, 0.7, -1),
])
def test_an_accuracy_within_half_a_point_of_the_baseline_is_about_the_same(model, base, verdict):
    from core import evaluation

    result, other = accuracy_result(model), baseline(config.TASK_MULTICLASS, accuracy=base)
    assert evaluation.compare_with_baseline(result, other) == verdict


def test_a_threshold_choice_is_read_as_a_cut_on_the_second_class():
    names = ("no", "yes")
    assert evaluation.cut_on_second_class(names, ("yes", 0.7)) == pytest.approx(0.7)
    assert evaluation.cut_on_second_class(names, ("no", 0.7)) == pytest.approx(0.3)
    assert evaluation.cut_on_second_class(names, None) == 0.5
    assert evaluation.cut_on_second_class(names, ("maybe", 0.7)) == 0.5  # renamed classes
    assert evaluation.cut_on_second_class(("a", "b", "c"), ("b", 0.7)) == 0.5


@pytest.mark.parametrize("share, shown", [
    (0.8125, "81.3%"),  # a tie: Python's "%" format said 81.2%, the browser's table 81.3%
    (0.8375, "83.8%"), (0.0625, "6.3%"), (0.5, "50.0%"), (1.0, "100.0%"), (0.0, "0.0%"),
    (0.9999, "99.99%"), (0.0001, "0.01%"),  # never a rounded, untrue 100% or 0%
])
def test_percent_rounds_ties_up_as_the_pages_tables_do(share, shown):
    assert evaluation.percent(share) == shown
