"""Large data for the dashboard: only the data directory, lazy reads, fit with progress."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pandas as pd
import pytest

from dashboard import large_data
from dashboard.large_data import LargeDataError
from kmeans_core import KMeans


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A data directory with a CSV (one text column) and two Parquet parts."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 0.5, size=(100, 2)) for c in (-5, 0, 5)])
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(city=["x"] * 300)
    frame.to_csv(tmp_path / "points.csv", index=False)
    (tmp_path / "parts").mkdir()
    frame.iloc[:150, :2].to_parquet(tmp_path / "parts" / "part-0.parquet")
    frame.iloc[150:, :2].to_parquet(tmp_path / "parts" / "part-1.parquet")
    monkeypatch.setenv(large_data.DATA_DIR_ENV, str(tmp_path))
    return tmp_path.resolve()


def test_data_dir_comes_from_the_environment(root):
    assert large_data.data_dir() == root


def test_files_are_found_by_name_or_glob(root):
    assert large_data.resolve_files("points.csv") == [root / "points.csv"]
    assert [p.name for p in large_data.resolve_files("parts/part-*.parquet")] == [
        "part-0.parquet",
        "part-1.parquet",
    ]


@pytest.mark.parametrize("pattern", ["../secret.csv", "/etc/passwd", "parts/../../x.csv"])
def test_paths_outside_the_data_directory_are_refused(root, pattern):
    (root.parent / "secret.csv").write_text("a\n1\n")
    with pytest.raises(LargeDataError, match="outside the data directory"):
        large_data.resolve_files(pattern)


def test_a_symbolic_link_out_of_the_data_directory_is_refused(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "other.csv"
    outside.write_text("a\n1\n")
    (root / "link.csv").symlink_to(outside)
    with pytest.raises(LargeDataError, match="outside the data directory"):
        large_data.resolve_files("link.csv")


def test_unknown_names_and_types_get_a_clear_message(root):
    (root / "notes.txt").write_text("hello")
    with pytest.raises(LargeDataError, match="No file matches"):
        large_data.resolve_files("nothing*.csv")
    with pytest.raises(LargeDataError, match=r"Only \.csv and \.parquet"):
        large_data.resolve_files("notes.txt")
    with pytest.raises(LargeDataError, match="Enter a file name"):
        large_data.resolve_files("  ")


def test_csv_is_opened_lazily_with_its_numeric_columns(root):
    source = large_data.open_files("points.csv")
    assert source.feature_names == ["a", "b"]
    assert source.left_out == ["city"]
    assert hasattr(source.X, "dask")  # not loaded: a dask collection


def test_generated_data_is_lazy_reproducible_and_bounded():
    a = large_data.generated_source(10_000, n_features=3, k=4, seed=1)
    b = large_data.generated_source(10_000, n_features=3, k=4, seed=1)
    assert isinstance(a.X, da.Array) and a.X.shape == (10_000, 3)
    np.testing.assert_array_equal(a.X[-5:].compute(), b.X[-5:].compute())
    big = large_data.generated_source(large_data.MAX_GENERATED_ROWS)
    assert big.X.shape[0] == 100_000_000  # nothing drawn yet
    with pytest.raises(LargeDataError, match="100,000,000"):
        large_data.generated_source(large_data.MAX_GENERATED_ROWS + 1)


def test_fit_reports_every_iteration_and_a_stated_sample(root):
    source = large_data.open_files("parts/*.parquet")
    seen = []
    fit = large_data.fit_large(source, 3, seed=0, progress=lambda i, v: seen.append((i, v)))
    assert [i for i, _ in seen] == list(range(1, fit.model.n_iter_ + 1))
    assert fit.inertia_per_iteration == [v for _, v in seen]
    assert fit.n_rows == 300 and len(fit.sample) == 300
    assert "300 of the 300 rows" in fit.sample_note
    np.testing.assert_array_equal(fit.sample_labels, fit.model.predict(fit.sample))
    in_memory = KMeans(3, init=fit.model.cluster_centers_, n_init=1).fit(fit.sample)
    np.testing.assert_allclose(in_memory.cluster_centers_, fit.model.cluster_centers_)


def test_plot_sample_is_a_subset_when_the_data_is_larger(monkeypatch):
    monkeypatch.setattr(large_data, "PLOT_SAMPLE_ROWS", 500)
    source = large_data.generated_source(20_000, k=3, seed=2)
    fit = large_data.fit_large(source, 3, init="k-means++", seed=0, max_iter=5)
    assert len(fit.sample) == 500
    assert "500 of the 20,000 rows" in fit.sample_note


def test_labels_are_written_next_to_the_data(root):
    source = large_data.open_files("points.csv")
    fit = large_data.fit_large(source, 3, seed=0)
    path = large_data.write_labels(fit, source)
    assert path == root / "points_kmeans_labels.parquet"
    labels = pd.read_parquet(path)["label"].to_numpy()
    assert pd.read_parquet(path)["row"].tolist()[:3] == [1, 2, 3]
    np.testing.assert_array_equal(labels, fit.model.labels_.compute())
    # Writing again replaces the labels instead of failing.
    assert large_data.write_labels(fit, source) == path


def test_generated_labels_go_to_the_data_directory(root):
    source = large_data.generated_source(2_000, k=2, seed=0)
    fit = large_data.fit_large(source, 2, seed=0)
    path = large_data.write_labels(fit, source)
    assert path.parent == root
    assert len(pd.read_parquet(path)) == 2_000
