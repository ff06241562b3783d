"""Many visitors at once: N headless Chromium sessions walking the app on one local server.

Not part of the test run. Starts ``streamlit run app.py`` on a free loopback port and
walks one visitor through the app first (not counted: the server's imports and first
caches are paid once per server, not per visitor). Then, for each browser priority
asked for (``--browsers``, default ``low,normal``), N browser sessions at once, each
with its own seed and data size (different in each walk, so no walk is served another's
cached work): each opens Data with a link carrying them and walks Animate → Choose K →
Compare → Export through the sidebar's navigation (one Streamlit session per visitor).
It reports, per walk:

* errors (exceptions on a page, timeouts) per session;
* p50 / p95 time from a click to the page being ready (script run finished and no
  "running" indicator, checked twice 300 ms apart);
* p50 / p95 of the server's answer: from the click to the last "script finished"
  message on the page's websocket before it was ready (for the first page this also
  holds the browser's start-up, since the script starts only once the browser connects);
* server RSS: before, peak, after; and the load average, since the figures depend on it;
* where the CPU went: the server's process, the browsers (by Chromium process type)
  and everything else on the machine (other jobs), sampled with psutil;
* isolation: on every page each session's sidebar shows its own seed and data size, and
  the Export page's share link carries its own seed (a session never sees another's state).

Browser priority: in a classroom every browser runs on its visitor's own computer, but
here the N Chromium sessions share the server's two cores and use most of the CPU.
``low`` starts Chromium under ``chrt --idle 0`` (Linux ``SCHED_IDLE``), so the server
gets the CPU first, as it would with the browsers elsewhere; ``normal`` lets them
compete. Both are printed, so neither figure hides the other.

``--memory`` instead measures server RSS per idle session and per session holding a
1,000,000-row dataset (``--url``/``--pid``: of a server already running on loopback).

Pace: by default all N visitors open the link in the same instant and click on as soon
as each page is ready — the worst case. ``--ramp R`` spreads their arrival evenly over
R seconds (a class opening a link as it is handed out) and ``--think T`` has each read
a page for T seconds before the next click; both are printed with the figures. The
report also gives the browsers' own CPU per page load and what it forces: with the
browsers on the server's cores, N pages drawn at once need N × that / cores seconds.

Bounded: at most 40 sessions, 900 s per walk, a 120 s ramp and 30 s of reading per
page; loopback only.

Usage::

    .venv/bin/python -m bench.load_test --sessions 20                  # both priorities
    .venv/bin/python -m bench.load_test --sessions 20 --browsers low   # one walk
    .venv/bin/python -m bench.load_test --sessions 20 --browsers low --ramp 30 --think 5
    .venv/bin/python -m bench.load_test --memory --sessions 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench import agent_sessions
from bench.agent_sessions import WALK, AgentResult, link_params

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
MAX_SESSIONS = 40
MAX_SECONDS = 900
MAX_RAMP_S = 120.0
MAX_THINK_S = 30.0
# Agent visitors' seeds and data sizes start this far above the browser visitors'.
AGENT_OFFSET = 100
READY_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') !== 'running'
        && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
        && document.querySelector('[data-testid="stSidebar"]');
}"""


