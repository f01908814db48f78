"""The Runs page's pieces: the comparison table, overlaid curves, report and delete."""

from __future__ import annotations

import itertools

import pandas as pd
import streamlit as st

from core import charts, compare, config, evaluation, labels, report
from core import runs as runs_lib
from core.errors import StudioError
from core.explain import escape_markdown
from core.text import listed, shortened
from ui import plots, shown_run, state, widgets
from ui.task_view import TASK_NAMES

CURVE_METRICS = ("val_loss", "val_accuracy", "loss", "accuracy", "val_rmse")
MEASURE_WIDTH = 220  # px: "Validation accuracy" and the box's arrow
# How to read each measure's curves (QA: a loss sentence stayed above accuracy curves).
CURVE_ADVICE = {
    "val_loss": "Lower validation loss is better. Lines that keep falling could use more "
                "epochs; a validation loss that rises again means the model started memorising.",
    "val_accuracy": "Higher validation accuracy is better. Lines still rising could use more "
                    "epochs.",
    "loss": "Training loss keeps falling while a model memorises its training texts; the "
            "validation loss says how it does on texts it has not seen.",
    "accuracy": "Training accuracy keeps rising while a model memorises its training texts; "
                "the validation accuracy says how it does on texts it has not seen.",
    "val_rmse": "Lower validation RMSE is better: how far predicted numbers are from the "
                "true ones.",
}
LOSS_METRICS = ("val_loss", "loss")  # squared error for a number, cross-entropy for classes
DEFAULT_COMPARED = 3
EMPTY_CELL = "–"  # an en dash, as the HTML report shows a missing value
PERCENT_COLUMNS = ("test accuracy", "baseline accuracy")  # shown as on Evaluate
_TWO_DECIMALS = st.column_config.NumberColumn(format="%.2f")
TABLE_CONFIG = {
    "name": st.column_config.TextColumn(pinned=True),
    "data": st.column_config.TextColumn(help="The sample or file the run learned from."),
    # Runs compare alike at one cut-off; Evaluate shows a run's own chosen threshold.
    "test accuracy": st.column_config.NumberColumn(
        format=widgets.PERCENT_FORMAT,
        help="On the test texts. A two-class run is scored at the usual 50% threshold here, "
             "so runs compare alike; Evaluate also shows it at the run's chosen threshold."),
    "baseline accuracy": widgets.PERCENT,
    "test RMSE": _TWO_DECIMALS, "baseline RMSE": _TWO_DECIMALS,
    "params": st.column_config.NumberColumn(format="localized",
                                            help="Numbers the network learned (weights)."),
    "seconds/epoch": st.column_config.NumberColumn(
        format="%.1f s", help="Average time per epoch, not counting the first one "
                              "(it also prepares the network)."),
    "created": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
}


# Scores right after the name: they are what people compare, and on a narrow page the
# columns after them need a sideways scroll. The name stays pinned while scrolling.
COLUMN_ORDER = ("name", "test accuracy", "baseline accuracy", "test RMSE", "baseline RMSE",
                "data", "status", "task", "architecture", "embedding", "max tokens", "units", "params",
                "epochs", "seconds/epoch", "created")


TABLE_NAME_CHARS = 40  # the pinned name column takes the width of the longest name: an
# 80-character one left a phone's table a 60 px slit for the scores (QA)


def table(frame: pd.DataFrame) -> None:
    # Columns no run fills (RMSE when every run is a classifier) would only show dashes.
    shown = [c for c in COLUMN_ORDER if c in frame.columns and frame[c].notna().any()]
    frame = widgets.percent_values(frame, PERCENT_COLUMNS)
    frame["name"] = [shortened(name, TABLE_NAME_CHARS) for name in frame["name"]]
    # An empty cell (an imported run has no scores or timing) showed the word "None". The
    # placeholder only changes what the browser shows: the columns keep their numbers, so
    # they still sort and format as numbers.
    st.dataframe(frame, hide_index=True, column_config=TABLE_CONFIG, column_order=shown,
                 placeholder=EMPTY_CELL)
    st.caption("Accuracy: share of test texts classified right (higher is better). RMSE: how "
               "far predicted ratings are from the true ones (lower is better). The baseline is "
               "a simple word-count model trained on the same data.")


