"""Spatially constrained agglomerative clustering: Ward with the adjacency as connectivity."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..errors import ParameterError
from ._validation import BOOLEAN
from .base import COMMON_CONSTRAINTS, ClusteringEstimator, ward_labels

__all__ = ["SpatialWard"]


class SpatialWard(ClusteringEstimator):
    """Ward clustering that only merges neighbouring clusters.

    Starting from singletons, repeatedly merge the two *adjacent* clusters
    whose union increases the within-cluster sum of squares the least (Ward's
    rule, scikit-learn's :func:`~sklearn.cluster.ward_tree` with the
    adjacency as ``connectivity``), in the mixed feature space of
    :mod:`clustering.estimators.base`. Every cluster is therefore connected.
    Sizes are not controlled: follow with
    :class:`~clustering.estimators.AZPLocalSearch` to impose bounds.

    A graph with several components (islands) gets one tree per component; the
    forest is cut into ``n_clusters`` by undoing the highest merges first, so
    ``n_clusters`` must be at least the number of components.

    Parameters
    ----------
    n_clusters : int, default 8
        Number of clusters (at least the number of adjacency components).
    indicators : list of str, optional
        Indicators to cluster on (standardised). Default: every indicator that
        is complete and non-constant (the default of the fairness report).
    log : list of str, default ()
        Indicators to log-transform first.
    geography : float in [0, 1], default 0
        ClustGeo mixing weight of geography (see :mod:`.mixing`).
    connectivity : bool, default True
        ``False`` gives plain Ward (clusters may be split), as in ClustGeo.
    random_state : None
        Unused (Ward is deterministic); kept for a uniform interface.

    Attributes
    ----------
    labels_ : ndarray of int
    plan_ : Plan
        Usable as ``warm_start=`` of :func:`optimizer.optimize`.
    objective_ : float
        Share of the mixed inertia left within clusters (lower is better).

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.metrics import fairness_report
    >>> vn = vietnam_provinces(2025)
    >>> ward = SpatialWard(4, indicators=["grdp_per_capita", "urban_pct"]).fit(vn)
    >>> ward.plan_.n_clusters, fairness_report(ward.plan_).contiguous
    (4, True)
    """

    _parameter_checks: ClassVar[dict] = {**COMMON_CONSTRAINTS, "connectivity": [BOOLEAN]}

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        indicators=None,
        log=(),
        geography: float = 0.0,
        connectivity: bool = True,
        random_state=None,
    ) -> None:
        self.n_clusters = n_clusters
        self.indicators = indicators
        self.log = log
        self.geography = geography
        self.connectivity = connectivity
        self.random_state = random_state

    def fit(self, X, y=None, *, adjacency=None):
        """Cluster ``X`` (a UnitSet, or an ``(n, p)`` array with optional ``adjacency``)."""
        problem = self._prepare(X, adjacency)
        n = len(problem.unit_set)
        if self.n_clusters > n:
            raise ParameterError(f"n_clusters={self.n_clusters} exceeds the {n} units; "
                                 f"expected at most {n}")
        labels = ward_labels(
            problem.features,
            problem.unit_set.graph,
            problem.unit_set.ids,
            n_clusters=self.n_clusters,
            connectivity=self.connectivity,
        )
        self._finish(problem, np.asarray(labels))
        return self
