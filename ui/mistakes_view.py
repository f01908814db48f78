"""Evaluate's worst mistakes: the table, and the picker that opens one on the Explain page.

Each mistake keeps its test-text number ("#7"), the one Explain's list of test texts gives
the same text, so a teacher who says "look at #7" means one text on both pages.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import labels
from core import results as results_lib
from core.evaluation import DEFAULT_THRESHOLD
from core.explain import escape_markdown
from core.results import RunResults, mistake_number
from core.text import listed, one_line_preview, shortened
from ui import explain_view, state, widgets

MISTAKES_SHOWN = 20
PREVIEW_CHARS = 90
SHOWN_CHARS = 3000  # a mistake's text shown under the picker, at most
NUMBERED_AS_ON_EXPLAIN = "Each keeps its test-text number, the one the Explain page lists it under."


def past_explains_list(mistakes: list) -> str | None:
    """A note naming the mistakes past the test texts Explain's picker lists, if any."""
    limit = explain_view.MAX_TEST_OPTIONS  # read here, so a test can lower it
    past = [mistake_number(m) for m in mistakes if m.index >= limit]
    if not past:
        return None
    one = len(past) == 1
    return (f"The Explain page lists only the first {limit:,} test texts, so {listed(past)} "
            f"{'is' if one else 'are'} not in its list; “Explain this text” below still "
            f"opens {'it' if one else 'them'} there.")


def mistakes_table(res: RunResults, threshold: float, can_explain: bool = True) -> list:
    """The worst mistakes; ``can_explain`` when the run has a model to send one to Explain."""
    mistakes = res.mistakes(MISTAKES_SHOWN, threshold)
    if not mistakes:
        st.success("The model got every test text right.")
        return []
    # Without a model the Explain page cannot show them, so it is not named then.
    after = (" " + NUMBERED_AS_ON_EXPLAIN + " Pick one and see which words misled the model."
             if can_explain else " Each keeps its number in the test split.")
    # The sentence says how core.evaluation.worst_mistakes sorted them.
    true, predicted = answer_columns(res)
    if res.is_regression:
        st.write("These predictions are the furthest from the true value, furthest first."
                 + after)
        table = pd.DataFrame({true: [m.true_label for m in mistakes],
                              predicted: [m.predicted_label for m in mistakes],
                              "off by": [m.error for m in mistakes],
                              "text": [m.text for m in mistakes]})
        config = {predicted: st.column_config.NumberColumn(format="%.2f"),
                  "off by": st.column_config.NumberColumn(format="%.2f")}
    elif res.is_ordinal:
        st.write(results_lib.FURTHEST_OFF_FIRST + after)
        table, config = _wrong_answers(mistakes, "confidence", res)
        table.insert(2, "off by", [m.error for m in mistakes])
    elif res.is_binary and abs(threshold - DEFAULT_THRESHOLD) > 1e-9:
        st.write("These wrong answers are the furthest past the threshold chosen above, "
                 "furthest first. At a threshold other than 50% the model can give its answer "
                 "under 50%." + after)
        table, config = _wrong_answers(mistakes, "chance of its answer", res)
    else:
        st.write("The model was most sure about these wrong answers, surest first." + after)
        table, config = _wrong_answers(mistakes, "confidence", res)
    # The short columns come first: on a narrow page the long text runs off to the right,
    # where it hid the answers behind a sideways scroll.
    config["text"] = st.column_config.TextColumn(width="large")
    # Rows stay in rank order; each is named by its number in the test split, not its rank.
    table.index = pd.Index([mistake_number(m) for m in mistakes], name="test text")
    st.dataframe(table, column_config=config)
    note = past_explains_list(mistakes) if can_explain else None
    if note:
        st.caption(note)
    return mistakes


def _numbered(res: RunResults) -> bool:
    """Numbers are named with their column, as Explain's "True rating: 4" (QA: bare 5, 1)."""
    return res.is_regression or labels.are_numbers(res.class_names)


def answer_columns(res: RunResults) -> tuple[str, str]:
    """"true rating", "predicted rating" for numbers; "true class", "predicted" for names."""
    named = (f"true {res.label_column}", f"predicted {res.label_column}")
    return named if _numbered(res) else ("true class", "predicted")


def _wrong_answers(mistakes: list, sureness: str, res: RunResults) -> tuple[pd.DataFrame, dict]:
    true, predicted = answer_columns(res)
    table = pd.DataFrame({true: [m.true_label for m in mistakes],
                          predicted: [m.predicted_label for m in mistakes],
                          sureness: [m.confidence for m in mistakes],
                          "text": [m.text for m in mistakes]})
    return widgets.percent_values(table, [sureness]), {sureness: widgets.PERCENT}


def send_to_explain(res: RunResults, mistakes: list) -> None:
    """Pick one mistake and open it on the Explain page."""
    run_id = res.run_id  # "true rating 5, predicted rating 1", or "true Sports, predicted …"
    said_true, said_predicted = answer_columns(res) if _numbered(res) else ("true", "predicted")

    def label(i: int) -> str:  # "#7 · true …": the number in the table, as Explain writes it
        m = mistakes[i]
        true, predicted = (f"{m.true_label:g}", f"{m.predicted_label:.2f}") \
            if isinstance(m.true_label, float) else (m.true_label, m.predicted_label)
        return (f"{mistake_number(m)} · {said_true} {true}, {said_predicted} {predicted} · "
                f"{one_line_preview(m.text, PREVIEW_CHARS)}")

    options = [label(i) for i in range(len(mistakes))]
    if st.session_state.get(state.W_EVAL_MISTAKE) not in options:
        # Set, not just dropped: a keyed selectbox would go on showing the old run's label.
        st.session_state[state.W_EVAL_MISTAKE] = options[0]
    # A wrapping row: a fifth of a column cut the button to "Explain thi…" at 1024 px (QA).
    row = widgets.wrapping_row(vertical_alignment="bottom")
    choice = row.selectbox("Which mistake do you want to understand?", options,
                           key=state.W_EVAL_MISTAKE)
    mistake = mistakes[options.index(choice)]
    # Whole: the table cuts long texts at 1280 px, and on a phone it scrolls sideways (QA).
    with st.container(border=True):
        st.markdown(escape_markdown(shortened(mistake.text, SHOWN_CHARS)))
    if row.button("Explain this text", key=state.W_EVAL_EXPLAIN, type="primary"):
        st.session_state[state.EXPLAIN_TEXT] = mistake.text
        st.session_state[state.EXPLAIN_NUMBER] = mistake.index
        st.session_state[state.EXPLAIN_RUN] = run_id
        # Explain then weighs the words for the wrong answer this page showed, which at a
        # threshold other than 0.5 need not be the class with the highest probability.
        st.session_state[state.EXPLAIN_PENDING_CLASS] = (run_id, mistake.text,
                                                         mistake.predicted_label)
        st.switch_page("pages/explain.py")
