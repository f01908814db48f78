"""Faults: a killed server, a full disk, hostile run ids and file names, oversized uploads.

The server here is a real process holding the same ``core.jobs.JobQueue`` the app
keeps in ``st.cache_resource``; it is SIGKILLed while its worker trains.
"""

from __future__ import annotations

import errno
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from core import config, data, importer, jobs, predictor
from core import runs as runs_lib
from core.config import DataSpec, TrainSpec
from core.errors import ModelFileError, RunError
from tests.conftest import TINY_MODEL

SERVER = """
import sys, time
from core import jobs, runs
jobs.JobQueue(runs.RunStore(sys.argv[1]))  # like a server start: queued runs are started
print("server up", flush=True)
time.sleep(600)
"""
TEXTS = ["Broke after a week, very disappointed.", "Lovely, works perfectly every day."]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def queued_run(store: runs_lib.RunStore, epochs: int) -> str:
    frame = data.load_sample("reviews_recommended")
    data_spec = DataSpec(text_columns=("title", "review"), label_column="recommended")
    dataset = data.prepare_dataset(frame, data_spec)
    train_spec = TrainSpec(epochs=epochs, batch_size=16, early_stopping_patience=None)
    return jobs.create_run(store, dataset, data_spec, TINY_MODEL, train_spec, name="long")


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def restarted_server(home: Path) -> runs_lib.RunStore:
    """What a fresh server start does: build the queue (it recovers dead runs), then read."""
    queue = jobs.JobQueue(runs_lib.RunStore(home))
    queue.shutdown(stop_running=False)
    return queue.store


# ---------------------------------------------------------------- a. server killed mid-training

@pytest.mark.slow
def test_server_killed_while_training_loses_nothing(tmp_path, run_store, trained_binary_run):
    home = tmp_path / "runs"
    home.mkdir()
    shutil.copytree(run_store.path(trained_binary_run), home / trained_binary_run)
    finished_eval = (home / trained_binary_run / "eval.json").read_bytes()
    store = runs_lib.RunStore(home)
    run_id = queued_run(store, epochs=300)

    server = subprocess.Popen([sys.executable, "-c", SERVER, str(home)], cwd=config.PROJECT_ROOT,
                              start_new_session=True, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        state = wait_for(lambda: (s := store.status(run_id)).get("status") == runs_lib.RUNNING
                         and (s.get("epochs_done") or 0) >= 1 and s, 240, "a first checkpoint")
        worker = state["pid"]
        assert worker != server.pid and psutil.Process(worker).ppid() == server.pid

        server.kill()  # SIGKILL the server only: the worker is its own process
        server.wait(timeout=30)
        time.sleep(1.0)
        assert not dead(worker), "the worker outlives its server"
        after_restart = restarted_server(home)
        assert after_restart.status(run_id)["status"] == runs_lib.RUNNING
        assert after_restart.worker_alive(run_id)

        os.kill(worker, signal.SIGKILL)  # now the training itself dies too
        wait_for(lambda: dead(worker), 30, "the worker to die")
        after_second_restart = restarted_server(home)
        state = after_second_restart.status(run_id)
        assert state["status"] == runs_lib.INTERRUPTED
        assert "best checkpoint so far is kept" in state["error"]
        assert state["epochs_done"] >= 1 and state["best_epoch"] >= 1

        model = predictor.load_predictor(after_second_restart.model_path(run_id))
        scores = model.scores(TEXTS)
        assert scores.shape == (2, 2) and np.allclose(scores.sum(axis=1), 1.0, atol=1e-5)
        records, _ = after_second_restart.read_metrics(run_id)
        assert any(r["kind"] == "epoch" and r["epoch"] == 1 for r in records)

        assert after_second_restart.status(trained_binary_run)["status"] == runs_lib.FINISHED
        assert (home / trained_binary_run / "eval.json").read_bytes() == finished_eval
        predictor.load_predictor(after_second_restart.model_path(trained_binary_run)).scores(TEXTS)
    finally:
        kill_group(server.pid)  # the server's group holds the worker as well
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()


# ---------------------------------------------------------------- b. disk full, blocked paths

@pytest.fixture
def store(tmp_path):
    return runs_lib.RunStore(tmp_path / "runs")


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_keeps_the_old_status_and_leaves_no_temp_files(store, monkeypatch):
    run_id = store.create({"task": "binary"})
    store.update_status(run_id, status=runs_lib.RUNNING, epochs_done=3)
    before = (store.path(run_id) / "status.json").read_bytes()

    def no_space(src, dst):  # as on a full disk: the real disk cannot be filled safely
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs_lib.os, "replace", no_space)
    with pytest.raises(RunError, match=r"^Could not save status\.json in the run store: No space "
                                       r"left on device\. Check the disk space"):
        store.update_status(run_id, status=runs_lib.FINISHED, epochs_done=4)
    with pytest.raises(RunError, match=r"Could not save eval\.json .*No space left on device"):
        store.write_json(run_id, "eval.json", {"metrics": {}})
    monkeypatch.undo()

    assert (store.path(run_id) / "status.json").read_bytes() == before
    assert json.loads(before)["epochs_done"] == 3 and store.status(run_id)["status"] == "running"
    assert temp_files(store.path(run_id)) == []
    assert not (store.path(run_id) / "eval.json").exists()


