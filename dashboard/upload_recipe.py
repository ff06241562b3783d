"""An uploaded table plus a recipe (the user's choices) -> the Dataset every page clusters.

The recipe is a JSON-able dict; it goes into the dataset (``Dataset.origin``), the
Export page's ``settings.json`` and the sidebar summary, and :func:`build_dataset`
rebuilds exactly the same dataset from it and the same file::

    {
      "source": {"kind": "upload", "file_name": "penguins.csv", "sha256": "...",
                 "n_rows": 344, "n_columns": 8, "delimiter": ",", "encoding": "utf-8"},
      "features": [{"column": "bill_length_mm", "encoding": "numeric", "missing": "drop"},
                   {"column": "island", "encoding": "one-hot", "missing": "drop"}],
      "label": "species",
      "scaling": "standardise",
      "left_out": {"year": "time-like: ..."}
    }

Anything wrong raises :class:`~dashboard.csv_upload.UploadError` with a message fit
to show the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard import encoding as enc
from dashboard.column_roles import Defaults, suggest
from dashboard.csv_upload import MAX_ABS_VALUE, MAX_CLASSES, ParsedCSV, UploadError
from dashboard.dataset import Dataset, UploadOrigin

MISSING_LABEL = "(missing)"


def source_of(parsed: ParsedCSV, file_name: str) -> dict[str, Any]:
    """The recipe's ``source`` part: which file, so a settings file can be checked against it."""
    return {
        "kind": "upload",
        "file_name": file_name,
        "sha256": parsed.sha256,
        "n_rows": parsed.n_rows,
        "n_columns": int(parsed.frame.shape[1]),
        "columns": [str(c) for c in parsed.frame.columns],
        "delimiter": parsed.delimiter,
        "encoding": parsed.encoding,
    }


