"""Train one run, inside the worker process (``python -m core train-run RUN_DIR``).

Everything the page shows comes from files this module writes into the run
folder: metrics.jsonl while training, model.keras whenever validation loss
improves (so a killed worker still leaves its best checkpoint), eval.json at the end.
"""

from __future__ import annotations

import os
import signal
import time
import traceback
from pathlib import Path

import numpy as np

from core import baseline, config, evaluation, labels, optimizer_state
from core import data as data_lib
from core import model as model_lib
from core import predictor as predictor_lib
from core import runs as runs_lib
from core import trainer as trainer_lib
from core import vectors as vectors_lib
from core.batches import VALIDATION_BATCH, fit_batches, training_batches, validation_batches
from core.config import (TASK_MULTICLASS, TASK_REGRESSION, ModelSpec, data_from_dict,
                         model_from_dict, train_from_dict)
from core.errors import StudioError, TrainingError
from core.fit_callback import diverged_message, studio_callback


def class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    counts = np.bincount(y, minlength=n_classes).astype(float)
    counts[counts == 0] = 1.0
    weights = len(y) / (n_classes * counts)
    return {i: float(w) for i, w in enumerate(weights)}


def _install_sigterm(store, run_id):
    """SIGTERM asks for a clean stop, exactly like the Stop button."""
    def handler(signum, frame):
        try:
            (store.path(run_id) / "stop").touch()
        except OSError:
            pass
    signal.signal(signal.SIGTERM, handler)


def yield_to_pages() -> None:
    """Lower this worker's CPU priority by config.worker_nice() (once, at process start)."""
    try:
        os.nice(config.worker_nice())
    except OSError:  # not allowed here: train at normal priority
        pass


