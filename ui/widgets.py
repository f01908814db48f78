"""Small rendering helpers shared by several pages."""

import re
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from core import charts, evaluation, predict_csv
from core import runs as runs_lib
from core.errors import StudioError
from core.explain import escape_markdown
from core.text import has_words, listed
from ui import links, state

# A table's shares read like the numbers printed beside them: one decimal, rounded ("95.0%",
# "93.8%"). The "percent" format printed as many decimals as each value needed ("95%" above
# "93.75%"), and with a step it cuts 93.75% to "93.7%". So the cells hold percentages
# (see percent_values) and a printf format rounds them.
PERCENT_FORMAT = "%.1f%%"  # one decimal everywhere: 95.0%, 93.8%
PERCENT = st.column_config.NumberColumn(format=PERCENT_FORMAT)

# What a table of the user's own rows shows in an empty cell: nothing, as their spreadsheet
# does. Without it the browser writes "None", which reads like a value in the file.
BLANK_CELL = ""

# A typed text the model gets no word from (core.text.has_words), as a CSV row marked "no text".
NO_WORDS_FOR_MODEL = ("The model finds no words in this text, only spaces or punctuation "
                      "(after the same cleaning as its training texts), so it gives no answer. "
                      "Type a text with words.")
NO_WORDS_BUT_HTML = ("Without its HTML tags and entities, which the model never sees, this "
                     "text has no words, so there is nothing to predict or explain.")


def no_words_message(predictor, text: str) -> str:
    """Why the model gets no word from ``text``: its words were all HTML, or it has none."""
    only_html = has_words(text) and not has_words(predictor.text_as_read(text))
    return NO_WORDS_BUT_HTML if only_html else NO_WORDS_FOR_MODEL


NO_KNOWN_WORDS = ("The model knows none of the words it reads here (none was among its "
                  "training words), so its answer rests on no word of this text.")
NO_KNOWN_WORDS_WEIGHTS = (" Word weights are then close to zero, so the words are shaded "
                          "faintly.")
# Predict shows a sure-looking answer under the note (browser check: "happy (100% sure)").
NO_KNOWN_WORDS_ANSWER = (" It would answer much the same for any text of words it does not "
                         "know, however sure it looks.")


def reading_notes(predictor, text: str, explaining: bool = False) -> bool:
    """What an answer for ``text`` can rest on: words unknown to the model, and words
    past the number it reads (its max tokens). Only Explain shows word weights.
    True when the model knows none of the words it reads."""
    words, read, unknown = predictor.reading(text)
    knows_none = bool(read) and unknown == read  # predictor.knows_no_word, from its counts
    if knows_none:
        why = NO_KNOWN_WORDS_WEIGHTS if explaining else NO_KNOWN_WORDS_ANSWER
        st.warning(NO_KNOWN_WORDS + why,
                   icon=":material/help:")
    elif unknown * 2 >= read > 0:
        st.caption(f"{unknown:,} of the {read:,} words the model reads is unknown to it; it sees "
                   "it as the “unknown word”." if unknown == 1 else
                   f"{unknown:,} of the {read:,} words the model reads are unknown to it; it sees "
                   "them all as one and the same “unknown word”.")
    if words > read:
        st.caption(f"The model reads only the first {read:,} of these {words:,} words (its "
                   "“max tokens” setting); the rest do not reach it.")
    return knows_none


# px: a group of settings (a label and its box) this wide stays readable; three fit side by
# side at 1280 px, and at 1024 px (a classroom projector) or 800 px they wrap.
SETTINGS_GROUP_WIDTH = 230


# Brings a keyed container into sight once it is drawn (it may arrive after this script):
# the least scroll that shows it whole, or its top when it is taller than the window.
# Fixed text: the key is checked to be a plain name, and no user text is in it.
_SCROLL_SCRIPT = """<script>
(function find(tries) {
  const box = document.querySelector(".st-key-KEY");
  if (box) {
    box.style.scrollMarginTop = "4rem";  /* below Streamlit's fixed top bar */
    box.scrollIntoView({behavior: "smooth", block: "nearest"});
  } else if (tries > 0) {
    setTimeout(find, 100, tries - 1);
  }
})(50);
</script>"""


def scroll_to(key: str) -> None:
    """Scroll the container made with ``st.container(key=key)`` into sight, if it is not."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ValueError(f"not a plain container key: {key!r}")
    st.html(_SCROLL_SCRIPT.replace("KEY", key), unsafe_allow_javascript=True)


def wrapping_row(**options):
    """A row whose items go onto a new line where the page is too narrow for them.

    st.columns keeps its cells side by side down to a 640-pixel window, so at 800 pixels
    with the sidebar open it cut labels ("Baseline ac…", "Read both ways (bidirecti…").
    ``options`` go to st.container (gap, vertical_alignment).
    """
    return st.container(horizontal=True, **options)


# Under an empty text box: a typed text counts once applied (QA23: nothing happened until then).
TYPE_THEN_APPLY = ("Type a text, then press Ctrl+Enter or click outside the box to see {what}.")
WHOLE_NUMBER = st.column_config.NumberColumn(format="localized")  # 41,180, not 41180
TABLE_ROW_PX = 35  # st.dataframe's row height, the header's too


def whole_table_height(rows: int) -> int:
    """A dataframe height that shows every row and no scroll bar."""
    return TABLE_ROW_PX * (rows + 1) + 3


def percent_values(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy of ``frame`` whose shares in ``columns`` (0.9375) are percentages (93.75), as
    PERCENT shows them; missing values stay missing."""
    # to_numeric: a column no run fills holds None (dtype object), which cannot be scaled.
    return frame.assign(**{column: pd.to_numeric(frame[column]) * 100 for column in columns})


