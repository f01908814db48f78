"""Which words made the model decide? LIME, exact occlusion, and safe rendering.

The model contract is ``predict_fn(texts) -> (n, k)`` probabilities (binary as
[1-p, p]; regression as (n, 1) predicted values with ``class_index`` 0).
Words are split one way (``WORD_EXPRESSION``: the model's tokens, as written), so LIME,
occlusion and the highlighted text always agree on what a "word" is.

``summary_sentence`` escapes the user text it quotes; the highlighted text and its key
are drawn, escaped, by ``core.highlight``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import string
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from core import neighbourhood
from core.errors import StudioError
from core.text import KERAS_PUNCTUATION, UNKNOWN_MARK, isolate_direction, listed

PredictFn = Callable[[list[str]], np.ndarray]
# (pieces, word index of each piece or -1, copies × words 0/1) -> predict_fn's rows, or None
RemovalFn = Callable[[list[str], np.ndarray, np.ndarray], "np.ndarray | None"]

# A word is what the model reads as one token: a run between spaces, less the punctuation
# the vectorizer strips at its ends ("e-mail," is the word "e-mail", read as "email"). LIME's
# \W+ split weighed "e" and "mail", and "t" of "t-shirt" most, as leaving it out turned
# "tshirt" into "shirt" (QA23). An HTML tag, which the cleaning strips, is no part of a word,
# and a word must hold a letter or digit (neighbourhood.Words).
_STRIPPED = re.escape(KERAS_PUNCTUATION)
WORD_EXPRESSION = rf"</?[A-Za-z][^<>]*>|(?P<word>[^\s{_STRIPPED}](?:[^\s<]*[^\s{_STRIPPED}])?)"
NO_WORDS_MESSAGE = ("This text has no words to explain. Explanations weigh words (letters or "
                    "digits), and this text holds only emoji, punctuation or spaces.")
# A word whose weight is under this share of the largest weight is noise, not a reason.
RELEVANT_SHARE = 0.1
# Below this a weight moves no answer visibly: a model that answered 5.00 for every text got
# ~1e-31, and words were said to push it up "most" (browser QA).
NEGLIGIBLE_WEIGHT = 1e-6
STABLE_AGREEMENT = 0.6
_MARKDOWN_SPECIAL = set(string.punctuation)  # CommonMark lets any of these be backslash-escaped


@dataclass(frozen=True)
class WordWeight:
    word: str
    weight: float


@dataclass(frozen=True)
class Explanation:
    """How much each word pushed the model toward one class."""

    text: str
    method: str  # "lime" or "occlusion"
    class_index: int
    class_name: str
    score: float  # model output for that class on the full text
    words: tuple[WordWeight, ...]  # sorted by |weight|, largest first
    token_weights: tuple[tuple[str, float], ...]  # every piece of the text, in order
    num_samples: int  # texts the model had to score
    seed: int | None  # None for occlusion, which is exact
    seconds: float

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["words"] = [dataclasses.asdict(w) for w in self.words]
        data["token_weights"] = [[token, weight] for token, weight in self.token_weights]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Explanation":
        fields = dict(data)
        fields["words"] = tuple(WordWeight(w["word"], float(w["weight"])) for w in data["words"])
        fields["token_weights"] = tuple((t, float(w)) for t, w in data["token_weights"])
        return cls(**fields)


@dataclass(frozen=True)
class Stability:
    """Do LIME tries with different seeds ("runs" are trained models) name the same words?"""

    seeds: tuple[int, ...]
    top_words: tuple[tuple[str, ...], ...]  # one tuple per seed
    agreement: float  # mean pairwise Jaccard overlap of the top-word sets, 0..1
    stable: bool
    explanations: tuple[Explanation, ...] = ()  # one per seed; the first is safe to show

    def label(self) -> str:
        tries = len(self.seeds)
        # Short, as a badge does not wrap (QA: a 390 px phone cut it at "agree o…"); the
        # page says the rest beside it (advice).
        if self.stable:
            return f"Stable: {tries} LIME tries agree on the top words"
        return f"Unstable: {tries} LIME tries disagree ({self.agreement:.0%} overlap)"

    def advice(self) -> str | None:
        """For an unstable result, what it means and what to do; None when stable."""
        if self.stable:
            return None
        return ("Each try scores its own random copies of the text with words removed, and "
                "these tries picked different top words. Try “Thorough (slower)”: more tries.")

    def to_dict(self) -> dict:
        return {
            "seeds": list(self.seeds), "top_words": [list(t) for t in self.top_words],
            "agreement": self.agreement, "stable": self.stable,
            "explanations": [e.to_dict() for e in self.explanations],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Stability":
        return cls(
            seeds=tuple(data["seeds"]), top_words=tuple(tuple(t) for t in data["top_words"]),
            agreement=float(data["agreement"]), stable=bool(data["stable"]),
            explanations=tuple(Explanation.from_dict(e) for e in data.get("explanations", ())),
        )


# ---------------------------------------------------------------- helpers

def _indexed(text: str, fold_case: bool = False) -> neighbourhood.Words:
    """LIME's view of the text: pieces in order plus the distinct words."""
    if not text or not text.strip():
        raise StudioError(NO_WORDS_MESSAGE)
    indexed = neighbourhood.Words(text, WORD_EXPRESSION, fold_case)
    if indexed.num_words() == 0:
        raise StudioError(NO_WORDS_MESSAGE)
    return indexed


