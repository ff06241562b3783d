"""AppTest of the glue's "Heavy runs" helpers: the click over the cap, the gate, Cancel."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard import budget


def _script(units: int, estimate_s: float) -> None:
    import streamlit as st

    from dashboard import streamlit_glue as glue

    if glue.confirm_heavy("the sweep", units, key="t"):
        with glue.heavy_run("the sweep", estimate_s, key="t") as check:
            check()
            st.session_state["ran"] = st.session_state.get("ran", 0) + 1
            # While the run works, the gate holds it.
            st.session_state["running"] = glue.heavy_gate().snapshot()[0]
    st.session_state["after"] = glue.heavy_gate().snapshot()


def _app(units: int, estimate_s: float) -> AppTest:
    return AppTest.from_function(_script, args=(units, estimate_s), default_timeout=30)


def test_small_run_starts_by_itself_and_never_queues():
    at = _app(1000, 0.01).run()
    assert not at.exception
    assert at.session_state["ran"] == 1
    assert at.session_state["running"] == []  # light: no slot taken
    assert not at.info


def test_over_the_cap_waits_for_a_click_and_states_the_estimate():
    units = budget.AUTO_RUN_MAX_UNITS * 4
    at = _app(units, budget.estimate_seconds(units)).run()
    assert not at.exception
    assert "ran" not in at.session_state
    text = at.info[0].value
    assert f"{units:,}" in text and "would take about" in text
    assert f"{budget.AUTO_RUN_MAX_UNITS:,}" in text  # the cap is stated
    at.button(key="_heavy_go_t").click().run()
    assert not at.exception
    assert at.session_state["ran"] == 1
    assert at.session_state["running"] == ["the sweep"]  # heavy: held a slot while running
    assert at.session_state["after"] == ([], [])  # and freed it
    at.run()  # a later rerun does not start it again without a click
    assert at.session_state["ran"] == 1


def _cancelling_script() -> None:
    import streamlit as st

    from dashboard import budget
    from dashboard import streamlit_glue as glue

    try:
        with glue.heavy_run("the sweep", 5.0, key="t") as check:
            check()
            # What the Cancel button does (its on_click), seen by the run's next check.
            glue._cancel_heavy("t")
            check()
            st.session_state["ran"] = True
    except budget.RunCancelled:
        st.session_state["cancelled"] = True
    st.session_state["after"] = glue.heavy_gate().snapshot()


def test_cancel_stops_the_run_at_its_next_check_and_frees_the_slot():
    at = AppTest.from_function(_cancelling_script, default_timeout=30).run()
    assert not at.exception
    assert at.session_state["cancelled"] and "ran" not in at.session_state
    assert at.session_state["after"] == ([], [])


def test_cancelled_run_asks_again_before_starting():
    at = _app(10, 5.0)
    at.session_state["_heavy_cancelled"] = {"t"}
    at.run()
    assert not at.exception
    assert "ran" not in at.session_state  # not restarted by the rerun Cancel caused
    assert "was cancelled" in at.info[0].value
    at.button(key="_heavy_go_t").click().run()
    assert at.session_state["ran"] == 1
    at.run()
    assert at.session_state["ran"] == 2  # small again: starts by itself once un-cancelled


# --------------------------------------------------------------------------- bounded_run


def _bounded_script(units: int, cancel_mid_run: bool) -> None:
    import streamlit as st

    from dashboard import streamlit_glue as glue

    def work(check):
        st.session_state["checks"] = st.session_state.get("checks", []) + [check is not None]
        if check is not None:
            check()
            if cancel_mid_run:
                glue._cancel_heavy("t")  # what the Cancel button's on_click does
            check()
        st.session_state["ran"] = st.session_state.get("ran", 0) + 1
        return "result"

    st.session_state["result"] = glue.bounded_run("the sweep", units, "t", work)
    st.session_state["after"] = glue.heavy_gate().snapshot()
    st.session_state["light_after"] = glue.light_gate().snapshot()


def test_bounded_run_under_the_cap_runs_at_once_without_a_check():
    at = AppTest.from_function(_bounded_script, args=(1000, False), default_timeout=30).run()
    assert not at.exception
    assert at.session_state["result"] == "result"
    # Light: the cache probe (which stopped at once), then the run without a check, in
    # a light slot that is free again afterwards; no click, no notice.
    assert at.session_state["checks"] == [True, False]
    assert not at.info
    assert at.session_state["light_after"] == ([], [])


def _light_turn_script() -> None:
    import numpy as np
    import streamlit as st

    from dashboard import streamlit_glue as glue

    X = np.random.default_rng(6).normal(size=(120, 2))
    args = ("light-turn-test", (1, 2, 3), 1, "k-means++", 0, X)

    def work(check):
        st.session_state["light_running"] = glue.light_gate().snapshot()[0]
        return glue.cached_sweep(*args, check)

    sweep = glue.bounded_run("the sweep", 1000, "t", work)
    st.session_state["swept"] = sweep.k_values.tolist()


def test_light_run_waits_its_turn_and_a_cached_one_needs_none():
    """Other visitors hold every light slot: the run waits, then runs once one is free."""
    import threading

    import streamlit as st

    from dashboard import streamlit_glue as glue

    st.cache_resource.clear()
    glue.cached_sweep.clear()
    gate = glue.light_gate()
    others = [gate.enqueue(f"other-{i}", "their run", 0.0) for i in range(budget.LIGHT_SLOTS)]
    freed = threading.Event()

    def free_later() -> None:
        freed.wait(0.5)
        for t in others:
            gate.release(t)

    threading.Thread(target=free_later, daemon=True).start()
    at = AppTest.from_function(_light_turn_script, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.session_state["swept"] == [1, 2, 3]
    # It ran in a slot of its own, after the others had left theirs.
    assert at.session_state["light_running"] == ["a page's run"]
    assert gate.snapshot() == ([], [])
    # Every slot taken again, for good: the same run is now cached and needs no turn.
    blockers = [gate.enqueue(f"other-{i}", "their run", 0.0) for i in range(budget.LIGHT_SLOTS)]
    at.run()
    assert not at.exception
    assert at.session_state["swept"] == [1, 2, 3]
    for t in blockers:
        gate.release(t)
    st.cache_resource.clear()


def test_bounded_run_over_the_cap_probes_then_waits_for_the_click():
    units = budget.AUTO_RUN_MAX_UNITS + 1
    at = AppTest.from_function(_bounded_script, args=(units, False), default_timeout=30).run()
    assert not at.exception
    assert at.session_state["result"] is None  # the page would stop here
    assert at.session_state["checks"] == [True]  # only the probe, which stopped at once
    assert "ran" not in at.session_state
    at.button(key="_heavy_go_t").click().run()
    assert at.session_state["result"] == "result"
    assert at.session_state["after"] == ([], [])


def test_cancel_mid_run_stops_it_and_offers_run_it_again():
    units = budget.AUTO_RUN_MAX_UNITS + 1
    at = AppTest.from_function(_bounded_script, args=(units, True), default_timeout=30).run()
    at.button(key="_heavy_go_t").click().run()
    assert not at.exception
    assert "ran" not in at.session_state  # stopped at the check after Cancel
    assert at.session_state["result"] is None
    assert any("was cancelled" in i.value for i in at.info)
    assert at.session_state["after"] == ([], [])  # the slot was freed


def _sweep_cache_script() -> None:
    import numpy as np
    import streamlit as st

    from dashboard import budget
    from dashboard import streamlit_glue as glue

    X = np.random.default_rng(5).normal(size=(200, 2))
    args = ("sweep-cache-test", (1, 2, 3, 4), 2, "k-means++", 0, X)
    glue.cached_sweep.clear()
    calls: list[int] = []

    def cancel_after_three() -> None:
        calls.append(1)
        if len(calls) > 3:
            raise budget.RunCancelled("cancelled")

    try:
        glue.cached_sweep(*args, cancel_after_three)
    except budget.RunCancelled:
        st.session_state["cancelled_after"] = len(calls)
    counted: list[int] = []
    sweep = glue.cached_sweep(*args, lambda: counted.append(1))
    st.session_state["second_run_checks"] = len(counted)  # > 0: it computed anew
    assert sweep.k_values.tolist() == [1, 2, 3, 4]
    try:
        glue.cached_sweep(*args, glue._not_computed)  # the probe: raises on a cache miss
        st.session_state["from_cache"] = True
    except glue._NotComputed:
        st.session_state["from_cache"] = False


def test_a_cancelled_sweep_is_not_cached():
    at = AppTest.from_function(_sweep_cache_script, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.session_state["cancelled_after"] == 4
    assert at.session_state["second_run_checks"] > 4  # the whole sweep ran the second time
    assert at.session_state["from_cache"]  # and then the probe found it without work


def test_a_run_of_a_closed_session_stops_quietly(monkeypatch):
    import streamlit as st

    from dashboard import streamlit_glue as glue

    units = budget.AUTO_RUN_MAX_UNITS + 1
    at = AppTest.from_function(_bounded_script, args=(units, False), default_timeout=30).run()
    st.cache_resource.clear()  # a fresh gate, built with the patched liveness check
    monkeypatch.setattr(glue, "_session_alive", lambda session_id: False)
    at.button(key="_heavy_go_t").click().run()
    assert not at.exception
    assert "ran" not in at.session_state  # stopped: session closed
    assert "_heavy_cancelled" not in at.session_state  # no notice for nobody
    st.cache_resource.clear()
