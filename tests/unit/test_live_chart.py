import json

from core import charts, live_chart
from tests.unit.test_charts import RECORDS


def series(option, name):
    return next(s for s in option["series"] if s["name"] == name)


def test_live_curves_by_epoch_match_the_plotly_figure():
    option = live_chart.training_curves_option(RECORDS, "loss")
    figure = charts.training_curves(RECORDS, "loss")
    assert [s["name"] for s in option["series"]] == [t.name for t in figure.data]
    for line, trace in zip(option["series"], figure.data):
        assert [x for x, _ in line["data"]] == list(trace.x)
        assert [y for _, y in line["data"]] == list(trace.y)
    assert option["xAxis"]["name"] == "Epoch" and option["yAxis"]["name"] == "Loss"
    assert option["title"]["text"] == "Loss during training"


def test_live_curves_by_batch_put_validation_where_the_epoch_ended():
    option = live_chart.training_curves_option(RECORDS, "accuracy", per="batch")
    assert [x for x, _ in series(option, "Training")["data"]] == [1, 2, 3, 4]
    assert series(option, "Validation")["data"] == [[2, 0.6], [4, 0.7]]
    assert not series(option, "Training")["showSymbol"]  # many points: a plain line
    assert option["yAxis"]["max"] == 1  # QA: a share's axis went up to 1.1
    assert "max" not in live_chart.training_curves_option(RECORDS, "loss")["yAxis"]


def test_live_curves_stay_light_and_still():
    records = [{"kind": "batch", "epoch": 1, "step": i, "loss": 1.0} for i in range(1, 10_001)]
    option = live_chart.training_curves_option(records, "loss", per="batch")
    assert len(series(option, "Training")["data"]) <= charts.MAX_LINE_POINTS + 1
    assert option["animation"] is False  # redrawn every second while the model trains
    json.dumps(option)  # plain JSON for st.echarts_chart


def test_no_points_yet_says_so():
    for option in (live_chart.training_curves_option([]),
                   live_chart.training_curves_option(RECORDS, "rmse")):
        assert option["series"] == []
        assert option["graphic"][0]["style"]["text"] == "No data yet"


def test_text_alternative_says_how_far_each_line_got():
    option = live_chart.training_curves_option(RECORDS, "loss", per="batch")
    assert live_chart.describe(option) == ("Loss during training: Training, 4 points, latest 0.4000; "
                                           "Validation, 2 points, latest 0.5000.")
    assert live_chart.describe(live_chart.training_curves_option([])) == \
        "Loss during training: no data yet."


def test_the_legend_has_its_own_line_under_the_title():
    """Beside the title it overlapped it in a half-width chart (800 px window)."""
    option = live_chart.training_curves_option(
        [{"kind": "epoch", "epoch": 1, "loss": 0.5, "val_loss": 0.6}], "loss")
    assert option["legend"]["left"] == option["title"]["left"] == 0
    assert option["legend"]["top"] >= 24  # below the 16 px title text
    assert option["grid"]["top"] > option["legend"]["top"] + 20  # the plot below the legend


def test_points_that_are_not_numbers_are_left_out():
    """QA: a run that diverged had NaN losses on disk; Streamlit refused the chart option
    ("not JSON-serializable") and the Model & Train page crashed whenever it showed it."""
    nan = float("nan")
    records = [{"kind": "epoch", "epoch": 1, "step": 3, "loss": 0.7, "val_loss": 0.6},
               {"kind": "epoch", "epoch": 2, "step": 6, "loss": nan, "val_loss": float("inf")}]
    option = live_chart.training_curves_option(records, "loss")
    json.dumps(option, allow_nan=False)
    assert series(option, "Training")["data"] == [[1, 0.7]]
    assert live_chart.describe(option) == ("Loss during training: Training, 1 point, latest "
                                           "0.7000; Validation, 1 point, latest 0.6000.")


def test_a_long_runs_epochs_are_a_line_without_markers():
    """QA: after 132 epochs the validation markers merged into a thick band."""
    def epochs(n):
        return [{"kind": "epoch", "epoch": e, "step": e, "loss": 1 / e, "val_loss": 1 / e}
                for e in range(1, n + 1)]

    for per in ("epoch", "batch"):
        short = live_chart.training_curves_option(epochs(charts.MARKED_POINTS_MAX), "loss", per)
        long = live_chart.training_curves_option(epochs(charts.MARKED_POINTS_MAX + 1), "loss", per)
        assert series(short, "Validation")["showSymbol"]
        assert not series(long, "Validation")["showSymbol"]
    kept = charts.training_curves(epochs(charts.MARKED_POINTS_MAX + 1), "loss")  # a finished run
    assert {trace.mode for trace in kept.data} == {"lines"}
    compared = charts.compare_curves({"a": epochs(5), "b": epochs(charts.MARKED_POINTS_MAX + 1)})
    assert [trace.mode for trace in compared.data] == ["lines+markers", "lines"]
