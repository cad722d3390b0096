r"""A fast p-median plan that follows the rules: the warm start of the assignment model.

Validi, Buchanan and Lykhovyd (2022) start their branch-and-cut from a
heuristic plan: a good incumbent lets reduced-cost fixing remove most
variables before the first solve. Here the plan comes in two steps:

1. :class:`clustering.estimators.AZPLocalSearch` builds a plan that meets the
   size or weight bounds and contiguity (its repair is the library's one
   piece of code for that); it minimises Ward's criterion, not the p-median.
2. :func:`improve_pmedian` then descends on the p-median objective
   :math:`\sum_c \min_{j \in c} \sum_{i \in c} d_{ij}` by moving a border
   unit to a neighbouring cluster, or swapping two border units of
   neighbouring clusters, keeping every cluster within bounds and connected;
   :func:`recombine_pairs` then re-splits the union of two neighbouring
   clusters optimally (every connected split within bounds is enumerated with
   :func:`optimizer.candidates.enumerate_candidates`), a ReCom step made exact.
   The two alternate until neither helps.

With the column sums :math:`S_c[j] = \sum_{i \in c} d_{ij}` kept per cluster,
a move of :math:`i` from :math:`a` to :math:`b` is evaluated in
:math:`O(|a| + |b|)`: the new costs are :math:`\min_{j \in a - i}
(S_a[j] - d_{ij})` and :math:`\min_{j \in b + i} (S_b[j] + d_{ij})`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np

from clustering.errors import FairclustersError
from clustering.rules import ClusterRules
from clustering.units import UnitSet

from .candidates import CandidateLimitExceeded, enumerate_candidates

__all__ = [
    "heuristic_plan",
    "improve_pmedian",
    "pmedian_improver",
    "pmedian_value",
    "recombine_pairs",
]

_TOL = 1e-12
#: Pairs of clusters whose union has more connected splits than this are skipped.
PAIR_CANDIDATE_LIMIT = 50_000


def pmedian_value(labels: np.ndarray, d: np.ndarray) -> float:
    """``sum_c min_{j in c} sum_{i in c} d[i, j]`` of a plan given by labels.

    Examples
    --------
    >>> d = np.array([[0, 1, 5], [1, 0, 4], [5, 4, 0.0]])
    >>> pmedian_value(np.array([0, 0, 1]), d)
    1.0
    """
    labels = np.asarray(labels)
    total = 0.0
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        total += float(d[np.ix_(members, members)].sum(axis=0).min())
    return total


class _Clusters:
    """Labels with per-cluster members, counts, weights and column sums of ``d``."""

    def __init__(self, labels, d, neighbors, size, weights, weight_bounds, frozen):
        self.labels = np.asarray(labels, dtype=np.int64).copy()
        self.d = d
        self.nbrs = neighbors
        self.low, self.high = size
        self.w = weights
        self.wb = weight_bounds
        self.frozen = frozen
        k = int(self.labels.max()) + 1
        self.members = [set(np.flatnonzero(self.labels == c).tolist()) for c in range(k)]
        self.sums = np.vstack([d[sorted(m)].sum(axis=0) for m in self.members])
        self.cost = np.array([self._cost(c, self.sums[c], self.members[c]) for c in range(k)])

    @staticmethod
    def _cost(c, sums, members) -> float:
        return float(sums[list(members)].min())

    def fits(self, c: int, out: Sequence[int], into: Sequence[int]) -> bool:
        """Whether cluster ``c`` stays within bounds losing ``out`` and gaining ``into``."""
        count = len(self.members[c]) - len(out) + len(into)
        if not self.low <= count <= self.high:
            return False
        if self.wb is not None:
            total = self.w[list(self.members[c])].sum() - self.w[list(out)].sum()
            total += self.w[list(into)].sum()
            lo, hi = self.wb
            tol = 1e-9 * max(1.0, abs(hi))
            return lo - tol <= total <= hi + tol
        return True

    def connected(self, members: set[int]) -> bool:
        if not members:
            return False
        start = next(iter(members))
        seen, queue = {start}, deque([start])
        while queue:
            v = queue.popleft()
            for u in self.nbrs[v]:
                if u in members and u not in seen:
                    seen.add(u)
                    queue.append(u)
        return len(seen) == len(members)

    def new_cost(self, c: int, out: Sequence[int], into: Sequence[int]) -> float:
        sums = self.sums[c] - self.d[list(out)].sum(axis=0) + self.d[list(into)].sum(axis=0)
        return self._cost(c, sums, (self.members[c] - set(out)) | set(into))

    def apply(self, moves: Sequence[tuple[int, int, int]]) -> None:
        """Moves ``(unit, from, to)``, applied together."""
        for i, a, b in moves:
            self.members[a].discard(i)
            self.members[b].add(i)
            self.sums[a] -= self.d[i]
            self.sums[b] += self.d[i]
            self.labels[i] = b
        for c in {c for _, a, b in moves for c in (a, b)}:
            self.cost[c] = self._cost(c, self.sums[c], self.members[c])

    def border(self, i: int) -> set[int]:
        """Clusters other than ``i``'s that ``i`` touches."""
        return {int(self.labels[u]) for u in self.nbrs[i]} - {int(self.labels[i])}


