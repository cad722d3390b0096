"""Validation of the plan samplers: ``python -m benchmarks.bench_sampler [--quick]``.

On instances small enough to enumerate every plan (the 34 provinces of 2025
under the main job's default rules, 6 contiguous clusters of 5-6 units, and
three seeded synthetic planar sets), the uniform sampler
(:mod:`benchmarks.exact_sampler`) and the recombination chains
(:mod:`benchmarks.sampling`) each draw the same number of plans; printed per
sampler:

* the total variation distance between the draws' plan frequencies and the
  uniform distribution over the enumerated plans (even exact uniform draws
  have a finite-sample TV of about ``sqrt(P / (2 pi N))`` for ``P`` plans and
  ``N`` draws: compare the two rows, not the value with 0);
* the chi-square goodness-of-fit p-value of those frequencies against
  uniform (``scipy.stats.chisquare``; it assumes independent draws, which
  chain steps are not, so a chain's p-value is too small even when its
  target is uniform);
* on the provinces, the exact percentile of the GSO-region plan's objective
  (p-median, the main job's dissimilarity) and each sampler's estimate with
  its 95 % interval.

On the 63 provinces of 2024 (8 contiguous clusters of 7-9 units) it prints
the exact count, its time and peak memory (skipped with ``--quick``), and the
chains' ESS and R-hat of the objective; then the same chain figures on the
168 communes of Ho Chi Minh City (islands linked, 16 clusters of 9-13;
skipped with ``--quick`` and ``--only-63``). Timings are wall-clock on the machine
that runs it.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chisquare

from clustering.datasets import vietnam_communes, vietnam_provinces
from clustering.dissimilarity import default_indicators, dissimilarity
from clustering.estimators import AZPLocalSearch
from clustering.islands import link_islands
from clustering.plan import Plan
from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet

from .compare import plan_objectives, region_plan
from .exact_sampler import CountBudgetExceeded, count_plans
from .sampling import _candidate_masks, _uniform, enumerate_plans, sample_plans
from .uncertainty import (
    PercentileEstimate,
    effective_sample_size,
    estimate_percentile,
    exact_percentile,
    split_rhat,
)

__all__ = ["Instance", "frequency_check", "instances", "main"]


@dataclass(frozen=True)
class Instance:
    """One validation instance: a unit set and its rules."""

    name: str
    unit_set: UnitSet
    rules: ClusterRules


def instances(quick: bool = False) -> list[Instance]:
    """The enumerable instances: the 34 provinces, then three synthetic planar sets.

    Parameters
    ----------
    quick : bool, default False
        Only the smallest synthetic instance and the provinces.

    Examples
    --------
    >>> [i.name for i in instances(quick=True)]
    ['vietnam-2025 k=6 size 5-6', 'planar n=10 seed=1 k=3 size 3-4']
    """
    out = [Instance("vietnam-2025 k=6 size 5-6", vietnam_provinces(2025),
                    ClusterRules(n_clusters=6, size=(5, 6), contiguous=True))]
    synthetic = [(10, 1, 3, (3, 4)), (12, 1, 3, (3, 5)), (14, 1, 3, (4, 6))]
    for n, seed, k, size in synthetic[:1] if quick else synthetic:
        out.append(Instance(f"planar n={n} seed={seed} k={k} size {size[0]}-{size[1]}",
                            planar_unit_set(n, seed=seed),
                            ClusterRules(n_clusters=k, size=size, contiguous=True)))
    return out


def frequency_check(rows: np.ndarray, n_plans: int) -> tuple[float, float]:
    """Total variation distance to uniform and chi-square p-value of plan draws.

    Parameters
    ----------
    rows : numpy.ndarray of int
        Index (``0..n_plans-1``) of the plan of every draw.
    n_plans : int
        Number of feasible plans.

    Returns
    -------
    tuple of float
        ``(TV distance, p-value)``.

    Examples
    --------
    >>> tv, p = frequency_check(np.array([0, 1, 2, 0, 1, 2]), 3)
    >>> tv, round(p, 3)
    (0.0, 1.0)
    """
    counts = np.bincount(np.asarray(rows, dtype=np.int64), minlength=n_plans)
    freq = counts / counts.sum()
    tv = 0.5 * float(np.abs(freq - 1 / n_plans).sum())
    return tv, float(chisquare(counts).pvalue)


def _objective_matrix(unit_set: UnitSet) -> np.ndarray:
    used, logged = default_indicators(unit_set)
    return np.asarray(dissimilarity(unit_set, used, log=logged))


def _fmt(est: PercentileEstimate) -> str:
    if est.exact:
        return f"{est.value:.2f} (exact)"
    extra = "" if est.rhat is None else f", ESS {est.ess:.0f}, R-hat {est.rhat:.3f}"
    warn = f" [{'; '.join(est.warnings)}]" if est.warnings else ""
    return f"{est.value:.2f} [{est.low:.2f}, {est.high:.2f}]{extra}{warn}"


def _enumerable(inst: Instance, n_draws: int, seed: int, out: list[str]) -> None:
    every = enumerate_plans(inst.unit_set, inst.rules)
    index = {tuple(row.tolist()): i for i, row in enumerate(every.labels)}
    n_plans = every.n_distinct
    draws = n_draws or 5 * n_plans
    out.append(f"{inst.name}: {n_plans:,} plans (enumerated), {draws:,} draws per sampler")
    regions, _ = region_plan(inst.unit_set)
    matrix = _objective_matrix(inst.unit_set) if regions is not None else None
    exact = None
    if regions is not None:
        target = float(plan_objectives(np.asarray(regions.labels)[None, :], matrix)[0])
        exact = exact_percentile(target, plan_objectives(every.labels, matrix))
    samplers = {
        "uniform (exact counts)": dict(enumerate_limit=0),
        "recombination chains": dict(enumerate_limit=0, count_limit=0),
    }
    for name, options in samplers.items():
        clock = time.perf_counter()
        sample = sample_plans(inst.unit_set, inst.rules, draws, seed=seed, n_chains=4,
                              **options)  # type: ignore[arg-type]
        seconds = time.perf_counter() - clock
        rows = np.array([index[tuple(row.tolist())] for row in sample.labels])
        drawn = np.concatenate([rows[t] for t in sample.traces])
        tv, p = frequency_check(drawn, n_plans)
        line = f"  {name:24s} TV {tv:.3f}  chi-square p {p:.3g}  ({seconds:.1f} s)"
        if exact is not None:
            values = plan_objectives(sample.labels, matrix)
            line += ("\n    GSO-region plan (breaks the rules; ranked by value) objective "
                     f"percentile: exact {exact.value:.2f}; ")
            line += f"estimated {_fmt(estimate_percentile(target, values, sample))}"
        out.append(line)
    baseline = math.sqrt(n_plans / (2 * math.pi * draws))
    out.append(f"  (finite-sample TV of exact uniform draws is about {baseline:.3f})")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _provinces_63(steps: int, seed: int, count: bool, out: list[str]) -> None:
    vn = vietnam_provinces(2024)
    rules = ClusterRules(n_clusters=8, size=(7, 9), contiguous=True)
    compiled = rules.compile(vn)
    out.append("vietnam-2024 (63 provinces) k=8 size 7-9:")
    clock = time.perf_counter()
    candidates = _candidate_masks(compiled)
    out.append(f"  {len(candidates):,} candidate clusters ({time.perf_counter() - clock:.1f} s)")
    matrix = _objective_matrix(vn)
    regions, _ = region_plan(vn)
    target = None
    if regions is not None:
        target = float(plan_objectives(np.asarray(regions.labels)[None, :], matrix)[0])
    if count:
        before = _peak_mb()
        clock = time.perf_counter()
        try:
            counter = count_plans(compiled, candidates, max_states=12_000_000, time_limit=900)
        except CountBudgetExceeded as exc:
            out.append(f"  {exc}")
        else:
            out.append(f"  exact count: {counter.total:,} plans, {counter.states:,} memo states, "
                       f"{time.perf_counter() - clock:.1f} s, peak RSS {_peak_mb():.0f} MB "
                       f"(was {before:.0f} MB)")
            clock = time.perf_counter()
            uniform = _uniform(counter, steps, 4, seed, 1, [])
            out.append(f"  uniform: {uniform.describe()} in {time.perf_counter() - clock:.1f} s")
            if target is not None:
                values = plan_objectives(uniform.labels, matrix)
                out.append("  GSO-region plan objective percentile (uniform): "
                           f"{_fmt(estimate_percentile(target, values, uniform))}")
            del counter
    else:
        out.append("  exact count skipped (--quick)")
    _chains(vn, rules, steps, seed, matrix, target, out)


def _chains(units: UnitSet, rules: ClusterRules, steps: int, seed: int, matrix: np.ndarray,
            target: float | None, out: list[str], start: Plan | None = None) -> None:
    """Four recombination chains: their time, the objective's ESS and split-R-hat."""
    clock = time.perf_counter()
    sample = sample_plans(units, rules, steps, seed=seed, n_chains=4, enumerate_limit=0,
                          count_limit=0, start=start)
    seconds = time.perf_counter() - clock
    values = plan_objectives(sample.labels, matrix)
    length = min(len(t) for t in sample.traces)
    chains = np.array([values[t[:length]] for t in sample.traces])
    out.append(f"  chains: {sample.describe()} in {seconds:.1f} s; objective ESS "
               f"{effective_sample_size(chains):.0f}, split-R-hat {split_rhat(chains):.3f}")
    if target is not None:
        out.append("  GSO-region plan objective percentile (chains): "
                   f"{_fmt(estimate_percentile(target, values, sample))}")


