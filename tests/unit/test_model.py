"""core.model and core.predictor: heads, description, save/load, GloVe, refusals."""

import dataclasses
import re
import time
import types

import numpy as np
import pytest

from core import model as model_lib
from core import predictor as predictor_lib
from core import vectors as vectors_lib
from core.config import TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION, CleanSpec, ModelSpec
from core.errors import ModelFileError, SpecError

SPEC = ModelSpec(units=(4,), embedding_dim=4, max_tokens=12, vocab_size=50, dropout=0.0)
VOCAB = ["goal", "match", "market", "shares", "rain"]


@pytest.mark.parametrize("task,n_classes,units,activation", [
    (TASK_BINARY, 2, 1, "sigmoid"),
    (TASK_MULTICLASS, 4, 4, "softmax"),
    (TASK_REGRESSION, 0, 1, "linear"),
])
def test_each_task_gets_its_head(task, n_classes, units, activation):
    net = model_lib.build_model(SPEC, task, n_classes, vocab_len=len(VOCAB) + 2, target_mean=3.0)
    head = net.layers[-1]
    assert net.output_shape == (None, units)
    assert head.activation.__name__ == activation
    if task == TASK_REGRESSION:  # starts at the mean rating
        assert float(head.bias.numpy()[0]) == pytest.approx(3.0)


def test_stacked_gru_without_bidirectional_and_dense_layers():
    spec = ModelSpec(rnn="gru", units=(6, 5, 4), bidirectional=False, dense_layers=(7,),
                     embedding_dim=3, max_tokens=10, vocab_size=40)
    net = model_lib.build_model(spec, TASK_MULTICLASS, 3, vocab_len=40)
    names = [layer.name for layer in net.layers]
    # Left to right with a final-state summary: a learned start goes in front (core.layers).
    assert names[:6] == ["token_ids", "embedding", "learned_start", "gru_1", "gru_2", "gru_3"]
    assert "dense_1" in names
    assert net.get_layer("gru_3").output.shape[-1] == 4


def test_only_left_to_right_final_state_networks_get_a_learned_start():
    def names(**changes):
        spec = ModelSpec(embedding_dim=3, max_tokens=10, vocab_size=40, **changes)
        return [layer.name for layer in model_lib.build_model(spec, TASK_BINARY, 2, 40).layers]

    assert "learned_start" in names(bidirectional=False)
    assert "learned_start" not in names(bidirectional=True)
    assert "learned_start" not in names(bidirectional=False, pooling="mean")
    one_way = ModelSpec(units=(4,), bidirectional=False, embedding_dim=3, max_tokens=10)
    description = model_lib.describe_model(one_way, TASK_BINARY, 2, batch_size=8)
    assert description.walkthrough[2].startswith("Learned start → 8 × 15 × 3")
    shapes = {layer.name: layer.output_shape for layer in description.layers}
    assert shapes["Embedding (word vectors)"] == "8 × 10 × 3"
    assert shapes["Learned start"] == "8 × 15 × 3"


@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_embedding_masks_padding(pooling):
    spec = dataclasses.replace(SPEC, pooling=pooling)
    net = model_lib.build_model(spec, TASK_BINARY, 2, vocab_len=10)
    rng = np.random.default_rng(0)  # weights far from the near-uniform start
    net.set_weights([rng.normal(0, 0.5, w.shape) for w in net.get_weights()])
    ids = np.array([[2, 3, 0, 0, 0], [4, 5, 6, 7, 8]], dtype="int32")
    trimmed = np.array([[2, 3]], dtype="int32")
    # With mask_zero, trailing padding must not change the output.
    np.testing.assert_allclose(net(ids).numpy()[:1], net(trimmed).numpy(), rtol=1e-5, atol=1e-6)
    empty = np.zeros((1, 5), dtype="int32")  # a text with no known word at all
    assert np.isfinite(net(empty).numpy()).all()


