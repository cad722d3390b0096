"""The flow repair of AZPLocalSearch: plans found where the legacy repair failed, rules kept,
failures explained bound by bound, seeded."""

import time

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench_repair import balanced_instance
from clustering.bitsets import bits
from clustering.errors import InfeasibleError, ParameterError
from clustering.estimators import AZPLocalSearch
from clustering.estimators import local_search as local_search_module
from clustering.estimators.repair import RepairError, tree_partition
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet

FEATURES = {"indicators": ["x1", "x2", "x3"], "geography": 0.5}


def repair_only(k, repair="flow", **kwargs):
    return AZPLocalSearch(k, init="ward", improve=False, repair=repair, random_state=0,
                          **FEATURES, **kwargs)


# Instances (balanced by construction: a hidden contiguous plan within ±3 % of the
# ideal population) on which the legacy repair raises from the Ward start.
LEGACY_WEIGHT_FAILURES = [(150, 15, 0.05, 1), (80, 8, 0.05, 12), (120, 12, 0.05, 27),
                          (150, 15, 0.05, 19)]


@pytest.mark.parametrize(("n", "k", "tolerance", "seed"), LEGACY_WEIGHT_FAILURES)
def test_flow_repair_finds_a_plan_where_the_legacy_repair_fails(n, k, tolerance, seed):
    s, _, hidden = balanced_instance(n, k, seed)
    rules = ClusterRules.with_weight_tolerance(s, k, tolerance, contiguous=True)
    assert plan_violations(Plan.from_labels(s, hidden), rules) == []  # a plan exists
    with pytest.raises(InfeasibleError, match="cannot repair"):
        repair_only(k, "legacy", weight_bounds=rules.weight_bounds).fit(s)
    start = time.perf_counter()
    azp = repair_only(k, weight_bounds=rules.weight_bounds).fit(s)
    assert time.perf_counter() - start < 3
    assert plan_violations(azp.plan_, rules) == []
    assert azp.violations_ == [] and azp.repaired_


@pytest.mark.parametrize(("n", "seed", "k"), [(159, 0, 15), (300, 2, 30)])
def test_reproductions_on_raw_planar_sets(n, seed, k):
    # issue 17's reproductions on raw planar sets, population within ±5 %: the legacy repair
    # stops with one cluster a few dozen people over the maximum
    s = planar_unit_set(n, seed=seed)
    rules = ClusterRules.with_weight_tolerance(s, k, 0.05, contiguous=True)
    with pytest.raises(InfeasibleError, match="outside"):
        AZPLocalSearch(k, init="ward", weight_bounds=rules.weight_bounds, improve=False,
                       repair="legacy").fit(s)
    azp = AZPLocalSearch(k, init="ward", weight_bounds=rules.weight_bounds, improve=False,
                         random_state=0).fit(s)
    assert plan_violations(azp.plan_, rules) == []


@pytest.mark.parametrize(("seed", "n", "k", "size"), [(22, 100, 10, (10, 10)),
                                                      (22, 100, 10, (9, 10)),
                                                      (15, 100, 10, (10, 10))])
def test_flow_repair_meets_tight_count_bounds_where_the_legacy_repair_fails(seed, n, k, size):
    s = planar_unit_set(n, seed=seed)
    rules = ClusterRules(n_clusters=k, size=size, contiguous=True)
    with pytest.raises(InfeasibleError):
        AZPLocalSearch(k, init="ward", size=size, improve=False, repair="legacy").fit(s)
    azp = AZPLocalSearch(k, init="ward", size=size, improve=False, random_state=0).fit(s)
    assert plan_violations(azp.plan_, rules) == []


# 20 planar units into 6 clusters within ±5 %: the legacy repair fails on each from the
# Ward start, yet a valid plan exists: the one found below, checked by plan_violations
# (the exact optimizer, optimize(method="assignment"), also found plans for these
# seeds; for seed 4 only within 60 s).
CERTIFIED_TINY = [4, 10, 14, 36]


