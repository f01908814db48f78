"""Which run the Model & Train page shows, and whether this session may start another."""

from __future__ import annotations

import streamlit as st

from core import runs as runs_lib
from core.errors import RunError, RunGoneError, StudioError
from core.explain import escape_markdown
from ui import services, state


def exists(store: runs_lib.RunStore, run_id) -> bool:
    try:
        store.existing_path(run_id)
    except RunError:
        return False
    return True


def current_run_id(store: runs_lib.RunStore) -> str | None:
    """This session's run, else the URL's (after a reload), else the latest active or latest.

    The session comes first: a click sent before the browser got the URL of a run just
    started carries the old URL, and would bring the older run back into view.
    """
    for wanted in (st.session_state.get(state.CURRENT_RUN), st.query_params.get("run")):
        if wanted and exists(store, wanted):
            return wanted
    runs = store.list_runs()
    active = [run for run in runs if run.is_active]
    return (active or runs)[0].run_id if runs else None


def note_if_its_run_is_gone(store: runs_lib.RunStore) -> None:
    """Say so when the session's run, or the address's after a reload, was deleted and
    current_run_id shows another (QA: Model & Train moved on without a word)."""
    for wanted in (st.session_state.get(state.CURRENT_RUN), st.query_params.get("run")):
        if not wanted:
            continue
        try:
            store.path(wanted)
        except RunError:  # not a run id at all (a hand-edited address): nothing to say
            return
        note_if_deleted(store, wanted)
        return


def note_if_deleted(store: runs_lib.RunStore, run_id: str, others: bool = True) -> bool:
    """Whether the session's run was deleted in another tab or session, and the picker shows
    another run in its place. Each page says so at its first draw after it (QA: a student
    read another model's numbers as theirs), not again on every later click (QA19: it
    stayed above Predict until a model was imported)."""
    if exists(store, run_id):
        return False
    said = st.session_state.setdefault(state.DELETED_RUN_NOTES, set())
    here = (run_id, _page())
    if here not in said:
        said.add(here)
        name = st.session_state.get(state.RUN_NAMES, {}).get(run_id)
        which = f"The run “{escape_markdown(name)}”" if name else "The run"
        shown = ", so this page shows another run" if others else ""
        st.warning(f"{which} you were looking at was deleted, perhaps in another tab or by "
                   f"someone else{shown}.", icon=":material/delete:")
    return True


def _page() -> str:
    """The page being drawn (its script's hash): each page notes a deleted run once."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def say_if_download_is_gone(store: runs_lib.RunStore, run_id: str, name: str,
                            what: str) -> None:
    """A download button's on_click. Its file is built after the click, where nothing can
    be said: a run deleted meanwhile gave no file and no word (QA)."""
    if not exists(store, run_id):
        st.session_state[state.DOWNLOAD_GONE] = (
            f"“{escape_markdown(name)}” was deleted, perhaps in another tab or by someone "
            f"else, so its {what} could not be downloaded.")


def download_gone_note() -> None:
    """What say_if_download_is_gone had to say, once, by the download buttons."""
    message = st.session_state.pop(state.DOWNLOAD_GONE, None)
    if message:
        st.warning(message, icon=":material/delete:")


def deleted_message(name: str | None) -> str:
    """For a run shown until a moment ago: a live view keeps its run's id while it redraws.
    Plain text: escape it for markdown."""
    which = f"“{name}”" if name else "This run"
    return (f"{which} was deleted, perhaps in another tab or by someone else. The Runs page "
            "lists the runs left.")


def below_sentence(run_id: str | None) -> str:
    """" Below is the run “name”." (which run: current_run_id), or nothing without one."""
    if run_id is None:
        return ""
    try:
        name = services.store().info(run_id).name
    except StudioError:  # a broken run: its panel says what is wrong
        return " Below is a run that cannot be read."
    return f" Below is the run “{escape_markdown(name)}”."


def remember(run_id: str, started: bool = False) -> None:
    """Shown on reload too: the id goes into the session and the URL."""
    state.make_current(run_id)
    st.query_params["run"] = run_id
    if started:
        st.session_state.setdefault(state.STARTED_RUNS, set()).add(run_id)


def trains_for_this_session(run_id: str | None) -> bool:
    """Whether ``run_id`` is a run this session started and it is queued or training.

    Only then does Train wait. A new session shows the latest active run, often another
    student's: its Train button was disabled, so nobody else could join the queue (QA).
    """
    return run_id in st.session_state.get(state.STARTED_RUNS, ()) and is_active(run_id)


def is_active(run_id: str) -> bool:
    return services.store().status(run_id).get("status") in runs_lib.ACTIVE_STATUSES


def busy_caption(status: str | None) -> str:
    """Why Train waits, under the button (QA: a run only waiting in line was "still training")."""
    doing = "is waiting to train" if status == runs_lib.QUEUED else "is still training"
    return f"Your run below {doing}: stop it or wait for it to end to train another."


def redrawn_if_a_run_goes(run_page) -> None:
    """``run_page()``, drawn again once if a run it reads was deleted while it drew (by
    another session): the pickers then show another run and name the deleted one. Without
    it a Predict or Explain page showed a traceback (QA, two sessions). The same run gone
    again on the redraw is a real error, shown as one."""
    try:
        run_page()
    except RunGoneError as gone:
        if st.session_state.get(state.REDRAWN_FOR_GONE) == gone.run_id:
            raise
        st.session_state[state.REDRAWN_FOR_GONE] = gone.run_id
        st.rerun()
    st.session_state.pop(state.REDRAWN_FOR_GONE, None)
