"""Build, describe, save and load LSTM/GRU text models.

Two models exist for every run:
- the *integer model* (token ids in, scores out) that is trained on a
  ``tf.data`` pipeline of pre-vectorized, length-bucketed batches, and
- the *end-to-end model* (raw strings in, scores out) saved as ``model.keras``:
  a ``TextVectorization`` layer in front of the integer model. Predict,
  explain and export all use that one file.

TensorFlow is imported lazily so pages that only need metadata stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import text as text_utils
from core.config import TASK_BINARY, TASK_REGRESSION, ModelSpec
from core.errors import ModelFileError, SpecError

RNN_KINDS = ("lstm", "gru")
POOLINGS = ("last", "mean", "max")
OPTIMIZERS = ("adam", "adamw", "rmsprop", "sgd")
PAD_ID = 0  # TextVectorization reserves 0 for padding and 1 for unknown words


@dataclass(frozen=True)
class LayerInfo:
    name: str  # in plain words, such as "LSTM 2, both directions" (QA21: "bi_lstm_2")
    kind: str  # the Keras layer, as a tutorial's code names it
    output_shape: str
    params: int


PLAIN_LAYER_NAMES = {"InputLayer": "Word numbers in", "Embedding": "Embedding (word vectors)",
                     "LearnedStart": "Learned start", "MaskedPooling": "Summary over the words",
                     "Dropout": "Dropout"}


@dataclass(frozen=True)
class ModelDescription:
    layers: tuple[LayerInfo, ...]
    total_params: int
    trainable_params: int
    walkthrough: tuple[str, ...]  # batch × tokens → embedding → … → head, as plain steps


def validate_spec(spec: ModelSpec) -> None:
    """Raise SpecError for settings that cannot build a model."""
    if spec.rnn not in RNN_KINDS:
        raise SpecError(f"Unknown recurrent layer '{spec.rnn}'; choose LSTM or GRU.")
    if spec.pooling not in POOLINGS:
        raise SpecError(f"Unknown pooling '{spec.pooling}'; choose last, mean or max.")
    if not 1 <= len(spec.units) <= 4:
        raise SpecError("Use between 1 and 4 stacked recurrent layers.")
    if any(u < 1 or u > 1024 for u in spec.units):
        raise SpecError("Each recurrent layer needs between 1 and 1,024 units.")
    if any(d < 1 or d > 4096 for d in spec.dense_layers):
        raise SpecError("Each dense layer needs between 1 and 4,096 units.")
    if not 0 <= spec.dropout < 1 or not 0 <= spec.recurrent_dropout < 1:
        raise SpecError("Dropout must be between 0 and 0.95.")
    if spec.max_tokens < 1 or spec.vocab_size < 3 or spec.embedding_dim < 1:
        raise SpecError("Max tokens, vocabulary size and embedding size must be positive.")


def output_units(task: str, n_classes: int) -> int:
    return 1 if task in (TASK_BINARY, TASK_REGRESSION) else n_classes


def build_vectorizer(vocabulary: list[str], spec: ModelSpec, lowercase: bool = True):
    """A TextVectorization layer with a fixed vocabulary (computed in core.text)."""
    import keras

    return keras.layers.TextVectorization(
        standardize="lower_and_strip_punctuation" if lowercase else "strip_punctuation",
        split="whitespace",
        output_mode="int",
        output_sequence_length=spec.max_tokens,
        vocabulary=vocabulary or ["[empty]"],
        name="vectorizer",
    )


def build_vocabulary(texts: list[str], spec: ModelSpec, lowercase: bool = True) -> list[str]:
    return text_utils.build_vocabulary(texts, spec.vocab_size, spec.min_freq, lowercase)


def _recurrent_layer(spec: ModelSpec, units: int, return_sequences: bool, index: int):
    import keras

    cls = keras.layers.LSTM if spec.rnn == "lstm" else keras.layers.GRU
    layer = cls(units, recurrent_dropout=spec.recurrent_dropout,
                return_sequences=return_sequences, name=f"{spec.rnn}_{index + 1}")
    if spec.bidirectional:
        layer = keras.layers.Bidirectional(layer, name=f"bi_{spec.rnn}_{index + 1}")
    return layer


def _head(task: str, n_classes: int, target_mean: float | None):
    import keras

    if task == TASK_REGRESSION:
        # Starting at the mean rating saves the first epochs from learning the bias.
        bias = keras.initializers.Constant(target_mean or 0.0)
        return keras.layers.Dense(1, name="rating", bias_initializer=bias)
    if task == TASK_BINARY:
        return keras.layers.Dense(1, activation="sigmoid", name="probability")
    return keras.layers.Dense(n_classes, activation="softmax", name="probabilities")


def build_model(spec: ModelSpec, task: str, n_classes: int, vocab_len: int,
                embedding_matrix: np.ndarray | None = None, target_mean: float | None = None,
                padding_mask: bool = True, tokens: int | None = None):
    """The integer model: token ids (batch × tokens) in, scores out.

    padding_mask=False builds the training twin (see with_padding_mask). ``tokens``
    fixes the text length (describe_model, so every layer reports its real shape);
    trained models take any length.
    """
    import keras

    validate_spec(spec)
    dim = embedding_matrix.shape[1] if embedding_matrix is not None else spec.embedding_dim
    token_ids = keras.Input(shape=(tokens,), dtype="int32", name="token_ids")
    # mask_zero: the vectorizer pads at the end, and the RNN must skip that padding.
    embedding = keras.layers.Embedding(vocab_len, dim, mask_zero=padding_mask, name="embedding",
                                       trainable=spec.trainable_embedding or embedding_matrix is None)
    x = embedding(token_ids)
    if embedding_matrix is not None:
        embedding.set_weights([embedding_matrix.astype("float32")])
    if reads_one_way(spec):
        from core.layers import learned_start_layer

        x = learned_start_layer()(name="learned_start")(x)
    pooled = spec.pooling != "last"
    for i, units in enumerate(spec.units):
        x = _recurrent_layer(spec, units, pooled or i < len(spec.units) - 1, i)(x)
    if pooled:
        from core.layers import masked_pooling_layer

        x = masked_pooling_layer()(spec.pooling, name=f"{spec.pooling}_over_tokens")(x)
    if spec.dropout:
        x = keras.layers.Dropout(spec.dropout, name="dropout")(x)
    for i, units in enumerate(spec.dense_layers):
        x = keras.layers.Dense(units, activation="relu", name=f"dense_{i + 1}")(x)
        if spec.dropout:
            x = keras.layers.Dropout(spec.dropout, name=f"dense_dropout_{i + 1}")(x)
    outputs = _head(task, n_classes, target_mean)(x)
    return keras.Model(token_ids, outputs, name="lstm_studio")


@dataclass(frozen=True)
class LayerChain:
    """An integer model's layers in reading order, as build_model chains them."""

    embedding: object
    start: object | None  # the LearnedStart layer of a one-way network, if any
    recurrent: tuple  # the LSTM, GRU and Bidirectional layers, bottom first
    head: tuple  # every layer after them: pooling, dropout, dense, the output


