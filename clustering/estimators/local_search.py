r"""Local search over boundary moves (AZP with a tabu list) that keeps every rule.

Given a start plan (any estimator's ``plan_``, a :class:`~clustering.plan.Plan`,
labels, or Ward by default), the search

1. **repairs** it if it breaks the rules: pieces cut off from a cluster are
   merged into the neighbouring cluster they fit best (contiguity), then
   *ejection chains* shift one unit along a path of neighbouring clusters from
   a cluster that is too large towards one with room, or towards a cluster
   that is too small from one with a surplus (each link keeps its cluster
   connected); a chain is kept only if the total bound violation drops. When
   no chain helps, a violated cluster and a neighbour are merged and re-split
   along a spanning-tree edge (a greedy ReCom step), and for weight bounds two
   border units may be swapped. A plan
   that cannot be repaired raises :class:`~clustering.errors.InfeasibleError`
   listing what is still broken (from :func:`clustering.rules.plan_violations`).
2. **improves** it (Openshaw's AZP): move a unit to a neighbouring cluster when
   that lowers Ward's criterion and keeps both clusters within bounds and the
   source cluster connected; sweep until no move helps; then a tabu phase
   takes the best admissible move even when it worsens the objective, forbids
   the reverse move for ``tabu_length`` steps, and stops after ``max_iter``
   steps without a new best.

The best plan seen is returned, so the result is never worse than the start
(after repair). The change of Ward's criterion when unit ``i`` leaves ``a``
for ``b`` is computed in O(p) from cluster sizes and means:

.. math::

    \Delta = \frac{n_b}{n_b+1}\lVert x_i-\mu_b\rVert^2
             - \frac{n_a}{n_a-1}\lVert x_i-\mu_a\rVert^2 .
"""

from __future__ import annotations

import itertools
from collections import deque
from numbers import Integral
from typing import ClassVar

import networkx as nx
import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from ..errors import InfeasibleError, PlanError
from ..plan import Plan
from ..rules import plan_violations
from .base import (
    BOUND_CONSTRAINTS,
    COMMON_CONSTRAINTS,
    ClusteringEstimator,
    allocate_clusters,
    capped_ward,
    ward_labels,
    within_sum_of_squares,
)

__all__ = ["AZPLocalSearch"]

_EPS = 1e-12


