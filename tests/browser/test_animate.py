"""Real browser: the Animate player steps, scrubs, plays and takes clicks without the server."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    assert_no_exception,
    open_page,
    screenshot,
    wait_for_app,
)

PLAYER = 'iframe[title*="kmeans_player"]'


def open_player(page, url: str):
    """Open ``url`` and return the player's frame once it has drawn its first frame."""
    open_page(page, url)
    frame = page.wait_for_selector(PLAYER).content_frame()
    frame.wait_for_selector("body[data-frame]")
    assert_no_exception(page)
    return frame


def frame_no(fr) -> int:
    return int(fr.evaluate("document.body.dataset.frame"))


def marker_x(fr):
    """The inertia chart's current-step marker."""
    return fr.evaluate(
        "() => document.getElementById('inertia').data.find(t => t.name === 'current step').x[0]"
    )


def assert_all_agree(fr, i: int) -> None:
    """Caption, slider, counter and inertia marker all show frame ``i``."""
    assert frame_no(fr) == i
    assert fr.input_value("#slider") == str(i)
    assert fr.inner_text("#counter").startswith(f"{i} /")
    if i > 0:
        assert marker_x(fr) == i


def n_frames(fr) -> int:
    return int(fr.get_attribute("#slider", "max")) + 1


def test_keyboard_steps_and_plays(page, app_url):
    fr = open_player(page, f"{app_url}/animate?init=random&k=4")
    assert fr.inner_text("#title") == "Start"
    # Fresh page, nothing focused: the keys already work.
    page.keyboard.press("ArrowRight")
    assert_all_agree(fr, 1)
    fr.click("#scatter")  # focus inside the player
    page.keyboard.press("ArrowRight")
    assert_all_agree(fr, 2)
    assert fr.inner_text("#title") == "Iteration 1 · update"
    page.keyboard.press("ArrowLeft")
    assert_all_agree(fr, 1)
    assert "Assignment" in fr.inner_text("#caption")
    page.keyboard.press("End")
    last = n_frames(fr) - 1
    assert_all_agree(fr, last)
    assert "Done:" in fr.inner_text("#caption") or "Stopped" in fr.inner_text("#caption")
    page.keyboard.press("Home")
    assert_all_agree(fr, 0)
    page.keyboard.press(" ")  # play
    fr.wait_for_function("() => Number(document.body.dataset.frame) >= 2", timeout=20_000)
    page.keyboard.press(" ")  # pause
    stopped_at = frame_no(fr)
    page.wait_for_timeout(1200)
    assert frame_no(fr) == stopped_at
    assert fr.inner_text("#play") == "▶ Play"
    assert_all_agree(fr, stopped_at)


def test_play_runs_to_the_end_and_stops(page, app_url):
    fr = open_player(page, f"{app_url}/animate?init=random&k=4")
    fr.select_option("#speed", "150")
    fr.click("#play")
    last = n_frames(fr) - 1
    fr.wait_for_function(f"() => document.body.dataset.frame === '{last}'", timeout=30_000)
    page.wait_for_timeout(400)
    assert fr.inner_text("#play") == "▶ Play"
    assert_all_agree(fr, last)


def test_scrub_then_step_moves_from_the_scrubbed_frame(page, app_url):
    fr = open_player(page, f"{app_url}/animate?init=random&k=4")
    fr.fill("#slider", "5")
    assert_all_agree(fr, 5)
    fr.click("#forward")
    assert_all_agree(fr, 6)
    fr.click("#back")
    fr.click("#back")
    assert_all_agree(fr, 4)


def test_every_control_is_reachable_with_tab_and_shows_focus(page, app_url):
    # From frame 3, so that no step button is disabled (disabled buttons take no focus).
    fr = open_player(page, f"{app_url}/animate?init=random&k=4&step=3")
    fr.click("#title")
    reached = []
    for _ in range(14):
        page.keyboard.press("Tab")
        reached.append(fr.evaluate("document.activeElement && document.activeElement.id"))
        if reached[-1] == "play":
            outline = fr.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none"
    for control in ("mode-run", "mode-manual", "first", "back", "play", "forward", "slider"):
        assert control in reached
    # Enter on a focused button works like a click.
    fr.focus("#forward")
    page.keyboard.press("Enter")
    assert frame_no(fr) == 4


def test_step_in_the_link_opens_that_frame(page, app_url):
    fr = open_player(page, f"{app_url}/animate?init=random&k=4&step=7")
    assert_all_agree(fr, 7)
    assert "step=7" in fr.get_attribute("#link", "href")


