"""LSTM Studio behind deploy/nginx.conf: what a new student's browser downloads, and that it all works.

Streamlit serves its JavaScript uncompressed (it leaves compression to a proxy), so a
class on one Wi-Fi fetches ~10 MB per new browser. This starts LSTM Studio and, in front
of it, nginx with the shipped deploy/nginx.conf (only its ports and password file
changed), then walks a fresh browser through Data (sample) → Evaluate → Explain (press)
→ Predict (type a text) twice: straight to Streamlit (the baseline) and through nginx.
It prints the bytes each walk received over HTTP, and checks what the config promises:
no page without the password, the WebSocket works through it, and a CSV over nginx's
own 1 MB default uploads.

Usage: .venv/bin/python bench/behind_proxy.py     (needs Debian's nginx and chromium)
Not run in CI. Talks to 127.0.0.1 only; nginx and the server are stopped at the end.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from common import ROOT, save_summary, summary_row  # noqa: E402  (bench/ is on sys.path when run)
from load import (HIGHLIGHTED, LAST_MESSAGE_JS, PLOTLY, TEXTS, main_area, navigate,  # noqa: E402
                  open_app, predict_text, pretrained_run, settled)
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, free_port, running_studio  # noqa: E402

CONFIG = ROOT / "deploy" / "nginx.conf"
USER, PASSWORD = "class", "lstm-studio-bench"
UPLOAD_MB = 5  # over nginx's 1 MB default, which would refuse it with a bare 413
CLASS_SIZE, WIFI_MBIT = 30, 50  # for the printed estimate only
HARD_LIMIT = 600  # seconds for the four walks, whatever happens


def nginx_config(work: Path, upstream_port: int, listen_port: int) -> Path:
    """deploy/nginx.conf with this run's ports and password file, inside a minimal main config."""
    shipped = CONFIG.read_text()
    swaps = {"listen 80 default_server;": f"listen 127.0.0.1:{listen_port};",
             "http://127.0.0.1:8501;": f"http://127.0.0.1:{upstream_port};",
             "/etc/nginx/lstm-studio.htpasswd;": f"{work / 'htpasswd'};"}
    for old, new in swaps.items():
        if shipped.count(old) != 1:
            raise SystemExit(f"deploy/nginx.conf changed: expected one {old!r}; update this bench")
        shipped = shipped.replace(old, new)
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()
    (work / "htpasswd").write_text(f"{USER}:{{SHA}}{digest}\n")
    (work / "lstm-studio.conf").write_text(shipped)
    temp = "".join(f"{kind}_temp_path {work / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = work / "main.conf"
    main.write_text(f"daemon off;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
                    "worker_processes 1;\nevents {}\n"
                    f"http {{\naccess_log {work / 'access.log'};\n{temp}"
                    f"include {work / 'lstm-studio.conf'};\n}}\n")
    return main


def first_answer_without_password(url: str, proxy: subprocess.Popen, timeout: float = 15) -> int:
    """The HTTP status of nginx's first answer to a request without the password (401 expected)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.poll() is not None:
            raise SystemExit(f"nginx stopped: {proxy.stderr.read().decode().strip()[-400:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nginx did not answer {url}")


async def student_walk(browser, base_url: str, credentials: dict | None,
                       upload: Path | None = None) -> tuple[dict[str, int], float]:
    """A fresh browser's first walk through the app: (bytes received per URL path, seconds)."""
    context = await browser.new_context(viewport=VIEWPORT, http_credentials=credentials)
    await context.add_init_script(script=LAST_MESSAGE_JS)
    page = await context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    main = main_area(page)
    started = time.monotonic()
    await open_app(page, base_url)
    if upload is not None:
        await main.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(upload)
    else:
        await main.get_by_role("button", name="Use sample data").click()
    await main.get_by_text("The data is ready").wait_for(timeout=120_000)
    await settled(page)
    await navigate(page, "3 · Evaluate", main.locator(PLOTLY).filter(has_text="Confusion matrix").first)
    await navigate(page, "4 · Explain", main.get_by_role("button", name="Explain", exact=True))
    await main.get_by_role("button", name="Explain", exact=True).click()
    await main.locator(HIGHLIGHTED).first.wait_for(timeout=60_000)
    chart = main.locator(PLOTLY).filter(has_text="How sure the model is").first
    await navigate(page, "5 · Predict", chart)
    await predict_text(page, chart, TEXTS[0])
    seconds = time.monotonic() - started
    received = {}
    for request in finished:
        sizes = await request.sizes()
        path = request.url.split("/", 3)[-1]
        received[path] = received.get(path, 0) + sizes["responseBodySize"] + sizes["responseHeadersSize"]
    await context.close()
    return received, seconds


def upload_csv(work: Path) -> Path:
    """The news sample repeated to UPLOAD_MB, a CSV a class might bring."""
    news = pd.read_csv(ROOT / "sample_data" / "news" / "news.csv")
    copies = max(1, int(UPLOAD_MB * 1e6 / len(news.to_csv(index=False))) + 1)
    path = work / "class_upload.csv"
    pd.concat([news] * copies, ignore_index=True).to_csv(path, index=False)
    return path


async def walks(direct_url: str, proxy_url: str, upload: Path) -> dict:
    from playwright.async_api import async_playwright

    credentials = {"username": USER, "password": PASSWORD}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                   args=CHROMIUM_ARGS)
        warm = await student_walk(browser, direct_url, None)  # model load, first imports
        direct = await student_walk(browser, direct_url, None)
        proxied = await student_walk(browser, proxy_url, credentials)
        uploaded = await student_walk(browser, proxy_url, credentials, upload)
        await browser.close()
    return {"warm-up": warm, "direct": direct, "proxied": proxied, "proxied upload": uploaded}


