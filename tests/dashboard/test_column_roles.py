"""Upload defaults (dashboard.column_roles) and their one-click alternatives (upload_choices)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import column_roles as cr
from dashboard import csv_upload as cu
from dashboard import upload_choices as uc


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("id", [5.0, 3.0, 9.0], "its name says"),
        ("Penguin_ID", [5.0, 3.0, 9.0], "its name says"),
        ("rowIndex", [1.0, 2.0, 2.0], "its name says"),
        ("n", [1.0, 2.0, 3.0, 4.0], "only go up"),
        ("n", [9.0, 7.0, 3.0], "only go up"),
        ("n", list(np.random.default_rng(0).permutation(30) + 1.0), "run 1..n"),
        ("pop", list(np.random.default_rng(0).integers(1, 10**9, 30) * 1.0), None),
        ("x", [1.5, 2.5, 3.5], None),
        ("x", [3.0, 1.0, 3.0], None),
        ("identity_score", [3.0, 1.0, 3.0], None),  # "identity" is not the word "id"
    ],
)
def test_id_like(name, values, expected):
    reason = cr.id_reason(name, pd.Series(values))
    assert (reason is None) if expected is None else (expected in reason)


@pytest.mark.parametrize(
    ("name", "values", "is_time"),
    [
        ("year", [2007, 2008, 2009], True),
        ("visit_date", ["2024-01-03", "2024-02-01", "2024-02-09"], True),
        ("when", ["2024-01-03", "2024-02-01", "2024-02-09"], True),
        ("when", ["red", "green", "blue"], False),
        ("visits_per_month", [1.5, 2.25, 0.5], False),
        ("month_revenue", [1.5, 2.25, 0.5], False),
        ("month", [1, 2, 12], True),
    ],
)
def test_time_like(name, values, is_time):
    assert (cr.time_reason(name, pd.Series(values)) is not None) == is_time


@pytest.mark.parametrize(
    ("name", "values", "is_label"),
    [
        ("species", ["a", "b", "a", "c", "b", "c"], True),
        ("Class", [0, 1, 0, 1], True),
        ("target", [0, 1, 0, 1], True),
        ("sex", ["m", "f", "m", "f"], False),  # a text column, but not named like a class
        ("species", ["a", "b", "c", "d"], False),  # every row its own class: not a label
        ("type", ["a"] * 4, False),
    ],
)
def test_label_needs_a_class_name_and_a_few_classes(name, values, is_label):
    assert (cr.label_reason(name, pd.Series(values), len(values)) is not None) == is_label


def test_scaling_default_follows_the_spread_ratio():
    df = pd.DataFrame({"g": [1000.0, 3000.0, 5000.0], "mm": [1.0, 2.0, 3.0], "c": [2.0, 4.0, 6.0]})
    how, why = cr.scaling_default(df, ["g", "mm"])
    assert how == "standardise" and "2,000x" in why and "g" in why
    assert cr.scaling_default(df, ["mm", "c"])[0] == "none"  # ratio exactly 2: keep units
    assert cr.scaling_default(df, ["mm"])[0] == "none"


def test_missing_default_drops_few_and_fills_many():
    few = pd.Series([1.0] * 99 + [np.nan])
    many = pd.Series([1.0] * 9 + [np.nan])
    assert cr.missing_default(few, True) == "drop"
    assert cr.missing_default(many, True) == "median"
    assert cr.missing_default(many, False) == "most_frequent"


PENGUIN_LIKE = (
    b"id,species,island,bill,mass,sex,year\n"
    b"1,A,x,40.1,3000,m,2007\n2,A,y,41.0,3500,f,2008\n3,B,x,48.2,5000,f,2009\n"
    b"4,B,y,,5200,m,2007\n5,A,x,39.0,3100,,2008\n6,B,y,47.5,4900,f,2009\n"
)


def test_suggest_on_a_penguin_like_table():
    parsed = cu.parse_csv(PENGUIN_LIKE)
    d = cr.suggest(parsed)
    assert d.features == ["bill", "mass"]
    assert d.label == "species"
    assert set(d.left_out) == {"id", "island", "sex", "year"}
    assert d.encodable == ["island", "sex"]
    assert d.scaling == "standardise"
    assert d.missing == {"bill": "median"}  # 1 of 6 rows: more than 5 %


def test_every_suggestion_undoes_and_redoes():
    parsed = cu.parse_csv(PENGUIN_LIKE)
    d = cr.suggest(parsed)
    start = uc.from_defaults(d)
    items = uc.suggestions(parsed, d, start)
    subjects = [s.subject for s in items]
    assert subjects[:2] == ["species", "Scaling"] and "year" in subjects and "island" in subjects
    assert all(s.in_effect for s in items)
    by = {s.subject: s for s in items}
    assert by["species"].after_click.label is None
    assert by["Scaling"].after_click.scaling == "none"
    assert by["year"].after_click.features == ("bill", "mass", "year")
    island = by["island"].after_click
    assert island.features == ("island", "bill", "mass") and island.encodings["island"] == "one-hot"
    # after the click the same item offers the way back
    again = {s.subject: s for s in uc.suggestions(parsed, d, island)}["island"]
    assert not again.in_effect and again.after_click.features == ("bill", "mass")


def test_choices_to_recipe_and_back():
    parsed = cu.parse_csv(PENGUIN_LIKE)
    d = cr.suggest(parsed)
    c = uc.Choices(
        ("island", "bill"), {"island": "ordinal"}, "species", "min-max", {"bill": "mean"}
    )
    recipe = uc.to_recipe(parsed, "p.csv", d, c)
    assert recipe["features"] == [
        {"column": "island", "encoding": "ordinal", "missing": "drop"},
        {"column": "bill", "encoding": "numeric", "missing": "mean"},
    ]
    assert uc.from_recipe(recipe) == c
