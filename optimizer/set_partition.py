r"""Enumerate and select: the set-partitioning program over candidate clusters.

Garfinkel and Nemhauser (1970). With :math:`\mathcal C` the candidate
clusters (every constraint on a single cluster already holds for each of
them, see :mod:`optimizer.candidates`) and :math:`c_S` the cost of candidate
:math:`S`:

.. math::

    \min \sum_{S \in \mathcal C} c_S\, x_S \quad \text{s.t.} \quad
    \sum_{S \ni i} x_S = 1 \;\; \forall i \in V, \qquad
    \sum_{S \in \mathcal C} x_S = k, \qquad x_S \in \{0, 1\}.

Clusters are unlabelled here, so the model has no label symmetry. The
matrix is assembled column by column straight from the candidates' member
arrays: one nonzero per member plus one in the cardinality row.

Large pools (hundreds of thousands of candidates) are first reduced by
*reduced-cost fixing*, which is exact. The LP relaxation is solved by column
generation over the pool (pricing all candidates at once with one sparse
product); with LP duals :math:`(\pi, \mu)`, every plan's cost is
:math:`z_{LP} + \sum_S \bar c_S x_S` with reduced costs
:math:`\bar c_S = c_S - \sum_{i \in S} \pi_i - \mu \ge 0`. So a
candidate with :math:`\bar c_S > U - z_{LP}` cannot be in any plan costing at
most :math:`U`, the cost of a known plan, and is dropped before the MIP.
Costlier necessary conditions on a column (a ``column_filter``, such as
whether the units outside it can still form the other clusters) are checked
only on the columns that survive this fixing: the LP over the larger pool is
still a relaxation, so its bound and reduced costs stay valid.

Bounds across clusters, on the moves from a current plan (``max_moves``) or
on the borders cut (``max_cut_edges``), are not modelled here:
:func:`optimizer.optimize` routes them to the assignment model
(:mod:`optimizer.assignment`, slot variables and cut indicators).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from .candidates import Candidates
from .relaxation import LinearRelaxation
from .solvers import MILP, Solution, solve

__all__ = [
    "build_set_partition",
    "lp_by_column_generation",
    "selected_labels",
    "solve_set_partition",
    "warm_start_vector",
]

#: Pools up to this size go straight to the MIP solver (no reduction needed).
DIRECT_POOL = 20_000
_PRICED_PER_ROUND = 2_000
_INCUMBENT_POOL = 3_000


def build_set_partition(cands: Candidates, costs: np.ndarray, n_clusters: int) -> MILP:
    """The set-partitioning MILP: one binary column per candidate.

    Rows ``0..n-1`` cover each unit exactly once; row ``n`` counts the clusters.

    Examples
    --------
    >>> from optimizer.candidates import enumerate_candidates
    >>> _, cands = enumerate_candidates(3, [(0, 1), (1, 2)], (1, 2))
    >>> build_set_partition(cands, np.ones(len(cands)), 2).shape
    (4, 5)
    """
    n, count = cands.n_units, len(cands)
    rows = np.concatenate([cands.indices, np.full(count, n)])
    cols = np.concatenate([cands.rows(), np.arange(count)])
    A = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, count))
    rhs = np.ones(n + 1)
    rhs[n] = n_clusters
    return MILP(
        c=np.asarray(costs, dtype=float),
        A=A,
        row_lower=rhs,
        row_upper=rhs.copy(),
        col_lower=np.zeros(count),
        col_upper=np.ones(count),
        integer=np.ones(count, dtype=bool),
        name="set_partition",
        presolve="light",
    )


def selected_labels(cands: Candidates, x: np.ndarray) -> np.ndarray:
    """Cluster label of every unit from a 0/1 solution (clusters numbered 0..k-1)."""
    labels = np.full(cands.n_units, -1)
    for k, c in enumerate(np.flatnonzero(np.asarray(x) > 0.5)):
        labels[cands.members(int(c))] = k
    return labels


def warm_start_vector(cands: Candidates, labels: np.ndarray) -> np.ndarray | None:
    """The 0/1 vector selecting a plan's clusters, or ``None`` if one is not a candidate."""
    wanted = {
        tuple(np.flatnonzero(labels == value).tolist()) for value in np.unique(labels)
    }
    sizes = {len(members) for members in wanted}
    x = np.zeros(len(cands))
    found = 0
    for c in np.flatnonzero(np.isin(cands.sizes, list(sizes))):
        if tuple(cands.members(int(c)).tolist()) in wanted:
            x[c] = 1.0
            found += 1
    return x if found == len(wanted) else None


