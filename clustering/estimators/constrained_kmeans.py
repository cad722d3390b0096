r"""Size-constrained k-means: bounds on member counts or on weights such as population.

The assignment step is a transportation problem. With centres
:math:`\mu_c` and costs :math:`c_{ic} = \lVert x_i - \mu_c \rVert^2`:

.. math::

    \min \sum_{i,c} c_{ic} x_{ic}
    \quad\text{s.t.}\quad
    \sum_c x_{ic} = 1 \;\forall i,\qquad
    a \le \sum_i x_{ic} \le b,\qquad
    L \le \sum_i w_i x_{ic} \le U \;\forall c,\qquad 0 \le x \le 1.

With count bounds only, the constraint matrix is totally unimodular (a
transportation problem), so the LP (HiGHS simplex) has an integral optimum:
the assignment is *optimal* for the given centres. With weight bounds a unit
cannot be split, and the problem is a MIP (a generalised assignment problem).
We solve the LP, which leaves at most about ``k`` units split, put each split
unit where most of it went, and repair any bound the rounding broke by the
cheapest moves; if that fails we solve the MIP with HiGHS (``scipy.optimize.milp``,
with a time limit). A result that still breaks a bound is never returned
silently: the fit raises :class:`~clustering.errors.InfeasibleError`, saying
whether infeasibility was proven (LP or MIP infeasible) or only not resolved
within the time limit.

To keep the LP small on large instances each unit may only join one of its
``n_candidates`` nearest centres; when that restricted problem is infeasible
the full one is solved.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from sklearn.utils import check_random_state

from ..compiled_rules import weight_slack
from ..errors import InfeasibleError
from ._validation import Interval
from .base import BOUND_CONSTRAINTS, COMMON_CONSTRAINTS, ClusteringEstimator

__all__ = ["SizeConstrainedKMeans", "constrained_kmeans", "transport_assignment"]

# Integrality of LP values, and the least violation drop the repair counts as progress.
# (Weight bounds get the slack every method uses: compiled_rules.weight_slack.)
_TOL = 1e-7


def transport_assignment(
    cost: np.ndarray,
    *,
    size: tuple[int, int] | None = None,
    weights: np.ndarray | None = None,
    weight_bounds: tuple[float, float] | None = None,
    n_candidates: int | None = None,
    time_limit: float = 30.0,
) -> tuple[np.ndarray, str]:
    """Assign ``n`` units to ``k`` clusters at least total cost within size bounds.

    Parameters
    ----------
    cost : (n, k) array
        ``cost[i, c]``: cost of putting unit ``i`` in cluster ``c``.
    size : (min, max), optional
        Bounds on each cluster's member count.
    weights, weight_bounds : optional
        Unit weights and bounds ``(L, U)`` on each cluster's total weight.
    n_candidates : int, optional
        Let each unit join only its ``n_candidates`` cheapest clusters (falls
        back to all clusters when that is infeasible).
    time_limit : float
        Seconds for the MIP fallback (weight bounds only).

    Returns
    -------
    labels : (n,) int array
    status : str
        ``"optimal"`` (LP integral, or MIP proven), ``"repaired"`` (LP rounded
        and repaired: feasible, not proven optimal) or ``"mip-feasible"``
        (MIP stopped at its time limit with a feasible assignment).

    Raises
    ------
    InfeasibleError
        No assignment within the bounds exists (proven), or none was found
        within ``time_limit`` (the message says which).

    Examples
    --------
    >>> cost = np.array([[0.0, 5.0], [1.0, 4.0], [2.0, 3.0], [9.0, 0.0]])
    >>> transport_assignment(cost, size=(2, 2))
    (array([0, 0, 1, 1]), 'optimal')
    """
    cost = np.asarray(cost, dtype=float)
    n, k = cost.shape
    if n_candidates is not None and n_candidates < k:
        nearest = np.argsort(cost, axis=1, kind="stable")[:, :n_candidates]
        allowed = np.zeros((n, k), dtype=bool)
        np.put_along_axis(allowed, nearest, True, axis=1)
        try:
            return _assign(cost, allowed, size, weights, weight_bounds, time_limit)
        except InfeasibleError:
            pass  # the restriction may be what makes it infeasible: solve the full problem
    return _assign(cost, np.ones((n, k), bool), size, weights, weight_bounds, time_limit)


def _assign(cost, allowed, size, weights, weight_bounds, time_limit):
    n, k = cost.shape
    rows, cols = np.nonzero(allowed)  # one variable per allowed (unit, cluster) pair
    m = len(rows)
    c = cost[rows, cols]
    # sum_c x_ic = 1 for every unit
    a_unit = sp.csr_matrix((np.ones(m), (rows, np.arange(m))), shape=(n, m))
    blocks, lower, upper = [a_unit], [np.ones(n)], [np.ones(n)]
    if size is not None:  # a <= sum_i x_ic <= b
        blocks.append(sp.csr_matrix((np.ones(m), (cols, np.arange(m))), shape=(k, m)))
        lower.append(np.full(k, float(size[0])))
        upper.append(np.full(k, float(size[1])))
    if weight_bounds is not None:  # L <= sum_i w_i x_ic <= U, with the slack every check allows
        slack = weight_slack(weight_bounds)
        blocks.append(sp.csr_matrix((weights[rows], (cols, np.arange(m))), shape=(k, m)))
        lower.append(np.full(k, float(weight_bounds[0]) - slack))
        upper.append(np.full(k, float(weight_bounds[1]) + slack))
    a = sp.vstack(blocks).tocsr()
    lo, hi = np.concatenate(lower), np.concatenate(upper)

    # linprog wants A_ub x <= b_ub and A_eq x = b_eq
    eq = lo == hi
    a_ub = sp.vstack([a[~eq], -a[~eq]]).tocsr()
    b_ub = np.concatenate([hi[~eq], -lo[~eq]])
    lp = linprog(
        c, A_ub=a_ub, b_ub=b_ub, A_eq=a[eq], b_eq=lo[eq], bounds=(0, 1), method="highs-ds"
    )
    if lp.status == 2:
        raise InfeasibleError(
            "no assignment meets the size bounds, even with units split between clusters "
            "(the LP relaxation is infeasible)",
            reason="assignment",
        )
    if lp.status != 0:
        raise InfeasibleError(f"the assignment LP failed: {lp.message}", reason="assignment")
    x = np.zeros((n, k))
    x[rows, cols] = lp.x
    labels = np.argmax(x, axis=1)
    if np.all(x.max(axis=1) > 1 - _TOL):
        return labels, "optimal"
    labels = _repair(labels, cost, allowed, size, weights, weight_bounds)
    if labels is not None:
        return labels, "repaired"
    res = milp(
        c,
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
        options={"time_limit": float(time_limit)},
    )
    if res.x is not None and res.status in (0, 1):
        x = np.zeros((n, k))
        x[rows, cols] = res.x
        return np.argmax(x, axis=1), "optimal" if res.status == 0 else "mip-feasible"
    proven = res.status == 2
    raise InfeasibleError(
        "no assignment of whole units meets the weight bounds"
        + (" (the MIP is proven infeasible)" if proven
           else f" was found within the time limit of {time_limit:g} s (infeasibility "
                "not proven)"),
        reason="assignment",
    )


def _violation(totals_n, totals_w, size, weight_bounds, scale):
    """Members outside ``size`` plus weight outside ``weight_bounds`` (beyond the shared
    slack) over ``scale``, summed over clusters: zero exactly when all are within bounds."""
    v = 0.0
    if size is not None:
        v += np.maximum(size[0] - totals_n, 0).sum() + np.maximum(totals_n - size[1], 0).sum()
    if weight_bounds is not None:
        slack = weight_slack(weight_bounds)
        v += (
            np.maximum(weight_bounds[0] - slack - totals_w, 0).sum()
            + np.maximum(totals_w - weight_bounds[1] - slack, 0).sum()
        ) / scale
    return float(v)


def _repair(labels, cost, allowed, size, weights, weight_bounds, max_moves=None):
    """Greedy moves that cut the bound violation the most per unit of extra cost."""
    n, k = cost.shape
    w = np.ones(n) if weights is None else weights
    scale = float(w.mean()) or 1.0
    labels = labels.copy()
    totals_n = np.bincount(labels, minlength=k).astype(float)
    totals_w = np.bincount(labels, weights=w, minlength=k)
    current = _violation(totals_n, totals_w, size, weight_bounds, scale)
    for _ in range(max_moves or 4 * n):
        if not current:
            return labels
        best = None
        for i in range(n):
            a = labels[i]
            for b in np.flatnonzero(allowed[i]):
                if b == a:
                    continue
                totals_n[a] -= 1
                totals_n[b] += 1
                totals_w[a] -= w[i]
                totals_w[b] += w[i]
                v = _violation(totals_n, totals_w, size, weight_bounds, scale)
                totals_n[a] += 1
                totals_n[b] -= 1
                totals_w[a] += w[i]
                totals_w[b] -= w[i]
                gain = current - v
                if gain > _TOL:
                    key = (cost[i, b] - cost[i, a]) / gain
                    if best is None or key < best[0]:
                        best = (key, i, a, b, v)
        if best is None:
            return None
        _, i, a, b, current = best
        labels[i] = b
        totals_n[a] -= 1
        totals_n[b] += 1
        totals_w[a] -= w[i]
        totals_w[b] += w[i]
    return labels if not current else None


def _kmeans_plus_plus(features: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
    """Arthur & Vassilvitskii's seeding: each new centre drawn with prob. ~ squared distance."""
    n = len(features)
    centres = [features[rng.randint(n)]]
    d2 = ((features - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        i = rng.choice(n, p=d2 / total) if total > 0 else rng.randint(n)
        centres.append(features[i])
        d2 = np.minimum(d2, ((features - features[i]) ** 2).sum(axis=1))
    return np.array(centres)


def constrained_kmeans(
    features: np.ndarray,
    n_clusters: int,
    *,
    size: tuple[int, int] | None = None,
    weights: np.ndarray | None = None,
    weight_bounds: tuple[float, float] | None = None,
    n_init: int = 4,
    max_iter: int = 50,
    n_candidates: int | None = 20,
    time_limit: float = 30.0,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray, int, str]:
    """Lloyd's k-means with the bounded assignment of :func:`transport_assignment`.

    Returns ``(labels, centres, n_iter, status)`` of the restart with the
    lowest within-cluster sum of squares; ``status`` is that of its last
    assignment step.

    Examples
    --------
    >>> x = np.array([[0.0], [0.1], [0.2], [5.0]])
    >>> constrained_kmeans(x, 2, size=(2, 2), random_state=0)[0].tolist()
    [0, 0, 1, 1]
    """
    features = np.asarray(features, dtype=float)
    k = int(n_clusters)
    rng = check_random_state(random_state)
    best = None
    for _ in range(n_init):
        centres = _kmeans_plus_plus(features, k, rng)
        labels, status, n_iter = None, "", 0
        for n_iter in range(1, max_iter + 1):  # noqa: B007
            cost = ((features[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new, status = transport_assignment(
                cost,
                size=size,
                weights=weights,
                weight_bounds=weight_bounds,
                n_candidates=n_candidates,
                time_limit=time_limit,
            )
            if labels is not None and np.array_equal(new, labels):
                break
            labels = new
            centres = np.array(
                [features[labels == c].mean(axis=0) if (labels == c).any() else centres[c]
                 for c in range(k)]
            )
        sse = float(((features - centres[labels]) ** 2).sum())
        if best is None or sse < best[0] - 1e-12:
            best = (sse, labels, centres, n_iter, status)
    return best[1], best[2], best[3], best[4]


class SizeConstrainedKMeans(ClusteringEstimator):
    """k-means whose clusters respect size bounds by count and/or by weight.

    Lloyd's iterations in the mixed feature space of
    :mod:`clustering.estimators.base`: assign every unit by the transportation
    problem of the module docstring, move each centre to its cluster's mean,
    repeat until the assignment no longer changes. Contiguity is *not*
    imposed (pass the plan to :class:`~clustering.estimators.AZPLocalSearch`
    for that); ``geography > 0`` makes clusters compact.

    Parameters
    ----------
    n_clusters : int, default 8
        Number of clusters.
    size : (int, int), optional
        Bounds on member counts.
    weight_bounds : (float, float), optional
        Bounds on cluster weights; weights from ``Unit.weight``, the indicator
        ``weight``, or ``sample_weight`` for array input.
    weight : str, optional
        Indicator used as weight.
    indicators, log, geography
        The feature space (see :class:`~clustering.estimators.SpatialWard`).
    n_init : int, default 4
        Seeded restarts (k-means++); the lowest objective wins.
    max_iter : int, default 50
        Lloyd iterations per restart at most (it stops earlier when the
        assignment no longer changes).
    n_candidates : int, default 20
        Each unit may only join its ``n_candidates`` nearest centres in the
        LP (full problem as fallback).
    time_limit : float, default 30
        Seconds per MIP fallback (weight bounds only).
    random_state : int, RandomState or None
        Seed of the k-means++ starts.

    Attributes
    ----------
    labels_, plan_, objective_, rules_, violations_ (always empty: bounds are met or fit raises)
    cluster_centers_ : (k, n_features) array
    n_iter_ : int
        Lloyd iterations run by the restart that gave the returned plan.
    assignment_status_ : str
        Status of the final assignment step: ``"optimal"``, ``"repaired"`` or
        ``"mip-feasible"`` (see :func:`transport_assignment`).

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> km = SizeConstrainedKMeans(5, size=(6, 7), indicators=["grdp_per_capita"],
    ...                            random_state=0).fit(vn)
    >>> sorted(km.plan_.sizes().values())
    [6, 7, 7, 7, 7]
    """

    _parameter_checks: ClassVar[dict] = {
        **COMMON_CONSTRAINTS,
        **{k: v for k, v in BOUND_CONSTRAINTS.items() if k != "contiguous"},
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_candidates": [Interval(Integral, 1, None, closed="left"), None],
        "time_limit": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        size=None,
        weight_bounds=None,
        weight=None,
        indicators=None,
        log=(),
        geography: float = 0.0,
        n_init: int = 4,
        max_iter: int = 50,
        n_candidates: int | None = 20,
        time_limit: float = 30.0,
        random_state=None,
    ) -> None:
        self.n_clusters = n_clusters
        self.size = size
        self.weight_bounds = weight_bounds
        self.weight = weight
        self.indicators = indicators
        self.log = log
        self.geography = geography
        self.n_init = n_init
        self.max_iter = max_iter
        self.n_candidates = n_candidates
        self.time_limit = time_limit
        self.random_state = random_state

    def fit(self, X, y=None, *, sample_weight=None):
        """Cluster ``X`` (a UnitSet, or an ``(n, p)`` array with optional ``sample_weight``)."""
        problem = self._prepare(X, sample_weight=sample_weight)
        rules = self._rules(problem)
        weights = (
            problem.unit_set.weights(rules.weight) if rules.weight_bounds is not None else None
        )
        labels, centres, self.n_iter_, self.assignment_status_ = constrained_kmeans(
            problem.features,
            self.n_clusters,
            size=rules.size,
            weights=weights,
            weight_bounds=rules.weight_bounds,
            n_init=self.n_init,
            max_iter=self.max_iter,
            n_candidates=self.n_candidates,
            time_limit=self.time_limit,
            random_state=self.random_state,
        )
        self._finish(problem, labels)
        # cluster_centers_ follow the canonical label order of labels_
        order = list(dict.fromkeys(labels.tolist()))
        self.cluster_centers_ = centres[order]
        return self
