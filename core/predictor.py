"""Fast batched prediction with a trained end-to-end model.

Texts are vectorized once, sorted by length and grouped into batches of equal
length, so an LSTM never steps through padding and needs no mask.
This is what makes LIME (1,000+ perturbed texts) and CSV prediction fast.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import model as model_lib
from core import neighbourhood, prefix_tree
from core import text as text_utils
from core.config import TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION, CleanSpec, clean_from_dict
from core.errors import ModelFileError
from core.runs import replace_atomically

METADATA_NAME = "lstm_studio.json"  # extra member stored inside exported .keras zips
OOV_ID = 1  # TextVectorization's id for a word outside its vocabulary (0 is padding)
PREDICT_BATCH = 1024
SMALL_GROUP = 256  # rows of one length worth an exact batch of their own (bench/micro.py)
POOLED_BATCH = 256  # rows per padded batch of rare lengths
PREDICT_THREADS = 2  # batches in flight at once: an LSTM batch is a chain of small steps


def vectorize(vectorizer, texts: list[str], chunk: int = 8192) -> np.ndarray:
    """Token ids (n × max_tokens, int32) for many texts, in large chunks."""
    import tensorflow as tf

    if not texts:
        width = vectorizer.get_config().get("output_sequence_length") or 1
        return np.zeros((0, width), dtype="int32")
    parts = [vectorizer(tf.constant(texts[i:i + chunk])).numpy()
             for i in range(0, len(texts), chunk)]
    return np.concatenate(parts).astype("int32", copy=False)


def sequence_lengths(ids: np.ndarray) -> np.ndarray:
    """Real tokens per row (padding id 0 only ever sits at the end)."""
    return np.count_nonzero(ids, axis=1)


def knows_no_word(ids: np.ndarray) -> np.ndarray:
    """Per row: the model reads words and knows none of them (its answer rests on no word)."""
    read = sequence_lengths(ids)
    return (read > 0) & (np.count_nonzero(ids == OOV_ID, axis=1) == read)


def compiled_call(int_model):
    """One graph for every batch shape: eager RNN steps would be far slower."""
    import tensorflow as tf

    spec = tf.TensorSpec(shape=(None, None), dtype=tf.int32)
    return tf.function(lambda ids: int_model(ids, training=False), input_signature=[spec])


def predict_ids(exact_call, padded_call, n_outputs: int, ids: np.ndarray,
                batch_size: int = PREDICT_BATCH) -> np.ndarray:
    """Raw model outputs for token ids.

    Lengths shared by at least SMALL_GROUP texts run in batches of exactly that length.
    Such batches hold no padding, so ``exact_call`` (the network without its padding
    mask, see model.with_padding_mask) gives the saved model's answers a third faster.
    The rest (rare lengths, and empty texts) run through ``padded_call``, which masks
    the padding, in a few length-sorted batches: a network pays per step, so fifty tiny
    batches of fifty lengths cost three times more than four padded ones (LIME's
    neighbourhoods are like that). Batches run PREDICT_THREADS at a time.
    """
    lengths = sequence_lengths(ids)
    common = (np.bincount(lengths)[lengths] >= SMALL_GROUP) & (lengths > 0)
    common_rows = np.flatnonzero(common)
    jobs = [(exact_call, common_rows[batch], lengths[common_rows[batch[0]]])
            for batch in equal_length_batches(lengths[common_rows], batch_size)]
    rare_rows = np.flatnonzero(~common)
    rare_rows = rare_rows[np.argsort(lengths[rare_rows], kind="stable")]
    for start in range(0, len(rare_rows), POOLED_BATCH):
        rows = rare_rows[start:start + POOLED_BATCH]
        jobs.append((padded_call, rows, max(1, int(lengths[rows].max()))))

    def run(job):
        call, rows, width = job
        return rows, call(ids[rows, :width]).numpy()

    out = np.empty((len(ids), n_outputs), dtype="float32")
    for rows, values in _in_flight(run, jobs):
        out[rows] = values
    return out


def _in_flight(run, jobs: list) -> list:
    """``run`` over ``jobs``, PREDICT_THREADS at a time, results in order.

    One batch runs its LSTM steps one after another and leaves cores idle; two at
    once took LIME with 5,000 samples from 0.19 to 0.17 s on 2 cores (bench/micro.py).
    TensorFlow releases the GIL while a batch runs. Each call has its own threads, so
    one session's big CSV never queues another session's prediction behind it.
    """
    if len(jobs) < 2:
        return [run(job) for job in jobs]
    with ThreadPoolExecutor(PREDICT_THREADS, thread_name_prefix="lstm-studio-predict") as pool:
        return list(pool.map(run, jobs))


def equal_length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Row indices in batches of at most ``batch_size`` texts of one length, shortest first."""
    order = np.argsort(lengths, kind="stable")
    starts = np.flatnonzero(np.diff(lengths[order], prepend=-1))
    return [order[first:min(first + batch_size, end)]
            for start, end in zip(starts, [*starts[1:], len(order)])
            for first in range(start, end, batch_size)]


