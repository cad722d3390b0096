r"""Pareto fronts of a plan's criteria: exact by the epsilon-constraint method, or heuristic.

The criteria (all minimised; :func:`plan_scores` computes them for a plan):

``homogeneity``
    the p-median objective :math:`\sum_S \min_{j \in S} \sum_{i \in S} d_{ij}`
    (the default objective of :func:`optimizer.optimize`, same dissimilarity);
``population-balance``
    :math:`\max_S |w(S) - \bar w| / \bar w`, the largest relative deviation
    of a cluster's weight (population) from the ideal :math:`\bar w = w(V)/k`;
``size-balance``
    the largest minus the smallest member count;
``cut-edges``
    the borders between clusters;
``type-mixing``
    members not of their cluster's majority ``kind``;
``moves``
    units whose cluster changes from ``current`` (:mod:`optimizer.reform`).

**Two criteria, exactly** (:func:`pareto_front`, ``method="exact"``): the
first is minimised (``homogeneity`` by the p-median objective, ``cut-edges``
by the cut objective, ``type-mixing`` by enumeration), the second bounded by
:math:`\varepsilon`: ``population-balance`` by the weight bounds
:math:`\bar w (1 \pm \varepsilon)`, ``size-balance`` by the count bounds
:math:`[L, L + \varepsilon]` for every feasible :math:`L` (the least of
these solves), ``moves`` by ``max_moves``, ``cut-edges`` by
``max_cut_edges`` (cut indicators in the assignment model). The first solve has no bound;
each next :math:`\varepsilon` is just below the last point's value (one less
for counts; :data:`BALANCE_STEP` below for the balance), until the bound is
infeasible. The optimum of the first criterion never decreases along the
sweep, so a point whose successor has the same first value (within
:data:`~optimizer.solvers.OPTIMAL_GAP`) is weakly dominated by it and is
removed (kept in ``ParetoFront.dominated``): no second, lexicographic solve
is needed. The front is ``complete`` only when every solve was proven
(optimal, or infeasible) and the sweep ended at an infeasible bound.

**Three or more criteria**: the first minimised, the others bounded on a grid
of :math:`\varepsilon` (``grid`` levels each, from the unbounded solve's
value down to 0); non-dominated plans are kept, never called complete.

**Large unit sets** (``method="heuristic"``, chosen by ``"auto"`` above
:data:`EXACT_UNITS` units): :class:`~clustering.estimators.AZPLocalSearch`
under varied weight tolerances, scored on the criteria; nothing is proven.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np

from clustering.errors import FairclustersError
from clustering.plan import Plan
from clustering.units import UnitSet

from .api import optimize
from .objectives import default_dissimilarity, validate_dissimilarity
from .reform import check_current, count_moves
from .solvers import OPTIMAL_GAP

__all__ = [
    "BALANCE_STEP",
    "CRITERIA",
    "EXACT_UNITS",
    "ParetoFront",
    "ParetoPoint",
    "pareto_front",
    "plan_scores",
]

#: The criteria a front can be drawn over; all are minimised.
CRITERIA = ("homogeneity", "population-balance", "size-balance", "cut-edges", "type-mixing",
            "moves")
#: Criteria minimised by an objective of :func:`optimize`.
_MINIMISED = ("homogeneity", "cut-edges", "type-mixing")
#: Criteria that can be bounded by a rule of :func:`optimize`.
_BOUNDED = ("population-balance", "size-balance", "moves", "cut-edges")
#: ``method="auto"`` solves exactly up to this many units, else uses the heuristic.
EXACT_UNITS = 120
#: The next balance bound is the last value minus this times ``1 + value``: well above
#: the solvers' tolerances on weight rows (integrality 1e-6 of a bound in millions is
#: a few people), so points closer than this in balance (about 13 people in a cluster
#: of 12.6 million, the 2024 provinces' ideal for 8 clusters) are not told apart.
BALANCE_STEP = 1e-6
_HEURISTIC_TOLERANCES = (0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03, 0.02, 0.01)


@dataclass
class ParetoPoint:
    """One plan of a front, with its scores on every criterion.

    Attributes
    ----------
    n_clusters : int
        The number of clusters.
    tolerance : float or None
        The weight tolerance of a sweep point (:func:`pareto_front` with
        ``tolerances``); ``None`` elsewhere.
    status : str
        ``"optimal"`` when every solve behind the point was proven,
        ``"feasible"`` otherwise, or the status of a solve without a plan.
    scores : dict of str to float
        The value of each criterion of the front (and of the homogeneity and
        population balance) for ``plan``.
    objective : float or None
        The minimised criterion's value as the solver reported it.
    plan : Plan or None
        The plan.
    proven : bool
        Every solve behind the point was proven optimal (or infeasible).
    bounds : dict
        The bounds :math:`\\varepsilon` it was solved under.
    non_dominated : bool
        No other point is at least as good on every criterion and better on one.
    """

    n_clusters: int
    tolerance: float | None
    status: str
    scores: dict
    objective: float | None
    plan: Plan | None
    proven: bool = False
    bounds: dict = field(default_factory=dict)
    non_dominated: bool = False

    @property
    def balance(self) -> float | None:
        """The population balance (``scores["population-balance"]``)."""
        return self.scores.get("population-balance")

    @property
    def homogeneity(self) -> float | None:
        """The p-median homogeneity (``scores["homogeneity"]``)."""
        return self.scores.get("homogeneity")


@dataclass
class ParetoFront:
    """The points of a front and how far it is proven.

    Iterating, ``len`` and indexing go over ``points``.

    Attributes
    ----------
    criteria : tuple of str
        The criteria, in the order given.
    points : list of ParetoPoint
        The front (every point ``non_dominated``), except for a tolerance
        sweep, which keeps every point in sweep order.
    method : str
        ``"epsilon-constraint"`` (two criteria), ``"epsilon-grid"`` (three or
        more), ``"heuristic"`` or ``"sweep"`` (given tolerances).
    complete : bool
        Proven to be the whole front: every solve proven and the sweep run
        to an infeasible bound. Only ``"epsilon-constraint"`` can be.
    dominated : list of ParetoPoint
        Points solved on the way and found (weakly) dominated.
    """

    criteria: tuple[str, ...]
    points: list[ParetoPoint]
    method: str
    complete: bool = False
    dominated: list[ParetoPoint] = field(default_factory=list)

    def __iter__(self):
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> ParetoPoint:
        return self.points[index]

    def values(self) -> list[tuple[float, ...]]:
        """The criteria values of the points, in the order of ``criteria``."""
        return [tuple(p.scores[c] for c in self.criteria) for p in self.points
                if p.plan is not None]


# -- scores --------------------------------------------------------------------------
def _pmedian(d: np.ndarray, labels: np.ndarray) -> float:
    total = 0.0
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        total += float(d[np.ix_(members, members)].sum(axis=0).min())
    return total


def _type_mixing(kinds: Sequence[object], ids: Sequence[str] | np.ndarray) -> int:
    """Members of ``ids`` not of their majority kind (a missing kind is a kind of its own)."""
    values = [kinds[i] for i in ids]
    return len(values) - max(values.count(v) for v in set(values)) if values else 0


def plan_scores(plan: Plan, criteria: Sequence[str] = CRITERIA, *, current: Plan | None = None,
                dissimilarity: np.ndarray | None = None, weight: str | None = None
                ) -> dict[str, float]:
    """The value of each criterion (module docstring) for ``plan``.

    Parameters
    ----------
    plan : Plan
        The plan to score.
    criteria : sequence of str, default all of :data:`CRITERIA`
        Which criteria; ``"moves"`` needs ``current`` (else it is left out).
    current : Plan, optional
        Today's plan, for ``"moves"``.
    dissimilarity : array, optional
        The matrix of ``"homogeneity"`` (default as in :func:`optimize`).
    weight : str, optional
        Indicator to weigh ``"population-balance"`` by (default: population).

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> units = planar_unit_set(6, seed=2)
    >>> plan = Plan.from_labels(units, [0, 0, 0, 1, 1, 1])
    >>> plan_scores(plan, ["size-balance", "type-mixing"])
    {'size-balance': 0, 'type-mixing': 0}
    """
    units, labels = plan.unit_set, plan.labels
    scores: dict[str, float] = {}
    for criterion in _checked_criteria(criteria, minimum=1):
        if criterion == "homogeneity":
            d = (validate_dissimilarity(dissimilarity, len(units)) if dissimilarity is not None
                 else default_dissimilarity(units))
            scores[criterion] = _pmedian(d, labels)
        elif criterion == "population-balance":
            w = units.weights(weight)
            totals = np.bincount(labels, weights=w, minlength=plan.n_clusters)
            ideal = float(w.sum()) / plan.n_clusters
            scores[criterion] = float(np.abs(totals - ideal).max() / ideal)
        elif criterion == "size-balance":
            counts = np.bincount(labels)
            scores[criterion] = int(counts.max() - counts.min())
        elif criterion == "cut-edges":
            pairs = units.edge_index_pairs()
            scores[criterion] = int((labels[pairs[:, 0]] != labels[pairs[:, 1]]).sum())
        elif criterion == "type-mixing":
            kinds = [u.kind for u in units]
            scores[criterion] = sum(_type_mixing(kinds, np.flatnonzero(labels == c))
                                    for c in range(plan.n_clusters))
        elif current is not None:  # moves
            scores[criterion] = count_moves(current, plan)
    return scores


def _checked_criteria(criteria: Sequence[str], *, minimum: int) -> tuple[str, ...]:
    """The criteria as a tuple, or an error naming the unknown or repeated ones."""
    if isinstance(criteria, str):
        criteria = (criteria,)
    criteria = tuple(criteria)
    unknown = [c for c in criteria if c not in CRITERIA]
    if unknown:
        raise FairclustersError(
            f"unknown criteria {unknown}; expected some of {list(CRITERIA)}")
    if len(set(criteria)) < len(criteria):
        raise FairclustersError(f"criteria={list(criteria)} repeats a criterion")
    if len(criteria) < minimum:
        raise FairclustersError(
            f"criteria={list(criteria)}: a front needs at least {minimum} criteria")
    return criteria


def _mark_non_dominated(points: Sequence[ParetoPoint], criteria: Sequence[str]) -> None:
    """Set ``non_dominated``: no other point at least as good everywhere and better once."""
    scored = [p for p in points if p.plan is not None]

    def values(p: ParetoPoint) -> np.ndarray:
        return np.array([p.scores[c] for c in criteria], dtype=float)

    for p in scored:
        mine = values(p)
        p.non_dominated = not any(
            (np.all(theirs <= mine + _equal(mine)) and np.any(theirs < mine - _equal(mine)))
            for q in scored if q is not p for theirs in [values(q)])


def _equal(values: np.ndarray) -> np.ndarray:
    """Differences below this are ties (the solvers' optimality tolerance)."""
    return OPTIMAL_GAP * np.maximum(1.0, np.abs(values))


# -- solving under bounds --------------------------------------------------------------
@dataclass
class _Problem:
    """What every solve of a front shares."""

    units: UnitSet
    n_clusters: int
    criteria: tuple[str, ...]
    d: np.ndarray
    current: Plan | None
    weight: str | None
    options: dict

    @property
    def first(self) -> str:
        return self.criteria[0]

    def scores(self, plan: Plan) -> dict[str, float]:
        wanted = dict.fromkeys([*self.criteria, "homogeneity", "population-balance"])
        return plan_scores(plan, list(wanted), current=self.current, dissimilarity=self.d,
                           weight=self.weight)

    def objective(self) -> dict:
        if self.first == "homogeneity":
            return {"objective": "p-median", "dissimilarity": self.d}
        if self.first == "cut-edges":
            return {"objective": "cut-edges"}
        kinds = {u.id: u.kind for u in self.units}

        def mixing(ids: tuple[str, ...]) -> float:
            return float(_type_mixing(kinds, list(ids)))

        return {"objective": mixing}

    def size_windows(self, spread: int | None) -> list[tuple[int, int] | None]:
        """Count bounds whose union is every plan with ``max - min <= spread``."""
        size = self.options.get("size")
        if spread is None:
            return [size]
        n, k, spread = len(self.units), self.n_clusters, int(spread)
        windows = []
        for low in range(max(1, math.ceil(n / k) - spread), n // k + 1):
            window = (low, low + spread)
            if size is not None:
                window = (max(window[0], size[0]), min(window[1], size[1]))
            if window[0] <= window[1] and window not in windows:
                windows.append(window)
        return windows

    def solve(self, bounds: Mapping[str, float]) -> ParetoPoint:
        """Minimise the first criterion under ``bounds`` (criterion -> largest value)."""
        keywords = {**self.options, **self.objective(), "explain": False}
        keywords.pop("size", None)
        if "population-balance" in bounds:
            ideal = float(self.units.weights(self.weight).sum()) / self.n_clusters
            eps = bounds["population-balance"]
            keywords["weight_bounds"] = (max(0.0, ideal * (1 - eps)), ideal * (1 + eps))
            keywords["weight"] = self.weight
        elif self.weight is not None:
            keywords["weight"] = self.weight
        if "moves" in bounds:
            keywords.update(current=self.current, max_moves=int(bounds["moves"]))
        if "cut-edges" in bounds:
            keywords["max_cut_edges"] = int(bounds["cut-edges"])
        best, proven, statuses = None, True, []
        for window in self.size_windows(bounds.get("size-balance")):
            result = optimize(self.units, self.n_clusters, size=window, **keywords)
            statuses.append(result.status)
            proven &= result.status in ("optimal", "infeasible")
            if result.plan is not None and (best is None or result.objective < best.objective):
                best = result
        if best is None:
            status = "infeasible" if statuses and set(statuses) == {"infeasible"} else (
                "no_solution")
            return ParetoPoint(self.n_clusters, None, status, {}, None, None,
                               proven=proven and status == "infeasible", bounds=dict(bounds))
        return ParetoPoint(self.n_clusters, None, "optimal" if proven else "feasible",
                           self.scores(best.plan), best.objective, best.plan, proven=proven,
                           bounds=dict(bounds))


def _tightened(criterion: str, value: float) -> float | None:
    """The next bound: just below ``value``; ``None`` when no lower value is possible."""
    if criterion == "population-balance":
        step = value - BALANCE_STEP * (1.0 + value)
        return step if step >= 0 else None
    return value - 1 if value >= 1 else None


def _epsilon_constraint(problem: _Problem, max_points: int | None) -> ParetoFront:
    """Two criteria: minimise the first, bound the second just below the last point."""
    second = problem.criteria[1]
    solved, bounds, complete = [], {}, True
    while max_points is None or len(solved) < max_points:
        point = problem.solve(bounds)
        if point.plan is None:
            complete &= point.proven
            break
        solved.append(point)
        value = point.scores[second]
        if second in bounds and value > bounds[second]:
            # The solver kept the bound only within its tolerance: the point stands,
            # unproven, and the sweep goes on from the bound.
            point.proven, point.status = False, "feasible"
            value = bounds[second]
        complete &= point.proven
        eps = _tightened(second, value)
        if eps is None:
            break
        bounds = {second: eps}
    else:
        complete = False  # stopped at max_points
    _mark_non_dominated(solved, problem.criteria)
    front = [p for p, q in zip(solved, [*solved[1:], None], strict=True) if p.non_dominated
             and (q is None or not _ties(q.scores[problem.first], p.scores[problem.first]))]
    for p in solved:
        p.non_dominated = p in front
    return ParetoFront(problem.criteria, front, "epsilon-constraint", complete,
                       [p for p in solved if p not in front])


def _ties(a: float, b: float) -> bool:
    return abs(a - b) <= OPTIMAL_GAP * max(1.0, abs(a), abs(b))


def _epsilon_grid(problem: _Problem, grid: int) -> ParetoFront:
    """Three or more criteria: the first minimised, the others bounded on a grid."""
    top = problem.solve({})
    if top.plan is None:
        return ParetoFront(problem.criteria, [], "epsilon-grid", False)
    levels = []
    for criterion in problem.criteria[1:]:
        high = top.scores[criterion]
        steps = np.linspace(high, 0.0, grid)
        if criterion != "population-balance":
            steps = np.unique(np.round(steps))[::-1]
        levels.append([float(s) for s in steps])
    points = [top]
    for combination in product(*levels):
        bounds = dict(zip(problem.criteria[1:], combination, strict=True))
        if all(bounds[c] >= top.scores[c] for c in bounds):
            continue  # the unbounded solve answers it
        point = problem.solve(bounds)
        if point.plan is not None:
            points.append(point)
    _mark_non_dominated(points, problem.criteria)
    front = _distinct([p for p in points if p.non_dominated], problem.criteria)
    return ParetoFront(problem.criteria, front, "epsilon-grid", False,
                       [p for p in points if p not in front])


def _distinct(points: list[ParetoPoint], criteria: Sequence[str]) -> list[ParetoPoint]:
    """One point per distinct vector of values."""
    seen, kept = [], []
    for p in points:
        key = [p.scores[c] for c in criteria]
        if not any(all(_ties(a, b) for a, b in zip(key, other, strict=True)) for other in seen):
            seen.append(key)
            kept.append(p)
    return kept


def _heuristic_front(problem: _Problem, seed: int,
                     tolerances: Sequence[float] = _HEURISTIC_TOLERANCES) -> ParetoFront:
    """Local-search plans under varied weight tolerances, non-dominated ones kept."""
    from clustering.estimators import AZPLocalSearch
    from clustering.rules import ClusterRules

    points = []
    for tolerance in tolerances:
        rules = ClusterRules.with_weight_tolerance(problem.units, problem.n_clusters, tolerance,
                                                   weight=problem.weight)
        try:
            search = AZPLocalSearch(
                problem.n_clusters, size=problem.options.get("size"),
                weight_bounds=rules.weight_bounds, weight=problem.weight,
                contiguous=problem.options.get("contiguous", True), random_state=seed,
                time_limit=problem.options.get("time_limit"),
            ).fit(problem.units)
        except FairclustersError:  # no plan within this tolerance found
            continue
        plan = search.plan_
        points.append(ParetoPoint(problem.n_clusters, tolerance, "feasible",
                                  problem.scores(plan), None, plan))
    _mark_non_dominated(points, problem.criteria)
    front = _distinct([p for p in points if p.non_dominated], problem.criteria)
    return ParetoFront(problem.criteria, front, "heuristic", False,
                       [p for p in points if p not in front])


# -- the entry point -----------------------------------------------------------------
def pareto_front(
    units: UnitSet,
    n_clusters: int | Sequence[int],
    criteria: Sequence[str] = ("homogeneity", "population-balance"),
    *,
    current: Plan | Mapping[str, Sequence[str]] | None = None,
    method: str = "auto",
    max_points: int | None = None,
    grid: int = 4,
    tolerances: Sequence[float] | None = None,
    weight: str | None = None,
    dissimilarity: np.ndarray | None = None,
    seed: int = 0,
    **options: Any,
) -> ParetoFront:
    """The plans no other plan beats on every criterion (module docstring).

    Parameters
    ----------
    units : UnitSet
        The units to partition.
    n_clusters : int or list of int
        The number of clusters (a list only with the tolerance sweep).
    criteria : sequence of str, default ("homogeneity", "population-balance")
        Two or more of :data:`CRITERIA`; the first is minimised, the others
        bounded (their order is swapped when only the second can be minimised).
    current : Plan or dict, optional
        Today's plan, needed by ``"moves"``.
    method : {"auto", "exact", "heuristic"}, default "auto"
        ``"exact"``: the epsilon-constraint method (an epsilon grid for three
        or more criteria); ``"heuristic"``: local search under varied weight
        tolerances; ``"auto"``: exact up to :data:`EXACT_UNITS` units.
    max_points : int, optional
        Stop the epsilon-constraint sweep after this many solved points (the
        front is then not complete).
    grid : int, default 4
        Levels of each bounded criterion with three or more criteria.
    tolerances : list of float, optional
        The former sweep: solve once per weight tolerance (and per value of
        ``n_clusters``), score every point on ``criteria`` and mark the
        non-dominated ones (``method="sweep"``).
    weight : str, optional
        Indicator of ``"population-balance"`` (default: population).
    dissimilarity : array, optional
        The matrix of ``"homogeneity"`` and of the p-median objective
        (default as in :func:`optimize`).
    seed : int, default 0
        Seed of the heuristic and of the solvers.
    **options
        Passed to every :func:`optimize` call (``size``, ``contiguous``,
        ``solver``, ``time_limit`` per solve...); the rules a criterion bounds
        (``weight_bounds``, ``weight_tolerance``, ``max_moves``) may not be given.

    Returns
    -------
    ParetoFront
        Points with plans, scores, status and ``proven``; ``complete`` says
        whether the front is proven whole.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> front = pareto_front(planar_unit_set(8, seed=1), 2, solver="highs")
    >>> front.method, front.complete, all(p.proven for p in front)
    ('epsilon-constraint', True, True)
    """
    criteria = _checked_criteria(criteria, minimum=1 if tolerances is not None else 2)
    if method not in ("auto", "exact", "heuristic"):
        raise FairclustersError(f"method={method!r}; expected 'auto', 'exact' or 'heuristic'")
    clash = [k for k in ("weight_bounds", "weight_tolerance", "max_moves", "max_cut_edges",
                         "objective")
             if k in options]
    if clash:
        raise FairclustersError(f"{clash} set by the criteria of the front; leave them out")
    if "moves" in criteria and current is None:
        raise FairclustersError("criterion 'moves' needs the current plan (current=...)")
    current = None if current is None else check_current(units, current)
    d = (validate_dissimilarity(dissimilarity, len(units)) if dissimilarity is not None
         else default_dissimilarity(units))
    if tolerances is not None or not isinstance(n_clusters, (int, np.integer)):
        return _sweep(units, n_clusters, tolerances, criteria, d, current, weight, options)
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise FairclustersError(f"grid={grid!r}; expected an integer >= 2")
    if max_points is not None and (not isinstance(max_points, (int, np.integer))
                                   or max_points < 1):
        raise FairclustersError(f"max_points={max_points!r}; expected an integer >= 1")
    problem = _Problem(units, int(n_clusters), _ordered(criteria, method), d, current, weight,
                       {"seed": seed, **options})
    if method == "heuristic" or (method == "auto" and len(units) > EXACT_UNITS):
        return _heuristic_front(problem, seed)
    if len(criteria) == 2:
        return _epsilon_constraint(problem, max_points)
    return _epsilon_grid(problem, grid)


def _ordered(criteria: tuple[str, ...], method: str) -> tuple[str, ...]:
    """A minimised criterion first and bounded ones after, or an error saying why not."""
    if method == "heuristic":
        return criteria
    first = next((c for c in criteria if c in _MINIMISED), None)
    rest = tuple(c for c in criteria if c != first)
    unbounded = [c for c in rest if c not in _BOUNDED]
    if first is None or unbounded:
        raise FairclustersError(
            f"criteria={list(criteria)} cannot be solved exactly: one of {list(_MINIMISED)} "
            f"is minimised and the others must be among {list(_BOUNDED)}"
            f"{f' (not {unbounded})' if unbounded else ''}; use method='heuristic'")
    return (first, *rest)


def _sweep(units: UnitSet, n_clusters: int | Sequence[int], tolerances: Sequence[float] | None,
           criteria: tuple[str, ...], d: np.ndarray, current: Plan | None, weight: str | None,
           options: dict) -> ParetoFront:
    """One solve per weight tolerance and number of clusters; non-dominated points marked."""
    ks = [n_clusters] if isinstance(n_clusters, (int, np.integer)) else list(n_clusters)
    if not ks:
        raise FairclustersError("n_clusters is an empty list; give at least one value")
    sweep = list(tolerances) if tolerances is not None else [None]
    if not sweep:
        raise FairclustersError("tolerances is an empty list; give at least one value")
    points = []
    for k in ks:
        problem = _Problem(units, int(k), criteria, d, current, weight, options)
        for tolerance in sweep:
            result = optimize(units, int(k), weight_tolerance=tolerance, weight=weight,
                              dissimilarity=d, **options)
            plan = result.plan
            points.append(ParetoPoint(
                int(k), tolerance, result.status,
                problem.scores(plan) if plan is not None else {}, result.objective, plan,
                proven=result.status in ("optimal", "infeasible")))
    _mark_non_dominated(points, criteria)
    return ParetoFront(criteria, points, "sweep", False)

