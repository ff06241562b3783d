"""Hostile share links (issue 15): the notice shows the link's text literally, never a page error.

Each link is opened as a browser's first visit would (``open_page``), then the page is
checked: no exception, the "could not be used" notice with the link's text escaped, and
the sidebar holding exactly the value the notice names.
"""

from __future__ import annotations

import re
import string
from urllib.parse import parse_qsl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import generators, page_registry
from dashboard.safe_text import WORD_JOINER
from tests.apptest.app_runner import open_page

PAGE_SCRIPTS = [p.script for p in page_registry.PAGES]

# The link, with the same payloads in the dataset parameters too.
PHISHING = dict(
    parse_qsl(
        "init=%5BYour%20session%20expired%20-%20click%20here%20to%20sign%20in%20again%5D"
        "%28http%3A%2F%2F127.0.0.1%3A8799%2Fphish%29"
        "&k=%21%5Bt%5D%28http%3A%2F%2F127.0.0.1%3A8799%2Ftrack.png%29"
        "&data=%21%5Bt%5D%28http%3A%2F%2F127.0.0.1%3A8799%2Fdata.png%29"
        "&data.n_samples=%24%5Cfrac%7B1%7D%7B2%7D%24%20%3Cb%3Ebold%3C%2Fb%3E"
    )
)
HEADER = "**This link could not be used as it is.**"
# Markdown/HTML/LaTeX characters that may appear in a notice only escaped.
_ACTIVE = set("[]!<>$*_`~|#{}:/@&^%\\")


def _notice(at) -> str:
    boxes = [w.value for w in at.warning if w.value.startswith(HEADER)]
    assert len(boxes) == 1, [w.value for w in at.warning]
    return boxes[0]


def _bullets(notice: str) -> list[str]:
    body = notice.removeprefix(HEADER).strip()
    lines = body.split("\n")
    assert all(line.startswith("- ") for line in lines), lines
    return [line[2:] for line in lines]


def _assert_literal(notice: str) -> None:
    """Every bullet is one line whose markdown-active characters are all escaped."""
    for bullet in _bullets(notice):
        unescaped = re.sub(r"\\[" + re.escape(string.punctuation) + "]", "", bullet)
        assert not _ACTIVE & set(unescaped), bullet
        # GitHub autolinks are found after unescaping: an invisible U+2060 breaks them.
        assert not re.search(r"(?i)(?<!\u2060)(https?\\:|www\\\.)", bullet), bullet


def _sidebar(at) -> tuple[int, str, int]:
    return (
        at.sidebar.number_input(key="k").value,
        at.sidebar.selectbox(key="init").value,
        at.sidebar.number_input(key="seed").value,
    )


@pytest.mark.parametrize("page", PAGE_SCRIPTS)
def test_phishing_link_is_literal_text_on_every_page(page):
    at = open_page(page, query=PHISHING)
    assert not at.exception
    notice = _notice(at)
    _assert_literal(notice)
    assert r"“\[Your session expired \- click" in notice
    url = WORD_JOINER + r"http\:\/\/127\.0\.0\.1\:8799\/"
    assert r"“\!\[t\]\(" + url + r"track\.png\)”" in notice
    assert r"\!\[t\]\(" + url + r"data\.png\)" in notice
    assert "](" not in notice and "<b>" not in notice and "$\\frac" not in notice
    assert _sidebar(at) == (3, "k-means++", 42)
    assert at.session_state["dataset"].name == "Blobs (3 centers)"


@pytest.mark.parametrize(
    ("query", "said", "sidebar"),
    [
        # Python's 4,300-digit int limit crashed every page.
        ({"k": "9" * 5_000}, "using K = 3.", (3, "k-means++", 42)),
        ({"seed": "9" * 5_000}, "using seed = 42.", (3, "k-means++", 42)),
        # float("1e400") is inf: Streamlit's own number widget raised on it.
        ({"k": "1e400"}, "using K = 3.", (3, "k-means++", 42)),
        # The widget read 1e3 as 1000 and 4.7 as 4 while the notice named the default.
        ({"seed": "1e3", "k": "5"}, "using seed = 42.", (5, "k-means++", 42)),
        ({"k": "4.7", "seed": "8"}, "using K = 3.", (3, "k-means++", 8)),
        ({"k": ["abc", "6"], "seed": ["7", "x"]}, "using seed = 42.", (6, "k-means++", 42)),
        ({"init": "random\u00a0", "k": "4"}, "using k-means++.", (4, "k-means++", 42)),
        # Non-ASCII digits: float("٤") is 4.0 to the widget; the link's K must be ASCII.
        ({"k": "\u0664", "seed": "5"}, "using K = 3.", (3, "k-means++", 5)),
        ({"init": "x" * 100_000}, "using k-means++.", (3, "k-means++", 42)),
    ],
)
def test_bad_run_values_give_the_notice_and_the_value_it_names(query, said, sidebar):
    at = open_page("app_pages/animate.py", query=query)
    assert not at.exception
    notice = _notice(at)
    _assert_literal(notice)
    assert said in notice
    assert _sidebar(at) == sidebar
    # The rejected values left the address bar, so a reload repeats the same run.
    assert "…" not in str(at.query_params) and "1e" not in str(at.query_params)


def test_deeply_nested_data_param_gives_the_default_dataset_and_a_notice():
    at = open_page("app_pages/data.py", query={"data": "[" * 1_200})
    assert not at.exception
    notice = _notice(at)
    _assert_literal(notice)
    assert "longer than 200 characters" in notice.replace("\\", "")
    assert "showing the default dataset (3 blobs) instead" in notice
    assert at.session_state["dataset"].name == "Blobs (3 centers)"


def test_a_good_link_still_shows_no_notice_and_keeps_its_values():
    query = {"k": "4", "seed": "11", "init": "random", "data": "moons", "data.n_samples": "300"}
    query["data.noise"] = "0.1"
    at = open_page("app_pages/animate.py", query=query)
    assert not at.exception and not at.warning
    assert _sidebar(at) == (4, "random", 11)
    assert at.session_state["dataset"].n_samples == 300


_KEYS = st.sampled_from(
    ["k", "seed", "init", "data"]
    + sorted({f"data.{n}" for params in generators.LIMITS.values() for n in params})
)
_VALUES = st.one_of(
    st.text(alphabet=st.sampled_from("[]()!<>$*_`~|#{}\\:/@&^%'\"=+-.,; \n1aé漢😀"), max_size=80),
    st.integers(1, 6_000).map(lambda n: "9" * n),
    st.integers(1, 2_000).map(lambda n: "[" * n),
    st.sampled_from(["1e3", "1e400", "-1", "4.7", "![t](http://x/t.png)", "moons", "iris"]),
)


# A handful of whole-app runs (about a second each); share.py's own test runs hundreds.
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    page=st.sampled_from(PAGE_SCRIPTS),
    query=st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=5),
)
def test_generated_links_never_break_a_page(page, query):
    at = open_page(page, query=query)
    assert not at.exception
    k, init, seed = _sidebar(at)
    assert 1 <= k <= 50 and init in ("k-means++", "random", "farthest point") and seed >= 0
    boxes = [w.value for w in at.warning if w.value.startswith(HEADER)]
    for notice in boxes:
        _assert_literal(notice)
