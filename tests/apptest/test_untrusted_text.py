"""An uploaded file's name, column names and cells are shown literally on every page (issue 15).

A file named like a markdown image with LaTeX and HTML, whose columns are named like a
link, a formula and a coloured-text shortcode, is uploaded on the Data page and then
opened on every page. No markdown element may carry those strings unescaped.
"""

from __future__ import annotations

import re
import string

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import csv_upload, page_registry, upload_recipe
from dashboard.safe_text import literal
from tests.apptest.app_runner import open_page

FILE_NAME = "![t](http://evil.example/t.png) $q^9$ <b>b</b>.csv"
COLUMNS = ["[a](http://evil.example)", "$y^2$", ":red[c]"]
CSV = (
    ",".join(f'"{c}"' for c in [*COLUMNS, "<i>kind</i>"]) + "\n1,2,3,p\n4,,6,q\n7,8,9,p\n2,3,4,q\n"
).encode()
# What must never reach markdown unescaped.
PAYLOADS = ["](", "$q^9$", "$y^2", "<b>", "<i>", ":red[", "http://"]
TEXT_ELEMENTS = [
    "markdown",
    "caption",
    "subheader",
    "header",
    "title",
    "success",
    "info",
    "warning",
    "error",
]


def _texts(at: AppTest) -> list[str]:
    texts = []
    for kind in TEXT_ELEMENTS:
        texts += [e.value for e in at.get(kind) if isinstance(e.value, str)]
    texts += [m.label for m in at.get("metric")] + [x.label for x in at.get("expander")]
    return texts


def _shown_as_markdown(text: str) -> str:
    """The markdown with every escaped character and word joiner removed."""
    return re.sub(r"\\[" + re.escape(string.punctuation) + "]", "", text.replace("\u2060", ""))


def _assert_no_payload(at: AppTest) -> None:
    assert not at.exception, at.exception
    for text in _texts(at):
        raw = _shown_as_markdown(text)
        assert not [p for p in PAYLOADS if p in raw], text


def test_upload_tab_shows_file_name_and_columns_literally():
    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload_file").set_value((FILE_NAME, CSV, "text/csv")).run()
    _assert_no_payload(at)
    texts = _texts(at)
    assert any(literal(FILE_NAME) in t for t in texts)  # the name is there, escaped
    next(b for b in at.button if b.label == "Use this data").click().run()
    _assert_no_payload(at)
    ds = at.session_state["dataset"]
    assert ds.name == FILE_NAME and ds.source == "upload"
    assert any(h.value == f"Preview: {literal(FILE_NAME)}" for h in at.subheader)
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert literal(FILE_NAME) in sidebar


@pytest.fixture(scope="module")
def uploaded():
    parsed = csv_upload.parse_csv(CSV)
    return upload_recipe.build_from_choices(parsed, FILE_NAME, COLUMNS, "<i>kind</i>", "mean")


@pytest.mark.parametrize("page", [p.script for p in page_registry.PAGES])
def test_every_page_shows_the_uploaded_names_literally(page, uploaded):
    at = open_page(page, session={"dataset": uploaded})
    _assert_no_payload(at)
