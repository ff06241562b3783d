"""Work budgets and the server-wide gate for heavy runs (plain Python, no Streamlit).

Two parts:

* **Estimates.** A K-Means run costs about ``points × features × K`` multiply-adds per
  Lloyd iteration and per restart. :func:`work_units` counts ``points × features × K ×
  restarts`` (the quantity the per-run cap is stated in) and :func:`estimate_seconds`
  turns it into seconds with :data:`SECONDS_PER_UNIT_ITERATION`, a calibration measured
  on this project's 2-core server (see the README, "Serving many visitors").
* **The gate.** :class:`HeavyRunGate` lets at most :data:`HEAVY_SLOTS` heavy runs work at
  once on the whole server and at most one per session; the rest wait in a FIFO queue
  and can read their position. A run checks :meth:`Ticket.check` between iterations or
  chunks (progress callbacks are the natural place): it raises :class:`RunCancelled`
  once the run was cancelled or its session has gone, so the slot is freed at the next
  check instead of when the computation ends.

Anything that starts by itself -- from a link or on page load -- must stay under
:data:`AUTO_RUN_MAX_UNITS`; heavier work waits for an explicit click.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

# Calibration (bench, 2026-11-29, this 2-core server with load average 16-18 from other
# jobs): kmeans_core fits with max_iter=20, tol=0 took 1.5-4.7 ns per point·feature·center
# ·iteration (200k×10 K=50: 3.8 ns, 1M×10 K=50: 2.6 ns, 50k×50 K=20: 1.5 ns, 100k×10
# K=8: 4.7 ns). 3 ns is the middle of that range: estimates err on the long side when
# the machine is idle and are about right when it is busy.
SECONDS_PER_UNIT_ITERATION = 3e-9
# Lloyd iterations assumed per restart when the run has not happened yet. Well-separated
# data converges in 5-20; a max_iter below this is used as is.
TYPICAL_ITERATIONS = 30

# The per-run cap for anything that starts without a click (a shared link, a page load):
# points × features × K × restarts. 50 million is e.g. 100,000 × 10 × K = 10 × 5
# restarts, about 4.5 s by the calibration above. Above it the page shows the estimate
# and waits for "Run anyway".
AUTO_RUN_MAX_UNITS = 50_000_000
# Runs estimated above this many seconds go through the server-wide gate; lighter ones
# (the default datasets, the teaching sizes) never queue.
HEAVY_SECONDS = 1.0
# Concurrent heavy runs on the whole server: half the cores, at least one, so that light
# page loads of other visitors keep a core.
HEAVY_SLOTS = max(1, (os.cpu_count() or 2) // 2)
# Concurrent light runs (under the cap) on the whole server, in a first-come queue of
# their own: one per core. Twenty visitors' runs at once otherwise all share one
# Python lock in small slices and all finish last (20 Choose K sweeps at once: every one
# after 11-13 s); taking turns, the first finish in a fraction of a second.
LIGHT_SLOTS = max(1, os.cpu_count() or 1)


def work_units(n_points: int, n_features: int, k: int | Sequence[int], restarts: int = 1) -> int:
    """``points × features × K × restarts``: the size the per-run cap is stated in.

    Parameters
    ----------
    n_points, n_features : int
    k : int or sequence of int
        One K, or every K of a sweep (their costs add up).
    restarts : int
        ``n_init``.

    Returns
    -------
    int
    """
    ks = [k] if isinstance(k, int) else list(k)
    return int(n_points) * int(n_features) * sum(int(x) for x in ks) * max(int(restarts), 1)


def estimate_seconds(units: int, max_iter: int = TYPICAL_ITERATIONS) -> float:
    """Estimated wall time of ``units`` of work, for ``min(max_iter, TYPICAL_ITERATIONS)``.

    Parameters
    ----------
    units : int
        From :func:`work_units`.
    max_iter : int
        The run's iteration limit.

    Returns
    -------
    float
        Seconds on this server (see :data:`SECONDS_PER_UNIT_ITERATION`).
    """
    iterations = max(1, min(int(max_iter), TYPICAL_ITERATIONS))
    return units * iterations * SECONDS_PER_UNIT_ITERATION


def needs_click(units: int) -> bool:
    """True if work of this size must wait for an explicit click (over the per-run cap)."""
    return units > AUTO_RUN_MAX_UNITS


def is_heavy(seconds: float) -> bool:
    """True if a run estimated at ``seconds`` must take a slot of the server-wide gate."""
    return seconds > HEAVY_SECONDS


def describe_seconds(seconds: float) -> str:
    """A rounded, human duration: "under a second", "about 12 s", "about 3 min"."""
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"about {math.ceil(seconds)} s"
    return f"about {math.ceil(seconds / 60)} min"


def timing_run_seconds(budget_s: float, n_methods: int) -> float:
    """Upper estimate of one Speed page measurement, in seconds.

    Each method spends up to ``budget_s`` at the chosen size and about as much again
    over the N sweep.

    Parameters
    ----------
    budget_s : float
        The page's time budget per method.
    n_methods : int

    Returns
    -------
    float
    """
    return 2.0 * budget_s * n_methods


def cap_sentence() -> str:
    """The per-run cap as sentences the UI and the README can print."""
    runs = "heavy run works" if HEAVY_SLOTS == 1 else "heavy runs work"
    return (
        f"Runs up to {AUTO_RUN_MAX_UNITS:,} points × features × K × restarts start by "
        "themselves; larger ones show their estimated time and wait for a click. At most "
        f"{HEAVY_SLOTS} {runs} at a time on this server (one per visitor); the others "
        "wait in line."
    )


def waiting_sentence(label: str, position: int, slots: int) -> str:
    """What a run waiting at the gate shows: its place in line and why it waits.

    Parameters
    ----------
    label : str
        What the run is ("the sweep of K = 1–10").
    position : int
        1 for the next in line.
    slots : int
        Heavy runs allowed at once on the server.

    Returns
    -------
    str
    """
    ahead = "is next in line" if position == 1 else f"is number {position} in line"
    runs = "heavy run" if slots == 1 else "heavy runs"
    return (
        f"Waiting for a free slot: {label} {ahead} (at most {slots} {runs} at once on this "
        "server). Cancel leaves the line."
    )


# --------------------------------------------------------------------------- the gate


class RunCancelled(Exception):
    """A heavy run was cancelled, or its session went away, before it finished."""


class SessionBusy(Exception):
    """The session already has a heavy run waiting or working."""


@dataclass(eq=False)
class Ticket:
    """One heavy run's place at the gate: waiting, running, or finished.

    Attributes
    ----------
    session_id : str
    label : str
        What the run is, for the queue ("Choose K sweep").
    estimate_s : float
    """

    session_id: str
    label: str
    estimate_s: float
    number: int
    _gate: HeavyRunGate = field(repr=False)
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)
    state: str = "waiting"  # waiting -> running -> done (or cancelled)

    @property
    def cancelled(self) -> bool:
        """True once :meth:`HeavyRunGate.cancel` was called or the session went away."""
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise :class:`RunCancelled` if the run should stop; call between iterations/chunks.

        Raises
        ------
        RunCancelled
        """
        if not self._cancelled.is_set() and not self._gate.session_alive(self.session_id):
            self._gate.cancel(self)
            raise RunCancelled(f"{self.label} stopped: session closed")
        if self._cancelled.is_set():
            raise RunCancelled(f"{self.label} was cancelled")

    def position(self) -> int:
        """0 while running (or finished), else 1 for the next in line, 2 behind it, ..."""
        return self._gate.position(self)


