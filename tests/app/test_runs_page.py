"""The Runs page: comparison table, overlaid curves, report download and two-step delete."""

import json
import os
import shutil

import pandas as pd
import psutil
import pytest

from core import runs as runs_lib
from tests.app.conftest import copy_run, open_page, page_text, shown_percentages, shown_text
from ui import runs_view, state


@pytest.fixture
def throwaway(run_store, trained_binary_run):
    run_id = copy_run(run_store, trained_binary_run, "Throwaway <b>run</b>")
    yield run_id
    if run_store.path(run_id).exists():
        run_store.path(run_id).joinpath("status.json").write_text('{"status": "finished"}')
        run_store.delete(run_id)


def manage(run_id: str):
    return open_page("runs", {state.W_RUNS_REPORT_RUN: run_id})


def test_without_runs_it_points_to_training(no_runs):
    at = open_page("runs")
    assert "No runs yet" in page_text(at)
    assert not at.dataframe


def test_table_lists_runs_with_settings_and_scores(run_store, trained_run, trained_binary_run):
    at = open_page("runs")
    table = at.dataframe[0].value
    names = {run_store.info(r).name for r in (trained_run, trained_binary_run)}
    assert names <= set(table["name"])
    row = table[table["name"] == run_store.info(trained_binary_run).name].iloc[0]
    stored = run_store.read_json(trained_binary_run, "eval.json")
    assert row["architecture"] == "LSTM 8" and row["task"] == "2 classes"  # not "binary"
    assert row["test accuracy"] == pytest.approx(100 * stored["metrics"]["accuracy"])  # shown as %
    assert row["params"] > 0
    assert at.get("plotly_chart"), "the learning curves of the newest runs"


def test_curves_follow_the_chosen_runs_and_measure(trained_run, trained_binary_run):
    at = open_page("runs", {state.W_RUNS_SELECTED: [trained_run, trained_binary_run],
                            state.W_RUNS_METRIC: "val_accuracy"})
    assert "Validation accuracy by run" in at.get("plotly_chart")[0].proto.spec
    at.multiselect(key=state.W_RUNS_SELECTED).set_value([]).run()
    assert not at.get("plotly_chart")
    assert "Pick one or more runs" in page_text(at)


def test_report_can_be_downloaded(trained_run):
    at = manage(trained_run)
    assert [b.label for b in at.get("download_button")] == ["Download a report (HTML)"]


def test_delete_asks_first_then_removes_the_run(run_store, throwaway):
    at = manage(throwaway)
    at.button(key=state.W_RUNS_DELETE).click().run()
    assert "Delete “Throwaway <b>run</b>”" not in page_text(at)  # shown escaped
    assert "This cannot be undone" in at.warning[0].value
    assert run_store.path(throwaway).exists()  # nothing happens before the confirmation
    at.button(key=state.W_RUNS_DELETE_CONFIRM).click().run()
    assert not at.exception
    assert not run_store.path(throwaway).exists()
    assert "Deleted" in at.success[0].value
    assert not at.warning  # deleted here: not "deleted in another tab"
    assert "Throwaway <b>run</b>" not in set(at.dataframe[0].value["name"])


def test_after_deleting_the_current_run_every_page_shows_the_same_run(run_store, trained_run,
                                                                     throwaway):
    """Evaluate and Explain kept their own earlier pick while Runs fell back to the newest."""
    at = open_page("runs", {state.CURRENT_RUN: throwaway, state.W_EVAL_RUN: trained_run})
    at.button(key=state.W_RUNS_DELETE).click().run()
    at.button(key=state.W_RUNS_DELETE_CONFIRM).click().run()
    newest = run_store.list_runs()[0].run_id
    assert at.session_state[state.CURRENT_RUN] == newest
    assert at.selectbox(key=state.W_RUNS_REPORT_RUN).value == newest
    evaluate = open_page("evaluate", {state.CURRENT_RUN: at.session_state[state.CURRENT_RUN],
                                      state.W_EVAL_RUN: trained_run})
    assert evaluate.selectbox(key=state.W_EVAL_RUN).value == newest


