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
TRAIN_URL_PATH = "train"  # Streamlit's path for pages/train.py, from its file name

# Keyboard focus on a link (the menu, "Next: …") showed only as the faint grey of a mouse
# hovering (browser QA); buttons get Streamlit's own clear ring. This gives links one too
# (!important: Streamlit's link styles come later and set no outline). It also hides the
# empty boxes of the scripts (below, and ui.warm_up's), which pushed every page down 16 px
# each, and the headings' "Link to heading" anchors, unseen stops in the keyboard's tab
# order (QA19).
APP_CSS = ("<style>a:focus-visible{outline:2px solid #2563eb !important;outline-offset:2px;"
           "border-radius:4px}"
           '[data-testid="stElementContainer"]:has(.studio-menu-closer,.studio-warm-up)'
           "{display:none}"
           '[data-testid="stHeaderActionElements"]{display:none}'
           "</style>")

# Streamlit closes the menu after a page link only for phone browsers. On a narrow desktop
# window, such as a projector at 150% zoom (683 px), it stayed open over every new page
# (browser QA). Below Streamlit's 768 px breakpoint the menu covers the page, so a link
# click there closes it, as a click on the page already does. Our own script, no user text.
CLOSE_MENU_AFTER_LINK_JS = """<div class="studio-menu-closer"></div><script>
(() => {
  if (window.studioClosesMenu) return;
  window.studioClosesMenu = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest('[data-testid="stSidebarNav"] a');
    if (!link || window.innerWidth > 768) return;
    const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close) close.click();
  });
})();
</script>"""
