"""Shareable links: a run (dataset recipe + K, init, seed) as URL query parameters.

A link looks like ``/animate?k=5&init=random&seed=7&data=blobs&data.n_samples=500&...``.

- ``k``, ``init`` and ``seed`` are the sidebar widgets' own query parameters
  (``bind="query-params"``): Streamlit seeds the widgets from them and keeps them
  in the URL across navigation.
- ``data`` is the recipe's ``kind`` and every other recipe setting travels as
  ``data.<name>``. The recipe's seed is the run seed; it travels as ``data.seed``
  only in the rare case that the two differ.

Values are written as JSON when they are not plain text (``500``, ``1.0``, ``true``,
``"500"`` for the *string* 500) and as plain text otherwise (``blobs``), so
``recipe -> params -> recipe`` is exact for flat JSON recipes and the links stay
readable.

Anyone can hand-edit a link, so reading one is bounded: at most
:data:`MAX_DATASET_PARAMS` dataset parameters, names of :data:`MAX_NAME_CHARS` and
values of :data:`MAX_VALUE_CHARS` characters, no JSON arrays or objects (recipes are
flat, and a deep ``[[[…`` would exhaust the recursion limit), and K and seed read as
whole numbers of at most :data:`MAX_INT_CHARS` characters (Python refuses to convert
numbers of more than 4,300 digits). Whatever is wrong becomes a notice, never an error.
The notices are markdown in which every value from the link is escaped
(:mod:`dashboard.safe_text`), so a link cannot plant a link, an image or LaTeX in them.

:func:`dashboard.streamlit_glue.apply_shared_link` (called by ``app.py`` before the
sidebar on every run) rebuilds the linked dataset once per link and session. The dataset
parameters are left in the URL as they came (Streamlit drops them when the user
navigates, which is harmless: the dataset lives in the session from then on); the Export
page builds the complete link from the session, never from the address bar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from dashboard import run_settings as rs
from dashboard.dataset import Dataset, default_dataset
from dashboard.generators import dataset_from_recipe
from dashboard.safe_text import literal, quoted, short_repr, shorten

KIND_PARAM = "data"
SETTING_PREFIX = "data."
# A link made from uploaded data says so (``data=upload&data.file=penguins.csv``): the
# file cannot travel in it, and the recipient must be told instead of getting blobs.
UPLOAD_KIND = "upload"
FILE_PARAM = SETTING_PREFIX + "file"
RUN_KEYS = (rs.K_KEY, rs.INIT_KEY, rs.SEED_KEY)

# Bounds on what a link may carry; the app's own links stay far below them (a recipe
# has at most 6 entries, names of 12 characters and values of about 20).
MAX_DATASET_PARAMS = 16
MAX_NAME_CHARS = 40
MAX_VALUE_CHARS = 200
# "-2147483648" is 11 characters; leading zeros are allowed up to this length.
MAX_INT_CHARS = 20
# A value from the link is echoed in a notice cut to this length.
_MAX_ECHO_CHARS = 40
# A notice's reason is cut here: it names at most a few short values.
_MAX_REASON_CHARS = 300


def encode_value(value: Any) -> str:
    """One recipe value as query-parameter text.

    Plain text stays plain (``"blobs"``); anything that is not a string, or a
    string that would read back as JSON (``"500"``, ``"true"``), is written as
    compact JSON so :func:`decode_value` gives back the same type.
    """
    if isinstance(value, str):
        decoded = decode_value(value)
        if isinstance(decoded, str) and decoded == value:
            return value
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def decode_value(text: str) -> Any:
    """Inverse of :func:`encode_value`: a JSON scalar if it parses as one, else the text.

    Text that starts like a JSON array or object stays text: recipes are flat, and
    parsing ``[[[[…`` recurses once per bracket.
    """
    if text.lstrip()[:1] in ("[", "{"):
        return text
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def recipe_to_params(recipe: Mapping[str, Any], run_seed: int | None = None) -> dict[str, str]:
    """The query parameters that carry ``recipe``.

    Parameters
    ----------
    recipe : mapping
        ``{"kind": ..., **settings, "seed": ...}`` as in ``Dataset.recipe``.
    run_seed : int, optional
        The sidebar seed that goes into the link as ``seed``; the recipe's own seed
        is written (as ``data.seed``) only when it differs from it.

    Returns
    -------
    dict of str to str
        ``{"data": kind, "data.<name>": value, ...}`` in the recipe's order.
    """
    params = {KIND_PARAM: encode_value(recipe["kind"])}
    for name, value in recipe.items():
        if name == "kind" or (name == "seed" and value == run_seed):
            continue
        params[SETTING_PREFIX + name] = encode_value(value)
    return params


def dataset_params(query: Mapping[str, Any]) -> dict[str, str]:
    """The dataset part (``data`` and ``data.*``) of a query-parameter mapping.

    Not bounded: :func:`params_to_recipe` checks the sizes.
    """
    return {
        key: _last(value)
        for key, value in query.items()
        if key == KIND_PARAM or key.startswith(SETTING_PREFIX)
    }


def params_to_recipe(params: Mapping[str, Any], run_seed: int) -> dict[str, Any] | None:
    """Rebuild a recipe from query parameters (inverse of :func:`recipe_to_params`).

    Parameters
    ----------
    params : mapping
        Query parameters; keys other than ``data``/``data.*`` are ignored.
    run_seed : int
        The link's run seed, used as the recipe's seed unless ``data.seed`` is given.

    Returns
    -------
    dict or None
        The recipe, or None when the parameters carry no dataset.

    Raises
    ------
    ValueError
        If ``data.*`` settings come without a ``data`` kind, the kind is empty, or
        the parameters exceed the bounds (:data:`MAX_DATASET_PARAMS`,
        :data:`MAX_NAME_CHARS`, :data:`MAX_VALUE_CHARS`). The message is plain text.
    """
    data = dataset_params(params)
    if not data:
        return None
    _check_sizes(data)
    if KIND_PARAM not in data or data[KIND_PARAM] == "":
        raise ValueError("the link has dataset settings but no dataset kind ('data=...').")
    recipe: dict[str, Any] = {"kind": decode_value(data[KIND_PARAM])}
    for key, text in data.items():
        name = key[len(SETTING_PREFIX) :]
        if key == KIND_PARAM or name in ("", "kind"):
            continue
        recipe[name] = decode_value(text)
    recipe.setdefault("seed", run_seed)
    return recipe


def _check_sizes(data: Mapping[str, str]) -> None:
    """Raise ``ValueError`` (plain text) if the dataset parameters exceed the bounds."""
    if len(data) > MAX_DATASET_PARAMS:
        raise ValueError(
            f"the link has {len(data):,} dataset parameters; a dataset needs at most "
            f"{MAX_DATASET_PARAMS}."
        )
    for key, text in data.items():
        if len(key) > MAX_NAME_CHARS:
            raise ValueError(
                f"the parameter name “{shorten(key, 30)}” is longer than "
                f"{MAX_NAME_CHARS} characters."
            )
        if len(text) > MAX_VALUE_CHARS:
            raise ValueError(
                f"the value of {key} ({len(text):,} characters, “{shorten(text, 30)}”) is "
                f"longer than {MAX_VALUE_CHARS} characters."
            )


def link_params(ds: Dataset, settings: rs.RunSettings) -> dict[str, str]:
    """Every query parameter of the link that reproduces ``ds`` and ``settings``.

    Uploaded data has no recipe, so its link carries only K, init and seed.
    """
    params = {
        rs.K_KEY: str(settings.k),
        rs.INIT_KEY: settings.init,
        rs.SEED_KEY: str(settings.seed),
    }
    if ds.recipe is not None:
        params.update(recipe_to_params(ds.recipe, settings.seed))
    elif ds.source == "upload":
        params.update(upload_params(ds.name))
    return params


def upload_params(file_name: str) -> dict[str, str]:
    """The marker of a link made from an uploaded file: ``data=upload`` and its name."""
    return {KIND_PARAM: UPLOAD_KIND, FILE_PARAM: file_name}


def is_upload_link(query: Mapping[str, Any]) -> bool:
    """Whether the link was made from an uploaded file (see :func:`upload_params`)."""
    return KIND_PARAM in query and _last(query[KIND_PARAM]) == UPLOAD_KIND


def upload_link_file(query: Mapping[str, Any]) -> str | None:
    """The uploaded file's name an upload link carries (untrusted text), or None."""
    if FILE_PARAM not in query:
        return None
    return _last(query[FILE_PARAM]) or None


def share_url(base_url: str, page_path: str, params: Mapping[str, str]) -> str:
    """``base_url/page_path?params``, with every reserved character escaped.

    ``+`` must become ``%2B`` (``k-means++`` would otherwise read back as spaces).
    """
    query = urlencode(dict(params), quote_via=quote, safe="")
    return f"{base_url.rstrip('/')}/{page_path.strip('/')}?{query}"


def app_base_url(page_url: str | None, page_paths: list[str]) -> str:
    """The app's root URL, from the URL of the page being shown.

    Drops the query, the fragment and a trailing page path (one of ``page_paths``),
    so an app served under a prefix (``/tools/kmeans/export``) keeps its prefix.
    Returns ``""`` (a root-relative link) when the URL is unknown.
    """
    if not page_url:
        return ""
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    for page in page_paths:
        if path.endswith("/" + page):
            path = path[: -len(page) - 1]
            break
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_run_params(query: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """K, init and seed from a link, with defaults (and a notice each) for bad values.

    K and seed must be written as whole numbers (``7``, not ``7.0`` or ``1e3``: the
    app's links never write them otherwise) within the sidebar's limits; init must be
    one of the sidebar's choices, spelled exactly.

    Returns
    -------
    values : dict
        ``{"k": int, "init": str, "seed": int}``; a value missing from the link is
        the default, silently.
    notices : list of str
        Markdown, one sentence per malformed value: the value (escaped and
        shortened), what was wrong and the value used instead.
    """
    values: dict[str, Any] = {
        rs.K_KEY: rs.DEFAULT_K,
        rs.INIT_KEY: rs.INIT_CHOICES[0],
        rs.SEED_KEY: rs.DEFAULT_SEED,
    }
    notices: list[str] = []
    for key in RUN_KEYS:
        if key not in query:
            continue
        value, notice = _read_run_value(key, _last(query[key]), values[key])
        if notice is None:
            values[key] = value
        else:
            notices.append(notice)
    return values, notices


def unusable_run_keys(query: Mapping[str, Any]) -> list[str]:
    """The K, init and seed parameters of ``query`` that :func:`parse_run_params` rejects.

    Removing them from the URL makes the sidebar start from the defaults the notices
    announce (its widgets read the URL on their own, and differently: ``seed=1e3``
    would give 1000).
    """
    return [
        key
        for key in RUN_KEYS
        if key in query and _read_run_value(key, _last(query[key]), None)[1] is not None
    ]


def _read_run_value(key: str, text: str, default: Any) -> tuple[Any, str | None]:
    """One run parameter read from the link: ``(value, None)`` or ``(None, notice)``."""
    shown = quoted(text, _MAX_ECHO_CHARS)
    if key == rs.INIT_KEY:
        if text in rs.INIT_CHOICES:
            return text, None
        choices = ", ".join(rs.INIT_CHOICES)
        return None, f"The link's init {shown} is not one of {choices}; using {default}."
    label, low, high = ("K", 1, rs.MAX_K) if key == rs.K_KEY else ("seed", 0, rs.MAX_SEED)
    number = _strict_int(text)
    if number is not None and low <= number <= high:
        return number, None
    return None, (
        f"The link's {label} {shown} is not a whole number from {low:,} to {high:,}; "
        f"using {label} = {default}."
    )


def dataset_from_link(query: Mapping[str, Any], seed: int) -> tuple[Dataset | None, list[str]]:
    """The dataset a link describes, or the default dataset and a notice if it is malformed.

    Parameters
    ----------
    query : mapping
        The link's query parameters.
    seed : int
        The link's (validated) run seed.

    Returns
    -------
    dataset : Dataset or None
        None when the link carries no dataset (the session keeps its own).
    notices : list of str
        Markdown; the reason, which may quote the link's values, is escaped.
    """
    try:
        recipe = params_to_recipe(query, seed)
        if recipe is None:
            return None, []
        recipe_seed = recipe.pop("seed")
        if isinstance(recipe_seed, bool) or not isinstance(recipe_seed, int):
            raise ValueError(f"the dataset seed {short_repr(recipe_seed)} is not a whole number.")
        return dataset_from_recipe(recipe, recipe_seed), []
    # A hand-edited link can break the recipe in any way; none of it may become a traceback.
    except (ValueError, TypeError, KeyError, OverflowError, MemoryError, RecursionError) as exc:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, KeyError):
            reason = f"the setting {short_repr(exc.args[0])} is missing."
        reason = literal(reason.rstrip("."), max_chars=_MAX_REASON_CHARS)
        return default_dataset(seed), [
            f"The link's dataset could not be rebuilt ({reason}); "
            "showing the default dataset (3 blobs) instead."
        ]


def _last(value: Any) -> str:
    """A query parameter's value (the last one when it is repeated)."""
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return str(value)


def _strict_int(text: str) -> int | None:
    """``text`` as an int if it is written as one (optional sign, at most 20 ASCII digits)."""
    body = text[1:] if text[:1] in "+-" else text
    if len(text) > MAX_INT_CHARS or not body.isascii() or not body.isdigit():
        return None
    return int(text)


# --------------------------------------------------------------------------- Animate view

# The Animate page's own link parameters: the frame to open at, and the presenter view.
STEP_PARAM = "step"
PRESENT_PARAM = "present"
MAX_STEP = 10_000


def parse_step(query: Mapping[str, Any]) -> int | None:
    """The frame a link asks the Animate page to open at (``?step=7``), or None.

    A malformed or negative value is ignored (None); a value past the last frame
    is clipped by the page, which knows how many frames there are.
    """
    if STEP_PARAM not in query:
        return None
    number = _strict_int(_last(query[STEP_PARAM]))
    if number is None or not 0 <= number <= MAX_STEP:
        return None
    return number


def parse_present(query: Mapping[str, Any]) -> bool:
    """Whether a link asks for the presenter view (``?present=1``, ``true`` or ``yes``)."""
    return _last(query.get(PRESENT_PARAM, "")).strip().lower() in ("1", "true", "yes", "on")


def view_params(*, step: int | None = None, present: bool = False) -> dict[str, str]:
    """The Animate view's link parameters: ``step`` (when given) and ``present=1`` (when on)."""
    params: dict[str, str] = {}
    if step is not None:
        params[STEP_PARAM] = str(int(step))
    if present:
        params[PRESENT_PARAM] = "1"
    return params
