"""core.prefix_tree: the trees themselves, and answers equal to the network's own."""

import numpy as np
import pytest

from core import explain, neighbourhood, prefix_tree
from core import model as model_lib
from core import predictor as predictor_lib
from core.config import TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION, ModelSpec

WORDS = [f"w{i}" for i in range(30)]


def _prefixes(sequences, lengths) -> set[tuple]:
    return {tuple(row[:end]) for row, length in zip(sequences.tolist(), lengths)
            for end in range(1, length + 1)}


def _path(tree: prefix_tree.Tree, node: int) -> tuple:
    """The values read on the way to ``node``, by walking its parents up to the root."""
    depth = int(np.searchsorted(tree.offsets, node, side="right")) - 1
    values = []
    while depth >= 0:
        values.append(int(tree.inputs[node]))
        node = tree.offsets[depth - 1] + tree.parents[node] if depth else None
        depth -= 1
    return tuple(reversed(values))


def test_the_tree_holds_each_distinct_prefix_once_and_every_row_ends_on_its_own_path():
    rng = np.random.default_rng(0)
    sequences = rng.integers(0, 3, size=(300, 8))  # few values: many shared prefixes
    lengths = rng.integers(0, 9, size=300)
    lengths[:3] = [0, 8, 8]  # an empty row, and a duplicate pair
    sequences[2] = sequences[1]
    tree = prefix_tree.build_tree(sequences, lengths)
    assert tree.nodes == len(_prefixes(sequences, lengths))
    nodes = {_path(tree, node) for node in range(tree.nodes)}
    assert nodes == _prefixes(sequences, lengths)
    assert tree.ends[0] == tree.nodes  # the empty row ends at the start state
    assert tree.ends[1] == tree.ends[2]
    for row in range(1, 300):
        if lengths[row]:
            assert _path(tree, tree.ends[row]) == tuple(sequences[row, :lengths[row]])


def test_reversed_sequences_turn_only_the_real_tokens():
    sequences = np.array([[1, 2, 3, 0], [4, 5, 0, 0], [0, 0, 0, 0]])
    turned = prefix_tree.reversed_sequences(sequences, np.array([3, 2, 0]))
    np.testing.assert_array_equal(turned[:, :3], [[3, 2, 1], [5, 4, 0], [0, 0, 0]])


def test_compact_tokens_renumber_without_losing_order():
    ids = np.array([[7, 3, 0], [3, 9, 7]])
    tokens, compact = prefix_tree.compact_tokens(ids)
    np.testing.assert_array_equal(tokens, [0, 3, 7, 9])
    np.testing.assert_array_equal(tokens[compact], ids)


def _network(spec: ModelSpec, task: str = TASK_MULTICLASS, n_classes: int = 3):
    """A built network whose weights are spread out, so every gate matters."""
    import keras

    keras.utils.set_random_seed(3)
    vectorizer = model_lib.build_vectorizer(WORDS, spec)
    net = model_lib.build_model(spec, task, n_classes, vectorizer.vocabulary_size())
    rng = np.random.default_rng(1)
    net.set_weights([w + rng.normal(0, 0.5, w.shape).astype(w.dtype) for w in net.get_weights()])
    return vectorizer, net


def _lime_ids(vectorizer, n_words: int = 24, samples: int = 600) -> np.ndarray:
    text = " ".join(np.random.default_rng(2).choice(WORDS, n_words))
    indexed = explain._indexed(text)
    texts = neighbourhood.copy_texts(indexed, neighbourhood.draw(indexed, samples,
                                                                 np.random.RandomState(0)))
    return predictor_lib.vectorize(vectorizer, texts)


SUPPORTED = {
    "bidirectional LSTM": ModelSpec(units=(6,), embedding_dim=5, max_tokens=20, vocab_size=50,
                                    dropout=0.2, dense_layers=(4,)),
    "one-way LSTM, learned start": ModelSpec(units=(6,), bidirectional=False, embedding_dim=5,
                                             max_tokens=20, vocab_size=50, dropout=0.0),
    "stacked one-way GRU": ModelSpec(rnn="gru", units=(5, 7), bidirectional=False,
                                     embedding_dim=4, max_tokens=20, vocab_size=50),
    "bidirectional GRU": ModelSpec(rnn="gru", units=(6,), embedding_dim=5, max_tokens=20,
                                   vocab_size=50),
    "stacked one-way LSTM": ModelSpec(units=(4, 5, 6), bidirectional=False, embedding_dim=3,
                                      max_tokens=20, vocab_size=50),
}


