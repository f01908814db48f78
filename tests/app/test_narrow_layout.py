"""A narrow window (800 pixels with the sidebar open): what must stay readable.

The browser lays these out; AppTest checks the structure that decides it. Metric boxes sit
in a wrapping row, not in fixed columns (which cut their labels), and tables put their
short columns before the long text (which pushed them out of sight).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_page
from ui import state


def metric_parents(node, parent=None) -> list[tuple[str, str]]:
    """(metric label, the type of the block that holds it) for every metric on the page."""
    found = []
    for child in getattr(node, "children", {}).values():
        if child.type == "metric":
            found.append((child.label, parent.type if parent else "main"))
        else:
            found.extend(metric_parents(child, child))
    return found


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


def test_the_worst_mistakes_show_the_answers_before_the_text(trained_run, regression_run):
    at = open_page("evaluate", {state.W_EVAL_RUN: trained_run})
    assert list(at.dataframe[1].value.columns) == ["true class", "predicted", "confidence",
                                                   "text"]
    at = open_page("evaluate", {state.W_EVAL_RUN: regression_run})
    assert list(at.dataframe[0].value.columns) == ["true value", "predicted", "off by", "text"]
