"""A narrow window (800 pixels with the sidebar open): what must stay readable.

The browser lays these out; AppTest checks the structure that decides it. Metric boxes sit
in a wrapping row, not in fixed columns (which cut their labels), and tables put their
short columns before the long text (which pushed them out of sight).
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from core.explain import escape_markdown
from tests.app import test_train_page as train_page
from tests.app.conftest import open_page
from ui import state, widgets


def metric_parents(node, parent=None) -> list[tuple[str, str]]:
    """(metric label, the type of the block that holds it) for every metric on the page."""
    found = []
    for child in getattr(node, "children", {}).values():
        if child.type == "metric":
            found.append((child.label, parent.type if parent else "main"))
        else:
            found.extend(metric_parents(child, child))
    return found


def blocks_above(node, key: str | None = None, text: str | None = None,
                 above=()) -> tuple[str, ...] | None:
    """The types of the blocks that hold the widget ``key`` (or the markdown containing
    ``text``), outermost first; None when the page has no such element."""
    for child in getattr(node, "children", {}).values():
        if (key and getattr(child, "key", None) == key) or (
                text and child.type == "markdown" and text in child.value):
            return above
        if hasattr(child, "children"):
            found = blocks_above(child, key, text, (*above, child.type))
            if found is not None:
                return found
    return None


def group_width(node, key: str, width=None) -> int | None:
    """The pixel width of the innermost fixed-width block that holds the widget ``key``."""
    for child in getattr(node, "children", {}).values():
        if getattr(child, "key", None) == key:
            return width
        proto = getattr(child, "proto", None)
        config = getattr(proto, "width_config", None)
        inner = config.pixel_width if config is not None and config.pixel_width else width
        found = group_width(child, key, inner) if hasattr(child, "children") else None
        if found is not None:
            return found
    return None


def assert_metrics_wrap(at: AppTest) -> None:
    held_by = metric_parents(at.main)
    assert held_by, "no metrics on the page"
    assert {block for _, block in held_by} == {"flex_container"}, held_by


def test_evaluate_metrics_wrap_on_a_narrow_page(trained_run, trained_binary_run):
    assert_metrics_wrap(open_page("evaluate", {state.W_EVAL_RUN: trained_run}))  # with RMSE row
    assert_metrics_wrap(open_page("evaluate", {state.W_EVAL_RUN: trained_binary_run}))


def test_data_summary_metrics_wrap_on_a_narrow_page(news):
    dataset, spec, source = news
    at = open_page("data", {state.DATASET: dataset, state.DATA_SPEC: spec,
                            state.FRAME_SOURCE: source})
    assert {"Texts used", "Test texts"} <= {label for label, _ in metric_parents(at.main)}
    assert_metrics_wrap(at)


def test_the_link_to_model_and_train_wraps_under_the_ready_note():
    """Browser check: a quarter column cut the link to "Next: Model & Tr" at 1024 px."""
    at = open_page("data")
    at.button(key=state.W_USE_SAMPLE).click().run()
    # A page run on its own writes its links as text (ui.links.page_link), escaped.
    held_by = blocks_above(at.main, text=escape_markdown("Next: Model & Train"))
    assert held_by is not None and "column" not in held_by, held_by


def test_the_worst_mistakes_show_the_answers_before_the_text(trained_run, regression_run):
    at = open_page("evaluate", {state.W_EVAL_RUN: trained_run})
    assert list(at.dataframe[1].value.columns) == ["true rating", "predicted rating", "off by",
                                                   "confidence", "text"]  # ratings: a scale
    at = open_page("evaluate", {state.W_EVAL_RUN: regression_run})
    assert list(at.dataframe[0].value.columns) == ["true rating", "predicted rating", "off by",
                                                   "text"]


def test_the_network_settings_wrap_instead_of_cutting_their_labels(news):
    """Browser QA: "Read both ways (bidirecti…" at 1280 pixels, "Rea…" at 800."""
    at = train_page.open_page(news)
    for key in (state.W_BIDIRECTIONAL, state.W_CLASS_WEIGHTS, state.W_EPOCHS,
                state.W_UNITS_PER_LAYER[0]):
        held_by = blocks_above(at.main, key=key)
        assert held_by is not None and "column" not in held_by, (key, held_by)


def test_the_network_settings_keep_a_readable_width_at_a_projectors_1024_pixels(news):
    """Browser QA: at 1024 px three shrinking groups broke "bidirection / al" in two."""
    at = train_page.open_page(news)
    for key in (state.W_VOCAB, state.W_BIDIRECTIONAL, state.W_EPOCHS):
        assert group_width(at.main, key) == widgets.SETTINGS_GROUP_WIDTH, key


def test_the_next_steps_under_a_finished_run_wrap(trained_run):
    """Browser QA: "Explain: which words matt" and a cut "Train more" under a finished run."""
    at = train_page.open_page(run_id=trained_run)
    for held_by in (blocks_above(at.main, key=state.W_MORE_EPOCHS),
                    blocks_above(at.main, key=state.W_TRAIN_MORE),
                    # A page run on its own writes its links as text (ui.links.page_link).
                    blocks_above(at.main, text="which words mattered")):
        assert held_by is not None and "column" not in held_by, held_by


def test_the_runs_table_shows_the_scores_beside_the_pinned_name(trained_run):
    at = open_page("runs")
    table = at.dataframe[0].proto
    assert list(table.column_order)[:3] == ["name", "test accuracy", "baseline accuracy"]
    assert json.loads(table.columns)["name"]["pinned"] is True


def test_back_to_the_preset_has_the_width_of_the_preset_box(news):
    """Browser QA: a column beside its caption cut the button to "Back t…" at 800 pixels."""
    at = train_page.open_page(news)
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    at.number_input(key=state.W_EPOCHS).set_value(7).run()
    held_by = blocks_above(at.main, key=state.W_PRESET_RESET)
    assert held_by is not None
    assert held_by.count("column") == 1, held_by  # only the preset's own column, none nested


def test_the_cleaning_settings_wrap_instead_of_cutting_their_labels():
    """Browser QA: three columns cut "Remove common words" to one letter at 800 pixels."""
    at = open_page("data")
    at.button(key=state.W_USE_SAMPLE).click().run()
    for key in (state.W_STOPWORDS, state.W_MAX_WORDS, state.W_TEST_PERCENT):
        held_by = blocks_above(at.main, key=key)
        assert held_by is not None and "column" not in held_by, (key, held_by)
        assert group_width(at.main, key) == widgets.SETTINGS_GROUP_WIDTH, key


def test_the_mistake_picker_and_the_measure_box_wrap_instead_of_cutting(trained_run):
    """Browser QA at 1024 px: "Explain thi…" under Evaluate's mistakes, "Validation los"
    in the Runs page's measure box; both sat in a narrow fixed column."""
    at = open_page("evaluate", {state.W_EVAL_RUN: trained_run})
    held_by = blocks_above(at.main, key=state.W_EVAL_EXPLAIN)
    assert held_by is not None and "column" not in held_by, held_by
    at = open_page("runs")
    held_by = blocks_above(at.main, key=state.W_RUNS_METRIC)
    assert held_by is not None and "column" not in held_by, held_by
