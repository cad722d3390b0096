r"""Bound repair for the local search: min-cost flow along borders, tree partitions, diagnosis.

:class:`~clustering.estimators.AZPLocalSearch` first mends contiguity, then
the count and weight bounds. This module holds the bound repair of its default
``repair="flow"``:

1. **Flow balancing** (:func:`balance_by_flow`). On the graph of clusters
   (an arc each way between bordering clusters, cost 1 per unit of the
   measure moved), a minimum-cost flow (:func:`networkx.min_cost_flow`, the
   network simplex) sends each over-bound cluster's surplus to clusters with
   room, by the fewest border crossings. Cluster :math:`c` of total
   :math:`t_c` must end with a net inflow :math:`x_c` such that
   :math:`t_c + x_c` lies in the target band :math:`[L+m, U-m]` (``m`` a
   margin against the granularity of units); a cluster already within
   :math:`[L, U]` may also stay where it is. The flows are then *realised*:
   along each arc ``a -> b`` carrying ``f``, border units of ``a`` touching
   ``b`` move to ``b`` (each with whatever of ``a`` it would cut off, so
   that every cluster stays connected: :meth:`_State.block`) until ``f`` is
   matched as closely as whole units allow. Rounds repeat, with margins
   varied, while the total bound excess drops.
2. **Regional rebuilds** (:func:`rebuild_region`): the clusters still out of
   bounds and their neighbours (one ring, then two...) are merged and cut
   anew into as many clusters by :func:`tree_partition`, then balanced again.
3. **Global restarts**: the whole unit set cut by :func:`tree_partition`.

:func:`tree_partition` is recursive bisection of random spanning trees (as
GerryChain's ``recursive_tree_part`` builds a first districting plan): an
edge of a random spanning tree is cut where the two sides can hold
:math:`k_1` and :math:`k - k_1` clusters within the bounds
(:meth:`~clustering.compiled_rules.CompiledRules.cluster_count_range`), with
average totals closest to the middle of the bounds; both sides are
connected, and each is cut again until single clusters remain.

When no plan is found, :func:`repair_error` says why in terms of the rules:
which clusters remain over or under which bound, by how much, and how much
their neighbours could spare (:class:`RepairError`).

Every bound and connectivity test is that of the
:class:`~clustering.compiled_rules.CompiledRules` of the request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from ..bitsets import bits, components, mask_of, spanning_tree
from ..compiled_rules import CompiledRules
from ..errors import InfeasibleError

if TYPE_CHECKING:
    from .local_search import _State

__all__ = ["BoundShortfall", "RepairError", "tree_partition"]

# Least decrease of the bound excess that counts as progress.
_GAIN = 1e-12
# The flow's super node (clusters are 0..k-1).
_SINK = -1
# Target margins tried in turn, as fractions of the bound width.
_MARGINS = (0.25, 0.0, 0.4, 0.1)


@dataclass(frozen=True)
class _Measure:
    """One bounded quantity: member counts or weights, with its bounds (slack included)."""

    name: str
    values: np.ndarray
    low: float
    high: float
    quantum: float

    def totals(self, state: _State) -> np.ndarray:
        return state.count if self.name == "count" else state.wsum

    def excess(self, total: float) -> float:
        return max(self.low - total, 0.0) + max(total - self.high, 0.0)


def _measures(rules: CompiledRules) -> list[_Measure]:
    """The bounded measures of ``rules``: counts when bounded, then weights when bounded."""
    out = []
    low, high = rules.size
    if low > 1 or high < rules.n:
        out.append(_Measure("count", np.ones(rules.n), float(low), float(high), 1.0))
    if rules.weights is not None and rules.weight_bounds is not None:
        w_low, w_high = rules.weight_bounds
        slack = rules.weight_slack
        width = max(w_high - w_low, 1e-3 * max(abs(w_high), 1.0))
        out.append(_Measure("weight", np.asarray(rules.weights, dtype=float), w_low - slack,
                            w_high + slack, width / 1000))
    return out


# -- flow balancing ---------------------------------------------------------------------
def _flow_arcs(state: _State, measure: _Measure, margin: float
               ) -> list[tuple[int, int, float]]:
    """The arcs ``(a, b, amount)`` of a minimum-cost flow bringing every cluster into band.

    Empty when no flow exists (the totals cannot all fit) or none is needed.
    """
    totals, q = measure.totals(state), measure.quantum
    lo_t, hi_t = measure.low + margin, measure.high - margin
    if lo_t > hi_t:
        lo_t = hi_t = (measure.low + measure.high) / 2
    graph = nx.DiGraph()
    supply = 0
    for c in range(state.k):
        t = float(totals[c])
        lo, hi = lo_t - t, hi_t - t
        if measure.low <= t <= measure.high:  # within bounds: may also stay put
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        lo_i, hi_i = math.ceil(lo / q - 1e-9), math.floor(hi / q + 1e-9)
        if lo_i > hi_i:
            lo_i = hi_i = round((lo + hi) / 2 / q)
        # Net inflow x_c in [lo_i, hi_i]: a fixed demand plus optional slack to the sink.
        demand = lo_i if lo_i >= 0 else (hi_i if hi_i <= 0 else 0)
        graph.add_node(c, demand=demand)
        supply += demand
        if hi_i > max(lo_i, 0):
            graph.add_edge(c, _SINK, capacity=hi_i - max(lo_i, 0), weight=0)
        if min(hi_i, 0) > lo_i:
            graph.add_edge(_SINK, c, capacity=min(hi_i, 0) - lo_i, weight=0)
    graph.add_node(_SINK, demand=-supply)
    for a, near in enumerate(state.cluster_adjacency()):
        for b in sorted(near):
            graph.add_edge(a, b, weight=1)
    try:
        flow = nx.min_cost_flow(graph)
    except (nx.NetworkXUnfeasible, nx.NetworkXUnbounded):
        return []
    arcs = [(a, b, f * q) for a, out in flow.items() if a != _SINK
            for b, f in out.items() if b != _SINK and f > 0]
    return sorted(arcs, key=lambda arc: (-arc[2], arc[0], arc[1]))


def _others_ok(state: _State, a: int, b: int, block: list[int],
               others: Sequence[_Measure]) -> bool:
    """Whether moving ``block`` from ``a`` to ``b`` leaves every other measure no further out."""
    for m in others:
        totals, moved = m.totals(state), float(m.values[block].sum())
        before = m.excess(totals[a]) + m.excess(totals[b])
        if m.excess(totals[a] - moved) + m.excess(totals[b] + moved) > before + _GAIN:
            return False
    return True


def _realise(state: _State, arc: tuple[int, int, float], measure: _Measure,
             others: Sequence[_Measure], moved: set[int]) -> None:
    """Move border units of ``a`` into ``b`` until the arc's amount is matched best."""
    a, b, remaining = arc
    labels = state.labels
    while remaining > measure.quantum / 2:
        best = None
        for i in sorted(state.members[a]):
            if i in moved or not any(labels[j] == b for j in state.nbrs[i]):
                continue
            block = state.block(i)
            if block is None or (len(block) > 1 and not moved.isdisjoint(block)):
                continue
            amount = float(measure.values[block].sum())
            if amount >= 2 * remaining or not _others_ok(state, a, b, block, others):
                continue  # overshooting more than stopping short
            key = (round(abs(remaining - amount) / measure.quantum), len(block),
                   state.delta(i, b), i)
            if best is None or key < best[0]:
                best = (key, block, amount)
        if best is None:
            return
        for u in best[1]:
            state.move(u, b)
            moved.add(u)
        remaining -= best[2]


