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

KIND_PARAM = "data"
SETTING_PREFIX = "data."


def encode_value(value: Any) -> str:
    """One recipe value as query-parameter text.

    Plain text stays plain (``"blobs"``); anything that is not a string, or a
    string that would read back as JSON (``"500"``, ``"true"``), is written as
    compact JSON so :func:`decode_value` gives back the same type.
    """
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def decode_value(text: str) -> Any:
    """Inverse of :func:`encode_value`: JSON if it parses as JSON, else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
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
    """The dataset part (``data`` and ``data.*``) of a query-parameter mapping."""
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
        If ``data.*`` settings come without a ``data`` kind, or the kind is empty.
    """
    data = dataset_params(params)
    if not data:
        return None
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
    return params


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

    Returns
    -------
    values : dict
        ``{"k": int, "init": str, "seed": int}``; a value missing from the link is
        the default, silently.
    notices : list of str
        One sentence per malformed value: what was wrong and what is used instead.
    """
    values: dict[str, Any] = {
        rs.K_KEY: rs.DEFAULT_K,
        rs.INIT_KEY: rs.INIT_CHOICES[0],
        rs.SEED_KEY: rs.DEFAULT_SEED,
    }
    notices: list[str] = []
    checks = [
        (rs.K_KEY, "K", 1, rs.MAX_K),
        (rs.SEED_KEY, "seed", 0, rs.MAX_SEED),
    ]
    for key, label, low, high in checks:
        if key not in query:
            continue
        text = _last(query[key])
        number = _strict_int(text)
        if number is None or not low <= number <= high:
            notices.append(
                f"The link's {label} {text!r} is not a whole number from {low} to {high}; "
                f"using {label} = {values[key]}."
            )
        else:
            values[key] = number
    if rs.INIT_KEY in query:
        text = _last(query[rs.INIT_KEY])
        if text in rs.INIT_CHOICES:
            values[rs.INIT_KEY] = text
        else:
            choices = ", ".join(rs.INIT_CHOICES)
            notices.append(
                f"The link's init {text!r} is not one of {choices}; using {rs.INIT_CHOICES[0]}."
            )
    return values, notices


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
    """
    try:
        recipe = params_to_recipe(query, seed)
        if recipe is None:
            return None, []
        recipe_seed = recipe.pop("seed")
        if isinstance(recipe_seed, bool) or not isinstance(recipe_seed, int):
            raise ValueError(f"the dataset seed {recipe_seed!r} is not a whole number.")
        return dataset_from_recipe(recipe, recipe_seed), []
    # A hand-edited link can break the recipe in any way; none of it may become a traceback.
    except (ValueError, TypeError, KeyError, OverflowError, MemoryError) as exc:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, KeyError):
            reason = f"the setting {exc.args[0]!r} is missing."
        return default_dataset(seed), [
            f"The link's dataset could not be rebuilt ({reason.rstrip('.')}); "
            "showing the default dataset (3 blobs) instead."
        ]


def _last(value: Any) -> str:
    """A query parameter's value (the last one when it is repeated)."""
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return str(value)


def _strict_int(text: str) -> int | None:
    """``text`` as an int if it is written as one (optional sign, digits only)."""
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.isdigit():
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
