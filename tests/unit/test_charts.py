import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from core import charts, compare, data_charts
from core.evaluation import metrics_at_threshold, threshold_curves

RECORDS = [
    {"kind": "batch", "epoch": 1, "step": 1, "loss": 0.9, "accuracy": 0.5},
    {"kind": "batch", "epoch": 1, "step": 2, "loss": 0.7, "accuracy": 0.6},
    {"kind": "epoch", "epoch": 1, "loss": 0.8, "val_loss": 0.75, "accuracy": 0.55,
     "val_accuracy": 0.6, "seconds": 1.0, "time": 1.0},
    {"kind": "batch", "epoch": 2, "step": 3, "loss": 0.5, "accuracy": 0.7},
    {"kind": "batch", "epoch": 2, "step": 4, "loss": 0.4, "accuracy": 0.8},
    {"kind": "epoch", "epoch": 2, "loss": 0.45, "val_loss": 0.5, "accuracy": 0.75,
     "val_accuracy": 0.7, "seconds": 1.0, "time": 2.0},
]


def is_empty_with_message(fig):
    return len(fig.data) == 0 and fig.layout.annotations[0].text == "No data yet"


def test_training_curves_by_epoch():
    fig = charts.training_curves(RECORDS, metric="loss")
    assert [t.name for t in fig.data] == ["Training", "Validation"]
    assert list(fig.data[1].y) == [0.75, 0.5]
    assert fig.layout.uirevision
    assert fig.layout.xaxis.title.text == "Epoch"


def test_training_curves_by_batch_put_validation_at_epoch_end():
    fig = charts.training_curves(RECORDS, metric="accuracy", per="batch")
    assert list(fig.data[0].x) == [1, 2, 3, 4]
    assert list(fig.data[1].x) == [2, 4] and list(fig.data[1].y) == [0.6, 0.7]


def test_empty_records_give_valid_empty_figure():
    assert is_empty_with_message(charts.training_curves([]))
    assert is_empty_with_message(charts.training_curves(RECORDS, metric="rmse"))
    assert is_empty_with_message(charts.compare_curves({}))
    no_rmse = charts.compare_curves({"class run": RECORDS}, "val_rmse")  # QA: "No data yet"
    assert no_rmse.layout.annotations[0].text == charts.NO_RUN_HAS_IT
    assert isinstance(data_charts.text_lengths([]), go.Figure)


def test_compare_curves_one_line_per_run():
    fig = charts.compare_curves({"run <1>": RECORDS, "run 2": RECORDS[:3]})
    assert [t.name for t in fig.data] == ["run &lt;1&gt;", "run 2"]


def on_others(runs) -> list[tuple]:
    return [(on.run, on.under, on.epochs, on.whole)
            for on in compare.curves_on_others(runs, "val_loss")]


def test_a_curve_equal_to_an_earlier_one_is_dashed_and_named():
    """Two runs with the same seed drew one line exactly over the other."""
    runs = {"first": RECORDS, "second": RECORDS[:3], "same as first": list(RECORDS)}
    fig = charts.compare_curves(runs)
    assert [t.line.dash for t in fig.data] == [None, None, "dash"]
    assert on_others(runs) == [("same as first", "first", 2, True)]
    assert on_others({"a": RECORDS, "b": RECORDS[:3]}) == []  # a point on a line: no line hid


def test_runs_that_share_their_first_epochs_are_grouped_longest_first():
    """Browser QA: runs of 4, 7 and 200 epochs with one seed drew one line in three colours."""
    def curve(losses):
        return [{"kind": "epoch", "epoch": e, "val_loss": v} for e, v in enumerate(losses, 1)]

    seven = [0.9, 0.7, 0.6, 0.5, 0.45, 0.4, 0.38]
    runs = {"4 epochs": curve(seven[:4]), "7 epochs": curve(seven),
            "other seed": curve([0.8, 0.6, 0.5]), "2 epochs": curve(seven[:2])}
    assert on_others(runs) == [("4 epochs", "7 epochs", 4, True), ("2 epochs", "7 epochs", 2, True)]
    fig = charts.compare_curves(runs)
    # Each run drawn over the longest has its own pattern, or two dashed lines hid each other.
    assert [t.line.dash for t in fig.data] == ["dash", None, None, "dot"]
    one_alike = {"a": curve([0.9, 0.7, 0.6]), "b": curve([0.9, 0.75, 0.65])}  # one point only
    assert on_others(one_alike) == []