def layer_chain(int_model) -> LayerChain | None:
    """The model's layers read as embedding → [LearnedStart] → recurrent → head, or None.

    Only the order is read; what each user (prefix trees, the trainer) can handle, it checks.
    """
    import itertools

    import keras

    from core.layers import learned_start_layer

    layers = [l for l in int_model.layers if not isinstance(l, keras.layers.InputLayer)]
    if not layers or not isinstance(layers[0], keras.layers.Embedding):
        return None
    rest = layers[1:]
    start = rest.pop(0) if rest and isinstance(rest[0], learned_start_layer()) else None
    kinds = keras.layers.LSTM | keras.layers.GRU | keras.layers.Bidirectional
    recurrent = tuple(itertools.takewhile(lambda l: isinstance(l, kinds), rest))
    return LayerChain(layers[0], start, recurrent, tuple(rest[len(recurrent):]))


def reads_one_way(spec: ModelSpec) -> bool:
    """A left-to-right network summarised by its final state: it gets a learned start."""
    return not spec.bidirectional and spec.pooling == "last"


def with_padding_mask(int_model, on: bool):
    """A copy of the integer model with the padding mask switched on or off, same weights.

    Training feeds batches that hold no padding at all (core.training), where the
    mask changes nothing but costs about a third of every step on CPU. The saved
    model keeps the mask, so it skips any padding exactly.
    """
    import keras

    config = int_model.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "Embedding":
            layer["config"]["mask_zero"] = on
    twin = keras.Model.from_config(config)
    twin.set_weights(int_model.get_weights())
    return twin


