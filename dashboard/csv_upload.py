"""Reading and validating an uploaded CSV: bytes -> :class:`ParsedCSV`.

:func:`parse_csv` detects the encoding and the delimiter, reads the table with
pandas, gives every column a distinct name (:func:`unique_names`) and sorts the
columns into numeric and text. What to do with them (features, label, encoding,
missing values, scaling) is :mod:`dashboard.column_roles` (the defaults) and
:mod:`dashboard.upload_recipe` (building the dataset).

Anything wrong raises :class:`UploadError` (a ``ValueError``) whose message says
what is wrong and what to do; it is meant to be shown to users as-is.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.formatting import format_bytes

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
    f"Up to {format_bytes(MAX_BYTES)}, {MAX_ROWS:,} rows and {MAX_COLUMNS} columns; "
    "delimiter (comma, semicolon, tab or |) and encoding (UTF-8, Windows-1252, Latin-1) "
    "are detected."
)

# Columns the exports add (dashboard.export.ADDED_COLUMNS): a file column of one of these
# names keeps it, and the export's own column takes a suffix; the preview says so.
APP_COLUMNS = ("row", "cluster", "left_out_reason", "true_label", "n_points")

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
        Every column of the file, under distinct names (see :func:`unique_names`).
        Numeric columns as float64 (NaN = missing); other columns as read.
    delimiter, encoding : str
        What was detected and used.
    numeric_columns : list of str
        Columns of numbers (they can be features as they are).
    text_columns : list of str
        Columns of text (they can be the label, or features once encoded).
    integer_columns : list of str
        Numeric columns written as whole numbers (exports write them back so).
    notes : list of str
        What was detected, renamed or converted on the way in.
    sha256 : str
        Hex SHA-256 of the file's bytes (a settings file names its data by it).
    """

    frame: pd.DataFrame
    delimiter: str
    encoding: str
    numeric_columns: list[str]
    text_columns: list[str]
    integer_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""

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
            f"The file is {format_bytes(len(data))}; this app reads CSV files up to "
            f"{format_bytes(MAX_BYTES)}. "
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


