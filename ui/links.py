"""Links between the steps of the app that never break a page."""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.explain import escape_markdown


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """``st.page_link``, or a plain pointer when the page runs on its own.

    A page run without ``app.py``'s navigation (``streamlit run pages/x.py``,
    or ``AppTest.from_file("pages/x.py")``) knows no other pages, and
    ``st.page_link`` would raise instead of showing the rest of the page.
    """
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        st.markdown(f"{icon or '➡️'} {escape_markdown(label)} (open it from the menu on the left)")
