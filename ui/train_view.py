"""The Model & Train page's settings: presets, architecture controls, word vectors, Train."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core import config, jobs, presets
from core import model as model_lib
from core import vectors as vectors_lib
from core.config import ModelSpec, TrainSpec
from core.errors import SpecError, StudioError
from core.explain import escape_markdown
from ui import services, state, widgets
from ui.network_view import token_counts

PRESETS = {item.key: item for item in presets.PRESETS}
LEARNING_RATES = (0.0001, 0.0003, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1)
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)
RNN_LABELS = {"lstm": "LSTM", "gru": "GRU"}
# The report's words for them (core.presets), as a choice: "The final state (default)".
POOLING_LABELS = {key: words[0].upper() + words[1:] + (" (default)" if key == "last" else "")
                  for key, words in presets.POOLING_WORDS.items()}
VECTORS_NOT_USED = "Until then, Train learns its own word vectors, as without a file."
GLOVE_CHECK_WORDS = 20_000  # the most frequent training words looked up in uploaded vectors
UPLOADS_FOLDER = "_uploads"  # inside the run store; not a run id, so never listed as a run


def _nearest(value, options):
    return min(options, key=lambda option: abs(option - value))


def _control_values(model: ModelSpec, train: TrainSpec) -> dict:
    values = {
        state.W_RNN: model.rnn, state.W_LAYERS: len(model.units),
        state.W_BIDIRECTIONAL: model.bidirectional, state.W_POOLING: model.pooling,
        state.W_DROPOUT: model.dropout, state.W_RECURRENT_DROPOUT: model.recurrent_dropout,
        state.W_DENSE: presets.format_layer_sizes(model.dense_layers),
        state.W_EMBEDDING_DIM: model.embedding_dim,
        state.W_TRAINABLE_EMBEDDING: model.trainable_embedding, state.W_VOCAB: model.vocab_size,
        state.W_MAX_TOKENS: model.max_tokens, state.W_MIN_FREQ: model.min_freq,
        state.W_OPTIMIZER: train.optimizer,
        state.W_LEARNING_RATE: _nearest(train.learning_rate, LEARNING_RATES),
        state.W_BATCH_SIZE: _nearest(train.batch_size, BATCH_SIZES), state.W_EPOCHS: train.epochs,
        state.W_EARLY_STOP: train.early_stopping_patience is not None,
        state.W_PATIENCE: train.early_stopping_patience or 3,
        state.W_CLASS_WEIGHTS: train.class_weights, state.W_TRAIN_SEED: train.seed,
    }
    for i, key in enumerate(state.W_UNITS_PER_LAYER):
        values[key] = model.units[min(i, len(model.units) - 1)]
    return values


def _apply_preset(n_train: int) -> None:
    model, train = PRESETS[st.session_state[state.W_PRESET]].for_rows(n_train)
    st.session_state.update(_control_values(model, train))
    st.session_state[state.CONTROLS_ROWS] = n_train
    st.session_state[state.PRESET_APPLIED] = st.session_state[state.W_PRESET]


def init_controls(n_train: int) -> None:
    """First visit: every control starts at the recommended preset. A preset picked in the
    box whose on_change never ran is applied here (QA, once: Tiny picked, BiLSTM 64 trained)."""
    if state.W_PRESET not in st.session_state:
        st.session_state[state.W_PRESET] = presets.DEFAULT_PRESET
    picked = st.session_state[state.W_PRESET]
    if state.W_RNN not in st.session_state or st.session_state.get(state.PRESET_APPLIED,
                                                                      picked) != picked:
        _apply_preset(n_train)
    else:
        _follow_new_data(n_train)


def _batch_size_for(n_train: int) -> int:
    _, train = PRESETS[st.session_state[state.W_PRESET]].for_rows(n_train)
    return _nearest(train.batch_size, BATCH_SIZES)


def _follow_new_data(n_train: int) -> None:
    """Data of another size: a batch size the preset chose for the old data follows the new.

    Presets shrink the batch for a small training split. Without this, loading bigger
    data kept the small batch and blamed the user ("1 setting changed"). A batch size
    the user set stays.
    """
    before = st.session_state.get(state.CONTROLS_ROWS)
    if before is not None and before != n_train and \
            st.session_state.get(state.W_BATCH_SIZE) == _batch_size_for(before):
        st.session_state[state.W_BATCH_SIZE] = _batch_size_for(n_train)
    st.session_state[state.CONTROLS_ROWS] = n_train


def _changed_settings(n_train: int) -> list[str]:
    """The control keys whose value differs from the chosen preset's (the ones in use)."""
    model, train = PRESETS[st.session_state[state.W_PRESET]].for_rows(n_train)
    wanted = _control_values(model, train)
    unused = set(state.W_UNITS_PER_LAYER[int(st.session_state.get(state.W_LAYERS, 1)):])
    if not st.session_state.get(state.W_EARLY_STOP):
        unused.add(state.W_PATIENCE)
    return [key for key, value in wanted.items()
            if key not in unused and st.session_state.get(key, value) != value]


