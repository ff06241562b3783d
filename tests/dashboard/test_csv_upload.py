"""CSV upload: every bad file in tests/data/bad gets its own message; good files load."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from dashboard import column_roles as cr
from dashboard import csv_upload as cu
from dashboard import upload_recipe as ur

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"

# file -> a piece of the message it must get. Files that parse but cannot be
# used with the default choices fail in build_dataset (see _load).
BAD_FILES = {
    "empty.csv": "The file is empty (0 bytes)",
    "blank_lines.csv": "only blank lines",
    "header_only.csv": "has a header (sepal_length, sepal_width, species) but no data rows",
    "one_row.csv": "only one data row",
    "image_renamed.csv": "This is a PNG image, not a CSV",
    "excel_renamed.csv": "Excel .xlsx workbook",
    "old_excel.csv": "old Excel .xls workbook",
    "pdf_renamed.csv": "PDF document",
    "gzipped.csv": "gzip-compressed",
    "utf16_no_bom.csv": "UTF-16 text without a byte-order mark",
    "binary_garbage.csv": "looks like binary data",
    "text_only.csv": "No numeric column found: name, city, colour",
    "wrong_delimiter.csv": "Only one column was found, holding text like '1 2 3'",
    "ragged_rows.csv": "Expected 2 fields in line 4, saw 4",
    "unclosed_quote.csv": "EOF inside string",
    "all_missing.csv": "every column is empty",
    "infinite_values.csv": "2 infinite value(s) (inf) in column(s) x, y, first on line 3",
    "huge_values.csv": "would overflow",
    "too_many_columns.csv": "501 columns",
    "drop_leaves_nothing.csv": "No row left after dropping",
    "label_all_distinct.csv": "Column 'id' has 150 different values",
}


def _load(path: Path, **choices):
    parsed = cu.parse_csv(path.read_bytes())
    defaults = cr.suggest(parsed)
    features = choices.pop("features", defaults.features)
    label = choices.pop("label", defaults.label)
    if path.name == "label_all_distinct.csv":
        label = "id"
    if path.name == "drop_leaves_nothing.csv":  # the defaults would fill x and leave y out
        features, choices["missing"] = ["x", "y"], "drop"
    choices.setdefault("scaling", "none")
    return parsed, ur.build_from_choices(parsed, path.name, features, label, **choices)


def test_corpus_has_at_least_15_bad_files_and_all_are_covered():
    files = sorted(p.name for p in BAD.iterdir())
    assert len(files) >= 15
    assert files == sorted(BAD_FILES)


@pytest.mark.parametrize(("name", "message"), sorted(BAD_FILES.items()))
def test_each_bad_file_gets_its_specific_message(name, message):
    with pytest.raises(cu.UploadError) as info:
        _load(BAD / name)
    text = re.sub(r"\\(.)", r"\1", str(info.value))  # as shown: markdown escapes undone
    assert message in text
    assert "Traceback" not in text and len(text) < 400


def test_bad_file_messages_say_what_to_do():
    # every message proposes an action (upload, save, add, fix, choose, ...)
    verbs = ("upload", "save", "add", "fix", "choose", "keep", "rescale", "check", "fill")
    for name in BAD_FILES:
        with pytest.raises(cu.UploadError) as info:
            _load(BAD / name)
        assert any(v in str(info.value).lower() for v in verbs), name


def test_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(cu, "MAX_BYTES", 100)
    with pytest.raises(cu.UploadError, match="up to 0.0 MB"):
        cu.parse_csv(b"x,y\n" + b"1,2\n" * 50)


def test_over_the_row_limit(monkeypatch):
    monkeypatch.setattr(cu, "MAX_ROWS", 5)
    with pytest.raises(cu.UploadError, match="more than 5 rows"):
        cu.parse_csv(b"x,y\n" + b"1,2\n" * 6)
    assert cu.parse_csv(b"x,y\n" + b"1,2\n" * 5).n_rows == 5


def test_comma_file_with_text_label():
    parsed, ds = _load(GOOD / "comma_labels.csv")
    assert parsed.delimiter == "," and parsed.encoding == "utf-8"
    assert parsed.numeric_columns == ["sepal_length", "sepal_width"]
    assert parsed.text_columns == ["species"] and cr.suggest(parsed).label == "species"
    assert ds.X[2].tolist() == [7.0, 3.2]
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert ds.true_labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert ds.source == "upload" and ds.recipe is None and ds.name == "comma_labels.csv"
    assert ds.origin is not None and ds.origin.recipe["label"] == "species"


def test_semicolon_with_decimal_commas():
    parsed, ds = _load(GOOD / "semicolon_decimal_comma.csv")
    assert parsed.delimiter == ";"
    assert ds.feature_names == ["höhe", "breite"]
    assert ds.X[:, 0].tolist() == [1.5, 1.7, 3.1, 3.3]
    assert any("decimal commas" in n for n in ds.notes)


def test_tab_separated():
    parsed, ds = _load(GOOD / "tab_separated.tsv")
    assert parsed.delimiter == "\t" and "delimiter: tab" in parsed.summary
    assert ds.X.shape == (4, 3) and ds.X[3].tolist() == [10.0, 11.0, 12.0]


def test_pipe_and_an_index_column_left_out():
    parsed, ds = _load(GOOD / "pipe_with_index.csv")
    assert parsed.delimiter == "|"
    defaults = cr.suggest(parsed)
    # "idx" (0, 1, 2, ...) is an id; "label" is a class column by its name
    assert defaults.features == ["x", "y"] and defaults.label == "label"
    assert "id-like" in defaults.left_out["idx"]
    _, ds = _load(GOOD / "pipe_with_index.csv", features=["x", "y"], label="label")
    assert ds.class_names == ["0", "1"] and ds.true_labels.tolist() == [0, 1, 0, 1]


def test_latin1_file_is_read_and_says_so():
    parsed, ds = _load(GOOD / "latin1.csv", label="ville")
    assert cr.suggest(parsed).label is None  # no class-like name
    assert parsed.encoding == "cp1252"
    assert parsed.numeric_columns == ["température", "pression"]
    assert "Orléans" in ds.class_names
    assert any("not UTF-8" in n and "Windows-1252" in n for n in ds.notes)


def test_utf8_bom_is_stripped():
    parsed, _ = _load(GOOD / "utf8_bom.csv")
    assert parsed.encoding == "utf-8-sig" and parsed.numeric_columns == ["x", "y"]


def test_quoted_fields():
    parsed, ds = _load(GOOD / "quoted_fields.csv")
    assert parsed.numeric_columns == ["x", "y"]
    assert parsed.frame["comment"].tolist() == ["hello, world", 'a "quoted" word', "plain"]
    assert ds.X.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_no_header_row():
    parsed, ds = _load(GOOD / "no_header.csv")
    assert parsed.numeric_columns == ["column 1", "column 2"]
    assert ds.n_samples == 3 and ds.X[0].tolist() == [1.0, 2.0]


def test_missing_values_count_drop_and_impute():
    parsed = cu.parse_csv((GOOD / "missing_values.csv").read_bytes())
    # '?' in z is a missing marker in an otherwise numeric column
    assert parsed.frame[["x", "y", "z"]].isna().sum().tolist() == [1, 1, 1]
    dropped = ur.build_from_choices(parsed, "m", ["x", "y", "z"], missing="drop")
    assert dropped.n_samples == 8
    assert any("Left out 3 row(s) with a missing value" in n for n in dropped.notes)
    filled = ur.build_from_choices(parsed, "m", ["x", "y", "z"], missing="median")
    assert filled.n_samples == 11
    # x present: 1,4,7,10,13,19,22,25,28,31 -> median (13+19)/2 = 16
    assert filled.X[5, 0] == 16.0


def test_scaling_applied_and_noted():
    parsed = cu.parse_csv(b"a,b\n0,10\n5,20\n10,30\n")
    ds = ur.build_from_choices(parsed, "s", ["a", "b"], scaling="min-max")
    assert ds.X.tolist() == [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]]
    assert any("min-max (0 to 1)" in n for n in ds.notes)


def test_label_with_missing_values_becomes_its_own_class():
    parsed = cu.parse_csv(b"a,b,c\n1,2,x\n3,4,\n5,6,y\n")
    ds = ur.build_from_choices(parsed, "l", ["a", "b"], label="c")
    assert ds.class_names == ["(missing)", "x", "y"]
    assert ds.true_labels.tolist() == [1, 0, 2]


def test_label_rows_follow_dropped_rows():
    parsed = cu.parse_csv(b"a,b,c\n1,2,x\n,4,y\n5,6,z\n")
    ds = ur.build_from_choices(parsed, "l", ["a", "b"], label="c")
    assert ds.class_names == ["x", "z"] and ds.n_samples == 2


@pytest.mark.parametrize(
    ("features", "label", "message"),
    [
        ([], None, "at least one column"),
        (["nope"], None, "no column"),
        (["sepal_length"], "nope", "no column 'nope'"),
        (["sepal_length"], "sepal_length", "cannot be both a feature and the label"),
    ],
)
def test_bad_choices(features, label, message):
    parsed = cu.parse_csv((GOOD / "comma_labels.csv").read_bytes())
    with pytest.raises(cu.UploadError, match=message):
        ur.build_from_choices(parsed, "x", features, label)


def test_one_feature_file_loads():
    ds = ur.build_from_choices(cu.parse_csv(b"v\n1\n2\n3\n"), "v", ["v"])
    assert ds.X.shape == (3, 1)


def test_utf16_with_bom_is_read():
    parsed = cu.parse_csv("x,y\n1,2\n3,4\n".encode("utf-16"))
    assert parsed.encoding == "utf-16" and parsed.numeric_columns == ["x", "y"]


def test_large_file_parses_exactly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 3)).round(6)
    text = "a,b,c\n" + "\n".join(",".join(map(repr, row)) for row in X.tolist())
    ds = ur.build_from_choices(cu.parse_csv(text.encode()), "big", ["a", "b", "c"])
    assert np.array_equal(ds.X, X)
