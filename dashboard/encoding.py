r"""From table columns to the numbers K-Means clusters, and back (scikit-learn pieces).

:func:`fit_encoding` takes the feature columns of a table (rows with a missing value
to drop are already gone) and returns the matrix to cluster plus a
:class:`FittedEncoding` that maps centers back to the table's units.

Per column:

- ``"numeric"``: the values; missing ones filled with the mean or median
  (:class:`~sklearn.impute.SimpleImputer`).
- ``"ordinal"``: text levels as codes 0, 1, 2, ... in sorted order
  (:class:`~sklearn.preprocessing.OrdinalEncoder`); the codes are then scaled
  with the numeric columns.
- ``"one-hot"``: one 0/1 column per level (:class:`~sklearn.preprocessing.OneHotEncoder`),
  multiplied by a weight (see below); not scaled.

Numeric and ordinal columns are scaled together (``"standardise"``:
:class:`~sklearn.preprocessing.StandardScaler`, ``"min-max"``:
:class:`~sklearn.preprocessing.MinMaxScaler`, or ``"none"``).

**One-hot weight rule.** The 0/1 columns of a category with level shares
:math:`p_1..p_L` have total variance :math:`1 - \sum p_i^2`. Each is multiplied by

.. math:: w = \sqrt{v / (1 - \sum p_i^2)}

where :math:`v` is the mean variance of the scaled numeric columns (1 after
standardising; 1 when there are none). The whole category then carries as much
variance, and so as much weight in the distances, as one numeric column, however
many levels it has: a 5-level category cannot outweigh the measurements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

ENCODINGS = ("numeric", "one-hot", "ordinal")
TEXT_ENCODINGS = ("one-hot", "ordinal")
SCALINGS = ("none", "standardise", "min-max")
NUMERIC_FILL = ("mean", "median")
TEXT_FILL = ("most_frequent",)
MISSING_LABELS = {
    "drop": "drop the rows",
    "mean": "fill with the mean",
    "median": "fill with the median",
    "most_frequent": "fill with the most frequent value",
}
SCALING_LABELS = {
    "none": "None (keep units)",
    "standardise": "Standardise (mean 0, std 1)",
    "min-max": "Min-max (0 to 1)",
}
WEIGHT_RULE = (
    "one-hot columns of a category are multiplied by sqrt(v / (1 - sum of squared level "
    "shares)), v = mean variance of the scaled numeric columns, so each category weighs "
    "as much as one numeric column"
)


@dataclass(frozen=True)
class ColumnSpec:
    """How one table column becomes features.

    Attributes
    ----------
    name : str
    encoding : {"numeric", "one-hot", "ordinal"}
    missing : {"drop", "mean", "median", "most_frequent"}
        Only "drop" and the fills that suit the column's kind are accepted.
    """

    name: str
    encoding: str = "numeric"
    missing: str = "drop"


@dataclass(frozen=True, eq=False)
class FittedEncoding:
    """The fitted pieces: which matrix columns come from which table column, and how.

    Attributes
    ----------
    specs : tuple of ColumnSpec
    feature_names : list of str
        Matrix column names: the column's own for numeric and ordinal columns,
        ``"column=level"`` for one-hot columns.
    blocks : dict of str to slice
        Table column -> its matrix columns.
    scaled : list of str
        Numeric and ordinal columns, in the order the scaler saw them.
    scaler : StandardScaler or MinMaxScaler or None
    levels : dict of str to list of str
        Levels of each text column (ordinal codes index them; one-hot columns follow them).
    weights : dict of str to float
        One-hot weight per one-hot column.
    scaling : str
    """

    specs: tuple[ColumnSpec, ...]
    feature_names: list[str]
    blocks: dict[str, slice]
    scaled: list[str]
    scaler: StandardScaler | MinMaxScaler | None
    levels: dict[str, list[str]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    scaling: str = "none"

    def centers_original(self, centers: np.ndarray) -> pd.DataFrame:
        """Centers in the table's units: the inverse of scaling and encoding.

        Numeric columns get their value; an ordinal column gets the level nearest to
        the center's code; a one-hot column gets its most common level in the
        cluster, followed by the share of each level (``"share column=level"``).
        """
        centers = np.atleast_2d(np.asarray(centers, dtype=np.float64))
        unscaled = self._unscale(centers)
        out: dict[str, object] = {}
        for spec in self.specs:
            block = centers[:, self.blocks[spec.name]]
            if spec.encoding == "numeric":
                out[spec.name] = unscaled[spec.name]
            elif spec.encoding == "ordinal":
                codes = np.clip(np.rint(unscaled[spec.name]), 0, len(self.levels[spec.name]) - 1)
                out[spec.name] = [self.levels[spec.name][int(c)] for c in codes]
            else:
                shares = block / self.weights[spec.name]
                levels = self.levels[spec.name]
                out[spec.name] = [levels[int(i)] for i in np.argmax(shares, axis=1)]
                for j, level in enumerate(levels):
                    out[f"share {spec.name}={level}"] = shares[:, j]
        return pd.DataFrame(out)

    def matrix_in_original_units(self, X: np.ndarray) -> np.ndarray:
        """Rows of the feature matrix (data or centers) with scaling and weights undone.

        Same shape and columns as ``X``: numeric columns in the file's units, ordinal
        columns as level codes, one-hot columns as 0/1 (a center's: the share of the
        level in its cluster).
        """
        out = np.array(np.atleast_2d(X), dtype=np.float64)
        for name, values in self._unscale(out).items():
            out[:, self.blocks[name]] = values[:, None]
        for name, weight in self.weights.items():
            out[:, self.blocks[name]] /= weight
        return out

    def _unscale(self, centers: np.ndarray) -> dict[str, np.ndarray]:
        """Scaled columns' values in their own units (ordinal ones as codes)."""
        if not self.scaled:
            return {}
        cols = np.column_stack([centers[:, self.blocks[c]][:, 0] for c in self.scaled])
        if self.scaler is not None:
            cols = self.scaler.inverse_transform(cols)
        return {c: cols[:, j] for j, c in enumerate(self.scaled)}