def unpadded_twin(int_model):
    """The network without its padding mask, or the network itself if it cannot be switched."""
    try:
        return model_lib.with_padding_mask(int_model, on=False)
    except Exception:  # a foreign model layout: masked calls on unpadded batches are exact too
        return int_model


@dataclass
class Predictor:
    """A loaded model plus what is needed to read its outputs."""

    vectorizer: object
    int_model: object
    task: str
    class_names: tuple[str, ...]
    clean: CleanSpec = field(default_factory=CleanSpec)
    # Regression: the lowest and highest value in the training labels. A linear head can
    # answer 6.75 on a 1-5 scale; answers are kept inside what the model learned from.
    value_range: tuple[float, float] | None = None
    # Batches of texts that begin alike (LIME's) run through prefix trees (core.prefix_tree).
    share_prefixes: bool = True

    def __post_init__(self):
        self._padded_call = compiled_call(self.int_model)
        self._exact_call = compiled_call(unpadded_twin(self.int_model))
        self._raw_outputs = int(self.int_model.output_shape[-1])
        self._shared_prefixes = (prefix_tree.for_model(self.int_model)
                                 if self.share_prefixes else None)

    @property
    def n_outputs(self) -> int:
        return 2 if self.task == TASK_BINARY else max(1, len(self.class_names))

    def clean_texts(self, texts: list[str]) -> list[str]:
        return text_utils.clean_texts(texts, self.clean)

    def reads_words(self, text: str) -> bool:
        """Whether this model gets any word from ``text`` after its cleaning (see has_words)."""
        return text_utils.has_words(text_utils.clean_text(text, self.clean))

    def text_as_read(self, text: str) -> str:
        """``text`` without the HTML tags and entities this model's cleaning strips.

        Explanations weigh the words of this text: the pieces of "&lt;" or "<script>"
        ("lt", "script") are words the model never sees. Case, stopwords and line
        breaks stay where there is no HTML, so readers find their own words.
        """
        return text_utils.without_stripped_html(text, self.clean)

    def part_read(self, text: str) -> str:
        """The beginning of ``text`` that holds all the words this model reads (its first
        max_tokens, after its cleaning): the words an explanation weighs."""
        max_tokens = self.vectorizer.get_config().get("output_sequence_length")
        return text_utils.part_read(text, self.clean, max_tokens)

    def unknown_words(self, words) -> frozenset[str]:
        """Which of ``words`` (as an explanation splits a text) the model knows none of the
        tokens of: it reads each as the one "unknown word"."""
        known = self._vocabulary
        unknown = set()
        for word in words:
            tokens = text_utils.tokenize(text_utils.clean_text(word, self.clean),
                                         self.clean.lowercase)
            if tokens and not any(token in known for token in tokens):
                unknown.add(word)
        return frozenset(unknown)

    @functools.cached_property
    def _vocabulary(self) -> frozenset[str]:
        return frozenset(self.vectorizer.get_vocabulary()[OOV_ID + 1:])

    def reading(self, text: str) -> tuple[int, int, int]:
        """(words in ``text``, words the model reads (its first max_tokens), how many of
        those it does not know): what its answer can rest on."""
        cleaned = text_utils.clean_text(text, self.clean)
        ids = vectorize(self.vectorizer, [cleaned])[0]
        words = len(text_utils.tokenize(cleaned, self.clean.lowercase))
        return words, int(np.count_nonzero(ids)), int(np.count_nonzero(ids == OOV_ID))

    def scores(self, texts: list[str], already_clean: bool = False) -> np.ndarray:
        """(n, k) probabilities (binary as [1-p, p]) or (n,) values for regression."""
        texts = list(texts) if already_clean else self.clean_texts(list(texts))
        return self.scores_of_ids(vectorize(self.vectorizer, texts))

    def scores_of_ids(self, ids: np.ndarray) -> np.ndarray:
        """scores() of texts already turned into token ids (vectorize)."""
        return self._scores_from_raw(self.raw_outputs(ids))

    def _scores_from_raw(self, raw: np.ndarray) -> np.ndarray:
        if self.task == TASK_REGRESSION:
            return np.clip(raw[:, 0], *self.value_range) if self.value_range else raw[:, 0]
        if self.task == TASK_BINARY:
            return np.column_stack([1.0 - raw[:, 0], raw[:, 0]])
        return raw

    def raw_outputs(self, ids: np.ndarray) -> np.ndarray:
        """The network's outputs for token ids, through prefix trees when texts share a lot
        (LIME's and occlusion's copies of one text, see core.prefix_tree)."""
        shared = self._shared_prefixes.predict(ids) if self._shared_prefixes else None
        if shared is not None:
            return shared
        return predict_ids(self._exact_call, self._padded_call, self._raw_outputs, ids)

    def predict_fn(self, texts: list[str]) -> np.ndarray:
        """The explanation contract: always 2-D, (n, k) or (n, 1) for regression."""
        return _two_d(self.scores(texts))

    def removal_scores(self, pieces: list[str], piece_words: np.ndarray,
                       keep: np.ndarray) -> np.ndarray | None:
        """predict_fn's rows for LIME's copies of a text, without building them as texts.

        See core.neighbourhood.token_ids; None where the copies' tokens cannot be put together
        exactly, and the copies must be scored as texts.
        """
        ids = neighbourhood.token_ids(pieces, piece_words, keep, self.clean,
                                      lambda texts: vectorize(self.vectorizer, texts))
        if ids is None:
            return None
        distinct, rows = prefix_tree.distinct_rows(ids)  # copies repeat
        return _two_d(self._scores_from_raw(self.raw_outputs(distinct)))[rows]

    def labels(self, scores: np.ndarray, threshold: float = 0.5) -> list[str]:
        """Each row's answer as text: its class (by evaluation's rule, as Evaluate counts) or rating."""
        if self.task == TASK_REGRESSION:
            return [f"{v:.2f}" for v in scores]
        from core import evaluation  # here, not at the top: sklearn loads only where answers are read

        return [self.class_names[i]
                for i in evaluation.predicted_classes(self.task, scores, threshold)]


