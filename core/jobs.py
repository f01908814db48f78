"""A small job queue that runs each training in its own worker process.

Why a process and not a thread: TensorFlow keeps memory after a fit, a crash
in a native op must not take the web server down, and Stop must always work.
The queue is shared by all sessions (the app keeps one in ``st.cache_resource``);
its state of record is still the run store, so nothing is lost if it goes away.
"""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from core import config
from core import data as data_lib
from core import model as model_lib
from core import runs as runs_lib
from core import training
from core.config import to_dict
from core.errors import RunError


class JobQueue:
    def __init__(self, store: runs_lib.RunStore | None = None, workers: int | None = None,
                 prewarm: bool = False):
        self.store = store or runs_lib.RunStore()
        self.workers = workers or config.worker_limit()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="trainer")
        self._lock = threading.Lock()
        self._futures: dict[str, Future] = {}
        self._processes: dict[str, subprocess.Popen] = {}
        # prewarm: keep one worker with TensorFlow already imported, so Train starts at once.
        self._prewarm = prewarm
        self._standby: subprocess.Popen | None = None
        self.store.recover()
        self._requeue_orphans()
        self._refill_standby()

    def _refill_standby(self) -> None:
        if not self._prewarm:
            return
        with self._lock:
            if self._standby is None or self._standby.poll() is not None:
                self._standby = subprocess.Popen(
                    training.standby_command(), stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    env=training.worker_env(), cwd=str(config.PROJECT_ROOT))

    def _take_standby(self) -> subprocess.Popen | None:
        with self._lock:
            proc, self._standby = self._standby, None
        return proc if proc is not None and proc.poll() is None else None

    def _start_worker(self, run_dir: Path, log) -> subprocess.Popen:
        standby = self._take_standby()
        if standby is not None:
            try:
                standby.stdin.write(f"{run_dir}\n".encode())
                standby.stdin.close()
                return standby
            except OSError:
                standby.kill()  # it died meanwhile: start a cold one
        return subprocess.Popen(training.worker_command(run_dir), stdout=log,
                                stderr=subprocess.STDOUT, env=training.worker_env(),
                                cwd=str(config.PROJECT_ROOT))

    def _requeue_orphans(self) -> None:
        """Runs left queued by a previous server start now; oldest first."""
        for run in sorted(self.store.list_runs(), key=lambda r: r.created):
            if run.status == runs_lib.QUEUED:
                self.submit(run.run_id)

    def submit(self, run_id: str) -> None:
        """Queue a run that already has its folder, spec and data."""
        self.store.existing_path(run_id)
        with self._lock:
            if run_id in self._futures and not self._futures[run_id].done():
                raise RunError("This run is already queued or training.")
            self._futures[run_id] = self._pool.submit(self._run, run_id)

    def _run(self, run_id: str) -> int:
        if self.store.status(run_id).get("status") != runs_lib.QUEUED:
            return 0  # stopped or deleted while waiting
        run_dir = self.store.path(run_id)
        log = open(run_dir / "worker.log", "ab")
        try:
            proc = self._start_worker(run_dir, log)
            with self._lock:
                self._processes[run_id] = proc
            code = proc.wait()
        finally:
            log.close()
            with self._lock:
                self._processes.pop(run_id, None)
        self._mark_dead_worker(run_id, code)
        self._refill_standby()  # after the run, so the import never slows a training
        return code

    def _mark_dead_worker(self, run_id: str, code: int) -> None:
        """A worker killed by a signal cannot write its own status."""
        try:
            state = self.store.status(run_id)
        except RunError:
            return  # deleted meanwhile
        if state.get("status") in (runs_lib.RUNNING, runs_lib.QUEUED):
            reason = (f"The training process was killed (signal {-code})." if code < 0
                      else f"The training process exited unexpectedly (code {code}).")
            self.store.update_status(run_id, status=runs_lib.FAILED, ended=time.time(),
                                     error=reason + " The best checkpoint so far is kept. "
                                     "See worker.log in the run folder for details.")

    def stop(self, run_id: str) -> None:
        """Ask a run to stop; it keeps its best checkpoint."""
        self.store.request_stop(run_id)

    def queue_position(self, run_id: str) -> int | None:
        """1 for the next run to start, None if the run is not waiting."""
        waiting = [r for r in sorted(self.store.list_runs(), key=lambda r: r.created)
                   if r.status == runs_lib.QUEUED]
        ids = [r.run_id for r in waiting]
        return ids.index(run_id) + 1 if run_id in ids else None

    def is_tracked(self, run_id: str) -> bool:
        with self._lock:
            future = self._futures.get(run_id)
        return future is not None and not future.done()

    def wait(self, run_id: str, timeout: float | None = None) -> int | None:
        with self._lock:
            future = self._futures.get(run_id)
        return future.result(timeout=timeout) if future else None

    def shutdown(self, stop_running: bool = True) -> None:
        if stop_running:
            with self._lock:
                running = list(self._processes)
            for run_id in running:
                self.stop(run_id)
        self._pool.shutdown(wait=stop_running, cancel_futures=True)
        standby = self._take_standby()
        if standby is not None:
            standby.kill()
            standby.wait()


