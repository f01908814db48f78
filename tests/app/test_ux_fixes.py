"""UX fixes: kept settings across a live run, quiet chart polls, evaluation wording, icons."""

from __future__ import annotations

import dataclasses
import json
import os
import time

import numpy as np
import pandas as pd
import psutil
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from core import config, evaluation
from core import results as results_lib
from core.explain import escape_markdown
from tests.app.conftest import copy_run, open_page, page_text
from tests.conftest import train_sample_run
from ui import services, state

APP = str(config.PROJECT_ROOT / "app.py")


def poll_fragments(at: AppTest, monkeypatch) -> None:
    """One auto-rerun of the page's fragments, as a browser's run_every timer sends it.

    AppTest only does full runs; its runner starts with a full-run request, which
    would swallow a fragment request, so that one is dropped first.
    """
    fragment_ids = list(at._fragment_storage._fragments)
    full_run = LocalScriptRunner.request_rerun

    def fragment_run(runner, rerun_data):
        runner._requests.on_scriptrunner_ready()
        return full_run(runner, dataclasses.replace(
            rerun_data, fragment_id_queue=fragment_ids, is_fragment_scoped_rerun=True,
            is_auto_rerun=True))

    with monkeypatch.context() as patch:
        patch.setattr(LocalScriptRunner, "request_rerun", fragment_run)
        at.run()
    assert not at.exception, at.exception


def test_settings_survive_leaving_the_train_page_during_a_live_run(news, monkeypatch):
    dataset, spec, source = news
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[state.DATASET] = dataset
    at.session_state[state.DATA_SPEC] = spec
    at.session_state[state.FRAME_SOURCE] = source
    at.run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    at.number_input(key=state.W_UNITS_PER_LAYER[0]).set_value(24).run()
    at.number_input(key=state.W_EPOCHS).set_value(40).run()  # long enough to stay live
    at.button(key=state.W_TRAIN).click().run()
    assert not at.exception, at.exception
    run_id = at.session_state[state.CURRENT_RUN]
    try:
        poll_fragments(at, monkeypatch)  # the live chart polled once ...
        at.switch_page("pages/evaluate.py").run()  # ... then the user looked elsewhere
        at.switch_page("pages/train.py").run()
        assert not at.exception, at.exception
        assert at.selectbox(key=state.W_PRESET).value == "tiny"
        assert at.number_input(key=state.W_UNITS_PER_LAYER[0]).value == 24
        assert at.number_input(key=state.W_EPOCHS).value == 40
    finally:
        services.job_queue().stop(run_id)


def write_live_run(home, epochs_done: int = 2, seconds_ago: float = 60) -> str:
    """A run folder that looks live: status "running", this test process as its worker."""
    run_id = "20260101-000000-live00"
    path = home / run_id
    path.mkdir(parents=True)
    started = time.time() - seconds_ago
    (path / "spec.json").write_text(json.dumps(
        {"name": "live", "task": "multiclass", "created": started}))
    (path / "status.json").write_text(json.dumps(
        {"status": "running", "pid": os.getpid(), "pid_created": psutil.Process().create_time(),
         "started": started, "total_epochs": 10, "batches_per_epoch": 50,
         "epochs_done": epochs_done}))
    (path / "metrics.jsonl").write_text("".join(
        json.dumps({"kind": "batch", "epoch": step // 50 + 1, "batch": step % 50 + 1,
                    "step": step + 1, "loss": 1 / (step + 1), "accuracy": 0.5,
                    "time": started + step * 0.1}) + "\n"
        for step in range(epochs_done * 50)))
    return run_id


def append_batches(home, run_id: str, count: int) -> None:
    with open(home / run_id / "metrics.jsonl", "a") as handle:
        for i in range(count):
            handle.write(json.dumps({"kind": "batch", "epoch": 3, "batch": i + 1, "step": 101 + i,
                                     "loss": 0.01, "accuracy": 0.9, "time": time.time()}) + "\n")


def test_a_poll_without_new_metrics_reuses_the_charts(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path))
    services.job_queue.clear()
    try:
        run_id = write_live_run(tmp_path)
        at = AppTest.from_file(str(config.PROJECT_ROOT / "pages" / "train.py"), default_timeout=60)
        at.query_params["run"] = run_id
        at.run()
        assert not at.exception, at.exception
        drawn = at.session_state[state.CURVE_OPTIONS]["options"]
        chart_ids = [chart.proto.id for chart in at.get("echarts_chart")]

        poll_fragments(at, monkeypatch)  # nothing new: the same options are sent again
        assert at.session_state[state.CURVE_OPTIONS]["options"] is drawn
        assert len(at.get("echarts_chart")) == 2  # still on screen
        assert "Training: epoch 3 of 10" in at.get("progress")[0].proto.text

        append_batches(tmp_path, run_id, 5)
        poll_fragments(at, monkeypatch)  # new points: new options, drawn into the same charts
        redrawn = at.session_state[state.CURVE_OPTIONS]["options"]
        assert redrawn is not drawn
        assert len(redrawn[0]["series"][0]["data"]) == len(drawn[0]["series"][0]["data"]) + 5
        # The same element ids: the browser updates the drawn charts instead of rebuilding them.
        assert [chart.proto.id for chart in at.get("echarts_chart")] == chart_ids
        assert json.loads(at.get("echarts_chart")[0].proto.spec)["series"][0]["data"][-1][0] == 105
    finally:
        services.job_queue.clear()