def test_describe_model_counts_params_and_walks_shapes():
    spec = ModelSpec(units=(8,), embedding_dim=5, max_tokens=30, vocab_size=100, dropout=0.0)
    description = model_lib.describe_model(spec, TASK_MULTICLASS, 4, batch_size=16)
    by_name = {layer.name: layer for layer in description.layers}
    # QA21: the table named layers as Keras does inside ("bi_lstm_1", "token_ids").
    assert [(layer.name, layer.kind) for layer in description.layers] == [
        ("Word numbers in", "InputLayer"), ("Embedding (word vectors)", "Embedding"),
        ("LSTM 1, both directions", "Bidirectional"), ("Answer", "Dense")]
    assert by_name["Embedding (word vectors)"].params == 100 * 5
    # BiLSTM: 2 directions × 4 gates × (units × (input + units) + units)
    assert by_name["LSTM 1, both directions"].params == 2 * 4 * (8 * (5 + 8) + 8)
    assert by_name["Answer"].params == 16 * 4 + 4
    assert description.total_params == sum(layer.params for layer in description.layers)
    assert by_name["Embedding (word vectors)"].output_shape == "16 × 30 × 5"
    assert description.walkthrough[0].startswith("16 texts × 30 tokens")
    assert description.walkthrough[-1] == ("Answer → 16 × 4: one chance per class (4), adding "
                                           "up to 100%")
    stacked = dataclasses.replace(spec, units=(8, 4), bidirectional=False, rnn="gru",
                                  dense_layers=(6,))
    two_classes = model_lib.describe_model(stacked, TASK_BINARY, 2, batch_size=16,
                                           class_names=("no", "yes <b>"))
    assert [layer.name for layer in two_classes.layers][2:5] == ["Learned start", "GRU 1", "GRU 2"]
    assert "Dense 1" in [layer.name for layer in two_classes.layers]
    assert two_classes.walkthrough[-2] == "Dense 1 → 16 × 6: mixes the summary"  # QA22
    assert two_classes.walkthrough[-1] == "Answer → 16 × 1: the chance that a text is “yes <b>”"


@pytest.mark.parametrize("bad", [
    ModelSpec(rnn="transformer"), ModelSpec(units=()), ModelSpec(units=(8, 8, 8, 8, 8)),
    ModelSpec(dropout=1.0), ModelSpec(max_tokens=0), ModelSpec(units=(0,)),
])
def test_impossible_specs_are_refused(bad):
    with pytest.raises(SpecError):
        model_lib.validate_spec(bad)


def _saved_model(tmp_path, task=TASK_MULTICLASS, classes=("a", "b", "c")):
    vectorizer = model_lib.build_vectorizer(VOCAB, SPEC)
    net = model_lib.build_model(SPEC, task, len(classes), vectorizer.vocabulary_size())
    path = tmp_path / "model.keras"
    predictor_lib.save_with_metadata(model_lib.end_to_end(vectorizer, net), path,
                                     predictor_lib.metadata_for(task, classes, CleanSpec()))
    return vectorizer, net, path


def test_save_load_gives_the_same_predictions(tmp_path):
    vectorizer, net, path = _saved_model(tmp_path)
    before = predictor_lib.Predictor(vectorizer, net, TASK_MULTICLASS, ("a", "b", "c"))
    loaded = predictor_lib.load_predictor(path)
    texts = ["goal match", "market shares fall", "", "unknown words only"]
    np.testing.assert_allclose(before.scores(texts), loaded.scores(texts), rtol=1e-5, atol=1e-6)
    assert loaded.class_names == ("a", "b", "c") and loaded.task == TASK_MULTICLASS
    assert not list(tmp_path.glob(".*tmp*"))  # the atomic write left no temp file


