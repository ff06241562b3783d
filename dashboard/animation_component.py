"""The Animate player's files, gathered in one folder that Streamlit can serve.

The player (``dashboard/components/animate/``: ``index.html``, ``player.js``,
``player.css``) draws with Plotly.js. There is no internet at runtime, so the
Plotly.js that ships inside the installed ``plotly`` package is served beside
it: :func:`player_dir` copies the player and ``plotly.min.js`` into one folder
(once per version of the files) and returns it for
``streamlit.components.v1.declare_component(path=...)``.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import plotly

SOURCE_DIR = Path(__file__).resolve().parent / "components" / "animate"
PLAYER_FILES = ("index.html", "player.js", "player.css")


def plotly_js_path() -> Path:
    """The ``plotly.min.js`` bundled with the installed plotly package."""
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _fingerprint(paths: list[Path]) -> str:
    h = hashlib.blake2b(digest_size=8)
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    h.update(plotly.__version__.encode())
    return h.hexdigest()


def player_dir(root: Path | None = None) -> Path:
    """A folder holding the player's files and Plotly.js, ready to serve.

    Parameters
    ----------
    root : Path, optional
        Where to create the folder; the system's temporary directory by default.

    Returns
    -------
    Path
        ``<root>/kmeans-explorer-player-<fingerprint>``; the fingerprint changes
        with the player's files and plotly's version, so an edit is never served stale.
    """
    sources = [SOURCE_DIR / name for name in PLAYER_FILES]
    target = Path(root or tempfile.gettempdir()) / f"kmeans-explorer-player-{_fingerprint(sources)}"
    if (target / "plotly.min.js").exists():
        return target
    # Build in a private folder, then rename: two sessions starting at once never
    # see a half-copied player.
    staging = Path(tempfile.mkdtemp(prefix="player-", dir=target.parent))
    for src in sources:
        shutil.copy2(src, staging / src.name)
    shutil.copy2(plotly_js_path(), staging / "plotly.min.js")
    try:
        staging.rename(target)
    except OSError:  # another session finished first
        shutil.rmtree(staging, ignore_errors=True)
    return target
