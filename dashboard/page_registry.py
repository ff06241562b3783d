"""The app's pages, listed once: the router, the Home page's tour and the share links use it.

Plain data (no Streamlit): ``app.py`` turns each :class:`PageSpec` into an
``st.Page``; the Home page shows a card for each; the Export page knows every
page's URL path to build links from whichever page it is served under.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page of the app.

    Attributes
    ----------
    script : str
        Path of the page's script, relative to the app's root.
    title : str
        Navigation label.
    icon : str
        Material icon (``":material/name:"``).
    url_path : str
        Address of the page (``""`` for the home page, served at ``/``).
    blurb : str
        One sentence for the Home page's card.
    """

    script: str
    title: str
    icon: str
    url_path: str
    blurb: str

    @property
    def is_home(self) -> bool:
        """Whether this is the default page (served at ``/``)."""
        return self.url_path == ""


HOME = PageSpec(
    "app_pages/home.py",
    "Home",
    ":material/home:",
    "",
    "What the tool is, the current dataset and run settings.",
)

PAGES: tuple[PageSpec, ...] = (
    HOME,
    PageSpec(
        "app_pages/data.py",
        "Data",
        ":material/dataset:",
        "data",
        "Generate blobs or the shapes K-Means gets wrong, load iris or wine, or upload a CSV.",
    ),
    PageSpec(
        "app_pages/animate.py",
        "Animate",
        ":material/animation:",
        "animate",
        "Watch every assignment and update step, with Voronoi regions and the inertia curve.",
    ),
    PageSpec(
        "app_pages/choose_k.py",
        "Choose K",
        ":material/show_chart:",
        "choose-k",
        "Elbow, silhouette, Calinski–Harabasz and Davies–Bouldin, and a recommended K.",
    ),
    PageSpec(
        "app_pages/clusters.py",
        "Clusters",
        ":material/bubble_chart:",
        "clusters",
        "What each cluster is: sizes, profiles in original units, z-scores, typical rows, 3-D.",
    ),
    PageSpec(
        "app_pages/compare.py",
        "Compare",
        ":material/compare_arrows:",
        "compare",
        "kmeans_core and scikit-learn side by side, from the same start or each its own.",
    ),
    PageSpec(
        "app_pages/alternatives.py",
        "Beyond K-Means",
        ":material/hub:",
        "beyond-kmeans",
        "What works instead on each shape K-Means gets wrong: mixtures, DBSCAN, HDBSCAN, "
        "linkage, spectral — scored side by side.",
    ),
    PageSpec(
        "app_pages/speed.py",
        "Speed",
        ":material/speed:",
        "speed",
        "Python loops vs broadcasting vs one matrix product, timed live.",
    ),
    PageSpec(
        "app_pages/export.py",
        "Export & share",
        ":material/share:",
        "export",
        "Download the labelled data, centers, history and settings; share a link to this run.",
    ),
    PageSpec(
        "app_pages/colour_lab.py",
        "Colour lab",
        ":material/palette:",
        "colour-lab",
        "K-Means colour quantisation of a sample photo or your own: palette, RGB cloud, error.",
    ),
)


def tour_pages() -> tuple[PageSpec, ...]:
    """Every page but Home, in navigation order (the Home page's cards)."""
    return tuple(p for p in PAGES if not p.is_home)


def url_paths() -> list[str]:
    """The URL path of every page but Home (to strip from a page's URL to find the app's root)."""
    return [p.url_path for p in tour_pages()]


def page_by_url_path(url_path: str) -> PageSpec | None:
    """The page served at ``url_path``, or None."""
    return next((p for p in PAGES if p.url_path == url_path), None)
