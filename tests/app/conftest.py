"""Helpers for the page tests: open a page, read its text and tables, an empty store, a
regression run."""

import base64
import json
import re
import shutil
import uuid

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import config, data
from core.config import DataSpec
from tests.conftest import train_sample_run
from ui import services

# The note Predict and Explain show for training_run.
STILL_TRAINING = ("This run is still training: answers come from its best checkpoint so far "
                  "(epoch 2 of 10). They may change when its training ends.")
TIMEOUT = 120  # the first model load and a LIME run share two CPU cores with other work


def open_page(name: str, session: dict | None = None, run: bool = True) -> AppTest:
    """AppTest of ``pages/<name>.py`` with ``session`` pre-seeded; fails on any exception."""
    at = AppTest.from_file(str(config.PROJECT_ROOT / "pages" / f"{name}.py"),
                           default_timeout=TIMEOUT)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    if run:
        at.run()
        assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def news():
    """The prepared news sample, as the Data page leaves it in the session."""
    sample = next(s for s in data.sample_datasets() if s.key == "news")
    spec = DataSpec(text_columns=sample.text_columns, label_column=sample.label_column)
    return data.prepare_dataset(data.load_sample("news"), spec), spec, sample.title


def decoded(values) -> np.ndarray:
    """Plotly writes numeric arrays as base64 typed arrays in its JSON."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def scrolls_to(at: AppTest, key: str) -> int:
    """How many scripts on the page scroll to the container ``key`` (widgets.scroll_to)."""
    return sum(f".st-key-{key}" in html.proto.body and html.proto.unsafe_allow_javascript
               for html in at.get("html"))


def shown_text(markdown: str) -> str:
    """Markdown source as it reads on screen: CommonMark drops the backslash of an escape."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def shown_percentages(table) -> dict[str, list[str]]:
    """Each percentage column of a shown table as the browser prints it (printf formats)."""
    columns = json.loads(table.proto.columns)
    shown = {}
    for name, column in columns.items():
        number_format = (column.get("type_config") or {}).get("format") or ""
        # "percent" prints as many decimals as a value needs ("95%" beside "93.75%").
        assert number_format != "percent", name
        if number_format.endswith("%%"):  # a percentage, printf style
            shown[name] = [number_format % value for value in table.value[name]]
    return shown


def shows_empty_cells_empty(table) -> bool:
    """Whether a dataframe element leaves a missing value's cell empty in the browser.

    Without a placeholder the browser writes the word "None" in it, which readers take for
    a value. (Checked with HasField: an unset placeholder also reads as "".)
    """
    return table.proto.HasField("placeholder") and table.proto.placeholder == ""


def page_text(at: AppTest) -> str:
    elements = [*at.title, *at.header, *at.markdown, *at.caption, *at.info, *at.success,
                *at.warning, *at.error]
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def no_runs(tmp_path, monkeypatch):
    """The app pointed at an empty run store (the queue caches the store, so rebuild it)."""
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path / "empty"))
    services.job_queue.clear()
    yield
    monkeypatch.undo()
    services.job_queue.clear()  # later tests get the session's store back


@pytest.fixture(scope="session")
def regression_run(run_store) -> str:
    """A finished run predicting the review rating as a number."""
    return train_sample_run(run_store, "reviews", task="regression")


@pytest.fixture
def training_run(run_store, trained_binary_run):
    """A copy of a trained run marked as still training (epoch 3 of 10, best 2).

    Its "worker" is this test process, so the store counts it alive, not interrupted.
    """
    import psutil

    from core import runs

    run_id = copy_run(run_store, trained_binary_run, "still training")
    me = psutil.Process()
    run_store.update_status(run_id, status=runs.RUNNING, epochs_done=3, best_epoch=2,
                            total_epochs=10, pid=me.pid, pid_created=me.create_time())
    yield run_id
    shutil.rmtree(run_store.path(run_id), ignore_errors=True)


def copy_run(store, run_id: str, name: str) -> str:
    """A throwaway copy of a finished run (for tests that delete or break runs)."""
    new_id = f"copy-{uuid.uuid4().hex[:10]}"
    shutil.copytree(store.path(run_id), store.path(new_id))
    store.rename(new_id, store.unused_name(name))  # two runs never share a name
    return new_id
