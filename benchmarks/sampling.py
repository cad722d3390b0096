"""Feasible plans under a set of rules: every one of them when possible, else a sample.

Is a proposal unusual among the plans that were possible? Answering needs the
plans that follow the same rules. On coarse graphs (tens of units, tight size
bounds) the feasible plans can often be **enumerated**: every cluster of a plan
is a *candidate* (a connected set within the bounds, listed by
:func:`optimizer.candidates.enumerate_candidates`), and a plan is an exact
cover of the units by ``k`` candidates. The exact cover is searched depth
first, always covering the lowest-numbered uncovered unit next, so that each
plan is found exactly once (its clusters ordered by their lowest member).

When there are too many plans to list but few enough to **count**
(:mod:`benchmarks.exact_sampler`: a memoised count of the exact covers within a
memory and time budget), plans are drawn **uniformly at random**, independently,
by walking the counts: each feasible plan has probability exactly ``1 / N``.

When they cannot even be counted, a **Markov chain** samples them instead. It
starts from a feasible plan (found by the same exact-cover search in a seeded
random order, so it starts even where random region growing fails) and moves by
*recombination*: two neighbouring clusters are merged and split again. A small
merged pair is split uniformly among all the ways of splitting it into two
candidates; a large one (more than :data:`ENUMERATED_SPLIT_MAX` units) as in
ReCom, uniformly among the cuts of a random spanning tree whose two sides
follow the rules. Every move keeps every rule. The chain is not
guaranteed to visit plans uniformly; the number of **distinct** plans it
visited is reported with every result, never just the number of steps, and
each chain's trajectory is kept (:attr:`PlanSample.traces`) so that
:mod:`benchmarks.uncertainty` can compute effective sample sizes and R-hat.

Both paths apply all the rules of :class:`clustering.rules.ClusterRules`
(count and weight bounds, contiguity, together, apart, fixed, pure) through
the candidates, which the optimizer uses too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from clustering.bitsets import bits, mask_of, spanning_tree_cuts
from clustering.errors import FairclustersError, InfeasibleError
from clustering.plan import Plan, canonical_labels
from clustering.rules import (
    ClusterRules,
    CompiledRules,
    check_feasible,
    infeasible_error,
    plan_violations,
    split_closed,
)
from clustering.units import UnitSet
from optimizer.candidates import CandidateLimitExceeded, rule_candidates, two_way_splits

from .exact_sampler import CountBudgetExceeded, ExactCounter

__all__ = [
    "ENUMERATED_SPLIT_MAX",
    "UNIFORM",
    "PlanSample",
    "canonical_labels",
    "enumerate_plans",
    "sample_plans",
]


#: :attr:`PlanSample.method` of independent uniform draws.
UNIFORM = "uniform sample"


class _TooMany(Exception):
    """Internal: the enumeration passed its cap."""


@dataclass(frozen=True)
class PlanSample:
    """Distinct feasible plans, as label rows in the unit set's order.

    Attributes
    ----------
    labels : numpy.ndarray of int, shape (n_plans, n_units)
        One row per distinct plan, canonical (clusters numbered by first member).
    complete : bool
        ``True`` when these are **all** the feasible plans (enumeration).
    method : str
        ``"enumeration"``, ``"uniform sample"`` or ``"recombination chain"``.
    steps : int
        Chain steps taken, or uniform draws made (0 for an enumeration).
    accepted : int
        Chain moves that changed the plan.
    interrupted : bool
        Stopped early by Ctrl-C; the plans found so far are kept.
    notes : list of str
        How the sample was made, for reports.
    traces : list of numpy.ndarray
        Per chain, the row of ``labels`` it was on at each step (its start
        first); per uniform run, the rows drawn (repeats included). Empty for
        an enumeration.
    total : int or None
        The exact number of feasible plans, when counted (uniform samples and
        enumerations).
    """

    labels: np.ndarray
    complete: bool
    method: str
    steps: int = 0
    accepted: int = 0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)
    traces: list[np.ndarray] = field(default_factory=list)
    total: int | None = None

    @property
    def n_distinct(self) -> int:
        """Number of distinct plans held."""
        return int(self.labels.shape[0])

    def plans(self, unit_set: UnitSet) -> list[Plan]:
        """The plans as :class:`~clustering.plan.Plan` objects (clusters ``C1``...)."""
        return [Plan.from_labels(unit_set, row) for row in self.labels]

    def describe(self) -> str:
        """One line for reports, e.g. ``"all 1,234 feasible plans (enumeration)"``."""
        if self.complete:
            return f"all {self.n_distinct:,} feasible plans (enumeration)"
        if self.method == UNIFORM:
            return (f"{self.n_distinct:,} distinct plans in {self.steps:,} uniform random draws "
                    f"among all {self.total:,} feasible plans (exact count)")
        stop = ", interrupted" if self.interrupted else ""
        return (
            f"{self.n_distinct:,} distinct plans from {self.steps:,} steps of a "
            f"{self.method} ({self.accepted:,} moves accepted{stop})"
        )


def _with_closed_clusters(
    unit_set: UnitSet, rules: ClusterRules, start: Plan | None,
    sample_rest: Callable[[UnitSet, ClusterRules, Plan | None], PlanSample],
) -> PlanSample:
    """Plans under rules with closed clusters: the rest's plans, each with the closed clusters.

    A closed cluster is the same in every feasible plan, and the other clusters
    are exactly the plans of the remaining units under the remaining rules
    (:func:`clustering.rules.split_closed`): the two sets of plans are in
    one-to-one correspondence, so the rest's sample, enumeration or
    distribution carries over unchanged.
    """
    if open_specs := [name for name, spec in rules.clusters.items() if not spec.closed]:
        raise FairclustersError(
            f"cluster(s) {open_specs} have fixed members but are not closed: the plan sampler "
            "handles closed clusters only (every member listed); use fixed= for open ones")
    split = split_closed(unit_set, rules)
    if split.problems:
        raise infeasible_error(split.problems)
    closed_rows = [[unit_set.index(u) for u in members] for members in split.closed.values()]
    if split.rest_rules.n_clusters == 0:
        labels = np.empty((1, len(unit_set)), dtype=np.int64)
        for c, rows in enumerate(closed_rows):
            labels[0, rows] = c
        return PlanSample(labels=labels, complete=True, method="enumeration", total=1,
                          notes=["every cluster is closed: one plan"])
    rest = sample_rest(split.rest_units, split.rest_rules,
                       None if start is None else split.restricted(start))
    labels = np.empty((len(rest.labels), len(unit_set)), dtype=np.int64)
    labels[:, [unit_set.index(u) for u in split.rest_units.ids]] = rest.labels
    for c, rows in enumerate(closed_rows):
        labels[:, rows] = split.rest_rules.n_clusters + c
    labels = np.array([canonical_labels(row) for row in labels], dtype=np.int64)
    note = (f"{len(split.closed)} closed cluster(s) ({', '.join(split.closed)}) in every plan; "
            f"the other {split.rest_rules.n_clusters} sampled on the remaining "
            f"{len(split.rest_units)} units")
    return replace(rest, labels=labels, notes=[note, *rest.notes])


# -- candidates and exact cover ---------------------------------------------------


def _candidate_masks(rules: CompiledRules, *, limit: int | None = None) -> list[int]:
    """Every valid cluster as a bit mask; :class:`CandidateLimitExceeded` past ``limit``.

    Without contiguity or pruning rules the candidates are the sets of the
    allowed sizes: their count is known before listing them.
    """
    unpruned = rules.weights is None and not rules.apart_masks and rules.categories is None
    if not rules.contiguous and limit is not None and unpruned:
        low, high = rules.size
        if sum(math.comb(rules.n, m) for m in range(low, min(high, rules.n) + 1)) > limit:
            raise CandidateLimitExceeded(limit)
    count, found = rule_candidates(rules, limit=limit)
    return [mask_of(found.members(c).tolist()) for c in range(count)]  # type: ignore[union-attr]


class _ExactCover:
    """Depth-first exact cover of the units by ``k`` candidates, with pruning."""

    def __init__(self, rules: CompiledRules, candidates: list[int]) -> None:
        self.rules = rules
        self.by_lowest: list[list[int]] = [[] for _ in range(rules.n)]
        for mask in candidates:
            self.by_lowest[(mask & -mask).bit_length() - 1].append(mask)

    def plans(
        self, *, rng: np.random.Generator | None = None, limit: int | None = None
    ) -> list[list[int]]:
        """Every exact cover (or the first one, in a random order, when ``rng`` is given)."""
        k = self.rules.n_clusters
        found: list[list[int]] = []
        chosen: list[int] = []

        def search(uncovered: int) -> bool:
            if not uncovered:
                if len(chosen) == k:
                    found.append(list(chosen))
                    if limit is not None and len(found) > limit:
                        raise _TooMany
                    return rng is not None  # one random plan is enough
                return False
            if len(chosen) == k or not self.rules.splittable(uncovered, k - len(chosen)):
                return False
            lowest = (uncovered & -uncovered).bit_length() - 1
            options = self.by_lowest[lowest]
            if rng is not None:
                options = [options[i] for i in rng.permutation(len(options))]
            for mask in options:
                if mask & ~uncovered:
                    continue
                chosen.append(mask)
                done = search(uncovered & ~mask)
                chosen.pop()
                if done:
                    return True
            return False

        search((1 << self.rules.n) - 1)
        return found


def _labels_of(n: int, masks: list[int]) -> np.ndarray:
    labels = np.empty(n, dtype=np.int64)
    for c, mask in enumerate(sorted(masks, key=lambda m: m & -m)):
        labels[bits(mask)] = c
    return labels


def _enumerated(rules: CompiledRules, candidates: list[int], covers: list[list[int]]
                ) -> PlanSample:
    """All the plans, or :class:`InfeasibleError` when there are none."""
    if not covers:
        raise InfeasibleError(
            "no plan follows these rules (exhaustive search over every candidate cluster)",
            reason="exhaustive",
        )
    return PlanSample(
        labels=np.array([_labels_of(rules.n, m) for m in covers], dtype=np.int64),
        complete=True,
        method="enumeration",
        notes=[f"{len(candidates):,} candidate clusters; exact cover, depth first"],
        total=len(covers),
    )


def enumerate_plans(
    unit_set: UnitSet,
    rules: ClusterRules,
    *,
    limit: int = 200_000,
    candidate_limit: int = 400_000,
) -> PlanSample:
    """Every plan of ``unit_set`` that follows ``rules``.

    Parameters
    ----------
    unit_set : UnitSet
        The units the plans partition.
    rules : ClusterRules
        The rules every plan follows (checked by the shared diagnosis first).
    limit : int, default 200,000
        Give up (:class:`~clustering.errors.FairclustersError`) past this many plans.
    candidate_limit : int, default 400,000
        Give up past this many candidate clusters.

    Raises
    ------
    InfeasibleError
        The rules are impossible (the shared diagnosis, before any search).
    FairclustersError
        More plans or candidates than the limits allow: sample instead.

    Examples
    --------
    >>> import networkx as nx
    >>> from clustering.units import UnitSet
    >>> path = UnitSet([{"id": str(i), "name": str(i)} for i in range(6)],
    ...                [(str(i), str(i + 1)) for i in range(5)])
    >>> enumerate_plans(path, ClusterRules(n_clusters=2, size=(2, 4), contiguous=True)).n_distinct
    3
    """
    compiled = check_feasible(unit_set, rules).compile(unit_set)
    try:
        candidates = _candidate_masks(compiled, limit=candidate_limit)
    except CandidateLimitExceeded:
        raise FairclustersError(
            f"more than {candidate_limit:,} candidate clusters: too many plans to enumerate; "
            "use sample_plans"
        ) from None
    try:
        covers = _ExactCover(compiled, candidates).plans(limit=limit)
    except _TooMany:
        raise FairclustersError(
            f"more than {limit:,} feasible plans: too many to enumerate; use sample_plans"
        ) from None
    return _enumerated(compiled, candidates, covers)


# -- recombination chain -----------------------------------------------------------


#: Merged pairs up to this many units are split by listing every valid split (uniform);
#: larger ones by cutting a random spanning tree (ReCom), which scales to big clusters.
ENUMERATED_SPLIT_MAX = 16


class _Recombination:
    """Merge two neighbouring clusters and split them again into two valid clusters.

    Small merged pairs: uniformly among *all* valid splits
    (:func:`optimizer.candidates.two_way_splits`, listed once, cached).
    Large ones: ReCom's move, uniformly among the valid cuts of a random
    spanning tree of the merged pair (a uniformly random edge order, Kruskal).
    """

    def __init__(self, rules: CompiledRules, pair_limit: int) -> None:
        self.rules = rules
        self.pair_limit = pair_limit
        self.cache: dict[int, list[tuple[int, int]]] = {}

    def splits(self, merged: int, rng: np.random.Generator) -> list[tuple[int, int]]:
        """Valid splits ``(part with the lowest unit, the rest)`` to choose from uniformly."""
        if merged.bit_count() > ENUMERATED_SPLIT_MAX:
            return self.tree_splits(merged, rng)
        if merged not in self.cache:
            try:
                self.cache[merged] = two_way_splits(self.rules, bits(merged),
                                                    limit=self.pair_limit)
            except CandidateLimitExceeded:
                return self.tree_splits(merged, rng)
            if len(self.cache) > 50_000:  # keep memory bounded on long chains
                self.cache.clear()
                return two_way_splits(self.rules, bits(merged), limit=self.pair_limit)
        return self.cache[merged]

    def tree_splits(self, merged: int, rng: np.random.Generator) -> list[tuple[int, int]]:
        """Valid cuts of one random spanning tree of ``merged``."""
        neighbours = self.rules.neighbour_masks
        pairs = [(a, b) for a in bits(merged) for b in bits(neighbours[a] & merged) if a < b]
        order = [pairs[int(e)] for e in rng.permutation(len(pairs))]
        options = []
        for part in spanning_tree_cuts(merged, neighbours, order):
            rest = merged & ~part  # holds the root, the lowest unit
            if self.rules.cluster_ok(part, check_connected=False) and self.rules.cluster_ok(
                    rest, check_connected=False):
                options.append((rest, part))
        return options


def _cluster_masks(labels: np.ndarray) -> list[int]:
    masks: dict[int, int] = {}
    for i, c in enumerate(labels.tolist()):
        masks[c] = masks.get(c, 0) | (1 << i)
    return list(masks.values())


def _touching_pairs(rules: CompiledRules, masks: list[int]) -> list[tuple[int, int]]:
    """Pairs of clusters that may recombine: bordering ones (any pair without contiguity)."""
    if not rules.contiguous:
        return [(a, b) for a in range(len(masks)) for b in range(a + 1, len(masks))]
    reach = []
    for mask in masks:
        around = 0
        for i in bits(mask):
            around |= rules.neighbour_masks[i]
        reach.append(around)
    return [
        (a, b)
        for a in range(len(masks))
        for b in range(a + 1, len(masks))
        if reach[a] & masks[b]
    ]


def sample_plans(
    unit_set: UnitSet,
    rules: ClusterRules,
    n_steps: int = 2_000,
    *,
    seed: int = 0,
    start: Plan | None = None,
    enumerate_limit: int = 50_000,
    candidate_limit: int = 400_000,
    progress: bool = False,
    on_step: Callable[[int], None] | None = None,
    n_chains: int = 1,
    n_jobs: int = 1,
    count_limit: int = 1_000_000,
    count_time: float | None = 10.0,
) -> PlanSample:
    """Feasible plans under ``rules``: all of them, else uniform draws, else chains.

    All of them when they can be enumerated; else ``n_steps`` independent
    uniform draws when they can be counted (:mod:`benchmarks.exact_sampler`,
    within ``count_limit`` memo states and ``count_time`` seconds); else
    recombination chains.

    Parameters
    ----------
    unit_set : UnitSet
        The units the plans partition.
    rules : ClusterRules
        The rules every plan follows (checked by the shared diagnosis first).
    n_steps : int, default 2,000
        Uniform draws, or steps of the recombination chains, when enumeration is too large.
    seed : int, default 0
        Seed of the :class:`numpy.random.Generator`; same seed, same sample.
    start : Plan, optional
        A feasible plan to start the chain from; default: a seeded random
        exact cover of the candidates.
    enumerate_limit, candidate_limit : int, default 50,000 and 400,000
        Enumerate all plans when at most this many plans (and candidates) exist;
        past either limit the search stops early and the chain samples instead.
    progress : bool, default False
        Show a tqdm progress bar over the chain steps.
    on_step : callable, optional
        Called with the step number after each chain step (tests use it).
    n_chains : int, default 1
        Independent chains (or runs of uniform draws), seeded from ``seed`` by
        :class:`numpy.random.SeedSequence`; ``n_steps`` are shared among them
        and their distinct plans pooled.
    n_jobs : int, default 1
        Chains or runs in parallel through joblib (:func:`benchmarks.sweeps.parallel_map`,
        any backend); the result does not depend on it.
    count_limit : int, default 1,000,000
        Memo states allowed to the exact count (about 130 bytes each); past it, chains.
    count_time : float or None, default 10.0
        Seconds allowed to the exact count; past them, chains.

    Returns
    -------
    PlanSample
        ``complete=True`` for an enumeration; ``method="uniform sample"`` with
        ``total`` for uniform draws. Ctrl-C during the chain stops it
        and returns what was found, with ``interrupted=True``.

    Raises
    ------
    InfeasibleError
        The rules are impossible.
    FairclustersError
        ``start`` breaks the rules, or bad parameters.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    >>> s = sample_plans(vn, rules, n_steps=50, seed=1, enumerate_limit=10)
    >>> s.method, s.total, s.steps, s.n_distinct > 1
    ('uniform sample', 3329, 50, True)
    >>> s = sample_plans(vn, rules, n_steps=50, seed=1, enumerate_limit=10, count_limit=10)
    >>> s.method, s.n_distinct > 1
    ('recombination chain', True)
    """
    _check_sampling(unit_set, rules, n_steps, n_chains, start)
    if rules.clusters:
        def sample_rest(units: UnitSet, rest_rules: ClusterRules, rest_start: Plan | None
                        ) -> PlanSample:
            return sample_plans(
                units, rest_rules, n_steps, seed=seed, start=rest_start,
                enumerate_limit=enumerate_limit, candidate_limit=candidate_limit,
                progress=progress, on_step=on_step, n_chains=n_chains, n_jobs=n_jobs,
                count_limit=count_limit, count_time=count_time)

        return _with_closed_clusters(unit_set, rules, start, sample_rest)
    compiled = check_feasible(unit_set, rules).compile(unit_set)  # the shared diagnosis first
    notes: list[str] = []
    candidates: list[int] | None
    try:
        candidates = _candidate_masks(compiled, limit=candidate_limit)
    except CandidateLimitExceeded:
        candidates = None
        notes.append(f"more than {candidate_limit:,} candidate clusters: not enumerated")
    if candidates is not None:
        try:
            covers = _ExactCover(compiled, candidates).plans(limit=enumerate_limit)
        except _TooMany:
            notes.append(f"more than {enumerate_limit:,} feasible plans: not enumerated")
        else:
            return _enumerated(compiled, candidates, covers)
    if candidates is not None and n_steps > 0:  # count, then draw uniformly
        try:
            counter = ExactCounter(compiled, candidates, max_states=count_limit,
                                   time_limit=count_time)
            _ = counter.total
        except CountBudgetExceeded as exc:
            notes.append(f"{exc}; sampled by recombination chains")
        else:
            return _uniform(counter, n_steps, n_chains, seed, n_jobs, notes)
    if candidates is None and start is None:
        raise FairclustersError(
            "too many candidate clusters to build a first plan; pass start= (e.g. the "
            "optimizer's or a heuristic's plan)"
        )
    seeds = np.random.SeedSequence(seed).spawn(n_chains)
    steps = [n_steps // n_chains + (c < n_steps % n_chains) for c in range(n_chains)]
    cover = _ExactCover(compiled, candidates) if candidates is not None else None
    jobs = [
        (compiled, cover, None if start is None else np.asarray(start.labels, dtype=np.int64),
         steps[c], seeds[c], progress and n_jobs == 1, on_step)
        for c in range(n_chains)
    ]
    if n_jobs == 1 or n_chains == 1:
        results = []
        for job in jobs:
            results.append(_chain(*job))
            if results[-1].interrupted:
                break  # Ctrl-C: keep the chains that ran, start no more
    else:
        from .sweeps import parallel_map

        results = list(parallel_map(_chain, ((*job[:-1], None) for job in jobs),
                                    n_jobs=n_jobs))
    return _pooled(results, notes, n_chains, seed)


def _draws(counter: ExactCounter, n_draws: int, seed: np.random.SeedSequence) -> np.ndarray:
    """One run of uniform draws: canonical label rows, one per draw."""
    rng = np.random.default_rng(seed)
    rows = [counter.labels(counter.draw(rng)) for _ in range(n_draws)]
    return np.array(rows, dtype=np.int64).reshape(n_draws, counter.n)


def _uniform(counter: ExactCounter, n_draws: int, n_runs: int, seed: int, n_jobs: int,
             notes: list[str]) -> PlanSample:
    """``n_draws`` uniform plans in ``n_runs`` seeded runs (joblib), distinct rows and traces."""
    from .sweeps import parallel_map

    seeds = np.random.SeedSequence(seed).spawn(n_runs)
    shares = [n_draws // n_runs + (r < n_draws % n_runs) for r in range(n_runs)]
    runs = list(parallel_map(_draws, ((counter, shares[r], seeds[r]) for r in range(n_runs)),
                             n_jobs=n_jobs))
    seen: dict[tuple[int, ...], int] = {}
    traces = [np.array([seen.setdefault(tuple(row.tolist()), len(seen)) for row in run],
                       dtype=np.int64) for run in runs]
    notes = [*notes, f"exact count: {counter.total:,} feasible plans ({counter.states:,} memo "
             f"states); {n_draws:,} independent uniform draws in {n_runs} runs (seeds spawned "
             f"from seed={seed})"]
    return PlanSample(
        labels=np.array(list(seen), dtype=np.int64).reshape(len(seen), counter.n),
        complete=False,
        method=UNIFORM,
        steps=n_draws,
        notes=notes,
        traces=traces,
        total=counter.total,
    )


def _check_sampling(unit_set: UnitSet, rules: ClusterRules, n_steps: int, n_chains: int,
                    start: Plan | None) -> None:
    """Refuse bad parameters of :func:`sample_plans`, naming the value."""
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise FairclustersError(f"n_steps={n_steps!r}; expected an integer >= 0")
    if isinstance(n_chains, bool) or not isinstance(n_chains, (int, np.integer)) or n_chains < 1:
        raise FairclustersError(f"n_chains={n_chains!r}; expected an integer >= 1")
    if start is not None:
        if start.unit_set.ids != unit_set.ids:
            raise FairclustersError("the start plan is over a different unit set")
        broken = plan_violations(start, rules)
        if broken:
            raise FairclustersError(
                f"the start plan breaks the rules: {'; '.join(map(str, broken))}")


def _pooled(results: list[PlanSample], notes: list[str], n_chains: int, seed: int
            ) -> PlanSample:
    """The distinct plans of several chains, in the order first found."""
    seen: dict[tuple[int, ...], int] = {}
    traces = []
    for r in results:
        rows = np.array([seen.setdefault(tuple(int(x) for x in row), len(seen))
                         for row in r.labels], dtype=np.int64)
        traces += [rows[t] for t in r.traces]
    notes = notes + [n for r in results[:1] for n in r.notes]
    if n_chains > 1:
        notes.append(f"{n_chains} chains pooled (seeds spawned from seed={seed})")
    interrupted = any(r.interrupted for r in results)
    if interrupted:
        notes.append("interrupted by the user (Ctrl-C): plans found so far are kept")
    return PlanSample(
        labels=np.array(list(seen), dtype=np.int64),
        complete=False,
        method="recombination chain",
        steps=sum(r.steps for r in results),
        accepted=sum(r.accepted for r in results),
        interrupted=interrupted,
        notes=notes,
        traces=traces,
    )


def _chain(
    rules: CompiledRules,
    cover: _ExactCover | None,
    start: np.ndarray | None,
    n_steps: int,
    seed: np.random.SeedSequence,
    progress: bool,
    on_step: Callable[[int], None] | None,
) -> PlanSample:
    """One seeded chain: from ``start`` or a random exact cover."""
    rng = np.random.default_rng(seed)
    notes = []
    if start is not None:
        labels = start
        notes.append("chains started from the given plan")
    else:
        first = cover.plans(rng=rng)  # type: ignore[union-attr]
        if not first:
            raise InfeasibleError("no plan follows these rules", reason="exhaustive")
        labels = _labels_of(rules.n, first[0])
        notes.append("chains started from seeded random exact covers of the candidates")
    return _run_chain(rules, labels, n_steps, rng, notes, progress, on_step)


def _run_chain(
    rules: CompiledRules,
    labels: np.ndarray,
    n_steps: int,
    rng: np.random.Generator,
    notes: list[str],
    progress: bool,
    on_step: Callable[[int], None] | None,
) -> PlanSample:
    from tqdm.auto import tqdm

    recombine = _Recombination(rules, pair_limit=100_000)
    masks = _cluster_masks(labels)
    seen: dict[tuple[int, ...], int] = {canonical_labels(labels): 0}
    trace = [0]
    accepted = steps = 0
    interrupted = False
    bar = tqdm(total=n_steps, desc="sampling plans", unit="step", disable=not progress)
    try:
        for steps in range(1, n_steps + 1):
            pairs = _touching_pairs(rules, masks)
            a, b = pairs[int(rng.integers(len(pairs)))]
            options = recombine.splits(masks[a] | masks[b], rng)
            if options:
                left, right = options[int(rng.integers(len(options)))]
                if {left, right} != {masks[a], masks[b]}:
                    accepted += 1
                    masks[a], masks[b] = left, right
                    current = canonical_labels(_labels_of(rules.n, masks))
                    trace.append(seen.setdefault(current, len(seen)))
                else:
                    trace.append(trace[-1])
            else:
                trace.append(trace[-1])
            bar.update()
            if on_step is not None:
                on_step(steps)
    except KeyboardInterrupt:
        interrupted = True
        steps -= 1  # the interrupted step did not finish
    finally:
        bar.close()
    return PlanSample(
        labels=np.array(list(seen), dtype=np.int64),
        complete=False,
        method="recombination chain",
        steps=steps,
        accepted=accepted,
        interrupted=interrupted,
        notes=notes,
        traces=[np.array(trace[:steps + 1], dtype=np.int64)],
    )
