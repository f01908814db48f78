"""UX fixes: kept settings across a live run, quiet chart polls, evaluation wording, icons."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from core import config, data
from core.config import DataSpec
from ui import services, state

APP = str(config.PROJECT_ROOT / "app.py")


@pytest.fixture(scope="module")
def news():
    """The prepared news sample, as the Data page leaves it in the session."""
    sample = next(s for s in data.sample_datasets() if s.key == "news")
    spec = DataSpec(text_columns=sample.text_columns, label_column=sample.label_column,
                    task=sample.task)
    return data.prepare_dataset(data.load_sample("news"), spec), spec, sample.title


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
