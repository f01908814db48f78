import pytest

from core import presets
from core.config import ModelSpec, TrainSpec
from core.errors import SpecError
from core.model import validate_spec


def test_recommended_is_the_product_default():
    recommended = presets.preset("recommended")
    assert recommended.key == presets.DEFAULT_PRESET
    assert (recommended.model, recommended.train) == (ModelSpec(), TrainSpec())


@pytest.mark.parametrize("item", presets.PRESETS, ids=lambda p: p.key)
def test_every_preset_is_a_valid_architecture(item):
    validate_spec(item.model)
    assert item.title and item.description


def test_tutorial_presets_follow_the_tutorials():
    single = presets.preset("lstm50")
    assert (single.model.units, single.model.embedding_dim, single.model.max_tokens) == ((50,), 25, 50)
    assert not single.model.bidirectional
    assert (single.train.optimizer, single.train.batch_size) == ("rmsprop", 512)
    assert presets.preset("stacked_bilstm").model.units == (50, 60, 75)
    assert presets.preset("stacked_bilstm").model.bidirectional
    bbc = presets.preset("bbc").model
    assert (bbc.units, bbc.dense_layers, bbc.vocab_size, bbc.max_tokens, bbc.embedding_dim) == \
        ((64,), (64,), 5000, 200, 64)


def test_unknown_preset_is_a_plain_error():
    with pytest.raises(SpecError, match="no preset called 'huge'"):
        presets.preset("huge")


@pytest.mark.parametrize("batch, rows, expected", [
    (512, 443, 64),       # the news sample: 512 would be a single step per epoch
    (64, 443, 64),        # already about 7 steps per epoch
    (512, 100_000, 512),  # big data keeps the tutorial batch
    (512, 20, 16),        # never below 16
    (8, 20, 8),           # a small batch the user chose stays
    (512, None, 512),     # unknown size: unchanged
])
def test_fit_batch_size(batch, rows, expected):
    assert presets.fit_batch_size(batch, rows) == expected


def test_preset_for_rows_only_changes_the_batch_size():
    model, train = presets.preset("lstm50").for_rows(443)
    assert model == presets.preset("lstm50").model
    assert train.batch_size == 64 and train.optimizer == "rmsprop"


@pytest.mark.parametrize("text, sizes", [("", ()), ("64", (64,)), (" 64, 32 ", (64, 32)),
                                         ("128;64 32", (128, 64, 32))])
def test_parse_layer_sizes(text, sizes):
    assert presets.parse_layer_sizes(text) == sizes
    assert presets.parse_layer_sizes(presets.format_layer_sizes(sizes)) == sizes


@pytest.mark.parametrize("text, message", [("64, big", "whole numbers"), ("0", "at least 1"),
                                           ("1,2,3,4,5", "at most 4"), ("6.5", "whole numbers")])
def test_parse_layer_sizes_refuses_nonsense(text, message):
    with pytest.raises(SpecError, match=message):
        presets.parse_layer_sizes(text)


def test_architecture_name():
    assert presets.architecture_name(ModelSpec()) == "BiLSTM 64"
    assert presets.architecture_name(ModelSpec(rnn="gru", units=(50, 60), bidirectional=False,
                                               dense_layers=(32,))) == "GRU 50/60 + dense 32"