def restore(state: _State, labels: np.ndarray) -> None:
    """Put ``state`` back to ``labels`` (a plan it held, or any plan with ``k`` clusters)."""
    for i in np.flatnonzero(state.labels != labels).tolist():
        state.move(i, int(labels[i]))


def balance_by_flow(state: _State, *, deadline: float | None = None,
                    max_rounds: int | None = None) -> bool:
    """Flow-balancing rounds on ``state`` while the bound excess drops; whether it is zero.

    Each round solves :func:`_flow_arcs` for the first measure still out of
    bounds (counts before weights) and realises the arcs; a round that does
    not lower the total excess (:meth:`_State.violation`) counts as a stall,
    and the next one tries another margin. The best plan seen is kept.
    """
    measures = _measures(state.rules)
    rounds = max_rounds if max_rounds is not None else 4 * state.k + 20
    best_value, best_labels, stall = state.violation(), state.labels.copy(), 0
    for step in range(rounds):
        if best_value <= 0 or stall >= 2 * len(_MARGINS) or _past(deadline):
            break
        out = [m for m in measures
               if any(m.excess(t) > 0 for t in m.totals(state))]
        if not out:
            break
        measure = out[(step if stall else 0) % len(out)]
        others = [m for m in measures if m is not measure]
        margin = _MARGINS[stall % len(_MARGINS)] * (measure.high - measure.low)
        moved: set[int] = set()
        for arc in _flow_arcs(state, measure, margin):
            _realise(state, arc, measure, others, moved)
        value = state.violation()
        if value < best_value - _GAIN:
            best_value, best_labels, stall = value, state.labels.copy(), 0
        else:
            stall += 1
    restore(state, best_labels)
    return state.violation() <= 0


