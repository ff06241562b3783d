"""Missing values and scaling, checked against hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dashboard import preprocess as pp

NAN = np.nan
X = np.array(
    [
        [1.0, 10.0],
        [NAN, 20.0],
        [3.0, NAN],
        [8.0, 40.0],
    ]
)


def test_count_missing():
    assert pp.count_missing(X) == (2, 2)
    assert pp.count_missing(np.zeros((3, 2))) == (0, 0)


def test_drop_removes_rows_with_any_missing_value():
    out, kept, note = pp.handle_missing(X, "drop")
    assert out.tolist() == [[1.0, 10.0], [8.0, 40.0]]
    assert kept.tolist() == [True, False, False, True]
    assert note == "Dropped 2 row(s) with missing values (2 empty cells)."


def test_mean_imputation():
    out, kept, note = pp.handle_missing(X, "mean")
    # column means of the present values: (1+3+8)/3 = 4, (10+20+40)/3 = 23.333...
    assert out[1, 0] == pytest.approx(4.0)
    assert out[2, 1] == pytest.approx(70 / 3)
    assert kept.all() and "Filled 2 missing value(s) in 2 row(s) with the column mean" in note


def test_median_imputation():
    out, _, note = pp.handle_missing(X, "median")
    assert out[1, 0] == 3.0 and out[2, 1] == 20.0
    assert note.endswith("column median.")


def test_nothing_missing_means_no_note():
    out, kept, note = pp.handle_missing(np.ones((3, 2)), "drop")
    assert note is None and kept.all() and out.shape == (3, 2)


def test_imputing_an_all_empty_column_is_refused():
    with pytest.raises(ValueError, match="no values at all"):
        pp.handle_missing(np.array([[1.0, NAN], [2.0, NAN]]), "mean")


@pytest.mark.parametrize("fn", [pp.handle_missing, pp.scale])
def test_unknown_choice(fn):
    with pytest.raises(ValueError, match="choose one of"):
        fn(np.ones((2, 2)), "magic")


def test_standardise_by_hand():
    out, note = pp.scale(np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]]), "standardise")
    # column 0: mean 3, population std sqrt(8/3); constant column 1 becomes 0, not NaN
    s = np.sqrt(8 / 3)
    assert out[:, 0] == pytest.approx([-2 / s, 0, 2 / s])
    assert out[:, 1].tolist() == [0.0, 0.0, 0.0]
    assert "mean 0, std 1" in note


def test_min_max_by_hand():
    out, note = pp.scale(np.array([[2.0, 7.0], [4.0, 7.0], [10.0, 7.0]]), "min-max")
    assert out[:, 0] == pytest.approx([0.0, 0.25, 1.0])
    assert out[:, 1].tolist() == [0.0, 0.0, 0.0]
    assert "0 to 1" in note


def test_none_keeps_values():
    a = np.array([[1.0, 2.0]])
    out, note = pp.scale(a, "none")
    assert note is None and np.array_equal(out, a)


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)), elements=st.floats(-1e6, 1e6)
    )
)
def test_scaled_data_has_the_promised_range(a):
    mm, _ = pp.scale(a, "min-max")
    assert np.all((mm >= -1e-12) & (mm <= 1 + 1e-12))
    z, _ = pp.scale(a, "standardise")
    assert np.isfinite(z).all()
    assert np.allclose(z.mean(axis=0), 0, atol=1e-6)
