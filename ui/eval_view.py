"""The Evaluate page's pieces. Everything comes from eval.json and data.csv (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import charts, evaluation, labels
from core import results as results_lib
from core.config import TASK_REGRESSION
from core.errors import StudioError
from core.evaluation import DEFAULT_THRESHOLD, EvalResult
from core.explain import escape_markdown
from core.results import RunResults
from core.runs import THRESHOLD_RANGE
from ui import plots, services, shown_run, state, widgets

AVERAGE_ROWS = {"macro avg": "average of classes", "weighted avg": "average of texts"}
# QA21: RMSE beside an average error of another size, and "TF-IDF + ridge regression" as the
# baseline's only help, read as jargon to a non-programmer.
MAE_HELP = "Mean absolute error: how far off a prediction is, on average."
CLASS_MAE_HELP = ("Mean absolute error: how many steps on the scale the predicted class is off, "
                  "on average.")
RMSE_HELP = ("Root mean squared error: big misses count more than small ones, so it is never "
             "below the average error (MAE), and a gap between the two means a few big misses.")


def baseline_help(base) -> str | None:
    if base is None:
        return None
    return ("A simple model trained on the same texts: it only counts which words a text uses, "
            f"ignoring their order ({base.description}). The LSTM should do better than it.")


@st.cache_data(max_entries=4, show_spinner="Reading the test results…")
def _cached_results(_store, home: str, run_id: str, version: float) -> RunResults:
    return results_lib.load_results(_store, run_id)


def load_results(store, run_id: str) -> RunResults:
    """The run's test results, re-read only when eval.json changes (e.g. after Train more)."""
    version = (store.path(run_id) / results_lib.EVAL_FILE).stat().st_mtime
    return _cached_results(store, str(store.home), run_id, version)


def _percent(value: float | None) -> str:
    return "–" if value is None else evaluation.percent(value)


def note_current_run_without_results(store, runs: list) -> bool:
    """Say so when the session's current run (an imported model, say) cannot be shown here.

    A run still training redraws the page when it ends, with its results. True when a
    note was shown.
    """
    current = st.session_state.get(state.CURRENT_RUN)
    if not current or current in {run.run_id for run in runs}:
        return False
    try:
        info = store.info(current)
    except StudioError:
        return shown_run.note_if_deleted(store, current, others=bool(runs))
    if info.is_active:
        widgets.redraw_when(lambda: widgets.active_run(store, current) is None)
        why = f"{widgets.training_words(info)}; its test results appear here when it ends"
    elif info.state.get("imported"):
        why = "was imported from a file, so its test texts are not here"
    else:  # "yet" only for a run that may still get them (QA: it was said of a failed run)
        ended = widgets.why_no_result(info)
        why = f"has no test results, as {ended}" if ended else "has no test results yet"
    below = " Below is a run that has test results." if runs else ""
    st.info(f"“{escape_markdown(info.name)}” cannot be evaluated here: it {why}.{below}",
            icon=":material/info:")
    return True


def baseline_sentence(res: RunResults, result: EvalResult) -> str:
    """Does the LSTM beat the simple word-count model? One plain sentence."""
    base = res.baseline
    if base is None:
        return ""
    verdict = evaluation.compare_with_baseline(result, base)
    scale = _on_the_scale(result, base, verdict)
    if verdict > 0:
        return base.summary() + " The LSTM does better." + scale
    advice = (" With little data or few epochs this is common: try more epochs, more data "
              "or a smaller network.")
    if verdict == 0 and result.task != TASK_REGRESSION and result.accuracy >= 1:
        return base.summary() + (" The LSTM gets every test text right too: these texts are "
                                 "easy to tell apart, even by counting words.")
    if verdict == 0:
        return base.summary() + " The LSTM does about the same as the baseline." + scale + advice
    return base.summary() + " The simple model does better." + scale + advice


