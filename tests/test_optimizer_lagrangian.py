"""The Lagrangian bound of the size-bounded p-median, against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import brute_force_optimum
from test_optimizer_exact import small_instance

from optimizer.assignment import AssignmentProblem, solve_assignment
from optimizer.lagrangian import pmedian_lagrangian_bound

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(n=st.integers(4, 8), seed=st.integers(0, 10_000), k=st.integers(2, 3),
       slack=st.integers(0, 2))
def test_bound_never_exceeds_the_brute_force_optimum(n, seed, k, slack):
    units, d = small_instance(n, seed)
    size = (max(1, n // k - slack), -(-n // k) + slack)
    best = brute_force_optimum(units, k, d=d, size=size, contiguous=False)
    bound = pmedian_lagrangian_bound(d, k, size, upper=None if best is None else best.value)
    if best is None:
        return
    assert bound is not None
    assert bound <= best.value + 1e-9
    # The contiguous optimum is costlier still, so the bound holds for it too.
    contiguous = brute_force_optimum(units, k, d=d, size=size, contiguous=True)
    if contiguous is not None:
        assert contiguous.value >= best.value - 1e-9
        assert bound <= contiguous.value + 1e-9


def test_bound_reaches_a_hand_computed_optimum():
    # Two tight groups far apart, clusters of exactly three: optimum 1 + 1 + 1 + 1 = 4
    # (each group's middle unit as centre, at distance 1 from the two others).
    x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    d = np.abs(x[:, None] - x[None, :])
    bound = pmedian_lagrangian_bound(d, 2, (3, 3), upper=4.0, max_iter=500)
    assert bound == pytest.approx(4.0, abs=1e-6)


def test_no_centre_can_open():
    d = np.ones((3, 3)) - np.eye(3)
    allowed = np.eye(3, dtype=bool)  # nobody may join anybody
    assert pmedian_lagrangian_bound(d, 1, (2, 3), allowed=allowed) is None


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="size=\\(3, 2\\)"):
        pmedian_lagrangian_bound(np.zeros((4, 4)), 2, (3, 2))
    with pytest.raises(ValueError, match="k=5"):
        pmedian_lagrangian_bound(np.zeros((4, 4)), 5, (1, 2))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_assignment_model_falls_back_to_it_when_no_lp_is_solved(seed):
    n, k, size = 9, 3, (2, 4)
    units, d = small_instance(n, seed)
    p = AssignmentProblem(n=n, n_clusters=k, edges=units.edge_index_pairs(), contiguous=True,
                          d=d, size=size)
    # No time for the root LP: the rounds are skipped and the bound comes from sorting.
    solution, labels, details = solve_assignment(p, solver="highs", time_limit=5.0,
                                                 root_share=0.0)
    assert details["unsolved_lp"].startswith("not solved within the root's share")
    optimum = brute_force_optimum(units, k, d=d, size=size, contiguous=True).value
    assert details["lagrangian_bound"] <= optimum + 1e-9
    assert solution.bound == pytest.approx(details["lagrangian_bound"])
    assert solution.status == "no_solution" and labels is None