def _column_matrix(cands: Candidates) -> sp.csc_matrix:
    """Rows: units then the cardinality row; one column per candidate."""
    return build_set_partition(cands, np.zeros(len(cands)), 1).A.tocsc()


def _cheapest_holding_each_unit(cands: Candidates, by_cost: np.ndarray, count: int
                                ) -> np.ndarray:
    """The ``count`` first candidates of ``by_cost`` (candidates, cheapest first) holding
    each unit, as one array with repeats.

    The member entries are laid out in cost order, then stably grouped by unit
    (a radix sort on small integers), so no sort by two keys is needed.
    """
    sizes = cands.sizes[by_cost]
    starts = cands.indptr[:-1][by_cost]
    entries = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
    key = cands.indices[entries].astype(np.int16 if cands.n_units < 2**15 else np.int32)
    by_unit = entries[np.argsort(key, kind="stable")]
    per_unit = np.bincount(cands.indices, minlength=cands.n_units)
    rank = np.arange(len(by_unit)) - np.repeat(np.cumsum(per_unit) - per_unit, per_unit)
    return cands.rows()[by_unit[rank < count]]


def lp_by_column_generation(
    cands: Candidates, costs: np.ndarray, n_clusters: int, *, deadline: float | None = None
) -> tuple[float, np.ndarray] | None:
    """LP relaxation value and every candidate's reduced cost, or ``None``.

    Starts from the cheapest candidates covering each unit, adds the most
    negative reduced-cost columns until none is left (the LPs solved warm by
    :class:`~optimizer.relaxation.LinearRelaxation`). ``None`` when the restricted LP stays
    infeasible, or at ``deadline`` (a ``time.perf_counter()`` value): the
    caller then solves the full model, which decides.

    Examples
    --------
    Two clusters of a path of 3 units: the plan {0, 1} + {2} costs 2, as does
    the LP optimum; every plan costs the LP value plus its columns' reduced
    costs, so the plan {0} + {1, 2} (cost 4) gets reduced costs summing to 2.

    >>> from optimizer.candidates import enumerate_candidates
    >>> _, cands = enumerate_candidates(3, [(0, 1), (1, 2)], (1, 2))
    >>> [cands.members(c).tolist() for c in range(len(cands))]
    [[0], [0, 1], [1], [1, 2], [2]]
    >>> value, reduced = lp_by_column_generation(cands, np.array([1., 1, 1, 3, 1]), 2)
    >>> round(value, 9), round(float(reduced[0] + reduced[3]), 9)
    (2.0, 2.0)
    """
    A = _column_matrix(cands)
    m = A.shape[0]
    rhs = np.ones(m)
    rhs[-1] = n_clusters
    # Artificial columns (cost `big`, one per row and one for a cardinality row short
    # of k) keep every restricted LP feasible; they must all be zero at the end, else
    # the pool's LP is treated as unsolved. x_S <= 1 is left out: the cover rows imply
    # it, and without bound duals every reduced cost is >= 0 at the LP optimum, as the
    # fixing argument needs.
    artificial = sp.hstack([sp.identity(m, format="csc"), -sp.identity(m, format="csc")[:, -1:]])
    big = 1.0 + 2.0 * n_clusters * float(np.abs(costs).max(initial=0.0))
    lp = LinearRelaxation(MILP(
        c=np.full(m + 1, big), A=artificial, row_lower=rhs, row_upper=rhs,
        col_lower=np.zeros(m + 1), col_upper=np.full(m + 1, np.inf),
        integer=np.zeros(m + 1, dtype=bool)))
    # Start: the cheapest candidates overall and, for each unit, those holding it.
    by_cost = np.argsort(costs, kind="stable")
    take = np.union1d(by_cost[:200], _cheapest_holding_each_unit(cands, by_cost, 20))
    active = np.zeros(len(cands), dtype=bool)
    for _ in range(500):
        active[take] = True
        lp.add_columns(A[:, take], costs[take], 0.0, np.inf)
        left = None if deadline is None else deadline - time.perf_counter()
        point = None if left is not None and left <= 0 else lp.solve(left)
        if point is None:  # past the deadline, or not solved
            return None
        reduced = costs - A.T @ point.duals
        negative = np.flatnonzero((reduced < -1e-9) & ~active)
        if len(negative) == 0:
            if point.x[: m + 1].max() > 1e-9:
                return None
            return point.value, np.maximum(reduced, 0.0)
        take = negative[np.argsort(reduced[negative], kind="stable")[:_PRICED_PER_ROUND]]
    return None