def _click_chart(page, fr, fx: float, fy: float) -> None:
    box = fr.locator("#scatter .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def test_manual_mode_alternates_reassign_and_update_and_takes_quick_clicks(page, app_url):
    fr = open_player(page, f"{app_url}/animate")
    fr.click("#mode-manual")
    fr.click("#manual-clear")
    assert fr.evaluate("document.body.dataset.centroids") == "0"
    # Five clicks in a row, no waiting: none is lost.
    for fx, fy in [(0.1, 0.1), (0.3, 0.8), (0.5, 0.5), (0.7, 0.2), (0.9, 0.9)]:
        _click_chart(page, fr, fx, fy)
    assert fr.evaluate("document.body.dataset.centroids") == "5"
    assert fr.inner_text("#manual-step") == "Reassign points"
    fr.click("#manual-step")
    assert fr.evaluate("document.body.dataset.manualLabels") == "assigned"
    assert fr.inner_text("#caption").startswith("Reassign:")
    assert fr.inner_text("#manual-step") == "Update centroids"
    page.keyboard.press("ArrowRight")  # → does the next step too
    assert fr.inner_text("#caption").startswith("Update:")
    # A click on a centroid removes it; Undo brings it back.
    box = fr.locator("#scatter .nsewdrag").first.bounding_box()
    x, y = fr.evaluate(
        """() => { const gd = document.getElementById('scatter'), fl = gd._fullLayout;
        const c = gd.data.find(t => t.name === 'centroids');
        return [fl.xaxis.l2p(c.x[0]), fl.yaxis.l2p(c.y[0])]; }"""
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert fr.evaluate("document.body.dataset.centroids") == "4"
    fr.click("#manual-undo")
    assert fr.evaluate("document.body.dataset.centroids") == "5"
    screenshot(page, "animate-manual")


def test_centroids_placed_by_hand_start_the_real_run(page, app_url):
    fr = open_player(page, f"{app_url}/animate")
    fr.click("#mode-manual")
    fr.click("#manual-clear")
    _click_chart(page, fr, 0.2, 0.2)
    _click_chart(page, fr, 0.8, 0.8)
    fr.click("#manual-run")
    fr.wait_for_function("() => document.getElementById('caption').textContent.includes('your 2')")
    assert fr.evaluate("document.getElementById('mode-run').getAttribute('aria-pressed')") == "true"


def test_drawn_points_become_the_dataset(page, app_url):
    fr = open_player(page, f"{app_url}/animate")
    fr.click("#mode-draw")
    for fx, fy in [(0.2, 0.2), (0.25, 0.22), (0.8, 0.8), (0.78, 0.82)]:
        _click_chart(page, fr, fx, fy)
    box = fr.locator("#scatter .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 200)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(box["x"] + 60 + 10 * i, box["y"] + 200)
    page.mouse.up()
    drawn = int(fr.evaluate("document.body.dataset.drawn"))
    assert drawn > 8
    fr.click("#draw-undo")  # the stroke goes, the four clicks stay
    assert fr.evaluate("document.body.dataset.drawn") == "4"
    fr.click("#draw-use")
    page.locator('[data-testid="stSidebar"]').get_by_text("Drawn by hand (4 points)").wait_for()


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
def test_present_mode_fits_chart_and_controls_on_one_screen(page, app_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    fr = open_player(page, f"{app_url}/animate?present=1&init=random&k=5&step=3")
    page.wait_for_timeout(800)
    for part in ("#scatter", "#inertia", "#controls"):
        box = fr.locator(part).bounding_box()  # in the page's coordinates
        assert box["y"] + box["height"] <= height + 1, part
        assert box["x"] + box["width"] <= width
    # Controls in one row; big caption; the chart gets most of the screen.
    assert fr.locator("#controls").bounding_box()["height"] < 70
    caption_px = "parseFloat(getComputedStyle(document.getElementById('caption')).fontSize)"
    assert fr.evaluate(caption_px) >= 20
    assert fr.locator("#scatter").bounding_box()["height"] >= 0.55 * height
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    screenshot(page, f"animate-present-{width}x{height}")


def test_phone_width_stacks_the_chart_above_the_inertia_curve(page, app_url):
    page.set_viewport_size({"width": 390, "height": 844})
    fr = open_player(page, f"{app_url}/animate?step=2")
    scatter = fr.locator("#scatter").bounding_box()
    inertia = fr.locator("#inertia").bounding_box()
    assert scatter["width"] >= 300 and scatter["height"] >= 300
    assert inertia["y"] >= scatter["y"] + scatter["height"] - 1
    # A tall window for the picture, so the whole player is on it.
    page.set_viewport_size({"width": 390, "height": 2000})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "animate-390.png"))


def test_the_tree_says_what_share_it_skipped(page, app_url):
    open_player(page, f"{app_url}/animate?k=4")
    page.locator("[data-testid=stSelectbox]").filter(has_text="Algorithm").click()
    page.get_by_role("option", name="Tree").click()
    wait_for_app(page)
    fr = page.wait_for_selector(PLAYER).content_frame()
    fr.wait_for_selector("body[data-frame]")
    assert_no_exception(page)
    fr.click("#scatter")
    page.keyboard.press("ArrowRight")
    assert fr.inner_text("#title") == "Iteration 1 · assignment"
    assert "The tree skipped" in fr.inner_text("#caption")
    assert "of the point–centroid distances" in fr.inner_text("#caption")