def run_label(run: runs_lib.RunInfo) -> str:
    """Plain text (a selectbox option): the status in words, as emoji may not render."""
    when = time.strftime("%d %b %H:%M", time.localtime(run.created))
    status = "" if run.status == runs_lib.FINISHED else f" ({run.status})"
    return f"{run.name} · {run.task_words} · {when}{status}"


def run_picker(label: str, key: str, runs: list[runs_lib.RunInfo]) -> str | None:
    """A selectbox of runs (newest first); returns the chosen run id.

    Every page's picker shows the session's current run: the one last trained,
    imported, sent to Explain or picked on any page. So after training a new model,
    Evaluate, Explain and Predict show it without being asked.
    """
    if not runs:
        return None
    ids = [r.run_id for r in runs]
    labels = {r.run_id: run_label(r) for r in runs}
    st.session_state.setdefault(state.RUN_NAMES, {}).update({r.run_id: r.name for r in runs})
    current = st.session_state.get(state.CURRENT_RUN)
    shown = current if current in ids else state.recent_run_among(ids)
    if shown:
        st.session_state[key] = shown
    elif st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    if st.session_state[key] != current:  # shown in its place: the next page shows it too
        state.looked_at(st.session_state[key])
    return st.selectbox(label, ids, key=key, format_func=labels.get,
                        on_change=_make_current, args=(key,))


REDRAW_CHECK_SECONDS = 2.0


def redraw_when(ready: Callable[[], bool]) -> None:
    """Redraw the whole page once ``ready()`` is true, checking every 2 s.

    For a page that names the session's run as still training: without it, the note
    and the older run shown instead stayed after the run had ended (browser QA).
    """
    def check() -> None:
        state.keep_widget_values_in_a_poll()
        if ready():
            st.rerun()

    st.fragment(run_every=REDRAW_CHECK_SECONDS)(check)()


def active_run(store: runs_lib.RunStore, run_id: str) -> runs_lib.RunInfo | None:
    """The run, if it is queued or training; None if it ended or is gone."""
    try:
        run = store.info(run_id)
    except StudioError:  # deleted or unreadable
        return None
    return run if run.is_active else None


def training_words(run: runs_lib.RunInfo) -> str:
    return "is waiting to train" if run.status == runs_lib.QUEUED else "is still training"


def _not_listed_yet(run_id: str) -> str | None:
    """Why the session's run is missing from a list of runs with a model, if it is training.

    The page then redraws itself when the run has its first saved model, or ends.
    """
    from ui import services  # here: services starts the job queue, which tests replace

    store = services.store()
    run = active_run(store, run_id)
    if run is None:
        return None
    redraw_when(lambda: store.has_model(run_id) or active_run(store, run_id) is None)
    doing = training_words(run)
    return (f"“{escape_markdown(run.name)}” {doing} and has no saved model yet: it "
            "appears here once its first epoch ends.")


def note_current_run_without_model(runs: list[runs_lib.RunInfo]) -> None:
    """Say so when the session's run is missing from ``runs``: it is still training, or it
    ended without a model.

    Without it the picker showed an older run without a word (exploratory QA).
    """
    current = st.session_state.get(state.CURRENT_RUN)
    if not current or current in {run.run_id for run in runs}:
        return
    note = _not_listed_yet(current)
    if note:
        st.info(note + " Below is an earlier run.", icon=":material/hourglass_top:")
        return
    from ui import services  # here: services starts the job queue, which tests replace

    try:
        info = services.store().info(current)
    except StudioError:
        from ui import shown_run  # here: it loads services, which tests replace

        shown_run.note_if_deleted(services.store(), current)
        return
    why = why_no_result(info)
    if why:  # QA: Explain and Predict showed another run without a word
        st.info(f"“{escape_markdown(info.name)}” has no model to answer with: {why}. "
                "Below is another run.", icon=":material/info:")


def why_no_result(info: runs_lib.RunInfo) -> str | None:
    """Why a run ended without a model or test results (it failed, or it was stopped while it
    waited), or None."""
    if info.status == runs_lib.FAILED:
        return "its training failed (Model & Train says why)"
    if info.stopped_before_start:
        return "it was stopped while it waited to train"
    return None