def run_worker(run_dir: Path) -> int:
    """Entry point of the worker process. Returns the process exit code."""
    import psutil

    run_dir = Path(run_dir).resolve()
    store = runs_lib.RunStore(run_dir.parent)
    run_id = run_dir.name
    if store.status(run_id).get("status") == runs_lib.STOPPED:
        return 0  # stopped while still queued
    _install_sigterm(store, run_id)
    me = psutil.Process()
    store.update_status(run_id, status=runs_lib.RUNNING, started=time.time(), pid=me.pid,
                        pid_created=me.create_time(), error=None)
    try:
        outcome = train(store, run_id)
    except StudioError as exc:
        store.update_status(run_id, status=runs_lib.FAILED, ended=time.time(), error=str(exc))
        return 1
    except Exception as exc:  # keep the reason readable and the details on disk
        (run_dir / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        store.update_status(run_id, status=runs_lib.FAILED, ended=time.time(),
                            error=f"Training failed on an unexpected problem ({exc}). The "
                                  "details are in error.log in the run's folder.")
        return 1
    store.update_status(run_id, status=outcome, ended=time.time())
    return 0


def train(store, run_id: str) -> str:
    """Fit, checkpoint, evaluate. Returns the final status (finished/stopped)."""
    import keras

    spec = store.spec(run_id)
    data_spec = data_from_dict(spec["data"])
    model_spec = model_from_dict(spec["model"])
    train_spec = train_from_dict(spec["train"])
    run_dir = store.path(run_id)
    dataset = data_lib.load_dataset(run_dir, written=False)  # it trains on the cleaned texts
    keras.utils.set_random_seed(train_spec.seed)

    state = store.status(run_id)
    resume = bool(state.get("target_epochs")) and store.has_model(run_id)
    if resume:
        saved_file = model_lib.load_model(run_dir / "model.keras")
        vectorizer, saved = model_lib.split_end_to_end(saved_file)
        int_model = model_lib.with_padding_mask(saved, on=False)
        initial_epoch = int(state.get("epochs_done") or 0)
        total_epochs = int(state["target_epochs"])
    else:
        lowercase = data_spec.clean.lowercase
        vocabulary = model_lib.build_vocabulary(dataset.train.texts, model_spec, lowercase)
        vectorizer = model_lib.build_vectorizer(vocabulary, model_spec, lowercase)
        matrix = None
        if model_spec.glove_path:
            matrix, found = vectors_lib.load_glove(model_spec.glove_path, vocabulary, train_spec.seed)
            store.update_status(run_id, glove_words_found=found)
        target_mean = float(np.mean(dataset.train.y)) if dataset.task == TASK_REGRESSION else None
        int_model = model_lib.build_model(model_spec, dataset.task, dataset.n_classes,
                                          vectorizer.vocabulary_size(), matrix, target_mean,
                                          padding_mask=False)
        initial_epoch, total_epochs = 0, train_spec.epochs
    trainer = trainer_lib.training_model(int_model, split_parts(model_spec, train_spec.batch_size))
    model_lib.compile_model(trainer, dataset.task, train_spec.optimizer, train_spec.learning_rate)
    if resume:
        store.update_status(run_id, optimizer_continued=optimizer_state.restore(
            trainer, run_dir / optimizer_state.FILE))

    x_train = predictor_lib.vectorize(vectorizer, dataset.train.texts)
    x_valid = predictor_lib.vectorize(vectorizer, dataset.valid.texts)
    train_ds, batches_per_epoch = fit_batches(x_train, dataset.train.y, train_spec.batch_size,
                                              train_spec.seed + initial_epoch)
    valid_ds = validation_batches(x_valid, dataset.valid.y, max(VALIDATION_BATCH, train_spec.batch_size))
    store.update_status(run_id, total_epochs=total_epochs, batches_per_epoch=batches_per_epoch)

    metadata = predictor_lib.metadata_for(dataset.task, dataset.class_names, data_spec.clean,
                                          {"run_id": run_id, "name": spec.get("name"),
                                           "text_columns": list(data_spec.text_columns),
                                           "label_column": data_spec.label_column,
                                           "model": predictor_lib.model_description(
                                               spec.get("model"))},
                                          label_range(dataset))

    saved_model = model_lib.with_padding_mask(int_model, on=True)  # what model.keras holds
    e2e = model_lib.end_to_end(vectorizer, saved_model)

    def save_checkpoint():
        path = run_dir / "model.keras"
        saved_model.set_weights(int_model.get_weights())
        predictor_lib.save_with_metadata(e2e, path, metadata)
        optimizer_state.save(trainer.optimizer, run_dir / optimizer_state.FILE)

    studio = studio_callback(store, run_id, save_checkpoint, batches_per_epoch)
    if resume:  # "Train more" must only replace the checkpoint with something better
        studio.best_val_loss = float(state.get("best_val_loss") or np.inf)
        studio.best_weights = int_model.get_weights()
        studio.best_epoch = state.get("best_epoch")
        studio.epoch_seconds = list(state.get("epoch_seconds") or [])
        studio.step = int(state.get("steps_done") or 0)
    callbacks = [studio, keras.callbacks.TensorBoard(log_dir=str(run_dir / "tb"),
                                                     update_freq="epoch", profile_batch=0)]
    early_stopping = None
    if train_spec.early_stopping_patience:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=train_spec.early_stopping_patience)
        callbacks.append(early_stopping)
    weights = (class_weights(dataset.train.y, dataset.n_classes)
               if train_spec.class_weights and dataset.is_classification else None)
    trainer.fit(train_ds, steps_per_epoch=batches_per_epoch, validation_data=valid_ds,
                epochs=total_epochs, initial_epoch=initial_epoch, callbacks=callbacks,
                class_weight=weights, shuffle=False, verbose=0)  # the batches shuffle themselves
    # Written after every fit, so a "Train more" that runs to its end clears an earlier one.
    store.update_status(run_id, early_stopped_patience=(
        train_spec.early_stopping_patience if ended_early(early_stopping, total_epochs)
        else None), diverged_in=studio.diverged_in)
    if studio.diverged_in and studio.best_weights is None:
        raise TrainingError(diverged_message(studio.diverged_in))

    if studio.best_weights is not None:
        int_model.set_weights(studio.best_weights)
    if not store.has_model(run_id):
        save_checkpoint()  # stopped before the first epoch ended: keep what exists
    saved_model.set_weights(int_model.get_weights())
    evaluate_run(store, run_id, dataset, vectorizer, saved_model, data_spec)
    return runs_lib.STOPPED if studio.stopped_by_user else runs_lib.FINISHED