def _two_d(scores: np.ndarray) -> np.ndarray:
    return scores[:, None] if scores.ndim == 1 else scores


def metadata_for(task: str, class_names, clean: CleanSpec, extra: dict | None = None,
                 value_range: tuple[float, float] | None = None) -> dict:
    import dataclasses

    meta = {"format": 1, "task": task, "class_names": list(class_names),
            "clean": dataclasses.asdict(clean), **(extra or {})}
    if value_range is not None:
        meta["value_range"] = [float(value_range[0]), float(value_range[1])]
    return meta


def model_description(model_spec: dict) -> dict:
    """A run's model settings as a model file carries them: a GloVe file by its name only
    (its path on this server means nothing elsewhere and need not travel)."""
    described = dict(model_spec or {})
    if described.get("glove_path"):
        described["glove_path"] = Path(str(described["glove_path"])).name
    return described


def run_metadata(spec: dict) -> dict:
    """What reading a run's predictions needs, from its spec.json."""
    meta = {"task": spec["task"], "class_names": list(spec.get("class_names", [])),
            "clean": (spec.get("data") or {}).get("clean", {})}
    if spec.get("value_range"):
        meta["value_range"] = spec["value_range"]
    return meta


def value_range_of(meta: dict) -> tuple[float, float] | None:
    """A usable (low, high) from metadata, or None (older runs, foreign files)."""
    found = meta.get("value_range") if meta.get("task") == TASK_REGRESSION else None
    if not isinstance(found, list | tuple):
        return None
    try:
        low, high = (float(v) for v in found)
    except (TypeError, ValueError):
        return None
    return (low, high) if np.isfinite([low, high]).all() and low <= high else None


