"""Reform from the current plan: optimum within m moves against brute force, inputs, moves list."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from oracles import blocks_of, feasible_plans, pmedian_cost
from scipy.optimize import linear_sum_assignment

from clustering.errors import FairclustersError, PlanError, UnknownNameError
from clustering.plan import Plan
from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet
from optimizer import optimize, reform, reform_front
from optimizer.objectives import default_dissimilarity
from optimizer.reform import plan_moves


def brute_moves(current: np.ndarray, labels: tuple[int, ...]) -> int:
    """n minus the best overlap of a matching of clusters (written from the definition)."""
    labels = np.asarray(labels)
    overlap = np.array([[np.sum((labels == a) & (current == b)) for b in np.unique(current)]
                        for a in np.unique(labels)])
    rows, cols = linear_sum_assignment(-overlap)
    return len(labels) - int(overlap[rows, cols].sum())


def brute_reform(plans: list[tuple[int, ...]], current: np.ndarray, m: int,
                 values: list[float]) -> float | None:
    """Least objective over the feasible plans within ``m`` moves."""
    within = [v for labels, v in zip(plans, values) if brute_moves(current, labels) <= m]
    return min(within) if within else None


@functools.cache
def instance(n: int, seed: int, k: int, size: tuple[int, int]):
    """Units, their feasible plans and each plan's p-median cost (shared by both solvers)."""
    units = planar_unit_set(n, seed=seed)
    rules = ClusterRules(n_clusters=k, size=size).resolved(units)
    d = default_dissimilarity(units)
    plans = feasible_plans(units, rules)
    return units, d, plans, [pmedian_cost(blocks_of(Plan.from_labels(units, p)), d)
                             for p in plans]


CASES = [(8, 1, 2, (3, 5)), (9, 3, 3, (2, 4)), (9, 5, 3, (2, 4))]


@pytest.mark.parametrize(("n", "seed", "k", "size"), CASES)
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_m_moves_optimum_equals_brute_force(n, seed, k, size, solver):
    units, d, plans, values = instance(n, seed, k, size)
    # A current plan that follows the rules (the first feasible one, not the optimum).
    current = np.asarray(plans[0])
    today = Plan.from_labels(units, current, cluster_names=[f"R{c}" for c in range(k)])
    for m in (0, 1, 2, 4):
        expected = brute_reform(plans, current, m, values)
        result = optimize(units, k, size=size, current=today, max_moves=m, solver=solver,
                          dissimilarity=d)
        assert result.status == "optimal"
        assert result.objective == pytest.approx(expected, abs=1e-6)
        assert brute_moves(current, tuple(result.plan.labels)) <= m
        assert result.details["moves"] == brute_moves(current, tuple(result.plan.labels))
        assert set(result.plan.cluster_names) <= {f"R{c}" for c in range(k)}
        assert pmedian_cost(blocks_of(result.plan), d) == pytest.approx(result.objective)


def test_zero_moves_returns_the_current_plan_with_its_names():
    units = planar_unit_set(8, seed=1)
    today = Plan.from_labels(units, [0, 0, 0, 0, 1, 1, 1, 1], cluster_names=["Bắc", "Nam"])
    result = reform(units, today, 0, contiguous=False, solver="highs")
    assert result.status == "optimal" and result.plan.same_partition(today)
    assert result.plan.clusters == today.clusters


def test_infeasible_when_current_breaks_the_rules_and_m_is_small():
    units = planar_unit_set(8, seed=1)
    rules = ClusterRules(n_clusters=2, size=(4, 4), contiguous=False)
    today = Plan.from_labels(units, [0, 0, 0, 0, 0, 0, 1, 1])  # sizes 6, 2
    assert optimize(units, rules, current=today, max_moves=1, solver="highs",
                    explain=False).status == "infeasible"  # two units must move
    assert optimize(units, rules, current=today, max_moves=2, solver="highs").status == "optimal"