def compile_model(model, task: str, optimizer: str, learning_rate: float,
                  jit_compile: bool = False) -> None:
    import keras

    if optimizer not in OPTIMIZERS:
        raise SpecError(f"Unknown optimizer '{optimizer}'; choose one of {', '.join(OPTIMIZERS)}.")
    optimizers = {"adam": keras.optimizers.Adam, "adamw": keras.optimizers.AdamW,
                  "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    opt = optimizers[optimizer](learning_rate=learning_rate)
    if task == TASK_REGRESSION:
        model.compile(optimizer=opt, loss="mse",
                      metrics=[keras.metrics.RootMeanSquaredError(name="rmse")], jit_compile=jit_compile)
    elif task == TASK_BINARY:
        model.compile(optimizer=opt, loss="binary_crossentropy", metrics=["accuracy"],
                      jit_compile=jit_compile)
    else:
        model.compile(optimizer=opt, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], jit_compile=jit_compile)


def end_to_end(vectorizer, int_model):
    """Strings in, scores out: the one model file users download and re-import."""
    import keras

    text_in = keras.Input(shape=(1,), dtype="string", name="text")
    return keras.Model(text_in, int_model(vectorizer(text_in)), name="lstm_studio_text")


def split_end_to_end(e2e_model):
    """(vectorizer, integer model) from a loaded end-to-end model."""
    import keras

    vectorizer = next((l for l in e2e_model.layers
                       if isinstance(l, keras.layers.TextVectorization)), None)
    inner = next((l for l in e2e_model.layers if isinstance(l, keras.Model)), None)
    if vectorizer is None or inner is None:
        raise ModelFileError("This model file was not made by LSTM Studio: it has no text "
                             "vectorizer and network inside.")
    return vectorizer, inner


def describe_model(spec: ModelSpec, task: str, n_classes: int, batch_size: int = 64,
                   vocab_len: int | None = None, embedding_dim: int | None = None,
                   class_names: tuple[str, ...] = ()) -> ModelDescription:
    """Parameter counts per layer and a shape walk-through, without training.

    ``class_names``: a two-class walk-through names the class whose chance it gives."""
    if embedding_dim:
        spec = _with(spec, embedding_dim=embedding_dim)
    model = build_model(spec, task, n_classes, vocab_len or spec.vocab_size, tokens=spec.max_tokens)
    layers = tuple(_layer_info(layer, batch_size, last=layer is model.layers[-1])
                   for layer in model.layers)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    if spec.glove_path and not spec.trainable_embedding:  # frozen vectors are not learned
        trainable -= model.get_layer("embedding").count_params()
    return ModelDescription(layers=layers, total_params=model.count_params(),
                            trainable_params=trainable,
                            walkthrough=_walkthrough(spec, task, n_classes, batch_size,
                                                     class_names))


def _with(spec: ModelSpec, **changes) -> ModelSpec:
    import dataclasses

    return dataclasses.replace(spec, **changes)


def _layer_info(layer, batch_size: int, last: bool) -> LayerInfo:
    shape = tuple(layer.output.shape) if hasattr(layer, "output") else ()
    shown = " × ".join(str(batch_size if i == 0 else d) for i, d in enumerate(shape))
    return LayerInfo(name=_plain_name(layer, last), kind=type(layer).__name__,
                     output_shape=shown, params=layer.count_params())


