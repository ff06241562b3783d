"""AppTest of the Clusters page: profiles of the canonical run, stable numbers, awkward data."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import csv_upload, upload_recipe
from dashboard import streamlit_glue as glue
from dashboard.dataset import Dataset
from dashboard.generators import dataset_from_recipe, default_recipe
from tests.apptest.app_runner import open_page
from tests.apptest.test_export_page import media  # noqa: F401, F811  (a fixture)

PAGE = "app_pages/clusters.py"


def _open(dataset: Dataset | None = None, query: dict | None = None) -> AppTest:
    session = {"dataset": dataset} if dataset is not None else None
    at = open_page(PAGE, session=session, query=query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at: AppTest) -> dict[str, dict]:
    return {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def _chart(at: AppTest, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if key in c.proto.id)


def _texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "warning", "error", "subheader")
    return "\n".join(e.value for kind in kinds for e in getattr(at, kind))


def _iris() -> Dataset:
    recipe = default_recipe("iris")
    recipe["scaling"] = "none"
    return dataset_from_recipe(recipe, 42)


@pytest.fixture(scope="module")
def iris_page() -> AppTest:
    return _open(_iris())


def test_default_blobs_show_profiles_but_no_3d(request):
    at = _open()
    text = _texts(at)
    for c in range(3):
        assert f"**Cluster {c}** · " in text
    assert "3-D view" not in text  # two features only
    assert "Parallel coordinates" in text
    heat = _chart(at, "clusters_heatmap")
    assert heat["data"][0]["x"] == ["x1", "x2"]


def test_iris_profile_table_in_feature_units(iris_page):
    at = iris_page
    table = at.table[0]
    frame = table.value
    assert list(frame.index) == list(_iris().feature_names)
    assert list(frame.columns) == ["cluster 0", "cluster 1", "cluster 2", "all rows"]
    # Overall mean of sepal length in iris is 5.843 cm.
    assert frame.loc["sepal length (cm)", "all rows"].startswith("5.843 ±")


def test_iris_sizes_match_the_canonical_run(iris_page):
    at = iris_page
    sizes = _chart(at, "clusters_sizes")["data"][0]
    bars = sizes["x"]
    if isinstance(bars, dict):  # typed array
        import base64

        bars = np.frombuffer(base64.b64decode(bars["bdata"]), dtype=bars["dtype"]).tolist()
    assert sum(bars) == 150
    assert sorted(bars) == [38, 50, 62] or sorted(bars) == [39, 50, 61]


def test_nearest_rows_follow_the_chosen_cluster(iris_page):
    at = iris_page
    first = at.table[1].value
    at.selectbox(key="clusters_nearest").set_value(1).run()
    assert not at.exception
    second = at.table[1].value
    assert len(first) == len(second) == 5
    assert set(first.index).isdisjoint(second.index)


def test_3d_view_pca_then_chosen_axes(iris_page):
    at = iris_page
    scene = _chart(at, "clusters_3d")["layout"]["scene"]
    assert scene["xaxis"]["title"]["text"].startswith("PC1")
    at.radio(key="clusters_3d_mode").set_value("Choose three features").run()
    at.selectbox(key="clusters_3d_x").set_value(3).run()
    assert not at.exception
    scene = _chart(at, "clusters_3d")["layout"]["scene"]
    assert scene["xaxis"]["title"]["text"] == "petal width (cm)"
    fig = _chart(at, "clusters_3d")
    assert [t["name"] for t in fig["data"]] == ["cluster 0", "cluster 1", "cluster 2", "centers"]


def test_numbers_stay_with_clusters_across_seeds():
    """Re-running with another seed keeps each cluster's number (matched centers)."""
    rng = np.random.default_rng(3)
    corners = np.array([[0, 0], [20, 0], [0, 20], [20, 20]], dtype=float)
    X = np.concatenate([c + rng.normal(0, 1, (50, 2)) for c in corners])
    ds = Dataset(name="four corners", X=X, feature_names=["a", "b"], source="upload")
    at = _open(ds, query={"k": "4", "init": "k-means++", "seed": "1"})
    shown = at.session_state[glue._SHOWN_CENTERS_KEY][("a", "b")].copy()
    seen = set()
    for seed in (2, 3, 5, 8, 13):
        at.number_input(key="seed").set_value(seed).run()
        assert not at.exception
        model = glue._cached_fit(ds.key, glue.rs.RunSettings(4, "k-means++", seed), ds)
        seen.add(
            tuple(np.argsort(model.cluster_centers_[:, 0] * 100 + model.cluster_centers_[:, 1]))
        )
        centers = at.session_state[glue._SHOWN_CENTERS_KEY][("a", "b")]
        # Every cluster sits where the cluster of the same number sat with seed 1.
        assert np.abs(centers - shown).max() < 1.0
    assert len(seen) > 1  # the raw runs did number the corners differently


