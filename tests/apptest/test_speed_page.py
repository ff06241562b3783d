"""AppTest of the Speed page: loads clean, "Run timing" shows the charts, N changes the result."""

from __future__ import annotations

import json

import pytest

from tests.apptest.app_runner import open_page

PAGE = "app_pages/speed.py"


@pytest.fixture
def at():
    return open_page(PAGE)


SECTION_TITLES = ("Lloyd, Elkan", "Time per iteration against N")


def all_specs(app):
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


def specs(app):
    """The bars and the scaling chart (not the Pruning and Scale-out sections' figures)."""
    return [
        s
        for s in all_specs(app)
        if not s["layout"].get("title", {}).get("text", "").startswith(SECTION_TITLES)
    ]


def test_default_load_raises_nothing_and_waits_for_the_button(at):
    assert not at.exception
    assert at.title[0].value.startswith("Speed")
    assert any("Press **Run timing**" in i.value for i in at.info)
    assert not at.get("plotly_chart")  # nothing is timed on load
    assert any("Press **Run scale-out**" in i.value for i in at.info)
    # The identity is explained with LaTeX beside the chart.
    assert any("2\\,x\\cdot c" in latex.value for latex in at.latex)
    assert any("19.5 MB" in c.value for c in at.caption)  # broadcast memory at the defaults


def test_run_timing_shows_charts_and_n_changes_the_result(at):
    at.select_slider(key="speed_n").set_value(1_000).run()
    at.button(key="speed_run").click().run()
    assert not at.exception
    figs = specs(at)
    assert len(figs) == 2
    bar, scaling = figs
    assert "N = 1,000, d = 8, K = 8" in bar["layout"]["title"]["text"]
    assert bar["layout"]["yaxis"]["type"] == "log"
    assert scaling["layout"]["xaxis"]["type"] == "log"
    assert max(scaling["data"][0]["x"]) == 1000
    assert any("Same labels as the GEMM tier" in s.value for s in at.success)

    # A new N needs a new run: the old result is not shown for different settings.
    at.select_slider(key="speed_n").set_value(2_000).run()
    assert not at.get("plotly_chart")
    at.button(key="speed_run").click().run()
    assert not at.exception
    bar2, scaling2 = specs(at)
    assert "N = 2,000" in bar2["layout"]["title"]["text"]
    assert max(scaling2["data"][0]["x"]) == 2000

    # Going back to N = 1,000 shows the cached result without pressing the button.
    at.select_slider(key="speed_n").set_value(1_000).run()
    assert "N = 1,000" in specs(at)[0]["layout"]["title"]["text"]
    # Its figures were built once, when it was first shown, and are reused.
    kept = dict(at.session_state["_speed_figures"])
    at.number_input(key="speed_k").set_value(9).run()
    at.number_input(key="speed_k").set_value(8).run()
    assert "N = 1,000" in specs(at)[0]["layout"]["title"]["text"]
    assert all(at.session_state["_speed_figures"][r][1] is figs[1] for r, figs in kept.items())


def test_broadcast_refusal_is_announced_before_running(at):
    at.number_input(key="speed_d").set_value(100).run()
    at.number_input(key="speed_k").set_value(64).run()
    assert not at.exception
    # 2 * 20,000 * 64 * 100 * 8 bytes = 1.91 GB > 512 MB
    assert any("1.91 GB" in w.value and "refused" in w.value for w in at.warning)


def test_slow_tier_skipped_and_broadcast_refused(at):
    # N = 20k, d = 32, K = 64: 41M loop steps per iteration (seconds, above a 0.5 s budget),
    # and 2 * 20,000 * 64 * 32 * 8 bytes = 625 MB of broadcasting temporaries (> 512 MB).
    at.number_input(key="speed_d").set_value(32).run()
    at.number_input(key="speed_k").set_value(64).run()
    at.slider(key="speed_budget").set_value(0.5).run()
    at.button(key="speed_run").click().run()
    assert not at.exception
    bar = specs(at)[0]
    assert [t["name"] for t in bar["data"]] == ["measured", "estimated (not run)"]
    assert any("Python loops: skipped: estimated" in i.value for i in at.info)
    assert any("NumPy broadcasting: refused: needs 625 MB" in w.value for w in at.warning)
    assert any("refused" in a["text"] for a in bar["layout"]["annotations"])


def test_current_dataset_mode_times_the_dataset(at):
    at.segmented_control(key="speed_source").set_value("Current dataset").run()
    assert not at.exception
    assert any("500 rows × 2 features" in m.value for m in at.markdown)
    at.button(key="speed_run").click().run()
    assert not at.exception
    bar, scaling = specs(at)
    # The default dataset: 500 rows, 2 features.
    assert "N = 500, d = 2, K = 8" in bar["layout"]["title"]["text"]
    assert max(scaling["data"][0]["x"]) == 500


def test_one_thread_option_is_a_separate_cached_result(at):
    at.select_slider(key="speed_n").set_value(1_000).run()
    at.button(key="speed_run").click().run()
    assert len(specs(at)) == 2
    assert any("one thread per library" in c.value for c in at.caption)  # the default
    # A different threading setting is a different measurement: it needs its own run.
    at.checkbox(key="speed_one_thread").uncheck().run()
    assert not at.get("plotly_chart")
    at.button(key="speed_run").click().run()
    assert not at.exception
    assert len(specs(at)) == 2
    assert not any("one thread per library" in c.value for c in at.caption)


def test_run_timing_shows_the_pruning_section(at):
    at.select_slider(key="speed_n").set_value(1_000).run()
    at.button(key="speed_run").click().run()
    assert not at.exception
    pruning = [s for s in all_specs(at) if s["layout"]["title"]["text"].startswith("Lloyd, Elkan")]
    assert len(pruning) == 1
    names = {t["name"] for t in pruning[0]["data"]}
    assert names == {"Lloyd", "Elkan", "Hamerly", "Tree"}  # d = 8: the tree's limit
    assert "N = 1,000, d = 8, K = 8" in pruning[0]["layout"]["title"]["text"]
    text = " ".join(m.value for m in at.markdown)
    assert "labels are identical after every iteration" in text
    assert "d is large" in text


def test_scale_out_runs_behind_its_own_button(at, monkeypatch):
    from dashboard import speed_scaleout

    # Small sizes and no clusters: the AppTest checks the wiring, not Dask's speed.
    monkeypatch.setattr(speed_scaleout, "scaleout_sizes", lambda n_max: (1_000, 2_000))
    monkeypatch.setattr(speed_scaleout, "ENGINES", ("memory", "dask_threads", "cluster_1"))
    at.button(key="scaleout_run").click().run(timeout=120)
    assert not at.exception
    figs = [
        s for s in all_specs(at) if s["layout"]["title"]["text"].startswith("Time per iteration")
    ]
    assert len(figs) == 1
    names = [t["name"] for t in figs[0]["data"]]
    assert names == [
        "kmeans_core in memory",
        "kmeans_core on Dask (local threads)",
        "kmeans_core on a LocalCluster, 1 worker",
    ]
    assert figs[0]["data"][0]["x"] == [1_000, 2_000]
    assert not specs(at)  # the Run timing charts are not triggered by this button
    assert any("bench/dask_scale.py" in c.value for c in at.caption)
