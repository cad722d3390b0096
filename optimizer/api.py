"""``optimize``: the one entry point to the exact cluster programs."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from clustering.dissimilarity import border_hops
from clustering.errors import FairclustersError, InfeasibleError
from clustering.plan import Plan
from clustering.rules import ClusterRules, CompiledRules, diagnose, plan_violations
from clustering.units import UnitSet

from .assignment import FIXING_FROM, AssignmentProblem, solve_assignment
from .candidates import (
    CandidateLimitExceeded,
    Candidates,
    EnumerationTimeout,
    VisitLimitExceeded,
    estimate_rule_candidates,
    rule_candidates,
    splittable_rest,
)
from .heuristic import heuristic_plan, pmedian_improver
from .objectives import (
    CUT_OBJECTIVES,
    Objective,
    border_weights,
    candidate_costs,
    cost_scale,
    default_dissimilarity,
    parse_objective,
    standardized_default,
    validate_dissimilarity,
)
from .reform import check_current, check_max_moves, count_moves, matched_names
from .result import OptimizeResult
from .set_partition import solve_set_partition, warm_start_vector
from .solvers import SOLVERS, Solution

__all__ = ["CANDIDATE_LIMIT", "METHODS", "optimize"]

METHODS = ("auto", "enumerate", "assignment")
#: ``method="auto"`` enumerates when there are at most this many candidate clusters.
CANDIDATE_LIMIT = 400_000
#: Most candidate clusters any enumeration lists: listing takes about 200 bytes a
#: candidate and the set-partitioning model more, so 10 million stay within a few GB.
ENUMERATION_LIMIT = 10_000_000


def _rules_from(
    unit_set: UnitSet,
    n_clusters: int | ClusterRules,
    *,
    size, weight_bounds, weight_tolerance, weight, contiguous, together, apart, fixed, pure,
) -> ClusterRules:
    if isinstance(n_clusters, ClusterRules):
        given = {
            "size": size, "weight_bounds": weight_bounds, "weight_tolerance": weight_tolerance,
            "weight": weight, "together": together or None, "apart": apart or None,
            "fixed": fixed, "pure": pure,
        }
        clash = [k for k, v in given.items() if v is not None]
        if clash:
            raise FairclustersError(
                f"rules given twice: a ClusterRules and the keyword(s) {clash}; use one"
            )
        return n_clusters.resolved(unit_set)
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
        raise FairclustersError(
            f"n_clusters={n_clusters!r}; expected an integer >= 1 or a ClusterRules"
        )
    if n_clusters < 1:
        raise FairclustersError(f"n_clusters={n_clusters}; expected an integer >= 1")
    if n_clusters > len(unit_set):
        raise FairclustersError(f"n_clusters={n_clusters} exceeds the {len(unit_set)} units")
    if size is not None:
        if len(size) != 2 or not all(isinstance(s, (int, np.integer)) for s in size):
            raise FairclustersError(f"size={size!r}; expected (min, max) integers")
        if size[0] > size[1]:
            raise FairclustersError(f"size={tuple(size)}: min {size[0]} exceeds max {size[1]}")
    keywords = {
        "size": None if size is None else (int(size[0]), int(size[1])),
        "weight": weight,
        "contiguous": bool(contiguous),
        "together": tuple(tuple(g) for g in together),
        "apart": tuple(tuple(g) for g in apart),
        "fixed": dict(fixed or {}),
        "pure": pure,
    }
    if weight_tolerance is not None:
        if weight_bounds is not None:
            raise FairclustersError("give weight_bounds or weight_tolerance, not both")
        rules = ClusterRules.with_weight_tolerance(
            unit_set, int(n_clusters), weight_tolerance, **keywords
        )
    else:
        rules = ClusterRules(n_clusters=int(n_clusters), weight_bounds=weight_bounds, **keywords)
    return rules.resolved(unit_set)


def _cluster_names(unit_set: UnitSet, rules: ClusterRules, labels: np.ndarray) -> list[str]:
    """Clusters holding fixed units take their label; the others C1, C2..."""
    names: dict[int, str] = {}
    for unit, label in rules.fixed.items():
        names[int(labels[unit_set.index(unit)])] = label
    taken, counter = set(names.values()), 0
    for value in dict.fromkeys(labels.tolist()):
        if value not in names:
            counter += 1
            while f"C{counter}" in taken:
                counter += 1
            names[value] = f"C{counter}"
    return [names[v] for v in range(int(labels.max()) + 1)]


def optimize(
    units: UnitSet,
    n_clusters: int | ClusterRules,
    *,
    size: tuple[int, int] | None = None,
    weight_bounds: tuple[float, float] | None = None,
    weight_tolerance: float | None = None,
    weight: str | None = None,
    contiguous: bool = True,
    objective: str | Mapping[str, float] | Callable[[tuple[str, ...]], float] = "p-median",
    dissimilarity: np.ndarray | None = None,
    together: Sequence[Sequence[str]] = (),
    apart: Sequence[Sequence[str]] = (),
    fixed: Mapping[str, str] | None = None,
    pure: str | None = None,
    method: str = "auto",
    solver: str = "cbc",
    time_limit: float | None = None,
    mip_gap: float | None = None,
    warm_start: Plan | None = None,
    seed: int = 0,
    verbose: bool = False,
    candidate_limit: int = CANDIDATE_LIMIT,
    current: Plan | Mapping[str, Sequence[str]] | None = None,
    max_moves: int | None = None,
    max_cut_edges: int | None = None,
    explain: bool = True,
) -> OptimizeResult:
    """Partition ``units`` into clusters that are balanced, contiguous and homogeneous.

    Parameters
    ----------
    units : UnitSet
        The units to partition, with their borders.
    n_clusters : int or ClusterRules
        Number of clusters, or complete rules (then the rule keywords below
        must be left unset; ``contiguous`` is taken from the rules).
    size : (int, int), optional
        Bounds on the member count of every cluster.
    weight_bounds : (float, float), optional
        Bounds on every cluster's total weight.
    weight_tolerance : float, optional
        Weight bounds as the ideal (total / k) times ``1 ± weight_tolerance``.
    weight : str, optional
        Indicator to weigh by; default each unit's ``weight`` (population).
    contiguous : bool, default True
        Every cluster connected in the adjacency graph.
    objective : str, dict or callable, default "p-median"
        ``"p-median"``, ``"wcss"``, ``"balance"``, ``"cut-edges"`` (borders
        between clusters: compactness), ``"cut-length"`` (the same in km of
        border), a dict of them to weights, or a cost ``f(ids) -> float`` of
        one cluster (see :mod:`optimizer.objectives`). Costs are rescaled to
        magnitudes near 1 before solving and reported in the caller's units.
    dissimilarity : array, optional
        ``n x n`` matrix in the unit order, finite and non-negative. Default:
        :func:`optimizer.objectives.default_dissimilarity`.
    together, apart : sequences of unit groups (ids or names)
        Each ``together`` group shares one cluster; the units of each ``apart``
        group are in pairwise different clusters.
    fixed : dict, optional
        Unit -> cluster label; the label names that cluster in the plan.
    pure : str, optional
        Category every cluster must be pure in (e.g. ``"function"``).
    method : {"auto", "enumerate", "assignment"}
        ``"auto"`` enumerates candidate clusters when there are at most
        ``candidate_limit`` of them (counted with an early exit), else uses the
        assignment model (:mod:`optimizer.assignment`: separator cuts on the
        root LP, a dive for a first plan, then MIP rounds; with no LP solved in
        time, a Lagrangian bound); non-linear objectives need enumeration.
        Enumeration refuses to list more than :data:`ENUMERATION_LIMIT`
        candidates (a :class:`~clustering.errors.FairclustersError`), so that
        a forced ``"enumerate"`` never runs out of memory.
    solver : {"cbc", "highs"}, default "cbc"
        The MIP solver: CBC (bundled with PuLP) or HiGHS (the ``highs`` extra).
    time_limit : float, optional
        Seconds for the whole call's solving.
    mip_gap : float, optional
        Relative gap at which to stop (the status is then ``"feasible"``).
    warm_start : Plan, optional
        A plan following the rules (checked: a plan that breaks one raises),
        used as the first incumbent. Without one, the assignment model on a
        large or weight-bounded instance asks
        :func:`optimizer.heuristic.heuristic_plan` for one (reported in
        ``details["warm_start"]``), so that reduced-cost fixing can start
        before the first MIP round: first, or, under weight bounds with a
        p-median term, only when the plan on the root LP's likeliest centres
        gives none.
    seed : int, default 0
        Seed of the solvers and of the heuristic start: same seed, same result.
    verbose : bool, default False
        Show the solver's log.
    candidate_limit : int, default :data:`CANDIDATE_LIMIT`
        Most candidate clusters ``method="auto"`` enumerates before it
        switches to the assignment model.
    current : Plan or dict, optional
        Today's plan (complete; a dict maps cluster names to members, ids or
        names). The plan's clusters are named after the current clusters
        they match (:mod:`optimizer.reform`), and it is the warm start when
        it follows the rules (0 moves).
    max_moves : int, optional
        With ``current``: at most this many units change cluster. Solved by
        the assignment model with slot variables (``method="auto"`` and
        ``"enumerate"`` are routed there); needs a linear objective.
    max_cut_edges : int, optional
        At most this many borders between clusters (the assignment model,
        as for ``max_moves``).
    explain : bool, default True
        When a solver proves infeasibility, name the rules whose removal
        alone would allow a plan (up to :data:`BLAME_BUDGET` seconds); sweeps
        that expect infeasible ends (:mod:`optimizer.pareto`) turn it off.

    Returns
    -------
    OptimizeResult
        ``status="infeasible"`` with the reasons when no plan exists (found
        before solving, by enumeration, or by a solver and confirmed by the
        other one, with the rules whose removal alone would allow a plan);
        ``result.raise_if_infeasible()`` raises what the estimators raise.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> result = optimize(vietnam_provinces(2025), 6, size=(5, 6), solver="highs")
    >>> result.status, result.plan.n_clusters, sorted(result.plan.sizes().values())
    ('optimal', 6, [5, 5, 6, 6, 6, 6])
    """
    started = time.perf_counter()
    _check_parameters(units, method, solver, time_limit, mip_gap, warm_start, candidate_limit)
    current, max_moves = _check_bounds(units, current, max_moves, max_cut_edges)
    if isinstance(n_clusters, ClusterRules):
        contiguous = n_clusters.contiguous
    rules = _rules_from(
        units, n_clusters, size=size, weight_bounds=weight_bounds,
        weight_tolerance=weight_tolerance, weight=weight, contiguous=contiguous,
        together=together, apart=apart, fixed=fixed, pure=pure,
    )
    from .cluster_specs import handles, optimize_with_specs  # clusters with their own rules
    if handles(rules):
        return optimize_with_specs(
            units, rules, objective=objective, dissimilarity=dissimilarity, method=method,
            solver=solver, time_limit=time_limit, mip_gap=mip_gap, warm_start=warm_start,
            seed=seed, verbose=verbose, candidate_limit=candidate_limit, current=current,
            max_moves=max_moves, max_cut_edges=max_cut_edges)
    if warm_start is not None and (broken := plan_violations(warm_start, rules)):
        # An incumbent must be a valid plan: a broken one would be returned as "feasible".
        raise FairclustersError(
            f"warm_start breaks the rules ({'; '.join(map(str, broken[:3]))}"
            f"{'; ...' if len(broken) > 3 else ''}); repair it first, e.g. with "
            "clustering.estimators.AZPLocalSearch(improve=False, init=plan)"
        )
    goal = parse_objective(objective)
    reforming = max_moves is not None
    bounded = _bounded_method(goal, current, max_moves, max_cut_edges, warm_start)
    if method == "assignment" and not goal.linear:
        raise FairclustersError(
            f"objective {goal} is not linear in an assignment; use method='enumerate'"
        )
    d = None
    if dissimilarity is not None:
        d = validate_dissimilarity(dissimilarity, len(units))
    elif "p-median" in goal.terms:
        d = default_dissimilarity(units)

    def finish(plan, status, objective_value, bound, gap, method_used, reason, reasons=(),
               details=None) -> OptimizeResult:
        return OptimizeResult(
            plan=plan, status=status, objective=objective_value, bound=bound, gap=gap,
            wall_time=time.perf_counter() - started, method=method_used,
            method_reason=reason, solver=solver, rules=rules, objective_name=str(goal),
            reasons=list(reasons), details=details or {},
        )

    problems = diagnose(units, rules)
    if problems:
        return finish(None, "infeasible", None, None, None, "presolve",
                      "the rules are contradictory before any solving", problems)
    compiled = rules.compile(units)
    deadline = None if time_limit is None else started + time_limit
    chosen, reason = bounded or _choose_method(method, compiled, goal, candidate_limit,
                                               deadline, seed=seed)
    warm_labels = _start_labels(compiled, warm_start, current)
    if time_limit is not None:  # the limit covers the whole call, counting included
        time_limit = max(0.1, time_limit - (time.perf_counter() - started))
    run = _Run(solver, time_limit, mip_gap, warm_labels, seed, verbose, deadline,
               None if not reforming else current.labels, max_moves, max_cut_edges)
    by_method = _by_enumeration if chosen == "enumerate" else _by_assignment
    solution, labels, details = by_method(compiled, goal, d, run)
    details.update(solver_status=solution.solver_status)

    if solution.status == "infeasible" and solution.solver != "enumeration":
        # A solver's word alone is not enough: the other solver confirms, and finds the
        # plan if the first was wrong; then relaxing one rule at a time names the culprits.
        solution, labels, details, confirmed = _confirm_infeasible(
            compiled, goal, d, run, by_method, solution, labels, details)
        if confirmed and explain:
            details["blocking_rules"] = _blocking_rules(compiled, run, candidate_limit)
    if solution.status == "infeasible":
        return finish(None, "infeasible", None, None, None, chosen, reason,
                      [_infeasibility_proof(solution, details.get("blocking_rules"))], details)
    if solution.status == "error":
        raise RuntimeError(f"the {solver} solver failed: {solution.solver_status}")
    if labels is None:
        return finish(None, "no_solution", None, solution.bound, None, chosen, reason,
                      details=details)
    plan = _named_plan(units, rules, labels, current, f"optimize k={rules.n_clusters} ({goal})",
                       details)
    return finish(plan, solution.status, solution.objective, solution.bound, solution.gap,
                  chosen, reason, details=details)


def _check_bounds(units: UnitSet, current, max_moves, max_cut_edges
                  ) -> tuple[Plan | None, int | None]:
    """The current plan and ``max_moves`` checked, ``max_cut_edges`` too; errors name them."""
    max_moves = check_max_moves(max_moves)
    if max_cut_edges is not None and (isinstance(max_cut_edges, bool) or not isinstance(
            max_cut_edges, (int, np.integer)) or max_cut_edges < 0):
        raise FairclustersError(f"max_cut_edges={max_cut_edges!r}; expected an integer >= 0")
    if max_moves is not None and current is None:
        raise FairclustersError(f"max_moves={max_moves} needs the current plan (current=...)")
    return (None if current is None else check_current(units, current)), max_moves


def _bounded_method(goal: Objective, current: Plan | None, max_moves: int | None,
                    max_cut_edges: int | None, warm_start: Plan | None
                    ) -> tuple[str, str] | None:
    """The assignment model and why, under a moves or cut bound; ``None`` without one."""
    if max_moves is None and max_cut_edges is None:
        return None
    if not goal.linear:
        raise FairclustersError(
            f"objective {goal} is not linear in an assignment, which max_moves and "
            "max_cut_edges need; use p-median, balance, cut-edges or cut-length")
    if max_moves is None:
        return "assignment", (
            f"at most {max_cut_edges} cut borders: assignment model with cut indicators")
    if warm_start is not None and (moved := count_moves(current, warm_start)) > max_moves:
        raise FairclustersError(
            f"warm_start moves {moved} units from the current plan; max_moves={max_moves}")
    return "assignment", (f"at most {max_moves} moves from the current plan: assignment "
                          "model with slot variables")


def _named_plan(units: UnitSet, rules: ClusterRules, labels: np.ndarray,
                current: Plan | None, name: str, details: dict) -> Plan:
    """The plan of ``labels``: clusters named after the current ones they match, if any
    (their moves then in ``details["moves"]``)."""
    labels = np.unique(labels, return_inverse=True)[1]
    if current is None:
        return Plan.from_labels(units, labels, cluster_names=_cluster_names(units, rules, labels),
                                name=name)
    plan = Plan.from_labels(units, labels, cluster_names=matched_names(current, labels),
                            name=name)
    details["moves"] = count_moves(current, plan)
    return plan


def _start_labels(compiled: CompiledRules, warm_start: Plan | None, current: Plan | None
                  ) -> np.ndarray | None:
    """The first incumbent: the warm start, else the current plan if it follows the rules."""
    if warm_start is not None:
        return warm_start.labels
    if current is not None and not compiled.violations(current.labels):
        return current.labels  # 0 moves
    return None


@dataclass(frozen=True)
class _Run:
    """How to solve: the solver settings shared by both methods."""

    solver: str
    time_limit: float | None  # seconds left for solving
    mip_gap: float | None
    warm_labels: np.ndarray | None
    seed: int
    verbose: bool
    deadline: float | None  # time.perf_counter() value at which the whole call ends
    current: np.ndarray | None = None  # current cluster of each unit, when moves are bounded
    max_moves: int | None = None
    max_cut_edges: int | None = None  # most borders between clusters


def _infeasibility_proof(solution: Solution, blocking: list[str] | None = None
                         ) -> InfeasibleError:
    """Why no plan exists, in the words of whatever proved it (enumeration or a solver)."""
    if solution.solver == "enumeration":
        return InfeasibleError(
            f"enumerating every candidate cluster proved that no plan satisfies the rules: "
            f"{solution.solver_status} (no solver was needed)",
            reason="exhaustive",
        )
    culprits = ""
    if blocking:
        culprits = (f"; dropping any one of these rules alone would allow a plan: "
                    f"{', '.join(blocking)}")
    return InfeasibleError(
        f"the {solution.solver} solver proved that no plan satisfies the rules "
        f"({solution.solver_status}), although the pre-solve checks found no "
        f"contradiction{culprits}",
        reason="solver",
    )


def _other_solver(solver: str) -> str | None:
    """The other solver, if it is installed (HiGHS is an optional extra)."""
    if solver == "highs":
        return "cbc"
    try:
        import highspy  # noqa: F401
    except ImportError:
        return None
    return "highs"


def _confirm_infeasible(compiled, goal, d, run, by_method, solution, labels, details):
    """Solve again with the other solver; ``(solution, labels, details, confirmed)``.

    If the other solver finds a plan, its result replaces the claim; if it
    cannot answer in the time left, the first solver's proof stands but is
    reported as not confirmed (``details["confirmed_by"]`` is absent).
    """
    other = _other_solver(run.solver)
    left = None if run.deadline is None else run.deadline - time.perf_counter()
    if other is None or (left is not None and left < 0.2):
        return solution, labels, details, False
    second, second_labels, second_details = by_method(
        compiled, goal, d, replace(run, solver=other, time_limit=left))
    if second.status == "infeasible":
        details["confirmed_by"] = other
        return solution, labels, details, True
    if second_labels is not None:
        second_details["refuted_infeasible"] = (
            f"{run.solver} said infeasible ({solution.solver_status}); {other} found a plan")
        second_details.update(solver_status=second.solver_status)
        return second, second_labels, second_details, False
    return solution, labels, details, False


#: Rule families that can be relaxed one at a time, and how.
_RELAXATIONS = {
    "contiguity": lambda r: {"contiguous": False} if r.contiguous else None,
    "count": lambda r: {"size": None} if r.size is not None else None,
    "weight": lambda r: {"weight_bounds": None, "weight": None} if r.weight_bounds else None,
    "together": lambda r: {"together": ()} if r.together else None,
    "apart": lambda r: {"apart": ()} if r.apart else None,
    "fixed": lambda r: {"fixed": {}} if r.fixed else None,
    "purity": lambda r: {"pure": None} if r.pure is not None else None,
}


#: Seconds at most spent naming the rules that block every plan (the time limit, if shorter).
BLAME_BUDGET = 5.0


def _blocking_rules(compiled: CompiledRules, run: _Run, candidate_limit: int) -> list[str]:
    """The rule families whose removal alone makes a plan possible (within a time budget).

    A plan of the relaxed problem proves the family blocks: the local search
    (:class:`~clustering.estimators.AZPLocalSearch`, repair only) looks for one
    first, then the exact method ``auto`` would pick for it, for feasibility
    only (the balance objective); the budget (:data:`BLAME_BUDGET`, or the
    time left) is shared equally. A family whose relaxed problem is not
    settled in its share is not named.
    """
    rules, units = compiled.rules, compiled.unit_set
    relaxed = {name: update for name, relax in _RELAXATIONS.items()
               if (update := relax(rules)) is not None}
    stop = time.perf_counter() + BLAME_BUDGET
    if run.deadline is not None:
        stop = min(stop, run.deadline)
    blocking = []
    goal = parse_objective("balance")
    for i, (name, update) in enumerate(relaxed.items()):
        left = stop - time.perf_counter()
        if left < 0.2:
            break
        looser = rules.model_copy(update=update)
        if diagnose(units, looser):
            continue
        share = left / (len(relaxed) - i)
        attempt = replace(run, time_limit=share, warm_labels=None,
                          deadline=time.perf_counter() + share)
        looser_compiled = looser.compile(units)
        if run.current is None and run.max_cut_edges is None and _heuristic_plan_exists(
                looser_compiled, share / 2):
            blocking.append(name)
            continue
        method, _ = _choose_method("auto", looser_compiled, goal, candidate_limit,
                                   attempt.deadline, seed=run.seed)
        exact_only = run.current is not None or run.max_cut_edges is not None
        by_method = (_by_enumeration if method == "enumerate" and not exact_only
                     else _by_assignment)  # bounds on moves and cuts: the assignment model
        _, found, _ = by_method(looser_compiled, goal, None, attempt)
        if found is not None:
            blocking.append(name)
    return blocking


def _heuristic_plan_exists(compiled: CompiledRules, seconds: float) -> bool:
    """Whether the local search finds a plan following ``compiled`` within ``seconds``.

    It handles count and weight bounds and contiguity only; with other rules, False.
    """
    from clustering.estimators import AZPLocalSearch

    if compiled.has_group_rules:
        return False
    rules = compiled.rules
    try:
        AZPLocalSearch(rules.n_clusters, init="ward", size=rules.size,
                       weight_bounds=rules.weight_bounds, weight=rules.weight,
                       contiguous=rules.contiguous, improve=False,
                       time_limit=max(seconds, 1e-3)).fit(compiled.unit_set)
    except FairclustersError:  # no plan found in time, or nothing to cluster on
        return False
    return True


def _check_parameters(units, method, solver, time_limit, mip_gap, warm_start,
                      candidate_limit) -> None:
    """Refuse bad parameters of :func:`optimize` before any work, naming the value."""
    if not isinstance(units, UnitSet):
        raise TypeError(f"units must be a UnitSet, got {type(units).__name__}")
    if method not in METHODS:
        raise FairclustersError(f"method={method!r}; expected one of {METHODS}")
    if solver not in SOLVERS:
        raise FairclustersError(f"solver={solver!r}; expected one of {SOLVERS}")
    if time_limit is not None and not (np.isfinite(time_limit) and time_limit > 0):
        raise FairclustersError(f"time_limit={time_limit!r}; expected seconds > 0")
    if mip_gap is not None and not (np.isfinite(mip_gap) and 0 <= mip_gap < 1):
        raise FairclustersError(f"mip_gap={mip_gap!r}; expected a fraction in [0, 1)")
    if warm_start is not None and (
        not isinstance(warm_start, Plan) or warm_start.unit_set.ids != units.ids
    ):
        raise FairclustersError("warm_start must be a Plan of the same unit set")
    if not isinstance(candidate_limit, (int, np.integer)) or candidate_limit < 1:
        raise FairclustersError(f"candidate_limit={candidate_limit!r}; expected an integer >= 1")


#: Knuth probes of the enumeration's search tree that :func:`_choose_method` makes first,
#: and in all when those few do not already show a tree smaller than the candidate limit
#: (the 63 provinces: 0.1 s of probes saved before a count of 0.25 s).
FIRST_PROBES, ESTIMATE_PROBES = 200, 2_000
#: Share of the time left those probes may take (and never more than ``ESTIMATE_SECONDS``).
ESTIMATE_SHARE, ESTIMATE_SECONDS = 0.05, 0.25
#: Estimates this many times above the candidate limit choose the assignment model uncounted.
ESTIMATE_MARGIN = 10
#: Most connected sets the count of the candidates visits for a linear objective: a
#: budget of work, so that the method chosen does not depend on the machine's speed
#: (about 1 s here; the 287,411 candidates of the 63 provinces take 0.3 million visits).
COUNT_VISITS = 2_000_000


def _choose_method(method: str, compiled: CompiledRules, goal: Objective,
                   candidate_limit: int, deadline: float | None, *, seed: int = 0,
                   ) -> tuple[str, str]:
    """The method to use and why: ``auto`` enumerates when the candidates are few enough.

    For a linear objective, random probes first estimate the candidates and
    the sets an enumeration would visit (:func:`estimate_rule_candidates`, a
    tenth of a second): either over :data:`ESTIMATE_MARGIN` times the limit
    chooses the assignment model without counting. Counting to the limit took
    1 to 3.6 s on the planar districting instances of 60 to 100 units, whose
    estimates are 10^6 to 10^19 candidates. Otherwise (and always when the
    objective needs enumeration) the candidates are counted, up to
    ``candidate_limit`` or a tenth of the time left, and for a linear
    objective after at most :data:`COUNT_VISITS` sets visited (counting is
    several times faster than listing: 287,411 candidates of the 63 provinces
    in 0.15 to 0.35 s). A budget of visits rather than of seconds: the choice
    was once made by a 1 s clock, and a loaded machine (or a profiler) then
    chose the assignment model for the 63 provinces, 20 s instead of 2.
    The estimates spread widely around the truth, mostly below it (a few rare
    deep walks carry the mean), hence the margin: an estimate near the limit
    is settled by counting.
    """
    if method != "auto":
        return method, "chosen by the caller"
    cuts = " with contiguity cuts" if compiled.contiguous else ""
    if goal.linear:
        left = None if deadline is None else max(0.0, deadline - time.perf_counter())
        seconds = ESTIMATE_SECONDS if left is None else min(ESTIMATE_SECONDS,
                                                           ESTIMATE_SHARE * left)
        stop = time.perf_counter() + seconds
        estimate = estimate_rule_candidates(compiled, probes=FIRST_PROBES, seed=seed,
                                            deadline=stop)
        if estimate.visits >= candidate_limit:  # not plainly small: probe further
            estimate = estimate_rule_candidates(compiled, probes=ESTIMATE_PROBES, seed=seed,
                                                deadline=stop)
        margin = ESTIMATE_MARGIN * candidate_limit
        if estimate.candidates > margin or estimate.visits > margin:
            return "assignment", (
                f"about {estimate.candidates:.1e} candidate clusters, enumerated by visiting "
                f"about {estimate.visits:.1e} sets (estimated from {estimate.probes:,} random "
                f"probes), far more than the limit of {candidate_limit:,}: "
                f"assignment model{cuts}")
    left = None if deadline is None else max(0.0, deadline - time.perf_counter())
    seconds = None if left is None else 0.1 * left
    stop = None if seconds is None else time.perf_counter() + seconds
    # The assignment model can take over a linear objective: its count stays short.
    visits = COUNT_VISITS if goal.linear else None
    try:
        count, _ = rule_candidates(compiled, limit=candidate_limit, collect=False, deadline=stop,
                                   max_visits=visits)
    except EnumerationTimeout as exc:
        if not goal.linear:
            return "enumerate", "counting the candidates did not finish in time"
        return "assignment", (f"counting the candidates did not finish in {seconds:.2g} s "
                              f"({exc.count:,} so far): assignment model{cuts}")
    except VisitLimitExceeded as exc:
        return "assignment", (f"counting the candidates visited {exc.visits:,} sets "
                              f"({exc.count:,} candidates so far) without finishing: "
                              f"assignment model{cuts}")
    except CandidateLimitExceeded:
        if not goal.linear:
            raise FairclustersError(
                f"objective {goal} needs enumeration, but there are more than "
                f"{candidate_limit:,} candidate clusters; raise candidate_limit or use "
                "a linear objective (p-median, balance, cut-edges, cut-length)"
            ) from None
        return "assignment", (
            f"more than {candidate_limit:,} candidate clusters: assignment model{cuts}"
        )
    return "enumerate", f"{count:,} candidate clusters, within the limit of {candidate_limit:,}"


def _balance_sizes(compiled: CompiledRules) -> tuple[np.ndarray, float]:
    """Per-unit sizes the balance objective evens out (weights, else 1) and the ideal."""
    sizes = compiled.weights if compiled.weights is not None else np.ones(compiled.n)
    return sizes, float(sizes.sum()) / compiled.n_clusters


#: Units from which weight-bounded models get a heuristic start.
HEURISTIC_START_FROM = 30
#: Seeds tried for that start (within a third of the time limit).
HEURISTIC_STARTS = 6


def _by_assignment(
    compiled: CompiledRules,
    goal: Objective,
    d: np.ndarray | None,
    run: _Run,
) -> tuple[Solution, np.ndarray | None, dict]:
    """The assignment model, with a heuristic start and polishing for pure p-median."""
    units = compiled.unit_set
    sizes, ideal = _balance_sizes(compiled)
    pmedian = "p-median" in goal.terms
    scale = cost_scale(d) if pmedian else 1.0  # the model sees costs near 1
    cut = [t for t in goal.terms if t in CUT_OBJECTIVES]
    if len(cut) > 1:
        raise FairclustersError(f"objective {goal}: give 'cut-edges' or 'cut-length', not both")
    problem = AssignmentProblem.from_rules(
        compiled, d=d / scale if pmedian else None,
        pmedian_weight=goal.terms.get("p-median", 0.0),
        balance_weight=goal.terms.get("balance", 0.0) / scale, balance_sizes=sizes, ideal=ideal,
        cut_weight=goal.terms[cut[0]] / scale if cut else 0.0,
        edge_weights=border_weights(units, cut[0]) if cut else None,
        current=run.current, max_moves=run.max_moves, max_cut_edges=run.max_cut_edges,
    )

    def acceptable(labels: np.ndarray) -> bool:
        return not compiled.violations(np.unique(labels, return_inverse=True)[1])

    # Large models, and weight-bounded ones, get a heuristic plan as a start, so that
    # reduced-cost fixing starts before the first MIP round and a plan exists even when
    # the LP is not solved in time (cut edges on 80 units at +-0.5 %: no plan in 120 s
    # without it); the solver asks for it in a third of the time left. The heuristic
    # minimises a p-median: the objective's own for p-median, else the borders crossed
    # (compact plans cut few borders). A pure p-median objective's polishing stops at
    # the call's deadline. Under weight bounds the heuristic's plans were far worse than
    # the plan on the root LP's centres (districting at +-0.5 %: 2.50e11 against 1.52e11
    # on 60 units, k = 3, 3.88e11 against 1.88e11 on 80; Ha Noi at +-15 %: 12.13 against
    # 11.79) and cost 2 to 4 s: there the start is asked only when that plan is not found
    # (start_late). Under size bounds it can be the better (planar 150, seed 4: 18.91
    # against 19.55), and comes first; so it does when there are no centres to plan on
    # (no p-median term), where waiting for the root would only delay it.
    time_limit, warm_labels = run.time_limit, run.warm_labels
    improve, start, restart = None, None, None
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    only_pmedian = set(goal.terms) == {"p-median"}
    if only_pmedian:
        improve = pmedian_improver(compiled, d, deadline=deadline)
    # Small models need no start, unless weight bounds are tight enough that the dive
    # finds no plan (districting at +-0.5 %: no plan in 60 s on 60 units without one);
    # under a moves bound the heuristic (which ignores it) would only cost time.
    wanted = compiled.n ** 2 > FIXING_FROM or (
        compiled.weight_bounds is not None and compiled.n >= HEURISTIC_START_FROM)
    if warm_labels is None and wanted and run.current is None:
        start = partial(heuristic_plan, units, compiled.rules,
                        d if pmedian else border_hops(units), seed=run.seed)
        if only_pmedian and compiled.weight_bounds is not None:
            # Under weight bounds the seeds' plans differ widely: when the first is far
            # from the root bound, the solver asks for the best of a few more.
            restart = partial(heuristic_plan, units, compiled.rules, d,
                              seed=run.seed + 1, starts=HEURISTIC_STARTS)
    solution, labels, details = solve_assignment(
        problem, solver=run.solver, time_limit=time_limit, mip_gap=run.mip_gap,
        warm_labels=warm_labels, seed=run.seed, verbose=run.verbose, acceptable=acceptable,
        improve=improve, restart=restart, start=start,
        start_late=pmedian and compiled.weight_bounds is not None,
    )
    start_from = "given" if warm_labels is not None else (
        "heuristic" if "start_objective" in details else None)
    details.update(warm_start=start_from, heuristic_time=details.pop("start_time", 0.0))
    return _rescaled(solution, details, scale, ASSIGNMENT_FIGURES), labels, details


def _by_enumeration(
    compiled: CompiledRules,
    goal: Objective,
    d: np.ndarray | None,
    run: _Run,
) -> tuple[Solution, np.ndarray | None, dict]:
    """Set partitioning over every candidate cluster whose complement can be split."""
    started = time.perf_counter()
    units = compiled.unit_set
    try:
        count, cands = rule_candidates(compiled, deadline=run.deadline, limit=ENUMERATION_LIMIT)
    except CandidateLimitExceeded:
        raise FairclustersError(
            f"method='enumerate': more than {ENUMERATION_LIMIT:,} candidate clusters, too many "
            "to hold in memory; use method='assignment' (or 'auto', which chooses it)"
        ) from None
    except EnumerationTimeout as exc:
        return (Solution("no_solution", None, None, None, None, "enumeration",
                         "the candidate clusters could not be listed before the time limit",
                         time.perf_counter() - started), None, {"candidates": exc.count})
    enumeration_time = time.perf_counter() - started
    standardized = standardized_default(units) if "wcss" in goal.terms else None
    sizes, ideal = _balance_sizes(compiled)
    costs = candidate_costs(
        goal, cands, ids=units.ids, dissimilarity=d, standardized=standardized,
        balance_sizes=sizes, ideal=ideal, unit_set=units,
    )
    cost_time = time.perf_counter() - started - enumeration_time
    scale = cost_scale(costs)
    warm = None if run.warm_labels is None else warm_start_vector(cands, run.warm_labels)
    spent = enumeration_time + cost_time
    remaining = None if run.time_limit is None else max(0.1, run.time_limit - spent)

    def splittable(kept: Candidates) -> np.ndarray:
        # Dropping candidates that leave an unsplittable rest only saves solver time: it
        # may take half of the time left.
        filter_by = None if run.deadline is None else (
            time.perf_counter() + 0.5 * max(0.0, run.deadline - time.perf_counter()))
        return splittable_rest(compiled, kept, deadline=filter_by)

    def heuristic_start() -> np.ndarray | None:
        # Any plan will do for the fixing; it gets a third of the time left.
        start_by = None if run.deadline is None else (
            time.perf_counter() + max(0.0, run.deadline - time.perf_counter()) / 3)
        labels = heuristic_plan(units, compiled.rules,
                                default_dissimilarity(units) if d is None else d,
                                seed=run.seed, deadline=start_by)
        return None if labels is None else warm_start_vector(cands, labels)

    solution, labels, details = solve_set_partition(
        cands, costs / scale, compiled.n_clusters, solver=run.solver, time_limit=remaining,
        mip_gap=run.mip_gap, warm_start=warm, seed=run.seed, verbose=run.verbose,
        column_filter=splittable, fallback=heuristic_start,
    )
    if solution.solver == "enumeration":
        # No cluster can be formed at all: proven by enumeration, no solver runs.
        solution = replace(solution, solver_status=(
            f"none of the {count:,} clusters that follow every rule leaves a rest "
            f"that can form {compiled.n_clusters - 1} more"))
    details.update(
        candidates=count,
        candidates_splittable=details.get("filtered"),
        enumeration_time=enumeration_time,
        cost_time=cost_time,
        model_build_time=solution.build_time,
        solve_time=solution.solve_time,
    )
    return _rescaled(solution, details, scale, ("lp_bound",)), labels, details


#: Figures of the assignment model's details in objective units.
ASSIGNMENT_FIGURES = ("root_bound", "dive_objective", "lagrangian_bound", "best_bound",
                      "start_objective", "centres_objective", "restart_gain", "pairs_gain")


def _rescaled(solution: Solution, details: dict, scale: float, keys: Sequence[str]
              ) -> Solution:
    """Objective, bound and the named ``details`` back in the caller's units (times ``scale``)."""
    if scale == 1.0:
        return solution
    details["cost_scale"] = scale
    for key in keys:
        if details.get(key) is not None:
            details[key] *= scale
    return replace(
        solution,
        objective=None if solution.objective is None else solution.objective * scale,
        bound=None if solution.bound is None else solution.bound * scale,
    )