@pytest.mark.parametrize("page, picker", [("evaluate", state.W_EVAL_RUN),
                                          ("explain", state.W_EXPLAIN_RUN),
                                          ("predict", state.W_PREDICT_RUN)])
def test_a_run_deleted_by_someone_else_is_named_where_another_run_takes_its_place(
        run_store, trained_run, throwaway, page, picker):
    """QA: a student's Evaluate showed another dataset's run after a delete, without a word."""
    student = open_page(page, {state.CURRENT_RUN: throwaway})
    assert student.selectbox(key=picker).value == throwaway and not student.warning
    run_store.delete(throwaway)  # the teacher, on the Runs page of another session
    student.run()
    assert not student.exception
    assert student.selectbox(key=picker).value != throwaway
    assert [shown_text(w.value) for w in student.warning] == [
        "The run “Throwaway <b>run</b>” you were looking at was deleted, perhaps in another "
        "tab or by someone else, so this page shows another run."]


def test_cancel_keeps_the_run(run_store, throwaway):
    at = manage(throwaway)
    at.button(key=state.W_RUNS_DELETE).click().run()
    at.button(key=state.W_RUNS_DELETE_CANCEL).click().run()
    assert not at.warning and run_store.path(throwaway).exists()


@pytest.mark.parametrize("status", ["running", "queued"])
def test_a_run_still_training_says_so_before_any_delete(run_store, throwaway, status):
    """QA: Delete asked "cannot be undone?" first and only then said the run was training."""
    me = psutil.Process(os.getpid())  # a live process stands in for the training worker
    run_store.update_status(throwaway, status=status, pid=me.pid, pid_created=me.create_time())
    at = manage(throwaway)
    delete = at.button(key=state.W_RUNS_DELETE)
    assert delete.disabled and "Stop it" in delete.proto.help
    assert "Stop it on the **Model & Train** page first" in page_text(at)  # said up front
    assert not at.warning and not at.error
    assert run_store.path(throwaway).exists()


def test_a_run_made_since_the_last_visit_joins_the_comparison(run_store, trained_run,
                                                               trained_binary_run):
    at = open_page("runs", {state.W_RUNS_SELECTED: [trained_run]})
    assert at.multiselect(key=state.W_RUNS_SELECTED).value == [trained_run]
    newer = copy_run(run_store, trained_binary_run, "Trained since")  # as if trained meanwhile
    try:
        at.run()
        assert at.multiselect(key=state.W_RUNS_SELECTED).value == [newer, trained_run]
        at.multiselect(key=state.W_RUNS_SELECTED).set_value([trained_run]).run()
        assert at.multiselect(key=state.W_RUNS_SELECTED).value == [trained_run]  # stays out
        run_store.path(newer).joinpath("metrics.jsonl").write_text("")  # no history, as imported
        at.multiselect(key=state.W_RUNS_SELECTED).set_value([trained_run, newer]).run()
        assert "No curve for Trained since" in page_text(at)
    finally:
        run_store.delete(newer)


def test_a_run_waiting_to_train_is_said_to_wait_and_gets_no_empty_chart(run_store, throwaway):
    """QA: "an imported model comes without its training history" under an empty chart."""
    run_store.path(throwaway).joinpath("metrics.jsonl").write_text("")
    run_store.update_status(throwaway, status="queued")
    at = open_page("runs", {state.W_RUNS_SELECTED: [throwaway]})
    assert "No curve for Throwaway <b>run</b>: waiting to train." in shown_text(page_text(at))
    assert not at.get("plotly_chart")


