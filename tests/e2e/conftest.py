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
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
SERVER_START_TIMEOUT = 60
VIEWPORT = {"width": 1400, "height": 1000}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(base_url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Poll /_stcore/health until it answers "ok"; fail early if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer {base_url}/_stcore/health within {timeout} s")


def stop_process_group(proc: subprocess.Popen) -> None:
    """SIGTERM the server and its training workers (same group), SIGKILL if they linger."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@dataclass
class StudioServer:
    base_url: str
    home: Path
    ready_at: float  # time.monotonic() when /_stcore/health first answered "ok"
    log_path: Path


def start_server(home: Path, log_path: Path, python: str = sys.executable,
                 extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free local port, in a new session (process group)."""
    port = free_port()
    env = {**os.environ, "LSTM_STUDIO_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2",
           **(extra_env or {})}
    command = [python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (the child keeps writing)
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return proc, f"http://127.0.0.1:{port}"


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


@contextmanager
def running_studio(home: Path, log_path: Path):
    proc, base_url = start_server(home, log_path)
    try:
        wait_for_health(base_url, proc, SERVER_START_TIMEOUT)
        yield StudioServer(base_url, home, time.monotonic(), log_path)
    finally:
        stop_process_group(proc)


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
