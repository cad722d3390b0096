r"""What every estimator shares: parameters, inputs, the mixed feature space, the objective.

Feature space and objective
---------------------------
All estimators minimise the same criterion, Ward's within-cluster sum of
squares, in a feature space that mixes economy and geography in the spirit of
ClustGeo. With ``Z`` the standardised indicators (z-scores) and ``G`` the unit
centroids projected to kilometres (equirectangular about the mean latitude,
centred), and ``alpha = geography``:

.. math::

    X = \left[\sqrt{(1-\alpha)/T_Z}\; Z,\ \sqrt{\alpha/T_G}\; G\right],
    \qquad
    \mathrm{SSE}(X, c) = (1-\alpha)\,\frac{W_Z(c)}{T_Z} + \alpha\,\frac{W_G(c)}{T_G}

where ``T`` is the total and ``W(c)`` the within-cluster sum of squares of a
block. ``SSE`` is thus the share of the (mixed) inertia left inside clusters;
with ``alpha = 0`` it equals ``1 - R^2`` of
:func:`clustering.metrics.fairness_report` (mean over the indicators).

Inputs
------
``fit(X)`` takes a :class:`~clustering.units.UnitSet` (its graph is the
adjacency), or a plain ``(n, p)`` array of indicators with an optional
``adjacency=`` (sparse or dense ``n x n``, nonzero = border) and optional
``sample_weight=`` (sizes for weight bounds). Arrays are wrapped in a unit set
with ids ``"0" .. "n-1"`` and indicators ``x1 .. xp`` so that one code path
serves both. Arrays are checked by :func:`sklearn.utils.check_array` (2-D,
finite numbers) and parameters by :mod:`clustering.estimators._validation`;
either raises :class:`~clustering.errors.ParameterError` naming the input.
``fit`` never changes a parameter.
"""

from __future__ import annotations

import heapq
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, ClassVar

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin

from ..dissimilarity import EARTH_RADIUS_KM, standardized_indicators
from ..errors import FairclustersError, InfeasibleError, ParameterError, UnitSetError
from ..plan import Plan, canonical_labels
from ..rules import ClusterRules, check_feasible, plan_violations
from ..units import UnitSet
from ._validation import (
    BOOLEAN,
    RANDOM_STATE,
    Constraint,
    InstanceOf,
    Interval,
    PairOf,
    check_adjacency,
    check_indicator_array,
    check_params,
    check_sample_weight,
)

if TYPE_CHECKING:
    from ..compiled_rules import CompiledRules

__all__ = [
    "ClusteringEstimator",
    "Problem",
    "allocate_clusters",
    "capped_ward",
    "mixed_features",
    "wcss_lower_bound",
    "within_sum_of_squares",
]

_NAMES = InstanceOf((list, tuple), "a list of indicator names")

# Parameter constraints shared by the estimators (see ._validation).
COMMON_CONSTRAINTS: dict[str, list[Constraint | None]] = {
    "n_clusters": [Interval(Integral, 1, None, closed="left")],
    "indicators": [_NAMES, None],
    "log": [_NAMES],
    "geography": [Interval(Real, 0, 1, closed="both")],
    "random_state": [RANDOM_STATE, None],
}
BOUND_CONSTRAINTS: dict[str, list[Constraint | None]] = {
    "size": [PairOf(Integral), None],
    "weight_bounds": [PairOf(Real), None],
    "weight": [InstanceOf((str,), "an indicator name"), None],
    "contiguous": [BOOLEAN],
}


def projected_km(coordinates: np.ndarray) -> np.ndarray:
    """``(lat, lon)`` degrees to planar ``(x, y)`` km, equirectangular about the mean latitude.

    Accurate to a few per cent over a country the size of Vietnam, which is
    enough for a clustering feature (distances are not reported from it).
    """
    lat, lon = np.radians(coordinates[:, 0]), np.radians(coordinates[:, 1])
    x = EARTH_RADIUS_KM * np.cos(lat.mean()) * lon
    y = EARTH_RADIUS_KM * lat
    return np.column_stack([x, y])


