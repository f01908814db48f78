"""Fixtures for the browser tests: a real Streamlit server and a headless Debian Chromium.

The server runs `streamlit run app.py` in its own process group with an empty run
store, exactly as a user would start it; the browser is the system Chromium
(Playwright's own browser download is not used). Screenshots, the server log and
the measured timings land in test-artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, running_studio

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"


@dataclass
class Timings:
    """Figures measured by the tests, written to test-artifacts/e2e/timings.json.

    The load average is kept beside them: on a shared 2-core machine it explains
    most of the spread between runs.
    """
    values: dict = field(default_factory=lambda: {"load_average_1min_at_start": os.getloadavg()[0]})

    def record(self, name: str, seconds: float) -> None:
        self.values[name] = round(seconds, 2)
        print(f"[e2e timing] {name}: {seconds:.2f} s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if CHROMIUM is None:
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed: browser tests skipped")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """A fresh artefacts folder per session, so every screenshot is from this run."""
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def timings(artifacts):
    collected = Timings()
    yield collected
    (artifacts / "timings.json").write_text(json.dumps(collected.values, indent=2) + "\n")


@pytest.fixture(scope="session")
def studio(chromium_path, artifacts, tmp_path_factory):
    """A running LSTM Studio with an empty run store; stopped (with its workers) at the end."""
    with running_studio(tmp_path_factory.mktemp("e2e_home"), artifacts / "server.log") as server:
        yield server


@pytest.fixture
def fresh_studio(chromium_path, artifacts, tmp_path):
    """A server no browser has talked to yet (for what happens on the very first request)."""
    with running_studio(tmp_path / "home", artifacts / "server_fresh.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shots(artifacts):
    from tests.e2e.helpers import Screenshots

    return Screenshots(artifacts)


@pytest.fixture
def tab(browser, studio, shots, artifacts, request):
    """A fresh browser context (a new Streamlit session) on the running app.

    Any JavaScript dialog (alert, confirm, prompt) is recorded and dismissed, so
    a test can assert that none opened; page errors are saved in the artefacts.
    """
    from tests.e2e.helpers import Studio

    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    studio_tab = Studio(page, studio.base_url, shots)

    def on_dialog(dialog):
        studio_tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: studio_tab.errors.append(str(error)))

    def on_request(req):  # a class server may have no internet: the app must not need it
        if not req.url.startswith((studio.base_url, "data:", "blob:")):
            studio_tab.outside_requests.append(req.url)

    page.on("request", on_request)
    try:
        yield studio_tab
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            try:
                shots.take(page, f"FAILED_{request.node.name}")
            except Exception as exc:  # noqa: BLE001 (a broken page must not hide the failure)
                print(f"no failure screenshot: {exc}")
        if studio_tab.errors:
            (artifacts / f"{request.node.name}.pageerrors.txt").write_text(
                "\n".join(studio_tab.errors))
        context.close()