def _past(deadline: float | None) -> bool:
    """Whether ``deadline`` (a :func:`time.perf_counter` time) has passed (never if None)."""
    return deadline is not None and time.perf_counter() > deadline


# -- spanning-tree partitions -----------------------------------------------------------
def _random_tree(units: list[int], edges: np.ndarray, rng: np.random.Generator
                 ) -> tuple[list[int], dict[int, int]] | None:
    """A random spanning tree of ``units`` (Kruskal over shuffled ``edges``) as BFS order and
    parents; ``None`` when the units are not connected by the edges."""
    shuffled = edges[rng.permutation(len(edges))].tolist()
    return spanning_tree(units, ((a, b) for a, b in shuffled))


def _best_cut(rules: CompiledRules, order: list[int], up: dict[int, int], k: int,
              value: np.ndarray, ideal: float, accept: float):
    """The best cut of one tree: ``(key, unit below the cut, k1)`` or ``None``.

    ``key`` ranks first the cuts whose sides can hold their clusters
    (:meth:`~clustering.compiled_rules.CompiledRules.cluster_count_range`) with
    average totals within ``accept`` of ``ideal`` (relatively), by balance of
    ``k1`` against ``k - k1``; then the other cuts whose sides can hold their
    clusters, then the rest (each side at least as many units as clusters),
    by deviation.
    """
    weights = rules.weights
    sub_v = {u: float(value[u]) for u in order}
    sub_c = dict.fromkeys(order, 1)
    sub_w = {u: float(weights[u]) for u in order} if weights is not None else None
    for u in reversed(order[1:]):
        sub_v[up[u]] += sub_v[u]
        sub_c[up[u]] += sub_c[u]
        if sub_w is not None:
            sub_w[up[u]] += sub_w[u]
    root = order[0]
    best = None
    for u in order[1:]:
        va, vb = sub_v[u], sub_v[root] - sub_v[u]
        ca, cb = sub_c[u], sub_c[root] - sub_c[u]
        wa = None if sub_w is None else sub_w[u]
        wb = None if sub_w is None else sub_w[root] - sub_w[u]
        for k1 in {max(1, min(k - 1, math.floor(va / ideal))),
                   max(1, min(k - 1, math.ceil(va / ideal)))}:
            if ca < k1 or cb < k - k1:
                continue
            low_a, high_a = rules.cluster_count_range(ca, wa)
            low_b, high_b = rules.cluster_count_range(cb, wb)
            fits = low_a <= k1 <= high_a and low_b <= k - k1 <= high_b
            dev = max(abs(va / k1 - ideal), abs(vb / (k - k1) - ideal)) / ideal
            if not fits:
                key = (2, dev, 0)
            else:
                key = (0, -min(k1, k - k1), dev) if dev <= accept else (1, dev, 0)
            if best is None or key < best[0]:
                best = (key, u, k1)
    return best


