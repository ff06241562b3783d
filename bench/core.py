"""kmeans_core vs scikit-learn: time per Lloyd iteration, a default fit, and peak memory.

Run from the repository root::

    python -m bench.core            # the full table (a few minutes)
    python -m bench.core --quick    # fewer repeats, under a minute
    python -m bench.core --repeats 15 --iters 30 --cases 1M×2 1M×50
    python -m bench.core --threads 1 --cpu-time   # steadier on a shared machine

What is measured, on ``make_blobs`` data with a fixed seed (``cluster_std=3``, so the
blobs overlap and Lloyd keeps moving for many iterations):

* **per iteration** — both libraries start from the same initial centers (rows drawn
  with a fixed seed) with ``tol=0`` and the same ``max_iter``; each fit's wall time is
  divided by its ``n_iter_`` (validation, centring and the final relabelling are
  included, spread over the iterations).  The two libraries are timed alternately
  (ours, theirs, theirs, ours, ...) after one discarded warm-up call each, by the
  app's timing engine (:mod:`dashboard.timing`), and the medians compared: on a
  shared machine a single run drifts by up to 1.5x.
* **default fit** — ``KMeans(n_clusters=K, random_state=0).fit(X)`` with every other
  parameter at its default (k-means++, ``n_init="auto"``, ``tol=1e-4``), alternated
  the same way.
* **peak memory** — the growth of the resident set (RSS high-water mark, VmHWM) during
  one default fit, in a fresh subprocess per library and case: the child generates
  the data, resets the high-water mark (``/proc/self/clear_refs``), fits, and reports
  VmHWM minus the RSS before the fit.  Linux only; shown as "n/a" elsewhere.

Both libraries use every available core: scikit-learn through OpenMP, kmeans_core
through a pool of Python threads over chunks.  With ``--threads 1 --cpu-time`` every
timing is the CPU time of the calling thread (``time.thread_time``), where both
libraries then do all their work: the time slices other processes take on a shared
machine are left out, so the ratios hold still under load (cache sharing still
slows both).  The ratio column is ours / scikit-learn
(below 1 means kmeans_core is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from statistics import median

import numpy as np

from dashboard.timing import PairTiming, TimingOptions, limit_threads, measure_pair

#: The clock of every timing: wall time, or with ``--cpu-time`` the calling thread's
#: CPU time (only meaningful when everything runs on that thread: ``--threads 1``).
CLOCK = time.perf_counter


@dataclass(frozen=True)
class Case:
    """One benchmark dataset: ``make_blobs(n_samples, n_features, centers=k)``."""

    name: str
    n_samples: int
    n_features: int
    k: int
    dtype: str = "float64"
    #: Per-iteration fits are long at this size: fewer of them (None: the command line's).
    repeats: int | None = None
    max_iter: int | None = None

    def data(self, dtype=None) -> np.ndarray:
        """The case's blobs (fixed seed), C-contiguous, of ``dtype`` (default: the case's)."""
        from sklearn.datasets import make_blobs

        X, _ = make_blobs(
            n_samples=self.n_samples,
            n_features=self.n_features,
            centers=self.k,
            cluster_std=3.0,
            random_state=0,
        )
        return np.ascontiguousarray(X, dtype=dtype or self.dtype)

    def init_centers(self, X: np.ndarray) -> np.ndarray:
        """K rows of X drawn with a fixed seed: the same initial centers for every library."""
        rows = np.random.RandomState(1).choice(X.shape[0], self.k, replace=False)
        return X[rows].copy()


CASES = (
    Case("1M×2 K=8", 1_000_000, 2, 8),
    Case("100k×50 K=16", 100_000, 50, 16),
    Case("20k×2 K=3", 20_000, 2, 3),
    Case("1M×50 K=64 f32", 1_000_000, 50, 64, "float32", repeats=3, max_iter=10),
)


def _estimators():
    from sklearn.cluster import KMeans as SkKMeans

    from kmeans_core import KMeans as OurKMeans

    return OurKMeans, SkKMeans


def _options(repeats: int) -> TimingOptions:
    """Warm-up discarded, then ``repeats`` calls each in A B, B A, ... order.

    No thread limit here: ``--threads`` holds the whole run (the machine's floor
    and the reference libraries too), see :func:`main`.
    """
    return TimingOptions(repeats=repeats, warmup=True, interleave=True, alternate=True, clock=CLOCK)


def time_per_iteration(
    case: Case, X: np.ndarray, repeats: int, max_iter: int
) -> tuple[PairTiming, list[str]]:
    """Seconds per Lloyd iteration from the same initial centers (tol=0, fixed max_iter).

    Returns
    -------
    pair : PairTiming
        ``first`` is kmeans_core, ``second`` scikit-learn; each fit divided by its ``n_iter_``.
    notes : list of str
        The iteration count of a timed fit (and a warning if the two differ).
    """
    OurKMeans, SkKMeans = _estimators()
    init = case.init_centers(X)

    def fit(cls):
        return lambda: cls(case.k, init=init, n_init=1, tol=0.0, max_iter=max_iter).fit(X)

    pair = measure_pair(fit(OurKMeans), fit(SkKMeans), _options(repeats), units=lambda m: m.n_iter_)
    ours, theirs = pair.first.result.n_iter_, pair.second.result.n_iter_
    notes = []
    if ours != theirs:
        notes.append(
            f"{case.name}: n_iter_ differs (ours {ours}, scikit-learn {theirs}); "
            "each fit divided by its own."
        )
    notes.append(f"{case.name}: {theirs} iterations per timed fit.")
    return pair, notes


@dataclass(frozen=True)
class Machine:
    """What this machine can do at best: read bandwidth and GEMM rates, measured now."""

    read_gb_s: float
    gemm_gflop_s: dict[str, float]

    def floor(self, case: Case) -> float:
        """Seconds per Lloyd iteration at best: X read once, or the distance GEMM.

        ``max(bytes of X / bandwidth, 2 N K d / GEMM rate)``: Lloyd's iteration must
        read every row and, computing every distance, do the N x K x d multiply-adds.
        (Elkan and Hamerly skip most of the GEMM late in a run, so they can go below
        the GEMM term; the tree reads only the points near a boundary, so it could go
        below the read too: this is the floor of the method both libraries share.)
        """
        itemsize = np.dtype(case.dtype).itemsize
        read = case.n_samples * case.n_features * itemsize / (self.read_gb_s * 1e9)
        flops = 2.0 * case.n_samples * case.k * case.n_features
        return max(read, flops / (self.gemm_gflop_s[case.dtype] * 1e9))


def measure_machine(repeats: int = 5) -> Machine:
    """Best-of-``repeats`` read bandwidth (all CPUs) and GEMM rate per dtype."""
    from kmeans_core import _kernels

    big = np.ones(1 << 25)  # 256 MiB of float64
    n_threads = _kernels._available_cpus()
    if _kernels.MAX_THREADS is not None:  # --threads
        n_threads = min(n_threads, _kernels.MAX_THREADS)
    parts = np.array_split(big, 64)
    sums = np.zeros(len(parts))

    def read(i: int) -> None:
        sums[i] = parts[i].sum()

    best_read = min(
        _timed(lambda: _kernels._run_chunks(len(parts), n_threads, read)) for _ in range(repeats)
    )
    gemm = {}
    for dtype in ("float64", "float32"):
        a = np.random.RandomState(0).uniform(size=(1024, 1024)).astype(dtype)
        best = min(_timed(lambda a=a: a @ a) for _ in range(repeats))
        gemm[dtype] = 2 * 1024**3 / best / 1e9
    del big
    return Machine(read_gb_s=(1 << 28) / best_read / 1e9, gemm_gflop_s=gemm)


def _timed(func) -> float:
    # The floor on the same clock as the fits (with --cpu-time, one thread does it all).
    t0 = CLOCK()
    func()
    return CLOCK() - t0


def reference_libraries() -> dict[str, object]:
    """faiss-cpu and scikit-learn-intelex when installed (optional, not in requirements)."""
    found: dict[str, object] = {}
    try:
        import faiss

        found["faiss"] = faiss
    except ImportError:
        pass
    try:
        from sklearnex.cluster import KMeans as ExKMeans

        found["intelex"] = ExKMeans
    except ImportError:
        pass
    return found


def time_reference_per_iteration(
    name: str, lib, case: Case, X: np.ndarray, repeats: int, max_iter: int
) -> list[float]:
    """Seconds per iteration of a reference library from the same initial centers."""
    init = case.init_centers(X)

    def run() -> float:
        if name == "faiss":
            km = lib.Kmeans(case.n_features, case.k, niter=max_iter, verbose=False, seed=1)
            Xf = np.ascontiguousarray(X, dtype=np.float32)
            t0 = CLOCK()
            km.train(Xf, init_centroids=np.ascontiguousarray(init, dtype=np.float32))
            return (CLOCK() - t0) / max_iter
        model = lib(case.k, init=init, n_init=1, tol=0.0, max_iter=max_iter)
        t0 = CLOCK()
        model.fit(X)
        return (CLOCK() - t0) / max(1, int(model.n_iter_))

    run()  # warm-up
    return [run() for _ in range(repeats)]


def time_default_fit(case: Case, X: np.ndarray, repeats: int) -> PairTiming:
    """Seconds for a fit with default parameters (k-means++, n_init="auto"); ours first."""
    OurKMeans, SkKMeans = _estimators()

    def fit(cls):
        return lambda: cls(n_clusters=case.k, random_state=0).fit(X)

    return measure_pair(fit(OurKMeans), fit(SkKMeans), _options(repeats))


_MEMORY_CHILD = r"""
import json, sys
from bench.core import CASES, Case
from bench.core import _estimators

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024  # kB -> bytes
    raise KeyError(field)