def _plain_name(layer, last: bool) -> str:
    kind, number = type(layer).__name__, layer.name.rsplit("_", 1)[-1]
    if last:
        return "Answer"
    if kind == "Bidirectional":
        return f"{type(layer.forward_layer).__name__} {number}, both directions"
    if kind in ("LSTM", "GRU", "Dense"):
        return f"{kind} {number}"
    return PLAIN_LAYER_NAMES.get(kind, layer.name)


def _walkthrough(spec: ModelSpec, task: str, n_classes: int, b: int,
                 class_names: tuple[str, ...] = ()) -> tuple[str, ...]:
    t = spec.max_tokens
    dim = spec.embedding_dim
    vectors = f"a vector of {dim} values"
    if spec.glove_path:  # QA21: it did not say where they came from; QA22: nor that not all did
        vectors += (": the uploaded file's for the words it has, random for the others, all "
                    + ("fine-tuned while training" if spec.trainable_embedding else
                       "kept as they are while training"))
    steps = [f"{b} texts × {t} tokens: each word becomes a number (its place in the vocabulary; 0 = padding)",
             f"Embedding → {b} × {t} × {dim}: each number becomes {vectors}"]
    if reads_one_way(spec):
        from core.layers import START_STEPS

        t += START_STEPS
        steps.append(f"Learned start → {b} × {t} × {dim}: {START_STEPS} learned vectors go in "
                     "front of each text, so the network starts reading from a state it learned")
    rnn = spec.rnn.upper()
    for i, units in enumerate(spec.units):
        width = units * (2 if spec.bidirectional else 1)
        direction = "reads the text in both directions" if spec.bidirectional else "reads the text left to right"
        last = i == len(spec.units) - 1 and spec.pooling == "last"
        shape = f"{b} × {width}" if last else f"{b} × {t} × {width}"
        summary = "keeps only its final summary of the text" if last else "passes every step on"
        steps.append(f"{rnn} {i + 1} ({units} units) → {shape}: {direction} and {summary}")
    if spec.pooling != "last":  # QA21: "Pooling", "feature" and "Head" were jargon
        how = "average" if spec.pooling == "mean" else "strongest value"
        steps.append(f"Summary over the words → {b} × {width}: for each of the {width} numbers "
                     f"the last {rnn} gives per word, its {how} over the text's words")
    for number, units in enumerate(spec.dense_layers, 1):  # numbered as in the table (QA22)
        steps.append(f"Dense {number} → {b} × {units}: mixes the summary")
    k = output_units(task, n_classes)
    second = f"“{class_names[1]}”" if len(class_names) == 2 else "the second class"
    answer = {TASK_BINARY: f"the chance that a text is {second}",
              TASK_REGRESSION: "the predicted number"}.get(
                  task, f"one chance per class ({k}), adding up to 100%")
    steps.append(f"Answer → {b} × {k}: {answer}")
    return tuple(steps)


def load_model(path: str | Path):
    """Load an end-to-end model with ``safe_mode=True``; refuse anything else politely."""
    import keras

    from core.layers import learned_start_layer, masked_pooling_layer

    learned_start_layer()  # registered before Keras reads a file that may contain them
    masked_pooling_layer()

    path = Path(path)
    if not path.exists():
        raise ModelFileError("The model file is missing. Train the run again.")
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises many types for foreign or corrupt files
        raise ModelFileError(_load_error_message(exc)) from exc
    split_end_to_end(model)  # checks that it is ours
    return model


def _load_error_message(exc: Exception) -> str:
    text = str(exc)
    if "safe_mode" in text or "lambda" in text.lower():
        return ("This model file contains custom code (a Lambda layer), which LSTM Studio "
                "refuses to load for safety.")
    if "zip" in text.lower() or "not a valid" in text.lower():
        return "This is not a valid .keras model file (it may be corrupt or incomplete)."
    return ("This model file could not be loaded. Only .keras files exported from "
            "LSTM Studio are supported.")
