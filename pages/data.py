"""1 · Data: load a CSV or a sample, choose the columns, clean and split it."""

from ui import links

# First, before the imports that load TensorFlow: see run_inside_app.
links.run_inside_app()

import streamlit as st  # noqa: E402

from core.config import DataSpec  # noqa: E402
from core.explain import escape_markdown  # noqa: E402
from ui import cleaning_view, data_view, state, task_view, tokens_view, widgets  # noqa: E402


def loaded_toast(source: str, said: str, ready: bool) -> None:
    """In sight wherever the page is scrolled: at 1024×768 "The data is ready" is far below
    the sample button (QA)."""
    st.toast(f"“{escape_markdown(source)}” {said}.",
             icon=":material/check_circle:" if ready else ":material/info:")


st.title("1 · Data")
st.write("Choose the texts the model should learn from and the answer it should predict. "
         "Start with a sample, or upload your own CSV file.")
data_view.init_defaults()

sample_col, upload_col = st.columns(2, border=True)
with sample_col:
    st.header("Try a sample")
    data_view.sample_picker()
with upload_col:
    st.header("Or upload your own CSV")
    data_view.csv_uploader()

frame = st.session_state.get(state.FRAME)
dataset = st.session_state.get(state.DATASET)
if frame is None and dataset is not None:  # a run's data, brought back on Model & Train
    st.header("Your data")
    data_view.run_data_note(st.session_state.get(state.FRAME_SOURCE, ""))
    data_view.summary(dataset)
    data_view.preview(None, dataset)
    tokens_view.model_view(dataset, st.session_state[state.DATA_SPEC].clean.lowercase)
if frame is None:
    st.stop()

source = escape_markdown(st.session_state.get(state.FRAME_SOURCE, ""))
st.header("Which columns?")
st.caption(f"Loaded **{source}**: {len(frame):,} rows, {len(frame.columns)} columns.")
data_view.reading_notes(frame)
text_columns, label_column = data_view.column_choice(frame)
task, ordered, merge_case = task_view.task_choice(frame, label_column)
clean, valid_share, test_share, seed = cleaning_view.cleaning_and_split()

loaded_now = st.session_state.pop(state.LOADED_NOW, None)  # loaded by this click
if not text_columns or not label_column:
    if loaded_now:
        loaded_toast(loaded_now, "is loaded: choose its columns below", ready=False)
    st.info("Choose at least one text column and the label column to continue. (A label column "
            "holds the answers to learn: 2 to 50 categories, or numbers such as ratings.)")
    data_view.preview(frame, None)
    st.stop()

spec = DataSpec(text_columns=tuple(text_columns), label_column=label_column, task=task,
                ordered=ordered, merge_label_case=merge_case, clean=clean,
                valid_fraction=valid_share,
                test_fraction=test_share, seed=seed)
dataset = data_view.prepare(frame, spec)
if loaded_now:
    loaded_toast(loaded_now, "is ready: next, **Model & Train**" if dataset else
                 "needs a change: see below", ready=dataset is not None)

st.header("Your data")
if dataset is not None:
    data_view.summary(dataset)
    # A wrapping row: a quarter column cut the link to "Next: Model & Tr" at 1024 px.
    with widgets.wrapping_row(vertical_alignment="center"):
        st.success("The data is ready. Next, choose a network and train it.")
        links.page_link("pages/train.py", label="Next: Model & Train →")
data_view.preview(frame, dataset)
if dataset is not None:
    tokens_view.model_view(dataset, clean.lowercase)
