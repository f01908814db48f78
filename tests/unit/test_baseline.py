import json
from types import SimpleNamespace

import numpy as np
import pytest

from core import config
from core.baseline import BaselineResult, run_baseline
from core.errors import StudioError

SPORT = ["goal", "league", "coach", "match", "striker", "referee"]
MONEY = ["market", "stocks", "bank", "profit", "shares", "investor"]
FILLER = ["the", "a", "today", "news", "said", "report"]


def make_texts(rng, topic, n):
    return [" ".join(rng.choice(topic + FILLER, size=8)) for _ in range(n)]


def split(rng, n, regression=False):
    texts = make_texts(rng, SPORT, n) + make_texts(rng, MONEY, n)
    y = np.array([0] * n + [1] * n)
    return SimpleNamespace(texts=texts, y=y * 4.0 + 1.0 if regression else y)


def dataset(regression=False):
    rng = np.random.default_rng(0)
    return SimpleNamespace(
        task=config.TASK_REGRESSION if regression else config.TASK_BINARY,
        class_names=() if regression else ("sport", "money"),
        train=split(rng, 60, regression), valid=split(rng, 15, regression),
        test=split(rng, 20, regression),
    )


def test_separable_classification_scores_high_and_round_trips():
    result = run_baseline(dataset())
    assert result.accuracy >= 0.9
    assert result.rmse is None and result.setting.startswith("C=")
    assert result.description == "TF-IDF + logistic regression"
    data = json.loads(json.dumps(result.to_dict()))
    assert BaselineResult.from_dict(data) == result
    assert "%" in result.summary()


def test_is_deterministic():
    first, second = run_baseline(dataset()), run_baseline(dataset())
    assert first.accuracy == second.accuracy and first.setting == second.setting


def test_regression_uses_ridge():
    result = run_baseline(dataset(regression=True))
    assert result.accuracy is None
    assert result.rmse < 1.0 and result.mae < 1.0  # labels are 1 or 5
    assert result.setting.startswith("alpha=")


def test_without_valid_split_uses_default():
    data = dataset()
    data.valid = SimpleNamespace(texts=[], y=np.array([], dtype=int))
    assert run_baseline(data).setting == "C=1"


def test_texts_without_two_letter_words_are_read_as_the_model_reads_them():
    # Emoji and one-letter words are tokens to the model but not to TF-IDF's usual words:
    # sklearn refused them ("empty vocabulary") and the run failed after training.
    rng = np.random.default_rng(0)

    def part(n):
        texts = [" ".join(rng.choice(["😀", "👍", "a"], size=4)) for _ in range(n)]
        texts += [" ".join(rng.choice(["😡", "👎", "b"], size=4)) for _ in range(n)]
        return SimpleNamespace(texts=texts, y=np.array([0] * n + [1] * n))

    data = SimpleNamespace(task=config.TASK_BINARY, class_names=("happy", "angry"),
                           train=part(40), valid=part(10), test=part(10))
    assert run_baseline(data).accuracy >= 0.9
    data.train.texts = ["", " "] * 40  # nothing at all: a plain error, not sklearn's
    with pytest.raises(StudioError, match="^The training texts have no words"):
        run_baseline(data)


def test_single_class_training_is_a_user_error():
    data = dataset()
    data.train = SimpleNamespace(texts=["a b", "c d"], y=np.array([0, 0]))
    with pytest.raises(StudioError):
        run_baseline(data)


def rating_dataset():
    """Three ratings, where the middle one shares words with both ends."""
    rng = np.random.default_rng(0)

    def part(n):
        texts = (make_texts(rng, SPORT, n) + make_texts(rng, SPORT[:3] + MONEY[:3], n)
                 + make_texts(rng, MONEY, n))
        return SimpleNamespace(texts=texts, y=np.repeat([0, 1, 2], n))

    return SimpleNamespace(task=config.TASK_MULTICLASS, class_names=("1", "3", "5"),
                           train=part(60), valid=part(15), test=part(20))


def test_ordered_classes_get_the_class_error_beside_accuracy():
    data = rating_dataset()
    ordered, plain = run_baseline(data, ordered=True), run_baseline(data)
    assert ordered.accuracy == plain.accuracy
    assert plain.rmse is None and plain.mae is None
    # Every miss is at least 2 rating points (1 vs 3, 3 vs 5), so the error follows the misses.
    assert ordered.mae >= 2 * (1 - ordered.accuracy) - 1e-9
    assert ordered.rmse >= ordered.mae > 0
    # Worded as the model's headline (evaluation.headline), so the two read side by side.
    assert f"on average its predicted class is off by {ordered.mae:.2f}." in ordered.summary()
    assert "off by" not in plain.summary()
