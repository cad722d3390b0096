"""The feasible-plan sampler against brute force, the rules and itself (seeds, Ctrl-C)."""

from __future__ import annotations

import numpy as np
import pytest
from oracles import feasible_plans

from benchmarks.sampling import enumerate_plans, sample_plans
from clustering.datasets import vietnam_provinces
from clustering.errors import FairclustersError, InfeasibleError
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.units import UnitSet


def grid(rows: int, cols: int, weights=None, functions=None) -> UnitSet:
    ids = [f"g{r}{c}" for r in range(rows) for c in range(cols)]
    units = [
        {
            "id": uid,
            "name": uid.upper(),
            "weight": None if weights is None else weights[i],
            "function": None if functions is None else functions[i],
        }
        for i, uid in enumerate(ids)
    ]
    edges = [(f"g{r}{c}", f"g{r}{c + 1}") for r in range(rows) for c in range(cols - 1)]
    edges += [(f"g{r}{c}", f"g{r + 1}{c}") for r in range(rows - 1) for c in range(cols)]
    return UnitSet(units, edges, name=f"grid{rows}x{cols}")


RULES = [
    ClusterRules(n_clusters=3, size=(2, 4), contiguous=True),
    ClusterRules(n_clusters=3, size=(2, 3), contiguous=False),
    ClusterRules(n_clusters=2, contiguous=True, together=[["g00", "g12"]], apart=[["g01", "g11"]]),
    ClusterRules(n_clusters=3, size=(1, 3), contiguous=True, fixed={"g00": "A", "g02": "B"}),
    ClusterRules(n_clusters=3, contiguous=True, weight_bounds=(5.0, 9.0)),
    ClusterRules(n_clusters=3, contiguous=True, pure="function"),
]


@pytest.mark.parametrize("rules", RULES, ids=lambda r: str(r.model_dump(exclude_defaults=True)))
def test_enumeration_equals_brute_force(rules):
    units = grid(2, 3, weights=[1, 2, 3, 4, 5, 6],
                 functions=["a", "a", "b", "a", "b", "b"])
    truth = set(feasible_plans(units, rules))
    sample = enumerate_plans(units, rules)
    found = [tuple(int(x) for x in row) for row in sample.labels]
    assert sample.complete
    assert len(found) == len(set(found)) == sample.n_distinct  # each plan once
    assert set(found) == truth
    assert truth  # the instances are feasible, so the comparison means something


def test_enumeration_on_a_larger_grid_equals_brute_force():
    units = grid(3, 3)
    rules = ClusterRules(n_clusters=3, size=(2, 4), contiguous=True)
    truth = set(feasible_plans(units, rules))
    found = {tuple(map(int, row)) for row in enumerate_plans(units, rules).labels}
    assert found == truth and len(truth) > 20


def test_impossible_rules_are_explained_before_searching():
    with pytest.raises(InfeasibleError) as info:
        enumerate_plans(grid(2, 3), ClusterRules(n_clusters=2, size=(4, 5)))
    assert info.value.reason == "count"


def test_exhaustive_search_proves_infeasibility():
    # A path a-b-c-d cut into 2 contiguous clusters that must keep a and d apart is easy;
    # forcing a, d together with b, c apart and sizes 2 is impossible only by search.
    path = UnitSet([{"id": x, "name": x} for x in "abcd"], [("a", "b"), ("b", "c"), ("c", "d")])
    rules = ClusterRules(n_clusters=2, size=(2, 2), contiguous=True, together=[["a", "c"]])
    assert not feasible_plans(path, rules)
    with pytest.raises(InfeasibleError):
        enumerate_plans(path, rules)


def test_enumeration_limit_is_a_clear_error():
    units = grid(3, 3)
    with pytest.raises(FairclustersError, match="too many"):
        enumerate_plans(units, ClusterRules(n_clusters=3, size=(2, 4), contiguous=True), limit=5)


@pytest.fixture(scope="module")
def vn():
    return vietnam_provinces(2025)


VN_RULES = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)


def test_chain_returns_only_feasible_distinct_plans(vn):
    sample = sample_plans(vn, VN_RULES, 300, seed=2, enumerate_limit=10, count_limit=0)
    assert not sample.complete and sample.method == "recombination chain"
    rows = [tuple(map(int, r)) for r in sample.labels]
    assert len(set(rows)) == len(rows) == sample.n_distinct
    assert 1 < sample.n_distinct <= sample.steps + 1
    for plan in sample.plans(vn):
        assert plan_violations(plan, VN_RULES) == []
    # every plan visited is one of the enumerated feasible plans
    everything = {tuple(map(int, r)) for r in enumerate_plans(vn, VN_RULES).labels}
    assert set(rows) <= everything