def mixed_features(
    unit_set: UnitSet,
    indicators: Sequence[str],
    *,
    log: Sequence[str] = (),
    geography: float = 0.0,
) -> np.ndarray:
    """The mixed feature matrix ``X`` of the module docstring (rows in unit order).

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> X = mixed_features(planar_unit_set(30), ["x1", "x2"], geography=0.5)
    >>> X.shape, round(float(((X - X.mean(0)) ** 2).sum()), 6)
    ((30, 4), 1.0)
    """
    if not 0.0 <= geography <= 1.0:
        raise ValueError(f"geography={geography!r}; expected a mixing weight in [0, 1]")
    blocks = []
    if geography < 1.0:
        if not indicators:
            raise ValueError("geography < 1 needs at least one indicator")
        z = standardized_indicators(unit_set, indicators, log=log)
        blocks.append(np.sqrt((1.0 - geography) / (z**2).sum()) * z)
    if geography > 0.0:
        g = projected_km(unit_set.coordinates())
        g = g - g.mean(axis=0)
        total = (g**2).sum()
        if total == 0:
            raise UnitSetError("all units share one location: geography cannot be used")
        blocks.append(np.sqrt(geography / total) * g)
    return np.column_stack(blocks)


def within_sum_of_squares(features: np.ndarray, labels: np.ndarray) -> float:
    """Ward's criterion: sum over clusters of squared distances to the cluster mean.

    Examples
    --------
    >>> within_sum_of_squares(np.array([[0.0], [2.0], [10.0]]), np.array([0, 0, 1]))
    2.0
    """
    features, labels = np.asarray(features, dtype=float), np.asarray(labels)
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    sums = np.zeros((len(counts), features.shape[1]))
    np.add.at(sums, inverse, features)
    return float((features**2).sum() - ((sums**2).sum(axis=1) / counts).sum())


def allocate_clusters(
    totals: Sequence[float],
    lower: Sequence[int],
    upper: Sequence[int],
    k: int,
) -> list[int]:
    """Share ``k`` clusters among groups (graph components, function labels).

    Each group ``g`` gets between ``lower[g]`` and ``upper[g]`` clusters; the
    clusters left after the lower bounds go one at a time to the group whose
    clusters would otherwise be the largest (``totals[g] / k_g``, the
    D'Hondt rule), so that cluster sizes are as even as the groups allow.

    Raises
    ------
    InfeasibleError
        ``sum(lower) > k`` or ``sum(upper) < k``.

    Examples
    --------
    >>> allocate_clusters([100, 50, 10], [1, 1, 1], [100, 50, 10], 6)
    [3, 2, 1]
    """
    counts = [int(x) for x in lower]
    if sum(counts) > k or sum(int(x) for x in upper) < k or any(
        lo > hi for lo, hi in zip(lower, upper)
    ):
        raise InfeasibleError(
            f"cannot share {k} clusters among groups needing between {list(lower)} and "
            f"{list(upper)} clusters each",
            reason="component",
        )
    for _ in range(k - sum(counts)):
        open_groups = [g for g in range(len(counts)) if counts[g] < upper[g]]
        g = max(open_groups, key=lambda g: (totals[g] / max(counts[g], 1), -g))
        counts[g] += 1
    return counts


def _adjacency_components(graph: nx.Graph, ids: Sequence[str], connectivity: bool
                          ) -> list[list[int]]:
    """Row indices of each adjacency component, ordered by lowest row (one part without
    ``connectivity``)."""
    if not connectivity:
        return [list(range(len(ids)))]
    index = {uid: i for i, uid in enumerate(ids)}
    parts = [sorted(index[u] for u in comp) for comp in nx.connected_components(graph)]
    return sorted(parts, key=lambda c: c[0])


def _component_connectivity(graph: nx.Graph, ids: Sequence[str], members: Sequence[int]
                            ) -> sp.csr_matrix:
    """The borders among ``members`` as the ``connectivity`` matrix of ``ward_tree``."""
    index = {uid: i for i, uid in enumerate(ids)}
    position = {m: j for j, m in enumerate(members)}
    rows, cols = [], []
    for m in members:
        for v in graph.neighbors(ids[m]):
            rows.append(position[m])
            cols.append(position[index[v]])
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(members), len(members)))


