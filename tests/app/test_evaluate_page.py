"""The Evaluate page, from real trained runs (the page itself needs no TensorFlow)."""

import json
import os
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from core import config, evaluation
from core import results as results_lib
from tests.app.conftest import TIMEOUT, open_page, page_text
from ui import state


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def figure_titles(at: AppTest) -> list[str]:
    titles = []
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec).get("layout", {})
        titles.append(layout.get("title", {}).get("text", ""))
    return titles


def test_without_runs_it_points_to_training(no_runs):
    at = open_page("evaluate")
    assert "No evaluated model yet" in page_text(at)
    assert not at.metric


def test_multiclass_run_shows_scores_confusion_and_mistakes(run_store, trained_run):
    at = open_page("evaluate", {state.W_EVAL_RUN: trained_run})
    stored = run_store.read_json(trained_run, "eval.json")
    shown = metrics(at)
    assert shown["Test accuracy"] == f"{stored['metrics']['accuracy']:.1%}"
    assert shown["Baseline accuracy"] == f"{stored['baseline']['accuracy']:.1%}"
    assert evaluation.headline(evaluation.EvalResult.from_dict(stored["metrics"])) in page_text(at)
    assert "Confusion matrix (counts)" in figure_titles(at)
    assert "Predicted vs true value" in figure_titles(at)  # ratings are numbered classes
    assert shown["RMSE of the predicted class"] == f"{stored['metrics']['ordinal_rmse']:.2f}"
    per_class = at.dataframe[0].value
    assert {"1", "2", "3", "4", "5"} <= set(per_class.index)
    at.toggle(key=state.W_NORMALIZE).set_value(True).run()
    assert "Confusion matrix (share of each true class)" in figure_titles(at)
    mistakes = at.dataframe[1].value
    assert len(mistakes) > 0 and (mistakes["true class"] != mistakes["predicted"]).all()


def test_binary_threshold_slider_recomputes_the_numbers(run_store, trained_binary_run):
    at = open_page("evaluate", {state.W_EVAL_RUN: trained_binary_run})
    res = results_lib.load_results(run_store, trained_binary_run)
    assert "How the threshold trades off errors" in figure_titles(at)
    at_half = metrics(at)
    expected = evaluation.metrics_at_threshold(res.y, res.p_positive, 0.5)
    assert at_half["Recall"] == f"{expected['recall']:.1%}"

    # A threshold that really moves texts from one side to the other for this model.
    moved = next(t for t in (0.9, 0.1, 0.7, 0.3) if evaluation.metrics_at_threshold(
        res.y, res.p_positive, t)["confusion"] != expected["confusion"])
    at.slider(key=state.W_THRESHOLD).set_value(moved).run()
    expected = evaluation.metrics_at_threshold(res.y, res.p_positive, moved)
    at_high = metrics(at)
    assert at_high["Precision"] == f"{expected['precision']:.1%}"
    assert at_high["Recall"] == f"{expected['recall']:.1%}"
    assert at_high["Test accuracy"] == f"{expected['accuracy']:.1%}"
    assert at_high != at_half


def test_regression_run_shows_rmse(run_store, regression_run):
    at = open_page("evaluate", {state.W_EVAL_RUN: regression_run})
    stored = run_store.read_json(regression_run, "eval.json")["metrics"]
    shown = metrics(at)
    assert shown["RMSE (lower is better)"] == f"{stored['rmse']:.2f}"
    assert shown["Average error (MAE)"] == f"{stored['mae']:.2f}"
    assert "Predicted vs true value" in figure_titles(at)
    assert "Confusion matrix (counts)" not in figure_titles(at)


def test_a_mistake_can_be_sent_to_explain(trained_run):
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state[state.W_EVAL_RUN] = trained_run
    at.switch_page("pages/evaluate.py")
    at.run()
    first_mistake = at.dataframe[1].value["text"].iloc[0]
    at.button(key=state.W_EVAL_EXPLAIN).click().run()
    assert not at.exception
    assert at.title[0].value == "4 · Explain"
    assert at.session_state[state.W_EXPLAIN_RUN] == trained_run
    shown = at.selectbox(key=state.W_EXPLAIN_TEST_INDEX)
    assert at.text[0].value == first_mistake and shown.value is not None


def test_the_page_never_loads_tensorflow(studio_home, trained_run):
    """Evaluate reads eval.json and data.csv only, so it opens in a blink."""
    script = ("import sys\n"
              "from streamlit.testing.v1 import AppTest\n"
              "at = AppTest.from_file('pages/evaluate.py', default_timeout=60)\n"
              f"at.session_state['{state.W_EVAL_RUN}'] = '{trained_run}'\n"
              "at.run()\n"
              "assert not at.exception and at.metric, at.exception\n"
              "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=config.PROJECT_ROOT, text=True,
                          capture_output=True, timeout=TIMEOUT,
                          env={**os.environ, "LSTM_STUDIO_HOME": str(studio_home)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
