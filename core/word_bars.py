"""The Explain page's word-weight bars, in a unit a reader can say aloud.

Both explainers of core.explain weigh a word in the model's own output for one class:
leave-one-word-out is how much that output drops when the word is removed, and LIME is
its fitted (ridge) estimate of the same change. For a class the output is the model's
probability, so a weight of 0.234 is shown as "+23.4 points" (percentage points of the
chance); for a predicted number it is that number, "+0.40 on the predicted rating".

User text (words, class names) goes through ``charts.plain`` as everywhere in plotly.
"""

from __future__ import annotations

from typing import Callable, Sequence

import plotly.graph_objects as go

from core.charts import MARGIN, NEGATIVE_COLOR, POSITIVE_COLOR, empty_figure, finish, plain
from core.text import UNKNOWN_MARK

TITLE = "Words that mattered most"
RANGE_MARGIN = 0.05  # room on each side of the longest bars, as a share of the span
SMALL_SHARE = 0.25  # leave-one-out's longest bar under this share of LIME's: say why
SMALL_POINTS = 5.0  # ...and, for a class, under this many points
LONG_POINTS = 5.0  # ...while LIME's longest, for a class, reaches this many
LABEL_CHAR_PX, LABEL_PAD_PX = 7.5, 16  # a generous guess at a word label's width


def charted_words(explanation, top: int = 10) -> list:
    """The words word_weight_bars draws, strongest first."""
    return [w for w in explanation.words if w.weight != 0][:top]


def in_units(weight: float, regression: bool = False) -> float:
    """A weight as the bars draw it: points of chance (a share of 1 times 100), or the
    predicted number as it is."""
    return float(weight) if regression else 100.0 * float(weight)


def _signed(value: float, digits: Sequence[int]) -> str | None:
    """"+23.4" or "−5.0" with the fewest of ``digits`` that do not round it to zero."""
    for places in digits:
        text = f"{value:+.{places}f}"
        if float(text) != 0:
            return text.replace("-", "−")
    return None


def amount(weight: float, name: str, regression: bool = False,
           escape: Callable[[str], str] = plain) -> str:
    """A bar's length in words: "+23.4 points" or "−0.40 on the predicted rating".

    ``escape`` makes ``name`` inert where the text goes: plotly here, an HTML attribute in
    core.highlight (the highlighted words hover in these same words)."""
    if regression:
        return f"{_signed(weight, (2, 3, 4)) or 'about 0'} on the predicted {escape(name)}"
    shown = _signed(in_units(weight), (1, 2, 3))
    return f"{shown} points" if shown else "about 0 points"


def shared_range(explanations, regression: bool = False, top: int = 10) -> list[float] | None:
    """One x-range for the charts of ``explanations`` drawn side by side; None if they
    chart no word.

    Honest because every explanation of one text and class weighs its words in the same
    unit (see the module docstring): with an axis each, a 3-point LIME bar was as long as
    a 30-point leave-one-out bar beside it. LIME's ridge fit often gives smaller weights
    than leaving a word out; one scale shows that instead of hiding it.
    """
    values = [in_units(w.weight, regression) for e in explanations for w in charted_words(e, top)]
    if not values:
        return None
    low, high = min(0.0, *values), max(0.0, *values)  # the bars grow from zero
    room = RANGE_MARGIN * (high - low)
    return [low - room, high + room]


def label_room(explanations, unknown: frozenset = frozenset(), top: int = 10) -> int:
    """A left margin, in px, that holds the longest word label of any of ``explanations``.

    Given to each chart side by side, it makes their plot areas equally wide, so one scale
    is one scale to the pixel (QA: 0 to 50 took 138 px on one chart and 130 on the other,
    each chart's margin sized to its own labels). The guess errs wide: plotly's automargin
    still grows a margin that is too narrow, so no label is cut."""
    longest = max((len(w.word) + (len(UNKNOWN_MARK) if w.word in unknown else 0)
                   for e in explanations for w in charted_words(e, top)), default=0)
    return max(MARGIN["l"], round(LABEL_PAD_PX + LABEL_CHAR_PX * longest))


def axis_title(name: str, regression: bool = False) -> str:
    """Two lines: on one, a phone cut it off at "percentage poi" (390 px)."""
    shown = plain(name)
    return (f"Change in the predicted {shown}<br>up (+) or down (−)" if regression
            else f"Change in the chance of {shown}<br>in percentage points")


def word_weight_bars(explanation, top: int = 10, regression: bool = False,
                     unknown: frozenset = frozenset(),
                     x_range: Sequence[float] | None = None,
                     left_margin: int | None = None) -> go.Figure:
    """Horizontal bars of the strongest words: green raised the chance of the class (or the
    predicted number), red lowered it. Words in ``unknown`` (not in the model's vocabulary)
    are marked: it reads them all as one word (QA: they looked like words it knew).
    ``x_range`` and ``left_margin`` (label_room): those of the charts shown beside this one."""
    words = charted_words(explanation, top)[::-1]  # largest on top
    if not words:
        return empty_figure(TITLE, "No word changed the prediction.")
    names = [plain(w.word) + (UNKNOWN_MARK if w.word in unknown else "") for w in words]
    fig = go.Figure(go.Bar(
        x=[in_units(w.weight, regression) for w in words], y=names, orientation="h",
        marker_color=[POSITIVE_COLOR if w.weight > 0 else NEGATIVE_COLOR for w in words],
        customdata=[amount(w.weight, explanation.class_name, regression) for w in words],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    ))
    fig.update_xaxes(title_text=axis_title(explanation.class_name, regression))
    if x_range is not None:
        fig.update_xaxes(range=list(x_range))
    fig.update_yaxes(type="category")
    margin = MARGIN if left_margin is None else dict(MARGIN, l=left_margin)
    return finish(fig, TITLE, height=max(220, 80 + 28 * len(words)), margin=margin)


def small_single_word_moves(lime, occlusion, regression: bool = False) -> float | None:
    """Leave-one-out's longest bar, in the bars' unit, when leaving out any one word barely
    moves the answer while LIME's bars are long; else None. On one scale the leave-one-out
    chart then looks empty (QA: a 98%-sure answer), which the page explains."""
    longest = max((abs(in_units(w.weight, regression)) for w in occlusion.words), default=0.0)
    lime_longest = max((abs(in_units(w.weight, regression)) for w in lime.words), default=0.0)
    if not lime_longest or longest >= SMALL_SHARE * lime_longest:
        return None
    if not regression and (longest >= SMALL_POINTS or lime_longest < LONG_POINTS):
        return None  # QA: said of a class at 0%, where LIME's bars were short too
    return longest
