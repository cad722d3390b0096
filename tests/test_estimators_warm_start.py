"""Hand-off: an estimator's plan is a warm start for the exact optimizer."""

import pytest

import optimizer
from clustering.datasets import vietnam_provinces
from clustering.estimators import AZPLocalSearch
from clustering.rules import ClusterRules, plan_violations


@pytest.mark.skipif(
    not hasattr(optimizer, "optimize"),
    reason="optimizer.optimize does not exist yet (written in parallel by another helper)",
)
def test_estimator_plan_warm_starts_the_optimizer():
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    azp = AZPLocalSearch(6, size=(5, 6), indicators=["grdp_per_capita", "urban_pct"],
                         random_state=0).fit(vn)
    assert plan_violations(azp.plan_, rules) == []
    result = optimizer.optimize(vn, rules, objective="wcss", solver="highs", time_limit=60,
                                warm_start=azp.plan_)
    assert result.status in ("optimal", "feasible")
    assert plan_violations(result.plan, rules) == []
