r"""Reform from the current plan: the fairest plan within ``m`` changes of membership.

The *moves* of a plan :math:`S_1..S_k` relative to the current plan
:math:`C_1..C_{k'}` are

.. math::

    \operatorname{moves}(S, C) = n - \max_\sigma \sum_j |S_j \cap C_{\sigma(j)}|,

the maximum over matchings :math:`\sigma` of new to current clusters
(:func:`scipy.optimize.linear_sum_assignment`, see
:func:`optimizer.assignment.kept_units`); a new cluster keeps the name of the
current cluster it is matched to. :func:`reform` (the same as
``optimize(..., current=plan, max_moves=m)``) finds the plan of least
objective with at most ``m`` moves; the exact model is the assignment model
with slot variables (:mod:`optimizer.assignment`). Set partitioning is not
used for a reform: ``optimize`` routes it to the assignment model.
:func:`reform_front` traces the objective against the number of moves, and
:func:`plan_moves` lists the moves of a plan, each with what it gains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from clustering.errors import FairclustersError, ParameterError, PlanError, UnknownNameError
from clustering.i18n import DEFAULT_LANGUAGE, Text
from clustering.plan import Plan
from clustering.units import UnitSet

from .assignment import kept_units
from .objectives import default_dissimilarity, validate_dissimilarity

if TYPE_CHECKING:
    from .result import OptimizeResult

__all__ = [
    "Move",
    "ReformPoint",
    "check_current",
    "check_max_moves",
    "count_moves",
    "matched_names",
    "plan_moves",
    "reform",
    "reform_front",
]

MOVE_TEXT = Text(
    vi="{unit} chuyển từ cụm {source!r} sang cụm {target!r} (chi phí p-median {change})",
    en="{unit} moves from cluster {source!r} to cluster {target!r} (p-median cost {change})",
)


def check_max_moves(max_moves: object) -> int | None:
    """``max_moves`` as an int (``None`` stays ``None``), or a clear error.

    Examples
    --------
    >>> check_max_moves(3)
    3
    """
    if max_moves is None:
        return None
    if isinstance(max_moves, bool) or not isinstance(max_moves, (int, np.integer)) or (
            max_moves < 0):
        raise ParameterError(f"max_moves={max_moves!r}; expected an integer >= 0")
    return int(max_moves)


def check_current(units: UnitSet, current: Plan | Mapping[str, Sequence[str]]) -> Plan:
    """The current plan of ``units``: a :class:`Plan` of the same units, or cluster -> members.

    Parameters
    ----------
    units : UnitSet
        The units to partition.
    current : Plan or dict of str to list of str
        Today's plan, complete. Members of a dict may be ids or names.

    Returns
    -------
    Plan
        The current plan.

    Raises
    ------
    UnknownNameError
        A member matches no unit (named, with the closest names suggested).
    PlanError
        A plan of other units, or not every unit placed once.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> s = UnitSet([{"id": i, "name": i} for i in "abc"])
    >>> check_current(s, {"x": ["a", "b"], "y": ["c"]}).clusters
    {'x': ['a', 'b'], 'y': ['c']}
    """
    if isinstance(current, Plan):
        if current.unit_set.ids != units.ids:
            known = set(units.ids)
            foreign = [u for u in current.unit_set.ids if u not in known]
            missing = [u for u in units.ids if u not in set(current.unit_set.ids)]
            raise PlanError(
                "current plan is of other units: "
                f"not in the unit set {foreign[:10]}, missing from the plan {missing[:10]}")
        return current
    if not isinstance(current, Mapping):
        raise ParameterError(
            f"current={type(current).__name__}; expected a Plan or a dict cluster -> members")
    try:
        return Plan(units, current, name="current")
    except UnknownNameError as exc:
        raise UnknownNameError(f"current plan: {exc}") from None
    except PlanError as exc:
        raise PlanError(f"current plan: {exc}") from None


def count_moves(current: Plan, plan: Plan) -> int:
    """Units whose cluster changes from ``current`` to ``plan`` (best matching of clusters).

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> s = UnitSet([{"id": i, "name": i} for i in "abcd"])
    >>> today = Plan(s, {"x": ["a", "b"], "y": ["c", "d"]})
    >>> count_moves(today, Plan(s, {"p": ["a", "b", "c"], "q": ["d"]}))
    1
    """
    return len(plan.unit_set) - kept_units(current.labels, plan.labels)[0]


def matched_names(current: Plan, labels: np.ndarray) -> list[str]:
    """Names of the clusters ``0..k-1`` of ``labels``: the current cluster each is matched to.

    Unmatched clusters (more clusters than today) are named ``C1``, ``C2``...
    avoiding the current names.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> s = UnitSet([{"id": i, "name": i} for i in "abcd"])
    >>> matched_names(Plan(s, {"x": ["a", "b"], "y": ["c", "d"]}), np.array([1, 1, 0, 0]))
    ['y', 'x']
    """
    _, match = kept_units(current.labels, labels)
    names, taken, counter = [], set(current.cluster_names), 0
    for old in match.tolist():
        if old >= 0:
            names.append(current.cluster_names[old])
            continue
        counter += 1
        while f"C{counter}" in taken:
            counter += 1
        names.append(f"C{counter}")
    return names


def _cluster_cost(d: np.ndarray, members: np.ndarray) -> float:
    """p-median cost of one cluster: ``min_j sum_i d[i, j]`` over its members."""
    if not len(members):
        return 0.0
    return float(d[np.ix_(members, members)].sum(axis=0).min())


def _pmedian(d: np.ndarray, labels: np.ndarray) -> float:
    return sum(_cluster_cost(d, np.flatnonzero(labels == c)) for c in np.unique(labels))


@dataclass(frozen=True)
class Move:
    """One unit changing cluster, and what that change alone gains.

    Attributes
    ----------
    unit : str
        The unit's id.
    name : str
        The unit's name.
    source, target : str
        Its current and its new cluster (new clusters named after the current
        ones they match).
    change : float
        Change of the p-median objective when only this move is applied to
        the current plan (negative: it gains).
    """

    unit: str
    name: str
    source: str
    target: str
    change: float

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The move in ``lang`` (Vietnamese by default).

        Examples
        --------
        >>> Move("1", "Hà Nội", "A", "B", -0.25).text("en")
        "Hà Nội moves from cluster 'A' to cluster 'B' (p-median cost -0.250)"
        """
        return MOVE_TEXT(lang, unit=self.name, source=self.source, target=self.target,
                         change=f"{self.change:+.3f}")