def redraw_intervals(at: AppTest, monkeypatch, poll: bool = False) -> list[float]:
    """The run_every timers (seconds) one run sends to the browser, in order."""
    sent = []
    forward_msgs = LocalScriptRunner.forward_msgs

    def recording(runner):
        messages = forward_msgs(runner)
        sent[:] = [m.auto_rerun.interval for m in messages if m.HasField("auto_rerun")]
        return messages

    with monkeypatch.context() as patch:
        patch.setattr(LocalScriptRunner, "forward_msgs", recording)
        poll_fragments(at, monkeypatch) if poll else at.run()
    assert not at.exception, at.exception
    return sent


def test_a_long_run_redraws_every_two_seconds_after_its_first_ten(tmp_path, monkeypatch):
    from ui import run_view

    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path))
    services.job_queue.clear()
    try:
        run_id = write_live_run(tmp_path, seconds_ago=run_view.FAST_POLL_FOR - 3)
        at = AppTest.from_file(str(config.PROJECT_ROOT / "pages" / "train.py"), default_timeout=60)
        at.query_params["run"] = run_id
        assert redraw_intervals(at, monkeypatch) == [1.0]  # a fresh start: every second
        assert redraw_intervals(at, monkeypatch, poll=True) == []  # a poll keeps the timer

        status_file = tmp_path / run_id / "status.json"
        status = json.loads(status_file.read_text())
        status["started"] -= 60  # the run has now trained for over a minute
        status_file.write_text(json.dumps(status))
        # The next poll starts one full run, which sets the slower timer.
        assert redraw_intervals(at, monkeypatch, poll=True) == [2.0]
        assert "Training: epoch 3 of 10" in at.get("progress")[0].proto.text
        assert redraw_intervals(at, monkeypatch) == [2.0]  # and a reload keeps it
    finally:
        services.job_queue.clear()


# ---------------------------------------------------------------- Evaluate

def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_the_user_picks_the_positive_class_and_the_answers_stay(run_store, trained_binary_run):
    res = results_lib.load_results(run_store, trained_binary_run)
    first, second = res.class_names
    at = open_page("evaluate", {state.W_EVAL_RUN: trained_binary_run})
    picker = at.radio(key=state.W_POSITIVE_CLASS)
    assert picker.value == second  # the class the model's probability is about
    assert f"A text counts as **{escape_markdown(second)}** when" in page_text(at)
    at.slider(key=state.W_THRESHOLD).set_value(0.7).run()
    accuracy = metric(at, "Test accuracy").value

    at.radio(key=state.W_POSITIVE_CLASS).set_value(first).run()
    assert not at.exception, at.exception
    assert at.slider(key=state.W_THRESHOLD).value == pytest.approx(0.3)  # same cut, other side
    assert f"A text counts as **{escape_markdown(first)}** when" in page_text(at)
    assert metric(at, "Test accuracy").value == accuracy  # the model's answers did not change
    is_first = (res.y == 0).astype(int)
    expected = evaluation.metrics_at_threshold(is_first, res.scores[:, 0], 0.3)
    assert metric(at, "Recall").value == f"{expected['recall']:.1%}"
    assert metric(at, "Precision").value == f"{expected['precision']:.1%}"


def test_no_colour_when_the_model_equals_the_baseline(run_store, trained_run):
    run_id = copy_run(run_store, trained_run, "equal to baseline")
    report = run_store.read_json(run_id, "eval.json")
    report["baseline"]["accuracy"] = report["metrics"]["accuracy"]
    (run_store.path(run_id) / "eval.json").write_text(json.dumps(report))
    try:
        at = open_page("evaluate", {state.W_EVAL_RUN: run_id})
        shown = metric(at, "Test accuracy")
        assert shown.proto.delta == "0.0 points vs baseline"
        assert shown.proto.color == MetricProto.MetricColor.GRAY
        assert shown.proto.direction == MetricProto.MetricDirection.NONE

        report["baseline"]["accuracy"] = report["metrics"]["accuracy"] - 0.05
        (run_store.path(run_id) / "eval.json").write_text(json.dumps(report))
        shown = metric(open_page("evaluate", {state.W_EVAL_RUN: run_id}), "Test accuracy")
        assert shown.proto.delta == "+5.0 points vs baseline"
        assert shown.proto.color == MetricProto.MetricColor.GREEN
    finally:
        run_store.delete(run_id)


