"""``optimize`` against brute force on random small instances: every method, solver, objective.

For each instance the optimum is found by enumerating every partition
(``tests/oracles.py``); ``optimize`` must then agree on the status
(``"infeasible"`` exactly when no partition follows the rules), on the
optimal value, and report an objective that is the returned plan's own cost,
recomputed here from the definition, with a valid bound.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import blocks_of, brute_force_optimum, pmedian_cost

from clustering.rules import plan_violations
from clustering.units import UnitSet
from optimizer import optimize

COMBINATIONS = [(m, s) for m in ("enumerate", "assignment") for s in ("cbc", "highs")]


def cut_cost(blocks, edges) -> float:
    """Half the borders leaving the blocks: summed over a plan, its number of cut borders."""
    return sum(0.5 * sum((a in b) != (c in b) for a, c in edges) for b in map(set, blocks))


def balance_cost(blocks, sizes: np.ndarray, k: int) -> float:
    """``sum_c |s(c) - ideal| / ideal``, ideal the total size over k (the documented balance)."""
    ideal = sizes.sum() / k
    return float(sum(abs(sizes[b].sum() - ideal) for b in blocks) / ideal)


@st.composite
def instances(draw):
    n = draw(st.integers(4, 7))
    edges = [(a, b) for a, b in itertools.combinations(range(n), 2) if draw(st.integers(0, 2)) == 0]
    weights = [draw(st.integers(1, 5)) for _ in range(n)]
    units = UnitSet([{"id": f"u{i}", "name": f"U{i}", "weight": weights[i]} for i in range(n)],
                    [(f"u{a}", f"u{b}") for a, b in edges])
    k = draw(st.integers(1, min(3, n)))
    size = None
    if draw(st.booleans()):
        low = draw(st.integers(1, n // k))
        size = (low, draw(st.integers(low, n)))
    weight_bounds = None
    if draw(st.booleans()):
        ideal = sum(weights) / k
        slack = draw(st.sampled_from([0.1, 0.3, 0.6]))
        weight_bounds = (ideal * (1 - slack), ideal * (1 + slack))
    points = np.array([[draw(st.integers(0, 9)), draw(st.integers(0, 9))] for _ in range(n)],
                      dtype=float)
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    objective = draw(st.sampled_from(["p-median", "balance", "cut-edges"]))
    return {"units": units, "k": k, "size": size, "weight_bounds": weight_bounds,
            "contiguous": draw(st.booleans()), "d": d, "objective": objective, "edges": edges}


@pytest.mark.parametrize(("method", "solver"), COMBINATIONS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=instances())
def test_optimize_agrees_with_brute_force(case, method, solver):
    units, k, d = case["units"], case["k"], case["d"]
    sizes = (np.array([u.weight for u in units], dtype=float)
             if case["weight_bounds"] is not None else np.ones(len(units)))
    if case["objective"] == "p-median":
        def cost(b):
            return pmedian_cost([b], d)
    elif case["objective"] == "cut-edges":
        def cost(b):
            return cut_cost([b], case["edges"])
    else:
        def cost(b):
            return balance_cost([b], sizes, k)
    best = brute_force_optimum(units, k, objective=cost, size=case["size"],
                               weight_bounds=case["weight_bounds"],
                               contiguous=case["contiguous"])
    result = optimize(units, k, size=case["size"], weight_bounds=case["weight_bounds"],
                      contiguous=case["contiguous"], objective=case["objective"],
                      dissimilarity=d if case["objective"] == "p-median" else None,
                      method=method, solver=solver)
    if best is None:
        assert result.status == "infeasible", (result.status, result.objective)
        assert result.plan is None and result.reasons
        return
    assert result.status == "optimal", (result.status, result.details.get("solver_status"))
    plan = result.plan
    assert plan_violations(plan, result.rules) == []
    own = sum(cost(b) for b in blocks_of(plan))
    tolerance = 1e-6 * max(1.0, abs(best.value))
    assert result.objective == pytest.approx(own, abs=tolerance)  # the plan's own cost
    assert result.objective == pytest.approx(best.value, abs=tolerance)
    assert result.bound <= result.objective + tolerance
    assert result.gap is not None and result.gap <= 1e-6


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_a_model_holding_a_feasible_start_is_never_called_infeasible(solver):
    # CBC called this model "Linear relaxation infeasible" once the dive's plan was given
    # as its MIP start; the start is feasible, so that run proved nothing.
    units = UnitSet([{"id": f"u{i}", "name": f"u{i}", "weight": 1} for i in range(7)],
                    [("u0", "u1"), ("u0", "u5"), ("u1", "u3"), ("u3", "u4"), ("u4", "u6")])
    result = optimize(units, 4, objective="balance", method="assignment", solver=solver)
    best = brute_force_optimum(units, 4, objective=lambda b: balance_cost([b], np.ones(7), 4))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best.value)
