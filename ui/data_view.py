"""The Data page's pieces: loading a CSV or sample, choosing columns, preparing, previewing."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from core import data, data_charts
from core.config import DataSpec
from core.errors import DataError, NoDataRowsError
from core.explain import escape_markdown
from ui import cleaning_view, plots, state, widgets
from ui.task_view import TASK_AUTO

DEFAULTS = {state.W_TASK: TASK_AUTO, **cleaning_view.DEFAULTS}
CHART_HEIGHT = 320
SPLIT_NAMES = {"train": "Training", "valid": "Validation", "test": "Test"}


def init_defaults() -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


# ---------------------------------------------------------------- loading

def _use_frame(frame: pd.DataFrame, source: str, frame_key: str, text_columns,
               label_column) -> None:
    """A new file or sample: its columns suggested, and the task back to "decide"."""
    st.session_state[state.FRAME] = frame
    st.session_state[state.FRAME_SOURCE] = source
    st.session_state[state.FRAME_KEY] = frame_key
    st.session_state[state.W_TEXT_COLUMNS] = list(text_columns)
    st.session_state[state.W_LABEL_COLUMN] = label_column
    st.session_state[state.W_TASK] = TASK_AUTO
    st.session_state.pop(state.LABEL_TOOK_TEXT, None)  # it named another file's columns
    st.session_state[state.LOADED_NOW] = source  # said in a toast once prepared (pages/data.py)


def sample_picker() -> None:
    """Selectbox of the bundled samples and the button that loads one."""
    samples = {sample.key: sample for sample in data.sample_datasets()}
    st.session_state.setdefault(state.W_SAMPLE, next(iter(samples)))
    key = st.selectbox("Sample dataset", list(samples), key=state.W_SAMPLE,
                       format_func=lambda k: samples[k].title)
    st.caption(samples[key].description)
    if st.button("Use sample data", key=state.W_USE_SAMPLE, type="primary",
                 icon=":material/auto_awesome:"):
        sample = samples[key]
        try:
            frame = data.load_sample(key)
        except DataError as err:
            widgets.show_error(err)
            return
        _use_frame(frame, sample.title, f"sample:{key}", sample.text_columns,
                   sample.label_column)


def csv_uploader() -> None:
    """Read an upload once per header choice; a bad read leaves the loaded data as it was."""
    uploaded = st.file_uploader("Upload a CSV file", type=["csv", "tsv", "txt"], key=state.W_UPLOAD,
                                help="One row per text, with a column of texts and a column of "
                                     "labels (categories or numbers) to predict.")
    if uploaded is None:
        return
    read = st.session_state.get(state.UPLOAD_READ)
    if read is None or read["file_id"] != uploaded.file_id:
        read = _read_upload(uploaded, header=None)  # a new file: the reader guesses
    elif read["offer_header"]:
        wanted = st.session_state.get(state.W_HAS_HEADER, read["header"])
        if wanted != read["header"]:  # the user corrected the guess: read the same bytes again
            read = _read_upload(uploaded, header=wanted, digest=read["digest"])
    if read["error"]:
        _refused_upload(read["error"])
    # Hidden while a sample is loaded over this upload: the box belongs to the upload's data.
    loaded = str(st.session_state.get(state.FRAME_KEY)).startswith(f"upload:{read['digest']}:")
    if read["offer_header"] and (loaded or read["error"]):
        _header_choice()
    if not loaded and not read["error"]:
        _offer_upload_again(uploaded, read)


def _offer_upload_again(uploaded, read: dict) -> None:
    """The box still shows a file after a sample replaced it: say so, and offer it back."""
    in_use = escape_markdown(st.session_state.get(state.FRAME_SOURCE, "other data"))
    st.caption(f"Not in use: the page now uses **{in_use}**.")
    if st.button("Use this file again", key=state.W_USE_UPLOAD, icon=":material/upload_file:"):
        _read_upload(uploaded, header=read["header"], digest=read["digest"])  # as it was read
        st.rerun()


def _read_upload(uploaded, header: bool | None, digest: str | None = None) -> dict:
    """Read ``uploaded`` (``header`` None: guessed) and remember how it went in UPLOAD_READ."""
    digest = digest or hashlib.sha1(uploaded.getvalue()).hexdigest()[:16]
    read = {"file_id": uploaded.file_id, "digest": digest, "header": header, "error": None,
            "offer_header": True}
    try:
        frame = data.read_csv(uploaded, name=uploaded.name, header=header)
    except NoDataRowsError as err:  # its only row became the column names; it may be data
        # QA20: the header box under the error read as if about another file: it says why.
        read.update(header=True if header is None else header,
                    error=f"{err} If that one row is a text, not column names, untick “The "
                          "first row holds column names” below.")
    except DataError as err:
        # A failed guess is not about the header (empty, binary, ...): no choice to offer. A
        # failed forced choice keeps the control, so the user can switch back.
        read.update(error=str(err), offer_header=header is not None)
    else:
        read["header"] = frame.attrs["has_header"]
        frame_key = f"upload:{digest}:{'header' if read['header'] else 'no-header'}"
        # Switching back to the reading still loaded (after a refused one) keeps its choices.
        if header is None or frame_key != st.session_state.get(state.FRAME_KEY):
            suggestion = data.suggest_columns(frame)
            _use_frame(frame, uploaded.name, frame_key, suggestion.text_columns,
                       suggestion.label_column)
    st.session_state[state.UPLOAD_READ] = read
    if header is None and read["offer_header"]:
        st.session_state[state.W_HAS_HEADER] = read["header"]  # the box starts at the guess
    return read


def _header_choice() -> None:
    """The reader only guesses whether the first row is a header; the user can correct it."""
    st.checkbox("The first row holds column names", key=state.W_HAS_HEADER,
                help="Ticked, the first row names the columns and is not used as data. "
                     "Unticked, it is a row of data and the columns are called column_1, "
                     "column_2, …")
    st.caption("LSTM Studio guesses this from the file. Untick it if your first row is a text, "
               "not column names; tick it if column names show up as a row in the preview.")


def reading_notes(frame: pd.DataFrame) -> None:
    """What the reader had to guess or leave out, so a misread file does not pass unseen."""
    _header_note()
    unnamed = frame.attrs.get("unnamed_columns") or []
    if unnamed:
        names = ", ".join(f"“{escape_markdown(str(name))}”" for name in unnamed)
        separator = escape_markdown(str(frame.attrs.get("delimiter", ",")))
        st.warning(f"The header names fewer columns than the rows hold, so {names} got a made-up "
                   f"name. If your texts contain the separator “{separator}”, each text needs "
                   "quotes around it; check the columns in the preview below.",
                   icon=":material/table_chart:")
    nameless = frame.attrs.get("nameless_columns") or []
    if nameless:
        names = ", ".join(f"“{escape_markdown(str(name))}”" for name in nameless)
        one = len(nameless) == 1
        st.info(f"{'A column has' if one else 'Some columns have'} no name in the file's header, "
                f"so {'it is' if one else 'they are'} called {names} here, after "
                f"{'its place' if one else 'their places'}. Check the preview below.",
                icon=":material/table_chart:")
    skipped = frame.attrs.get("skipped_rows") or 0
    if skipped:
        lines, verb = ("lines", "were") if skipped != 1 else ("line", "was")
        st.warning(f"{skipped:,} {lines} had more fields than the others and {verb} left out"
                   f"{widgets.which_lines(frame.attrs.get('skipped_lines'))}.",
                   icon=":material/table_chart:")
    merged = frame.attrs.get("merged_lines") or []
    if merged:
        st.warning(f"A quotation mark (\") opened{widgets.which_lines(merged, 'on')} is not "
                   "closed on that line, so the lines after it, up to the next quotation mark, "
                   "were read into the same text. If that is a mistake, fix the line in a "
                   "spreadsheet or text editor and upload the file again.",
                   icon=":material/table_chart:")


def _header_note() -> None:
    """How an uploaded file's first row was read, once the header box has gone with the upload.

    Streamlit empties the uploader when the user leaves the page; the data stays loaded.
    """
    key = str(st.session_state.get(state.FRAME_KEY, ""))
    if not key.startswith("upload:") or st.session_state.get(state.W_UPLOAD) is not None:
        return  # a sample, or the box under the upload shows it
    how = ("as data (so the columns are called column_1, column_2, …)"
           if key.endswith(":no-header") else "as column names")
    st.caption(f"Its first row was read {how}. To read it the other way, upload the file again "
               "and use the box under it.")


def _refused_upload(error) -> None:
    """The file's problem, and which data the page still uses (a bad file changes nothing)."""
    widgets.show_error(error)
    if st.session_state.get(state.FRAME) is not None:
        kept = escape_markdown(st.session_state.get(state.FRAME_SOURCE, ""))
        st.warning(f"Nothing changed: the page below still uses **{kept}**, loaded before.",
                   icon=":material/undo:")


