"""Choose K in a real browser: loads from a deep link, shows its charts, reacts to S."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app


def test_choose_k_loads_with_recommendation_and_charts(page, app_url):
    open_page(page, f"{app_url}/choose-k")
    assert_no_exception(page)
    assert page.get_by_text("Recommended K = 3").first.is_visible()
    # Elbow, metrics and silhouette diagram are drawn by Plotly.
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert len(page.query_selector_all(".js-plotly-plot")) == 3
    assert page.get_by_text("True classes").is_visible()
    # Streamlit scrolls inside its own container: a tall viewport captures the whole page.
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.wait_for_timeout(1500)
    screenshot(page, "choose-k")


def test_choose_k_high_sensitivity_says_no_knee(page, app_url):
    open_page(page, f"{app_url}/choose-k")
    slider = page.get_by_role("slider", name="Knee sensitivity S")
    slider.focus()
    slider.press("End")  # S = 10: too strict for any knee on 3 blobs
    wait_for_app(page)
    assert_no_exception(page)
    assert page.get_by_text("No knee found at sensitivity S = 10").is_visible()
    screenshot(page, "choose-k-no-knee")


def test_choose_k_diagram_calls_out_weak_clusters(page, app_url):
    open_page(page, f"{app_url}/choose-k")
    slider = page.get_by_role("slider", name="K for the diagram")
    slider.focus()
    slider.press("ArrowRight")  # 3 -> 4: on the default blobs, clusters 0 and 3 fall short
    wait_for_app(page)
    assert_no_exception(page)
    assert page.get_by_text("Clusters 0 and 3 lie entirely below the average").is_visible()
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.wait_for_timeout(1500)
    screenshot(page, "choose-k-diagram-k4")