def preset_picker(n_train: int) -> None:
    choice = st.selectbox("Start from a preset", list(PRESETS), key=state.W_PRESET,
                          format_func=lambda k: PRESETS[k].title, on_change=_apply_preset,
                          args=(n_train,))
    changed = _changed_settings(n_train)
    if not changed:
        st.caption(PRESETS[choice].description)
        return
    many = len(changed) > 1
    # One under the other: a column beside the caption cut the button to "Back t…" at 800 px.
    st.caption(f"Your own settings: {len(changed)} setting{'s' if many else ''} changed from "
               "this preset under “Adjust the network”.")
    st.button("Back to the preset", key=state.W_PRESET_RESET, on_click=_apply_preset,
              args=(n_train,), help="Puts every setting back to the preset's values.")


def offer_run_data(run_store, run_id: str) -> None:
    """One click to train on the data and settings of the run shown, when the session has
    no data: a reload or a closed tab ends the session (and its loaded data), not the runs."""
    if not jobs.has_training_data(run_store, run_id):
        return
    spec = run_store.spec(run_id)
    source = spec.get("source") or run_store.info(run_id).name
    if not st.button(f"Use the data and settings of the run below again ({source})",
                     key=state.W_REUSE_RUN_DATA, icon=":material/replay:",
                     help="The same texts, the same training, validation and test split, and "
                          "the same network and training settings."):
        return
    try:
        dataset, data_spec, source = jobs.run_data(run_store, run_id)
    except StudioError as err:
        widgets.show_error(err)
        return
    st.session_state[state.DATASET], st.session_state[state.DATA_SPEC] = dataset, data_spec
    st.session_state[state.FRAME_SOURCE] = source
    _use_run_settings(spec, len(dataset.train.texts))
    st.rerun()


def _use_run_settings(spec: dict, n_train: int) -> None:
    """The controls set as the run had them (QA19: its data came back, but the controls stayed
    at the recommended BiLSTM 64, so Train trained another, slower network). The preset box
    shows the preset that gives these settings, if one does; its uploaded vectors come back too."""
    model, train = config.model_from_dict(spec["model"]), config.train_from_dict(spec["train"])
    ss = st.session_state
    ss.update(_control_values(model, train))
    ss[state.W_PRESET] = next((key for key, preset in PRESETS.items()
                               if preset.for_rows(n_train) == (model, train)),
                              ss.get(state.W_PRESET, presets.DEFAULT_PRESET))
    ss[state.PRESET_APPLIED], ss[state.CONTROLS_ROWS] = ss[state.W_PRESET], n_train
    if model.glove_path:  # a file gone from the server is said, and dropped, when drawn
        ss[state.GLOVE_FILE] = {"name": vectors_lib.uploaded_name(model.glove_path),
                                "path": model.glove_path}
    else:
        ss.pop(state.GLOVE_FILE, None)


# ---------------------------------------------------------------- controls

@dataclass(frozen=True)
class UploadedVectors:
    """Word vectors the user uploaded and this session trains with (until Remove)."""

    name: str  # the file's name as uploaded
    path: str  # its copy in the run store
    size: int  # numbers per word