# ---------------------------------------------------------------- choosing columns

def _drop_stale_choices(columns: list[str]) -> None:
    """Choices made for another file would make the widgets fail."""
    chosen = st.session_state.get(state.W_TEXT_COLUMNS) or []
    st.session_state[state.W_TEXT_COLUMNS] = [c for c in chosen if c in columns]
    if st.session_state.get(state.W_LABEL_COLUMN) not in columns:
        st.session_state[state.W_LABEL_COLUMN] = None


def _label_out_of_texts(label_column: str | None) -> bool:
    """The label column never doubles as a text column: the model would read its answer."""
    chosen = st.session_state.get(state.W_TEXT_COLUMNS) or []
    if label_column not in chosen:
        return False
    kept = [c for c in chosen if c != label_column]
    st.session_state[state.W_TEXT_COLUMNS] = kept
    st.session_state[state.LABEL_TOOK_TEXT] = (label_column, chosen, kept)
    return True


def _text_column_back(label_column: str | None) -> str | None:
    """The text column the label took, back in its place once the label moves on.

    Only while the texts are as the label left them: a choice the user made since wins.
    """
    took = st.session_state.get(state.LABEL_TOOK_TEXT)
    if not took or took[0] == label_column:
        return None
    st.session_state.pop(state.LABEL_TOOK_TEXT)
    column, before, after = took
    if (st.session_state.get(state.W_TEXT_COLUMNS) or []) != after:
        return None
    st.session_state[state.W_TEXT_COLUMNS] = [c for c in before if c != label_column]
    return column