def test_chain_respects_weight_bounds_and_together(vn):
    rules = ClusterRules.with_weight_tolerance(
        vn, 6, 0.2, contiguous=True, together=[["Hà Nội", "Hưng Yên"]]
    )
    sample = sample_plans(vn, rules, 200, seed=0, enumerate_limit=10, count_limit=0)
    assert sample.n_distinct > 1
    for plan in sample.plans(vn):
        assert plan_violations(plan, rules) == []
    everything = {tuple(map(int, r)) for r in enumerate_plans(vn, rules).labels}
    assert {tuple(map(int, r)) for r in sample.labels} <= everything


def test_enumeration_is_preferred_when_small(vn):
    sample = sample_plans(vn, VN_RULES, 10)
    assert sample.complete and sample.n_distinct == enumerate_plans(vn, VN_RULES).n_distinct


def test_same_seed_same_sample_and_other_seed_differs(vn):
    a = sample_plans(vn, VN_RULES, 200, seed=5, enumerate_limit=10, count_limit=0, n_chains=2)
    b = sample_plans(vn, VN_RULES, 200, seed=5, enumerate_limit=10, count_limit=0, n_chains=2)
    c = sample_plans(vn, VN_RULES, 200, seed=6, enumerate_limit=10, count_limit=0, n_chains=2)
    assert np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.labels, c.labels)


def test_parallel_chains_give_the_same_sample(vn):
    one = sample_plans(vn, VN_RULES, 120, seed=1, enumerate_limit=10, count_limit=0,
                       n_chains=2, n_jobs=1)
    two = sample_plans(vn, VN_RULES, 120, seed=1, enumerate_limit=10, count_limit=0,
                       n_chains=2, n_jobs=2)
    assert np.array_equal(one.labels, two.labels)


def test_ctrl_c_keeps_the_plans_found(vn):
    def interrupt(step: int) -> None:
        if step == 40:
            raise KeyboardInterrupt

    sample = sample_plans(vn, VN_RULES, 500, seed=3, enumerate_limit=10, count_limit=0,
                          on_step=interrupt)
    assert sample.interrupted and sample.steps == 39
    assert sample.n_distinct > 1
    for plan in sample.plans(vn):
        assert plan_violations(plan, VN_RULES) == []


def test_start_plan_must_follow_the_rules(vn):
    regions = Plan.from_attribute(vn, "region_majority")
    with pytest.raises(FairclustersError, match="start plan breaks"):
        sample_plans(vn, VN_RULES, 10, start=regions, enumerate_limit=10, count_limit=0)


@pytest.mark.slow
def test_chain_starts_on_the_63_provinces_with_tight_count_bounds():
    old = vietnam_provinces(2024)
    rules = ClusterRules(n_clusters=8, size=(7, 9), contiguous=True)
    sample = sample_plans(old, rules, 300, seed=0, enumerate_limit=1_000, count_limit=0)
    assert not sample.complete and sample.n_distinct > 100
    for plan in sample.plans(old)[::25]:
        assert plan_violations(plan, rules) == []


@pytest.mark.parametrize("rules", RULES, ids=lambda r: str(r.model_dump(exclude_defaults=True)))
def test_spanning_tree_moves_keep_every_rule(rules, monkeypatch):
    import benchmarks.sampling as sampling

    monkeypatch.setattr(sampling, "ENUMERATED_SPLIT_MAX", 0)  # every move cuts a random tree
    units = grid(2, 3, weights=[1, 2, 3, 4, 5, 6], functions=["a", "a", "b", "a", "b", "b"])
    truth = set(feasible_plans(units, rules))
    sample = sample_plans(units, rules, 300, seed=4, enumerate_limit=0, count_limit=0)
    found = {tuple(map(int, row)) for row in sample.labels}
    assert not sample.complete and found <= truth
    if len(truth) > 1 and rules.n_clusters == 2:
        assert len(found) > 1  # with two clusters every move can reach a new plan


def test_spanning_tree_chain_on_the_provinces(vn, monkeypatch):
    import benchmarks.sampling as sampling

    monkeypatch.setattr(sampling, "ENUMERATED_SPLIT_MAX", 0)
    sample = sample_plans(vn, VN_RULES, 300, seed=0, enumerate_limit=10, count_limit=0)
    everything = {tuple(map(int, r)) for r in enumerate_plans(vn, VN_RULES).labels}
    found = {tuple(map(int, r)) for r in sample.labels}
    assert found <= everything and len(found) > 50