def solve_set_partition(
    cands: Candidates,
    costs: np.ndarray,
    n_clusters: int,
    *,
    solver: str,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    warm_start: np.ndarray | None = None,
    seed: int = 0,
    verbose: bool = False,
    column_filter: Callable[[Candidates], np.ndarray] | None = None,
    fallback: Callable[[], np.ndarray | None] | None = None,
) -> tuple[Solution, np.ndarray | None, dict]:
    """Solve the set-partitioning program, reducing large pools exactly first.

    ``column_filter(cands)`` is a necessary condition on each column (a
    boolean array: ``False`` only for columns in no plan), checked after the
    reduced-cost fixing on the columns it kept. When it keeps none, no solver
    runs: the status is ``"infeasible"`` with solver ``"enumeration"``.
    ``fallback()`` is asked for a plan (a 0/1 vector over ``cands``, or
    ``None``) when a large pool's cheapest reduced-cost columns hold none: a
    plan's cost is what the fixing needs.

    Returns the solver's :class:`Solution` (its ``x`` over the kept columns),
    the unit labels of the plan found (or ``None``) and details
    (``"pool"``, ``"kept"``, ``"filtered"``, ``"lp_bound"``, ``"reduction_time"``,
    ``"filter_time"``).
    """
    started = time.perf_counter()
    details: dict = {"pool": len(cands), "kept": len(cands), "lp_bound": None}
    keep = np.arange(len(cands))
    incumbent = warm_start
    if len(cands) > DIRECT_POOL:
        # The reduction is a saving: it may take a third of the time.
        lp = lp_by_column_generation(
            cands, costs, n_clusters,
            deadline=None if time_limit is None else started + time_limit / 3)
        if lp is not None:
            z_lp, reduced = lp
            details["lp_bound"] = z_lp
            upper = None if warm_start is None else float(costs @ warm_start)
            if upper is None:  # a plan from the candidates with the smallest reduced costs
                pool = np.argsort(reduced, kind="stable")[:_INCUMBENT_POOL]
                if column_filter is not None:
                    pool = pool[column_filter(cands.take(pool))]
                small = cands.take(pool)
                budget = None if time_limit is None else max(
                    0.1, 0.25 * (time_limit - (time.perf_counter() - started)))
                first = solve(
                    build_set_partition(small, costs[pool], n_clusters),
                    solver,
                    time_limit=budget,
                    seed=seed,
                )
                if first.x is not None:
                    incumbent = np.zeros(len(cands))
                    incumbent[pool[first.x > 0.5]] = 1.0
                elif fallback is not None:  # degenerate costs: the pool may hold no plan
                    incumbent = fallback()
                if incumbent is not None:
                    upper = float(costs @ incumbent)
            if upper is not None:
                slack = upper - z_lp + 1e-7 * max(1.0, abs(upper))
                keep = np.flatnonzero(reduced <= slack)
                details["kept"] = len(keep)
    details["reduction_time"] = time.perf_counter() - started
    if column_filter is not None:
        # The incumbent's columns belong to a plan, so the filter keeps them.
        keep = keep[column_filter(cands.take(keep) if len(keep) < len(cands) else cands)]
        details["filtered"] = len(keep)
        details["filter_time"] = time.perf_counter() - started - details["reduction_time"]
        if len(keep) == 0:
            return (Solution("infeasible", None, None, None, None, "enumeration",
                             "no candidate cluster passes the column filter",
                             time.perf_counter() - started), None, details)
    kept = cands.take(keep) if len(keep) < len(cands) else cands
    initial = incumbent[keep] if incumbent is not None else None
    spent = time.perf_counter() - started
    remaining = None if time_limit is None else max(0.1, time_limit - spent)
    solution = solve(
        build_set_partition(kept, costs[keep], n_clusters),
        solver,
        time_limit=remaining,
        mip_gap=mip_gap,
        initial=initial,
        seed=seed,
        verbose=verbose,
    )
    labels = selected_labels(kept, solution.x) if solution.x is not None else None
    return solution, labels, details