def plan_moves(current: Plan, plan: Plan, *, dissimilarity: np.ndarray | None = None
               ) -> list[Move]:
    """The units that change cluster from ``current`` to ``plan``, in unit order.

    Clusters of ``plan`` are matched to the current ones as in
    :func:`count_moves`. Each move's ``change`` is the p-median objective of
    the current plan with only that unit moved, minus the current objective.

    Parameters
    ----------
    current : Plan
        Today's plan.
    plan : Plan
        The new plan, of the same units.
    dissimilarity : array, optional
        ``n x n`` matrix of the objective (default as in :func:`optimize`).

    Returns
    -------
    list of Move

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> s = UnitSet([{"id": i, "name": i} for i in "abcd"])
    >>> d = np.abs(np.arange(4.0)[:, None] - np.arange(4.0)[None, :])
    >>> today = Plan(s, {"x": ["a", "b"], "y": ["c", "d"]})
    >>> new = Plan(s, {"p": ["a", "b", "c"], "q": ["d"]})
    >>> [(m.unit, m.source, m.target, m.change)
    ...  for m in plan_moves(today, new, dissimilarity=d)]  # costs 1 + 1 before, 2 + 0 after
    [('c', 'y', 'x', 0.0)]
    """
    units = current.unit_set
    check_current(units, plan)
    d = (validate_dissimilarity(dissimilarity, len(units)) if dissimilarity is not None
         else default_dissimilarity(units))
    names = matched_names(current, plan.labels)
    target_of = {name: k for k, name in enumerate(current.cluster_names)}
    base, moves = _pmedian(d, current.labels), []
    for i, uid in enumerate(units.ids):
        source = current.cluster_names[int(current.labels[i])]
        target = names[int(plan.labels[i])]
        if source == target:
            continue
        moved = current.labels.copy()
        moved[i] = target_of.get(target, int(current.labels.max()) + 1)
        moves.append(Move(uid, units[uid].name, source, target, _pmedian(d, moved) - base))
    return moves


