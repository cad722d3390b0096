"""Benchmark of the planner's trade-offs: the exact Pareto front and the m-move reform.

Two measurements, each printed with its wall time and status:

(a) the exact two-criteria front, homogeneity (p-median) against population
    balance, of the 63 provinces of 2024 in 8 contiguous clusters of 7-9 (the
    main job's rules for them; ``--no-size`` for population bounds alone), by the
    epsilon-constraint method (:func:`optimizer.pareto_front`), stopped at
    ``--points`` points (default 10; target 60 s);
(b) the 10-move reform of a 63-unit plan (:func:`optimizer.reform`): the
    current plan is the GSO's six socio-economic regions of the 2024
    provinces (``Plan.from_attribute(units, "region")``, k = 6), proven
    optimal (target 20 s).

Run ``python -m benchmarks.bench_planner`` (both), ``--quick`` (a 12-unit
planar instance, 3 clusters, today's plan the most compact one; seconds),
``--solver cbc|highs`` (default highs), ``--points N``, ``--moves M``,
``--out result.json``. Timings depend on the
machine and its load.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from clustering.datasets import vietnam_provinces
from clustering.plan import Plan
from clustering.synthetic import planar_unit_set
from optimizer import optimize, pareto_front, reform

#: Targets of the two measurements, in seconds.
FRONT_TARGET, REFORM_TARGET = 60.0, 20.0


def front_case(units, k: int, points: int, solver: str,
               size: tuple[int, int] | None = None) -> dict:
    """Time and status of the exact homogeneity / population-balance front."""
    started = time.perf_counter()
    front = pareto_front(units, k, ("homogeneity", "population-balance"),
                         max_points=points, solver=solver, size=size)
    seconds = time.perf_counter() - started
    sizes = "" if size is None else f" of {size[0]}-{size[1]}"
    return {
        "case": f"front: {len(units)} units, {k} contiguous clusters{sizes}, {points} points",
        "seconds": seconds, "target": FRONT_TARGET, "method": front.method,
        "points": len(front), "dominated": len(front.dominated),
        "proven": all(p.proven for p in front), "complete": front.complete,
        "status": ",".join(sorted({p.status for p in front})),
        "values": front.values(),
    }


def reform_case(units, current: Plan, moves: int, solver: str) -> dict:
    """Time and status of the ``moves``-move reform of ``current``."""
    started = time.perf_counter()
    result = reform(units, current, moves, solver=solver)
    seconds = time.perf_counter() - started
    return {
        "case": f"reform: {len(units)} units, {current.n_clusters} clusters, {moves} moves",
        "seconds": seconds, "target": REFORM_TARGET, "status": result.status,
        "objective": result.objective, "bound": result.bound,
        "moves": result.details.get("moves"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the measurements, print them, optionally write them as JSON; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 12-unit planar instance")
    parser.add_argument("--solver", default="highs", choices=["cbc", "highs"])
    parser.add_argument("--points", type=int, default=10, help="points of the front")
    parser.add_argument("--moves", type=int, default=10, help="moves of the reform")
    parser.add_argument("--no-size", action="store_true",
                        help="the front without the main job's size rule for the 63 units "
                             "(7-9 members): population bounds alone (about 10x slower)")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        units = planar_unit_set(12, seed=0)
        # Today's plan: the most compact one (fewest borders cut), valid by construction.
        k, current = 3, optimize(units, 3, objective="cut-edges", solver=args.solver).plan
        points, moves = min(args.points, 4), min(args.moves, 3)
    else:
        units = vietnam_provinces(2024)
        k, current, points, moves = 8, Plan.from_attribute(units, "region"), args.points, (
            args.moves)
    size = None if args.quick or args.no_size else (7, 9)  # the main job's rules for 63 units
    rows = [front_case(units, k, points, args.solver, size),
            reform_case(units, current, moves, args.solver)]
    for row in rows:
        status = row["status"] + (f", complete={row['complete']}" if "complete" in row else "")
        print(f"{row['case']}: {row['seconds']:.1f} s (target {row['target']:.0f} s), "
              f"status {status}")
        if "values" in row:
            for homogeneity, balance in row["values"]:
                print(f"    homogeneity {homogeneity:.4f}  population balance {balance:.4f}")
        else:
            print(f"    objective {row['objective']:.4f}, bound {row['bound']:.4f}, "
                  f"moves {row['moves']}")
    if args.out is not None:
        args.out.write_text(json.dumps({"solver": args.solver, "rows": rows}, indent=2),
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
