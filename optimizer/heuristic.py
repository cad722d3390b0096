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
   :func:`optimizer.candidates.split_sides`), a ReCom step made exact.
   The two alternate until neither helps.

With the column sums :math:`S_c[j] = \sum_{i \in c} d_{ij}` kept per cluster,
a move of :math:`i` from :math:`a` to :math:`b` is evaluated in
:math:`O(|a| + |b|)`: the new costs are :math:`\min_{j \in a - i}
(S_a[j] - d_{ij})` and :math:`\min_{j \in b + i} (S_b[j] + d_{ij})`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from clustering.bitsets import bits, mask_of
from clustering.errors import FairclustersError
from clustering.plan import canonical_labels
from clustering.rules import ClusterRules, CompiledRules
from clustering.units import UnitSet

from .candidates import CandidateLimitExceeded, split_sides

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

    def __init__(self, labels: np.ndarray, d: np.ndarray, rules: CompiledRules) -> None:
        self.labels = np.asarray(labels, dtype=np.int64).copy()
        self.d = d
        self.rules = rules
        self.nbrs = [bits(m) for m in rules.neighbour_masks]
        k = int(self.labels.max()) + 1
        self.members = [set(np.flatnonzero(self.labels == c).tolist()) for c in range(k)]
        self.sums = np.vstack([d[sorted(m)].sum(axis=0) for m in self.members])
        self.cost = np.array([self._cost(self.sums[c], self.members[c]) for c in range(k)])

    @staticmethod
    def _cost(sums, members) -> float:
        return float(sums[list(members)].min())

    def fits(self, c: int, out: Sequence[int], into: Sequence[int]) -> bool:
        """Whether cluster ``c`` stays within bounds losing ``out`` and gaining ``into``."""
        count = len(self.members[c]) - len(out) + len(into)
        total = 0.0
        if self.rules.weights is not None:
            total = (self.rules.cluster_weight(self.members[c]) - self.rules.cluster_weight(out)
                     + self.rules.cluster_weight(into))
        return self.rules.bounds_ok(count, total)

    def new_cost(self, c: int, out: Sequence[int], into: Sequence[int]) -> float:
        sums = self.sums[c] - self.d[list(out)].sum(axis=0) + self.d[list(into)].sum(axis=0)
        return self._cost(sums, (self.members[c] - set(out)) | set(into))

    def apply(self, moves: Sequence[tuple[int, int, int]]) -> None:
        """Moves ``(unit, from, to)``, applied together."""
        for i, a, b in moves:
            self.members[a].discard(i)
            self.members[b].add(i)
            self.sums[a] -= self.d[i]
            self.sums[b] += self.d[i]
            self.labels[i] = b
        for c in {c for _, a, b in moves for c in (a, b)}:
            self.cost[c] = self._cost(self.sums[c], self.members[c])

    def border(self, i: int) -> set[int]:
        """Clusters other than ``i``'s that ``i`` touches."""
        return {int(self.labels[u]) for u in self.nbrs[i]} - {int(self.labels[i])}

    def best_move(self, i: int) -> tuple[float, list[tuple[int, int, int]] | None]:
        """The most improving move of ``i`` to a bordering cluster, or swap with a unit there.

        Bounds are checked here, connectivity by the caller (the dearest test).
        """
        a = int(self.labels[i])
        best, move = -_TOL, None
        for b in self.border(i):
            if self.fits(a, [i], []) and self.fits(b, [], [i]):
                delta = (self.new_cost(a, [i], []) + self.new_cost(b, [], [i])
                         - self.cost[a] - self.cost[b])
                if delta < best:
                    best, move = delta, [(i, a, b)]
            # Swaps: i for a unit j of the neighbouring cluster that borders a.
            for j in list(self.members[b]):
                if self.rules.frozen[j] or a not in self.border(j):
                    continue
                if not (self.fits(a, [i], [j]) and self.fits(b, [j], [i])):
                    continue
                delta = (self.new_cost(a, [i], [j]) + self.new_cost(b, [j], [i])
                         - self.cost[a] - self.cost[b])
                if delta < best:
                    best, move = delta, [(i, a, b), (j, b, a)]
        return best, move

    def keeps_connected(self, move: list[tuple[int, int, int]]) -> bool:
        """Whether both clusters of a move (or a swap) stay connected."""
        (i, a, b), *swap = move
        gained = {swap[0][0]} if swap else set()
        if not self.rules.connected(sorted((self.members[a] - {i}) | gained)):
            return False
        return not swap or self.rules.connected(sorted((self.members[b] - gained) | {i}))


