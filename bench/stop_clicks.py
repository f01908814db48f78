"""Stop clicks around the live panel's switch to calmer polling (browser QA: some were lost).

The live panel polls every second for ``ui.run_view.FAST_POLL_FOR`` seconds after a start,
then asks for one full page run to poll every 2 s. A Stop click that landed during that
switch was dropped when Stop read the button's return value. For each offset (seconds after
the run's start) this starts a small training run with the CLI, opens it on Model & Train in
headless Chromium, clicks Stop at that moment (then "Yes, stop it": a run the page did not
start asks first) and checks that the stop request reached the run store within 8 s. Needs Debian's chromium; no shared data.

    .venv/bin/python bench/stop_clicks.py --offsets 9.9,10,10.05,10.1,10.15,10.2,10.3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, running_studio

NETWORK = {"model": {"units": [16], "bidirectional": False, "embedding_dim": 32,
                     "max_tokens": 60, "vocab_size": 5000},
           "train": {"epochs": 400, "batch_size": 8, "learning_rate": 0.01,
                     "early_stopping_patience": None}}  # long enough to outlast every click


def start_cli_run(home: Path, config: Path, name: str) -> tuple[subprocess.Popen, str, float]:
    """A CLI training run in ``home``; returns it with its id and its start time."""
    before = set(p.name for p in home.iterdir())
    cli = subprocess.Popen(
        [sys.executable, "-m", "core", "train", "--csv", "sample_data/news/news.csv",
         "--text", "title", "--text", "body", "--label", "topic", "--config", str(config),
         "--runs-dir", str(home), "--name", name, "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        time.sleep(0.05)
        for folder in home.iterdir():
            status = folder / "status.json"
            if folder.name in before or folder.name.startswith("_") or not status.exists():
                continue
            state = json.loads(status.read_text() or "{}")
            if state.get("status") == "running" and state.get("started"):
                return cli, folder.name, float(state["started"])


def click_stop_at(browser, base_url: str, home: Path, run_id: str, at: float) -> tuple[bool, float]:
    """Whether a Stop click at time ``at`` reached the run store, and when it was made."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base_url}/train?run={run_id}")
        stop = page.get_by_role("button", name="Stop")
        stop.wait_for(timeout=30_000)
        time.sleep(max(0.0, at - time.time()))
        clicked = time.time()
        stop.click(timeout=5_000)
        # A run this page did not start (here the CLI's) asks first: answer yes at once.
        page.get_by_role("button", name="Yes, stop it").click(timeout=5_000)
        deadline = time.time() + 8
        while time.time() < deadline:
            if (home / run_id / "stop").exists():
                return True, clicked
            time.sleep(0.1)
        return False, clicked
    finally:
        page.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offsets", default="9.9,10,10.05,10.1,10.15,10.2,10.3")
    args = parser.parse_args()
    if not CHROMIUM:
        print("SKIP: Debian's chromium is not installed.")
        return 0
    from playwright.sync_api import sync_playwright

    offsets = [float(x) for x in args.offsets.split(",")]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        home, config = Path(tmp) / "runs", Path(tmp) / "network.json"
        home.mkdir()
        config.write_text(json.dumps(NETWORK))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with running_studio(home, Path(tmp) / "server.log") as server:
            lost = 0
            print("offset s | clicked at s | stop request")
            for offset in offsets:
                cli, run_id, started = start_cli_run(home, config, f"click at {offset}")
                arrived, clicked = click_stop_at(browser, server.base_url, home, run_id,
                                                 started + offset)
                lost += not arrived
                print(f"{offset:8.2f} | {clicked - started:12.2f} | "
                      f"{'arrived' if arrived else 'LOST'}", flush=True)
                (home / run_id / "stop").touch()  # a lost click must not leave it training
                cli.wait(timeout=120)
        browser.close()
    print(f"lost clicks: {lost} of {len(offsets)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