def test_a_run_can_be_renamed_and_every_picker_shows_the_new_name(run_store, throwaway):
    at = manage(throwaway)
    at.text_input(key=f"{state.W_RUNS_RENAME}.{throwaway}").set_value("Class demo, <i>v2</i>")
    at.button(key=state.W_RUNS_RENAME_GO).click().run()
    assert not at.exception
    assert run_store.info(throwaway).name == "Class demo, <i>v2</i>"
    assert "Renamed to “Class demo, <i>v2</i>”." in [shown_text(s.value) for s in at.success]
    # By the buttons that did it: at the top of the page it was out of sight (QA).
    shown = [shown_text(str(e.value)) for e in at.main if e.type in ("header", "success")]
    assert shown[-2:] == ["Rename, report or delete a run", "Renamed to “Class demo, <i>v2</i>”."]
    assert "Class demo, <i>v2</i>" in set(at.dataframe[0].value["name"])
    at.text_input(key=f"{state.W_RUNS_RENAME}.{throwaway}").set_value("   ")
    at.button(key=state.W_RUNS_RENAME_GO).click().run()
    assert "Type a name for the run first." in [e.value for e in at.error]
    assert run_store.info(throwaway).name == "Class demo, <i>v2</i>"
    # Exploratory QA: another run's name was taken, and two "News A" rows could not be told apart.
    other = next(r for r in run_store.list_runs() if r.run_id != throwaway).name
    at.text_input(key=f"{state.W_RUNS_RENAME}.{throwaway}").set_value(f" {other} ")
    at.button(key=state.W_RUNS_RENAME_GO).click().run()
    assert f"Another run is already called “{other}”." in shown_text(at.error[0].value)
    assert run_store.info(throwaway).name == "Class demo, <i>v2</i>"
    at.text_input(key=f"{state.W_RUNS_RENAME}.{throwaway}").set_value("Class demo, <i>v2</i>")
    at.button(key=state.W_RUNS_RENAME_GO).click().run()  # its own name again is fine
    assert not at.error


def test_an_imported_run_shows_a_dash_where_it_has_no_value(run_store, trained_run):
    """QA: an imported run (no test scores, no timing) read "None" in the table, like a word."""
    from core import importer

    run_id = importer.import_model(run_store, run_store.model_path(trained_run).read_bytes(),
                                   "from a colleague.keras")
    try:
        at = open_page("runs")
        table = at.dataframe[0]
        assert table.proto.placeholder == "–"  # what the browser shows in an empty cell
        frame = table.value
        imported = frame[frame["name"] == run_store.info(run_id).name].iloc[0]
        # The file carries the network's settings, so they are shown (QA: they were "–").
        trained = frame[frame["name"] == run_store.info(trained_run).name].iloc[0]
        for column in ("architecture", "embedding", "units", "max tokens", "params"):
            assert imported[column] == trained[column], column
        for column in ("test accuracy", "baseline accuracy", "seconds/epoch", "epochs"):
            assert pd.isna(imported[column]), column  # empty, so the placeholder shows
        # Numbers stay numbers, so the columns still sort and keep their formats.
        for column in ("test accuracy", "seconds/epoch", "params", "epochs"):
            assert pd.api.types.is_numeric_dtype(frame[column]), column
    finally:
        run_store.delete(run_id)


def test_accuracies_have_one_decimal_as_on_evaluate(run_store, trained_binary_run):
    """The Runs table prints a share as Evaluate does: "93.8%", never "93.75%" beside "95%"."""
    at = open_page("runs")
    shown = shown_percentages(at.dataframe[0])
    assert set(shown) == {"test accuracy", "baseline accuracy"}
    names = list(at.dataframe[0].value["name"])
    row = names.index(run_store.info(trained_binary_run).name)
    stored = run_store.read_json(trained_binary_run, "eval.json")
    assert shown["test accuracy"][row] == f"{stored['metrics']['accuracy']:.1%}"
    assert shown["baseline accuracy"][row] == f"{stored['baseline']['accuracy']:.1%}"
    help_text = json.loads(at.dataframe[0].proto.columns)["test accuracy"]["help"]
    assert "50% threshold" in help_text  # a run's own threshold is on Evaluate, not here


def test_runs_with_a_threshold_of_their_own_are_named_under_the_table(run_store,
                                                                      trained_binary_run):
    """QA20: the table's 91.9% (at 50%) beside Evaluate's and the report's 83.8% (at the 75%
    chosen there), with the reason only in a column's tooltip."""
    at = open_page("runs")
    assert not [c for c in at.caption if "threshold chosen on Evaluate" in c.value]
    run_id = copy_run(run_store, trained_binary_run, "Strict <b>one</b>")
    try:
        positive = run_store.spec(run_id)["class_names"][1]
        run_store.save_threshold_choice(run_id, positive, 0.75)
        at.run()
        assert (f"Two-class runs are scored here at the usual 50% threshold, so runs compare "
                f"alike. “Strict <b>one</b>” (“{positive}” from 75% sure) has a threshold chosen "
                "on Evaluate, where Evaluate and the report score it.") in [
            shown_text(c.value) for c in at.caption]
    finally:
        run_store.delete(run_id)


