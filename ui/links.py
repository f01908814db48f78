"""Links between the steps of the app that never break a page.

Light on purpose (no TensorFlow, scikit-learn or plotly): every page imports it first.
"""

import runpy
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.pages_manager import PagesManager

from ui.menu import PAGE_ICONS

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"


def run_inside_app() -> None:
    """Draw this page inside ``app.py`` when Streamlit ran it on its own.

    Every page calls this first. Until some run has called ``st.navigation``,
    Streamlit 1.67 treats an app with a ``pages/`` folder beside its main script
    as a legacy multipage app (``PagesManager.uses_pages_directory``; no config
    option turns that off): a server's first request for ``/train?run=...``
    runs pages/train.py alone, with raw file names in the menu and no wide
    layout. Running ``app.py`` here, as Streamlit itself does for ``/``, ends that
    mode for good (``st.navigation`` does) and draws the page the URL names, with
    its query parameters and this run's widget values (``st.rerun`` would drop a
    click). ``st.stop`` then skips this outer copy of the page. Pages call it before
    their other imports, which load TensorFlow: the first request for a page showed the
    raw menu for ~1.5 s while they loaded.
    """
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP_SCRIPT))
        st.stop()


def page_link(page: str, label: str) -> None:
    """``st.page_link``, or a plain pointer when the page runs on its own.

    A page run without ``app.py``'s navigation (``streamlit run pages/x.py``,
    or ``AppTest.from_file("pages/x.py")``) knows no other pages, and
    ``st.page_link`` would raise instead of showing the rest of the page.
    """
    icon = PAGE_ICONS[page]
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        from core.explain import escape_markdown  # here: it loads scikit-learn

        st.markdown(f"{icon} {escape_markdown(label)} (open it from the menu on the left)")
