"""The Explain page's highlighted text: each weighted word on a green or red background.

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
    red, green, blue = POSITIVE_RGB if weight > 0 else NEGATIVE_RGB
    style = f"background-color: rgba({red}, {green}, {blue}, {alpha:.2f}); border-radius: 3px"
    return f'<span style="{style}" title="{title}">{_safe_html(token)}</span>'


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
    return '<div style="white-space: pre-wrap; line-height: 1.9">' + "".join(pieces) + "</div>"


def highlight_legend(class_name: str, regression: bool = False) -> str:
    """A one-line HTML key for ``highlight_html``."""
    def swatch(rgb, label):
        red, green, blue = rgb
        return (f'<span style="background-color: rgba({red}, {green}, {blue}, 0.6); '
                f'border-radius: 3px; padding: 0 4px">{label}</span>')

    name = _safe_html(str(class_name))
    green, red = swatch(POSITIVE_RGB, "green"), swatch(NEGATIVE_RGB, "red")
    pushes = (f"{green} pushed the predicted <b>{name}</b> up, {red} pushed it down"
              if regression else
              f"{green} pushed toward <b>{name}</b>, {red} pushed away from it")
    return (f'<div style="font-size: 0.85em">{pushes}; '
            "stronger colour means a stronger push.</div>")
