"""What a browser waits for and receives per Data page click on a big upload (Chromium).

`data_page.py` times the page's Python through AppTest; this one adds what AppTest cannot
see: the bytes the browser receives (WebSocket messages and HTTP responses, so the plotly
chunk a first chart fetches counts too) and the seconds from the click to the last of them.
It uploads the same N-row file (default 1,000,000), chooses a score as the label, then makes
clicks that change no data setting (another sample in the sample picker, not loaded). The
baseline, in the same run, is the same later click with the sentiment label the upload chose.

Usage: .venv/bin/python bench/data_page_browser.py [--rows 1000000] [--clicks 3]
Needs Debian's chromium and playwright; prints SKIP without them.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, chromium_or_skip, print_table
from data_page import csv_bytes

sys.path.insert(0, str(ROOT))
from tests.e2e.server import CHROMIUM_ARGS, VIEWPORT, running_studio  # noqa: E402

LABEL_BOX = "Label column: what the model should predict"
QUIET_FOR = 1.5  # seconds without a message after the script run ended


class Watched:
    """A page whose received bytes are logged with their arrival times."""

    def __init__(self, page):
        self.page, self.got = page, []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: self._note(len(f))))
        page.on("response", self._response)

    def _note(self, size: int) -> None:
        self.got.append((time.perf_counter(), size))

    def _response(self, response) -> None:
        try:
            self._note(len(response.body()))
        except Exception:  # a response without a body (a redirect, a closed page)
            pass

    def step(self, act) -> tuple[float, float]:
        """Seconds from ``act`` to the last message of the run it started, and MB received."""
        self.page.wait_for_timeout(300)
        self.got.clear()
        started = time.perf_counter()
        act()
        try:  # Streamlit marks its app element during a run; a fast one may be over already
            self.page.wait_for_selector('[data-test-script-state="running"]', timeout=3000)
        except Exception:
            pass
        self.page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=900_000)
        while time.perf_counter() - max([t for t, _ in self.got] + [started]) < QUIET_FOR:
            self.page.wait_for_timeout(200)
        last = max([t for t, _ in self.got] + [started])
        return last - started, sum(size for _, size in self.got) / 1e6


def pick(page, box: str, option: str) -> None:
    page.get_by_role("combobox", name=box, exact=True).click()
    page.wait_for_timeout(400)
    page.get_by_role("option").filter(has_text=re.compile("^" + re.escape(option))).first.click()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clicks", type=int, default=3)
    args = parser.parse_args()
    chromium = chromium_or_skip()
    if chromium is None:
        return 0
    from playwright.sync_api import sync_playwright
    work = Path(tempfile.mkdtemp(prefix="data_page_browser-"))
    upload = work / "big.csv"
    upload.write_bytes(csv_bytes(args.rows))
    rows = []
    with running_studio(work / "runs", work / "server.log") as studio, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        watched = Watched(page)
        page.goto(studio.base_url)
        page.get_by_role("heading", name="Data").first.wait_for(timeout=120_000)
        seconds, mb = watched.step(lambda: page.locator('input[type="file"]').first.set_input_files(
            str(upload)))
        rows.append(["upload (sentiment label chosen)", f"{seconds:.2f}", f"{mb:.2f}"])
        samples = ["Product reviews", "News briefs"]

        def later_clicks(label: str) -> None:
            timed = [watched.step(lambda i=i: pick(page, "Sample dataset", samples[i % 2]))
                     for i in range(args.clicks)]
            rows.append([f"a later click, {label} label (median)",
                         f"{statistics.median(s for s, _ in timed):.2f}",
                         f"{statistics.median(m for _, m in timed):.2f}"])

        later_clicks("sentiment")
        seconds, mb = watched.step(lambda: pick(page, LABEL_BOX, "score"))
        rows.append(["choosing score as the label", f"{seconds:.2f}", f"{mb:.2f}"])
        later_clicks("score")
        browser.close()
    print(f"{args.rows:,} rows, Chromium; seconds from the click to the last message received")
    print_table(["step", "seconds", "MB received"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
