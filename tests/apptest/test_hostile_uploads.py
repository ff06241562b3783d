"""Every hostile file of tests/data/hostile (and a few large ones made here) through the Data page.

For each upload, whatever the Upload tab's wording and layout:

* no exception reaches the page;
* a refused file shows an error that says what is wrong (a keyword of its kind) and what
  to do (an instruction), and the dataset loaded before stays in use;
* an accepted file either becomes the dataset on its submit button, or is refused then
  with the same guarantees;
* nothing of the file's text is interpreted: markdown, LaTeX and Streamlit directives
  from names and cells never appear unescaped in any rendered text, and no code in a
  cell runs.

One AppTest serves the whole module (opening the app takes seconds); each test puts a
fresh dataset in the session first, so no test depends on another's upload.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.generators import dataset_from_recipe
from dashboard.run_settings import DEFAULT_SEED
from tests.apptest.app_runner import open_page

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
FILES = sorted(p.name for p in HOSTILE.glob("*.csv"))
PWNED = Path("/tmp/hostile_pwned")

# Refused files: words of which at least one says what is wrong.
BINARY = ("binary", "not a csv", "not a plain-text", "utf-16", "nul")
EMPTY = ("empty", "blank", "no data", "no columns")
NOT_NUMERIC = ("numeric", "number")
REFUSED: dict[str, tuple[str, ...]] = {
    "all_missing.csv": NOT_NUMERIC,
    "all_nul.csv": BINARY,
    "bom_only.csv": EMPTY,
    "booleans.csv": NOT_NUMERIC,
    "bz2_renamed.csv": ("bzip2", "compressed", "binary"),
    "control_chars.csv": NOT_NUMERIC,
    "elf_binary.csv": BINARY,
    "empty.csv": EMPTY,
    "gzip_renamed.csv": ("gzip", "compressed", "binary"),
    "header_only.csv": EMPTY,
    "hex_numbers.csv": NOT_NUMERIC,
    "html_page.csv": EMPTY + ("html",),
    "json_renamed.csv": EMPTY + ("json",),
    "markdown_names_header_only.csv": EMPTY,
    "markdown_names_text_only.csv": NOT_NUMERIC,
    "mixed_types.csv": NOT_NUMERIC,
    "newlines_only.csv": EMPTY,
    "nul_in_rows.csv": BINARY,
    "one_row.csv": ("one data row", "one row", "at least two"),
    "only_delimiters.csv": NOT_NUMERIC + EMPTY,
    "pdf_renamed.csv": ("pdf",),
    "png_renamed.csv": ("png", "image"),
    "ragged_rows.csv": ("fields", "line up", "columns"),
    "random_bytes.csv": BINARY,
    "script_text_only.csv": NOT_NUMERIC,
    "six_hundred_columns.csv": ("600 columns", "500"),
    "thousands_separators.csv": NOT_NUMERIC,
    "unclosed_quote.csv": ("quote", "line up", "eof"),
    "utf16_no_bom.csv": BINARY,
    "utf32_bom.csv": BINARY + ("utf-32",),
    "whitespace_only.csv": EMPTY,
    "xls_ole_renamed.csv": ("excel", ".xls"),
    "xlsx_renamed.csv": ("excel", "zip"),
    "xml_renamed.csv": EMPTY + ("xml",),
    "zip_renamed.csv": ("zip", "excel"),
    # made at test time
    "over_a_million_rows.csv": ("1,000,000 rows", "rows"),
    "over_150_mb.csv": ("150 mb", "mb"),
}
# Words of an instruction: the message says what to do, not only what is wrong.
ADVICE = re.compile(
    r"\b(upload|save|add|keep|check|choose|remove|fix|use|rescale|leave|split|export|drop)\b",
    re.IGNORECASE,
)
# Markup a visitor's file may carry; none may reach a rendered text as it is.
PAYLOADS = (
    "![pixel](http",
    "[click me](javascript",
    "$\\href{javascript",
    "$$\\frac",
    ":red[danger]",
    ":material/warning:",
    "# Big heading",
    "**bold** _it_",
    "<script>",
    "<img src=x",
    "<iframe",
    "<b>bold</b>",
    '=HYPERLINK("http',
)


def _large_files(folder: Path) -> dict[str, Path]:
    """Files too big to commit, written once per module."""
    files = {
        # Just over the row limit: 1.2 M rows (about 4.8 MB).
        "over_a_million_rows.csv": b"x,y\n" + b"1,2\n" * 1_200_000,
        # Over the 150 MB limit (the browser's uploader refuses it earlier; the parser
        # must too, for any client that skips the browser).
        "over_150_mb.csv": b"x,y\n" + b"1,2\n" * (151 * 2**20 // 4),
        # One cell of two million digits, then normal rows.
        "two_million_digit_cell.csv": b"x,y\n" + b"9" * 2_000_000 + b",1\n1,2\n3,4\n5,6\n",
        # At the limits: 500 columns, and a million rows of 2 columns.
        "five_hundred_columns.csv": (
            ",".join(f"c{i}" for i in range(500)) + "\n" + ("1," * 499 + "2\n") * 200
        ).encode(),
        "a_million_rows.csv": b"x,y\n" + b"1,2\n3,5\n" * 500_000,
    }
    out = {}
    for name, data in files.items():
        out[name] = folder / name
        out[name].write_bytes(data)
    return out


LARGE = (
    "over_a_million_rows.csv",
    "over_150_mb.csv",
    "two_million_digit_cell.csv",
    "five_hundred_columns.csv",
    "a_million_rows.csv",
)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> dict[str, Path]:
    return _large_files(tmp_path_factory.mktemp("hostile_large"))


@pytest.fixture(scope="module")
def app() -> AppTest:
    at = open_page("app_pages/data.py", timeout=300)
    assert not at.exception, at.exception
    # The page's own primary buttons before any upload (Generate, Load, ...): a button
    # to use an uploaded file is one that is not among them.
    BASELINE_BUTTONS.update(_buttons(at))
    return at


BASELINE_BUTTONS: dict[str, object] = {}


def _texts(node) -> Iterator[str]:
    """Every string a visitor can see that Streamlit renders as markdown (bodies, labels)."""
    for attr in ("value", "label", "body", "help", "placeholder"):
        try:
            v = getattr(node, attr, None)
        except Exception:  # some element types raise for attributes they lack
            v = None
        if isinstance(v, str):
            yield v
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def _buttons(at: AppTest) -> dict[str, object]:
    """Enabled primary buttons (a form's submit or a plain "use it" button), by id."""
    return {b.id: b for b in at.button if b.proto.type == "primary" and not b.proto.disabled}


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    return at


def unescaped(payload: str, text: str) -> bool:
    """True if ``payload`` occurs in ``text`` other than right after a backslash escape."""
    return any(
        m.start() == 0 or text[m.start() - 1] != "\\" for m in re.finditer(re.escape(payload), text)
    )


def _check_no_markup(at: AppTest) -> None:
    seen = list(_texts(at.main)) + list(_texts(at.sidebar))
    for text in seen:
        for payload in PAYLOADS:
            assert not unescaped(payload, text), f"file text rendered unescaped: {text[:200]!r}"


def _assert_refusal(at: AppTest, name: str, before) -> None:
    errors = [e.value for e in at.error]
    assert errors, f"{name}: refused without an error message"
    words = REFUSED.get(name, ())
    msg = " ".join(errors)
    if words:
        assert any(w in msg.lower() for w in words), f"{name}: what is wrong? {msg!r}"
    assert ADVICE.search(msg), f"{name}: what to do? {msg!r}"
    assert at.session_state["dataset"] is before


def _run_one(at: AppTest, name: str, data: bytes) -> None:
    # A generated dataset of the session's seed (another seed would be rebuilt on load).
    before = dataset_from_recipe({"kind": "moons", "n_samples": 120, "noise": 0.1}, DEFAULT_SEED)
    at.session_state["dataset"] = before
    PWNED.unlink(missing_ok=True)
    _upload(at, name, data)
    assert not at.exception, f"{name}: {at.exception}"
    _check_no_markup(at)
    if name in REFUSED:
        _assert_refusal(at, name, before)
        return
    if at.error:  # refused though not expected to: still with the guarantees
        _assert_refusal(at, name, before)
        return
    assert at.session_state["dataset"] is before  # nothing changes before the submit
    new = [b for i, b in _buttons(at).items() if i not in BASELINE_BUTTONS]
    assert new, f"{name}: accepted, but no button to use it"
    new[0].click().run()
    assert not at.exception, f"{name}: {at.exception}"
    _check_no_markup(at)
    ds = at.session_state["dataset"]
    if ds is before:
        _assert_refusal(at, name, before)
    else:
        assert ds.n_samples >= 2 and ds.X.shape[1] >= 1
    assert not PWNED.exists(), "code from a cell ran"


@pytest.mark.parametrize("name", FILES)
def test_hostile_file(app: AppTest, name: str) -> None:
    _run_one(app, name, (HOSTILE / name).read_bytes())


@pytest.mark.parametrize("name", LARGE)
def test_large_hostile_file(app: AppTest, large: dict[str, Path], name: str) -> None:
    _run_one(app, name, large[name].read_bytes())


def test_there_are_at_least_sixty_files():
    assert len(FILES) + len(LARGE) >= 60
    assert set(REFUSED) - set(FILES) - set(LARGE) == set()
