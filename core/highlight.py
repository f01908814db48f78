"""The Explain page's highlighted text: each weighted word on a green or red background,
with a solid or dotted line under it.

core.explain computes the weights; this draws them. Everything that turns user text
(the text's words, the class name) into markup escapes it first: ``_safe_html`` for text
shown on the page, ``_attribute`` for a hover (an HTML ``title``).
"""

from __future__ import annotations

import html
from typing import Sequence

from core import word_bars

POSITIVE_RGB = (22, 163, 74)  # green: pushed toward the class
NEGATIVE_RGB = (220, 38, 38)  # red: pushed away from it
# A line under each word as well, solid or dotted: about one man in twelve cannot tell this
# green from this red, and the highlighted text had nothing else to tell them apart by.
POSITIVE_LINE, NEGATIVE_LINE = "solid", "dotted"


def _look(weight: float, alpha: float) -> str:
    """A weighted word's style: its colour, as strong as ``alpha``, and its kind of line."""
    (red, green, blue), line = (POSITIVE_RGB, POSITIVE_LINE) if weight > 0 else \
        (NEGATIVE_RGB, NEGATIVE_LINE)
    return (f"background-color: rgba({red}, {green}, {blue}, {alpha:.2f}); border-radius: 3px; "
            f"border-bottom: 2px {line} rgb({red}, {green}, {blue})")


def _safe_html(token: str) -> str:
    # No newlines in the output: a blank line would end the HTML block inside
    # st.markdown and let the rest be parsed as markdown. "$" would start LaTeX.
    escaped = html.escape(token, quote=True).replace("$", "&#36;")
    return escaped.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def _attribute(text: str) -> str:
    """Text made inert inside an HTML attribute value in double quotes, on one line."""
    return html.escape(" ".join(str(text).split()), quote=True).replace("$", "&#36;")


def hover(weight: float, class_name: str, regression: bool = False) -> str:
    """A highlighted word's hover (escaped), in the words of its bar (core.word_bars):
    "+23.4 points on the chance of yes" or "−0.40 on the predicted rating"."""
    said = word_bars.amount(weight, class_name, regression, escape=_attribute)
    return said if regression else f"{said} on the chance of {_attribute(class_name)}"


def _span(token: str, weight: float, alpha: float, title: str) -> str:
    return f'<span style="{_look(weight, alpha)}" title="{title}">{_safe_html(token)}</span>'


def highlight_html(token_weights: Sequence[tuple[str, float]], class_name: str,
                   regression: bool = False, strongest: float | None = None) -> str:
    """The text as escaped HTML, each weighted word on a green/red background.

    Colour strength is |weight| relative to ``strongest`` (default: this text's strongest
    word; the Explain page gives both explanations one, as their bars share one scale);
    hovering a word tells its weight as its bar does (``hover``). ``class_name``: the class
    (or, with ``regression``, the predicted number) the weights are for. Render with
    ``st.html`` (or ``st.markdown(..., unsafe_allow_html=True)``).
    """
    if strongest is None:
        strongest = max((abs(float(w)) for _, w in token_weights), default=0.0)
    pieces = []
    for token, weight in token_weights:
        alpha = min(0.85, 0.85 * abs(float(weight)) / strongest) if strongest else 0.0
        pieces.append(_span(token, weight, alpha, hover(weight, class_name, regression))
                      if alpha >= 0.05 else _safe_html(token))
    # dir="auto": a Hebrew or Arabic text reads right to left, its "!" at its end (QA).
    return ('<div dir="auto" style="white-space: pre-wrap; line-height: 1.9">' + "".join(pieces)
            + "</div>")


def highlight_legend(class_name: str, regression: bool = False) -> str:
    """A one-line HTML key for ``highlight_html``."""
    def swatch(weight, label):
        return f'<span style="{_look(weight, 0.6)}; padding: 0 4px">{label}</span>'

    name = _safe_html(str(class_name))
    green, red = swatch(1, "green, solid line"), swatch(-1, "red, dotted line")
    pushes = (f"{green} pushed the predicted <b>{name}</b> up, {red} pushed it down"
              if regression else
              f"{green} pushed toward <b>{name}</b>, {red} pushed away from it")
    return (f'<div style="font-size: 0.85em">{pushes}; '
            "stronger colour means a stronger push.</div>")
