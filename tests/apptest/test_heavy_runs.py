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
