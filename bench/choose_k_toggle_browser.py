"""Time the Choose K log-scale toggle in headless Chromium on 20,000 rows.

Run: ``.venv/bin/python -m bench.choose_k_toggle_browser``. Starts the app on a free
port, opens Choose K on 20,000 generated blobs, waits for the sweep, then clicks the
toggle and measures click -> the elbow's y-axis type changed in the DOM (server run,
transport and Plotly redraw together).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
QUERY = (
    "data=blobs&data.n_samples=20000&data.centers=3&data.n_features=2"
    "&data.cluster_std=1.0&data.seed=42"
)
REPEATS = 6
AXIS_TYPE = """() => {
    const p = document.querySelectorAll('.js-plotly-plot')[0];
    return p && p.layout && p.layout.yaxis ? (p.layout.yaxis.type || 'linear') : null;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_idle(pg) -> None:
    pg.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')""",
        timeout=300_000,
    )


def main() -> None:
    """Start the server, time REPEATS toggles, print them and the load average."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            pg = browser.new_page(viewport={"width": 1400, "height": 1200})
            pg.goto(f"http://127.0.0.1:{port}/choose-k?{QUERY}")
            pg.wait_for_selector(".js-plotly-plot", timeout=300_000)
            _wait_idle(pg)
            pg.wait_for_timeout(1000)
            toggle = pg.get_by_text("Log scale for WCSS")
            times = []
            for _ in range(REPEATS):
                before = pg.evaluate(AXIS_TYPE)
                t = time.perf_counter()
                toggle.click()
                pg.wait_for_function(f"() => ({AXIS_TYPE})() !== {before!r}", timeout=60_000)
                times.append(time.perf_counter() - t)
                _wait_idle(pg)
                pg.wait_for_timeout(500)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print("toggle click -> redrawn axis (s):", " ".join(f"{t:.3f}" for t in times))
    print(f"median: {statistics.median(times):.3f} s; load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