def _tree_split(rules: CompiledRules, mask: int, k: int, rng: np.random.Generator,
                tries: int, strict: bool = True) -> list[tuple[int, int]] | None:
    """Cut the connected units of ``mask`` into two connected sides for ``k1`` and ``k - k1``
    clusters: the best cut over up to ``tries`` random spanning trees (see
    :func:`_best_cut`). ``None`` when the units are not connected, or when
    ``strict`` and no cut leaves sides able to hold their clusters."""
    units = bits(mask)
    inside = np.zeros(rules.n, dtype=bool)
    inside[units] = True
    edges = rules.edges[inside[rules.edges[:, 0]] & inside[rules.edges[:, 1]]]
    if rules.weights is not None and rules.weight_bounds is not None:
        value, (low, high) = np.asarray(rules.weights, dtype=float), rules.weight_bounds
    else:
        value, (low, high) = np.ones(rules.n), rules.size
    ideal = (low + high) / 2
    accept = (high - low) / (8 * ideal) if ideal > 0 else 0.0
    best = None
    for _ in range(tries):
        tree = _random_tree(units, edges, rng)
        if tree is None:
            return None
        cut = _best_cut(rules, *tree, k, value, ideal, accept)
        if cut is not None and (best is None or cut[0] < best[0][0]):
            best = (cut, tree)
        if best is not None and best[0][0][0] == 0:
            break
    if best is None or (strict and best[0][0][0] == 2):
        return None
    (_, below, k1), (order, up) = best
    side = {below}
    for u in order[order.index(below) + 1:]:
        if up[u] in side:
            side.add(u)
    part = mask_of(side)
    return [(part, k1), (mask & ~part, k - k1)]


def tree_partition(rules: CompiledRules, mask: int, k: int, rng: np.random.Generator, *,
                   tries: int = 10, best_effort: bool = False) -> list[int] | None:
    """Cut the connected units of ``mask`` into ``k`` connected clusters within the bounds.

    Recursive bisection of random spanning trees over the borders
    (``rules.edges``): each cut leaves two connected sides whose member
    counts and weights admit their numbers of clusters
    (:meth:`~clustering.compiled_rules.CompiledRules.cluster_count_range`),
    so single clusters come out within the count and weight bounds.

    Parameters
    ----------
    rules : CompiledRules
        The rules (bounds and borders).
    mask : int
        The units to cut (a bit mask); they must be connected by borders.
    k : int
        Number of clusters.
    rng : numpy.random.Generator
        Draws the spanning trees.
    tries : int, default 10
        Spanning trees drawn at most per cut before the best cut found is taken.
    best_effort : bool, default False
        When no partition within the bounds is found, return the one of the
        best cuts anyway (connected, some clusters out of bounds: a start
        for the repair) instead of ``None``.

    Returns
    -------
    list of int or None
        The ``k`` cluster masks, or ``None`` when some cut found no side able
        to hold its clusters (and not ``best_effort``), or the units are not
        connected.

    Examples
    --------
    >>> from clustering.rules import ClusterRules
    >>> from clustering.synthetic import planar_unit_set
    >>> s = planar_unit_set(40, seed=0)
    >>> rules = ClusterRules.with_weight_tolerance(s, 4, 0.1, contiguous=True).compile(s)
    >>> parts = tree_partition(rules, (1 << 40) - 1, 4, np.random.default_rng(0))
    >>> len(parts), all(rules.cluster_ok(p) for p in parts)
    (4, True)
    """
    budget = [max(20, 2 * k)]  # cuts left to try, over all backtracking
    parts = _partition(rules, mask, k, rng, tries, budget)
    if parts is None and best_effort:
        parts = _partition(rules, mask, k, rng, tries, None)
    return None if parts is None else sorted(parts, key=lambda p: p & -p)


