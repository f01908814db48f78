"""A thin driver for LSTM Studio in a real browser: navigation, widgets, waits, screenshots.

Streamlit draws asynchronously over a websocket, so every step waits on a
locator (with an explicit timeout) or on the app being idle, never on a fixed
sleep; the only sleeps are short pauses inside bounded polling loops.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page

RUNNING = '[data-testid="stStatusWidget"]'  # Streamlit's "Running…" indicator
PLOTLY = '[data-testid="stPlotlyChart"]'
LIVE_CHART = '[data-testid="stEChartsChart"]'  # the live training curves (core.live_chart)
MAX_SHOT_HEIGHT = 8000


class Screenshots:
    """Numbered full-page screenshots (01_data.png, 02_sample_loaded.png, ...) for the session."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def take(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}_{name}.png"
        _full_page_screenshot(page, path)
        return path


def _full_page_screenshot(page: Page, path: Path) -> None:
    """Streamlit scrolls inside its main container, so grow the viewport to show it all."""
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]',
                              '[data-testid="stMainBlockContainer"]']
                 .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight),
                 document.documentElement.scrollHeight)""")
    tall = min(MAX_SHOT_HEIGHT, max(size["height"], int(height) + 40))
    if tall != size["height"]:
        page.set_viewport_size({"width": size["width"], "height": tall})
        page.wait_for_timeout(300)  # let plotly re-lay out to the new size
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall != size["height"]:
            page.set_viewport_size(size)


class Studio:
    """One browser tab on LSTM Studio, with the steps the tests need."""

    def __init__(self, page: Page, base_url: str, shots: Screenshots):
        self.page = page
        self.base_url = base_url
        self.shots = shots
        self.dialogs: list[str] = []  # filled by the fixture's dialog handler
        self.errors: list[str] = []   # uncaught page errors
        self.outside_requests: list[str] = []  # anything not served by the app itself

    # ------------------------------------------------------------ waiting

    def wait_idle(self, timeout: float = 60, settle: float = 0.6) -> None:
        """Until no script run is in progress for ``settle`` seconds (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            if self.page.locator(RUNNING).count() == 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= settle:
                    return
            else:
                idle_since = None
            time.sleep(0.1)
        raise TimeoutError(f"the app was still running after {timeout} s")

    def main(self) -> Locator:
        return self.page.locator('[data-testid="stMain"]')

    def shot(self, name: str) -> Path:
        """A numbered full-page screenshot; also fails if the page shows an exception box."""
        path = self.shots.take(self.page, name)
        self.assert_no_exception()
        return path

    def assert_no_exception(self) -> None:
        boxes = self.main().locator('[data-testid="stException"]')
        if boxes.count():
            raise AssertionError(f"the page shows an exception: {boxes.first.inner_text()}")

    # ------------------------------------------------------------ navigation

    def open(self, path: str = "") -> None:
        self.page.goto(f"{self.base_url}/{path.lstrip('/')}")

    def go_to(self, nav_title: str, heading: str | re.Pattern, timeout: float = 60) -> None:
        """Click a sidebar link and wait for the page's title to be drawn."""
        nav = self.page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_role("link", name=nav_title).click()
        self.heading(heading).wait_for(timeout=timeout * 1000)

    def heading(self, name: str | re.Pattern) -> Locator:
        return self.main().get_by_role("heading", name=name).first

    # ------------------------------------------------------------ widgets

    def button(self, name: str | re.Pattern) -> Locator:
        return self.main().get_by_role("button", name=name, exact=isinstance(name, str))

    def choose(self, label: str, option: str | re.Pattern, timeout: float = 30) -> None:
        """Pick ``option`` in the selectbox labelled ``label``."""
        box = self.main().get_by_role("combobox", name=label)
        box.click(timeout=timeout * 1000)
        self.page.get_by_role("option", name=option).first.click(timeout=timeout * 1000)

    def charts(self, containing: str | re.Pattern | None = None) -> Locator:
        charts = self.main().locator(PLOTLY)
        return charts.filter(has_text=containing) if containing else charts

    def live_chart(self, title: str) -> Locator:
        """A live training chart, found by its text alternative (its title is drawn on a canvas)."""
        return self.main().locator(f'{LIVE_CHART}[aria-label^="{title}"]')

    def visible_text(self) -> str:
        return self.main().inner_text()
