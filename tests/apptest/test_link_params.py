"""glue.drop_crashing_link_params: infinite K or seed in the address, on any run."""

from __future__ import annotations

import pytest

from dashboard import run_settings as rs
from tests.apptest.app_runner import open_page


@pytest.mark.parametrize("key", [rs.K_KEY, rs.SEED_KEY])
def test_an_infinite_value_on_a_later_run_keeps_the_sidebar_value(key):
    # The widget is bound to the address by then: Streamlit refuses to delete the
    # parameter, and the widget keeps its value from the session.
    at = open_page("app_pages/home.py", query={rs.K_KEY: "5", rs.SEED_KEY: "7"})
    at.query_params[key] = "inf"
    at.run()
    assert not at.exception, at.exception
    assert int(at.session_state[key]) == (5 if key == rs.K_KEY else 7)


@pytest.mark.parametrize("values", [["inf", "5"], ["1e999"], ["-Infinity", "x"]])
def test_an_infinite_value_on_the_first_run_gives_the_default(values):
    at = open_page("app_pages/home.py", query={rs.SEED_KEY: values})
    assert not at.exception, at.exception
    assert int(at.session_state[rs.SEED_KEY]) == rs.DEFAULT_SEED
    assert rs.SEED_KEY not in at.query_params  # and the address no longer has it
