"""4 · Explain: which words made the model decide?"""

from ui import links

# First, before the imports that load TensorFlow: see run_inside_app.
links.run_inside_app()

import streamlit as st  # noqa: E402

from core import charts, labels  # noqa: E402
from core.config import TASK_REGRESSION  # noqa: E402
from core.errors import StudioError  # noqa: E402
from ui import explain_view, plots, services, state, widgets  # noqa: E402

st.title("4 · Explain")
st.write("Pick a text and see which words pushed the model toward its answer: green words "
         "pushed toward it (or a predicted number up), red words away from it (or down).")

store = services.store()
runs = widgets.require_runs_with_model(store)

handed_over = explain_view.take_handoff()
widgets.note_current_run_without_model(runs)
run_id = widgets.run_picker("Run", state.W_EXPLAIN_RUN, runs)
try:
    predictor = services.predictor(run_id)
except StudioError as err:
    widgets.show_error(err)
    st.stop()
info = store.info(run_id)
widgets.checkpoint_note(info)  # a run still training answers from a checkpoint
spec = info.spec
label_column = labels.label_column_name(spec)  # "rating" (4), or "class" (4)
texts, true_labels = explain_view.test_split(store, run_id)
if handed_over:
    explain_view.place_handoff(handed_over, texts, true_labels, label_column)

text = explain_view.choose_text(texts, true_labels, label_column,
                                imported=bool(info.state.get("imported")))
if not text or not text.strip():
    # QA23: nothing said that the box waits for Ctrl+Enter or a click outside it.
    st.info(widgets.TYPE_THEN_APPLY.format(what="what the model makes of them"))
    st.stop()
read = explain_view.as_the_model_reads_it(predictor, text)
if read is None:  # no words the model reads (only HTML or punctuation): no answer
    st.stop()
knows_none = widgets.reading_notes(predictor, read, explaining=True)
weighed = predictor.part_read(read)  # words past its max tokens never reach the model

regression = predictor.task == TASK_REGRESSION
class_names = (label_column,) if regression else predictor.class_names
shown_names = labels.named_classes(class_names, label_column)  # "rating 4", not "4"
scores = predictor.predict_fn([text])[0]
left, right = st.columns([3, 2])
with left:
    if regression:
        st.metric(f"Predicted {label_column}", f"{scores[0]:.2f}")
        class_index = 0
    else:  # a two-class run answers at the threshold chosen on Evaluate
        answer, threshold_note = widgets.answer_index(store, predictor, run_id, scores)
        # In words, as Predict says it: at a threshold the answer can be the shorter bar (QA).
        st.markdown(f"The model says {widgets.answer_words(shown_names, scores, answer)}.")
        plots.plotly(charts.probability_bars(shown_names, scores, answer), key="explain.probs")
        if threshold_note:
            st.caption(threshold_note)
with right:
    if not regression:
        class_index = explain_view.choose_class(class_names, answer, run_id, text,
                                                   shown_names)
    thorough = st.toggle("Thorough (slower)", key=state.W_EXPLAIN_THOROUGH,
                         help="5,000 LIME tries instead of 1,000: steadier word weights, "
                              "but it takes a few times longer.")
    go = st.button("Explain", key=state.W_EXPLAIN_GO, type="primary")

# "Explain this text" on Evaluate asked for it already: at 1024×768 this button is below
# the fold, and a second click there was easy to miss (QA).
go = go or handed_over is not None
key = (run_id, text, class_index)
if go:
    samples = explain_view.THOROUGH_SAMPLES if thorough else explain_view.SAMPLES
    try:
        st.session_state[state.EXPLAIN_RESULT] = explain_view.run_explainers(
            predictor.predict_fn, weighed, class_index,
            shown_names, key, samples,
            removal_scores=predictor.removal_scores, fold_case=predictor.clean.lowercase)
    except StudioError as err:
        widgets.show_error(err)
        st.stop()  # the message says what to change; "press Explain" would not

result = st.session_state.get(state.EXPLAIN_RESULT)
if result is not None and result.key == key:
    shown_words = {w.word for w in (*result.lime.words, *result.occlusion.words)}
    with st.container(key=state.EXPLAIN_VIEW):
        explain_view.show_result(result, regression, knows_none, not_read=read[len(weighed):],
                                 unknown=predictor.unknown_words(shown_words))
    if go:  # the words start below the fold of a 1024×768 projector
        widgets.scroll_to(state.EXPLAIN_VIEW)
else:
    st.caption("Press **Explain** to see which words mattered (a few seconds; thorough takes longer).")
