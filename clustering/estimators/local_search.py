r"""Local search over boundary moves (AZP with a tabu list) that keeps every rule.

Given a start plan (any estimator's ``plan_``, a :class:`~clustering.plan.Plan`,
labels, or Ward by default), the search

1. **repairs** it if it breaks the rules: pieces cut off from a cluster are
   merged into the neighbouring cluster they fit best (contiguity); then, by
   default (``repair="flow"``), a minimum-cost flow on the graph of clusters
   says how much of the count or weight surplus should cross each border, and
   border units are moved along it keeping every cluster connected
   (:mod:`clustering.estimators.repair`); what is left is mended by
   *ejection chains*, which shift one unit along a path of neighbouring clusters from
   a cluster that is too large towards one with room, or towards a cluster
   that is too small from one with a surplus (each link keeps its cluster
   connected); a chain is kept only if the total bound violation drops. When
   no chain helps, a violated cluster and a neighbour are merged and re-split
   along a spanning-tree edge (a greedy ReCom step), and for weight bounds two
   border units may be swapped. When bounds are still broken, the clusters
   out of bounds and their neighbours are cut anew by recursive bisection of
   random spanning trees, then the whole unit set (``max_restarts``
   attempts, within ``time_limit``). A plan that cannot be repaired raises
   :class:`~clustering.estimators.repair.RepairError` (an
   :class:`~clustering.errors.InfeasibleError`) naming the clusters still
   over or under which bound, by how much. ``repair="legacy"`` keeps the
   old repair (chains, ReCom and swaps only, no restart).
2. **improves** it (Openshaw's AZP): move a unit to a neighbouring cluster when
   that lowers Ward's criterion and keeps both clusters within bounds and the
   source cluster connected; sweep until no move helps; then a tabu phase
   takes the best admissible move even when it worsens the objective, forbids
   the reverse move for ``tabu_length`` steps, and stops after ``max_iter``
   steps without a new best.

Every bound and connectivity test is that of the
:class:`~clustering.compiled_rules.CompiledRules` of the request (one weight
tolerance, shared with :func:`~clustering.rules.plan_violations`), and the
split of a merged pair is :func:`clustering.bitsets.spanning_tree_cuts`.

The best plan seen is returned, so the result is never worse than the start
(after repair). The change of Ward's criterion when unit ``i`` leaves ``a``
for ``b`` is computed in O(p) from cluster sizes and means:

.. math::

    \Delta = \frac{n_b}{n_b+1}\lVert x_i-\mu_b\rVert^2
             - \frac{n_a}{n_a-1}\lVert x_i-\mu_a\rVert^2 .
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.utils import check_random_state

from ..bitsets import bits, components, is_connected, spanning_tree_cuts
from ..compiled_rules import CompiledRules
from ..errors import InfeasibleError, PlanError
from ..plan import Plan
from ._validation import BOOLEAN, InstanceOf, Interval, Options
from .base import (
    BOUND_CONSTRAINTS,
    COMMON_CONSTRAINTS,
    ClusteringEstimator,
    allocate_clusters,
    capped_ward,
    ward_labels,
    within_sum_of_squares,
)
from .repair import (
    RepairError,
    _past,
    balance_by_flow,
    rebuild_region,
    repair_error,
    restore,
    tree_partition,
)

__all__ = ["AZPLocalSearch"]

# Least decrease of the objective or of the bound excess that counts as progress,
# so that round-off never makes the search cycle. (Bounds themselves are checked
# by CompiledRules, with its one weight tolerance.)
_GAIN = 1e-12
#: ``init="auto"`` adds the k-means start only up to this many units (it costs tens
#: of seconds and over a gigabyte on the 3,321 communes).
AUTO_KMEANS_MAX_UNITS = 1000


class _State:
    """A plan under search: labels plus per-cluster members, counts, weights and feature sums.

    Bounds and connectivity are those of ``rules`` (one
    :class:`~clustering.compiled_rules.CompiledRules`, its weight tolerance
    included); clusters are kept both as sets and as bit masks for
    :mod:`clustering.bitsets`.

    Parameters
    ----------
    features : (n, p) array
        The objective's feature rows.
    rules : CompiledRules
        The rules, rows as in ``features``.
    labels : array of int
        A start plan with labels ``0..k-1``.
    k : int
        Number of clusters.
    """

    def __init__(self, features: np.ndarray, rules: CompiledRules, labels: np.ndarray,
                 k: int) -> None:
        self.x = features
        self.sq = (features**2).sum(axis=1)
        self.rules = rules
        self.nbrs = rules.neighbours  # borders: moves go to a cluster the unit touches
        self.links = rules.neighbour_masks  # what connects a cluster under the rules
        self.contiguous = rules.contiguous
        self.labels = np.asarray(labels, dtype=int).copy()
        self.k = k
        self.w = rules.weights
        weights = self.w
        self.scale = float(weights.mean()) if weights is not None and weights.mean() > 0 else 1.0
        # Python ints (indices may be numpy integers, whose shifts overflow at 64 bits).
        self.bit = [1 << i for i in range(len(self.labels))]
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.masks = [0] * k
        for i, c in enumerate(self.labels.tolist()):
            self.members[c].add(i)
            self.masks[c] |= self.bit[i]
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
        """Change of Ward's criterion if ``i`` moves to cluster ``b``."""
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
        self.masks[a] &= ~self.bit[i]
        self.masks[b] |= self.bit[i]
        self.count[a] -= 1
        self.count[b] += 1
        self.sums[a] -= self.x[i]
        self.sums[b] += self.x[i]
        if self.wsum is not None:
            self.wsum[a] -= self.w[i]
            self.wsum[b] += self.w[i]

    # -- rules -----------------------------------------------------------------
    def weight_of(self, units: int | list[int]) -> float:
        """Total weight of a unit or units (0 without weight bounds)."""
        return float(self.w[units].sum()) if self.w is not None else 0.0

    def cluster_violation(self, c: int, dn: float = 0.0, dw: float = 0.0) -> float:
        """How far cluster ``c`` gaining ``dn`` units weighing ``dw`` is outside its bounds."""
        total = self.wsum[c] + dw if self.wsum is not None else 0.0
        return self.rules.bound_excess(self.count[c] + dn, total, weight_scale=self.scale)

    def violation(self) -> float:
        """Total bound excess: zero exactly when every cluster is within bounds."""
        return sum(self.cluster_violation(c) for c in range(self.k))

    def too_large(self, c: int) -> bool:
        """Whether cluster ``c`` is above a maximum, so must give units rather than take them."""
        rules = self.rules
        if self.count[c] > rules.size[1]:
            return True
        return self.wsum is not None and (
            self.wsum[c] > rules.weight_bounds[1] + rules.weight_slack)

    def within_bounds_after(self, i: int, b: int) -> bool:
        a = self.labels[i]
        w = self.weight_of(i)
        wa = self.wsum[a] - w if self.wsum is not None else 0.0
        wb = self.wsum[b] + w if self.wsum is not None else 0.0
        return self.rules.bounds_ok(self.count[a] - 1, wa) and self.rules.bounds_ok(
            self.count[b] + 1, wb)

    def stays_connected(self, i: int) -> bool:
        """Whether cluster ``labels[i]`` minus ``i`` is still connected (and not empty)."""
        a = self.labels[i]
        if len(self.members[a]) <= 1:
            return False  # a cluster may not be emptied
        if not self.contiguous:
            return True
        inside = self.links[i] & self.masks[a]
        if not inside:
            return False  # i alone is a piece: moving it is a repair, not a move
        if not inside & (inside - 1):
            return True  # one neighbour inside: a leaf of its cluster
        return is_connected(self.masks[a] & ~self.bit[i], self.links)

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
        pieces = sorted(components(self.masks[a] & ~self.bit[i], self.links),
                        key=lambda p: (-p.bit_count(), p & -p))
        return [i] + [u for p in pieces[1:] for u in bits(p)]

    def cluster_adjacency(self) -> list[set[int]]:
        """The clusters each cluster borders."""
        label = self.labels.tolist()  # list indexing: much faster than numpy scalars here
        adjacent: list[set[int]] = [set() for _ in range(self.k)]
        for i, a in enumerate(label):
            for j in self.nbrs[i]:
                if label[j] != a:
                    adjacent[a].add(label[j])
        return adjacent

    def neighbour_clusters(self, i: int) -> set[int]:
        a = self.labels[i]
        return {self.labels[j] for j in self.nbrs[i]} - {a}

    def pieces(self, c: int) -> list[list[int]]:
        """The connected parts of cluster ``c`` under the rules, largest first."""
        parts = sorted(components(self.masks[c], self.links),
                       key=lambda p: (-p.bit_count(), p & -p))
        return [bits(p) for p in parts]

    def connected(self, c: int) -> bool:
        """Whether cluster ``c`` is connected under the rules (always, without contiguity)."""
        return not self.contiguous or is_connected(self.masks[c], self.links)


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
        more than :data:`AUTO_KMEANS_MAX_UNITS` units, where the k-means
        start costs tens of seconds, it uses the Ward start alone.
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
        Steps for which the reverse of a tabu move is forbidden.
    max_iter : int, default 200
        Tabu steps without a new best before stopping (0: plain descent).
    max_repair_steps : int, optional
        Ejection chains tried during repair (default ``4 * n`` with
        ``repair="legacy"``, ``2 * k + 10`` per round of the flow repair).
    repair : {"flow", "legacy"}, default "flow"
        How broken bounds are repaired: ``"flow"`` balances by minimum-cost
        flow, then chains, then restarts from spanning-tree partitions;
        ``"legacy"`` runs the chains, ReCom steps and swaps alone, from the
        start plan only (the behaviour before the flow repair, kept as a
        baseline).
    max_restarts : int, optional
        Restarts of the flow repair (regional rebuilds, then whole new
        partitions) when the start plan cannot be repaired; 0: none. Default
        ``20000 // n`` clamped to 10..100 (restarts are cheap on few units,
        about a second each on a thousand).
    improve : bool, default True
        ``False`` only repairs the start plan (fewest moves to meet the rules,
        no descent or tabu search): to mend a planner's proposal, or a solver's
        nearly contiguous solution, without drifting from it.
    time_limit : float, optional
        Seconds for the whole fit. The descent and the tabu search stop at it
        and keep the best plan so far; a repair still unfinished then raises
        :class:`~clustering.errors.InfeasibleError` (reason ``"time_limit"``),
        and ``"auto"`` tries no further start.
    random_state : int, RandomState or None
        Order of the descent sweeps and the spanning trees of the restarts.

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
        Moves made in the improvement phase(s), over every start tried.
    n_restarts_ : int
        Restarts of the flow repair (see ``max_restarts``), over every start tried.
    n_iter_ : int
        Iterations of the search that gave the returned plan: descent sweeps
        plus tabu steps (0 with ``improve=False``).
    n_clusters_ : int
        The number of clusters used (``n_clusters``, or that of the start plan).

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

    _parameter_checks: ClassVar[dict] = {
        **COMMON_CONSTRAINTS,
        **BOUND_CONSTRAINTS,
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "init": [Options(("auto", "ward", "kmeans")), InstanceOf((Plan,), "a Plan"),
                 InstanceOf((np.ndarray, list, tuple), "an array of labels")],
        "tabu_length": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "max_repair_steps": [Interval(Integral, 0, None, closed="left"), None],
        "repair": [Options(("flow", "legacy"))],
        "max_restarts": [Interval(Integral, 0, None, closed="left"), None],
        "improve": [BOOLEAN],
        "time_limit": [Interval(Real, 0, None, closed="neither"), None],
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
        repair: str = "flow",
        max_restarts: int | None = None,
        improve: bool = True,
        time_limit: float | None = None,
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
        self.repair = repair
        self.max_restarts = max_restarts
        self.time_limit = time_limit
        self.random_state = random_state

    def _n_clusters_for(self, init: object) -> int:
        """The number of clusters: the parameter, else that of a start plan or labels, else 8.

        Computed for each fit and never stored in ``n_clusters`` (scikit-learn's
        convention: ``fit`` leaves the parameters as given).
        """
        if self.n_clusters is not None:
            return int(self.n_clusters)
        if isinstance(init, Plan):
            return init.n_clusters
        if not isinstance(init, str):
            return len(np.unique(np.asarray(init)))
        return 8

    def fit(self, X, y=None, *, adjacency=None, sample_weight=None):
        """Search from ``init`` on ``X`` (a UnitSet, or arrays with ``adjacency``).

        Parameters
        ----------
        X : UnitSet or array-like of shape (n, p)
            The units, or their indicators.
        y : None
            Ignored (scikit-learn's signature).
        adjacency : array-like or sparse matrix of shape (n, n), optional
            Borders, for array input.
        sample_weight : array-like of shape (n,), optional
            Unit weights for ``weight_bounds``, for array input.

        Returns
        -------
        AZPLocalSearch
            Fitted.

        Raises
        ------
        InfeasibleError
            The rules are impossible, or no start could be repaired
            (:class:`~clustering.estimators.repair.RepairError`, naming the
            clusters still out of bounds in the best plan found).
        """
        problem = self._prepare(X, adjacency, sample_weight)
        k = self._n_clusters_for(self.init)
        rules = self._rules(problem, n_clusters=k).compile(problem.unit_set)
        auto = isinstance(self.init, str) and self.init == "auto"
        starts = [self.init]
        if auto:
            starts = ["ward", "kmeans"] if rules.n <= AUTO_KMEANS_MAX_UNITS else ["ward"]
        outcomes, failures = [], []
        self.n_moves_ = self.n_restarts_ = 0
        deadline = None if self.time_limit is None else time.perf_counter() + self.time_limit
        for init in starts:
            if outcomes and deadline is not None and time.perf_counter() > deadline:
                break  # the first start's plan stands
            try:
                outcomes.append((*self._search_from(problem, rules, init, deadline),
                                 len(outcomes), init))
            except InfeasibleError as exc:
                if len(starts) == 1:
                    raise
                failures.append((init, exc))
        if not outcomes:
            raise _least_broken(failures)
        # The best objective wins; ties go to the first start tried.
        _, best, self.repaired_, self.start_objective_, self.n_iter_, _, self.init_used_ = min(
            outcomes, key=lambda o: (o[0], o[5])
        )
        self.n_clusters_ = k
        self._finish(problem, best)
        if self.violations_:  # cannot happen unless there is a bug: never hide it
            raise InfeasibleError(
                "the local search produced a plan breaking the rules: "
                + "; ".join(map(str, self.violations_)),
                reason="repair",
            )
        return self

    def _search_from(self, problem, rules: CompiledRules, init, deadline: float | None = None
                     ) -> tuple[float, np.ndarray, bool, float, int]:
        """Repair, then improve, one start: ``(objective, labels, repaired, start objective,
        iterations)``."""
        start = self._start_labels(problem, rules, init)
        k = rules.n_clusters
        if len(np.unique(start)) != k:
            raise PlanError(f"the start plan has {len(np.unique(start))} clusters, not {k}")
        _, start = np.unique(start, return_inverse=True)
        state = _State(problem.features, rules, start, k)
        repaired = self._repair(state, rules, deadline, _tree_rng(self.random_state))
        start_value = state.objective()
        labels, n_iter = state.labels.copy(), 0
        if self.improve:
            labels, n_iter = self._improve(state, check_random_state(self.random_state), deadline)
        return _objective(problem, labels), labels, repaired, start_value, n_iter

    # -- start -----------------------------------------------------------------
    def _start_labels(self, problem, rules: CompiledRules, init) -> np.ndarray:
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

            given = rules.rules
            km = SizeConstrainedKMeans(
                rules.n_clusters, size=given.size, weight_bounds=given.weight_bounds,
                weight=given.weight, indicators=list(problem.indicators), log=self.log,
                geography=self._kmeans_geography(unit_set), n_init=1,
                random_state=self.random_state,
            ).fit(unit_set)
            return km.labels_
        if not rules.contiguous:
            return ward_labels(problem.features, unit_set.graph, unit_set.ids,
                               n_clusters=rules.n_clusters, connectivity=False)
        return self._capped_ward_start(problem, rules)

    @staticmethod
    def _capped_ward_start(problem, rules: CompiledRules) -> np.ndarray:
        """Ward along borders on each adjacency component, merges capped near the mean size.

        The clusters are shared among the components so that their bounds can
        be met (:meth:`CompiledRules.cluster_count_range`), then each component
        is agglomerated by :func:`capped_ward`, so that the repair has little
        to do (plain Ward makes clusters of 1 and of 180).
        """
        parts, shares = _component_shares(rules)
        low, high = rules.size
        labels = np.empty(rules.n, dtype=int)
        offset = 0
        for members, k_c in zip(parts, shares):
            labels[members] = offset + capped_ward(
                problem.features, rules.neighbours, members, k_c,
                max_size=_cap(len(members), k_c, low, high), rules=rules,
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
    def _repair(self, state: _State, rules: CompiledRules, deadline: float | None = None,
                rng: np.random.Generator | None = None) -> bool:
        """Mend contiguity, then the bounds; whether anything changed.

        Raises
        ------
        InfeasibleError
            Some bound is still broken when no repair step helps any more
            (:class:`~clustering.estimators.repair.RepairError` with
            ``repair="flow"``).
        """
        repaired = False
        if rules.contiguous:
            repaired |= self._repair_contiguity(state)
        if not state.violation():
            return repaired
        if self.repair == "flow":
            self._repair_bounds(state, rules, deadline,
                                rng if rng is not None else np.random.default_rng(0))
            return True
        steps = self.max_repair_steps if self.max_repair_steps is not None else 4 * len(state.x)
        if self._local_steps(state, steps, deadline):
            return True
        if _past(deadline):
            raise InfeasibleError("the start plan could not be repaired within the time "
                                  f"limit of {self.time_limit:g} s", reason="time_limit")
        broken = rules.violations(np.unique(state.labels, return_inverse=True)[1])
        raise InfeasibleError(
            "cannot repair the start plan within the rules; still broken: "
            + "; ".join(map(str, broken[:8])) + (" ..." if len(broken) > 8 else ""),
            reason="repair",
        )

    def _local_steps(self, state: _State, steps: int, deadline: float | None) -> bool:
        """Chains, then ReCom steps, then swaps, one at a time while one helps (at most
        ``steps``, until ``deadline``); whether every bound holds."""
        for _ in range(steps):
            if not state.violation():
                return True
            if _past(deadline) or not (
                self._one_chain(state)
                or self._one_recombination(state)
                or self._one_swap(state)
            ):
                break
        return not state.violation()

    def _mend_bounds(self, state: _State, deadline: float | None) -> bool:
        """Flow balancing, then local steps, while they help; whether every bound holds."""
        steps = self.max_repair_steps if self.max_repair_steps is not None else 2 * state.k + 10
        for _ in range(5):
            balance_by_flow(state, deadline=deadline)
            before = state.violation()
            if not before or self._local_steps(state, steps, deadline):
                return True
            if _past(deadline) or state.violation() >= before - _GAIN:
                break
        return False

    def _repair_bounds(self, state: _State, rules: CompiledRules, deadline: float | None,
                       rng: np.random.Generator) -> None:
        """Mend the bounds, restarting up to ``max_restarts`` times; the best plan otherwise.

        The first half of the restarts rebuild the clusters out of bounds and
        their neighbours (one more ring each time, :func:`rebuild_region`),
        the others cut the whole unit set anew (:meth:`_tree_start`).

        Raises
        ------
        RepairError
            No restart met every bound: the best plan's shortfalls, bound by bound.
        """
        began = time.perf_counter()
        best_value, best_labels = state.violation(), state.labels.copy()
        attempts, most = 0, self._restarts_for(rules.n)
        while not self._mend_bounds(state, deadline):
            if state.violation() < best_value - _GAIN:
                best_value, best_labels = state.violation(), state.labels.copy()
            if attempts >= most or _past(deadline):
                restore(state, best_labels)
                tried = (f"flow balancing and local steps from the start and {attempts} "
                         f"restart(s), {time.perf_counter() - began:.1f} s")
                raise repair_error(state, tried,
                                   reason="time_limit" if _past(deadline) else "repair")
            attempts += 1
            self.n_restarts_ += 1
            regional = rules.contiguous and attempts <= most // 2
            if not (regional and rebuild_region(state, rng, attempts)):
                labels = self._tree_start(rules, rng)
                if labels is not None:
                    restore(state, labels)

    def _restarts_for(self, n: int) -> int:
        """``max_restarts``, or its default for ``n`` units."""
        if self.max_restarts is not None:
            return int(self.max_restarts)
        return min(100, max(10, 20_000 // max(n, 1)))

    @staticmethod
    def _tree_start(rules: CompiledRules, rng: np.random.Generator) -> np.ndarray | None:
        """A partition by :func:`~clustering.estimators.repair.tree_partition` of each
        adjacency component (clusters shared as for the Ward start); ``None`` if one fails."""
        labels = np.empty(rules.n, dtype=int)
        offset = 0
        try:
            shares = _component_shares(rules)
        except InfeasibleError:  # borders too sparse to share (rules without contiguity)
            return None
        for members, k_c in zip(*shares):
            parts = tree_partition(rules, rules.mask(members), k_c, rng, best_effort=True)
            if parts is None:
                return None
            for c, part in enumerate(parts):
                labels[bits(part)] = offset + c
            offset += k_c
        return labels

    def _repair_contiguity(self, state: _State) -> bool:
        changed = False
        for c in range(state.k):
            pieces = state.pieces(c)
            if len(pieces) <= 1:
                continue
            changed = True
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
                    fits = state.rules.can_merge(state.masks[b], state.rules.mask(piece))
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
        order = sorted(range(state.k), key=lambda c: (-state.cluster_violation(c), c))
        adjacent = None  # cluster adjacency, unchanged by the chains undone below
        for c in order:
            if not state.cluster_violation(c):
                return False  # the rest are within bounds too (sorted by violation)
            if adjacent is None:
                adjacent = state.cluster_adjacency()
            for path in self._paths(state, adjacent, c, state.too_large(c)):
                # A chain changes the clusters of its path only: compare their excess.
                before = sum(state.cluster_violation(d) for d in path)
                moves = self._run_chain(state, path)
                if moves is not None and (
                        sum(state.cluster_violation(d) for d in path) < before - _GAIN):
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
            if not state.cluster_violation(c):
                return False
            best = None
            for d in sorted({state.labels[j] for i in state.members[c] for j in state.nbrs[i]}
                            - {c}):
                split = _best_split(state, state.masks[c] | state.masks[d])
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
            if state.violation() < before - _GAIN:
                return True
            for i, lab in saved:
                if state.labels[i] != lab:
                    state.move(i, lab)
        return False

    def _one_swap(self, state: _State) -> bool:
        """Exchange two border units of neighbouring clusters if that cuts the violation.

        Swaps shift weight by ``w_i - w_j`` without changing counts: the fine
        adjustment that single moves of heavy units cannot make.
        """
        before = state.violation()
        best = None
        for c in sorted(range(state.k), key=lambda c: (-state.cluster_violation(c), c)):
            if not state.cluster_violation(c):
                break
            for i in sorted(state.members[c]):
                for b in sorted(state.neighbour_clusters(i)):
                    for j in sorted(state.members[b]):
                        if not any(state.labels[u] == c for u in state.nbrs[j]):
                            continue
                        wi, wj = state.weight_of(i), state.weight_of(j)
                        after = (
                            before - state.cluster_violation(c) - state.cluster_violation(b)
                            + state.cluster_violation(c, 0, wj - wi)
                            + state.cluster_violation(b, 0, wi - wj)
                        )
                        if after < before - _GAIN and (best is None or after < best[0]):
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
        ok = state.connected(a) and state.connected(b)
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
                # Room to take a unit (giving) or a unit to spare (receiving).
                low, high = state.rules.size
                good = state.count[v] < high if over else state.count[v] > low
                if state.wsum is not None:
                    w_low, w_high = state.rules.weight_bounds
                    good = good and (
                        state.wsum[v] < w_high if over else state.wsum[v] > w_low
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
                w = state.weight_of(block)
                v = state.cluster_violation(a, -len(block), -w) + state.cluster_violation(
                    b, len(block), w
                )
                # Moves shifting the same excess between two violated clusters tie in
                # exact arithmetic: round so that round-off never picks among them.
                key = (round(v, 9), len(block), state.delta(i, b), i)
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

    def _improve(self, state: _State, rng: np.random.RandomState,
                 deadline: float | None = None) -> tuple[np.ndarray, int]:
        """Descent, then the tabu phase: the best labels seen and the iterations run."""
        sweeps = self._descend(state, rng, deadline)
        labels, steps = self._tabu_search(state, deadline)
        return labels, sweeps + steps

    def _descend(self, state: _State, rng: np.random.RandomState,
                 deadline: float | None = None) -> int:
        """First-improvement sweeps in a seeded random order until none helps; the sweeps run."""
        n = len(state.labels)
        sweeps, improved = 0, True
        while improved and not _past(deadline):
            sweeps += 1
            improved = False
            for i in rng.permutation(n):
                options = sorted(
                    (state.delta(i, b), b) for b in state.neighbour_clusters(i)
                )
                for d, b in options:
                    if d >= -_GAIN:
                        break
                    if self._admissible(state, i, b):
                        state.move(i, b)
                        self.n_moves_ += 1
                        improved = True
                        break
        return sweeps

    def _tabu_search(self, state: _State, deadline: float | None = None
                     ) -> tuple[np.ndarray, int]:
        """AZP-tabu: the best admissible move, even uphill, without immediate return.

        Stops after ``max_iter`` steps without a new best, or when no move is
        admissible. Returns the best labels seen and the steps taken.
        """
        n = len(state.labels)
        best_labels, best_value = state.labels.copy(), state.objective()
        tabu: dict[tuple[int, int], int] = {}
        current, stale, step = best_value, 0, 0
        while stale < self.max_iter and not _past(deadline):
            candidates = sorted(
                (state.delta(i, b), i, b)
                for i in range(n)
                for b in state.neighbour_clusters(i)
            )
            chosen = None
            for d, i, b in candidates:
                is_tabu = tabu.get((i, b), -1) >= step + 1
                if is_tabu and current + d >= best_value - _GAIN:
                    continue  # tabu, and no aspiration
                if self._admissible(state, i, b):
                    chosen = (d, i, b)
                    break
            if chosen is None:
                break
            step += 1
            d, i, b = chosen
            tabu[(i, int(state.labels[i]))] = step + self.tabu_length
            state.move(i, b)
            self.n_moves_ += 1
            current += d
            if current < best_value - 1e-10:
                best_value, best_labels, stale = current, state.labels.copy(), 0
            else:
                stale += 1
        return best_labels, step

def _component_shares(rules: CompiledRules) -> tuple[list[list[int]], list[int]]:
    """The adjacency components (lowest unit first) and the clusters each gets.

    The clusters are shared so that each component's bounds can be met
    (:meth:`CompiledRules.cluster_count_range`), by
    :func:`~clustering.estimators.base.allocate_clusters`.
    """
    parts = [bits(p) for p in components((1 << rules.n) - 1, rules.border_masks)]
    lower, upper, totals = [], [], []
    for members in parts:
        total = rules.cluster_weight(members) if rules.weights is not None else None
        fewest, most = rules.cluster_count_range(len(members), total)
        lower.append(max(int(fewest), 1))
        upper.append(int(min(most, len(members))))
        totals.append(len(members) if total is None else total)
    return parts, allocate_clusters(totals, lower, upper, rules.n_clusters)


def _tree_rng(random_state) -> np.random.Generator:
    """The generator of the repair's spanning trees: seeded by an int ``random_state``
    (a RandomState gives one draw, None fresh entropy)."""
    if random_state is None or isinstance(random_state, Integral):
        return np.random.default_rng(random_state)
    return np.random.default_rng(check_random_state(random_state).randint(2**31))


def _least_broken(failures: list[tuple[str, InfeasibleError]]) -> InfeasibleError:
    """The failure of the start whose best plan was least out of bounds, naming the others."""
    def excess(item: tuple[str, InfeasibleError]) -> float:
        exc = item[1]
        return exc.excess if isinstance(exc, RepairError) else float("inf")

    init, exc = min(failures, key=excess)
    others = ", ".join(name for name, _ in failures if name != init)
    exc.args = (f"{exc} [start {init!r}; start(s) {others} failed too]",)
    return exc


def _edges_by_length(state: _State, union: int) -> list[tuple[int, int]]:
    """The edges inside ``union`` (under the rules), shortest in feature space first.

    Kruskal's rule over this order gives a minimum spanning tree; ties keep
    the order of ``(a, b)``, so the tree is the same for the same input.
    """
    pairs = [(a, b) for a in bits(union) for b in bits(state.links[a] & union) if a < b]
    if not pairs:
        return []
    ends = np.array(pairs)
    length = ((state.x[ends[:, 0]] - state.x[ends[:, 1]]) ** 2).sum(axis=1)
    return [pairs[e] for e in np.argsort(length, kind="stable").tolist()]


def _split_sse(state: _State, parts: tuple[list[int], list[int]]) -> float:
    """Ward's criterion of the two sides of a split."""
    return sum(float(((state.x[p] - state.x[p].mean(axis=0)) ** 2).sum()) for p in parts)


def _best_split(state: _State, union: int) -> tuple[float, list[int], list[int]] | None:
    """The best two-way split of the units of ``union`` along a minimum spanning tree.

    Each edge of the tree (:func:`clustering.bitsets.spanning_tree_cuts` over
    :func:`_edges_by_length`) cuts ``union`` into two connected sides; among
    the sides both valid under the rules
    (:meth:`~clustering.compiled_rules.CompiledRules.cluster_ok`, connectivity
    holding by construction) the split of least Ward criterion wins.

    Returns
    -------
    (float, list of int, list of int) or None
        The criterion, the side holding the lowest unit of ``union``, the other
        side; ``None`` when no cut leaves both sides valid.
    """
    rules, best = state.rules, None
    for part in spanning_tree_cuts(union, state.links, _edges_by_length(state, union)):
        rest = union & ~part  # holds the root, the lowest unit
        if not (rules.cluster_ok(part, check_connected=False)
                and rules.cluster_ok(rest, check_connected=False)):
            continue
        sides = (bits(part), bits(rest))
        sse = _split_sse(state, sides)
        if best is None or sse < best[0]:
            best = (sse, sides[1], sides[0])
    return best


def _cap(m: int, k: int, low: int, high: int) -> int:
    """Size cap of the Ward start: one above the mean size, within the bounds.

    Capping at the maximum itself packs dense areas full and strands small
    clusters elsewhere; one unit of slack per cluster lets repair chains pass.
    """
    return int(min(high, max(low, m // k + 1)))
