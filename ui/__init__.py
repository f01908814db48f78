"""Streamlit-side helpers shared by the pages (state keys, cached services, widgets)."""
