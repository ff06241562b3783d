"""Real-browser fixtures: a `streamlit run` server on a free port and headless Chromium.

Chromium is Debian's /usr/bin/chromium where it exists, else Playwright's own.
Under CI (CI=true) a missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    """Start the app with `streamlit run` and yield its base URL."""
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ROOT / "test-artifacts" / "streamlit-server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--client.showErrorDetails",
            "full",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s; see test-artifacts/streamlit-server.log")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, or a skip (a failure under CI) when none is available."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    pw = sync_playwright().start()
    kwargs = {"args": CHROMIUM_ARGS}
    if os.path.exists(DEBIAN_CHROMIUM):
        kwargs["executable_path"] = DEBIAN_CHROMIUM
    try:
        b = pw.chromium.launch(**kwargs)
    except Exception as exc:  # no browser at all
        pw.stop()
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium for the browser tests under CI: {exc}")
        pytest.skip(f"no Chromium available: {exc}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser):
    """A fresh browser context and page (a new Streamlit session) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def wait_for_app(pg, timeout_ms: int = 60_000) -> None:
    """Wait until the script run has finished (no 'running' indicator) and the app is idle."""
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # The frame's sidebar is drawn by every run of app.py: once it is there, a run happened.
    pg.locator('[data-testid="stSidebar"]').get_by_text("Run settings", exact=True).wait_for(
        timeout=timeout_ms
    )
    pg.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') !== 'running'
                && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
        }""",
        timeout=timeout_ms,
    )
    pg.wait_for_timeout(500)


def open_page(pg, url: str, timeout_ms: int = 60_000) -> None:
    """Go to ``url`` and wait for the Streamlit script run to finish."""
    pg.goto(url)
    wait_for_app(pg, timeout_ms)


def assert_no_exception(pg) -> None:
    """No Streamlit exception element on the page."""
    exc = pg.query_selector_all('[data-testid="stException"]')
    assert not exc, "exception on page: " + " | ".join(e.inner_text()[:500] for e in exc)


def screenshot(pg, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path
