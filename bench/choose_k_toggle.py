"""Time the Choose K log-scale toggle on 20,000 rows (AppTest: server-side script time).

Run: ``.venv/bin/python -m bench.choose_k_toggle``. The sweep is cached by the first
run; each toggle after that is what a user waits for (before transport and drawing).
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
from sklearn.datasets import make_blobs

from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

N_ROWS = 20_000
REPEATS = 6


def main() -> None:
    """Open Choose K on 20k blobs, flip the log toggle REPEATS times, print the median."""
    X, y = make_blobs(n_samples=N_ROWS, centers=4, n_features=2, random_state=0)
    ds = Dataset(name="20k blobs", X=X.astype(np.float64), feature_names=["x1", "x2"])
    t0 = time.perf_counter()
    at = open_page("app_pages/choose_k.py", session={"dataset": ds}, timeout=600)
    first = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]
    times = []
    for i in range(REPEATS):
        t = time.perf_counter()
        at.toggle(key="choose_k_log").set_value(i % 2 == 0).run()
        times.append(time.perf_counter() - t)
        assert not at.exception, [e.value for e in at.exception]
    print(f"first load (sweep, uncached): {first:.2f} s")
    print("log toggle runs (s):", " ".join(f"{t:.3f}" for t in times))
    print(f"log toggle median: {statistics.median(times):.3f} s")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
