"""Every plotly chart's text alternative (core.chart_text): the chart's numbers in words."""

import numpy as np
import pandas as pd

from core import chart_text, charts, data_charts, word_bars
from core.explain import Explanation, WordWeight


def test_bars_read_top_down_with_the_numbers_the_chart_prints():
    fig = charts.probability_bars(["Business", "Sci<b>ence</b>", "Sports"], [0.1, 0.7, 0.2])
    assert chart_text.describe(fig) == (
        "How sure the model is. Business: 10%, Sci<b>ence</b>: 70%, Sports: 20%.")


def test_word_bars_read_strongest_first_in_their_unit():
    explanation = Explanation(
        text="", method="lime", class_index=0, class_name="yes", score=0.5,
        words=(WordWeight("great", 0.234), WordWeight("<i>bad</i>", -0.05)),
        token_weights=(), num_samples=1, seed=0, seconds=0.0)
    assert chart_text.describe(word_bars.word_weight_bars(explanation)).endswith(
        "great: +23.4 points, <i>bad</i>: −5.0 points.")


def test_a_confusion_matrix_reads_row_by_row():
    fig = charts.confusion_heatmap(np.array([[20, 2], [3, 15]]), ["no", "yes"], False)
    assert chart_text.describe(fig) == (
        "Confusion matrix (counts). Rows: True class; columns: Predicted class. "
        "no: no 20, yes 2. yes: no 3, yes 15.")
    shares = charts.confusion_heatmap(np.array([[0.9, 0.1], [0.25, 0.75]]), ["no", "yes"], True)
    assert "yes: no 25%, yes 75%." in chart_text.describe(shares)


def test_a_histogram_names_its_ranges_and_leaves_empty_ones_out():
    fig = data_charts.text_lengths(["one two three"] * 5 + ["a b"] * 3 + ["x " * 40] * 2)
    assert chart_text.describe(fig) == (
        "How long the texts are. 2 words: 3 texts, 3 words: 5 texts, 40 words: 2 texts.")


def test_a_long_histogram_reads_as_its_ends_and_its_peak():
    texts = [" ".join(["w"] * n) for n in range(1, 31) for _ in range(1 + (n == 12) * 9)]
    assert chart_text.describe(data_charts.text_lengths(texts)) == (
        "How long the texts are. 30 bars, from 1 word: 1 text to 30 words: 1 text; "
        "the highest, 12 words: 10 texts.")


def test_many_bars_are_cut_with_a_count_of_the_rest():
    fig = data_charts.class_balance(pd.Series([str(i) for i in range(30)] * 2))
    text = chart_text.describe(fig)
    assert text.startswith("How many texts per label. ") and text.endswith("and 18 more bars.")
    assert text.count(": 2") == chart_text.MAX_ITEMS


def test_curves_read_where_they_start_and_end():
    records = [{"kind": "epoch", "epoch": e, "val_loss": 1.2 / e} for e in range(1, 6)]
    fig = charts.compare_curves({"run A": records, "run <B>": records[:3]}, "val_loss")
    assert chart_text.describe(fig) == (
        "Validation loss by run. run A: 5 points, Epoch from 1 to 5, Validation loss from "
        "1.2 to 0.24. run <B>: 3 points, Epoch from 1 to 3, Validation loss from 1.2 to 0.4.")


def test_a_two_line_title_and_a_marked_point_read_naturally():
    curves = type("Curves", (), dict(roc_fpr=[0, 0.5, 1], roc_tpr=[0, 0.9, 1], roc_auc=0.85,
                                     pr_recall=[1, 0.5], pr_precision=[0.5, 1], pr_auc=0.8))
    roc, _ = charts.roc_pr(curves, 0.5, at={"false_positive_rate": 0.5, "recall": 0.9,
                                            "precision": 0.7})
    assert chart_text.describe(roc).startswith("ROC curve, area 0.850. ROC: 3 points")
    assert "Threshold 0.50: False positive rate 0.5, True positive rate (recall) 0.9." in (
        chart_text.describe(roc))


def test_an_empty_chart_says_why():
    assert chart_text.describe(charts.empty_figure("How sure the model is")) == (
        "How sure the model is. No data yet.")