def chart_lines(at) -> list[list[str]]:
    """The run names drawn in each learning-curve chart on the page."""
    return [[line["name"] for line in json.loads(chart.proto.spec)["data"]]
            for chart in at.get("plotly_chart")]


def test_curves_compare_runs_of_the_current_runs_task(run_store, trained_run, trained_binary_run,
                                                       regression_run):
    """QA: a rating run's squared error shared one axis with classifiers' cross-entropy."""
    for current, left_out in ((regression_run, "two classes or several classes"),
                              (trained_binary_run, "several classes or a number")):
        at = open_page("runs", {state.CURRENT_RUN: current})
        chosen = at.multiselect(key=state.W_RUNS_SELECTED).value  # other tests add runs too
        task = run_store.info(current).task
        assert chosen and {run_store.info(r).task for r in chosen} == {task}
        assert f"Runs that predict {left_out} are left out" in page_text(at)
        # About losses only (second browser pass: it stood under an RMSE chart).
        at.selectbox(key=state.W_RUNS_METRIC).set_value("val_accuracy").run()
        assert "are left out" not in page_text(at)


def test_losses_of_different_tasks_never_share_an_axis(run_store, trained_run, regression_run):
    at = open_page("runs", {state.W_RUNS_SELECTED: [trained_run, regression_run]})
    assert runs_view.CURVE_ADVICE["val_loss"] in page_text(at)
    names = [run_store.info(r).name for r in (trained_run, regression_run)]
    assert chart_lines(at) == [[names[0]], [names[1]]]  # a chart each
    # Browser QA: a chart of one line had no legend, so it did not say whose line it was.
    assert all(json.loads(chart.proto.spec)["layout"]["showlegend"]
               for chart in at.get("plotly_chart"))
    # The chips show names only (dates and status made them long, and they were cut).
    assert set(names) <= set(at.multiselect(key=state.W_RUNS_SELECTED).options)
    assert "losses for different answers cannot be compared" in page_text(at)
    at.selectbox(key=state.W_RUNS_METRIC).set_value("val_accuracy").run()
    # Exploratory QA: "Lower validation loss is better" stayed above the accuracy curves.
    assert "Higher validation accuracy is better" in page_text(at)
    assert "Lower validation loss" not in page_text(at)
    assert chart_lines(at) == [[names[0]]]  # a rating run has no accuracy, and says so
    assert f"No validation accuracy for {names[1]}: runs that predict a number" in page_text(at)


def test_runs_without_curves_are_not_said_to_be_left_out(run_store, trained_run, regression_run,
                                                        no_runs):
    """QA: with only an imported rating run beside it, a classifier's loss chart said "Runs
    that predict a number are left out", though that run has no curve to leave out."""
    from core import importer
    from ui import services

    store = services.store()  # the empty store no_runs points the app at
    shutil.copytree(run_store.path(trained_run), store.path(trained_run))
    importer.import_model(store, run_store.model_path(regression_run).read_bytes(), "r.keras")
    at = open_page("runs", {state.CURRENT_RUN: trained_run})
    assert at.multiselect(key=state.W_RUNS_SELECTED).value == [trained_run]
    assert "left out" not in page_text(at)


