"""Load the charts' and tables' code into a new tab while its reader is on a page.

Streamlit fetches and runs the code of a kind of element the first time a tab draws
one: a fresh tab's first Evaluate waited for plotly's chunk (4.7 MB) and the table's
(0.5 MB), 1.9 s against 0.5 s once they were in (bench/first_chart.py). A class
opens the teacher's run on Evaluate or Explain first, each on a cheap laptop. So
once per tab, when the browser is idle, this script imports those chunks; the
browser keeps a module once imported, and Streamlit's own import then finds it.

Light on purpose (no TensorFlow): app.py injects it with the menu's script.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit

# Streamlit's chunk for each element the result pages draw: plotly charts, st.dataframe.
CHUNK_STEMS = ("PlotlyChart", "DataFrame")
STATIC_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"


def chunk_names(static_js: Path = STATIC_JS) -> list[str]:
    """The chunks' file names in this Streamlit (their hash changes with each release)."""
    return [path.name for stem in CHUNK_STEMS for path in sorted(static_js.glob(f"{stem}.*.js"))]


def warm_up_js(names: list[str]) -> str:
    """A script that imports ``names`` one after the other when the tab is first idle;
    "" without names (a Streamlit that renamed its chunks: nothing to warm, nothing breaks).

    The chunks are found beside Streamlit's own entry script, so a server under a path
    prefix (behind a proxy) works too. The guard keeps it to once per tab.
    """
    if not names:
        return ""
    return """<div class="studio-warm-up"></div><script>
(() => {
  if (window.studioWarmsCharts) return;
  window.studioWarmsCharts = true;
  const entry = [...document.querySelectorAll('script[type="module"][src]')]
    .find((script) => /\\/index\\.[\\w-]+\\.js$/.test(script.src));
  if (!entry) return;
  const chunks = %s;
  const importAll = () => chunks.reduce((done, name) => done.then(
    () => import(new URL(name, entry.src).href)).catch(() => {}), Promise.resolve());
  (window.requestIdleCallback || ((run) => setTimeout(run, 2000)))(importAll, {timeout: 5000});
})();
</script>""" % json.dumps(names)


WARM_UP_JS = warm_up_js(chunk_names())
