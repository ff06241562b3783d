"""Colour lab: K-Means colour quantisation of a bundled or uploaded image."""

from __future__ import annotations

import streamlit as st

from dashboard import colour_quant as cq
from dashboard import streamlit_glue as glue
from dashboard.colour_figures import error_curve_figure, palette_figure, rgb_cloud
from dashboard.safe_text import literal

UPLOAD = "upload"
CLOUD_POINTS = 3000

seed = glue.get_seed()

st.title("Colour lab")
st.caption(
    "Every pixel is a point in RGB space. kmeans_core, fitted on a random sample of the "
    "pixels, finds K centres: the palette. Each pixel is then drawn in its nearest centre's "
    "colour. The baseline picks K pixels at random as the palette (scikit-learn's gallery "
    "example does the same). The sidebar's seed drives the sample and k-means++."
)

source = st.radio(
    "Image",
    [*cq.SAMPLE_IMAGES, UPLOAD],
    format_func=lambda s: cq.SAMPLE_IMAGES.get(s, "Upload a PNG or JPEG"),
    horizontal=True,
    key="colour_source",
)
if source == UPLOAD:
    uploaded = st.file_uploader(
        f"PNG or JPEG, up to {cq.MAX_UPLOAD_MB} MB",
        type=["png", "jpg", "jpeg"],
        key="colour_upload",
        max_upload_size=cq.MAX_UPLOAD_MB,
        help=f"Larger than {cq.WORK_PIXELS / 1e6:.0f} megapixel is downscaled for the lab.",
    )
    if uploaded is None:
        st.info("Choose an image file to quantise it.", icon=":material/upload:")
        st.stop()
    try:
        picture = glue.cached_upload_picture(uploaded.getvalue(), uploaded.name)
    except ValueError as exc:
        st.error(f"{literal(uploaded.name)} cannot be used: {exc}", icon=":material/error:")
        st.stop()
else:
    picture = glue.cached_sample_picture(source)

height, width = picture.pixels.shape[:2]
for note in picture.notes:
    st.caption(note)


@st.fragment
def lab() -> None:
    """K, the quantised image and its charts: moving the K slider reruns only this part."""
    c_k, c_fit = st.columns([3, 2])
    k = c_k.slider("K (colours)", cq.MIN_K, cq.MAX_K, cq.DEFAULT_K, key="colour_k")
    fit_pixels = c_fit.select_slider(
        "Pixels to fit on",
        options=cq.FIT_PIXEL_CHOICES,
        value=cq.DEFAULT_FIT_PIXELS,
        format_func=lambda n: f"{n:,}",
        key="colour_fit_pixels",
        help="K-Means is fitted on a random sample of the pixels; every pixel is redrawn.",
    )
    with st.spinner(f"Fitting {k} colours…"):
        quant = glue.cached_quantisation(picture, int(k), seed, int(fit_pixels))
        baseline = glue.cached_baseline_rmse(picture, int(k), seed)
    if quant.k < k:
        st.info(
            f"The pixels fitted on have only {quant.k} distinct colours, so the palette has "
            f"{quant.k}, not {k}.",
            icon=":material/info:",
        )
    show_images(quant, baseline)
    show_charts(quant)


def show_images(quant: cq.Quantisation, baseline: float) -> None:
    """Original and quantised side by side, the two errors, and the download."""
    left, right = st.columns(2)
    left.image(picture.pixels, caption=f"Original: {width:,} × {height:,} pixels", width="stretch")
    # PNG, not the default JPEG: JPEG's artefacts would add colours the palette lacks.
    right.image(quant.image, caption=f"{quant.k} colours", width="stretch", output_format="PNG")
    m1, m2, m3 = st.columns(3)
    m1.metric("Error, K-Means palette", f"{quant.rmse:.2f}", help="RMSE per channel, 0–255")
    m2.metric(
        "Error, random palette",
        f"{baseline:.2f}",
        delta=f"{baseline / quant.rmse:.1f}× the K-Means error" if quant.rmse > 0 else None,
        delta_color="off",
        delta_arrow="off",
        help="K pixels picked at random as the palette; RMSE per channel, 0–255",
    )
    m3.metric("Fit and redraw", f"{quant.seconds:.2f} s", help="Wall time of the last new fit")
    st.download_button(
        "Download the quantised PNG",
        glue.cached_png(picture, quant, seed),
        file_name=cq.download_name(picture.name, quant.k),
        mime="image/png",
        icon=":material/download:",
    )
    st.caption(
        f"Fitted on {quant.fit_pixels:,} of the {picture.n_pixels:,} pixels; "
        f"every pixel redrawn. Error = root-mean-square difference per colour channel on "
        "a 0–255 scale, over every pixel."
    )


def show_charts(quant: cq.Quantisation) -> None:
    """The palette, the RGB point cloud and the error against K."""
    st.plotly_chart(palette_figure(quant), width="stretch", key="colour_palette")
    cloud, curve_col = st.columns([3, 2])
    cloud.plotly_chart(
        rgb_cloud(cq.cloud_sample(picture, CLOUD_POINTS, seed), quant.palette),
        width="stretch",
        key="colour_cloud",
    )
    cloud.caption(
        f"{min(CLOUD_POINTS, picture.n_pixels):,} randomly chosen pixels, each drawn in its "
        "own colour; the diamonds are the K centres. Drag to turn the cube."
    )
    with st.spinner("Measuring the error for K = 2 … 64…"):
        curve = glue.cached_error_curve(picture, seed, quant.fit_pixels)
    curve_col.plotly_chart(
        error_curve_figure(curve, quant), width="stretch", key="colour_error_curve"
    )
    curve_col.caption(
        f"Each K is a new fit; both palettes are scored on the same {curve.eval_pixels:,} "
        "pixels. K-Means wins at every K; the gap narrows as K grows, because with many "
        "colours even random picks land near most pixels."
    )


lab()