def _words_controls(vectors: UploadedVectors | None) -> None:
    st.markdown("**Words**")
    st.number_input("Vocabulary size (words the model knows)", 100, 500_000, step=1000,
                    key=state.W_VOCAB, help="The most frequent words of the training texts; "
                    "every other word becomes 'unknown'.")
    st.number_input("Tokens read per text", 5, 5000, step=10, key=state.W_MAX_TOKENS,
                    help="Longer texts are cut; shorter ones are padded (the padding is skipped).")
    st.number_input("Minimum word frequency", 1, 1000, key=state.W_MIN_FREQ,
                    help="Words seen fewer times in the training texts are treated as unknown.")
    if vectors is None:
        st.number_input("Word vector size (embedding)", 2, 1024, step=8, key=state.W_EMBEDDING_DIM,
                        help="How many numbers describe each word.")
        return
    # The uploaded file decides the size: show it, and keep the user's own size for later.
    st.session_state[state.W_EMBEDDING_DIM] = st.session_state[state.W_EMBEDDING_DIM]
    st.session_state[state.W_VECTOR_SIZE_SHOWN] = vectors.size
    # No upper bound: a 1,100-number file showed "2" in a box bounded at 1,024 (QA).
    st.number_input("Word vector size (embedding)", min_value=1, key=state.W_VECTOR_SIZE_SHOWN,
                    disabled=True, help="Set by the uploaded word vectors. Remove them to "
                    "choose the size yourself.")


def _network_controls() -> None:
    st.markdown("**Network**")
    st.radio("Recurrent layer", list(RNN_LABELS), key=state.W_RNN, horizontal=True,
             format_func=RNN_LABELS.get, help="GRU is a slightly simpler, often faster, cousin of LSTM.")
    layers = st.number_input("Stacked layers", 1, 4, key=state.W_LAYERS)
    row = widgets.wrapping_row()
    for i in range(int(layers)):
        # A layer added for the first time starts as wide as the one before it.
        previous = st.session_state.get(state.W_UNITS_PER_LAYER[max(i - 1, 0)], 64)
        st.session_state.setdefault(state.W_UNITS_PER_LAYER[i], previous)
        row.number_input(f"Units {i + 1}", 1, 1024, step=8, key=state.W_UNITS_PER_LAYER[i])
    st.toggle("Read both ways (bidirectional)", key=state.W_BIDIRECTIONAL,
              help="Reads each text left to right and right to left, and uses both. Often "
                   "more accurate; training takes about twice as long.")
    st.selectbox("Summarise each text by", list(POOLING_LABELS), key=state.W_POOLING,
                 format_func=POOLING_LABELS.get,
                 help="How the network turns what it read into one summary before it decides. "
                      "The final state is what it holds after the last word; the average and "
                      "the strongest signal look at every word, which can help with long texts.")
    st.slider("Dropout", 0.0, 0.9, step=0.05, key=state.W_DROPOUT,
              help="Randomly silences some numbers while training, so the model memorises less.")
    st.slider("Recurrent dropout", 0.0, 0.9, step=0.05, key=state.W_RECURRENT_DROPOUT,
              help="Dropout inside the LSTM/GRU steps; makes training much slower.")
    st.text_input("Dense layers after the LSTM/GRU", key=state.W_DENSE, placeholder="e.g. 64, 32",
                  help="Sizes separated by commas; leave empty for none.")


def _training_controls(classification: bool) -> None:
    st.markdown("**Training**")
    st.selectbox("Optimizer", model_lib.OPTIMIZERS, key=state.W_OPTIMIZER)
    st.select_slider("Learning rate", LEARNING_RATES, key=state.W_LEARNING_RATE,
                     help="How big each correction step is. Too big: the loss jumps around.")
    st.select_slider("Batch size", BATCH_SIZES, key=state.W_BATCH_SIZE,
                     help="Texts per training step.")
    st.number_input("Epochs (passes over the training texts)", 1, 1000, key=state.W_EPOCHS)
    st.toggle("Early stopping", key=state.W_EARLY_STOP,
              help="Stop training when the validation loss has not improved for a few epochs "
                   "in a row (the patience), and keep the best model.")
    st.number_input("Patience (epochs)", 1, 100, key=state.W_PATIENCE,
                    disabled=not st.session_state[state.W_EARLY_STOP],
                    help="How many epochs in a row without a better validation loss before "
                         "early stopping ends the training.")
    if classification:
        st.checkbox("Balance rare classes (class weights)", key=state.W_CLASS_WEIGHTS)
    st.number_input("Random seed", 0, 2**31 - 1, key=state.W_TRAIN_SEED)