def require_words(text: str) -> None:
    """Raise the plain NO_WORDS_MESSAGE before any work when ``text`` has no word to weigh."""
    _indexed(text)


def _as_matrix(output, n_rows: int) -> np.ndarray:
    matrix = np.asarray(output, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix.reshape(-1, 1)  # regression models may return (n,)
    if matrix.ndim != 2 or matrix.shape[0] != n_rows:
        raise ValueError(f"predict_fn returned shape {matrix.shape} for {n_rows} texts")
    return matrix


def _checked(predict_fn: PredictFn) -> PredictFn:
    def predict(texts):
        texts = list(texts)
        return _as_matrix(predict_fn(texts), len(texts))
    return predict


def _class_name(class_names: Sequence[str], class_index: int) -> str:
    if 0 <= class_index < len(class_names):
        return str(class_names[class_index])
    return str(class_index)


def _sorted_words(pairs) -> tuple[WordWeight, ...]:
    words = [WordWeight(str(word), float(weight)) for word, weight in pairs]
    return tuple(sorted(words, key=lambda w: -abs(w.weight)))


def _token_weights(indexed, weights: dict[int, float]) -> tuple[tuple[str, float], ...]:
    """Every piece of the text with its word's weight; separators weigh 0."""
    words = neighbourhood.word_of_piece(indexed)
    return tuple((str(piece), float(weights.get(int(word), 0.0)))
                 for piece, word in zip(indexed.as_list, words))


def _relevant(words: Sequence[WordWeight]) -> list[WordWeight]:
    """Words that matter: at least RELEVANT_SHARE of the strongest weight."""
    strongest = max((abs(w.weight) for w in words), default=0.0)
    if strongest < NEGLIGIBLE_WEIGHT:
        return []
    return [w for w in words if abs(w.weight) >= RELEVANT_SHARE * strongest]


# ---------------------------------------------------------------- explainers

def _neighbourhood_scores(predict_fn: PredictFn, removal_scores: RemovalFn | None,
                          indexed, keep: np.ndarray) -> np.ndarray:
    """The model's rows for the copies: from their tokens where the model can put them
    together (``removal_scores``, see core.neighbourhood), else from the copies as texts."""
    if removal_scores is not None:
        scores = removal_scores(indexed.as_list, neighbourhood.word_of_piece(indexed), keep)
        if scores is not None:
            return _as_matrix(scores, len(keep))
    return _scores_once_per_text(predict_fn, neighbourhood.copy_texts(indexed, keep))


def _scores_once_per_text(predict_fn: PredictFn, texts: list[str]) -> np.ndarray:
    """predict_fn's rows for ``texts``, asking only once for each distinct text.

    A neighbourhood repeats itself: a text of 10 words has only 1,024 ways to drop
    some, so 5,000 samples hold at most that many texts; one of 50 words repeats ~4%.
    """
    first_row: dict[str, int] = {}
    rows = [first_row.setdefault(t, len(first_row)) for t in texts]
    return _checked(predict_fn)(list(first_row))[rows]


def _cosine_distances_x100(keep: np.ndarray) -> np.ndarray:
    """lime's distance: cosine from the all-ones first row, times 100, in closed form.

    A row keeping k of d words has cosine similarity sqrt(k / d) with all ones.
    """
    return (1.0 - np.sqrt(keep.sum(axis=1) / keep.shape[1])) * 100


def _lime_kernel(distances: np.ndarray, width: float = 25.0) -> np.ndarray:
    return np.sqrt(np.exp(-(distances ** 2) / width ** 2))  # LimeTextExplainer's default


def explain_lime(predict_fn: PredictFn, text: str, class_index: int,
                 class_names: Sequence[str], num_samples: int = 1000, seed: int = 0,
                 num_features: int = 10, removal_scores: RemovalFn | None = None,
                 fold_case: bool = False) -> Explanation:
    """LIME: fit a small linear model on ``num_samples`` copies of the text with words removed.

    Same neighbourhood, distance, kernel and weighted ridge fit as lime's
    LimeTextExplainer (the fit is lime's own LimeBase); only the sampling is vectorized.
    ``removal_scores`` (Predictor.removal_scores) scores the copies without building them;
    ``fold_case`` (for a model that lowercases) makes "It" and "it" one word.
    """
    from lime.lime_base import LimeBase  # lazy: lime pulls in sklearn (~2 s)
    from threadpoolctl import threadpool_limits

    indexed = _indexed(text, fold_case)
    started = time.perf_counter()
    rng = np.random.RandomState(seed)
    removals = neighbourhood.draw(indexed, num_samples, rng)
    scores = _neighbourhood_scores(predict_fn, removal_scores, indexed, removals)
    keep = removals.astype(float)
    # A ridge fit this small gains nothing from threads, and idle BLAS threads spinning
    # after it slow the model calls that follow (one-off: 0.061 -> 0.044 s back to back).
    with threadpool_limits(limits=1):
        _, weights, _, _ = LimeBase(_lime_kernel, random_state=rng).explain_instance_with_data(
            keep, scores, _cosine_distances_x100(keep), class_index, num_features,
            feature_selection="auto")
    words = _sorted_words((indexed.word(i), weight) for i, weight in weights)
    return Explanation(
        text=text, method="lime", class_index=class_index,
        class_name=_class_name(class_names, class_index),
        score=float(scores[0, class_index]), words=words,
        token_weights=_token_weights(indexed, dict(weights)), num_samples=num_samples,
        seed=seed, seconds=time.perf_counter() - started,
    )


def explain_occlusion(predict_fn: PredictFn, text: str, class_index: int,
                      class_names: Sequence[str], fold_case: bool = False) -> Explanation:
    """Leave one word out (every occurrence of it); exact, n words + 1 predictions in one call."""
    indexed = _indexed(text, fold_case)
    started = time.perf_counter()
    n_words = indexed.num_words()
    variants = [text] + [indexed.inverse_removing([i]) for i in range(n_words)]
    scores = _checked(predict_fn)(variants)[:, class_index]
    weights = scores[0] - scores[1:]  # how much the score drops without the word
    words = _sorted_words((indexed.word(i), weights[i]) for i in range(n_words))
    return Explanation(
        text=text, method="occlusion", class_index=class_index,
        class_name=_class_name(class_names, class_index), score=float(scores[0]),
        words=words, token_weights=_token_weights(indexed, dict(enumerate(weights))),
        num_samples=len(variants), seed=None, seconds=time.perf_counter() - started,
    )


def _top_words(explanation: Explanation, top_k: int) -> tuple[str, ...]:
    return tuple(w.word for w in _relevant(explanation.words)[:top_k])


def _jaccard(a: set, b: set) -> float:
    union = a | b
    return 1.0 if not union else len(a & b) / len(union)


def stability(predict_fn: PredictFn, text: str, class_index: int, class_names: Sequence[str],
              num_samples: int = 1000, seeds: Sequence[int] = (0, 1, 2),
              top_k: int = 5, removal_scores: RemovalFn | None = None,
              fold_case: bool = False) -> Stability:
    """Run LIME once per seed and measure how much the top words overlap.

    Only relevant words (see RELEVANT_SHARE) count, so near-zero noise words that
    reshuffle between seeds do not make a clear explanation look unstable.
    """
    explanations = tuple(
        explain_lime(predict_fn, text, class_index, class_names,
                     num_samples=num_samples, seed=seed, num_features=max(top_k, 10),
                     removal_scores=removal_scores, fold_case=fold_case)
        for seed in seeds
    )
    top = tuple(_top_words(e, top_k) for e in explanations)
    pairs = list(itertools.combinations([set(t) for t in top], 2))
    agreement = float(np.mean([_jaccard(a, b) for a, b in pairs])) if pairs else 1.0
    return Stability(seeds=tuple(seeds), top_words=top, agreement=agreement,
                     stable=agreement >= STABLE_AGREEMENT, explanations=explanations)


def methods_disagree(lime: Explanation, occlusion: Explanation, top_k: int = 3) -> bool:
    """Whether leaving each word out pushes most of LIME's top words the other way.

    The stability badge compares LIME with itself; this compares the two methods, which
    can part ways on a long text (exploratory QA: LIME red, leave-one-out green).
    """
    removal = {w.word: w.weight for w in occlusion.words}
    top = [w for w in _relevant(lime.words)[:top_k] if w.word in removal]
    opposite = sum(1 for w in top if w.weight * removal[w.word] < 0)
    return bool(top) and opposite * 2 >= len(top)


# ---------------------------------------------------------------- plain words

def escape_markdown(value: str) -> str:
    """Backslash-escape markdown/HTML punctuation so user text renders as typed."""
    flat = " ".join(str(value).split())  # newlines could end a paragraph or start a heading
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in flat)