def improve_pmedian(
    labels: np.ndarray,
    d: np.ndarray,
    neighbors: Sequence[Sequence[int]],
    *,
    size: tuple[int, int],
    weights: np.ndarray | None = None,
    weight_bounds: tuple[float, float] | None = None,
    frozen: np.ndarray | None = None,
    max_passes: int = 100,
    deadline: float | None = None,
) -> np.ndarray:
    """Descend on the p-median objective by border moves and swaps, keeping the rules.

    Parameters
    ----------
    labels : array of int
        A start plan (labels ``0..k-1``) whose clusters are connected and
        within bounds; the result keeps both.
    d : (n, n) array
        Dissimilarity.
    neighbors : list of lists
        Adjacency by row index.
    size : (int, int)
        Member count bounds.
    weights, weight_bounds : optional
        Unit weights and bounds on every cluster's total weight.
    frozen : bool array, optional
        Units that must not move (e.g. fixed or bound together with others).
    max_passes : int
        Passes over all moves; each pass applies every improving move found.
    deadline : float, optional
        A ``time.perf_counter()`` value after which the descent stops (the
        plan so far is returned: every move keeps the rules).

    Returns
    -------
    array of int
        Labels of a plan at least as good as the start, at a local optimum
        of single moves and pairwise swaps (unless ``max_passes`` or the
        deadline ran out).

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> cycle = [[1, 3], [0, 2], [1, 3], [2, 0]]
    >>> start = np.array([0, 1, 1, 0])
    >>> pmedian_value(start, d)
    18.0
    >>> better = improve_pmedian(start, d, cycle, size=(2, 2))
    >>> pmedian_value(better, d), bool(better[0] == better[1])
    (2.0, True)
    """
    n = len(labels)
    frozen = np.zeros(n, dtype=bool) if frozen is None else np.asarray(frozen, dtype=bool)
    state = _Clusters(labels, d, neighbors, size, weights, weight_bounds, frozen)
    for _ in range(max_passes):
        improved = False
        for i in range(n):
            if frozen[i]:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                return state.labels
            a = int(state.labels[i])
            rest = state.members[a] - {i}
            best, move = -_TOL, None
            for b in state.border(i):
                if not (state.fits(a, [i], []) and state.fits(b, [], [i])):
                    continue
                delta = (state.new_cost(a, [i], []) + state.new_cost(b, [], [i])
                         - state.cost[a] - state.cost[b])
                if delta < best:
                    best, move = delta, [(i, a, b)]
            # Swaps: i for a unit j of a neighbouring cluster that borders a.
            for b in state.border(i):
                for j in list(state.members[b]):
                    if frozen[j] or a not in state.border(j):
                        continue
                    if not (state.fits(a, [i], [j]) and state.fits(b, [j], [i])):
                        continue
                    delta = (state.new_cost(a, [i], [j]) + state.new_cost(b, [j], [i])
                             - state.cost[a] - state.cost[b])
                    if delta < best:
                        best, move = delta, [(i, a, b), (j, b, a)]
            if move is None:
                continue
            # Connectivity is checked last: it is the dearest test.
            if len(move) == 1:
                ok = state.connected(rest)
            else:
                j, b = move[1][0], move[0][2]
                ok = state.connected(rest | {j}) and state.connected(
                    (state.members[b] - {j}) | {i}
                )
            if ok:
                state.apply(move)
                improved = True
        if not improved:
            break
    return state.labels


