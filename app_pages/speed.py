"""Speed page: loops vs broadcasting vs GEMM vs scikit-learn, time per Lloyd iteration."""

from __future__ import annotations

import time

import streamlit as st

from dashboard import speed
from dashboard import streamlit_glue as glue
from dashboard.speed_figures import scaling_loglog, time_per_iteration_bar

RESULTS_KEY = "speed_results"
MAX_CACHED = 8
N_CHOICES = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]
MEMORY_CHOICES_MB = [128, 256, 512, 1024, 2048]
SMALL_N = 5_000  # below this, per-call overhead hides the differences between fast methods
SYNTHETIC = "Synthetic blobs"
CURRENT = "Current dataset"


def _n_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def _cache() -> dict:
    # Timings are kept per settings in the session, so widget changes never re-time and
    # returning to earlier settings shows their result at once; pressing "Run timing"
    # measures again (timings drift, e.g. on a busy server). st.cache_data is not used: it
    # would replay the live progress bar and could never re-measure.
    return st.session_state.setdefault(RESULTS_KEY, {})


def _run(key: tuple, n: int, d: int, k: int, seed: int, X0, opts: dict) -> None:
    """Time at (n, d, k) and over the N sweep, with live progress; store in the cache."""
    started = time.perf_counter()
    with st.status(f"Timing one Lloyd iteration at N = {n:,}…", expanded=True) as status:
        bar = st.progress(0.0, text="Preparing data")
        if X0 is None:
            X, C = speed.make_timing_data(n, d, k, seed)
        else:
            X, C = speed.dataset_timing_data(X0, k, seed)

        def main_progress(frac: float, msg: str) -> None:
            bar.progress(min(1.0, 0.5 * frac), text=msg)

        def sweep_progress(frac: float, msg: str) -> None:
            bar.progress(min(1.0, 0.5 + 0.5 * frac), text=msg)

        result = speed.run_timing(n, d, k, seed, progress=main_progress, data=(X, C), **opts)
        sweep_opts = {**opts, "repeats": max(1, min(3, opts["repeats"]))}
        sweep = speed.run_sweep(
            speed.sweep_sizes(n, k),
            d,
            k,
            seed,
            progress=sweep_progress,
            data=(X, C),
            known=result,
            **sweep_opts,
        )
        elapsed = time.perf_counter() - started
        status.update(label=f"Timed in {elapsed:.1f} s", state="complete", expanded=False)
    cache = _cache()
    cache[key] = (
        result,
        sweep,
        time.strftime("%H:%M:%S UTC", time.gmtime()),
        speed.load_note(threads=opts["threads"]),
    )
    while len(cache) > MAX_CACHED:
        cache.pop(next(iter(cache)))


def _explanation(n: int, d: int, k: int) -> None:
    st.markdown("#### Why the GEMM tier wins")
    st.markdown("Expand the squared distance between a point $x$ and a center $c$:")
    st.latex(
        r"\lVert x - c\rVert^2 \;=\; \lVert x\rVert^2 \;-\; 2\,x\cdot c \;+\; \lVert c\rVert^2"
    )
    st.markdown(
        f"""
- **One matrix product.** All N·K dot products $x\\cdot c$ are the entries of
  $XC^{{\\top}}$: a single GEMM that BLAS runs with cache blocking and SIMD (and on every
  core, if you allow it under Timing options).
- **No N×K×d temporary.** Broadcasting builds every difference $x-c$ first:
  {speed.format_bytes(speed.broadcast_bytes(n, k, d))} at these sizes, written to memory and
  read back. The GEMM tier only holds N×K distances, one chunk of rows at a time.
- **$\\lVert x\\rVert^2$ is not needed for the argmin.** It is the same for every center, so
  the nearest center minimises $\\lVert c\\rVert^2 - 2\\,x\\cdot c$; $\\lVert c\\rVert^2$ is
  just K numbers per iteration.
- **Python loops** pay the interpreter for each of the N·K·d = {n * k * d:,}
  subtract-square-add steps of one iteration.

scikit-learn does the same trick in Cython: 256-row chunks, one GEMM each, threads across
chunks, centroid sums in the same pass.
"""
    )


def _agreement(result: speed.SpeedResult) -> None:
    ok, text = speed.agreement_summary(result)
    if text:
        (st.success if ok else st.warning)(text)


# --------------------------------------------------------------------------- page

st.title("Speed: why vectorised NumPy K-Means is fast")
st.markdown(
    "The same Lloyd iteration — label every point with its nearest center, then move each "
    "center to the mean of its points — written three ways in `kmeans_core`, next to "
    "kmeans_core's own estimator and scikit-learn, all from the same initial centers. By "
    "default the data are synthetic blobs of the size you choose (seeded by the sidebar "
    "seed); you can also time the current dataset."
)

