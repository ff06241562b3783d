"""kmeans_core: K-Means from scratch in NumPy, with scikit-learn's estimator API.

>>> from kmeans_core import KMeans
>>> model = KMeans(n_clusters=3, random_state=0).fit(X)   # doctest: +SKIP
"""

from kmeans_core._validation import NonNumericDataError
from kmeans_core.elbow import ElbowResult, elbow_sweep
from kmeans_core.estimator import DistinctClustersWarning, KMeans, NotFittedError
from kmeans_core.init import farthest_point_init, kmeans_plusplus, random_init
from kmeans_core.lloyd import LloydStep, StepSummary, lloyd_steps, tolerance
from kmeans_core.tiers import (
    TIERS,
    assign_labels_broadcast,
    assign_labels_gemm,
    assign_labels_loops,
    broadcast_bytes,
    lloyd_iteration,
)

__version__ = "0.1.0"

__all__ = [
    "TIERS",
    "DistinctClustersWarning",
    "ElbowResult",
    "KMeans",
    "LloydStep",
    "NonNumericDataError",
    "NotFittedError",
    "StepSummary",
    "assign_labels_broadcast",
    "assign_labels_gemm",
    "assign_labels_loops",
    "broadcast_bytes",
    "elbow_sweep",
    "farthest_point_init",
    "kmeans_plusplus",
    "lloyd_iteration",
    "lloyd_steps",
    "random_init",
    "tolerance",
]