def column_choice(frame: pd.DataFrame) -> tuple[list[str], str | None]:
    columns = [str(c) for c in frame.columns]
    _drop_stale_choices(columns)
    label_now = st.session_state.get(state.W_LABEL_COLUMN)
    label_removed = _label_out_of_texts(label_now)
    text_back = None if label_removed else _text_column_back(label_now)
    left, right = st.columns(2)
    text_columns = left.multiselect(
        "Text column(s): what the model reads", [c for c in columns if c != label_now],
        key=state.W_TEXT_COLUMNS,
        help="Several columns are joined into one text, e.g. title + \". \" + body. "
             "The label column is not offered: the model must not read the answer.")
    if label_removed:
        left.caption(f"'{escape_markdown(label_now)}' is the label column now, so the model "
                     "no longer reads it as text.")
    if text_back:
        left.caption(f"'{escape_markdown(text_back)}' is no longer the label, so the model "
                     "reads it as text again.")
    label_column = right.selectbox(
        "Label column: what the model should predict", columns, key=state.W_LABEL_COLUMN,
        index=None, placeholder="Choose the column with the answers", on_change=_label_changed)
    return text_columns, label_column


def _label_changed() -> None:
    """A task chosen for one label column is not carried to another: a rating forced to be a
    number stayed a number when the label became a yes/no column (QA23)."""
    if st.session_state.get(state.W_TASK, TASK_AUTO) != TASK_AUTO:
        st.session_state[state.W_TASK] = TASK_AUTO
        st.toast("Another label column: “What to predict” is back to “Let LSTM Studio "
                 "decide”. Choose again if you want.", icon=":material/info:")


# ---------------------------------------------------------------- preparing

def prepare(frame: pd.DataFrame, spec: DataSpec) -> data.Dataset | None:
    """Prepare once per (file, settings); the result or a plain error is remembered."""
    ss = st.session_state
    wanted = (ss.get(state.FRAME_KEY), spec)
    remembered = ss.get(state.PREPARED_FROM)
    if remembered is None or remembered[:2] != wanted:
        try:
            with st.spinner("Preparing the data…"):
                dataset, error = data.prepare_dataset(frame, spec, _cleaned(frame, spec)), None
        except DataError as err:
            dataset, error = None, str(err)
        ss[state.DATASET] = dataset
        ss[state.DATA_SPEC] = spec if dataset is not None else None
        ss[state.PREPARED_FROM] = (*wanted, error)
    error = ss[state.PREPARED_FROM][2]
    if error:
        widgets.show_error(error)
    return ss.get(state.DATASET)