def _fill(values: pd.Series, spec: ColumnSpec, numeric: bool) -> pd.Series:
    """The column with its missing values filled as ``spec.missing`` says."""
    if not values.isna().any():
        return values
    if spec.missing == "drop":
        raise ValueError(f"column {spec.name!r} still has missing values to drop")
    allowed = NUMERIC_FILL if numeric else TEXT_FILL
    if spec.missing not in allowed:
        raise ValueError(
            f"Column '{spec.name}' is {'numeric' if numeric else 'text'}: fill its missing "
            f"values with {' or '.join(MISSING_LABELS[a] for a in allowed)}, or drop the rows."
        )
    if values.isna().all():
        raise ValueError(f"Column '{spec.name}' has no values at all; leave it out.")
    if numeric:
        filled = SimpleImputer(strategy=spec.missing).fit_transform(values.to_frame())
        return pd.Series(filled[:, 0], index=values.index)
    return values.fillna(values.mode(dropna=True).iloc[0])


def _text(values: pd.Series) -> np.ndarray:
    """Text levels as a 2-D object column (numbers in a text column become text)."""
    return values.astype(str).str.strip().to_numpy(dtype=object).reshape(-1, 1)


def scale_block(
    block: np.ndarray, how: str
) -> tuple[np.ndarray, StandardScaler | MinMaxScaler | None]:
    """Scale columns: ``"none"``, ``"standardise"`` (z-scores) or ``"min-max"`` (0 to 1).

    A constant column stays constant (0 after either scaling) instead of becoming NaN.

    Returns
    -------
    scaled : ndarray
    scaler : fitted scikit-learn scaler, or None for ``"none"`` (or no columns)
    """
    if how not in SCALINGS:
        raise ValueError(f"Scaling: choose one of {', '.join(SCALINGS)}, not {how!r}.")
    if block.shape[1] == 0 or how == "none":
        return block, None
    scaler = StandardScaler() if how == "standardise" else MinMaxScaler()
    return scaler.fit_transform(block), scaler


def one_hot_weight(shares: np.ndarray, v: float) -> float:
    """The weight of a category's 0/1 columns (see the module docstring).

    Parameters
    ----------
    shares : ndarray
        Share of the rows in each level (sums to 1).
    v : float
        Mean variance of the scaled numeric columns.

    Returns
    -------
    float
        1.0 for a single-level category (its columns are constant and weigh nothing).
    """
    spread = 1.0 - float(np.sum(np.square(shares)))
    if spread <= 0:
        return 1.0
    return float(np.sqrt(v / spread))


def _check_spec(spec: ColumnSpec, is_numeric: bool) -> None:
    if spec.encoding not in ENCODINGS:
        raise ValueError(f"Encoding: choose one of {', '.join(ENCODINGS)}, not {spec.encoding!r}.")
    if is_numeric != (spec.encoding == "numeric"):
        kind = "numbers" if is_numeric else "text"
        raise ValueError(
            f"Column '{spec.name}' holds {kind}: choose "
            f"{'numeric' if is_numeric else 'one-hot or ordinal'} encoding for it."
        )