def _on_the_scale(result: EvalResult, base, verdict: int) -> str:
    """Classes on a scale: the verdict counts exact answers only, so say when the average
    error points the other way (QA23: "the simple model does better" at 66.0% against
    66.6%, beside an average error of 0.40 against its 0.42)."""
    ours, theirs = result.ordinal_mae, base.mae
    if ours is None or theirs is None or round(ours, 2) == round(theirs, 2):
        return ""
    lstm_closer = ours < theirs
    if verdict != 0 and lstm_closer == (verdict > 0):
        return ""  # both say the same
    closer = "the LSTM's" if lstm_closer else "the simple model's"
    return (f" On the scale, though, {closer} answers are closer: off by {min(ours, theirs):.2f} "
            f"on average against {max(ours, theirs):.2f}.")


def _delta(value: float, base_value: float, verdict: int, decimals: int, unit: str,
           better_when: str = "normal"):
    """(text, colour) of a change against the baseline; about the same (verdict 0) is grey.

    The difference of the two numbers as shown, as a reader subtracts them (QA22: "+0.07"
    under 0.96 and 0.88). A real gain or loss too small for ``decimals`` gets more of them,
    never a bare "0.00".
    """
    shown = round(round(value, decimals) - round(base_value, decimals), decimals)
    difference = shown if shown != 0 else value - base_value
    if verdict == 0:
        text = f"{0:.{decimals}f}" if shown == 0 else f"{shown:+.{decimals}f}"
        return f"{text}{unit} vs baseline", "off"
    while round(difference, decimals) == 0 and decimals < 6:
        decimals += 1
    return f"{difference:+.{decimals}f}{unit} vs baseline", better_when


def headline(res: RunResults, result: EvalResult) -> None:
    base = res.baseline
    verdict = evaluation.compare_with_baseline(result, base) if base else 0
    row = widgets.wrapping_row()
    if res.is_regression:
        delta, colour = _delta(result.rmse, base.rmse, verdict, 2, "", "inverse") \
            if base else (None, "off")
        row.metric("RMSE (lower is better)", f"{result.rmse:.2f}", delta, help=RMSE_HELP,
                   delta_color=colour, delta_arrow="off" if colour == "off" else "auto")
        row.metric("Baseline RMSE", _two_decimals(base.rmse if base else None),
                   help=baseline_help(base))
        row.metric("Average error (MAE)", f"{result.mae:.2f}", help=MAE_HELP)
        row.metric("Baseline MAE", _two_decimals(base.mae if base else None),  # QA22: the MAE
                   help=baseline_help(base))  # alone beside the baseline's RMSE read as its
    else:
        delta, colour = _delta(100 * result.accuracy, 100 * base.accuracy, verdict, 1,
                               " points") if base else (None, "off")
        row.metric("Test accuracy", _percent(result.accuracy), delta, delta_color=colour,
                           delta_arrow="off" if colour == "off" else "auto")
        row.metric("Baseline accuracy", _percent(base.accuracy) if base else "–",
                   help=baseline_help(base))
        if result.roc_auc is not None:
            row.metric(
                "ROC area", f"{result.roc_auc:.3f}",
                help="1.0 means every yes-text scores above every no-text; 0.5 is chance.")
        elif result.ordinal_mae is not None:
            row.metric("Average error (MAE)", f"{result.ordinal_mae:.2f}", help=CLASS_MAE_HELP)
    row.metric("Test texts", f"{result.n_test:,}")
    st.markdown(f"**{evaluation.headline(result)}** {baseline_sentence(res, result)}")
    if base and result.threshold not in (None, DEFAULT_THRESHOLD):
        st.caption("The baseline answers at the usual 50% threshold. A threshold picked while "
                   "looking at these test texts fits them a little better than it would fit "
                   "new texts, so a small lead over the baseline may not last.")


def _positive_index(res: RunResults) -> int:
    """The class the threshold is about: the user's pick, else the model's own (index 1).

    The model outputs the probability of ``class_names[1]``; choosing the other class
    only changes the point of view (its probability is 1 - p), never the model.
    """
    chosen = st.session_state.get(state.W_POSITIVE_CLASS)
    if chosen not in res.class_names:
        st.session_state[state.W_POSITIVE_CLASS] = chosen = res.class_names[1]
    return res.class_names.index(chosen)


