"""Speed page in a real browser: loads clean, times at the defaults, shows both charts."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app


def test_speed_page_runs_timing(page, app_url):
    open_page(page, f"{app_url}/speed")
    assert_no_exception(page)
    assert page.get_by_text("Why the GEMM tier wins").is_visible()
    screenshot(page, "speed-before")

    page.get_by_role("button", name="Run timing").click()
    page.get_by_text("Timed in").wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    # Two Plotly charts: the bars and the log-log scaling chart.
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert len(page.query_selector_all(".js-plotly-plot")) == 2
    assert page.get_by_text("Time per iteration at N = 20,000").first.is_visible()
    assert page.get_by_text("Scaling with N").first.is_visible()
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    page.set_viewport_size({"width": 1400, "height": 2700})
    page.wait_for_timeout(800)
    screenshot(page, "speed-after")


def test_speed_page_refuses_broadcast_memory(page, app_url):
    open_page(page, f"{app_url}/speed")
    # d = 100 and K = 64 at N = 20k: broadcasting would need about 1.9 GB.
    d_box = page.get_by_role("spinbutton", name="d (features)")
    d_box.fill("100")
    d_box.press("Enter")
    wait_for_app(page)
    k_box = page.get_by_role("spinbutton", name="K (clusters)").last
    k_box.fill("64")
    k_box.press("Enter")
    wait_for_app(page)
    assert_no_exception(page)
    assert page.get_by_text("it will be refused").is_visible()
    screenshot(page, "speed-refusal")