def make_recipe(
    parsed: ParsedCSV,
    file_name: str,
    features: list[str],
    *,
    label: str | None = None,
    scaling: str = "none",
    encodings: Mapping[str, str] | None = None,
    missing: Mapping[str, str] | None = None,
    left_out: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A recipe from explicit choices.

    Parameters
    ----------
    parsed : ParsedCSV
    file_name : str
    features : list of str
        Feature columns, numeric or text, in the order they become features.
    label : str, optional
    scaling : {"none", "standardise", "min-max"}
    encodings : mapping, optional
        Text column -> "one-hot" | "ordinal" (default one-hot); numeric columns are "numeric".
    missing : mapping, optional
        Column -> "drop" | "mean" | "median" | "most_frequent" (default "drop").
    left_out : mapping, optional
        Column -> why it is not used (shown to the user and kept in settings).

    Returns
    -------
    dict
    """
    encodings = encodings or {}
    missing = missing or {}
    numeric = set(parsed.numeric_columns)
    columns = [
        {
            "column": c,
            "encoding": "numeric" if c in numeric else encodings.get(c, "one-hot"),
            "missing": missing.get(c, "drop"),
        }
        for c in features
    ]
    unused = [str(c) for c in parsed.frame.columns if c not in features and c != label]
    reasons = dict(left_out or {})
    return {
        "source": source_of(parsed, file_name),
        "features": columns,
        "label": label,
        "scaling": scaling,
        "left_out": {c: reasons.get(c, "not chosen") for c in unused},
    }


def default_recipe(parsed: ParsedCSV, file_name: str, defaults: Defaults | None = None) -> dict:
    """The recipe of :func:`dashboard.column_roles.suggest`'s defaults."""
    d = defaults or suggest(parsed)
    return make_recipe(
        parsed,
        file_name,
        d.features,
        label=d.label,
        scaling=d.scaling,
        missing=d.missing,
        left_out=d.left_out,
    )


def _label_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (0..C-1, sorted by class name) and the class names."""
    if pd.api.types.is_numeric_dtype(s):
        finite = s.dropna()
        if (finite == finite.round()).all():
            s = s.astype("Int64")
    names = s.astype("string").fillna(MISSING_LABEL).str.strip()
    codes, uniques = pd.factorize(names, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def _specs(parsed: ParsedCSV, recipe: Mapping[str, Any]) -> list[enc.ColumnSpec]:
    """The recipe's feature columns, checked against the table."""
    try:
        specs = [
            enc.ColumnSpec(str(f["column"]), str(f.get("encoding", "numeric")), str(f["missing"]))
            for f in recipe["features"]
        ]
    except (KeyError, TypeError) as exc:
        raise UploadError(f"The recipe's feature list is malformed ({exc}).") from None
    if not specs:
        raise UploadError("Choose at least one column to cluster on.")
    absent = [s.name for s in specs if s.name not in parsed.frame.columns]
    if absent:
        raise UploadError(
            f"The file has no column(s) {', '.join(absent)}; choose from "
            f"{', '.join(map(str, parsed.frame.columns[:12]))}."
        )
    unusable = [s.name for s in specs if s.name not in parsed.numeric_columns + parsed.text_columns]
    if unusable:
        raise UploadError(f"Column(s) {', '.join(unusable)} are empty; leave them out.")
    return specs


def _check_values(parsed: ParsedCSV, names: list[str]) -> None:
    """Infinite or overflowing values in the numeric features: a message saying where."""
    if not names:
        return
    X = parsed.frame[names].to_numpy(dtype=np.float64)
    inf = np.isinf(X)
    if inf.any():
        cols = [names[j] for j in np.flatnonzero(inf.any(axis=0))]
        row = int(np.flatnonzero(inf.any(axis=1))[0]) + 2  # +1 header, +1 one-based
        raise UploadError(
            f"{int(inf.sum()):,} infinite value(s) (inf) in column(s) {', '.join(cols)}, first "
            f"on line {row}. K-Means needs finite numbers: fix or empty those cells (empty "
            "cells count as missing), or leave the column(s) out."
        )
    big = np.abs(np.nan_to_num(X)) > MAX_ABS_VALUE
    if big.any():
        cols = [names[j] for j in np.flatnonzero(big.any(axis=0))]
        raise UploadError(
            f"Values larger than {MAX_ABS_VALUE:.0e} in column(s) {', '.join(cols)} would "
            "overflow distance computations. Rescale them (e.g. use log values) or leave "
            "them out."
        )


def _check_label(parsed: ParsedCSV, label: Any, features: list[str]) -> None:
    if label is None:
        return
    if label not in parsed.frame.columns:
        raise UploadError(f"There is no column '{label}' to use as labels.")
    if label in features:
        raise UploadError(
            f"'{label}' cannot be both a feature and the label: the label is kept only to "
            "score the clustering. Remove it from the features."
        )
    k = int(parsed.frame[label].nunique(dropna=True))
    if k > MAX_CLASSES:
        raise UploadError(
            f"Column '{label}' has {k:,} different values; a label column names classes "
            f"(at most {MAX_CLASSES}), like a species. Choose another column or no label."
        )


def row_reasons(frame: pd.DataFrame, drop_columns: list[str]) -> np.ndarray:
    """Per row: ``""`` when it is kept, else "missing value in a, b".

    Parameters
    ----------
    frame : DataFrame
    drop_columns : list of str
        Columns whose missing values drop the row.

    Returns
    -------
    ndarray of object, shape (len(frame),)
    """
    reasons = np.full(len(frame), "", dtype=object)
    if not drop_columns:
        return reasons
    missing = frame[drop_columns].isna()
    rows = missing.any(axis=1).to_numpy()
    if rows.any():
        # One string per row: the names of its empty columns, joined (vectorised via dot).
        joined = missing[rows].dot(
            pd.Series([f"{c}, " for c in drop_columns], index=missing.columns)
        )
        reasons[rows] = ("missing value in " + joined.str.rstrip(", ")).to_numpy(dtype=object)
    return reasons


def _notes(parsed: ParsedCSV, recipe: Mapping[str, Any], reasons: np.ndarray) -> list[str]:
    notes = [f"Read {parsed.summary}."] + list(parsed.notes)
    n_left = int((reasons != "").sum())
    if n_left:
        notes.append(
            f"Left out {n_left:,} row(s) with a missing value (they are in the labelled "
            "export with an empty cluster and the reason)."
        )
    filled = [f["column"] for f in recipe["features"] if f["missing"] != "drop"]
    filled = [c for c in filled if parsed.frame[c].isna().any()]
    if filled:
        notes.append(f"Filled missing values in: {', '.join(filled)}.")
    if recipe.get("left_out"):
        notes.append(f"Columns not used as features: {', '.join(recipe['left_out'])}.")
    if recipe.get("label") is not None:
        notes.append(f"Column '{recipe['label']}' kept as true labels.")
    notes.append(f"Scaling: {enc.SCALING_LABELS[recipe['scaling']].lower()}.")
    return notes


def build_dataset(parsed: ParsedCSV, name: str, recipe: Mapping[str, Any]) -> Dataset:
    """The dataset ``recipe`` describes, built from ``parsed``.

    Parameters
    ----------
    parsed : ParsedCSV
    name : str
        Shown as the dataset's name (usually the file name).
    recipe : mapping
        See the module docstring (:func:`make_recipe` writes one).

    Returns
    -------
    Dataset
        ``source="upload"``, ``recipe=None`` (nothing a link can carry) and
        ``origin`` holding the table, the recipe and the fitted encoding.

    Raises
    ------
    UploadError
    """
    specs = _specs(parsed, recipe)
    names = [s.name for s in specs]
    _check_values(parsed, [c for c in names if c in parsed.numeric_columns])
    label = recipe.get("label")
    _check_label(parsed, label, names)
    reasons = row_reasons(parsed.frame, [s.name for s in specs if s.missing == "drop"])
    kept = reasons == ""
    if kept.sum() < 2:
        raise UploadError(
            f"{'No' if kept.sum() == 0 else 'Only one'} row left after dropping rows with "
            "missing values; K-Means needs at least two. Fill missing values with the mean "
            "or median instead, or choose fewer columns."
        )
    try:
        X, fitted = enc.fit_encoding(
            parsed.frame[kept], specs, set(parsed.numeric_columns), recipe["scaling"]
        )
    except ValueError as exc:
        raise UploadError(str(exc)) from None
    y, class_names = _label_codes(parsed.frame[label][kept]) if label else (None, None)
    warning = enc.dominance_warning(enc.variance_shares(X, fitted))
    origin = UploadOrigin(
        recipe=dict(recipe),
        frame=parsed.frame,
        integer_columns=tuple(parsed.integer_columns),
        row_reasons=reasons,
        encoding=fitted,
        warnings=(warning,) if warning else (),
    )
    return Dataset(
        name=name,
        X=X,
        feature_names=fitted.feature_names,
        true_labels=y,
        class_names=class_names,
        source="upload",
        recipe=None,
        notes=_notes(parsed, recipe, reasons),
        origin=origin,
    )


def build_from_choices(
    parsed: ParsedCSV,
    name: str,
    features: list[str],
    label: str | None = None,
    missing: str = "drop",
    scaling: str = "none",
) -> Dataset:
    """Shortcut: one missing-value choice for every numeric feature (text ones: most frequent)."""
    fill = {c: missing if c in parsed.numeric_columns else "most_frequent" for c in features}
    if missing == "drop":
        fill = {}
    recipe = make_recipe(parsed, name, features, label=label, scaling=scaling, missing=fill)
    return build_dataset(parsed, name, recipe)


def summary(recipe: Mapping[str, Any], n_left_out: int = 0) -> str:
    """One line for the sidebar: features by encoding, scaling, rows left out, label."""
    counts: dict[str, int] = {}
    for f in recipe.get("features", []):
        counts[f["encoding"]] = counts.get(f["encoding"], 0) + 1
    parts = [" + ".join(f"{n} {e}" for e, n in counts.items())]
    parts.append(enc.SCALING_LABELS.get(recipe.get("scaling", "none"), "?").split(" (")[0].lower())
    if n_left_out:
        parts.append(f"{n_left_out:,} row(s) left out")
    if recipe.get("left_out"):
        parts.append(f"{len(recipe['left_out'])} column(s) unused")
    return " · ".join(parts)