def own_thresholds_note(store: runs_lib.RunStore, runs: list[runs_lib.RunInfo]) -> None:
    """Names the two-class runs with a threshold of their own: the table scores them at 50%,
    and said so only in a tooltip (QA20: 91.9% here, 83.8% on Evaluate and in the report)."""
    own = []
    for run in runs:
        if run.task != config.TASK_BINARY:
            continue
        choice = evaluation.usable_choice(run.spec.get("class_names") or (),
                                          store.threshold_choice(run.run_id))
        if choice and choice[1] != evaluation.DEFAULT_THRESHOLD:
            own.append(f"“{escape_markdown(run.name)}” (“{escape_markdown(choice[0])}” from "
                       f"{choice[1]:.0%} sure)")
    if own:
        st.caption("Two-class runs are scored here at the usual 50% threshold, so runs compare "
                   f"alike. {listed(own)} {'has' if len(own) == 1 else 'have'} a "
                   "threshold chosen on Evaluate, where Evaluate and the report score "
                   f"{'it' if len(own) == 1 else 'them'}.")


def _has_curve(store: runs_lib.RunStore, run: runs_lib.RunInfo) -> bool:
    """Whether the run has learning curves, or soon will (it is training or queued)."""
    if run.is_active:
        return True
    records, _ = store.read_metrics(run.run_id)
    return _epochs(records, "epoch")


def _epochs(records: list[dict], key: str) -> bool:
    return _points(records, key) > 0


def _points(records: list[dict], key: str) -> int:
    """How many epochs measured ``key``."""
    return sum(r.get("kind") == "epoch" and r.get(key) is not None for r in records)


def _first_choice(store: runs_lib.RunStore, runs: list[runs_lib.RunInfo]) -> list[str]:
    """The newest runs with curves of one task: the session's run's task, else the newest's."""
    current = st.session_state.get(state.CURRENT_RUN)
    for task in dict.fromkeys([r.task for r in runs if r.run_id == current] + [r.task for r in runs]):
        same = (r.run_id for r in runs if r.task == task and _has_curve(store, r))
        chosen = list(itertools.islice(same, DEFAULT_COMPARED))
        if chosen:
            return chosen
    return []


def _short_labels(runs: list[runs_lib.RunInfo]) -> dict[str, str]:
    """Each run's name, with the end of its id where two runs share it.

    Short, as chips and legends cut long labels (the table beside them has the dates).
    """
    names = [r.name for r in runs]
    return {r.run_id: r.name if names.count(r.name) == 1 else f"{r.name} ({r.run_id[-6:]})"
            for r in runs}


