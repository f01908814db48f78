"""Load test: 10 browser sessions on one LSTM Studio server (loopback only, bounded).

One headless Debian Chromium, 10 browser contexts (10 Streamlit sessions), all at once:
  - 2 "trainers" load the news sample and each start a tiny training; with the default
    worker limit of 1 the second must show its place in the queue;
  - 8 "browsers" loop over Evaluate, Explain (pressing Explain) and Predict (typing a
    text) on a run trained before the server starts.
Every step is timed from the click to settled content (its result drawn and no script
run in progress), and also to the server's last WebSocket message before that (the
server's part; the rest is the browser drawing). It prints count, errors, p50/p95 per kind of step, whether every step
got an answer, the CPU seconds of the server, its training workers and Chromium (where
the time goes), and the server's memory at the end.

Usage: .venv/bin/python bench/load.py [--seconds 120] [--think 3]  (3 s between a session's steps)
Not run in CI. Talks to 127.0.0.1 only; the server, its workers and Chromium are
stopped at the end, also on errors or Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.config import to_dict  # noqa: E402
from core.presets import PRESETS  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, running_studio  # noqa: E402

from common import save_summary, summary_row  # noqa: E402  (bench/ is on sys.path when run)

TRAINERS, BROWSERS = 2, 8
PAGE_STEPS = ("Evaluate page", "Explain page", "Predict page")  # what the p95 target covers
STEP_TIMEOUT = 90  # seconds for one step; a slower one counts as unanswered
HARD_LIMIT = 900  # the whole benchmark, whatever happens
START_STAGGER = 1.5  # seconds between two sessions' first page loads
TINY = next(p for p in PRESETS if p.key == "tiny")
RUNNING = '[data-testid="stStatusWidget"]'
PLOTLY = '[data-testid="stPlotlyChart"]'
HIGHLIGHTED = 'div[style*="white-space: pre-wrap"] span[style*="background-color"]'
TEXTS = ["The striker scored twice in the cup final and the fans sang all night.",
         "Shares fell sharply after the bank reported lower profits and cut its outlook.",
         "Researchers found a new species of frog in the rainforest using satellite images.",
         "Leaders met at the summit to discuss the ceasefire and the refugee crisis."]
TRACES_JS = """chart => { const p = chart.querySelector('.js-plotly-plot');
    return p && p._fullData ? p._fullData.map(t => Array.from(t.x || [])) : []; }"""


class Step(NamedTuple):
    started: float  # monotonic time of the click
    kind: str
    seconds: float  # to the answer drawn
    round_no: int  # 0 = the session's first round
    answered: float  # seconds to the server's last message before that


class Recorder:
    def __init__(self):
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.timeline: list[Step] = []
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.notes: list[str] = []

    async def step(self, kind: str, action, round_no: int = 0) -> bool:
        """Run one timed step; a timeout or exception is an unanswered step, not a crash."""
        started = time.monotonic()
        try:
            done = await asyncio.wait_for(action(), STEP_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 (recorded and reported)
            first_line = (str(exc).splitlines() or [""])[0][:160]
            self.errors[kind].append(f"{type(exc).__name__}: {first_line}")
            return False
        seconds = done.drawn - started
        answered = min(seconds, max(0.0, done.answered - started))
        self.seconds[kind].append(seconds)
        self.timeline.append(Step(started, kind, seconds, round_no, answered))
        return True


# Notes when the page last received a WebSocket message: the server's part of a step
# ends with its last message, the rest is the browser drawing it.
LAST_MESSAGE_JS = """(() => {
    const Native = window.WebSocket;
    window.__lastMessageAt = performance.now();
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => { window.__lastMessageAt = performance.now(); });
        }
    };
})();"""
SETTLED_JS = """([selector, settleMs]) => new Promise(resolve => {
    let idleSince = null;
    const tick = () => {
        const now = performance.now();
        if (document.querySelector(selector)) idleSince = null;
        else if (idleSince === null) idleSince = now;
        if (idleSince !== null && now - idleSince >= settleMs)
            resolve([now - idleSince, now - window.__lastMessageAt]);
        else setTimeout(tick, 50);
    };
    tick();
})"""


@dataclass(frozen=True)
class Settled:
    drawn: float  # monotonic time the page went idle with its answer drawn
    answered: float  # monotonic time of the server's last message before that


async def settled(page, settle: float = 0.5) -> Settled:
    """When the app went idle (no script running) and stayed idle for ``settle`` s.

    The page watches itself: polling from here, ten pages ten times a second, was
    CDP traffic through Chromium and Playwright's driver on the cores being measured.
    Any delay in the answer's return makes the step look longer, never shorter.
    """
    idle_for_ms, since_message_ms = await page.evaluate(SETTLED_JS, [RUNNING, settle * 1000])
    now = time.monotonic()
    return Settled(now - idle_for_ms / 1000, now - since_message_ms / 1000)


def main_area(page):
    return page.locator('[data-testid="stMain"]')


async def navigate(page, nav_title: str, ready) -> float:
    await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=nav_title).click()
    await ready.wait_for(timeout=STEP_TIMEOUT * 1000)
    return await settled(page)


async def open_app(page, base_url: str) -> float:
    await page.goto(base_url)
    await main_area(page).get_by_role("button", name="Use sample data").wait_for(
        timeout=STEP_TIMEOUT * 1000)
    return await settled(page)


async def predict_text(page, chart, text: str) -> Settled:
    """Type a text on Predict and wait until the probability chart shows its answer."""
    before = await chart.evaluate(TRACES_JS)
    box = main_area(page).get_by_role("textbox", name="Text", exact=True)
    await box.fill(text)
    await box.press("Control+Enter")
    while await chart.evaluate(TRACES_JS) == before:
        await asyncio.sleep(0.1)
    return await settled(page)


# ---------------------------------------------------------------- the two trainers

async def trainer(index: int, page, base_url: str, rec: Recorder, first_started: asyncio.Event,
                  deadline: float) -> None:
    main = main_area(page)
    await asyncio.sleep((BROWSERS + index) * START_STAGGER)
    await rec.step("first load", lambda: open_app(page, base_url))

    async def use_sample():
        await main.get_by_role("button", name="Use sample data").click()
        await main.get_by_text("The data is ready").wait_for(timeout=STEP_TIMEOUT * 1000)
        return await settled(page)

    async def train_page():
        # The default (recommended) network: long enough that the second Train click
        # finds the first run still training, which the Tiny preset no longer is.
        await navigate(page, "2 · Model & Train", main.get_by_role("combobox", name="Start from a preset"))
        return await settled(page)

    name = f"Load trainer {index + 1}"

    async def train():
        box = main.get_by_role("textbox", name="Run name")  # its label, not the placeholder's words
        await box.fill(name)
        await box.press("Enter")
        await settled(page, 0.3)
        clicked = time.monotonic()
        await main.get_by_role("button", name="Train", exact=True).click()
        if index == 0:  # the second trainer clicks now: this run ends in ~20 s under load
            first_started.set()
        await main.get_by_role("heading", name=f"Run: {name}").first.wait_for(timeout=STEP_TIMEOUT * 1000)
        done = await settled(page, 0.3)  # the live view keeps polling: it is never idle long
        return Settled(max(clicked, done.drawn), max(clicked, done.answered))

    await rec.step("load sample", use_sample)
    await rec.step("train page", train_page)
    if index > 0:  # press Train while the first training is still active
        try:
            await asyncio.wait_for(first_started.wait(), 2 * STEP_TIMEOUT)
        except TimeoutError:
            rec.errors["queue position shown"].append(f"{name}: the first training never started")
    if not await rec.step("press Train", train):
        return
    if index > 0:
        waiting = main.get_by_text(re.compile(r"Waiting in line \(position \d+\)"))
        try:
            await waiting.first.wait_for(timeout=20_000)
            rec.notes.append(f"{name}: shown '{(await waiting.first.inner_text()).strip()[:60]}'")
        except Exception:  # noqa: BLE001
            rec.errors["queue position shown"].append(f"{name}: no 'Waiting in line' text")
    finished = main.get_by_text(re.compile(r"Finished after \d+( of \d+)? epoch"))  # or early-stopped
    clicked = time.monotonic()
    try:
        await finished.first.wait_for(timeout=max(1.0, deadline - time.monotonic()) * 1000)
        rec.notes.append(f"{name}: finished {time.monotonic() - clicked:.0f} s after Train")
    except Exception:  # noqa: BLE001
        rec.notes.append(f"{name}: not finished when the time was up")


# ---------------------------------------------------------------- the eight browsers

async def browser_session(index: int, page, base_url: str, rec: Recorder, deadline: float,
                          rounds: int = 10_000, think: float = 0.0) -> None:
    """Loop Evaluate → Explain (press it) → Predict (type a text), ``think`` s after each step."""
    main = main_area(page)

    async def step(kind, action):
        await rec.step(kind, action, round_no)
        await asyncio.sleep(think)  # a person reads the page before the next click

    await asyncio.sleep(index * START_STAGGER)  # people do not all click at the same instant
    if not await rec.step("first load", lambda: open_app(page, base_url)):
        return
    round_no = 0
    while time.monotonic() < deadline and round_no < rounds:
        await step("Evaluate page", lambda: navigate(
            page, "3 · Evaluate", main.locator(PLOTLY).filter(has_text="Confusion matrix").first))
        await step("Explain page", lambda: navigate(
            page, "4 · Explain", main.get_by_role("button", name="Explain", exact=True)))

        async def explain():
            await main.get_by_role("button", name="Explain", exact=True).click()
            await main.locator(HIGHLIGHTED).first.wait_for(timeout=STEP_TIMEOUT * 1000)
            return await settled(page)

        await step("press Explain", explain)
        chart = main.locator(PLOTLY).filter(has_text="How sure the model is").first
        await step("Predict page", lambda: navigate(page, "5 · Predict", chart))

        await step("type a text", lambda text=TEXTS[(index + round_no) % len(TEXTS)]:
                   predict_text(page, chart, text))
        round_no += 1


# ---------------------------------------------------------------- setup, report

def pretrained_run(home: Path) -> dict:
    """The run every browser looks at: the tiny preset on the news sample, via the CLI."""
    config = home.parent / "tiny.json"
    config.write_text(json.dumps({"model": to_dict(TINY.model), "train": to_dict(TINY.train)}))
    command = [sys.executable, "-m", "core", "train", "--csv", "sample_data/news/news.csv",
               "--text", "title", "--text", "body", "--label", "topic", "--config", str(config),
               "--runs-dir", str(home), "--name", "Pre-trained tiny news", "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    if done.returncode != 0:
        raise SystemExit(f"pre-training failed: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants (alive ones)."""
    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def own_cpu_seconds(pid: int) -> float:
    """User + system CPU of the process alone (the server, without its training workers)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def cpu_used(server_pid: int, chromium_pid: int | None) -> dict[str, float]:
    total = cpu_seconds(server_pid)
    server = own_cpu_seconds(server_pid)
    chromium = cpu_seconds(chromium_pid) if chromium_pid else float("nan")
    # This script and Playwright's driver: the measuring itself, on the same cores.
    driver = cpu_seconds(os.getpid()) - total - (chromium if chromium_pid else 0.0)
    return {"server": server, "training workers": total - server, "chromium": chromium,
            "load driver": driver}


def our_chromium() -> int | None:
    """The browser process Playwright started for us (not another user's Chromium)."""
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name() and not any(a.startswith("--type=") for a in proc.cmdline()):
                return proc.pid
        except psutil.NoSuchProcess:
            continue
    return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def p95_all_and_later(steps, seconds_of) -> tuple[float, float]:
    """p95 over every round, and from each session's second round on.

    A browser's first visit to a page also loads and starts that page's JavaScript (plotly
    on Evaluate), and in the first round all ten sessions start within 15 s.
    """
    every = [seconds_of(t) for t in steps]
    later = [seconds_of(t) for t in steps if t.round_no > 0]
    return (percentile(every, 0.95) if every else float("nan"),
            percentile(later, 0.95) if later else float("nan"))


def report(rec: Recorder, alone: Recorder, wall: float, cpu: dict, failed_http: list[str],
           think: float) -> bool:
    print(f"\n{TRAINERS + BROWSERS} sessions for {wall:.0f} s on {os.cpu_count()} CPUs, {think:g} s "
          f"between a browser's steps (load average now {os.getloadavg()[0]:.1f}); "
          "'alone' = one warm session, no other")
    print(f"{'step':<15}{'alone s':>8}{'count':>6}{'errors':>7}{'p50 s':>7}{'p95 s':>7}"
          f"{'max s':>7}{'p50/alone':>10}{'server p95 s':>13}")
    for kind in sorted(set(rec.seconds) | set(rec.errors)):
        values = rec.seconds.get(kind, [])
        answered = [t.answered for t in rec.timeline if t.kind == kind]
        server_p95 = f"{percentile(answered, 0.95):>13.2f}" if answered else f"{'-':>13}"
        base = statistics.median(alone.seconds[kind]) if alone.seconds.get(kind) else None
        stats = (f"{statistics.median(values):>7.2f}{percentile(values, 0.95):>7.2f}{max(values):>7.2f}"
                 if values else f"{'-':>7}{'-':>7}{'-':>7}")
        ratio = f"{statistics.median(values) / base:>9.1f}x" if values and base else f"{'-':>10}"
        shown_base = f"{base:>8.2f}" if base else f"{'-':>8}"
        print(f"{kind:<15}{shown_base}{len(values):>6}{len(rec.errors.get(kind, [])):>7}{stats}{ratio}"
              f"{server_p95}")
    page_steps = [t for t in rec.timeline if t.kind in PAGE_STEPS]
    begin = min((t.started for t in rec.timeline), default=0.0)
    print("slowest page steps: " + ", ".join(
        f"{t.kind} {t.seconds:.1f} s (server {t.answered:.1f} s) at +{t.started - begin:.0f} s "
        f"(round {t.round_no + 1})" for t in sorted(page_steps, key=lambda t: -t.seconds)[:5]))
    for note in rec.notes:
        print(f"note: {note}")
    for kind, errors in rec.errors.items():
        for error in errors[:3]:
            print(f"error in {kind}: {error}")
    print("CPU seconds used: " + ", ".join(f"{name} {seconds:.0f}" for name, seconds in cpu.items()))
    print(f"failed HTTP requests: {len(failed_http)}" + (f" (e.g. {failed_http[0]})" if failed_http else ""))
    answered = not any(rec.errors.values()) and not failed_http
    print("every request got an answer:", "yes" if answered else "NO")
    worst, worst_later = p95_all_and_later(page_steps, lambda t: t.seconds)
    server, server_later = p95_all_and_later(page_steps, lambda t: t.answered)
    print(f"page p95: {worst:.2f} s all rounds, {worst_later:.2f} s from each session's second round")
    print(f"server's part (click to its last message) p95: {server:.2f} s all rounds, "
          f"{server_later:.2f} s from the second round")
    sessions = f"{TRAINERS + BROWSERS} sessions, {think:g} s think"
    save_summary(f"load_think{think:g}", [
        summary_row(f"{sessions}: page p95 s (Evaluate/Explain/Predict)", worst,
                    target="≤ 2 s", met=worst <= 2),
        summary_row(f"{sessions}: page p95 s, second round on", worst_later,
                    target="≤ 2 s", met=worst_later <= 2),
        summary_row(f"{sessions}: server's part of a page step, p95 s", server,
                    target="≤ 2 s", met=server <= 2),
        summary_row(f"{sessions}: every request answered, queue position shown",
                    "yes" if answered else "no", target="yes", met=answered)])
    return answered


async def new_page(browser, failed_http: list[str]):
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_TIMEOUT * 1000)  # the step's own limit decides
    await context.add_init_script(script=LAST_MESSAGE_JS)
    page = await context.new_page()
    page.on("requestfailed", lambda r: failed_http.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 500 and failed_http.append(f"{r.url} HTTP {r.status}"))
    return page


