"""Heavy runs in a real browser: Cancel stops a running sweep; a second visitor queues.

Only a real server shows these: AppTest runs the script to its end in one go, while here
the Cancel click must reach a script that is busy inside kmeans_core (issue 13).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, open_page, screenshot

# 300,000 x 10 points, K = 12: the sweep of K = 1-10 and the comparison (72,000,000 units)
# are both over the cap.
BIG = "data=blobs&data.n_samples=300000&data.n_features=10&data.centers=5&data.cluster_std=1.0&k=12"
SLOW_MS = 180_000


def _start(page, url: str) -> None:
    open_page(page, url, timeout_ms=SLOW_MS)
    assert_no_exception(page)
    run_it = page.get_by_role("button", name="Run it")
    expect(run_it).to_be_visible(timeout=SLOW_MS)
    run_it.click()


def test_cancel_stops_a_running_sweep_and_a_second_visitor_waits_in_line(browser, app_url):
    a = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    b = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        _start(a, f"{app_url}/choose-k?{BIG}")
        expect(a.get_by_text("Running the sweep of K")).to_be_visible(timeout=SLOW_MS)

        # A second visitor's heavy run waits for the slot, with its place shown.
        _start(b, f"{app_url}/compare?{BIG}")
        expect(b.get_by_text("the comparison is next in line")).to_be_visible(timeout=SLOW_MS)
        screenshot(b, "heavy-queue-waiting")
        b.get_by_role("button", name="Cancel").click()
        expect(b.get_by_text("The comparison was cancelled")).to_be_visible(timeout=SLOW_MS)

        # Cancel reaches the sweep while it works inside kmeans_core.
        clicked = time.monotonic()
        a.get_by_role("button", name="Cancel").click()
        expect(a.get_by_text(re.compile(r"The sweep of K = \S+ was cancelled"))).to_be_visible(
            timeout=SLOW_MS
        )
        stopped_after = time.monotonic() - clicked
        assert_no_exception(a)
        assert not a.query_selector_all(".js-plotly-plot")  # nothing was drawn or cached
        screenshot(a, "heavy-queue-cancelled")
        # The slot is free: the other visitor's run now starts at once.
        b.get_by_role("button", name="Run it").click()
        expect(b.get_by_text("Running the comparison")).to_be_visible(timeout=SLOW_MS)
        b.get_by_role("button", name="Cancel").click()
        expect(b.get_by_text("The comparison was cancelled")).to_be_visible(timeout=SLOW_MS)
        print(f"sweep stopped {stopped_after:.1f} s after Cancel")
    finally:
        a.context.close()
        b.context.close()


def test_a_visitor_who_leaves_frees_the_slot_for_the_next_in_line(browser, app_url):
    a = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    b = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        _start(a, f"{app_url}/choose-k?{BIG}&seed=7")  # a sweep not in the cache yet
        expect(a.get_by_text("Running the sweep of K")).to_be_visible(timeout=SLOW_MS)
        _start(b, f"{app_url}/compare?{BIG}&seed=7")
        expect(b.get_by_text("the comparison is next in line")).to_be_visible(timeout=SLOW_MS)
        left = time.monotonic()
        a.context.close()  # the first visitor closes the tab mid-sweep
        # The sweep (about 45 s by the estimate) stops at its next check: the slot frees.
        expect(b.get_by_text("Running the comparison")).to_be_visible(timeout=SLOW_MS)
        print(f"slot freed {time.monotonic() - left:.1f} s after the tab closed")
        b.get_by_role("button", name="Cancel").click()
        expect(b.get_by_text("The comparison was cancelled")).to_be_visible(timeout=SLOW_MS)
    finally:
        a.context.close()  # a no-op when the test closed it already
        b.context.close()
