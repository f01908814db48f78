"""Training in real worker processes: artefacts, stop, train more, crashes."""

import json
import os
import signal
import time

import numpy as np
import pytest

from core import config, data, fit_callback, jobs, optimizer_state, predictor, runs as runs_lib, training
from core import batches as batch_lib
from core import trainer as trainer_lib
from core.config import DataSpec, TrainSpec
from tests.conftest import TINY_MODEL, TINY_TRAIN


def _epoch(dataset):
    return [(x.numpy(), y.numpy()) for x, y in dataset]


@pytest.mark.parametrize("changes, parts", [
    ({"units": (6, 4), "bidirectional": False}, 2),  # learned start read once, two slices
    ({"units": (5,), "bidirectional": True, "pooling": "max", "dense_layers": (4,)}, 1),
    ({"units": (5,), "bidirectional": False, "rnn": "gru", "pooling": "mean"}, 1),
])
def test_validation_on_padded_batches_scores_what_the_saved_model_scores(changes, parts):
    import dataclasses

    import keras

    from core import model as model_lib
    from core.config import TASK_MULTICLASS, ModelSpec

    spec = dataclasses.replace(ModelSpec(embedding_dim=5, vocab_size=30, max_tokens=12,
                                         dropout=0.2), **changes)
    rng = np.random.default_rng(6)
    ids = np.zeros((23, 12), dtype="int32")
    for row, length in enumerate(rng.integers(0, 13, size=23)):
        ids[row, :length] = rng.integers(1, 30, size=length)
    y = rng.integers(0, 3, size=23)
    keras.utils.set_random_seed(6)
    net = model_lib.build_model(spec, TASK_MULTICLASS, 3, vocab_len=30, padding_mask=False)
    trainer = trainer_lib.training_model(net, parts)
    model_lib.compile_model(trainer, TASK_MULTICLASS, "adam", 0.05)
    batches, per_epoch = batch_lib.fit_batches(ids, y, 8, seed=1)
    trainer.fit(batches, steps_per_epoch=per_epoch, epochs=2, verbose=0)  # weights move
    loss, accuracy = trainer.evaluate(batch_lib.validation_batches(ids, y, 8), verbose=0)

    saved = model_lib.with_padding_mask(net, on=True)  # as model.keras holds it
    lengths = predictor.sequence_lengths(ids)
    probs = np.concatenate([saved(ids[i:i + 1, :max(1, lengths[i])], training=False)
                            for i in range(len(ids))])  # each text alone, no padding
    expected_loss = -np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1)))
    assert loss == pytest.approx(expected_loss, rel=1e-4)
    assert accuracy == pytest.approx(np.mean(probs.argmax(1) == y))
    unmasked = np.concatenate([net(x, training=False) for x, _ in
                               _epoch(batch_lib.validation_batches(ids, y, 8))])
    assert not np.allclose(unmasked, probs[np.argsort(lengths, kind="stable")], atol=1e-3)
    keras.backend.clear_session()


def test_the_training_twin_without_a_mask_matches_the_saved_model_on_unpadded_texts():
    from core import model as model_lib
    from core.config import TASK_MULTICLASS, ModelSpec

    spec = ModelSpec(units=(4, 3), embedding_dim=5, vocab_size=30, max_tokens=12)
    trained = model_lib.build_model(spec, TASK_MULTICLASS, 3, vocab_len=30, padding_mask=False)
    saved = model_lib.with_padding_mask(trained, on=True)
    ids = np.random.default_rng(0).integers(2, 30, size=(4, 9)).astype("int32")
    np.testing.assert_allclose(saved.predict(ids, verbose=0), trained.predict(ids, verbose=0),
                               atol=1e-6)
    padded = np.pad(ids, ((0, 0), (0, 3)))  # padding changes the unmasked twin only
    np.testing.assert_allclose(saved.predict(padded, verbose=0), saved.predict(ids, verbose=0),
                               atol=1e-6)
    assert not np.allclose(trained.predict(padded, verbose=0), trained.predict(ids, verbose=0))


