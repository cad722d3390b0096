"""scikit-learn style estimators that group units by function, geography and economy.

* :class:`SpatialWard`: Ward's agglomerative clustering with the adjacency as connectivity.
* :class:`SizeConstrainedKMeans`: k-means with bounds on counts or weights (transport LP).
* :class:`AZPLocalSearch`: repairs and improves any start plan by boundary moves,
  keeping size bounds and contiguity.
* :class:`FunctionBlocs`: blocs pure in a function label, balanced in size.
* :func:`mixing_curve` / :func:`propose_alpha`: choosing the geography weight (ClustGeo).

Every fitted estimator has ``labels_``, ``plan_`` (a :class:`~clustering.plan.Plan`,
usable as the optimizer's ``warm_start``) and ``objective_`` (Ward's criterion
in the mixed feature space, see :mod:`clustering.estimators.base`).
"""

from .base import allocate_clusters, mixed_features, within_sum_of_squares
from .blocs import FunctionBlocs
from .constrained_kmeans import SizeConstrainedKMeans, constrained_kmeans, transport_assignment
from .local_search import AZPLocalSearch
from .mixing import MixingCurve, mixing_curve, propose_alpha
from .ward import SpatialWard

__all__ = [
    "AZPLocalSearch",
    "FunctionBlocs",
    "MixingCurve",
    "SizeConstrainedKMeans",
    "SpatialWard",
    "allocate_clusters",
    "constrained_kmeans",
    "mixed_features",
    "mixing_curve",
    "propose_alpha",
    "transport_assignment",
    "within_sum_of_squares",
]
