"""LSTM Studio: train, evaluate and explain LSTM text classifiers in the browser."""

import streamlit as st

from ui import state

# The tab icon stays an emoji: a ":material/…:" page icon makes the browser fetch it from
# fonts.gstatic.com, and a class server may have no internet.
st.set_page_config(page_title="LSTM Studio", page_icon="🧠", layout="wide")
state.keep_widget_values()
page = st.navigation([
    st.Page("pages/data.py", title="1 · Data", icon=":material/table_chart:", default=True),
    st.Page("pages/train.py", title="2 · Model & Train", icon=":material/model_training:"),
    st.Page("pages/evaluate.py", title="3 · Evaluate", icon=":material/analytics:"),
    st.Page("pages/explain.py", title="4 · Explain", icon=":material/manage_search:"),
    st.Page("pages/predict.py", title="5 · Predict", icon=":material/edit_note:"),
    st.Page("pages/runs.py", title="6 · Runs", icon=":material/folder_open:"),
])
page.run()
