"""The Explain page's word-weight bars: their order, their unit and their shared scale."""

import pytest

from core import charts, word_bars
from core.explain import Explanation, WordWeight


def explained(words, method="lime", class_name="<i>c</i>") -> Explanation:
    return Explanation(text="", method=method, class_index=0, class_name=class_name,
                       score=0.5, words=tuple(WordWeight(w, v) for w, v in words),
                       token_weights=(), num_samples=1, seed=0, seconds=0.0)


def test_word_weight_bars_largest_on_top():
    explanation = explained([("big", 0.5), ("bad", -0.3), ("zero", 0.0)])
    bars = word_bars.word_weight_bars(explanation).data[0]
    assert list(bars.y) == ["bad", "big"]  # plotly draws the last category on top
    assert list(bars.marker.color) == [charts.NEGATIVE_COLOR, charts.POSITIVE_COLOR]


def test_a_class_weight_reads_as_percentage_points_of_its_chance():
    """QA: "Push toward <class>" and a hover of "+0.234": no unit a reader could say."""
    fig = word_bars.word_weight_bars(explained([("great", 0.234), ("<b>bad</b>", -0.05),
                                                ("the", 0.000001)]))
    bars = fig.data[0]
    assert list(bars.y) == ["the", "&lt;b&gt;bad&lt;/b&gt;", "great"]
    assert list(bars.x) == pytest.approx([0.0001, -5.0, 23.4])
    assert list(bars.customdata) == ["about 0 points", "−5.0 points", "+23.4 points"]
    assert bars.hovertemplate == "%{y}: %{customdata}<extra></extra>"
    assert fig.layout.xaxis.title.text == ("Change in the chance of &lt;i&gt;c&lt;/i&gt;<br>"
                                           "in percentage points")  # two lines fit a phone


def test_a_predicted_number_weighs_in_its_own_unit():
    fig = word_bars.word_weight_bars(explained([("bad", -1.25), ("great", 0.4)],
                                               class_name="<rating>"), regression=True)
    assert list(fig.data[0].x) == pytest.approx([0.4, -1.25])
    assert list(fig.data[0].customdata) == ["+0.40 on the predicted &lt;rating&gt;",
                                            "−1.25 on the predicted &lt;rating&gt;"]
    assert fig.layout.xaxis.title.text == ("Change in the predicted &lt;rating&gt;<br>up (+) or "
                                           "down (−)")


def test_both_charts_share_one_scale():
    """Side by side, the same bar length must mean the same change on both charts."""
    lime = explained([("great", 0.12), ("leaks", -0.02)])
    removal = explained([("great", 0.41), ("leaks", -0.30)], method="occlusion")
    shared = word_bars.shared_range([lime, removal])
    low, high = shared
    assert low < -30.0 and high > 41.0 and high - low < 1.2 * 71.0  # room, not much more
    figures = [word_bars.word_weight_bars(e, x_range=shared) for e in (lime, removal)]
    assert [tuple(f.layout.xaxis.range) for f in figures] == [tuple(shared)] * 2
    assert word_bars.shared_range([explained([("a", 0.0)])]) is None  # nothing charted
    only_up = word_bars.shared_range([explained([("a", 0.2)])])
    assert only_up[0] <= 0.0 < 20.0 < only_up[1]  # bars start at zero, so zero is shown


def test_short_leave_one_out_bars_beside_long_lime_bars_are_named():
    """Browser check: at 98% sure, leaving out any one word moved the chance under 3 points
    while LIME's bars reached 24, so on one scale the leave-one-out chart looked empty."""
    lime = explained([("could", 0.24), ("the", -0.239)])
    sure = explained([("could", 0.029), ("part", -0.01)], method="occlusion")
    assert word_bars.small_single_word_moves(lime, sure) == pytest.approx(2.9)
    assert word_bars.small_single_word_moves(lime, explained([("could", 0.07)])) is None  # 7 points
    assert word_bars.small_single_word_moves(explained([("a", 0.1)]), sure) is None  # comparable
    assert word_bars.small_single_word_moves(explained([("a", 0.0)]), sure) is None  # no LIME bar
    at_zero = explained([("a", 0.008)]), explained([("a", 0.0001)], method="occlusion")
    assert word_bars.small_single_word_moves(*at_zero) is None  # QA: a class at 0%, all short
    rating = explained([("good", 0.8)]), explained([("good", 0.05)], method="occlusion")
    assert word_bars.small_single_word_moves(*rating, regression=True) == pytest.approx(0.05)


def test_charts_side_by_side_get_one_left_margin_for_the_longest_label():
    """QA: one chart's plot area was 138 px from 0 to 50, the other's 130, each margin sized
    to its own labels (in Chromium both were 308 px wide with this, one-off)."""
    short = explained([("it", 0.2)])
    long = explained([("extraordinary", 0.1)], method="occlusion")
    room = word_bars.label_room([short, long])
    assert room == word_bars.label_room([long]) > word_bars.label_room([short])
    assert word_bars.label_room([short, long], unknown=frozenset({"extraordinary"})) > room
    figures = [word_bars.word_weight_bars(e, left_margin=room) for e in (short, long)]
    assert [f.layout.margin.l for f in figures] == [room, room]
    assert word_bars.word_weight_bars(short).layout.margin.l == charts.MARGIN["l"]  # alone