def compare_curves(store: runs_lib.RunStore, runs: list[runs_lib.RunInfo]) -> None:
    ids = [r.run_id for r in runs]
    by_id = {r.run_id: r for r in runs}
    labels = _short_labels(runs)
    chosen = st.session_state.get(state.W_RUNS_SELECTED)
    chosen = _first_choice(store, runs) if chosen is None else list(chosen)
    seen = st.session_state.get(state.RUNS_SEEN)
    if seen is not None:  # runs trained since the last visit join the comparison (imported
        # runs have no curves to join with)
        chosen = [i for i in ids if i not in seen and _has_curve(store, by_id[i])] + chosen
    chosen = [i for i in dict.fromkeys(chosen) if i in ids]  # deleted runs drop out
    st.session_state[state.W_RUNS_SELECTED] = chosen
    st.session_state[state.RUNS_SEEN] = ids
    # A wrapping row, the measure box as wide as its longest name: a quarter column cut
    # "Validation loss" at 1024 px (browser QA).
    row = widgets.wrapping_row(vertical_alignment="bottom")
    # A run deleted in another tab can still come back from the browser: a label for any id
    # (a None label crashed the page, QA), and only listed runs are drawn.
    selected = row.multiselect("Runs to compare", ids, key=state.W_RUNS_SELECTED,
                               format_func=lambda run_id: labels.get(run_id, str(run_id)))
    selected = [run_id for run_id in selected if run_id in by_id]
    if st.session_state.get(state.W_RUNS_METRIC) not in CURVE_METRICS:
        st.session_state[state.W_RUNS_METRIC] = CURVE_METRICS[0]
    metric = row.selectbox("Measure", CURVE_METRICS, key=state.W_RUNS_METRIC,
                           format_func=charts.metric_label, width=MEASURE_WIDTH)
    st.caption(CURVE_ADVICE[metric])
    tasks = {by_id[i].task for i in selected}
    # Only runs with curves are left out (an imported run has none).
    others = [t for t in TASK_NAMES if t not in tasks
              and any(r.task == t and _has_curve(store, r) for r in runs)]
    if len(tasks) == 1 and others and metric in LOSS_METRICS:  # QA: said under an RMSE chart
        st.caption(f"Runs that predict {' or '.join(TASK_NAMES[t] for t in others)} are left "
                   "out, as their loss is measured in another way; pick them above to compare "
                   "them too (each task then gets a loss chart of its own).")
    if not selected:
        st.caption("Pick one or more runs to overlay their learning curves.")
        return
    run_of = {labels[run_id]: by_id[run_id] for run_id in selected}
    _draw({label: store.read_metrics(run.run_id)[0] for label, run in run_of.items()},
          run_of, metric)


def _answers(run: runs_lib.RunInfo) -> tuple:
    """What a run predicts: its task and classes, or the column of its numbers."""
    data = run.spec.get("data") or {}
    return run.task, tuple(run.spec.get("class_names") or ()) or data.get("label_column")


def _answers_words(run: runs_lib.RunInfo) -> str:
    """" 4 classes (Business, Science, …)", "5 classes (rating 1, 2, 3, …)" or
    "a number (rating)", for a chart's title."""
    column = (run.spec.get("data") or {}).get("label_column")
    if run.task == config.TASK_REGRESSION:
        return f"a number ({column or 'value'})"
    names = [str(name) for name in run.spec.get("class_names") or ()]
    if column:  # "(1, 2, 3, …)" of what? The first name says: "(rating 1, 2, 3, …)"
        names[:1] = labels.named_classes(names, column)[:1]
    return f"{run.task_words} ({', '.join(names[:3])}{', …' if len(names) > 3 else ''})"


def _why_no_curve(run: runs_lib.RunInfo) -> str:
    """QA: a run waiting to train was said to be imported."""
    if run.state.get("imported"):
        return "an imported model comes without its training history"
    if run.status == runs_lib.QUEUED:
        return "waiting to train"
    if run.is_active:
        return "training, and a curve starts when the first epoch ends"
    return "it ended before its first epoch"


def _say_which_lie_on_others(curves: dict[str, list], metric: str) -> None:
    """Why a line is dashed: it lies on another run's, for as long as it ran or at first."""
    on_others = compare.curves_on_others(curves, metric)
    for under in dict.fromkeys(on.under for on in on_others):
        whole = [on.run for on in on_others if on.under == under and on.whole]
        if whole:
            names = [f"“{escape_markdown(label)}”" for label in (under, *whole)]
            listed_names = f"{', '.join(names[:-1])} and {names[-1]}"
            if _points(curves[under], metric) == 1:  # one point: so have all of them
                st.caption(f"{listed_names} have the same value after their one epoch (same "
                           "data, settings and seed), so one dot shows for all of them.")
            else:
                st.caption(f"{listed_names} have the same curve for as long as each ran (same "
                           "data, settings and seed), so their lines lie on each other: "
                           f"{' and '.join(names[1:])} {'is' if len(whole) == 1 else 'are'} "
                           "drawn dashed.")
        for on in on_others:
            if on.under == under and not on.whole:
                run = escape_markdown(on.run)
                st.caption(f"“{run}” has the same curve as “{escape_markdown(under)}” for "
                           f"their first {on.epochs} epochs (same data, settings and seed "
                           f"until then), and then they part: “{run}” is drawn dashed.")


