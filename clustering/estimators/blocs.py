"""Blocs by function (khối thi đua): units of one function together, then balanced sizes."""

from __future__ import annotations

from numbers import Integral
from typing import ClassVar

import numpy as np

from ._validation import InstanceOf, Interval, PairOf
from .base import COMMON_CONSTRAINTS, ClusteringEstimator, allocate_clusters
from .constrained_kmeans import constrained_kmeans

__all__ = ["FunctionBlocs"]


class FunctionBlocs(ClusteringEstimator):
    """Group units into blocs that are pure in a function label, with balanced sizes.

    First every unit goes with units of the same ``attribute`` value (e.g.
    ``function``: economy, culture-society, internal affairs...): the clusters
    are shared among the values by :func:`~clustering.estimators.base.allocate_clusters`
    (at least as many as the size maximum requires, the rest by the D'Hondt
    rule, so blocs of the largest functions are split first). Then each
    value's units are split into its clusters by size-constrained k-means
    (:func:`~clustering.estimators.constrained_kmeans.constrained_kmeans`) with
    sizes ``floor(m / k_f)`` to ``ceil(m / k_f)``, i.e. as equal as possible,
    grouping similar units together. Feasibility (every cluster pure, sizes
    within ``size``) is checked first by :func:`clustering.rules.check_feasible`
    with ``pure=attribute``.

    Parameters
    ----------
    n_clusters : int, default 8
        Number of blocs.
    size : (int, int), optional
        Bounds on member counts.
    attribute : str, default "function"
        The category each bloc must be pure in.
    indicators, log, geography
        Feature space used to split a function into several blocs.
    n_init : int, default 4
        Seeded k-means restarts when a value's units are split into several blocs.
    random_state : int, RandomState or None
        Seed of those restarts.

    Attributes
    ----------
    labels_, plan_, objective_, rules_, violations_
    clusters_per_value_ : dict of str to int

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> units = [{"id": str(i), "name": f"U{i}", "function": "econ" if i < 6 else "soc",
    ...           "indicators": {"x": float(i)}} for i in range(9)]
    >>> blocs = FunctionBlocs(3, random_state=0).fit(UnitSet(units))
    >>> sorted(blocs.plan_.sizes().values()), blocs.clusters_per_value_
    ([3, 3, 3], {'econ': 2, 'soc': 1})
    """

    _parameter_checks: ClassVar[dict] = {
        **COMMON_CONSTRAINTS,
        "size": [PairOf(Integral), None],
        "attribute": [InstanceOf((str,), "the name of a unit attribute")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        size=None,
        attribute: str = "function",
        indicators=None,
        log=(),
        geography: float = 0.0,
        n_init: int = 4,
        random_state=None,
    ) -> None:
        self.n_clusters = n_clusters
        self.size = size
        self.attribute = attribute
        self.indicators = indicators
        self.log = log
        self.geography = geography
        self.n_init = n_init
        self.random_state = random_state

    def _extra_rules(self) -> dict:
        return {"pure": self.attribute}

    def fit(self, X, y=None):
        """Group the units of ``X`` (a UnitSet whose units carry ``attribute``)."""
        problem = self._prepare(X)
        # check_feasible diagnoses missing labels and impossible purity first.
        rules = self._rules(problem).compile(problem.unit_set)
        values = rules.categories
        groups = list(dict.fromkeys(values))
        members = {g: np.flatnonzero(np.array(values, dtype=object) == g) for g in groups}
        sizes = [len(members[g]) for g in groups]
        ranges = [rules.cluster_count_range(m) for m in sizes]  # by the count bounds
        shares = allocate_clusters(
            sizes,
            [max(1, fewest) for fewest, _ in ranges],
            [min(m, most) for m, (_, most) in zip(sizes, ranges)],
            rules.n_clusters,
        )
        labels = np.empty(len(problem.unit_set), dtype=int)
        offset = 0
        for g, k_g in zip(groups, shares):
            rows = members[g]
            m = len(rows)
            if k_g == 1:
                local = np.zeros(m, dtype=int)
            else:
                local, *_ = constrained_kmeans(
                    problem.features[rows], k_g, size=(m // k_g, -(-m // k_g)),
                    n_init=self.n_init, random_state=self.random_state,
                )
            labels[rows] = offset + local
            offset += k_g
        self.clusters_per_value_ = dict(zip(map(str, groups), shares))
        self._finish(problem, labels)
        return self
