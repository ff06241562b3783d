"""Real browser: the Animate page's Play button advances frames; clicks pick centroids."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

PLOT = "document.querySelector('.js-plotly-plot')"
TITLE = f"() => {PLOT}.layout.title.text.replace(/<[^>]+>/g, ' ').trim()"
ACTIVE = f"() => {PLOT}._fullLayout.sliders[0].active"
N_FRAMES = f"() => {PLOT}._transitionData._frames.length"


def test_play_advances_frames_to_the_end(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1300})
    # Random init on the default blobs takes several iterations: a real animation.
    open_page(page, f"{app_url}/animate?init=random&k=4")
    page.wait_for_selector(".js-plotly-plot .updatemenu-button")
    assert_no_exception(page)
    assert page.evaluate(ACTIVE) == 0
    assert page.evaluate(TITLE).startswith("Start")
    n_frames = page.evaluate(N_FRAMES)
    assert n_frames > 4
    screenshot(page, "animate-start")

    page.locator(".js-plotly-plot .updatemenu-button").first.click()  # ▶ Play
    page.wait_for_function(f"() => ({ACTIVE})() >= 3", timeout=60_000)
    assert "Iteration" in page.evaluate(TITLE)
    screenshot(page, "animate-mid")

    page.wait_for_function(f"() => ({ACTIVE})() === {n_frames - 1}", timeout=120_000)
    title = page.evaluate(TITLE)
    assert "done" in title
    assert "Converged" in title or "Stopped" in title
    # The inertia marker sits on the last step.
    marker_x = page.evaluate(f"() => {PLOT}.data[{PLOT}.data.length - 1].x[0]")
    assert marker_x == n_frames - 1
    screenshot(page, "animate-end")
    assert_no_exception(page)


def test_clicks_on_the_chart_pick_the_starting_centroids(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, f"{app_url}/animate?k=2")
    page.get_by_text("points I click on the chart").click()
    wait_for_app(page)
    page.get_by_text("Click 2 starting centroids").wait_for()

    def click_data(x: float, y: float) -> None:
        box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
        px, py = page.evaluate(
            f"""() => {{ const fl = {PLOT}._fullLayout;
                return [fl.xaxis.d2p({x}), fl.yaxis.d2p({y})]; }}"""
        )
        # Plotly reports a click on the point it hovers: hover first, then click.
        page.mouse.move(box["x"] + px, box["y"] + py)
        page.wait_for_selector(".js-plotly-plot .hoverlayer .hovertext")
        page.mouse.click(box["x"] + px, box["y"] + py)
        wait_for_app(page)

    # Empty space (caught by the invisible grid): clicks snap to its nearest node.
    rng = page.evaluate(f"() => [{PLOT}._fullLayout.xaxis.range, {PLOT}._fullLayout.yaxis.range]")
    (x0, x1), (y0, y1) = rng
    click_data(x0 + 0.1 * (x1 - x0), y0 + 0.1 * (y1 - y0))
    page.get_by_text("(1 to go)").wait_for()
    # The chart is redrawn with the pick on it before the next click.
    page.wait_for_function(f"() => {PLOT}._fullData.at(-1).x.length === 1")
    rng = page.evaluate(f"() => [{PLOT}._fullLayout.xaxis.range, {PLOT}._fullLayout.yaxis.range]")
    (x0, x1), (y0, y1) = rng
    screenshot(page, "animate-picking")
    click_data(x0 + 0.9 * (x1 - x0), y0 + 0.9 * (y1 - y0))
    page.wait_for_selector(".js-plotly-plot .updatemenu-button")
    assert "your clicks" in page.evaluate(TITLE)
    assert_no_exception(page)
