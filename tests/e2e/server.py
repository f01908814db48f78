"""Start and stop a real LSTM Studio server (used by the e2e tests and bench/page_overhead.py).

The server is `streamlit run app.py` in its own session, so stopping it also ends
the training workers and the pre-warmed worker it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
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


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_process_group(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM the server and its workers (one process group), SIGKILL whatever lingers."""
    if _group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_alive(proc.pid):
        proc.poll()  # reap the server itself, so it does not count as alive
        time.sleep(0.2)
    if _group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@dataclass
class StudioServer:
    base_url: str
    home: Path
    ready_at: float  # time.monotonic() when /_stcore/health first answered "ok"
    log_path: Path
    pid: int  # also the process group of the server and its training workers


def start_server(home: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free local port, in a new session (process group)."""
    port = free_port()
    env = {**os.environ, "LSTM_STUDIO_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (the child keeps writing)
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return proc, f"http://127.0.0.1:{port}"


@contextmanager
def running_studio(home: Path, log_path: Path):
    """LSTM Studio serving ``home`` as its run store until the block ends (even on errors)."""
    proc, base_url = start_server(home, log_path)
    try:
        wait_for_health(base_url, proc, SERVER_START_TIMEOUT)
        yield StudioServer(base_url, home, time.monotonic(), log_path, proc.pid)
    finally:
        stop_process_group(proc)
