"""Does the heuristic find a plan when one exists? Feasibility of AZP's repair, old vs new.

Run ``python -m benchmarks.bench_repair [--quick] [--out results.json]``.

Instances (:func:`balanced_instance`): a seeded planar unit set
(:func:`clustering.synthetic.planar_unit_set`) is cut into ``k`` contiguous
regions by random growth from ``k`` random seeds, each region growing at its
own random speed (:func:`random_regions`), so that region sizes differ by a
factor of two or more. The
populations of each region are then rescaled so that the region weighs the
ideal ``total / k`` times ``1 + e``, with ``e`` uniform in ±3 %. That hidden
plan is contiguous and within ±10 % of the ideal (checked with
:class:`~clustering.compiled_rules.CompiledRules` for every instance): *a plan
exists by construction*. Units of small regions become heavy and those of
large regions light, which is what makes balancing hard: a cluster cannot be
balanced by counting units.

Rules: ``k`` contiguous clusters, population within ±10 % of the ideal, no
count bounds. Twenty instances of 100 to 1,000 units, ``k`` chosen so that
regions have 10 to 50 units on average.

For each instance the script runs :class:`~clustering.estimators.AZPLocalSearch`
with the Ward start and ``improve=False`` (the question is feasibility, not
the objective) twice in the same process: ``repair="legacy"`` (the ejection
chains, ReCom and swaps of the old code, one start: the baseline) and
``repair="flow"`` (the default: min-cost-flow balancing, then the legacy steps,
then restarts from spanning-tree partitions). Printed per instance: ``n``,
``k``, found?, seconds, and for failures the first words of the error.
``--real`` adds the reproductions on real communes (:func:`real_cases`).

Target: the new repair finds a valid plan on every instance, within 10 s at
1,000 units. ``--tolerance 0.05`` makes the instances harder (below about
0.04, the hidden plans' own spread, instances whose hidden plan breaks the
tolerance are skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from clustering.errors import InfeasibleError
from clustering.estimators import AZPLocalSearch
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet

TOLERANCE = 0.10
TIME_TARGET_S = 10.0

#: (n, mean units per region) of the twenty instances; seed = position.
CASES = [
    (100, 10), (120, 20), (150, 15), (180, 30), (200, 10), (250, 25), (300, 50), (350, 12),
    (400, 20), (450, 40), (500, 10), (550, 30), (600, 15), (650, 50), (700, 25), (750, 12),
    (800, 40), (850, 20), (900, 30), (1000, 10),
]


def random_regions(unit_set: UnitSet, k: int, rng: np.random.Generator) -> np.ndarray:
    """A random contiguous partition into ``k`` regions: growth from random seeds.

    Each region has a random speed (uniform in 0.6-1.6); at each step the
    region that is smallest for its speed (and still touches unassigned
    units) takes one of its unassigned neighbours at random. Regions are
    connected because a unit only joins a region it borders.
    """
    n = len(unit_set)
    index = {u: i for i, u in enumerate(unit_set.ids)}
    neighbours = [sorted(index[v] for v in unit_set.graph.neighbors(u)) for u in unit_set.ids]
    rate = rng.uniform(0.3, 3.0, size=k)
    labels = np.full(n, -1)
    count = np.zeros(k)
    frontier: list[set[int]] = [set() for _ in range(k)]

    def take(i: int, c: int) -> None:
        labels[i] = c
        count[c] += 1
        for f in frontier:
            f.discard(i)
        frontier[c].update(j for j in neighbours[i] if labels[j] < 0)

    for c, seed in enumerate(rng.choice(n, size=k, replace=False).tolist()):
        take(seed, c)
    while (labels < 0).any():
        open_ = [c for c in range(k) if frontier[c]]
        c = min(open_, key=lambda c: (count[c] / rate[c], c))
        take(int(rng.choice(sorted(frontier[c]))), c)
    return labels


def balanced_instance(n: int, k: int, seed: int, tolerance: float = TOLERANCE
                      ) -> tuple[UnitSet, ClusterRules, np.ndarray]:
    """A planar instance with a hidden contiguous plan within ±3 % of the ideal weight.

    Returns the unit set, the rules (``k`` contiguous clusters, population
    within ``tolerance`` of the ideal) and the hidden plan's labels. The
    indicator ``population`` is the new weight; ``x1..x3`` are those of
    :func:`~clustering.synthetic.planar_unit_set` (the benchmark clusters on
    them, so that the objective does not see the hidden plan).

    Examples
    --------
    >>> from clustering.rules import plan_violations
    >>> from clustering.plan import Plan
    >>> s, rules, hidden = balanced_instance(60, 4, seed=0)
    >>> plan_violations(Plan.from_labels(s, hidden), rules)
    []
    """
    base = planar_unit_set(n, seed=seed)
    rng = np.random.default_rng(10_000 + seed)
    labels = random_regions(base, k, rng)
    raw = base.weights()
    totals = np.bincount(labels, weights=raw, minlength=k)
    target = raw.sum() / k * (1 + rng.uniform(-0.03, 0.03, size=k))
    weight = np.maximum(np.round(raw * (target / totals)[labels]), 1.0)
    units = [
        u.model_copy(update={"weight": float(w),
                             "indicators": {**u.indicators, "population": float(w)}})
        for u, w in zip(base.units, weight)
    ]
    unit_set = UnitSet(units, list(base.graph.edges()), name=f"balanced-{n}-{k}-seed{seed}",
                       provenance=f"benchmarks.bench_repair.balanced_instance({n}, {k}, {seed})")
    rules = ClusterRules.with_weight_tolerance(unit_set, k, tolerance, contiguous=True)
    return unit_set, rules, labels


def run(unit_set: UnitSet, rules: ClusterRules, repair: str, seed: int = 0) -> dict:
    """One repair-only fit; found (a valid plan), seconds, restarts, and the error if any."""
    start = time.perf_counter()
    try:
        azp = AZPLocalSearch(rules.n_clusters, init="ward", weight_bounds=rules.weight_bounds,
                             indicators=["x1", "x2", "x3"], geography=0.5, improve=False,
                             repair=repair, random_state=seed, time_limit=60.0).fit(unit_set)
    except InfeasibleError as exc:
        return {"found": False, "seconds": time.perf_counter() - start, "error": str(exc),
                "restarts": None}
    seconds = time.perf_counter() - start
    return {"found": not plan_violations(azp.plan_, rules), "seconds": seconds,
            "restarts": azp.n_restarts_}


def feasibility(quick: bool = False, seed: int = 0, tolerance: float = TOLERANCE) -> dict:
    """Both repairs on every instance; the per-instance table and the verdict."""
    from clustering.plan import Plan

    cases = CASES[::4] if quick else CASES
    rows = []
    print(f"population within ±{tolerance:.0%} of the ideal; Ward start, repair only")
    print(f"{'n':>5s} {'k':>4s} {'units/k':>7s} | {'legacy':>6s} {'s':>6s} | "
          f"{'flow':>6s} {'s':>6s} {'restarts':>8s}")
    for position, (n, per) in enumerate(cases):
        k = max(2, round(n / per))
        unit_set, rules, hidden = balanced_instance(n, k, seed * 1000 + position, tolerance)
        if plan_violations(Plan.from_labels(unit_set, hidden), rules):
            print(f"{n:5d} {k:4d} {n / k:7.1f} | skipped: the hidden plan itself is outside "
                  f"±{tolerance:.0%} (no plan certified)")
            continue
        old = run(unit_set, rules, "legacy", seed)
        new = run(unit_set, rules, "flow", seed)
        rows.append({"n": n, "k": k, "legacy": old, "flow": new})
        print(f"{n:5d} {k:4d} {n / k:7.1f} | {old['found']!s:>6s} {old['seconds']:6.2f} | "
              f"{new['found']!s:>6s} {new['seconds']:6.2f} {new['restarts']!s:>8s}"
              + ("" if new["found"] else f"  error: {new.get('error', '')[:160]}"))
    found_old = sum(r["legacy"]["found"] for r in rows)
    found_new = sum(r["flow"]["found"] for r in rows)
    slowest = max((r["flow"]["seconds"] for r in rows if r["n"] >= 1000), default=0.0)
    met = found_new == len(rows) and slowest <= TIME_TARGET_S
    print(f"\nlegacy repair: {found_old}/{len(rows)} found; flow repair: {found_new}/{len(rows)} "
          f"found; slowest at 1,000 units {slowest:.2f} s (target <= {TIME_TARGET_S:g} s): "
          f"{'MET' if met else 'NOT MET'}")
    return {"rows": rows, "found_legacy": found_old, "found_flow": found_new, "met": met}


def real_cases(seed: int = 0) -> list[dict]:
    """The reproductions of issue 17 on real communes, legacy and flow repair side by side.

    Hồ Chí Minh City's 168 communes (islands linked to the mainland) into 16
    clusters with population within ±20 % and ±10 %, from the Ward and the
    k-means starts; the 3,321 communes (islands linked) into 300 clusters of
    9-13 communes on the default indicators with geography 0.5, from the Ward
    start (where the legacy repair stops at clusters of 8).
    """
    from clustering.datasets import vietnam_communes
    from clustering.islands import link_islands

    hcm, _ = link_islands(vietnam_communes("Hồ Chí Minh"))
    cases = []
    for tolerance in (0.2, 0.1):
        rules = ClusterRules.with_weight_tolerance(hcm, 16, tolerance, contiguous=True)
        for init in ("ward", "kmeans"):
            cases.append((f"HCMC 168 communes, k=16, ±{tolerance:.0%}, {init} start", hcm, rules,
                          {"init": init, "weight_bounds": rules.weight_bounds,
                           "geography": 0.5}))
    communes, _ = link_islands(vietnam_communes())
    rules = ClusterRules(n_clusters=300, size=(9, 13), contiguous=True)
    cases.append(("3,321 communes, k=300, 9-13 members, ward start", communes, rules,
                  {"init": "ward", "size": (9, 13), "geography": 0.5}))
    out = []
    for label, unit_set, rules, options in cases:
        row = {"case": label}
        for repair in ("legacy", "flow"):
            start = time.perf_counter()
            try:
                azp = AZPLocalSearch(rules.n_clusters, improve=False, repair=repair,
                                     random_state=seed, **options).fit(unit_set)
                found = not plan_violations(azp.plan_, rules)
            except InfeasibleError as exc:
                found, row[f"{repair}_error"] = False, str(exc)
            row[repair] = {"found": found, "seconds": time.perf_counter() - start}
        print(f"{label:52s} legacy {row['legacy']['found']!s:>5s} "
              f"{row['legacy']['seconds']:6.2f} s | flow {row['flow']['found']!s:>5s} "
              f"{row['flow']['seconds']:6.2f} s")
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="every fourth instance only")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", action="store_true",
                        help="also the real-commune reproductions (about a minute)")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE,
                        help="population tolerance around the ideal (default 0.10)")
    args = parser.parse_args(argv)
    if args.out is not None and args.out.exists():
        print(f"error: {args.out} exists; choose another path", file=sys.stderr)
        return 2
    if not 0 < args.tolerance < 1:
        print("error: --tolerance must be in (0, 1)", file=sys.stderr)
        return 2
    results = feasibility(args.quick, args.seed, args.tolerance)
    if args.real:
        print("\nreal communes (repair only):")
        results["real"] = real_cases(args.seed)
    results["cpu_count"] = os.cpu_count()
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
