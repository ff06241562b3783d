"""Every page's heavy run goes through the server's gate (issue 13).

Over the per-run cap (lowered here so that small data counts as heavy) each page shows
the estimate and "Run it"; after the click the run waits in line while another
session holds the slot, with its place shown, and Cancel takes it out of the line
before anything is computed. When the slot frees, the run works and its result is
shown; later reruns show the cached result without a click or a slot.
"""

from __future__ import annotations

import threading
import time

import pytest
import streamlit as st
from sklearn.datasets import make_blobs

from dashboard import budget
from dashboard import streamlit_glue as glue
from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

SESSION = "apptest-session"
# Page, widget-key stem, label of its run, and how the page shows a finished run.
PAGES = {
    "app_pages/choose_k.py": ("choose_k", "the sweep of K", "plotly_chart"),
    "app_pages/compare.py": ("compare", "the comparison", "plotly_chart"),
    "app_pages/clusters.py": ("clusters", "the fit", "plotly_chart"),
    "app_pages/export.py": ("export", "the fit", "download_button"),
    "app_pages/animate.py": ("animate", "the run", "component_instance"),
    "app_pages/alternatives.py": ("alternatives", "the nine methods", "plotly_chart"),
}


@pytest.fixture
def heavy(monkeypatch):
    """A cap of 10 units (every run is heavy), fresh caches, a known session id, a spy."""
    monkeypatch.setattr(budget, "AUTO_RUN_MAX_UNITS", 10)
    monkeypatch.setattr(glue, "_session_id", lambda: SESSION)
    st.cache_data.clear()
    st.cache_resource.clear()  # also a fresh gate
    shown: list[int] = []
    sentence = budget.waiting_sentence

    def spy(label: str, position: int, slots: int) -> str:
        shown.append(position)
        return sentence(label, position, slots)

    monkeypatch.setattr(budget, "waiting_sentence", spy)
    yield shown
    st.cache_resource.clear()


def _dataset(seed: int) -> Dataset:
    X, y = make_blobs(n_samples=240, centers=3, n_features=2, random_state=seed)
    return Dataset(name="small blobs", X=X, feature_names=["x", "y"], true_labels=y)


def _fill_gate() -> tuple[budget.HeavyRunGate, list[budget.Ticket]]:
    gate = glue.heavy_gate()
    return gate, [gate.enqueue(f"other-{i}", "someone's run", 60.0) for i in range(gate.slots)]


def _when_waiting(gate: budget.HeavyRunGate, then) -> threading.Thread:
    """A thread that, once this session's run waits in line, calls ``then()``."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not gate.snapshot()[1]:
            time.sleep(0.05)
        time.sleep(0.6)  # at least one more turn of the waiting loop
        then()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _free_when_waiting(
    gate: budget.HeavyRunGate, others: list[budget.Ticket]
) -> tuple[threading.Thread, list[tuple[list[str], list[str]]]]:
    """Once this session waits in line, note the gate's state and free the other slots."""
    seen: list[tuple[list[str], list[str]]] = []

    def free() -> None:
        seen.append(gate.snapshot())
        for t in others:
            gate.release(t)

    return _when_waiting(gate, free), seen


def _run_button(at, key: str):
    return at.button(key=f"_heavy_go_{key}")


def _shows_result(at, kind: str) -> bool:
    return bool(at.get(kind))


@pytest.mark.parametrize("page", list(PAGES))
def test_heavy_run_shows_the_click_gate_then_queues_and_cancel_leaves_the_line(heavy, page):
    key, label, result = PAGES[page]
    at = open_page(page, session={"dataset": _dataset(1)}, timeout=60)
    assert not at.exception, at.exception
    assert any("would take" in i.value for i in at.info)  # the estimate, no work yet
    assert not _shows_result(at, result)

    gate, others = _fill_gate()
    # What Cancel's on_click does, once the run waits behind the other session's.
    watcher = _when_waiting(gate, lambda: gate.cancel_session(SESSION))
    _run_button(at, key).click().run()
    watcher.join(5)
    assert not at.exception, at.exception
    assert heavy and heavy[0] == 1  # "next in line" was shown while it waited
    assert not _shows_result(at, result)  # cancelled before anything was computed
    assert any("was cancelled" in i.value for i in at.info)  # and "Run it" offered again
    assert _run_button(at, key) is not None
    running, waiting = gate.snapshot()
    assert running == ["someone's run"] * gate.slots and waiting == []
    for t in others:
        gate.release(t)


@pytest.mark.parametrize("page", list(PAGES))
def test_heavy_run_works_when_the_slot_frees_and_is_then_shown_from_the_cache(heavy, page):
    key, label, result = PAGES[page]
    at = open_page(page, session={"dataset": _dataset(2)}, timeout=60)
    gate, others = _fill_gate()
    watcher, seen = _free_when_waiting(gate, others)
    _run_button(at, key).click().run()
    watcher.join(5)
    assert not at.exception, at.exception
    assert seen and seen[0][1] and seen[0][1][0].startswith(label)  # it waited in line
    assert heavy and heavy[0] == 1
    assert _shows_result(at, result)
    assert gate.snapshot() == ([], [])  # the slot is free again
    n_waits = len(heavy)
    at.run()  # a rerun: the cached result, no click and no slot
    assert not at.exception, at.exception
    assert _shows_result(at, result)
    assert not any("would take" in i.value for i in at.info)
    assert len(heavy) == n_waits


def test_beyond_k_means_own_button_counts_as_the_click_but_still_takes_a_slot(heavy):
    X, y = make_blobs(n_samples=6000, centers=3, n_features=2, random_state=3)
    ds = Dataset(name="6k blobs", X=X, feature_names=["x", "y"], true_labels=y)
    at = open_page("app_pages/alternatives.py", session={"dataset": ds}, timeout=120)
    own = [b for b in at.button if b.label == "Run the nine methods"]
    assert own and not at.get("plotly_chart")
    gate, others = _fill_gate()
    watcher, seen = _free_when_waiting(gate, others)
    own[0].click().run()
    watcher.join(5)
    assert not at.exception, at.exception
    assert seen and seen[0][1] == ["the nine methods"]  # queued without a second click
    assert at.get("plotly_chart")
    assert not any("would take" in i.value for i in at.info)


def test_a_large_fit_on_the_data_page_waits_in_the_same_line(heavy, monkeypatch, tmp_path):
    monkeypatch.setenv("KMEANS_EXPLORER_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(budget, "HEAVY_SECONDS", 0.0)  # every large fit takes a slot
    at = open_page("app_pages/data.py", timeout=60)
    at.radio(key="large_kind").set_value("Generated out of core").run()
    at.number_input(key="large_rows").set_value(5_000)
    gate, others = _fill_gate()
    watcher = _when_waiting(gate, lambda: gate.cancel_session(SESSION))
    next(b for b in at.button if b.label == "Fit on Dask").click().run()
    watcher.join(5)
    assert not at.exception, at.exception
    assert heavy and heavy[0] == 1  # it waited behind the other visitor's run
    assert "large_fit" not in at.session_state  # cancelled: nothing fitted
    assert any("was cancelled" in i.value for i in at.info)
    for t in others:
        gate.release(t)
