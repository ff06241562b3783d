"""Fuzz every page's full address: the run settings, a dataset recipe and any other parameter.

Hypothesis draws a page and a query string of the link's own parameters (``k``, ``init``,
``seed``, ``data`` and ``data.<setting>`` for every setting of every generator), keys some
pages may read, and junk keys; values are in range, out of range, of the wrong type,
enormous, or markup. Each draw opens the app on that page in AppTest:

* no exception, and the page rendered (it has a title);
* the session's dataset and settings are within the documented limits;
* nothing from the address is rendered as markup (links, images, LaTeX, directives).

Bounded: a fixed number of examples, in-range sizes kept small so each page load stays
quick (the heavy-run cap is tested in test_budget / test_heavy_runs), about a minute.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import run_settings as rs
from dashboard.generators import LIMITS, MAX_SAMPLES
from dashboard.page_registry import PAGES
from tests.apptest.app_runner import open_page
from tests.apptest.test_hostile_uploads import PAYLOADS, _texts, unescaped

MARKUP = [
    "![pixel](http://127.0.0.1:9/pixel.png)",
    "[click me](javascript:alert(1))",
    "$\\href{javascript:alert(1)}{x}$",
    ":red[danger]",
    ":material/warning:",
    "# Big heading",
    "**bold** _it_",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
]
# Keys some pages may read besides the link's own (harmless if a page ignores them).
PAGE_KEYS = ["mode", "n_init", "max_iter", "tol", "step", "tier", "n", "d", "view", "tab", "embed"]

_ints = st.one_of(
    st.integers(-5, 60),
    st.sampled_from([0, -1, 2**31, 2**63, 10**30, MAX_SAMPLES + 1, rs.MAX_K + 1, rs.MAX_SEED + 1]),
).map(str)
_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "0x10", "1_000", "٣"]),
)
_junk = st.one_of(
    st.sampled_from(MARKUP),
    st.text(max_size=40),
    st.text(min_size=1, max_size=3).map(lambda s: s * 600),  # long (up to ~1,800 chars)
    st.sampled_from(["", " ", "%00", "\x00", "null", "None", "[]", "{}", '{"a": 1}', "true"]),
)
_value = st.one_of(_ints, _floats, _junk)


def _small_setting(name: str, p) -> st.SearchStrategy[str]:
    """In-range values for a generator setting, sizes kept small (page loads stay quick)."""
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if name == "n_samples":
        return st.integers(10, 2000).map(str)
    if p.kind == "int":
        return st.integers(int(p.lo), int(min(p.hi, 10))).map(str)
    return st.floats(p.lo, p.hi, allow_nan=False).map(lambda x: f"{x:.3g}")


@st.composite
def queries(draw) -> dict[str, str]:
    q: dict[str, str] = {}
    if draw(st.booleans()):
        q[rs.K_KEY] = draw(st.one_of(st.integers(1, 8).map(str), _value))
    if draw(st.booleans()):
        q[rs.INIT_KEY] = draw(st.one_of(st.sampled_from(rs.INIT_CHOICES), _value))
    if draw(st.booleans()):
        q[rs.SEED_KEY] = draw(st.one_of(st.integers(0, 99).map(str), _value))
    if draw(st.booleans()):
        kind = draw(st.one_of(st.sampled_from(sorted(LIMITS)), _value))
        q["data"] = kind
        params = LIMITS.get(kind, LIMITS["blobs"])
        for name, p in params.items():
            if draw(st.integers(0, 3)) == 0:
                continue
            valid = _small_setting(name, p)
            q[f"data.{name}"] = draw(st.one_of(valid, valid, _value))
        if draw(st.booleans()):
            q[f"data.{draw(st.sampled_from(['kind', '', 'evil', '__class__', 'seed']))}"] = draw(
                _value
            )
    for key in draw(st.lists(st.sampled_from(PAGE_KEYS), max_size=3, unique=True)):
        q[key] = draw(_value)
    if draw(st.booleans()):
        q[draw(st.text(min_size=1, max_size=20))] = draw(_value)
    return q


def _check_limits(at) -> None:
    ds = at.session_state["dataset"]
    assert 1 <= ds.n_samples <= MAX_SAMPLES
    assert math.isfinite(float(abs(ds.X).max()))
    for key, lo, hi in [(rs.K_KEY, 1, rs.MAX_K), (rs.SEED_KEY, 0, rs.MAX_SEED)]:
        if key in at.session_state:
            assert lo <= int(at.session_state[key]) <= hi
    if rs.INIT_KEY in at.session_state:
        assert at.session_state[rs.INIT_KEY] in rs.INIT_CHOICES


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)
@given(page=st.sampled_from([p.script for p in PAGES]), query=queries())
def test_any_address_on_any_page(page: str, query: dict[str, str]) -> None:
    at = open_page(page, query=query, timeout=120)
    assert not at.exception, (page, query, at.exception)
    assert at.title, f"{page} did not render a title for {query!r}"
    _check_limits(at)
    for text in list(_texts(at.main)) + list(_texts(at.sidebar)):
        for payload in PAYLOADS + ("![pixel](http", "[click me](javascript", "$\\href{"):
            assert not unescaped(payload, text), (page, query, text[:200])


# The link's notices quote what the address said: as text, never as markdown.
@pytest.mark.parametrize("key", [rs.K_KEY, rs.INIT_KEY, rs.SEED_KEY, "data"])
def test_link_notices_do_not_render_markup_from_the_address(key: str) -> None:
    at = open_page("app_pages/home.py", query={key: MARKUP[0]})
    assert not at.exception
    assert not [t for t in _texts(at.main) if "![pixel](http" in t]


@pytest.mark.parametrize("key", [rs.K_KEY, rs.SEED_KEY])
@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "INFINITY", "1e999"])
def test_infinite_numbers_for_bound_widgets(key: str, value: str) -> None:
    # Streamlit's URL binding turns these into int(inf) and raised before our code ran.
    at = open_page("app_pages/home.py", query={key: value})
    assert not at.exception, at.exception
    assert any(value in w.value for w in at.warning)  # the link's notice names it
    assert int(at.session_state[key]) == (rs.DEFAULT_K if key == rs.K_KEY else rs.DEFAULT_SEED)