def _cleaned(frame: pd.DataFrame, spec: DataSpec) -> data.CleanedTexts:
    """The file's texts cleaned once per text columns and cleaning: another label reuses them."""
    wanted = (st.session_state.get(state.FRAME_KEY), data.cleaned_by(spec))
    remembered = st.session_state.get(state.CLEANED_TEXTS)
    if remembered is None or remembered[0] != wanted:
        st.session_state[state.CLEANED_TEXTS] = remembered = (wanted, data.clean_texts(frame, spec))
    return remembered[1]


def run_data_note(source: str) -> None:
    """The data came back from a run (Model & Train, after a reload): there is no file."""
    st.info(f"In use: the texts of **{escape_markdown(source)}** with the training, validation "
            "and test split of the run they came from. To choose other columns, cleaning or "
            "split, load the file or sample again above.", icon=":material/replay:")


FEW_TRAINING_TEXTS = 100  # below this, a warning: useful models need a few hundred or more


def summary(dataset: data.Dataset) -> None:
    s = dataset.summary
    dropped = s.rows_in - s.rows_used
    row = widgets.wrapping_row()
    row.metric("Texts used", f"{s.rows_used:,}")
    row.metric("Rows dropped", f"{dropped:,}",
               help=f"{s.dropped_missing_label:,} without a label, {s.dropped_empty:,} with "
                    f"no words (empty, or only punctuation), {s.dropped_duplicates:,} duplicates.")
    for name, part in dataset.splits().items():
        row.metric(f"{SPLIT_NAMES[name]} texts", f"{len(part.texts):,}")
    # In sight, not only in the tooltip: cutting texts to a few words can make many of
    # them the same, and they then go (browser QA).
    reasons = [f"{count:,} {why}" for count, why in (
        (s.dropped_missing_label, "without a label"), (s.dropped_empty, "with no words left"),
        (s.dropped_duplicates, "with the same text as another row after cleaning")) if count]
    if reasons:
        st.caption(f"Rows dropped: {'; '.join(reasons)}.")
    training = len(dataset.train.texts)
    if training < FEW_TRAINING_TEXTS:  # QA: 3 training texts and "The data is ready"
        st.warning(f"The model would learn from only {training:,} training "
                   f"text{'s' if training != 1 else ''}: too few to learn much from, so "
                   "expect answers not much better than guessing. Add rows, or make the "
                   "validation and test shares smaller.",
                   icon=":material/warning:")
    st.caption("The model learns from the training texts, checks itself on the validation texts "
               "after every epoch, and is scored once on the test texts at the end.")


def _all_labels(dataset: data.Dataset) -> pd.Series:
    values = [y for part in dataset.splits().values() for y in part.y.tolist()]
    if dataset.is_classification:
        return pd.Series([dataset.class_names[i] for i in values])
    return pd.Series(values, dtype=float)


def preview(frame: pd.DataFrame | None, dataset: data.Dataset | None) -> None:
    """The file's first rows (when there is a file), the class balance and text lengths."""
    if frame is not None:
        st.dataframe(frame.head(50), height=230, hide_index=True, placeholder=widgets.BLANK_CELL)
    if dataset is None:
        return
    left, right = st.columns(2)
    balance, lengths, note = _preview_charts(dataset)
    for column, figure in ((left, balance), (right, lengths)):
        plots.plotly(figure, column)
    if note:
        right.caption(note)


def _preview_charts(dataset: data.Dataset) -> tuple:
    """The two charts and the note under them, drawn once per dataset: counting a million
    texts' words on every click took 0.2 s of it."""
    remembered = st.session_state.get(state.PREVIEW_CHARTS)
    if remembered is None or remembered[0] is not dataset:
        texts = [t for part in dataset.splits().values() for t in part.texts]
        counts = data_charts.word_counts(texts)
        charts = (data_charts.class_balance(_all_labels(dataset)),
                  data_charts.text_lengths(texts, counts=counts),
                  data_charts.longer_texts_note(counts))
        for figure in charts[:2]:
            figure.update_layout(height=CHART_HEIGHT)
        st.session_state[state.PREVIEW_CHARTS] = remembered = (dataset, charts)
    return remembered[1]
