"""Shared fixtures: an isolated run store and tiny, really trained models."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import pytest  # noqa: E402

from core.config import DataSpec, ModelSpec, TrainSpec  # noqa: E402

# Small enough to train in a few seconds on 2 cores, big enough to learn something.
TINY_MODEL = ModelSpec(units=(8,), embedding_dim=16, max_tokens=60, vocab_size=3000,
                       bidirectional=False, dropout=0.0)
TINY_TRAIN = TrainSpec(epochs=2, batch_size=32, early_stopping_patience=None,
                       learning_rate=0.01)


@pytest.fixture(scope="session", autouse=True)
def studio_home(tmp_path_factory):
    """Every test session writes runs into its own temporary store."""
    home = tmp_path_factory.mktemp("studio_home")
    os.environ["LSTM_STUDIO_HOME"] = str(home)
    return home


def train_sample_run(store, sample_key: str, *, label: str | None = None, task: str | None = None,
                     model: ModelSpec = TINY_MODEL, train: TrainSpec = TINY_TRAIN) -> str:
    """Prepare a bundled sample, train it in a real worker process, return the run id."""
    from core import data, jobs

    sample = next(s for s in data.sample_datasets() if s.key == sample_key)
    frame = data.load_sample(sample_key)
    data_spec = DataSpec(text_columns=sample.text_columns, label_column=label or sample.label_column,
                         task=task)
    dataset = data.prepare_dataset(frame, data_spec)
    run_id = jobs.create_run(store, dataset, data_spec, model, train, source=sample.title,
                             name=f"tiny {sample_key} {task or ''}".strip())
    code = jobs.run_in_foreground(store, run_id)
    assert code == 0, store.status(run_id)
    return run_id


@pytest.fixture(autouse=True)
def no_threshold_left_behind(studio_home):
    """A threshold chosen on Evaluate is kept with its run; no test inherits another's."""
    yield
    from core.runs import THRESHOLD_FILE

    for path in studio_home.rglob(THRESHOLD_FILE):
        path.unlink()


@pytest.fixture(scope="session")
def run_store(studio_home):
    from core.runs import RunStore

    return RunStore(studio_home)


@pytest.fixture(scope="session")
def trained_run(run_store) -> str:
    """A finished multi-class run on the bundled review ratings (trained once per session)."""
    return train_sample_run(run_store, "reviews")


@pytest.fixture(scope="session")
def trained_binary_run(run_store) -> str:
    """A finished binary run (review recommended yes/no)."""
    return train_sample_run(run_store, "reviews_recommended")