def save_with_metadata(model, path: Path, metadata: dict) -> None:
    """Save ``model`` with ``metadata`` inside, and only then put the file in place: a
    reader, or a crash, never meets a model file without its metadata."""
    def write(temp: Path) -> None:
        model.save(temp)
        with zipfile.ZipFile(temp, "a") as archive:  # self-describing when exported
            archive.writestr(METADATA_NAME, json.dumps(metadata))

    replace_atomically(path, write, suffix=".keras")


def with_metadata(model_bytes: bytes, changes: dict) -> bytes:
    """A copy of a .keras file whose embedded metadata also holds ``changes``.

    A zip member cannot be rewritten in place, so every other member is copied over.
    """
    source, copy = zipfile.ZipFile(io.BytesIO(model_bytes)), io.BytesIO()
    with source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        metadata = {}
        for item in source.infolist():
            if item.filename == METADATA_NAME:
                metadata = json.loads(source.read(item))
            else:
                target.writestr(item, source.read(item))
        target.writestr(METADATA_NAME, json.dumps({**metadata, **changes}))
    return copy.getvalue()


def read_metadata(model_path: Path | io.BytesIO) -> dict | None:
    """The metadata embedded in a .keras file (on disk, or its bytes), or None."""
    try:
        with zipfile.ZipFile(model_path) as archive:
            if METADATA_NAME in archive.namelist():
                return json.loads(archive.read(METADATA_NAME))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def load_predictor(model_path: Path, metadata: dict | None = None) -> Predictor:
    """Load ``model.keras`` (safe mode) with its task and class names."""
    e2e = model_lib.load_model(model_path)
    vectorizer, int_model = model_lib.split_end_to_end(e2e)
    meta = next((m for m in (metadata, read_metadata(Path(model_path))) if valid_metadata(m)),
                None) or guess_metadata(int_model)
    return Predictor(vectorizer, int_model, meta["task"], tuple(meta["class_names"]),
                     clean_from_dict(meta.get("clean") or {}), value_range_of(meta))


def valid_metadata(meta) -> bool:
    """A usable description: a known task and a list of class names."""
    return (isinstance(meta, dict) and meta.get("task") in (TASK_BINARY, TASK_MULTICLASS,
                                                            TASK_REGRESSION)
            and isinstance(meta.get("class_names"), list | tuple)
            and all(isinstance(name, str) for name in meta["class_names"]))


def guess_metadata(int_model) -> dict:
    """For a foreign-but-compatible file: read the task from the output layer."""
    head = int_model.layers[-1]
    units = int_model.output_shape[-1]
    activation = getattr(getattr(head, "activation", None), "__name__", "")
    if units == 1 and activation == "sigmoid":
        return {"task": TASK_BINARY, "class_names": ["negative", "positive"]}
    if units == 1:
        return {"task": TASK_REGRESSION, "class_names": []}
    if activation != "softmax":
        raise ModelFileError("This model's output is not a set of class probabilities, "
                             "so LSTM Studio cannot read its predictions.")
    return {"task": TASK_MULTICLASS, "class_names": [f"class {i}" for i in range(units)]}
