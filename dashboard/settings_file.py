"""Reading back a ``settings.json`` from the Export page, to repeat an uploaded-data run.

The Data page takes the CSV and, next to it, the settings file;
:func:`read_settings` checks the file and :func:`for_upload` checks it against the
parsed CSV, giving the recipe to build the dataset with and the run settings
(K, init, seed) to put into the sidebar.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dashboard import run_settings as rs
from dashboard.csv_upload import ParsedCSV
from dashboard.export import SETTINGS_FORMAT

# What the app's fit uses (kmeans_core.KMeans defaults); a settings file saying
# otherwise cannot be repeated exactly.
APP_MAX_ITER = 300
APP_TOL = 1e-4
MAX_SETTINGS_BYTES = 1024 * 1024


class SettingsFileError(ValueError):
    """A settings file that cannot be used; the message is fit to show the user."""


@dataclass(frozen=True)
class UploadSettings:
    """A settings file checked against an uploaded CSV.

    Attributes
    ----------
    recipe : dict
        The upload recipe (see :mod:`dashboard.upload_recipe`).
    run : RunSettings
        K, init and seed of the run.
    notes : list of str
        Differences the user should know about (another file, other max_iter/tol).
    """

    recipe: dict[str, Any]
    run: rs.RunSettings
    notes: list[str] = field(default_factory=list)


def read_settings(data: bytes) -> dict[str, Any]:
    """The settings file's content, checked to be one of ours.

    Raises
    ------
    SettingsFileError
    """
    if len(data) > MAX_SETTINGS_BYTES:
        raise SettingsFileError("This file is too large to be a settings file from this app.")
    try:
        settings = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SettingsFileError(
            f"This is not a JSON settings file ({exc.__class__.__name__}). Upload the "
            "settings.json downloaded from the Export page."
        ) from None
    if not isinstance(settings, dict) or "k" not in settings or "init" not in settings:
        raise SettingsFileError(
            "This JSON file is not a settings file from this app (it has no K and init). "
            "Upload the settings.json downloaded from the Export page."
        )
    return settings


def _run_settings(settings: dict[str, Any]) -> rs.RunSettings:
    k = settings.get("k_requested", settings.get("k"))
    init, seed = settings.get("init"), settings.get("seed")
    if (
        isinstance(k, int)
        and isinstance(seed, int)
        and not isinstance(k, bool)
        and not isinstance(seed, bool)
        and 1 <= k <= rs.MAX_K
        and 0 <= seed <= rs.MAX_SEED
        and init in rs.INIT_CHOICES
    ):
        return rs.RunSettings(k=k, init=str(init), seed=seed)
    raise SettingsFileError(
        f"The settings file's K ({k!r}), init ({init!r}) or seed ({seed!r}) is not one "
        f"the app accepts (K 1 to {rs.MAX_K}, init one of {', '.join(rs.INIT_CHOICES)}, "
        f"seed 0 to {rs.MAX_SEED})."
    )


def _source_notes(recipe: dict[str, Any], parsed: ParsedCSV) -> list[str]:
    source = recipe.get("source") or {}
    if source.get("sha256") == parsed.sha256:
        return []
    return [
        f"The settings were made from another file ('{source.get('file_name', '?')}', "
        f"{source.get('n_rows', '?')} rows): the columns match, but the clusters will "
        "differ from that run."
    ]


def _fit_notes(settings: dict[str, Any]) -> list[str]:
    notes = []
    if settings.get("format") not in (None, SETTINGS_FORMAT):
        notes.append(f"The file says format {settings.get('format')!r}; read as {SETTINGS_FORMAT}.")
    if (
        settings.get("max_iter", APP_MAX_ITER) != APP_MAX_ITER
        or settings.get("tol", APP_TOL) != APP_TOL
    ):
        notes.append(
            f"The file asks for max_iter={settings.get('max_iter')}, tol={settings.get('tol')}; "
            f"this app always runs with max_iter={APP_MAX_ITER}, tol={APP_TOL:g}."
        )
    return notes


def for_upload(settings: dict[str, Any], parsed: ParsedCSV) -> UploadSettings:
    """Check a settings file against the uploaded CSV it should be repeated on.

    Parameters
    ----------
    settings : dict
        From :func:`read_settings`.
    parsed : ParsedCSV

    Returns
    -------
    UploadSettings

    Raises
    ------
    SettingsFileError
        Settings of a generated dataset, or a recipe naming columns the CSV lacks.
    """
    if settings.get("dataset_source") != "upload":
        raise SettingsFileError(
            f"These settings are for {settings.get('dataset', 'a generated dataset')!r} "
            f"({settings.get('dataset_source', 'not uploaded')}), not an uploaded file: open "
            "its share link instead."
        )
    recipe = settings.get("recipe")
    if not isinstance(recipe, dict) or not isinstance(recipe.get("features"), list):
        raise SettingsFileError("The settings file has no upload recipe (features, scaling).")
    wanted = [f.get("column") for f in recipe["features"] if isinstance(f, dict)]
    wanted += [recipe["label"]] if recipe.get("label") else []
    absent = [str(c) for c in wanted if c not in parsed.frame.columns]
    if absent:
        raise SettingsFileError(
            f"The settings use column(s) {', '.join(absent)}, which this CSV does not have: "
            "upload the file the settings were made from."
        )
    run = _run_settings(settings)
    return UploadSettings(recipe, run, _source_notes(recipe, parsed) + _fit_notes(settings))
