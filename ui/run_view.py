"""The live view of one training run: status, progress, curves, Stop and Train more.

Everything shown is re-read from the run store, so a reload, a second viewer or
a restarted server all see the same run. While the run is active the panel is a
fragment that re-runs itself every second; it never starts a full script run,
except once when the run ends so the whole page shows the final state, and once when
a start has run long enough for the calmer redraw (``poll_seconds``).
"""

from __future__ import annotations

import time
import streamlit as st

from core import evaluation, jobs
from core.progress import ended_line, progress, progress_text
from core import runs as runs_lib
from core.baseline import BaselineResult
from core.config import TASK_BINARY, TASK_REGRESSION
from core.errors import RunError, StudioError
from core.explain import escape_markdown
from core.fit_callback import diverged_message
from ui import eval_view, links, services, shown_run, state, widgets

# The first seconds of a start redraw every second: the Tiny demo trains in about 2 s,
# and a class should see it move. Later a redraw every 2 s halves what the browser
# takes from the training on a laptop that runs both (bench/page_overhead.py).
FAST_POLL_SECONDS = 1.0
CALM_POLL_SECONDS = 2.0
FAST_POLL_FOR = 10.0  # seconds after a start
CURVE_VIEWS = {"batch": "Every few batches (live)", "epoch": "Per epoch"}


# ---------------------------------------------------------------- reading metrics

def _records(store: runs_lib.RunStore, run_id: str) -> list[dict]:
    """All metric records so far; each poll reads only the lines added since the last one."""
    cache = st.session_state.get(state.RUN_RECORDS)
    if not cache or cache["run_id"] != run_id:
        cache = {"run_id": run_id, "offset": 0, "records": []}
    new, cache["offset"] = store.read_metrics(run_id, cache["offset"])
    cache["records"].extend(new)
    st.session_state[state.RUN_RECORDS] = cache
    return cache["records"]


# ---------------------------------------------------------------- panel

def _worker_busy(run_id: str) -> bool:
    """True until the worker process has really exited (it writes "finished" a bit before)."""
    queue = services.job_queue()
    return queue.is_tracked(run_id) or queue.store.worker_alive(run_id)


def _live(info: runs_lib.RunInfo) -> bool:
    return info.is_active or _worker_busy(info.run_id)


def poll_seconds(info: runs_lib.RunInfo, now: float) -> float:
    """How often the live panel redraws: every second at first, then every 2 s."""
    started = info.state.get("started")
    if info.status == runs_lib.RUNNING and started and now - float(started) >= FAST_POLL_FOR:
        return CALM_POLL_SECONDS
    return FAST_POLL_SECONDS  # queued or just started: show the start as soon as it comes


def show(run_id: str, drawn_status: str | None = None) -> None:
    """``drawn_status``: the run's status as the page above says it, if it does."""
    try:
        info = services.store().info(run_id)
        every = poll_seconds(info, time.time()) if _live(info) else None
        name, status = info.name, drawn_status or info.status
    except RunError:
        every = name = status = None
    st.fragment(run_every=every)(_panel)(run_id, every, name, status)


def page_is_stale(info: runs_lib.RunInfo, polling_every: float | None, drawn_status: str | None,
                  now: float) -> bool:
    """Whether the live view must hand over to one full page run, which redraws what lies
    outside it: the final state when the run ends; the calmer redraw (a fragment's timer is
    set by a full run only); Train's caption whenever the status it drew changed. CI's
    browser caught "waiting to train" beside epoch 4 of 60, and QA "still training" beside
    "Finished" for up to 9 s, while the worker process closed."""
    if not polling_every:
        return False
    return (not _live(info) or poll_seconds(info, now) > polling_every
            or drawn_status != info.status)


