"""Beyond K-Means in a real browser: the moons are recovered, every panel is drawn."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot

MOONS = "data=moons&data.n_samples=500&data.noise=0.08"


def test_moons_best_method_and_all_charts(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3000})
    open_page(page, f"{app_url}/beyond-kmeans?{MOONS}", timeout_ms=120_000)
    assert_no_exception(page)
    page.get_by_role("heading", name="Beyond K-Means").wait_for()
    page.get_by_text("Each moon is a chain of close neighbours").wait_for()
    best = page.get_by_text("Best ARI:")
    best.wait_for(timeout=120_000)
    assert "1.000" in best.inner_text()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(2).wait_for()
    assert charts.count() == 3
    # Nine titled panels in the grid.
    page.wait_for_function(
        "() => document.querySelectorAll('.annotation-text').length >= 9", timeout=20_000
    )
    page.wait_for_timeout(1500)
    screenshot(page, "beyond-kmeans-moons")