def _make_current(key: str) -> None:
    state.make_current(st.session_state[key])


def checkpoint_note(run: runs_lib.RunInfo) -> None:
    """Say so when the chosen run is still training: its answers come from a checkpoint."""
    note = runs_lib.checkpoint_note(run.state)
    if note:
        st.info(note, icon=":material/hourglass_top:")


def why_no_dataset() -> str:
    """What the Data page still needs before a model can be trained, in one sentence."""
    prepared = st.session_state.get(state.PREPARED_FROM)
    if st.session_state.get(state.FRAME) is not None and prepared and prepared[2]:
        return ("The data on the **Data** page is not ready yet: it shows what to change. "
                "Then you can train a model here.")
    if st.session_state.get(state.FRAME) is not None:
        return "Choose the text and label columns on the **Data** page to train a model here."
    return "First load and prepare a dataset on the **Data** page."


def runs_with_model(run_store: runs_lib.RunStore) -> list[runs_lib.RunInfo]:
    return [r for r in run_store.list_runs() if run_store.has_model(r.run_id)]


def require_runs_with_model(run_store: runs_lib.RunStore) -> list[runs_lib.RunInfo]:
    runs = runs_with_model(run_store)
    if not runs:
        current = st.session_state.get(state.CURRENT_RUN)
        training = _not_listed_yet(current) if current else None
        st.info(training or "No trained model yet. Train one on the **Model & Train** page "
                "(or import a model file on the **Predict** page).")
        links.page_link("pages/train.py", label="Go to Model & Train")
        st.stop()
    return runs


MAX_LINES_NAMED = 5  # a file's line numbers named in a note, then "and N more"


def which_lines(numbers, word: str = "") -> str:
    """" (lines 6 and 16)", or " on line 8" with ``word="on"``: where to look in the file."""
    if not numbers:
        return ""
    shown = [f"{n:,}" for n in numbers[:MAX_LINES_NAMED]]
    if len(numbers) > len(shown):
        shown.append(f"{len(numbers) - len(shown):,} more")
    where = f"line{'s' if len(numbers) > 1 else ''} {listed(shown)}"
    return f" {word} {where}" if word else f" ({where})"


def show_error(error) -> None:
    """An error box whose text shows exactly as written.

    Messages quote user values (file, column and class names); st.error renders
    markdown, so a class named "[win](https://…)" would otherwise become a link.
    """
    st.error(escape_markdown(str(error)))


def run_cut(store: runs_lib.RunStore, predictor, run_id: str) -> tuple[float, str]:
    """The cut-off on p(second class) a two-class run answers at, and a note when not 50%.

    ``predictor``: anything with the run's ``task`` and ``class_names`` (a Predictor, or
    the run's test results on Model & Train).

    It is the threshold chosen for the run on Evaluate (kept with the run), so every
    page gives the answers Evaluate shows; without one, 50%.
    """
    choice = predict_csv.saved_choice(store, run_id, predictor)
    return (evaluation.cut_on_second_class(predictor.class_names, choice),
            threshold_note(store, run_id, choice))


def threshold_note(store: runs_lib.RunStore, run_id: str,
                   choice: tuple[str, float] | None) -> str:
    """The sentence under a two-class run's answers at its saved ``choice``; "" at 50%."""
    if not choice or choice[1] == evaluation.DEFAULT_THRESHOLD:
        return ""
    # An imported run cannot be evaluated here: its threshold came inside the model file.
    source = ("saved in the model file it was imported from" if _imported(store, run_id)
              else "chosen on the Evaluate page")
    return (f"At the threshold {source}: a text counts as "
            f"“{escape_markdown(choice[0])}” from {choice[1]:.0%} sure.")


def _imported(store: runs_lib.RunStore, run_id: str) -> bool:
    try:
        return bool(store.spec(run_id).get("imported"))
    except StudioError:
        return False


def answer_words(class_names, scores, best: int) -> str:
    """The answer in bold with how sure the model is, in markdown.

    At a threshold other than 50% the answer need not be the likelier class; then
    both shares are given, so the sentence never seems to contradict the chart.
    """
    likeliest = int(np.argmax(scores))
    answer = escape_markdown(class_names[best])
    if likeliest == best:
        return f"**{answer}** ({scores[best]:.0%} sure)"
    shown = charts.telling_percent(scores[best], scores[likeliest])  # not "50% and 50%"
    return (f"**{answer}** at this run's threshold, though it gives “{answer}” only "
            f"{scores[best]:{shown}} and “{escape_markdown(class_names[likeliest])}” "
            f"{scores[likeliest]:{shown}}")


def answer_index(store: runs_lib.RunStore, predictor, run_id: str, scores) -> tuple[int, str]:
    """The class a run answers for one text's scores (see run_cut), and the threshold note."""
    cut, note = run_cut(store, predictor, run_id)  # 50% and no note but for two classes
    one_row = np.asarray(scores, dtype=float)[None]
    return int(evaluation.predicted_classes(predictor.task, one_row, cut)[0]), note
