"""A large source for every page: summary, samples, density, Compare and Export."""

from __future__ import annotations

import json

import dask.array as da
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SkKMeans

from dashboard import large_data, large_pages
from dashboard.large_data import LargeDataError, LargeSource


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A data directory with a CSV of three blobs (one text column) split in 4 files."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 0.5, size=(1000, 2)) for c in (-5, 0, 5)])
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(city="x")
    for i in range(4):
        frame.iloc[i * 750 : (i + 1) * 750].to_csv(tmp_path / f"part-{i}.csv", index=False)
    monkeypatch.setenv(large_data.DATA_DIR_ENV, str(tmp_path))
    return tmp_path.resolve()


@pytest.fixture
def blobs() -> large_pages.ActiveLarge:
    """3,000 generated rows in 5 uneven chunks."""
    rng = np.random.RandomState(1)
    X = np.vstack([rng.normal(c, 0.5, size=(1000, 2)) for c in (-5, 0, 5)])
    source = LargeSource("blobs", da.from_array(X, chunks=(700, 2)), ["a", "b"])
    return large_pages.activate(source)


def test_activate_counts_rows_and_chunks_of_files(root):
    large = large_pages.activate(large_data.open_files("part-*.csv"))
    assert (large.n_rows, large.n_features, large.n_chunks) == (3000, 2, 4)
    assert large.summary.startswith("3,000 rows · 2 columns · 4 chunks · lazy")
    assert large.source.left_out == ["city"]


def test_the_key_follows_the_files(root):
    first = large_pages.activate(large_data.open_files("part-*.csv")).key
    assert large_pages.activate(large_data.open_files("part-*.csv")).key == first
    (root / "part-0.csv").write_text("a,b,city\n1,2,x\n")
    assert large_pages.activate(large_data.open_files("part-*.csv")).key != first


def test_an_unreadable_source_gets_a_clear_message():
    bad = LargeSource("text", da.from_array(np.array([["x"]] * 4, dtype=object), chunks=2), ["a"])
    with pytest.raises(LargeDataError, match="Could not read 'text'"):
        large_pages.activate(bad)


@pytest.mark.parametrize(
    ("n", "total", "said"),
    [
        (200_000, 20_000_000, "on 200,000 of 20,000,000 rows (a uniform random sample)"),
        (500, 500, "on all 500 rows"),
    ],
)
def test_the_sample_is_stated(n, total, said):
    assert large_pages.sample_statement(n, total) == said


def test_a_sample_is_distinct_rows_of_the_data(blobs):
    idx, rows = large_pages.sample_rows(blobs, 500, seed=3)
    X = blobs.X.compute()
    assert len(np.unique(idx)) == 500
    np.testing.assert_array_equal(rows, X[idx])
    idx2, _ = large_pages.sample_rows(blobs, 500, seed=3)
    np.testing.assert_array_equal(idx, idx2)


def test_the_sample_dataset_states_its_size(blobs):
    ds = large_pages.sample_dataset(blobs, 400, seed=0)
    assert ds.n_samples == 400 and ds.feature_names == ["a", "b"]
    assert ds.name == "Sample of 400 of 3,000 rows: blobs"
    assert ds.source == "sample"
    assert ds.notes == ["Uniform random sample of 400 of 3,000 rows (seed 0) of a large source."]
    whole = large_pages.sample_dataset(blobs, 10_000, seed=0)
    assert whole.n_samples == 3000 and whole.name.startswith("Sample of all 3,000 rows")


def test_the_density_counts_every_row_as_numpy_does(blobs):
    density = large_pages.density_image(blobs, (0, 1), bins=30)
    X = blobs.X.compute()
    expected, _, _ = np.histogram2d(
        X[:, 0],
        X[:, 1],
        bins=30,
        range=[(X[:, 0].min(), X[:, 0].max()), (X[:, 1].min(), X[:, 1].max())],
    )
    np.testing.assert_array_equal(density.counts, expected)
    assert density.counts.sum() == 3000
    assert "all 3,000 rows" in density.note and "not a sample" in density.note
    fig = large_pages.density_figure(density, ["a", "b"], centers=np.zeros((3, 2)))
    assert fig.data[0].type == "heatmap" and fig.data[1].name == "centers"


def test_a_constant_column_still_has_a_density():
    source = LargeSource("flat", da.ones((100, 1), chunks=30), ["c"])
    density = large_pages.density_image(large_pages.activate(source), (0, 1), bins=4)
    assert density.columns == (0, 0) and density.counts.sum() == 100


def test_inertia_on_every_row_is_scikit_learns(blobs):
    X = blobs.X.compute()
    model = SkKMeans(3, n_init=1, random_state=0).fit(X)
    got = large_pages.inertia_on(blobs, model.cluster_centers_)
    assert got == pytest.approx(model.inertia_, rel=1e-10)


