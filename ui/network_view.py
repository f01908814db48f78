"""Model & Train's summary of the network: its size, the words it knows, its layers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import presets, text
from core import model as model_lib
from core.config import ModelSpec, TrainSpec
from core.errors import SpecError, StudioError
from core.explain import escape_markdown
from ui import state, widgets


def token_counts(dataset, lowercase: bool):
    """Token counts of the training split, remembered for the dataset in the session."""
    remembered = st.session_state.get(state.VOCAB_COUNTS)
    if remembered is None or remembered[0] is not dataset or remembered[1] != lowercase:
        remembered = (dataset, lowercase, text.count_tokens(dataset.train.texts, lowercase))
        st.session_state[state.VOCAB_COUNTS] = remembered
    return remembered[2]


FEW_KNOWN_WORDS = 50  # fewer, and the model reads nearly every word as unknown


def known_word_count(dataset, spec: ModelSpec, lowercase: bool) -> int:
    """How many words the model will know: counted, not sorted (a 200,000-word vocabulary
    took 0.2 s to sort, on every page run)."""
    frequent = sum(1 for n in token_counts(dataset, lowercase).values() if n >= spec.min_freq)
    return min(frequent, max(0, spec.vocab_size - 2))


def check_known_words(dataset, spec: ModelSpec, lowercase: bool) -> None:
    """SpecError when no word is frequent enough to know (QA: min frequency 1,000 trained a
    model that read every word as unknown, with no word said)."""
    if not known_word_count(dataset, spec, lowercase):
        raise SpecError(f"No word appears {spec.min_freq:,} times in the training texts, so "
                        "the model would know no word at all. Lower “Minimum word frequency” "
                        "(under Adjust the network); 1 or 2 suits most data.")


def _few_words_warning(dataset, spec: ModelSpec, lowercase: bool, count: int) -> None:
    """Name the known words when a minimum frequency leaves few (``count``, known_word_count)."""
    if count >= FEW_KNOWN_WORDS or spec.min_freq <= 1:
        return
    words = text.vocabulary_of(token_counts(dataset, lowercase), spec.vocab_size, spec.min_freq)
    shown = ", ".join(f"“{w}”" for w in words[:5]) + (", …" if count > 5 else "")
    verb = "appears" if count == 1 else "appear"
    st.warning(f"Only {_words(count)} {verb} at least {spec.min_freq:,} times in the training "
               f"texts ({escape_markdown(shown)}), so the model reads every other word as "
               "unknown and can hardly learn. Lower **Minimum word frequency**; 1 or 2 suits "
               "most data.", icon=":material/warning:")


def _words(count: int) -> str:
    return f"{count:,} word{'' if count == 1 else 's'}"


def _size_line(description) -> str:
    """The parameter count; frozen uploaded vectors are not learned, so not counted as such."""
    total, learned = description.total_params, description.trainable_params
    if learned == total:
        return f"{total:,} parameters (the numbers it learns)"
    return (f"{total:,} parameters, of which it learns {learned:,} (the uploaded word "
            "vectors stay as they are)")


@st.cache_data(show_spinner=False, max_entries=64)
def _describe(spec: ModelSpec, task: str, n_classes: int, batch_size: int, vocab_len: int,
              class_names: tuple[str, ...]):
    return model_lib.describe_model(spec, task, n_classes, batch_size, vocab_len=vocab_len,
                                    class_names=class_names)


def model_summary(dataset, model: ModelSpec, train: TrainSpec, lowercase: bool) -> None:
    """Parameter count in one line; the layer table and shape walk-through on demand."""
    known = known_word_count(dataset, model, lowercase)
    vocab_len = max(1, known) + 2  # the vectorizer's size: padding and unknown too
    with st.spinner("Building the network to count its parameters…"):
        try:
            # A batch never holds more texts than there are (QA: "2048 texts" for 441).
            batch = min(train.batch_size, len(dataset.train.texts))
            description = _describe(model, dataset.task, dataset.n_classes, batch, vocab_len,
                                    tuple(dataset.class_names))
        except StudioError as err:
            widgets.show_error(err)
            return
    st.markdown(f"**{presets.architecture_name(model)}** · {_size_line(description)} · "
                f"{_words(known)} known")
    _few_words_warning(dataset, model, lowercase, known)
    with st.expander("What the network looks like", icon=":material/account_tree:"):
        st.markdown("How one batch of texts flows through the network:")
        # Escaped: a two-class walk-through names a class, the user's text.
        st.markdown("\n".join(f"{i}. {escape_markdown(step)}"
                              for i, step in enumerate(description.walkthrough, 1)))
        table = pd.DataFrame([{"Layer": layer.name, "Keras layer": layer.kind,
                               "Output shape": layer.output_shape, "Parameters": layer.params}
                              for layer in description.layers])
        # Every layer in view: at the default height the output layer was cut off (QA).
        st.dataframe(table, hide_index=True, height=widgets.whole_table_height(len(table)),
                     column_config={"Parameters": widgets.WHOLE_NUMBER})
        st.caption(f"Total parameters: {description.total_params:,} "
                   f"({description.trainable_params:,} learned in training).")