def _panel(run_id: str, polling_every: float | None, name: str | None = None,
           drawn_status: str | None = None) -> None:
    """``name``, ``drawn_status``: the run's name and status when the page was drawn (for a
    run deleted since, QA: a redraw named it by its id)."""
    state.keep_widget_values_in_a_poll()
    store = services.store()
    try:
        info = store.info(run_id)
    except RunError as err:
        gone = not shown_run.exists(store, run_id)
        st.warning(escape_markdown(shown_run.deleted_message(name) if gone else str(err)))
        return
    if page_is_stale(info, polling_every, drawn_status, time.time()):
        st.rerun()  # once: the full page run draws the fragment again with new arguments
    st.header(f"Run: {escape_markdown(info.name)}")
    records = _records(store, run_id)
    stopping = info.is_active and store.stop_requested(run_id)
    with st.container():  # one slot whatever it shows, so the charts below keep their place
        _status_line(info, records, stopping)
    if not info.state.get("imported"):  # trained elsewhere: no curves to draw
        _curves(run_id, records, info.task)
    if info.is_active:
        _stop_button(run_id, stopping)
    else:
        _result(store, info)
        _train_more(store, info, finishing=_live(info))


def _starting(queue: jobs.JobQueue, run_id: str) -> bool:
    position = queue.queue_position(run_id)
    running = sum(1 for run in queue.store.list_runs() if run.status == runs_lib.RUNNING)
    return position is not None and position <= queue.workers - running


def _waited(info: runs_lib.RunInfo) -> str:
    """" (12 s)" since this start; a counter shows the class that something is happening."""
    if info.status == runs_lib.RUNNING:
        since = info.state.get("started")
    else:  # queued: "Train more" keeps the old start time, so count only for a new run
        since = None if info.state.get("epochs_done") else info.created
    return f" ({max(0.0, time.time() - since):.0f} s)" if since else ""


def _waiting_line(info: runs_lib.RunInfo, records: list[dict]) -> str | None:
    """What a run that has not drawn its first point yet is doing, or None."""
    waited = _waited(info)
    if info.status == runs_lib.QUEUED:
        queue = services.job_queue()
        if not _starting(queue, info.run_id):
            return (f"Waiting in line (position {queue.queue_position(info.run_id)}): it starts "
                    "when the training before it ends.")
        return "Starting: loading TensorFlow" + waited
    started = info.state.get("started") or 0
    if info.status != runs_lib.RUNNING or (records and records[-1].get("time", 0) >= started):
        return None  # this start has drawn points ("Train more" keeps the older ones)
    if "batches_per_epoch" not in info.state:
        return "Preparing: building the vocabulary and the network" + waited
    return "Building the network in TensorFlow: the first batch takes the longest" + waited


STOPPING_TEXT = ("Stopping: the best model so far is kept and scored on the test texts, "
                 "with a simple baseline to compare with…")


def _status_line(info: runs_lib.RunInfo, records: list[dict], stopping: bool) -> None:
    status = info.state
    waiting = _waiting_line(info, records)
    if waiting:
        st.info(waiting, icon=":material/hourglass_top:")
    elif info.status == runs_lib.RUNNING:
        p = progress(status, records, time.time())
        if stopping:
            # No estimate: it would count down into an epoch that never starts.
            st.progress(p.fraction, text=STOPPING_TEXT)
            return
        if p.fraction >= 1:
            st.info("Scoring the test texts, and a simple baseline to compare with…",
                    icon=":material/calculate:")
            return
        st.progress(p.fraction, text=progress_text(p))
        st.caption("Watch the loss fall: blue is the texts it learns from, orange the validation "
                   "texts it never trains on. When orange turns up while blue keeps falling, "
                   "the model starts memorising.")
    elif info.status == runs_lib.FAILED:
        widgets.show_error(status.get("error") or "The training failed.")
    elif info.status == runs_lib.INTERRUPTED:
        st.warning(status.get("error") or "The training was interrupted.")
    elif info.stopped_before_start:
        # QA: a green "Stopped by you after 0 epochs." for a run that never began.
        st.info(f"Stopped{_by_you(info.run_id)} while it waited to train, so it has no model.",
                icon=":material/block:")
    elif status.get("imported"):
        st.info("Imported from a model file: it was trained elsewhere, so there are no training "
                "curves, and it cannot be trained further here. Explain and Predict use it.",
                icon=":material/upload_file:")
    elif status.get("diverged_in") and status.get("best_epoch"):
        st.warning(diverged_message(status["diverged_in"], kept=status["best_epoch"]),
                   icon=":material/warning:")
    else:
        best = status.get("best_epoch")
        kept = f" The model from epoch {best} (lowest validation loss) is kept." if best else ""
        st.success(ended_line(info.status, status, _by_you(info.run_id)) + kept,
                   icon=":material/check_circle:")


