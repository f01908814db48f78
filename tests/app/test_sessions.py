"""Two browser sessions at once: data and typed text stay private, runs are shared.

Each AppTest has its own session state, as each browser tab has on a server, while
both share the process-wide caches (job queue, run store, models), as a server's
sessions do. Data a user loads must never leak into another session; finished runs
are shared on purpose through the run store.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.data import Dataset
from tests.app.conftest import copy_run, open_page, page_text
from ui import state
from ui.predict_view import example_text

SECRET = "my private complaint about order 4711"


def mood_csv() -> bytes:
    rows = [{"message": f"{mood} day number {i}", "label": mood}
            for i in range(30) for mood in ("sunny", "rainy")]
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def shows_two_ways_in(at) -> None:
    assert at.button(key=state.W_USE_SAMPLE).label == "Use sample data"
    assert at.file_uploader(key=state.W_UPLOAD).value is None
    for key in (state.DATASET, state.FRAME, state.FRAME_SOURCE, state.DATA_SPEC):
        assert key not in at.session_state, key
    assert not any(isinstance(v, (pd.DataFrame, Dataset)) for v in at.session_state.values())
    assert not at.get("multiselect") and not at.metric and not at.dataframe
    assert "Which columns?" not in page_text(at)


def test_data_loaded_in_one_session_is_invisible_in_another():
    a = open_page("data")
    a.button(key=state.W_USE_SAMPLE).click().run()
    assert not a.exception and a.session_state[state.DATASET].n_classes == 4

    b = open_page("data")
    shows_two_ways_in(b)

    b.file_uploader(key=state.W_UPLOAD).set_value(("mood.csv", mood_csv(), "text/csv")).run()
    assert not b.exception and b.session_state[state.DATASET].class_names == ("rainy", "sunny")
    a.run()  # A's next interaction still sees only A's data
    assert not a.exception
    assert a.session_state[state.FRAME_SOURCE] == "News briefs (4 topics)"
    assert a.session_state[state.DATASET].n_classes == 4
    assert a.file_uploader(key=state.W_UPLOAD).value is None


def test_another_session_cannot_train_on_data_it_did_not_load():
    a = open_page("data")
    a.button(key=state.W_USE_SAMPLE).click().run()
    a_train = open_page("train", {state.DATASET: a.session_state[state.DATASET],
                                  state.DATA_SPEC: a.session_state[state.DATA_SPEC]})
    assert a_train.button(key=state.W_TRAIN)

    b_train = open_page("train")
    assert not [b for b in b_train.button if b.key == state.W_TRAIN]
    assert "First load and prepare a dataset on the **Data** page" in page_text(b_train)


def test_text_typed_in_one_session_is_not_shown_in_another(run_store, trained_binary_run):
    a = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    a.text_area(key=state.W_PREDICT_TEXT).input(SECRET).run()
    assert not a.exception and a.text_area(key=state.W_PREDICT_TEXT).value == SECRET

    b = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    assert b.text_area(key=state.W_PREDICT_TEXT).value == \
        example_text(run_store, trained_binary_run)  # the run's own example, not A's text
    assert SECRET not in page_text(b)
    assert all(SECRET not in str(value) for value in b.session_state.values())


@pytest.fixture
def run_finished_in_session_a(run_store, trained_run):
    """A's finished run, appearing while B already has the Runs page open."""
    copies = []

    def finish() -> str:
        copies.append(copy_run(run_store, trained_run, "Session A's finished run"))
        return copies[-1]

    yield finish
    for run_id in copies:
        run_store.delete(run_id)


def test_runs_are_shared_between_sessions_through_the_store(run_store, run_finished_in_session_a):
    b = open_page("runs")
    before = set(b.dataframe[0].value["name"]) if b.dataframe else set()
    assert "Session A's finished run" not in before

    run_id = run_finished_in_session_a()
    b.run()  # B's next interaction reads the store again: no restart, no cache to clear
    assert not b.exception
    table = b.dataframe[0].value
    row = table[table["name"] == "Session A's finished run"]
    assert len(row) == 1 and row.iloc[0]["status"] == "finished"
    assert any("Session A's finished run" in option
               for option in b.selectbox(key=state.W_RUNS_REPORT_RUN).options), run_id


def _page_reading_runs_in_turn():
    """A page that reads, on each draw, the next run id of session_state["ids"]."""
    import streamlit as st

    from core.runs import RunStore
    from ui import shown_run

    def draw():
        st.session_state["draws"] = st.session_state.get("draws", 0) + 1
        run_id = st.session_state["ids"].pop(0)
        st.write(RunStore(st.session_state["home"]).info(run_id).name)

    shown_run.redrawn_if_a_run_goes(draw)


@pytest.mark.parametrize("second_draw_reads", ["kept", "deleted"])
def test_a_page_whose_run_is_deleted_while_it_draws_is_drawn_again_once(
        run_store, trained_run, second_draw_reads):
    """QA, two sessions: Predict and Explain showed a traceback when the run they drew was
    deleted midway. Drawn again, a page shows another run; the same run gone again is an
    error, shown once, not an endless redraw."""
    deleted = copy_run(run_store, trained_run, "Deleted midway")
    run_store.delete(deleted)
    at = AppTest.from_function(_page_reading_runs_in_turn, default_timeout=60)
    second = trained_run if second_draw_reads == "kept" else deleted
    at.session_state["home"], at.session_state["ids"] = str(run_store.home), [deleted, second]
    at.run()
    assert at.session_state["draws"] == 2
    if second_draw_reads == "kept":
        assert not at.exception
        assert [m.value for m in at.markdown] == [run_store.info(trained_run).name]
    else:
        assert at.exception  # the error, once (its details stay in the server's log)
