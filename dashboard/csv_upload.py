"""Reading and validating an uploaded CSV, then turning it into a :class:`Dataset`.

Two steps, so the page can ask the user which columns to use in between:

1. :func:`parse_csv` (bytes -> :class:`ParsedCSV`): detects the encoding and the
   delimiter, reads the table with pandas and sorts columns into numeric and text.
2. :func:`build_dataset` (ParsedCSV + the user's choices -> Dataset): picks the
   feature and label columns, handles missing values and scales.

Anything wrong raises :class:`UploadError` (a ``ValueError``) whose message says
what is wrong and what to do; it is meant to be shown to users as-is. Messages and
notes are markdown in which the file's own text (column names, cells, pandas' messages
quoting them) is escaped with :func:`dashboard.safe_text.literal`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard import preprocess
from dashboard.dataset import Dataset
from dashboard.safe_text import literal

# App-side limits (Streamlit's own upload limit, .streamlit/config.toml, is 200 MB).
# Measured: a 58 MB CSV of 1M rows x 4 columns parses in about 1 s, so 150 MB
# (1M rows of about 8 full-precision numbers) stays within a few seconds.
MAX_BYTES = 150 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 500
# A label column names classes; more than this many distinct values is not a label.
MAX_CLASSES = 100
# Beyond this, squared distances overflow float64 (1e154 ** 2 > 1.8e308).
MAX_ABS_VALUE = 1e150
LIMITS_TEXT = (
    f"Up to {MAX_BYTES // 1024**2} MB, {MAX_ROWS:,} rows and {MAX_COLUMNS} columns; "
    "delimiter (comma, semicolon, tab or |) and encoding (UTF-8, Windows-1252, Latin-1) "
    "are detected."
)

DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe (|)"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
SAVE_AS_CSV = "Save it as CSV (in Excel: File > Save As > 'CSV UTF-8') and upload that."

# File signatures of things people upload by mistake.
_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "an Excel .xlsx workbook or a ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]


class UploadError(ValueError):
    """A problem with an uploaded file; the message is fit to show the user."""


@dataclass(frozen=True)
class ParsedCSV:
    """A CSV read into a table, before the user picks columns.

    Attributes
    ----------
    frame : DataFrame
        Numeric columns as float64 (NaN = missing); other columns as read.
    delimiter, encoding : str
        What was detected and used.
    numeric_columns : list of str
        Columns that can be features.
    text_columns : list of str
        Columns left out of the features (they can still be the label).
    empty_columns : list of str
        Columns with no values at all.
    notes : list of str
        What was detected or converted on the way in.
    """

    frame: pd.DataFrame
    delimiter: str
    encoding: str
    numeric_columns: list[str]
    text_columns: list[str]
    empty_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Number of data rows parsed."""
        return int(len(self.frame))

    @property
    def summary(self) -> str:
        """One line: rows, columns, delimiter and encoding."""
        return (
            f"{self.n_rows:,} rows x {self.frame.shape[1]} columns · delimiter: "
            f"{DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))} · "
            f"encoding: {ENCODING_NAMES.get(self.encoding, self.encoding)}"
        )

    def missing_counts(self) -> dict[str, int]:
        """Missing values per numeric column (only columns that have some)."""
        counts = self.frame[self.numeric_columns].isna().sum()
        return {str(c): int(v) for c, v in counts.items() if v > 0}

    def suggested_features(self) -> list[str]:
        """Numeric columns minus ones that look like a row index (0, 1, 2, ...)."""
        out = []
        for c in self.numeric_columns:
            col = self.frame[c].to_numpy()
            n = len(col)
            is_index = n > 2 and (
                np.array_equal(col, np.arange(n)) or np.array_equal(col, np.arange(1, n + 1))
            )
            if not is_index:
                out.append(c)
        return out or list(self.numeric_columns)

    def suggested_label(self) -> str | None:
        """The last text column that looks like class names (2..MAX_CLASSES values)."""
        for c in reversed(self.text_columns):
            k = int(self.frame[c].nunique(dropna=True))
            if 2 <= k <= min(MAX_CLASSES, self.n_rows - 1):
                return c
        return None


