"""LSTM Studio: train, evaluate and explain LSTM text classifiers in the browser."""

import streamlit as st

from ui import links, services, state

# The tab icon stays an emoji: a ":material/…:" page icon makes the browser fetch it from
# fonts.gstatic.com, and a class server may have no internet.
st.set_page_config(page_title="LSTM Studio", page_icon="🧠", layout="wide")
services.keep_keras_between_runs()  # once per run is cheap; see its docstring for why
services.periodic_garbage_collection()  # instead of Streamlit's gc after every run
state.keep_widget_values()
PAGES = [("pages/data.py", "1 · Data"), ("pages/train.py", "2 · Model & Train"),
         ("pages/evaluate.py", "3 · Evaluate"), ("pages/explain.py", "4 · Explain"),
         ("pages/predict.py", "5 · Predict"), ("pages/runs.py", "6 · Runs")]
page = st.navigation([st.Page(path, title=title, icon=links.PAGE_ICONS[path], default=i == 0)
                      for i, (path, title) in enumerate(PAGES)])
page.run()
