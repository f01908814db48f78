"""LSTM Studio: train, evaluate and explain LSTM text classifiers in the browser."""

import streamlit as st

from ui.menu import APP_CSS, CLOSE_MENU_AFTER_LINK_JS, PAGES, TRAIN_URL_PATH
from ui.warm_up import WARM_UP_JS

# The tab icon stays an emoji: a ":material/…:" page icon makes the browser fetch it from
# fonts.gstatic.com, and a class server may have no internet.
st.set_page_config(page_title="LSTM Studio", page_icon="🧠", layout="wide")
# Streamlit serves the default page at "/" only, and a typed or bookmarked "/data" said
# "Page not found". So the Data page takes a path nobody types ("start", never shown),
# and a hidden page at "/data" sends the browser on to "/".
(data_path, data_title, data_icon), *other_pages = PAGES
data_page = st.Page(data_path, title=data_title, icon=data_icon, default=True, url_path="start")
to_data_page = st.Page(lambda: st.switch_page(data_page), title=data_title, url_path="data",
                       visibility="hidden")
# The menu comes before the imports that load TensorFlow: until st.navigation runs, a
# server's first visitor saw the pages folder's raw file names (see ui/menu.py).
page = st.navigation([data_page, *(st.Page(path, title=title, icon=icon)
                                   for path, title, icon in other_pages), to_data_page])

st.html(APP_CSS)  # style only: Streamlit gives it no room on the page
st.html(CLOSE_MENU_AFTER_LINK_JS, unsafe_allow_javascript=True)
if WARM_UP_JS and page.url_path != TRAIN_URL_PATH:  # where a run is watched live, it would
    st.html(WARM_UP_JS, unsafe_allow_javascript=True)  # take the training's CPU

from ui import services, shown_run, state  # noqa: E402  (after the menu, on purpose)

services.keep_keras_between_runs()  # once per run is cheap; see its docstring for why
services.periodic_garbage_collection()  # instead of Streamlit's gc after every run
state.keep_widget_values()
shown_run.redrawn_if_a_run_goes(page.run)
