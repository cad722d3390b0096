"""The plan on the root LP's likeliest centres (``AssignmentSolver.centres_plan``).

The phase closes every centre but the k the root LP opens most and solves the
rest exactly. Checked against brute force: the best contiguous plan, under the
same bounds, whose clusters each hold exactly one of those k centres.
"""

from __future__ import annotations

import numpy as np
import pytest
from oracles import brute_force_optimum

from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from optimizer.assignment import AssignmentProblem, AssignmentSolver
from optimizer.objectives import default_dissimilarity


def _engine(units, k, tolerance):
    ideal = units.weights().sum() / k
    rules = ClusterRules(n_clusters=k, contiguous=True,
                         weight_bounds=(ideal * (1 - tolerance), ideal * (1 + tolerance)))
    d = default_dissimilarity(units)
    problem = AssignmentProblem.from_rules(rules.compile(units), d=d)
    return AssignmentSolver(problem, solver="highs"), rules, d


@pytest.mark.parametrize(("seed", "k", "tolerance"), [(0, 3, 0.3), (1, 3, 0.2), (2, 2, 0.1),
                                                      (3, 3, 0.4), (4, 2, 0.05)])
def test_the_centres_plan_is_the_best_plan_on_the_lps_centres(seed, k, tolerance):
    units = planar_unit_set(10, seed=seed)
    engine, rules, d = _engine(units, k, tolerance)
    root, _ = engine.root_cuts()
    engine.centres_plan(root)

    opened = np.array([root.x[engine.model.x(j, j)] for j in range(len(units))])
    centres = set(np.argsort(-opened, kind="stable")[:k].tolist())

    def on_the_centres(block) -> float:  # a cluster must hold exactly one of them
        held = centres.intersection(block)
        return float(d[block, held.pop()].sum()) if len(held) == 1 else np.inf

    truth = brute_force_optimum(units, k, objective=on_the_centres,
                                weight_bounds=rules.weight_bounds, contiguous=True)
    if truth is None or not np.isfinite(truth.value):
        assert "centres_objective" not in engine.details
        return
    assert engine.details["centres_objective"] == pytest.approx(truth.value)
    assert engine.incumbent is not None and engine.incumbent[0] <= truth.value + 1e-9


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