class HeavyRunGate:
    """At most ``slots`` heavy runs at once on the server and one per session; a FIFO queue.

    Parameters
    ----------
    slots : int
        Heavy runs allowed to work at the same time.
    session_alive : callable, optional
        ``session_alive(session_id) -> bool``; a run whose session is gone is cancelled
        at its next :meth:`Ticket.check` and dropped from the queue. Default: always alive.

    Notes
    -----
    Thread-safe: every method may be called from any thread (Streamlit runs each
    session's script in its own thread).
    """

    def __init__(
        self, slots: int = HEAVY_SLOTS, session_alive: Callable[[str], bool] | None = None
    ):
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self._alive = session_alive
        self._cond = threading.Condition()
        self._queue: list[Ticket] = []
        self._running: list[Ticket] = []
        self._numbers = itertools.count(1)

    # ---- queries

    def session_alive(self, session_id: str) -> bool:
        """Whether ``session_id`` is still connected (always True without a checker)."""
        return True if self._alive is None else bool(self._alive(session_id))

    def position(self, ticket: Ticket) -> int:
        """0 if ``ticket`` is not waiting, else its 1-based place in the queue."""
        with self._cond:
            return self._queue.index(ticket) + 1 if ticket in self._queue else 0

    def snapshot(self) -> tuple[list[str], list[str]]:
        """Labels of (running, waiting) runs, oldest first, for status displays and tests."""
        with self._cond:
            return [t.label for t in self._running], [t.label for t in self._queue]

    # ---- changes

    def enqueue(self, session_id: str, label: str, estimate_s: float) -> Ticket:
        """Join the queue (admitted at once when a slot is free).

        Raises
        ------
        SessionBusy
            If the session already holds a ticket that is not cancelled.
        """
        with self._cond:
            mine = [t for t in self._running + self._queue if t.session_id == session_id]
            if any(not t.cancelled for t in mine):
                raise SessionBusy(f"a heavy run ({mine[0].label}) is already under way")
            ticket = Ticket(session_id, label, float(estimate_s), next(self._numbers), self)
            self._queue.append(ticket)
            self._admit()
            return ticket

    def wait(
        self,
        ticket: Ticket,
        on_wait: Callable[[int], None] | None = None,
        poll_s: float = 0.5,
    ) -> None:
        """Block until ``ticket`` may run.

        Parameters
        ----------
        ticket : Ticket
        on_wait : callable, optional
            ``on_wait(position)`` on entry and every ``poll_s`` while queued, outside
            the lock (a UI updates the shown position; an exception it raises leaves the
            queue).
        poll_s : float

        Raises
        ------
        RunCancelled
            If the ticket was cancelled (or its session went away) while waiting.
        """
        while True:
            with self._cond:
                self._drop_gone()
                if ticket.state == "running":
                    return
                if ticket.cancelled or ticket not in self._queue:
                    self._remove(ticket)
                    raise RunCancelled(f"{ticket.label} was cancelled while waiting")
                position = self._queue.index(ticket) + 1
            if on_wait is not None:
                try:
                    on_wait(position)
                except BaseException:
                    self.release(ticket)
                    raise
            with self._cond:
                if ticket.state == "waiting" and not ticket.cancelled:
                    self._cond.wait(timeout=poll_s)

    def cancel(self, ticket: Ticket) -> None:
        """Ask ``ticket`` to stop.

        A waiting ticket leaves the queue; a running one stops at its next
        :meth:`Ticket.check` (its slot is freed by :meth:`release`).
        """
        with self._cond:
            ticket._cancelled.set()
            if ticket in self._queue:
                self._remove(ticket)
            self._cond.notify_all()

    def cancel_session(self, session_id: str) -> int:
        """Cancel every run of ``session_id`` (e.g. when it ends); returns how many."""
        with self._cond:
            mine = [t for t in self._running + self._queue if t.session_id == session_id]
        for t in mine:
            self.cancel(t)
        return len(mine)

    def release(self, ticket: Ticket) -> None:
        """Free ``ticket``'s slot or queue place (idempotent); the next in line is admitted."""
        with self._cond:
            self._remove(ticket)

    @contextmanager
    def run(
        self,
        session_id: str,
        label: str,
        estimate_s: float,
        on_wait: Callable[[int], None] | None = None,
        poll_s: float = 0.5,
    ) -> Iterator[Ticket]:
        """Enqueue, wait for a slot, yield the running ticket, and always release it."""
        ticket = self.enqueue(session_id, label, estimate_s)
        try:
            self.wait(ticket, on_wait=on_wait, poll_s=poll_s)
            yield ticket
        finally:
            self.release(ticket)

    # ---- internals (the lock is held)

    def _remove(self, ticket: Ticket) -> None:
        if ticket in self._queue:
            self._queue.remove(ticket)
        if ticket in self._running:
            self._running.remove(ticket)
        if ticket.state != "done":
            ticket.state = "done"
        self._admit()
        self._cond.notify_all()

    def _drop_gone(self) -> None:
        # A queued run of a session that went away is dropped without waiting for it.
        gone = [t for t in self._queue if not self.session_alive(t.session_id)]
        for t in gone:
            t._cancelled.set()
            self._queue.remove(t)
            t.state = "done"
        self._admit(changed=bool(gone))

    def _admit(self, changed: bool = True) -> None:
        busy = {t.session_id for t in self._running}
        for t in list(self._queue):
            if len(self._running) >= self.slots:
                break
            if t.cancelled:
                self._queue.remove(t)
                t.state = "done"
                changed = True
            elif t.session_id not in busy:  # one working run per session
                self._queue.remove(t)
                self._running.append(t)
                t.state = "running"
                busy.add(t.session_id)
                changed = True
        # Wake the waiters only when the line moved: every waiter checks the line on
        # waking, so waking them for nothing had many waiters wake each other in a loop.
        if changed:
            self._cond.notify_all()
