"""Speed page: loops vs broadcasting vs GEMM vs scikit-learn, time per Lloyd iteration."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import (
    budget,
    speed_data,
    speed_methods,
    speed_pruning,
    speed_runs,
    speed_scaleout,
    speed_text,
)
from dashboard import streamlit_glue as glue
from dashboard.formatting import format_count
from dashboard.safe_text import literal
from dashboard.speed_section_figures import pruning_figure, scaleout_figure

N_CHOICES = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]
SCALEOUT_N_CHOICES = [100_000, 200_000, 500_000, 1_000_000, 2_000_000]
MEMORY_CHOICES_MB = [128, 256, 512, 1024, 2048]
SYNTHETIC = "Synthetic blobs"
CURRENT = "Current dataset"
N_METHODS = len(speed_methods.method_specs())


def _size_inputs(use_dataset: bool) -> tuple[str, int, int, int, np.ndarray | None, DeltaGenerator]:
    """The data and size widgets: (data key, n, d, k, the dataset's X or None, button column)."""
    c_n, c_d, c_k, c_go = st.columns([3, 1, 1, 1.2], vertical_alignment="bottom")
    X = None
    if use_dataset:
        ds = glue.get_dataset()
        data_key, X, n, d = ds.key, ds.X, ds.n_samples, ds.n_features
        c_n.markdown(
            f"**{literal(ds.name)}**  \n{n:,} rows × {d} features (rows shuffled with the seed)"
        )
        c_d.number_input("d (features)", value=d, disabled=True, key="speed_d_ds")
    else:
        data_key = "blobs"
        n = c_n.select_slider(
            "N (rows)", options=N_CHOICES, value=20_000, format_func=format_count, key="speed_n"
        )
        d = c_d.number_input("d (features)", 1, speed_data.MAX_D, value=8, step=1, key="speed_d")
    k = c_k.number_input(
        "K (centers)",
        1,
        speed_data.MAX_K,
        value=8,
        step=1,
        key="speed_k",
        help="Set here, not by the sidebar's K, so any size can be timed.",
    )
    return data_key, int(n), int(d), int(k), X, c_go


def _timing_options() -> speed_runs.SpeedOptions:
    """The "Timing options" expander."""
    with st.expander("Timing options"):
        o1, o2, o3 = st.columns(3)
        budget = o1.slider(
            "Time budget per method (s)",
            0.5,
            10.0,
            value=speed_runs.DEFAULT_BUDGET_S,
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
            "Repeats (median kept)", 1, 15, value=speed_runs.DEFAULT_REPEATS, key="speed_reps"
        )
        one_thread = st.checkbox(
            "One thread per library (BLAS, OpenMP)",
            value=True,
            key="speed_one_thread",
            help="On by default: the fairest comparison, and steady on a busy machine, where "
            "multi-threaded methods can slow down many times over. Untick to let every "
            "method use all cores.",
        )
    return speed_runs.SpeedOptions(
        budget_s=float(budget),
        memory_limit_bytes=int(mem_mb) * 2**20,
        repeats=int(reps),
        threads=1 if one_thread else None,
    )


def _controls() -> tuple[speed_runs.SpeedRequest, np.ndarray | None, str | None, bool]:
    """The bordered box of inputs: (request, dataset X or None, problem, run clicked)."""
    with st.container(border=True):
        source = st.segmented_control(
            "Data to time on",
            [SYNTHETIC, CURRENT],
            default=SYNTHETIC,
            key="speed_source",
            help="Synthetic blobs let you choose N and d; the current dataset fixes them.",
        )
        use_dataset = source == CURRENT
        data_key, n, d, k, X, c_go = _size_inputs(use_dataset)
        options = _timing_options()
        problem = speed_data.check_sizes(n, d, k)
        if problem and use_dataset:
            problem = f"The current dataset cannot be timed: {problem}"
        clicked = c_go.button(
            "Run timing",
            type="primary",
            icon=":material/timer:",
            disabled=problem is not None,
            key="speed_run",
        )
        if problem:
            st.error(problem)
        else:
            refused, notice = speed_text.memory_notice(
                n, d, k, options.memory_limit_bytes, options.budget_s
            )
            (st.warning if refused else st.caption)(notice)
    request = speed_runs.SpeedRequest(data_key, n, d, k, glue.get_seed(), options)
    return request, X, problem, clicked


def _explanation(request: speed_runs.SpeedRequest) -> None:
    st.markdown("#### Why the GEMM tier wins")
    st.markdown("Expand the squared distance between a point $x$ and a center $c$:")
    st.latex(speed_text.GEMM_IDENTITY)
    st.markdown(speed_text.gemm_explanation(request.n, request.d, request.k))


def _bars(request: speed_runs.SpeedRequest, report: speed_runs.SpeedReport) -> None:
    result, threads = report.result, request.options.threads
    bar, _ = glue.speed_figures(request, report)
    st.plotly_chart(bar, width="stretch", key="speed_bar")
    st.caption(speed_text.how_measured(report.measured_at, request.seed, threads == 1))
    small = speed_text.small_n_note(result.n)
    if small:
        st.caption(small)
    busy = speed_text.load_note(report.load_1min, report.cpus, threads=threads)
    if report.load_1min is not None and busy:
        st.warning(busy, icon=":material/speed:")
    for kind, note in speed_text.verdict_notes(result):
        (st.warning if kind == "warning" else st.info)(note)


def _details(request: speed_runs.SpeedRequest, report: speed_runs.SpeedReport) -> None:
    ok, agreement = speed_text.agreement_summary(report.result)
    if agreement:
        (st.success if ok else st.warning)(agreement)
    st.dataframe(speed_text.results_table(report.result), hide_index=True, width="stretch")
    _, scaling = glue.speed_figures(request, report)
    st.plotly_chart(scaling, width="stretch", key="speed_scaling")
    st.caption(speed_text.SCALING_CAPTION)
    notes = speed_text.sweep_notes(report.sweep)
    if notes:
        with st.expander(f"Points not measured in the sweep ({len(notes)})"):
            st.markdown("\n".join(f"- {x}" for x in notes))


def _pruning(result: speed_pruning.PruningResult, n_requested: int) -> None:
    """The "Pruning" section: Lloyd, Elkan, Hamerly and the tree per iteration, one start."""
    st.markdown("#### Pruning: Elkan, Hamerly and the tree skip distances")
    st.plotly_chart(pruning_figure(result), width="stretch", key="speed_pruning")
    st.markdown(speed_pruning.pruning_summary(result))
    if result.n < n_requested:
        st.caption(f"Run on the first {result.n:,} of the {n_requested:,} (shuffled) rows.")


@st.fragment
def scaleout_runner() -> None:
    """The "Scale-out" section: its own sizes and button (it takes a minute or so)."""
    st.markdown("#### Scale-out: time per iteration against N, in memory and on Dask")
    with st.container(border=True):
        c_n, c_d, c_k, c_go = st.columns([3, 1, 1, 1.2], vertical_alignment="bottom")
        d = int(c_d.number_input("d", 1, 20, value=2, key="scaleout_d"))
        choices = [n for n in SCALEOUT_N_CHOICES if n <= speed_scaleout.max_scaleout_n(d)]
        n_max = c_n.select_slider(
            "Largest N",
            options=choices,
            value=choices[-1],
            format_func=format_count,
            key="scaleout_n",
        )
        k = int(c_k.number_input("K", 1, speed_data.MAX_K, value=8, key="scaleout_k"))
        clicked = c_go.button("Run scale-out", icon=":material/hub:", key="scaleout_run")
        st.caption(
            f"Slow: starts two LocalClusters (workers are {speed_scaleout.CLUSTER_KIND}) "
            f"and fits {speed_scaleout.SCALEOUT_MAX_ITER} iterations per engine and size. "
            + speed_scaleout.BENCH_NOTE
        )
    key = (int(n_max), d, k, glue.get_seed())
    if clicked:
        try:
            glue.run_scaleout(key)
        except Exception as exc:  # a timing page must never end in a traceback
            st.error(f"Scale-out stopped: {literal(str(exc))}")
    result = glue.scaleout_result(key)
    if result is None:
        st.info("Press **Run scale-out** to time each engine at four sizes up to the largest N.")
        return
    st.plotly_chart(scaleout_figure(result), width="stretch", key="speed_scaleout")
    for note in result.notes:
        st.caption(literal(note))


@st.fragment
def speed_runner() -> None:
    """Inputs, the run and its results: a widget here reruns only this part of the page."""
    request, X, problem, clicked = _controls()
    if clicked and problem is None:
        estimate = budget.timing_run_seconds(request.options.budget_s, N_METHODS)
        try:
            with glue.heavy_run("the timing", estimate, key="speed") as check:
                glue.run_speed(request, X, check=check)
        except budget.RunCancelled:
            st.info("Timing cancelled. Press **Run timing** to start again.")
        except budget.SessionBusy:
            st.warning("Another heavy run of yours is still under way; try again when it ends.")
        except MemoryError:
            st.error("Timing ran out of memory. Try a smaller N, d or K.")
        except Exception as exc:  # a timing page must never end in a traceback
            st.error(f"Timing stopped: {literal(str(exc))} Try a smaller N, d or K.")
    report = glue.speed_report(request)
    chart_col, text_col = st.columns([3, 2], gap="large")
    with text_col:
        _explanation(request)
    with chart_col:
        if report is None:
            st.info(speed_text.waiting_note(request.n, request.d, request.k))
        else:
            _bars(request, report)
    if report is not None:
        _details(request, report)
    if report is not None and report.pruning is not None:
        _pruning(report.pruning, request.n)


st.title("Speed: why vectorised NumPy K-Means is fast")
st.markdown(speed_text.INTRO)
speed_runner()
scaleout_runner()
