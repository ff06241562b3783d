"""The Data page's upload choices as plain data: defaults, one-click undo, the recipe.

The page keeps the user's choices in a :class:`Choices`; :func:`from_defaults` and
:func:`from_recipe` start it, :func:`suggestions` lists each default with its reason
and the choices one click would give instead, and :func:`to_recipe` turns the
choices into the recipe :func:`dashboard.upload_recipe.build_dataset` builds from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dashboard import upload_recipe
from dashboard.column_roles import Defaults
from dashboard.csv_upload import ParsedCSV


@dataclass(frozen=True)
class Choices:
    """What the user chose for an uploaded table.

    Attributes
    ----------
    features : tuple of str
        Feature columns (numeric, or text with an encoding), in file order.
    encodings : dict of str to str
        Text feature -> "one-hot" | "ordinal".
    label : str or None
    scaling : {"none", "standardise", "min-max"}
    missing : dict of str to str
        Feature -> "drop" | "mean" | "median" | "most_frequent"; absent means drop.
    """

    features: tuple[str, ...]
    encodings: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    scaling: str = "none"
    missing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    """One default, why it was chosen, and the one-click alternative.

    Attributes
    ----------
    subject : str
        What it is about (a column name, "Scaling", "Label", "Missing values").
    default : str
        The default in words ("left out", "standardised", ...).
    reason : str
    in_effect : bool
        Whether the current choices still follow the default.
    undo_label, redo_label : str
        Button text to leave the default / to go back to it.
    undone, redone : Choices
        The choices after clicking the button.
    """

    subject: str
    default: str
    reason: str
    in_effect: bool
    undo_label: str
    redo_label: str
    undone: Choices
    redone: Choices

    @property
    def button_label(self) -> str:
        """The button that is shown now."""
        return self.undo_label if self.in_effect else self.redo_label

    @property
    def after_click(self) -> Choices:
        """The choices the shown button gives."""
        return self.undone if self.in_effect else self.redone


def from_defaults(d: Defaults) -> Choices:
    """The choices :func:`dashboard.column_roles.suggest` proposes."""
    return Choices(tuple(d.features), {}, d.label, d.scaling, dict(d.missing))


def from_recipe(recipe: Mapping[str, Any]) -> Choices:
    """The choices a recipe (e.g. from a settings file) records."""
    feats = recipe["features"]
    encodings = {f["column"]: f.get("encoding", "numeric") for f in feats}
    missing = {f["column"]: f.get("missing", "drop") for f in feats}
    return Choices(
        tuple(f["column"] for f in feats),
        {c: e for c, e in encodings.items() if e != "numeric"},
        recipe.get("label"),
        recipe.get("scaling", "none"),
        {c: m for c, m in missing.items() if m != "drop"},
    )


def _in_file_order(parsed: ParsedCSV, names: set[str]) -> tuple[str, ...]:
    return tuple(str(c) for c in parsed.frame.columns if c in names)


def _with_feature(parsed: ParsedCSV, c: Choices, name: str, on: bool) -> Choices:
    names = set(c.features) | {name} if on else set(c.features) - {name}
    encodings = dict(c.encodings)
    if on and name in parsed.text_columns:
        encodings.setdefault(name, "one-hot")
    return replace(c, features=_in_file_order(parsed, names), encodings=encodings)


def _column_suggestions(parsed: ParsedCSV, d: Defaults, c: Choices) -> list[Suggestion]:
    out = []
    for name, reason in d.left_out.items():
        if name not in parsed.numeric_columns and name not in d.encodable:
            continue  # names, ids and empty columns: nothing to undo
        how = "Use it (one-hot)" if name in parsed.text_columns else "Cluster on it"
        out.append(
            Suggestion(
                name,
                "left out",
                reason,
                name not in c.features,
                how,
                "Leave it out",
                _with_feature(parsed, c, name, True),
                _with_feature(parsed, c, name, False),
            )
        )
    return out


def _label_suggestion(d: Defaults, c: Choices) -> Suggestion | None:
    if d.label is None:
        return None
    return Suggestion(
        d.label,
        "the label",
        d.label_reason,
        c.label == d.label,
        "No label",
        "Use it as the label",
        replace(c, label=None),
        replace(c, label=d.label, features=tuple(f for f in c.features if f != d.label)),
    )


def _scaling_suggestion(d: Defaults, c: Choices) -> Suggestion:
    other = "none" if d.scaling == "standardise" else "standardise"
    return Suggestion(
        "Scaling",
        "standardised" if d.scaling == "standardise" else "units kept",
        d.scaling_reason,
        c.scaling == d.scaling,
        "Keep the units" if other == "none" else "Standardise",
        "Standardise" if other == "none" else "Keep the units",
        replace(c, scaling=other),
        replace(c, scaling=d.scaling),
    )


def _missing_suggestion(parsed: ParsedCSV, d: Defaults, c: Choices) -> Suggestion | None:
    drops = [n for n, how in d.missing.items() if how == "drop"]
    if not drops:
        return None
    rows = int(parsed.frame[drops].isna().any(axis=1).sum())
    fill = {n: "median" if n in parsed.numeric_columns else "most_frequent" for n in drops}
    in_effect = all(c.missing.get(n, "drop") == "drop" for n in drops)
    return Suggestion(
        "Missing values",
        f"{rows:,} row(s) with a missing value in {', '.join(drops)} left out",
        "few rows (at most 5 % per column): dropping them changes little, filling in "
        "would invent values",
        in_effect,
        "Fill in instead",
        "Drop those rows",
        replace(c, missing={**c.missing, **fill}),
        replace(c, missing={k: v for k, v in c.missing.items() if k not in drops}),
    )


def suggestions(parsed: ParsedCSV, d: Defaults, c: Choices) -> list[Suggestion]:
    """Every default with its reason and its one-click alternative, label first."""
    items = [_label_suggestion(d, c), _scaling_suggestion(d, c), _missing_suggestion(parsed, d, c)]
    return [s for s in items if s is not None] + _column_suggestions(parsed, d, c)


def to_recipe(parsed: ParsedCSV, file_name: str, d: Defaults, c: Choices) -> dict[str, Any]:
    """The recipe of the choices (columns not used keep their default reason)."""
    return upload_recipe.make_recipe(
        parsed,
        file_name,
        [f for f in c.features if f != c.label],
        label=c.label,
        scaling=c.scaling,
        encodings=c.encodings,
        missing=c.missing,
        left_out=d.left_out,
    )