def _restore_choices(res: RunResults) -> None:
    """Each run keeps its own threshold and class choice: a run shown for the first time
    starts at the default, one shown before gets back what was chosen for it."""
    if (st.session_state.get(state.THRESHOLD_RUN) == res.run_id
            and state.W_THRESHOLD in st.session_state
            and state.W_POSITIVE_CLASS in st.session_state):
        return
    chosen = (st.session_state.get(state.THRESHOLD_CHOICES, {}).get(res.run_id)
              or _saved_choice(res.run_id))
    positive, slider = chosen or (res.class_names[1], DEFAULT_THRESHOLD)
    st.session_state[state.W_POSITIVE_CLASS] = positive
    st.session_state[state.W_THRESHOLD] = slider
    st.session_state[state.THRESHOLD_RUN] = res.run_id


def current_threshold(res: RunResults) -> float:
    """The cut-off on the model's probability (of ``class_names[1]``) the slider stands for.

    Known before the slider is drawn further down the page.
    """
    if not res.is_binary:
        return DEFAULT_THRESHOLD
    _restore_choices(res)
    index = _positive_index(res)
    slider = float(st.session_state[state.W_THRESHOLD])
    choices = st.session_state.setdefault(state.THRESHOLD_CHOICES, {})
    choice = (res.class_names[index], slider)
    if choices.get(res.run_id) != choice and choice != _saved_choice(res.run_id):
        _save_choice(res.run_id, choice)  # Predict and Explain answer at it too, after a reload
    choices[res.run_id] = choice
    return evaluation.cut_on_second_class(res.class_names, choice)


def _saved_choice(run_id: str) -> tuple[str, float] | None:
    try:
        return services.store().threshold_choice(run_id)
    except StudioError:
        return None


def _save_choice(run_id: str, choice: tuple[str, float]) -> None:
    try:
        services.store().save_threshold_choice(run_id, *choice)
    except (StudioError, OSError):  # a read-only store: the choice lasts for this session
        pass


def _flip_threshold() -> None:
    """The same answers seen from the other class: a cut-off t on one is 1 - t on the other."""
    st.session_state[state.W_THRESHOLD] = round(1 - st.session_state[state.W_THRESHOLD], 2)


def threshold_section(res: RunResults) -> None:
    """The positive class, the threshold slider and the numbers that follow them."""
    names = res.class_names
    st.radio("Which class is the model looking for?", names, key=state.W_POSITIVE_CLASS,
             horizontal=True, format_func=escape_markdown, on_change=_flip_threshold,
             help="Precision, recall and the curves below are about finding this class. "
                  "Switching only changes the point of view: the model and its answers stay "
                  "the same.")
    index = _positive_index(res)
    positive, negative = escape_markdown(names[index]), escape_markdown(names[1 - index])
    low, high = THRESHOLD_RANGE  # a saved choice outside it is no choice (core.runs)
    cut = st.slider("Threshold", min_value=low, max_value=high, step=0.01, key=state.W_THRESHOLD,
                    help=f"The model gives every text a probability of being {positive}. Texts "
                         f"at or above the threshold count as {positive}.")
    st.markdown(f"A text counts as **{positive}** when the model is at least {cut:.0%} sure it "
                f"is; otherwise it counts as **{negative}**. A higher threshold means it says "
                f"*{positive}* less often (fewer false alarms, more misses); lower means the "
                "opposite. All numbers on this page follow it.")
    is_positive = (np.asarray(res.y) == index).astype(int)
    p_positive = res.scores[:, index]
    numbers = evaluation.metrics_at_threshold(is_positive, p_positive, cut)
    row = widgets.wrapping_row()
    row.metric("Accuracy", _percent(numbers["accuracy"]))
    (_, false_alarms), (_, found) = numbers["confusion"]
    called = false_alarms + found  # none: no answer to be right about, as in the table (QA)
    row.metric("Precision", _percent(numbers["precision"] if called else None),
               help=f"Of the texts called {positive}, the share that really are." if called else
               f"At this threshold the model calls no text {positive}, so there is no "
               "precision to measure.")
    row.metric("Recall", _percent(numbers["recall"]),
               help=f"Of the texts that really are {positive}, the share the model found.")
    row.metric("F1", _percent(numbers["f1"]), help="A balance of precision and recall.")
    curves = evaluation.threshold_curves(is_positive, p_positive)
    st.caption("How the threshold trades one error for the other: the X marks where the model "
               "stands at this threshold.")
    roc, pr = charts.roc_pr(curves, cut, at=numbers)
    left, right = st.columns(2)  # one under the other on a phone, where st.columns stack
    plots.plotly(roc, left, key="eval.roc")
    plots.plotly(pr, right, key="eval.pr")