@pytest.mark.parametrize("seed", CERTIFIED_TINY)
def test_restarts_find_the_plan_of_tiny_certified_instances(seed):
    s = planar_unit_set(20, seed=seed)
    rules = ClusterRules.with_weight_tolerance(s, 6, 0.05, contiguous=True)
    with pytest.raises(InfeasibleError):
        AZPLocalSearch(6, init="ward", weight_bounds=rules.weight_bounds, improve=False,
                       repair="legacy").fit(s)
    azp = AZPLocalSearch(6, init="ward", weight_bounds=rules.weight_bounds, improve=False,
                         random_state=0).fit(s)
    assert plan_violations(azp.plan_, rules) == [] and azp.n_restarts_ >= 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(20, 70), k=st.integers(2, 6), seed=st.integers(0, 10_000),
       tolerance=st.sampled_from([0.05, 0.1, 0.2]), improve=st.booleans())
def test_every_plan_returned_keeps_the_rules(n, k, seed, tolerance, improve):
    s = planar_unit_set(n, seed=seed)
    rules = ClusterRules.with_weight_tolerance(s, k, tolerance, contiguous=True)
    try:
        azp = AZPLocalSearch(k, weight_bounds=rules.weight_bounds, improve=improve,
                             max_iter=3, random_state=seed).fit(s)
    except RepairError as exc:  # allowed only with the reasons spelled out
        assert exc.shortfalls and "binds" in str(exc)
        return
    except InfeasibleError as exc:  # proven impossible before any search (check_feasible)
        assert exc.reason != "repair"
        return
    assert plan_violations(azp.plan_, rules) == []
    compiled = rules.compile(s)
    assert compiled.violations(azp.labels_) == []


def star():
    """Centre 0 (weight 1) and four leaves (weight 2) into two clusters weighing 4-5.

    The totals allow it (9 = 4 + 5), but a cluster without the centre is one leaf
    (weight 2): no contiguous plan exists; brute force confirms it below.
    """
    units = [{"id": str(i), "name": str(i), "weight": 1.0 if i == 0 else 2.0,
              "indicators": {"x": float(i)}} for i in range(5)]
    return UnitSet(units, [("0", str(i)) for i in range(1, 5)])


def test_failure_names_the_binding_bound_and_by_how_much():
    s = star()
    rules = ClusterRules(n_clusters=2, weight_bounds=(4.0, 5.0), contiguous=True)
    graph = s.graph
    feasible = [
        part for r in range(1, 5) for part in __import__("itertools").combinations(s.ids, r)
        if nx.is_connected(graph.subgraph(part))
        and nx.is_connected(graph.subgraph(set(s.ids) - set(part)))
        and 4 <= sum(s[u].weight for u in part) <= 5
        and 4 <= sum(s[u].weight for u in set(s.ids) - set(part)) <= 5
    ]
    assert feasible == []
    with pytest.raises(RepairError) as info:
        AZPLocalSearch(2, weight_bounds=rules.weight_bounds, max_restarts=3,
                       random_state=0).fit(s)
    error = info.value
    assert isinstance(error, InfeasibleError) and error.reason == "repair"
    message = str(error)
    assert "no start could be repaired" not in message
    assert "weight minimum 4 binds" in message and "2 below the weight minimum 4" in message
    (shortfall,) = [x for x in error.shortfalls if x.bound == "weight minimum"]
    assert (shortfall.value, shortfall.limit, shortfall.by) == (2.0, 4.0, 2.0)
    # its only neighbour holds the rest (weight 7): 3 above the minimum, but giving any
    # of it would cut the cluster (the centre is the only link)
    assert [amount for _, amount in shortfall.spare] == [3.0]