def _draw(curves: dict[str, list], run_of: dict[str, runs_lib.RunInfo], metric: str) -> None:
    """One chart, or for a loss one per kind of answer: a rating's squared error and a
    class's cross-entropy are different numbers, and so are the cross-entropies of 4 topics
    and 5 ratings (browser QA), which one axis would make look comparable."""
    task_of = {label: run.task for label, run in run_of.items()}
    kinds = {_answers(run): run for run in run_of.values()}
    groups = {None: curves}
    if metric in LOSS_METRICS and len(kinds) > 1:
        groups = {kind: {label: records for label, records in curves.items()
                         if _answers(run_of[label]) == kind} for kind in kinds}
        st.caption("Runs that predict different things get a chart each: a loss is measured "
                   "against the answers, so losses for different answers cannot be compared.")
    for number, (kind, group) in enumerate(groups.items()):
        if not any(_epochs(records, "epoch") for records in group.values()):
            continue  # nothing to draw (QA: an empty chart for a run waiting to train)
        if kind is not None:  # above the chart, as wide as the page: in its title, plotly
            # cannot wrap, and a line cut to fit a phone wrapped early on a desktop (QA20)
            st.markdown(f"**Runs that predict {escape_markdown(_answers_words(kinds[kind]))}**")
        plots.plotly(charts.compare_curves(group, metric),
                     key="runs.curves" if kind is None else f"runs.curves.{number}")
        _say_which_lie_on_others(group, metric)  # under its own chart (QA22)
    without: dict[str, list[str]] = {}
    for label, records in curves.items():
        if not _epochs(records, "epoch"):
            without.setdefault(_why_no_curve(run_of[label]), []).append(escape_markdown(label))
    for why, names in without.items():
        st.caption(f"No curve for {', '.join(names)}: {why}.")
    lacking = [label for label, records in curves.items()
               if _epochs(records, "epoch") and not _epochs(records, metric)]
    if lacking:
        what = charts.metric_label(metric)
        what, names = what[0].lower() + what[1:], ", ".join(map(escape_markdown, lacking))
        kinds = " or ".join(dict.fromkeys(TASK_NAMES.get(task_of[label], task_of[label])
                                          for label in lacking))
        # Every task measures its loss: a run without one broke down (QA: it was said that
        # "runs that predict a number do not measure it").
        st.caption(f"No {what} for {names}: its training broke down, as the loss stopped being "
                   "a number." if metric in LOSS_METRICS else
                   f"No {what} for {names}: runs that predict {kinds} do not measure it.")


def report_button(store: runs_lib.RunStore, run: runs_lib.RunInfo) -> None:
    shown_run.download_gone_note()
    st.download_button("Download a report (HTML)",
                       data=lambda: report.build_report(store, run.run_id),
                       file_name=report.report_file_name(run.name), mime="text/html",
                       key=state.W_RUNS_REPORT, icon=":material/description:",
                       on_click=shown_run.say_if_download_is_gone,
                       args=(store, run.run_id, run.name, "report"),
                       help="One file with the settings, scores, charts and worst mistakes; "
                            "it opens in any browser, offline.")


def picked_run_gone(store: runs_lib.RunStore, picked: str | None, shown: str) -> bool:
    """Whether the run picked below was deleted elsewhere and another is shown in its place;
    says so. A run this session deleted is not news."""
    if not picked or picked == shown or picked == st.session_state.pop(state.DELETED_HERE, None):
        return False
    return shown_run.note_if_deleted(store, picked)