def test_losses_of_classifiers_with_different_classes_get_a_chart_each(run_store, trained_run):
    """Browser QA: the 5 ratings' cross-entropy shared an axis with 4 news topics'."""
    topics = copy_run(run_store, trained_run, "news topics")
    spec_file = run_store.path(topics) / "spec.json"
    spec = json.loads(spec_file.read_text())
    spec_file.write_text(json.dumps({**spec, "class_names": ["<b>Business</b>", "Science",
                                                             "Sports", "World", "Other"]}))
    try:
        at = open_page("runs", {state.W_RUNS_SELECTED: [trained_run, topics]})
        names = [run_store.info(r).name for r in (trained_run, topics)]
        assert chart_lines(at) == [[names[0]], [names[1]]]
        # QA: "(1, 2, 3, …)" did not say what was numbered. Above each chart, as wide as the
        # page (QA20: in the title, cut to fit a phone, it wrapped early on a desktop).
        # Class names are the user's text: shown, never parsed as markup.
        which = [shown_text(m.value) for m in at.markdown if m.value.startswith("**Runs that")]
        assert which == ["**Runs that predict 5 classes (rating 1, 2, 3, …)**",
                         "**Runs that predict 5 classes (<b>Business</b>, Science, Sports, …)**"]
        at.selectbox(key=state.W_RUNS_METRIC).set_value("val_accuracy").run()
        assert chart_lines(at) == [names]  # accuracies share one axis
    finally:
        run_store.delete(topics)


def test_runs_that_trained_alike_are_named_as_lying_on_each_other(run_store, throwaway,
                                                                  trained_binary_run):
    at = open_page("runs", {state.W_RUNS_SELECTED: [trained_binary_run, throwaway]})
    names = [run_store.info(r).name for r in (trained_binary_run, throwaway)]
    assert (f"“{names[0]}” and “{names[1]}” have the same curve for as long as each ran"
            in shown_text(page_text(at)))
    assert f"“{names[1]}” is drawn dashed" in shown_text(page_text(at))


def test_runs_that_part_after_their_first_epochs_are_named_and_dashed(run_store, throwaway):
    """QA19: a run stopped and trained more lay on the same run trained without a stop for
    their first epochs, where one line hid the other, and nothing said so."""
    twin = copy_run(run_store, throwaway, "Stopped & trained more")
    try:
        for run_id, loss in ((throwaway, 0.30), (twin, 0.35)):  # a third epoch each, apart
            metrics = run_store.path(run_id) / "metrics.jsonl"
            third = {"kind": "epoch", "epoch": 3, "loss": loss, "val_loss": loss}
            metrics.write_text(metrics.read_text() + json.dumps(third) + "\n")
        at = open_page("runs", {state.W_RUNS_SELECTED: [throwaway, twin]})
        assert ("“Stopped & trained more” has the same curve as “Throwaway <b>run</b>” for "
                "their first 2 epochs (same data, settings and seed until then), and then they "
                "part: “Stopped & trained more” is drawn dashed." in shown_text(page_text(at)))
        assert "for as long as each ran" not in page_text(at)
    finally:
        run_store.delete(twin)


def in_page_order(node):
    """The page's elements top to bottom."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for index in sorted(children):
        yield from in_page_order(children[index])


def test_runs_lying_on_each_other_are_named_under_their_own_chart(run_store, throwaway,
                                                                  trained_binary_run, trained_run):
    """QA22: with a chart per kind of answer, the twins' caption sat under the other chart."""
    chosen = [trained_binary_run, throwaway, trained_run]
    at = open_page("runs", {state.W_RUNS_SELECTED: chosen})
    names = [run_store.info(r).name for r in chosen]
    charts_and_captions = [e for e in in_page_order(at.main)
                           if e.type == "plotly_chart" or (e.type == "caption"
                                                           and "same curve" in e.value)]
    caption = next(i for i, e in enumerate(charts_and_captions) if e.type == "caption")
    chart_above = json.loads(charts_and_captions[caption - 1].proto.spec)["data"]
    assert {line["name"] for line in chart_above} == {names[0], "Throwaway &lt;b&gt;run&lt;/b&gt;"}


def test_one_epoch_runs_that_trained_alike_are_said_to_share_one_dot(run_store, throwaway):
    """QA: three identical one-epoch runs drew one dot under a legend of three, unexplained."""
    twin = copy_run(run_store, throwaway, "Twin")
    for run_id in (throwaway, twin):  # as if each had trained for one epoch
        metrics = run_store.path(run_id) / "metrics.jsonl"
        first = next(line for line in metrics.read_text().splitlines()
                     if '"kind": "epoch"' in line)
        metrics.write_text(first + "\n")
    try:
        at = open_page("runs", {state.W_RUNS_SELECTED: [throwaway, twin]})
        assert ("“Throwaway <b>run</b>” and “Twin” have the same value after their one epoch "
                "(same data, settings and seed), so one dot shows for all of them."
                in shown_text(page_text(at)))
        assert "drawn dashed" not in page_text(at)
    finally:
        run_store.delete(twin)


