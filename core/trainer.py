"""The model that the training step runs: the integer model's own layers, arranged for speed.

Only ``fit`` sees these wrappers. They hold no weights of their own, so training
them trains the integer model, which is what gets saved. Three arrangements, each
measured in bench/README.md:
- batch slices side by side, for one-way networks' big batches: a one-way RNN is
  one chain of small steps and keeps one core busy; two slices are two chains;
- the learned start read once per batch, not once per text. LearnedStart's vectors
  are the same for every text, so every text reaches the same state after them.
  That state is computed for one row and given to every row as its initial state:
  the same function and the same gradients, five fewer steps for the whole batch;
- validation through the same layers with the padding mask on, as the saved model
  reads texts, so validation batches may hold padding: a few padded batches instead
  of one batch per text length (core.batches.validation_batches).
"""

from __future__ import annotations

from core.config import ModelSpec

SPLIT_MIN_BATCH = 256  # smaller batches: each slice's steps too small to gain (bench/README.md)


def split_batch_parts(spec: ModelSpec, cores: int, batch_size: int) -> int:
    """How many pieces training cuts each batch into: two for a one-way network's big batches.

    A bidirectional RNN already runs its two directions side by side (bench/README.md:
    halves made LSTM(50) 1.7x faster, BiLSTM(50) ~1.1x). Below SPLIT_MIN_BATCH rows
    the extra ops cost what the second core wins, or more.
    """
    if spec.bidirectional or batch_size < SPLIT_MIN_BATCH:
        return 1
    return max(1, min(2, cores))


def training_model(int_model, parts: int, start_once: bool = True):
    """The integer model as fit() should run it: trained on ``parts`` slices of each batch.

    Each slice runs through the same layers as its own chain of ops, which
    TensorFlow runs in parallel, and the outputs are joined again in order, so
    loss, gradients and metrics are those of the whole batch. ``start_once=False``
    reads the learned start with every text, as the model itself does (bench/).
    Outside training (validation, evaluate, predict) it reads padded texts as the
    saved model does, with the padding mask on.
    """
    import keras
    from keras import ops

    start = _start_layout(int_model) if start_once else None
    masked = masked_twin(int_model)

    class Trainer(keras.Model):
        def __init__(self, net):
            super().__init__(name=f"{net.name}_training")
            self.net = net
            self.reads_start_once = start is not None

        def call(self, ids, training=False):
            if not training:
                return masked(ids, training=False)
            states = start.states(training) if start else None
            forward = (lambda rows: start.forward(rows, states, training)) if start else (
                lambda rows: self.net(rows, training=training))
            if parts < 2 or (isinstance(ids.shape[0], int) and ids.shape[0] < parts):
                return forward(ids)  # a known, too small batch: no empty slice
            size = ops.shape(ids)[0]
            cuts = [size * i // parts for i in range(parts + 1)]
            return ops.concatenate([forward(ids[a:b]) for a, b in zip(cuts, cuts[1:])], axis=0)

    return Trainer(int_model)


def masked_twin(int_model):
    """The integer model with the padding mask on, built from its own layers (so its weights).

    with_padding_mask makes a copy, which would need the weights copied before every
    validation; this twin always has the training model's current weights.
    """
    import keras
    from keras import ops

    from core import model as model_lib

    class PaddingMask(keras.layers.Layer):
        """Word vectors unchanged, with the saved model's mask: token id 0 is padding."""

        def call(self, inputs):
            return inputs[0]

        def compute_mask(self, inputs, previous_mask=None):
            return ops.not_equal(inputs[1], 0)

    chain = model_lib.layer_chain(int_model)
    if chain is None:
        raise ValueError(f"{int_model.name} is not an LSTM Studio network (embedding first)")
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = PaddingMask(name="padding_mask")([chain.embedding(ids), ids])
    for layer in (chain.start, *chain.recurrent, *chain.head):
        x = x if layer is None else layer(x)
    return keras.Model(ids, x, name=f"{int_model.name}_masked")


class _StartLayout:
    """Embedding → LearnedStart → plain LSTM/GRU layers → the rest, run with the start as state."""

    def __init__(self, embedding, start, recurrent: list, rest: list):
        self.embedding, self.start, self.recurrent, self.rest = embedding, start, recurrent, rest

    def states(self, training: bool) -> list[list]:
        """Each recurrent layer's state after reading the start vectors, for one row."""
        from keras import ops

        steps = [self.start.start[None, t] for t in range(self.start.steps)]
        per_layer = []
        for layer in self.recurrent:
            cell = layer.cell
            sizes = cell.state_size if isinstance(cell.state_size, list) else [cell.state_size]
            state = [ops.zeros((1, size), dtype=cell.compute_dtype) for size in sizes]
            outputs = []
            for step in steps:
                output, state = cell(step, state, training=training)
                state = state if isinstance(state, list) else [state]
                outputs.append(output)
            per_layer.append(state)
            steps = outputs  # the next layer reads this layer's outputs over the start
        return per_layer

    def forward(self, ids, states: list[list], training: bool):
        from keras import ops

        x = self.embedding(ids)
        rows = ops.shape(ids)[0]
        for layer, state in zip(self.recurrent, states):
            initial = [ops.broadcast_to(s, (rows, s.shape[-1])) for s in state]
            x = layer(x, initial_state=initial, training=training)
        for layer in self.rest:
            x = layer(x, training=training)
        return x


def _start_layout(int_model) -> _StartLayout | None:
    """The layout where reading the start once is exact, or None (the model runs as it is).

    It must be a chain that begins embedding → LearnedStart → one-way LSTM/GRU layers,
    with no padding mask (the training twin's) and no dropout inside the recurrent
    cells, whose masks differ from row to row.
    """
    import keras

    from core import model as model_lib

    chain = model_lib.layer_chain(int_model)
    if chain is None or chain.start is None or chain.embedding.mask_zero:
        return None
    embedding, start, recurrent, rest = chain.embedding, chain.start, chain.recurrent, chain.head
    plain = all(isinstance(layer, keras.layers.LSTM | keras.layers.GRU)
                and layer.cell.dropout == 0 and layer.cell.recurrent_dropout == 0
                and not layer.go_backwards for layer in recurrent)
    if not recurrent or not plain or any(isinstance(layer, keras.layers.RNN) for layer in rest):
        return None
    layout = _StartLayout(embedding, start, recurrent, rest)
    return layout if _same_answers(layout, int_model) else None


def _same_answers(layout: _StartLayout, int_model) -> bool:
    """A check on two short texts that the layout computes what the model computes.

    The layers above are read in list order; a model whose layers branch, or a
    Keras whose cells step differently from their layers, fails here and trains as it is.
    """
    import numpy as np

    probe = np.array([[2, 3, 1], [1, 1, 2]], dtype="int32") % max(2, layout.embedding.input_dim)
    expected = np.asarray(int_model(probe, training=False))
    try:
        got = np.asarray(layout.forward(probe, layout.states(False), False))
    except Exception:  # noqa: BLE001  any failure only means: not this layout
        return False
    return got.shape == expected.shape and np.allclose(got, expected, atol=1e-5)
