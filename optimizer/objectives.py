r"""Cluster costs: what "homogeneous" and "balanced" mean to the optimizer.

The objective of a plan is the sum of its clusters' costs. Each named
objective has a cost for one cluster :math:`S`:

``"p-median"``
    :math:`\min_{j \in S} \sum_{i \in S} d_{ij}`: the members' total
    dissimilarity to the best centre member (Hess et al., 1965, with unit
    weights). This is the objective the assignment model minimises with its
    centre variables, so both methods agree on it.
``"wcss"``
    Within-cluster sum of squares of the standardised indicators,
    :math:`\sum_{i \in S} \lVert z_i - \bar z_S \rVert^2`. Not linear in an
    assignment, so only the enumeration method handles it.
``"balance"``
    Relative deviation of the cluster's size from the ideal,
    :math:`|s(S) - \bar s| / \bar s`, where :math:`s` is the member count, or
    the total weight when weight bounds are set, and :math:`\bar s` is the
    total divided by the number of clusters.
``"cut-edges"``
    Compactness as planners and the districting literature measure it: the
    number of borders between clusters. A cluster's share is half of its
    boundary, :math:`\tfrac12 |\{(i, j) \in E : i \in S, j \notin S\}|`, so
    that the plan's total is the number of cut borders.
``"cut-length"``
    The same, each border weighted by its length in km (the edge attribute
    ``shared_border_km`` of the built-in data; a unit set without it for
    some border is refused, never imputed).

A dict such as ``{"p-median": 1.0, "balance": 0.5}`` sums the weighted
costs; a callable ``f(ids) -> float`` is any per-cluster cost (enumeration
only). The defaults below pick the dissimilarity and the indicators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from clustering.dissimilarity import default_indicators, standardized_indicators
from clustering.dissimilarity import dissimilarity as _dissimilarity
from clustering.errors import FairclustersError
from clustering.units import UnitSet

from .candidates import Candidates

__all__ = [
    "CUT_OBJECTIVES",
    "DEFAULT_GEOGRAPHY",
    "LINEAR_OBJECTIVES",
    "OBJECTIVES",
    "Objective",
    "border_weights",
    "candidate_costs",
    "cost_scale",
    "cut_costs",
    "default_dissimilarity",
    "default_indicators",
    "parse_objective",
    "validate_dissimilarity",
]

OBJECTIVES = ("p-median", "wcss", "balance", "cut-edges", "cut-length")
#: Objectives that are linear in an assignment (usable by the assignment model).
LINEAR_OBJECTIVES = ("p-median", "balance", "cut-edges", "cut-length")
#: Objectives that price the borders between clusters, and the edge attribute they weigh by.
CUT_OBJECTIVES = {"cut-edges": None, "cut-length": "shared_border_km"}
#: Weight of geography in the default dissimilarity (ClustGeo's alpha).
DEFAULT_GEOGRAPHY = 0.5

_CHUNK = 20_000  # candidates per block in the vectorised costs (bounds memory)


@dataclass(frozen=True)
class Objective:
    """A parsed objective: named terms with weights, or one callable."""

    terms: dict[str, float]
    custom: Callable[[tuple[str, ...]], float] | None = None

    @property
    def linear(self) -> bool:
        return self.custom is None and all(t in LINEAR_OBJECTIVES for t in self.terms)

    def __str__(self) -> str:
        if self.custom is not None:
            return getattr(self.custom, "__name__", "custom cost")
        if len(self.terms) == 1 and next(iter(self.terms.values())) == 1.0:
            return next(iter(self.terms))
        return " + ".join(f"{w:g}*{t}" for t, w in self.terms.items())


def cost_scale(values: np.ndarray | None) -> float:
    """A power of ten to divide costs by so that solvers see magnitudes near 1.

    Solvers work to absolute tolerances of about 1e-9 and take coefficients
    above about 1e10 as infinite: a dissimilarity of raw GRDP in đồng (1e15)
    made CBC call a model infeasible and HiGHS fail. Costs whose largest
    magnitude is within ``[1e-4, 1e6]`` are left alone (scale 1).

    Examples
    --------
    >>> cost_scale(np.array([0.0, 2.5e15])), cost_scale(np.array([3.0, 40.0]))
    (1000000000000000.0, 1.0)
    """
    if values is None:
        return 1.0
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    largest = float(finite.max()) if finite.size else 0.0
    if largest == 0.0 or 1e-4 <= largest <= 1e6:
        return 1.0
    return float(10.0 ** np.round(np.log10(largest)))


def parse_objective(
    objective: str | Mapping[str, float] | Callable[[tuple[str, ...]], float],
) -> Objective:
    """Check an objective given as a name, a weighted dict or a callable.

    Examples
    --------
    >>> str(parse_objective({"p-median": 1, "balance": 0.5}))
    '1*p-median + 0.5*balance'
    """
    if callable(objective):
        return Objective(terms={}, custom=objective)
    if isinstance(objective, str):
        objective = {objective: 1.0}
    if not isinstance(objective, Mapping) or not objective:
        raise FairclustersError(
            f"objective={objective!r}; expected one of {OBJECTIVES}, a dict of them to "
            "weights, or a callable cost(ids) -> float"
        )
    terms = {}
    for name, weight in objective.items():
        if name not in OBJECTIVES:
            raise FairclustersError(f"unknown objective {name!r}; expected one of {OBJECTIVES}")
        if not (isinstance(weight, (int, float)) and np.isfinite(weight) and weight >= 0):
            raise FairclustersError(
                f"objective weight {name!r}: {weight!r}; expected a finite number >= 0"
            )
        terms[name] = float(weight)
    if not any(terms.values()):
        raise FairclustersError(f"objective {objective!r}: every weight is 0")
    return Objective(terms={k: w for k, w in terms.items() if w > 0})


def default_dissimilarity(unit_set: UnitSet) -> np.ndarray:
    """The default dissimilarity: economy and geography, equally weighted.

    ``clustering.dissimilarity.dissimilarity`` over :func:`default_indicators`
    (skewed sizes logged) with ``geography=0.5``. Half geography keeps clusters
    compact on the map, as planners expect of emulation clusters, while the
    other half groups units of similar development; each half is scaled to
    ``[0, 1]`` so neither dominates by its units of measure. Without
    coordinates the indicators alone are used.
    """
    used, logged = default_indicators(unit_set)
    has_coordinates = all(u.lat is not None and u.lon is not None for u in unit_set)
    geography = DEFAULT_GEOGRAPHY if has_coordinates else 0.0
    return np.asarray(_dissimilarity(unit_set, used, log=logged, geography=geography))


def validate_dissimilarity(matrix: object, n: int) -> np.ndarray:
    """An ``n x n`` finite, non-negative float matrix, or a clear error."""
    try:
        d = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise FairclustersError(f"dissimilarity is not a numeric matrix: {exc}") from None
    if d.shape != (n, n):
        raise FairclustersError(
            f"dissimilarity has shape {d.shape}; expected ({n}, {n}) in the unit set's order"
        )
    if not np.isfinite(d).all():
        i, j = np.argwhere(~np.isfinite(d))[0]
        raise FairclustersError(
            f"dissimilarity[{i}, {j}] is {d[i, j]!r}; expected finite numbers (no NaN or inf)"
        )
    if (d < 0).any():
        i, j = np.argwhere(d < 0)[0]
        raise FairclustersError(f"dissimilarity[{i}, {j}] = {d[i, j]!r} is negative")
    return d


def _membership(cands: Candidates, start: int, stop: int) -> sp.csr_matrix:
    lo, hi = cands.indptr[start], cands.indptr[stop]
    return sp.csr_matrix(
        (np.ones(hi - lo), cands.indices[lo:hi], cands.indptr[start: stop + 1] - lo),
        shape=(stop - start, cands.n_units),
    )


def pmedian_costs(cands: Candidates, d: np.ndarray) -> np.ndarray:
    """``min_{j in S} sum_{i in S} d[i, j]`` for every candidate ``S``."""
    out = np.empty(len(cands))
    for start in range(0, len(cands), _CHUNK):
        stop = min(start + _CHUNK, len(cands))
        totals = _membership(cands, start, stop) @ d  # totals[c, j] = sum_{i in S_c} d_ij
        lo, hi = cands.indptr[start], cands.indptr[stop]
        rows = np.repeat(np.arange(stop - start), np.diff(cands.indptr[start: stop + 1]))
        at_members = totals[rows, cands.indices[lo:hi]]
        out[start:stop] = np.minimum.reduceat(at_members, cands.indptr[start:stop] - lo)
    return out


def wcss_costs(cands: Candidates, z: np.ndarray) -> np.ndarray:
    """``sum_{i in S} |z_i - mean_S z|^2`` for every candidate ``S``."""
    squares = (z**2).sum(axis=1)
    out = np.empty(len(cands))
    sizes = cands.sizes
    for start in range(0, len(cands), _CHUNK):
        stop = min(start + _CHUNK, len(cands))
        m = _membership(cands, start, stop)
        sums = m @ z
        out[start:stop] = m @ squares - (sums**2).sum(axis=1) / sizes[start:stop]
    return np.maximum(out, 0.0)  # rounding can give -1e-16


def border_weights(unit_set: UnitSet, term: str) -> np.ndarray:
    """Weight of each border of ``unit_set`` (in ``edge_index_pairs`` order) for a cut term.

    ``"cut-edges"`` counts every border once; ``"cut-length"`` weighs it by
    its ``shared_border_km``, which must be known, finite and non-negative.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> int(border_weights(vn, "cut-edges").sum()) == len(vn.edge_index_pairs())
    True
    >>> float(border_weights(vn, "cut-length").min()) > 0
    True
    """
    attribute = CUT_OBJECTIVES[term]
    pairs = unit_set.edge_index_pairs()
    if attribute is None:
        return np.ones(len(pairs))
    ids, graph = unit_set.ids, unit_set.graph
    weights = np.empty(len(pairs))
    for e, (a, b) in enumerate(pairs.tolist()):
        value = graph.edges[ids[a], ids[b]].get(attribute)
        try:
            weights[e] = float(value)
        except (TypeError, ValueError):
            weights[e] = np.nan
        if not (np.isfinite(weights[e]) and weights[e] >= 0):
            raise FairclustersError(
                f"objective {term!r} needs the {attribute!r} of every border; the border "
                f"{ids[a]} - {ids[b]} has {value!r}; expected a length >= 0 (use "
                "'cut-edges' to count borders instead)"
            )
    return weights


def cut_costs(cands: Candidates, edges: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Half the weight of the borders leaving each candidate: the plan's total is its cut.

    Examples
    --------
    >>> from optimizer.candidates import enumerate_candidates
    >>> path = np.array([[0, 1], [1, 2]])
    >>> _, cands = enumerate_candidates(3, path.tolist(), (1, 3))
    >>> [cands.members(c).tolist() for c in range(len(cands))]
    [[0], [0, 1], [0, 1, 2], [1], [1, 2], [2]]
    >>> cut_costs(cands, path, np.ones(2)).tolist()
    [0.5, 0.5, 0.0, 1.0, 0.5, 0.5]
    """
    n = cands.n_units
    adjacency = sp.csr_matrix((np.r_[weights, weights], (np.r_[edges[:, 0], edges[:, 1]],
                                                         np.r_[edges[:, 1], edges[:, 0]])),
                              shape=(n, n))
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    out = np.empty(len(cands))
    for start in range(0, len(cands), _CHUNK):
        stop = min(start + _CHUNK, len(cands))
        m = _membership(cands, start, stop)
        # boundary = weight at members - weight of borders inside (each counted from both ends)
        inside = np.asarray((m @ adjacency).multiply(m).sum(axis=1)).ravel()
        out[start:stop] = 0.5 * (m @ degree - inside)
    return out


