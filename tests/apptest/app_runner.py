"""Open the app in AppTest on one page with a prepared session or link.

``open_page("app_pages/data.py", session={"dataset": ds}, query={"k": "5"})`` runs the
app once (as a browser's first visit would, so the sidebar and the share link are
applied), switches to the page and returns the AppTest.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "tests" / "data"


def open_page(
    page: str,
    *,
    session: Mapping[str, Any] | None = None,
    query: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> AppTest:
    """The app after its first run, switched to ``page`` (a path such as ``app_pages/data.py``).

    Parameters
    ----------
    page : str
        Page script, relative to the app's root.
    session : mapping, optional
        Session-state entries set before the first run (e.g. ``{"dataset": ds}``).
    query : mapping, optional
        Query parameters of the link the visitor opened.
    timeout : float
        Seconds each run may take.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run()
