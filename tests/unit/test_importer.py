"""core.importer: an uploaded .keras file becomes a run, or is refused with a plain message."""

import io
import json
import zipfile

import numpy as np
import pytest

from core import importer, jobs
from core import predictor as predictor_lib
from core import runs as runs_lib
from core.errors import ModelFileError, RunError

TEXTS = ["Broke after a week, very disappointed.", "Lovely, works perfectly every day."]


@pytest.fixture
def store(tmp_path):
    return runs_lib.RunStore(tmp_path / "runs")


@pytest.fixture(scope="module")
def studio_model(run_store, trained_run) -> bytes:
    return run_store.model_path(trained_run).read_bytes()


def _saved(model, tmp_path, name="model.keras") -> bytes:
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


def _rezipped(data: bytes, metadata=None, drop_metadata=False) -> bytes:
    """The same model file with its metadata member replaced or removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name != predictor_lib.METADATA_NAME:
                target.writestr(name, source.read(name))
        if metadata is not None and not drop_metadata:
            target.writestr(predictor_lib.METADATA_NAME, json.dumps(metadata))
    return out.getvalue()


def _refused(store, data, match, **kwargs):
    with pytest.raises(ModelFileError, match=match):
        importer.import_model(store, data, "upload.keras", **kwargs)
    assert store.list_runs() == []  # nothing half-made is left behind


def test_studio_model_becomes_a_finished_run_that_predicts_the_same(store, run_store,
                                                                     trained_run, studio_model):
    run_id = importer.import_model(store, studio_model, "my model.keras")
    info = store.info(run_id)
    original = run_store.info(trained_run)
    assert info.status == runs_lib.FINISHED and info.name == "Imported: my model.keras"
    assert info.spec["imported"] is True
    assert info.spec["data"]["text_columns"] == original.spec["data"]["text_columns"]
    assert info.task == original.task and info.spec["class_names"] == original.spec["class_names"]
    assert store.model_path(run_id).read_bytes() == studio_model
    imported = predictor_lib.load_predictor(store.model_path(run_id))
    trained = predictor_lib.load_predictor(run_store.model_path(trained_run))
    np.testing.assert_allclose(imported.scores(TEXTS), trained.scores(TEXTS), rtol=1e-6)


def test_an_imported_model_cannot_train_more_and_stays_finished(store, studio_model):
    run_id = importer.import_model(store, studio_model, "shared.keras")
    queue = jobs.JobQueue(store, workers=1)
    with pytest.raises(RunError, match="does not have the texts it was trained on"):
        jobs.train_more(queue, run_id, 3)
    assert store.info(run_id).status == runs_lib.FINISHED  # still usable, not "failed"
    assert not queue.is_tracked(run_id)


def test_model_without_metadata_is_read_from_its_head(store, studio_model):
    run_id = importer.import_model(store, _rezipped(studio_model, drop_metadata=True), "bare.keras")
    spec = store.spec(run_id)
    assert spec["task"] == "multiclass"
    assert spec["class_names"] == [f"class {i}" for i in range(5)]


def test_malformed_metadata_is_ignored_not_trusted(store, studio_model):
    run_id = importer.import_model(store, _rezipped(studio_model, metadata=["not", "a", "dict"]),
                                   "odd.keras")
    assert store.spec(run_id)["class_names"] == [f"class {i}" for i in range(5)]


def test_metadata_that_contradicts_the_model_is_refused(store, studio_model):
    wrong = {"task": "multiclass", "class_names": ["a", "b", "c"]}  # the model has 5 outputs
    _refused(store, _rezipped(studio_model, metadata=wrong), "does not match")


def test_too_big_is_refused_before_reading(store, studio_model):
    _refused(store, studio_model, "the limit is", max_bytes=len(studio_model) - 1)


def test_not_a_zip_is_refused(store):
    _refused(store, b"GIF89a this is a picture, not a model", "not a valid .keras model file")


def test_truncated_file_is_refused(store, studio_model):
    _refused(store, studio_model[: len(studio_model) // 2], "damaged or incomplete")


def test_zip_without_a_model_inside_is_refused(store):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("config.json", "{this is not json")
    _refused(store, out.getvalue(), "could not be loaded")


def test_keras_model_from_another_app_is_refused(store, tmp_path):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    _refused(store, _saved(model, tmp_path), "not made by LSTM Studio")


def test_model_with_a_lambda_layer_is_refused(store, tmp_path):
    import keras

    inputs = keras.Input((4,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    _refused(store, _saved(keras.Model(inputs, outputs), tmp_path), "Lambda layer")


def test_model_asking_for_a_huge_learned_start_is_refused(store, tmp_path):
    """A crafted file must not make the server allocate a billion-row weight."""
    from core import model as model_lib
    from core.config import TASK_BINARY, ModelSpec
    from core.layers import learned_start_layer

    with pytest.raises(ValueError, match="1 to 100 steps"):  # refused before build()
        learned_start_layer()(steps=1_000_000_000)

    spec = ModelSpec(units=(2,), bidirectional=False, embedding_dim=2, max_tokens=5, vocab_size=10)
    vectorizer = model_lib.build_vectorizer(["good", "bad"], spec)
    net = model_lib.build_model(spec, TASK_BINARY, 2, vectorizer.vocabulary_size())
    path = tmp_path / "one_way.keras"
    model_lib.end_to_end(vectorizer, net).save(path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "config.json":
                assert b'"steps": 5' in content
                content = content.replace(b'"steps": 5', b'"steps": 1000000000')
            target.writestr(name, content)
    _refused(store, out.getvalue(), "could not be loaded")


@pytest.mark.parametrize("found, expected", [
    ([1, 5], (1.0, 5.0)), (["1", "5"], (1.0, 5.0)), ([5, 1], None), (["x", 5], None),
    ([float("nan"), 5], None), ([1, 2, 3], None), (None, None), ("15", None)])
def test_a_stored_value_range_is_used_only_when_it_makes_sense(found, expected):
    assert predictor_lib.value_range_of({"task": "regression", "value_range": found}) == expected
    assert predictor_lib.value_range_of({"task": "multiclass", "value_range": [1, 5]}) is None


def test_an_exported_two_class_run_carries_its_threshold_into_the_imported_run(
        store, run_store, trained_binary_run):
    positive = run_store.spec(trained_binary_run)["class_names"][0]
    run_store.save_threshold_choice(trained_binary_run, positive, 0.7)
    exported = importer.exported_model(run_store, trained_binary_run)
    run_id = importer.import_model(store, exported, "with threshold.keras")
    assert store.threshold_choice(run_id) == (positive, 0.7)
    imported = predictor_lib.load_predictor(store.model_path(run_id))
    trained = predictor_lib.load_predictor(run_store.model_path(trained_binary_run))
    np.testing.assert_allclose(imported.scores(TEXTS), trained.scores(TEXTS), rtol=1e-6)


def test_a_run_without_a_threshold_downloads_its_model_file_as_it_is(run_store, trained_run):
    exported = importer.exported_model(run_store, trained_run)
    assert exported == run_store.model_path(trained_run).read_bytes()


@pytest.mark.parametrize("threshold", [
    {"positive": "nobody", "threshold": 0.7},  # not one of the model's classes
    {"positive": "__first__", "threshold": 1.5},  # beyond what Evaluate's slider can show
    {"positive": "__first__", "threshold": "NaN"},
    "0.7",
])
def test_an_unusable_threshold_in_a_model_file_is_left_out(store, run_store, trained_binary_run,
                                                           threshold):
    data = run_store.model_path(trained_binary_run).read_bytes()
    metadata = predictor_lib.read_metadata(run_store.model_path(trained_binary_run))
    if isinstance(threshold, dict) and threshold["positive"] == "__first__":
        threshold = {**threshold, "positive": metadata["class_names"][0]}
    run_id = importer.import_model(store, _rezipped(data, {**metadata, "threshold": threshold}),
                                   "odd threshold.keras")
    assert store.threshold_choice(run_id) is None
    assert not store.path(run_id).joinpath(runs_lib.THRESHOLD_FILE).exists()


def test_a_multiclass_model_ignores_a_threshold(store, studio_model, run_store, trained_run):
    metadata = predictor_lib.read_metadata(run_store.model_path(trained_run))
    choice = {"positive": metadata["class_names"][0], "threshold": 0.7}
    run_id = importer.import_model(store, _rezipped(studio_model, {**metadata, "threshold": choice}),
                                   "five classes.keras")
    assert store.threshold_choice(run_id) is None


def test_an_exported_run_keeps_the_text_columns_it_was_trained_on(store, run_store, trained_run,
                                                                   tmp_path):
    """Title + review stay title + review after a round trip, also for files made before
    training embedded them (the export adds them from the run). So does the label column's
    name (QA: an imported run's report had an empty "Label column")."""
    import shutil

    columns = run_store.spec(trained_run)["data"]["text_columns"]
    label_column = run_store.spec(trained_run)["data"]["label_column"]
    assert len(columns) > 1 and label_column
    older = runs_lib.RunStore(tmp_path / "older")
    shutil.copytree(run_store.path(trained_run), older.home / trained_run)
    model_file = older.model_path(trained_run)
    metadata = predictor_lib.read_metadata(model_file)
    assert metadata["text_columns"] == columns  # what training embeds now
    assert metadata["label_column"] == label_column
    older_keys = set(metadata) - {"text_columns", "label_column"}
    model_file.write_bytes(_rezipped(model_file.read_bytes(),
                                     {k: metadata[k] for k in older_keys}))
    for source in (run_store, older):
        run_id = importer.import_model(store, importer.exported_model(source, trained_run),
                                       "two columns.keras")
        assert store.spec(run_id)["data"]["text_columns"] == columns
        assert store.spec(run_id)["data"]["label_column"] == label_column


def test_the_same_file_again_is_found_not_imported_twice(store, studio_model):
    """Browser QA: a second click on Import (the file still in the box) made "… (2)"."""
    digest = importer.file_digest(studio_model)
    assert importer.imported_before(store, digest) is None
    run_id = importer.import_model(store, studio_model, "shared.keras")
    assert importer.imported_before(store, digest) == run_id
    other = importer.file_digest(studio_model + b"\0")
    assert importer.imported_before(store, other) is None  # other bytes
    assert importer.import_or_find(store, studio_model, "again.keras") == (run_id, False)
    store.delete(run_id)
    assert importer.imported_before(store, digest) is None  # deleted: import again


def test_two_imports_of_one_file_at_once_store_it_once(store, studio_model):
    """Browser QA: Import clicked twice 150 ms apart ran two overlapping imports (two runs)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        ids = list(pool.map(lambda name: importer.import_model(store, studio_model, name),
                            ["first.keras", "second.keras"]))
    assert ids[0] == ids[1]
    assert [run.run_id for run in store.list_runs()] == [ids[0]]


@pytest.mark.parametrize("older_file", [False, True])
def test_an_exported_run_is_described_by_its_architecture_once_imported(
        tmp_path, store, run_store, trained_run, older_file):
    """Browser QA: an imported run showed "–" for its architecture, units and tokens.

    ``older_file``: a model trained before its file held the architecture gets it on export.
    """
    import shutil

    from core import compare

    source = run_store
    if older_file:
        source = runs_lib.RunStore(tmp_path / "older")
        shutil.copytree(run_store.path(trained_run), source.path(trained_run))
        path = source.model_path(trained_run)
        meta = predictor_lib.read_metadata(path)
        meta.pop("model")
        path.write_bytes(_rezipped(path.read_bytes(), meta))
    exported = importer.exported_model(source, trained_run)
    run_id = importer.import_model(store, exported, "from a colleague.keras")
    assert store.spec(run_id)["model"] == run_store.spec(trained_run)["model"]
    row = compare.runs_table(store).loc[run_id]
    original = compare.runs_table(run_store).loc[trained_run]
    for column in ("architecture", "max tokens", "units", "embedding", "params"):
        assert row[column] == original[column], column


@pytest.mark.parametrize("described", [{"units": "many"}, ["lstm"], {"no_such": 1}, "x"])
def test_an_odd_architecture_description_is_left_out(store, studio_model, described):
    data = predictor_lib.read_metadata(io.BytesIO(studio_model))
    run_id = importer.import_model(store, _rezipped(studio_model, {**data, "model": described}),
                                   "odd.keras")
    assert store.spec(run_id)["model"] == {}  # "imported", and the model still predicts


def test_a_model_file_names_its_word_vectors_without_the_servers_path():
    described = predictor_lib.model_description(
        {"rnn": "lstm", "units": [8], "glove_path": "/srv/studio/_uploads/ab12_glove.6B.50d.txt"})
    assert described == {"rnn": "lstm", "units": [8], "glove_path": "ab12_glove.6B.50d.txt"}
    assert predictor_lib.model_description(None) == {}
