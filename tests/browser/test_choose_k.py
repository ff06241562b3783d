"""Choose K in a real browser: charts, reacting to S, and the K buttons driving the sidebar."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app


def test_choose_k_loads_with_recommendation_and_charts(page, app_url):
    open_page(page, f"{app_url}/choose-k")
    assert_no_exception(page)
    assert page.get_by_text("Recommended K = 3").first.is_visible()
    # Elbow, metrics, trust checks and silhouette diagram are drawn by Plotly.
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert len(page.query_selector_all(".js-plotly-plot")) == 4
    assert page.get_by_text("Can I trust this K?").is_visible()
    assert page.get_by_text("At K = 3 the clustering is stable").is_visible()
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


SLOW_MS = 120_000  # the sweep and trust checks on a loaded 2-core machine


def _sidebar_k(page) -> str:
    return page.locator('[data-testid="stSidebar"]').get_by_label("K (clusters)").input_value()


def _expect_sidebar_k(page, value: str) -> None:
    """Wait (retrying) until the sidebar's K shows ``value``: the rerun may start late."""
    expect(page.locator('[data-testid="stSidebar"]').get_by_label("K (clusters)")).to_have_value(
        value, timeout=SLOW_MS
    )


def test_use_recommended_k_button_sets_sidebar_and_link(page, app_url):
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/choose-k?k=5", timeout_ms=SLOW_MS)
    assert _sidebar_k(page) == "5"
    page.get_by_role("button", name="Use K = 3 in the sidebar").click()
    _expect_sidebar_k(page, "3")
    wait_for_app(page)
    assert_no_exception(page)
    assert "k=5" not in page.url  # K = 3 is the default, which the link leaves out
    page.get_by_text("The sidebar uses K = 3.").first.wait_for()


CLICK_POINT = """([k]) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[0];
    const trace = gd._fullData.find(t => t.name === 'WCSS (mean of restarts)');
    const xs = Array.from(trace.x), ys = Array.from(trace.y);
    const y = ys[xs.indexOf(k)];
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const box = gd.getBoundingClientRect();
    return [box.left + xa._offset + xa.l2p(k), box.top + ya._offset + ya.l2p(y)];
}"""


def test_clicking_a_k_on_the_elbow_offers_it_for_the_sidebar(page, app_url):
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/choose-k", timeout_ms=SLOW_MS)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length === 4", timeout=SLOW_MS
    )
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    x, y = page.evaluate(CLICK_POINT, [5])
    page.mouse.click(x, y)
    button = page.get_by_role("button", name="Use K = 5 in the sidebar")
    button.wait_for()
    screenshot(page, "choose-k-picked-k5")
    button.click()
    _expect_sidebar_k(page, "5")
    wait_for_app(page)
    assert_no_exception(page)
    assert "k=5" in page.url