def recombine_pairs(
    labels: np.ndarray,
    d: np.ndarray,
    edges: np.ndarray,
    *,
    size: tuple[int, int],
    weights: np.ndarray | None = None,
    weight_bounds: tuple[float, float] | None = None,
    frozen: np.ndarray | None = None,
    max_passes: int = 20,
    deadline: float | None = None,
) -> np.ndarray:
    """Re-split the union of each pair of neighbouring clusters optimally (p-median).

    For two bordering clusters, every connected subset of their union
    holding its first unit, within bounds, whose complement is also a
    connected subset within bounds, is a split; the cheapest replaces the
    pair when it is cheaper. Pairs holding a frozen unit, and pairs with
    more than :data:`PAIR_CANDIDATE_LIMIT` connected subsets, are skipped.

    Parameters
    ----------
    labels : array of int
        A plan (labels ``0..k-1``) with connected clusters within bounds.
    d : (n, n) array
    edges : (m, 2) array of int
        Adjacency by row index (contiguity is always required here).
    size, weights, weight_bounds, frozen, max_passes, deadline
        As in :func:`improve_pmedian`.

    Returns
    -------
    array of int
        A plan at least as good, in which no pair can be re-split better
        (unless ``max_passes`` ran out).

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> cycle = np.array([[0, 1], [1, 2], [2, 3], [3, 0]])
    >>> better = recombine_pairs(np.array([0, 1, 1, 0]), d, cycle, size=(2, 2))
    >>> pmedian_value(better, d), bool(better[0] == better[1])
    (2.0, True)
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    n = len(labels)
    frozen = np.zeros(n, dtype=bool) if frozen is None else np.asarray(frozen, dtype=bool)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    settled = set()  # unions already split optimally: no need to enumerate them again
    for _ in range(max_passes):
        improved = False
        touching = labels[edges[:, 0]] != labels[edges[:, 1]]
        pairs = {tuple(sorted((int(labels[a]), int(labels[b])))) for a, b in edges[touching]}
        for a, b in sorted(pairs):
            if deadline is not None and time.perf_counter() > deadline:
                return labels
            union = np.flatnonzero((labels == a) | (labels == b))
            key = tuple(union.tolist())
            if key in settled or frozen[union].any() or len(union) < 2 * size[0]:
                continue
            settled.add(key)
            current = pmedian_value(labels[union], d[np.ix_(union, union)])
            split = _best_split(union, d, edges, size, weights, weight_bounds)
            if split is not None and split[0] < current - 1e-9 * max(1.0, current):
                labels[union[split[1]]] = a
                labels[union[~split[1]]] = b
                improved = True
        if not improved:
            break
    return labels


def _best_split(union, d, edges, size, weights, weight_bounds):
    """Cheapest (cost, mask over ``union``) split of ``union`` into two clusters, or None."""
    m = len(union)
    position = np.full(len(d), -1)
    position[union] = np.arange(m)
    inside = (position[edges[:, 0]] >= 0) & (position[edges[:, 1]] >= 0)
    local_edges = position[edges[inside]].tolist()
    bounds = {"weights": None if weights is None else weights[union],
              "weight_bounds": weight_bounds}
    try:  # one side holds the union's first unit: enumerate only those sides
        count, sides = enumerate_candidates(
            m, local_edges, size, roots=[0], limit=PAIR_CANDIDATE_LIMIT, **bounds
        )
    except CandidateLimitExceeded:
        return None
    if count == 0:
        return None
    inside = np.zeros((count, m), dtype=bool)
    inside[np.repeat(np.arange(count), np.diff(sides.indptr)), sides.indices] = True
    # The other side must be a cluster too: within bounds and connected.
    rest = ~inside
    ok = (rest.sum(axis=1) >= size[0]) & (rest.sum(axis=1) <= size[1])
    if weights is not None:
        load = rest @ weights[union]
        tol = 1e-9 * max(1.0, abs(weight_bounds[1]))
        ok &= (load >= weight_bounds[0] - tol) & (load <= weight_bounds[1] + tol)
    local = np.asarray(local_edges, dtype=np.int64).reshape(-1, 2)
    best = None
    sub = d[np.ix_(union, union)]
    side_cost = inside.astype(float) @ sub  # [c, j] = sum_{i in side} d_ij
    rest_cost = sub.sum(axis=0)[None, :] - side_cost
    cost = (np.where(inside, side_cost, np.inf).min(axis=1)
            + np.where(rest, rest_cost, np.inf).min(axis=1))
    for c in np.argsort(np.where(ok, cost, np.inf)):
        if not ok[c]:
            break
        if _is_connected(np.flatnonzero(rest[c]), local):
            best = (float(cost[c]), inside[c])
            break
    return best


def _is_connected(members: np.ndarray, edges: np.ndarray) -> bool:
    keep = np.isin(edges[:, 0], members) & np.isin(edges[:, 1], members)
    graph = nx.Graph()
    graph.add_nodes_from(members.tolist())
    graph.add_edges_from(edges[keep].tolist())
    return nx.is_connected(graph)


def heuristic_plan(
    units: UnitSet,
    rules: ClusterRules,
    d: np.ndarray,
    *,
    seed: int = 0,
    deadline: float | None = None,
) -> np.ndarray | None:
    """Labels of a plan following ``rules`` with a low p-median cost, or ``None``.

    A plan from :class:`~clustering.estimators.AZPLocalSearch` (bounds and
    contiguity), improved by :func:`improve_pmedian`. Rules the estimator
    does not handle (together, apart, fixed, pure) give ``None``, as does a
    start the estimator cannot repair: the caller then solves without it.
    The improvement stops at ``deadline`` (a ``time.perf_counter()`` value).

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> from clustering.plan import Plan
    >>> from clustering.rules import plan_violations
    >>> from optimizer.objectives import default_dissimilarity
    >>> units = planar_unit_set(30, seed=1)
    >>> rules = ClusterRules(n_clusters=3, size=(9, 11), contiguous=True)
    >>> labels = heuristic_plan(units, rules, default_dissimilarity(units))
    >>> plan_violations(Plan.from_labels(units, labels), rules)
    []
    """
    from clustering.estimators import AZPLocalSearch

    if rules.together or rules.apart or rules.fixed or rules.pure is not None:
        return None
    try:
        azp = AZPLocalSearch(
            rules.n_clusters, init="ward", size=rules.size, weight_bounds=rules.weight_bounds,
            weight=rules.weight, contiguous=rules.contiguous, random_state=seed,
        ).fit(units)
    except FairclustersError:  # cannot repair, or nothing to cluster on: no start
        return None
    _, labels = np.unique(azp.labels_, return_inverse=True)
    return pmedian_improver(units, rules, d, deadline=deadline)(labels)


def pmedian_improver(
    units: UnitSet, rules: ClusterRules, d: np.ndarray, *, deadline: float | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """``labels -> improve_pmedian(labels, ...)`` under the bounds and contiguity of ``rules``.

    Units fixed to a cluster or bound together with others do not move; the
    rules on apart groups and purity are not known to the moves, so the
    caller checks the result (:func:`clustering.rules.plan_violations`).
    Every call stops improving at ``deadline`` (a ``time.perf_counter()`` value).
    """
    neighbors, edges, bounds = _move_rules(units, rules)
    bounds = {**bounds, "deadline": deadline}

    def improve(labels: np.ndarray) -> np.ndarray:
        _, labels = np.unique(labels, return_inverse=True)
        value = pmedian_value(labels, d)
        while True:
            labels = improve_pmedian(labels, d, neighbors, **bounds)
            if rules.contiguous:
                labels = recombine_pairs(labels, d, edges, **bounds)
            new = pmedian_value(labels, d)
            if new >= value - 1e-9 * max(1.0, value):
                return labels
            if deadline is not None and time.perf_counter() > deadline:
                return labels
            value = new

    return improve


def _move_rules(units: UnitSet, rules: ClusterRules) -> tuple[list[list[int]], np.ndarray, dict]:
    """Neighbours and edges by row index, and the bounds and frozen units of the moves."""
    n = len(units)
    index = {uid: i for i, uid in enumerate(units.ids)}
    if rules.contiguous:
        neighbors = [[index[v] for v in units.graph.neighbors(uid)] for uid in units.ids]
    else:  # without contiguity any unit may join any cluster: all units are "neighbours"
        neighbors = [[j for j in range(n) if j != i] for i in range(n)]
    weights = units.weights(rules.weight) if rules.weight_bounds is not None else None
    frozen = np.zeros(n, dtype=bool)
    frozen[[index[u] for u in rules.fixed]] = True
    frozen[[index[u] for group in rules.together for u in group]] = True

    edges = units.edge_index_pairs()
    bounds = {"size": rules.count_bounds(n), "weights": weights,
              "weight_bounds": rules.weight_bounds, "frozen": frozen}
    return neighbors, edges, bounds
