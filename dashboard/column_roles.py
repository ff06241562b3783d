"""The choices a careful analyst would make for an uploaded table, each with its reason.

:func:`suggest` looks at a :class:`~dashboard.csv_upload.ParsedCSV` and proposes:

- **features**: the numeric columns, minus id-like columns (named id/index/key...,
  monotone integers, or whole numbers that all differ) and time-like columns
  (named year/date/time..., or text that reads as dates). Text columns are left
  out unless the user gives them an encoding (one-hot or ordinal, see
  :mod:`dashboard.encoding`).
- **label**: a column only when it is clearly a class: its name says so
  (class, label, species, target, type, category, ...) and it has 2 to
  :data:`MAX_CLASSES` distinct values. No name, no label: the user can still pick one.
- **scaling**: standardise when the features' spreads differ by more than
  :data:`SPREAD_RATIO` times (different units, or one column in thousands);
  otherwise keep the units.
- **missing values** per feature: drop the rows when at most
  :data:`DROP_SHARE` of the rows miss a value in it, else fill in (median for
  numbers, the most frequent value for text).

Everything here is plain pandas; the Data page shows each suggestion with its
reason and a one-click undo.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.csv_upload import MAX_CLASSES, ParsedCSV

# A label column's name contains one of these words.
CLASS_WORDS = frozenset(
    {"class", "classes", "label", "labels", "species", "target", "type", "category", "kind"}
)
ID_WORDS = frozenset({"id", "ids", "index", "idx", "key", "uuid", "guid", "rowid", "row"})
TIME_WORDS = frozenset(
    {"year", "years", "yr", "date", "time", "timestamp", "datetime", "month", "day", "week"}
)
# Standardise when the largest spread (std) is more than this many times the smallest.
SPREAD_RATIO = 2.0
# Drop the rows missing a value in a column when they are at most this share of the rows.
DROP_SHARE = 0.05
# A text column with more distinct values than this cannot be one-hot encoded.
MAX_LEVELS = 50
# Fewer rows than this: "all values differ" says nothing about being an id.
MIN_ROWS_FOR_ID = 20


@dataclass(frozen=True)
class Defaults:
    """What :func:`suggest` proposes for a table.

    Attributes
    ----------
    features : list of str
        Numeric columns to cluster on, in file order.
    left_out : dict of str to str
        Numeric or text column -> why it is not a feature by default.
    label : str or None
    label_reason : str
    scaling : {"none", "standardise"}
    scaling_reason : str
    missing : dict of str to str
        Feature -> "drop" | "median" | "most_frequent" (only features with missing values).
    encodable : list of str
        Text columns that can be one-hot or ordinal encoded (few enough levels).
    """

    features: list[str]
    left_out: dict[str, str]
    label: str | None
    label_reason: str
    scaling: str
    scaling_reason: str
    missing: dict[str, str] = field(default_factory=dict)
    encodable: list[str] = field(default_factory=list)


def _words(name: str) -> set[str]:
    """Lower-case words of a column name: ``"Penguin_ID"`` -> {"penguin", "id"}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return set(re.findall(r"[a-z0-9]+", spaced.lower()))


def _whole_numbers(s: pd.Series) -> np.ndarray | None:
    """The values when every present value is a whole number, else None."""
    values = s.dropna().to_numpy(dtype=np.float64)
    if values.size == 0 or not np.all(values == np.round(values)):
        return None
    return values


def id_reason(name: str, s: pd.Series) -> str | None:
    """Why a numeric column looks like a row id, or None.

    Id-like: the name is an id word (id, index, key, ...), or the values are whole
    numbers that only go up (or down), or whole numbers that all differ.
    """
    if _words(name) & ID_WORDS:
        return "id-like: its name says it identifies rows, not a measurement"
    values = _whole_numbers(s)
    if values is None or values.size < 3:
        return None
    steps = np.diff(values)
    if np.all(steps > 0) or np.all(steps < 0):
        return "id-like: whole numbers that only go up, as a row number does"
    # All different *and* packed like 1..n: a shuffled row number (populations are not).
    span = float(values.max() - values.min()) + 1
    distinct = np.unique(values).size == values.size
    if values.size >= MIN_ROWS_FOR_ID and distinct and span <= 2 * values.size:
        return "id-like: whole numbers that all differ and run 1..n like row numbers"
    return None


