"""Training in real worker processes: artefacts, stop, train more, crashes."""

import os
import signal
import time

import numpy as np
import pytest

from core import data, jobs, predictor, runs as runs_lib, training
from core.config import DataSpec, TrainSpec
from tests.conftest import TINY_MODEL, TINY_TRAIN


def test_length_buckets_cover_every_row_once_with_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 200, size=1000)
    batches = training.length_bucketed_batches(lengths, 16, rng)
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(1000))
    spreads = [np.ptp(lengths[b]) for b in batches]
    assert np.median(spreads) < 20  # versus ~190 for unsorted batches of 16


def test_dataset_batches_are_trimmed_to_their_longest_text():
    ids = np.zeros((6, 50), dtype="int32")
    for row, length in enumerate([3, 5, 4, 40, 2, 6]):
        ids[row, :length] = 7
    y = np.arange(6, dtype="int64")
    widths = sorted(int(x.shape[1]) for x, _ in training.make_dataset(ids, y, 3, 0, shuffle=False))
    assert widths == [4, 40]  # sorted by length: [2,3,4] then [5,6,40]


def test_a_finished_run_has_every_artefact(run_store, trained_run):
    folder = run_store.path(trained_run)
    state = run_store.status(trained_run)
    assert state["status"] == runs_lib.FINISHED
    assert state["epochs_done"] == TINY_TRAIN.epochs and len(state["epoch_seconds"]) == 2
    for name in ("spec.json", "status.json", "metrics.jsonl", "model.keras", "eval.json",
                 "data.csv", "dataset.json"):
        assert (folder / name).exists(), name
    assert list((folder / "tb").rglob("events.out.tfevents.*"))
    records, _ = run_store.read_metrics(trained_run)
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2]
    assert {"loss", "val_loss", "accuracy", "val_accuracy", "seconds"} <= set(epochs[0])
    report = run_store.read_json(trained_run, "eval.json")
    n_test = run_store.spec(trained_run)["rows"]["test"]
    assert len(report["test_scores"]) == n_test
    assert 0.0 <= report["metrics"]["accuracy"] <= 1.0
    assert report["baseline"]["accuracy"] > 0.3  # TF-IDF on 5 rating classes


def test_the_saved_model_reproduces_the_stored_test_scores(run_store, trained_run):
    model = predictor.load_predictor(run_store.model_path(trained_run))
    dataset = data.load_dataset(run_store.path(trained_run))
    stored = np.array(run_store.read_json(trained_run, "eval.json")["test_scores"])
    fresh = model.scores(dataset.test.texts, already_clean=True)
    np.testing.assert_allclose(fresh, stored, atol=1e-4)


def _queued_run(store, epochs: int, name: str) -> str:
    frame = data.load_sample("reviews_recommended")
    data_spec = DataSpec(text_columns=("title", "review"), label_column="recommended")
    dataset = data.prepare_dataset(frame, data_spec)
    train_spec = TrainSpec(epochs=epochs, batch_size=16, early_stopping_patience=None)
    return jobs.create_run(store, dataset, data_spec, TINY_MODEL, train_spec, name=name)


def _wait_for(predicate, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_stop_keeps_the_best_checkpoint_and_train_more_continues(tmp_path):
    store = runs_lib.RunStore(tmp_path / "runs")
    queue = jobs.JobQueue(store, workers=1)
    try:
        run_id = _queued_run(store, epochs=200, name="long")
        queue.submit(run_id)
        _wait_for(lambda: (store.status(run_id).get("epochs_done") or 0) >= 1)
        queue.stop(run_id)
        assert queue.wait(run_id, timeout=60) == 0
        state = store.status(run_id)
        assert state["status"] == runs_lib.STOPPED
        assert 1 <= state["epochs_done"] < 200
        assert store.read_json(run_id, "eval.json")["metrics"]["n_test"] > 0
        predictor.load_predictor(store.model_path(run_id)).scores(["great value"])

        done = state["epochs_done"]
        jobs.train_more(queue, run_id, 1)
        assert queue.wait(run_id, timeout=120) == 0
        state = store.status(run_id)
        assert state["status"] == runs_lib.FINISHED and state["epochs_done"] == done + 1
        epochs = [r["epoch"] for r in store.read_metrics(run_id)[0] if r["kind"] == "epoch"]
        assert epochs == list(range(1, done + 2))
    finally:
        queue.shutdown()


def test_a_killed_worker_fails_readably_and_the_queue_moves_on(tmp_path):
    store = runs_lib.RunStore(tmp_path / "runs")
    queue = jobs.JobQueue(store, workers=1)
    try:
        doomed = _queued_run(store, epochs=200, name="doomed")
        next_run = _queued_run(store, epochs=1, name="next")
        queue.submit(doomed)
        queue.submit(next_run)
        _wait_for(lambda: store.status(doomed).get("status") == runs_lib.RUNNING)
        assert queue.queue_position(next_run) == 1 and queue.queue_position(doomed) is None
        os.kill(store.status(doomed)["pid"], signal.SIGKILL)
        queue.wait(doomed, timeout=30)
        state = store.status(doomed)
        assert state["status"] == runs_lib.FAILED
        assert "killed (signal 9)" in state["error"]
        assert queue.wait(next_run, timeout=120) == 0
        assert store.status(next_run)["status"] == runs_lib.FINISHED
    finally:
        queue.shutdown()


def test_train_more_refuses_runs_without_a_model(tmp_path):
    store = runs_lib.RunStore(tmp_path / "runs")
    queue = jobs.JobQueue(store, workers=1)
    run_id = store.create({"task": "binary"})
    store.update_status(run_id, status=runs_lib.FAILED)
    with pytest.raises(runs_lib.RunError, match="no saved model"):
        jobs.train_more(queue, run_id, 2)
    queue.shutdown()


def test_train_more_waits_for_the_old_worker_to_exit(tmp_path):
    """The worker writes "finished" a moment before its process ends."""
    import psutil

    store = runs_lib.RunStore(tmp_path / "runs")
    queue = jobs.JobQueue(store, workers=1)
    run_id = store.create({"task": "binary"})
    (store.path(run_id) / "model.keras").write_bytes(b"placeholder")
    me = psutil.Process()  # stands in for a worker that is still exiting
    store.update_status(run_id, status=runs_lib.FINISHED, pid=me.pid, pid_created=me.create_time())
    with pytest.raises(runs_lib.RunError, match="still training"):
        jobs.train_more(queue, run_id, 2)
    assert store.status(run_id)["status"] == runs_lib.FINISHED
    queue.shutdown()


def test_a_prewarmed_worker_takes_the_run_and_a_new_one_waits_after(tmp_path):
    store = runs_lib.RunStore(tmp_path / "runs")
    queue = jobs.JobQueue(store, workers=1, prewarm=True)
    try:
        first_standby = queue._standby
        assert first_standby is not None and first_standby.poll() is None
        run_id = _queued_run(store, epochs=1, name="warm")
        queue.submit(run_id)
        assert queue.wait(run_id, timeout=120) == 0
        assert store.status(run_id)["status"] == runs_lib.FINISHED
        assert store.status(run_id)["pid"] == first_standby.pid  # the warm process trained it
        assert (store.path(run_id) / "worker.log").exists()
        assert queue._standby is not None and queue._standby.pid != first_standby.pid
    finally:
        queue.shutdown()
    assert queue._standby is None