def ended_early(early_stopping, total_epochs: int) -> bool:
    """Whether early stopping cut the run short. Keras also marks a stop on the last planned
    epoch, where it cut nothing (QA21: "after 10 of 10 epochs: early stopping ended it")."""
    return bool(early_stopping and 0 < early_stopping.stopped_epoch < total_epochs - 1)


def label_range(dataset) -> tuple[float, float] | None:
    """Regression: the training labels' lowest and highest value, which answers stay within."""
    if dataset.task != TASK_REGRESSION or not len(dataset.train.y):
        return None
    return float(np.min(dataset.train.y)), float(np.max(dataset.train.y))


def evaluate_run(store, run_id, dataset, vectorizer, int_model, data_spec) -> dict:
    """Score the test split, train the TF-IDF baseline, write eval.json."""
    predictor = predictor_lib.Predictor(vectorizer, int_model, dataset.task,
                                        dataset.class_names, data_spec.clean,
                                        label_range(dataset))
    test_texts = dataset.test.texts
    start = time.time()
    scores = predictor.scores(test_texts, already_clean=True)
    predict_seconds = time.time() - start
    ordered = labels.classes_are_ordered(dataset.task, dataset.class_names,
                                         data_spec.label_column, data_spec.ordered)
    result = evaluation.evaluate_predictions(dataset.task, dataset.class_names,
                                             dataset.test.y, scores, ordered=ordered)
    try:
        base = baseline.run_baseline(dataset, ordered=ordered).to_dict()
    except StudioError:
        base = None  # the run keeps its own results; pages then show no comparison
    report = {"metrics": result.to_dict(), "baseline": base,
              "test_scores": np.asarray(scores).round(6).tolist(),
              "predict_seconds": predict_seconds}
    store.write_json(run_id, "eval.json", report)
    return report


def worker_command(run_dir: Path) -> list[str]:
    import sys

    return [sys.executable, "-m", "core", "train-run", str(run_dir)]


def standby_command() -> list[str]:
    import sys

    return [sys.executable, "-m", "core", "train-standby"]


def standby_worker() -> int:
    """Pay the TensorFlow import now, then train the run folder that arrives on stdin.

    The job queue keeps one of these waiting, so pressing Train does not wait
    ~5-10 s for imports. An empty line (or a closed pipe) means: exit.
    """
    import sys

    warm_up()
    line = sys.stdin.readline().strip()
    if not line:
        return 0
    run_dir = Path(line)
    log = os.open(run_dir / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    return run_worker(run_dir)


def warm_up() -> None:
    """Train a tiny network for one step, so the first real batch skips TensorFlow's one-time setup.

    Measured with a 64-unit BiLSTM: its first batch came 3 s after fit() instead of 9 s.
    """
    import keras

    spec = ModelSpec(units=(2,), embedding_dim=2, vocab_size=4, max_tokens=3)
    net = model_lib.build_model(spec, TASK_MULTICLASS, 2, vocab_len=4, padding_mask=False)
    trainer = trainer_lib.training_model(net, 1)
    model_lib.compile_model(trainer, TASK_MULTICLASS, "adam", 1e-3)
    ids, y = np.array([[2, 3], [3, 2]], dtype="int32"), np.array([0, 1])
    trainer.fit(training_batches(ids, y, 2, seed=0), epochs=1, verbose=0,
                validation_data=validation_batches(ids, y, 2))
    keras.backend.clear_session()


def split_parts(spec: ModelSpec, batch_size: int) -> int:
    """Slices per training batch (trainer.split_batch_parts) on this machine's cores."""
    return trainer_lib.split_batch_parts(spec, os.cpu_count() or 1, batch_size)


def worker_env() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("TF_NUM_INTRAOP_THREADS", str(intra_op_threads()))
    return env


def intra_op_threads(cores: int | None = None) -> int:
    """Threads TensorFlow may split one op across: half the cores.

    An LSTM step is many small ops; on 2 cores, running independent ops side by
    side (both directions, gradients, the input pipeline) beat splitting each op
    in two by 15-30% in bench/speed.py. The other half of the cores stays with
    TensorFlow's inter-op pool.
    """
    return max(1, (cores or os.cpu_count() or 2) // 2)