def test_a_value_that_cannot_be_saved_leaves_no_temp_file(store):
    run_id = store.create({})
    with pytest.raises(TypeError):
        store.write_json(run_id, "eval.json", {"not json": object()})  # a programming error
    assert temp_files(store.path(run_id)) == []


def test_a_full_disk_while_checkpointing_keeps_the_old_files_and_leaves_no_temp_files(
        store, monkeypatch):
    import keras

    from core import optimizer_state

    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    net.compile(keras.optimizers.Adam(), "mse")
    net.optimizer.build(net.trainable_variables)
    folder = store.path(store.create({}))
    predictor.save_with_metadata(net, folder / "model.keras", {"run": 1})
    optimizer_state.save(net.optimizer, folder / optimizer_state.FILE)
    before = {name: (folder / name).read_bytes() for name in ("model.keras", optimizer_state.FILE)}

    def no_space(src, dst):  # as on a full disk, after the temp file was written
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs_lib.os, "replace", no_space)
    with pytest.raises(RunError, match=r"^Could not save model\.keras in the run store: No space"):
        predictor.save_with_metadata(net, folder / "model.keras", {"run": 2})
    with pytest.raises(RunError, match=r"^Could not save optimizer\.npz in the run store: No space"):
        optimizer_state.save(net.optimizer, folder / optimizer_state.FILE)
    monkeypatch.undo()
    assert {name: (folder / name).read_bytes() for name in before} == before
    assert not [p.name for p in folder.iterdir() if ".tmp" in p.name]


def test_a_checkpoint_whose_metadata_cannot_be_written_leaves_the_previous_one(store):
    import keras

    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    folder = store.path(store.create({}))
    predictor.save_with_metadata(net, folder / "model.keras", {"run": 1})
    before = (folder / "model.keras").read_bytes()
    with pytest.raises(TypeError):  # the metadata is written before the file is put in place
        predictor.save_with_metadata(net, folder / "model.keras", {"run": object()})
    assert (folder / "model.keras").read_bytes() == before
    assert predictor.read_metadata(folder / "model.keras") == {"run": 1}
    assert not [p.name for p in folder.iterdir() if ".tmp" in p.name]