def test_bad_input_is_refused_before_solving():
    units = planar_unit_set(6, seed=2)
    today = Plan.from_labels(units, [0, 0, 0, 1, 1, 1])
    with pytest.raises(FairclustersError, match="max_moves=-1"):
        optimize(units, 2, current=today, max_moves=-1)
    with pytest.raises(FairclustersError, match=r"max_moves=1\.5"):
        optimize(units, 2, current=today, max_moves=1.5)
    with pytest.raises(FairclustersError, match="needs the current plan"):
        optimize(units, 2, max_moves=2)
    named = {"A": ["Unit 0", "Unit 1", "Unit 2"], "B": ["Unit 3", "Unit 4", "Unit 55"]}
    with pytest.raises(UnknownNameError, match=r"current plan.*'Unit 55'.*Unit 5"):
        optimize(units, 2, current=named, max_moves=1)
    other = planar_unit_set(7, seed=2)
    with pytest.raises(PlanError, match=r"other units: not in the unit set \['u0006'\]"):
        optimize(units, 2, current=Plan.from_labels(other, [0] * 7), max_moves=1)
    with pytest.raises(FairclustersError, match="not linear"):
        optimize(units, 2, current=today, max_moves=1, objective="wcss")


def test_moves_list_by_hand():
    # Four units on a line at 0, 1, 2, 3; today {a, b} and {c, d}; the new plan moves c.
    s = UnitSet([{"id": i, "name": i.upper()} for i in "abcd"],
                [("a", "b"), ("b", "c"), ("c", "d")])
    d = np.abs(np.arange(4.0)[:, None] - np.arange(4.0)[None, :])
    today = Plan(s, {"x": ["a", "b"], "y": ["c", "d"]})
    new = Plan(s, {"p": ["d"], "q": ["a", "b", "c"]})
    moves = plan_moves(today, new, dissimilarity=d)
    # x = {a, b, c} costs 2 (centre b), y = {d} costs 0: from 1 + 1 to 2 + 0, change 0.
    assert [(m.unit, m.source, m.target, m.change) for m in moves] == [("c", "y", "x", 0.0)]
    assert moves[0].text() == "C chuyển từ cụm 'y' sang cụm 'x' (chi phí p-median +0.000)"
    assert moves[0].text("en") == "C moves from cluster 'y' to cluster 'x' (p-median cost +0.000)"


def test_reform_front_is_monotone_and_marks_the_front():
    units = planar_unit_set(8, seed=1)
    today = Plan.from_labels(units, [0, 0, 0, 0, 1, 1, 1, 1])
    points = reform_front(units, today, range(0, 4), contiguous=False, solver="highs")
    objectives = [p.objective for p in points]
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(objectives))
    assert all(p.moves <= p.max_moves and p.status == "optimal" for p in points)
    assert points[0].non_dominated  # 0 moves is never beaten on moves
    for p in points:
        better = [q for q in points if q.moves <= p.moves and q.objective < p.objective - 1e-9]
        assert p.non_dominated == (not better) or any(
            q.moves < p.moves and abs(q.objective - p.objective) < 1e-9 for q in points)
    with pytest.raises(FairclustersError, match="max_moves=-2"):
        reform_front(units, today, [1, -2])


def test_command_line_refuses_max_moves_without_current(tmp_path, capsys):
    from benchmarks.__main__ import main

    assert main(["--max-moves", "2", "--out", str(tmp_path / "r")]) == 2
    assert "--current and --max-moves go together" in capsys.readouterr().err
    plan = tmp_path / "today.csv"
    plan.write_text("cluster,unit\nA,Hà Nội\n", encoding="utf-8")
    assert main(["--current", str(plan), "--max-moves", "-1", "--out", str(tmp_path / "r")]) == 2
    assert "--max-moves -1" in capsys.readouterr().err


def test_incumbents_moving_too_many_units_are_refused():
    # Every phase offers its plans through the model's vector, which checks the moves.
    from optimizer.assignment import AssignmentProblem, AssignmentSolver

    units = planar_unit_set(8, seed=1)
    compiled = ClusterRules(n_clusters=2, contiguous=False).resolved(units).compile(units)
    current, other = np.array([0, 0, 0, 0, 1, 1, 1, 1]), np.array([0, 1, 0, 1, 0, 1, 0, 1])
    problem = AssignmentProblem.from_rules(compiled, d=default_dissimilarity(units),
                                           current=current, max_moves=1)
    engine = AssignmentSolver(problem, solver="highs", improve=lambda labels: other)
    assert engine.improve is None  # the polishing ignores the moves: skipped
    engine.offer(engine.model.centres_of(other))
    assert engine.incumbent is None
    engine.offer(engine.model.centres_of(current))
    assert engine.incumbent is not None
