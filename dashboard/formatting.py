"""Numbers in words, one way app-wide: seconds, bytes, row counts and speed-ups.

Every page that shows a duration, a size in memory, a count on an axis or a
"N× faster" uses these, so the same quantity reads the same everywhere.
"""

from __future__ import annotations


def format_seconds(seconds: float) -> str:
    """Seconds in a readable unit: ``"41 s"``, ``"2.5 s"``, ``"12.3 ms"``, ``"85 µs"``.

    Two or three significant figures: more would be noise for a timing.
    """
    if seconds >= 10:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2g} s"
    if seconds >= 1e-3:
        ms = seconds * 1e3
        return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.3g} ms"
    us = seconds * 1e6
    return f"{us:.0f} µs" if us >= 10 else f"{us:.2g} µs"


def _seconds_unit(seconds: float) -> tuple[float, str]:
    """The scale and unit :func:`format_seconds` writes ``seconds`` in."""
    if seconds >= 1:
        return 1.0, "s"
    if seconds >= 1e-3:
        return 1e3, "ms"
    return 1e6, "µs"


def format_seconds_range(low: float, high: float) -> str:
    """A range of durations in ``high``'s unit, written once: ``"0.68–43.1 ms"``.

    Keeps a "fastest–slowest" cell short; both ends have three significant figures.
    """
    scale, unit = _seconds_unit(high)

    def number(v: float) -> str:
        return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"

    return f"{number(low * scale)}–{number(high * scale)} {unit}"


def format_bytes(n_bytes: float) -> str:
    """Bytes in binary units: ``"512 MB"``, ``"2.4 GB"``, ``"97.7 kB"`` (MB = 2**20 bytes)."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n_bytes >= scale:
            value = n_bytes / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{int(n_bytes)} B"


def format_count(n: int) -> str:
    """A row count for an axis or a choice: ``"800"``, ``"3.3k"``, ``"250k"``, ``"1M"``.

    Rounded to two significant figures first, so 999,999 reads "1M", not "1000k".
    """
    if n < 1000:
        return str(n)
    rounded = float(f"{n:.2g}")
    if rounded >= 1_000_000:
        return f"{rounded / 1_000_000:g}M"
    return f"{rounded / 1000:g}k"


def format_speedup(ratio: float) -> str:
    """A speed-up factor: ``"1×"``, ``"3.4×"``, ``"57×"``, ``"1,234×"``."""
    if ratio >= 10:
        return f"{ratio:,.0f}×"
    return f"{ratio:.2g}×"
