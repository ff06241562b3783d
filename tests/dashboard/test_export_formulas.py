"""Formula neutralisation in exported CSV, round-tripped: spreadsheet-safe, still the same text.

OWASP's CSV-injection guidance names cells starting with ``=``, ``+``, ``-``, ``@``, tab
(0x09) and carriage return (0x0D). Each such text cell -- a value or a column name -- must
come back from the exported bytes as ``'`` + the original text (a spreadsheet shows the
text and does not evaluate it), and removing that one apostrophe must give the original
back exactly, whatever follows (quotes, commas, new lines, non-ASCII). Numbers are never
touched. Tested through the public functions only: ``to_csv_bytes`` and ``labelled_frame``.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.dataset import Dataset
from dashboard.export import labelled_frame, to_csv_bytes

OWASP = ["=", "+", "-", "@", "\t", "\r"]
# Full-width forms (＝ ＋ － ＠) are not in OWASP's list, and we found no report of a
# spreadsheet evaluating them when it imports a CSV (an East-Asian input method may turn
# a *typed* ＝ into =, which is not an import). They are left as they are -- neutralising
# them would put an apostrophe before ordinary CJK text -- and a test pins that choice.
FULL_WIDTH = ["\uff1d", "\uff0b", "\uff0d", "\uff20"]
PAYLOADS = [
    "=1+2",
    '=HYPERLINK("http://127.0.0.1:9/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+41 22 123 45 67",  # a phone number is text, and must stay readable
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    '="quoted, with comma"',
    "=1+2\nsecond line",
    "=café∑",
]


def _read_back(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _rows(data: bytes) -> list[list[str]]:
    """The CSV as a spreadsheet's importer sees it (the csv module: no type guessing)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _unescape(cell: str) -> str:
    assert cell.startswith("'"), f"not neutralised: {cell!r}"
    return cell[1:]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_cell_is_neutralised_and_reads_back_as_the_original(payload):
    df = pd.DataFrame({"x": [1.0, 2.0], "note": [payload, "plain"]})
    data = to_csv_bytes(df)
    back = _read_back(data)
    assert _unescape(back["note"][0]) == payload
    assert back["note"][1] == "plain"
    rows = _rows(data)
    assert _unescape(rows[1][1]) == payload


@pytest.mark.parametrize("prefix", FULL_WIDTH)
def test_full_width_forms_are_left_as_they_are(prefix):
    value = f"{prefix}1+2"
    (cell,) = _rows(to_csv_bytes(pd.DataFrame({"a": [value]})))[1]
    assert cell == value


@pytest.mark.parametrize("prefix", OWASP)
def test_every_listed_leading_character(prefix):
    value = f"{prefix}cmd|' /C calc'!A0"
    data = to_csv_bytes(pd.DataFrame({"a": [value]}))
    (cell,) = _rows(data)[1]
    assert cell[0] == "'" and _unescape(cell) == value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_column_names_are_neutralised_too(payload):
    df = pd.DataFrame({payload: [1.5, -2.5], "y": [3.0, 4.0]})
    header, *rows = _rows(to_csv_bytes(df))
    assert _unescape(header[0]) == payload and header[1] == "y"
    assert [r[0] for r in rows] == ["1.5", "-2.5"]  # numbers untouched


def test_numbers_and_numeric_text_are_not_touched():
    df = pd.DataFrame({"n": [-1.5, 2.0], "t": ["-3", "+2.5e3"], "i": [-7, 8]})
    header, *rows = _rows(to_csv_bytes(df))
    assert rows == [["-1.5", "-3", "-7"], ["2", "+2.5e3", "8"]] or rows == [
        ["-1.5", "-3", "-7"],
        ["2.0", "+2.5e3", "8"],
    ]


def test_labelled_export_of_an_upload_with_formula_names_and_classes():
    # What an uploaded file with hostile names becomes on the Export page.
    names = ['=HYPERLINK("http://x")', "@risk"]
    classes = ["=1+2", "-evil", "plain"]
    ds = Dataset(
        name="hostile.csv",
        X=np.array([[1.0, -2.0], [3.0, 4.0], [5.0, 6.0]]),
        feature_names=names,
        true_labels=np.array([0, 1, 2]),
        class_names=classes,
        source="upload",
    )
    data = to_csv_bytes(labelled_frame(ds, np.array([0, 1, 1])))
    header, *rows = _rows(data)
    col = {h: i for i, h in enumerate(header)}
    for name in names:  # each feature's column, under its neutralised name
        assert "'" + name in col
    assert [_unescape(r[col["true_label"]]) for r in rows[:2]] == classes[:2]
    assert rows[2][col["true_label"]] == "plain"
    assert [float(r[col["'" + names[1]]]) for r in rows] == [-2.0, 4.0, 6.0]  # numbers untouched


_dangerous = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(OWASP),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
).filter(lambda s: not _is_plain_number(s))


def _is_plain_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return s.strip() == s and not s.lower().lstrip("+-").startswith(("inf", "nan"))


@settings(max_examples=200, deadline=None)
@given(st.lists(_dangerous, min_size=1, max_size=5))
def test_any_dangerous_text_round_trips(values):
    data = to_csv_bytes(pd.DataFrame({"v": values}))
    cells = [r[0] for r in _rows(data)[1:]]
    assert [_unescape(c) for c in cells] == values


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20
        ).filter(lambda s: not s.startswith(tuple(OWASP))),
        min_size=1,
        max_size=5,
    )
)
def test_harmless_text_is_left_exactly_as_it_is(values):
    data = to_csv_bytes(pd.DataFrame({"v": values}))
    assert [r[0] for r in _rows(data)[1:]] == values