def balance_costs(cands: Candidates, sizes: np.ndarray, ideal: float) -> np.ndarray:
    """``|size(S) - ideal| / ideal`` where ``sizes`` are per-unit (1 or weights)."""
    totals = np.add.reduceat(sizes[cands.indices], cands.indptr[:-1]) if len(cands) else []
    return np.abs(np.asarray(totals, dtype=float) - ideal) / ideal


def candidate_costs(
    objective: Objective,
    cands: Candidates,
    *,
    ids: Sequence[str],
    dissimilarity: np.ndarray | None,
    standardized: np.ndarray | None,
    balance_sizes: np.ndarray,
    ideal: float,
    unit_set: UnitSet | None = None,
) -> np.ndarray:
    """Cost of every candidate cluster under ``objective``.

    ``unit_set`` gives the borders for the cut terms.
    """
    if objective.custom is not None:
        costs = np.fromiter(
            (
                objective.custom(tuple(ids[i] for i in cands.members(c)))
                for c in range(len(cands))
            ),
            dtype=float,
            count=len(cands),
        )
        if not np.isfinite(costs).all():
            bad = int(np.flatnonzero(~np.isfinite(costs))[0])
            members = [ids[i] for i in cands.members(bad)]
            raise FairclustersError(
                f"the custom cost returned {costs[bad]!r} for cluster {members}; "
                "expected a finite number"
            )
        return costs
    total = np.zeros(len(cands))
    for name, weight in objective.terms.items():
        if name == "p-median":
            total += weight * pmedian_costs(cands, dissimilarity)
        elif name == "wcss":
            total += weight * wcss_costs(cands, standardized)
        elif name in CUT_OBJECTIVES:
            edges = unit_set.edge_index_pairs()  # type: ignore[union-attr]
            total += weight * cut_costs(cands, edges, border_weights(unit_set, name))
        else:
            total += weight * balance_costs(cands, balance_sizes, ideal)
    return total


def standardized_default(unit_set: UnitSet) -> np.ndarray:
    """Standardised default indicators (logged where skewed), for ``"wcss"``."""
    used, logged = default_indicators(unit_set)
    return standardized_indicators(unit_set, used, log=logged)
