"""core.runs: the run store on disk (no TensorFlow needed)."""

import json
import subprocess
import sys

import pytest

from core import runs as runs_lib
from core.errors import RunError


@pytest.fixture
def store(tmp_path):
    return runs_lib.RunStore(tmp_path / "runs")


def test_create_list_and_status(store):
    first = store.create({"task": "binary", "data": {}}, name="first")
    second = store.create({"task": "regression", "data": {}})
    listed = store.list_runs()
    assert {r.run_id for r in listed} == {first, second}
    assert all(r.status == runs_lib.QUEUED for r in listed)
    assert store.info(first).name == "first" and store.info(second).name == second
    store.update_status(first, status=runs_lib.RUNNING, epochs_done=1)
    assert store.status(first) == {**store.status(first), "status": "running", "epochs_done": 1}


def test_a_runs_task_reads_in_plain_words():
    assert runs_lib.task_words({"task": "binary", "class_names": ["no", "yes"]}) == "2 classes"
    assert runs_lib.task_words({"task": "multiclass", "class_names": list("abcd")}) == "4 classes"
    assert runs_lib.task_words({"task": "regression", "class_names": []}) == "predicts a number"


def test_a_new_run_named_like_another_gets_a_number(store):
    """QA: the Run name box keeps its text, so two runs were both called "stop midepoch"."""
    first, second, third = (store.create({"task": "binary"}, name="stop midepoch") for _ in range(3))
    assert [store.spec(r)["name"] for r in (first, second, third)] == [
        "stop midepoch", "stop midepoch (2)", "stop midepoch (3)"]
    store.delete(second)
    assert store.spec(store.create({}, name="stop midepoch"))["name"] == "stop midepoch (2)"


def test_a_rename_to_another_runs_name_is_refused(store):
    first, second = store.create({}, name="News A"), store.create({}, name="News B")
    with pytest.raises(RunError, match="Another run is already called “News A”"):
        store.rename(second, "  News A ")
    assert store.info(second).name == "News B"
    store.rename(first, "News A")  # its own name: nothing to tell apart
    store.rename(second, "News C")
    assert [store.info(r).name for r in (first, second)] == ["News A", "News C"]


@pytest.mark.parametrize("bad_id", ["../etc", "..", "a/b", "/abs", "", "x" * 200, "a\\b", ".hidden"])
def test_run_ids_cannot_escape_the_store(store, bad_id):
    with pytest.raises(RunError):
        store.path(bad_id)


def test_unknown_run_is_a_plain_error(store):
    with pytest.raises(RunError, match="no run called"):
        store.status("20200101-000000-abcdef")


def test_metrics_are_read_incrementally_and_partial_lines_wait(store):
    run_id = store.create({})
    store.append_metrics(run_id, [{"kind": "batch", "step": 1}, {"kind": "batch", "step": 2}])
    records, offset = store.read_metrics(run_id)
    assert [r["step"] for r in records] == [1, 2]
    with open(store.path(run_id) / "metrics.jsonl", "a") as handle:
        handle.write('{"kind": "epoch", "ep')  # a writer caught mid-line
    more, offset2 = store.read_metrics(run_id, offset)
    assert more == [] and offset2 == offset
    with open(store.path(run_id) / "metrics.jsonl", "a") as handle:
        handle.write('och": 1}\n')
    more, _ = store.read_metrics(run_id, offset)
    assert more == [{"kind": "epoch", "epoch": 1}]


def test_status_writes_are_atomic_json(store):
    run_id = store.create({})
    for i in range(50):
        store.update_status(run_id, counter=i)
    data = json.loads((store.path(run_id) / "status.json").read_text())
    assert data["counter"] == 49
    assert not [p for p in store.path(run_id).iterdir() if p.name.endswith(".tmp")]


def test_stopping_a_queued_run_marks_it_stopped(store):
    run_id = store.create({})
    store.request_stop(run_id)
    assert store.stop_requested(run_id)
    assert store.status(run_id)["status"] == runs_lib.STOPPED


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_recover_marks_runs_with_a_dead_worker_as_interrupted(store):
    dead = store.create({})
    store.update_status(dead, status=runs_lib.RUNNING, pid=_dead_pid(), pid_created=1.0)
    alive = store.create({})
    import psutil

    me = psutil.Process()
    store.update_status(alive, status=runs_lib.RUNNING, pid=me.pid, pid_created=me.create_time())
    finished = store.create({})
    store.update_status(finished, status=runs_lib.FINISHED)

    assert store.recover() == [dead]
    assert store.status(dead)["status"] == runs_lib.INTERRUPTED
    assert "stopped unexpectedly" in store.status(dead)["error"]
    assert store.status(alive)["status"] == runs_lib.RUNNING
    assert store.status(finished)["status"] == runs_lib.FINISHED


