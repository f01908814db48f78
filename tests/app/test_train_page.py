"""The Model & Train page, driven through AppTest with real training in a worker process."""

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import RunStore
from tests.app.conftest import scrolls_to, shown_text
from ui import network_view, run_view, services, state, train_view

PAGE = "../../pages/train.py"  # AppTest resolves it against this file
DEADLINE_SECONDS = 120


def open_page(dataset_and_spec=None, run_id: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if dataset_and_spec:
        dataset, spec, source = dataset_and_spec
        at.session_state[state.DATASET] = dataset
        at.session_state[state.DATA_SPEC] = spec
        at.session_state[state.FRAME_SOURCE] = source
    if run_id:
        at.query_params["run"] = run_id
    at.run()
    assert not at.exception
    return at


def page_text(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return "\n".join(e.value for e in elements)


def wait_until_ended(at: AppTest, store: RunStore, run_id: str) -> list[str]:
    """Poll like the browser does (a rerun each second); returns the status lines seen."""
    seen, deadline = [], time.monotonic() + DEADLINE_SECONDS
    while store.status(run_id)["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"training did not end: {store.status(run_id)}"
        time.sleep(1)
        at.run()
        assert not at.exception
        seen.append(page_text(at))
    at.run()
    return seen


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    """A server whose run store holds no runs (the job queue is rebuilt around it)."""
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path))
    services.job_queue.clear()
    yield
    services.job_queue.clear()  # later tests get the session's store back


def test_without_a_dataset_or_runs_points_to_the_data_page(empty_store):
    at = open_page()
    assert "First load and prepare a dataset" in at.info[0].value
    assert "Go to Data" in page_text(at)
    assert not at.button and not at.get("plotly_chart") and not at.get("echarts_chart")


def test_with_a_dataset_shows_the_model_summary(news):
    at = open_page(news)
    assert at.selectbox(key=state.W_PRESET).value == "recommended"
    summary = next(m.value for m in at.markdown if "parameters" in m.value)
    assert summary.startswith("**BiLSTM 64** · ")
    params = int(summary.split(" · ")[1].split(" ")[0].replace(",", ""))
    assert params > 100_000
    assert any("Embedding →" in m.value for m in at.markdown)  # the shape walk-through
    layers = at.dataframe[0].value
    assert list(layers.columns) == ["Layer", "Keras layer", "Output shape", "Parameters"]
    assert layers["Parameters"].sum() == params
    assert not at.button(key=state.W_TRAIN).disabled


def test_a_preset_fills_the_controls(news):
    at = open_page(news)
    at.selectbox(key=state.W_PRESET).set_value("stacked_bilstm").run()
    assert not at.exception
    assert at.number_input(key=state.W_LAYERS).value == 3
    assert [at.number_input(key=k).value for k in state.W_UNITS_PER_LAYER[:3]] == [50, 60, 75]
    assert at.toggle(key=state.W_BIDIRECTIONAL).value is True
    assert at.selectbox(key=state.W_OPTIMIZER).value == "rmsprop"
    assert at.select_slider(key=state.W_BATCH_SIZE).value == 64  # 512 shrunk for 443 texts
    assert any(m.value.startswith("**BiLSTM 50/60/75**") for m in at.markdown)


def test_a_preset_whose_box_changed_without_its_callback_is_still_applied(news):
    """QA, once: Tiny showed in the box, the controls kept the recommended network, and Train
    trained BiLSTM 64 ("9 settings changed from this preset"). A value set in the session
    stands in for a change whose on_change never ran."""
    at = open_page(news)
    assert at.toggle(key=state.W_BIDIRECTIONAL).value is True  # the recommended preset
    at.session_state[state.W_PRESET] = "tiny"
    at.run()
    assert not at.exception
    assert at.number_input(key=state.W_UNITS_PER_LAYER[0]).value == 16
    assert at.toggle(key=state.W_BIDIRECTIONAL).value is False
    assert "changed from this preset" not in page_text(at)
    at.number_input(key=state.W_EPOCHS).set_value(3).run()  # the user's own change stays
    assert at.number_input(key=state.W_EPOCHS).value == 3


def test_an_impossible_setting_is_a_plain_error(news):
    at = open_page(news)
    at.text_input(key=state.W_DENSE).set_value("64, lots").run()
    assert not at.exception
    assert "whole numbers separated by commas" in shown_text(at.error[0].value)
    assert at.button(key=state.W_TRAIN).disabled


def test_uploaded_word_vectors_set_the_embedding_size(news):
    at = open_page(news)
    lines = [f"{word} " + " ".join(["0.5"] * 8) for word in ("the", "market", "match", "storm")]
    at.file_uploader(key=state.W_GLOVE).set_value(("tiny.txt", "\n".join(lines).encode(), "text/plain"))
    at.run()
    assert not at.exception and not at.error
    assert at.number_input(key=state.W_VECTOR_SIZE_SHOWN).value == 8
    assert at.number_input(key=state.W_VECTOR_SIZE_SHOWN).disabled
    assert "8-number vectors" in page_text(at)
    # A bad file, page switches and Remove: tests/app/test_train_controls.py


def test_train_watch_it_live_and_reload(news, studio_home):
    at = open_page(news)
    assert not [b for b in at.button if b.key == state.W_PRESET_RESET]  # the recommended preset
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    at.number_input(key=state.W_EPOCHS).set_value(3).run()  # fewer than the preset: a quick test
    at.button(key=state.W_TRAIN).click().run()
    assert not at.exception
    run_id = at.session_state[state.CURRENT_RUN]
    assert at.button(key=state.W_TRAIN).disabled  # no second run by a double click
    # The click brings the live view into sight once (browser: it is below a projector's fold).
    assert scrolls_to(at, state.LIVE_VIEW) == 1
    assert at.query_params["run"] == [run_id] or at.query_params["run"] == run_id
    store = RunStore(studio_home)
    assert store.spec(run_id)["model"]["units"] == [16]  # the tiny preset was trained

    # The click's own rerun already shows the new run; a tiny run can end before the first
    # 1 s poll, so that page counts too (which phase a poll catches depends on load).
    seen = [page_text(at)] + wait_until_ended(at, store, run_id)
    assert scrolls_to(at, state.LIVE_VIEW) == 0  # later redraws leave the reader where they are
    # The page showed the run while it was live.
    live = ("Training: epoch", "Starting", "Preparing", "Building the network", "Waiting in line")
    assert any(phase in text for text in seen for phase in live), seen[-1:] or "no poll"
    assert store.status(run_id)["status"] == "finished"
    assert (store.path(run_id) / "model.keras").exists()
    assert (store.path(run_id) / "eval.json").exists()
    assert len(at.get("echarts_chart")) == 2  # loss and accuracy curves
    assert "Finished after 3 epochs" in page_text(at)
    assert "The model got" in page_text(at) and "test texts right" in page_text(at)

    reloaded = open_page(run_id=run_id)  # a new session without data, the URL names the run
    assert "The model got" in page_text(reloaded)
    assert "First load and prepare a dataset on the **Data** page" in page_text(reloaded)

    # Train more (once the old worker has exited), then Stop it: it stops and keeps a model.
    deadline = time.monotonic() + DEADLINE_SECONDS
    while at.button(key=state.W_TRAIN_MORE).disabled:
        assert time.monotonic() < deadline, "Train more stays disabled"
        time.sleep(0.5)
        at.run()
    at.number_input(key=state.W_MORE_EPOCHS).set_value(200).run()
    at.button(key=state.W_TRAIN_MORE).click().run()
    assert not at.exception
    deadline = time.monotonic() + DEADLINE_SECONDS
    while store.status(run_id).get("epochs_done", 0) < 4:
        assert store.status(run_id)["status"] in ("queued", "running"), store.status(run_id)
        assert time.monotonic() < deadline, store.status(run_id)
        time.sleep(0.5)
    at.run()
    at.button(key=state.W_STOP).click().run()
    wait_until_ended(at, store, run_id)
    assert store.status(run_id)["status"] == "stopped"
    assert 4 <= store.status(run_id)["epochs_done"] < 203
    assert "Stopped by you" in page_text(at)
    assert (store.path(run_id) / "model.keras").exists()


def test_a_double_clicks_second_click_starts_no_second_run(news, run_store, trained_binary_run,
                                                           training_run):
    """Browser QA: two Train clicks 150 ms apart made two runs, the second out of sight.

    The second click leaves the browser before the first click's page arrives: it presses
    the button as it was (enabled) and sends the URL as it was (the run shown before).
    """
    at = open_page(news, run_id=trained_binary_run)  # the page the browser still shows
    assert not at.button(key=state.W_TRAIN).disabled
    # What the first click left behind: its run, started by this session.
    at.session_state[state.CURRENT_RUN] = training_run
    at.session_state[state.STARTED_RUNS] = {training_run}
    runs_before = {run.run_id for run in run_store.list_runs()}
    at.button(key=state.W_TRAIN).click().run()
    assert not at.exception
    assert {run.run_id for run in run_store.list_runs()} == runs_before  # no second run
    assert at.session_state[state.CURRENT_RUN] == training_run  # the new run stays in view
    assert at.button(key=state.W_TRAIN).disabled
    assert "Your run below is still training: stop it or wait" in page_text(at)  # not a tooltip


def test_stop_on_a_run_another_session_started_asks_first(run_store, training_run):
    """In a class a new session shows the latest active run, often the teacher's: one
    click on Stop ended it."""
    at = open_page(run_id=training_run)
    assert at.button(key=state.W_STOP).label == "Stop…"
    at.button(key=state.W_STOP).click().run()
    assert not at.exception and not run_store.stop_requested(training_run)
    assert "This run was started elsewhere" in page_text(at)
    at.button(key=state.W_STOP_CANCEL).click().run()
    assert not run_store.stop_requested(training_run)
    assert "started elsewhere" not in page_text(at)
    at.button(key=state.W_STOP).click().run()
    at.button(key=state.W_STOP_CONFIRM).click().run()
    assert run_store.stop_requested(training_run)
    assert at.session_state[state.STOPPED_RUNS] == {training_run}  # its end line says "by you"
    assert run_view.STOP_REQUESTED_TEXT in page_text(at)


def test_another_sessions_training_does_not_stop_this_one_from_training(news, run_store,
                                                                        training_run):
    """QA: a new session shows the latest active run, another student's, and its Train
    button was disabled ("stop it or wait"): nobody else could join the queue."""
    at = open_page(news)
    assert at.session_state[state.CURRENT_RUN] == training_run  # shown: the latest active run
    assert not at.button(key=state.W_TRAIN).disabled
    assert "Your run below is still training" not in page_text(at)
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    at.number_input(key=state.W_EPOCHS).set_value(1).run()
    at.button(key=state.W_TRAIN).click().run()
    assert not at.exception
    own_run = at.session_state[state.CURRENT_RUN]
    assert own_run != training_run and run_store.info(own_run).name
    assert at.button(key=state.W_TRAIN).disabled  # now this session's own run trains
    wait_until_ended(at, run_store, own_run)
    assert run_store.status(own_run)["status"] == "finished"
    assert not at.button(key=state.W_TRAIN).disabled


def test_progress_and_time_left_follow_the_steady_pace():
    from core.progress import progress

    status = {"started": 100.0, "total_epochs": 4, "batches_per_epoch": 10, "epochs_done": 1}
    records = [  # the first batch also built the graph (20 s); then 1 s per step
        {"kind": "batch", "epoch": 1, "step": 1, "batch": 1, "time": 120.0},
        {"kind": "epoch", "epoch": 1, "step": 10, "time": 129.0, "seconds": 29.0},
        {"kind": "batch", "epoch": 2, "step": 15, "batch": 5, "time": 134.0},
    ]
    p = progress(status, records, now=134.0)
    assert (p.epoch, p.batch, p.total_epochs, p.batches) == (2, 5, 4, 10)
    assert p.fraction == pytest.approx(15 / 40)
    assert p.eta_seconds == pytest.approx(25.0)  # 25 steps left at 1 s each, not 29 s per epoch
    assert progress(status, records[:1], now=121.0).eta_seconds is None  # one point: no pace yet
    older = [{"kind": "batch", "epoch": 1, "step": 3, "batch": 3, "time": 50.0}]  # before this start
    assert progress({**status, "epochs_done": 0}, older, now=101.0).batch == 0


def test_progress_words_between_two_epochs():
    from core.progress import progress, progress_text

    status = {"started": 100.0, "total_epochs": 4, "batches_per_epoch": 10, "epochs_done": 2}
    records = [{"kind": "batch", "epoch": 2, "step": 20, "batch": 10, "time": 130.0}]
    assert progress_text(progress(status, records, now=131.0)) == \
        "Training: epoch 3 of 4 · starting the epoch"  # not "batch 0 of 10"
    records.append({"kind": "batch", "epoch": 3, "step": 24, "batch": 4, "time": 134.0})
    assert progress_text(progress(status, records, now=134.0)).startswith(
        "Training: epoch 3 of 4 · batch 4 of 10 · about ")


def test_after_stop_the_progress_line_says_it_is_stopping_not_how_long_is_left(run_store,
                                                                              training_run):
    """Browser QA: after Stop the line counted down into an epoch that never started."""
    from ui.run_view import STOP_REQUESTED_TEXT, STOPPED_ELSEWHERE_TEXT, STOPPING_TEXT

    at = open_page(run_id=training_run)
    assert at.get("progress")[0].proto.text.startswith("Training: epoch")
    run_store.request_stop(training_run)  # by another session
    at.run()
    assert [p.proto.text for p in at.get("progress")] == [STOPPING_TEXT]
    assert "left" not in STOPPING_TEXT
    # The caption in place of Stop does not say again what the progress line says, and
    # says the stop came from elsewhere (QA: a student whose run the teacher stopped read
    # "Stop requested" though they had pressed nothing).
    captions = [c.value for c in at.caption]
    assert STOPPED_ELSEWHERE_TEXT in captions and STOP_REQUESTED_TEXT not in captions
    assert not [c.value for c in at.caption if "best model" in c.value]


def test_an_imported_model_says_where_it_came_from_and_offers_no_train_more(run_store,
                                                                           trained_run):
    from core import importer

    model_file = run_store.model_path(trained_run).read_bytes()
    run_id = importer.import_model(run_store, model_file, "shared.keras")
    try:
        at = open_page(run_id=run_id)
        assert "Imported from a model file" in page_text(at)
        assert "Finished after" not in page_text(at)  # it was not trained here
        assert not at.get("echarts_chart")  # no curves to draw
        assert not [b for b in at.button if b.key == state.W_TRAIN_MORE]
    finally:
        run_store.delete(run_id)


def test_after_a_reload_the_shown_runs_data_comes_back_in_one_click(run_store, trained_run):
    """QA: a reload ends the session, so a teacher had to load the sample again to train."""
    from core import data as data_lib
    from core.config import data_from_dict, model_from_dict, train_from_dict

    at = open_page(run_id=trained_run)  # a new session: no data loaded
    assert "First load and prepare a dataset" in page_text(at)
    # The run the URL names, which need not be the latest one.
    name = run_store.info(trained_run).name
    assert f"Below is the run “{name}”." in page_text(at) and "latest" not in page_text(at)
    assert not [b for b in at.button if b.key == state.W_TRAIN]
    at.button(key=state.W_REUSE_RUN_DATA).click().run()
    assert not at.exception and not at.error
    saved = data_lib.load_dataset(run_store.path(trained_run))
    dataset = at.session_state[state.DATASET]
    assert dataset.train.texts == saved.train.texts and dataset.class_names == saved.class_names
    assert at.session_state[state.DATA_SPEC] == data_from_dict(run_store.spec(trained_run)["data"])
    assert at.session_state[state.FRAME_SOURCE] == run_store.spec(trained_run)["source"]
    assert at.button(key=state.W_TRAIN)  # ready to train again
    assert not [c for c in at.caption if "learned from" in c.value]  # the same data
    # ...and the same settings (QA19: the controls stayed at the recommended BiLSTM 64).
    spec = run_store.spec(trained_run)
    shown = train_view.specs_from_controls(None, controls=at.session_state)  # what Train trains
    assert shown == (model_from_dict(spec["model"]), train_from_dict(spec["train"]))

    # The Data page shows the data in use, though no file is loaded in this session.
    data_page = AppTest.from_file("../../pages/data.py", default_timeout=60)
    for key in (state.DATASET, state.DATA_SPEC, state.FRAME_SOURCE):
        data_page.session_state[key] = at.session_state[key]
    data_page.run()
    assert not data_page.exception and not data_page.error
    assert any("In use: the texts of" in i.value for i in data_page.info)
    shown = {m.label: m.value for m in data_page.metric}
    assert shown["Training texts"] == f"{len(saved.train.texts):,}"
    assert shown["Test texts"] == f"{len(saved.test.texts):,}"
    assert len(data_page.get("plotly_chart")) == 2  # class balance and text lengths
    assert data_page.session_state[state.DATASET] is dataset  # looking changed nothing


def test_data_that_is_not_ready_is_named_as_the_reason(empty_store):
    import pandas as pd

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[state.FRAME] = pd.DataFrame({"text": ["a b", "c d"], "label": ["x", "y"]})
    at.session_state[state.PREPARED_FROM] = ("upload:1", None, "“Two classes” needs …")
    at.run()
    assert not at.exception
    assert "The data on the **Data** page is not ready yet" in page_text(at)
    assert "load a dataset" not in page_text(at)


def test_the_end_line_says_when_stop_cut_the_last_epoch_short():
    from core.progress import ended_line

    stopped_early = {"epochs_done": 1, "last_epoch_batches": 1, "batches_per_epoch": 7}
    assert ended_line("stopped", stopped_early, " by you") == (
        "Stopped by you during epoch 1, after 1 of 7 batches.")
    whole = {"epochs_done": 3, "last_epoch_batches": 7, "batches_per_epoch": 7}
    assert ended_line("stopped", whole, " by you") == "Stopped by you after 3 epochs."
    assert ended_line("stopped", whole) == "Stopped after 3 epochs."  # stopped by another session
    assert ended_line("finished", {"epochs_done": 1}) == "Finished after 1 epoch."
    assert ended_line("stopped", {"epochs_done": 2}) == "Stopped after 2 epochs."  # older runs


def test_a_changed_preset_says_so_and_goes_back(news):
    at = open_page(news)
    assert not [b for b in at.button if b.key == state.W_PRESET_RESET]  # the recommended preset
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    description = [c.value for c in at.caption if "trains in seconds" in c.value]
    assert description and not [b for b in at.button if b.key == state.W_PRESET_RESET]
    at.number_input(key=state.W_UNITS_PER_LAYER[0]).set_value(200).run()
    assert not at.exception
    assert "Your own settings:" in page_text(at) and "changed from this preset" in page_text(at)
    at.button(key=state.W_PRESET_RESET).click().run()
    assert not at.exception
    assert "Your own settings:" not in page_text(at)
    assert at.number_input(key=state.W_UNITS_PER_LAYER[0]).value != 200  # the preset's again


def test_the_presets_batch_size_follows_data_of_another_size(news):
    from core import data

    dataset, spec, source = news
    frame = data.load_sample("news")
    small = data.prepare_dataset(frame.groupby(spec.label_column).head(15), spec)
    at = open_page((small, spec, "a small file"))
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    small_batch = at.select_slider(key=state.W_BATCH_SIZE).value
    at.session_state[state.DATASET] = dataset  # the Data page loads the whole sample
    at.session_state[state.FRAME_SOURCE] = source
    at.run()
    assert not at.exception
    assert at.select_slider(key=state.W_BATCH_SIZE).value > small_batch
    assert "Your own settings:" not in page_text(at)
    at.select_slider(key=state.W_BATCH_SIZE).set_value(64).run()  # the user's own choice ...
    at.session_state[state.DATASET] = small
    at.run()
    assert at.select_slider(key=state.W_BATCH_SIZE).value == 64  # ... stays with new data
    assert "Your own settings:" in page_text(at)


def test_a_run_shown_under_other_data_says_what_it_learned_from(news, run_store, trained_run):
    dataset, spec, _ = news
    at = open_page((dataset, spec, "my_reviews.csv"), run_id=trained_run)
    notes = [shown_text(c.value) for c in at.caption if "learned from" in c.value]
    trained_on = run_store.spec(trained_run)["source"]
    assert notes == [f"The run below learned from “{trained_on}”, not from the data loaded now "
                     "(“my_reviews.csv”). Press **Train** to train on the new data."]
    at = open_page((dataset, spec, trained_on), run_id=trained_run)  # the data it learned from
    assert not [c for c in at.caption if "learned from" in c.value]


def test_an_imported_run_shown_under_data_says_it_came_from_a_file(news, run_store, trained_run):
    """Browser QA: it said the run "learned from “model.keras”"."""
    from core import importer

    dataset, spec, _ = news
    run_id = importer.import_model(run_store, run_store.model_path(trained_run).read_bytes(),
                                   "shared model.keras")
    try:
        at = open_page((dataset, spec, "my_reviews.csv"), run_id=run_id)
        notes = [shown_text(c.value) for c in at.caption
                 if "not from the data loaded now" in c.value]
        assert notes == ["The run below was imported from “shared model.keras”, not from the "
                         "data loaded now (“my_reviews.csv”). Press **Train** to train on the "
                         "new data."]
    finally:
        run_store.delete(run_id)


def test_a_two_class_run_shows_the_accuracy_at_the_threshold_chosen_on_evaluate(
        run_store, trained_binary_run):
    """Browser QA: this page said 91.9% (at 50%) where Evaluate, Predict and the report
    said 64.9% at the run's threshold of 89%."""
    from core import evaluation
    from core import results as results_lib
    from tests.app.conftest import copy_run

    run_id = copy_run(run_store, trained_binary_run, "threshold moved")
    res = results_lib.load_results(run_store, run_id)
    at_half = res.at_threshold(0.5)
    at_chosen = res.at_threshold(0.97)
    assert at_chosen.accuracy != at_half.accuracy  # else the test could not tell them apart
    run_store.save_threshold_choice(run_id, res.class_names[1], 0.97)

    at = open_page(run_id=run_id)
    headlines = [m.value for m in at.markdown if m.value.startswith("## ")]
    assert headlines == [f"## {evaluation.headline(at_chosen)}"]
    assert any(f"At the usual 50% the model got {evaluation.percent(at_half.accuracy)} right"
               in c.value and "97% sure" in c.value for c in at.caption)


def test_a_run_that_broke_down_says_so_and_which_model_it_kept(run_store, trained_binary_run):
    """QA: a run whose loss became NaN was shown as a green "Finished" (then the page
    crashed on its NaN points). One that broke down after a good epoch keeps that epoch."""
    from tests.app.conftest import copy_run

    run_id = copy_run(run_store, trained_binary_run, "broke down")
    run_store.update_status(run_id, diverged_in=2, best_epoch=1)
    at = open_page(run_id=run_id)
    assert [w.value for w in at.warning] == [
        "The training broke down in epoch 2: the loss stopped being a number (the learning "
        "steps grew too large), so it ended there. The model from epoch 1 (lowest validation "
        "loss) is kept. A lower learning rate usually avoids this."]
    assert not at.success



def test_a_run_stopped_while_it_waited_is_not_shown_as_a_success(run_store, trained_binary_run):
    """Second browser pass: a green "Stopped by you after 0 epochs." for a run that never began."""
    from tests.app.conftest import copy_run

    run_id = copy_run(run_store, trained_binary_run, "never began")
    status_file = run_store.path(run_id) / "status.json"
    status = json.loads(status_file.read_text())
    status = {k: v for k, v in status.items() if k not in ("started", "epochs_done", "best_epoch")}
    status_file.write_text(json.dumps({**status, "status": "stopped"}))
    (run_store.path(run_id) / "model.keras").unlink()
    at = open_page(run_id=run_id)  # a session that did not press Stop: not "by you" (QA10)
    assert "Stopped while it waited to train, so it has no model." in [i.value for i in at.info]
    assert not at.success
    at.session_state[state.STARTED_RUNS] = {run_id}  # the session that started it (QA19)
    at.run()
    assert ("Stopped in another tab or by someone else while it waited to train, so it has no "
            "model.") in [i.value for i in at.info]
    at.session_state[state.STOPPED_RUNS] = {run_id}  # the session that pressed it
    at.run()
    assert "Stopped by you while it waited to train, so it has no model." in [
        i.value for i in at.info]


def test_the_session_that_started_a_run_reads_that_someone_else_stopped_it(run_store,
                                                                          trained_binary_run):
    """QA19: a classmate stopped a student's run, and the student read only "Stopped after 198
    epochs.", as if it had ended by itself."""
    from tests.app.conftest import copy_run

    run_id = copy_run(run_store, trained_binary_run, "stopped by a classmate")
    status_file = run_store.path(run_id) / "status.json"
    status = json.loads(status_file.read_text())
    status_file.write_text(json.dumps({**status, "status": "stopped", "epochs_done": 3}))
    at = open_page(run_id=run_id)
    at.session_state[state.STARTED_RUNS] = {run_id}
    at.run()
    assert [s.value for s in at.success][0].startswith(
        "Stopped in another tab or by someone else after 3 epochs.")
    viewer = open_page(run_id=run_id)  # a session that neither started nor stopped it
    assert [s.value for s in viewer.success][0].startswith("Stopped after 3 epochs.")


def _page_with_this_sessions_run(news, run_id: str) -> AppTest:
    """The page with the news data loaded, showing ``run_id`` as a run this session started."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    dataset, spec, _ = news
    at.session_state[state.DATASET], at.session_state[state.DATA_SPEC] = dataset, spec
    at.session_state[state.CURRENT_RUN] = run_id
    at.session_state[state.STARTED_RUNS] = {run_id}
    at.run()
    return at


def test_train_says_when_this_sessions_run_only_waits_in_line(news, run_store, training_run):
    """Second browser pass: the caption said "still training" for a run waiting in line."""
    run_store.update_status(training_run, status="queued")
    at = _page_with_this_sessions_run(news, training_run)
    assert at.button(key=state.W_TRAIN).disabled
    assert ("Your run below is waiting to train: stop it or wait for it to end to train another."
            in [c.value for c in at.caption])


def test_a_queued_run_that_starts_redraws_the_whole_page(run_store, training_run):
    """CI's browser: Train's caption said "waiting to train" beside epoch 4 of 60, as the
    live view redrew only itself when the run left the queue."""
    running = run_store.info(training_run)
    every = run_view.poll_seconds(running, time.time())  # as the page drew it
    assert run_view.page_is_stale(running, every, drawn_status="queued", now=time.time())
    assert not run_view.page_is_stale(running, every, drawn_status="running", now=time.time())
    run_store.update_status(training_run, status="queued")
    queued = run_store.info(training_run)
    assert not run_view.page_is_stale(queued, every, drawn_status="queued", now=time.time())
    # QA: "still training" beside "Finished" while the worker process closed (it lives on).
    run_store.update_status(training_run, status="finished")
    closing = run_store.info(training_run)
    assert run_view.page_is_stale(closing, every, drawn_status="running", now=time.time())
    assert not run_view.page_is_stale(closing, every, drawn_status="finished", now=time.time())


def test_a_run_that_starts_while_the_page_draws_gets_the_right_caption(news, run_store,
                                                                       training_run, monkeypatch):
    """Browser QA: when the worker took the run out of the queue between Train's caption and
    the live view, the caption said "waiting to train" for the whole run."""
    run_store.update_status(training_run, status="queued")
    draw_summary = network_view.model_summary

    def summary_while_the_worker_starts(*args, **kwargs):  # the real summary, then the start
        draw_summary(*args, **kwargs)
        run_store.update_status(training_run, status="running")

    monkeypatch.setattr(network_view, "model_summary", summary_while_the_worker_starts)
    at = _page_with_this_sessions_run(news, training_run)
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Your run below is still training") for c in captions), captions


def _live_view_of_a_run_deleted_since_the_page_was_drawn():
    from ui import run_view

    # The arguments a fragment keeps from the full run that drew it.
    run_view._panel("20261207-060000-0a0b0c", None, "Week 3 *demo*")


def test_a_live_view_whose_run_was_deleted_names_it_by_its_name():
    """QA: after a delete in another tab, a redraw said "There is no run called '2026…'"."""
    at = AppTest.from_function(_live_view_of_a_run_deleted_since_the_page_was_drawn)
    at.run()
    assert not at.exception, at.exception
    assert [shown_text(w.value) for w in at.warning] == [
        "“Week 3 *demo*” was deleted, perhaps in another tab or by someone else. The Runs "
        "page lists the runs left."]


@pytest.mark.parametrize("how", ["this session's run", "the address after a reload"])
def test_a_run_deleted_elsewhere_is_named_where_model_and_train_shows_another(
        run_store, trained_run, how):
    """QA: Model & Train moved to another run without a word, after a reload with the deleted
    run in the address too."""
    from tests.app.conftest import copy_run

    gone = copy_run(run_store, trained_run, "Deleted by the teacher")
    at = AppTest.from_file(PAGE, default_timeout=60)
    if how == "this session's run":
        at.session_state[state.CURRENT_RUN] = gone
        at.session_state[state.RUN_NAMES] = {gone: "Deleted by the teacher"}
    else:
        at.query_params["run"] = gone
    at.run()
    assert not at.warning
    run_store.delete(gone)
    at.run()
    assert not at.exception
    notes = [shown_text(w.value) for w in at.warning if "was deleted" in w.value]
    assert len(notes) == 1 and "so this page shows another run" in notes[0]
    if how == "this session's run":
        assert "“Deleted by the teacher”" in notes[0]
