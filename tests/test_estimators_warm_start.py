"""Hand-off: an estimator's plan is a warm start for the exact optimizer, and is used.

The start must reach the solver as its first incumbent (read back from the MILP
the solver is given), and the plan returned is never worse than the start, even
when the solver has almost no time. Costs are recomputed by ``tests/oracles.py``.
"""

import numpy as np
import pytest
from oracles import blocks_of, pmedian_cost, wcss_cost, wcss_features

import optimizer.set_partition
from clustering.datasets import vietnam_provinces
from clustering.estimators import AZPLocalSearch
from clustering.rules import ClusterRules, plan_violations
from optimizer import optimize
from optimizer.objectives import default_dissimilarity

RULES = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)


@pytest.fixture(scope="module")
def vn_and_start():
    vn = vietnam_provinces(2025)
    azp = AZPLocalSearch(6, size=(5, 6), indicators=["grdp_per_capita", "urban_pct"],
                         random_state=0).fit(vn)
    assert plan_violations(azp.plan_, RULES) == []
    return vn, azp.plan_


@pytest.fixture
def solver_calls(monkeypatch):
    """Every (model, initial point) the set-partitioning program hands to the solver."""
    calls = []
    real = optimizer.set_partition.solve

    def recording(model, *args, **kwargs):
        calls.append((model, kwargs.get("initial")))
        return real(model, *args, **kwargs)

    monkeypatch.setattr(optimizer.set_partition, "solve", recording)
    return calls


def selected_clusters(model, x, n_units):
    """The clusters a 0/1 point selects, read from the MILP's unit rows."""
    A = model.A.tocsc()
    return {frozenset(A[:n_units, c].nonzero()[0].tolist()) for c in np.flatnonzero(x > 0.5)}


def test_estimator_plan_warm_starts_the_optimizer(vn_and_start, solver_calls):
    vn, start = vn_and_start
    z = wcss_features(vn)
    start_cost = wcss_cost(blocks_of(start), z)

    optimize(vn, RULES, objective="wcss", solver="highs", time_limit=60)
    assert solver_calls[-1][1] is None  # without a warm start the solver gets no point

    result = optimize(vn, RULES, objective="wcss", solver="highs", time_limit=60,
                      warm_start=start)
    model, initial = solver_calls[-1]
    # The solver's first incumbent is the estimator's plan, at the plan's own cost.
    assert initial is not None
    assert selected_clusters(model, initial, len(vn)) == {frozenset(b) for b in blocks_of(start)}
    assert float(model.c @ initial) == pytest.approx(start_cost)
    assert result.status == "optimal"
    assert plan_violations(result.plan, RULES) == []
    assert wcss_cost(blocks_of(result.plan), z) == pytest.approx(result.objective)
    assert result.objective <= start_cost + 1e-9


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_a_tiny_time_limit_still_returns_a_plan_no_worse_than_the_start(vn_and_start, method):
    vn, start = vn_and_start
    d = default_dissimilarity(vn)
    start_cost = pmedian_cost(blocks_of(start), d)
    result = optimize(vn, RULES, method=method, solver="highs", time_limit=0.01,
                      warm_start=start)
    assert result.status in ("optimal", "feasible")
    assert plan_violations(result.plan, RULES) == []
    assert pmedian_cost(blocks_of(result.plan), d) == pytest.approx(result.objective)
    assert result.objective <= start_cost + 1e-9
    if method == "assignment":
        assert result.details["warm_start"] == "given"