def test_many_features_parallel_axes_capped_and_large_data_sampled():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (3000, 15)), rng.normal(4, 1, (3000, 15))]
    ds = Dataset(name="wide", X=X, feature_names=[f"f{i}" for i in range(15)], source="upload")
    at = _open(ds, query={"k": "2"})
    par = _chart(at, "clusters_parallel")["data"][0]
    assert len(par["dimensions"]) == 12 + 1  # cluster axis + the 12 most separating
    text = _texts(at)
    assert "12 of 15 features" in text
    assert "random sample of 2,000 of 6,000 rows" in text
    assert "random sample of 5,000 of 6,000 rows" in text  # the 3-D view


@pytest.mark.parametrize(
    ("X", "query"),
    [
        ([[1.0, 2.0]], {"k": "3"}),
        (np.ones((20, 3)), {"k": "4"}),
        ([[1.0], [2.0], [8.0], [9.0]], {"k": "2"}),
    ],
    ids=["one row", "identical points", "one feature"],
)
def test_awkward_data_no_traceback(X, query):
    ds = Dataset(
        name="awkward",
        X=np.asarray(X, dtype=float),
        feature_names=[f"f{i}" for i in range(np.asarray(X).shape[1])],
        source="upload",
    )
    at = _open(ds, query=query)
    assert "Cluster 0" in _texts(at)


def test_text_columns_shown_when_the_dataset_has_them():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.3, (40, 2)), rng.normal(5, 0.3, (40, 2))]
    sides = ["left"] * 40 + ["right"] * 40
    rows = [f"{a:.4f},{b:.4f},{side}" for (a, b), side in zip(X, sides, strict=True)]
    csv = ("a,b,side\n" + "\n".join(rows) + "\n").encode()
    ds = upload_recipe.build_from_choices(csv_upload.parse_csv(csv), "with text", ["a", "b"])
    at = _open(ds, query={"k": "2"})
    assert "Category mix of text columns" in _texts(at)
    mix = _chart(at, "clusters_mix_0")
    assert [t["name"] for t in mix["data"]] == ["left", "right"]
    assert "side" in at.table[1].value.columns


def test_export_uses_the_same_cluster_numbers_as_the_clusters_page(media):  # noqa: F811
    rng = np.random.default_rng(3)
    corners = np.array([[0, 0], [20, 0], [0, 20], [20, 20]], dtype=float)
    X = np.concatenate([c + rng.normal(0, 1, (50, 2)) for c in corners])
    ds = Dataset(name="four corners", X=X, feature_names=["a", "b"], source="upload")
    at = _open(ds, query={"k": "4", "seed": "1"})
    at.number_input(key="seed").set_value(3).run()  # seed 3 numbers the corners differently
    shown = at.session_state[glue._SHOWN_CENTERS_KEY][("a", "b")].copy()
    means = at.table[0].value  # "mean ± sd" per feature and cluster
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    button = next(b for b in at.get("download_button") if b.proto.id.endswith("download_centers"))
    centers = pd.read_csv(io.BytesIO(media(button)))
    np.testing.assert_allclose(centers[["a", "b"]].to_numpy(), shown)
    for c in range(4):
        mean_a = float(means.loc["a", f"cluster {c}"].split(" ± ")[0])
        assert mean_a == pytest.approx(centers.loc[c, "a"], abs=0.01)  # shown to 4 digits
