"""Budgets and the heavy-run gate: estimates, the FIFO queue, cancellation, sessions that go away.

Thread tests synchronise on events and on the gate's own state (``snapshot``), never on
sleeps; every blocking call has a timeout so a bug fails the test instead of hanging it.
"""

from __future__ import annotations

import threading
import time

import pytest

from dashboard import budget
from dashboard.budget import HeavyRunGate, RunCancelled, SessionBusy

T = 10.0  # generous timeout for joins and waits; never reached when the gate is right


def _until(condition, timeout: float = T) -> None:
    """Spin (yielding) until ``condition()``; fail after ``timeout``."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.001)


# --------------------------------------------------------------------------- estimates


def test_work_units_multiplies_and_sums_a_sweep():
    assert budget.work_units(1000, 10, 5, restarts=3) == 150_000
    assert budget.work_units(100, 2, [1, 2, 3], restarts=10) == 100 * 2 * 6 * 10
    assert budget.work_units(100, 2, 4, restarts=0) == 800  # restarts < 1 counts as one


def test_estimate_uses_typical_iterations_unless_max_iter_is_smaller():
    u = 1_000_000
    full = budget.estimate_seconds(u)
    assert full == pytest.approx(u * budget.TYPICAL_ITERATIONS * budget.SECONDS_PER_UNIT_ITERATION)
    assert budget.estimate_seconds(u, max_iter=300) == full
    assert budget.estimate_seconds(u, max_iter=3) == pytest.approx(full / 10)


def test_the_issues_link_is_over_the_cap_and_the_defaults_are_not():
    # 1,000,000 × 10 points with K = 50 (the issue's share link) must wait for a click.
    assert budget.needs_click(budget.work_units(1_000_000, 10, 50, restarts=1))
    # Three blobs (1,500 × 2), K = 3, 10 restarts: starts by itself, never queues.
    small = budget.work_units(1500, 2, 3, restarts=10)
    assert not budget.needs_click(small)
    assert not budget.is_heavy(budget.estimate_seconds(small))
    # The Choose K sweep on 1M × 10 (K = 1..10, 3 restarts) is over the cap too.
    assert budget.needs_click(budget.work_units(1_000_000, 10, range(1, 11), restarts=3))


def test_cap_is_exactly_inclusive():
    assert not budget.needs_click(budget.AUTO_RUN_MAX_UNITS)
    assert budget.needs_click(budget.AUTO_RUN_MAX_UNITS + 1)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "under a second"), (1.0, "about 1 s"), (12.3, "about 13 s"), (200, "about 4 min")],
)
def test_describe_seconds(seconds, text):
    assert budget.describe_seconds(seconds) == text


def test_cap_sentence_states_the_numbers():
    s = budget.cap_sentence()
    assert f"{budget.AUTO_RUN_MAX_UNITS:,}" in s and str(budget.HEAVY_SLOTS) in s


# --------------------------------------------------------------------------- the gate, one thread


def test_free_slot_admits_at_once_and_release_frees_it():
    gate = HeavyRunGate(slots=1)
    t = gate.enqueue("a", "run a", 5.0)
    assert t.state == "running" and t.position() == 0
    gate.wait(t)  # returns at once
    gate.release(t)
    gate.release(t)  # idempotent
    assert gate.snapshot() == ([], [])


def test_queue_positions_are_fifo():
    gate = HeavyRunGate(slots=1)
    first = gate.enqueue("a", "a", 1)
    b, c, d = (gate.enqueue(s, s, 1) for s in "bcd")
    assert [b.position(), c.position(), d.position()] == [1, 2, 3]
    gate.release(first)
    assert b.state == "running" and [c.position(), d.position()] == [1, 2]
    gate.cancel(c)  # a waiting run that is cancelled leaves the queue
    assert d.position() == 1
    with pytest.raises(RunCancelled):
        gate.wait(c)


def test_one_run_per_session():
    gate = HeavyRunGate(slots=2)
    t = gate.enqueue("a", "sweep", 1)
    with pytest.raises(SessionBusy, match="sweep"):
        gate.enqueue("a", "compare", 1)
    # A cancelled run that has not reached its check yet still holds its slot: the
    # session's next run queues behind it rather than working alongside.
    gate.cancel(t)
    t2 = gate.enqueue("a", "compare", 1)
    assert t2.state == "waiting"
    other = gate.enqueue("b", "other", 1)
    assert other.state == "running"  # another session may use the free slot meanwhile
    gate.release(t)  # the old run reached its check and let go
    assert t2.state == "running"


def test_slots_bound_concurrency():
    gate = HeavyRunGate(slots=2)
    ts = [gate.enqueue(str(i), str(i), 1) for i in range(5)]
    assert [t.state for t in ts] == ["running"] * 2 + ["waiting"] * 3
    assert gate.snapshot() == (["0", "1"], ["2", "3", "4"])


def test_check_raises_after_cancel_and_when_the_session_is_gone():
    alive = {"a": True}
    gate = HeavyRunGate(slots=1, session_alive=lambda s: alive.get(s, False))
    t = gate.enqueue("a", "a", 1)
    t.check()  # fine while alive and not cancelled
    alive["a"] = False
    with pytest.raises(RunCancelled):
        t.check()
    assert t.cancelled
    gate.release(t)
    assert gate.snapshot() == ([], [])


def test_cancel_session_cancels_all_its_tickets():
    gate = HeavyRunGate(slots=1)
    gate.enqueue("x", "x", 1)
    a = gate.enqueue("a", "a", 1)
    assert gate.cancel_session("a") == 1 and a.cancelled
    assert gate.snapshot() == (["x"], [])


def test_bad_slots():
    with pytest.raises(ValueError):
        HeavyRunGate(slots=0)


# --------------------------------------------------------------------------- the gate, threads


def test_waiter_is_admitted_when_the_running_run_finishes():
    gate = HeavyRunGate(slots=1)
    holder = gate.enqueue("a", "a", 1)
    seen: list[int] = []
    queued = threading.Event()
    admitted = threading.Event()

    def visitor_b() -> None:
        def on_wait(pos: int) -> None:
            seen.append(pos)
            queued.set()

        with gate.run("b", "b", 1, on_wait=on_wait, poll_s=0.01):
            admitted.set()

    th = threading.Thread(target=visitor_b)
    th.start()
    assert queued.wait(T)
    assert not admitted.is_set()
    gate.release(holder)
    assert admitted.wait(T)
    th.join(T)
    assert seen and set(seen) == {1}
    assert gate.snapshot() == ([], [])


def test_many_threads_never_exceed_the_slots_and_all_finish():
    gate = HeavyRunGate(slots=2)
    lock = threading.Lock()
    active = [0]
    peak = [0]
    done = []

    def worker(i: int) -> None:
        with gate.run(f"s{i}", f"r{i}", 1, poll_s=0.01) as ticket:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            for _ in range(50):  # "iterations" with checks between them
                ticket.check()
            with lock:
                active[0] -= 1
                done.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(T)
    assert sorted(done) == list(range(12))
    assert 1 <= peak[0] <= 2
    assert gate.snapshot() == ([], [])


def test_waiters_do_not_wake_each_other_in_a_loop():
    """Eight runs wait behind one for a second: each looks at the line a few times.

    (Before a fix, every waiter's look woke all the others, who looked and woke it in
    turn: thousands of looks a second, which took the server's CPU from the runs.)
    """
    gate = HeavyRunGate(slots=1)
    holder = gate.enqueue("holder", "first", 1)
    looks = []
    lock = threading.Lock()

    def look(position: int) -> None:
        with lock:
            looks.append(position)

    def waiter(i: int) -> None:
        with gate.run(f"s{i}", f"r{i}", 1, on_wait=look, poll_s=0.2):
            pass

    threads = [threading.Thread(target=waiter, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    time.sleep(1.0)
    gate.release(holder)
    for th in threads:
        th.join(T)
    assert gate.snapshot() == ([], [])
    # About 1 s / 0.2 s looks each while the holder ran, and a few as the line moved.
    assert len(looks) < 8 * 20


def test_running_run_stops_at_its_next_check_when_its_session_goes():
    alive = {"gone": True, "next": True}
    gate = HeavyRunGate(slots=1, session_alive=lambda s: alive[s])
    started = threading.Event()
    may_continue = threading.Event()
    outcome: list[str] = []

    def long_run() -> None:
        try:
            with gate.run("gone", "long", 60) as ticket:
                started.set()
                for _ in range(10_000):
                    may_continue.wait(T)
                    ticket.check()
                outcome.append("finished")
        except RunCancelled:
            outcome.append("cancelled")

    th = threading.Thread(target=long_run)
    th.start()
    assert started.wait(T)
    nxt = gate.enqueue("next", "next", 1)
    assert nxt.state == "waiting"
    alive["gone"] = False  # the visitor closed the tab
    may_continue.set()
    th.join(T)
    assert outcome == ["cancelled"]
    assert nxt.state == "running"  # the slot went to the next in line


def test_queued_run_of_a_gone_session_is_dropped_without_blocking_others():
    alive = {"a": True, "b": True, "c": True}
    gate = HeavyRunGate(slots=1, session_alive=lambda s: alive[s])
    a = gate.enqueue("a", "a", 1)
    b = gate.enqueue("b", "b", 1)
    c = gate.enqueue("c", "c", 1)
    alive["b"] = False
    with pytest.raises(RunCancelled):
        gate.wait(b, poll_s=0.01)
    assert c.position() == 1
    gate.release(a)
    assert c.state == "running"


def test_cancel_from_another_thread_wakes_a_waiter():
    gate = HeavyRunGate(slots=1)
    gate.enqueue("a", "a", 1)
    queued = threading.Event()
    outcome: list[str] = []
    ticket_box: list[budget.Ticket] = []

    def waiter() -> None:
        t = gate.enqueue("b", "b", 1)
        ticket_box.append(t)
        try:
            gate.wait(t, on_wait=lambda pos: queued.set(), poll_s=5.0)
            outcome.append("ran")
        except RunCancelled:
            outcome.append("cancelled")

    th = threading.Thread(target=waiter)
    th.start()
    assert queued.wait(T)
    gate.cancel(ticket_box[0])  # the Cancel button; wakes the waiter before poll_s
    th.join(T)
    assert outcome == ["cancelled"]


def test_on_wait_exception_leaves_the_queue():
    # Streamlit interrupts a waiting script (a rerun, a closed tab) by raising from the
    # next UI call, which is on_wait here: the ticket must not stay queued.
    class Rerun(BaseException):
        pass

    gate = HeavyRunGate(slots=1)
    gate.enqueue("a", "a", 1)

    def boom(pos: int) -> None:
        raise Rerun

    with pytest.raises(Rerun), gate.run("b", "b", 1, on_wait=boom):
        pass
    assert gate.snapshot() == (["a"], [])


def test_fifo_order_under_threads():
    gate = HeavyRunGate(slots=1)
    holder = gate.enqueue("h", "h", 1)
    order: list[int] = []
    threads = []
    for i in range(5):
        th = threading.Thread(
            target=lambda i=i: _ordered_run(gate, i, order), name=f"w{i}", daemon=True
        )
        th.start()
        # The next thread starts only once this one is queued: queue order is i order.
        _until(lambda i=i: len(gate.snapshot()[1]) == i + 1)
        threads.append(th)
    gate.release(holder)
    for th in threads:
        th.join(T)
    assert order == [0, 1, 2, 3, 4]


def _ordered_run(gate: HeavyRunGate, i: int, order: list[int]) -> None:
    with gate.run(f"s{i}", str(i), 1, poll_s=0.01):
        order.append(i)


def test_waiting_sentence_states_the_place_in_line_and_the_slots():
    first = budget.waiting_sentence("the sweep of K = 1–10", 1, 1)
    assert "the sweep of K = 1–10 is next in line" in first
    assert "at most 1 heavy run at once" in first and "Cancel" in first
    third = budget.waiting_sentence("the fit", 3, 2)
    assert "the fit is number 3 in line" in third and "at most 2 heavy runs" in third


def test_check_says_whether_it_was_cancelled_or_its_session_closed():
    alive = {"a": True, "b": True}
    gate = budget.HeavyRunGate(slots=2, session_alive=lambda s: alive[s])
    a, b = gate.enqueue("a", "the fit", 1.0), gate.enqueue("b", "the sweep", 1.0)
    gate.cancel(a)
    with pytest.raises(budget.RunCancelled, match="the fit was cancelled"):
        a.check()
    alive["b"] = False
    with pytest.raises(budget.RunCancelled, match="the sweep stopped: session closed"):
        b.check()