@dataclass
class _WardForest:
    """Ward trees of several components: leaves ``0..n-1`` are units, nodes ``n, n+1...`` merges.

    Attributes
    ----------
    n : int
        Number of units (leaves).
    children : dict of int to (int, int)
        The two nodes each merge joined.
    height : dict of int to float
        Ward distance of each merge.
    roots : list of int
        One root per component (a leaf for a one-unit component).
    """

    n: int
    children: dict[int, tuple[int, int]] = field(default_factory=dict)
    height: dict[int, float] = field(default_factory=dict)
    roots: list[int] = field(default_factory=list)

    def add_tree(self, members: Sequence[int], tree: np.ndarray, distances: np.ndarray) -> None:
        """Add the ``ward_tree`` of ``members`` (its children and distances), renumbered."""
        n_leaves = len(members)
        local = dict(enumerate(members))
        next_node = self.n + len(self.children)
        for step, (a, b) in enumerate(tree):
            node = next_node + step
            local[n_leaves + step] = node
            self.children[node] = (local[int(a)], local[int(b)])
            self.height[node] = float(distances[step])
        self.roots.append(local[n_leaves + len(tree) - 1])

    def leaves(self, node: int) -> list[int]:
        """The units below ``node``."""
        out, stack = [], [node]
        while stack:
            v = stack.pop()
            if v < self.n:
                out.append(v)
            else:
                stack.extend(self.children[v])
        return out

    def cut(self, tops: list[int], k: int) -> list[int]:
        """``k`` subtrees of ``tops``, undoing the highest merges first."""
        if k < len(tops) or k > sum(len(self.leaves(t)) for t in tops):
            raise InfeasibleError(
                f"cannot cut {len(tops)} connected piece(s) into {k} clusters",
                reason="component",
            )
        heap = [(-self.height.get(t, -np.inf), t) for t in tops]
        heapq.heapify(heap)
        done: list[int] = []
        while len(heap) + len(done) < k:
            _, node = heapq.heappop(heap)
            for child in self.children[node]:
                if child < self.n:
                    done.append(child)
                else:
                    heapq.heappush(heap, (-self.height[child], child))
        return done + [t for _, t in heap]


def _ward_forest(features: np.ndarray, graph: nx.Graph, ids: Sequence[str],
                 components: list[list[int]], connectivity: bool) -> _WardForest:
    """One Ward tree per component (scikit-learn's ``ward_tree``), joined in a forest."""
    from sklearn.cluster import ward_tree

    forest = _WardForest(len(ids))
    for members in components:
        if len(members) == 1:
            forest.roots.append(members[0])
            continue
        conn = _component_connectivity(graph, ids, members) if connectivity else None
        tree, _, _, _, dist = ward_tree(features[members], connectivity=conn,
                                        return_distance=True)
        forest.add_tree(members, tree, dist)
    return forest


def ward_labels(
    features: np.ndarray,
    graph: nx.Graph,
    ids: Sequence[str],
    *,
    n_clusters: int | None = None,
    per_component: dict[int, int] | None = None,
    connectivity: bool = True,
) -> np.ndarray:
    """Ward's agglomerative clustering, each adjacency component on its own.

    Ward with connectivity (scikit-learn's :func:`~sklearn.cluster.ward_tree`)
    only merges adjacent clusters, so every cluster is connected. A graph with
    several components gets one tree per component, and the forest is cut
    either with ``per_component[c]`` clusters in component ``c``, or globally
    into ``n_clusters`` by undoing the highest merges first.

    Parameters
    ----------
    features : (n, p) array
        The feature rows, in the order of ``ids``.
    graph : networkx.Graph
        The borders, nodes named by ``ids``.
    ids : sequence of str
        The unit ids, one per row of ``features``.
    n_clusters : int, optional
        Number of clusters in all (when ``per_component`` is not given).
    per_component : dict of int to int, optional
        Clusters in each component (components ordered by their lowest row).
    connectivity : bool, default True
        ``False``: plain Ward over all units (clusters may be split).

    Returns
    -------
    numpy.ndarray of int
        Labels ``0..k-1``, numbered in order of each cluster's lowest row.

    Raises
    ------
    InfeasibleError
        A component cannot be cut into the clusters asked for.
    """
    components = _adjacency_components(graph, ids, connectivity)
    forest = _ward_forest(features, graph, ids, components, connectivity)
    if per_component is not None:
        clusters = [
            c for r, root in enumerate(forest.roots) for c in forest.cut([root], per_component[r])
        ]
    else:
        clusters = forest.cut(forest.roots, int(n_clusters))  # type: ignore[arg-type]
    labels = np.empty(len(ids), dtype=int)
    for k, node in enumerate(sorted(clusters, key=lambda t: min(forest.leaves(t)))):
        labels[forest.leaves(node)] = k
    return labels