# ---------------------------------------------------------------- Data page chart

@pytest.mark.parametrize("lengths", [[1, 2, 2, 3], [5] * 3 + [40] * 9 + list(range(1, 300))])
def test_text_length_counts_have_whole_number_ticks(lengths):
    from core import data_charts

    fig = data_charts.text_lengths(["w " * n for n in lengths])
    binned = np.asarray(fig.data[0].y)
    assert binned.sum() == len(lengths)  # every text falls in a bin
    assert all(w == int(w) for w in fig.data[0].width)  # a bin holds whole word counts
    assert fig.layout.yaxis.tickformat == ",d"
    assert fig.layout.yaxis.dtick == (1 if binned.max() <= 10 else None)


# ---------------------------------------------------------------- Predict

@pytest.fixture(scope="module")
def news_run(run_store) -> str:
    return train_sample_run(run_store, "news")


def test_predict_offers_a_text_from_the_runs_own_test_split(run_store, news_run,
                                                            trained_binary_run):
    news_texts = results_lib.load_results(run_store, news_run).texts
    at = open_page("predict", {state.W_PREDICT_RUN: news_run})
    box = at.text_area(key=state.W_PREDICT_TEXT)
    assert box.value in news_texts  # a news item for a news model, not a product review
    assert box.placeholder
    assert "The model says" in page_text(at)

    at.selectbox(key=state.W_PREDICT_RUN).set_value(trained_binary_run).run()  # untouched box
    assert at.text_area(key=state.W_PREDICT_TEXT).value in \
        results_lib.load_results(run_store, trained_binary_run).texts
    at.text_area(key=state.W_PREDICT_TEXT).input("my own words").run()
    at.selectbox(key=state.W_PREDICT_RUN).set_value(news_run).run()  # the user's text stays
    assert at.text_area(key=state.W_PREDICT_TEXT).value == "my own words"


def test_script_runs_do_not_reset_keras(trained_run, monkeypatch):
    """Streamlit's after-run hook would gc.collect() and empty TF's kernel cache each click."""
    import keras
    from streamlit.runtime.scriptrunner import script_runner

    resets = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: resets.append(a))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/predict.py").run()  # loads the model and predicts a text
    assert not at.exception, at.exception
    assert services.keep_keras_between_runs()  # the hook still exists in this Streamlit
    assert script_runner._clean_problem_modules is services._close_matplotlib_figures
    assert resets == []


