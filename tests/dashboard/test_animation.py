"""Frames and captions built from kmeans_core's Lloyd steps (dashboard.animation)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.animation import (
    UNASSIGNED,
    animate_run,
    build_frames,
    centers_from_clicks,
    padded_range,
    picked_centers,
    step_caption,
    stop_sentence,
    thin_iterations,
    voronoi_cells,
)
from kmeans_core import LloydStep, lloyd_steps


def _step(it, phase, labels, centers=None, **kw):
    centers = np.zeros((3, 2)) if centers is None else np.asarray(centers, float)
    return LloydStep(it, phase, centers, np.asarray(labels, np.int32), 1.0, **kw)


def _blobs():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(c, 0.6, size=(40, 2)) for c in ((0, 0), (6, 0), (0, 6))])


# --- frames from a real run ------------------------------------------------------------


def test_frame_count_equals_steps_plus_start_and_phases_alternate():
    X = _blobs()
    C = X[[0, 1, 2]]  # all three starts in one blob: several iterations
    steps = list(lloyd_steps(X, C, max_iter=50, tol=0))
    run = animate_run(X, C, np.arange(len(X)), init_label="test", max_iter=50, tol=0)
    assert run.n_steps == len(steps)
    assert len(run.frames) == len(steps) + 1
    phases = [f.phase for f in run.frames]
    assert phases[0] == "start"
    # assign, update, assign, update, ... (the run ends on unchanged labels: an update)
    assert phases[1:] == ["assign", "update"] * (len(steps) // 2) + ["assign"] * (len(steps) % 2)
    assert run.frames[-1].stop_reason == steps[-1].stop_reason == run.stop_reason
    for f, s in zip(run.frames[1:], steps, strict=True):
        np.testing.assert_array_equal(f.centers, s.centers)
        assert f.inertia == pytest.approx(s.inertia)
    # Start frame: initial centers, nobody assigned, no inertia.
    np.testing.assert_array_equal(run.frames[0].centers, C)
    assert (run.frames[0].labels == UNASSIGNED).all()
    assert run.frames[0].inertia is None


def test_labels_are_kept_for_the_displayed_sample_only():
    X = _blobs()
    idx = np.array([3, 50, 90, 119])
    steps = list(lloyd_steps(X, X[[0, 50, 100]], max_iter=20))
    labels_copy = [s.labels.copy() for s in steps]
    run = build_frames(iter(steps), X[[0, 50, 100]], idx, init_label="t")
    for f, lab in zip(run.frames[1:], labels_copy, strict=True):
        np.testing.assert_array_equal(f.labels, lab[idx])
        assert f.labels.shape == (4,)


def test_changed_points_are_exactly_those_whose_label_changed():
    steps = [
        _step(1, "assign", [0, 0, 1, 1, 2], n_changed=5),
        _step(1, "update", [0, 0, 1, 1, 2], center_shifts=np.array([0.5, 0.2, 0.0])),
        _step(2, "assign", [0, 1, 1, 2, 2], n_changed=2),
        _step(2, "update", [0, 1, 1, 2, 2], center_shifts=np.array([0.1, 0.1, 0.1])),
        _step(3, "assign", [0, 1, 1, 2, 2], n_changed=0, stop_reason="labels unchanged"),
    ]
    run = build_frames(steps, np.zeros((3, 2)), np.arange(5), init_label="t")
    changed = [f.changed.tolist() for f in run.frames]
    assert changed[0] == [False] * 5  # start
    assert changed[1] == [False] * 5  # first labels are not "changes"
    assert changed[2] == [False] * 5  # update: centroids move, labels stay
    assert changed[3] == [False, True, False, True, False]
    assert changed[5] == [False] * 5


def test_relocation_hands_a_point_over_and_is_captioned():
    # Two tight pairs and a third center far away: cluster 2 (numbered from 0) gets no point.
    X = np.array([[0.0], [0.2], [10.0], [10.2]])
    run = animate_run(X, np.array([[0.0], [10.0], [100.0]]), np.arange(4), init_label="t")
    update = run.frames[2]
    assert update.phase == "update"
    assert update.relocated == (2,)
    assert "Cluster 2 was empty and was relocated to a far point" in update.caption
    # The point it took is ringed as changed.
    assert update.changed.sum() == 1
    assert update.labels[update.changed][0] == 2


# --- captions for hand-made steps --------------------------------------------------------


def test_caption_assign_counts_changed_points():
    s = _step(2, "assign", [0] * 20, n_changed=12)
    assert "12 points changed cluster" in step_caption(s, first_assign=False)
    s1 = _step(2, "assign", [0] * 20, n_changed=1)
    assert "1 point changed cluster" in step_caption(s1, first_assign=False)
    s0 = _step(2, "assign", [0] * 20, n_changed=0)
    assert "no point changed cluster" in step_caption(s0, first_assign=False)
    first = _step(1, "assign", [0] * 20, n_changed=20)
    assert "each of the 20 points joins its nearest centroid" in step_caption(
        first, first_assign=True
    )


def test_caption_update_reports_largest_shift_and_relocation():
    s = _step(1, "update", [0], center_shifts=np.array([0.01, 0.03, 0.02]))
    assert "moved at most 0.03" in step_caption(s, first_assign=False)
    still = _step(1, "update", [0], center_shifts=np.zeros(3))
    assert "none moved" in step_caption(still, first_assign=False)
    reloc = _step(1, "update", [0], center_shifts=np.array([0.0, 4.0, 0.1]), relocated=(1,))
    text = step_caption(reloc, first_assign=False)
    assert "moved at most 4" in text
    assert "Cluster 1 was empty and was relocated to a far point" in text


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("labels unchanged", "no point changed cluster, so the centers cannot move"),
        ("center shift below tol", "moved less than the tolerance"),
        ("max_iter reached", "iteration limit (7)"),
    ],
)
def test_caption_states_stop_reason(reason, expected):
    s = _step(7, "assign", [0], n_changed=3, stop_reason=reason)
    assert expected in step_caption(s, first_assign=False, max_iter=7)


# --- thinning -------------------------------------------------------------------------------


def test_thin_iterations_keeps_first_and_last_within_budget():
    assert thin_iterations(10, 61) == list(range(1, 11))
    kept = thin_iterations(300, 61)
    assert kept[0] == 1 and kept[-1] == 300
    assert len(kept) <= (61 - 2) // 2
    assert kept == sorted(set(kept))


def test_long_run_is_thinned_to_max_frames_and_says_so():
    # Twelve centers started on neighbouring points of uniform data: many iterations.
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(400, 2))
    run = animate_run(X, X[:12], np.arange(400), init_label="t", max_iter=200, tol=0, max_frames=9)
    assert run.n_iter > 3
    assert len(run.frames) <= 9
    assert run.skipped_iterations == run.n_iter - 3
    assert any("skipped in the animation" in f.caption for f in run.frames)
    assert run.frames[-1].stop_reason == run.stop_reason
    assert run.frames[-1].iteration == run.n_iter


def test_thinning_ringed_points_compare_with_previous_shown_frame():
    steps = []
    labels = np.zeros(6, np.int32)
    for it in range(1, 41):
        lab = labels.copy()
        lab[it % 6] = it % 3
        steps.append(_step(it, "assign", lab, n_changed=1))
        steps.append(_step(it, "update", lab, center_shifts=np.ones(3)))
        labels = lab
    run = build_frames(steps, np.zeros((3, 2)), np.arange(6), init_label="t", max_frames=21)
    assert len(run.frames) <= 21
    for prev, cur in zip(run.frames[2:], run.frames[3:], strict=False):
        np.testing.assert_array_equal(cur.changed, cur.labels != prev.labels)


# --- Voronoi cells ------------------------------------------------------------------------------


def _inside_convex(poly: np.ndarray, p: np.ndarray) -> bool:
    if len(poly) < 3:
        return False
    edges = np.roll(poly, -1, axis=0) - poly
    rel = p - poly
    cross = edges[:, 0] * rel[:, 1] - edges[:, 1] * rel[:, 0]
    return bool((cross >= -1e-9).all() or (cross <= 1e-9).all())


def _area(poly: np.ndarray) -> float:
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_voronoi_cells_of_two_centers_split_the_box_in_half():
    cells = voronoi_cells(np.array([[-1.0, 0.0], [1.0, 0.0]]), (-2, 2), (-1, 1))
    assert _area(cells[0]) == pytest.approx(4.0)
    assert _area(cells[1]) == pytest.approx(4.0)
    assert cells[0][:, 0].max() == pytest.approx(0.0)
    assert cells[1][:, 0].min() == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(
    k=st.integers(1, 8),
    seed=st.integers(0, 10_000),
)
def test_voronoi_cells_hold_exactly_the_points_nearest_their_center(k, seed):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-5, 5, size=(k, 2))
    cells = voronoi_cells(centers, (-6, 6), (-6, 6))
    # The cells tile the box.
    assert sum(_area(c) for c in cells) == pytest.approx(144.0, rel=1e-6)
    probes = rng.uniform(-6, 6, size=(200, 2))
    nearest = ((probes[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
    for p, i in zip(probes, nearest, strict=True):
        assert _inside_convex(cells[i], p)


def test_voronoi_duplicate_centers_do_not_overlap():
    cells = voronoi_cells(np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0]]), (-4, 4), (-4, 4))
    assert _area(cells[1]) == 0.0
    assert _area(cells[0]) + _area(cells[2]) == pytest.approx(64.0)


# --- picks and ranges -----------------------------------------------------------------------------


def test_picked_centers_use_rows_or_clicked_coordinates():
    X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(picked_centers([(9.0, 9.0, 1)], X), [[4.0, 5.0, 6.0]])
    with pytest.raises(ValueError, match="pick data points"):
        picked_centers([(9.0, 9.0, None)], X)
    X2 = X[:, :2]
    np.testing.assert_array_equal(
        picked_centers([(7.0, 8.0, None), (0, 0, 0)], X2), [[7, 8], [1, 2]]
    )
    X1 = X[:, :1]
    np.testing.assert_array_equal(picked_centers([(7.0, 0.0, None)], X1), [[7.0]])


def test_clicked_centroids_are_centers_as_they_are_in_2d():
    X = np.array([[0.0, 0.0], [4.0, 4.0]])
    centers = centers_from_clicks([[1.5, 2.5], [3.0, -1.0]], X, X, np.arange(2))
    np.testing.assert_array_equal(centers, [[1.5, 2.5], [3.0, -1.0]])


def test_clicked_centroids_snap_to_the_nearest_drawn_point_beyond_2d():
    X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    view = np.array([[0.0, 0.0], [10.0, 0.0]])  # rows 0 and 2 are drawn
    centers = centers_from_clicks([[9.0, 1.0], [0.5, 0.0]], X, view, np.array([0, 2]))
    np.testing.assert_array_equal(centers, [[7.0, 8.0, 9.0], [1.0, 2.0, 3.0]])


@pytest.mark.parametrize("clicks", [[], [[np.nan, 0.0]], "abc", [[1.0, 2.0, 3.0]]])
def test_bad_clicks_give_a_clear_message(clicks):
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="centroid|pairs"):
        centers_from_clicks(clicks, X, X, np.arange(3))


def test_tolerance_stop_explains_points_that_still_changed():
    # A tolerance stop with 21 points still moving reads as a contradiction unless said.
    text = stop_sentence("center shift below tol", 21)
    assert "moved less than the tolerance" in text
    assert "21 points still changed cluster" in text and "tolerance to 0" in text
    assert "still changed" not in stop_sentence("center shift below tol", 0)
    assert "iteration limit (30)" in stop_sentence("max_iter reached", 0, max_iter=30)


def test_padded_range():
    assert padded_range([np.array([0.0, 10.0])], pad=0.1) == pytest.approx((-1.0, 11.0))
    lo, hi = padded_range([np.array([3.0, 3.0])])
    assert lo < 3.0 < hi
    assert padded_range([np.array([np.nan])]) == (-1.0, 1.0)


def test_skipped_sentences():
    from dashboard.animation import skipped_sentence

    assert "no distances" in skipped_sentence(0.0)
    assert "skipped 83% of the point–centroid distances" in skipped_sentence(0.83)
    assert skipped_sentence(0.9, by="tree").startswith("The tree skipped 90%")


@pytest.mark.parametrize(
    ("algorithm", "d", "says"),
    [("elkan", 20, "The bounds skipped"), ("tree", 2, "The tree skipped")],
)
def test_skipping_captions_and_the_same_frames_as_lloyd(algorithm, d, says):
    from dashboard.animation import animate_run

    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 0.5, size=(200, d)) for c in (0, 5, 10)])
    C = X[[0, 1, 2]]
    idx = np.arange(len(X))
    lloyd = animate_run(X, C, idx, init_label="rows", tol=0.0)
    other = animate_run(X, C, idx, init_label="rows", tol=0.0, algorithm=algorithm)
    assert not any("bounds" in f.caption or "skipped" in f.caption for f in lloyd.frames)
    assigns = [f.caption for f in other.frames if f.caption.startswith("Assignment")]
    assert assigns and all(says in c for c in assigns)
    # Same steps as Lloyd's: exact methods.
    assert [f.labels.tolist() for f in lloyd.frames] == [f.labels.tolist() for f in other.frames]