def test_a_run_without_curves_is_not_preselected(run_store, trained_run):
    """QA: an imported run was preselected, and its only line was "No curve for …"."""
    from core import importer

    at = open_page("runs", {state.CURRENT_RUN: trained_run})
    compared = at.multiselect(key=state.W_RUNS_SELECTED).value  # with other tests' runs
    assert trained_run in compared
    run_id = importer.import_model(run_store, run_store.model_path(trained_run).read_bytes(),
                                   "from a colleague.keras")
    try:
        at.run()  # imported since the last visit: it does not join the comparison
        assert at.multiselect(key=state.W_RUNS_SELECTED).value == compared
        fresh = open_page("runs", {state.CURRENT_RUN: run_id})  # nor is it picked at first
        assert run_id not in fresh.multiselect(key=state.W_RUNS_SELECTED).value
        assert trained_run in fresh.multiselect(key=state.W_RUNS_SELECTED).value
        assert "No curve" not in page_text(fresh)
        at.multiselect(key=state.W_RUNS_SELECTED).set_value([trained_run, run_id]).run()
        assert "No curve for Imported: from a colleague.keras: an imported model comes without " \
            "its training history." in shown_text(page_text(at))  # it can still be picked
    finally:
        run_store.delete(run_id)


def test_a_delete_question_is_dropped_when_another_run_is_picked(run_store, trained_run,
                                                                  throwaway):
    """The question stayed pending: picking the run again later asked it unprompted."""
    at = manage(throwaway)
    at.button(key=state.W_RUNS_DELETE).click().run()
    assert at.warning  # "Delete …? This cannot be undone."
    at.selectbox(key=state.W_RUNS_REPORT_RUN).set_value(trained_run).run()
    at.selectbox(key=state.W_RUNS_REPORT_RUN).set_value(throwaway).run()
    assert not at.warning and run_store.path(throwaway).exists()


def test_a_run_that_broke_down_is_not_said_to_lack_its_measure(run_store, regression_run):
    """Second browser pass: a rating run that broke down in epoch 1 (no loss written) got
    "runs that predict a number do not measure it" under the loss chart."""
    broke = copy_run(run_store, regression_run, "Broke down")
    try:
        run_store.path(broke).joinpath("metrics.jsonl").write_text(
            json.dumps({"kind": "epoch", "epoch": 1, "step": 3, "best": False}) + "\n")
        at = open_page("runs", {state.W_RUNS_SELECTED: [broke, regression_run]})
        assert ("No validation loss for Broke down: its training broke down, as the loss "
                "stopped being a number.") in shown_text(page_text(at))
        assert "do not measure it" not in page_text(at)
    finally:
        run_store.delete(broke)


def test_a_run_deleted_in_another_tab_leaves_this_tabs_runs_page_working(run_store, trained_run,
                                                                         throwaway):
    """QA: with the deleted run among "Runs to compare" and picked below, pressing Rename in
    this tab replaced the page with an error; Rename and Delete then acted on another run."""
    at = manage(throwaway)
    at.multiselect(key=state.W_RUNS_SELECTED).set_value([throwaway, trained_run]).run()
    at.text_input(key=f"{state.W_RUNS_RENAME}.{throwaway}").set_value("Kept for the class")
    run_store.delete(throwaway)  # in another tab
    before = {run.run_id: run.name for run in run_store.list_runs()}
    at.button(key=state.W_RUNS_RENAME_GO).click().run()
    assert not at.exception
    assert {run.run_id: run.name for run in run_store.list_runs()} == before  # nothing renamed
    assert not at.success
    assert [shown_text(w.value) for w in at.warning] == [
        "The run “Throwaway <b>run</b>” you were looking at was deleted, perhaps in another "
        "tab or by someone else, so this page shows another run."]
    assert at.multiselect(key=state.W_RUNS_SELECTED).value == [trained_run]