def test_blocked_paths_inside_a_run_give_plain_messages(store):
    run_id = store.create({})
    folder = store.path(run_id)
    (folder / "metrics.jsonl").unlink()
    (folder / "metrics.jsonl").mkdir()  # something in the way, as root cannot be chmod-blocked
    with pytest.raises(RunError, match=r"^Could not save the training progress in the run store"):
        store.append_metrics(run_id, [{"kind": "epoch", "epoch": 1}])
    (folder / ".status.lock").mkdir()
    with pytest.raises(RunError, match=r"^Could not update the run's status"):
        store.update_status(run_id, status=runs_lib.RUNNING)
    assert store.status(run_id)["status"] == runs_lib.QUEUED


def test_a_file_where_the_store_should_be_does_not_take_the_server_down(tmp_path):
    blocker = tmp_path / "runs"
    blocker.write_text("a file where the runs folder should be")
    queue = jobs.JobQueue(runs_lib.RunStore(blocker))  # what the first page view builds
    try:
        assert queue.store.list_runs() == [] and queue.queue_position("20200101-000000-abcdef") is None
        with pytest.raises(RunError, match=r"^Could not create the run folder"):
            queue.store.create({})
    finally:
        queue.shutdown()


def test_a_full_disk_during_model_import_is_a_plain_error(store, monkeypatch, run_store,
                                                          trained_binary_run):
    model_bytes = run_store.model_path(trained_binary_run).read_bytes()

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(importer.shutil, "copyfile", no_space)
    with pytest.raises(RunError, match=r"^Could not save the model: No space left on device\."):
        importer.import_model(store, model_bytes, "model.keras")
    left = [path.name for path in store.home.iterdir()]
    assert store.list_runs() == [] and left in ([], [runs_lib.NAMES_LOCK])  # no half-made run


# ---------------------------------------------------------------- c. path traversal

BAD_IDS = ["../x", "..", ".", "", "..%2f..%2fetc", "%2e%2e", "/etc/passwd", "/tmp", "a/../b",
           "a/b", "a\\b", "C:\\Windows", "a\x00b", "run\n", " run", "x" * 81, "x" * 10_000,
           "\u202e..", None, 5]
ENTRY_POINTS = {
    "path": lambda s, r: s.path(r),
    "existing_path": lambda s, r: s.existing_path(r),
    "info": lambda s, r: s.info(r),
    "spec": lambda s, r: s.spec(r),
    "status": lambda s, r: s.status(r),
    "update_status": lambda s, r: s.update_status(r, status="finished"),
    "delete": lambda s, r: s.delete(r),
    "rename": lambda s, r: s.rename(r, "x"),
    "request_stop": lambda s, r: s.request_stop(r),
    "stop_requested": lambda s, r: s.stop_requested(r),
    "clear_stop": lambda s, r: s.clear_stop(r),
    "append_metrics": lambda s, r: s.append_metrics(r, [{"kind": "epoch"}]),
    "read_metrics": lambda s, r: s.read_metrics(r),
    "write_json": lambda s, r: s.write_json(r, "eval.json", {}),
    "read_json": lambda s, r: s.read_json(r, "eval.json"),
    "model_path": lambda s, r: s.model_path(r),
    "has_model": lambda s, r: s.has_model(r),
    "worker_alive": lambda s, r: s.worker_alive(r),
}


@pytest.fixture
def victim(tmp_path):
    """A run-like folder outside the store that a traversing id would reach."""
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "spec.json").write_text("{}")
    (folder / "status.json").write_text('{"status": "finished"}')
    return folder


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_every_entry_point_refuses_ids_that_leave_the_store(tmp_path, victim, entry):
    store = runs_lib.RunStore(tmp_path / "runs")
    store.create({})
    before = snapshot(tmp_path)
    for bad in BAD_IDS:
        with pytest.raises(RunError, match="That run name is not valid"):
            ENTRY_POINTS[entry](store, bad)
    assert snapshot(tmp_path) == before


BAD_NAMES = ["../x/spec.json", "../../etc/passwd", "/etc/passwd", "/tmp/evil.json", "a/b.json",
             "..", ".", "", ".hidden.json", "eval.json\x00.txt", "eval.json\n", "x" * 200,
             "..\\x.json", "eval..json", None]


