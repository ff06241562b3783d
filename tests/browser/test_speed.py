"""Speed page in a real browser: loads clean, times at the defaults, shows the charts."""

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
    # Three Plotly charts: the bars, the log-log scaling chart and the pruning figure.
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert len(page.query_selector_all(".js-plotly-plot")) == 3
    assert page.get_by_text("Pruning: Elkan, Hamerly and the tree").is_visible()
    assert page.get_by_text("Time per iteration at N = 20,000").first.is_visible()
    assert page.get_by_text("Scaling with N").first.is_visible()
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    page.set_viewport_size({"width": 1400, "height": 2700})
    page.wait_for_timeout(800)
    screenshot(page, "speed-after")


def test_speed_page_skips_and_refuses_slow_tiers(page, app_url):
    open_page(page, f"{app_url}/speed")
    # d = 100 and K = 64 at N = 20k: broadcasting would need 1.91 GB (refused), and the
    # loop tier's 128M Python steps per iteration are far above a 0.5 s budget (skipped).
    for name, value in (("d (features)", "100"), ("K (centers)", "64")):
        box = page.get_by_role("spinbutton", name=name)
        box.fill(value)
        box.press("Enter")
        wait_for_app(page)
    assert page.get_by_text("it will be refused").is_visible()
    page.get_by_text("Timing options", exact=True).click()
    budget = page.get_by_role("slider", name="Time budget per method (s)")
    budget.focus()
    budget.press("Home")
    wait_for_app(page)
    assert budget.input_value() == "0.5"
    page.get_by_role("button", name="Run timing").click()
    page.get_by_text("Timed in").wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert page.get_by_text("Python loops: skipped: estimated").is_visible()
    assert page.get_by_text("NumPy broadcasting: refused: needs 1.91 GB").is_visible()
    page.set_viewport_size({"width": 1400, "height": 2700})
    page.wait_for_timeout(800)
    screenshot(page, "speed-skipped-refused")