async def alone_baseline(browser, base_url: str, server_pid: int) -> Recorder:
    """One session by itself: a warm-up round (model loads, first imports), then one timed round.

    Also prints the CPU one step costs the server and the browser: on a shared machine the
    ten browsers, not the server, are most of the load.
    """
    page = await new_page(browser, [])
    await browser_session(0, page, base_url, Recorder(), time.monotonic() + HARD_LIMIT, rounds=1)
    alone = Recorder()
    before = cpu_used(server_pid, our_chromium())
    await browser_session(0, page, base_url, alone, time.monotonic() + HARD_LIMIT, rounds=1)
    after = cpu_used(server_pid, our_chromium())
    steps = sum(len(v) for v in alone.seconds.values())
    print("one session alone, CPU per step: " + ", ".join(
        f"{name} {(after[name] - before[name]) / steps:.2f} s" for name in ("server", "chromium", "load driver")))
    await page.context.close()
    return alone


async def first_visit_cost(browser, base_url: str) -> None:
    """Chromium's CPU for a fresh tab's first visit to Evaluate against its second visit.

    A first visit starts the JavaScript of plotly's charts and Streamlit's tables, which a
    tab fetches and compiles once. In the first round the ten tabs all pay it together.
    """
    page = await new_page(browser, [])
    scripts = []
    page.on("requestfinished", lambda r: r.resource_type == "script" and scripts.append(r))
    main = main_area(page)
    await open_app(page, base_url)
    matrix = main.locator(PLOTLY).filter(has_text="Confusion matrix").first
    explain = main.get_by_role("button", name="Explain", exact=True)
    costs = []
    for nav_title, ready in (("3 · Evaluate", matrix), ("4 · Explain", explain),
                             ("3 · Evaluate", matrix)):
        scripts.clear()
        before = cpu_seconds(our_chromium())
        await navigate(page, nav_title, ready)
        await asyncio.sleep(1)  # compositing and raster threads finish the frame
        sizes = {r.url.rsplit("/", 1)[-1]: (await r.sizes())["responseBodySize"] for r in scripts}
        costs.append((cpu_seconds(our_chromium()) - before, sizes))
    (first, first_js), _, (second, second_js) = costs
    biggest = max(first_js, key=first_js.get, default="-")
    print(f"a fresh tab's Evaluate page: first visit chromium {first:.2f} CPU s and "
          f"{sum(first_js.values()) / 1e6:.1f} MB of JavaScript started (the largest: {biggest}, "
          f"{first_js.get(biggest, 0) / 1e6:.1f} MB); second visit {second:.2f} CPU s, "
          f"{sum(second_js.values()) / 1e6:.1f} MB")
    await page.context.close()