def rename_box(store: runs_lib.RunStore, run: runs_lib.RunInfo, act: bool = True) -> None:
    """A new name for the run, which every page's run picker then shows. ``act`` False: a
    click is ignored (it was meant for a run deleted meanwhile)."""
    box = f"{state.W_RUNS_RENAME}.{run.run_id}"
    _follow_renames_elsewhere(box, run)
    with st.form(key=state.W_RUNS_RENAME, border=False):
        # No max_chars: the browser dropped a longer pasted name without a word (QA).
        typed = st.text_input("Name", value=run.name, key=box)
        pressed = st.form_submit_button("Rename", key=state.W_RUNS_RENAME_GO,
                                        icon=":material/edit:")
    if not pressed or not act:
        return
    if not typed.strip():
        st.error("Type a name for the run first.")
        return
    try:
        store.rename(run.run_id, typed)
    except StudioError as err:
        widgets.show_error(err)
        return
    kept = typed.strip()[:runs_lib.NAME_CHARS]
    cut = (f" (a name keeps its first {runs_lib.NAME_CHARS} characters)"
           if len(typed.strip()) > runs_lib.NAME_CHARS else "")
    st.session_state[state.RUNS_MESSAGE] = f"Renamed to “{escape_markdown(kept)}”{cut}."
    st.rerun()


STILL_TRAINING = ("This run is still training or waiting to train. Stop it on the "
                  "**Model & Train** page first, then you can delete it here.")


def still_training(store: runs_lib.RunStore, run: runs_lib.RunInfo) -> bool:
    """Queued, or what the store refuses to delete (running with a live worker)."""
    return run.status == runs_lib.QUEUED or store.training_now(run.run_id)


def _follow_renames_elsewhere(box: str, run: runs_lib.RunInfo) -> None:
    """The Name box shows a name another session gave the run, unless the user has typed
    one of their own (QA: it kept the old name, and Rename then undid the other's rename)."""
    shown = st.session_state.setdefault(state.RENAME_BOX_NAMES, {})
    if box in st.session_state and st.session_state[box] == shown.get(box) != run.name:
        st.session_state[box] = run.name
    shown[box] = run.name


def delete_flow(store: runs_lib.RunStore, run: runs_lib.RunInfo, act: bool = True) -> None:
    """Two steps: "Delete…" asks, "Yes, delete <name>" deletes.

    A run still training or waiting to train cannot be deleted: the button is off and says
    so before anything is asked. ``act`` False: a click is ignored (rename_box).
    """
    if st.session_state.get(state.CONFIRM_DELETE) not in (None, run.run_id):
        st.session_state.pop(state.CONFIRM_DELETE)  # another run was picked: not asked again
    training = still_training(store, run)
    if st.button("Delete this run…", key=state.W_RUNS_DELETE, icon=":material/delete:",
                 disabled=training, help=STILL_TRAINING if training else None) and act:
        st.session_state[state.CONFIRM_DELETE] = run.run_id
    if training:
        st.caption(STILL_TRAINING)
        # A question open when the training began is dropped, not asked again by itself
        # once the training ends and the page redraws (QA).
        st.session_state.pop(state.CONFIRM_DELETE, None)
    if training or st.session_state.get(state.CONFIRM_DELETE) != run.run_id:
        return
    name = escape_markdown(run.name)
    st.warning(f"Delete “{name}” with its model and results? This cannot be undone.")
    yes, no = st.columns(2)
    if no.button("Cancel", key=state.W_RUNS_DELETE_CANCEL):
        st.session_state.pop(state.CONFIRM_DELETE, None)
        st.rerun()
    if yes.button(f"Yes, delete {name}", key=state.W_RUNS_DELETE_CONFIRM, type="primary"):
        st.session_state.pop(state.CONFIRM_DELETE, None)  # answered, even if refused below
        try:
            store.delete(run.run_id)
        except StudioError as err:
            widgets.show_error(err)
            return
        st.session_state[state.DELETED_HERE] = run.run_id
        _current_after_delete(store, run.run_id)
        st.session_state[state.RUNS_MESSAGE] = f"Deleted “{name}”."
        st.rerun()


def _current_after_delete(store: runs_lib.RunStore, deleted: str) -> None:
    """Every page moves to the newest run left, the one the Runs picker falls back to.

    Without this each page fell back on its own earlier pick, so Evaluate and Explain
    showed one run while Runs, Predict and Model & Train showed another.
    """
    if st.session_state.get(state.CURRENT_RUN) != deleted:
        return
    left = store.list_runs()
    if left:
        state.make_current(left[0].run_id)
    else:
        st.session_state.pop(state.CURRENT_RUN, None)
