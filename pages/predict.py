"""5 · Predict: use a trained model on new texts, and move model files in and out."""

from ui import links

# First, before the imports that load TensorFlow: see run_inside_app.
links.run_inside_app()

import streamlit as st  # noqa: E402

from core import labels  # noqa: E402
from core.errors import StudioError  # noqa: E402
from ui import predict_view, services, state, widgets  # noqa: E402

st.title("5 · Predict")
st.write("Use a trained model on new texts: type one to see the model's answer, or upload a "
         "CSV file to label every row. You can also download a model or import one.")

store = services.store()
runs = widgets.runs_with_model(store)
if not runs:
    st.info("No trained model yet. Train one on the **Model & Train** page, or import a "
            ".keras model file below.")
    links.page_link("pages/train.py", label="Go to Model & Train")
    st.header("Import a model")
    predict_view.model_import(store)
    st.stop()

widgets.note_current_run_without_model(runs)
run_id = widgets.run_picker("Run", state.W_PREDICT_RUN, runs)
info = store.info(run_id)
try:
    predictor = services.predictor(run_id)
except StudioError as err:
    widgets.show_error(err)
    st.stop()
widgets.checkpoint_note(info)  # a run still training answers from a checkpoint
data_spec = info.spec.get("data") or {}

# A key keeps the open tab when a note appears above the tabs (QA: a run deleted in another
# tab sent a CSV prediction back to "Type a text"), and tracked, when the page is left (QA20).
# "Model file": "Download or import a model" was cut off at 390 px (QA20); its two headings
# say both.
typed, table, files = st.tabs(["Type a text", "Predict a CSV file", "Model file"],
                              key=state.W_PREDICT_TABS, on_change="rerun")  # tracked: kept
label_column = labels.label_column_name(info.spec)  # "rating" names numbered classes
with typed:
    predict_view.typed_text(predictor, label_column)
with table:
    st.write("Upload a CSV file: the model adds a prediction (and, for classes, a probability "
             "per class) to every row.")
    predict_view.csv_file(predictor, run_id, list(data_spec.get("text_columns") or []),
                          label_column)
with files:
    st.header("Download this run's model")
    predict_view.model_download(store, run_id, info.name)
    st.header("Import a model")
    st.write("Add a .keras file exported from LSTM Studio as a new run. Files with custom "
             "code (Lambda layers) or from other apps are refused.")
    predict_view.model_import(store)