async def run(seconds: float, think: float) -> bool:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory(prefix="lstm-studio-load-") as work:
        home = Path(work) / "runs"
        summary = pretrained_run(home)
        print(f"pre-trained run {summary['run_id']}: test accuracy {summary['test_accuracy']:.2f}")
        rec, failed_http = Recorder(), []
        with running_studio(home, Path(work) / "server.log") as server:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                           args=CHROMIUM_ARGS)
                chromium_pid = our_chromium()
                alone = await alone_baseline(browser, server.base_url, server.pid)
                await first_visit_cost(browser, server.base_url)
                cpu_start = cpu_used(server.pid, chromium_pid)
                pages = [await new_page(browser, failed_http) for _ in range(TRAINERS + BROWSERS)]
                started = time.monotonic()
                deadline = started + seconds
                first_started = asyncio.Event()
                tasks = [trainer(i, pages[i], server.base_url, rec, first_started, deadline)
                         for i in range(TRAINERS)]
                tasks += [browser_session(i, pages[TRAINERS + i], server.base_url, rec, deadline,
                                           think=think)
                          for i in range(BROWSERS)]
                await asyncio.gather(*tasks)
                wall = time.monotonic() - started
                server_mb = psutil.Process(server.pid).memory_info().rss / 2**20
                cpu = {name: seconds - cpu_start[name]
                       for name, seconds in cpu_used(server.pid, chromium_pid).items()}
                await browser.close()
        print(f"server memory (RSS) at the end: {server_mb:.0f} MB")
        return report(rec, alone, wall, cpu, failed_http, think)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long the browsers loop")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a browser session waits after each step (0: click on at once)")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("SKIP: Debian chromium (/usr/bin/chromium) is not installed.")
        return 0
    answered = asyncio.run(asyncio.wait_for(run(args.seconds, args.think), HARD_LIMIT))
    return 0 if answered else 1


if __name__ == "__main__":
    sys.exit(main())
