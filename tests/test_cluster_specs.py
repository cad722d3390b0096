"""Rules per cluster (ClusterSpec) and soft purity: checked by the rules, exact in the
optimizer (brute force agrees), refused clearly where not modelled."""

from __future__ import annotations

import itertools
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from oracles import label_vectors, pmedian_cost

from clustering.datasets import vietnam_provinces
from clustering.errors import FairclustersError, ParameterError, UnknownNameError
from clustering.plan import Plan
from clustering.rules import ClusterRules, ClusterSpec, diagnose, plan_violations, split_closed
from clustering.units import UnitSet
from optimizer import optimize
from optimizer.candidates import rule_candidates


def grid(rows: int = 2, cols: int = 4, seed: int = 0) -> UnitSet:
    """A rows x cols grid; kinds alternate by column pairs ('a' then 'b')."""
    rng = np.random.default_rng(seed)
    units = [{"id": f"u{r}{c}", "name": f"U{r}{c}", "lat": 10.0 + r, "lon": 106.0 + c,
              "kind": "a" if (c + r * cols) % 3 else "b", "weight": float(rng.integers(1, 10)),
              "indicators": {"x": float(rng.normal()), "y": float(rng.normal())}}
             for r in range(rows) for c in range(cols)]
    edges = [(f"u{r}{c}", f"u{r}{c + 1}") for r in range(rows) for c in range(cols - 1)]
    edges += [(f"u{r}{c}", f"u{r + 1}{c}") for r in range(rows - 1) for c in range(cols)]
    return UnitSet(units, edges)


def dissimilarity(units: UnitSet) -> np.ndarray:
    x = np.array([[u.indicators["x"], u.indicators["y"]] for u in units])
    return np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))


def blocks(labels) -> list[list[int]]:
    labels = np.asarray(labels)
    return [np.flatnonzero(labels == c).tolist() for c in np.unique(labels)]


def connected(units: UnitSet, block) -> bool:
    return nx.is_connected(units.graph.subgraph([units.ids[i] for i in block]))


# -- a closed cluster exempt from contiguity, the rest optimal -------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_closed_noncontiguous_cluster_and_rest_equal_brute_force(seed, method):
    units = grid(seed=seed)
    d = dissimilarity(units)
    closed = ["u00", "u13"]  # opposite corners: not contiguous
    rules = ClusterRules(n_clusters=3, size=(3, 3), contiguous=True, clusters={
        "Đô thị": ClusterSpec(members=closed, contiguous=False, size=(2, 2))})
    result = optimize(units, rules, dissimilarity=d, method=method, solver="highs")
    assert result.status == "optimal"
    assert result.plan.clusters["Đô thị"] == closed
    # brute force, independent of the library: every 3-block partition
    target = {units.index(u) for u in closed}
    best = None
    for labels in label_vectors(len(units), 3):
        parts = blocks(labels)
        if not any(set(b) == target for b in parts):
            continue
        rest = [b for b in parts if set(b) != target]
        if all(len(b) == 3 and connected(units, b) for b in rest):
            cost = pmedian_cost(parts, d)
            best = cost if best is None else min(best, cost)
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert pmedian_cost(blocks(result.plan.labels), d) == pytest.approx(best, abs=1e-6)
    assert plan_violations(result.plan, rules) == []


def test_violations_apply_each_cluster_its_own_rules():
    units = grid()
    rules = ClusterRules(n_clusters=2, size=(6, 6), contiguous=True, clusters={
        "X": ClusterSpec(members=["u00", "u13"], contiguous=False, size=(2, 2))})
    good = Plan(units, {"X": ["u00", "u13"], "Y": [u for u in units.ids if u not in
                                                   ("u00", "u13")]})
    assert plan_violations(good, rules) == []
    # the same shapes swapped: the spec's size binds X, the plan-wide size binds the other
    bigger = Plan(units, {"X": ["u00", "u13", "u01"], "Y": ["u02", "u03", "u10", "u11",
                                                            "u12"]})
    reasons = sorted((v.reason, v.cluster) for v in plan_violations(bigger, rules))
    assert ("count", "X") in reasons and ("count", "Y") in reasons
    assert ("fixed", "X") in reasons  # the closed cluster holds an extra unit
    assert ("contiguity", "X") not in reasons  # exempt
    split = Plan(units, {"X": ["u00", "u01"], "Y": [u for u in units.ids
                                                    if u not in ("u00", "u01")]})
    assert any(v.reason == "fixed" for v in plan_violations(split, rules))  # u13 not with u00


