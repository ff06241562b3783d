"""Cooperative stopping of long fits: a check that running code calls between Lloyd steps.

A caller that must be able to stop a fit (a web page whose visitor pressed Cancel or
left) runs it inside :func:`checking`; the fitting loops call :func:`checkpoint` before
every initialisation and after every Lloyd half-step, which calls the caller's check.
The check stops the fit by raising; nothing is left half-written, because a fit only
sets its attributes once its loops are done.

The check travels in a :class:`contextvars.ContextVar` rather than as a parameter, so the
scikit-learn style API (``KMeans(...).fit(X)``, :func:`kmeans_core.elbow_sweep`) stays as
it is and each thread sees only its own check. Without a check, :func:`checkpoint` costs
one context-variable lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CHECK: ContextVar[Callable[[], None] | None] = ContextVar("kmeans_core_check", default=None)


@contextmanager
def checking(check: Callable[[], None] | None) -> Iterator[None]:
    """Call ``check()`` at every :func:`checkpoint` of the fits run inside this block.

    Parameters
    ----------
    check : callable or None
        Takes no arguments; raises to stop the fit (the exception propagates out of
        ``fit``). None keeps the check of an enclosing block, if any.
    """
    if check is None:
        yield
        return
    token = _CHECK.set(check)
    try:
        yield
    finally:
        _CHECK.reset(token)


def checkpoint() -> None:
    """Call the check of the enclosing :func:`checking` block, if any."""
    check = _CHECK.get()
    if check is not None:
        check()