def _hcmc_communes(steps: int, seed: int, out: list[str]) -> None:
    """The 168 communes of Ho Chi Minh City (islands linked), 16 clusters of 9-13: chains."""
    units, links = link_islands(vietnam_communes("79"))
    rules = ClusterRules(n_clusters=16, size=(9, 13), contiguous=True)
    out.append(f"vietnam-communes-2025:79 ({len(units)} communes, {len(links)} island "
               "link(s)) k=16 size 9-13:")
    clock = time.perf_counter()
    start = AZPLocalSearch(16, size=(9, 13), random_state=seed).fit(units).plan_
    out.append(f"  start: a heuristic plan (AZPLocalSearch) in {time.perf_counter() - clock:.1f} s")
    _chains(units, rules, steps, seed, _objective_matrix(units), None, out, start)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the validation and print it; ``--quick`` for the smoke test.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_sampler",
                                     description="Validate the uniform sampler and the chains.")
    parser.add_argument("--quick", action="store_true",
                        help="small instances, few draws, no 63-province count (default: off)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    parser.add_argument("--only-63", action="store_true",
                        help="only the 63 provinces (default: every instance)")
    parser.add_argument("--communes-steps", type=int, default=60_000, metavar="N",
                        help="chain steps on the communes of Ho Chi Minh City (default: 60,000)")
    args = parser.parse_args(argv)
    out: list[str] = []
    for inst in [] if args.only_63 else instances(args.quick):
        _enumerable(inst, 2_000 if args.quick else 0, args.seed, out)
        print("\n".join(out), flush=True)
        out.clear()
    _provinces_63(400 if args.quick else 4_000, args.seed, not args.quick, out)
    print("\n".join(out), flush=True)
    out.clear()
    if not args.quick and not args.only_63:
        _hcmc_communes(args.communes_steps, args.seed, out)
        print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