NO_TRAINING_DATA_MESSAGE = (
    "This model came from a file, so LSTM Studio does not have the texts it was trained on "
    "and cannot train it further. To train more, load the data on the Data page and train "
    "a new model.")


def has_training_data(store: runs_lib.RunStore, run_id: str) -> bool:
    """Whether the run keeps its prepared split: an imported model has none to train on."""
    folder = store.path(run_id)
    return (folder / data_lib.DATA_FILE).is_file() and (folder / data_lib.META_FILE).is_file()


def run_data(store: runs_lib.RunStore, run_id: str):
    """(dataset, data spec, source name) a run was trained on, to train another run on them.

    The same split, already cleaned: a reloaded page lost the session's data, and the
    run folder keeps it. RunError for a run without its texts (an imported model).
    """
    if not has_training_data(store, run_id):
        raise RunError(NO_TRAINING_DATA_MESSAGE)
    spec = store.spec(run_id)
    return (data_lib.load_dataset(store.path(run_id)), config.data_from_dict(spec["data"]),
            spec.get("source") or store.info(run_id).name)


def train_more(queue: JobQueue, run_id: str, extra_epochs: int) -> None:
    """Continue an ended run for ``extra_epochs`` more epochs, from its best checkpoint."""
    store = queue.store
    state = store.status(run_id)
    # A worker writes "finished" a moment before its process exits: wait for the exit too.
    if (state.get("status") in runs_lib.ACTIVE_STATUSES or queue.is_tracked(run_id)
            or store.worker_alive(run_id)):
        raise RunError("This run is still training; wait for it to finish first.")
    if not store.has_model(run_id):
        raise RunError("This run has no saved model to continue from.")
    if not has_training_data(store, run_id):
        raise RunError(NO_TRAINING_DATA_MESSAGE)
    if not 1 <= extra_epochs <= 1000:
        raise RunError("Choose between 1 and 1,000 more epochs.")
    store.clear_stop(run_id)
    done = int(state.get("epochs_done") or 0)
    store.update_status(run_id, status=runs_lib.QUEUED, target_epochs=done + extra_epochs,
                        error=None, ended=None)
    queue.submit(run_id)


def create_run(store: runs_lib.RunStore, dataset, data_spec, model_spec, train_spec,
               name: str | None = None, source: str = "") -> str:
    """Create a queued run folder holding the spec and the prepared data."""
    spec = build_spec(dataset, data_spec, model_spec, train_spec, source)
    run_id = store.create(spec, name=name)
    data_lib.save_dataset(dataset, store.path(run_id))
    return run_id


def start_run(queue: JobQueue, dataset, data_spec, model_spec, train_spec,
              name: str | None = None, source: str = "") -> str:
    """Create a run folder and queue it."""
    run_id = create_run(queue.store, dataset, data_spec, model_spec, train_spec, name, source)
    queue.submit(run_id)
    return run_id


def build_spec(dataset, data_spec, model_spec, train_spec, source: str = "") -> dict:
    model_lib.validate_spec(model_spec)
    config.validate_train_spec(train_spec)
    spec = {"data": to_dict(data_spec), "model": to_dict(model_spec),
            "train": to_dict(train_spec), "task": dataset.task,
            "class_names": list(dataset.class_names), "source": source,
            "rows": {"train": len(dataset.train.texts), "valid": len(dataset.valid.texts),
                     "test": len(dataset.test.texts)}}
    value_range = training.label_range(dataset)
    if value_range:
        spec["value_range"] = list(value_range)
    return spec


def run_in_foreground(store: runs_lib.RunStore, run_id: str) -> int:
    """Train in this process's child and wait (used by the CLI)."""
    run_dir = store.path(run_id)
    return subprocess.call(training.worker_command(Path(run_dir)), env=training.worker_env(),
                           cwd=str(config.PROJECT_ROOT))