def _partition(rules: CompiledRules, mask: int, k: int, rng: np.random.Generator,
               tries: int, budget: list[int] | None) -> list[int] | None:
    """:func:`tree_partition` by recursion: a side that cannot be cut sends its parent back
    to cut anew (another draw of trees), while ``budget[0]`` cuts remain; with no budget
    (``None``), each cut is the best found, whether or not its sides can hold their
    clusters."""
    if k == 1:
        return [mask]
    if budget is None:
        halves = _tree_split(rules, mask, k, rng, tries, strict=False)
        if halves is None:
            return None
        (first, k1), (second, k2) = halves
        left = _partition(rules, first, k1, rng, tries, budget)
        right = None if left is None else _partition(rules, second, k2, rng, tries, budget)
        return None if right is None else left + right
    while budget[0] > 0:
        budget[0] -= 1
        halves = _tree_split(rules, mask, k, rng, tries)
        if halves is None:
            return None
        (first, k1), (second, k2) = halves
        left = _partition(rules, first, k1, rng, tries, budget)
        right = None if left is None else _partition(rules, second, k2, rng, tries, budget)
        if right is not None:
            return left + right
    return None


def rebuild_region(state: _State, rng: np.random.Generator, radius: int) -> bool:
    """Cut anew the clusters out of bounds and their neighbours within ``radius`` rings.

    Each connected part of the region is cut by :func:`tree_partition` into
    as many clusters as it holds; the new clusters take the labels of the
    old ones they overlap most. Whether the region was rebuilt (``False``
    leaves ``state`` unchanged).
    """
    k = state.k
    region = {c for c in range(k) if state.cluster_violation(c)}
    adjacent = state.cluster_adjacency()
    for _ in range(radius):
        region |= {d for c in region for d in adjacent[c]}
    union = 0
    for c in region:
        union |= state.masks[c]
    new_labels = state.labels.copy()
    for part in components(union, state.rules.border_masks):
        old = sorted(c for c in region if state.masks[c] & part)
        if any(state.masks[c] & ~part for c in old):
            return False  # a cluster spans parts (no contiguity): leave it
        pieces = tree_partition(state.rules, part, len(old), rng, best_effort=True)
        if pieces is None:
            return False
        for c, piece in _match(pieces, old, state.masks):
            new_labels[bits(piece)] = c
    restore(state, new_labels)
    return True


def _match(pieces: list[int], old: list[int], masks: list[int]) -> list[tuple[int, int]]:
    """Pair new pieces with old cluster labels, largest overlaps first (fewest moves)."""
    pairs = sorted(((-(p & masks[c]).bit_count(), c, j) for j, p in enumerate(pieces)
                    for c in old))
    used_c, used_p, out = set(), set(), []
    for _, c, j in pairs:
        if c not in used_c and j not in used_p:
            used_c.add(c)
            used_p.add(j)
            out.append((c, pieces[j]))
    return out


# -- diagnosis ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoundShortfall:
    """A cluster outside one bound in the best plan found.

    Attributes
    ----------
    cluster : str
        The cluster, named as :meth:`CompiledRules.violations` names it (``"C1"``...).
    bound : str
        ``"count minimum"``, ``"count maximum"``, ``"weight minimum"`` or ``"weight maximum"``.
    value : float
        The cluster's member count or weight.
    limit : float
        The bound it misses.
    spare : tuple of (str, float)
        Each neighbouring cluster with what it could give (minimum) or take
        (maximum) before reaching the same bound.

    Examples
    --------
    >>> s = BoundShortfall("C2", "count maximum", 14, 13, (("C1", 2), ("C5", 0)))
    >>> for part in (s.by, *str(s).split(" (")):
    ...     print(part)
    1
    cluster 'C2' has 14 members, 1 above the count maximum 13, 7.7%
    what its neighbours could take: C1 +2, C5 +0)
    """

    cluster: str
    bound: str
    value: float
    limit: float
    spare: tuple[tuple[str, float], ...] = ()

    @property
    def by(self) -> float:
        """How far the cluster is beyond its bound."""
        return abs(self.value - self.limit)

    def __str__(self) -> str:
        side = "below" if self.bound.endswith("minimum") else "above"
        has = (f"has {self.value:,.0f} members" if self.bound.startswith("count")
               else f"weighs {self.value:,.6g}")
        share = f", {self.by / self.limit:.1%}" if self.limit else ""
        near = ", ".join(f"{name} {amount:+,.6g}" for name, amount in self.spare[:6])
        verb = "give" if side == "below" else "take"
        return (f"cluster {self.cluster!r} {has}, {self.by:,.6g} {side} the {self.bound} "
                f"{self.limit:,.6g}{share}" + (f" (what its neighbours could {verb}: {near})"
                                                if near else " (no neighbouring cluster)"))