def main() -> int:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if CHROMIUM is None or nginx is None:
        print("SKIP: needs Debian's chromium and nginx (apt-get install nginx).")
        return 0
    with tempfile.TemporaryDirectory(prefix="lstm-studio-proxy-") as folder:
        work = Path(folder)
        work.chmod(0o755)  # nginx's workers run as another user (nobody) when started as root
        pretrained_run(work / "runs")
        upload = upload_csv(work)
        upload_mb = upload.stat().st_size / 1e6
        with running_studio(work / "runs", work / "server.log") as server:
            port = free_port()
            config = nginx_config(work, int(server.base_url.rsplit(":", 1)[1]), port)
            proxy = subprocess.Popen([nginx, "-c", str(config)], stderr=subprocess.PIPE)
            try:
                proxy_url = f"http://127.0.0.1:{port}"
                refused = first_answer_without_password(proxy_url, proxy)
                walked = walks(server.base_url, proxy_url, upload)
                results = asyncio.run(asyncio.wait_for(walked, HARD_LIMIT))
            finally:
                proxy.terminate()
                proxy.wait(timeout=10)
    report(results, refused, upload_mb)
    return 0 if refused == 401 else 1


def report(results: dict, refused: int, upload_mb: float) -> None:
    print(f"without the password nginx answers HTTP {refused} (expected 401)")
    print(f"a {upload_mb:.1f} MB CSV uploaded through nginx and the walk went on")
    print("walk            | MB received over HTTP | seconds")
    for name, (received, seconds) in results.items():
        print(f"{name:15} | {sum(received.values()) / 1e6:21.2f} | {seconds:7.1f}")
    by_path, by_path_proxied = results["direct"][0], results["proxied"][0]
    largest = max(by_path, key=by_path.get)
    print(f"the largest file, {largest}: {by_path[largest] / 1e6:.2f} MB direct, "
          f"{by_path_proxied.get(largest, 0) / 1e6:.2f} MB through nginx")
    direct, proxied = sum(by_path.values()), sum(by_path_proxied.values())
    wifi = CLASS_SIZE * 8 / WIFI_MBIT / 1e6
    print(f"{CLASS_SIZE} new browsers on a shared {WIFI_MBIT} Mbit/s link: "
          f"{direct * wifi:.0f} s of transfer direct, {proxied * wifi:.0f} s through nginx")
    save_summary("behind_proxy", [
        summary_row("MB a new browser downloads, Data→Predict, through deploy/nginx.conf "
                    "(baseline: straight to Streamlit)", proxied / 1e6, direct / 1e6, direct / proxied,
                    digits=1),
        summary_row("deploy/nginx.conf: 401 without the password, WebSocket and a "
                    f"{UPLOAD_MB} MB upload work", "yes" if refused == 401 else "no",
                    target="yes", met=refused == 401)])


if __name__ == "__main__":
    sys.exit(main())
