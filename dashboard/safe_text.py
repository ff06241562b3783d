"""Untrusted text (from a URL, a file name, a file's contents) made safe for markdown.

Streamlit renders the body of ``st.markdown``, ``st.warning``, ``st.caption`` and
friends as GitHub-flavoured markdown with LaTeX (``$…$``), emoji and icon
shortcodes (``:material/…:``) and coloured text (``:red[…]``). Text that a visitor
controls must never be interpreted there: a link parameter could otherwise plant a
phishing link or a tracking image in the app's own notices. CommonMark guarantees
that a backslash before any ASCII punctuation character makes it literal, so
:func:`literal` escapes every one of them; it also folds line breaks (a new line
could start a heading or a list) and truncates to a sensible length.

Escapes do not stop GitHub's autolinks: Streamlit's renderer finds ``http://…``,
``https://…``, ``www.…`` and ``name@host.tld`` in the *text* after unescaping and
turns them into links. Such a match must start a word, so :func:`literal` puts an
invisible WORD JOINER (U+2060) in front of ``http``/``www`` and after ``@``.
"""

from __future__ import annotations

import math
import re
import string

DEFAULT_MAX_CHARS = 80
_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
_WHITESPACE = {ord(c): " " for c in "\r\n\t\v\f\u2028\u2029"}
WORD_JOINER = "\u2060"
# Where an autolink could start in escaped text: http\:, https\:, www\. (any case).
_AUTOLINK_START = re.compile(r"(?i)(?=https?\\:|www\\\.)")


def shorten(text: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """``str(text)`` on one line, cut to ``max_chars`` characters with an ellipsis.

    Parameters
    ----------
    text : object
        Anything; it is converted with ``str``.
    max_chars : int
        Longest result, ellipsis included (at least 2).

    Returns
    -------
    str
    """
    one_line = str(text).translate(_WHITESPACE)
    if len(one_line) <= max_chars:
        return one_line
    return one_line[: max(1, max_chars - 1)] + "…"


def literal(text: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    r"""``text`` as markdown that renders as exactly these characters (shortened).

    Parameters
    ----------
    text : object
        Untrusted text; converted with ``str``.
    max_chars : int
        Longest visible text before escaping (see :func:`shorten`).

    Returns
    -------
    str
        Safe to put into any Streamlit markdown body.

    Examples
    --------
    >>> print(literal("[click](http://x)").replace(WORD_JOINER, "<U+2060>"))
    \[click\]\(<U+2060>http\:\/\/x\)
    """
    escaped = shorten(text, max_chars).translate(_ESCAPES)
    return _AUTOLINK_START.sub(WORD_JOINER, escaped).replace("\\@", "\\@" + WORD_JOINER)


def quoted(text: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """:func:`literal` between typographic quotes, for a value inside a sentence."""
    return f"“{literal(text, max_chars)}”"


def short_repr(value: object, max_chars: int = 40) -> str:
    """``repr(value)`` on one line and shortened: a plain-text (not markdown) echo.

    For messages that quote a value of unknown size, such as a setting read from
    a link. Still escape the message with :func:`literal` before it goes into
    markdown.

    Parameters
    ----------
    value : object
        Anything. An int too long for ``repr`` (over 4,300 digits) is described
        by its size instead.
    max_chars : int
        Longest result, ellipsis included.

    Returns
    -------
    str
    """
    try:
        text = repr(value)
    except ValueError:  # Python's limit on int -> str conversion
        digits = int(value.bit_length() * math.log10(2)) + 1 if isinstance(value, int) else 0
        text = f"<a number of about {digits:,} digits>"
    return shorten(text, max_chars)


_PLOTLY_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


def plotly_text(text: object) -> str:
    """``text`` for a Plotly title, legend entry or category label, shown as typed.

    Plotly renders a subset of HTML in such strings (``<b>``, ``<br>``, ``<a href>``),
    so a column named ``<a href="…">`` would become a link in an axis title. Plotly
    turns the entities back into characters, so the visitor sees the original text.

    Parameters
    ----------
    text : object
        Untrusted text (a column name, a class label); converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> plotly_text("<b>price</b> & tax")
    '&lt;b&gt;price&lt;/b&gt; &amp; tax'
    """
    return str(text).translate(_PLOTLY_ESCAPES)