seed = glue.get_seed()
with st.container(border=True):
    source = st.segmented_control(
        "Data to time on",
        [SYNTHETIC, CURRENT],
        default=SYNTHETIC,
        key="speed_source",
        help="Synthetic blobs let you choose N and d; the current dataset fixes them.",
    )
    use_dataset = source == CURRENT
    c_n, c_d, c_k, c_go = st.columns([3, 1, 1, 1.2], vertical_alignment="bottom")
    X0 = None
    if use_dataset:
        ds = glue.get_dataset()
        X0 = ds.X
        n, d = ds.n_samples, ds.n_features
        c_n.markdown(
            f"**{ds.markdown_name}**  \n{n:,} rows × {d} features (rows shuffled with the seed)"
        )
        c_d.number_input("d (features)", value=d, disabled=True, key="speed_d_ds")
    else:
        n = c_n.select_slider(
            "N (rows)", options=N_CHOICES, value=20_000, format_func=_n_label, key="speed_n"
        )
        d = c_d.number_input("d (features)", 1, speed.MAX_D, value=8, step=1, key="speed_d")
    k = c_k.number_input(
        "K (centers)",
        1,
        speed.MAX_K,
        value=8,
        step=1,
        key="speed_k",
        help="Set here, not by the sidebar's K, so any size can be timed.",
    )
    with st.expander("Timing options"):
        o1, o2, o3 = st.columns(3)
        budget = o1.slider(
            "Time budget per method (s)",
            0.5,
            10.0,
            value=speed.DEFAULT_BUDGET_S,
            step=0.5,
            key="speed_budget",
            help="A slow tier whose estimate (from a small probe run) exceeds this is skipped.",
        )
        mem_mb = o2.select_slider(
            "Broadcasting memory limit (MB)",
            options=MEMORY_CHOICES_MB,
            value=512,
            key="speed_mem",
            help="The broadcasting tier is refused when its N×K×d temporaries exceed this.",
        )
        reps = o3.number_input(
            "Repeats (median kept)", 1, 15, value=speed.DEFAULT_REPEATS, key="speed_reps"
        )
        one_thread = st.checkbox(
            "One thread per library (BLAS, OpenMP)",
            value=True,
            key="speed_one_thread",
            help="On by default: the fairest comparison, and steady on a busy machine, where "
            "multi-threaded methods can slow down many times over. Untick to let every "
            "method use all cores.",
        )
    problem = speed.check_sizes(int(n), int(d), int(k))
    if problem and use_dataset:
        problem = f"The current dataset cannot be timed: {problem}"
    run_clicked = c_go.button(
        "Run timing",
        type="primary",
        icon=":material/timer:",
        disabled=problem is not None,
        key="speed_run",
    )
    mem_limit = int(mem_mb) * 2**20
    need = speed.broadcast_bytes(int(n), int(k), int(d))
    if problem:
        st.error(problem)
    elif need > mem_limit:
        st.warning(
            f"Broadcasting would need {speed.format_bytes(need)} for its N×K×d temporaries, "
            f"over the {speed.format_bytes(mem_limit)} limit: it will be refused. "
            "The other methods still run."
        )
    else:
        st.caption(
            f"Broadcasting will allocate {speed.format_bytes(need)} "
            f"(limit {speed.format_bytes(mem_limit)}). Slow tiers are probed first and "
            f"skipped if one iteration would take over {budget:g} s."
        )

data_id = ds.key if use_dataset else "blobs"
opts = {
    "budget_s": float(budget),
    "memory_limit_bytes": mem_limit,
    "repeats": int(reps),
    "threads": 1 if one_thread else None,
}
key = (data_id, int(n), int(d), int(k), seed, *opts.values())
if run_clicked and problem is None:
    try:
        _run(key, int(n), int(d), int(k), seed, X0, opts)
    except MemoryError:
        st.error("Timing ran out of memory. Try a smaller N, d or K.")
    except Exception as exc:  # a timing page must never end in a traceback
        st.error(f"Timing stopped: {exc} Try a smaller N, d or K.")

cached = _cache().get(key)
chart_col, text_col = st.columns([3, 2], gap="large")
with text_col:
    _explanation(int(n), int(d), int(k))
with chart_col:
    if cached is None:
        st.info(
            f"Press **Run timing** to time one Lloyd iteration at N = {int(n):,}, "
            f"d = {int(d)}, K = {int(k)}. At the defaults it takes a few seconds."
        )
    else:
        result, sweep, when, busy = cached
        st.plotly_chart(time_per_iteration_bar(result), width="stretch", key="speed_bar")
        st.caption(
            f"Measured at {when} on this server (seed {seed}"
            + ("; one thread per library" if one_thread else "")
            + "). Each bar is the median of "
            "repeated runs after a warm-up, the repeats taking turns between methods so that "
            "a busy moment hits them all; slow tiers run once. The two estimators are timed "
            f"over a whole fit from the same centers (n_init=1, tol=0, max_iter="
            f"{speed.TIMED_MAX_ITER}) divided by its iterations, so their one-off setup is "
            "spread over the iterations."
        )
        if result.n < SMALL_N:
            st.caption(
                f"At N = {result.n:,} a fixed cost per call (Python overhead, allocating, "
                "starting BLAS) dominates the fast methods; the gap widens with N: try "
                "synthetic blobs with N = 20k or more."
            )
        if busy:
            st.warning(busy, icon=":material/speed:")
        for t in result.timings:
            if t.status == "refused":
                st.warning(f"{t.label}: {t.message}.")
            elif t.status == "skipped":
                st.info(f"{t.label}: {t.message}. Its bar is the estimate.")

if cached is not None:
    result, sweep, _, _ = cached
    _agreement(result)
    st.dataframe(speed.results_table(result), hide_index=True, width="stretch")
    st.plotly_chart(scaling_loglog(sweep), width="stretch", key="speed_scaling")
    st.caption(
        "Every method's work grows linearly in N, a slope of 1 on log-log axes; the vertical "
        "gap between the lines is the constant factor that vectorisation buys. At small N the "
        "fast methods' lines flatten: a fixed cost per call dominates there. Dashed open "
        "markers are estimates at sizes where a slow tier was not run."
    )
    notes = [f"{speed.METHOD_LABELS[m]} — {msg}" for m, msgs in sweep.notes.items() for msg in msgs]
    if notes:
        with st.expander(f"Points not measured in the sweep ({len(notes)})"):
            st.markdown("\n".join(f"- {x}" for x in notes))
