"""core.highlight: the Explain page's highlighted text, escaped, its hovers in the bars' unit."""

import re

from core.highlight import highlight_html, highlight_legend


def titles(out: str) -> list[str]:
    return re.findall(r'title="([^"]*)"', out)


def test_a_highlighted_word_hovers_in_the_words_of_the_bars():
    """QA: a bar said "great: +23.4 points" and the same word in the text hovered "+0.234"."""
    tokens = [("great", 0.234), (" ", 0.0), ("bad", -0.05), (" ", 0.0), ("the", 0.0)]
    assert titles(highlight_html(tokens, "yes")) == [
        "+23.4 points on the chance of yes", "−5.0 points on the chance of yes"]
    rating = highlight_html([("great", 0.4), (" ", 0.0), ("bad", -1.25)], "stars",
                            regression=True)
    assert titles(rating) == ["+0.40 on the predicted stars", "−1.25 on the predicted stars"]


def test_a_class_name_in_a_hover_stays_text():
    hostile = '"><script>alert(1)</script> $x$\n\nend'
    for regression in (False, True):
        out = highlight_html([("word", 0.5)], hostile, regression=regression)
        assert "<script" not in out and "\n" not in out and "$" not in out
        (title,) = titles(out)
        assert title.endswith("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#36;x&#36; end")


def alphas(out: str) -> list[float]:
    return [float(a) for a in re.findall(r"rgba\(\d+, \d+, \d+, ([\d.]+)\)", out)]


def test_words_are_shaded_on_the_scale_they_are_given():
    """QA: leave-one-out's words were shaded solid red beside bars 1,000 times shorter than
    LIME's, against the legend's "stronger colour means a stronger push"."""
    tiny = [("the", -0.003), (" ", 0.0), ("cat", 0.001)]
    assert alphas(highlight_html(tiny, "yes")) == [0.85, 0.28]  # alone: its own strongest
    assert alphas(highlight_html(tiny, "yes", strongest=0.3)) == []  # beside 0.3: too faint
    assert alphas(highlight_html([("big", 0.3), (" ", 0.0), ("mid", -0.15)], "yes",
                                 strongest=0.3)) == [0.85, 0.43]


def test_the_direction_is_told_by_a_line_as_well_as_a_colour():
    """Red and green alone: about one man in twelve cannot tell them apart."""
    out = highlight_html([("good", 0.4), (" ", 0.0), ("bad", -0.4)], "yes")
    assert re.findall(r"border-bottom: 2px (\w+)", out) == ["solid", "dotted"]
    legend = highlight_legend("yes")
    assert "green, solid line</span> pushed toward <b>yes</b>" in legend
    assert "red, dotted line</span> pushed away" in legend


def test_a_right_to_left_text_takes_its_own_direction():
    """QA: "המוצר מצוין, אני ממליץ בחום!" was laid out left to right, its "!" at the start."""
    assert highlight_html([("מצוין", 0.4), ("!", 0.0)], "yes").startswith('<div dir="auto"')