def reform(units: UnitSet, current: Plan | Mapping[str, Sequence[str]], max_moves: int,
           n_clusters: Any = None, **options: Any) -> OptimizeResult:
    """The fairest plan within ``max_moves`` changes of membership from ``current``.

    ``optimize(units, k, current=current, max_moves=max_moves, ...)`` with
    ``k`` the current number of clusters by default.

    Parameters
    ----------
    units : UnitSet
        The units.
    current : Plan or dict
        Today's plan (see :func:`check_current`).
    max_moves : int
        Most units whose cluster may change.
    n_clusters : int or ClusterRules, optional
        Default: the number of clusters of ``current``.
    **options
        Passed to :func:`optimizer.optimize` (``size``, ``weight_tolerance``...).

    Returns
    -------
    OptimizeResult
        Clusters named after the current clusters they match;
        ``details["moves"]`` counts the moves.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> units = planar_unit_set(8, seed=1)
    >>> today = Plan.from_labels(units, [0, 0, 0, 0, 1, 1, 1, 1])
    >>> result = reform(units, today, 0, contiguous=False, solver="highs")
    >>> result.status, result.details["moves"]
    ('optimal', 0)
    """
    from .api import optimize

    plan = check_current(units, current)
    k = plan.n_clusters if n_clusters is None else n_clusters
    return optimize(units, k, current=plan, max_moves=max_moves, **options)


@dataclass
class ReformPoint:
    """One point of :func:`reform_front`.

    Attributes
    ----------
    max_moves : int
        The bound solved for.
    moves : int or None
        The moves of the plan found (at most ``max_moves``).
    objective : float or None
        Its objective.
    status : str
        The solve's status (``"optimal"`` only when proven).
    plan : Plan or None
        The plan.
    result : OptimizeResult
        The whole result.
    scores : dict
        The plan's scores (:func:`optimizer.pareto.plan_scores`).
    non_dominated : bool
        No other point has fewer or equal moves and a lower objective (or
        equal objective and fewer moves).
    """

    max_moves: int
    moves: int | None
    objective: float | None
    status: str
    plan: Plan | None
    result: Any
    scores: dict = field(default_factory=dict)
    non_dominated: bool = False


def reform_front(units: UnitSet, current: Plan | Mapping[str, Sequence[str]],
                 max_moves: Iterable[int] = range(0, 11), n_clusters: Any = None,
                 **options: Any) -> list[ReformPoint]:
    """The objective against the number of moves: one :func:`reform` per bound.

    Parameters
    ----------
    units : UnitSet
        The units.
    current : Plan or dict
        Today's plan.
    max_moves : iterable of int, default range(0, 11)
        The bounds ``0, 1, 2...`` to solve for.
    n_clusters : int or ClusterRules, optional
        Default: the number of clusters of ``current``.
    **options
        Passed to :func:`optimizer.optimize` (``explain`` is False unless given).

    Returns
    -------
    list of ReformPoint
        In the order of ``max_moves``; a point is ``non_dominated`` when no
        other point has a lower objective with at most as many moves or as
        low an objective with fewer moves (its plan is the front's).

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> units = planar_unit_set(8, seed=1)
    >>> today = Plan.from_labels(units, [0, 0, 0, 0, 1, 1, 1, 1])
    >>> points = reform_front(units, today, range(3), contiguous=False, solver="highs")
    >>> [p.moves <= p.max_moves for p in points]
    [True, True, True]
    """
    from .pareto import plan_scores

    plan = check_current(units, current)
    bounds = [check_max_moves(m) for m in max_moves]
    options.setdefault("explain", False)  # small bounds are often infeasible: no blame search
    if not bounds:
        raise FairclustersError("max_moves is empty; give at least one bound, e.g. range(0, 6)")
    points = []
    for m in bounds:
        result = reform(units, plan, m, n_clusters, **options)
        found = result.plan
        points.append(ReformPoint(
            max_moves=m, moves=None if found is None else count_moves(plan, found),
            objective=result.objective, status=result.status, plan=found, result=result,
            scores={} if found is None else plan_scores(
                found, ("homogeneity", "population-balance", "cut-edges", "moves"),
                current=plan, dissimilarity=options.get("dissimilarity")),
        ))
    solved = [p for p in points if p.objective is not None]
    for p in solved:
        p.non_dominated = not any(
            q.moves <= p.moves and q.objective <= p.objective
            and (q.moves < p.moves or q.objective < p.objective - 1e-9) for q in solved)
    return points
