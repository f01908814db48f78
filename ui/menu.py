"""The app's pages in menu order: file, title and icon.

Light on purpose (streamlit only): app.py draws the menu from it before it imports
anything that loads TensorFlow. On a server's first request Streamlit shows the
``pages/`` folder's raw file names ("app", "data", "evaluate", …) until app.py
calls ``st.navigation``; with the heavy imports first, that lasted ~1.5 s.
"""

# A page icon stays a material icon name: Streamlit ships that font, so no internet is needed.
PAGES = [
    ("pages/data.py", "1 · Data", ":material/table_chart:"),
    ("pages/train.py", "2 · Model & Train", ":material/model_training:"),
    ("pages/evaluate.py", "3 · Evaluate", ":material/analytics:"),
    ("pages/explain.py", "4 · Explain", ":material/manage_search:"),
    ("pages/predict.py", "5 · Predict", ":material/edit_note:"),
    ("pages/runs.py", "6 · Runs", ":material/folder_open:"),
]
PAGE_ICONS = {path: icon for path, _title, icon in PAGES}  # for every link to a page

# Keyboard focus on a link (the menu, "Next: …") showed only as the faint grey of a mouse
# hovering (browser QA); buttons get Streamlit's own clear ring. This gives links one too
# (!important: Streamlit's link styles come later and set no outline).
FOCUS_RING_CSS = ("<style>a:focus-visible{outline:2px solid #2563eb !important;outline-offset:2px;"
                  "border-radius:4px}</style>")
