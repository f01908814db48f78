"""The Keras callback a training worker runs: chart points, checkpoints, Stop, divergence.

It writes everything the live page reads into the run store (core/training.py runs it).
"""

from __future__ import annotations

import math
import time

import numpy as np

BATCH_RECORD_SECONDS = 0.5  # at most two batch points a second reach the chart


def means_since(means: dict, batches: int, before: tuple[int, dict]) -> dict:
    """Each metric's mean over the batches since the last chart point.

    Keras' batch logs are running means from the epoch's first batch, which restart at
    every epoch: drawn as they are, the curve jumps at each new epoch. ``before`` is
    (batches into the epoch, running means) at the last point, (0, {}) in a new epoch.
    Batches count alike (only an epoch's last batch can be smaller).
    """
    done, old = before
    return {key: (value * batches - old.get(key, 0.0) * done) / (batches - done)
            for key, value in means.items()}


def studio_callback(store, run_id, save_checkpoint, batches_per_epoch):
    """The Keras callback that writes metrics, checkpoints and obeys Stop.

    Built inside a function so Keras is only imported by the worker.
    """
    import keras

    class _Callback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.best_val_loss = np.inf
            self.best_weights = None
            self.best_epoch = None
            self.epoch_seconds: list[float] = []
            self.last_batch_record = 0.0
            self.step = 0
            self.stopped_by_user = False
            self.diverged_in = None  # the epoch whose loss stopped being a number
            self.epoch_start = time.time()

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start = time.time()
            self.epoch = epoch + 1
            self.epoch_batches = 0
            self.last_point = (0, {})  # (batches into the epoch, running means) at the last point

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            self.epoch_batches += 1
            if not _finite((logs or {}).get("loss", 0.0)):
                self._diverged()
                return  # no point: the chart has nothing to draw for it
            now = time.time()
            if now - self.last_batch_record < BATCH_RECORD_SECONDS:
                return
            self.last_batch_record = now
            means = {k: float(v) for k, v in (logs or {}).items()}
            store.append_metrics(run_id, [self._point(means, now)])
            if store.stop_requested(run_id):
                self.stopped_by_user = True
                self.model.stop_training = True

        def _point(self, means: dict, now: float) -> dict:
            """A chart point: the mean over the batches since the last point, at their middle.

            Drawn at the window's end, a long window's mean lags: a short run's line (2-4
            points an epoch) fell like a staircase at each new epoch. "step" stays the
            last batch, which progress counts.
            """
            done = self.last_point[0]
            first = self.step - (self.epoch_batches - done) + 1
            record = {"kind": "batch", "epoch": self.epoch, "step": self.step,
                      "mid_step": (first + self.step) / 2, "batch": self.epoch_batches,
                      "batches": batches_per_epoch, "time": now,
                      **means_since(means, self.epoch_batches, self.last_point)}
            self.last_point = (self.epoch_batches, means)
            return record

        def _last_batches_point(self, logs: dict) -> list[dict]:
            """A point for the batches after the epoch's last one: the line reaches its end."""
            done = self.last_point[0]
            if self.epoch_batches <= done:
                return []
            means = {k: v for k, v in logs.items() if not k.startswith("val_")
                     and (k in self.last_point[1] or not done)}
            return [self._point(means, time.time())]

        def _diverged(self):
            """Stop at once: from a NaN on, every weight update is NaN too (as TerminateOnNaN)."""
            self.diverged_in = self.diverged_in or self.epoch
            self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.time() - self.epoch_start
            self.epoch_seconds.append(seconds)
            logs = {k: float(v) for k, v in (logs or {}).items()}
            if not all(_finite(v) for v in logs.values()):
                self._diverged()
                logs = {k: v for k, v in logs.items() if _finite(v)}  # JSON and charts need numbers
            tail = self._last_batches_point(logs)  # the epoch's figures are the running means
            record = {"kind": "epoch", "epoch": epoch + 1, "step": self.step,
                      "seconds": seconds, "time": time.time(), **logs}
            val_loss = logs.get("val_loss", logs.get("loss", np.inf))
            improved = val_loss < self.best_val_loss and not self.diverged_in
            if improved:
                self.best_val_loss = val_loss
                self.best_weights = self.model.get_weights()
                self.best_epoch = epoch + 1
                save_checkpoint()
            record["best"] = improved
            store.append_metrics(run_id, [*tail, record])
            store.update_status(run_id, epochs_done=epoch + 1, best_epoch=self.best_epoch,
                                best_val_loss=float(self.best_val_loss),
                                epoch_seconds=self.epoch_seconds, steps_done=self.step,
                                # fewer than batches_per_epoch when Stop ended the epoch early
                                last_epoch_batches=self.epoch_batches)
            if store.stop_requested(run_id):
                self.stopped_by_user = True
                self.model.stop_training = True

    return _Callback()


def diverged_message(epoch: int, kept: int | None = None) -> str:
    """What a run whose loss stopped being a number in ``epoch`` says: the failed run's error,
    or, with ``kept``, the warning of one that keeps that earlier epoch's model."""
    ending = (f"so it ended there. The model from epoch {kept} (lowest validation loss) is kept."
              if kept else "and no epoch before it gave a model to keep.")
    return (f"The training broke down in epoch {epoch}: the loss stopped being a number (the "
            f"learning steps grew too large), {ending} A lower learning rate usually avoids this.")


def _finite(value) -> bool:
    return math.isfinite(float(value))
