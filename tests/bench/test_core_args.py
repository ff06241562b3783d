"""bench.core's command line: the CPU-time clock only with one thread."""

from __future__ import annotations

import time

import pytest

from bench import core


def test_cpu_time_needs_one_thread():
    with pytest.raises(SystemExit):
        core._parse_args(["--cpu-time"])
    with pytest.raises(SystemExit):
        core._parse_args(["--cpu-time", "--threads", "2"])
    args, cases = core._parse_args(["--cpu-time", "--threads", "1", "--cases", "20k"])
    assert args.cpu_time and args.threads == 1
    assert [c.name for c in cases] == ["20k×2 K=3"]


def test_timing_options_use_the_chosen_clock(monkeypatch):
    monkeypatch.setattr(core, "CLOCK", time.thread_time)
    assert core._options(3).clock is time.thread_time
    monkeypatch.setattr(core, "CLOCK", time.perf_counter)
    assert core._options(3).clock is time.perf_counter