def test_binary_predict_fn_returns_two_columns_that_sum_to_one(tmp_path):
    _, _, path = _saved_model(tmp_path, TASK_BINARY, ("no", "yes"))
    loaded = predictor_lib.load_predictor(path)
    probs = loaded.predict_fn(["goal", "rain rain", "market"])
    assert probs.shape == (3, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert loaded.labels(probs, threshold=0.0) == ["yes", "yes", "yes"]


def test_batched_prediction_matches_one_by_one(tmp_path):
    vectorizer, net, _ = _saved_model(tmp_path)
    predictor = predictor_lib.Predictor(vectorizer, net, TASK_MULTICLASS, ("a", "b", "c"))
    texts = ["goal " * n + "market" for n in range(1, 9)]
    together = predictor.scores(texts)
    alone = np.vstack([predictor.scores([t]) for t in texts])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spec", [SPEC, ModelSpec(units=(4, 3), bidirectional=False, embedding_dim=4,
                                                 max_tokens=12, vocab_size=50, dropout=0.0),
                                  dataclasses.replace(SPEC, pooling="max"),
                                  dataclasses.replace(SPEC, pooling="mean")],
                         ids=["bidirectional", "left-to-right with a learned start", "max pooling",
                              "mean pooling"])
def test_fast_prediction_equals_the_saved_models_own_padded_masked_answers(tmp_path, spec):
    import tensorflow as tf

    vectorizer = model_lib.build_vectorizer(VOCAB, spec)
    net = model_lib.build_model(spec, TASK_MULTICLASS, 3, vectorizer.vocabulary_size())
    rng = np.random.default_rng(0)  # weights far from the near-uniform start
    net.set_weights([rng.normal(0, 0.5, w.shape) for w in net.get_weights()])
    path = tmp_path / "model.keras"
    model_lib.end_to_end(vectorizer, net).save(path)  # no metadata inside
    loaded = predictor_lib.load_predictor(path, {"task": TASK_MULTICLASS,
                                                 "class_names": ["a", "b", "c"]})
    rare = ["goal " * n + "market" for n in range(0, 12, 3)] + ["", "zzz unknown", "rain"]
    common = [f"rain goal {word}" for word in ("market", "goal", "zzz")] * predictor_lib.SMALL_GROUP
    texts = rare + common  # rare lengths run padded and masked, a common one exactly
    texts = [texts[i] for i in rng.permutation(len(texts))]  # batches pick rows from all over
    e2e = model_lib.load_model(path)  # pads every text to max_tokens and masks the padding
    reference = e2e.predict(tf.constant(texts)[:, None], verbose=0)
    np.testing.assert_allclose(loaded.scores(texts), reference, rtol=1e-5, atol=1e-6)


def test_glove_vectors_fill_known_words_and_randomize_the_rest(tmp_path):
    glove = tmp_path / "vectors.txt"
    glove.write_text("goal 1 2 3\nmarket 4 5 6\nzebra 7 8 9\n", encoding="utf-8")
    matrix, found = vectors_lib.load_glove(glove, VOCAB)
    assert matrix.shape == (len(VOCAB) + 2, 3) and found == 2
    np.testing.assert_array_equal(matrix[2], [1, 2, 3])  # "goal" is the first vocabulary word
    np.testing.assert_array_equal(matrix[0], [0, 0, 0])  # padding
    net = model_lib.build_model(ModelSpec(units=(4,), trainable_embedding=False), TASK_BINARY, 2,
                                vocab_len=len(VOCAB) + 2, embedding_matrix=matrix)
    assert not net.get_layer("embedding").trainable
    np.testing.assert_array_equal(net.get_layer("embedding").get_weights()[0], matrix)


@pytest.mark.parametrize("content,message", [
    ("goal 1 2 3\nmarket 4 5\n", "line 2 has 2 numbers"),
    ("goal a b c\n", "Line 1 of the vectors file has “a” where a number should be"),
    ("not a glove file\nhello 1 2 x\n", "Line 1 .* has “a” where"),  # no wanted word: checked
    ("", "no vectors"),
])
def test_bad_glove_files_get_plain_messages(tmp_path, content, message):
    glove = tmp_path / "vectors.txt"
    glove.write_text(content, encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        vectors_lib.load_glove(glove, VOCAB)


def test_a_vectors_file_without_any_of_the_words_is_refused(tmp_path):
    glove = tmp_path / "vectors.txt"
    glove.write_text("zebra 1 2 3\nyak 4 5 6\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"None of the 2 most frequent words of your texts is in "
                                        r"this vectors file"):
        vectors_lib.check_vectors(glove, ["goal", "market"])
    assert vectors_lib.check_vectors(glove, ["goal", "yak"]) == (3, 1)


def test_loading_garbage_is_refused_politely(tmp_path):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"this is not a zip file at all")
    with pytest.raises(ModelFileError, match="not a valid .keras model file|could not be loaded"):
        model_lib.load_model(bad)
    with pytest.raises(ModelFileError, match="missing"):
        model_lib.load_model(tmp_path / "absent.keras")


