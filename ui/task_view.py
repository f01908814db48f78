"""The Data page's "What to predict": the task, and whether numbered classes are a scale."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import labels as label_lib
from core.config import TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION
from core.errors import DataError
from core.explain import escape_markdown
from ui import state

TASK_AUTO = "auto"
TASK_LABELS = {
    TASK_AUTO: "Let LSTM Studio decide",
    TASK_BINARY: "Two classes (yes / no)",
    TASK_MULTICLASS: "Several classes",
    TASK_REGRESSION: "A number (rating regression)",
}
TASK_NAMES = {TASK_BINARY: "two classes", TASK_MULTICLASS: "several classes",
              TASK_REGRESSION: "a number"}


def _task_explanation(task: str, labels: pd.Series) -> str:
    if task == TASK_REGRESSION:  # no class names to list (a million ids took 3 s to sort)
        return ("the labels are numbers with many different values, so the model predicts a "
                "number and is scored by how far off it is.")
    # In the class-balance chart's order (QA: "Banana, Cherry, apple" above apple, Banana…).
    names = label_lib.sorted_classes(pd.unique(labels.dropna()))
    shown = ", ".join(escape_markdown(n) for n in names[:6]) + (
        f" and {len(names) - 6:,} more" if len(names) > 6 else "")
    if task == TASK_BINARY:
        return f"the labels have two values ({shown}), so the model gives the probability of one of them."
    return f"the labels have {len(names)} values ({shown}), so the model picks one of {len(names)} classes."


def _forced_task_words(task: str, facts: label_lib.LabelFacts) -> str:
    """What the model will do with the task the user chose."""
    if task == TASK_BINARY:
        return "The model will give the probability of one of the two classes."
    if task == TASK_MULTICLASS:
        return "The model will pick one class for each text."
    low_high = facts.number_range  # read with the column, not on every page run
    between = f" between {low_high[0]:g} and {low_high[1]:g}" if low_high else ""
    return f"The model will predict a number{between}, scored by how far off it is."


def task_choice(frame: pd.DataFrame,
                label_column: str | None) -> tuple[str | None, bool | None, bool]:
    """The radio of tasks; shows what 'decide' would pick and why.

    Returns the forced task (None: decide), for numbered classes whether they are a
    scale (None when the question does not apply), and whether labels that differ only
    in capital letters are one class.
    """
    choice = st.radio("What to predict", list(TASK_LABELS), key=state.W_TASK, horizontal=True,
                      format_func=TASK_LABELS.get)
    forced = None if choice == TASK_AUTO else choice
    if not label_column:
        return forced, None, False
    facts = _label_facts(frame, label_column)
    merge = _case_choice(facts.variants, label_column)
    try:
        inferred = facts.task(merge)
    except DataError:
        return forced, None, merge  # preparing shows the message
    guess = f"**{TASK_NAMES[inferred]}**: {_task_explanation(inferred, facts.labels(merge))}"
    if choice == TASK_AUTO:
        st.caption(f"LSTM Studio chose {guess}")
    else:  # QA19: a forced choice read only "LSTM Studio would choose several classes"
        st.caption(_forced_task_words(choice, facts) + (
            "" if choice == inferred else f" (LSTM Studio would choose {guess})"))
    if facts.row_ids:
        st.warning(f"Every row has its own number in “{escape_markdown(label_column)}”, so it "
                   "looks like a row number or id, not an answer to learn. Choose the column "
                   "that holds the answers as the label.", icon=":material/warning:")
    task = inferred if choice == TASK_AUTO else choice
    ordered = _scale_choice(label_column) if task == TASK_MULTICLASS and facts.numbered else None
    return forced, ordered, merge


def _label_facts(frame: pd.DataFrame, label_column: str) -> label_lib.LabelFacts:
    """The label column's facts, read once per file and column, not on every page run."""
    wanted = (st.session_state.get(state.FRAME_KEY), label_column)
    remembered = st.session_state.get(state.LABEL_FACTS)
    if remembered is None or remembered[0] != wanted:
        remembered = (wanted, label_lib.LabelFacts.read(frame[label_column], label_column))
        st.session_state[state.LABEL_FACTS] = remembered
    return remembered[1]


def _case_choice(variants: list[list[str]], label_column: str) -> bool:
    """Offer to merge labels that differ only in capital letters; on at first (QA: "Positive",
    "positive " and "POSITIVE" were 3 of 9 classes, and right answers were listed as mistakes)."""
    if not variants:
        return False
    asked_for = (st.session_state.get(state.FRAME_KEY), label_column)
    if st.session_state.get(state.MERGE_CASE_FOR) != asked_for:
        st.session_state[state.MERGE_CASE_FOR] = asked_for
        st.session_state[state.W_MERGE_CASE] = True
    groups = ["“" + "”, “".join(escape_markdown(v) for v in group) + "”"
              for group in variants[:3]]
    more = f" and {len(variants) - 3:,} more groups" if len(variants) > 3 else ""
    st.caption(f"Some labels differ only in capital letters: {'; '.join(groups)}{more}.")
    return st.checkbox("Count labels that differ only in capital letters as one class",
                       key=state.W_MERGE_CASE,
                       help="Each becomes the spelling most rows use. Untick it when capital "
                            "letters make a real difference between your labels.")


def _scale_choice(label_column: str) -> bool:
    """Ask whether numbered classes are a scale (ratings) or just names (topic codes)."""
    guessed_for = (st.session_state.get(state.FRAME_KEY), label_column)
    if st.session_state.get(state.ORDERED_FOR) != guessed_for:
        st.session_state[state.ORDERED_FOR] = guessed_for
        st.session_state[state.W_ORDERED] = label_lib.looks_like_scale(label_column)
    return st.checkbox(
        "The numbers are a scale, such as ratings (a 4 is closer to a 5 than a 1 is)",
        key=state.W_ORDERED,
        help="Ticked, Evaluate also says how far off the predicted class is (RMSE), as for "
             "star ratings. Untick it when the numbers only name the classes, such as topic "
             "codes 1-4.")
