"""Encodings, scaling and their inverse (dashboard.encoding), against scikit-learn and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from dashboard import encoding as enc
from dashboard.encoding import ColumnSpec


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mass": [3000.0, 4000.0, 5000.0, 3500.0, 4500.0, 6000.0],
            "bill": [40.0, 41.0, 39.0, 47.0, 48.0, 46.0],
            "island": ["A", "B", "C", "A", "A", "B"],
            "size": ["small", "large", "medium", "small", "large", "large"],
        }
    )


NUMERIC = {"mass", "bill"}


def test_standardise_matches_sklearn_and_inverts_exactly():
    df = _frame()
    specs = [ColumnSpec("mass"), ColumnSpec("bill")]
    X, fitted = enc.fit_encoding(df, specs, NUMERIC, "standardise")
    np.testing.assert_allclose(X, StandardScaler().fit_transform(df[["mass", "bill"]]))
    back = fitted.centers_original(X)
    np.testing.assert_allclose(back.to_numpy(), df[["mass", "bill"]].to_numpy())


def test_min_max_matches_sklearn_and_inverts():
    df = _frame()
    X, fitted = enc.fit_encoding(df, [ColumnSpec("mass"), ColumnSpec("bill")], NUMERIC, "min-max")
    np.testing.assert_allclose(X, MinMaxScaler().fit_transform(df[["mass", "bill"]]))
    np.testing.assert_allclose(fitted.centers_original(X[:2])["mass"], [3000.0, 4000.0])


def test_one_hot_weight_by_hand():
    # two equal levels: 1 - (0.25 + 0.25) = 0.5, so w = sqrt(1 / 0.5)
    assert enc.one_hot_weight(np.array([0.5, 0.5]), 1.0) == pytest.approx(np.sqrt(2))
    # five equal levels: 1 - 5 * 0.04 = 0.8
    assert enc.one_hot_weight(np.full(5, 0.2), 1.0) == pytest.approx(np.sqrt(1 / 0.8))
    assert enc.one_hot_weight(np.array([1.0]), 1.0) == 1.0  # one level: nothing to weigh


def test_a_five_level_category_weighs_as_much_as_one_numeric_column():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "a": rng.normal(size=500),
            "b": rng.normal(size=500) * 100,
            "cat": rng.choice(list("vwxyz"), size=500),
        }
    )
    specs = [ColumnSpec("a"), ColumnSpec("b"), ColumnSpec("cat", "one-hot")]
    X, fitted = enc.fit_encoding(df, specs, {"a", "b"}, "standardise")
    shares = enc.variance_shares(X, fitted)
    assert shares["cat"] == pytest.approx(1 / 3)
    assert shares["a"] == pytest.approx(1 / 3) and shares["b"] == pytest.approx(1 / 3)
    assert fitted.feature_names == ["a", "b", "cat=v", "cat=w", "cat=x", "cat=y", "cat=z"]
    assert enc.dominance_warning(shares) is None


def test_one_hot_inverse_gives_the_most_common_level_and_shares():
    df = _frame()
    specs = [ColumnSpec("mass"), ColumnSpec("island", "one-hot")]
    X, fitted = enc.fit_encoding(df, specs, NUMERIC, "standardise")
    centers = np.vstack([X[[0, 3, 4]].mean(axis=0), X[[1, 5]].mean(axis=0)])
    out = fitted.centers_original(centers)
    assert out["island"].tolist() == ["A", "B"]
    assert out["share island=A"].tolist() == pytest.approx([1.0, 0.0])
    assert out["share island=B"].tolist() == pytest.approx([0.0, 1.0])
    assert out["mass"].tolist() == pytest.approx([11000 / 3, 5000.0])  # (3000+3500+4500)/3


def test_ordinal_codes_are_sorted_levels_and_invert_to_the_nearest_level():
    df = _frame()
    X, fitted = enc.fit_encoding(df, [ColumnSpec("size", "ordinal")], set(), "none")
    assert fitted.levels["size"] == ["large", "medium", "small"]
    assert X[:, 0].tolist() == [2.0, 0.0, 1.0, 2.0, 0.0, 0.0]
    assert fitted.centers_original(np.array([[0.4], [1.6]]))["size"].tolist() == [
        "large",
        "small",
    ]


def test_fills_mean_median_and_most_frequent():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 10.0], "t": ["a", None, "a", "b"]})
    X, _ = enc.fit_encoding(df, [ColumnSpec("x", missing="median")], {"x"}, "none")
    assert X[1, 0] == 3.0
    X, _ = enc.fit_encoding(df, [ColumnSpec("x", missing="mean")], {"x"}, "none")
    assert X[1, 0] == pytest.approx(14 / 3)
    X, fitted = enc.fit_encoding(df, [ColumnSpec("t", "one-hot", "most_frequent")], {"x"}, "none")
    assert fitted.levels["t"] == ["a", "b"] and X[1, 0] > 0  # filled with "a"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ColumnSpec("x", missing="most_frequent"), "fill with the mean or fill with the median"),
        (ColumnSpec("t", "one-hot", missing="median"), "most frequent"),
        (ColumnSpec("x", "one-hot"), "choose numeric encoding"),
        (ColumnSpec("t", "numeric"), "one-hot or ordinal"),
        (ColumnSpec("x", "bogus"), "Encoding: choose one of"),
    ],
)
def test_unsuitable_choices_get_a_message(spec, message):
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0], "t": ["a", None, "b"]})
    with pytest.raises(ValueError, match=message):
        enc.fit_encoding(df, [spec], {"x"}, "none")


def test_dominance_warning_names_the_column():
    shares = {"pop": 0.98, "life": 0.01, "gdp": 0.01}
    assert "'pop' carries 98%" in enc.dominance_warning(shares)
    assert enc.dominance_warning({"a": 0.55, "b": 0.45}) is None
    assert enc.dominance_warning({"a": 0.8, "b": 0.2}) is not None
    assert enc.dominance_warning({"a": 1.0}) is None


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (12, 3), elements=st.floats(-1e6, 1e6, allow_subnormal=False)),
    st.sampled_from(enc.SCALINGS),
)
def test_inverse_of_scaling_round_trips(values, scaling):
    df = pd.DataFrame(values, columns=["a", "b", "c"])
    specs = [ColumnSpec(c) for c in "abc"]
    X, fitted = enc.fit_encoding(df, specs, {"a", "b", "c"}, scaling)
    back = fitted.centers_original(X).to_numpy()
    np.testing.assert_allclose(back, values, rtol=1e-9, atol=1e-6 * (1 + np.abs(values).max()))


# --- scale_block: the one scaling of the app (uploads and built-in data) ----------------


def test_scale_block_standardises_by_hand_and_keeps_a_constant_column_at_zero():
    out, scaler = enc.scale_block(np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]]), "standardise")
    # column 0: mean 3, population std sqrt(8/3); constant column 1 becomes 0, not NaN
    s = np.sqrt(8 / 3)
    assert out[:, 0] == pytest.approx([-2 / s, 0, 2 / s])
    assert out[:, 1].tolist() == [0.0, 0.0, 0.0]
    assert scaler is not None


def test_scale_block_min_max_by_hand():
    out, _ = enc.scale_block(np.array([[2.0, 7.0], [4.0, 7.0], [10.0, 7.0]]), "min-max")
    assert out[:, 0] == pytest.approx([0.0, 0.25, 1.0])
    assert out[:, 1].tolist() == [0.0, 0.0, 0.0]


def test_scale_block_none_keeps_values_and_an_unknown_choice_is_refused():
    a = np.array([[1.0, 2.0]])
    out, scaler = enc.scale_block(a, "none")
    assert scaler is None and np.array_equal(out, a)
    with pytest.raises(ValueError, match="choose one of"):
        enc.scale_block(a, "magic")
