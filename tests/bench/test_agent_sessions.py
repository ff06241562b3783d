"""The load test's agent visitors: reading snapshots, and one real walk on a server."""

from __future__ import annotations

import argparse

import pytest

from bench import agent_sessions as agents
from bench import load_test

SNAPSHOT = {
    "session_id": "s_1",
    "tree": {
        "type": "root",
        "children": [
            {
                "type": "main",
                "children": [{"type": "exception", "props": {"message": "boom"}}],
            },
            {
                "type": "sidebar",
                "children": [
                    {"type": "number_input", "key": "seed", "value": 7},
                    {"type": "caption", "props": {"body": "1,234 rows · 2 features"}},
                ],
            },
        ],
    },
}


def test_snapshot_readers():
    assert agents.exceptions(SNAPSHOT) == ["boom"]
    assert agents.shows_own_state(SNAPSHOT, 7, 1234)
    assert not agents.shows_own_state(SNAPSHOT, 8, 1234)  # another session's seed
    assert not agents.shows_own_state(SNAPSHOT, 7, 1235)  # another session's data


def test_session_counts_are_bounded():
    def counts(sessions, n_agents):
        return load_test.session_counts(argparse.Namespace(sessions=sessions, agents=n_agents))

    assert counts(2, 18) == (2, 18)
    assert counts(0, 0) == (1, 0)  # at least one visitor
    assert counts(30, 30) == (30, load_test.MAX_SESSIONS - 30)


@pytest.fixture(scope="module")
def agent_server():
    proc, url = load_test.start_server(agents.SERVER_FLAGS)
    yield url
    load_test.stop_server(proc)


def test_one_agent_visitor_walks_the_app(agent_server):
    """Data from a link, then Animate, Choose K, Compare, Export: no error, its own state."""
    res = agents.walk(agent_server, seed=4321, n_samples=345, timeout_s=120, think_s=0)
    assert res.errors == [] and res.isolation == []
    assert list(res.times) == ["Data", *agents.WALK]