class _TextFile:
    """A read-only file over a str that hands out slices, never a copy of the whole.

    ``io.StringIO(text)`` copies the text into a buffer of four bytes per character: on a
    150 MB upload that was about half the peak memory (``bench/upload_memory.py``).
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0

    def read(self, size: int = -1) -> str:
        """The next ``size`` characters (all that is left when ``size`` < 0)."""
        end = len(self._text) if size is None or size < 0 else self._pos + size
        out = self._text[self._pos : end]
        self._pos += len(out)
        return out

    def readline(self) -> str:
        """The next line, its newline included ("" at the end)."""
        nl = self._text.find("\n", self._pos)
        return self.read(len(self._text) - self._pos if nl < 0 else nl + 1 - self._pos)

    def __iter__(self) -> Iterator[str]:
        # Lines one at a time (csv.reader reads only the header this way).
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0, /) -> int:
        """Move to ``offset`` characters from the start (0), here (1) or the end (2)."""
        base = (0, self._pos, len(self._text))[whence]
        self._pos = min(max(base + offset, 0), len(self._text))
        return self._pos

    def seekable(self) -> bool:
        """Always True: any position is a slice away."""
        return True

    def tell(self) -> int:
        """The position, in characters."""
        return self._pos

    def fileno(self) -> int:
        """No file descriptor: raises :class:`io.UnsupportedOperation`."""
        raise io.UnsupportedOperation("fileno")

    @property
    def closed(self) -> bool:
        """Never closed."""
        return False


def _read(text: str, sep: str, header: int | None) -> pd.DataFrame:
    try:
        return pd.read_csv(
            _TextFile(text),
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
            f"The rows do not line up: {str(exc).replace('C error: ', '').strip()} "
            f"(delimiter detected: {DELIMITER_NAMES.get(sep, repr(sep))}). Check that every row "
            "has the same number of fields and that values containing the delimiter are in "
            'double quotes ("...").'
        ) from None
    except (ValueError, csv.Error) as exc:  # e.g. an unterminated quote
        raise UploadError(
            f"pandas could not read this file as CSV ({exc}). Check its quotes and delimiters."
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
        note = f"{int((~ok).sum()):,} non-numeric value(s) such as {bad} treated as missing"
        return pd.to_numeric(s.astype(str).str.strip(), errors="coerce"), note
    return None, None


def _header_names(text: str, sep: str, n_columns: int) -> list[str] | None:
    """The header row's fields exactly as written, or None when they do not match the table.

    pandas renames exact duplicates itself (``x``, ``x.1``); reading the header with
    :mod:`csv` keeps the names the user wrote so one rule can tell them apart.
    """
    try:
        header = next(csv.reader(_TextFile(text), delimiter=sep, skipinitialspace=True))
    except (StopIteration, csv.Error):
        return None
    return header if len(header) == n_columns else None


def unique_names(raw: list[str]) -> tuple[list[str], list[str]]:
    """Column names made distinct: trimmed, empty ones numbered, clashes suffixed.

    Two names clash when they are equal after trimming spaces and ignoring case
    (``"x "``, ``"x"`` and ``"X"``): a spreadsheet, a SQL join or a reader would take
    them for the same column. The first keeps its name; the next ones become
    ``"x (2)"``, ``"x (3)"``, ...

    Parameters
    ----------
    raw : list of str
        The header fields as written.

    Returns
    -------
    names : list of str
        One distinct name per column, in order.
    notes : list of str
        One sentence per renamed column, for the preview.
    """
    names: list[str] = []
    notes: list[str] = []
    written_as: dict[str, str] = {}  # folded name -> the header field that took it first
    renamed: list[str] = []
    for i, field_ in enumerate(raw):
        written = str(field_)
        base = written.strip() or f"column {i + 1}"
        name, n = base, 1
        while name.casefold() in written_as:
            n += 1
            name = f"{base} ({n})"
        if name != base:
            holder = written_as[base.casefold()]
            notes.append(_clash_note(written, holder, name, holder in renamed))
        elif not written.strip():
            notes.append(f"Column {i + 1} has no name; it is called '{name}'.")
        # A made-up name is held by the renamed column, not by what its header said.
        written_as[name.casefold()] = written if name == base else name
        if name != base:
            renamed.append(name)
        written_as.setdefault(base.casefold(), written)
        names.append(name)
    return names, notes


def _clash_note(written: str, earlier: str, new: str, earlier_renamed: bool) -> str:
    if earlier_renamed:
        why = "the name given to an earlier clashing column"
    elif written == earlier:
        why = "the same name appears twice"
    elif written.strip() == earlier.strip():
        why = "the same name once spaces are trimmed"
    else:
        why = "the same name when upper and lower case are not told apart"
    return f"Column '{written}' clashes with '{earlier}' ({why}); it is called '{new}'."


def _check_text(text: str) -> None:
    head = text[:4096]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(head) // 100):
        raise UploadError("This file looks like binary data, not a CSV text file. " + SAVE_AS_CSV)
    if not text.strip():
        raise UploadError(
            "The file has only blank lines. Upload a CSV with a header row and at least two "
            "rows of numbers."
        )


def _read_table(text: str, sep: str) -> tuple[pd.DataFrame, list[str]]:
    """The table under distinct column names, and notes on what was renamed."""
    df = _read(text, sep, header=0)
    if df.shape[1] > 0 and all(_looks_numeric(c) for c in df.columns):
        # The first line is data, not names: read again without a header.
        df = _read(text, sep, header=None)
        df.columns = [f"column {i + 1}" for i in range(df.shape[1])]
        return df, ["No header row found (the first line is numbers); columns were numbered."]
    raw = _header_names(text, sep, df.shape[1]) or [str(c) for c in df.columns]
    names, notes = unique_names(raw)
    df.columns = names
    taken = [n for n in names if n.casefold() in APP_COLUMNS]
    if taken:
        notes.append(
            f"Column(s) {', '.join(taken)} have names the exports use for their own columns; "
            "yours keep them and the export's columns get a suffix (e.g. cluster_1)."
        )
    return df, notes


def _check_shape(df: pd.DataFrame) -> None:
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
            f"The file has a header ({', '.join(map(str, df.columns[:5]))}) but no data rows. "
            "Add at least two rows of numbers."
        )
    if len(df) == 1:
        raise UploadError(
            "The file has only one data row; K-Means needs at least two points (and more to "
            "find anything). Add more rows."
        )


def _column_kind(s: pd.Series, sep: str) -> tuple[str, pd.Series | None, str | None]:
    """``("numeric" | "integer" | "text" | "empty", numbers or None, note or None)``."""
    if pd.api.types.is_bool_dtype(s):
        return "text", None, None
    if pd.api.types.is_numeric_dtype(s):
        if not s.notna().any():
            return "empty", None, None
        kind = "integer" if pd.api.types.is_integer_dtype(s) else "numeric"
        return kind, s.astype(np.float64), None
    if s.isna().all():
        return "empty", None, None
    converted, note = _to_numeric(s, sep)
    if converted is None:
        return "text", None, None
    return "numeric", converted.astype(np.float64), note


def _classify(df: pd.DataFrame, sep: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """Numeric, text and integer columns (numbers converted in place), and notes."""
    numeric: list[str] = []
    text_cols: list[str] = []
    integer: list[str] = []
    empty: list[str] = []
    notes: list[str] = []
    for i, c in enumerate(df.columns):
        kind, numbers, note = _column_kind(df.iloc[:, i], sep)
        if numbers is not None:
            df.isetitem(i, numbers.to_numpy())
            numeric.append(c)
        {"text": text_cols, "empty": empty, "integer": integer}.get(kind, []).append(c)
        if note:
            notes.append(f"Column '{c}': {note}.")
    if empty:
        notes.append(f"Empty column(s), not usable: {', '.join(empty)}.")
    return numeric, text_cols, integer, notes


def _no_numeric_error(df: pd.DataFrame, text_cols: list[str]) -> UploadError:
    if df.shape[1] == 1:
        first = str(df.iloc[0, 0])[:40]
        return UploadError(
            f"Only one column was found, holding text like '{first}'. The values are "
            "probably separated by something other than a comma, semicolon, tab or |. "
            "Save the file with commas between values and upload again."
        )
    return UploadError(
        f"No numeric column found: {', '.join(text_cols[:8]) or 'every column is empty'}"
        f"{' ...' if len(text_cols) > 8 else ''}. K-Means needs numbers; upload a file "
        "with at least one column of numbers."
    )


def parse_csv(data: bytes) -> ParsedCSV:
    """Read an uploaded CSV: detect encoding and delimiter, name and classify columns.

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
    _check_text(text)
    sep = _sniff_delimiter(text)
    notes: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(
            f"The file is not UTF-8; it was read as {ENCODING_NAMES[encoding]}. If accented "
            "letters look wrong, save it as 'CSV UTF-8' and upload again."
        )
    df, name_notes = _read_table(text, sep)
    _check_shape(df)
    numeric, text_cols, integer, kind_notes = _classify(df, sep)
    if not numeric:
        raise _no_numeric_error(df, text_cols)
    notes += name_notes + kind_notes
    digest = hashlib.sha256(data).hexdigest()
    return ParsedCSV(df, sep, encoding, numeric, text_cols, integer, notes, digest)