def _mb(n: int) -> str:
    return f"{n / 1024**2:.1f} MB"


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: BOMs first, then UTF-8, Windows-1252, Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UploadError(
                "The file says it is UTF-16 text but cannot be read as such. "
                "Save it as 'CSV UTF-8' and upload again."
            ) from None
    if b"\x00" in data[:4096]:
        raise UploadError(
            "This file contains binary data (NUL bytes): it is not a plain-text CSV, or it is "
            "UTF-16 text without a byte-order mark. " + SAVE_AS_CSV
        )
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"  # never fails: every byte is a character


def _check_bytes(data: bytes) -> None:
    if len(data) == 0:
        raise UploadError(
            "The file is empty (0 bytes). Upload a CSV with a header row and at least two "
            "rows of numbers."
        )
    if len(data) > MAX_BYTES:
        raise UploadError(
            f"The file is {_mb(len(data))}; this app reads CSV files up to {_mb(MAX_BYTES)}. "
            "Upload a sample of the rows, or drop the columns you do not need."
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UploadError(f"This is {what}, not a CSV text file. {SAVE_AS_CSV}")


def _sniff_delimiter(text: str) -> str:
    """The delimiter csv.Sniffer finds in the first lines; comma if it finds none."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _looks_numeric(name: object) -> bool:
    try:
        float(str(name))
        return True
    except ValueError:
        return False


def _read(text: str, sep: str, header: int | None) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=header,
            skipinitialspace=True,
            nrows=MAX_ROWS + 1,
            low_memory=False,
        )
    except pd.errors.EmptyDataError:
        raise UploadError(
            "The file has no columns: it is empty or only blank lines. Upload a CSV with a "
            "header row and at least two rows of numbers."
        ) from None
    except pd.errors.ParserError as exc:
        raise UploadError(
            f"The rows do not line up: {literal(str(exc).replace('C error: ', '').strip(), 200)} "
            f"(delimiter detected: {DELIMITER_NAMES.get(sep, repr(sep))}). Check that every row "
            "has the same number of fields and that values containing the delimiter are in "
            'double quotes ("...").'
        ) from None
    except (ValueError, csv.Error) as exc:  # e.g. an unterminated quote
        raise UploadError(
            f"pandas could not read this file as CSV ({literal(exc, 200)}). Check its quotes and "
            "delimiters."
        ) from None


def _to_numeric(s: pd.Series, sep: str) -> tuple[pd.Series | None, str | None]:
    """A text column as float64 when it really holds numbers, and a note on what changed."""
    values = s.dropna().astype(str).str.strip()
    if values.empty:
        return None, None
    direct = pd.to_numeric(values, errors="coerce")
    if direct.notna().all():
        return pd.to_numeric(s.astype(str).str.strip(), errors="coerce"), None
    if sep != ",":
        # Decimal commas (1,5) are common in files that use ';' as the delimiter.
        comma = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
        if comma.notna().all():
            fixed = s.astype(str).str.strip().str.replace(",", ".", regex=False)
            return pd.to_numeric(fixed, errors="coerce"), "decimal commas read as points"
    # Mostly numbers with a few markers like '?' or 'n.a.': the markers become missing.
    ok = direct.notna()
    if ok.mean() >= 0.9:
        bad = sorted(values[~ok].unique().tolist())[:3]
        note = (
            f"{int((~ok).sum()):,} non-numeric value(s) such as {literal(bad)} treated as missing"
        )
        return pd.to_numeric(s.astype(str).str.strip(), errors="coerce"), note
    return None, None


def _names(columns: Iterable[object]) -> str:
    """Column names for a message: each escaped for markdown and shortened."""
    return ", ".join(literal(c, 40) for c in columns)


def parse_csv(data: bytes) -> ParsedCSV:
    """Read an uploaded CSV: detect encoding and delimiter, classify columns.

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    ParsedCSV

    Raises
    ------
    UploadError
        Empty, too large, not a text CSV, no rows, a single row, no numeric
        column, rows that do not line up, more than the row/column limits.
    """
    _check_bytes(data)
    text, encoding = _decode(data)
    head = text[:4096]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(head) // 100):
        raise UploadError("This file looks like binary data, not a CSV text file. " + SAVE_AS_CSV)
    if not text.strip():
        raise UploadError(
            "The file has only blank lines. Upload a CSV with a header row and at least two "
            "rows of numbers."
        )
    sep = _sniff_delimiter(text)
    notes: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(
            f"The file is not UTF-8; it was read as {ENCODING_NAMES[encoding]}. If accented "
            "letters look wrong, save it as 'CSV UTF-8' and upload again."
        )
    df = _read(text, sep, header=0)
    if df.shape[1] > 0 and all(_looks_numeric(c) for c in df.columns):
        # The first line is data, not names: read again without a header.
        df = _read(text, sep, header=None)
        df.columns = [f"column {i + 1}" for i in range(df.shape[1])]
        notes.append("No header row found (the first line is numbers); columns were numbered.")
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] > MAX_COLUMNS:
        raise UploadError(
            f"The file has {df.shape[1]:,} columns; this app reads up to {MAX_COLUMNS}. "
            "Keep only the columns you want to cluster on."
        )
    if len(df) > MAX_ROWS:
        raise UploadError(
            f"The file has more than {MAX_ROWS:,} rows, the most this app reads. "
            "Upload a random sample of the rows."
        )
    if len(df) == 0:
        raise UploadError(
            f"The file has a header ({_names(df.columns[:5])}) but no data rows. "
            "Add at least two rows of numbers."
        )
    if len(df) == 1:
        raise UploadError(
            "The file has only one data row; K-Means needs at least two points (and more to "
            "find anything). Add more rows."
        )
    numeric, text_cols, empty = [], [], []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s):
            text_cols.append(c)
        elif pd.api.types.is_numeric_dtype(s):
            df[c] = s.astype(np.float64)
            (numeric if s.notna().any() else empty).append(c)
        elif s.isna().all():
            empty.append(c)
        else:
            converted, note = _to_numeric(s, sep)
            if converted is None:
                text_cols.append(c)
            else:
                df[c] = converted.astype(np.float64)
                numeric.append(c)
                if note:
                    notes.append(f"Column '{literal(c, 40)}': {note}.")
    if not numeric:
        if df.shape[1] == 1:
            first = str(df.iloc[0, 0])[:40]
            raise UploadError(
                f"Only one column was found, holding text like '{literal(first)}'. The values are "
                "probably separated by something other than a comma, semicolon, tab or |. "
                "Save the file with commas between values and upload again."
            )
        raise UploadError(
            f"No numeric column found: {_names(text_cols[:8]) or 'every column is empty'}"
            f"{' ...' if len(text_cols) > 8 else ''}. K-Means needs numbers; upload a file "
            "with at least one column of numbers."
        )
    if empty:
        notes.append(f"Empty column(s) left out: {_names(empty)}.")
    return ParsedCSV(df, sep, encoding, numeric, text_cols, empty, notes)


def _label_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (0..C-1, sorted by class name) and the class names."""
    if pd.api.types.is_numeric_dtype(s):
        finite = s.dropna()
        if (finite == finite.round()).all():
            s = s.astype("Int64")
    names = s.astype("string").fillna("(missing)").str.strip()
    codes, uniques = pd.factorize(names, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def build_dataset(
    parsed: ParsedCSV,
    name: str,
    features: list[str],
    label: str | None = None,
    missing: str = "drop",
    scaling: str = "none",
) -> Dataset:
    """Turn a parsed CSV and the user's choices into a Dataset ready for clustering.

    Parameters
    ----------
    parsed : ParsedCSV
    name : str
        Shown as the dataset's name (usually the file name).
    features : list of str
        Numeric columns to cluster on.
    label : str, optional
        Column with true classes, kept for scoring only (never a feature).
    missing : {"drop", "mean", "median"}
    scaling : {"none", "standardise", "min-max"}

    Returns
    -------
    Dataset
        ``source="upload"``, ``recipe=None``, ``notes`` saying what was done.

    Raises
    ------
    UploadError
    """
    if not features:
        raise UploadError("Choose at least one numeric column to cluster on.")
    not_numeric = [f for f in features if f not in parsed.numeric_columns]
    if not_numeric:
        raise UploadError(
            f"Column(s) {_names(not_numeric)} are not numeric; choose from "
            f"{_names(parsed.numeric_columns)}."
        )
    if label is not None:
        if label not in parsed.frame.columns:
            raise UploadError(f"There is no column '{literal(label, 40)}' to use as labels.")
        if label in features:
            raise UploadError(
                f"'{literal(label, 40)}' cannot be both a feature and the label: the label is "
                "kept only to score the clustering. Remove it from the features."
            )
    X = parsed.frame[features].to_numpy(dtype=np.float64)
    inf = np.isinf(X)
    if inf.any():
        cols = [features[j] for j in np.flatnonzero(inf.any(axis=0))]
        row = int(np.flatnonzero(inf.any(axis=1))[0]) + 2  # +1 header, +1 one-based
        raise UploadError(
            f"{int(inf.sum()):,} infinite value(s) (inf) in column(s) {_names(cols)}, first "
            f"on line {row}. K-Means needs finite numbers: fix or empty those cells (empty "
            "cells count as missing), or leave the column(s) out."
        )
    big = np.abs(np.nan_to_num(X)) > MAX_ABS_VALUE
    if big.any():
        cols = [features[j] for j in np.flatnonzero(big.any(axis=0))]
        raise UploadError(
            f"Values larger than {MAX_ABS_VALUE:.0e} in column(s) {_names(cols)} would "
            "overflow distance computations. Rescale them (e.g. use log values) or leave "
            "them out."
        )
    y, class_names = (None, None)
    if label is not None:
        y, class_names = _label_codes(parsed.frame[label])
        if len(class_names) > MAX_CLASSES:
            raise UploadError(
                f"Column '{literal(label, 40)}' has {len(class_names):,} different values; a "
                f"label column names classes (at most {MAX_CLASSES}), like a species. Choose "
                "another column or no label."
            )
    try:
        X, kept, missing_note = preprocess.handle_missing(X, missing)
    except ValueError as exc:
        raise UploadError(str(exc)) from None
    if y is not None:
        y, class_names = _label_codes(parsed.frame[label][kept])
    if len(X) < 2:
        raise UploadError(
            f"{'No' if len(X) == 0 else 'Only one'} row left after dropping rows with missing "
            "values; K-Means needs "
            "at least two. Fill missing values with the mean or median instead, or choose "
            "fewer columns."
        )
    X, scale_note = preprocess.scale(X, scaling)
    notes = [f"Read {parsed.summary}."] + list(parsed.notes)
    left_out = [c for c in parsed.frame.columns if c not in features and c != label]
    if left_out:
        notes.append(f"Columns not used as features: {_names(left_out)}.")
    if label is not None:
        notes.append(
            f"Column '{literal(label, 40)}' kept as true labels ({len(class_names)} classes)."
        )
    notes += [n for n in (missing_note, scale_note) if n]
    return Dataset(
        name=name,
        X=np.ascontiguousarray(X, dtype=np.float64),
        feature_names=list(features),
        true_labels=y,
        class_names=class_names,
        source="upload",
        recipe=None,
        notes=notes,
    )
