"""Evaluate plans side by side: fairness, gap to the optimum, rank among feasible plans.

For every plan (the planners' proposals and the reference plans: regions, a
heuristic, the optimizer's) the benchmark answers three questions:

1. **Is it fair?** :func:`clustering.metrics.fairness_report`, with the same
   dissimilarity matrix as the optimizer, plus the rules it breaks
   (:func:`clustering.rules.plan_violations`).
2. **How far from the best achievable under the same rules?** Its objective,
   computed by the optimizer's own cost function
   (:func:`optimizer.objectives.candidate_costs`), against the optimum. When
   the solver proved optimality the gap is exact; otherwise it is a range
   between the best plan found and the best proven bound, and said so.
3. **Is it unusual?** For each scored metric, its percentile among the
   feasible plans (all of them when they can be enumerated, else the distinct
   plans of a chain; :mod:`benchmarks.sampling`). The percentile is the mid-rank
   ``100 * (#lower + #tied / 2) / N`` over the N distinct plans, so a value
   below every feasible plan scores near 0 and a value above all near 100;
   each metric also says which direction is better. Each percentile carries
   its interval (:mod:`benchmarks.uncertainty`): none when every plan was
   enumerated, Wilson's for uniform draws, one from the effective sample size
   (with R-hat across chains) for recombination chains.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clustering.dissimilarity import default_indicators, standardized_indicators
from clustering.dissimilarity import dissimilarity as combined_dissimilarity
from clustering.errors import FairclustersError, IndicatorError, InfeasibleError
from clustering.i18n import Text
from clustering.metrics import (
    FairnessReport,
    cut_edges,
    fairness_report,
    mean_within,
    size_stats,
)
from clustering.plan import Plan
from clustering.rules import (
    ClusterRules,
    Violation,
    check_feasible,
    infeasible_error,
    plan_violations,
    split_closed,
)
from clustering.units import UnitSet
from optimizer.candidates import Candidates
from optimizer.objectives import (
    DEFAULT_GEOGRAPHY,
    candidate_costs,
    parse_objective,
    wcss_costs,
)

from .front import TradeOff, trade_off
from .sampling import PlanSample, sample_plans
from .uncertainty import PercentileEstimate, estimate_percentile

__all__ = [
    "BELOW_OPTIMUM",
    "METRICS",
    "Benchmark",
    "Evaluation",
    "Gap",
    "Metric",
    "Reform",
    "Settings",
    "heuristic_plan",
    "percentile",
    "plan_objectives",
    "region_plan",
    "run_benchmark",
]


@dataclass(frozen=True)
class Metric:
    """A number scored on every plan, and which direction is better."""

    key: str
    label: str
    lower_is_better: bool
    short: str = ""


#: Metrics scored on every sampled plan (the distribution) and on every evaluated plan.
METRICS: tuple[Metric, ...] = (
    Metric("objective", "objective (p-median)", True, "objective"),
    Metric("mean_within", "mean within-cluster dissimilarity", True, "mean within dissim."),
    Metric("r2", "R2 of the indicators", False, "R2 indicators"),
    Metric("weight_cv", "population CV across clusters", True, "population CV"),
    Metric("cut_edges", "cut edges (borders between clusters)", True, "cut edges"),
)


#: The note on a plan that beats the optimum only by breaking the rules (``notes`` hold English).
BELOW_OPTIMUM = Text(
    vi="mục tiêu của phương án thấp hơn của bộ tối ưu chỉ vì nó vi phạm các quy tắc mà phương "
       "án tối ưu tuân thủ",
    en="its objective is below the optimum's only because it breaks the rules the optimum "
       "follows",
)


@dataclass(frozen=True)
class Settings:
    """Everything a benchmark run depends on besides the plans."""

    rules: ClusterRules
    geography: float = DEFAULT_GEOGRAPHY
    objective: str = "p-median"
    samples: int = 2_000
    seed: int = 0
    time_limit: float | None = 20.0
    enumerate_limit: int = 50_000
    #: Memo states allowed to the exact count of the plans (uniform draws); past it, chains.
    count_limit: int = 1_000_000
    #: Seconds allowed to that count (``None``: no limit); the 63 provinces need ~7M states, 2 min.
    count_time: float | None = 10.0
    chains: int = 4
    #: A plan following the rules: the optimizer's first incumbent (``--start``).
    start: Plan | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "rules": self.rules.model_dump(mode="json"),
            "geography": self.geography,
            "objective": self.objective,
            "samples": self.samples,
            "seed": self.seed,
            "time_limit": self.time_limit,
            "chains": self.chains,
        }


@dataclass(frozen=True)
class Gap:
    """A plan's objective against the optimum under the same rules.

    ``low`` and ``high`` bound the relative gap ``(value - optimum) / optimum``:
    equal when the optimum is proven, else ``low`` is measured from the best
    plan found and ``high`` from the best bound.
    """

    value: float
    best: float | None
    bound: float | None
    proven: bool
    low: float | None
    high: float | None

    def describe(self) -> str:
        if self.low is None:
            return "no optimum to compare with"
        if self.proven:
            return f"{100 * self.low:+.1f} % from the proven optimum"
        if self.high is None:
            return f"{100 * self.low:+.1f} % from the best plan found (optimality not proven)"
        return (
            f"{100 * self.low:+.1f} % from the best plan found, at most {100 * self.high:+.1f} % "
            "from the best bound (optimality not proven)"
        )


@dataclass
class Evaluation:
    """One plan's results."""

    name: str
    role: str  # "proposal", "regions", "heuristic" or "optimum"
    plan: Plan
    report: FairnessReport
    violations: list[Violation]
    scores: dict[str, float | None]
    gap: Gap | None = None
    percentiles: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Each percentile with its interval and what it rests on (:mod:`benchmarks.uncertainty`).
    intervals: dict[str, PercentileEstimate] = field(default_factory=dict)

    @property
    def comparable(self) -> bool:
        """Whether its percentiles rank it among its peers: it follows every rule.

        A plan that breaks a rule (the number of clusters included) is not one of
        the feasible plans it is ranked against, so its "beats N %" is not comparable.
        """
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "comparable": self.comparable,
            "clusters": self.plan.clusters,
            "violations": [v.to_dict() for v in self.violations],
            "scores": self.scores,
            "gap": None if self.gap is None else self.gap.__dict__ | {"text": self.gap.describe()},
            "percentiles": self.percentiles,
            "percentile_intervals": {k: v.to_dict() for k, v in self.intervals.items()},
            "fairness": self.report.to_dict(),
            "notes": self.notes,
        }


