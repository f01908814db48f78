"""3 · Evaluate: how good is a trained model on texts it never saw?"""

from ui import links

# First, before the imports that load TensorFlow: see run_inside_app.
links.run_inside_app()

import streamlit as st  # noqa: E402

from core import results as results_lib  # noqa: E402
from core.errors import StudioError  # noqa: E402
from ui import eval_view, mistakes_view, services, state, widgets  # noqa: E402

st.title("3 · Evaluate")
st.write("See how well a trained model does on the test texts it never saw while training. "
         "Start with the big number and the baseline beside it, then look at where it goes wrong.")

store = services.store()
runs = [r for r in store.list_runs() if results_lib.has_results(store, r.run_id)]
noted = eval_view.note_current_run_without_results(store, runs)  # e.g. still training
if not runs:
    if not noted:
        st.info("No evaluated model yet. Train one on the **Model & Train** page: its test "
                "results appear here as soon as training ends.")
    links.page_link("pages/train.py", label="Go to Model & Train")
    st.stop()
run_id = widgets.run_picker("Run", state.W_EVAL_RUN, runs)
try:
    res = eval_view.load_results(store, run_id)
except StudioError as err:
    widgets.show_error(err)
    st.stop()

threshold = eval_view.current_threshold(res)
result = res.at_threshold(threshold)
eval_view.headline(res, result)

if res.is_binary:
    st.header("Choose the threshold")
    eval_view.threshold_section(res)

if result.confusion is not None:
    st.header("Where it goes wrong, class by class")
    eval_view.confusion(result, res)
    eval_view.class_report(res, result)  # full width: beside the matrix its last column was cut off

if res.is_regression or res.is_ordinal:
    st.header("Predicted against true values")
    eval_view.values_section(res)

st.header("The texts it got most wrong")
can_explain = store.has_model(run_id)
mistakes = mistakes_view.mistakes_table(res, threshold, can_explain)
if mistakes and can_explain:
    mistakes_view.send_to_explain(res, mistakes)