def test_delete_pressed_for_a_run_deleted_in_another_tab_asks_about_no_other_run(
        run_store, trained_run, throwaway):
    """QA: the click asked "Delete “<another run>”?", one click from deleting it."""
    at = manage(throwaway)
    run_store.delete(throwaway)  # in another tab
    at.button(key=state.W_RUNS_DELETE).click().run()
    assert not at.exception
    assert state.CONFIRM_DELETE not in at.session_state
    assert ["deleted" in w.value and "This cannot be undone" not in w.value for w in at.warning] \
        == [True]


def test_a_long_name_is_cut_in_the_table_but_whole_in_the_picker(run_store, throwaway):
    """QA: an 80-character name made the pinned name column 300 of a phone's 358 px."""
    long_name = "Nouvelles " * 7 + "et la fin"
    run_store.rename(throwaway, long_name)
    at = manage(throwaway)
    names = set(at.dataframe[0].value["name"])
    assert long_name[:39] + "…" in names and long_name not in names
    assert max(len(name) for name in names) <= runs_view.TABLE_NAME_CHARS
    picker = at.selectbox(key=state.W_RUNS_REPORT_RUN)
    assert long_name in picker.format_func(picker.value)
    at.text_input(key=f"{state.W_RUNS_RENAME}.{throwaway}").set_value("Longer " * 20)
    at.button(key=state.W_RUNS_RENAME_GO).click().run()  # QA: a pasted long name did nothing
    assert run_store.info(throwaway).name == ("Longer " * 20)[:80].strip()
    assert "(a name keeps its first 80 characters)." in at.success[0].value


def test_the_name_box_follows_a_rename_made_elsewhere_unless_the_user_typed(run_store,
                                                                           throwaway):
    """QA: another session's rename left this tab's Name box on the old name, and pressing
    Rename then gave the run its old name back."""
    at = manage(throwaway)
    box = f"{state.W_RUNS_RENAME}.{throwaway}"
    run_store.rename(throwaway, "Renamed by the teacher")  # in another session
    at.run()
    assert at.text_input(key=box).value == "Renamed by the teacher" and not at.warning
    at.button(key=state.W_RUNS_RENAME_GO).click().run()
    assert run_store.info(throwaway).name == "Renamed by the teacher"
    at.text_input(key=box).set_value("My own name")
    run_store.rename(throwaway, "Renamed again elsewhere")
    at.button(key=state.W_RUNS_RENAME_GO).click().run()  # what the user typed wins
    assert run_store.info(throwaway).name == "My own name"


def test_a_refused_delete_is_not_asked_again_by_itself(run_store, throwaway):
    """QA: a delete refused because the run had started training asked again, unasked, when
    the training ended and the page redrew."""
    at = manage(throwaway)
    at.button(key=state.W_RUNS_DELETE).click().run()
    me = psutil.Process(os.getpid())  # a live process stands in for the training worker
    run_store.update_status(throwaway, status=runs_lib.RUNNING, pid=me.pid,
                            pid_created=me.create_time())  # "Train more", in another tab
    at.button(key=state.W_RUNS_DELETE_CONFIRM).click().run()
    assert run_store.path(throwaway).exists()
    assert runs_view.STILL_TRAINING in [c.value for c in at.caption]
    run_store.update_status(throwaway, status=runs_lib.FINISHED)  # the training ends
    at.run()
    assert not [w for w in at.warning if "This cannot be undone" in w.value]


def test_a_report_asked_for_a_run_deleted_meanwhile_says_why_no_file_came(run_store, throwaway):
    """QA: the click gave no file and no word (the file is built after the click)."""
    at = manage(throwaway)
    run_store.delete(throwaway)  # in another tab
    at.get("download_button")[0].click().run()
    assert not at.exception
    assert ("“Throwaway <b>run</b>” was deleted, perhaps in another tab or by someone else, "
            "so its report could not be downloaded.") in [shown_text(w.value) for w in at.warning]
    at.run()
    assert not [w for w in at.warning if "could not be downloaded" in w.value]  # said once