def test_compare_with_scikit_learn_on_a_sample(blobs):
    seen = []
    cmp = large_pages.compare_large(
        blobs, 3, 0, sample_size=600, progress=lambda it, inertia: seen.append(it)
    )
    assert seen and seen == sorted(seen)
    assert list(cmp.table["library"]) == ["kmeans_core on Dask", "scikit-learn KMeans"]
    assert list(cmp.table["rows fitted"]) == ["all 3,000 rows", "600 sampled rows"]
    inertia = cmp.table["inertia (all rows)"]
    assert inertia[0] == pytest.approx(cmp.ours.model.inertia_, rel=1e-9)
    assert inertia[1] == pytest.approx(inertia[0], rel=1e-2)  # well separated: same clusters
    assert cmp.agreement == pytest.approx(1.0)
    assert "on 600 of 3,000 rows" in cmp.note
    assert "not like for like" in cmp.note


@pytest.mark.skipif(not large_pages.dask_ml_installed(), reason="dask-ml not installed")
def test_compare_with_dask_ml_on_every_row(blobs):
    cmp = large_pages.compare_large(blobs, 3, 0, reference=large_pages.REFERENCES[1])
    assert list(cmp.table["library"]) == ["kmeans_core on Dask", "dask-ml KMeans"]
    assert cmp.table["rows fitted"][1] == "all 3,000 rows"
    assert "compare like for like" in cmp.note
    assert cmp.agreement == pytest.approx(1.0)


def test_export_writes_labels_centers_and_settings_next_to_the_data(root):
    large = large_pages.activate(large_data.open_files("part-*.csv"))
    fit = large_data.fit_large(large.source, 3, seed=0)
    paths = large_pages.write_next_to_data(large, fit, seed=0)
    assert paths.labels == root / "part_kmeans_labels.parquet"
    assert paths.centers == root / "part_kmeans_centers.csv"
    assert paths.settings == root / "part_kmeans_settings.json"
    labels = pd.read_parquet(paths.labels)["label"].to_numpy()
    np.testing.assert_array_equal(labels, fit.model.labels_.compute())
    centers = pd.read_csv(paths.centers)
    assert list(centers.columns) == ["cluster", "a", "b"]
    np.testing.assert_allclose(centers[["a", "b"]].to_numpy(), fit.model.cluster_centers_)
    recipe = json.loads(paths.settings.read_text())
    assert recipe["source"]["rows"] == 3000 and recipe["source"]["chunks"] == 4
    assert recipe["source"]["left_out"] == ["city"]
    assert recipe["settings"]["n_clusters"] == 3 and recipe["settings"]["seed"] == 0
    assert recipe["result"]["inertia"] == pytest.approx(fit.model.inertia_)


def test_centers_are_in_the_data_units(blobs):
    fit = large_data.fit_large(blobs.source, 3, seed=0)
    table = pd.read_csv(__import__("io").StringIO(large_pages.centers_csv(fit, ["a", "b"])))
    assert sorted(np.round(table["a"]).astype(int)) == [-5, 0, 5]


def test_a_file_removed_after_opening_gets_a_clear_message(root):
    large = large_pages.activate(large_data.open_files("part-*.csv"))
    (root / "part-2.csv").unlink()
    with pytest.raises(LargeDataError, match="changed or removed since it was opened"):
        large_pages.sample_rows(large, 100, seed=0)
    with pytest.raises(LargeDataError, match="changed or removed since it was opened"):
        large_pages.density_image(large)


@settings(max_examples=25, deadline=None)
@given(
    n_rows=st.integers(1, 400),
    chunk=st.integers(1, 150),
    size=st.integers(1, 500),
    seed=st.integers(0, 2**31 - 1),
)
def test_any_sample_is_distinct_rows_in_order_whatever_the_chunks(n_rows, chunk, size, seed):
    X = np.arange(n_rows * 2, dtype=np.float64).reshape(n_rows, 2)
    large = large_pages.activate(LargeSource("x", da.from_array(X, chunks=(chunk, 2)), ["a", "b"]))
    idx, rows = large_pages.sample_rows(large, size, seed)
    assert len(idx) == min(size, n_rows) == len(np.unique(idx))
    assert np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(rows, X[idx])
    said = large_pages.sample_statement(len(idx), n_rows)
    assert (f"of {n_rows:,} rows" in said) == (size < n_rows)


def test_generated_sources_with_other_seeds_have_other_keys():
    def key(seed: int) -> str:
        return large_pages.activate(large_data.generated_source(1_000, 2, 3, seed)).key

    assert key(0) == key(0)
    assert key(0) != key(1)


def test_large_plots_show_column_names_as_typed():
    X = da.from_array(np.random.default_rng(0).normal(size=(300, 2)), chunks=(100, 2))
    source = large_data.LargeSource("cols", X, ["<b>a</b>", "<a href='x'>b</a>"])
    large = large_pages.activate(source)
    fig = large_pages.density_figure(large_pages.density_image(large, (0, 1)), source.feature_names)
    assert "<" not in fig.layout.xaxis.title.text + fig.layout.yaxis.title.text