def time_reason(name: str, s: pd.Series) -> str | None:
    """Why a column looks like a time stamp (year, date, ...), or None.

    A time word in the name counts only for whole numbers or text ("visits_per_month"
    with decimals is a rate, not a time).
    """
    words = _words(name)
    numeric = pd.api.types.is_numeric_dtype(s)
    if words & TIME_WORDS and "per" not in words and (not numeric or _whole_numbers(s) is not None):
        return "time-like: when a row was recorded rarely says what kind of row it is"
    if numeric:
        return None
    sample = s.dropna().astype(str).head(200)
    if sample.empty or sample.str.fullmatch(r"[A-Za-z ]+").all():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format": fine, it is a probe
        dates = pd.to_datetime(sample, errors="coerce", format="mixed")
    if dates.notna().mean() >= 0.9:
        return "time-like: its values are dates"
    return None


def label_reason(name: str, s: pd.Series, n_rows: int) -> str | None:
    """Why a column is clearly a class label, or None."""
    if not _words(name) & CLASS_WORDS:
        return None
    k = int(s.nunique(dropna=True))
    if 2 <= k <= min(MAX_CLASSES, max(2, n_rows // 2)):
        return f"its name says it holds classes ({k} of them): kept to score the clusters"
    return None


def _pick_label(parsed: ParsedCSV) -> tuple[str | None, str]:
    for c in parsed.frame.columns:
        reason = label_reason(str(c), parsed.frame[c], parsed.n_rows)
        if reason:
            return str(c), reason
    return None, (
        "no column is named like a class (class, label, species, target, type, ...); "
        "pick one if your file has true classes"
    )


def _text_reason(name: str, s: pd.Series, n_rows: int) -> tuple[str, bool]:
    """Why a text column is left out by default, and whether it can be encoded."""
    reason = time_reason(name, s)
    if reason:
        return reason, False
    k = int(s.nunique(dropna=True))
    if k > MAX_LEVELS or k >= max(2, n_rows):
        return f"text with {k:,} different values (a name or an id): cannot be encoded", False
    if k < 2:
        return "text with one value: it cannot separate clusters", False
    return f"text with {k} values: give it an encoding (one-hot or ordinal) to use it", True


def _split_numeric(parsed: ParsedCSV, label: str | None) -> tuple[list[str], dict[str, str]]:
    features: list[str] = []
    left_out: dict[str, str] = {}
    for c in parsed.numeric_columns:
        s = parsed.frame[c]
        reason = (
            "the label column"
            if c == label
            else time_reason(c, s) or id_reason(c, s) or _constant_reason(s)
        )
        if reason:
            left_out[c] = reason
        else:
            features.append(c)
    return features, left_out


def _constant_reason(s: pd.Series) -> str | None:
    if s.nunique(dropna=True) <= 1:
        return "constant: one value in every row, so it cannot separate clusters"
    return None


def scaling_default(frame: pd.DataFrame, features: list[str]) -> tuple[str, str]:
    """``("standardise" | "none", reason)`` from the spreads of the numeric features."""
    with np.errstate(all="ignore"):  # inf or 1e200 values: the build step reports them
        stds = frame[features].std(skipna=True)
    stds = stds[stds > 0]
    if len(stds) < 2:
        return "none", "one varying numeric feature: nothing to balance"
    hi, lo = str(stds.idxmax()), str(stds.idxmin())
    s_hi, s_lo = float(stds.max()), float(stds.min())
    ratio = s_hi / s_lo
    if ratio > SPREAD_RATIO:
        return "standardise", (
            f"spreads differ {ratio:,.0f}x ({hi}: std {s_hi:.3g}, {lo}: std "
            f"{s_lo:.3g}); unscaled, {hi} would decide the clusters"
        )
    return "none", f"spreads are within {SPREAD_RATIO:g}x of each other: units kept"


def missing_default(s: pd.Series, numeric: bool) -> str:
    """``"drop"`` when few rows miss a value, else fill in (median or most frequent)."""
    if s.isna().mean() <= DROP_SHARE:
        return "drop"
    return "median" if numeric else "most_frequent"


def suggest(parsed: ParsedCSV) -> Defaults:
    """The default choices for ``parsed`` and the reason for each.

    Parameters
    ----------
    parsed : ParsedCSV

    Returns
    -------
    Defaults
        Falls back to every numeric column when all of them look like ids or times.
    """
    label, why_label = _pick_label(parsed)
    features, left_out = _split_numeric(parsed, label)
    if not features:
        features = [c for c in parsed.numeric_columns if c != label] or list(parsed.numeric_columns)
        left_out = {c: r for c, r in left_out.items() if c not in features}
    encodable = []
    for c in parsed.text_columns:
        if c == label:
            continue
        left_out[c], can_encode = _text_reason(c, parsed.frame[c], parsed.n_rows)
        if can_encode:
            encodable.append(c)
    scaling, why_scaling = scaling_default(parsed.frame, features)
    missing = {
        c: missing_default(parsed.frame[c], True) for c in features if parsed.frame[c].isna().any()
    }
    return Defaults(features, left_out, label, why_label, scaling, why_scaling, missing, encodable)