def class_report(res: RunResults, result: EvalResult) -> None:
    rows = {name: values for name, values in (result.report or {}).items()
            if isinstance(values, dict)}
    table = pd.DataFrame(rows).T.rename(columns={"f1-score": "F1", "support": "test texts"},
                                        index=AVERAGE_ROWS)
    table.index.name = res.class_word
    never = res.never_predicted(result)
    # No answer of that class to be right or wrong about: an empty cell, not "0.0%" (QA).
    table.loc[[name for name in never if name in table.index], "precision"] = None
    shares = ("precision", "recall", "F1")
    table = widgets.percent_values(table, shares)
    # Wide enough for its longest label: left to itself the grid cut "average of classes"
    # to "averag…". About 8 pixels a character, plus the cell's padding.
    width = min(400, 24 + 8 * max(len(str(label)) for label in table.index))
    st.dataframe(table, placeholder=widgets.BLANK_CELL,
                 column_config={"_index": st.column_config.TextColumn(width=width),
                                **dict.fromkeys(shares, widgets.PERCENT),
                                "test texts": widgets.WHOLE_NUMBER})  # 2,264 (QA23)
    st.caption("**Precision**: of the texts the model put in a class, the share that belong "
               "there. **Recall**: of the texts that belong to a class, the share it found. "
               "**F1**: a balance of the two, high only when both are.")
    if never:  # "rating 2", as Explain and Predict name it (QA22: “2”)
        shown = dict(zip(res.class_names, labels.named_classes(res.class_names, res.label_column)))
        names = ", ".join(f"“{escape_markdown(shown.get(name, name))}”" for name in never)
        st.caption(f"The model never answered {names} on these texts, so "
                   f"{'that class has' if len(never) == 1 else 'those classes have'} no "
                   "precision (the empty cell); the averages count it as 0.")


def confusion(result: EvalResult, res: RunResults) -> None:
    normalized = st.toggle("Show shares instead of counts", key=state.W_NORMALIZE,
                           help="Each row then adds up to 100%: how each true class was predicted.")
    matrix = evaluation.normalize_confusion(result.confusion) if normalized else result.confusion
    plots.plotly(charts.confusion_heatmap(matrix, res.class_names, normalized, res.class_word),
                 key="eval.confusion")
    rounded = (" Shares are rounded to whole percents, so a row may add up to 99% or 101%."
               if normalized else "")  # browser QA: 57% + 21% + 0% + 21%
    st.caption("Rows are the true classes, columns what the model predicted: "
               "the diagonal holds the right answers." + rounded)


def values_section(res: RunResults) -> None:
    values = res.true_and_predicted_values()
    if values is None:
        return
    if res.is_ordinal:
        result = res.metrics
        row = widgets.wrapping_row()
        base = res.baseline
        row.metric("RMSE of the predicted class", f"{result.ordinal_rmse:.2f}", help=RMSE_HELP)
        row.metric("Baseline RMSE", _two_decimals(base.rmse if base else None),
                   help=baseline_help(base))
        row.metric("Average error (MAE)", f"{result.ordinal_mae:.2f}", help=CLASS_MAE_HELP)
        row.metric("Baseline MAE", _two_decimals(base.mae if base else None),
                   help=baseline_help(base))
        st.markdown("The classes are a scale, so here each dot is a test text: across, its true "
                    "class; up, the class the model chose. Dots off the dashed line are the "
                    "misses that RMSE and MAE count.")
    plots.plotly(charts.predicted_vs_true(*values, predicted_classes=res.is_ordinal),
                 key="eval.values")


def _two_decimals(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
