"""Heuristic clustering side by side with k-means-constrained and spopt, and at scale.

Run ``python -m benchmarks.bench_heuristics [--quick]
[--case {all,compare,like,scale,feasibility}] [--out results.json]``.

Part 1 (small instances: Mexico's 32 states from libpysal's wheel, Vietnam's 34
and 63 provinces). Every method clusters the same standardised indicators
under the same rules (k clusters, count bounds, contiguity); each plan is
measured by :func:`clustering.metrics.fairness_report` and checked by
:func:`clustering.rules.plan_violations`. Printed: R^2 of the indicators,
pieces (contiguity violations), size max/min, rule violations and wall time.
Target: every plan of :class:`~clustering.estimators.AZPLocalSearch` (ours for
these rules) valid, with R^2 at least that of the best *valid* peer plan at
no more than 3x its time. Where the optimizer's exact enumerate-and-select
model solves, its proven bound gives the gap.

Part 2 (scale): a seeded planar instance of 3,321 units into 300 clusters of
9-13 units, contiguous; then the real 3,321 communes (whose adjacency has
islands: reported; islands are linked to their nearest mainland commune to run).

Part 1b (``--case like``, not part of ``all``): each peer against ours under
the rules that peer enforces itself (contiguity only at fixed k; contiguity
with a floor at fixed k, and at the k MaxP finds; count bounds without
contiguity): :func:`like_for_like`.

Part 3 (``--case feasibility``, not part of ``all``): does the repair find a
plan when one exists? Twenty planar instances with a hidden balanced
contiguous plan, population within ±10 %, old repair (``repair="legacy"``)
against the new one in the same process: :mod:`benchmarks.bench_repair`.

Peers are optional (``pip install fairclusters[peers]``); a missing peer is
skipped with a printed note.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

from clustering.datasets import vietnam_communes, vietnam_provinces
from clustering.estimators import AZPLocalSearch, SizeConstrainedKMeans, SpatialWard
from clustering.estimators.base import mixed_features, wcss_lower_bound
from clustering.islands import link_islands
from clustering.metrics import fairness_report
from clustering.plan import Plan
from clustering.rules import ClusterRules, diagnose, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet

from .memory import peak_memory_mb

TIME_RATIO_TARGET = 3.0


# -- data ------------------------------------------------------------------------
def mexico_unit_set() -> UnitSet | None:
    """Mexico's 32 states with per-capita GDP 1940-2000 and the GAL adjacency (libpysal)."""
    try:
        import libpysal
    except ImportError:
        return None
    folder = Path(libpysal.__file__).parent / "examples" / "mexico"
    import csv

    with open(folder / "mexico.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    years = [c for c in rows[0] if c.startswith("pcgdp")]
    units = [
        {"id": str(i), "name": row["State"],
         "indicators": {y: float(row[y]) for y in years}}
        for i, row in enumerate(rows)
    ]
    # GAL: a header line "n", then per unit "id count" and a line of neighbour ids.
    lines = (folder / "mexico.gal").read_text().split("\n")
    edges, pos = [], 1
    while pos + 1 < len(lines) and lines[pos].strip():
        uid, _ = lines[pos].split()
        edges += [(uid, v) for v in lines[pos + 1].split() if int(v) > int(uid)]
        pos += 2
    return UnitSet(units, edges, name="mexico-32", provenance=str(folder))


#: The Georgia counties' indicators (shares of the population, 1990).
GEORGIA_INDICATORS = ["PctRural", "PctBach", "PctEld", "PctFB", "PctPov", "PctBlack"]


def georgia_unit_set() -> UnitSet | None:
    """Georgia's 159 counties (1990) from libpysal's wheel: queen contiguity of the polygons.

    Centroids are the data's own ``Latitude``/``Longitud`` columns (the
    shapefile has no CRS to project with); population ``TotPop90`` is the weight.
    """
    try:
        import geopandas
        import libpysal
    except ImportError:
        return None
    folder = Path(libpysal.__file__).parent / "examples" / "georgia"
    gdf = geopandas.read_file(folder / "G_utm.shp")
    ids = gdf["AreaKey"].astype(str).tolist()
    queen = libpysal.weights.Queen.from_dataframe(gdf, use_index=False)
    edges = [(ids[i], ids[j]) for i, around in queen.neighbors.items() for j in around if i < j]
    units = [
        {"id": ids[i], "name": ids[i], "lat": float(row["Latitude"]),
         "lon": float(row["Longitud"]), "weight": float(row["TotPop90"]),
         "indicators": {"population": float(row["TotPop90"]),
                        **{c: float(row[c]) for c in GEORGIA_INDICATORS}}}
        for i, row in gdf.iterrows()
    ]
    return UnitSet(units, edges, name="georgia-159", provenance=str(folder / "G_utm.shp"))


def instances(quick: bool) -> list[tuple[str, UnitSet, list[str], ClusterRules]]:
    vn34, vn63 = vietnam_provinces(2025), vietnam_provinces(2024)
    econ = ["grdp_per_capita", "urban_pct"]
    out = [
        ("vietnam-34", vn34, econ, ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)),
    ]
    if not quick:
        out.append(
            ("vietnam-63", vn63, econ, ClusterRules(n_clusters=8, size=(7, 9), contiguous=True))
        )
    mexico = mexico_unit_set()
    if mexico is None:
        print("note: libpysal is not installed: the Mexico instance is skipped")
    else:
        years = [n for n in mexico.indicator_names if n.startswith("pcgdp")]
        out.insert(0, ("mexico-32", mexico, years,
                       ClusterRules(n_clusters=6, size=(4, 7), contiguous=True)))
    georgia = None if quick else georgia_unit_set()
    if georgia is not None:
        out.append(("georgia-159", georgia, GEORGIA_INDICATORS,
                    ClusterRules(n_clusters=10, size=(12, 20), contiguous=True)))
    return out