def _by_you(run_id: str) -> str:
    """Who stopped it, as this session can tell: " by you" where it pressed Stop (in a class,
    the teacher's tab and every other one said "Stopped by you" when a student stopped the
    run, QA); on a run it started, that someone else did (QA19: the student whose run a
    classmate stopped read only "Stopped after 198 epochs."); else nothing."""
    if _stopped_here(run_id):
        return " by you"
    if run_id in st.session_state.get(state.STARTED_RUNS, ()):
        return " in another tab or by someone else"
    return ""


def _stopped_here(run_id: str) -> bool:
    return run_id in st.session_state.get(state.STOPPED_RUNS, ())


def _curve_options(run_id: str, records: list[dict], metric: str, per: str) -> tuple:
    """The loss and metric chart options, rebuilt only when new records arrived.

    A poll without new records sends the same options again (the chart must be
    drawn on every fragment rerun or it vanishes); the browser then redraws nothing.
    """
    from core import live_chart  # imports plotly: only when there is a run to draw

    wanted = (run_id, len(records), metric, per)
    cached = st.session_state.get(state.CURVE_OPTIONS)
    if not cached or cached["key"] != wanted:
        options = (live_chart.training_curves_option(records, "loss", per),
                   live_chart.training_curves_option(records, metric, per))
        cached = {"key": wanted, "options": options}
        st.session_state[state.CURVE_OPTIONS] = cached
    return cached["options"]


def _curves(run_id: str, records: list[dict], task: str) -> None:
    from core import live_chart

    st.session_state.setdefault(state.W_CURVE_VIEW, "batch")
    per = st.radio("Show the curves", list(CURVE_VIEWS), key=state.W_CURVE_VIEW, horizontal=True,
                   format_func=CURVE_VIEWS.get, label_visibility="collapsed")
    metric = "rmse" if task == TASK_REGRESSION else "accuracy"
    options = _curve_options(run_id, records, metric, per)
    # Keyed ECharts charts keep their identity across polls, so each poll updates the
    # drawn chart in place (no remount, no flicker; bench/page_overhead.py).
    for column, option, key in zip(st.columns(2), options, (state.LOSS_CHART, state.METRIC_CHART)):
        with column:
            st.echarts_chart(option, key=key, height=live_chart.HEIGHT,
                             alt=live_chart.describe(option))


# Short: the progress line above already says the best model is kept (browser QA).
STOP_REQUESTED_TEXT = "Stop requested: training ends after the current batch."
# QA: the student whose run the teacher stopped read "Stop requested" though they had pressed
# nothing.
STOPPED_ELSEWHERE_TEXT = ("Stopped in another tab or by someone else: training ends after "
                          "the current batch.")


def _stop_button(run_id: str, stopping: bool) -> None:
    if stopping:
        st.caption(STOP_REQUESTED_TEXT if _stopped_here(run_id) else STOPPED_ELSEWHERE_TEXT)
    elif not shown_run.trains_for_this_session(run_id):
        _stop_with_a_question(run_id)
    elif st.button("Stop", key=state.W_STOP, icon=":material/stop:", on_click=_request_stop,
                   args=(run_id,), help="Ends the training early and keeps the best model so far."):
        st.caption(STOP_REQUESTED_TEXT)


