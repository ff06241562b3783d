"""Every invalid input gives a ValueError (or TypeError) whose message says what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from kmeans_core import (
    KMeans,
    NonNumericDataError,
    elbow_sweep,
    farthest_point_init,
    kmeans_plusplus,
    lloyd_steps,
    random_init,
)
from kmeans_core._validation import check_data

GOOD = np.arange(20, dtype=float).reshape(10, 2)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), r"X contains 1 NaN value\(s\); drop or impute"),
        (np.array([[0.0, np.inf], [1.0, -np.inf]]), r"X contains 2 infinite value\(s\)"),
        (
            np.array([[np.nan, np.inf], [1.0, 2.0]]),
            r"X contains 1 NaN and 1 infinite value\(s\)",
        ),
        (np.empty((0, 3)), r"X has no rows: found array with 0 sample\(s\)"),
        (np.empty((4, 0)), r"X has no columns: found array with 0 feature\(s\)"),
        (np.arange(5.0), r"got a 1-D array of 5 values. Reshape your data with X.reshape\(-1, 1\)"),
        (np.zeros((2, 2, 2)), "Expected a 2-D array, got an array with 3 dimensions"),
        (np.array([["a", "b"], ["c", "d"]]), "X contains non-numeric values"),
        (np.array([[1.0, "x"]], dtype=object), "X contains non-numeric values"),
        (np.array([[1.0, None], [2.0, 3.0]], dtype=object), r"X contains 1 NaN value"),
        (np.array([[1 + 2j, 0]]), "Complex data not supported"),
        (np.array([[1e200, 0.0], [0.0, 1.0]]), "X has values up to 1e[+]200 in size, too large"),
        (np.array([[-1e19, 0.0], [0.0, 1.0]], dtype=np.float32), "too large to square and sum"),
    ],
)
def test_bad_data(X, message):
    with pytest.raises(ValueError, match=message):
        KMeans(1).fit(X)
    with pytest.raises(ValueError, match=message):
        list(lloyd_steps(X, np.zeros((1, 2))))
    with pytest.raises(ValueError, match=message):
        elbow_sweep(X, [1])


def test_numeric_strings_and_lists_are_accepted():
    model = KMeans(2, random_state=0).fit([["1", "2"], ["3", "4"], ["10", "10"]])
    assert model.cluster_centers_.dtype == np.float64
    assert KMeans(2, random_state=0).fit([[1, 2], [3, 4], [10, 10]]).n_features_in_ == 2


def test_unconvertible_objects_are_value_and_type_errors():
    X = np.array([[1.0, {"a": 1}], [2.0, 3.0]], dtype=object)
    with pytest.raises(NonNumericDataError, match="argument must be a string or a real number"):
        KMeans(1).fit(X)
    assert issubclass(NonNumericDataError, ValueError)
    assert issubclass(NonNumericDataError, TypeError)


def test_pandas_missing_values_are_reported_as_missing():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"X contains missing values \(NA\)"):
        KMeans(1).fit(frame.astype(object))
    with pytest.raises(ValueError, match=r"X contains missing values \(NA\)"):
        KMeans(1).fit(frame)  # a nullable Int64 column becomes objects with pd.NA
    with pytest.raises(ValueError, match="X contains 1 NaN value"):
        KMeans(1).fit(frame.astype(float))


def test_sparse_input_is_refused_where_dense_is_needed():
    # KMeans accepts CSR (tests/core/test_sparse.py); the dense-only helpers say so.
    with pytest.raises(TypeError, match="Sparse input is not supported"):
        check_data(sparse.csr_matrix(GOOD))


def test_sparse_input_with_nan_is_refused():
    bad = sparse.csr_matrix(np.array([[0.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="NaN or infinite"):
        KMeans(1).fit(bad)


@pytest.mark.parametrize(
    ("n_clusters", "message"),
    [
        (0, "n_clusters must be at least 1, got 0"),
        (-2, "n_clusters must be at least 1, got -2"),
        (11, r"n_clusters=11 is larger than the number of samples \(10\); choose K at most 10"),
        (2.5, "n_clusters must be a whole number, got 2.5"),
        ("3", "n_clusters must be a whole number, got '3'"),
        (True, "n_clusters must be a whole number, got True"),
    ],
)
def test_bad_n_clusters(n_clusters, message):
    with pytest.raises(ValueError, match=message):
        KMeans(n_clusters).fit(GOOD)
    with pytest.raises(ValueError, match=message):
        elbow_sweep(GOOD, [1, n_clusters])


def test_n_clusters_equal_to_n_samples_is_fine():
    model = KMeans(10, random_state=0).fit(GOOD)
    assert model.inertia_ == pytest.approx(0.0, abs=1e-9)
    assert np.unique(model.labels_).size == 10


def test_numpy_integer_n_clusters_is_fine():
    assert KMeans(np.int64(2), random_state=0).fit(GOOD).cluster_centers_.shape == (2, 2)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"init": "kmeans++"}, r"init must be 'k-means\+\+', 'random', an array or a callable"),
        ({"init": 3}, r"init must be 'k-means\+\+', 'random', an array or a callable"),
        (
            {"init": np.zeros((3, 2))},
            r"initial centers \(3, 2\) does not match the number of clusters 2",
        ),
        ({"init": np.zeros((2, 3))}, r"does not match the number of features of the data 2"),
        ({"init": np.zeros(4)}, "initial centers must be a 2-D array"),
        ({"init": [[0.0, np.nan], [1.0, 1.0]]}, "initial centers contain NaN or infinite"),
        ({"init": [["a", "b"], ["c", "d"]]}, "initial centers must be an array of numbers"),
        ({"init": lambda X, k, rs: X[:1]}, r"initial centers \(1, 2\) does not match"),
        ({"n_init": 0}, "n_init must be 'auto' or a whole number >= 1, got 0"),
        ({"n_init": "many"}, "n_init must be 'auto' or a whole number >= 1"),
        ({"max_iter": 0}, "max_iter must be a whole number >= 1, got 0"),
        ({"max_iter": 2.5}, "max_iter must be a whole number >= 1, got 2.5"),
        ({"tol": -1e-3}, "tol must be a non-negative number, got -0.001"),
        ({"tol": np.nan}, "tol must be a non-negative number"),
        ({"tol": "small"}, "tol must be a non-negative number"),
        (
            {"algorithm": "full"},
            "algorithm must be one of 'lloyd', 'elkan', 'hamerly', 'tree', 'auto', got 'full'",
        ),
        ({"random_state": "seed"}, "random_state must be None, an int or a RandomState"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        KMeans(2, **params).fit(GOOD)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(9), r"sample_weight must have shape \(10,\), got shape \(9,\)"),
        (np.ones((10, 1)), r"sample_weight must have shape \(10,\), got shape \(10, 1\)"),
        (np.r_[np.ones(9), np.nan], "sample_weight contains NaN or infinite values"),
        (np.r_[np.ones(9), -1.0], "sample_weight must be non-negative"),
        (np.zeros(10), "sample_weight sums to zero"),
    ],
)
def test_bad_sample_weight(weights, message):
    with pytest.raises(ValueError, match=message):
        KMeans(2).fit(GOOD, sample_weight=weights)
    with pytest.raises(ValueError, match=message):
        list(lloyd_steps(GOOD, GOOD[:2], sample_weight=weights))


def test_scalar_sample_weight_means_all_equal():
    a = KMeans(2, random_state=0).fit(GOOD, sample_weight=2.0)
    b = KMeans(2, random_state=0).fit(GOOD)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == pytest.approx(2 * b.inertia_)


def test_predict_with_wrong_number_of_features():
    model = KMeans(2, random_state=0).fit(GOOD)
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 2"):
        model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        model.transform(np.array([[np.nan, 0.0]]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"init_centers": np.zeros((2, 3))}, "does not match the number of features"),
        ({"init_centers": np.zeros((11, 2))}, "n_clusters=11 is larger than the number of samples"),
        ({"init_centers": np.zeros((0, 2))}, "initial centers are empty"),
        ({"init_centers": np.zeros((2, 2)), "max_iter": 0}, "max_iter must be a whole number"),
        ({"init_centers": np.zeros((2, 2)), "tol": -1}, "tol must be a non-negative number"),
    ],
)
def test_lloyd_steps_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        list(lloyd_steps(GOOD, **kwargs))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k_values": []}, "k_values is empty"),
        ({"k_values": 3}, "k_values must be a sequence of whole numbers"),
        ({"k_values": [2], "n_init": 0}, "n_init must be a whole number >= 1"),
        (
            {"k_values": [2], "init": "farthest"},
            r"init must be 'k-means\+\+', 'random' or a callable",
        ),
        ({"k_values": [2], "tol": -1}, "tol must be a non-negative number"),
        ({"k_values": [2], "random_state": 1.5}, "random_state must be None, an int"),
    ],
)
def test_elbow_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        elbow_sweep(GOOD, **kwargs)


@pytest.mark.parametrize("initialiser", [kmeans_plusplus, random_init, farthest_point_init])
def test_initialisers_check_k(initialiser):
    with pytest.raises(ValueError, match="n_clusters=11 is larger than the number of samples"):
        initialiser(GOOD, 11, 0)
    with pytest.raises(ValueError, match="n_clusters must be at least 1"):
        initialiser(GOOD, 0, 0)


def test_random_init_needs_enough_weighted_rows():
    with pytest.raises(ValueError, match="Only 1 samples have a non-zero weight"):
        random_init(GOOD, 2, 0, sample_weight=np.r_[1.0, np.zeros(9)])
