"""core.compare: the runs comparison table."""

import numpy as np
import pandas as pd
import pytest

from core import compare, presets
from core.config import ModelSpec
from core import runs as runs_lib
from tests.unit import synthetic_runs


@pytest.fixture
def store(tmp_path):
    return runs_lib.RunStore(tmp_path / "runs")


@pytest.mark.parametrize("model, expected", [
    ({"rnn": "lstm", "units": [64], "bidirectional": True}, "BiLSTM 64"),
    ({"rnn": "lstm", "units": [50, 60, 75], "bidirectional": False}, "LSTM 50/60/75"),
    ({"rnn": "gru", "units": [32], "bidirectional": False}, "GRU 32"),
    ({"rnn": "gru", "units": [32], "bidirectional": True, "dense_layers": [16]},
     "BiGRU 32 + dense 16"),
    # QA: runs that differed only in pooling looked the same; "16-8" on Runs, "16/8" on Train.
    ({"rnn": "gru", "units": [16, 8], "pooling": "mean", "dense_layers": [8, 4]},
     "GRU 16/8 (average of words) + dense 8/4"),
    ({"rnn": "lstm", "units": [16], "pooling": "max"}, "LSTM 16 (strongest signal)"),
    ({}, "imported"),
    (None, "imported"),
])
def test_architecture_names(model, expected):
    assert compare.architecture(model) == expected
    if model:  # the same name Model & Train gives the same network
        spec = ModelSpec(rnn=model["rnn"], units=tuple(model["units"]),
                         bidirectional=model["bidirectional"] if "bidirectional" in model else False,
                         pooling=model.get("pooling", "last"),
                         dense_layers=tuple(model.get("dense_layers", ())))
        assert presets.architecture_name(spec) == expected


def test_the_embedding_column_names_uploaded_vectors_size_and_whether_frozen():
    assert compare._embedding({"embedding_dim": 32}) == "32"
    vectors = {"glove_path": "/runs/_uploads/0123456789ab-my_glove.txt", "embedding_dim": 50}
    assert compare._embedding(vectors) == "GloVe 50"
    assert compare._embedding({**vectors, "trainable_embedding": False}) == "GloVe 50, frozen"


def test_empty_store_gives_an_empty_table_with_all_columns(store):
    table = compare.runs_table(store)
    assert table.empty and list(table.columns) == list(compare.COLUMNS)


def test_rows_come_from_spec_status_and_eval(store):
    run_id = synthetic_runs.binary_run(store, name="two layers")
    queued = store.create({"task": "regression", "data": {}, "model": {}}, name="waiting")
    table = compare.runs_table(store)
    assert list(table.index) == [queued, run_id]  # newest first
    row = table.loc[run_id]
    report = store.read_json(run_id, "eval.json")
    assert row["name"] == "two layers" and row["status"] == "finished"
    assert row["architecture"] == "LSTM 50/60" and row["units"] == "50/60"
    assert row["max tokens"] == 200 and row["embedding"] == "64" and row["epochs"] == 3
    assert row["test accuracy"] == pytest.approx(report["metrics"]["accuracy"])
    assert row["baseline accuracy"] == pytest.approx(report["baseline"]["accuracy"])
    assert pd.isna(row["test RMSE"]) and pd.isna(row["params"])  # no model file
    # The first epoch also builds the graph, so it is left out of the typical time.
    assert row["seconds/epoch"] == pytest.approx(3.0)
    waiting = table.loc[queued]
    assert waiting["status"] == "queued" and waiting["architecture"] == "imported"
    assert pd.isna(waiting["test accuracy"]) and pd.isna(waiting["seconds/epoch"])


def test_the_status_says_what_a_runs_state_means_for_its_results(store):
    broke_down = synthetic_runs.binary_run(store, name="too fast")
    store.update_status(broke_down, diverged_in=3, best_epoch=2)
    waited = store.create({"task": "binary", "data": {}, "model": {}}, name="waited")
    store.update_status(waited, status=runs_lib.STOPPED)
    imported = store.create({"task": "binary", "data": {}, "model": {}, "imported": True},
                            name="from a file")
    store.update_status(imported, status=runs_lib.FINISHED, started=1.0)
    status = compare.runs_table(store)["status"]
    assert status[broke_down] == "broke down in epoch 3; epoch 2 kept"
    assert status[waited] == "stopped while waiting"
    assert status[imported] == "imported"


def test_params_match_the_keras_model(run_store, trained_run):
    from core import model as model_lib

    _, int_model = model_lib.split_end_to_end(model_lib.load_model(run_store.model_path(trained_run)))
    assert compare.model_params(run_store.model_path(trained_run)) == int_model.count_params()
    row = compare.runs_table(run_store).loc[trained_run]
    assert row["params"] == int_model.count_params()
    assert row["architecture"] == "LSTM 8" and row["max tokens"] == 60
    report = run_store.read_json(trained_run, "eval.json")
    assert row["test accuracy"] == pytest.approx(report["metrics"]["accuracy"])
    # Ratings trained as classes also report how far off the predicted rating is.
    assert row["test RMSE"] == pytest.approx(report["metrics"]["ordinal_rmse"])
    seconds = run_store.status(trained_run)["epoch_seconds"]
    assert row["seconds/epoch"] == pytest.approx(np.mean(seconds[1:]))


def test_unreadable_model_file_leaves_params_empty(store):
    run_id = synthetic_runs.binary_run(store, name="broken model")
    store.model_path(run_id).write_bytes(b"not a zip")
    assert compare.model_params(store.model_path(run_id)) is None
    assert pd.isna(compare.runs_table(store).loc[run_id, "params"])


@pytest.mark.parametrize("label_column, ordered, has_rmse", [
    ("column_1", None, False),  # AG News without a header: topic codes, scored before asking
    ("column_1", False, False),
    ("class", True, True),  # the user ticked "the numbers are a scale"
    ("stars", None, True),  # a run from before the question: the column name decides
])
def test_numbered_classes_show_an_rmse_only_when_they_are_a_scale(store, label_column, ordered,
                                                                  has_rmse):
    run_id = synthetic_runs.numbered_class_run(store, label_column, ordered)
    row = compare.runs_table(store).loc[run_id]
    assert row["test accuracy"] == pytest.approx(0.8)
    assert pd.notna(row["test RMSE"]) is has_rmse
    assert pd.notna(row["baseline RMSE"]) is has_rmse


def test_the_data_column_names_what_each_run_learned_from(store):
    """QA: comparing a news run with a reviews run, only "4 classes" / "5 classes" told them apart."""
    sample = store.create({"task": "multiclass", "data": {}, "model": {},
                           "source": "News briefs (4 topics)"}, name="sample")
    cli = store.create({"task": "multiclass", "data": {}, "model": {},
                        "source": "sample_data/reviews/reviews.csv"}, name="cli")
    imported = store.create({"task": "multiclass", "data": {}, "model": {}}, name="imported")
    table = compare.runs_table(store)
    assert table.loc[sample, "data"] == "News briefs (4 topics)"
    assert table.loc[cli, "data"] == "reviews.csv"  # the file, not where it lay
    assert pd.isna(table.loc[imported, "data"])