def test_a_curve_that_lies_on_another_for_its_first_epochs_is_dashed_and_named():
    """QA19: a run stopped and trained more parts from the same run trained without a stop;
    for the epochs before, one line hid the other."""
    def curve(losses):
        return [{"kind": "epoch", "epoch": e, "val_loss": v} for e, v in enumerate(losses, 1)]

    longer = [0.9, 0.7, 0.6, 0.5, 0.45, 0.4, 0.38]
    runs = {"trained on": curve(longer), "other seed": curve([0.8, 0.6, 0.5]),
            "stopped, trained more": curve(longer[:4] + [0.47, 0.44]),
            "one epoch alike": curve([0.9, 0.75, 0.6])}
    assert on_others(runs) == [("stopped, trained more", "trained on", 4, False)]
    assert [t.line.dash for t in charts.compare_curves(runs).data] == [None, None, "dash", None]
    # With a run that lies on the longer one for as long as it ran: each its own pattern.
    runs["same, 3 epochs"] = curve(longer[:3])
    assert [t.line.dash for t in charts.compare_curves(runs).data] == [
        None, None, "dash", None, "dot"]


def test_of_two_runs_as_long_the_one_others_lie_on_stays_solid():
    """QA22: a run stopped after 3 epochs and trained more to 12 was listed before the plain
    12-epoch run, which was then dashed under it, and a rerun of 8 epochs lying on the plain
    run vanished under two dashed lines."""
    def curve(losses):
        return [{"kind": "epoch", "epoch": e, "val_loss": v} for e, v in enumerate(losses, 1)]

    plain = [0.9 - 0.05 * e for e in range(12)]
    runs = {"rerun, 8": curve(plain[:8]), "stopped at 3, more": curve(plain[:3] + [0.5] * 9),
            "plain, 12": curve(plain)}
    assert on_others(runs) == [("stopped at 3, more", "plain, 12", 3, False),
                               ("rerun, 8", "plain, 12", 8, True)]
    assert [t.line.dash for t in charts.compare_curves(runs).data] == ["dot", "dash", None]


def test_one_epoch_runs_with_the_same_point_are_grouped_but_not_with_a_line():
    """QA: three identical one-epoch runs drew one dot under a legend of three, unexplained."""
    def curve(losses):
        return [{"kind": "epoch", "epoch": e, "val_loss": v} for e, v in enumerate(losses, 1)]

    runs = {"a": curve([0.9]), "long": curve([0.9, 0.7]), "b": curve([0.9]), "c": curve([0.8])}
    assert on_others(runs) == [("b", "a", 1, True)]


def test_confusion_heatmap_escapes_class_names():
    fig = charts.confusion_heatmap([[3, 1], [0, 2]], ("<b>x</b>", "y"), normalized=False)
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["&lt;b&gt;x&lt;/b&gt;", "y"]
    assert heatmap.text[0][0] == "3"
    assert fig.layout.yaxis.title.text == "True class"
    assert fig.layout.xaxis.title.text == "Predicted class"
    normalized = charts.confusion_heatmap([[0.75, 0.25], [0, 1]], ("a", "b"), normalized=True)
    assert normalized.data[0].text[0][0] == "75%"
    assert normalized.data[0].textfont.size == 16  # readable on a projector (QA: 11 px)


