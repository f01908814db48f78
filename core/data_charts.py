"""Charts of the Data page: how many texts per label, and how long the texts are.

Plotly figures that take user labels as data only (``plain`` makes them inert).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.charts import TRAIN_COLOR, VALID_COLOR, empty_figure, finish, plain
from core.config import MAX_CLASSES
from core.text import shortened


def class_balance(labels: pd.Series) -> go.Figure:
    """Texts per label; a histogram when the labels are many distinct numbers."""
    title = "How many texts per label"
    labels = pd.Series(labels).dropna()
    if labels.empty:
        return empty_figure(title)
    if pd.api.types.is_numeric_dtype(labels) and labels.nunique() > MAX_CLASSES:
        values = labels.to_numpy(dtype=float)
        fig = _histogram(values, np.histogram_bin_edges(values, NUMBER_BINS))
        fig.update_xaxes(title_text="Label value")
    else:
        counts = labels.value_counts()  # most texts first, ties by name (QA: "y, x"),
        names = counts.index.astype(str)  # "apple" sits beside "Banana", not after it
        counts = counts.iloc[np.lexsort((names, names.str.casefold(), -counts.to_numpy()))]
        # unless the labels are numbers:
        values = pd.to_numeric(pd.Series(counts.index), errors="coerce").to_numpy()
        if not np.isnan(values).any():  # ratings 1-5 read in their own order
            counts = counts.iloc[np.argsort(values, kind="stable")]
        names = [int(v) if isinstance(v, float) and v.is_integer() else v for v in counts.index]
        fig = _label_bars([str(v) for v in names], counts.to_numpy())
    return finish(fig, title)


LONG_LABEL_CHARS = 14  # longer label names turn the bars sideways
SHOWN_LABEL_CHARS = 28  # and are cut there on the axis (the hover shows them whole)


def _label_bars(names: list[str], counts: np.ndarray) -> go.Figure:
    """Upright bars, or sideways bars for long names: upright, their names stood on end,
    cut at ~35 characters and over the axis title (browser QA). ``names`` as written: they
    are cut first, then made inert (a cut "&gt;" would show as "&gt")."""
    bar = dict(marker_color=TRAIN_COLOR, text=[f"{c:,}" for c in counts], textposition="auto",
               customdata=[plain(n) for n in names])
    if max(map(len, names)) <= LONG_LABEL_CHARS:  # ratings read 1-5, not 1.0-5.0 (QA)
        fig = go.Figure(go.Bar(x=[plain(n) for n in names], y=counts, **bar,
                               hovertemplate="%{x}: %{y:,} texts<extra></extra>"))
        fig.update_xaxes(title_text="Label", type="category")
        fig.update_yaxes(title_text="Texts")
        return fig
    cut = [shortened(n, SHOWN_LABEL_CHARS) for n in names]
    shown = cut if len(set(cut)) == len(cut) else names  # never two bars on one name
    fig = go.Figure(go.Bar(y=[plain(n) for n in shown], x=counts, orientation="h", **bar,
                           hovertemplate="%{customdata}: %{x:,} texts<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed")  # the first label on top
    fig.update_xaxes(title_text="Texts")
    return fig


NUMBER_BINS = 40  # bars for a label of many numbers (plotly's own histogram picks about as many)


def _histogram(values: np.ndarray, edges: np.ndarray, words: bool = False) -> go.Figure:
    """A histogram counted here: a million values sent as such sent the browser 11 MB for a
    score label (1.3 MB for text lengths) each time the data was prepared; 40 bars are 3 KB.

    ``words``: the values are word counts and the edges lie halfway between them.
    """
    counts = np.histogram(values, edges)[0]
    lows, highs = edges[:-1], edges[1:]
    name = _word_range if words else _number_range(float(highs[0] - lows[0]))
    bars = go.Bar(x=(lows + highs) / 2, y=counts, width=highs - lows, marker_color=TRAIN_COLOR,
                  marker_line_width=0, name="Texts", hovertemplate="%{customdata}<extra></extra>",
                  customdata=[f"{name(a, b)}: {_texts(n)}" for a, b, n in zip(lows, highs, counts)])
    return go.Figure(bars, layout=dict(bargap=0))  # bars that touch, as a histogram's


def _texts(count: int) -> str:
    return f"{count:,} text{'' if count == 1 else 's'}"


def _word_range(low: float, high: float) -> str:
    """The bar between 2.5 and 5.5 holds texts of 3, 4 or 5 words."""
    first, last = int(low + 0.5), int(high - 0.5)
    if first == last:
        return f"{first:,} word{'' if first == 1 else 's'}"
    return f"{first:,}–{last:,} words"


def _number_range(width: float):
    """Names a bar's range with as many decimals as its width needs: 2.5 to 5.0."""
    decimals = max(0, 1 - int(np.floor(np.log10(width)))) if width > 0 else 2
    return lambda low, high: f"{low:,.{decimals}f} to {high:,.{decimals}f}"