def fit_encoding(
    frame: pd.DataFrame, specs: list[ColumnSpec], numeric: set[str], scaling: str
) -> tuple[np.ndarray, FittedEncoding]:
    """Encode, fill and scale the feature columns of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        The rows to cluster (rows to drop are already removed).
    specs : list of ColumnSpec
        Feature columns, in the order they become matrix columns.
    numeric : set of str
        Which columns of ``frame`` hold numbers.
    scaling : {"none", "standardise", "min-max"}

    Returns
    -------
    X : ndarray of shape (n_rows, n_matrix_columns)
    encoding : FittedEncoding

    Raises
    ------
    ValueError
        An encoding that does not suit the column, a fill that does not suit it,
        or a column with no values; the message is fit to show the user.
    """
    raw: dict[str, np.ndarray] = {}
    levels: dict[str, list[str]] = {}
    for spec in specs:
        _check_spec(spec, spec.name in numeric)
        values = _fill(frame[spec.name], spec, spec.name in numeric)
        if spec.encoding == "numeric":
            raw[spec.name] = values.to_numpy(dtype=np.float64).reshape(-1, 1)
            continue
        enc = OneHotEncoder(sparse_output=False, dtype=np.float64)
        if spec.encoding == "ordinal":
            enc = OrdinalEncoder(dtype=np.float64)
        raw[spec.name] = enc.fit_transform(_text(values))
        levels[spec.name] = [str(v) for v in enc.categories_[0]]
    scaled = [s.name for s in specs if s.encoding != "one-hot"]
    block, scaler = scale_block(
        np.column_stack([raw[c] for c in scaled] or [np.empty((len(frame), 0))]), scaling
    )
    v = float(np.mean(np.var(block, axis=0))) if block.shape[1] else 1.0
    v = v if v > 0 else 1.0
    for j, c in enumerate(scaled):
        raw[c] = block[:, j : j + 1]
    weights = {}
    for spec in specs:
        if spec.encoding == "one-hot":
            weights[spec.name] = one_hot_weight(raw[spec.name].mean(axis=0), v)
            raw[spec.name] = raw[spec.name] * weights[spec.name]
    return _assemble(specs, raw, levels, scaled, scaler, weights, scaling)


def _assemble(
    specs: list[ColumnSpec],
    raw: dict[str, np.ndarray],
    levels: dict[str, list[str]],
    scaled: list[str],
    scaler: StandardScaler | MinMaxScaler | None,
    weights: dict[str, float],
    scaling: str,
) -> tuple[np.ndarray, FittedEncoding]:
    names: list[str] = []
    blocks: dict[str, slice] = {}
    for spec in specs:
        width = raw[spec.name].shape[1]
        blocks[spec.name] = slice(len(names), len(names) + width)
        if spec.encoding == "one-hot":
            names += [f"{spec.name}={level}" for level in levels[spec.name]]
        else:
            names.append(spec.name)
    X = np.hstack([raw[s.name] for s in specs]) if specs else np.empty((0, 0))
    fitted = FittedEncoding(tuple(specs), names, blocks, scaled, scaler, levels, weights, scaling)
    return np.ascontiguousarray(X, dtype=np.float64), fitted


def variance_shares(X: np.ndarray, encoding: FittedEncoding) -> dict[str, float]:
    """Share of the total variance each table column carries in ``X`` (sums to 1).

    A one-hot category's share is the sum over its 0/1 columns. All zeros when
    ``X`` has no variance at all.
    """
    var = np.var(X, axis=0)
    total = float(var.sum())
    if total <= 0:
        return {s.name: 0.0 for s in encoding.specs}
    return {s.name: float(var[encoding.blocks[s.name]].sum() / total) for s in encoding.specs}


def dominance_warning(shares: dict[str, float]) -> str | None:
    """A warning when one column carries most of the variance, else None.

    "Most" means more than half, and more than 1.5 times its fair share (1/d), so
    two columns at 55 % / 45 % do not warn but 80 % / 20 % does.
    """
    if len(shares) < 2:
        return None
    name = max(shares, key=lambda c: shares[c])
    share = shares[name]
    if share > max(0.5, 1.5 / len(shares)):
        return (
            f"In the features as clustered, '{name}' carries {share:.0%} of the variance: the "
            "clusters will mostly follow this one column. Standardise the features, or leave "
            "it out."
        )
    return None
