"""Complete a partial plan: place the units a source left out, optimally, under the rules.

Sources often place only some units (:meth:`clustering.plan.Plan.partial`).
:func:`complete_plan` fixes every placed unit to its cluster (the ``fixed``
rule of :func:`optimizer.optimize`: same label, same cluster; different
labels, different clusters) and lets the optimizer assign the rest. The
placed units never move: the result is checked, and a moved unit raises.
"""

from __future__ import annotations

from typing import Any

from clustering.errors import FairclustersError, PlanError
from clustering.plan import Plan
from clustering.rules import ClusterRules

from .api import optimize
from .result import OptimizeResult

__all__ = ["complete_plan"]


def complete_plan(plan: Plan, rules: ClusterRules, **options: Any) -> OptimizeResult:
    """Assign the units ``plan`` leaves out, optimally under ``rules``, never moving the others.

    Parameters
    ----------
    plan : Plan
        A partial plan (a complete one is returned re-checked, as the optimum
        with every unit fixed).
    rules : ClusterRules
        The rules the completed plan must follow; ``n_clusters`` counts the
        plan's clusters and any new ones. Its own ``fixed`` units must agree
        with the plan.
    **options
        Passed to :func:`optimizer.optimize` (``objective``, ``dissimilarity``,
        ``solver``, ``time_limit``, ``method``...).

    Returns
    -------
    OptimizeResult
        ``result.plan`` keeps the plan's cluster names (new clusters are
        ``C1``, ``C2``...) and its name with ``" (completed)"``;
        ``result.details["completed"]`` lists the units placed.

    Raises
    ------
    FairclustersError
        The plan has more clusters than ``rules.n_clusters``, a unit fixed by
        ``rules`` to another cluster than the plan's, or rule keywords in
        ``options`` (give them in ``rules``).
    PlanError
        The optimizer moved a placed unit (a bug; never returned silently).

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> partial = Plan.partial(vn, {"Bắc": ["Hà Nội"], "Nam": ["Hồ Chí Minh"]})
    >>> result = complete_plan(partial, ClusterRules(n_clusters=6, size=(5, 6)),
    ...                        solver="highs")
    >>> result.status, result.plan.cluster_of("Hà Nội"), result.plan.is_complete
    ('optimal', 'Bắc', True)
    """
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a Plan, got {type(plan).__name__}")
    if not isinstance(rules, ClusterRules):
        raise TypeError(f"rules must be a ClusterRules, got {type(rules).__name__}")
    units = plan.unit_set
    rules = rules.resolved(units)
    if plan.n_clusters > rules.n_clusters:
        raise FairclustersError(
            f"the plan has {plan.n_clusters} clusters but rules.n_clusters="
            f"{rules.n_clusters}; expected at least as many clusters as the plan's")
    placed = {uid: name for name, members in plan.clusters.items() for uid in members}
    clash = [f"{uid!r} ({units[uid].name}): plan {placed[uid]!r}, rules {label!r}"
             for uid, label in rules.fixed.items() if uid in placed and placed[uid] != label]
    if clash:
        raise FairclustersError(
            "units fixed by the rules to another cluster than the plan's: " + "; ".join(clash))
    fixed = {**rules.fixed, **placed}
    result = optimize(units, rules.model_copy(update={"fixed": fixed}), **options)
    if result.plan is None:
        return result
    moved = [uid for uid, name in placed.items() if result.plan.cluster_of(uid) != name]
    if moved:
        raise PlanError(f"completing plan {plan.name!r} moved placed unit(s) {moved}; "
                        "this is a bug, please report it")
    result.plan.name = f"{plan.name or 'plan'} (completed)"
    result.plan.notes = plan.notes
    result.details["completed"] = list(plan.unassigned)
    return result
