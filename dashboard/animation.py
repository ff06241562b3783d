"""Lloyd's algorithm as animation frames: what each step changed, and a caption for it.

Everything here is pure: it consumes kmeans_core's :func:`~kmeans_core.lloyd_steps`
records (never a second Lloyd loop) and turns them into :class:`AnimFrame` records
that the figure builders in :mod:`dashboard.animation_figures` draw.

Frame 0 is the start (initial centers, points not yet assigned); then each Lloyd
iteration gives an "assign" frame (points recoloured) and an "update" frame
(centroids move). Labels are kept only for the displayed sample, so a
1,000,000-row run does not keep 1,000,000 labels per step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from kmeans_core import LloydStep, lloyd_steps
from kmeans_core.tree import takes_tree

# More frames than this and the iterations in the middle are thinned out, so the
# payload (and a live demo's patience) stays bounded.
MAX_FRAMES = 61
UNASSIGNED = -1

STOP_EXPLANATIONS = {
    "labels unchanged": (
        "Done: no point changed cluster, so the centers cannot move any more. "
        "This is a stable answer (not always the best one: try another start)."
    ),
    "center shift below tol": (
        "Done: the centers moved less than the tolerance in the last update, "
        "so the run stops and counts as converged."
    ),
    "max_iter reached": (
        "Stopped at the iteration limit before the centers settled; "
        "raise “max iterations” to let it go on."
    ),
}


def stop_sentence(reason: str, n_changed: int, max_iter: int | None = None) -> str:
    """Why the run stopped, in words a beginner follows.

    Parameters
    ----------
    reason : str
        kmeans_core's stop reason.
    n_changed : int
        Points that changed cluster in the run's last assignment: with a
        tolerance stop some still may, which reads as a contradiction unless said.
    max_iter : int, optional
        Named when the run hit the iteration limit.
    """
    text = STOP_EXPLANATIONS.get(reason, f"Stopped: {reason}.")
    if reason == "max_iter reached" and max_iter is not None:
        text = text.replace("the iteration limit", f"the iteration limit ({max_iter})")
    if reason == "center shift below tol" and n_changed:
        text += (
            f" {_plural(n_changed, 'point')} still changed cluster: the centers moved "
            "less than the tolerance, which is small enough to stop. "
            "Set the tolerance to 0 to run until no point changes."
        )
    return text


@dataclass(frozen=True)
class AnimFrame:
    """One frame of the animation.

    Attributes
    ----------
    step : int
        Position of the step in the full run (0 = start, before any step).
    iteration : int
        Lloyd iteration (0 for the start frame).
    phase : {"start", "assign", "update"}
    centers : ndarray of shape (k, n_features)
        Centers in effect in this frame, in feature space.
    labels : ndarray of shape (n_shown,), int16
        Labels of the displayed sample (``UNASSIGNED`` = -1 in the start frame).
    changed : ndarray of shape (n_shown,), bool
        Displayed points whose label differs from the previous frame's (none in
        the first assignment, where every point gets its first label; in update
        frames only points handed to a relocated empty cluster).
    inertia : float or None
        Inertia for these labels and centers (None before the first assignment).
    n_changed : int
        Points (of all rows) that changed cluster in this step.
    relocated : tuple of int
        Clusters that were empty and were relocated in this step.
    stop_reason : str or None
        Set on the run's last step.
    title : str
        Short heading, e.g. "Iteration 3 · assignment".
    caption : str
        What happened in this step, in words.
    """

    step: int
    iteration: int
    phase: str
    centers: np.ndarray
    labels: np.ndarray
    changed: np.ndarray
    inertia: float | None
    n_changed: int
    relocated: tuple[int, ...]
    stop_reason: str | None
    title: str
    caption: str


@dataclass(frozen=True)
class AnimationRun:
    """All frames of one animated run, plus what the page says about it.

    Attributes
    ----------
    frames : list of AnimFrame
        Frames to draw (thinned to at most ``MAX_FRAMES``).
    n_steps : int
        Steps the algorithm took (assign + update half-steps), before thinning.
    n_iter : int
        Lloyd iterations run.
    stop_reason : str
    skipped_iterations : int
        Iterations left out of the animation by thinning (0 if none).
    """

    frames: list[AnimFrame]
    n_steps: int
    n_iter: int
    stop_reason: str
    skipped_iterations: int

    @property
    def inertia_curve(self) -> np.ndarray:
        """Inertia per frame (NaN for the start frame)."""
        return np.array([np.nan if f.inertia is None else f.inertia for f in self.frames])


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def step_caption(
    step: LloydStep, *, first_assign: bool, max_iter: int | None = None, skips: str | None = None
) -> str:
    """What one Lloyd half-step did, in a sentence or two.

    Parameters
    ----------
    step : LloydStep
    first_assign : bool
        True for the run's first assignment (every point gets its first label).
    max_iter : int, optional
        Said when the run stopped at the iteration limit.
    skips : {"bounds", "tree"} or None
        What let the run skip distances: triangle-inequality bounds (Elkan,
        Hamerly, auto) or the tree's whole cells; assign captions then say what
        share of the distances was skipped.

    Returns
    -------
    str
    """
    parts: list[str] = []
    if step.phase == "assign":
        if first_assign:
            parts.append(
                f"Assignment: each of the {len(step.labels):,} points joins its nearest centroid."
            )
        elif step.n_changed == 0:
            parts.append("Assignment: no point changed cluster.")
        else:
            parts.append(
                f"Assignment: {_plural(step.n_changed, 'point')} changed cluster (ringed)."
            )
        if skips is not None:
            parts.append(skipped_sentence(step.distances_skipped, by=skips))
    else:
        shifts = np.asarray(step.center_shifts, dtype=float)
        moved = float(shifts.max()) if shifts.size else 0.0
        if moved == 0:
            parts.append("Update: each centroid is already at the mean of its points; none moved.")
        else:
            parts.append(
                "Update: each centroid moves to the mean of its points; "
                f"they moved at most {moved:.3g}."
            )
        for k in step.relocated:
            parts.append(
                f"Cluster {k} was empty and was relocated to a far point "
                "(the point farthest from its centroid)."
            )
    if step.stop_reason is not None:
        changed = step.n_changed if step.phase == "assign" else 0
        parts.append(stop_sentence(step.stop_reason, changed, max_iter))
    return " ".join(parts)


def skipped_sentence(share: float, by: str = "bounds") -> str:
    """How many point–centroid distances an assignment did not compute.

    ``by`` is "bounds" (Elkan, Hamerly) or "tree" (whole grid cells labelled at once).
    """
    if by == "tree":
        return (
            f"The tree skipped {share:.0%} of the point–centroid distances "
            "(whole grid cells of points lay in one centroid's region)."
        )
    if share <= 0:
        return "The bounds skipped no distances (they are still being set up)."
    return (
        f"The bounds skipped {share:.0%} of the point–centroid distances "
        "(they proved those points could not change cluster)."
    )


def start_caption(k: int, how: str) -> str:
    """Caption of the start frame: where the centroids came from."""
    return (
        f"Start: {_plural(k, 'centroid')} placed by {how}. "
        "Points are not assigned yet: step forward (→) or press ▶ Play."
    )


def thin_iterations(n_iter: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """Which iterations (1-based) to animate so that at most ``max_frames`` frames result.

    Each iteration gives two frames (assign, update) plus the start frame and, when
    the run did not end on unchanged labels, one final assign frame. The first and
    last iterations are always kept; those in between are spread evenly.
    """
    budget = max(2, (max_frames - 2) // 2)
    if n_iter <= budget:
        return list(range(1, n_iter + 1))
    keep = np.unique(np.round(np.linspace(1, n_iter, budget)).astype(int))
    return [int(i) for i in keep]


def _start_frame(init_centers: np.ndarray, n_shown: int, init_label: str) -> AnimFrame:
    """Frame 0: the initial centers, no point assigned yet."""
    return AnimFrame(
        step=0,
        iteration=0,
        phase="start",
        centers=init_centers,
        labels=np.full(n_shown, UNASSIGNED, dtype=np.int16),
        changed=np.zeros(n_shown, dtype=bool),
        inertia=None,
        n_changed=0,
        relocated=(),
        stop_reason=None,
        title="Start",
        caption=start_caption(len(init_centers), init_label),
    )


def _step_frame(
    pos: int, s: LloydStep, labels: np.ndarray, changed: np.ndarray, caption: str
) -> AnimFrame:
    """The frame of one Lloyd half-step (labels already cut to the drawn sample)."""
    phase_word = "assignment" if s.phase == "assign" else "update"
    return AnimFrame(
        step=pos,
        iteration=s.iteration,
        phase=s.phase,
        centers=np.asarray(s.centers, dtype=float).copy(),
        labels=labels,
        changed=changed,
        inertia=float(s.inertia),
        n_changed=int(s.n_changed),
        relocated=tuple(int(k) for k in s.relocated),
        stop_reason=s.stop_reason,
        title=f"Iteration {s.iteration} · {phase_word}" + (" · done" if s.stop_reason else ""),
        caption=caption,
    )


def build_frames(
    steps: Iterable[LloydStep],
    init_centers: np.ndarray,
    sample_idx: np.ndarray,
    *,
    init_label: str,
    max_iter: int | None = None,
    max_frames: int = MAX_FRAMES,
    skips: str | None = None,
) -> AnimationRun:
    """Turn Lloyd steps into animation frames.

    Parameters
    ----------
    steps : iterable of LloydStep
        As yielded by :func:`kmeans_core.lloyd_steps` (consumed once).
    init_centers : ndarray of shape (k, n_features)
    sample_idx : ndarray of int
        Rows drawn in the plot; labels are kept for these rows only.
    init_label : str
        How the initial centers were chosen, for the start caption.
    max_iter : int, optional
        The run's iteration limit, for the stop caption.
    max_frames : int
        Thin out middle iterations beyond this many frames.
    skips : {"bounds", "tree"} or None
        The steps come from a run that skips distances (see :func:`step_caption`):
        assign captions give the share skipped.

    Returns
    -------
    AnimationRun
    """
    init_centers = np.asarray(init_centers, dtype=float)
    sample_idx = np.asarray(sample_idx)
    n_shown = len(sample_idx)
    label_dtype = np.int16
    # Keep compact per-step records (labels on the sample only) so a long run on
    # many rows stays small; the thinning below needs the total count first.
    records: list[tuple[LloydStep, np.ndarray]] = []
    for s in steps:
        records.append((s, np.asarray(s.labels)[sample_idx].astype(label_dtype)))
    if not records:
        raise ValueError("The run produced no steps.")
    n_iter = max(s.iteration for s, _ in records)
    stop_reason = records[-1][0].stop_reason or "max_iter reached"
    kept = set(thin_iterations(n_iter, max_frames))

    start = _start_frame(init_centers, n_shown, init_label)
    frames = [start]
    prev_labels = start.labels
    first_assign = True
    skipped_since_last = 0
    for pos, (s, labels) in enumerate(records, start=1):
        if s.iteration not in kept and pos != len(records):
            if s.phase == "assign":
                skipped_since_last += 1
            continue
        caption = step_caption(s, first_assign=first_assign, max_iter=max_iter, skips=skips)
        if skipped_since_last:
            skipped = _plural(skipped_since_last, "iteration")
            caption = f"({skipped} skipped in the animation.) " + caption
            skipped_since_last = 0
        # Update frames change labels only when an empty cluster took a point.
        changed = np.zeros(n_shown, dtype=bool) if first_assign else labels != prev_labels
        frames.append(_step_frame(pos, s, labels, changed, caption))
        first_assign = first_assign and s.phase != "assign"
        prev_labels = labels
    return AnimationRun(
        frames=frames,
        n_steps=len(records),
        n_iter=n_iter,
        stop_reason=stop_reason,
        skipped_iterations=n_iter - len(kept & set(range(1, n_iter + 1))),
    )


def _checked(steps: Iterable[LloydStep], check: Callable[[], None]) -> Iterator[LloydStep]:
    for step in steps:
        check()
        yield step


def animate_run(
    X: np.ndarray,
    init_centers: np.ndarray,
    sample_idx: np.ndarray,
    *,
    init_label: str,
    max_iter: int = 50,
    tol: float = 1e-4,
    max_frames: int = MAX_FRAMES,
    algorithm: str = "lloyd",
    check: Callable[[], None] | None = None,
) -> AnimationRun:
    """Run :func:`kmeans_core.lloyd_steps` on all of ``X`` and build the frames.

    ``algorithm`` ("lloyd", "elkan", "hamerly", "tree" or "auto") gives the same
    frames (up to exact ties); with bounds or the tree, the assign captions also say
    what share of distances was skipped.
    ``check()``, if given, runs before the run starts and after every half-step; it
    stops the run by raising.

    Raises
    ------
    ValueError
        From kmeans_core, with a message fit to show users.
    """
    if check is not None:
        check()
    steps = lloyd_steps(X, init_centers, max_iter=max_iter, tol=tol, algorithm=algorithm)
    if check is not None:
        steps = _checked(steps, check)
    return build_frames(
        steps,
        init_centers,
        sample_idx,
        init_label=init_label,
        max_iter=max_iter,
        max_frames=max_frames,
        skips=_what_skips(algorithm, X),
    )


def _what_skips(algorithm: str, X: np.ndarray) -> str | None:
    """What lets ``algorithm`` skip distances on X: "bounds", "tree" or nothing (Lloyd)."""
    if algorithm == "lloyd":
        return None
    if takes_tree(algorithm, np.asarray(X)):  # kmeans_core's own rule
        return "tree"
    return "bounds"


def _clip_halfplane(poly: np.ndarray, a: np.ndarray, b: float) -> np.ndarray:
    """Sutherland-Hodgman: the part of convex polygon ``poly`` where ``a . x <= b``."""
    if len(poly) == 0:
        return poly
    inside = poly @ a <= b + 1e-12
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        pin, qin = inside[i], inside[(i + 1) % n]
        if pin:
            out.append(p)
        if pin != qin:
            # The edge crosses the line a . x = b: add the crossing point.
            t = (b - p @ a) / ((q - p) @ a)
            out.append(p + t * (q - p))
    return np.array(out).reshape(-1, 2)


def voronoi_cells(
    centers_2d: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> list[np.ndarray]:
    """Voronoi regions of 2-D centers, clipped to a box, as convex polygons.

    Cell ``i`` is the set of points of the box nearer to center ``i`` than to any
    other: the box cut by the half-planes ``|x - c_i|^2 <= |x - c_j|^2``, i.e.
    ``2 (c_j - c_i) . x <= |c_j|^2 - |c_i|^2``. Exact polygons (rather than a
    grid of labels) draw crisp borders and keep animation frames small.

    Parameters
    ----------
    centers_2d : ndarray of shape (k, 2)
    x_range, y_range : (float, float)

    Returns
    -------
    list of ndarray of shape (m_i, 2)
        Vertices of cell ``i`` in order (empty when a duplicate center owns it).
    """
    c = np.asarray(centers_2d, dtype=float)
    box = np.array(
        [
            [x_range[0], y_range[0]],
            [x_range[1], y_range[0]],
            [x_range[1], y_range[1]],
            [x_range[0], y_range[1]],
        ]
    )
    sq = (c**2).sum(axis=1)
    cells = []
    for i in range(len(c)):
        poly = box
        for j in range(len(c)):
            # Ties (duplicate centers) go to the lower index, so cells never overlap.
            if j == i or (j > i and np.array_equal(c[j], c[i])):
                continue
            if j < i and np.array_equal(c[j], c[i]):
                poly = poly[:0]
                break
            poly = _clip_halfplane(poly, 2 * (c[j] - c[i]), sq[j] - sq[i])
            if len(poly) == 0:
                break
        cells.append(poly)
    return cells


def padded_range(
    values: Sequence[np.ndarray] | np.ndarray, pad: float = 0.06
) -> tuple[float, float]:
    """Min and max of all values, widened by ``pad`` of the span on each side."""
    flat = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return (-1.0, 1.0)
    lo, hi = float(flat.min()), float(flat.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return (lo - pad * span, hi + pad * span)


def picked_centers(
    picks: Sequence[tuple[float, float, int | None]],
    X: np.ndarray,
) -> np.ndarray:
    """Initial centers, in feature space, from points clicked on the chart.

    A click on a data point (row index known) uses that row, so it works in any
    dimension; a click on empty space (row index None) gives ``(x, y)`` itself,
    which is only meaningful when the chart shows the raw features (d <= 2).

    Parameters
    ----------
    picks : sequence of (x, y, row or None)
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (len(picks), n_features)
    """
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    out = np.empty((len(picks), d))
    for i, (x, y, row) in enumerate(picks):
        if row is not None:
            out[i] = X[int(row)]
        elif d == 1:
            out[i] = [x]
        elif d == 2:
            out[i] = [x, y]
        else:
            raise ValueError(
                "With more than two features, pick data points (not empty space) as centroids."
            )
    return out


def centers_from_clicks(
    clicks_2d: Sequence[Sequence[float]],
    X: np.ndarray,
    points_2d: np.ndarray,
    sample_idx: np.ndarray,
) -> np.ndarray:
    """Starting centers, in feature space, from centroids placed on the 2-D chart.

    With at most two features the chart is the feature space, so a click is a
    center as it is. With more, the chart is a projection: each click snaps to
    the nearest drawn point, whose row becomes the center.

    Parameters
    ----------
    clicks_2d : sequence of (x, y)
        Chart coordinates of the centroids the presenter placed.
    X : ndarray of shape (n_samples, n_features)
    points_2d : ndarray of shape (n_shown, 2)
        The drawn points in the chart's view.
    sample_idx : ndarray of int
        Dataset rows of the drawn points.

    Returns
    -------
    ndarray of shape (len(clicks_2d), n_features)

    Raises
    ------
    ValueError
        If there are no clicks or they are not finite (x, y) pairs.
    """
    try:
        clicks = np.asarray(clicks_2d, dtype=float).reshape(-1, 2)
    except (TypeError, ValueError):
        raise ValueError("Centroids must be (x, y) pairs.") from None
    if len(clicks) == 0 or not np.isfinite(clicks).all():
        raise ValueError("Place at least one centroid on the chart first.")
    d = X.shape[1]
    picks: list[tuple[float, float, int | None]] = [(float(x), float(y), None) for x, y in clicks]
    if d > 2:
        d2 = ((clicks[:, None, :] - np.asarray(points_2d)[None, :, :]) ** 2).sum(axis=2)
        rows = np.asarray(sample_idx)[d2.argmin(axis=1)]
        picks = [(x, y, int(r)) for (x, y, _), r in zip(picks, rows, strict=True)]
    return picked_centers(picks, X)