@dataclass
class Reform:
    """The reform of the current plan within ``max_moves`` moves (:func:`optimizer.reform`).

    ``result`` is its :class:`~optimizer.OptimizeResult`; ``moves`` the units
    that change cluster (:func:`optimizer.plan_moves`, each with ``.text(lang)``).
    """

    current: Plan
    max_moves: int
    result: Any
    moves: list = field(default_factory=list)
    current_objective: float | None = None


@dataclass
class Benchmark:
    """The results of :func:`run_benchmark`."""

    unit_set: UnitSet
    settings: Settings
    dissimilarity: np.ndarray
    indicators: list[str]
    log: list[str]
    optimum: Any  # optimizer.OptimizeResult or None
    sample: PlanSample | None
    distribution: dict[str, np.ndarray]
    evaluations: list[Evaluation]
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)
    reform: Reform | None = None
    #: Homogeneity against population balance over the plans ranked against.
    trade_off: TradeOff | None = None

    def to_dict(self) -> dict[str, Any]:
        optimum = None
        if self.optimum is not None:
            optimum = {
                k: getattr(self.optimum, k, None)
                for k in ("status", "objective", "bound", "gap", "wall_time", "method",
                          "method_reason", "solver")
            }
        sample = None
        if self.sample is not None:
            sample = {
                "description": self.sample.describe(),
                "n_distinct": self.sample.n_distinct,
                "complete": self.sample.complete,
                "method": self.sample.method,
                "steps": self.sample.steps,
                "accepted": self.sample.accepted,
                "interrupted": self.sample.interrupted,
                "total": self.sample.total,
                "notes": self.sample.notes,
                "quantiles": {
                    key: _quantiles(values) for key, values in self.distribution.items()
                },
            }
        return {
            "dataset": self.unit_set.name,
            "n_units": len(self.unit_set),
            "settings": self.settings.describe(),
            "indicators": self.indicators,
            "log": self.log,
            "optimum": optimum,
            "sample": sample,
            "plans": [e.to_dict() for e in self.evaluations],
            "timings_s": self.timings,
            "notes": self.notes,
            "trade_off": None if self.trade_off is None else self.trade_off.to_dict(),
            "reform": None if self.reform is None else {
                "current": self.reform.current.name, "max_moves": self.reform.max_moves,
                "status": self.reform.result.status, "objective": self.reform.result.objective,
                "bound": self.reform.result.bound,
                "current_objective": self.reform.current_objective,
                "moves": [{"unit": m.unit, "from": m.source, "to": m.target,
                           "change": m.change} for m in self.reform.moves],
            },
        }


