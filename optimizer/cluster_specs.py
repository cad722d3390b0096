"""Clusters with rules of their own, and soft purity, around :func:`optimizer.optimize`.

:func:`optimizer.optimize` hands over here when the rules declare named
clusters (:class:`~clustering.rules.ClusterSpec`) or allow impure clusters
(``max_impure > 0``); everything else is solved by ``optimize`` itself.

Exactness
---------
* A **closed** cluster (all members fixed, no other unit may join) is taken
  out (:func:`clustering.rules.split_closed`): its own rules are checked on
  its members, and the rest is solved exactly with ``k - c`` clusters on the
  remaining units. The objectives allowed here are sums of per-cluster costs
  that do not depend on the other clusters (p-median with the full-set
  dissimilarity, the cut terms, a custom cost), so the two optima add up.
  ``balance`` and ``wcss`` standardise over the units being solved and are
  refused.
* An **open** spec (members fixed, others may join) without rules of its own is
  a ``fixed`` label; an open spec with its own bounds, contiguity or purity is
  not modelled and is refused.
* **Soft purity** (at most ``max_impure`` members outside a cluster's main
  value): enumeration drops the candidate clusters that break it (exact). The
  assignment model solves without purity (a relaxation) and the plan is
  checked: when it follows the soft rule it is optimal for it too; when not,
  the call is refused rather than returning a wrong plan.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from clustering.errors import FairclustersError
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations, split_closed
from clustering.units import UnitSet

from .candidates import Candidates
from .objectives import (
    candidate_costs,
    default_dissimilarity,
    parse_objective,
    validate_dissimilarity,
)
from .result import OptimizeResult

__all__ = ["handles", "optimize_with_specs"]

# Set while this module calls optimize for a problem it has already prepared.
_DIRECT: contextvars.ContextVar[bool] = contextvars.ContextVar("cluster_specs_direct",
                                                               default=False)
#: Objective terms that stay exact when clusters are taken out of the problem.
_SEPARABLE = ("p-median", "cut-edges", "cut-length")


def handles(rules: ClusterRules) -> bool:
    """Whether ``optimize`` must hand ``rules`` over to :func:`optimize_with_specs`.

    Examples
    --------
    >>> handles(ClusterRules(n_clusters=2)), handles(ClusterRules(n_clusters=2, pure="kind",
    ...                                                            max_impure=1))
    (False, True)
    """
    return not _DIRECT.get() and bool(rules.clusters or (rules.max_impure and rules.pure))


@contextlib.contextmanager
def _direct() -> Iterator[None]:
    token = _DIRECT.set(True)
    try:
        yield
    finally:
        _DIRECT.reset(token)


def optimize_with_specs(units: UnitSet, rules: ClusterRules, **options: Any) -> OptimizeResult:
    """:func:`optimizer.optimize` for rules with cluster specs or soft purity (see the module).

    Parameters
    ----------
    units : UnitSet
        The units to partition.
    rules : ClusterRules
        Resolved rules with ``clusters`` or ``max_impure`` set.
    **options
        The other keywords of :func:`optimizer.optimize` (``objective``,
        ``dissimilarity``, ``method``, ``solver``, ``time_limit``, ``mip_gap``,
        ``warm_start``, ``seed``, ``verbose``, ``candidate_limit``; ``current``,
        ``max_moves`` and ``max_cut_edges`` are refused unless ``None``).

    Returns
    -------
    OptimizeResult
        Over all of ``units``; closed clusters are named by their spec.

    Raises
    ------
    FairclustersError
        Reform options (``max_moves``...), an open spec with rules of its own,
        an objective that is not a sum of
        per-cluster costs with closed clusters, a warm start breaking the rules,
        or soft purity the assignment model's plan breaks.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.rules import ClusterSpec
    >>> from optimizer import optimize
    >>> vn = vietnam_provinces(2025)
    >>> cities = [u.id for u in vn if u.kind == "city"]
    >>> rules = ClusterRules(n_clusters=6, size=(4, 7), clusters={
    ...     "Đô thị": ClusterSpec(members=cities, contiguous=False)})
    >>> result = optimize(vn, rules, solver="highs")
    >>> result.status, sorted(result.plan.clusters["Đô thị"]) == sorted(cities)
    ('optimal', True)
    """
    started = time.perf_counter()
    unsupported = [k for k in ("current", "max_moves", "max_cut_edges")
                   if options.pop(k, None) is not None]
    if unsupported:
        raise FairclustersError(
            f"{unsupported} cannot be combined with cluster specs or max_impure yet; "
            "drop one or the other")
    given, rules = rules, _open_specs_as_fixed(rules)
    warm = options.get("warm_start")
    if warm is not None and (broken := plan_violations(warm, given)):
        raise FairclustersError(
            f"warm_start breaks the rules ({'; '.join(map(str, broken[:3]))}); repair it first")
    if any(spec.closed for spec in rules.clusters.values()):
        result = _without_closed(units, rules, options)
    else:
        result = _soft_purity(units, rules, options)
    return replace(result, rules=given, wall_time=time.perf_counter() - started)


def _open_specs_as_fixed(rules: ClusterRules) -> ClusterRules:
    """Open specs as ``fixed`` labels; one with rules of its own is refused (not modelled)."""
    open_specs = {name: spec for name, spec in rules.clusters.items() if not spec.closed}
    modelled = [name for name, spec in open_specs.items() if spec.overrides]
    if modelled:
        raise FairclustersError(
            f"cluster(s) {modelled} are open (closed=False) and have rules of their own "
            f"({open_specs[modelled[0]].overrides}); the optimizer models per-cluster rules "
            "only for closed clusters: close them (closed=True) or drop their own rules")
    fixed = {**rules.fixed, **{u: name for name, spec in open_specs.items()
                               for u in spec.members}}
    closed = {name: spec for name, spec in rules.clusters.items() if spec.closed}
    return rules.model_copy(update={"fixed": fixed, "clusters": closed})


def _without_closed(units: UnitSet, rules: ClusterRules, options: dict[str, Any]
                    ) -> OptimizeResult:
    """Closed clusters taken out, the rest solved with ``k - c`` clusters, then put together."""
    from .api import optimize

    goal = parse_objective(options.get("objective", "p-median"))
    unsupported = [t for t in goal.terms if t not in _SEPARABLE]
    if goal.custom is None and unsupported:
        raise FairclustersError(
            f"objective {goal}: with closed clusters the optimizer takes them out of the "
            f"problem, which is exact only for sums of per-cluster costs ({list(_SEPARABLE)} "
            f"or a custom cost of one cluster), not {unsupported}")
    split = split_closed(units, rules)
    base = dict(method="presolve", method_reason="the closed clusters break their own rules",
                solver=options.get("solver", "cbc"), rules=rules, objective_name=str(goal))
    if split.problems:
        return OptimizeResult(plan=None, status="infeasible", objective=None, bound=None,
                              gap=None, wall_time=0.0, reasons=list(split.problems), **base)
    d = options.get("dissimilarity")
    if d is not None:
        d = validate_dissimilarity(d, len(units))
    elif "p-median" in goal.terms:
        d = default_dissimilarity(units)  # over every unit, as without closed clusters
    rows = np.array([units.index(u) for u in split.rest_units.ids], dtype=np.int64)
    clusters = split.joined({})
    if split.rest_rules.n_clusters == 0:
        result = OptimizeResult(plan=None, status="optimal", objective=0.0, bound=0.0, gap=0.0,
                                wall_time=0.0, **{**base, "method_reason":
                                                  "every cluster is closed: nothing to solve"})
    else:
        warm = options.get("warm_start")
        rest_options = {**options, "dissimilarity": None if d is None else d[np.ix_(rows, rows)],
                        "warm_start": None if warm is None else split.restricted(warm)}
        result = optimize(split.rest_units, split.rest_rules, **rest_options)
        if result.plan is None:
            return result
        clusters = split.joined(result.plan.clusters)
    plan = Plan(units, clusters, name=f"optimize k={rules.n_clusters} ({goal}), "
                                      f"{len(split.closed)} closed cluster(s)")
    total = _plan_cost(goal, plan, d)
    offset = total - (result.objective or 0.0)
    result.details.update(closed_clusters=sorted(split.closed), closed_cost=offset)
    bound = None if result.bound is None else result.bound + offset
    gap = result.gap if bound is None or total == 0 else abs(total - bound) / abs(total)
    return replace(result, plan=plan, objective=total, bound=bound, gap=gap)


def _plan_cost(goal: Any, plan: Plan, d: np.ndarray | None) -> float:
    """The objective of a whole plan, summed over its clusters (the optimizer's costs)."""
    units = plan.unit_set
    members = [[units.index(u) for u in m] for m in plan.clusters.values()]
    indptr = np.cumsum([0, *map(len, members)])
    cands = Candidates(indptr=indptr.astype(np.int64),
                       indices=np.array([i for m in members for i in m], dtype=np.int64),
                       n_units=len(units))
    costs = candidate_costs(goal, cands, ids=units.ids, dissimilarity=d, standardized=None,
                            balance_sizes=np.ones(len(units)), ideal=len(units) / len(members),
                            unit_set=units)
    return float(costs.sum())


def _soft_purity(units: UnitSet, rules: ClusterRules, options: dict[str, Any]
                 ) -> OptimizeResult:
    """Soft purity: exact by enumeration, checked on the assignment model's relaxation."""
    from .api import _choose_method, optimize

    if not (rules.max_impure and rules.pure):  # no closed cluster, no soft rule: plain problem
        with _direct():
            return optimize(units, rules, **options)
    goal = parse_objective(options.get("objective", "p-median"))
    limit = options.get("candidate_limit")
    chosen, _ = _choose_method(options.get("method", "auto"), rules.compile(units), goal,
                               limit if limit is not None else 400_000, None,
                               seed=options.get("seed", 0))
    if chosen == "enumerate":
        with _direct():
            return optimize(units, rules, **{**options, "method": "enumerate"})
    relaxed = rules.model_copy(update={"pure": None, "max_impure": 0})
    with _direct():
        result = optimize(units, relaxed, **{**options, "method": "assignment"})
    if result.plan is not None:
        broken = [v for v in plan_violations(result.plan, rules) if v.reason == "purity"]
        if broken:
            raise FairclustersError(
                f"max_impure={rules.max_impure} ({rules.pure!r}) is not modelled by the "
                f"assignment model, and its plan breaks it ({broken[0]}); use "
                "method='enumerate' (raise candidate_limit) or fewer units")
        result.details["max_impure"] = (
            "checked on the plan of the model without purity: it follows the rule, so an "
            "optimum of that model is an optimum under the rule")
    return result
