"""AppTest: a large source as the active dataset on every page (Data, Choose K, Compare,
Export; the in-memory pages offer a sample)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import large_data, large_pages
from tests.apptest.app_runner import open_page


@pytest.fixture
def data_root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(large_data.DATA_DIR_ENV, str(tmp_path))
    return tmp_path.resolve()


@pytest.fixture
def large() -> large_pages.ActiveLarge:
    """6,000 generated rows (3 blobs) in 3 chunks."""
    source = large_data.generated_source(6_000, 2, 3, seed=0)
    source = large_data.LargeSource(source.name, source.X.rechunk((2_000, 2)), source.feature_names)
    return large_pages.activate(source)


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_opening_keeps_the_dataset_until_the_user_chooses_it(data_root):
    at = open_page("app_pages/data.py")
    before = at.session_state["dataset"].key
    at.radio(key="large_kind").set_value("Generated out of core").run()
    at.number_input(key="large_rows").set_value(20_000)
    _button(at, "Open").click().run()
    _no_exception(at)
    assert "large_active" not in at.session_state
    assert at.session_state["dataset"].key == before
    assert any("20,000 rows · 2 columns · 1 chunk · lazy" in c.value for c in at.caption)
    _button(at, "Use it as the active dataset").click().run()
    _no_exception(at)
    assert at.session_state["large_active"].n_rows == 20_000
    assert at.session_state["dataset"].key == before  # kept beside it
    assert any("lazy" in c.value for c in at.sidebar.caption)
    assert any("active dataset" in s.value for s in at.success)
    at.toggle(key="large_dens").set_value(True).run()
    _no_exception(at)
    assert any("Density image of all 20,000 rows" in c.value for c in at.caption)
    _button(at, "Back to the in-memory dataset").click().run()
    assert "large_active" not in at.session_state


def test_a_bad_pattern_is_refused_and_the_dataset_kept(data_root):
    at = open_page("app_pages/data.py")
    before = at.session_state["dataset"].key
    at.text_input(key="large_pattern").set_value("nothing-*.parquet")
    _button(at, "Open").click().run()
    _no_exception(at)
    assert any("No file matches" in e.value and "still in use" in e.value for e in at.error)
    assert at.session_state["dataset"].key == before
    assert "large_opened" not in at.session_state and "large_active" not in at.session_state


def test_choose_k_runs_on_a_stated_sample(data_root, large):
    session = {
        "large_active": large,
        "choose_k_large_sample": 5_000,
        "choose_k_trust": False,
        "choose_k_range": (1, 5),
    }
    at = open_page("app_pages/choose_k.py", session=session)
    _no_exception(at)
    assert any(
        "The sweep runs on 5,000 of 6,000 rows (a uniform random sample)" in i.value
        for i in at.info
    )
    assert [m.label for m in at.metric][0] == "Recommended K"
    assert at.metric[0].value == "3"


def test_compare_runs_on_a_click_with_the_sample_stated(data_root, large):
    at = open_page("app_pages/compare.py", session={"large_active": large, "k": 3})
    _no_exception(at)
    assert any("scikit-learn fits on all 6,000 rows" in i.value for i in at.info)
    at.select_slider(key="compare_large_sample").set_value(5_000).run()
    assert any("on 5,000 of 6,000 rows" in i.value for i in at.info)
    _button(at, "Run the comparison").click().run()
    _no_exception(at)
    table = at.dataframe[0].value
    assert list(table["library"]) == ["kmeans_core on Dask", "scikit-learn KMeans"]
    assert float(at.metric[0].value) > 0.9  # the same clusters, up to a few border rows
    assert any("on 5,000 of 6,000 rows" in c.value for c in at.caption)


def test_export_fits_and_writes_next_to_the_data(data_root, large):
    at = open_page("app_pages/export.py", session={"large_active": large, "k": 3})
    _no_exception(at)
    assert not at.metric  # nothing fitted before the click
    _button(at, "Fit K = 3 on Dask").click().run()
    _no_exception(at)
    assert [m.value for m in at.metric][:1] == ["6,000"]
    assert any("the fit used every row" in c.value for c in at.caption)
    _button(at, "Write labels, centers and settings").click().run()
    _no_exception(at)
    written = sorted(p.name for p in data_root.iterdir())
    stem = "generated_6_000_x_2_3_blobs_kmeans"
    assert written == [f"{stem}_centers.csv", f"{stem}_labels.parquet", f"{stem}_settings.json"]
    assert any(str(data_root / f"{stem}_labels.parquet") in c.value for c in at.code)


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("app_pages/animate.py", "Animate"),
        ("app_pages/clusters.py", "Clusters"),
        ("app_pages/alternatives.py", "Beyond K-Means"),
    ],
)
def test_in_memory_pages_offer_a_sample(data_root, large, page, title):
    at = open_page(page, session={"large_active": large})
    _no_exception(at)
    assert any(f"{title} works on an in-memory dataset" in i.value for i in at.info)
    _button(at, "Take a sample of 6,000 rows into memory").click().run()
    _no_exception(at)
    assert "large_active" not in at.session_state
    ds = at.session_state["dataset"]
    assert ds.n_samples == 6_000 and ds.name.startswith("Sample of all 6,000 rows")
    assert not any("works on an in-memory dataset" in i.value for i in at.info)


def test_home_and_sidebar_state_the_large_source(data_root, large):
    at = open_page("app_pages/home.py", session={"large_active": large})
    _no_exception(at)
    said = "6,000 rows · 2 columns · 3 chunks · lazy: read with Dask, never loaded whole"
    assert any(said in i.value and "large source" in i.value for i in at.info)
    assert any(said in c.value for c in at.sidebar.caption)
    at.sidebar.button(key="_large_back_sidebar").click().run()
    _no_exception(at)
    assert "large_active" not in at.session_state
    assert any("Blobs (3 centers)" in i.value for i in at.info)


def test_a_removed_file_gives_a_message_not_a_traceback(data_root):
    (data_root / "pts.csv").write_text("a,b\n" + "\n".join(f"{i},{i % 7}" for i in range(300)))
    large = large_pages.activate(large_data.open_files("pts.csv"))
    (data_root / "pts.csv").unlink()
    at = open_page("app_pages/choose_k.py", session={"large_active": large})
    _no_exception(at)
    assert any("changed or removed since it was opened" in e.value for e in at.error)
    at = open_page("app_pages/clusters.py", session={"large_active": large})
    _button(at, "Take a sample of 300 rows into memory").click().run()
    _no_exception(at)
    assert any("changed or removed since it was opened" in e.value for e in at.error)
    assert at.session_state["large_active"] is large


def test_a_fit_on_the_data_page_is_shown_by_export(data_root):
    at = open_page("app_pages/data.py")
    at.radio(key="large_kind").set_value("Generated out of core").run()
    at.number_input(key="large_rows").set_value(5_000)
    _button(at, "Fit on Dask").click().run()
    _button(at, "Use it as the active dataset").click().run()
    _no_exception(at)
    at.switch_page("app_pages/export.py").run()
    _no_exception(at)
    assert [m.value for m in at.metric][:1] == ["5,000"]  # no second fit needed


def test_export_of_a_sample_in_memory_says_the_link_cannot_carry_it(data_root, large):
    ds = large_pages.sample_dataset(large, 1_000, seed=0)
    at = open_page("app_pages/export.py", session={"dataset": ds})
    _no_exception(at)
    assert any(
        "sample of a large source (Uniform random sample of 1,000 of 6,000 rows" in i.value
        for i in at.info
    )


def test_export_draws_the_density_of_every_row_with_the_centers(data_root):
    large = large_pages.activate(large_data.generated_source(3_000, 3, 3, seed=0))
    at = open_page("app_pages/export.py", session={"large_active": large, "k": 3})
    _button(at, "Fit K = 3 on Dask").click().run()
    at.radio(key="export_large_view").set_value("Density of every row").run()
    _no_exception(at)
    assert any("Density image of all 3,000 rows" in c.value and "centers" in c.value
               for c in at.caption)  # fmt: skip
    at.selectbox(key="export_large_density_y").set_value(2).run()
    _no_exception(at)
    chart = at.get("plotly_chart")[0].proto.spec
    assert '"heatmap"' in chart and '"x2"' in chart


def test_compare_runs_on_a_click_and_says_the_seconds_are_not_like_for_like(data_root, large):
    at = open_page("app_pages/compare.py", session={"large_active": large, "k": 3})
    _no_exception(at)
    assert not at.dataframe  # a fit of every row waits for the click
    _button(at, "Run the comparison").click().run()
    _no_exception(at)
    table = at.dataframe[0].value
    assert list(table["library"]) == ["kmeans_core on Dask", "scikit-learn KMeans"]
    assert list(table["rows fitted"])[0] == "all 6,000 rows"
    assert any("not like for like" in c.value for c in at.caption)
    assert any(m.label.startswith("Agreement") for m in at.metric)