def word_counts(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(str(t).split()) for t in texts], dtype=int)


def text_lengths(texts: Sequence[str], bins: int = 40,
                 counts: np.ndarray | None = None) -> go.Figure:
    """Histogram of words per text, with the median marked (``counts``: word_counts(texts))."""
    title = "How long the texts are"
    counts = word_counts(texts) if counts is None else counts
    if counts.size == 0:
        return empty_figure(title)
    # A few very long texts squeezed all others into the first bar (one 100,000-character
    # text did: browser QA). Those go into the last bar (longer_texts_note says so).
    shown = np.minimum(counts, _longest_shown(counts))
    edges = _whole_word_bins(shown, bins)
    fig = _histogram(shown, edges, words=True)
    median = float(np.median(counts))
    fig.add_vline(x=median, line_dash="dash", line_color=VALID_COLOR)
    # Said under the axis (beside the line it sat on the bars), in whole words (not 331.5).
    words = int(np.floor(median + 0.5))
    # The range spans the bins (autorange cut the last bar in half); whole-word ticks when
    # they are few (texts all cut to 5 words were ticked 4.6, 4.8, 5, 5.2: browser QA).
    # On two lines: on one it ran past a half-width chart at 1024 px (browser check).
    fig.update_xaxes(title_text=f"Words per text<br>(dashed line: the median, {words:,} words)",
                     range=[float(edges[0]), float(edges[-1])],
                     dtick=1 if edges[-1] - edges[0] <= 12 else None)
    _count_axis(fig, int(max(fig.data[0].y)))  # the last bar counts the long ones too
    return finish(fig, title)


def longer_texts_note(counts: np.ndarray) -> str:
    """What text_lengths' last bar also holds, in a sentence; "" when it holds no such text.

    Under the chart, not in its axis title: there it was cut off in a half-width chart.
    """
    if counts.size == 0:
        return ""
    cap = _longest_shown(counts)
    longer = int((counts > cap).sum())
    if not longer:
        return ""
    texts, them = ("1 text is", "it") if longer == 1 else (f"{longer:,} texts are", "them")
    return (f"{texts} longer than {cap:,} words (the longest has {int(counts.max()):,}); "
            f"the chart counts {them} in its last bar.")


def _longest_shown(counts: np.ndarray) -> int:
    """The longest text the axis spans: all of them, unless the longest 1% reach far beyond."""
    usual = int(np.percentile(counts, 99, method="lower"))
    return int(counts.max()) if counts.max() <= 2 * max(usual, 1) else usual


def _whole_word_bins(counts: np.ndarray, bins: int) -> np.ndarray:
    """At most ``bins`` equal bins, each holding whole word counts (edges halfway between)."""
    low, high = int(counts.min()), int(counts.max())
    width = max(1, -(-(high - low + 1) // bins))
    return np.arange(low - 0.5, high + 0.5 + width, width)[:bins + 1]


def _count_axis(fig: go.Figure, highest: int) -> None:
    """A y axis of text counts: whole-number ticks (plotly picks 0.5 steps for small counts)."""
    fig.update_yaxes(title_text="Texts", tickformat=",d", rangemode="tozero",
                     dtick=1 if highest <= 10 else None)