@pytest.mark.parametrize("bad", BAD_NAMES, ids=[repr(n)[:20] for n in BAD_NAMES])
def test_file_names_that_leave_the_run_folder_are_refused(tmp_path, victim, bad):
    store = runs_lib.RunStore(tmp_path / "runs")
    run_id = store.create({})
    before = snapshot(tmp_path)
    with pytest.raises(RunError, match="That file name is not valid"):
        store.write_json(run_id, bad, {"status": "hacked"})
    with pytest.raises(RunError, match="That file name is not valid"):
        store.read_json(run_id, bad)
    assert snapshot(tmp_path) == before


def test_plain_file_names_still_work(store):
    run_id = store.create({})
    store.write_json(run_id, "eval.json", {"ok": 1})
    store.write_json(run_id, "lime-cache_2.v1.json", [1])
    assert store.read_json(run_id, "eval.json") == {"ok": 1}
    assert store.read_json(run_id, "missing.json", "default") == "default"


def test_the_job_queue_refuses_traversing_ids(tmp_path, victim):
    queue = jobs.JobQueue(runs_lib.RunStore(tmp_path / "runs"), workers=1)
    try:
        for bad in ("../x", "/etc", "a\x00b"):
            with pytest.raises(RunError):
                queue.submit(bad)
            with pytest.raises(RunError):
                queue.stop(bad)
            with pytest.raises(RunError):
                jobs.train_more(queue, bad, 1)
    finally:
        queue.shutdown()
    assert not (victim / "stop").exists()


def test_listing_ignores_folders_with_odd_names(store):
    run_id = store.create({})
    for odd in ("run\n", ".hidden", "with space"):
        (store.home / odd).mkdir()
        shutil.copy(store.path(run_id) / "spec.json", store.home / odd / "spec.json")
        shutil.copy(store.path(run_id) / "status.json", store.home / odd / "status.json")
    assert [r.run_id for r in store.list_runs()] == [run_id]


# ---------------------------------------------------------------- d. oversized model uploads

def test_a_model_over_the_size_limit_is_refused_before_reading(store):
    with pytest.raises(ModelFileError, match=r"^This model file is 3 MB; the limit is 2 MB\.$"):
        importer.import_model(store, b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024), "big.keras",
                              max_bytes=2 * 1024 * 1024)
    assert store.list_runs() == []


def test_the_page_uses_the_configured_limit_and_the_uploader_lets_it_apply():
    default = inspect.signature(importer.import_model).parameters["max_bytes"].default
    assert default == config.MAX_MODEL_BYTES == 200 * 1024 * 1024
    settings = (config.PROJECT_ROOT / ".streamlit" / "config.toml").read_text()
    upload_mb = int(next(line.split("=")[1] for line in settings.splitlines()
                         if line.strip().startswith("maxUploadSize")))
    # The widget must let through every file core accepts (core's own limit then applies).
    assert upload_mb * 1024 * 1024 >= max(config.MAX_MODEL_BYTES, config.MAX_CSV_BYTES)


def test_the_shipped_nginx_config_lets_every_accepted_file_through():
    """nginx's default body limit (1 MB) would refuse uploads with a bare 413 page.

    bench/behind_proxy.py uploads through deploy/nginx.conf for real; this keeps the
    config's limit in step with core's when either changes.
    """
    shipped = (config.PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    limits = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", shipped, flags=re.MULTILINE)
    assert len(limits) == 1, "deploy/nginx.conf should set client_max_body_size once, in MB"
    largest_file = max(config.MAX_MODEL_BYTES, config.MAX_CSV_BYTES)
    # An upload is multipart: the form's boundaries and headers come on top of the file.
    assert int(limits[0]) * 1024 * 1024 >= largest_file + 1024 * 1024