def improve_pmedian(
    labels: np.ndarray,
    d: np.ndarray,
    rules: CompiledRules,
    *,
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
    rules : CompiledRules
        Count and weight bounds and contiguity are kept by every move; units
        that are fixed or bound together with others (``rules.frozen``) do
        not move. Apart groups and purity are not known to the moves: the
        caller checks the result.
    max_passes : int, default 100
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
    >>> from clustering.rules import ClusterRules
    >>> from clustering.units import UnitSet
    >>> cycle = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
    ...                 [("0", "1"), ("1", "2"), ("2", "3"), ("3", "0")])
    >>> rules = ClusterRules(n_clusters=2, size=(2, 2), contiguous=True).compile(cycle)
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> start = np.array([0, 1, 1, 0])
    >>> pmedian_value(start, d)
    18.0
    >>> better = improve_pmedian(start, d, rules)
    >>> pmedian_value(better, d), bool(better[0] == better[1])
    (2.0, True)
    """
    state = _Clusters(labels, d, rules)
    movable = np.flatnonzero(~rules.frozen)
    for _ in range(max_passes):
        improved = False
        for i in movable.tolist():
            if deadline is not None and time.perf_counter() > deadline:
                return state.labels
            _, move = state.best_move(i)
            if move is not None and state.keeps_connected(move):
                state.apply(move)
                improved = True
        if not improved:
            break
    return state.labels


def recombine_pairs(
    labels: np.ndarray,
    d: np.ndarray,
    rules: CompiledRules,
    *,
    max_passes: int = 20,
    deadline: float | None = None,
) -> np.ndarray:
    """Re-split the union of each pair of neighbouring clusters optimally (p-median).

    For two bordering clusters, every split of their union into two valid
    clusters (:func:`optimizer.candidates.split_sides`) is priced; the
    cheapest replaces the pair when it is cheaper. Pairs holding a frozen
    unit, and pairs with more than :data:`PAIR_CANDIDATE_LIMIT` splits, are
    skipped.

    Parameters
    ----------
    labels : array of int
        A plan (labels ``0..k-1``) with connected clusters within bounds.
    d : (n, n) array
        Dissimilarity.
    rules : CompiledRules
        Count and weight bounds, contiguity and the frozen units, as in
        :func:`improve_pmedian`; the two new clusters are valid under every rule.
    max_passes, deadline
        As in :func:`improve_pmedian`.

    Returns
    -------
    array of int
        A plan at least as good, in which no pair can be re-split better
        (unless ``max_passes`` ran out).

    Examples
    --------
    >>> from clustering.rules import ClusterRules
    >>> from clustering.units import UnitSet
    >>> cycle = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
    ...                 [("0", "1"), ("1", "2"), ("2", "3"), ("3", "0")])
    >>> rules = ClusterRules(n_clusters=2, size=(2, 2), contiguous=True).compile(cycle)
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> better = recombine_pairs(np.array([0, 1, 1, 0]), d, rules)
    >>> pmedian_value(better, d), bool(better[0] == better[1])
    (2.0, True)
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    edges = rules.edges
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
            if key in settled or rules.frozen[union].any() or len(union) < 2 * rules.size[0]:
                continue
            settled.add(key)
            current = pmedian_value(labels[union], d[np.ix_(union, union)])
            split = _best_split(union, d, rules)
            if split is not None and split[0] < current - 1e-9 * max(1.0, current):
                labels[bits(split[1])] = a
                labels[bits(split[2])] = b
                improved = True
        if not improved:
            break
    return labels


