"""The plan on the root LP's likeliest centres (``AssignmentSolver.centres_plan``).

The phase closes every centre but the k the root LP opens most and solves the
rest exactly. Checked against brute force: the best contiguous plan, under the
same bounds, whose clusters each hold exactly one of those k centres; and,
when its rounds stop on a solution in pieces, a mended plan that follows every
rule and costs no less than the optimum.
"""

from __future__ import annotations

import numpy as np
import pytest
from oracles import brute_force_optimum, pmedian_cost

from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from optimizer.assignment import AssignmentProblem, AssignmentSolver
from optimizer.objectives import default_dissimilarity


def _engine(units, k, tolerance, mend=False):
    ideal = units.weights().sum() / k
    rules = ClusterRules(n_clusters=k, contiguous=True,
                         weight_bounds=(ideal * (1 - tolerance), ideal * (1 + tolerance)))
    d = default_dissimilarity(units)
    compiled = rules.compile(units)
    problem = AssignmentProblem.from_rules(compiled, d=d)

    def acceptable(labels) -> bool:
        return not compiled.violations(np.unique(labels, return_inverse=True)[1])

    return AssignmentSolver(problem, solver="highs",
                            acceptable=acceptable if mend else None), rules, d


def _holding_one_of(centres: set[int], d: np.ndarray):
    """A cluster's p-median cost on the one of ``centres`` it holds (infinite unless one)."""

    def cost(block) -> float:
        held = centres.intersection(block)
        return float(d[block, held.pop()].sum()) if len(held) == 1 else np.inf

    return cost


@pytest.mark.parametrize(("seed", "k", "tolerance"), [(0, 3, 0.3), (1, 3, 0.2), (2, 2, 0.1),
                                                      (3, 3, 0.4), (4, 2, 0.05)])
def test_the_centres_plan_is_the_best_plan_on_the_lps_centres(seed, k, tolerance):
    units = planar_unit_set(10, seed=seed)
    engine, rules, d = _engine(units, k, tolerance)
    root, _ = engine.root_cuts()
    engine.centres_plan(root)

    opened = np.array([root.x[engine.model.x(j, j)] for j in range(len(units))])
    centres = set(np.argsort(-opened, kind="stable")[:k].tolist())

    on_the_centres = _holding_one_of(centres, d)
    truth = brute_force_optimum(units, k, objective=on_the_centres,
                                weight_bounds=rules.weight_bounds, contiguous=True)
    if truth is None or not np.isfinite(truth.value):
        assert "centres_objective" not in engine.details
        return
    # The incumbent is that plan (nothing polishes it here), at its own best centres.
    value, centre_of = engine.incumbent
    labels = np.unique(centre_of, return_inverse=True)[1]
    assert sum(on_the_centres(np.flatnonzero(labels == c).tolist()) for c in range(k)) == (
        pytest.approx(truth.value))
    assert engine.details["centres_objective"] == pytest.approx(value)
    assert value <= truth.value + 1e-9


def test_no_centres_plan_without_a_pmedian_term():
    units = planar_unit_set(10, seed=0)
    ideal = units.weights().sum() / 3
    rules = ClusterRules(n_clusters=3, contiguous=True, weight_bounds=(0.7 * ideal, 1.3 * ideal))
    problem = AssignmentProblem.from_rules(rules.compile(units), d=None, pmedian_weight=0.0,
                                           balance_weight=1.0, balance_sizes=units.weights(),
                                           ideal=ideal)
    engine = AssignmentSolver(problem, solver="highs")
    root, _ = engine.root_cuts()
    engine.centres_plan(root)
    assert "centres_time" not in engine.details and engine.incumbent is None


@pytest.mark.parametrize(("n", "seed", "k", "tolerance"),
                         [(10, 1, 3, 0.1), (10, 9, 3, 0.1), (12, 12, 4, 0.2)])
def test_a_centres_model_stopped_on_a_split_solution_is_mended(n, seed, k, tolerance,
                                                               monkeypatch):
    # The centres' model given a single MIP round (as when time runs out after it); on
    # these instances that round's solution is in pieces, and the phase mends it. The
    # mended plan must follow every rule and cost no less than the optimum (brute force).
    import optimizer.assignment as assignment

    solve = assignment.AssignmentSolver.solve
    centres_models = []

    def one_round(engine, warm_labels=None, max_rounds=200):
        # The first model solved with centres closed is the centres' model; the mending's
        # own models (also with centres closed) keep their rounds.
        if engine.problem.fixed_zero is not None and not centres_models:
            centres_models.append(engine)
            max_rounds = 1
        return solve(engine, warm_labels, max_rounds=max_rounds)

    monkeypatch.setattr(assignment.AssignmentSolver, "solve", one_round)
    units = planar_unit_set(n, seed=seed)
    engine, rules, d = _engine(units, k, tolerance, mend=True)
    root, _ = engine.root_cuts()
    engine.centres_plan(root)
    assert centres_models[0].split is not None and engine.details["centres_mended"]

    value, centre_of = engine.incumbent
    labels = np.unique(centre_of, return_inverse=True)[1]
    assert plan_violations(Plan.from_labels(units, labels), rules) == []
    assert value == pytest.approx(pmedian_cost(
        [np.flatnonzero(labels == c).tolist() for c in range(k)], d))
    assert engine.details["centres_objective"] == pytest.approx(value)
    truth = brute_force_optimum(units, k, d=d, weight_bounds=rules.weight_bounds,
                                contiguous=True)
    assert value >= truth.value - 1e-9