def _distinct_names(names: list[str]) -> list[str]:
    """The names, a repeated one numbered ``"name (2)"``... so that no report section,
    file or key of one plan overwrites another's."""
    taken = set(names)
    out: list[str] = []
    for name in names:
        candidate, k = name, 1
        while candidate in out or (candidate != name and candidate in taken):
            k += 1  # past the names already given and those other plans really have
            candidate = f"{name} ({k})"
        out.append(candidate)
    return out


def _quantiles(values: np.ndarray) -> dict[str, float] | None:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    q = np.quantile(values, [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0])
    return dict(zip(["min", "p5", "p25", "median", "p75", "p95", "max"], map(float, q)))


def percentile(value: float, values: np.ndarray) -> float:
    """Mid-rank percentile of ``value`` among ``values``: ``100 * (#lower + #tied / 2) / N``.

    Ties are values within a relative ``1e-9`` of ``value``.

    Examples
    --------
    >>> percentile(2.0, np.array([1.0, 2.0, 3.0, 4.0]))
    37.5
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise FairclustersError("no sampled values to rank against")
    tied = np.isclose(values, value, rtol=1e-9, atol=1e-12)
    lower = (values < value) & ~tied
    return float(100.0 * (lower.sum() + tied.sum() / 2) / values.size)


# -- the reference plans -------------------------------------------------------------


def region_plan(unit_set: UnitSet) -> tuple[Plan | None, str]:
    """One cluster per GSO region, or ``None`` with the reason when regions are unknown.

    Units whose ``region`` is missing (the 7 units of 2025 that straddle two
    regions) take their ``region_majority`` label when every one has it.
    """
    regions = unit_set.labels_of("region")
    missing = [i for i, r in enumerate(regions) if r is None]
    if len(missing) == len(unit_set):
        return None, "the units have no region"
    note = "one cluster per GSO region"
    if missing:
        try:
            majority = unit_set.labels_of("region_majority")
        except (KeyError, ValueError):
            majority = [None] * len(unit_set)
        if any(majority[i] is None for i in missing):
            names = ", ".join(unit_set.units[i].name for i in missing if majority[i] is None)
            return None, f"region unknown for {names}"
        for i in missing:
            regions[i] = majority[i]
        placed = ", ".join(unit_set.units[i].name for i in missing)
        note += (
            f"; {len(missing)} units straddling two regions placed in the region holding most "
            f"of their population (region_majority label): {placed}"
        )
    clusters: dict[str, list[str]] = {}
    for uid, region in zip(unit_set.ids, regions):
        clusters.setdefault(str(region), []).append(uid)
    return Plan(unit_set, clusters, name="GSO regions", notes=note), note


def heuristic_plan(
    unit_set: UnitSet,
    rules: ClusterRules,
    *,
    indicators: Sequence[str],
    log: Sequence[str],
    geography: float,
    seed: int = 0,
) -> tuple[Plan, str]:
    """A fast heuristic plan under ``rules``, from :mod:`clustering.estimators`.

    Spatial Ward, then the AZP/tabu local search, which repairs the bounds and
    contiguity and improves Ward's criterion on the same indicators and
    geography mix as the benchmark's dissimilarity.

    Raises
    ------
    InfeasibleError
        The local search could not repair the start plan.
    """
    from clustering.estimators.local_search import AZPLocalSearch

    if any(spec.closed for spec in rules.clusters.values()):
        # Closed clusters are the same in every plan: the search places the other units.
        split = split_closed(unit_set, rules)
        if split.problems:
            raise infeasible_error(split.problems)
        rest, how = heuristic_plan(split.rest_units, split.rest_rules, indicators=indicators,
                                   log=log, geography=geography, seed=seed)
        plan = Plan(unit_set, split.joined(rest.clusters), name=rest.name)
        return plan, f"{how}; {len(split.closed)} closed cluster(s) kept as given"
    estimator = AZPLocalSearch(
        rules.n_clusters,
        init="ward",
        size=rules.size,
        weight_bounds=rules.weight_bounds,
        weight=rules.weight,
        contiguous=rules.contiguous,
        indicators=list(indicators),
        log=tuple(log),
        geography=geography,
        random_state=seed,
    ).fit(unit_set)
    plan = estimator.plan_
    plan.name = "heuristic (Ward + AZP local search)"
    return plan, "clustering.estimators: SpatialWard start, AZPLocalSearch (seeded)"


def _optimize(unit_set: UnitSet, settings: Settings, matrix: np.ndarray) -> Any:
    from optimizer import optimize

    return optimize(
        unit_set,
        settings.rules,
        objective=settings.objective,
        dissimilarity=matrix,
        time_limit=settings.time_limit,
        seed=settings.seed,
        warm_start=settings.start,
    )


def _reform(unit_set: UnitSet, settings: Settings, matrix: np.ndarray, current: Plan,
            max_moves: int) -> Reform:
    """The reform of ``current`` under the benchmark's rules, objective and dissimilarity."""
    from optimizer import plan_moves, reform

    result = reform(unit_set, current, max_moves, settings.rules, objective=settings.objective,
                    dissimilarity=matrix, time_limit=settings.time_limit, seed=settings.seed)
    moves = [] if result.plan is None else plan_moves(current, result.plan, dissimilarity=matrix)
    if result.plan is not None:
        result.plan.name = f"reform ({result.status})"
    before = float(plan_objectives(current.labels, matrix, settings.objective)[0])
    return Reform(current, max_moves, result, moves, before)