def wcss_lower_bound(
    features: np.ndarray,
    size: tuple[int, int],
    graph_hops: list[np.ndarray] | None = None,
) -> float:
    r"""A lower bound on Ward's criterion of any partition with cluster sizes in ``size``.

    For a cluster :math:`C` of :math:`m` members,
    :math:`\mathrm{SSE}(C) = \frac{1}{2m}\sum_{i\in C}\sum_{j\in C} d_{ij}^2`,
    and :math:`\sum_{j\in C} d_{ij}^2` is at least :math:`s_i(m-1)`, the sum of
    the :math:`m-1` smallest squared distances from :math:`i` to other units.
    Hence every plan has
    :math:`\mathrm{SSE} \ge \sum_i \min_{a\le m\le b} s_i(m-1)/(2m)`.
    Contiguity is ignored unless ``graph_hops[i]`` lists the units a contiguous
    cluster of at most ``b`` members holding ``i`` can reach (within ``b - 1``
    borders); the bound then only uses those, and stays valid.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> wcss_lower_bound(x, (2, 2))  # the optimum {0,1},{10,11} has SSE 1.0
    1.0
    """
    features = np.asarray(features, dtype=float)
    low, high = size
    n = len(features)
    total = 0.0
    for i in range(n):
        others = graph_hops[i] if graph_hops is not None else np.arange(n)
        others = others[others != i]
        d2 = np.sort(((features[others] - features[i]) ** 2).sum(axis=1))[: high - 1]
        prefix = np.concatenate([[0.0], np.cumsum(d2)])
        ms = np.arange(max(low, 1), min(high, len(d2) + 1) + 1)
        total += float(np.min(prefix[ms - 1] / (2 * ms)))
    return total


def capped_ward(
    features: np.ndarray,
    neighbors: Sequence[Sequence[int]],
    members: Sequence[int],
    n_clusters: int,
    *,
    max_size: int | None = None,
    rules: CompiledRules | None = None,
) -> np.ndarray:
    r"""Ward agglomeration along borders that never makes a cluster too large.

    Repeatedly merge the two adjacent clusters with the smallest Ward cost
    :math:`\frac{n_A n_B}{n_A+n_B}\lVert\mu_A-\mu_B\rVert^2` among the pairs whose
    union keeps within ``max_size`` members and that ``rules`` allow to merge
    (:meth:`CompiledRules.can_merge <clustering.compiled_rules.CompiledRules.can_merge>`:
    the maximum count and weight, apart groups, purity), until ``n_clusters``
    remain. When no allowed merge is left, the cheapest merge is made
    regardless (the local search repairs it), so exactly ``n_clusters``
    clusters come out whenever ``members`` is connected.

    Parameters
    ----------
    features : (n, p) array
        Feature rows of all units.
    neighbors : sequence of sequences of int
        Each unit's neighbours by row (indexed like ``features``; units
        outside ``members`` are ignored).
    members : sequence of int
        The rows to cluster.
    n_clusters : int
        Number of clusters to leave.
    max_size : int, optional
        Cap on members per cluster (may be below the rules' maximum).
    rules : CompiledRules, optional
        The rules of the whole unit set (rows as in ``features``).

    Returns
    -------
    numpy.ndarray of int
        Labels ``0..n_clusters-1`` for ``members`` (in their order).

    Examples
    --------
    >>> x = np.array([[0.0], [0.1], [0.2], [5.0]])
    >>> capped_ward(x, [[1], [0, 2], [1, 3], [2]], [0, 1, 2, 3], 2, max_size=2).tolist()
    [0, 0, 1, 1]
    """
    members = list(members)
    inside = set(members)
    cluster = {i: i for i in members}
    held = {i: [i] for i in members}  # units of each live cluster
    count = {i: 1 for i in members}
    total = {i: features[i].astype(float).copy() for i in members}
    mask = {i: 1 << int(i) for i in members}  # bit masks, as CompiledRules checks them
    adjacent = {i: {j for j in neighbors[i] if j in inside and j != i} for i in members}
    version = dict.fromkeys(members, 0)

    def cost(a: int, b: int) -> float:
        na, nb = count[a], count[b]
        gap = total[a] / na - total[b] / nb
        return na * nb / (na + nb) * float(gap @ gap)

    cap = max_size
    if rules is not None:
        cap = rules.size[1] if cap is None else min(cap, rules.size[1])
    # Beyond the member cap, can_merge only has weights and group rules left to check:
    # the two clusters border each other by construction.
    check_rules = rules is not None and (rules.weights is not None or rules.has_group_rules)

    def allowed(a: int, b: int) -> bool:
        if cap is not None and count[a] + count[b] > cap:
            return False
        return not check_rules or rules.can_merge(mask[a], mask[b])

    heap = [(not allowed(a, b), cost(a, b), a, b, 0, 0)
            for a in members for b in adjacent[a] if a < b]
    heapq.heapify(heap)
    alive = len(members)
    while alive > n_clusters and heap:
        _, _, a, b, va, vb = heapq.heappop(heap)
        if a not in count or b not in count or version[a] != va or version[b] != vb:
            continue  # stale entry
        # merge b into a
        count[a] += count.pop(b)
        total[a] += total.pop(b)
        mask[a] |= mask.pop(b)
        for j in adjacent.pop(b):
            if j != a:
                adjacent[j].discard(b)
                adjacent[j].add(a)
                adjacent[a].add(j)
        adjacent[a].discard(b)
        version[a] += 1
        for i in held[b]:
            cluster[i] = a
        held[a] += held.pop(b)
        alive -= 1
        for j in adjacent[a]:
            lo, hi = (a, j) if a < j else (j, a)
            heapq.heappush(heap, (not allowed(lo, hi), cost(lo, hi), lo, hi,
                                  version[lo], version[hi]))
    roots = list(dict.fromkeys(cluster[i] for i in members))
    position = {r: k for k, r in enumerate(roots)}
    return np.array([position[cluster[i]] for i in members], dtype=int)