def _trained_weights(parts: int, ids, y) -> list:
    import keras

    from core import model as model_lib
    from core.config import TASK_MULTICLASS, ModelSpec

    keras.utils.set_random_seed(3)
    spec = ModelSpec(units=(6, 4), embedding_dim=5, vocab_size=30, max_tokens=12, dropout=0.0)
    net = model_lib.build_model(spec, TASK_MULTICLASS, 3, vocab_len=30, padding_mask=False)
    trainer = trainer_lib.training_model(net, parts)
    model_lib.compile_model(trainer, TASK_MULTICLASS, "sgd", 0.5)
    batches, per_epoch = batch_lib.fit_batches(ids, y, 5, seed=1)  # as core.training fits
    trainer.fit(batches, steps_per_epoch=per_epoch, epochs=2, verbose=0, shuffle=False)
    return net.get_weights()


def test_training_on_batch_slices_side_by_side_is_training_on_the_whole_batch():
    rng = np.random.default_rng(0)
    ids = np.zeros((11, 12), dtype="int32")  # batches of 5, 5 and 1: odd and one-row slices
    for row, length in enumerate(rng.integers(3, 12, size=11)):
        ids[row, :length] = rng.integers(2, 30, size=length)
    y = rng.integers(0, 3, size=11)
    whole, split = _trained_weights(1, ids, y), _trained_weights(2, ids, y)
    for a, b in zip(whole, split, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    shuffled = _trained_weights(2, ids, np.roll(y, 1))  # labels must stay with their rows
    assert not all(np.allclose(a, b, atol=1e-3) for a, b in zip(whole, shuffled))


@pytest.mark.parametrize("changes", [
    {"rnn": "gru", "recurrent_dropout": 0.2, "dropout": 0.3},
    {"pooling": "mean", "dense_layers": (4,)},
])
def test_one_way_variants_train_on_slices_of_odd_batches(changes):
    import dataclasses

    import keras

    from core import model as model_lib
    from core.config import TASK_BINARY, ModelSpec

    spec = dataclasses.replace(ModelSpec(units=(5,), embedding_dim=4, vocab_size=20,
                                         max_tokens=8, bidirectional=False), **changes)
    net = model_lib.build_model(spec, TASK_BINARY, 2, vocab_len=20, padding_mask=False)
    trainer = trainer_lib.training_model(net, 2)
    model_lib.compile_model(trainer, TASK_BINARY, "adam", 1e-2)
    ids = np.random.default_rng(1).integers(2, 20, size=(9, 6)).astype("int32")
    before = [w.copy() for w in net.get_weights()]
    history = trainer.fit(ids, np.arange(9) % 2, batch_size=3, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    last_of_one = trainer.fit(ids, np.arange(9) % 2, batch_size=4, epochs=1, verbose=0)  # 4, 4, 1
    assert np.isfinite(last_of_one.history["loss"][-1])
    assert trainer.predict(ids[:1], verbose=0).shape == (1, 1)  # a known single row: not split
    assert any(not np.allclose(a, b) for a, b in zip(before, net.get_weights()))
    keras.backend.clear_session()


def _weights_after_training(spec, task: str, n_classes: int, start_once: bool, ids, y) -> list:
    import keras

    from core import model as model_lib

    keras.utils.set_random_seed(5)
    net = model_lib.build_model(spec, task, n_classes, vocab_len=30, padding_mask=False)
    trainer = trainer_lib.training_model(net, 1, start_once=start_once)
    assert trainer.reads_start_once == start_once
    model_lib.compile_model(trainer, task, "sgd", 0.5)
    batches, per_epoch = batch_lib.fit_batches(ids, y, 4, seed=2)
    trainer.fit(batches, steps_per_epoch=per_epoch, epochs=2, verbose=0, shuffle=False)
    weights = net.get_weights()
    keras.backend.clear_session()
    return weights


@pytest.mark.parametrize("changes, task, n_classes", [
    ({"units": (6, 4), "dense_layers": (5,)}, "multiclass", 3),  # stacked LSTM with a dense layer
    ({"rnn": "gru", "units": (5,)}, "binary", 2),
    ({"rnn": "gru", "units": (4, 3)}, "regression", 1),
])
def test_reading_the_learned_start_once_per_batch_trains_the_same_weights(changes, task, n_classes):
    import dataclasses

    from core.config import ModelSpec

    spec = dataclasses.replace(ModelSpec(embedding_dim=5, vocab_size=30, max_tokens=12,
                                         dropout=0.0, bidirectional=False), **changes)
    rng = np.random.default_rng(4)
    ids = np.zeros((10, 12), dtype="int32")
    for row, length in enumerate(rng.integers(1, 12, size=10)):
        ids[row, :length] = rng.integers(1, 30, size=length)
    y = (rng.normal(3, 1, size=10).astype("float32") if task == "regression"
         else rng.integers(0, n_classes, size=10))
    per_text = _weights_after_training(spec, task, n_classes, False, ids, y)
    once = _weights_after_training(spec, task, n_classes, True, ids, y)
    start_vectors = 1  # the embedding comes first, then LearnedStart's weights
    assert not np.allclose(per_text[start_vectors], 0)
    for a, b in zip(per_text, once, strict=True):  # the start's own gradient included
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("changes", [
    {"bidirectional": True},
    {"pooling": "mean"},
    {"recurrent_dropout": 0.2},  # its masks differ from row to row: no shared start state
])
def test_networks_without_a_shared_start_state_train_as_they_are(changes):
    import dataclasses

    import keras

    from core import model as model_lib
    from core.config import ModelSpec

    spec = dataclasses.replace(ModelSpec(units=(3,), embedding_dim=2, vocab_size=10,
                                         bidirectional=False), **changes)
    net = model_lib.build_model(spec, "binary", 2, vocab_len=10, padding_mask=False)
    assert not trainer_lib.training_model(net, 1).reads_start_once
    keras.backend.clear_session()


def test_only_one_way_networks_split_their_batches_across_two_cores():
    from core import model as model_lib
    from core.config import ModelSpec

    one_way, both_ways = ModelSpec(bidirectional=False), ModelSpec(bidirectional=True)
    assert [trainer_lib.split_batch_parts(one_way, n, 512) for n in (1, 2, 16)] == [1, 2, 2]
    assert trainer_lib.split_batch_parts(both_ways, 2, 512) == 1
    assert trainer_lib.split_batch_parts(one_way, 2, 32) == 1  # too small to gain
    net = model_lib.build_model(ModelSpec(bidirectional=True, units=(3,), embedding_dim=2,
                                          vocab_size=10), "binary", 2, vocab_len=10,
                                padding_mask=False)
    assert not trainer_lib.training_model(net, 1).reads_start_once


def _adam_net(learning_rate=0.01):
    import keras

    keras.utils.set_random_seed(0)
    net = keras.Sequential([keras.Input((6,), dtype="int32"), keras.layers.Embedding(50, 8),
                            keras.layers.LSTM(4), keras.layers.Dense(3, activation="softmax")])
    net.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy")
    return net


def test_means_since_the_last_point_undo_keras_running_means():
    # Batch losses 4, 2, 3, 1: Keras reports the running means 4, 3, 3, 2.5.
    assert fit_callback.means_since({"loss": 3.0}, 2, (0, {})) == {"loss": 3.0}  # a new epoch
    assert fit_callback.means_since({"loss": 2.5}, 4, (2, {"loss": 3.0})) == {"loss": 2.0}
    assert fit_callback.means_since({"loss": 3.0}, 3, (2, {"loss": 3.0})) == {"loss": 3.0}


def _records_of_a_fit(tmp_path, rows: int, batches_per_epoch: int, epochs: int) -> list[dict]:
    """The metrics records studio_callback writes while a tiny net fits ``rows`` texts."""
    import keras

    from core import model as model_lib
    from core.config import TASK_BINARY, ModelSpec

    store = runs_lib.RunStore(tmp_path)
    run_id = store.create({"task": TASK_BINARY})
    spec = ModelSpec(units=(4,), embedding_dim=4, vocab_size=20, max_tokens=6,
                     bidirectional=False)
    net = model_lib.build_model(spec, TASK_BINARY, 2, vocab_len=20, padding_mask=False)
    model_lib.compile_model(net, TASK_BINARY, "adam", 5e-2)
    ids = np.random.default_rng(3).integers(2, 20, size=(rows, 6)).astype("int32")
    callback = fit_callback.studio_callback(store, run_id, lambda: None, batches_per_epoch)
    net.fit(ids, np.arange(rows) % 2, batch_size=rows // batches_per_epoch, epochs=epochs,
            verbose=0, shuffle=False, callbacks=[callback])
    keras.backend.clear_session()
    return store.read_metrics(run_id)[0]


def test_the_live_points_follow_the_batches_not_the_epochs_running_mean(tmp_path, monkeypatch):
    """Browser QA: the live curve jumped at every epoch, as Keras' running mean restarted.

    Every batch gets a point here; with batches of one size, a point is that batch's
    own figure, so an epoch's points average to the epoch's figure and end on its step.
    """
    monkeypatch.setattr(fit_callback, "BATCH_RECORD_SECONDS", 0.0)
    records = _records_of_a_fit(tmp_path, rows=24, batches_per_epoch=6, epochs=3)
    for epoch in (1, 2, 3):
        points = [r for r in records if r["kind"] == "batch" and r["epoch"] == epoch]
        end = next(r for r in records if r["kind"] == "epoch" and r["epoch"] == epoch)
        assert [p["batch"] for p in points] == [1, 2, 3, 4, 5, 6]
        assert points[-1]["step"] == end["step"] == 6 * epoch
        assert all(p["mid_step"] == p["step"] for p in points)  # windows of one batch
        for metric in ("loss", "accuracy"):
            mean = np.mean([p[metric] for p in points])
            assert mean == pytest.approx(end[metric], rel=1e-4, abs=1e-6), (epoch, metric)


def test_a_point_sits_at_the_middle_of_the_batches_it_averages(tmp_path, monkeypatch):
    """Second browser pass: 2-4 points an epoch, each drawn at its window's end, made a
    tiny run's line fall like a staircase at every new epoch."""
    clock = iter(range(10_000))  # every 3rd batch gets a point, as if 0.5 s passed
    monkeypatch.setattr(fit_callback.time, "time", lambda: next(clock) / 6)
    records = _records_of_a_fit(tmp_path, rows=28, batches_per_epoch=7, epochs=2)
    for epoch in (1, 2):
        points = [r for r in records if r["kind"] == "batch" and r["epoch"] == epoch]
        assert len(points) >= 2 and points[-1]["step"] == 7 * epoch  # closed at the end
        first = 7 * (epoch - 1) + 1
        for point in points:  # (first + last step of its window) / 2
            assert point["mid_step"] == (first + point["step"]) / 2
            first = point["step"] + 1


def test_a_restored_optimizer_continues_exactly_where_the_saved_one_stopped(tmp_path):
    ids = np.random.default_rng(0).integers(1, 50, (64, 6))
    y = ids[:, 0] % 3
    first = _adam_net()
    first.fit(ids, y, batch_size=16, epochs=2, verbose=0)
    optimizer_state.save(first.optimizer, tmp_path / optimizer_state.FILE)
    continued, restarted = _adam_net(learning_rate=0.002), _adam_net(learning_rate=0.002)
    first.optimizer.learning_rate.assign(0.002)
    for net in (continued, restarted):
        net.set_weights(first.get_weights())
    assert optimizer_state.restore(continued, tmp_path / optimizer_state.FILE)
    assert float(continued.optimizer.learning_rate) == pytest.approx(0.002)  # the new spec's
    for net in (first, continued, restarted):
        net.fit(ids, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(first.get_weights(), continued.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert max(np.abs(a - b).max() for a, b in zip(first.get_weights(),
                                                   restarted.get_weights())) > 1e-3


def test_an_optimizer_state_from_another_network_is_ignored(tmp_path):
    import keras

    other = keras.Sequential([keras.Input((6,), dtype="int32"), keras.layers.Embedding(40, 8),
                              keras.layers.GRU(4), keras.layers.Dense(3, activation="softmax")])
    other.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy")
    other.optimizer.build(other.trainable_variables)
    optimizer_state.save(other.optimizer, tmp_path / optimizer_state.FILE)
    net = _adam_net()
    assert not optimizer_state.restore(net, tmp_path / optimizer_state.FILE)
    assert not optimizer_state.restore(net, tmp_path / "missing.npz")
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not a whole file")
    assert not optimizer_state.restore(net, tmp_path / "broken.npz")
    assert int(net.optimizer.iterations) == 0


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


def test_the_test_texts_as_written_get_the_scores_of_the_cleaned_ones(run_store, trained_run):
    """Evaluate and Explain show the test texts as written; the model answers them alike."""
    model = predictor.load_predictor(run_store.model_path(trained_run))
    test = data.load_dataset(run_store.path(trained_run)).test
    assert all(shown != cleaned for shown, cleaned in zip(test.written, test.texts))  # capitals
    as_written = model.scores(test.written)  # cleaned on the way in, as Explain scores them
    np.testing.assert_array_equal(as_written, model.scores(test.texts, already_clean=True))
    stored = np.array(run_store.read_json(trained_run, "eval.json")["test_scores"])
    np.testing.assert_allclose(as_written, stored, atol=1e-4)


def test_a_run_trained_on_batch_slices_saves_a_model_that_reproduces_its_scores(run_store):
    from tests.conftest import train_sample_run

    train = TrainSpec(epochs=2, batch_size=256, early_stopping_patience=None, learning_rate=0.01)
    assert training.split_parts(TINY_MODEL, train.batch_size) == min(2, os.cpu_count() or 1)
    run_id = train_sample_run(run_store, "news", train=train)
    assert run_store.status(run_id)["epochs_done"] == 2
    model = predictor.load_predictor(run_store.model_path(run_id))
    dataset = data.load_dataset(run_store.path(run_id))
    stored = np.array(run_store.read_json(run_id, "eval.json")["test_scores"])
    np.testing.assert_allclose(model.scores(dataset.test.texts, already_clean=True), stored,
                               atol=1e-4)


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
        assert 1 <= state["last_epoch_batches"] <= state["batches_per_epoch"]  # counted per epoch
        assert store.read_json(run_id, "eval.json")["metrics"]["n_test"] > 0
        predictor.load_predictor(store.model_path(run_id)).scores(["great value"])

        done = state["epochs_done"]
        jobs.train_more(queue, run_id, 1)
        assert queue.wait(run_id, timeout=120) == 0
        state = store.status(run_id)
        assert state["status"] == runs_lib.FINISHED and state["epochs_done"] == done + 1
        assert state["optimizer_continued"] is True
        assert state["last_epoch_batches"] == state["batches_per_epoch"]  # a whole epoch
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


def _assert_yields_to_pages(pid: int) -> None:
    """The worker lowers its own priority at start (it needs a moment to get there)."""
    import psutil

    wanted = min(19, os.nice(0) + config.worker_nice())
    deadline = time.monotonic() + 60
    while psutil.Process(pid).nice() != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    assert psutil.Process(pid).nice() == wanted


def test_worker_priority_setting(monkeypatch):
    for value, expected in (("", 10), ("0", 0), ("5", 5), ("99", 19), ("-4", 0), ("x", 10)):
        monkeypatch.setenv("LSTM_STUDIO_WORKER_NICE", value)
        assert config.worker_nice() == expected
    monkeypatch.delenv("LSTM_STUDIO_WORKER_NICE")
    assert config.worker_nice() == 10


def test_a_prewarmed_worker_takes_the_run_and_a_new_one_waits_after(tmp_path):
    store = runs_lib.RunStore(tmp_path / "runs")
    queue = jobs.JobQueue(store, workers=1, prewarm=True)
    try:
        first_standby = queue._standby
        assert first_standby is not None and first_standby.poll() is None
        _assert_yields_to_pages(first_standby.pid)
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


def test_the_worker_gets_half_the_cores_per_op_unless_the_user_chose(monkeypatch):
    assert [training.intra_op_threads(n) for n in (1, 2, 3, 16)] == [1, 1, 1, 8]
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    assert training.worker_env()["TF_NUM_INTRAOP_THREADS"] == str(training.intra_op_threads())
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "4")
    assert training.worker_env()["TF_NUM_INTRAOP_THREADS"] == "4"


def test_a_run_ended_by_early_stopping_says_so(tmp_path):
    from core.progress import ended_line

    store = runs_lib.RunStore(tmp_path / "runs")
    frame = data.load_sample("reviews_recommended")
    data_spec = DataSpec(text_columns=("title", "review"), label_column="recommended")
    dataset = data.prepare_dataset(frame, data_spec)
    # A high learning rate on a small sample: the validation loss soon stops falling.
    train_spec = TrainSpec(epochs=40, batch_size=32, early_stopping_patience=1,
                           learning_rate=0.05)
    run_id = jobs.create_run(store, dataset, data_spec, TINY_MODEL, train_spec, name="early")
    assert jobs.run_in_foreground(store, run_id) == 0
    state = store.status(run_id)
    assert state["status"] == runs_lib.FINISHED and state["epochs_done"] < 40
    assert state["early_stopped_patience"] == 1
    assert ended_line(state["status"], state) == (
        f"Finished after {state['epochs_done']} of 40 epochs: early stopping ended it, as the "
        "validation loss had not improved for 1 epoch.")


@pytest.mark.parametrize("total_epochs, early", [(3, False), (4, True)])
def test_early_stopping_on_the_last_planned_epoch_cut_nothing(total_epochs, early):
    """QA21: "Finished after 10 of 10 epochs: early stopping ended it". Keras marks a stop
    when patience runs out on the last epoch too, where the run ended anyway."""
    import keras

    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1)
    stopper.set_model(keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]))
    stopper.on_train_begin()
    for epoch, loss in enumerate([1.0, 0.9, 0.95]):  # no better on the third epoch: stop
        stopper.on_epoch_end(epoch, {"val_loss": loss})
    assert stopper.stopped_epoch == 2
    assert training.ended_early(stopper, total_epochs) is early
    assert training.ended_early(None, total_epochs) is False


