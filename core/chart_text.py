"""A text alternative for every plotly chart: what a screen reader reads in its place.

Browser QA: the numbers of the charts (class counts, probabilities, word weights, the
confusion matrix, compared curves) were only in the pictures, and a screen reader found
nothing in them but "Download plot as a PNG". The text is read off the figure itself, so
it says what the chart shows, for every chart alike. The live training curves have their
own (core.live_chart.describe).
"""

from __future__ import annotations

import html
import re

import plotly.graph_objects as go

MAX_ITEMS = 12  # bars or rows read out; a 40-bar histogram read whole is too long to follow


def describe(fig: go.Figure) -> str:
    """"Title. What each trace shows." in plain words, with the numbers as the chart prints them."""
    title = _text(fig.layout.title.text) or "Chart"
    parts = [_trace(trace, fig.layout) for trace in fig.data if trace.visible is not False]
    parts = [p for p in parts if p]
    if not parts:  # an empty figure says why in an annotation ("No data yet")
        parts = [_text(a.text) for a in fig.layout.annotations if a.text]
    return " ".join([f"{title}.", *(f"{p}." for p in parts)]).strip()


def _text(value) -> str:
    """A chart string as read: line breaks as spaces, no tags, entities decoded (core.charts.plain)."""
    without_tags = re.sub(r"<[^>]+>", " ", str(value or "").replace("<br>", ", "))
    return " ".join(html.unescape(without_tags).split())


def _first_line(value) -> str:
    """An axis title's first line: the rest explains the drawing (jitter, the median line)."""
    return _text(str(value or "").split("<br>")[0])


def _number(value) -> str:
    if isinstance(value, str):
        return _text(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def _trace(trace, layout) -> str:
    if isinstance(trace, go.Bar):
        return _bars(trace, layout)
    if isinstance(trace, go.Heatmap):
        return _grid(trace, layout)
    if isinstance(trace, go.Scatter):
        return _points(trace, layout)
    return ""


def _bars(bar: go.Bar, layout) -> str:
    """Each bar as "label: value", top to bottom or left to right, as the eye reads them."""
    across = bar.orientation == "h"
    labels, values = (bar.y, bar.x) if across else (bar.x, bar.y)
    labels, values = list(_or_empty(labels)), list(_or_empty(values))
    texts = list(bar.text) if isinstance(bar.text, (list, tuple)) else [None] * len(values)
    details = list(_or_empty(bar.customdata)) or [None] * len(values)
    histogram = bar.width is not None  # its empty ranges say nothing
    # A category axis puts its first bar at the bottom, unless it is reversed.
    order = [i for i in range(len(values)) if values[i] or not histogram]
    if across and layout.yaxis.autorange != "reversed":
        order.reverse()

    def item(i: int) -> str:
        detail = details[i]
        if isinstance(detail, str) and ": " in detail:  # the hover's sentence ("3–5 words: 12 texts")
            return _text(detail)
        shown = texts[i] if texts[i] is not None else (
            detail if isinstance(detail, str) else values[i])
        return f"{_number(labels[i])}: {_number(shown)}"

    if histogram and len(order) > MAX_ITEMS:  # read whole, 40 ranges are too many to follow
        peak = max(order, key=lambda i: values[i])
        return (f"{len(order)} bars, from {item(order[0])} to {item(order[-1])}; "
                f"the highest, {item(peak)}")
    return _listed([item(i) for i in order], "bar")


def _or_empty(values):
    return [] if values is None else values


def _grid(heatmap: go.Heatmap, layout) -> str:
    rows, columns = list(heatmap.y), list(heatmap.x)
    texts = heatmap.text if heatmap.text is not None else heatmap.z
    lines = [f"{_number(row)}: " + ", ".join(f"{_number(column)} {_number(texts[i][j])}"
                                               for j, column in enumerate(columns))
             for i, row in enumerate(rows)]
    head = (f"Rows: {_first_line(layout.yaxis.title.text)}; "
            f"columns: {_first_line(layout.xaxis.title.text)}")
    return head + ". " + _listed(lines, "row", joiner=". ")


def _points(scatter: go.Scatter, layout) -> str:
    xs, ys = list(_or_empty(scatter.x)), list(_or_empty(scatter.y))
    name = _text(scatter.name) or "Points"
    if not xs:
        return ""
    x_name, y_name = _first_line(layout.xaxis.title.text), _first_line(layout.yaxis.title.text)
    if len(xs) == 1:
        return f"{name}: {x_name} {_number(xs[0])}, {y_name} {_number(ys[0])}"
    if "lines" not in (scatter.mode or "lines"):
        return f"{name}: {len(xs):,} points"
    return (f"{name}: {len(xs):,} points, {x_name} from {_number(xs[0])} to {_number(xs[-1])}, "
            f"{y_name} from {_number(ys[0])} to {_number(ys[-1])}")


def _listed(items: list[str], what: str, joiner: str = ", ") -> str:
    shown = joiner.join(items[:MAX_ITEMS])
    left = len(items) - MAX_ITEMS
    return shown + (f"{joiner}and {left:,} more {what}{'s' if left != 1 else ''}" if left > 0 else "")
