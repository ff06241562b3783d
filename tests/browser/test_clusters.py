"""The Clusters page in a real browser: profiles, 3-D view, and numbers that follow the sidebar."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

IRIS = "data=iris&data.scaling=none"
# On a loaded 2-core machine Streamlit's lazily loaded widgets and Plotly take a while.
SLOW_MS = 120_000


def _open_clusters(page, app_url, k: int = 3) -> None:
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/clusters?{IRIS}&k={k}", timeout_ms=SLOW_MS)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length === 4", timeout=SLOW_MS
    )


def test_clusters_page_on_iris_draws_every_part(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 4200})
    _open_clusters(page, app_url)
    assert_no_exception(page)
    for heading in (
        "Sizes and what sets each cluster apart",
        "Per-cluster z-scores",
        "Mean and spread per feature",
        "Rows closest to each center",
        "3-D view",
        "Parallel coordinates",
    ):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    # Sizes, heat map, 3-D scatter (a WebGL scene) and parallel coordinates: 4 charts.
    assert page.locator(".gl-container canvas, .gl-canvas").count() >= 1
    assert page.get_by_text("sepal length (cm)").first.is_visible()
    assert page.get_by_text("Cluster 2", exact=False).first.is_visible()
    page.wait_for_timeout(1500)
    screenshot(page, "clusters-iris")


def test_clusters_follow_the_sidebar_k(page, app_url):
    _open_clusters(page, app_url)
    assert page.get_by_text("Cluster 2 ·").first.is_visible()
    k_input = page.locator('[data-testid="stSidebar"]').get_by_label("K (clusters)")
    k_input.fill("4")
    k_input.press("Enter")
    page.get_by_text("Cluster 3 ·").first.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert "k=4" in page.url


def test_3d_view_switches_to_chosen_axes(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3000})
    _open_clusters(page, app_url)
    page.get_by_text("Choose three features").click()
    page.get_by_text("x axis").wait_for()
    # The 3-D scene's x axis becomes the first feature (retried until the chart is redrawn).
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(
            p => p._fullLayout && p._fullLayout.scene
                && p._fullLayout.scene.xaxis.title.text === 'sepal length (cm)')""",
        timeout=SLOW_MS,
    )
    wait_for_app(page)
    assert_no_exception(page)
