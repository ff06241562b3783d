"""Keep Streamlit's after-run garbage collection cheap: freeze the imported code once.

Streamlit runs a full ``gc.collect()`` after every script run (its hidden
``runner.postScriptGC`` option, on by default), holding Python's lock. With this
app's imports — NumPy, pandas, scikit-learn, SciPy, Plotly, Streamlit itself: about
240,000 objects the collector tracks — one collection takes ~140 ms, and in a
20-visitor load test those collections were 60 % of the time the server held the
lock (every visitor's script waits while one runs).

Nearly all of those objects are modules, functions and classes that live as long
as the server. :func:`freeze_imports` imports the app's own modules (and so the
libraries they use), collects once, and moves everything alive into the
collector's permanent generation (``gc.freeze``), so later collections scan only
what visitors' runs created. The collection after each run stays (it frees
visitors' cyclic garbage, e.g. Plotly figures, promptly); it just no longer walks
the libraries.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

PACKAGES = ("dashboard", "kmeans_core")

_lock = threading.Lock()
_frozen = False


def _import_all(package_name: str) -> None:
    """Import ``package_name`` and every module below it."""
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        importlib.import_module(info.name)


def freeze_imports(packages: tuple[str, ...] = PACKAGES) -> bool:
    """Once per process: import ``packages`` fully, collect, then ``gc.freeze()``.

    Parameters
    ----------
    packages : tuple of str
        Packages whose modules (and their imports) should be frozen.

    Returns
    -------
    bool
        True on the call that froze the heap; False on every later call.
    """
    global _frozen
    with _lock:
        if _frozen:
            return False
        for name in packages:
            _import_all(name)
        gc.collect()
        gc.freeze()
        _frozen = True
        return True
