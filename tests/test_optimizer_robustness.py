"""Answers that stay right on awkward input: cost magnitudes, solver failures, typos in rules."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import optimizer.solvers as solvers
from clustering.datasets import vietnam_provinces
from clustering.errors import FairclustersError
from optimizer import optimize
from optimizer.objectives import cost_scale, default_dissimilarity


@pytest.fixture(scope="module")
def provinces():
    units = vietnam_provinces(2025)
    return units, default_dissimilarity(units)


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
@pytest.mark.parametrize("solver", ["cbc", "highs"])
@pytest.mark.parametrize("factor", [1e-9, 1e15])
def test_the_optimum_does_not_depend_on_the_unit_of_the_dissimilarity(provinces, method,
                                                                      solver, factor):
    # A dissimilarity in đồng (1e15) or in tiny units (1e-9) is the same problem: the
    # optimum scales with it. Unscaled, 1e-9 gave "optimal" plans 13 % above the optimum.
    units, d = provinces
    plain = optimize(units, 6, size=(5, 6), dissimilarity=d, solver=solver, method=method)
    scaled = optimize(units, 6, size=(5, 6), dissimilarity=d * factor, solver=solver,
                      method=method, time_limit=60)
    assert plain.status == scaled.status == "optimal"
    assert scaled.objective == pytest.approx(plain.objective * factor, rel=1e-9)
    assert scaled.bound == pytest.approx(plain.bound * factor, rel=1e-6)
    assert scaled.details["cost_scale"] == cost_scale(d * factor) != 1.0


def test_cost_scale_is_a_power_of_ten_only_for_extreme_magnitudes():
    assert cost_scale(np.array([0.0, 3.2])) == 1.0
    assert cost_scale(np.array([7.0e14, 2.0e15])) == 1e15
    assert cost_scale(np.array([2e-9, 0.0])) == 1e-9
    assert cost_scale(None) == 1.0 and cost_scale(np.zeros(3)) == 1.0


def _tiny_milp() -> solvers.MILP:
    return solvers.MILP(c=np.array([1.0, 2.0]), A=sp.csr_matrix([[1.0, 1.0]]),
                        row_lower=np.array([1.0]), row_upper=np.array([np.inf]),
                        col_lower=np.zeros(2), col_upper=np.ones(2),
                        integer=np.ones(2, dtype=bool))


def test_a_missing_cbc_log_keeps_the_point_and_claims_nothing(monkeypatch):
    real = solvers.bundled_cbc

    def without_log(**options):
        options.pop("logPath", None)  # CBC then writes no log where the parser looks
        return real(**options)

    monkeypatch.setattr(solvers, "bundled_cbc", without_log)
    solution = solvers.solve(_tiny_milp(), "cbc")
    assert solution.status == "feasible"  # a point, but no proof without the log
    assert solution.objective == 1.0 and solution.bound is None


@pytest.mark.parametrize("kind", ["apart", "together"])
def test_a_group_naming_a_unit_twice_is_refused(provinces, kind):
    units, _ = provinces
    with pytest.raises(FairclustersError, match=r"names a unit twice"):
        optimize(units, 6, size=(5, 6), **{kind: [["01", "Hà Nội"]]})
    with pytest.raises(FairclustersError, match=r"names a unit twice"):
        optimize(units, 6, size=(5, 6), **{kind: [["01", "01"]]})
