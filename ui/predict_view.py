"""The Predict page's pieces: one typed text, a whole CSV file, and model files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import charts, importer, labels, predict_csv
from core.config import TASK_REGRESSION
from core.errors import NoDataRowsError, StudioError
from core.explain import escape_markdown
from core.report import safe_file_stem
from ui import explain_view, plots, services, shown_run, state, widgets

PREVIEW_ROWS = 1000
EXAMPLE_WORDS = (5, 80)  # an example short enough to read, long enough to mean something


def example_text(store, run_id: str) -> str:
    """A text from the run's own test split; empty for an imported model (it has none)."""
    texts, _ = explain_view.test_split(store, run_id)
    readable = [t for t in texts if EXAMPLE_WORDS[0] <= len(t.split()) <= EXAMPLE_WORDS[1]]
    return (readable or texts or [""])[0]


def _offer_example(run_id: str) -> None:
    """Fill the box with the run's own example until the user types a text of their own.

    A run without one (an imported model) keeps the text already there, or starts empty.
    """
    offered = st.session_state.get(state.PREDICT_EXAMPLE)
    if offered and offered[0] == run_id:
        return
    typed = st.session_state.get(state.W_PREDICT_TEXT)
    example = example_text(services.store(), run_id)
    untouched = typed is None or (offered and typed == offered[1])
    if untouched and (example or typed is None):
        st.session_state[state.W_PREDICT_TEXT] = example
    st.session_state[state.PREDICT_EXAMPLE] = (run_id, example)


def typed_text(predictor, label_column: str, run_id: str | None = None) -> None:
    _offer_example(run_id or st.session_state[state.W_PREDICT_RUN])
    text = st.text_area("Text", key=state.W_PREDICT_TEXT, height=110,
                        placeholder="Type or paste a text like the ones the model was trained on",
                        help="Press Ctrl+Enter (or click outside) to predict.")
    if not text.strip():
        st.info(widgets.TYPE_THEN_APPLY.format(what="the model's answer"))
        return
    if not predictor.reads_words(text):  # as a CSV row marked "no text": no made-up answer
        st.info(widgets.no_words_message(predictor, text))
        return
    widgets.reading_notes(predictor, text)
    scores = predictor.predict_fn([text])[0]
    if predictor.task == TASK_REGRESSION:
        st.metric(f"Predicted {label_column}", f"{scores[0]:.2f}")
        _value_range_note(predictor, label_column)
        return
    run_id = run_id or st.session_state[state.W_PREDICT_RUN]
    best, threshold_note = widgets.answer_index(services.store(), predictor, run_id, scores)
    shown = labels.named_classes(predictor.class_names, label_column)  # "rating 4", not "4"
    st.markdown(f"The model says {widgets.answer_words(shown, scores, best)}.")
    if threshold_note:
        st.caption(threshold_note)
    plots.plotly(charts.probability_bars(shown, scores, best), key="predict.probs")


def _value_range_note(predictor, label_column: str) -> None:
    if predictor.value_range:
        low, high = predictor.value_range
        st.caption(f"Answers stay between {low:g} and {high:g}, the lowest and highest "
                   f"{escape_markdown(label_column)} in the training texts.")


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{escape_markdown(name)}'" for name in names)


def _missing_columns_message(missing: list[str], trained_columns: list[str]) -> str:
    if not trained_columns:
        return ("This model does not say which column it read its texts from. "
                "Choose which column(s) of this file hold the texts.")
    many = len(missing) > 1
    trained = (f" (it read its texts from {_quoted(trained_columns)})"
               if len(trained_columns) > len(missing) else "")
    return (f"This file has no column{'s' if many else ''} named {_quoted(missing)}, which "
            f"the model was trained on{trained}. Choose which column(s) of this file hold "
            "the texts to predict.")


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


def _read_notes(frame) -> None:
    skipped = frame.attrs.get("skipped_rows") or 0
    if skipped:
        st.warning(f"{_rows(skipped)} of this file could not be read (more cells than the "
                   f"header row) and {'is' if skipped == 1 else 'are'} left out of the "
                   f"predictions{widgets.which_lines(frame.attrs.get('skipped_lines'))}.")