def test_a_run_that_trains_all_its_epochs_does_not_mention_early_stopping(run_store, trained_run):
    from core.progress import ended_line

    state = run_store.status(trained_run)
    assert state["early_stopped_patience"] is None
    assert ended_line(state["status"], state) == "Finished after 2 epochs."


def test_a_training_that_breaks_down_at_once_fails_in_plain_words(tmp_path):
    """QA: one nan in the word vectors made every loss NaN, and the run still said
    "Finished after 6 epochs" (its page then crashed on the NaN points). Plain SGD at
    learning rate 10 on ratings breaks down in the first epoch the same way."""
    store = runs_lib.RunStore(tmp_path / "runs")
    data_spec = DataSpec(text_columns=("title", "review"), label_column="rating", task="regression")
    dataset = data.prepare_dataset(data.load_sample("reviews"), data_spec)
    train_spec = TrainSpec(epochs=3, batch_size=8, optimizer="sgd", learning_rate=10.0,
                           early_stopping_patience=None)
    run_id = jobs.create_run(store, dataset, data_spec, TINY_MODEL, train_spec, name="too fast")
    assert jobs.run_in_foreground(store, run_id) == 1
    state = store.status(run_id)
    assert state["status"] == runs_lib.FAILED and state["diverged_in"] == 1
    assert state["error"] == fit_callback.diverged_message(1)
    assert not store.has_model(run_id)  # nothing NaN is kept
    records, _ = store.read_metrics(run_id)
    json.dumps(records, allow_nan=False)  # every number written is a number