class RepairError(InfeasibleError):
    """No plan within the bounds was found: which clusters miss which bound, and by how much.

    Attributes
    ----------
    reason : str
        ``"repair"``, or ``"time_limit"`` when the time ran out first.
    shortfalls : tuple of BoundShortfall
        The clusters of the best plan found that are still out of bounds.
    excess : float
        Their total excess (members, plus weight over the mean unit weight).

    Examples
    --------
    A star (centre weighing 1, four leaves weighing 2) cannot make two
    contiguous clusters weighing 4 to 5: a cluster without the centre is a leaf.

    >>> from clustering.estimators import AZPLocalSearch
    >>> from clustering.units import UnitSet
    >>> star = UnitSet([{"id": str(i), "name": str(i), "weight": 1.0 if i == 0 else 2.0,
    ...                  "indicators": {"x": float(i)}} for i in range(5)],
    ...                [("0", str(i)) for i in range(1, 5)])
    >>> try:
    ...     AZPLocalSearch(2, weight_bounds=(4, 5), max_restarts=2, random_state=0).fit(star)
    ... except RepairError as exc:
    ...     print(exc.reason, [(s.cluster, s.bound, s.by) for s in exc.shortfalls])
    repair [('C1', 'weight maximum', 2.0), ('C2', 'weight minimum', 2.0)]
    """

    def __init__(self, message: str, *, reason: str,
                 shortfalls: Sequence[BoundShortfall] = (), excess: float = 0.0) -> None:
        super().__init__(message, reason=reason)
        self.shortfalls = tuple(shortfalls)
        self.excess = float(excess)


def bound_shortfalls(state: _State) -> list[BoundShortfall]:
    """Every cluster of ``state`` outside a count or weight bound, worst first."""
    rules, out = state.rules, []
    adjacent = state.cluster_adjacency()
    name = [f"C{c + 1}" for c in range(state.k)]
    bounds = [("count", state.count, rules.size)]
    if state.wsum is not None and rules.weight_bounds is not None:
        bounds.append(("weight", state.wsum, rules.weight_bounds))
    for what, totals, (low, high) in bounds:
        slack = rules.weight_slack if what == "weight" else 0.0
        for c in range(state.k):
            t = float(totals[c])
            if t < low - slack:
                spare = [(name[d], float(totals[d]) - low) for d in sorted(adjacent[c])]
                out.append(BoundShortfall(name[c], f"{what} minimum", t, low, tuple(spare)))
            elif t > high + slack:
                spare = [(name[d], high - float(totals[d])) for d in sorted(adjacent[c])]
                out.append(BoundShortfall(name[c], f"{what} maximum", t, high, tuple(spare)))
    scale = {"count": 1.0, "weight": state.scale}
    return sorted(out, key=lambda s: (-s.by / scale[s.bound.split()[0]], s.cluster))


def repair_error(state: _State, tried: str, *, reason: str = "repair") -> RepairError:
    """The error saying which bounds bind in ``state`` (the best plan found) after ``tried``."""
    found = bound_shortfalls(state)
    binding: dict[str, list[BoundShortfall]] = {}
    for s in found:
        binding.setdefault(s.bound, []).append(s)
    summary = "; ".join(
        f"the {bound} {group[0].limit:,.6g} binds for {len(group)} cluster(s), "
        f"short by {sum(s.by for s in group):,.6g} in total"
        for bound, group in binding.items())
    detail = "; ".join(map(str, found[:8])) + (" ..." if len(found) > 8 else "")
    message = (f"cannot repair the plan within the rules ({tried}); in the best plan found "
               f"{summary}: {detail}")
    return RepairError(message, reason=reason, shortfalls=found, excess=state.violation())