def _best_split(union: np.ndarray, d: np.ndarray, rules: CompiledRules
                ) -> tuple[float, int, int] | None:
    """Cheapest ``(cost, side, rest)`` split of ``union`` into two valid clusters, or None.

    Every side is priced at once (:func:`optimizer.candidates.split_sides`);
    the rest's groups and connectivity, the dearest tests, are checked in
    order of cost until one passes.
    """
    try:
        sides = split_sides(rules, union.tolist(), limit=PAIR_CANDIDATE_LIMIT)
    except CandidateLimitExceeded:
        return None
    if not len(sides):
        return None
    position = np.full(rules.n, -1)
    position[union] = np.arange(len(union))
    inside = np.zeros((len(sides), len(union)), dtype=bool)
    inside[sides.rows(), position[sides.indices]] = True
    sub = d[np.ix_(union, union)]
    side_cost = inside.astype(float) @ sub  # [c, j] = sum_{i in side} d_ij
    rest_cost = sub.sum(axis=0)[None, :] - side_cost
    cost = (np.where(inside, side_cost, np.inf).min(axis=1)
            + np.where(~inside, rest_cost, np.inf).min(axis=1))
    merged = mask_of(union.tolist())
    for c in np.argsort(cost, kind="stable"):
        side = mask_of(sides.members(int(c)).tolist())
        rest = merged & ~side
        if rules.groups_ok(rest) and rules.mask_connected(rest):
            return float(cost[c]), side, rest
    return None


def heuristic_plan(
    units: UnitSet,
    rules: ClusterRules,
    d: np.ndarray,
    *,
    seed: int = 0,
    deadline: float | None = None,
    starts: int = 1,
) -> np.ndarray | None:
    """Labels of a plan following ``rules`` with a low p-median cost, or ``None``.

    A plan from :class:`~clustering.estimators.AZPLocalSearch` (bounds and
    contiguity), improved by :func:`improve_pmedian`. Rules the estimator
    does not handle (together, apart, fixed, pure) give ``None``, as does a
    start the estimator cannot repair: the caller then solves without it.
    The search and the improvement stop at ``deadline`` (a ``time.perf_counter()`` value).

    With ``starts`` > 1 the search is run again with seeds ``seed + 1``, ...
    and the cheapest plan is kept; it stops at ``deadline`` (after the first
    start) or as soon as a start gives a plan already found, a sign that the
    seed does not matter on this instance. Under tight weight bounds the
    seeds' plans differ by up to a factor of two in cost.

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

    if not isinstance(starts, (int, np.integer)) or starts < 1:
        raise FairclustersError(f"starts={starts!r}; expected an integer >= 1")
    if rules.together or rules.apart or rules.fixed or rules.pure is not None:
        return None
    improve = pmedian_improver(rules.compile(units), d, deadline=deadline)
    best, found = None, set()
    for start in range(int(starts)):
        if start and deadline is not None and time.perf_counter() >= deadline:
            break
        try:
            budget = None if deadline is None else max(1e-3, deadline - time.perf_counter())
            azp = AZPLocalSearch(
                rules.n_clusters, init="ward", size=rules.size,
                weight_bounds=rules.weight_bounds, weight=rules.weight,
                contiguous=rules.contiguous, random_state=seed + start, time_limit=budget,
            ).fit(units)
        except FairclustersError:  # cannot repair, or nothing to cluster on: no start
            continue
        labels = improve(np.unique(azp.labels_, return_inverse=True)[1])
        key = canonical_labels(labels)
        if key in found:
            break
        found.add(key)
        value = pmedian_value(labels, d)
        if best is None or value < best[0] - 1e-9 * max(1.0, abs(value)):
            best = (value, labels)
    return None if best is None else best[1]


def pmedian_improver(
    rules: CompiledRules, d: np.ndarray, *, deadline: float | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """``labels -> improved labels``: :func:`improve_pmedian` and :func:`recombine_pairs` in turn.

    Units fixed to a cluster or bound together with others do not move; the
    rules on apart groups and purity are not known to the moves, so the
    caller checks the result (:meth:`CompiledRules.violations
    <clustering.compiled_rules.CompiledRules.violations>`). Every call stops
    improving at ``deadline`` (a ``time.perf_counter()`` value).
    """

    def improve(labels: np.ndarray) -> np.ndarray:
        _, labels = np.unique(labels, return_inverse=True)
        value = pmedian_value(labels, d)
        while True:
            labels = improve_pmedian(labels, d, rules, deadline=deadline)
            if rules.contiguous:
                labels = recombine_pairs(labels, d, rules, deadline=deadline)
            new = pmedian_value(labels, d)
            if new >= value - 1e-9 * max(1.0, value):
                return labels
            if deadline is not None and time.perf_counter() > deadline:
                return labels
            value = new

    return improve
