"""LSTM Studio: train, evaluate and explain LSTM text classifiers in the browser."""

import streamlit as st

from ui import state

st.set_page_config(page_title="LSTM Studio", page_icon="🧠", layout="wide")
state.keep_widget_values()
page = st.navigation([
    st.Page("pages/data.py", title="1 · Data", icon="📄", default=True),
    st.Page("pages/train.py", title="2 · Model & Train", icon="🏋️"),
    st.Page("pages/evaluate.py", title="3 · Evaluate", icon="📊"),
    st.Page("pages/explain.py", title="4 · Explain", icon="🔍"),
    st.Page("pages/predict.py", title="5 · Predict", icon="✍️"),
    st.Page("pages/runs.py", title="6 · Runs", icon="🗂️"),
])
page.run()
