"""A quick TF-IDF + linear model, the bar an LSTM has to beat.

It trains in seconds, so the user sees straight away whether the data is
learnable at all and whether the LSTM adds anything over counting words.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge

from core import config, text
from core.errors import StudioError
from core.evaluation import class_off_by, class_value_errors, percent

CLASSIFIER_CS = (0.5, 2.0, 8.0)  # inverse strengths, strongest regularisation first
REGRESSION_ALPHAS = (10.0, 3.0, 1.0, 0.3)  # strongest first, so ties keep it
# Below this many training texts a word seen once may still be the signal.
MIN_DF_2_FROM = 2000


@dataclass(frozen=True)
class BaselineResult:
    """Test-split scores of the baseline (accuracy for classes, RMSE/MAE for numbers)."""

    task: str
    accuracy: float | None
    rmse: float | None
    mae: float | None
    seconds: float
    description: str
    setting: str = ""  # the picked hyper-parameter, e.g. "C=3"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BaselineResult":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def summary(self) -> str:
        """One plain sentence, e.g. "A simple word-count model gets 83.8% right."."""
        if self.task == config.TASK_REGRESSION:
            return (f"A simple word-count model ({self.description}) is off by "
                    f"{self.mae:.2f} on average (RMSE {self.rmse:.2f}).")
        return (f"A simple word-count model ({self.description}) gets "
                f"{percent(self.accuracy)} of the test texts right{class_off_by(self.mae)}.")


def _vectorizer(n_train: int, **tokens) -> TfidfVectorizer:
    options = dict(ngram_range=(1, 2), sublinear_tf=True, max_features=100_000,
                   min_df=2 if n_train >= MIN_DF_2_FROM else 1)
    return TfidfVectorizer(**{**options, **tokens})


def _fitted_vectorizer(train_texts) -> tuple[TfidfVectorizer, object]:
    """The TF-IDF vectorizer fitted on ``train_texts``, and their matrix.

    Its usual words are runs of two or more letters or digits. Texts of emoji, symbols or
    one-letter words have none, which sklearn refuses ("empty vocabulary"): the run
    failed after training (browser QA). Those texts are read as the model reads them.
    """
    try:
        vectorizer = _vectorizer(len(train_texts))
        return vectorizer, vectorizer.fit_transform(train_texts)
    except ValueError:
        pass
    vectorizer = _vectorizer(len(train_texts), tokenizer=text.tokenize, token_pattern=None,
                             lowercase=False, min_df=1)
    try:
        return vectorizer, vectorizer.fit_transform(train_texts)
    except ValueError as exc:
        raise StudioError("The training texts have no words, so the simple baseline cannot "
                          "be trained.") from exc


def _check_splits(dataset) -> None:
    if len(dataset.train.texts) == 0:
        raise StudioError("The training split is empty, so there is nothing to learn from.")
    if len(dataset.test.texts) == 0:
        raise StudioError("The test split is empty, so the baseline cannot be scored.")
    is_classes = dataset.task != config.TASK_REGRESSION
    if is_classes and len(np.unique(dataset.train.y)) < 2:
        raise StudioError("The training split holds only one class; a model needs at least two.")


def run_baseline(dataset, ordered: bool = False) -> BaselineResult:
    """Fit TF-IDF + logistic regression (or ridge) on train, tune on valid, score on test.

    ``ordered`` classes (a rating scale) also get the RMSE/MAE of the predicted class,
    to set beside the LSTM's.
    """
    _check_splits(dataset)
    started = time.perf_counter()
    vectorizer, x_train = _fitted_vectorizer(dataset.train.texts)
    x_valid = vectorizer.transform(dataset.valid.texts) if len(dataset.valid.texts) else None
    x_test = vectorizer.transform(dataset.test.texts)
    if dataset.task == config.TASK_REGRESSION:
        model, setting = _fit_ridge(x_train, dataset.train.y, x_valid, dataset.valid.y)
        return _regression_result(model, setting, x_test, dataset.test.y, started)
    model, setting = _fit_logistic(x_train, dataset.train.y, x_valid, dataset.valid.y)
    predicted, y_test = model.predict(x_test), np.asarray(dataset.test.y).astype(int)
    rmse, mae = (class_value_errors(dataset.class_names, y_test, predicted) if ordered
                 else (None, None))
    return BaselineResult(
        task=dataset.task, accuracy=float(np.mean(predicted == y_test)), rmse=rmse, mae=mae,
        seconds=time.perf_counter() - started,
        description="TF-IDF + logistic regression", setting=setting,
    )


def _quiet_fit(model, x, y):
    # A loose tolerance is enough for a reference score; the warning would only confuse.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def _pick_best(candidates, make_model, x_train, y_train, x_valid, y_valid, score):
    """Fit one model per candidate; keep the best on the valid split (or the middle one)."""
    if x_valid is None:  # nothing to tune on: take a sensible default
        value = 1.0
        return _quiet_fit(make_model(value), x_train, y_train), value
    best = None
    for value in candidates:
        model = _quiet_fit(make_model(value), x_train, y_train)
        result = score(model, x_valid, y_valid)
        if best is None or result > best[0]:  # ties keep the stronger regularisation
            best = (result, model, value)
    return best[1], best[2]


def _fit_logistic(x_train, y_train, x_valid, y_valid):
    def make(c):
        # "sag" is 5-15x faster than lbfgs on wide TF-IDF matrices (rows are
        # L2-normalised); a fixed random_state keeps it deterministic.
        return LogisticRegression(C=c, solver="sag", tol=1e-3, max_iter=1000, random_state=0)

    def accuracy(model, x, y):
        return float(np.mean(model.predict(x) == y))

    model, c = _pick_best(CLASSIFIER_CS, make, x_train, np.asarray(y_train).astype(int),
                          x_valid, np.asarray(y_valid).astype(int), accuracy)
    return model, f"C={c:g}"


def _fit_ridge(x_train, y_train, x_valid, y_valid):
    def make(alpha):
        return Ridge(alpha=alpha)

    def neg_rmse(model, x, y):
        return -float(np.sqrt(np.mean((model.predict(x) - y) ** 2)))

    model, alpha = _pick_best(REGRESSION_ALPHAS, make, x_train, np.asarray(y_train, dtype=float),
                              x_valid, np.asarray(y_valid, dtype=float), neg_rmse)
    return model, f"alpha={alpha:g}"


def _regression_result(model, setting, x_test, y_test, started) -> BaselineResult:
    errors = model.predict(x_test) - np.asarray(y_test, dtype=float)
    return BaselineResult(
        task=config.TASK_REGRESSION, accuracy=None,
        rmse=float(np.sqrt(np.mean(errors ** 2))), mae=float(np.mean(np.abs(errors))),
        seconds=time.perf_counter() - started,
        description="TF-IDF + ridge regression", setting=setting,
    )
