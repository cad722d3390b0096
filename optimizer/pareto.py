"""Pareto front of size balance against homogeneity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clustering.errors import FairclustersError
from clustering.metrics import mean_within
from clustering.plan import Plan
from clustering.units import UnitSet

from .api import optimize
from .objectives import default_dissimilarity, validate_dissimilarity

__all__ = ["ParetoPoint", "pareto_front"]


@dataclass
class ParetoPoint:
    """One optimisation of the sweep.

    ``balance`` is the largest relative deviation of a cluster's size (weight
    when weighted) from the ideal; ``homogeneity`` the mean within-cluster
    dissimilarity (lower is more homogeneous). Both are ``None`` without a plan.
    """

    n_clusters: int
    tolerance: float | None
    status: str
    balance: float | None
    homogeneity: float | None
    objective: float | None
    plan: Plan | None
    non_dominated: bool = False


def _balance(plan: Plan, weights: np.ndarray) -> float:
    totals = np.array([weights[plan.labels == c].sum() for c in range(plan.n_clusters)])
    ideal = weights.sum() / plan.n_clusters
    return float(np.abs(totals - ideal).max() / ideal)


def pareto_front(
    units: UnitSet,
    n_clusters: int | Sequence[int],
    *,
    tolerances: Sequence[float] | None = None,
    weight: str | None = None,
    dissimilarity: np.ndarray | None = None,
    **options: object,
) -> list[ParetoPoint]:
    """Sweep the weight tolerance (or the number of clusters) and mark the front.

    Parameters
    ----------
    units : UnitSet
        The units to partition.
    n_clusters : int or list of int
        One value with several ``tolerances``, or several values (each solved
        once per tolerance, or without weight bounds when ``tolerances`` is None).
    tolerances : list of float, optional
        Weight tolerances ``x``: cluster weights within the ideal ``* (1 ± x)``.
    weight : str, optional
        Indicator to weigh by (default: each unit's weight).
    dissimilarity : array, optional
        Used for the objective and the homogeneity measure (default as in
        :func:`optimize`).
    **options
        Passed to :func:`optimize` (``size``, ``contiguous``, ``solver``...).

    Returns
    -------
    list of ParetoPoint
        In sweep order; ``non_dominated`` marks the points no other point beats
        on both balance and homogeneity. Points without a plan are never marked.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> points = pareto_front(planar_unit_set(9, seed=8), 2, tolerances=[0.05, 0.3],
    ...                       solver="highs")
    >>> [p.status for p in points], any(p.non_dominated for p in points)
    (['optimal', 'optimal'], True)
    """
    ks = [n_clusters] if isinstance(n_clusters, (int, np.integer)) else list(n_clusters)
    if not ks:
        raise FairclustersError("n_clusters is an empty list; give at least one value")
    sweep = list(tolerances) if tolerances is not None else [None]
    if not sweep:
        raise FairclustersError("tolerances is an empty list; give at least one value")
    d = (validate_dissimilarity(dissimilarity, len(units)) if dissimilarity is not None
         else default_dissimilarity(units))
    weights = units.weights(weight) if tolerances is not None or weight else np.ones(len(units))
    points = []
    for k in ks:
        for tolerance in sweep:
            result = optimize(
                units, int(k), weight_tolerance=tolerance, weight=weight, dissimilarity=d,
                **options,
            )
            plan = result.plan
            points.append(
                ParetoPoint(
                    n_clusters=int(k),
                    tolerance=tolerance,
                    status=result.status,
                    balance=_balance(plan, weights) if plan is not None else None,
                    homogeneity=mean_within(d, plan.labels) if plan is not None else None,
                    objective=result.objective,
                    plan=plan,
                )
            )
    scored = [p for p in points if p.plan is not None and p.homogeneity is not None]
    for p in scored:
        p.non_dominated = not any(
            q.balance <= p.balance and q.homogeneity <= p.homogeneity
            and (q.balance < p.balance or q.homogeneity < p.homogeneity)
            for q in scored
        )
    return points
