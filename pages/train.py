"""2 · Model & Train: pick a network, train it, and watch it learn live."""

from ui import links

# First, before the imports that load TensorFlow: see run_inside_app.
links.run_inside_app()

import streamlit as st  # noqa: E402

from core.errors import SpecError  # noqa: E402
from ui import network_view, run_view, services, shown_run, state, train_view, widgets  # noqa: E402

st.title("2 · Model & Train")
st.write("Pick a network (the recommended one is a good start), press **Train**, and watch "
         "the loss fall as the model learns from your texts.")

dataset = st.session_state.get(state.DATASET)
data_spec = st.session_state.get(state.DATA_SPEC)
run_id = shown_run.current_run_id(services.store())
shown_run.note_if_its_run_is_gone(services.store())
captioned_status = None  # the run's status as Train's caption says it

if dataset is None or data_spec is None:
    st.info(widgets.why_no_dataset() + shown_run.below_sentence(run_id))
    links.page_link("pages/data.py", label="Go to Data")
    if run_id is None:
        st.stop()
    train_view.offer_run_data(services.store(), run_id)
else:
    n_train = len(dataset.train.texts)
    train_view.init_controls(n_train)
    preset_col, button_col = st.columns([2, 1], vertical_alignment="center")
    with preset_col:
        train_view.preset_picker(n_train)
    vectors = train_view.controls(dataset, data_spec.clean.lowercase)
    try:
        model_spec, train_spec = train_view.specs_from_controls(vectors)
        network_view.check_known_words(dataset, model_spec, data_spec.clean.lowercase)
    except SpecError as err:
        widgets.show_error(err)
        model_spec = train_spec = None
    with button_col:
        train_view.run_name_box()
        busy = shown_run.trains_for_this_session(run_id)
        clicked = st.button("Train", key=state.W_TRAIN, type="primary",
                            icon=":material/rocket_launch:",
                            disabled=model_spec is None or busy, width="stretch")
        # Drawn on every run, empty or not: a caption not drawn again would stay on screen
        # until the page's run ends, "still training" beside "Finished" (QA).
        caption_slot = st.empty()
        if busy:  # said on the page: a tooltip is not seen on a projector (QA)
            captioned_status = services.store().status(run_id).get("status")
            caption_slot.caption(shown_run.busy_caption(captioned_status))
    # A second click sent before the page redrew (a double click) still arrives, though the
    # redrawn button is disabled: while this session's run is training, it starts nothing.
    if clicked and not busy:
        new_run = train_view.start_training(dataset, data_spec, model_spec, train_spec)
        if new_run:
            shown_run.remember(new_run, started=True)
            st.session_state[state.SCROLL_TO_RUN] = True
            st.rerun()  # redraw with Train disabled and the new run's live view
    if model_spec is not None:
        network_view.model_summary(dataset, model_spec, train_spec, data_spec.clean.lowercase)

if run_id is not None:
    shown_run.remember(run_id)
    st.divider()
    if dataset is not None:
        train_view.note_run_on_other_data(services.store(), run_id)
    with st.container(key=state.LIVE_VIEW):
        # The worker may start the run while this page draws: the live view then compares
        # with what the caption said, and redraws the page once (QA: "waiting" for a run).
        run_view.show(run_id, drawn_status=captioned_status)
    # After Train, the controls above push the curves below a 1024×768 projector's fold.
    # Popped only here: a redraw from inside the live view comes back to it.
    if st.session_state.pop(state.SCROLL_TO_RUN, False):
        widgets.scroll_to(state.LIVE_VIEW)