def test_per_cluster_weight_bounds_are_checked():
    units = grid()
    w = {u.id: u.weight for u in units}
    members = ["u00", "u13"]
    total = w["u00"] + w["u13"]
    rules = ClusterRules(n_clusters=2, contiguous=False, clusters={
        "X": ClusterSpec(members=members, weight_bounds=(total + 1, total + 5))})
    plan = Plan(units, {"X": members, "Y": [u for u in units.ids if u not in members]})
    assert [(v.reason, v.cluster) for v in plan_violations(plan, rules)] == [("weight", "X")]


def test_split_closed_takes_the_cluster_out_and_checks_it():
    units = grid()
    rules = ClusterRules(n_clusters=3, size=(3, 3), together=[["u00", "u01"]], clusters={
        "X": ClusterSpec(members=["u00", "u13"], contiguous=False, size=(2, 2))})
    split = split_closed(units, rules)
    assert [p.reason for p in split.problems] == ["together"]  # u01 cannot join closed X
    assert [p.reason for p in diagnose(units, rules)] == ["together"]
    ok = split_closed(units, rules.model_copy(update={"together": ()}))
    assert ok.problems == [] and ok.rest_rules.n_clusters == 2 and len(ok.rest_units) == 6


# -- validation: before any solving --------------------------------------------------------


def test_a_cluster_declared_twice_is_refused():
    with pytest.raises(ParameterError, match="declared twice"):
        ClusterRules(n_clusters=3, clusters={"Đô thị": ClusterSpec(members=["u00"]),
                                             "Do thi": ClusterSpec(members=["u01"])})


def test_a_unit_fixed_to_two_clusters_is_refused():
    units = grid()
    with pytest.raises(FairclustersError, match="fixed to two clusters, 'X' and 'Y'"):
        ClusterRules(n_clusters=3, clusters={"X": ClusterSpec(members=["u00"]),
                                             "Y": ClusterSpec(members=["U00"])}).resolved(units)
    with pytest.raises(FairclustersError, match="fixed to two clusters"):
        ClusterRules(n_clusters=3, fixed={"u00": "Z"},
                     clusters={"X": ClusterSpec(members=["u00"])}).resolved(units)
    with pytest.raises(FairclustersError, match="fixed to two clusters"):
        ClusterRules(n_clusters=3, fixed={"u00": "A", "U00": "B"}).resolved(units)


def test_an_unknown_unit_is_named_with_close_names():
    units = vietnam_provinces(2025)
    with pytest.raises(UnknownNameError, match=r"cluster 'X'.*'Ha Nol'.*closest names: 'Hà Nội'"):
        ClusterRules(n_clusters=2, clusters={"X": ClusterSpec(members=["Ha Nol"])}).resolved(
            units)
    with pytest.raises(UnknownNameError, match=r"together.*'Hue Yen'.*'Hưng Yên'"):
        ClusterRules(n_clusters=2, together=[["Huế", "Hue Yen"]]).resolved(units)


def test_what_the_optimizer_does_not_model_is_refused():
    units = grid()
    open_spec = ClusterRules(n_clusters=2, clusters={
        "X": ClusterSpec(members=["u00"], closed=False, size=(2, 2))})
    with pytest.raises(FairclustersError, match=r"open .* rules of their own"):
        optimize(units, open_spec, solver="highs")
    closed = ClusterRules(n_clusters=2, contiguous=False, clusters={
        "X": ClusterSpec(members=["u00", "u13"])})
    with pytest.raises(FairclustersError, match="exact only for sums of per-cluster costs"):
        optimize(units, closed, objective="balance", solver="highs")


def test_open_spec_without_rules_of_its_own_is_a_fixed_label():
    units = grid()
    rules = ClusterRules(n_clusters=2, size=(4, 4), clusters={
        "X": ClusterSpec(members=["u00", "u01"], closed=False)})
    result = optimize(units, rules, dissimilarity=dissimilarity(units), solver="highs")
    assert result.status == "optimal"
    assert {"u00", "u01"} <= set(result.plan.clusters["X"])
    assert plan_violations(result.plan, rules) == []


# -- soft purity --------------------------------------------------------------------------


def naive_impure(kinds: list[str]) -> int:
    return len(kinds) - max(Counter(kinds).values())


@pytest.mark.parametrize("max_impure", [0, 1, 2])
def test_soft_purity_violations_match_a_naive_count(max_impure):
    units = grid()
    kinds = [u.kind for u in units]
    rules = ClusterRules(n_clusters=2, contiguous=False, pure="kind", max_impure=max_impure)
    for labels in itertools.islice(label_vectors(len(units), 2), 0, None, 3):
        plan = Plan.from_labels(units, labels)
        expected = {f"C{k + 1}" for k, b in enumerate(blocks_in_order(labels))
                    if naive_impure([kinds[i] for i in b]) > max_impure}
        found = {v.cluster for v in plan_violations(plan, rules) if v.reason == "purity"}
        assert found == expected, labels


