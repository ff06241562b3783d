"""Untrusted text is shown literally in markdown: escaped, on one line, shortened."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.safe_text import WORD_JOINER, literal, quoted, short_repr, shorten


def test_a_markdown_link_becomes_literal_brackets():
    assert literal("[a](http://x)") == r"\[a\]\(" + WORD_JOINER + r"http\:\/\/x\)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # GitHub autolinks survive escaping; a word joiner keeps them from starting a word.
        ("http://x.example", WORD_JOINER + r"http\:\/\/x\.example"),
        ("HTTPS://x.example", WORD_JOINER + r"HTTPS\:\/\/x\.example"),
        ("(www.x.org)", r"\(" + WORD_JOINER + r"www\.x\.org\)"),
        ("a@b.example", r"a\@" + WORD_JOINER + r"b\.example"),
        ("wwww.x.org", "w" + WORD_JOINER + r"www\.x\.org"),
        ("httpx: www", r"httpx\: www"),
    ],
)
def test_autolink_starts_are_broken_by_an_invisible_word_joiner(text, expected):
    assert literal(text) == expected


def test_image_latex_html_and_shortcodes_are_escaped():
    assert literal("![t](u)") == r"\!\[t\]\(u\)"
    assert literal("$x^2$") == r"\$x\^2\$"
    assert literal("<b>") == r"\<b\>"
    assert literal(":red[x] :material/home:") == r"\:red\[x\] \:material\/home\:"


def test_line_breaks_fold_to_spaces_so_no_heading_or_list_starts():
    assert literal("a\n# b\r\n- c") == r"a \# b  \- c"


def test_long_text_is_cut_with_an_ellipsis():
    assert shorten("x" * 100, 10) == "x" * 9 + "…"
    assert shorten("short", 10) == "short"


def test_quoted_wraps_in_typographic_quotes():
    assert quoted("a*b") == r"“a\*b”"


@given(st.text(max_size=200))
def test_every_ascii_punctuation_character_is_preceded_by_a_backslash(text):
    out = literal(text, max_chars=10_000)
    i = 0
    while i < len(out):
        if out[i] == WORD_JOINER:
            i += 1
            continue
        if out[i] == "\\":
            assert out[i + 1] in string.punctuation
            i += 2
            continue
        assert out[i] not in string.punctuation
        i += 1


def test_short_repr_is_a_shortened_one_line_repr():
    assert short_repr("a\nb") == "'a\\nb'"
    assert short_repr("x" * 100, 10) == "'xxxxxxxx…"
    assert short_repr(1.5) == "1.5"


def test_short_repr_describes_ints_too_long_for_repr():
    # repr(10**5000) raises ValueError (Python's 4,300-digit limit).
    assert short_repr(10**5000) == "<a number of about 5,001 digits>"


@given(st.text(alphabet=st.sampled_from("hHtTpPsS:/wW.@a "), max_size=60))
def test_no_autolink_start_is_left_without_a_word_joiner(text):
    out = literal(text, max_chars=10_000)
    assert not re.search(r"(?i)(?<!\u2060)(https?\\:|www\\\.)", out)
    assert out.count("\\@") == out.count("\\@" + WORD_JOINER)
    assert out.replace(WORD_JOINER, "").replace("\\", "") == text.replace("\\", "")


def test_plotly_text_escapes_html_that_plotly_would_render():
    from dashboard.safe_text import plotly_text

    assert plotly_text('<a href="https://x">y</a>') == '&lt;a href="https://x"&gt;y&lt;/a&gt;'
    assert plotly_text("a & b") == "a &amp; b"
    assert plotly_text(3) == "3"


def test_figures_escape_column_names_and_class_names():
    import numpy as np

    from dashboard import profile_figures
    from dashboard.plotting import view_2d

    names = ["<b>bold</b>", "<a href='https://evil'>x</a>"]
    view = view_2d(np.random.default_rng(0).normal(size=(20, 2)), names)
    assert "<" not in view.x_title + view.y_title
    heat = profile_figures.heatmap_figure(np.zeros((2, 2)), names)
    assert all("<" not in str(x) for x in heat.data[0].x)