class _State:
    """A plan under search: labels plus per-cluster counts, weights and feature sums."""

    def __init__(self, features, neighbors, labels, k, weights, size, weight_bounds, contiguous):
        self.x = features
        self.sq = (features**2).sum(axis=1)
        self.nbrs = neighbors
        self.labels = np.asarray(labels, dtype=int).copy()
        self.k = k
        self.w = weights
        n = len(self.labels)
        self.size = size if size is not None else (1, n)
        self.wb = weight_bounds
        self.contiguous = contiguous
        self.scale = float(weights.mean()) if weights is not None and weights.mean() > 0 else 1.0
        self.members = [set() for _ in range(k)]
        for i, c in enumerate(self.labels):
            self.members[c].add(i)
        self.count = np.bincount(self.labels, minlength=k).astype(float)
        self.sums = np.zeros((k, features.shape[1]))
        np.add.at(self.sums, self.labels, features)
        self.wsum = (
            np.bincount(self.labels, weights=weights, minlength=k) if weights is not None else None
        )

    # -- objective -----------------------------------------------------------
    def objective(self) -> float:
        return float(self.sq.sum() - ((self.sums**2).sum(axis=1) / self.count).sum())

    def delta(self, i: int, b: int) -> float:
        a = self.labels[i]
        na, nb = self.count[a], self.count[b]
        xi = self.x[i]
        add = nb / (nb + 1) * float(((xi - self.sums[b] / nb) ** 2).sum())
        rem = na / (na - 1) * float(((xi - self.sums[a] / na) ** 2).sum()) if na > 1 else 0.0
        return add - rem

    def move(self, i: int, b: int) -> None:
        a = self.labels[i]
        self.labels[i] = b
        self.members[a].discard(i)
        self.members[b].add(i)
        self.count[a] -= 1
        self.count[b] += 1
        self.sums[a] -= self.x[i]
        self.sums[b] += self.x[i]
        if self.wsum is not None:
            self.wsum[a] -= self.w[i]
            self.wsum[b] += self.w[i]

    # -- rules -----------------------------------------------------------------
    def cluster_violation(self, c: int, dn: float = 0.0, dw: float = 0.0) -> float:
        n = self.count[c] + dn
        v = max(self.size[0] - n, 0.0) + max(n - self.size[1], 0.0)
        if self.wsum is not None:
            w = self.wsum[c] + dw
            v += (max(self.wb[0] - w, 0.0) + max(w - self.wb[1], 0.0)) / self.scale
        return v

    def violation(self) -> float:
        return sum(self.cluster_violation(c) for c in range(self.k))

    def within_bounds_after(self, i: int, b: int) -> bool:
        a = self.labels[i]
        w = self.w[i] if self.w is not None else 0.0
        return (
            self.cluster_violation(a, -1, -w) <= _EPS
            and self.cluster_violation(b, +1, +w) <= _EPS
        )

    def stays_connected(self, i: int) -> bool:
        """Whether cluster ``labels[i]`` minus ``i`` is still connected (and not empty)."""
        a = self.labels[i]
        rest = self.members[a]
        if len(rest) <= 1:
            return False  # a cluster may not be emptied
        if not self.contiguous:
            return True
        inside = [j for j in self.nbrs[i] if self.labels[j] == a]
        if len(inside) == 0:
            return False  # i alone is a piece: moving it is a repair, not a move
        if len(inside) == 1:
            return True  # a leaf of its cluster
        seen, queue = {inside[0]}, deque([inside[0]])
        while queue:
            u = queue.popleft()
            for v in self.nbrs[u]:
                if v != i and v not in seen and self.labels[v] == a:
                    seen.add(v)
                    queue.append(v)
        return len(seen) == len(rest) - 1

    def block(self, i: int) -> list[int] | None:
        """``i`` plus the pieces of its cluster it would cut off (all but the largest).

        ``None`` when moving them would empty the cluster. Without contiguity
        the block is ``[i]``.
        """
        a = self.labels[i]
        if len(self.members[a]) <= 1:
            return None
        if not self.contiguous or self.stays_connected(i):
            return [i]
        self.labels[i] = -1  # hide i while finding the pieces it separates
        self.members[a].discard(i)
        pieces = self.pieces(a)
        self.members[a].add(i)
        self.labels[i] = a
        pieces.sort(key=lambda p: (-len(p), min(p)))
        return [i] + [u for p in pieces[1:] for u in p]

    def neighbour_clusters(self, i: int) -> set[int]:
        a = self.labels[i]
        return {self.labels[j] for j in self.nbrs[i]} - {a}

    def pieces(self, c: int) -> list[list[int]]:
        todo, out = set(self.members[c]), []
        while todo:
            start = todo.pop()
            piece, queue = [start], deque([start])
            while queue:
                u = queue.popleft()
                for v in self.nbrs[u]:
                    if v in todo:
                        todo.discard(v)
                        piece.append(v)
                        queue.append(v)
            out.append(piece)
        return out


def _objective(problem, labels) -> float:
    return within_sum_of_squares(problem.features, labels)