def test_class_balance_and_text_lengths():
    fig = data_charts.class_balance(pd.Series(["b", "a", "b", "<x>"]))
    assert list(fig.data[0].x) == ["b", "&lt;x&gt;", "a"]  # ties in name order
    assert list(fig.data[0].y) == [2, 1, 1]
    many = data_charts.class_balance(pd.Series(np.linspace(0, 1, 200)))
    assert sum(many.data[0].y) == 200 and len(many.data[0].y) == data_charts.NUMBER_BINS
    assert many.data[0].customdata[0] == "0.000 to 0.025: 5 texts"
    lengths = data_charts.text_lengths(["one two", "one two three", "x"])
    assert list(lengths.data[0].y) == [1, 1, 1]
    assert list(lengths.data[0].customdata) == ["1 word: 1 text", "2 words: 1 text",
                                                 "3 words: 1 text"]
    assert lengths.layout.xaxis.title.text == ("Words per text<br>(dashed line: the median, "
                                               "2 words)")
    assert not lengths.layout.annotations  # a label beside the line sat on the bars (QA)
    even = data_charts.text_lengths(["a b", "a b c", "a b c d", "a b c d e"])
    assert even.layout.xaxis.title.text.endswith("the median, 4 words)")  # 3.5 words: whole
    assert data_charts.text_lengths(["w " * 1200] * 3).layout.xaxis.title.text.endswith(
        "1,200 words)")


def test_a_few_very_long_texts_go_into_the_last_bar_of_the_text_lengths():
    """Browser QA: one 100,000-character text squeezed the others into the first bar."""
    texts = [" ".join(["w"] * (3 + i % 30)) for i in range(199)] + ["w " * 20_000]
    fig = data_charts.text_lengths(texts)
    assert fig.layout.xaxis.range[1] < 40  # the usual texts span the axis
    bars = fig.data[0]
    assert bars.customdata[-1] == "32 words: 7 texts"  # 6 of 32 words + the long one
    assert sum(bars.y) == 200
    # Said under the chart: in the axis title it was cut off in a half-width chart (QA).
    assert data_charts.longer_texts_note(data_charts.word_counts(texts)) == (
        "1 text is longer than 32 words (the longest has 20,000); the chart counts it in its "
        "last bar.")
    # The tallest bar counts the long text it holds: 11 texts, so plotly picks the ticks.
    tall = data_charts.text_lengths(["a b c"] * 5 + ["a b c d"] * 10 + ["w " * 1000])
    assert tall.layout.yaxis.dtick is None
    usual = [" ".join(["w"] * (3 + i % 30)) for i in range(200)]  # no outlier: all drawn as is
    assert data_charts.text_lengths(usual).data[0].customdata[-1] == "32 words: 6 texts"
    assert data_charts.longer_texts_note(data_charts.word_counts(usual)) == ""


def test_batch_points_are_drawn_at_the_middle_of_their_batches():
    records = [{"kind": "batch", "epoch": 1, "step": 4, "mid_step": 2.5, "loss": 1.0},
               {"kind": "batch", "epoch": 1, "step": 10, "mid_step": 7.5, "loss": 0.8},
               {"kind": "epoch", "epoch": 1, "step": 10, "loss": 0.88, "val_loss": 0.9}]
    _, train, valid = charts.curve_series(records, "loss", per="batch")
    assert train == ([2.5, 7.5], [1.0, 0.8])  # the epoch's mean is not added at its end
    assert valid == ([10], [0.9])
    # A run from before the windows: running means at the last batch; the epoch's figure ends it.
    older = [{**r} for r in records]
    for r in older:
        r.pop("mid_step", None)
    older[1]["step"] = 9
    _, train, _ = charts.curve_series(older, "loss", per="batch")
    assert train == ([4, 9, 10], [1.0, 0.8, 0.88])


def test_training_curves_by_epoch_tick_whole_epochs():
    """QA: the report's two-epoch curves were ticked 1, 1.5, 2."""
    records = [{"kind": "epoch", "epoch": e, "step": 4 * e, "loss": 1.0 / e, "val_loss": 1.1 / e}
               for e in (1, 2)]
    axis = charts.training_curves(records).layout.xaxis
    assert (axis.tickformat, axis.dtick) == (",d", 1)
    assert charts.training_curves(records, per="batch").layout.xaxis.dtick is None


def test_compared_curves_tick_whole_epochs():
    """QA: two epochs were ticked 1, 1.2, 1.4, 1.6, 1.8, 2."""
    records = [{"kind": "epoch", "epoch": e, "val_loss": 1.0 / e} for e in (1, 2)]
    axis = charts.compare_curves({"run": records}).layout.xaxis
    assert (axis.tickformat, axis.tick0, axis.dtick) == (",d", 1, 1)
    layout = charts.compare_curves({"run": records}).layout
    assert layout.showlegend  # one line still says whose
    # Under the chart: beside it, run names left a phone-wide chart 70 px (browser QA).
    assert layout.legend.orientation == "h"
    assert (layout.legend.yref, layout.legend.yanchor, layout.legend.y) == ("container", "bottom", 0)
    long_run = [{"kind": "epoch", "epoch": e, "val_loss": 1.0 / e} for e in range(1, 41)]
    assert charts.compare_curves({"run": long_run}).layout.xaxis.dtick is None  # plotly picks