def controls(dataset, lowercase: bool) -> UploadedVectors | None:
    """All architecture and training controls; returns the uploaded vectors in use, if any."""
    with st.expander("Adjust the network (optional)", icon=":material/tune:"):
        vectors = glove_upload(dataset, lowercase)
        # Groups of a fixed width wrap in a narrow window: at 1024 px, three shrinking
        # groups broke "bidirectional" in the middle of the word (browser QA).
        with widgets.wrapping_row(gap="medium"):
            with st.container(width=widgets.SETTINGS_GROUP_WIDTH):
                _words_controls(vectors)
            with st.container(width=widgets.SETTINGS_GROUP_WIDTH):
                _network_controls()
            with st.container(width=widgets.SETTINGS_GROUP_WIDTH):
                _training_controls(dataset.is_classification)
    if vectors is not None:  # also said outside the (usually closed) expander
        st.caption(f"Trains with the word vectors from {escape_markdown(vectors.name)} "
                   "(see Adjust the network).")
    return vectors


def _save_upload(uploaded) -> str:
    content = uploaded.getvalue()
    folder = services.store().home / UPLOADS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / vectors_lib.stored_name(content, uploaded.name)
    if not path.exists():
        temp = path.with_suffix(".part")
        temp.write_bytes(content)
        temp.replace(path)
    return str(path)


@st.cache_data(show_spinner="Checking the word vectors…", max_entries=8)
def _check_vectors(path: str, words: tuple[str, ...]) -> tuple[int, int]:
    """(numbers per word, how many of ``words`` have a vector); SpecError for a bad file."""
    return vectors_lib.check_vectors(path, list(words))


def _stop_using_vectors() -> None:
    st.session_state.pop(state.GLOVE_FILE, None)


def glove_upload(dataset, lowercase: bool) -> UploadedVectors | None:
    """Optional pre-trained vectors (GloVe text format), saved once in the run store.

    Once checked, they stay in use for the session (across pages) until Remove: the
    uploader is a widget, and Streamlit empties it when the page is left.
    """
    words = tuple(w for w, _ in token_counts(dataset, lowercase).most_common(GLOVE_CHECK_WORDS))
    in_use = st.session_state.get(state.GLOVE_FILE)
    if in_use is None:
        uploaded = st.file_uploader("Pre-trained word vectors (optional, GloVe .txt)",
                                    type=["txt", "gz", "zip"], key=state.W_GLOVE,
                                    help="Each line: a word, then its numbers. Words missing "
                                         "from the file start with random vectors. A .gz, or "
                                         "a .zip of one file, is unpacked as it is read.")
        if uploaded is None:
            return None
        path = _save_upload(uploaded)
        try:
            _check_vectors(path, words)
        except SpecError as err:  # QA21: nothing said what Train would do instead
            widgets.show_error(f"{err} {VECTORS_NOT_USED}")
            return None
        st.session_state[state.GLOVE_FILE] = {"name": uploaded.name, "path": path}
        st.rerun()  # the uploader makes way for the file in use and its Remove button
    try:
        if not Path(in_use["path"]).is_file():
            raise SpecError("The uploaded word vectors are no longer on the server.")
        size, found = _check_vectors(in_use["path"], words)
    except SpecError as err:
        _stop_using_vectors()
        widgets.show_error(f"{err} Upload the file again to use it. {VECTORS_NOT_USED}")
        return None
    with st.container(border=True):
        note, remove = st.columns([5, 1], vertical_alignment="center")
        note.markdown(f"Using {size}-number vectors from the uploaded file "
                      f"**{escape_markdown(in_use['name'])}**: {found:,} of the {len(words):,} "
                      f"most frequent training words {'has' if found == 1 else 'have'} one; "
                      "the others start random.")
        remove.button("Remove", key=state.W_GLOVE_REMOVE, icon=":material/close:",
                      on_click=_stop_using_vectors, width="stretch",
                      help="Stop using these vectors: words start with random vectors again.")
        st.toggle("Fine-tune the uploaded vectors while training", key=state.W_TRAINABLE_EMBEDDING,
                  help="Off: the vectors stay frozen, which helps with little data.")
        low = vectors_lib.coverage_warning(found, len(words))
        if low:
            st.warning(low, icon=":material/translate:")
    return UploadedVectors(in_use["name"], in_use["path"], size)