@dataclass
class SessionResult:
    """What one visitor saw."""

    seed: int
    times: dict[str, float] = field(default_factory=dict)
    # Click to the server's last "script finished" message before the page was ready.
    server_times: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(extra: list[str] | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free loopback port; returns (process, base URL).

    ``extra``: more server flags (the agent API's, for agent visitors).
    """
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    cmd += extra or []
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("streamlit did not start within 90 s")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class RssSampler(threading.Thread):
    """Samples a process's RSS every ``every`` seconds; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample until stopped or the process is gone."""
        while not self._stop_event.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            self._stop_event.wait(self.every)

    def stop(self) -> float:
        """Stop sampling; the peak RSS in MB."""
        self._stop_event.set()
        self.join(5)
        return self.peak


def _label(proc: Any) -> str:
    """A process's name; Chromium's children by their ``--type=`` (renderer, gpu-process...)."""
    try:
        kind = next((a[7:] for a in proc.cmdline() if a.startswith("--type=")), "")
        # Some children are started through /proc/self/exe and are then named "exe".
        return f"chromium {kind}" if kind else proc.name()
    except Exception:  # gone, or not ours to read
        return "?"


class CpuSampler(threading.Thread):
    """Where the CPU time goes during a run: server, browsers, everything else.

    Every ``every`` seconds it reads the cumulative CPU time (user + system) of the
    server's process tree and of the client's (every descendant of this process other
    than the server: Playwright's driver and the Chromium processes), keeping the last
    value seen per PID, so a renderer that exits between samples loses at most one
    interval. The machine's total comes from ``psutil.cpu_times()``; "other" is what
    neither tree used (other jobs sharing the machine, the kernel).
    """

    def __init__(self, server_pid: int | None, every: float = 0.5):
        import psutil

        super().__init__(daemon=True)
        self._psutil, self.every = psutil, every
        self.server_pid = server_pid
        self.seen: dict[str, dict[int, float]] = {"server": {}, "client": {}}
        self.names: dict[int, str] = {}
        self._start: dict[int, float] = {}
        self._stop_event = threading.Event()
        self._machine0 = psutil.cpu_times()
        self._machine1 = self._machine0
        self._sample()  # the time already used before the run is subtracted
        self._start = {pid: t for d in self.seen.values() for pid, t in d.items()}

    def _tree(self, root: Any) -> list[Any]:
        try:
            return [root, *root.children(recursive=True)]
        except self._psutil.Error:
            return []

    def _sample(self) -> None:
        ps = self._psutil
        server = ps.Process(self.server_pid) if self.server_pid else None
        server_tree = self._tree(server) if server else []
        server_pids = {p.pid for p in server_tree}
        me = ps.Process()
        client_tree = [p for p in self._tree(me)[1:] if p.pid not in server_pids]
        for kind, procs in (("server", server_tree), ("client", client_tree)):
            for proc in procs:
                try:
                    t = proc.cpu_times()
                    self.seen[kind][proc.pid] = t.user + t.system
                    self.names.setdefault(proc.pid, _label(proc))
                except ps.Error:
                    continue
        self._machine1 = ps.cpu_times()

    def run(self) -> None:
        """Sample until stopped."""
        while not self._stop_event.wait(self.every):
            self._sample()

    def stop(self) -> dict[str, float]:
        """Stop sampling; CPU seconds used during the run: server, client, other, total."""
        self._stop_event.set()
        self.join(5)
        self._sample()
        used = {
            kind: sum(t - self._start.get(pid, 0.0) for pid, t in d.items())
            for kind, d in self.seen.items()
        }
        m0, m1 = self._machine0, self._machine1
        busy = [f for f in m1._fields if f not in ("idle", "iowait", "guest", "guest_nice")]
        total = sum(getattr(m1, f) - getattr(m0, f) for f in busy)
        used["total"] = total
        used["other"] = max(0.0, total - used["server"] - used["client"])
        return used

    def client_by_name(self) -> dict[str, float]:
        """Client CPU seconds per process name (chromium, node, ...)."""
        out: dict[str, float] = {}
        for pid, t in self.seen["client"].items():
            name = self.names.get(pid, "?")
            out[name] = out.get(name, 0.0) + t - self._start.get(pid, 0.0)
        return out


# --------------------------------------------------------------------------- one visitor


async def _ready(page, timeout_s: float) -> None:
    await page.wait_for_function(READY_JS, timeout=timeout_s * 1000)
    # A run that starts right after another (the link applied, then the page) shows
    # "running" again within a moment: wait for two idle checks in a row.
    await page.wait_for_timeout(300)
    await page.wait_for_function(READY_JS, timeout=timeout_s * 1000)


SEED_INPUT = '[data-testid="stSidebar"] input[aria-label="Seed"]'


async def _check(page, res: SessionResult, where: str, rows: int, timeout_s: float) -> None:
    if await page.locator('[data-testid="stException"]').count():
        text = await page.locator('[data-testid="stException"]').first.inner_text()
        res.errors.append(f"{where}: exception {text[:200]!r}")
    # This session's seed and data size (both unique per session) in its own sidebar. A
    # sidebar not drawn yet is slowness (an error); a different seed or size would be
    # another session's state (an isolation failure).
    mine = f"{rows:,} rows"
    js = """([sel, seed, mine]) => {
        const el = document.querySelector(sel);
        const side = document.querySelector('[data-testid="stSidebar"]');
        return el && el.value === seed && side && side.innerText.includes(mine);
    }"""
    try:
        await page.wait_for_function(
            js, arg=[SEED_INPUT, str(res.seed), mine], timeout=timeout_s * 1000
        )
        return
    except Exception:
        pass
    inputs = page.locator(SEED_INPUT)
    if not await inputs.count():
        res.errors.append(f"{where}: sidebar not drawn within {timeout_s:.0f} s")
        return
    seed = await inputs.input_value(timeout=1000)
    side = await page.locator('[data-testid="stSidebar"]').inner_text(timeout=1000)
    shown = re.search(r"([\d,]+) rows", side)
    size = shown.group(1) if shown else None
    if seed == str(res.seed) and size is None:  # own seed, data line not drawn yet: slowness
        res.errors.append(f"{where}: the sidebar's data line not drawn within {timeout_s:.0f} s")
        return
    res.isolation.append(f"{where}: sidebar seed {seed}, {size} rows (expected {res.seed}, {mine})")


class ScriptRuns:
    """When this page's websocket brought the server's "script finished" messages.

    Streamlit ends every script run with a ``ForwardMsg`` whose ``script_finished`` is
    set; the time it arrives (seen by Playwright) tells how long the server took to
    answer a click, apart from the time the browser then needs to draw the page.
    """

    def __init__(self, page: Any):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self._done = {
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        }
        self.finished: list[float] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        msg = self._msg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # not a ForwardMsg: ignored
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in self._done:
            self.finished.append(time.perf_counter())

    def since(self, t0: float, t1: float) -> float | None:
        """Seconds from ``t0`` to the last run finished by ``t1``; None if none finished."""
        ends = [t for t in self.finished if t0 < t <= t1]
        return max(ends) - t0 if ends else None


async def _timed(
    page, runs: ScriptRuns, res: SessionResult, name: str, t0: float, timeout_s: float
) -> None:
    """Wait for the page to be ready; record the page's and the server's times."""
    await _ready(page, timeout_s)
    t1 = time.perf_counter()
    res.times[name] = t1 - t0
    server = runs.since(t0, t1)
    if server is not None:
        res.server_times[name] = server


@dataclass(frozen=True)
class Pace:
    """How the visitors arrive and read: all at once and clicking on (the default), or not.

    ``ramp_s``: the N visitors arrive evenly over this many seconds (a class opening a
    link as it is handed out) instead of all in the same instant. ``think_s``: each
    visitor reads a page for this long before clicking to the next one.
    """

    ramp_s: float = 0.0
    think_s: float = 0.0

    def arrival(self, i: int, n: int) -> float:
        """Seconds after the start at which visitor ``i`` of ``n`` opens the link."""
        return self.ramp_s * i / n


async def visitor(
    browser, url: str, seed: int, n_samples: int, timeout_s: float, pace: Pace, delay: float
) -> SessionResult:
    """One session: the Data page from a link with ``seed``, then the walk through the nav."""
    res = SessionResult(seed)
    await asyncio.sleep(delay)
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(timeout_s * 1000)  # clicks too, not only the waits below
    runs = ScriptRuns(page)
    try:
        t0 = time.perf_counter()
        await page.goto(f"{url}/data?{urlencode(link_params(seed, n_samples))}")
        await _timed(page, runs, res, "Data", t0, timeout_s)
        await _check(page, res, "Data", n_samples, timeout_s)
        for name, path in WALK.items():
            await asyncio.sleep(pace.think_s)  # reading the page (not counted)
            t0 = time.perf_counter()
            await page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).click()
            await page.wait_for_url(f"**/{path}**", timeout=timeout_s * 1000)
            await _timed(page, runs, res, name, t0, timeout_s)
            await _check(page, res, name, n_samples, timeout_s)
        code = page.locator('[data-testid="stCode"]').first
        await code.wait_for(timeout=timeout_s * 1000)
        link = await code.inner_text()
        if f"seed={seed}&" not in link or f"n_samples={n_samples}&" not in link:
            res.isolation.append(f"Export: the share link is not this session's: {link[:150]}")
    except Exception as exc:  # a timeout or a closed page: counted, never fatal
        stage = f"after {list(res.times)[-1]}" if res.times else "on Data"
        res.errors.append(f"{stage}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await ctx.close()
    return res


# --------------------------------------------------------------------------- runs


_WRAPPER_DIR: list[tempfile.TemporaryDirectory] = []  # removed when the process exits


def _idle_wrapper(exe: str) -> str:
    """A shell script that ``exec``s ``chrt --idle 0 exe "$@"``; its path."""
    if not _WRAPPER_DIR:
        _WRAPPER_DIR.append(tempfile.TemporaryDirectory(prefix="load-test-"))
    wrapper = Path(_WRAPPER_DIR[0].name) / "chromium-idle"
    wrapper.write_text(f'#!/bin/sh\nexec chrt --idle 0 "{exe}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def launch_kwargs(low_priority: bool = False) -> dict[str, Any]:
    """Playwright's launch arguments; with ``low_priority``, Chromium under ``SCHED_IDLE``.

    In a classroom every visitor's browser runs on the visitor's own machine; here all
    of them share the server's two cores. Running Chromium at the lowest priority lets
    the server have the CPU first, as it would if the browsers were elsewhere; the
    browsers still get every cycle the server leaves, and a page still counts as ready
    only once its browser has shown it. ``nice -n 19`` is not enough: Chromium sets its
    own threads' nice values (-8 for the browser and GPU processes when it may, 0 or 5
    for renderers), so the wrapper script ``exec``s ``chrt --idle 0 chromium`` instead —
    a scheduling policy every Chromium process and thread inherits and that changing a
    nice value does not undo.
    """
    kwargs: dict[str, Any] = {"args": ["--headless", "--no-sandbox", "--disable-gpu"]}
    exe = CHROMIUM if os.path.exists(CHROMIUM) else None
    if low_priority:
        if exe is None:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                exe = pw.chromium.executable_path
        exe = _idle_wrapper(exe)
    if exe:
        kwargs["executable_path"] = exe
    return kwargs


async def walk_all(
    url: str,
    n: int,
    n_samples: int,
    timeout_s: float,
    low_priority: bool = False,
    seed0: int = 1000,
    pace: Pace = Pace(),
) -> list[SessionResult]:
    """N visitors, each with seed ``seed0 + i`` and ``n_samples + i`` rows, at ``pace``."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_kwargs(low_priority))
        try:
            # Seed and size unique per session, so each can tell its own state apart.
            jobs = [
                visitor(browser, url, seed0 + i, n_samples + i, timeout_s, pace, pace.arrival(i, n))
                for i in range(n)
            ]
            return list(await asyncio.gather(*jobs))
        finally:
            await browser.close()


async def hold_sessions(url: str, n: int, query: str, pid: int, settle_s: float) -> float:
    """Open N sessions at ``url + query`` one after another; the server's RSS (MB) with all open."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_kwargs())
        for i in range(n):  # one after another: memory, not contention, is measured here
            ctx = await browser.new_context()
            page = await ctx.new_page()
            await page.goto(url + query.format(seed=2000 + i))
            await _ready(page, 300)
        await asyncio.sleep(settle_s)
        rss = rss_mb(pid)
        await browser.close()
        return rss


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def cpu_lines(cpu: dict[str, float], by_name: dict[str, float], wall: float) -> list[str]:
    """The CPU breakdown of a run as report lines."""
    cores = os.cpu_count() or 1
    total = cpu["total"] or float("nan")
    share = {k: 100 * cpu[k] / total for k in ("server", "client", "other")}
    top = sorted(by_name.items(), key=lambda kv: -kv[1])[:4]
    return [
        f"CPU during the walk: {cpu['total']:.0f} CPU-s used of {cores * wall:.0f} available "
        f"({cores} cores × {wall:.0f} s)",
        f"  server (streamlit) {cpu['server']:6.1f} CPU-s ({share['server']:4.1f} %)",
        f"  client (browsers)  {cpu['client']:6.1f} CPU-s ({share['client']:4.1f} %): "
        + ", ".join(f"{name} {t:.0f}" for name, t in top),
        f"  other (other jobs, kernel) {cpu['other']:6.1f} CPU-s ({share['other']:4.1f} %)",
    ]


def report(results: list[SessionResult], rss: tuple[float, float, float], wall: float) -> str:
    """The figures as text."""
    times = [t for r in results for t in r.times.values()]
    lines = [
        f"sessions: {len(results)}, wall time {wall:.1f} s, load average {_loadavg()} "
        f"on {os.cpu_count()} cores",
        f"errors: {sum(len(r.errors) for r in results)} "
        f"(sessions with errors: {sum(bool(r.errors) for r in results)})",
        f"isolation problems: {sum(len(r.isolation) for r in results)}",
        f"time to page ready: p50 {_pct(times, 50):.2f} s, p95 {_pct(times, 95):.2f} s, "
        f"max {max(times, default=float('nan')):.2f} s over {len(times)} page loads",
    ]
    for name in ["Data", *WALK]:
        t = [r.times[name] for r in results if name in r.times]
        lines.append(f"  {name:15s} p50 {_pct(t, 50):6.2f} s  p95 {_pct(t, 95):6.2f} s  n={len(t)}")
    server = [t for r in results for t in r.server_times.values()]
    lines.append(
        f"server's answer (click to its last 'script finished' message; the rest of the "
        f"page time is the browser drawing): p50 {_pct(server, 50):.2f} s, "
        f"p95 {_pct(server, 95):.2f} s over {len(server)} page loads"
    )
    for name in ["Data", *WALK]:
        t = [r.server_times[name] for r in results if name in r.server_times]
        lines.append(f"  {name:15s} p50 {_pct(t, 50):6.2f} s  p95 {_pct(t, 95):6.2f} s  n={len(t)}")
    lines.append(f"server RSS: before {rss[0]:.0f} MB, peak {rss[1]:.0f} MB, after {rss[2]:.0f} MB")
    for r in results:
        for e in r.errors + r.isolation:
            lines.append(f"  seed {r.seed}: {e}")
    return "\n".join(lines)


def memory_figures(url: str, pid: int, n: int) -> str:
    """RSS per idle session and per session with a 1,000,000-row dataset (sessions kept open)."""
    base = rss_mb(pid)
    warm = asyncio.run(hold_sessions(url, 1, "/?seed={seed}", pid, 2))  # imports, caches
    idle = asyncio.run(hold_sessions(url, n, "/?seed={seed}", pid, 3))
    recipe = "data=blobs&data.n_samples=1000000&data.centers=3&data.n_features=2"
    big_q = "/data?seed={seed}&" + recipe + "&data.cluster_std=1.0"
    sampler = RssSampler(pid)
    sampler.start()
    big = asyncio.run(hold_sessions(url, n, big_q, pid, 3))
    peak = sampler.stop()
    return "\n".join(
        [
            f"load average {_loadavg()}",
            f"server RSS: fresh {base:.0f} MB, with one warm-up session open {warm:.0f} MB",
            f"{n} idle sessions open (Home): {idle:.0f} MB -> {(idle - warm) / n:.1f} MB each",
            f"{n} sessions open with 1,000,000 × 2 blobs (Data page): {big:.0f} MB "
            f"(peak {peak:.0f} MB) -> {(big - warm) / n:.1f} MB each",
        ]
    )


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("--url must be a loopback address")
    return url.rstrip("/")


async def _walk_both(
    url: str, n: int, n_agents: int, args: argparse.Namespace, low: bool, seed0: int
) -> tuple[list[SessionResult], list[AgentResult]]:
    """The browser visitors and the agent visitors, all at the same time."""
    timeout = min(args.timeout, MAX_SECONDS / 5)
    pace = pace_from(args)
    total = n + n_agents
    browsers = walk_all(url, n, args.rows, timeout, low, seed0, pace) if n else _nothing()
    # Agent visitors take the arrival slots after the browsers', and seeds and sizes
    # of their own (AGENT_OFFSET apart), so every session can tell its state apart.
    arrivals = [pace.arrival(n + i, total) for i in range(n_agents)]
    agents = agent_sessions.walk_agents(
        url,
        n_agents,
        args.rows + AGENT_OFFSET,
        timeout,
        seed0=seed0 + AGENT_OFFSET,
        arrivals=arrivals,
        think_s=pace.think_s,
    )
    got_browsers, got_agents = await asyncio.gather(browsers, agents)
    return list(got_browsers), got_agents


async def _nothing() -> list[SessionResult]:
    return []


def run_walk(url: str, pid: int, args: argparse.Namespace, low: bool, seed0: int) -> str:
    """One measured walk of the browser and agent visitors at once; its report."""
    n, n_agents = session_counts(args)
    before = rss_mb(pid)
    sampler, cpu = RssSampler(pid), CpuSampler(pid)
    sampler.start()
    cpu.start()
    t0 = time.perf_counter()
    pace = pace_from(args)
    walk = _walk_both(url, n, n_agents, args, low, seed0)
    results, agents = asyncio.run(asyncio.wait_for(walk, MAX_SECONDS))
    wall = time.perf_counter() - t0
    used, by_name = cpu.stop(), cpu.client_by_name()
    peak, after = sampler.stop(), rss_mb(pid)
    how = "lowest priority (SCHED_IDLE)" if low else "normal priority"
    arrive = f"arriving over {pace.ramp_s:.0f} s" if pace.ramp_s else "all at once"
    think = f", {pace.think_s:.0f} s on each page" if pace.think_s else ""
    who = f"{n} browser sessions" + (f" + {n_agents} agent sessions" if n_agents else "")
    lines = [f"=== {who} {arrive}{think}, browsers at {how}"]
    if results:
        lines.append(report(results, (before, peak, after), wall))
    else:
        lines.append(f"wall time {wall:.1f} s, load average {_loadavg()}")
        lines.append(f"server RSS: before {before:.0f}, peak {peak:.0f}, after {after:.0f} MB")
    if agents:
        lines.append(agent_report(agents))
    lines += cpu_lines(used, by_name, wall)
    if results:
        loads = sum(len(r.times) for r in results)
        lines.append(browser_floor(used["client"], loads, n))
    return "\n".join(lines)


def session_counts(args: argparse.Namespace) -> tuple[int, int]:
    """(browser sessions, agent sessions), together at most MAX_SESSIONS, at least one."""
    n = max(0, min(args.sessions, MAX_SESSIONS))
    n_agents = max(0, min(args.agents, MAX_SESSIONS - n))
    if n + n_agents == 0:
        n = 1
    return n, n_agents


def agent_report(agents: list[AgentResult]) -> str:
    """The agent visitors' figures: errors, isolation, the server's answer per page."""
    times = [t for a in agents for t in a.times.values()]
    lines = [
        f"agent sessions: {len(agents)}; errors {sum(len(a.errors) for a in agents)}, "
        f"isolation problems {sum(len(a.isolation) for a in agents)}",
        f"server's answer to an agent session (request to settled run): p50 "
        f"{_pct(times, 50):.2f} s, p95 {_pct(times, 95):.2f} s, max "
        f"{max(times, default=float('nan')):.2f} s over {len(times)} page loads",
    ]
    for name in ["Data", *WALK]:
        t = [a.times[name] for a in agents if name in a.times]
        lines.append(f"  {name:15s} p50 {_pct(t, 50):6.2f} s  p95 {_pct(t, 95):6.2f} s  n={len(t)}")
    for a in agents:
        for e in a.errors + a.isolation:
            lines.append(f"  agent seed {a.seed}: {e}")
    return "\n".join(lines)


def pace_from(args: argparse.Namespace) -> Pace:
    """The walk's pace from the command line, within the script's bounds."""
    return Pace(min(max(args.ramp, 0.0), MAX_RAMP_S), min(max(args.think, 0.0), MAX_THINK_S))


def browser_floor(client_cpu_s: float, page_loads: int, n: int) -> str:
    """What the browsers alone cost, and the page time that forces on this machine.

    With every visitor's browser on the server's own cores, the N browsers' drawing
    alone keeps the machine busy for ``client CPU / cores`` seconds per round of
    pages; when all N click at once, the last of them cannot be ready sooner.
    """
    cores = os.cpu_count() or 1
    per_load = client_cpu_s / max(page_loads, 1)
    return (
        f"browsers alone: {per_load:.2f} CPU-s per page load; {n} visitors loading one page "
        f"at once need {n * per_load / cores:.1f} s of this machine's {cores} cores for it"
    )


def run_walks(args: argparse.Namespace, modes: list[str]) -> None:
    """A warm-up visitor, then one measured walk per browser priority, on one server."""
    proc, url = start_server(agent_sessions.SERVER_FLAGS if args.agents > 0 else None)
    try:
        # One visitor first, not counted: the server's imports and first-page caches,
        # which every later visitor shares, are paid once per server, not per visitor.
        t0 = time.perf_counter()
        timeout = min(args.timeout, MAX_SECONDS / 5)
        warm = asyncio.run(walk_all(url, 1, args.rows + 999, timeout, False, 999))
        print(
            f"warm-up visitor: {time.perf_counter() - t0:.1f} s, {len(warm[0].errors)} errors",
            flush=True,
        )
        for i, mode in enumerate(modes):
            # Different seeds (and sizes) per walk: no walk is served another's cached work.
            print(run_walk(url, proc.pid, args, mode == "low", 1000 + 100 * i), flush=True)
    finally:
        stop_server(proc)


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a server started by :func:`start_server`."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, print the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rows", type=int, default=500, help="rows of each session's blobs")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per page, at most")
    ap.add_argument(
        "--browsers",
        default="low,normal",
        help="comma-separated browser priorities, one measured walk each: 'low' (the "
        "browsers yield the CPU to the server, as if on the visitors' own machines) "
        "and/or 'normal' (browsers and server compete for the same cores)",
    )
    ap.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help=f"visitors arrive evenly over this many seconds (0: all at once; ≤ {MAX_RAMP_S:.0f})",
    )
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help=f"seconds each visitor reads a page before the next click (≤ {MAX_THINK_S:.0f})",
    )
    ap.add_argument(
        "--agents",
        type=int,
        default=0,
        help="more visitors, driven through Streamlit's agent API instead of a browser "
        "(bench/agent_sessions.py); --sessions 0 --agents 20 loads the server alone",
    )
    ap.add_argument("--url", help="--memory only: a running server (loopback only)")
    ap.add_argument("--pid", type=int, help="the --url server's PID, for its RSS")
    ap.add_argument("--memory", action="store_true", help="measure RSS per session instead")
    args = ap.parse_args(argv)
    n = max(1, min(args.sessions, MAX_SESSIONS))
    if args.memory:
        run_memory(args, n)
        return
    modes = [m.strip() for m in args.browsers.split(",") if m.strip()]
    if not modes or set(modes) - {"low", "normal"}:
        raise SystemExit("--browsers takes 'low', 'normal' or 'low,normal'")
    print(f"load average {_loadavg()} at the start", flush=True)
    run_walks(args, modes)


def run_memory(args: argparse.Namespace, n: int) -> None:
    """``--memory``: RSS per idle session and per 1M-row session."""
    if args.url:
        print(memory_figures(_loopback(args.url), args.pid, n))
        return
    proc, url = start_server()
    try:
        print(memory_figures(url, proc.pid, n))
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