@dataclass
class Problem:
    """A validated input: the unit set, its features and (if any) size weights."""

    unit_set: UnitSet
    features: np.ndarray
    indicators: tuple[str, ...]
    from_arrays: bool


def unit_set_from_arrays(
    X: np.ndarray, adjacency=None, sample_weight: np.ndarray | None = None
) -> UnitSet:
    """Wrap an ``(n, p)`` indicator array (and adjacency, weights) in a unit set.

    Parameters
    ----------
    X : array-like of shape (n, p)
        Finite indicators, one row per unit.
    adjacency : array-like or sparse matrix of shape (n, n), optional
        Nonzero entries are borders (the diagonal is ignored).
    sample_weight : array-like of shape (n,), optional
        Unit weights (for weight bounds), finite and >= 0.

    Returns
    -------
    UnitSet
        Ids ``"0" .. "n-1"``, indicators ``x1 .. xp``.

    Raises
    ------
    ParameterError
        An input of the wrong shape, not numeric, or not finite (the message
        names the parameter).
    """
    X = check_indicator_array(X)
    n = X.shape[0]
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, n)
    edges = []
    if adjacency is not None:
        a = check_adjacency(adjacency, n)
        edges = sorted(
            {(str(min(i, j)), str(max(i, j))) for i, j, v in zip(a.row, a.col, a.data)
             if v and i != j}
        )
    units = [
        {
            "id": str(i),
            "name": str(i),
            "indicators": {f"x{j + 1}": float(X[i, j]) for j in range(X.shape[1])},
            "weight": None if sample_weight is None else float(sample_weight[i]),
        }
        for i in range(n)
    ]
    return UnitSet(units, edges, name="arrays")