case = next(c for c in CASES if c.name == sys.argv[1])
OurKMeans, SkKMeans = _estimators()
cls = OurKMeans if sys.argv[2] == "ours" else SkKMeans
X = case.data()
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the high-water mark to the current RSS
cls(n_clusters=case.k, random_state=0).fit(X)
print(json.dumps({"peak_extra": status("VmHWM") - before}))
"""


def peak_memory(case: Case, which: str) -> float | None:
    """Extra resident memory (bytes) at the peak of one default fit, in a fresh process."""
    if not sys.platform.startswith("linux"):
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, case.name, which],
            capture_output=True,
            text=True,
            cwd=root,
            timeout=600,
            check=True,
        )
        return float(json.loads(out.stdout.strip().splitlines()[-1])["peak_extra"])
    except (subprocess.SubprocessError, OSError, ValueError, KeyError, IndexError):
        return None


def _fmt_ms(seconds: list[float]) -> str:
    return f"{median(seconds) * 1e3:.2f} ms"


def _fmt_s(seconds: list[float]) -> str:
    return f"{median(seconds):.3f} s"


def _fmt_ratio(pair: PairTiming) -> str:
    lo, hi = pair.ratio_range
    return f"{pair.ratio:.2f}× ({lo:.2f}–{hi:.2f})"


def _fmt_mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:.0f} MiB"


def _machine_line() -> str:
    import numpy
    import scipy
    import sklearn

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    load_text = "n/a" if load is None else ", ".join(f"{x:.1f}" for x in load)
    cpus: int | str
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or "?"
    return (
        f"{platform.processor() or platform.machine()}, {cpus} CPUs, load average "
        f"{load_text}; Python {platform.python_version()}, NumPy {numpy.__version__}, "
        f"SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}"
    )


@dataclass(frozen=True)
class Settings:
    """How much to measure, from the command line."""

    repeats: int
    fit_repeats: int
    max_iter: int
    memory: bool


def _parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[Case]]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.core",
        description="Time kmeans_core against scikit-learn (ratio = ours / scikit-learn).",
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under a minute)")
    parser.add_argument("--repeats", type=int, help="timed runs per library (default 9, quick 3)")
    parser.add_argument(
        "--iters", type=int, help="max_iter of the per-iteration fits (default 20, quick 10)"
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        metavar="NAME",
        help="case names or prefixes, e.g. 1M 100k (default: all)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory column")
    parser.add_argument(
        "--threads",
        type=int,
        help="limit both libraries to this many threads (default: every CPU); "
        "--threads 1 compares the work done, which is steadier on a busy machine",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time the calling thread's CPU time instead of wall time (needs --threads 1)",
    )
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    if args.cpu_time and args.threads != 1:
        parser.error("--cpu-time needs --threads 1 (other threads' work would not be counted)")
    cases = [c for c in CASES if not args.cases or any(c.name.startswith(p) for p in args.cases)]
    if not cases:
        parser.error(f"no case matches {args.cases}; cases are {[c.name for c in CASES]}")
    return args, cases


def _settings(args: argparse.Namespace) -> Settings:
    repeats = args.repeats or (3 if args.quick else 9)
    return Settings(
        repeats=repeats,
        fit_repeats=max(1, repeats // 3) if args.quick else max(3, repeats // 2),
        max_iter=args.iters or (10 if args.quick else 20),
        memory=not args.no_memory,
    )


def measure_case(
    case: Case, settings: Settings, machine: Machine, references: dict[str, object]
) -> tuple[tuple[str, ...], list[str]]:
    """One row of the table (and its notes): per iteration, floor, default fit, memory."""
    X = case.data()
    repeats = min(settings.repeats, case.repeats or settings.repeats)
    max_iter = min(settings.max_iter, case.max_iter or settings.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. convergence warnings at tol=0
        per_iter, notes = time_per_iteration(case, X, repeats, max_iter)
        fit = time_default_fit(case, X, max(1, min(settings.fit_repeats, repeats)))
        refs = {
            name: time_reference_per_iteration(name, lib, case, X, repeats, max_iter)
            for name, lib in references.items()
        }
    del X  # the memory subprocesses make their own
    floor = machine.floor(case)
    ours, theirs = per_iter.first.runs, per_iter.second.runs
    mem_ours = peak_memory(case, "ours") if settings.memory else None
    mem_theirs = peak_memory(case, "theirs") if settings.memory else None
    mem_ratio = f"{mem_ours / mem_theirs:.2f}×" if mem_ours is not None and mem_theirs else "n/a"
    row = (
        case.name,
        _fmt_ms(list(ours)),
        _fmt_ms(list(theirs)),
        _fmt_ratio(per_iter),
        f"{floor * 1e3:.2f} ms",
        f"{median(ours) / floor:.1f}×",
        f"{median(theirs) / floor:.1f}×",
        *(f"{median(refs[name]) / median(theirs):.2f}×" for name in references),
        _fmt_s(list(fit.first.runs)),
        _fmt_s(list(fit.second.runs)),
        _fmt_ratio(fit),
        _fmt_mib(mem_ours),
        _fmt_mib(mem_theirs),
        mem_ratio,
    )
    return row, notes


def _print_table(rows: list[tuple[str, ...]], references: dict[str, object]) -> None:
    header = (
        "case",
        "ours / iter",
        "sklearn / iter",
        "ratio / iter",
        "floor / iter",
        "ours ÷ floor",
        "sklearn ÷ floor",
        *(f"{name} / sklearn" for name in references),
        "ours fit",
        "sklearn fit",
        "ratio fit",
        "ours peak",
        "sklearn peak",
        "ratio peak",
    )
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("peak = growth of the resident set (VmHWM) during one default fit, fresh process.")
    print(
        'ours = KMeans(algorithm="auto"), the default (the tree at 1-2 features from 100k-300k '
        "rows; else Lloyd early, Hamerly once few labels change, Lloyd throughout below 16 "
        "features); scikit-learn = its Lloyd (the default)."
    )
    print(
        "floor = max(X read once at the measured bandwidth, the N×K×d distance GEMM at the "
        "measured GEMM rate) per iteration."
    )


def run(cases: list[Case], settings: Settings) -> None:
    """Measure the machine, then every case, and print the table with its notes."""
    print(f"Machine: {_machine_line()}")
    machine = measure_machine()
    gemm = ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in machine.gemm_gflop_s.items())
    print(f"Measured now: read {machine.read_gb_s:.1f} GB/s (the run's threads); GEMM {gemm}.")
    references = reference_libraries()
    print(
        "Reference libraries: "
        + (", ".join(references) if references else "none installed (faiss-cpu, sklearnex)")
    )
    print(
        f"Per-iteration: {settings.repeats} alternated fits per library (same init, tol=0, "
        f"max_iter={settings.max_iter}); default fit: {settings.fit_repeats} per library; "
        f"medians, ratio = ours / scikit-learn (range over alternated pairs)."
    )
    rows, notes = [], []
    for case in cases:
        row, case_notes = measure_case(case, settings, machine, references)
        rows.append(row)
        notes += case_notes
        sys.stdout.flush()
        print(f"  done: {case.name}", file=sys.stderr, flush=True)
    _print_table(rows, references)
    for note in notes:
        print(f"note: {note}")
    print(f"Load average at the end: {_machine_line().split('load average ')[1].split(';')[0]}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line (``python -m bench.core --help``).

    Returns
    -------
    int
        The exit status, 0.
    """
    global CLOCK
    args, cases = _parse_args(argv)
    CLOCK = time.thread_time if args.cpu_time else time.perf_counter
    if args.threads is None:
        run(cases, _settings(args))
        return 0
    print(f"Threads: both libraries held to {args.threads} (OpenMP and BLAS via threadpoolctl).")
    if args.cpu_time:
        print("Clock: CPU time of the calling thread (time.thread_time), not wall time.")
    previous = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # for the memory subprocesses
    try:
        # The whole run: the timed fits, the machine's floor and the reference libraries.
        with limit_threads(args.threads):
            run(cases, _settings(args))
    finally:
        if previous is None:
            del os.environ["OMP_NUM_THREADS"]
        else:
            os.environ["OMP_NUM_THREADS"] = previous
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