def test_a_reused_pid_does_not_count_as_alive():
    import psutil

    me = psutil.Process()
    assert runs_lib.process_alive(me.pid, me.create_time())
    assert not runs_lib.process_alive(me.pid, me.create_time() - 1000)
    assert not runs_lib.process_alive(None, None)


def test_delete_refuses_a_live_run_and_removes_an_ended_one(store):
    import psutil

    run_id = store.create({})
    me = psutil.Process()
    store.update_status(run_id, status=runs_lib.RUNNING, pid=me.pid, pid_created=me.create_time())
    with pytest.raises(RunError, match="still training"):
        store.delete(run_id)
    store.update_status(run_id, status=runs_lib.STOPPED)
    store.delete(run_id)
    assert store.list_runs() == []


def test_unwritable_store_gives_a_message_not_a_traceback(tmp_path):
    import os

    if os.geteuid() == 0:
        blocked = tmp_path / "file-not-dir"
        blocked.write_text("x")
        store = runs_lib.RunStore(blocked)  # a file where the folder should be
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        store = runs_lib.RunStore(locked / "runs")
    with pytest.raises(RunError, match="Could not create the run folder"):
        store.create({})


@pytest.mark.parametrize("content", ["", "[1, 2]", '{"positive": "yes"}',
                                     '{"positive": "yes", "threshold": "high"}',
                                     '{"positive": "yes", "threshold": 1.5}',  # off the slider
                                     '{"positive": "yes", "threshold": NaN}'])
def test_a_broken_threshold_file_is_no_choice(tmp_path, content):
    from core.runs import THRESHOLD_FILE, RunStore

    store = RunStore(tmp_path)
    run_id = store.create({"task": "binary"}, name="a run")
    store.save_threshold_choice(run_id, "yes", 0.7)
    assert store.threshold_choice(run_id) == ("yes", 0.7)
    store.path(run_id).joinpath(THRESHOLD_FILE).write_text(content)
    assert store.threshold_choice(run_id) is None


def test_a_run_still_training_says_its_answers_come_from_a_checkpoint():
    running = {"status": runs_lib.RUNNING, "epochs_done": 3, "best_epoch": 2, "total_epochs": 10}
    assert runs_lib.checkpoint_note(running) == (
        "This run is still training: answers come from its best checkpoint so far (epoch 2 "
        "of 10). They may change when its training ends.")
    # "Train more" queued: the new target, before its worker sets total_epochs to it.
    more = {"status": runs_lib.QUEUED, "epochs_done": 5, "best_epoch": 4, "total_epochs": 5,
            "target_epochs": 8}
    assert runs_lib.checkpoint_note(more).startswith(
        "This run is waiting to train more: answers come from its best checkpoint so far "
        "(epoch 4 of 8).")
    assert "(epoch" not in runs_lib.checkpoint_note({"status": runs_lib.RUNNING})
    for ended in runs_lib.ENDED_STATUSES:
        assert runs_lib.checkpoint_note({**running, "status": ended}) == ""


def test_runs_created_or_renamed_at_the_same_instant_never_share_a_name(tmp_path):
    """QA: two students pressing Train at the same instant got two runs called "lesson-0"
    (34 of 40 tries straight on the store), and two renames could both take one name."""
    import threading

    store = runs_lib.RunStore(tmp_path / "runs")
    start = threading.Barrier(8)

    def create():
        start.wait()
        store.create({"task": "binary"}, name="lesson")

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = sorted(run.name for run in store.list_runs())
    assert names == sorted(["lesson", *(f"lesson ({n})" for n in range(2, 9))])

    taken, errors = [], []
    again = threading.Barrier(8)

    def rename(run_id):
        again.wait()
        try:
            store.rename(run_id, "the one name")
            taken.append(run_id)
        except RunError:
            errors.append(run_id)

    threads = [threading.Thread(target=rename, args=(run.run_id,)) for run in store.list_runs()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 1 and len(errors) == 7
    assert [run.name for run in store.list_runs()].count("the one name") == 1
