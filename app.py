"""LSTM Studio: train, evaluate and explain LSTM text classifiers in the browser."""

import streamlit as st

from ui import links, services, state

# The tab icon stays an emoji: a ":material/…:" page icon makes the browser fetch it from
# fonts.gstatic.com, and a class server may have no internet.
st.set_page_config(page_title="LSTM Studio", page_icon="🧠", layout="wide")
services.keep_keras_between_runs()  # once per run is cheap; see its docstring for why
services.periodic_garbage_collection()  # instead of Streamlit's gc after every run
state.keep_widget_values()
PAGES = [("pages/train.py", "2 · Model & Train"), ("pages/evaluate.py", "3 · Evaluate"),
         ("pages/explain.py", "4 · Explain"), ("pages/predict.py", "5 · Predict"),
         ("pages/runs.py", "6 · Runs")]
# Streamlit serves the default page at "/" only, and a typed or bookmarked "/data" said
# "Page not found". So the Data page takes a path nobody types ("start", never shown),
# and a hidden page at "/data" sends the browser on to "/".
data_page = st.Page("pages/data.py", title="1 · Data", icon=links.PAGE_ICONS["pages/data.py"],
                    default=True, url_path="start")
to_data_page = st.Page(lambda: st.switch_page(data_page), title="1 · Data", url_path="data",
                       visibility="hidden")
st.navigation([data_page, *(st.Page(path, title=title, icon=links.PAGE_ICONS[path])
                            for path, title in PAGES), to_data_page]).run()