def _result_notes(out) -> None:
    column = escape_markdown(out.attrs.get("note_column", predict_csv.NOTE_COLUMN))
    without = out.attrs.get("rows_without_text") or 0
    if without:
        one = without == 1
        st.info(f"{without:,} of the {_rows(len(out))} {'has' if one else 'have'} no text "
                "(empty, or only spaces or punctuation), so the model gave "
                f"{'it' if one else 'them'} no prediction. {'It is' if one else 'They are'} "
                f"marked “{predict_csv.NO_TEXT}” in the {column} column.")
    unknown = out.attrs.get("rows_without_known_words") or 0
    if unknown:
        one = unknown == 1
        st.warning(f"The model knows none of the words of {unknown:,} of the {_rows(len(out))}, "
                   f"so {'its answer rests' if one else 'their answers rest'} on no word of "
                   f"{'its' if one else 'their'} text, however sure {'it looks' if one else 'they look'}. "
                   f"{'It is' if one else 'They are'} marked “no known word” in the {column} column.",
                   icon=":material/help:")


def _formula_note(cells: int) -> None:
    if cells:
        one = cells == 1
        st.caption(f"{cells:,} {'cell starts' if one else 'cells start'} with =, +, -, @ or a tab, "
                   f"as a spreadsheet formula does. In the download {'it begins' if one else 'they begin'} "
                   "with an apostrophe ('), so a spreadsheet shows the text instead of running it.")


def _text_columns(frame, trained_columns: list[str], chosen_for: tuple) -> list[str]:
    """The run's text columns if the file has them, else the user's choice.

    ``chosen_for`` (run, file, its columns) names what the choice was made for: another
    run or file starts again from a fresh guess instead of the columns picked for the last.
    """
    missing = [c for c in trained_columns if c not in frame.columns]
    if trained_columns and not missing:
        st.caption("Reading the text from the column(s) the model was trained on: "
                   + ", ".join(escape_markdown(c) for c in trained_columns) + ".")
        return trained_columns
    st.warning(_missing_columns_message(missing, trained_columns))
    if st.session_state.get(state.PREDICT_COLUMNS_FOR) != chosen_for:
        st.session_state[state.PREDICT_COLUMNS_FOR] = chosen_for
        st.session_state[state.W_PREDICT_COLUMNS] = predict_csv.first_text_columns(
            frame, trained_columns)
    return st.multiselect("Text column(s)", list(map(str, frame.columns)),
                          key=state.W_PREDICT_COLUMNS)


def csv_file(predictor, run_id: str, trained_columns: list[str], label_column: str) -> None:
    upload = st.file_uploader("CSV file", type=["csv"], key=state.W_PREDICT_CSV)
    kept = _file_in_use(upload)
    if kept is None:
        return
    file_id, file_name, frame = kept
    _read_notes(frame)
    columns = _text_columns(frame, trained_columns,
                            (run_id, file_id, tuple(map(str, frame.columns))))
    choice = predict_csv.saved_choice(services.store(), run_id, predictor)  # read once
    threshold_note = widgets.threshold_note(services.store(), run_id, choice)
    key = (run_id, file_id, tuple(columns), choice)
    if columns and st.button(f"Predict all {_rows(len(frame))}", key=state.W_PREDICT_GO,
                             type="primary"):
        bar = st.progress(0.0, text="Predicting…")
        try:
            out = predict_csv.predict_frame(
                predictor, frame, columns, choice=choice, label_column=label_column,
                progress=lambda share: bar.progress(share, text=f"Predicting… {share:.0%}"))
            # The file is made once: a large one took seconds on every later click.
            st.session_state[state.PREDICT_RESULT] = {"key": key, "frame": out,
                                                      "csv": predict_csv.csv_bytes(out)}
        except StudioError as err:
            widgets.show_error(err)
        bar.empty()
    done = st.session_state.get(state.PREDICT_RESULT)
    if done and done["key"] == key:
        out = done["frame"]
        _result_notes(out)
        if threshold_note:
            st.caption(threshold_note)
        if predictor.task == TASK_REGRESSION:
            _value_range_note(predictor, "values")
        # Shares as percentages, as every other page shows them; the download keeps 0-1.
        shares = out.attrs.get("probability_columns", [])
        # The answers first: after long text columns they were off the right edge (QA).
        answers = out.attrs.get("answer_columns", [])
        st.dataframe(widgets.percent_values(out.head(PREVIEW_ROWS), shares), hide_index=True,
                     column_config=dict.fromkeys(shares, widgets.PERCENT),
                     column_order=answers + [c for c in out.columns if c not in answers],
                     placeholder=widgets.BLANK_CELL)
        if len(out) > PREVIEW_ROWS:
            st.caption(f"Showing the first {PREVIEW_ROWS:,} of {len(out):,} rows; the download "
                       "has them all.")
        _formula_note(out.attrs.get("formula_like_cells") or 0)
        st.download_button("Download the predictions (CSV)", done["csv"],
                           file_name=f"{safe_file_stem(file_name.rsplit('.', 1)[0])}"
                                     "-predictions.csv",
                           mime="text/csv", key=state.W_PREDICT_DOWNLOAD,
                           icon=":material/download:")