# -- scores ---------------------------------------------------------------------------


def _clusters_of(labels: np.ndarray) -> tuple[Candidates, np.ndarray]:
    """Every cluster of every plan (rows of ``labels``) as candidates, with each one's plan."""
    n_plans, n = labels.shape
    members, indptr, owner = [], [0], []
    for p in range(n_plans):
        row = labels[p]
        for c in np.unique(row):
            rows = np.flatnonzero(row == c)
            members.append(rows)
            indptr.append(indptr[-1] + rows.size)
            owner.append(p)
    cands = Candidates(
        indptr=np.asarray(indptr, dtype=np.int64),
        indices=np.concatenate(members).astype(np.int64),
        n_units=n,
    )
    return cands, np.asarray(owner)


def plan_objectives(
    labels: np.ndarray, matrix: np.ndarray, objective: str = "p-median"
) -> np.ndarray:
    """Objective of each plan (rows of ``labels``) by the optimizer's own cluster costs.

    The sum over clusters of :func:`optimizer.objectives.candidate_costs`, so a
    proposal and the optimum are measured by the very same function.

    Examples
    --------
    >>> d = np.array([[0, 1, 4], [1, 0, 2], [4, 2, 0]], dtype=float)
    >>> plan_objectives(np.array([[0, 0, 1], [0, 1, 1]]), d).tolist()
    [1.0, 2.0]
    """
    labels = np.atleast_2d(np.asarray(labels))
    n = labels.shape[1]
    cands, owner = _clusters_of(labels)
    costs = candidate_costs(
        parse_objective(objective),
        cands,
        ids=[str(i) for i in range(n)],
        dissimilarity=np.asarray(matrix, dtype=float),
        standardized=None,
        balance_sizes=np.ones(n),
        ideal=n / max(1, int(np.unique(labels[0]).size)),
    )
    return np.bincount(owner, weights=costs, minlength=labels.shape[0])


class _Scorer:
    """Scores of :data:`METRICS` for many plans, with the shared inputs computed once.

    The R2 of the indicators is ``1 - WCSS(z) / (n p)`` over the ``p``
    standardised indicators ``z``: the mean of :func:`clustering.metrics.within_share`
    over the indicators (each z-scored column has total sum of squares ``n``),
    computed for all plans at once by the optimizer's ``wcss`` cost.
    """

    def __init__(self, unit_set: UnitSet, matrix: np.ndarray, indicators: list[str],
                 objective: str) -> None:
        self.unit_set, self.matrix, self.objective = unit_set, matrix, objective
        self.z = standardized_indicators(unit_set, indicators) if indicators else None
        try:
            self.weights = unit_set.weights()
        except IndicatorError:
            self.weights = None

    def score(self, labels: np.ndarray) -> dict[str, np.ndarray]:
        labels = np.atleast_2d(np.asarray(labels))
        n_plans, n = labels.shape
        ids = self.unit_set.ids
        cands, owner = _clusters_of(labels)
        scores: dict[str, np.ndarray] = {}
        try:
            scores["objective"] = plan_objectives(labels, self.matrix, self.objective)
        except FairclustersError:
            scores["objective"] = np.full(n_plans, math.nan)
        if self.z is not None:
            wcss = np.bincount(owner, weights=wcss_costs(cands, self.z), minlength=n_plans)
            scores["r2"] = 1 - wcss / (n * self.z.shape[1])
        else:
            scores["r2"] = np.full(n_plans, math.nan)
        scores["mean_within"] = np.array(
            [_none_nan(mean_within(self.matrix, row)) for row in labels]
        )
        if self.weights is None:
            scores["weight_cv"] = np.full(n_plans, math.nan)
        else:
            totals = np.add.reduceat(self.weights[cands.indices], cands.indptr[:-1])
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            chunks = np.split(totals, starts[1:])
            scores["weight_cv"] = np.array(
                [size_stats({str(c): v for c, v in enumerate(chunk)}).cv for chunk in chunks]
            )
        scores["cut_edges"] = np.array(
            [cut_edges(self.unit_set.graph, dict(zip(ids, row.tolist()))) for row in labels],
            dtype=float,
        )
        return scores


