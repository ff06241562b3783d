"""Shareable links: recipe <-> query parameters, run parameters, malformed links."""

from __future__ import annotations

import re
import string
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import generators, share
from dashboard.dataset import Dataset, default_dataset
from dashboard.run_settings import DEFAULT_K, INIT_CHOICES, MAX_K, RunSettings
from dashboard.safe_text import WORD_JOINER


def _plain(markdown: str) -> str:
    """What a notice shows: markdown with its backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(WORD_JOINER, ""))


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

# Recipe strings are short (kinds and choices); links bound values to share.MAX_VALUE_CHARS.
_scalar = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12),
    st.booleans(),
    st.none(),
)
_name = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)


@st.composite
def _recipes(draw):
    settings = draw(
        st.dictionaries(_name.filter(lambda n: n not in ("kind", "seed")), _scalar, max_size=6)
    )
    kind = draw(
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
    )
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


def test_uploaded_data_link_carries_the_run_settings_and_says_it_was_an_upload():
    ds = Dataset(name="mine.csv", X=np.zeros((3, 2)), feature_names=["a", "b"], source="upload")
    params = share.link_params(ds, RunSettings(k=2, init="k-means++", seed=1))
    assert params == {
        "k": "2",
        "init": "k-means++",
        "seed": "1",
        "data": "upload",
        "data.file": "mine.csv",
    }
    assert share.is_upload_link(params) and share.upload_link_file(params) == "mine.csv"
    assert not share.is_upload_link({"data": "blobs"})
    assert share.upload_link_file({"data": "upload"}) is None


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
    assert len(notices) == 1 and f"“{text}”" in _plain(notices[0])
    used = {"k": "using K = 3.", "seed": "using seed = 42.", "init": "using k-means++."}
    assert _plain(notices[0]).endswith(used[key])
    assert share.unusable_run_keys({"k": "4", key: text}) == [key]


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
    assert fragment in _plain(notices[0]) and "default dataset" in notices[0]


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


# --- hostile links (issue 15) -----------------------------------------------------------

# The phishing link: a fake "sign in again" link and a tracking image.
PHISHING_QUERY = (
    "init=%5BYour%20session%20expired%20-%20click%20here%20to%20sign%20in%20again%5D"
    "%28http%3A%2F%2F127.0.0.1%3A8799%2Fphish%29"
    "&k=%21%5Bt%5D%28http%3A%2F%2F127.0.0.1%3A8799%2Ftrack.png%29"
)
# Markdown, HTML, LaTeX and shortcode characters that must never reach a notice unescaped
# (the notices' own words use none of them).
_ACTIVE = set("[]!<>$*_`~|#{}\\:/@&^%")


def _unescaped(markdown: str) -> str:
    """The characters of a notice that markdown would read as themselves, not escaped."""
    return re.sub(r"\\[" + re.escape(string.punctuation) + "]", "", markdown)


def _assert_safe(notice: str) -> None:
    assert isinstance(notice, str) and "\n" not in notice and len(notice) < 700
    assert not _ACTIVE & set(_unescaped(notice)), notice
    # GitHub autolinks (http://, www., a@b.c) are found after unescaping: broken by U+2060.
    assert not re.search(r"(?i)(?<!\u2060)(https?\\:|www\\\.)", notice), notice
    assert notice.count("\\@") == notice.count("\\@" + WORD_JOINER), notice


def test_phishing_link_text_is_escaped_in_the_notices():
    query = dict(parse_qsl(PHISHING_QUERY))
    values, notices = share.parse_run_params(query)
    assert values == {"k": DEFAULT_K, "init": INIT_CHOICES[0], "seed": 42}
    assert len(notices) == 2
    for notice in notices:
        _assert_safe(notice)
        assert "](" not in notice
    k_notice, init_notice = notices
    track = r"“\!\[t\]\(" + WORD_JOINER + r"http\:\/\/127\.0\.0\.1\:8799\/track\.png\)”"
    assert track in k_notice
    assert init_notice.startswith(r"The link's init “\[Your session expired \- click")
    assert _plain(init_notice).endswith("using k-means++.")


@pytest.mark.parametrize(
    "kind", ["![t](http://127.0.0.1:8799/track.png)", "$x^2$ <b>hi</b>", "www.x.org a@b.example"]
)
def test_injected_dataset_kind_is_escaped_in_the_notice(kind):
    ds, notices = share.dataset_from_link({"data": kind, "data.n_samples": "100"}, 5)
    assert ds.name == "Blobs (3 centers)" and len(notices) == 1
    _assert_safe(notices[0])
    assert kind in _plain(notices[0])


@pytest.mark.parametrize("key", ["k", "seed"])
@pytest.mark.parametrize("digits", [5_000, 4_301, 21])
def test_numbers_beyond_pythons_int_limit_give_a_notice(key, digits):
    # int("9" * 5000) raises ValueError (Python's 4,300-digit limit) instead of a notice.
    values, notices = share.parse_run_params({key: "9" * digits})
    assert values[key] == {"k": DEFAULT_K, "seed": 42}[key]
    assert len(notices) == 1 and len(notices[0]) < 200
    assert ("…" in notices[0]) == (digits > 40)  # long values are shortened
    assert share.unusable_run_keys({key: "9" * digits}) == [key]


def test_leading_zeros_and_signs_within_the_length_bound_are_numbers():
    values, notices = share.parse_run_params({"k": "+007", "seed": "-0"})
    assert (values["k"], values["seed"], notices) == (7, 0, [])
    assert share.unusable_run_keys({"k": "+007", "seed": "-0"}) == []


@pytest.mark.parametrize("depth", [1_200, 100_000])
def test_deeply_nested_data_param_gives_the_default_dataset_and_a_notice(depth):
    # json.loads("[" * 1200) raised RecursionError out of decode_value.
    ds, notices = share.dataset_from_link({"data": "[" * depth}, 4)
    assert ds.name == "Blobs (3 centers)" and ds.recipe["seed"] == 4
    assert len(notices) == 1 and "longer than 200 characters" in _plain(notices[0])
    _assert_safe(notices[0])


@pytest.mark.parametrize("text", ["[" * 5_000, " [[[[1]]]]", "{" * 3_000, '{"a":[[[[]]]]}'])
def test_decode_value_never_parses_arrays_or_objects(text):
    assert share.decode_value(text) == text


def test_a_short_nested_kind_is_an_unknown_kind():
    ds, notices = share.dataset_from_link({"data": "[[[[[[1]]]]]]"}, 4)
    assert "Unknown dataset kind" in _plain(notices[0]) and ds.n_samples == 500


def test_seed_in_scientific_notation_says_the_seed_it_uses():
    # Before: "using seed = 42" while the sidebar widget read 1e3 as 1000. Now the
    # parameter is rejected (and removed from the URL by the app): the seed is 42.
    values, notices = share.parse_run_params({"seed": "1e3"})
    assert values["seed"] == 42
    assert _plain(notices[0]) == (
        "The link's seed “1e3” is not a whole number from 0 to 2,147,483,647; using seed = 42."
    )
    assert share.unusable_run_keys({"seed": "1e3", "k": "4"}) == ["seed"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"data": "blobs", "data.n_samples": "1" * 201}, "longer than 200 characters"),
        ({"data": "blobs", "data." + "x" * 40: "1"}, "longer than 40 characters"),
        ({"data": "blobs", **{f"data.s{i}": "1" for i in range(16)}}, "at most 16"),
        ({"data": "bl\u00f6bs", "data.n_samples": "100"}, "Unknown dataset kind 'blöbs'"),
        ({"data": "blobs", "data.n_sämples": "100"}, "'n_sämples'"),
        ({"data": "blobs", "data.n_samples": "1e400"}, "finite"),
        ({"data": "blobs", "data.n_samples": "9" * 200}, "9999"),
    ],
)
def test_oversized_and_non_ascii_dataset_params_give_a_notice(query, fragment):
    good = share.recipe_to_params(default_dataset(2).recipe, 2)
    ds, notices = share.dataset_from_link({**good, **query}, 2)
    assert ds.name == "Blobs (3 centers)" and len(notices) == 1
    assert fragment in _plain(notices[0])
    _assert_safe(notices[0])


def test_numbers_in_other_scripts_are_read_as_the_number_they_write():
    # Python reads Unicode decimal digits; the dataset then really has 100 rows.
    good = share.recipe_to_params(default_dataset(2).recipe, 2)
    ds, notices = share.dataset_from_link({**good, "data.n_samples": "١٠٠"}, 2)
    assert notices == [] and ds.n_samples == 100


@pytest.mark.parametrize("text", ["ｋ-means++", "k\u2011means++", "k-means++ ", "random\x00"])
def test_look_alike_init_values_are_rejected(text):
    values, notices = share.parse_run_params({"init": text})
    assert values["init"] == "k-means++" and len(notices) == 1


def test_very_long_values_are_shortened_in_the_notices():
    query = {"init": "<" * 100_000, "seed": "1" * 100_000, "data": "blobs"}
    query["data.n_samples"] = "$" * 100_000
    values, notices = share.parse_run_params(query)
    ds, data_notices = share.dataset_from_link(query, values["seed"])
    assert values == {"k": DEFAULT_K, "init": INIT_CHOICES[0], "seed": 42}
    assert len(notices) == 2 and len(data_notices) == 1 and ds.n_samples == 500
    for notice in notices + data_notices:
        _assert_safe(notice)
        assert len(notice) < 400


def test_repeated_params_use_the_last_value_everywhere():
    query = {"k": ["abc", "6"], "seed": ["7", "x"], "data": ["moons", "blobs"]}
    values, notices = share.parse_run_params(query)
    assert values["k"] == 6 and values["seed"] == 42 and len(notices) == 1
    assert share.unusable_run_keys(query) == ["seed"]
    assert share.dataset_params(query) == {"data": "blobs"}


# --- generated hostile query strings ----------------------------------------------------

_KEYS = st.sampled_from(
    [
        "k",
        "seed",
        "init",
        "data",
        "data.seed",
        "data.kind",
        "data.",
        *sorted({f"data.{name}" for params in generators.LIMITS.values() for name in params}),
    ]
) | st.text(min_size=1, max_size=60).map(lambda t: "data." + t)
_META = "[]()!<>$*_`~|#{}\\:/@&^%\"'=+-.,;\n\t "
_VALUES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from(_META + "ab1é漢😀"), max_size=300),
    st.integers(1, 6_000).map(lambda n: "9" * n),
    st.integers(1, 3_000).map(lambda n: "[" * n),
    st.sampled_from(["blobs", "moons", "iris", "1e3", "1e400", "-0", "NaN", "null", "true"]),
    st.sampled_from(["[a](http://evil)", "![t](http://evil/t.png)", "<img src=x>", "$\\frac12$"]),
    st.sampled_from(["www.evil.example", "HTTPS://evil.example", "me@evil.example"]),
)
_QUERIES = st.dictionaries(_KEYS, _VALUES | st.lists(_VALUES, min_size=1, max_size=3), max_size=8)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=_QUERIES)
def test_no_generated_link_raises_or_leaks_markdown(query):
    values, notices = share.parse_run_params(query)
    assert 1 <= values["k"] <= MAX_K and 0 <= values["seed"] <= 2**31 - 1
    assert values["init"] in INIT_CHOICES
    unusable = share.unusable_run_keys(query)
    assert len(unusable) == len(notices)
    ds, data_notices = share.dataset_from_link(query, values["seed"])
    assert (ds is None) == (not share.dataset_params(query))
    assert len(data_notices) <= 1
    for notice in notices + data_notices:
        _assert_safe(notice)


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