# -- methods -----------------------------------------------------------------------
def ours(unit_set, indicators, rules, seed):
    common = {"indicators": indicators, "random_state": seed}
    yield "ours: AZP (auto: best start)", True, lambda: AZPLocalSearch(
        rules.n_clusters, size=rules.size, contiguous=True, **common).fit(unit_set).plan_
    yield "ours: AZP (Ward start)", True, lambda: AZPLocalSearch(
        rules.n_clusters, init="ward", size=rules.size, contiguous=True, **common
    ).fit(unit_set).plan_
    yield "ours: AZP (k-means start)", True, lambda: AZPLocalSearch(
        rules.n_clusters, init="kmeans", size=rules.size, contiguous=True, **common
    ).fit(unit_set).plan_
    yield "ours: SizeConstrainedKMeans", False, lambda: SizeConstrainedKMeans(
        rules.n_clusters, size=rules.size, **common).fit(unit_set).plan_
    yield "ours: SpatialWard", False, lambda: SpatialWard(
        rules.n_clusters, **common).fit(unit_set).plan_


def spopt_inputs(unit_set, indicators):
    """``(frame, w, columns, module)`` for spopt's regionalisers, or ``None`` (printed note)
    when spopt or libpysal is not installed."""
    try:
        import pandas as pd
        import spopt.region as module
        from libpysal.weights import W
    except ImportError:
        print("note: spopt/libpysal are not installed: spopt peers skipped")
        return None
    import warnings

    import geopandas as gpd

    z = mixed_features(unit_set, indicators)
    columns = [f"z{j}" for j in range(z.shape[1])]
    frame = gpd.GeoDataFrame(pd.DataFrame(z, columns=columns).assign(one=1.0))
    index = {u: i for i, u in enumerate(unit_set.ids)}
    neighbours = {i: sorted(index[v] for v in unit_set.graph.neighbors(u))
                  for u, i in index.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(neighbours, silence_warnings=True)
    return frame, w, columns, module


def spopt_run(model, unit_set, seed):
    """A thunk solving the spopt ``model`` (seeded) and returning its plan."""
    import warnings

    def go():
        # spopt's heuristics draw from numpy's global RNG; seed it so that the
        # peers' figures are reproducible (our estimators never use it).
        np.random.seed(seed)  # noqa: NPY002 (the peer reads the legacy global RNG)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.solve()
        return Plan.from_labels(unit_set, np.asarray(model.labels_))
    return go


def peers(unit_set, indicators, rules, seed):
    k = rules.n_clusters
    low, high = rules.size
    try:
        from k_means_constrained import KMeansConstrained
    except ImportError:
        print("note: k-means-constrained is not installed: skipped")
    else:
        z = mixed_features(unit_set, indicators)
        yield "k-means-constrained", lambda: Plan.from_labels(
            unit_set, KMeansConstrained(k, size_min=low, size_max=high, random_state=seed)
            .fit_predict(z))
    inputs = spopt_inputs(unit_set, indicators)
    if inputs is None:
        return
    frame, w, columns, sr = inputs
    yield "spopt AZP", spopt_run(sr.AZP(frame, w, columns, n_clusters=k, random_state=seed),
                                 unit_set, seed)
    yield "spopt MaxP (floor=min size)", spopt_run(
        sr.MaxPHeuristic(frame, w, columns, "one", low, top_n=2), unit_set, seed)
    yield "spopt SKATER (floor=min size)", spopt_run(
        sr.Skater(frame, w, columns, n_clusters=k, floor=low), unit_set, seed)
    yield "spopt WardSpatial", spopt_run(sr.WardSpatial(frame, w, columns, n_clusters=k),
                                         unit_set, seed)


def measure(plan: Plan, indicators, rules, seconds) -> dict:
    report = fairness_report(plan, indicators=indicators, weight=False)
    violations = plan_violations(plan, rules)
    return {
        "R2": report.r2_overall,
        "clusters": plan.n_clusters,
        "pieces": sum(report.pieces.values()) - plan.n_clusters,
        "size_max_min": report.size_count.ratio,
        "violations": len(violations),
        "valid": not violations,
        "seconds": seconds,
    }


def timed(make):
    start = time.perf_counter()
    try:
        plan = make()
    except Exception as exc:  # a peer failing is a result, not a crash
        return None, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return plan, time.perf_counter() - start, None


def exact_bound(unit_set, indicators, rules, labels, limit=20_000):
    """Proven optimum/bound of Ward's criterion by the optimizer's enumerate-and-select model."""
    try:
        from optimizer.candidates import CandidateLimitExceeded, enumerate_candidates
        from optimizer.objectives import wcss_costs
        from optimizer.set_partition import build_set_partition, warm_start_vector
        from optimizer.solvers import solve
    except ImportError as exc:
        return {"note": f"optimizer not importable: {exc}"}
    try:
        count, cands = enumerate_candidates(
            len(unit_set), [(int(a), int(b)) for a, b in unit_set.edge_index_pairs()],
            rules.size, limit=limit,
        )
    except CandidateLimitExceeded:
        return {"note": f"more than {limit} candidate clusters: no bound computed"}
    z = mixed_features(unit_set, indicators)
    model = build_set_partition(cands, wcss_costs(cands, z), rules.n_clusters)
    sol = solve(model, time_limit=60, initial=warm_start_vector(cands, labels))
    return {"candidates": count, "status": sol.status, "objective": sol.objective,
            "bound": sol.bound, "seconds": sol.solve_time}


# -- part 1 ------------------------------------------------------------------------------
def compare(quick: bool, seed: int = 0) -> dict:
    results = {}
    for name, unit_set, indicators, rules in instances(quick):
        print(f"\n== {name}: {len(unit_set)} units, k={rules.n_clusters}, "
              f"size {rules.size}, contiguous; indicators {indicators}")
        problems = diagnose(unit_set, rules)
        if problems:
            print("   infeasible:", "; ".join(map(str, problems)))
            continue
        rows = {}
        for label, bounded, make in ours(unit_set, indicators, rules, seed):
            plan, seconds, error = timed(make)
            rows[label] = ({"error": error, "seconds": seconds} if plan is None
                           else measure(plan, indicators, rules, seconds))
            rows[label]["ours_for_rules"] = bounded
            if plan is not None and label == "ours: AZP (auto: best start)":
                best_plan = plan
        for label, make in peers(unit_set, indicators, rules, seed):
            plan, seconds, error = timed(make)
            rows[label] = ({"error": error, "seconds": seconds} if plan is None
                           else measure(plan, indicators, rules, seconds))
        print_rows(rows)
        verdict = target(rows)
        print("   target:", verdict["text"])
        bound = exact_bound(unit_set, indicators, rules, best_plan.labels)
        if "bound" in bound and bound["bound"] is not None:
            ours_obj = 1 - rows["ours: AZP (auto: best start)"]["R2"]
            total = len(indicators)  # the optimizer's WCSS is in units of z-score variance
            print(f"   exact model ({bound['candidates']} candidates, {bound['status']}, "
                  f"{bound['seconds']:.1f} s): bound on 1-R2 = {bound['bound']:.4f}; "
                  f"ours {ours_obj:.4f}; gap {ours_obj - bound['bound']:.4f}")
            bound["scale_note"] = f"features scaled so total inertia = 1 ({total} indicators)"
        else:
            print("   exact model:", bound.get("note", bound))
        results[name] = {"rows": rows, "target": verdict, "exact": bound}
    return results


def print_rows(rows: dict) -> None:
    """The table of methods: R2, clusters, extra pieces, size max/min, violations, time."""
    print(f"   {'method':32s} {'R2':>7s} {'k':>3s} {'pieces+':>7s} {'max/min':>7s} "
          f"{'viol':>4s} {'time s':>8s}")
    for label, r in rows.items():
        if "error" in r:
            print(f"   {label:32s} failed after {r['seconds']:.2f} s: {r['error'][:80]}")
            continue
        ratio = "-" if r["size_max_min"] is None else f"{r['size_max_min']:.2f}"
        print(f"   {label:32s} {r['R2']:7.4f} {r['clusters']:3d} {r['pieces']:7d} "
              f"{ratio:>7s} {r['violations']:4d} {r['seconds']:8.3f}")


def run_rows(makers, indicators, rules) -> dict:
    """Each ``(label, make)`` timed and measured under ``rules`` (failures kept as rows)."""
    rows = {}
    for label, make in makers:
        plan, seconds, error = timed(make)
        rows[label] = ({"error": error, "seconds": seconds} if plan is None
                       else measure(plan, indicators, rules, seconds))
    return rows


# -- part 1b: like-for-like settings ---------------------------------------------------
def like_for_like(quick: bool, seed: int = 0) -> dict:
    """Ours against each peer under the rules that peer itself enforces.

    Settings, per instance of part 1 (``k`` and the minimum size ``L`` of its rules):

    * contiguity only, ``k`` fixed: our AZP without bounds; spopt AZP, SKATER
      (no floor), WardSpatial;
    * contiguity and a floor of ``L`` members, ``k`` fixed: our AZP with
      ``size=(L, n)``; spopt SKATER with ``floor=L``;
    * contiguity and a floor, ``k`` free: spopt MaxP with threshold ``L``, then
      our AZP with ``size=(L, n)`` at the number of regions MaxP found;
    * count bounds without contiguity: our SizeConstrainedKMeans;
      k-means-constrained.

    Every plan is checked by :func:`~clustering.rules.plan_violations` under
    the setting's rules. Missing peers are skipped with a note.
    """
    return {name: _like_for_like_instance(name, unit_set, indicators, base, seed)
            for name, unit_set, indicators, base in instances(quick)}


def _like_for_like_instance(name, unit_set, indicators, base, seed) -> dict:
    """:func:`like_for_like` on one instance."""
    k, (low, high), n = base.n_clusters, base.size, len(unit_set)
    common = {"indicators": indicators, "random_state": seed}
    inputs = spopt_inputs(unit_set, indicators)
    sr = None if inputs is None else inputs[3]
    args = None if inputs is None else inputs[:3]
    settings = {}
    # contiguity only, k fixed
    makers = [("ours: AZP (contiguity only)", lambda: AZPLocalSearch(
        k, contiguous=True, **common).fit(unit_set).plan_)]
    if sr is not None:
        makers += [("spopt AZP", spopt_run(sr.AZP(*args, n_clusters=k, random_state=seed),
                                           unit_set, seed)),
                   ("spopt SKATER", spopt_run(sr.Skater(*args, n_clusters=k), unit_set, seed)),
                   ("spopt WardSpatial", spopt_run(sr.WardSpatial(*args, n_clusters=k),
                                                   unit_set, seed))]
    settings[f"contiguity, k={k}"] = (makers, ClusterRules(n_clusters=k, contiguous=True))
    # contiguity and a floor, k fixed
    makers = [(f"ours: AZP (size >= {low})", lambda: AZPLocalSearch(
        k, size=(low, n), contiguous=True, **common).fit(unit_set).plan_)]
    if sr is not None:
        makers.append((f"spopt SKATER (floor {low})", spopt_run(
            sr.Skater(*args, n_clusters=k, floor=low), unit_set, seed)))
    settings[f"contiguity + floor {low}, k={k}"] = (
        makers, ClusterRules(n_clusters=k, size=(low, n), contiguous=True))
    # count bounds, no contiguity
    makers = [("ours: SizeConstrainedKMeans", lambda: SizeConstrainedKMeans(
        k, size=(low, high), **common).fit(unit_set).plan_)]
    try:
        from k_means_constrained import KMeansConstrained
    except ImportError:
        print("note: k-means-constrained is not installed: skipped")
    else:
        z = mixed_features(unit_set, indicators)
        makers.append(("k-means-constrained", lambda: Plan.from_labels(
            unit_set, KMeansConstrained(k, size_min=low, size_max=high, random_state=seed)
            .fit_predict(z))))
    settings[f"size {low}-{high}, no contiguity, k={k}"] = (
        makers, ClusterRules(n_clusters=k, size=(low, high), contiguous=False))
    results = {}
    for label, (makers, rules) in settings.items():
        print(f"\n== {name}, like for like: {label}")
        results[label] = run_rows(makers, indicators, rules)
        print_rows(results[label])
    if sr is not None:  # k free: MaxP decides, ours follows at its k
        maxp, seconds, error = timed(spopt_run(sr.MaxPHeuristic(*args, "one", low, top_n=2),
                                               unit_set, seed))
        if maxp is not None:
            k_p = maxp.n_clusters
            rules = ClusterRules(n_clusters=k_p, size=(low, n), contiguous=True)
            label = f"contiguity + floor {low}, k free (MaxP found {k_p})"
            print(f"\n== {name}, like for like: {label}")
            rows = {f"spopt MaxP (threshold {low})": measure(maxp, indicators, rules,
                                                             seconds)}
            rows.update(run_rows([(f"ours: AZP (k={k_p}, size >= {low})",
                                   lambda k_p=k_p: AZPLocalSearch(
                                       k_p, size=(low, n), contiguous=True, **common)
                                   .fit(unit_set).plan_)], indicators, rules))
            print_rows(rows)
            results[label] = rows
        else:
            print(f"note: spopt MaxP failed: {error}")
    return results


def target(rows: dict) -> dict:
    ours_rows = [r for r in rows.values() if r.get("ours_for_rules") and "error" not in r]
    valid_peers = {k: r for k, r in rows.items()
                   if not k.startswith("ours") and "error" not in r and r["valid"]}
    all_valid = bool(ours_rows) and all(r["valid"] for r in ours_rows)
    if not valid_peers:
        return {"met": all_valid, "text": f"ours all valid: {all_valid}; no peer plan is "
                "both contiguous and within bounds, so R2/time are not compared"}
    best_label, best = max(valid_peers.items(), key=lambda kv: kv[1]["R2"])
    mine = rows.get("ours: AZP (auto: best start)")
    mine = mine if mine and "error" not in mine and mine["valid"] else None
    if mine is None:
        return {"met": False, "text": "no valid plan of ours"}
    r2_ok = mine["R2"] >= best["R2"] - 1e-9
    time_ratio = mine["seconds"] / max(best["seconds"], 1e-9)
    met = all_valid and r2_ok and time_ratio <= TIME_RATIO_TARGET
    return {"met": met, "best_valid_peer": best_label, "peer_R2": best["R2"],
            "our_R2": mine["R2"], "time_ratio": time_ratio,
            "text": (f"{'MET' if met else 'NOT MET'}: ours all valid={all_valid}; best valid "
                     f"peer {best_label} R2={best['R2']:.4f} vs ours {mine['R2']:.4f}; "
                     f"time ratio ours/peer = {time_ratio:.2f} (target <= {TIME_RATIO_TARGET})")}


# -- part 2 ------------------------------------------------------------------------------
def lower_bound(unit_set, indicators, geography, rules, log=()) -> float:
    """:func:`~clustering.estimators.base.wcss_lower_bound`, each unit's partners
    restricted to units a contiguous cluster of at most ``max`` members can reach."""
    x = mixed_features(unit_set, indicators, log=log, geography=geography)
    reach = rules.size[1] - 1
    hops = [
        np.array([unit_set.index(v) for v in
                  nx.single_source_shortest_path_length(unit_set.graph, u, cutoff=reach)])
        for u in unit_set.ids
    ]
    return wcss_lower_bound(x, rules.size, hops)


def scale_run(label: str, unit_set: UnitSet, rules: ClusterRules, indicators, geography,
              seed: int, log=()) -> dict:
    start = time.perf_counter()
    azp = AZPLocalSearch(rules.n_clusters, init="ward", size=rules.size, contiguous=True,
                         indicators=indicators, log=log, geography=geography, max_iter=0,
                         random_state=seed).fit(unit_set)
    seconds = time.perf_counter() - start
    # Peaks only grow: the peak so far bounds this run's peak from above.
    peak = peak_memory_mb()
    violations = plan_violations(azp.plan_, rules)
    report = fairness_report(azp.plan_, indicators=indicators, weight=False)
    sizes = list(azp.plan_.sizes().values())
    bound = lower_bound(unit_set, indicators, geography, rules, log)
    gap = (azp.objective_ - bound) / azp.objective_
    print(f"   {label}: {seconds:.1f} s, peak RSS so far {peak:.0f} MiB, "
          f"violations {len(violations)}, contiguous {report.contiguous}, sizes "
          f"{min(sizes)}-{max(sizes)}, start objective {azp.start_objective_:.4f} -> "
          f"{azp.objective_:.4f}, R2 {report.r2_overall:.4f}; "
          f"valid in < 60 s: {not violations and seconds < 60}")
    print(f"   lower bound on the objective (sizes + {rules.size[1] - 1}-border reach, "
          f"contiguity relaxed): {bound:.4f}; ours {azp.objective_:.4f}; "
          f"relative gap {gap:.1%}")
    return {"seconds": seconds, "peak_rss_so_far_mib": peak, "lower_bound": bound,
            "violations": len(violations), "objective": azp.objective_,
            "start_objective": azp.start_objective_, "R2": report.r2_overall}


def scale(quick: bool, seed: int = 0) -> dict:
    out = {}
    n, k = (400, 36) if quick else (3321, 300)
    rules = ClusterRules(n_clusters=k, size=(9, 13), contiguous=True)
    print(f"\n== scale: synthetic planar {n} units into {k} clusters of 9-13, contiguous")
    synthetic = planar_unit_set(n, seed=seed)
    out["synthetic"] = scale_run("AZP (Ward start)", synthetic, rules, ["x1", "x2", "x3"],
                                 0.5, seed)
    if quick:
        return out
    communes = vietnam_communes()
    print(f"\n== scale: the real {len(communes)} communes into {k} clusters of 9-13, contiguous")
    for problem in diagnose(communes, rules):
        print("   diagnosis on the raw borders:", str(problem)[:300])
    linked, links = link_islands(communes)
    print(f"   {len(links)} island component(s) linked to the nearest mainland commune: "
          + ", ".join(f"{communes[x.island].name}->{communes[x.mainland].name} "
                      f"({x.km:.0f} km)" for x in links[:6])
          + (" ..." if len(links) > 6 else ""))
    out["communes_island_links"] = len(links)
    out["communes"] = scale_run("AZP (Ward start), log area + geography", linked, rules,
                                ["area_km2_polygon"], 0.5, seed, log=("area_km2_polygon",))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test run")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", choices=("all", "compare", "like", "scale", "feasibility"),
                        default="all", help="which part to run (default: compare and scale)")
    args = parser.parse_args(argv)
    if args.out is not None and args.out.exists():
        print(f"error: {args.out} exists; choose another path", file=sys.stderr)
        return 2
    results = {}
    if args.case in ("all", "compare"):
        results["compare"] = compare(args.quick, args.seed)
    if args.case == "like":
        results["like_for_like"] = like_for_like(args.quick, args.seed)
    if args.case in ("all", "scale"):
        results["scale"] = scale(args.quick, args.seed)
    if args.case == "feasibility":
        from .bench_repair import feasibility

        print("\n== feasibility: repair on instances with a hidden balanced plan (±10 %)")
        results["feasibility"] = feasibility(args.quick, args.seed)
    rss = peak_memory_mb()
    print(f"\npeak resident memory of the whole run (this process plus its largest child): "
          f"{rss:.0f} MiB (target for scale: < 2048)")
    results["peak_rss_mib"] = rss
    results["cpu_count"] = os.cpu_count()
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
