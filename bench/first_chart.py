"""A fresh tab's first chart page: with the chart code loaded while the first page is read
(ui/warm_up.py) against without, in the same run on the same server.

Each trial is a new browser context (a new tab with an empty cache): it opens the app,
"reads" the Data page for ``--read`` seconds, then clicks Evaluate and is timed from the
click to the confusion matrix drawn and no script run in progress (load.py's measure).
Trials alternate: warmed (the app as shipped) and cold (the same app, the warm-up's
once-per-tab guard set before the page loads, so it never runs). It also reports the
longest task the warm-up put on the tab's main thread while it read (the most a click
made then could wait), from the Long Tasks API.

Usage: .venv/bin/python bench/first_chart.py [--trials 6] [--read 3]
Needs Debian's chromium and playwright (skips, exit 0, without). No shared data.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import chromium_or_skip, print_table, save_summary, summary_row

from load import (CHROMIUM_ARGS, PLOTLY, main_area, navigate, new_page, open_app,  # isort: skip
                  pretrained_run, running_studio)

LONG_TASKS_JS = """(() => {
    window.__longTasks = [];
    new PerformanceObserver(list => list.getEntries().forEach(
        e => window.__longTasks.push([e.startTime, e.duration]))).observe({entryTypes: ['longtask']});
})();"""
WITHOUT_WARM_UP_JS = "window.studioWarmsCharts = true;"  # ui/warm_up.py's once-per-tab guard


async def trial(browser, base_url: str, warmed: bool, read: float) -> tuple[float, float]:
    """(seconds from the Evaluate click to its chart drawn, longest task while reading, ms)."""
    page = await new_page(browser, [])
    await page.add_init_script(LONG_TASKS_JS)
    if not warmed:
        await page.add_init_script(WITHOUT_WARM_UP_JS)
    await open_app(page, base_url)
    read_from = await page.evaluate("performance.now()")
    await asyncio.sleep(read)
    longest = await page.evaluate(
        "since => Math.max(0, ...window.__longTasks.filter(t => t[0] >= since).map(t => t[1]))",
        read_from)
    clicked = time.monotonic()
    matrix = main_area(page).locator(PLOTLY).filter(has_text="Confusion matrix").first
    done = await navigate(page, "3 · Evaluate", matrix)
    await page.context.close()
    return done.drawn - clicked, longest


async def run(chromium: str, trials: int, read: float) -> dict[bool, list[tuple[float, float]]]:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory(prefix="lstm-studio-first-chart-") as work:
        home = Path(work) / "runs"
        pretrained_run(home)
        with running_studio(home, Path(work) / "server.log") as server:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                await trial(browser, server.base_url, True, read)  # the server's own first visit
                results: dict[bool, list] = {True: [], False: []}
                for number in range(2 * trials):
                    warmed = number % 2 == 0
                    results[warmed].append(await trial(browser, server.base_url, warmed, read))
                await browser.close()
    return results


def report(results, read: float) -> None:
    rows, medians = [], {}
    for warmed, label in ((False, "cold (warm-up off)"), (True, "warmed while reading")):
        seconds = [s for s, _ in results[warmed]]
        medians[warmed] = statistics.median(seconds)
        longest = max(ms for _, ms in results[warmed])
        rows.append([label, f"{medians[warmed]:.2f}", f"{min(seconds):.2f}–{max(seconds):.2f}",
                     f"{longest:.0f}"])
    print_table(["first Evaluate", "p50 s", "range s", f"longest task in {read:g} s read, ms"], rows)
    ratio = medians[False] / medians[True]
    print(f"warmed tab's first Evaluate {ratio:.2f}x faster")
    save_summary("first_chart", [summary_row(
        f"fresh tab's first Evaluate after a {read:g} s read, p50 s", medians[True],
        baseline=medians[False], ratio=ratio, target="faster than cold", met=ratio > 1)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6, help="tabs of each kind")
    parser.add_argument("--read", type=float, default=3.0, help="seconds on the first page")
    args = parser.parse_args()
    chromium = chromium_or_skip()
    if chromium is None:
        sys.exit(0)
    report(asyncio.run(run(chromium, args.trials, args.read)), args.read)
