"""Visitors without a browser: the load test's walk through Streamlit's agent API.

Twenty Chromium sessions on a 2-core machine measure mostly the browsers: each page
load costs a browser 1.5-2 CPU-s (Streamlit's frontend starting, Plotly drawing),
so twenty of them at once keep both cores busy for 15-20 s whatever the server
does. In a classroom each browser runs on its visitor's own computer. To load the
server as twenty visitors do without twenty browsers on its cores, sessions can
be driven through Streamlit's agent API (``POST /_stcore/agent/interact``,
Streamlit ≥ 1.67): each request runs the app's page in a real session — the same
script runs, caches, queue and session state as a browser's — and answers once the
run has settled, with the page as a tree of elements. The load test turns the API
on for its own loopback server only (``--server.enableAgentApi true``); the app's
config keeps it off.

One agent visitor opens the Data page with its own seed and data size in the link,
then walks Animate → Choose K → Compare → Export like a browser visitor. Per page it
records the time from the request to the settled answer, any exception element on
the page, and whether the sidebar shows its own seed and data size (and the Export
page's share link its own seed): a session never sees another's state.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

SERVER_FLAGS = ["--server.enableAgentApi", "true"]
INTERACT = "/_stcore/agent/interact"
# The walk every visitor (browser or agent) takes after the Data page: title -> url path.
WALK = {
    "Animate": "animate",
    "Choose K": "choose-k",
    "Compare": "compare",
    "Export & share": "export",
}


@dataclass
class AgentResult:
    """What one agent visitor saw: seconds per page, errors, isolation failures."""

    seed: int
    rows: int
    times: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)


def interact(url: str, body: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """One agent API request; waits on through ``wait_timed_out`` answers (a long run)."""
    deadline = time.monotonic() + timeout_s
    while True:
        req = urllib.request.Request(
            url + INTERACT,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        left = max(deadline - time.monotonic(), 1.0)
        with urllib.request.urlopen(req, timeout=left) as resp:
            answer = json.loads(resp.read())
            if resp.status != 202:
                return answer
        if time.monotonic() > deadline:
            raise TimeoutError(f"no settled answer within {timeout_s:.0f} s")
        body = {"session_id": answer["session_id"]}  # keep waiting for the same run


def link_params(seed: int, n_samples: int) -> dict[str, str]:
    """The Data page link every visitor opens: its own seed and blobs of its own size."""
    return {
        "seed": str(seed),
        "data": "blobs",
        "data.n_samples": str(n_samples),
        "data.centers": "4",
        "data.n_features": "2",
        "data.cluster_std": "1.0",
    }


def nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a snapshot's element tree, depth first."""
    yield tree
    for child in tree.get("children", []):
        yield from nodes(child)


def exceptions(snapshot: dict[str, Any]) -> list[str]:
    """The messages of the exception elements on the page."""
    return [
        str(n.get("props", {}).get("message", ""))[:200]
        for n in nodes(snapshot["tree"])
        if n.get("type") == "exception"
    ]


def shows_own_state(snapshot: dict[str, Any], seed: int, rows: int) -> bool:
    """True if the sidebar's Seed holds ``seed`` and its data line says ``rows`` rows."""
    top: list[dict[str, Any]] = snapshot["tree"].get("children", [])
    sidebar: dict[str, Any] = next((c for c in top if c.get("type") == "sidebar"), {})
    side = list(nodes(sidebar)) if sidebar else []
    seed_ok = any(n.get("key") == "seed" and n.get("value") == seed for n in side)
    mine = f"{rows:,} rows"
    rows_ok = any(mine in str(n.get("props", {}).get("body", "")) for n in side)
    return seed_ok and rows_ok


def _page(
    url: str, body: dict[str, Any], name: str, res: AgentResult, timeout_s: float
) -> dict[str, Any]:
    """Open one page; record its time, its exceptions and whether it shows this session."""
    t0 = time.perf_counter()
    snap = interact(url, body, timeout_s)
    res.times[name] = time.perf_counter() - t0
    res.errors += [f"{name}: exception {m!r}" for m in exceptions(snap)]
    if not shows_own_state(snap, res.seed, res.rows):
        res.isolation.append(f"{name}: the sidebar does not show seed {res.seed}, {res.rows} rows")
    return snap


def walk(url: str, seed: int, n_samples: int, timeout_s: float, think_s: float) -> AgentResult:
    """One agent visitor's walk (blocking): Data from a link, then the four pages."""
    res = AgentResult(seed, n_samples)
    recipe = {key: [value] for key, value in link_params(seed, n_samples).items()}
    name = "Data"
    try:
        snap = _page(url, {"page": "data", "query_params": recipe}, name, res, timeout_s)
        for name, path in WALK.items():
            time.sleep(think_s)  # reading the page (not counted)
            body = {"session_id": snap["session_id"], "page": path}
            snap = _page(url, body, name, res, timeout_s)
        if f"seed={seed}&" not in json.dumps(snap["tree"]):
            res.isolation.append("Export: the share link is not this session's")
    except (OSError, TimeoutError, KeyError, ValueError) as exc:
        res.errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
    return res


async def walk_agents(
    url: str,
    n: int,
    n_samples: int,
    timeout_s: float,
    *,
    seed0: int,
    arrivals: list[float],
    think_s: float,
) -> list[AgentResult]:
    """``n`` agent visitors at once (seed ``seed0 + i``, ``n_samples + i`` rows each)."""
    if n <= 0:
        return []
    loop = asyncio.get_running_loop()

    pool = ThreadPoolExecutor(max_workers=n)  # one blocking walk per visitor

    async def one(i: int) -> AgentResult:
        await asyncio.sleep(arrivals[i])
        job = functools.partial(walk, url, seed0 + i, n_samples + i, timeout_s, think_s)
        return await loop.run_in_executor(pool, job)

    try:
        return list(await asyncio.gather(*(one(i) for i in range(n))))
    finally:
        pool.shutdown(wait=False)