def test_time_limit_reports_the_shortfalls_too():
    s = star()
    with pytest.raises(RepairError) as info:
        AZPLocalSearch(2, weight_bounds=(4.0, 5.0), time_limit=1e-9, random_state=0).fit(s)
    assert info.value.reason == "time_limit" and info.value.shortfalls


def test_seeded_including_restarts():
    s, rules, _ = balanced_instance(150, 15, 19)
    rules = ClusterRules.with_weight_tolerance(s, 15, 0.05, contiguous=True)
    runs = [AZPLocalSearch(15, init="ward", weight_bounds=rules.weight_bounds, random_state=3,
                           max_iter=5, **FEATURES).fit(s) for _ in range(2)]
    assert runs[0].n_restarts_ >= 1  # the restarts' spanning trees are seeded too
    assert runs[0].labels_.tolist() == runs[1].labels_.tolist()
    assert runs[0].objective_ == runs[1].objective_
    assert runs[0].n_restarts_ == runs[1].n_restarts_
    assert plan_violations(runs[0].plan_, rules) == []


def test_fit_leaves_parameters_alone():
    s, rules, _ = balanced_instance(80, 8, 12)
    azp = repair_only(8, weight_bounds=rules.weight_bounds)
    before = azp.get_params()
    azp.fit(s)
    assert azp.get_params() == before


@pytest.mark.parametrize(("name", "value"), [("repair", "magic"), ("max_restarts", -1),
                                             ("max_restarts", 1.5)])
def test_parameters_are_validated(name, value):
    with pytest.raises(ParameterError, match=name):
        AZPLocalSearch(2, **{name: value}).fit(planar_unit_set(10, seed=0))


def test_auto_uses_the_ward_start_alone_on_large_sets(monkeypatch):
    monkeypatch.setattr(local_search_module, "AUTO_KMEANS_MAX_UNITS", 50)
    s = planar_unit_set(60, seed=1)
    azp = AZPLocalSearch(5, size=(10, 14), max_iter=0, random_state=0).fit(s)
    assert azp.init_used_ == "ward"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(12, 60), k=st.integers(2, 6), seed=st.integers(0, 10_000))
def test_tree_partitions_are_connected_and_within_bounds(n, k, seed):
    s = planar_unit_set(n, seed=seed)
    rules = ClusterRules.with_weight_tolerance(s, k, 0.2, contiguous=True).compile(s)
    everyone = (1 << n) - 1
    parts = tree_partition(rules, everyone, k, np.random.default_rng(seed))
    if parts is None:  # allowed: the heuristic may miss; best effort never does
        parts = tree_partition(rules, everyone, k, np.random.default_rng(seed),
                               best_effort=True)
        assert parts is not None and len(parts) == k
        assert all(rules.mask_connected(p) for p in parts)
        return
    assert len(parts) == k and sum(p.bit_count() for p in parts) == n
    assert all(rules.cluster_ok(p) for p in parts)
    labels = np.empty(n, dtype=int)
    for c, p in enumerate(parts):
        labels[bits(p)] = c
    assert rules.violations(labels) == []


def test_feasibility_benchmark_quick_run(tmp_path, capsys):
    from benchmarks import bench_repair

    out = tmp_path / "repair.json"
    assert bench_repair.main(["--quick", "--out", str(out)]) == 0
    import json

    results = json.loads(out.read_text())
    assert results["found_flow"] == len(results["rows"]) == 5 and results["met"]
    assert "legacy repair:" in capsys.readouterr().out
    assert bench_repair.main(["--quick", "--out", str(out)]) == 2  # never overwrites


def test_like_for_like_benchmark_runs_ours_and_skips_missing_peers(capsys):
    from benchmarks import bench_heuristics

    results = bench_heuristics.like_for_like(quick=True)
    printed = capsys.readouterr().out
    for per_setting in results.values():
        for rows in per_setting.values():
            for label, row in rows.items():
                if label.startswith("ours"):
                    assert row["valid"], label
    assert "like for like: contiguity" in printed
