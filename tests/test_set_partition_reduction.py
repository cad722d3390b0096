"""The large-pool path of enumerate-and-select, against brute force and against itself.

Reduced-cost fixing, the column filter (units outside a candidate must still
form the other clusters) checked after it, and the fallback plan when the
cheapest columns hold none. ``DIRECT_POOL`` is lowered so that small
instances, whose optimum brute force knows, take the path of large pools.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from oracles import brute_force_optimum, feasible_plans
from scipy.optimize import linprog

import optimizer.set_partition as set_partition
from clustering.datasets import vietnam_provinces
from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from optimizer import optimize
from optimizer.candidates import rule_candidates, splittable_rest
from optimizer.objectives import default_dissimilarity
from optimizer.relaxation import LinearRelaxation
from optimizer.set_partition import (
    build_set_partition,
    lp_by_column_generation,
    solve_set_partition,
    warm_start_vector,
)


def small_instance(n: int, seed: int):
    units = planar_unit_set(n, seed=seed)
    d = np.random.default_rng(seed).random((n, n))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0.0)
    return units, d


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_large_pool_path_finds_the_brute_force_optimum(monkeypatch, solver, seed):
    monkeypatch.setattr(set_partition, "DIRECT_POOL", 0)
    monkeypatch.setattr(set_partition, "_INCUMBENT_POOL", 6)  # a pool that may hold no plan
    units, d = small_instance(10, seed)
    best = brute_force_optimum(units, 3, d=d, size=(2, 5))
    result = optimize(units, 3, size=(2, 5), dissimilarity=d, method="enumerate",
                      solver=solver)
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best.value, abs=1e-9)
    assert result.details["filtered"] <= result.details["kept"] <= result.details["pool"]


@pytest.mark.parametrize("master", ["highspy", "linprog"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_column_generation_prices_every_plan_exactly(monkeypatch, master, seed):
    # Every plan costs the LP value plus its columns' reduced costs (strong duality),
    # which is what makes the fixing exact; the LP value is the full LP's.
    if master == "linprog":  # as without the highs extra
        monkeypatch.setattr(set_partition, "LinearRelaxation",
                            partial(LinearRelaxation, engine="scipy"))
    monkeypatch.setattr(set_partition, "_PRICED_PER_ROUND", 2)  # many rounds, one model
    units, _ = small_instance(8, seed)
    rules = ClusterRules(n_clusters=3, size=(2, 4), contiguous=True)
    _, cands = rule_candidates(rules.compile(units))
    costs = np.random.default_rng(seed).random(len(cands))
    value, reduced = lp_by_column_generation(cands, costs, 3)
    model = build_set_partition(cands, costs, 3)
    full = linprog(costs, A_eq=model.A, b_eq=model.row_lower, bounds=(0, None), method="highs")
    assert value == pytest.approx(full.fun, abs=1e-9)
    assert reduced.min() >= 0.0
    index = {tuple(cands.members(c).tolist()): c for c in range(len(cands))}
    plans = feasible_plans(units, rules)
    assert len(plans) > 10
    for labels in plans:
        labels = np.asarray(labels)
        columns = [index[tuple(np.flatnonzero(labels == k).tolist())] for k in range(3)]
        assert costs[columns].sum() == pytest.approx(value + reduced[columns].sum(), abs=1e-7)


def test_filter_runs_only_on_the_columns_fixing_kept():
    units = vietnam_provinces(2024)
    compiled = ClusterRules(n_clusters=8, size=(7, 9), contiguous=True).compile(units)
    _, cands = rule_candidates(compiled)
    d = default_dissimilarity(units)
    costs = np.array([d[np.ix_(m, m)].sum(axis=0).min()
                      for m in (cands.members(c) for c in range(len(cands)))])
    seen = []

    def splittable(kept):
        seen.append(len(kept))
        return splittable_rest(compiled, kept)

    after, _, details = solve_set_partition(cands, costs, 8, solver="highs",
                                            column_filter=splittable)
    first = cands.take(np.flatnonzero(splittable_rest(compiled, cands)))
    before, _, _ = solve_set_partition(first, costs[np.flatnonzero(
        splittable_rest(compiled, cands))], 8, solver="highs")
    assert after.status == before.status == "optimal"
    assert after.objective == pytest.approx(before.objective, rel=1e-9)
    # 287,411 candidates; the fixing keeps a few percent, and only those are checked.
    assert max(seen) == details["kept"] < len(cands) // 10


def test_a_filter_that_keeps_nothing_proves_infeasible_without_a_solver():
    units, _ = small_instance(8, 0)
    compiled = ClusterRules(n_clusters=2, size=(4, 4), contiguous=True).compile(units)
    _, cands = rule_candidates(compiled)
    solution, labels, details = solve_set_partition(
        cands, np.ones(len(cands)), 2, solver="highs",
        column_filter=lambda kept: np.zeros(len(kept), dtype=bool))
    assert (solution.status, solution.solver, labels) == ("infeasible", "enumeration", None)
    assert details["filtered"] == 0


def test_fallback_gives_the_plan_when_the_cheapest_columns_hold_none(monkeypatch):
    monkeypatch.setattr(set_partition, "DIRECT_POOL", 0)
    monkeypatch.setattr(set_partition, "_INCUMBENT_POOL", 1)  # one column is never a plan
    units, d = small_instance(9, 4)
    compiled = ClusterRules(n_clusters=3, size=(3, 3), contiguous=True).compile(units)
    _, cands = rule_candidates(compiled)
    costs = np.array([d[np.ix_(m, m)].sum() for m in
                      (cands.members(c) for c in range(len(cands)))])
    best = brute_force_optimum(units, 3, objective=lambda rows: float(d[np.ix_(rows, rows)].sum()),
                               size=(3, 3))
    labels = np.empty(9, dtype=int)
    for c, block in enumerate(best.blocks):
        labels[block] = c
    asked = []

    def fallback():
        asked.append(True)
        return warm_start_vector(cands, labels)

    solution, _, details = solve_set_partition(cands, costs, 3, solver="highs",
                                               fallback=fallback)
    assert asked == [True]
    assert details["kept"] < len(cands)  # the plan's cost let the fixing drop columns
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best.value)
    unplanned, _, _ = solve_set_partition(cands, costs, 3, solver="highs",
                                          fallback=lambda: None)
    assert unplanned.objective == pytest.approx(best.value)


def test_forced_enumeration_refuses_a_pool_too_large_for_memory(monkeypatch):
    import optimizer.api as api
    from clustering.errors import FairclustersError

    monkeypatch.setattr(api, "ENUMERATION_LIMIT", 50)
    units, d = small_instance(10, 0)
    # 10 units on a planar graph have far more than 50 connected sets of 2-5 units.
    with pytest.raises(FairclustersError, match="more than 50 candidate clusters"):
        optimize(units, 3, size=(2, 5), dissimilarity=d, method="enumerate")
    monkeypatch.setattr(api, "ENUMERATION_LIMIT", 10_000)
    assert optimize(units, 3, size=(2, 5), dissimilarity=d, method="enumerate").plan is not None
