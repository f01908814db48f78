"""Plotly charts as every page draws them: with a text alternative for screen readers."""

from __future__ import annotations

import streamlit as st

from core import chart_text


def plotly(figure, where=None, **options) -> None:
    """``figure`` in ``where`` (a column or container; the page by default), its numbers in
    words for a screen reader (core.chart_text). ``options`` go to st.plotly_chart."""
    (where or st).plotly_chart(figure, alt=chart_text.describe(figure), **options)
