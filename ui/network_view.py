"""Model & Train's summary of the network: its size, the words it knows, its layers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import presets, text
from core import model as model_lib
from core.config import ModelSpec, TrainSpec
from core.errors import StudioError
from ui import state, widgets


def token_counts(dataset, lowercase: bool):
    """Token counts of the training split, remembered for the dataset in the session."""
    remembered = st.session_state.get(state.VOCAB_COUNTS)
    if remembered is None or remembered[0] is not dataset or remembered[1] != lowercase:
        remembered = (dataset, lowercase, text.count_tokens(dataset.train.texts, lowercase))
        st.session_state[state.VOCAB_COUNTS] = remembered
    return remembered[2]


def _vocabulary_length(dataset, spec: ModelSpec, lowercase: bool) -> int:
    """What the vectorizer's vocabulary_size() will be: known words + padding + unknown."""
    frequent = sum(1 for n in token_counts(dataset, lowercase).values() if n >= spec.min_freq)
    return max(1, min(frequent, spec.vocab_size - 2)) + 2


@st.cache_data(show_spinner=False, max_entries=64)
def _describe(spec: ModelSpec, task: str, n_classes: int, batch_size: int, vocab_len: int):
    return model_lib.describe_model(spec, task, n_classes, batch_size, vocab_len=vocab_len)


def model_summary(dataset, model: ModelSpec, train: TrainSpec, lowercase: bool) -> None:
    """Parameter count in one line; the layer table and shape walk-through on demand."""
    vocab_len = _vocabulary_length(dataset, model, lowercase)
    with st.spinner("Building the network to count its parameters…"):
        try:
            # A batch never holds more texts than there are (QA: "2048 texts" for 441).
            batch = min(train.batch_size, len(dataset.train.texts))
            description = _describe(model, dataset.task, dataset.n_classes, batch, vocab_len)
        except StudioError as err:
            widgets.show_error(err)
            return
    st.markdown(f"**{presets.architecture_name(model)}** · {description.total_params:,} "
                f"parameters (the numbers it learns) · {vocab_len - 2:,} known words")
    with st.expander("What the network looks like", icon=":material/account_tree:"):
        st.markdown("How one batch of texts flows through the network:")
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(description.walkthrough, 1)))
        table = pd.DataFrame([{"Layer": layer.name, "Kind": layer.kind, "Output shape": layer.output_shape,
                               "Parameters": layer.params} for layer in description.layers])
        # Every layer in view: at the default height the output layer was cut off (QA).
        st.dataframe(table, hide_index=True, height=widgets.whole_table_height(len(table)),
                     column_config={"Parameters": widgets.WHOLE_NUMBER})
        st.caption(f"Total parameters: {description.total_params:,} "
                   f"({description.trainable_params:,} trainable).")