def blocks_in_order(labels) -> list[list[int]]:
    """Blocks numbered by first appearance (as Plan.from_labels names C1, C2...)."""
    order = list(dict.fromkeys(labels))
    return [[i for i, lab in enumerate(labels) if lab == value] for value in order]


def test_soft_purity_filters_the_candidates_like_a_naive_count():
    units = grid()
    kinds = [u.kind for u in units]
    rules = ClusterRules(n_clusters=3, size=(2, 4), pure="kind", max_impure=1)
    count, cands = rule_candidates(rules.compile(units))
    found = {tuple(cands.members(c).tolist()) for c in range(count)}
    everything = ClusterRules(n_clusters=3, size=(2, 4)).compile(units)
    _, all_cands = rule_candidates(everything)
    expected = {tuple(all_cands.members(c).tolist()) for c in range(len(all_cands))
                if naive_impure([kinds[i] for i in all_cands.members(c)]) <= 1}
    assert found == expected and len(found) < len(all_cands)


@pytest.mark.parametrize("seed", [0, 1])
def test_soft_purity_optimum_equals_brute_force(seed):
    units = grid(seed=seed)
    kinds = [u.kind for u in units]
    d = dissimilarity(units)
    rules = ClusterRules(n_clusters=3, size=(2, 4), pure="kind", max_impure=1)
    result = optimize(units, rules, dissimilarity=d, solver="highs")
    assert result.method == "enumerate"
    partitions = [blocks(labels) for labels in label_vectors(len(units), 3)]
    best = min(pmedian_cost(parts, d) for parts in partitions
               if all(2 <= len(b) <= 4 and connected(units, b)
                      and naive_impure([kinds[i] for i in b]) <= 1 for b in parts))
    assert result.status == "optimal" and result.objective == pytest.approx(best, abs=1e-6)
    # the assignment model: an exact answer (its relaxation's plan follows the rule) or a refusal
    try:
        relaxed = optimize(units, rules, dissimilarity=d, solver="highs", method="assignment")
    except FairclustersError as exc:
        assert "not modelled by the assignment model" in str(exc)
    else:
        assert relaxed.objective == pytest.approx(best, abs=1e-6)
        assert plan_violations(relaxed.plan, rules) == []


def test_max_impure_needs_a_category():
    with pytest.raises(ParameterError, match="max_impure=1 needs pure"):
        ClusterRules(n_clusters=2, max_impure=1)


# -- the benchmark's plan sampler and heuristic under a closed cluster -------------------


@pytest.mark.parametrize("size", [(2, 3), (1, 4)])
def test_sampler_lists_exactly_the_plans_with_the_closed_cluster(size):
    from benchmarks.sampling import sample_plans

    units = grid(rows=3, cols=3)
    closed = ["u00", "u22"]  # opposite corners: not contiguous
    rules = ClusterRules(n_clusters=4, size=size, contiguous=True, clusters={
        "Đô thị": ClusterSpec(members=closed, contiguous=False, size=(2, 2))})
    target = {units.index(u) for u in closed}
    expected = set()  # brute force, independent of the library
    for labels in label_vectors(len(units), 4):
        parts = blocks(labels)
        rest = [b for b in parts if set(b) != target]
        if len(rest) == 3 and all(size[0] <= len(b) <= size[1] and connected(units, b)
                                  for b in rest):
            expected.add(frozenset(frozenset(b) for b in parts))
    sample = sample_plans(units, rules, n_steps=10)
    found = {frozenset(frozenset(b) for b in blocks(row)) for row in sample.labels}
    assert sample.complete and found == expected and len(expected) > 1
    assert all(not plan_violations(Plan.from_labels(units, row), rules) for row in sample.labels)


def test_the_main_job_ranks_plans_under_a_closed_cities_cluster(tmp_path):
    import json

    from benchmarks.__main__ import main

    cities = "Hà Nội,Hải Phòng,Đà Nẵng,Hồ Chí Minh,Cần Thơ,Huế"
    out = tmp_path / "r"
    assert main(["--fixed", f"Đô thị={cities}", "--exempt", "Đô thị", "--clusters", "6",
                 "--size", "4", "7", "--out", str(out), "--samples", "50"]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["sample"]["complete"]
    for plan in data["plans"]:
        if plan["role"] in ("heuristic", "optimum"):
            assert plan["comparable"], plan["name"]