def test_poor_vector_coverage_gets_a_plain_warning():
    assert vectors_lib.coverage_warning(900, 1000) is None
    assert vectors_lib.coverage_warning(500, 1000) is None
    assert vectors_lib.coverage_warning(0, 0) is None
    low = vectors_lib.coverage_warning(120, 1000)
    assert low.startswith("Only 120 of the 1,000 most frequent words of your texts have a vector")
    assert "Lowercase everything" in low
    assert vectors_lib.coverage_warning(1, 1000).startswith(
        "Only 1 of the 1,000 most frequent words of your texts has a vector")


def test_description_counts_frozen_vectors_as_not_trainable(tmp_path):
    spec = ModelSpec(units=(4,), embedding_dim=3, vocab_size=100, glove_path=str(tmp_path / "v.txt"),
                     trainable_embedding=False)
    description = model_lib.describe_model(spec, TASK_BINARY, 2)
    assert description.total_params - description.trainable_params == 100 * 3


@pytest.mark.parametrize("bad_meta", [[], {"class_names": ["a"]}, {"task": "poetry", "class_names": []},
                                      {"task": "multiclass", "class_names": "abc"}])
def test_malformed_metadata_falls_back_to_reading_the_head(tmp_path, bad_meta):
    _, _, path = _saved_model(tmp_path)
    loaded = predictor_lib.load_predictor(path, metadata=bad_meta)
    assert loaded.task == TASK_MULTICLASS and loaded.class_names == ("a", "b", "c")


class _SlowBatchCall:
    """A stand-in network call that takes 50 ms a batch and answers each row's length."""

    def __call__(self, ids):
        time.sleep(0.05)
        answer = np.count_nonzero(ids, axis=1)[:, None].astype("float32")
        return types.SimpleNamespace(numpy=lambda: answer)


def _ids_of_lengths(lengths) -> np.ndarray:
    ids = np.zeros((len(lengths), 40), dtype="int32")
    for row, length in enumerate(lengths):
        ids[row, :length] = 7
    return ids


def test_a_big_prediction_does_not_hold_up_another_sessions_small_one():
    import threading

    call = _SlowBatchCall()
    big = _ids_of_lengths(np.repeat(np.arange(1, 41), predictor_lib.SMALL_GROUP))  # 40 batches
    small = _ids_of_lengths([3] * predictor_lib.SMALL_GROUP + [5] * predictor_lib.SMALL_GROUP)
    finished = []

    def predict(name, ids):
        out = predictor_lib.predict_ids(call, call, 1, ids)
        np.testing.assert_array_equal(out[:, 0], np.count_nonzero(ids, axis=1))  # rows kept
        finished.append(name)

    big_thread = threading.Thread(target=predict, args=("big", big))
    big_thread.start()
    time.sleep(0.1)  # the big one has many batches still to go
    predict("small", small)
    big_thread.join()
    assert finished == ["small", "big"]


def test_an_uploaded_vectors_file_is_stored_under_its_hash_and_named_back():
    stored = vectors_lib.stored_name(b"the 0.1 0.2\n", "my glove.6B.txt.gz")
    assert re.fullmatch(r"[0-9a-f]{12}-my_glove\.6B\.txt\.gz", stored)
    assert vectors_lib.uploaded_name(f"/srv/runs/_uploads/{stored}") == "my_glove.6B.txt.gz"
    assert vectors_lib.stored_name(b"x", "notes.csv").endswith("-notes.txt")  # read as text
