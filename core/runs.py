"""The run store: one folder per run, the single source of truth about training.

Layout of ``<home>/<run_id>/``::

    spec.json      data/model/train specs, task, class names, name, created
    status.json    status, timestamps, worker pid, progress, error text
    metrics.jsonl  append-only: one JSON line per batch or epoch
    data.csv       the prepared split (dataset.json beside it)
    model.keras    end-to-end model, rewritten whenever validation loss improves
    eval.json      test metrics, baseline, per-text test predictions
    stop           present when a stop was requested
    tb/            TensorBoard logs

Pages never hold training state in memory; they read these files, so reloads,
second viewers and restarted servers all see the same thing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from core import config
from core.errors import RunError, RunGoneError

QUEUED, RUNNING, FINISHED, STOPPED, FAILED, INTERRUPTED = (
    "queued", "running", "finished", "stopped", "failed", "interrupted")
ACTIVE_STATUSES = (QUEUED, RUNNING)
ENDED_STATUSES = (FINISHED, STOPPED, FAILED, INTERRUPTED)

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
# A file inside a run folder: one plain name, never a path ("../x", "a/b", "/etc/x").
THRESHOLD_FILE = "threshold.json"  # the two-class cut-off chosen on Evaluate, kept with the run
THRESHOLD_RANGE = (0.01, 0.99)  # what Evaluate's slider offers; anything else is no choice
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")

NAME_CHARS = 80  # a run name keeps its first 80 characters
NAMES_LOCK = ".names.lock"  # in the store's folder: held while a run gets its name


def write_json_atomic(path: Path, data) -> None:
    """Write via a temp file and ``os.replace`` so readers never see half a file."""
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)

    replace_atomically(path, write)


def replace_atomically(path: Path, write, suffix: str = "") -> None:
    """``write(temp)`` beside ``path``, then ``os.replace``: readers never see half a file.

    ``suffix`` ends the temp file's name, for writers that insist on one (Keras:
    ".keras", numpy: ".npz"). A failed write leaves no temp file, and a full disk or
    an unwritable folder becomes a RunError that says so in plain words.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp{suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        _remove_quietly(tmp)  # never leave half-written temp files behind
        if isinstance(exc, OSError):
            raise RunError(f"Could not save {path.name} in the run store: "
                           f"{exc.strerror or exc}. Check the disk space and permissions "
                           "of the runs folder.") from exc
        raise


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # e.g. its folder is gone or is a file: nothing was written there
        pass


def read_json(path: Path, default=None):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return default


def process_alive(pid: int | None, create_time: float | None) -> bool:
    """True if that exact process (not a later one reusing the pid) still runs."""
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return create_time is None or abs(proc.create_time() - create_time) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    name: str
    status: str
    created: float
    spec: dict
    state: dict  # the whole status.json

    @property
    def task(self) -> str:
        return self.spec.get("task", "")

    @property
    def task_words(self) -> str:
        return task_words(self.spec)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def stopped_before_start(self) -> bool:
        """Stopped while it waited in line: no worker ever ran it, so it has no model."""
        return self.status == STOPPED and not self.state.get("started")


def task_words(spec: dict) -> str:
    """A run's task as a non-programmer reads it: "2 classes", "4 classes", "predicts a number"."""
    if spec.get("task") == config.TASK_REGRESSION:
        return "predicts a number"
    classes = len(spec.get("class_names") or [])
    return f"{classes} classes" if classes else spec.get("task", "")


def threshold_from(data) -> tuple[str, float] | None:
    """(positive class, threshold) from a saved choice, or None for anything malformed.

    The file may come from an imported model, so a value Evaluate's slider could not
    hold (it would refuse to draw) counts as no choice.
    """
    try:
        positive, value = str(data["positive"]), float(data["threshold"])
    except (TypeError, KeyError, ValueError):
        return None
    low, high = THRESHOLD_RANGE
    return (positive, value) if low <= value <= high else None


def checkpoint_note(state: dict) -> str:
    """A plain note when a run that answers is not finished training; "" when it is.

    ``state`` is the run's status.json. A running run (or one queued to train more)
    answers from its best checkpoint so far, which may still change.
    """
    status = state.get("status")
    if status not in ACTIVE_STATUSES:
        return ""
    best = state.get("best_epoch")
    # "Train more" raises target_epochs before its worker sets total_epochs to it.
    total = max(int(state.get("total_epochs") or 0), int(state.get("target_epochs") or 0))
    where = f" (epoch {best} of {total})" if best and total else ""
    doing = "still training" if status == RUNNING else "waiting to train more"
    return (f"This run is {doing}: answers come from its best checkpoint so far{where}. "
            "They may change when its training ends.")


class RunStore:
    def __init__(self, home: Path | str | None = None):
        self.home = Path(home) if home else config.runs_home()

    # -- paths -------------------------------------------------------------
    def path(self, run_id: str) -> Path:
        """The folder of a run; ids that could escape the store are refused."""
        if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
            raise RunError("That run name is not valid.")
        return self.home / run_id

    def existing_path(self, run_id: str) -> Path:
        path = self.path(run_id)
        if not (path / "spec.json").exists():
            raise RunGoneError(run_id)
        return path

    # -- create / list / delete -------------------------------------------
    def create(self, spec: dict, name: str | None = None) -> str:
        """Make a new queued run folder holding ``spec``; returns its id.

        A name another run already has gets a number, "Tiny · News (2)", so that run
        pickers and chart legends can tell the two apart.
        """
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        path = self.path(run_id)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(f"Could not create the run folder: {exc.strerror}.") from exc
        with self._naming():
            name = self.unused_name(name) if name else None
            try:
                path.mkdir()
            except OSError as exc:
                raise RunError(f"Could not create the run folder: {exc.strerror}.") from exc
            created = time.time()
            write_json_atomic(path / "spec.json", {**spec, "run_id": run_id,
                                                   "name": name or run_id, "created": created})
            # In the lock: list_runs skips a run without status, so a name could repeat.
            write_json_atomic(path / "status.json", {"status": QUEUED, "created": created})
        (path / "metrics.jsonl").touch()
        return run_id

    def _naming(self):
        """One run named at a time, from choosing a free name to writing it (QA: two
        students pressing Train at one instant got one name; so did two renames)."""
        return _locked(self.home / NAMES_LOCK, "name the run")

    def list_runs(self) -> list[RunInfo]:
        """All runs, newest first."""
        try:
            children = list(self.home.iterdir())
        except OSError:  # no store yet, or a file or an unreadable folder in its place
            return []
        runs = []
        for child in children:
            if not _RUN_ID.fullmatch(child.name):
                continue
            spec = read_json(child / "spec.json")
            state = read_json(child / "status.json")
            if spec is None or state is None:
                continue
            runs.append(RunInfo(child.name, spec.get("name", child.name), state.get("status", ""),
                                spec.get("created", 0.0), spec, state))
        return sorted(runs, key=lambda r: r.created, reverse=True)

    def info(self, run_id: str) -> RunInfo:
        path = self.existing_path(run_id)
        spec = read_json(path / "spec.json", {})
        state = read_json(path / "status.json", {})
        return RunInfo(run_id, spec.get("name", run_id), state.get("status", ""),
                       spec.get("created", 0.0), spec, state)

    def delete(self, run_id: str) -> None:
        path = self.existing_path(run_id)
        if self.training_now(run_id):
            raise RunError("This run is still training. Stop it first, then delete it.")
        shutil.rmtree(path, ignore_errors=True)

    def unused_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``, … if a run already has it."""
        taken = {run.name for run in self.list_runs()}
        candidate, copy = name, 1
        while candidate in taken:
            copy += 1
            candidate = f"{name} ({copy})"
        return candidate

    def rename(self, run_id: str, name: str) -> None:
        """Give the run a new name; RunError if another run has it (pickers and legends
        could not tell the two apart)."""
        path = self.existing_path(run_id)
        new = name.strip()[:NAME_CHARS] or run_id
        with self._naming():
            if any(run.name == new and run.run_id != run_id for run in self.list_runs()):
                raise RunError(f"Another run is already called “{new}”. Choose another name, "
                               "so the two can be told apart.")
            spec = read_json(path / "spec.json", {})
            write_json_atomic(path / "spec.json", {**spec, "name": new})

    # -- status ------------------------------------------------------------
    def spec(self, run_id: str) -> dict:
        return read_json(self.existing_path(run_id) / "spec.json", {})

    def status(self, run_id: str) -> dict:
        return read_json(self.existing_path(run_id) / "status.json", {})

    def update_status(self, run_id: str, **changes) -> dict:
        """Read-modify-write status.json under a lock (worker and server both write)."""
        path = self.existing_path(run_id)
        with _locked(path / ".status.lock"):
            state = read_json(path / "status.json", {})
            state.update(changes)
            write_json_atomic(path / "status.json", state)
        return state

    def training_now(self, run_id: str) -> bool:
        """Running with a live worker: its folder must stay until the run is stopped."""
        return self.status(run_id).get("status") == RUNNING and self.worker_alive(run_id)

    def worker_alive(self, run_id: str) -> bool:
        state = self.status(run_id)
        return process_alive(state.get("pid"), state.get("pid_created"))

    def recover(self) -> list[str]:
        """Mark runs whose worker died (server or worker killed) as interrupted."""
        interrupted = []
        for run in self.list_runs():
            if run.status == RUNNING and not self.worker_alive(run.run_id):
                self.update_status(run.run_id, status=INTERRUPTED, ended=time.time(),
                                   error="The training process stopped unexpectedly "
                                         "(the server or the worker was shut down). "
                                         "The best checkpoint so far is kept.")
                interrupted.append(run.run_id)
        return interrupted

    # -- stop --------------------------------------------------------------
    def request_stop(self, run_id: str) -> None:
        path = self.existing_path(run_id)
        (path / "stop").touch()
        if self.status(run_id).get("status") == QUEUED:
            self.update_status(run_id, status=STOPPED, ended=time.time(),
                               message="Stopped before training started.")

    def stop_requested(self, run_id: str) -> bool:
        return (self.path(run_id) / "stop").exists()

    def clear_stop(self, run_id: str) -> None:
        (self.path(run_id) / "stop").unlink(missing_ok=True)

    # -- metrics -----------------------------------------------------------
    def append_metrics(self, run_id: str, records: list[dict]) -> None:
        if not records:
            return
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        try:
            with open(self.path(run_id) / "metrics.jsonl", "a", encoding="utf-8") as handle:
                handle.write(lines)
        except OSError as exc:
            raise RunError(f"Could not save the training progress in the run store: "
                           f"{exc.strerror or exc}. Check the disk space and permissions "
                           "of the runs folder.") from exc

    def read_metrics(self, run_id: str, offset: int = 0) -> tuple[list[dict], int]:
        """Records from byte ``offset`` on, and the new offset (for cheap polling).

        A partly written last line is left for the next read.
        """
        path = self.existing_path(run_id) / "metrics.jsonl"
        try:
            with open(path, "rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
        except OSError:
            return [], offset
        end = chunk.rfind(b"\n") + 1
        records = []
        for line in chunk[:end].splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
        return records, offset + end

    # -- other files -------------------------------------------------------
    def file_path(self, run_id: str, name: str) -> Path:
        """A file directly inside the run folder; names that could leave it are refused."""
        if not isinstance(name, str) or not _FILE_NAME.fullmatch(name) or ".." in name:
            raise RunError("That file name is not valid inside a run folder.")
        return self.existing_path(run_id) / name

    def write_json(self, run_id: str, name: str, data) -> None:
        write_json_atomic(self.file_path(run_id, name), data)

    def read_json(self, run_id: str, name: str, default=None):
        return read_json(self.file_path(run_id, name), default)

    def threshold_choice(self, run_id: str) -> tuple[str, float] | None:
        """(positive class, threshold) chosen on Evaluate for a two-class run, or None."""
        return threshold_from(self.read_json(run_id, THRESHOLD_FILE))

    def save_threshold_choice(self, run_id: str, positive: str, threshold: float) -> None:
        self.write_json(run_id, THRESHOLD_FILE, {"positive": positive, "threshold": threshold})

    def model_path(self, run_id: str) -> Path:
        return self.existing_path(run_id) / "model.keras"

    def has_model(self, run_id: str) -> bool:
        return self.model_path(run_id).exists()


@contextmanager
def _locked(lock_path: Path, doing: str = "update the run's status"):
    import fcntl

    try:
        handle = open(lock_path, "a")
    except OSError as exc:
        raise RunError(f"Could not {doing}: {exc.strerror or exc}. Check the disk space and "
                       "permissions of the runs folder.") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
