"""Once per server process: settings that make many visitors' runs cheaper.

Both come from profiling the server under 20 visitors at once (``bench/load_test.py``).

**Frozen imports** (:func:`freeze_imports`). Streamlit runs a full ``gc.collect()``
after every script run (its hidden ``runner.postScriptGC`` option, on by default),
holding Python's lock. With this app's imports — NumPy, pandas, scikit-learn, SciPy,
Plotly, Streamlit itself: about 190,000 objects the collector tracks — one collection
took ~140 ms, and those collections were 60 % of the time the server held the lock
(every visitor's script waits while one runs). Nearly all of those objects are
modules, functions and classes that live as long as the server, so the app's own
modules (and so the libraries they use) are imported, collected once and moved into
the collector's permanent generation (``gc.freeze``). Later collections scan only what
visitors' runs created; the collection after each run stays, so visitors' cyclic
garbage (Plotly figures, for one) is still freed promptly.

**One BLAS thread** (:func:`limit_blas_threads`). A visitor's page makes many small
matrix products (distances for silhouettes, k-means++, PCA for display). OpenBLAS
runs each on every core and its threads then spin-wait for the next call: a Choose K
sweep of 500 rows took 97 ms of CPU for 48 ms of wall time, 52 ms with one thread
(same wall time). On a server the cores are better spent on other visitors.
kmeans_core's large fits are unaffected: they run their own threads and hold BLAS to
one thread anyway, and scikit-learn's KMeans uses OpenMP, which is left alone.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

from threadpoolctl import threadpool_limits

PACKAGES = ("dashboard", "kmeans_core")

_lock = threading.Lock()
_prepared = False


def _import_all(package_name: str) -> None:
    """Import ``package_name`` and every module below it."""
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        importlib.import_module(info.name)


def freeze_imports(packages: tuple[str, ...] = PACKAGES) -> None:
    """Import ``packages`` fully, collect, then move everything alive out of the GC's view.

    Parameters
    ----------
    packages : tuple of str
        Packages whose modules (and their imports) should be frozen.
    """
    for name in packages:
        _import_all(name)
    gc.collect()
    gc.freeze()


def limit_blas_threads() -> None:
    """Hold BLAS (OpenBLAS, MKL...) to one thread for the rest of the process."""
    threadpool_limits(limits=1, user_api="blas")


def prepare_once() -> bool:
    """Once per process: :func:`freeze_imports` and :func:`limit_blas_threads`.

    Returns
    -------
    bool
        True on the call that prepared the process; False on every later call.
    """
    global _prepared
    with _lock:
        if _prepared:
            return False
        freeze_imports()
        limit_blas_threads()
        _prepared = True
        return True