def _none_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _gap(value: float, optimum: Any) -> Gap:
    best = getattr(optimum, "objective", None) if optimum is not None else None
    bound = getattr(optimum, "bound", None) if optimum is not None else None
    proven = optimum is not None and optimum.status == "optimal"
    if best is None or not math.isfinite(best):
        return Gap(value, None, bound, False, None, None)
    scale = abs(best) if best else 1.0
    low = (value - best) / scale
    if proven:
        return Gap(value, best, bound, True, low, low)
    high = None
    if bound is not None and math.isfinite(bound) and bound > 0:
        high = (value - bound) / abs(bound)
    return Gap(value, best, bound, False, low, high)


# -- the main job ---------------------------------------------------------------------


def run_benchmark(
    unit_set: UnitSet,
    proposals: Sequence[Plan] = (),
    settings: Settings | None = None,
    *,
    references: bool = True,
    progress: bool = False,
    n_jobs: int = 1,
    current: Plan | None = None,
    max_moves: int | None = None,
) -> Benchmark:
    """Evaluate proposals against the regions, a heuristic and the optimum, and rank them.

    Parameters
    ----------
    unit_set : UnitSet
        The units every proposal partitions.
    proposals : sequence of Plan
        The planners' proposals (over ``unit_set``).
    settings : Settings, optional
        Rules and options; default: 6 contiguous clusters of 5-6 units.
    references : bool, default True
        Also build and evaluate the region plan, a heuristic plan and the optimum.
    progress : bool, default False
        Show progress bars.
    n_jobs : int, default 1
        Sampling chains run in parallel (joblib); results do not depend on it.
    current : Plan, optional
        Today's plan: with ``max_moves``, the fairest plan within that many
        moves of it (same rules and dissimilarity) is evaluated as a plan of
        role ``"reform"``, its moves in ``Benchmark.reform``.
    max_moves : int, optional
        Most units the reform may move (needs ``current``).

    Raises
    ------
    InfeasibleError
        The rules are impossible (the shared diagnosis explains why), before any work.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> s = Settings(ClusterRules(n_clusters=6, size=(5, 6), contiguous=True), samples=100)
    >>> b = run_benchmark(vn, settings=s)
    >>> [e.role for e in b.evaluations], b.sample.n_distinct
    (['regions', 'heuristic', 'optimum'], 3329)
    """
    settings = settings or Settings(ClusterRules(n_clusters=6, size=(5, 6), contiguous=True))
    for plan in proposals:
        if plan.unit_set.ids != unit_set.ids:
            raise FairclustersError(f"proposal {plan.name!r} is over a different unit set")
    check_feasible(unit_set, settings.rules)  # explain impossible rules before any work
    timings: dict[str, float] = {}
    notes: list[str] = []
    clock = time.perf_counter()
    indicators, log = default_indicators(unit_set)
    has_coordinates = all(u.lat is not None and u.lon is not None for u in unit_set)
    geography = settings.geography if has_coordinates else 0.0
    if geography != settings.geography:
        notes.append("no coordinates: the dissimilarity uses the indicators only")
    matrix = np.asarray(combined_dissimilarity(unit_set, indicators, log=log, geography=geography))
    timings["dissimilarity"] = time.perf_counter() - clock

    plans: list[tuple[str, Plan, list[str]]] = []
    optimum = None
    if references:
        regions, note = region_plan(unit_set)
        if regions is not None:
            plans.append(("regions", regions, []))  # the note is the plan's own
        else:
            notes.append(f"no region plan: {note}")
        clock = time.perf_counter()
        try:
            heuristic, note = heuristic_plan(unit_set, settings.rules, indicators=indicators,
                                             log=log, geography=geography, seed=settings.seed)
            plans.append(("heuristic", heuristic, [note]))
        except (ValueError, ImportError) as exc:  # includes the estimators' parameter errors
            notes.append(f"no heuristic plan: {exc}")
        timings["heuristic"] = time.perf_counter() - clock
        clock = time.perf_counter()
        optimum = _optimize(unit_set, settings, matrix)
        timings["optimizer"] = time.perf_counter() - clock
        if optimum.status == "infeasible":
            why = "; ".join(str(r) for r in optimum.reasons) or "proven by the solver"
            raise InfeasibleError(f"no plan follows these rules: {why}", reason="solver")
        if optimum.plan is not None:
            optimum.plan.name = f"optimizer ({optimum.status})"
            plans.append(("optimum", optimum.plan, [
                f"status {optimum.status}, method {optimum.method}: {optimum.method_reason}"
            ]))
        else:
            notes.append(f"the optimizer found no plan (status {optimum.status})")
    plans = [("proposal", p, []) for p in proposals] + plans
    reform = None
    if current is not None and max_moves is not None:
        clock = time.perf_counter()
        reform = _reform(unit_set, settings, matrix, current, max_moves)
        timings["reform"] = time.perf_counter() - clock
        if reform.result.plan is not None:
            plans.append(("reform", reform.result.plan, [
                f"status {reform.result.status}: at most {max_moves} moves from "
                f"{current.name or 'the current plan'}"]))
        else:
            notes.append(f"no reform plan within {max_moves} moves "
                         f"(status {reform.result.status})")

    clock = time.perf_counter()
    # A chain needs a feasible first plan: the optimizer's, else any plan that follows the rules.
    start = next((p for _, p, _ in reversed(plans) if not plan_violations(p, settings.rules)),
                 None)
    sample = sample_plans(
        unit_set,
        settings.rules,
        settings.samples,
        seed=settings.seed,
        start=start,
        enumerate_limit=settings.enumerate_limit,
        count_limit=settings.count_limit,
        count_time=settings.count_time,
        progress=progress,
        n_chains=settings.chains,
        n_jobs=n_jobs,
    )
    timings["sampling"] = time.perf_counter() - clock

    clock = time.perf_counter()
    scorer = _Scorer(unit_set, matrix, indicators, settings.objective)
    distribution = scorer.score(sample.labels)
    evaluations = []
    names = _distinct_names([plan.name or role for role, plan, _ in plans])
    for (role, plan, plan_notes), name in zip(plans, names):
        if name != (plan.name or role):
            plan_notes = [*plan_notes, f"named {name!r} here: another plan is also called "
                          f"{plan.name or role!r}"]
        scores = {k: float(v[0]) for k, v in scorer.score(plan.labels).items()}
        scores = {k: (None if math.isnan(v) else v) for k, v in scores.items()}
        intervals = {
            m.key: estimate_percentile(scores[m.key], distribution[m.key], sample)  # type: ignore[arg-type]
            for m in METRICS
            if scores[m.key] is not None and np.isfinite(distribution[m.key]).any()
        }
        ranks = {key: est.value for key, est in intervals.items()}
        violations = plan_violations(plan, settings.rules)
        gap = None if scores["objective"] is None else _gap(scores["objective"], optimum)
        if violations and gap is not None and gap.low is not None and gap.low < 0:
            plan_notes = [*plan_notes, BELOW_OPTIMUM("en")]
        evaluations.append(
            Evaluation(
                name=name,
                role=role,
                plan=plan,
                report=fairness_report(plan, dissimilarity=matrix),
                violations=violations,
                scores=scores,
                gap=gap,
                percentiles=ranks,
                notes=plan_notes,
                intervals=intervals,
            )
        )
    timings["scoring"] = time.perf_counter() - clock
    trade = trade_off(distribution, evaluations, exact=sample.complete)
    return Benchmark(
        unit_set=unit_set,
        settings=settings,
        dissimilarity=matrix,
        indicators=indicators,
        log=log,
        optimum=optimum,
        sample=sample,
        distribution=distribution,
        evaluations=evaluations,
        timings=timings,
        notes=notes,
        reform=reform,
        trade_off=trade,
    )