class ClusteringEstimator(ClusterMixin, BaseEstimator):
    """Base class: one way to validate parameters and read inputs.

    Subclasses declare ``_parameter_checks`` (parameter -> constraints of
    :mod:`clustering.estimators._validation`; a bad value raises
    :class:`~clustering.errors.ParameterError` naming it and what was
    expected) and call :meth:`_prepare` first in ``fit``. ``fit`` never
    changes a parameter (scikit-learn's convention): what it derives is
    computed locally or stored in a fitted attribute ending in ``_``.
    """

    _parameter_checks: ClassVar[dict[str, list[Constraint | None]]] = {}

    def _check_params(self) -> None:
        """Check every parameter against ``_parameter_checks``, then the cross-checks."""
        check_params(type(self).__name__, self.get_params(deep=False), self._parameter_checks)
        self._check_cross_params()

    def _prepare(self, X, adjacency=None, sample_weight=None) -> Problem:
        """Check the parameters, then read ``X`` (a UnitSet or arrays) into a :class:`Problem`.

        Parameters
        ----------
        X : UnitSet or array-like of shape (n, p)
            The units, or their indicators.
        adjacency : array-like or sparse matrix of shape (n, n), optional
            Borders, for array input only.
        sample_weight : array-like of shape (n,), optional
            Unit weights, for array input only.

        Returns
        -------
        Problem
        """
        self._check_params()
        if isinstance(X, UnitSet):
            if adjacency is not None or sample_weight is not None:
                raise ParameterError(
                    "adjacency= and sample_weight= are for array input; a UnitSet carries "
                    "its own graph and Unit.weight"
                )
            unit_set, from_arrays = X, False
        else:
            unit_set, from_arrays = unit_set_from_arrays(X, adjacency, sample_weight), True
        indicators = self._indicator_names(unit_set)
        features = mixed_features(
            unit_set, indicators, log=tuple(self.log), geography=float(self.geography)
        )
        return Problem(unit_set, features, tuple(indicators), from_arrays)

    def _indicator_names(self, unit_set: UnitSet) -> list[str]:
        if self.indicators is not None:
            names = list(self.indicators)
            if not names and self.geography < 1:
                raise ParameterError("indicators=[] leaves nothing to cluster on; name some "
                                     "(or set geography=1)")
            return names
        if self.geography == 1.0:
            return []
        # The same default as clustering.metrics.fairness_report, so that the
        # estimators optimise what the report measures.
        usable, _ = unit_set.complete_indicators()
        if not usable:
            raise FairclustersError(
                "no complete, non-constant indicator to cluster on; pass indicators=[...]"
            )
        return usable

    def _check_cross_params(self) -> None:
        """Checks involving several parameters (override to add more)."""

    def _rules(self, problem: Problem, n_clusters: int | None = None) -> ClusterRules:
        """The :class:`~clustering.rules.ClusterRules` asked for, checked before any work.

        Bounds are validated by ``ClusterRules`` itself and feasibility by
        :func:`clustering.rules.check_feasible` (one piece of code shared with
        the optimizer); an impossible request raises its ``InfeasibleError``.
        Sets ``rules_``.

        Parameters
        ----------
        problem : Problem
            The validated input.
        n_clusters : int, optional
            The number of clusters when it is not the parameter itself (the
            local search may take it from its start plan).

        Returns
        -------
        ClusterRules
            Resolved to unit ids.
        """
        size = getattr(self, "size", None)
        weight_bounds = getattr(self, "weight_bounds", None)
        if getattr(self, "weight", None) is not None and weight_bounds is None:
            raise ParameterError(f"weight={self.weight!r} is given without weight_bounds; "
                                 "give weight_bounds too, or drop weight")
        rules = ClusterRules(
            n_clusters=self.n_clusters if n_clusters is None else n_clusters,
            size=None if size is None else tuple(size),
            weight_bounds=None if weight_bounds is None else tuple(weight_bounds),
            weight=getattr(self, "weight", None),
            contiguous=bool(getattr(self, "contiguous", False)),
            **self._extra_rules(),
        )
        self.rules_ = check_feasible(problem.unit_set, rules)
        return self.rules_

    def _extra_rules(self) -> dict:
        return {}

    def _finish(self, problem: Problem, labels: np.ndarray) -> None:
        """Set ``labels_``, ``plan_`` and ``objective_`` from final labels."""
        labels = np.array(canonical_labels(labels), dtype=int)
        self.labels_ = labels
        self.plan_ = Plan.from_labels(
            problem.unit_set, labels, [f"C{k + 1}" for k in range(labels.max() + 1)],
            name=type(self).__name__,
        )
        self.objective_ = within_sum_of_squares(problem.features, labels)
        self.indicators_ = problem.indicators
        self.n_features_in_ = problem.features.shape[1]
        rules = getattr(self, "rules_", None)
        # Checked by the shared rules code, never by the estimator's own bookkeeping.
        self.violations_ = [] if rules is None else plan_violations(self.plan_, rules)
        if self.violations_:
            warnings.warn(
                f"{type(self).__name__} returns a plan that breaks the rules: "
                + "; ".join(map(str, self.violations_[:5])),
                UserWarning,
                stacklevel=3,
            )