def _file_in_use(upload) -> tuple[str, str, pd.DataFrame] | None:
    """(file id, name, texts) of the file to predict: the one in the uploader, else the last
    one read, kept in the session. Streamlit empties an uploader once its page is left, and
    the file and its predictions were gone on coming back (QA20)."""
    if upload is not None:
        frame = _read_upload(upload)
        if frame is None:
            return None
        st.session_state[state.PREDICT_FILE] = (upload.file_id, upload.name, frame)
        return st.session_state[state.PREDICT_FILE]
    kept = st.session_state.get(state.PREDICT_FILE)
    if kept:
        st.caption(f"In use: **{escape_markdown(kept[1])}** ({_rows(len(kept[2]))}), uploaded "
                   "earlier. Upload a file to use another.")
    return kept


def _read_upload(upload) -> pd.DataFrame | None:
    """The uploaded texts, read with the header choice shown above them; None on a bad file.

    A new file is read with the reader's guess, which sets the box; after that the box
    says, so a first text the guess took for column names can be got back as a row.
    """
    name, header = f"'{upload.name}'", None
    offered = st.session_state.get(state.PREDICT_HEADER_FILE)
    if offered is None or offered[0] != upload.file_id:
        try:
            frame = predict_csv.read_texts(upload, name=name)
            guess = frame.attrs["has_header"]
        except NoDataRowsError:  # the guess took the one row for names: the box can fix it
            frame, guess = None, True
        except StudioError as err:  # empty, binary, ...: no header choice would help
            st.session_state[state.PREDICT_HEADER_FILE] = (upload.file_id, False)
            widgets.show_error(err)
            return None
        st.session_state[state.PREDICT_HEADER_FILE] = (upload.file_id, True)
        st.session_state[state.W_PREDICT_HAS_HEADER] = guess
        header = _header_box()
        if frame is not None:
            return frame
    elif offered[1]:
        header = _header_box()
    kept = st.session_state.get(state.PREDICT_FILE)
    if kept and kept[0] == upload.file_id and kept[2].attrs.get("has_header") == header:
        return kept[2]  # read already, this way: every click read the whole file again
    try:
        return predict_csv.read_texts(upload, name=name, header=header)
    except StudioError as err:
        widgets.show_error(err)
        return None


def _header_box() -> bool:
    return st.checkbox("The first row holds column names", key=state.W_PREDICT_HAS_HEADER,
                       help="LSTM Studio guesses this from the file. Untick it if your first "
                            "row is a text to predict, not column names; the columns are then "
                            "called column_1, column_2, …")


def model_download(store, run_id: str, run_name: str) -> None:
    path = store.model_path(run_id)
    size = path.stat().st_size / 1_000_000  # MB as the upload box counts them (QA23: 5.4 vs 5.7)
    shown_run.download_gone_note()
    st.download_button(f"Download the model ({size:,.1f} MB)",
                       data=lambda: importer.exported_model(store, run_id),  # read on click
                       file_name=safe_file_stem(run_name, "model") + ".keras",
                       on_click=shown_run.say_if_download_is_gone,
                       args=(store, run_id, run_name, "model"),
                       mime="application/octet-stream", key=state.W_MODEL_DOWNLOAD,
                       icon=":material/download:")
    st.caption("A .keras file with everything inside (text in, prediction out): the columns "
               "it reads and, for two classes, the threshold chosen on Evaluate. Import it here "
               "on another LSTM Studio. (Programmers can load it in Python with "
               "core.model.load_model from LSTM Studio.)")


def model_import(store) -> None:
    message = st.session_state.pop(state.IMPORT_MESSAGE, None)
    if message:
        st.success(message)
    upload = st.file_uploader("Model file (.keras)", type=["keras"], key=state.W_MODEL_UPLOAD)
    if upload is None or not st.button("Import this model", key=state.W_MODEL_IMPORT):
        return
    try:
        with st.spinner("Checking and loading the model…"):
            run_id, new = importer.import_or_find(store, upload.getvalue(), upload.name)
    except StudioError as err:
        widgets.show_error(err)
        return
    # Not new: a second click, or the same file again, selects the first import (no "(2)").
    _select_imported(store, run_id, "Imported as" if new else "This file is already imported as")


def _select_imported(store, run_id: str, said: str) -> None:
    state.make_current(run_id)  # every page's run picker now shows it
    st.session_state[state.IMPORT_MESSAGE] = (
        f"{said} “{escape_markdown(store.info(run_id).name)}”. It is selected above and "
        "on the Explain page too.")
    st.rerun()
