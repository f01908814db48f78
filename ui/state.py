"""Every st.session_state key the app uses, in one place.

Keys starting with ``keep.`` belong to input widgets whose value should
survive page switches (Streamlit drops a widget's state when its page is not
shown; re-assigning it on every run keeps it).
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

KEEP_PREFIX = "keep."

# -- values set by code ----------------------------------------------------
FRAME = "data.frame"            # pd.DataFrame the user loaded
FRAME_SOURCE = "data.source"    # its file name or sample title
DATASET = "data.dataset"        # core.data.Dataset, prepared from FRAME
DATA_SPEC = "data.spec"         # core.config.DataSpec used for DATASET
# Evaluate: plain keys (not widgets), so they outlive the slider while another run is shown.
THRESHOLD_CHOICES = "eval.threshold_choices"  # {run id: (positive class, slider value)}
THRESHOLD_RUN = "eval.threshold_run"  # the run the slider and the class choice belong to now
CURRENT_RUN = "run.current"     # the session's run: on Model & Train and in every run picker
RECENT_RUNS = "run.recent"      # the runs the session looked at (state.looked_at), the latest last
RUN_NAMES = "run.names"         # {run id: name} of the runs pickers listed: named once deleted
DELETED_RUN_NOTES = "run.deleted_notes"  # {(run id, page)}: where its deletion was said
STOPPED_RUNS = "run.stopped"    # ids of the runs this session pressed Stop on ("Stopped by you")
STARTED_RUNS = "run.started"    # ids of the runs this session started or trained more
CONTROLS_ROWS = "model.controls_rows"  # training texts the Model & Train controls were set for
EXPLAIN_TEXT = "explain.handoff_text"  # text sent from Evaluate to Explain
EXPLAIN_RUN = "explain.handoff_run"
EXPLAIN_NUMBER = "explain.handoff_index"  # its place in the test split: a text can repeat
EXPLAIN_PENDING_CLASS = "explain.handoff_class"  # (run, text, the answer Evaluate gave it)
CONFIRM_DELETE = "runs.confirm_delete"
RENAME_BOX_NAMES = "runs.rename_box_names"  # {Name box key: the run name it was last set to}
DELETED_HERE = "runs.deleted_here"  # the run this session deleted last: no "deleted elsewhere" note
CONFIRM_STOP = "train.confirm_stop"  # the run another session started that Stop… asks about

# -- Data page widgets -------------------------------------------------------
W_SAMPLE = "keep.data.sample"
W_UPLOAD = "data.upload"        # file_uploader values cannot be re-assigned
W_TEXT_COLUMNS = "keep.data.text_columns"
W_LABEL_COLUMN = "keep.data.label_column"
W_TASK = "keep.data.task"
W_ORDERED = "keep.data.ordered"  # checkbox: numbered classes are a scale (ratings)
W_MERGE_CASE = "keep.data.merge_case"  # checkbox: "Positive" and "positive" are one class
MERGE_CASE_FOR = "data.merge_case_for"  # (FRAME_KEY, label column) W_MERGE_CASE was set for
ORDERED_FOR = "data.ordered_for"  # (FRAME_KEY, label column) W_ORDERED was last guessed for
W_LOWERCASE = "keep.data.lowercase"
W_STRIP_HTML = "keep.data.strip_html"
W_STOPWORDS = "keep.data.stopwords"
W_MAX_WORDS = "keep.data.max_words"
W_DROP_EMPTY = "keep.data.drop_empty"
W_DROP_DUPLICATES = "keep.data.drop_duplicates"
W_SPLIT = "keep.data.split"
W_SEED = "keep.data.seed"
W_CLEANING_DEFAULTS = "data.cleaning_defaults"  # button: cleaning and split back to defaults
W_MODEL_SEES_BOX = "data.model_sees_box"  # "See what the model sees": worked out while open
W_CLEANING_BOX = "data.cleaning_box"  # the folded box: a key keeps it open while its title changes
W_USE_SAMPLE = "data.use_sample"
W_USE_UPLOAD = "data.use_upload"  # button: the uploaded file again, after a sample replaced it
W_PREPARE = "data.prepare"
W_VALID_PERCENT = "keep.data.valid_percent"
W_TEST_PERCENT = "keep.data.test_percent"
LOADED_NOW = "data.loaded_now"  # the source loaded by this click, for one toast
FRAME_KEY = "data.frame_key"  # fingerprint of FRAME ("sample:news", "upload:<sha1>:no-header")
# The upload last read, so each file is read once per header choice: {"file_id", "digest",
# "header" (bool, or None before a guess), "error" (str or None), "offer_header" (bool)}.
UPLOAD_READ = "data.upload_read"
# Not kept: every new upload starts from the reader's guess.
W_HAS_HEADER = "data.has_header"    # checkbox: the upload's first row holds column names
PREPARED_FROM = "data.prepared_from"  # (FRAME_KEY, DataSpec, error or None) of the last prepare
CLEANED_TEXTS = "data.cleaned_texts"  # ((FRAME_KEY, cleaned_by(spec)), CleanedTexts) of the last prepare
LABEL_TOOK_TEXT = "data.label_took_text"  # (label, texts before, texts after) when a text column became the label
LABEL_FACTS = "data.label_facts"  # ((FRAME_KEY, label column), LabelFacts) of the chosen label
PREVIEW_CHARTS = "data.preview_charts"  # (Dataset, (balance figure, lengths figure, note)) drawn for it
PREVIEW_VOCAB = "data.preview_vocab"  # (Dataset, settings, vocabulary, OOV rate): "what the model sees"

# -- Model & Train page widgets --------------------------------------------
W_PRESET = "keep.model.preset"
PRESET_APPLIED = "model.preset_applied"  # the preset whose values the controls last took
W_RNN = "keep.model.rnn"
W_UNITS = "keep.model.units"
W_LAYERS = "keep.model.layers"
W_BIDIRECTIONAL = "keep.model.bidirectional"
W_POOLING = "keep.model.pooling"
W_DROPOUT = "keep.model.dropout"
W_RECURRENT_DROPOUT = "keep.model.recurrent_dropout"
W_DENSE = "keep.model.dense"
W_EMBEDDING_DIM = "keep.model.embedding_dim"
W_GLOVE = "model.glove"         # file_uploader
W_GLOVE_REMOVE = "model.glove_remove"  # stop using the uploaded vectors
W_VECTOR_SIZE_SHOWN = "model.vector_size_shown"  # the uploaded vectors' size (disabled)
W_TRAINABLE_EMBEDDING = "keep.model.trainable_embedding"
W_VOCAB = "keep.model.vocab"
W_MAX_TOKENS = "keep.model.max_tokens"
W_MIN_FREQ = "keep.model.min_freq"
W_OPTIMIZER = "keep.train.optimizer"
W_LEARNING_RATE = "keep.train.learning_rate"
W_BATCH_SIZE = "keep.train.batch_size"
W_EPOCHS = "keep.train.epochs"
W_EARLY_STOP = "keep.train.early_stop"
W_PATIENCE = "keep.train.patience"
W_CLASS_WEIGHTS = "keep.train.class_weights"
W_TRAIN_SEED = "keep.train.seed"
W_RUN_NAME = "keep.train.run_name"
RUN_NAME_USED = "train.run_name_used"  # a run started under the typed name: empty the box
W_REUSE_RUN_DATA = "train.reuse_run_data"  # button: train on the shown run's data again
W_PRESET_RESET = "train.preset_reset"
W_TRAIN = "train.start"
SCROLL_TO_RUN = "train.scroll_to_run"  # one-shot, set by Train: bring the live view into sight
LIVE_VIEW = "live_run_view"  # the live view's container key (a CSS class: no dots)
EXPLAIN_VIEW = "explain_result_view"  # Explain's result, scrolled into sight by a click
W_STOP = "train.stop"
W_STOP_CONFIRM = "train.stop_confirm"
W_STOP_CANCEL = "train.stop_cancel"
W_MORE_EPOCHS = "train.more_epochs"
W_TRAIN_MORE = "train.more"
W_CURVE_VIEW = "keep.train.curve_view"
LOSS_CHART = "train.chart.loss"       # element keys: a live chart is updated in place
METRIC_CHART = "train.chart.metric"
W_UNITS_PER_LAYER = tuple(f"keep.model.units.{i}" for i in range(1, 5))  # one per stacked layer
RUN_RECORDS = "train.run_records"   # {"run_id", "offset", "records"}: metrics read so far
CURVE_OPTIONS = "train.curve_options"  # {"key", "options"}: the live charts drawn from them
VOCAB_COUNTS = "train.vocab_counts"  # (Dataset, lowercase, token counts) of the training split
GLOVE_FILE = "train.glove_file"     # {"name", "path"}: uploaded vectors in use until Remove

# -- Evaluate / Explain / Predict / Runs widgets ---------------------------
W_EVAL_RUN = "keep.eval.run"
W_NORMALIZE = "keep.eval.normalize"
W_THRESHOLD = "keep.eval.threshold"
W_POSITIVE_CLASS = "keep.eval.positive_class"  # binary: the class the threshold is about
W_EXPLAIN_RUN = "keep.explain.run"
W_EXPLAIN_SOURCE = "keep.explain.source"
W_EXPLAIN_TEST_INDEX = "keep.explain.test_index"  # holds the chosen test text's label
W_EXPLAIN_TEXT = "keep.explain.text"
W_EXPLAIN_CLASS = "keep.explain.class"
W_EXPLAIN_THOROUGH = "keep.explain.thorough"
W_EXPLAIN_GO = "explain.go"
W_PREDICT_RUN = "keep.predict.run"
W_PREDICT_TABS = "keep.predict.tabs"  # the open tab, kept when a note appears or the page is left
W_PREDICT_TEXT = "keep.predict.text"
W_PREDICT_CSV = "predict.csv"   # file_uploader
W_PREDICT_HAS_HEADER = "predict.has_header"  # checkbox: the CSV's first row holds column names
W_PREDICT_GO = "predict.go"
W_MODEL_UPLOAD = "predict.model_upload"  # file_uploader
W_MODEL_IMPORT = "predict.model_import"
W_RUNS_SELECTED = "keep.runs.selected"
W_RUNS_RENAME = "runs.rename"  # the rename form (its name box adds the run id)
W_RUNS_RENAME_GO = "runs.rename_go"
RUNS_SEEN = "runs.seen"  # the run ids the comparison knew at its last visit
W_RUNS_METRIC = "keep.runs.metric"
W_RUNS_DELETE = "runs.delete"
W_RUNS_DELETE_CONFIRM = "runs.delete_confirm"
W_RUNS_REPORT_RUN = "keep.runs.report_run"
W_EVAL_MISTAKE = "eval.mistake"          # options change per run: not kept
W_EVAL_EXPLAIN = "eval.explain"
W_PREDICT_COLUMNS = "keep.predict.columns"  # text columns of an uploaded CSV
PREDICT_COLUMNS_FOR = "predict.columns_for"  # (run, file, columns) of that guess
W_PREDICT_DOWNLOAD = "predict.download"
W_MODEL_DOWNLOAD = "predict.model_download"
W_RUNS_DELETE_CANCEL = "runs.delete_cancel"
W_RUNS_REPORT = "runs.report"
EXPLAIN_RESULT = "explain.result"        # ui.explain_view.ExplainResult of the last Explain
EXPLAIN_INPUT = "explain.input"          # (run id, text) the class choice was last reset for
PREDICT_RESULT = "predict.result"        # {"key", "frame", "csv"}: the last CSV prediction
PREDICT_FILE = "predict.file"            # (file id, name, frame): the last CSV read, kept off the page
PREDICT_HEADER_FILE = "predict.header_file"  # file id the header box was last set to a guess for
PREDICT_EXAMPLE = "predict.example"      # (run id, text) last offered in the typed-text box
IMPORT_MESSAGE = "predict.import_message"  # success note shown once after an import
DOWNLOAD_GONE = "app.download_gone"  # said once: a download's run was deleted before the click
REDRAWN_FOR_GONE = "app.redrawn_for_gone"  # the run whose deletion mid-draw redrew the page
RUNS_MESSAGE = "runs.message"            # note shown once after a delete or a rename


MAX_RECENT_RUNS = 20


def make_current(run_id: str) -> None:
    """Make ``run_id`` the session's run, and remember it for the pages that cannot show a
    later one (see recent_run_among)."""
    looked_at(run_id)
    st.session_state[CURRENT_RUN] = run_id


def looked_at(run_id: str) -> None:
    """Remember ``run_id`` as the run the session saw last: made current, or shown by a page
    in place of the current run."""
    recent = [r for r in st.session_state.get(RECENT_RUNS, []) if r != run_id]
    st.session_state[RECENT_RUNS] = (recent + [run_id])[-MAX_RECENT_RUNS:]


def recent_run_among(run_ids) -> str | None:
    """The run among ``run_ids`` the session looked at last.

    A page that cannot show the current run (it failed, or is still training) shows this
    one, so Evaluate, Explain and Predict all fall back to the same run (browser QA: each
    fell back on its own earlier pick).
    """
    return next((r for r in reversed(st.session_state.get(RECENT_RUNS, [])) if r in run_ids),
                None)


def keep_widget_values() -> None:
    """Re-assign kept widget values so they survive switching pages."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(KEEP_PREFIX):
            st.session_state[key] = st.session_state[key]


def keep_widget_values_in_a_poll() -> None:
    """Re-save the kept widget values in a fragment rerun, as app.py does in a full run.

    A fragment rerun skips app.py, and its start moves the values app.py re-saved
    back under their widgets' ids. A page switch right after a poll then drops them
    as stale widget state before app.py runs, and the Model & Train settings fell
    back to the preset. (In a full run the page's widgets already exist here, and
    re-assigning their values would raise.)
    """
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        keep_widget_values()
