"""6 · Runs: every training run side by side."""

from ui import links

# First, before the imports that load TensorFlow: see run_inside_app.
links.run_inside_app()

import streamlit as st  # noqa: E402

from core import compare  # noqa: E402
from ui import runs_view, services, state, widgets  # noqa: E402

st.title("6 · Runs")
st.write("Every model trained here, side by side: compare settings and test scores, overlay "
         "learning curves, rename runs, download a report, or delete runs you no longer need.")

store = services.store()
runs = store.list_runs()
if not runs:
    st.info("No runs yet. Train a model on the **Model & Train** page and it appears here.")
    links.page_link("pages/train.py", label="Go to Model & Train")
    st.stop()
training = [run.run_id for run in runs if run.is_active]
if training:  # one that ends shows its scores, and can be deleted, without leaving the page
    widgets.redraw_when(lambda: not any(widgets.active_run(store, r) for r in training))

st.header("All runs")
runs_view.table(compare.runs_table(store))
runs_view.own_thresholds_note(store, runs)

st.header("Learning curves")
runs_view.compare_curves(store, runs)

st.header("Rename, report or delete a run")
message = st.session_state.pop(state.RUNS_MESSAGE, None)
if message:  # here, by the buttons: at the top of a long page nobody saw it (QA)
    st.success(message)
picked = st.session_state.get(state.W_RUNS_REPORT_RUN)
run_id = widgets.run_picker("Run", state.W_RUNS_REPORT_RUN, runs)
run = next(r for r in runs if r.run_id == run_id)
# A click meant for a run deleted meanwhile in another tab must not act on the run shown in
# its place (QA: Rename renamed another run, Delete asked about another one).
gone = runs_view.picked_run_gone(store, picked, run_id)
runs_view.rename_box(store, run, act=not gone)
left, right = st.columns(2)
with left:
    runs_view.report_button(store, run)
with right:
    runs_view.delete_flow(store, run, act=not gone)