def test_script_runs_end_without_a_full_garbage_collection():
    """Streamlit's runner.postScriptGC would stall every session ~0.1 s after each click."""
    import tomllib

    from streamlit import config as st_config

    settings = tomllib.loads((config.PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["runner"]["postScriptGC"] is False
    assert st_config.get_option("runner.postScriptGC") is False  # what this server reads


def test_the_server_collects_garbage_in_the_background():
    """Keras models are freed only by full collections, so one must still run now and then."""
    import gc
    import threading

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert any(t.name == "lstm-studio-gc" and t.is_alive() for t in threading.enumerate())
    before = gc.get_stats()[2]["collections"]
    stop = services.collect_garbage_every(0.05)
    try:
        deadline = time.monotonic() + 10
        while gc.get_stats()[2]["collections"] < before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    assert gc.get_stats()[2]["collections"] >= before + 2


# ---------------------------------------------------------------- which run the pages show

def test_every_page_shows_the_run_trained_or_picked_last(run_store, trained_run,
                                                         trained_binary_run):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/evaluate.py").run()
    at.selectbox(key=state.W_EVAL_RUN).set_value(trained_run).run()  # the user looks at A
    at.switch_page("pages/predict.py").run()
    assert at.selectbox(key=state.W_PREDICT_RUN).value == trained_run

    # Then B is trained (the Model & Train page shows it, as after clicking Train).
    at.session_state[state.CURRENT_RUN] = trained_binary_run  # as shown_run.remember does
    at.query_params["run"] = trained_binary_run
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    pickers = {"pages/evaluate.py": state.W_EVAL_RUN, "pages/explain.py": state.W_EXPLAIN_RUN,
               "pages/predict.py": state.W_PREDICT_RUN}
    for page, key in pickers.items():
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert at.selectbox(key=key).value == trained_binary_run, page

    at.selectbox(key=state.W_PREDICT_RUN).set_value(trained_run).run()  # picked on Predict ...
    at.switch_page("pages/explain.py").run()
    assert at.selectbox(key=state.W_EXPLAIN_RUN).value == trained_run  # ... shown on Explain


def test_a_near_tie_at_a_threshold_is_not_written_as_a_tie():
    """QA: "though it gives “negative” only 50% and “positive” 50%" (49.67% and 50.33%)."""
    from ui.widgets import answer_words

    names = ("negative", "positive")
    assert answer_words(names, [0.4967, 0.5033], 0) == (
        "**negative** at this run's threshold, though it gives “negative” only 49.7% and "
        "“positive” 50.3%")
    assert answer_words(names, [0.4, 0.6], 0).endswith("only 40% and “positive” 60%")
    assert answer_words(names, [0.2, 0.8], 1) == "**positive** (80% sure)"


@pytest.fixture
def failed_run(run_store, trained_binary_run):
    """A run whose training failed: no model, no test results."""
    run_id = copy_run(run_store, trained_binary_run, "Failed run")
    (run_store.path(run_id) / "model.keras").unlink()
    (run_store.path(run_id) / "eval.json").unlink()
    run_store.update_status(run_id, status="failed", error="The training broke down in epoch 1.")
    yield run_id
    run_store.delete(run_id)


def test_after_a_failed_run_every_page_shows_the_run_looked_at_before_it(
        run_store, trained_run, trained_binary_run, failed_run):
    """QA: Evaluate, Explain and Predict each fell back on their own earlier pick."""
    pickers = {"pages/evaluate.py": state.W_EVAL_RUN, "pages/explain.py": state.W_EXPLAIN_RUN,
               "pages/predict.py": state.W_PREDICT_RUN}
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/explain.py").run()  # a first look: the newest run with a model
    newest = at.selectbox(key=state.W_EXPLAIN_RUN).value
    looked_at = trained_run if newest != trained_run else trained_binary_run
    at.switch_page("pages/evaluate.py").run()
    at.selectbox(key=state.W_EVAL_RUN).set_value(looked_at).run()
    at.session_state[state.CURRENT_RUN] = failed_run  # then a training fails, as after Train
    at.switch_page("pages/train.py").run()
    for page, key in pickers.items():
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert at.selectbox(key=key).value == looked_at, page
    assert at.session_state[state.CURRENT_RUN] == failed_run  # still the session's run


def test_without_a_run_picked_the_pages_fall_back_to_the_run_shown_first(
        run_store, trained_run, failed_run):
    """Second browser pass: a new session that opened Evaluate (the newest run with results)
    before its run failed saw that run there, and the newest run with a model, an import
    without results, on Explain and Predict."""
    from core import importer

    imported = importer.import_model(run_store, run_store.model_path(trained_run).read_bytes(),
                                     "no results.keras")
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page("pages/evaluate.py").run()
        shown = at.selectbox(key=state.W_EVAL_RUN).value
        at.session_state[state.CURRENT_RUN] = failed_run  # then its run fails, as after Train
        at.switch_page("pages/train.py").run()
        for page, key in (("pages/explain.py", state.W_EXPLAIN_RUN),
                          ("pages/predict.py", state.W_PREDICT_RUN)):
            at.switch_page(page).run()
            assert not at.exception, at.exception
            assert at.selectbox(key=key).value == shown != imported, page
    finally:
        run_store.delete(imported)


def test_pages_say_why_a_failed_current_run_is_not_shown(failed_run):
    """Second browser pass: Explain and Predict showed another run without a word, and
    Evaluate said "no test results yet" for a run that had failed."""
    for page in ("explain", "predict"):
        at = open_page(page, {state.CURRENT_RUN: failed_run})
        assert ("“Failed run” has no model to answer with: its training failed (Model & Train "
                "says why). Below is another run.") in [i.value for i in at.info], page
    at = open_page("evaluate", {state.CURRENT_RUN: failed_run})
    assert ("“Failed run” cannot be evaluated here: it has no test results, as its training "
            "failed (Model & Train says why).") in page_text(at)
    assert "yet" not in " ".join(i.value for i in at.info)


def test_the_task_sentence_lists_labels_in_the_charts_order():
    """QA: "the labels have 3 values (Banana, Cherry, apple)" above a chart drawn apple,
    Banana, Cherry; and numbered classes read 1, 2, 10, not 1, 10, 2."""
    from core.config import TASK_MULTICLASS
    from ui import task_view

    fruit = pd.Series(["Cherry", "apple", "Banana"] * 20)
    assert "3 values (apple, Banana, Cherry)" in task_view._task_explanation(TASK_MULTICLASS,
                                                                             fruit)
    codes = pd.Series(["10", "2", "1"] * 20)
    assert "(1, 2, 10)" in task_view._task_explanation(TASK_MULTICLASS, codes)
    many = pd.Series([f"topic {n}" for n in range(9)])
    assert "topic 5 and 3 more)" in task_view._task_explanation(TASK_MULTICLASS, many)