def test_class_balance_puts_number_labels_in_their_own_order():
    """QA: ratings 1-5 (class names, so strings) were drawn 5, 3, 4, 2, 1 by count."""
    ratings = pd.Series(["5"] * 9 + ["3"] * 5 + ["4"] * 4 + ["2"] * 2 + ["1", "10"])
    assert list(data_charts.class_balance(ratings).data[0].x) == ["1", "2", "3", "4", "5", "10"]
    # Ratings predicted as a number are floats; whole ones read as the stars they are.
    assert list(data_charts.class_balance(pd.Series([2.0, 1.0, 2.0])).data[0].x) == ["1", "2"]
    assert list(data_charts.class_balance(pd.Series([2.5, 1.0])).data[0].x) == ["1", "2.5"]


def test_roc_and_pr_are_two_charts_with_threshold_marks():
    """Two figures, so a phone shows them one under the other (browser QA at 390 px)."""
    curves = threshold_curves([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert [len(fig.data) for fig in charts.roc_pr(curves)] == [2, 1]
    assert [len(fig.data) for fig in charts.roc_pr(curves, threshold=0.5)] == [3, 2]
    one_class = threshold_curves([1, 1], [0.2, 0.3])
    assert [len(fig.data) for fig in charts.roc_pr(one_class)] == [0, 0]
    # Browser QA: one-line titles ran past a half-width chart at 800 px.
    titles = [fig.layout.title.text for fig in charts.roc_pr(curves)]
    assert titles[0].startswith("ROC curve") and titles[1].startswith("Precision vs recall")
    assert all(len(line) <= 26 for title in titles for line in title.split("<br>"))
    # QA21: at a false positive rate of 0 the axis' edge cut the X in half.
    marks = [fig.data[-1] for fig in charts.roc_pr(curves, threshold=0.5)]
    assert [mark.cliponaxis for mark in marks] == [False, False]
    # QA22: the ROC curve's rise on a false positive rate of 0 was cut to half its width.
    assert all(fig.layout.xaxis.range[0] < 0 for fig in charts.roc_pr(curves))


def test_predicted_vs_true_and_probability_bars():
    fig = charts.predicted_vs_true([1, 2, 3, 4, 5], [1.2, 2.5, 2.9, 4.4, 4.1])
    assert len(fig.data) == 2 and list(fig.data[1].x) == [1.0, 5.0]
    jittered = np.asarray(fig.data[0].x)
    assert np.all(np.abs(jittered - [1, 2, 3, 4, 5]) <= 0.2)
    assert "spread a little sideways" in fig.layout.xaxis.title.text  # QA: 5 drawn at 5.2
    as_classes = charts.predicted_vs_true([1, 2, 3], [1, 3, 3], predicted_classes=True).layout
    titles = [as_classes.xaxis.title.text, as_classes.yaxis.title.text]
    assert max(len(line) for t in titles for line in t.split("<br>")) <= 32  # a phone (QA)
    # Ratings tick at whole numbers only (QA21: the report's wider chart ticked 1.5, 2.5).
    assert (fig.layout.xaxis.dtick, fig.layout.yaxis.dtick) == (1, None)  # predicted: a value
    assert (as_classes.xaxis.dtick, as_classes.yaxis.dtick) == (1, 1)
    many = charts.predicted_vs_true(np.linspace(0, 1, 50), np.linspace(0, 1, 50))
    assert many.layout.xaxis.title.text == "True value"  # not spread: nothing to say
    assert many.layout.xaxis.dtick is None
    near_tie = charts.probability_bars(("negative", "positive"), [0.4967, 0.5033]).data[0]
    assert list(near_tie.text) == ["49.7%", "50.3%"]  # QA: the bars read "50%" and "50%"
    bars = charts.probability_bars(("<a>", "b"), [0.3, 0.7]).data[0]
    assert list(bars.y) == ["&lt;a&gt;", "b"] and list(bars.text) == ["30%", "70%"]


def test_every_chart_uses_the_house_style():
    for fig in (data_charts.text_lengths(["a b c"]), charts.training_curves([])):
        assert fig.layout.template == pio.templates["plotly_white"]
        assert fig.layout.margin.t == charts.MARGIN["t"] and fig.layout.title.text


def test_validation_points_sit_where_their_epoch_ended():
    records = [{"kind": "batch", "epoch": 1, "step": 1, "loss": 1.0},
               {"kind": "epoch", "epoch": 1, "step": 14, "loss": 0.9, "val_loss": 0.8},
               {"kind": "batch", "epoch": 2, "step": 15, "loss": 0.7},
               {"kind": "epoch", "epoch": 2, "step": 28, "loss": 0.6, "val_loss": 0.5}]
    fig = charts.training_curves(records, "loss", per="batch")
    validation = [t for t in fig.data if "valid" in (t.name or "").lower()]
    assert list(validation[0].x) == [14, 28]
    training = [t for t in fig.data if t.name == "Training"][0]
    assert list(training.x) == [1, 14, 15, 28]  # each epoch's end, though no batch point was
    assert list(training.y) == [1.0, 0.9, 0.7, 0.6]


def threshold_marks(figures):
    """(false positive rate, recall) on the ROC and (recall, precision) on the PR chart."""
    roc, pr = [t for fig in figures for t in fig.data if (t.name or "").startswith("Threshold")]
    return [roc.x[0], roc.y[0], pr.x[0], pr.y[0]]


def false_positive_rate(at):
    (true_neg, false_pos), _ = at["confusion"]
    return false_pos / (true_neg + false_pos)


@pytest.mark.parametrize("positive", [1, 0])
def test_the_threshold_mark_sits_on_the_numbers_beside_it(positive):
    """QA: at 0.20 the X sat at TPR 0.8125 while recall said 75%: the nearest curve point
    lay on the other side of the threshold. Now it is the point the metrics describe."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 36)
    p_one = np.clip(0.35 * y + rng.uniform(0, 0.65, 36), 0.01, 0.99).round(3)
    is_positive = (y == positive).astype(int)
    p_positive = p_one if positive == 1 else 1 - p_one  # the page's "other class" view
    curves = threshold_curves(is_positive, p_positive)
    checked = 0
    for t in (0.05, 0.2, 0.33, 0.5, 0.61, 0.8, 0.95, *p_positive[:5]):
        at = metrics_at_threshold(is_positive, p_positive, t)
        expected = [false_positive_rate(at), at["recall"], at["recall"], at["precision"]]
        for figures in (charts.roc_pr(curves, t), charts.roc_pr(curves, t, at=at)):
            assert threshold_marks(figures) == pytest.approx(expected), t
            checked += 1
    assert checked == 24


def test_the_threshold_mark_is_exact_on_thinned_curves():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 3000)
    p = np.clip(0.3 * y + rng.uniform(0, 0.7, 3000), 0, 1)
    curves = threshold_curves(y, p)
    assert len(curves.roc_fpr) <= 500  # thinned: the exact point may be gone from the curve
    for t in (0.1, 0.42, 0.77):
        at = metrics_at_threshold(y, p, t)
        expected = [false_positive_rate(at), at["recall"], at["recall"], at["precision"]]
        assert threshold_marks(charts.roc_pr(curves, t, at=at)) == pytest.approx(expected)


def test_a_threshold_above_every_score_marks_no_positive_answers():
    curves = threshold_curves([0, 1, 0, 1], [0.1, 0.3, 0.2, 0.4])
    at = metrics_at_threshold([0, 1, 0, 1], [0.1, 0.3, 0.2, 0.4], 0.9)
    assert threshold_marks(charts.roc_pr(curves, 0.9)) == [0, 0, 0, at["precision"]] == [0] * 4


def test_histograms_of_a_million_values_send_the_browser_bars_not_values():
    """Choosing a score label on a million rows sent the browser 10.8 MB (Chromium)."""
    scores = pd.Series(np.random.default_rng(0).uniform(0, 100, 1_000_000))
    lengths = data_charts.text_lengths([], counts=np.arange(1_000_000) % 37 + 1)
    for fig in (data_charts.class_balance(scores), lengths):
        assert sum(fig.data[0].y) == 1_000_000
        assert len(fig.to_json()) < 20_000


def test_the_text_length_axis_shows_the_last_bar_whole_and_whole_words():
    """Browser QA: with nearly every text 19 words long, the 19-word bar was cut in half;
    with every text 5 words long, the axis read 4.6, 4.8, 5, 5.2."""
    fig = data_charts.text_lengths(["short"] + ["word " * 19] * 150)
    assert tuple(fig.layout.xaxis.range) == (0.5, 19.5)  # the first and last bins' outer edges
    assert data_charts.text_lengths(["word " * 5] * 20).layout.xaxis.dtick == 1
    assert data_charts.text_lengths(["w " * n for n in range(1, 300)]).layout.xaxis.dtick is None


def test_the_tool_bar_keeps_zoom_reset_and_the_picture_download_only():
    """Browser QA: eight buttons covered the chart titles in a phone-wide window."""
    figures = [charts.confusion_heatmap(np.eye(2, dtype=int), ["a", "b"], False),
               charts.empty_figure("Nothing")]
    for figure in figures:
        assert set(figure.layout.modebar.remove) == {"pan", "zoomin", "zoomout", "autoscale",
                                                     "select", "lasso"}


def test_long_label_names_lie_on_sideways_bars_cut_but_never_merged():
    """Browser QA: upright bars stood long names on end, cut at ~35 characters, over the
    axis title."""
    long = ["A second extremely long category label about things", "Third: product quality",
            "the <b>short</b> one"]
    fig = data_charts.class_balance(pd.Series(long * 2 + long[:1]))
    bar = fig.data[0]
    assert bar.orientation == "h" and list(bar.x) == [3, 2, 2]
    assert list(bar.y) == ["A second extremely long cat…", "the &lt;b&gt;short&lt;/b&gt; one",
                           "Third: product quality"]  # ties in name order, any case
    assert bar.customdata[0] == long[0]  # whole in the hover
    same_start = ["Reviews of kitchen products part one", "Reviews of kitchen products part two"]
    assert list(data_charts.class_balance(pd.Series(same_start)).data[0].y) == same_start
    assert data_charts.class_balance(pd.Series(["yes", "no"])).data[0].orientation is None


def test_labels_with_as_many_texts_are_drawn_in_name_order():
    assert list(data_charts.class_balance(pd.Series(["y", "x", "y", "x", "z"])).data[0].x) == [
        "x", "y", "z"]
    # QA: capitals came first ("Banana, Cherry, apple").
    mixed = pd.Series(["Cherry", "apple", "Banana"])
    assert list(data_charts.class_balance(mixed).data[0].x) == ["apple", "Banana", "Cherry"]


def test_a_long_label_is_cut_before_it_is_made_inert():
    """Cut after escaping, "&gt;" could lose its ";" and show as "&gt"."""
    name = "x" * 25 + "<b>bold</b>"
    bar = data_charts.class_balance(pd.Series([name, name, "other"])).data[0]  # name first
    assert list(bar.y) == ["x" * 25 + "&lt;b…", "other"]
    assert bar.customdata[0] == "x" * 25 + "&lt;b&gt;bold&lt;/b&gt;"


def test_many_compared_runs_each_get_their_own_colour_and_marker_and_room():
    """QA: plotly's ten colours gave the 11th run the 1st's blue, deuteranopia merged pairs,
    and with 11 runs the legend sat on the "Epoch" title of a 150 px tall plot."""
    runs = {f"run {i}": [{"kind": "epoch", "epoch": e, "val_loss": 1 / (e + i)}
                         for e in (1, 2, 3)] for i in range(12)}
    fig = charts.compare_curves(runs, "val_loss")
    looks = [(trace.line.color, trace.marker.symbol) for trace in fig.data]
    assert len(set(looks)) == 12 and all(color in charts.RUN_COLORS for color, _ in looks)
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.height == charts.COMPARE_HEIGHT + 12 * charts.LEGEND_ROW_PX