@pytest.mark.parametrize("name", SUPPORTED)
@pytest.mark.parametrize("task", [TASK_MULTICLASS, TASK_BINARY, TASK_REGRESSION])
def test_tree_answers_equal_the_networks_own(name, task):
    vectorizer, net = _network(SUPPORTED[name], task, 3 if task == TASK_MULTICLASS else 2)
    ids = _lime_ids(vectorizer)
    assert (np.count_nonzero(ids, axis=1) == 0).any()  # LIME's neighbourhood has an empty text
    shared = prefix_tree.for_model(net)
    assert shared is not None
    got = shared.predict(ids)
    want = net(ids, training=False).numpy()  # the saved network: padding masked
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=2e-6)
    assert want.std(axis=0).max() > 1e-3  # the texts really get different answers


@pytest.mark.parametrize("spec", [
    ModelSpec(units=(6,), embedding_dim=5, max_tokens=20, vocab_size=50, pooling="mean"),
    ModelSpec(units=(4, 5), embedding_dim=3, max_tokens=20, vocab_size=50),  # stacked, both ways
], ids=["pooled", "stacked bidirectional"])
def test_other_layouts_are_left_to_the_ordinary_path(spec):
    vectorizer, net = _network(spec)
    assert prefix_tree.for_model(net) is None
    model = predictor_lib.Predictor(vectorizer, net, TASK_MULTICLASS, ("a", "b", "c"))
    ids = _lime_ids(vectorizer)
    np.testing.assert_allclose(model.raw_outputs(ids), net(ids, training=False).numpy(),
                               atol=2e-6)


def test_texts_that_do_not_begin_alike_keep_the_ordinary_path():
    vectorizer, net = _network(SUPPORTED["bidirectional LSTM"])
    rng = np.random.default_rng(4)
    texts = [" ".join(rng.choice(WORDS, rng.integers(1, 15))) for _ in range(400)]
    ids = predictor_lib.vectorize(vectorizer, texts)
    assert prefix_tree.for_model(net).predict(ids) is None
    lime_ids = _lime_ids(vectorizer)
    assert prefix_tree.for_model(net).predict(lime_ids) is not None


def test_a_batch_whose_trees_would_not_fit_in_memory_keeps_the_ordinary_path(monkeypatch):
    vectorizer, net = _network(SUPPORTED["bidirectional LSTM"])
    ids = _lime_ids(vectorizer)
    shared = prefix_tree.for_model(net)
    monkeypatch.setattr(prefix_tree, "MAX_STATE_BYTES", 1000)
    assert shared.predict(ids) is None
    model = predictor_lib.Predictor(vectorizer, net, TASK_MULTICLASS, ("a", "b", "c"))
    np.testing.assert_allclose(model.raw_outputs(ids), net(ids, training=False).numpy(),
                               atol=2e-6)


def test_lime_through_the_trees_gives_the_same_explanation():
    vectorizer, net = _network(SUPPORTED["bidirectional LSTM"])
    model = predictor_lib.Predictor(vectorizer, net, TASK_MULTICLASS, ("a", "b", "c"))
    text = " ".join(np.random.default_rng(5).choice(WORDS, 20))
    through_trees = explain.explain_lime(model.predict_fn, text, 1, model.class_names,
                                         num_samples=500)
    model = predictor_lib.Predictor(vectorizer, net, TASK_MULTICLASS, ("a", "b", "c"),
                                    share_prefixes=False)
    ordinary = explain.explain_lime(model.predict_fn, text, 1, model.class_names,
                                    num_samples=500)
    assert [w.word for w in through_trees.words] == [w.word for w in ordinary.words]
    np.testing.assert_allclose([w.weight for w in through_trees.words],
                               [w.weight for w in ordinary.words], atol=1e-5)


def test_distinct_rows_are_nps_unique_rows():
    rows = np.random.default_rng(6).integers(0, 3, size=(500, 6)).astype("int32")
    distinct, inverse = prefix_tree.distinct_rows(rows)
    assert len(distinct) == len(np.unique(rows, axis=0)) < 500
    np.testing.assert_array_equal(distinct[inverse], rows)
