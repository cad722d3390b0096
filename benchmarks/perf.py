"""Performance suite: how the optimizer and the heuristics scale with the number of units.

Instances (each with contiguous clusters and count bounds about the mean size):

=======  ==========================================  ====  ==========
n        units                                        k     sizes
=======  ==========================================  ====  ==========
34       Vietnam's provinces from 2025 (real)           6   5-6
63       Vietnam's provinces before 2025 (real)         8   7-9
150      synthetic planar (Delaunay, seeded)           15   9-11
700      synthetic planar                              70   8-12
3,321    synthetic planar                             300   9-13
3,321    Vietnam's communes from 2025 (real; 20       300   1-15
         adjacency components, islands included)
=======  ==========================================  ====  ==========

Methods: ``optimizer`` (:func:`optimizer.optimize`, time-limited, honest
status), ``ward+azp`` (SpatialWard start + AZPLocalSearch), ``kmeans``
(SizeConstrainedKMeans, no contiguity) and, when the ``peers`` extra is
installed, ``k-means-constrained`` (the named baseline: counts only, no
contiguity). Each case runs in a fresh process so that its wall time and
**peak resident memory** (:func:`benchmarks.memory.peak_memory_mb`: the
process's peak plus that of its largest solver child) are its own; the
baseline runs in the same suite, and each method's time is printed as a ratio
to it on the same instance.

Run::

    python -m benchmarks.perf                       # 34, 63, 150 (a few minutes)
    python -m benchmarks.perf --sizes 34 63 150 700 3321 communes --out perf.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import sys
import time
from pathlib import Path
from typing import Any

from .memory import peak_memory_mb

__all__ = ["INSTANCES", "main", "run_case"]

#: name -> (description, n_clusters, (min size, max size))
INSTANCES: dict[str, tuple[str, int, tuple[int, int]]] = {
    "34": ("vietnam-provinces-2025", 6, (5, 6)),
    "63": ("vietnam-provinces-2024", 8, (7, 9)),
    "150": ("planar-150", 15, (9, 11)),
    "700": ("planar-700", 70, (8, 12)),
    "3321": ("planar-3321", 300, (9, 13)),
    "communes": ("vietnam-communes-2025", 300, (1, 15)),
}
METHODS = ("k-means-constrained", "kmeans", "ward+azp", "optimizer")
BASELINE = "k-means-constrained"


def _unit_set(name: str):
    from clustering.datasets import vietnam_communes, vietnam_provinces
    from clustering.synthetic import planar_unit_set

    if name == "34":
        return vietnam_provinces(2025)
    if name == "63":
        return vietnam_provinces(2024)
    if name == "communes":
        return vietnam_communes()
    return planar_unit_set(int(name), seed=0)


def run_case(instance: str, method: str, time_limit: float, seed: int) -> dict[str, Any]:
    """Run one method on one instance in this process; return time, status and peak memory."""
    import numpy as np

    from clustering.rules import ClusterRules, plan_violations

    unit_set = _unit_set(instance)
    _, k, size = INSTANCES[instance]
    rules = ClusterRules(n_clusters=k, size=size, contiguous=True)
    record: dict[str, Any] = {"instance": instance, "n": len(unit_set), "k": k,
                              "size": list(size), "method": method,
                              "memory_before_mb": round(peak_memory_mb(), 1)}
    _import_modules(method)  # imports are not part of the measured time
    start = time.perf_counter()
    try:
        plan, extra = _solve(method, unit_set, rules, time_limit, seed)
    except Exception as exc:  # recorded, so one failing case does not stop the suite
        record |= {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        plan, extra = None, {}
    record["seconds"] = round(time.perf_counter() - start, 3)
    record["peak_memory_mb"] = round(peak_memory_mb(), 1)
    record |= extra
    if plan is not None:
        broken = plan_violations(plan, rules)
        record["violations"] = len(broken)
        sizes = np.array(list(plan.sizes().values()))
        record["size_range"] = [int(sizes.min()), int(sizes.max())]
    return record


def _import_modules(method: str) -> None:
    import importlib

    modules = {
        "optimizer": ["optimizer"],
        "ward+azp": ["clustering.estimators.local_search"],
        "kmeans": ["clustering.estimators.constrained_kmeans"],
        "k-means-constrained": ["k_means_constrained", "clustering.estimators.base"],
    }
    for name in ["clustering.dissimilarity", *modules.get(method, [])]:
        importlib.import_module(name)


def _solve(method, unit_set, rules, time_limit, seed):
    from clustering.dissimilarity import default_indicators

    indicators, log = default_indicators(unit_set)
    if method == "optimizer":
        from optimizer import optimize

        result = optimize(unit_set, rules, time_limit=time_limit, seed=seed)
        return result.plan, {"status": result.status, "objective": result.objective,
                             "bound": result.bound, "gap": result.gap,
                             "method_used": result.method}
    if method == "ward+azp":
        from clustering.estimators.local_search import AZPLocalSearch

        est = AZPLocalSearch(rules.n_clusters, size=rules.size, contiguous=True,
                             indicators=indicators, log=log, geography=0.5,
                             random_state=seed).fit(unit_set)
        return est.plan_, {"status": "heuristic"}
    if method == "kmeans":
        from clustering.estimators.constrained_kmeans import SizeConstrainedKMeans

        est = SizeConstrainedKMeans(rules.n_clusters, size=rules.size, indicators=indicators,
                                    log=log, geography=0.5, random_state=seed).fit(unit_set)
        return est.plan_, {"status": "heuristic"}
    if method == "k-means-constrained":
        from k_means_constrained import KMeansConstrained

        from clustering.estimators.base import mixed_features
        from clustering.plan import Plan

        features = mixed_features(unit_set, indicators, log=log, geography=0.5)
        low, high = rules.size
        labels = KMeansConstrained(rules.n_clusters, size_min=low, size_max=high,
                                   random_state=seed).fit_predict(features)
        return Plan.from_labels(unit_set, labels), {"status": "heuristic (peer)"}
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")


def _worker(queue, instance, method, time_limit, seed):
    queue.put(run_case(instance, method, time_limit, seed))


def _run_isolated(instance: str, method: str, time_limit: float, seed: int,
                  timeout: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_worker, args=(queue, instance, method, time_limit, seed))
    process.start()
    try:
        record = queue.get(timeout=timeout)
    except Exception:
        process.terminate()
        record = {"instance": instance, "method": method, "status": "timeout",
                  "seconds": timeout}
    process.join()
    return record


def _available(method: str) -> bool:
    if method != "k-means-constrained":
        return True
    import importlib.util

    return importlib.util.find_spec("k_means_constrained") is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.perf", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["34", "63", "150"],
                        choices=list(INSTANCES))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--optimizer-max-n", type=int, default=700,
                        help="skip the optimizer on larger instances (default 700)")
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="optimizer time limit per case, seconds (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("perf_results.json"))
    parser.add_argument("--force", action="store_true", help="overwrite --out")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.force:
        print(f"error: {args.out} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    records: list[dict[str, Any]] = []
    interrupted = False
    try:
        for instance in args.sizes:
            for method in args.methods:
                if not _available(method):
                    print(f"[{instance}] {method}: not installed (pip install "
                          "'fairclusters[peers]')", file=sys.stderr)
                    continue
                n = len(_unit_set(instance)) if method == "optimizer" else 0
                if method == "optimizer" and n > args.optimizer_max_n:
                    continue
                record = _run_isolated(instance, method, args.time_limit, args.seed,
                                       timeout=args.time_limit * 3 + 120)
                records.append(record)
                print(_line(record), flush=True)
            _print_ratios(records, instance)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: writing the cases that finished", file=sys.stderr)
    payload = {
        "suite": "benchmarks.perf",
        "baseline": BASELINE,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": multiprocessing.cpu_count(),
        "interrupted": interrupted,
        "results": records,
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    return 0


def _line(r: dict[str, Any]) -> str:
    extra = ""
    if r.get("gap") is not None:
        extra = f" gap {100 * r['gap']:.2g} %"
    if "error" in r:
        extra = f" {r['error'][:90]}"
    viol = f" violations {r['violations']}" if "violations" in r else ""
    return (f"[{r['instance']:>8}] {r['method']:<20} {r.get('status', ''):<16} "
            f"{r.get('seconds', float('nan')):8.2f} s  peak "
            f"{_mb(r.get('peak_memory_mb'))} MB"
            f"{viol}{extra}")


def _mb(value: float | None) -> str:
    return f"{value:7.0f}" if value is not None else "      -"


def _print_ratios(records: list[dict[str, Any]], instance: str) -> None:
    here = [r for r in records if r["instance"] == instance]
    base = next((r for r in here if r["method"] == BASELINE and "error" not in r), None)
    if base is None or not base.get("seconds"):
        return
    # A baseline stopped by the timeout only gives an upper bound on each ratio.
    sign = "<" if base.get("status") == "timeout" else ""
    ratios = ", ".join(f"{r['method']} {sign}{r['seconds'] / base['seconds']:.2g}x"
                       for r in here
                       if r is not base and r.get("seconds") and r.get("status") != "timeout")
    stopped = f" (baseline stopped at {base['seconds']:.0f} s)" if sign else ""
    print(f"[{instance:>8}] time / {BASELINE}: {ratios}{stopped}")


if __name__ == "__main__":
    sys.exit(main())