def _stop_with_a_question(run_id: str) -> None:
    """Stop for a run another session started asks first: a new session shows the latest
    active run, in a class often the teacher's, and one click stopped it."""
    if st.session_state.get(state.CONFIRM_STOP) != run_id:
        st.button("Stop…", key=state.W_STOP, icon=":material/stop:", on_click=_ask_stop,
                  args=(run_id,), help="Ends the training early and keeps the best model so far.")
        return
    st.warning("This run was started elsewhere: perhaps by someone else, or on this page "
               "before it was reloaded. Stop it anyway? It keeps its best model so far.",
               icon=":material/warning:")
    row = widgets.wrapping_row()
    row.button("Yes, stop it", key=state.W_STOP_CONFIRM, type="primary",
               on_click=_request_stop, args=(run_id,))
    row.button("Cancel", key=state.W_STOP_CANCEL, on_click=_ask_stop, args=(None,))


def _ask_stop(run_id: str | None) -> None:
    st.session_state[state.CONFIRM_STOP] = run_id


def _request_stop(run_id: str) -> None:
    st.session_state.pop(state.CONFIRM_STOP, None)
    st.session_state.setdefault(state.STOPPED_RUNS, set()).add(run_id)
    services.job_queue().stop(run_id)


def _result(store: runs_lib.RunStore, info: runs_lib.RunInfo) -> None:
    report = store.read_json(info.run_id, "eval.json")
    if not report:
        return
    result = evaluation.EvalResult.from_dict(report["metrics"])
    result, threshold_note = _at_chosen_threshold(store, info.run_id, result)
    st.markdown(f"## {evaluation.headline(result)}")
    if threshold_note:
        st.caption(threshold_note)
    if report.get("baseline"):
        st.caption("For comparison: " + BaselineResult.from_dict(report["baseline"]).summary())
    with widgets.wrapping_row():
        links.page_link("pages/evaluate.py", label="Evaluate: where is it wrong?")
        links.page_link("pages/explain.py", label="Explain: which words mattered?")


def _at_chosen_threshold(store: runs_lib.RunStore, run_id: str,
                         result: evaluation.EvalResult) -> tuple[evaluation.EvalResult, str]:
    """A two-class run's result at the threshold chosen on Evaluate, and a note saying so.

    At 50% this page gave another accuracy than Evaluate, Predict and the report for
    the same run (browser QA).
    """
    if result.task != TASK_BINARY:
        return result, ""
    try:
        res = eval_view.load_results(store, run_id)
    except (StudioError, OSError):
        return result, ""
    cut, note = widgets.run_cut(store, res, run_id)  # the cut and words Predict and Explain use
    if not note:
        return result, ""
    return res.at_threshold(cut), (f"{note} At the usual 50% the model got "
                                   f"{evaluation.percent(result.accuracy)} right.")


def _train_more(store: runs_lib.RunStore, info: runs_lib.RunInfo, finishing: bool) -> None:
    """More epochs from the best model; only once the old worker has exited."""
    if not store.has_model(info.run_id) or not jobs.has_training_data(store, info.run_id):
        return  # an imported model: nothing to train on (its status line says so)
    st.session_state.setdefault(state.W_MORE_EPOCHS, 5)
    row = widgets.wrapping_row(vertical_alignment="bottom")
    extra = row.number_input("More epochs", 1, 1000, key=state.W_MORE_EPOCHS, width=180)
    if finishing:
        st.caption("The training process is closing; Train more is possible in a moment.")
    if row.button("Train more", key=state.W_TRAIN_MORE, icon=":material/add:", disabled=finishing,
                    help="Continue from the best model so far."):
        try:
            jobs.train_more(services.job_queue(), info.run_id, int(extra))
        except StudioError as err:
            gone = not shown_run.exists(store, info.run_id)  # deleted in another tab
            widgets.show_error(shown_run.deleted_message(info.name) if gone else err)
            return
        shown_run.remember(info.run_id, started=True)
        st.rerun()  # the full page restarts the live view