class AZPLocalSearch(ClusteringEstimator):
    """Improve (and if needed repair) a start plan by boundary moves, keeping every rule.

    Parameters
    ----------
    n_clusters : int, optional
        Number of clusters; default: that of ``init`` when it is a plan or
        labels, else 8.
    init : {"auto", "ward", "kmeans"}, Plan or array of labels, default "auto"
        Start plan. ``"auto"`` searches from both built-in starts and keeps
        the better result (a start that cannot be repaired is skipped); on
        thousands of units the k-means start costs tens of seconds, so pass
        ``init="ward"`` there.
        ``"ward"`` runs Ward along borders with merges capped at the size
        maximum (:func:`~clustering.estimators.base.capped_ward`) on each
        adjacency component, with a number of clusters shared out by
        :func:`~clustering.estimators.base.allocate_clusters`; ``"kmeans"``
        runs :class:`~clustering.estimators.SizeConstrainedKMeans` (bounds met,
        contiguity then repaired). A Plan must be over the same unit set.
    size, weight_bounds, weight, contiguous
        The rules (see :class:`~clustering.rules.ClusterRules`); checked by
        :func:`~clustering.rules.check_feasible` before any work. Moves always
        go to a cluster bordering the unit, so without an adjacency graph
        there is nothing to move.
    indicators, log, geography
        The feature space of the objective (Ward's criterion).
    tabu_length : int, default 10
    max_iter : int, default 200
        Tabu steps without a new best before stopping (0: plain descent).
    max_repair_steps : int, optional
        Ejection chains tried during repair (default ``4 * n``).
    improve : bool, default True
        ``False`` only repairs the start plan (fewest moves to meet the rules,
        no descent or tabu search): to mend a planner's proposal, or a solver's
        nearly contiguous solution, without drifting from it.
    random_state : int, RandomState or None
        Order of the descent sweeps.

    Attributes
    ----------
    labels_, plan_, objective_, rules_, violations_ (always empty: fit raises otherwise)
    start_objective_ : float
        Objective of the start plan after repair.
    repaired_ : bool
        Whether the start plan broke a rule and was repaired.
    init_used_ : str or Plan or array
        The start the returned plan came from.
    n_moves_ : int
        Moves made in the improvement phase(s).

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.rules import plan_violations
    >>> vn = vietnam_provinces(2025)
    >>> azp = AZPLocalSearch(5, size=(6, 8), indicators=["grdp_per_capita"],
    ...                      random_state=0).fit(vn)
    >>> plan_violations(azp.plan_, azp.rules_), azp.objective_ <= azp.start_objective_
    ([], True)
    """

    _parameter_constraints: ClassVar[dict] = {
        **COMMON_CONSTRAINTS,
        **BOUND_CONSTRAINTS,
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "init": ["array-like", Plan, str],
        "tabu_length": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "max_repair_steps": [Interval(Integral, 0, None, closed="left"), None],
        "improve": ["boolean"],
    }

    def __init__(
        self,
        n_clusters: int | None = None,
        *,
        init="auto",
        size=None,
        weight_bounds=None,
        weight=None,
        contiguous: bool = True,
        indicators=None,
        log=(),
        geography: float = 0.0,
        tabu_length: int = 10,
        max_iter: int = 200,
        max_repair_steps: int | None = None,
        improve: bool = True,
        random_state=None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.size = size
        self.weight_bounds = weight_bounds
        self.weight = weight
        self.contiguous = contiguous
        self.indicators = indicators
        self.log = log
        self.geography = geography
        self.tabu_length = tabu_length
        self.max_iter = max_iter
        self.improve = improve
        self.max_repair_steps = max_repair_steps
        self.random_state = random_state

    # The rules need n_clusters; it may come from the start plan.
    @property
    def _k(self) -> int:
        if self.n_clusters is not None:
            return int(self.n_clusters)
        if isinstance(self.init, Plan):
            return self.init.n_clusters
        if not isinstance(self.init, str):
            return len(np.unique(np.asarray(self.init)))
        return 8

    def _check_cross_params(self) -> None:
        if isinstance(self.init, str) and self.init not in ("auto", "ward", "kmeans"):
            raise ValueError(
                f"init={self.init!r}; expected 'auto', 'ward', 'kmeans', a Plan or labels"
            )

    def fit(self, X, y=None, *, adjacency=None, sample_weight=None):
        """Search from ``init`` on ``X`` (a UnitSet, or arrays with ``adjacency``)."""
        problem = self._prepare(X, adjacency, sample_weight)
        unit_set = problem.unit_set
        k = self._k
        n_clusters, self.n_clusters = self.n_clusters, k
        try:
            rules = self._rules(problem)
        finally:
            self.n_clusters = n_clusters
        weights = unit_set.weights(rules.weight) if rules.weight_bounds is not None else None
        index = {uid: i for i, uid in enumerate(unit_set.ids)}
        neighbors = [
            [index[v] for v in unit_set.graph.neighbors(uid)] for uid in unit_set.ids
        ]
        auto = isinstance(self.init, str) and self.init == "auto"
        starts = ["ward", "kmeans"] if auto else [self.init]
        outcomes, failures = [], []
        self.n_moves_ = 0
        for init in starts:
            try:
                start = self._start_labels(problem, rules, weights, init, neighbors)
                if len(np.unique(start)) != k:
                    raise PlanError(
                        f"the start plan has {len(np.unique(start))} clusters, not {k}"
                    )
                _, start = np.unique(start, return_inverse=True)
                state = _State(problem.features, neighbors, start, k, weights, rules.size,
                               rules.weight_bounds, rules.contiguous)
                repaired = self._repair(state, problem, rules)
                start_value = state.objective()
                labels = (
                    self._improve(state, check_random_state(self.random_state))
                    if self.improve
                    else state.labels.copy()
                )
                outcomes.append((_objective(problem, labels), len(outcomes), init, labels,
                                 repaired, start_value))
            except InfeasibleError as exc:
                if len(starts) == 1:
                    raise
                failures.append(f"{init}: {exc}")
        if not outcomes:
            raise InfeasibleError(
                "no start could be repaired: " + "; ".join(failures), reason="repair"
            )
        _, _, self.init_used_, best, self.repaired_, self.start_objective_ = min(
            outcomes, key=lambda o: o[:2]
        )
        self._finish(problem, best)
        if self.violations_:  # cannot happen unless there is a bug: never hide it
            raise InfeasibleError(
                "the local search produced a plan breaking the rules: "
                + "; ".join(map(str, self.violations_)),
                reason="repair",
            )
        return self

    # -- start -----------------------------------------------------------------
    def _start_labels(self, problem, rules, weights, init, neighbors) -> np.ndarray:
        unit_set = problem.unit_set
        if isinstance(init, Plan):
            if init.unit_set.ids != unit_set.ids:
                raise PlanError("init plan is over a different unit set (ids differ)")
            return init.labels
        if not isinstance(init, str):
            labels = np.asarray(init)
            if labels.shape != (len(unit_set),):
                raise PlanError(
                    f"init labels have shape {labels.shape}; expected ({len(unit_set)},)"
                )
            return labels
        if init == "kmeans":
            from .constrained_kmeans import SizeConstrainedKMeans

            km = SizeConstrainedKMeans(
                rules.n_clusters, size=rules.size, weight_bounds=rules.weight_bounds,
                weight=rules.weight, indicators=list(problem.indicators), log=self.log,
                geography=self._kmeans_geography(unit_set), n_init=1,
                random_state=self.random_state,
            ).fit(unit_set)
            return km.labels_
        # Ward per adjacency component, clusters shared so that bounds can be met.
        components = sorted(
            (sorted(unit_set.index(u) for u in c) for c in nx.connected_components(unit_set.graph)),
            key=lambda c: c[0],
        ) if rules.contiguous else [list(range(len(unit_set)))]
        low, high = rules.count_bounds(len(unit_set))
        lower, upper, totals = [], [], []
        for members in components:
            m = len(members)
            lo, hi = -(-m // high), m // low
            if weights is not None:
                w = float(weights[members].sum())
                w_lo, w_hi = rules.weight_bounds
                lo = max(lo, int(np.ceil(w / w_hi - 1e-9)))
                hi = min(hi, int(np.floor(w / w_lo + 1e-9)) if w_lo > 0 else hi)
                totals.append(w)
            else:
                totals.append(m)
            lower.append(max(lo, 1))
            upper.append(min(hi, m))
        shares = allocate_clusters(totals, lower, upper, rules.n_clusters)
        if not rules.contiguous:
            return ward_labels(problem.features, unit_set.graph, unit_set.ids,
                               n_clusters=rules.n_clusters, connectivity=False)
        # Ward along borders, merges capped at the size maximum, so that the
        # repair has little to do (plain Ward makes clusters of 1 and of 180).
        labels = np.empty(len(unit_set), dtype=int)
        offset = 0
        for members, k_c in zip(components, shares):
            labels[members] = offset + capped_ward(
                problem.features, neighbors, members, k_c,
                max_size=_cap(len(members), k_c, low, high),
                weights=weights,
                max_weight=rules.weight_bounds[1] if rules.weight_bounds else None,
            )
            offset += k_c
        return labels

    def _kmeans_geography(self, unit_set) -> float:
        """Geography weight of the k-means start: at least 0.5 (compact clusters need
        less contiguity repair) when coordinates exist, else the objective's own."""
        if all(u.lat is not None and u.lon is not None for u in unit_set):
            return max(float(self.geography), 0.5)
        return float(self.geography)

    # -- repair ----------------------------------------------------------------
    def _repair(self, state: _State, problem, rules) -> bool:
        repaired = False
        if rules.contiguous:
            repaired |= self._repair_contiguity(state)
        if state.violation() <= _EPS:
            return repaired
        steps = self.max_repair_steps if self.max_repair_steps is not None else 4 * len(state.x)
        for _ in range(steps):
            if state.violation() <= _EPS:
                return True
            if not (
                self._one_chain(state)
                or self._one_recombination(state)
                or self._one_swap(state)
            ):
                break
        if state.violation() > _EPS:
            labels = np.unique(state.labels, return_inverse=True)[1]
            broken = plan_violations(Plan.from_labels(problem.unit_set, labels), rules)
            raise InfeasibleError(
                "cannot repair the start plan within the rules; still broken: "
                + "; ".join(map(str, broken[:8])) + (" ..." if len(broken) > 8 else ""),
                reason="repair",
            )
        return True

    def _repair_contiguity(self, state: _State) -> bool:
        changed = False
        for c in range(state.k):
            pieces = state.pieces(c)
            if len(pieces) <= 1:
                continue
            changed = True
            pieces.sort(key=lambda p: (-len(p), min(p)))
            for piece in pieces[1:]:  # keep the largest piece, re-home the others whole
                touching = {state.labels[j] for i in piece for j in state.nbrs[i]} - {c}
                if not touching:
                    raise InfeasibleError(
                        f"cannot repair the start plan: cluster #{c} has a piece of "
                        f"{len(piece)} unit(s) touching no other cluster (a separate "
                        "adjacency component); give each component its own clusters",
                        reason="repair",
                    )

                def cost(b, piece=piece):
                    fits = state.count[b] + len(piece) <= state.size[1]
                    moved = state.x[piece]
                    nb, m = state.count[b], len(piece)
                    gap = moved.mean(axis=0) - state.sums[b] / nb
                    return (not fits, nb * m / (nb + m) * float((gap**2).sum()), b)

                target = min(touching, key=cost)
                for i in piece:
                    state.move(i, target)
        return changed

    def _one_chain(self, state: _State) -> bool:
        """Shift units along one path of clusters so that the total violation drops."""
        before = state.violation()
        order = sorted(range(state.k), key=lambda c: (-state.cluster_violation(c), c))
        adjacent = None  # cluster adjacency, unchanged by the chains undone below
        for c in order:
            if state.cluster_violation(c) <= _EPS:
                return False
            if adjacent is None:
                adjacent = [set() for _ in range(state.k)]
                for i, a in enumerate(state.labels):
                    for j in state.nbrs[i]:
                        if state.labels[j] != a:
                            adjacent[a].add(int(state.labels[j]))
            w_over = state.wsum is not None and state.wsum[c] > state.wb[1]
            over = state.count[c] > state.size[1] or w_over
            for path in self._paths(state, adjacent, c, over):
                moves = self._run_chain(state, path)
                if moves is not None and state.violation() < before - _EPS:
                    return True
                for i, a, _ in reversed(moves or []):
                    state.move(i, a)
        return False

    def _one_recombination(self, state: _State) -> bool:
        """Merge a violated cluster with a neighbour and re-split the union in two.

        The split cuts one edge of a minimum spanning tree of the union (edge
        lengths: feature distances), so both parts are connected; among the
        cuts leaving both parts within bounds the one with the least Ward
        criterion is taken (the ReCom move of GerryChain, made greedy).
        """
        before = state.violation()
        for c in sorted(range(state.k), key=lambda c: (-state.cluster_violation(c), c)):
            if state.cluster_violation(c) <= _EPS:
                return False
            best = None
            for d in sorted({state.labels[j] for i in state.members[c] for j in state.nbrs[i]}
                            - {c}):
                split = self._best_split(state, sorted(state.members[c] | state.members[d]))
                if split is not None and (best is None or split[0] < best[0]):
                    best = (split[0], d, split[1], split[2])
            if best is None:
                continue
            _, d, part_c, part_d = best
            saved = [(i, state.labels[i]) for i in part_c + part_d]
            for i in part_c:
                if state.labels[i] != c:
                    state.move(i, c)
            for i in part_d:
                if state.labels[i] != d:
                    state.move(i, d)
            if state.violation() < before - _EPS:
                return True
            for i, lab in saved:
                if state.labels[i] != lab:
                    state.move(i, lab)
        return False

    @staticmethod
    def _best_split(state: _State, union: list[int]):
        inside = set(union)
        graph = nx.Graph()
        graph.add_nodes_from(union)
        for i in union:
            for j in state.nbrs[i]:
                if j in inside and i < j:
                    graph.add_edge(i, j, weight=float(((state.x[i] - state.x[j]) ** 2).sum()))
        if not state.contiguous:
            graph = nx.complete_graph(union) if len(union) > 1 else graph
        tree = nx.minimum_spanning_tree(graph)
        if not nx.is_connected(tree):
            return None
        root = union[0]
        order = list(nx.dfs_preorder_nodes(tree, root))
        parent = {root: None}
        for u in order:
            for v in tree.neighbors(u):
                if v not in parent:
                    parent[v] = u
        below = {u: [u] for u in order}
        for u in reversed(order):
            if parent[u] is not None:
                below[parent[u]] += below[u]
        low, high = state.size
        total_w = float(state.w[union].sum()) if state.w is not None else 0.0
        best = None
        for u in order[1:]:
            part = below[u]
            m = len(part)
            if not (low <= m <= high and low <= len(union) - m <= high):
                continue
            if state.w is not None:
                w = float(state.w[part].sum())
                lo_w, hi_w = state.wb
                if not (lo_w <= w <= hi_w and lo_w <= total_w - w <= hi_w):
                    continue
            rest = sorted(inside - set(part))
            sse = sum(float(((state.x[p] - state.x[p].mean(axis=0)) ** 2).sum())
                      for p in (part, rest))
            if best is None or sse < best[0]:
                best = (sse, rest, sorted(part))
        return best

    def _one_swap(self, state: _State) -> bool:
        """Exchange two border units of neighbouring clusters if that cuts the violation.

        Swaps shift weight by ``w_i - w_j`` without changing counts: the fine
        adjustment that single moves of heavy units cannot make.
        """
        before = state.violation()
        best = None
        for c in sorted(range(state.k), key=lambda c: (-state.cluster_violation(c), c)):
            if state.cluster_violation(c) <= _EPS:
                break
            for i in sorted(state.members[c]):
                for b in sorted(state.neighbour_clusters(i)):
                    for j in sorted(state.members[b]):
                        if not any(state.labels[u] == c for u in state.nbrs[j]):
                            continue
                        wi = state.w[i] if state.w is not None else 0.0
                        wj = state.w[j] if state.w is not None else 0.0
                        after = (
                            before - state.cluster_violation(c) - state.cluster_violation(b)
                            + state.cluster_violation(c, 0, wj - wi)
                            + state.cluster_violation(b, 0, wi - wj)
                        )
                        if after < before - _EPS and (best is None or after < best[0]):
                            if self._swap_keeps_contiguity(state, i, j):
                                best = (after, i, j)
            if best is not None:
                break
        if best is None:
            return False
        _, i, j = best
        a, b = state.labels[i], state.labels[j]
        state.move(i, b)
        state.move(j, a)
        return True

    @staticmethod
    def _swap_keeps_contiguity(state: _State, i: int, j: int) -> bool:
        a, b = state.labels[i], state.labels[j]
        state.move(i, b)
        state.move(j, a)
        ok = not state.contiguous or (len(state.pieces(a)) == 1 and len(state.pieces(b)) == 1)
        state.move(i, a)
        state.move(j, b)
        return ok

    def _paths(self, state: _State, adjacent, c: int, over: bool, limit: int = 60):
        """Cluster paths from ``c`` (giving) or to ``c`` (receiving), shortest first."""
        parent = {c: None}
        queue = deque([c])
        found = 0
        while queue and found < limit:
            u = queue.popleft()
            for v in sorted(adjacent[u]):
                if v in parent:
                    continue
                parent[v] = u
                queue.append(v)
                good = (
                    state.count[v] < state.size[1] if over else state.count[v] > state.size[0]
                )
                if state.wsum is not None:
                    good = good and (
                        state.wsum[v] < state.wb[1] if over else state.wsum[v] > state.wb[0]
                    )
                if good:
                    path = [v]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    found += 1
                    # giving: c -> ... -> v ; receiving: v -> ... -> c
                    yield path[::-1] if over else path

    def _run_chain(self, state: _State, path: list[int]):
        """Move a block along each link of ``path``; ``None`` (state restored) if a link fails.

        A link ``a -> b`` moves a unit of ``a`` bordering ``b`` together with
        whatever of ``a`` it would cut off (see :meth:`_State.block`), so that
        ``a`` stays connected even when the border unit is an articulation point.
        """
        moves = []
        for a, b in itertools.pairwise(path):
            best = None
            for i in sorted(state.members[a]):
                if not any(state.labels[j] == b for j in state.nbrs[i]):
                    continue
                block = state.block(i)
                if block is None:
                    continue
                w = float(state.w[block].sum()) if state.w is not None else 0.0
                v = state.cluster_violation(a, -len(block), -w) + state.cluster_violation(
                    b, len(block), w
                )
                key = (v, len(block), state.delta(i, b), i)
                if best is None or key < best[0]:
                    best = (key, block)
            if best is None:
                for i, src, _ in reversed(moves):
                    state.move(i, src)
                return None
            for i in best[1]:
                moves.append((i, a, b))
                state.move(i, b)
        return moves

    # -- improvement --------------------------------------------------------------
    def _admissible(self, state: _State, i: int, b: int) -> bool:
        return state.within_bounds_after(i, b) and state.stays_connected(i)

    def _improve(self, state: _State, rng) -> np.ndarray:
        n = len(state.labels)
        # Descent: first-improvement sweeps in a seeded random order.
        improved = True
        while improved:
            improved = False
            for i in rng.permutation(n):
                options = sorted(
                    (state.delta(i, b), b) for b in state.neighbour_clusters(i)
                )
                for d, b in options:
                    if d >= -_EPS:
                        break
                    if self._admissible(state, i, b):
                        state.move(i, b)
                        self.n_moves_ += 1
                        improved = True
                        break
        best_labels, best_value = state.labels.copy(), state.objective()
        # Tabu phase (AZP-tabu): best admissible move, even uphill; no immediate return.
        tabu: dict[tuple[int, int], int] = {}
        current, stale, step = best_value, 0, 0
        while stale < self.max_iter:
            step += 1
            candidates = sorted(
                (state.delta(i, b), i, b)
                for i in range(n)
                for b in state.neighbour_clusters(i)
            )
            chosen = None
            for d, i, b in candidates:
                is_tabu = tabu.get((i, b), -1) >= step
                if is_tabu and current + d >= best_value - _EPS:
                    continue  # tabu, and no aspiration
                if self._admissible(state, i, b):
                    chosen = (d, i, b)
                    break
            if chosen is None:
                break
            d, i, b = chosen
            tabu[(i, int(state.labels[i]))] = step + self.tabu_length
            state.move(i, b)
            self.n_moves_ += 1
            current += d
            if current < best_value - 1e-10:
                best_value, best_labels, stale = current, state.labels.copy(), 0
            else:
                stale += 1
        return best_labels


def _cap(m: int, k: int, low: int, high: int) -> int:
    """Size cap of the Ward start: one above the mean size, within the bounds.

    Capping at the maximum itself packs dense areas full and strands small
    clusters elsewhere; one unit of slack per cluster lets repair chains pass.
    """
    return int(min(high, max(low, m // k + 1)))
