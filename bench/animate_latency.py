"""Animate page: how long one frame step takes in a real browser (headless Chromium).

Run from the repository root::

    python -m bench.animate_latency                 # 500 and 5,000 points, median of 5
    python -m bench.animate_latency --sizes 500 --repeats 9

It starts the app with ``streamlit run`` on a free port, opens the Animate page on
blobs of each size (random init, K = 5, so the run has many frames) and measures,
for each of "step forward", "step back", "scrub to a frame" and "place a centroid
by hand":

* **in page** - from the key press (or click) event to the next painted frame
  (two ``requestAnimationFrame`` callbacks after the handler), timed with
  ``performance.now()`` inside the player: what a presenter sees;
* **end to end** - from Playwright's ``keyboard.press`` to the player reporting the
  new frame, which adds Playwright's own round trips (an upper bound).

Each step is timed ``--repeats`` times and the median reported. The machine's other
load shows in the numbers: say how busy it was when quoting them.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PLAYER = 'iframe[title*="kmeans_player"]'

# Dispatch one key in the player and resolve after the next paint.
TIME_KEY = """async (key) => {
  const t0 = performance.now();
  document.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""
TIME_SCRUB = """async (value) => {
  const s = document.getElementById('slider');
  const t0 = performance.now();
  s.value = String(value);
  s.dispatchEvent(new Event('input', {bubbles: true}));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""
TIME_CLICK = """async ([fx, fy]) => {
  const gd = document.getElementById('scatter');
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const at = {clientX: box.left + fx * box.width, clientY: box.top + fy * box.height,
              button: 0, bubbles: true};
  const t0 = performance.now();
  gd.dispatchEvent(new MouseEvent('mousedown', at));
  window.dispatchEvent(new MouseEvent('mouseup', at));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def app_server():
    """``streamlit run app.py`` on a free port; yields the base URL, stops the server after."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
        + ["--server.port", str(port), "--server.address", "127.0.0.1"]
        + ["--server.headless", "true"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("streamlit did not start within 60 s") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def page_url(base: str, n: int) -> str:
    """The Animate page on ``n`` blob points, random init, K = 5."""
    return (
        f"{base}/animate?init=random&k=5&seed=3&data=blobs&data.n_samples={n}"
        "&data.centers=3&data.n_features=2&data.cluster_std=1.0"
    )


def measure(page, url: str, repeats: int) -> dict[str, float]:
    """Median milliseconds of each kind of step on the page at ``url``."""
    page.goto(url)
    frame = page.wait_for_selector(PLAYER, timeout=120_000).content_frame()
    frame.wait_for_selector("body[data-frame]", timeout=120_000)
    page.wait_for_timeout(1000)
    last = int(frame.get_attribute("#slider", "max"))
    times: dict[str, list[float]] = {k: [] for k in ("forward", "back", "scrub", "end_to_end")}
    for r in range(repeats):
        frame.evaluate(TIME_SCRUB, 1)
        times["forward"].append(frame.evaluate(TIME_KEY, "ArrowRight"))
        times["back"].append(frame.evaluate(TIME_KEY, "ArrowLeft"))
        times["scrub"].append(frame.evaluate(TIME_SCRUB, last - (r % 3)))
        frame.click("#scatter")
        target = max(0, last - (r % 3) - 1)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        frame.wait_for_function(f"() => document.body.dataset.frame === '{target}'")
        times["end_to_end"].append((time.perf_counter() - t0) * 1000)
    frame.click("#mode-manual")
    frame.click("#manual-clear")
    clicks = [frame.evaluate(TIME_CLICK, [0.1 + 0.15 * r, 0.5]) for r in range(repeats)]
    out = {k: statistics.median(v) for k, v in times.items()}
    out["place_centroid"] = statistics.median(clicks)
    out["frames"] = last + 1
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the median step latencies for each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    kwargs: dict = {"args": ["--headless", "--no-sandbox", "--disable-gpu"]}
    if os.path.exists(CHROMIUM):
        kwargs["executable_path"] = CHROMIUM
    print(f"Animate frame-step latency, headless Chromium, median of {args.repeats} (ms)")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start\n")
    header = f"{'points':>7} {'frames':>6} {'forward':>8} {'back':>8} {'scrub':>8}"
    print(header + f" {'centroid':>9} {'key e2e':>8}")
    with app_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(**kwargs)
        for n in args.sizes:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            m = measure(page, page_url(base, n), args.repeats)
            page.close()
            print(
                f"{n:>7,} {m['frames']:>6} {m['forward']:>8.0f} {m['back']:>8.0f} "
                f"{m['scrub']:>8.0f} {m['place_centroid']:>9.0f} {m['end_to_end']:>8.0f}"
            )
        browser.close()
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
