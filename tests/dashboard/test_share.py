"""Shareable links: recipe <-> query parameters, run parameters, malformed links."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import generators, share
from dashboard.dataset import Dataset, default_dataset
from dashboard.run_settings import DEFAULT_K, INIT_CHOICES, MAX_K, RunSettings

# --- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("blobs", "blobs"),
        ("k-means++", "k-means++"),
        (500, "500"),
        (1.0, "1.0"),
        (0.05, "0.05"),
        (True, "true"),
        (None, "null"),
        ("500", '"500"'),
        ("true", '"true"'),
        ("", ""),
    ],
)
def test_encode_value(value, text):
    assert share.encode_value(value) == text
    decoded = share.decode_value(text)
    assert decoded == value and type(decoded) is type(value)


# --- recipe <-> params ------------------------------------------------------------------

_scalar = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(exclude_categories=("Cs",))),
    st.booleans(),
    st.none(),
)
_name = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)


@st.composite
def _recipes(draw):
    settings = draw(
        st.dictionaries(_name.filter(lambda n: n not in ("kind", "seed")), _scalar, max_size=6)
    )
    kind = draw(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1))
    seed = draw(st.integers(0, 2**31 - 1))
    return {"kind": kind, **settings, "seed": seed}


@given(recipe=_recipes(), run_seed=st.integers(0, 2**31 - 1))
def test_recipe_params_recipe_round_trip(recipe, run_seed):
    params = share.recipe_to_params(recipe, run_seed)
    assert share.params_to_recipe(params, run_seed) == recipe
    # ... and through a real query string (what the browser sends back).
    url = share.share_url("http://h:1", "animate", {"k": "3", **params})
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    assert share.params_to_recipe(query, run_seed) == recipe


def test_recipe_seed_travels_only_when_it_differs_from_the_run_seed():
    recipe = {"kind": "blobs", "n_samples": 500, "seed": 7}
    assert "data.seed" not in share.recipe_to_params(recipe, 7)
    assert share.recipe_to_params(recipe, 8)["data.seed"] == "7"
    assert share.params_to_recipe({"data": "blobs", "data.n_samples": "500"}, 7) == recipe


def _all_kinds() -> list[str]:
    return list(getattr(generators, "LIMITS", {"blobs": None}))


@pytest.mark.parametrize("kind", _all_kinds())
def test_every_dataset_kind_is_rebuilt_identically_from_its_link(kind):
    original = generators.dataset_from_recipe(generators.default_recipe(kind, 11), 11)
    params = share.link_params(original, RunSettings(k=4, init="random", seed=11))
    rebuilt, notices = share.dataset_from_link(params, 11)
    assert notices == []
    assert rebuilt.name == original.name
    np.testing.assert_array_equal(rebuilt.X, original.X)
    assert rebuilt.key == original.key


def test_link_params_of_the_default_dataset():
    params = share.link_params(default_dataset(42), RunSettings(k=5, init="random", seed=42))
    assert params == {
        "k": "5",
        "init": "random",
        "seed": "42",
        "data": "blobs",
        "data.n_samples": "500",
        "data.centers": "3",
        "data.n_features": "2",
        "data.cluster_std": "1.0",
    }


def test_uploaded_data_link_carries_only_the_run_settings():
    ds = Dataset(name="mine.csv", X=np.zeros((3, 2)), feature_names=["a", "b"], source="upload")
    params = share.link_params(ds, RunSettings(k=2, init="k-means++", seed=1))
    assert params == {"k": "2", "init": "k-means++", "seed": "1"}


def test_params_without_dataset_give_none_and_settings_without_kind_are_an_error():
    assert share.params_to_recipe({"k": "3", "seed": "1"}, 1) is None
    with pytest.raises(ValueError, match="no dataset kind"):
        share.params_to_recipe({"data.n_samples": "100"}, 1)


# --- URLs -------------------------------------------------------------------------------


def test_share_url_escapes_plus_signs():
    url = share.share_url("http://h:8501/", "/animate", {"init": "k-means++", "k": "3"})
    assert url == "http://h:8501/animate?init=k-means%2B%2B&k=3"
    assert parse_qs(urlsplit(url).query)["init"] == ["k-means++"]


@pytest.mark.parametrize(
    ("page_url", "base"),
    [
        ("http://127.0.0.1:8501/export?k=3&seed=1", "http://127.0.0.1:8501"),
        ("https://host/tools/kmeans/export/", "https://host/tools/kmeans"),
        ("http://h:1/", "http://h:1"),
        ("http://h:1", "http://h:1"),
        (None, ""),
    ],
)
def test_app_base_url(page_url, base):
    assert share.app_base_url(page_url, ["export"]) == base


# --- incoming links ---------------------------------------------------------------------


def test_valid_run_params_are_read():
    values, notices = share.parse_run_params({"k": "7", "init": "random", "seed": "0"})
    assert values == {"k": 7, "init": "random", "seed": 0}
    assert notices == []


def test_missing_run_params_are_defaults_without_a_notice():
    values, notices = share.parse_run_params({})
    assert values == {"k": DEFAULT_K, "init": INIT_CHOICES[0], "seed": 42}
    assert notices == []


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("k", "abc"),
        ("k", "0"),
        ("k", str(MAX_K + 1)),
        ("k", "3.5"),
        ("k", ""),
        ("seed", "-1"),
        ("seed", "1e3"),
        ("seed", str(2**31)),
        ("init", "bogus"),
        ("init", "K-MEANS++"),
    ],
)
def test_malformed_run_params_give_the_default_and_a_notice(key, text):
    values, notices = share.parse_run_params({"k": "4", key: text})
    defaults = {"k": DEFAULT_K, "init": INIT_CHOICES[0], "seed": 42}
    assert values[key] == defaults[key]
    assert len(notices) == 1 and repr(text) in notices[0]


def test_repeated_params_use_the_last_value():
    values, _ = share.parse_run_params({"k": ["2", "6"]})
    assert values["k"] == 6


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"data": "no-such-kind"}, "no-such-kind"),
        ({"data.n_samples": "lots"}, "n_samples"),
        ({"data.n_samples": "999999999999"}, "n_samples"),
        ({"data.centers": "-3"}, "centers"),
        ({"data.cluster_std": "[1,2]"}, "cluster_std"),
        ({"data": "blobs"}, "Missing"),
        ({"data.centers": "3"}, "no dataset kind"),
        ({"data.seed": "-4"}, "seed"),
        ({"data.seed": "4.5"}, "seed"),
        ({"data.extra": "1"}, "extra"),
        ({"data": "[1,2]"}, "kind"),
    ],
)
def test_malformed_dataset_link_gives_the_default_dataset_and_a_notice(query, fragment):
    if "data" not in query and "no dataset kind" not in fragment:
        # One bad value in an otherwise complete link.
        good = share.recipe_to_params(default_dataset(9).recipe, 9)
        query = {**good, **query}
    ds, notices = share.dataset_from_link(query, 9)
    assert ds.name == "Blobs (3 centers)" and ds.n_samples == 500
    assert ds.recipe["seed"] == 9
    assert len(notices) == 1
    assert fragment in notices[0] and "default dataset" in notices[0]


def test_a_link_without_a_dataset_leaves_the_dataset_alone():
    assert share.dataset_from_link({"k": "3"}, 1) == (None, [])


@given(
    st.dictionaries(
        st.sampled_from(["data", "data.n_samples", "data.centers", "data.cluster_std", "data.x"]),
        st.text(max_size=8),
    )
)
def test_no_hand_edited_link_raises(query):
    ds, notices = share.dataset_from_link(query, 3)
    if query:
        assert ds is not None
    assert all(isinstance(n, str) for n in notices)


def test_urlencoded_link_round_trip_matches_the_original_dataset():
    original = default_dataset(123)
    settings = RunSettings(k=4, init="farthest point", seed=123)
    query = dict(parse_qsl(urlencode(share.link_params(original, settings))))
    values, notices = share.parse_run_params(query)
    assert values == {"k": 4, "init": "farthest point", "seed": 123} and notices == []
    ds, notices = share.dataset_from_link(query, values["seed"])
    assert notices == [] and ds.key == original.key


# --------------------------------------------------------------------------- Animate view


@pytest.mark.parametrize(
    ("query", "step"),
    [
        ({}, None),
        ({"step": "7"}, 7),
        ({"step": ["2", "9"]}, 9),  # the last one wins, as for every parameter
        ({"step": "0"}, 0),
        ({"step": "-1"}, None),
        ({"step": "3.5"}, None),
        ({"step": "seven"}, None),
        ({"step": "99999999"}, None),
    ],
)
def test_step_parameter(query, step):
    assert share.parse_step(query) == step


@pytest.mark.parametrize(
    ("value", "on"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("", False)]
)
def test_present_parameter(value, on):
    assert share.parse_present({"present": value}) is on
    assert share.parse_present({}) is False


def test_view_params_are_added_only_when_set():
    assert share.view_params() == {}
    assert share.view_params(step=7, present=True) == {"step": "7", "present": "1"}
    assert share.view_params(step=0) == {"step": "0"}
