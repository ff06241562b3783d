"""Peak memory of one CSV upload (parse + build the dataset), as a multiple of the file size.

Each case runs in a fresh child process so its peak RSS (``ru_maxrss``) is its own:
a file of about ``--mb`` MB with 500 columns and with 8 columns, parsed with
:func:`dashboard.csv_upload.parse_csv` and turned into a Dataset with the suggested
features. Not part of the test run.

Usage::

    .venv/bin/python -m bench.upload_memory --mb 150
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MAX_ROWS = 1_000_000  # dashboard.csv_upload.MAX_ROWS


def write_file(path: Path, mb: float, cols: int, seed: int = 0) -> int:
    """A CSV of random floats (6 decimals) of about ``mb`` MB; returns its size in bytes."""
    rng = np.random.default_rng(seed)
    header = ",".join(f"f{i}" for i in range(cols)) + "\n"
    # Within the upload's row limit: a narrow file gets longer numbers ("-0.1234…,").
    width = max(10, int(mb * 2**20 / (MAX_ROWS * cols)) + 1)
    rows = min(MAX_ROWS, int(mb * 2**20 / (width * cols)))
    with path.open("w") as f:
        f.write(header)
        for start in range(0, rows, 20_000):
            block = rng.normal(size=(min(20_000, rows - start), cols))
            np.savetxt(f, block, fmt=f"%.{width - 4}f", delimiter=",")
    return path.stat().st_size


def _child(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from dashboard import csv_upload, upload_recipe

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    parsed = csv_upload.parse_csv(data)
    ds = upload_recipe.build_dataset(parsed, "x.csv", upload_recipe.default_recipe(parsed, "x.csv"))
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"base_mb": base / 1024, "peak_mb": peak / 1024, "seconds": took, "shape": ds.X.shape}
    print(json.dumps(out))


def measure(mb: float, cols: int, folder: Path) -> dict:
    """Write the file, parse it in a child process, return its figures."""
    path = folder / f"upload_{cols}.csv"
    size = write_file(path, mb, cols)
    res = subprocess.run(
        [sys.executable, "-m", "bench.upload_memory", "--child", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["file_mb"] = size / 2**20
    out["ratio"] = (out["peak_mb"] - out["base_mb"]) / out["file_mb"]
    path.unlink()
    return out


def main() -> None:
    """Run both cases and print one line each."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=150)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        _child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for cols in (500, 8):
            r = measure(args.mb, cols, Path(tmp))
            print(
                f"{cols:3d} columns, {r['file_mb']:.0f} MB file, shape {tuple(r['shape'])}: "
                f"peak {r['peak_mb']:.0f} MB (imports {r['base_mb']:.0f} MB), "
                f"{r['ratio']:.1f}x the file above the imports, {r['seconds']:.1f} s"
            )


if __name__ == "__main__":
    main()