def _quoted_list(words: Sequence[WordWeight], unknown: frozenset = frozenset()) -> str:
    """Quoted words; one the model does not know is marked, as in the bars (QA: three
    Hebrew words "pushed against it", each the same one "unknown word" to the model)."""
    return listed(f"“{isolate_direction(escape_markdown(w.word))}”"
                  + (UNKNOWN_MARK if w.word in unknown else "") for w in words)


def summary_sentence(explanation: Explanation, top: int = 3, regression: bool = False,
                     unknown: frozenset = frozenset()) -> str:
    """One markdown-safe sentence naming the words that mattered most.

    For a predicted number (``regression``) words push the value up or down, not toward it.
    ``unknown``: words the model does not know, marked "(unknown)".
    """
    quoted = functools.partial(_quoted_list, unknown=unknown)
    relevant = _relevant(explanation.words)
    toward = [w for w in relevant if w.weight > 0][:top]
    against = [w for w in relevant if w.weight < 0][:top]
    target = f"*{isolate_direction(escape_markdown(explanation.class_name))}*"
    if regression:
        return _up_and_down(target, toward, against, quoted)
    if not toward and not against:
        return f"No single word changed the score for {target} much."
    against_part = ""
    if against:
        against_part = f"{quoted(against)} pushed against it"
    if not toward:
        return f"No word pushed this toward {target}; {against_part} most."
    noun, verb = ("word", "was") if len(toward) == 1 else ("words", "were")
    sentence = f"The {noun} that pushed this toward {target} most {verb} {quoted(toward)}"
    return sentence + (f"; {against_part}." if against else ".")


def _up_and_down(target: str, up: list[WordWeight], down: list[WordWeight], quoted) -> str:
    if not up and not down:
        return f"No single word changed the predicted {target} much."
    parts = []
    if up:
        parts.append(f"{quoted(up)} pushed the predicted {target} up most")
    if down:
        parts.append(f"{quoted(down)} pushed it down most" if up else
                     f"{quoted(down)} pushed the predicted {target} down most")
    return "; ".join(parts) + "."