def test_the_best_model_before_a_breakdown_is_kept(tmp_path):
    """The epoch whose loss stopped being a number ends the training, is never the best,
    and leaves no NaN in the records the charts read."""
    from core import model as model_lib
    from core.config import TASK_BINARY, ModelSpec

    store = runs_lib.RunStore(tmp_path)
    run_id = store.create({"task": TASK_BINARY})
    spec = ModelSpec(units=(4,), embedding_dim=4, vocab_size=20, max_tokens=6,
                     bidirectional=False)
    net = model_lib.build_model(spec, TASK_BINARY, 2, vocab_len=20, padding_mask=False)
    saved = []
    callback = fit_callback.studio_callback(store, run_id, lambda: saved.append(1), 3)
    callback.set_model(net)
    callback.on_epoch_begin(0)
    callback.on_train_batch_end(0, {"loss": 0.7, "accuracy": 0.5})
    callback.on_epoch_end(0, {"loss": 0.6, "accuracy": 0.6, "val_loss": 0.5})
    callback.on_epoch_begin(1)
    callback.on_train_batch_end(0, {"loss": float("nan"), "accuracy": 0.5})
    assert net.stop_training and callback.diverged_in == 2
    callback.on_epoch_end(1, {"loss": float("nan"), "accuracy": 0.5, "val_loss": float("inf")})
    assert saved == [1] and callback.best_epoch == 1
    records, _ = store.read_metrics(run_id)
    json.dumps(records, allow_nan=False)
    last = records[-1]
    assert last["kind"] == "epoch" and last["epoch"] == 2 and last["accuracy"] == 0.5
    assert "loss" not in last and "val_loss" not in last and not last["best"]