def specs_from_controls(vectors: UploadedVectors | None,
                        controls=None) -> tuple[ModelSpec, TrainSpec]:
    """The specs the controls describe (``controls``: their values, the session's by
    default); SpecError if they are impossible."""
    ss = st.session_state if controls is None else controls
    glove_path = vectors.path if vectors else None
    size = vectors.size if vectors else int(ss[state.W_EMBEDDING_DIM])
    layers = int(ss[state.W_LAYERS])
    model = ModelSpec(
        rnn=ss[state.W_RNN], units=tuple(int(ss[k]) for k in state.W_UNITS_PER_LAYER[:layers]),
        bidirectional=bool(ss[state.W_BIDIRECTIONAL]), pooling=ss[state.W_POOLING],
        dropout=float(ss[state.W_DROPOUT]),
        recurrent_dropout=float(ss[state.W_RECURRENT_DROPOUT]),
        dense_layers=presets.parse_layer_sizes(ss[state.W_DENSE]),
        embedding_dim=size, glove_path=glove_path,
        trainable_embedding=bool(ss[state.W_TRAINABLE_EMBEDDING]) if glove_path else True,
        vocab_size=int(ss[state.W_VOCAB]), max_tokens=int(ss[state.W_MAX_TOKENS]),
        min_freq=int(ss[state.W_MIN_FREQ]))
    train = TrainSpec(
        optimizer=ss[state.W_OPTIMIZER], learning_rate=float(ss[state.W_LEARNING_RATE]),
        batch_size=int(ss[state.W_BATCH_SIZE]), epochs=int(ss[state.W_EPOCHS]),
        early_stopping_patience=int(ss[state.W_PATIENCE]) if ss[state.W_EARLY_STOP] else None,
        class_weights=bool(ss[state.W_CLASS_WEIGHTS]), seed=int(ss[state.W_TRAIN_SEED]))
    model_lib.validate_spec(model)
    return model, train


# ---------------------------------------------------------------- train

def run_name_box() -> None:
    """The optional name of the next run, emptied once a run has started under it (kept, it
    named the next run too, "reg-tiny 2", which the user had not asked for: browser QA)."""
    if st.session_state.pop(state.RUN_NAME_USED, False):
        st.session_state[state.W_RUN_NAME] = ""
    # A visible label: a placeholder alone is gone once typing starts (QA19).
    st.text_input("Run name (optional)", key=state.W_RUN_NAME, placeholder="e.g. week 3 demo")


def start_training(dataset, data_spec, model: ModelSpec, train: TrainSpec) -> str | None:
    """Queue a run; returns its id (or shows the error and returns None)."""
    source = st.session_state.get(state.FRAME_SOURCE, "")
    typed = (st.session_state.get(state.W_RUN_NAME) or "").strip()
    name = typed or f"{presets.architecture_name(model)} · {source}".strip(" ·")
    try:
        run_id = jobs.start_run(services.job_queue(), dataset, data_spec, model, train,
                                name=name[:80], source=source)
    except StudioError as err:
        widgets.show_error(err)
        return None
    st.session_state[state.RUN_NAME_USED] = bool(typed)
    return run_id


def note_run_on_other_data(store, run_id: str) -> None:
    """Say so when the run shown below learned from other data than the data loaded now."""
    try:
        spec = store.spec(run_id)
    except StudioError:  # a broken run: its panel says what is wrong
        return
    trained_on, loaded = spec.get("source"), st.session_state.get(state.FRAME_SOURCE)
    if trained_on and loaded and trained_on != loaded:
        # An import's source is its model file, which it did not learn from (browser QA).
        origin = "was imported from" if spec.get("imported") else "learned from"
        st.caption(f"The run below {origin} “{escape_markdown(str(trained_on))}”, not from "
                   f"the data loaded now (“{escape_markdown(str(loaded))}”). Press **Train** to "
                   "train on the new data.")
