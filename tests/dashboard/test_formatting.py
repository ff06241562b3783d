"""Unit tests for dashboard/formatting.py: seconds, bytes, counts and speed-ups in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import formatting as fmt


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(41.2, "41 s"), (2.5, "2.5 s"), (1.0, "1 s"), (0.0123, "12.3 ms"), (0.25, "250 ms"),
     (1e-3, "1 ms"), (85e-6, "85 µs"), (1e-6, "1 µs"), (1234.0, "1,234 s")],
)  # fmt: skip
def test_format_seconds(seconds, text):
    assert fmt.format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(0.00068, 0.0431, "0.68–43.1 ms"), (0.001, 0.010, "1–10 ms"), (1.25, 2.0, "1.25–2 s"),
     (12e-6, 85e-6, "12–85 µs"), (0.5, 150.0, "0.5–150 s"), (0.1, 0.25, "100–250 ms")],
)  # fmt: skip
def test_format_seconds_range(low, high, text):
    assert fmt.format_seconds_range(low, high) == text


def test_format_bytes_and_counts_and_speedups():
    assert fmt.format_bytes(512 * 2**20) == "512 MB"
    assert fmt.format_bytes(2.4 * 2**30) == "2.4 GB"
    assert fmt.format_bytes(19.5 * 2**20) == "19.5 MB"
    assert fmt.format_bytes(100) == "100 B"
    assert fmt.format_count(20_000) == "20k"
    assert fmt.format_count(3300) == "3.3k"
    assert fmt.format_count(1_000_000) == "1M"
    assert fmt.format_count(800) == "800"
    assert fmt.format_speedup(1.0) == "1×"
    assert fmt.format_speedup(3.41) == "3.4×"
    assert fmt.format_speedup(1234.4) == "1,234×"


@pytest.mark.parametrize(
    ("n", "text"),
    # Hundreds of thousands once read "2.5e+02k" on the scaling chart's axis.
    [(250_000, "250k"), (500_000, "500k"), (100_000, "100k"), (1234, "1.2k"),
     (999_999, "1M"), (2_500_000, "2.5M"), (999, "999")],
)  # fmt: skip
def test_format_count_never_uses_exponents(n, text):
    assert fmt.format_count(n) == text


@given(st.integers(0, 10**8))
def test_format_count_is_short_and_plain(n):
    text = fmt.format_count(n)
    assert "e" not in text and len(text) <= 4


@given(st.floats(1e-9, 1e5))
def test_format_seconds_has_a_unit_and_no_exponent(seconds):
    text = fmt.format_seconds(seconds)
    assert text.endswith((" s", " ms", " µs")) and "e" not in text
