"""The brute-force oracles of ``tests/oracles.py`` against hand values.

Counts are the Bell numbers and the Stirling numbers of the second kind
(OEIS A000110 and A008277), typed in by hand; the plans and optima are small
enough to list on paper.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracles import (
    best_assignment,
    brute_force_optimum,
    count_balance_cost,
    feasible_plans,
    label_vectors,
    partitions_into,
    pmedian_cost,
    set_partitions,
    wcss_cost,
    wcss_features,
)

from clustering.rules import ClusterRules
from clustering.units import UnitSet

BELL = [1, 1, 2, 5, 15, 52, 203]
# STIRLING[n][k] = S(n, k), k = 0..n
STIRLING = [
    [1],
    [0, 1],
    [0, 1, 1],
    [0, 1, 3, 1],
    [0, 1, 7, 6, 1],
    [0, 1, 15, 25, 10, 1],
    [0, 1, 31, 90, 65, 15, 1],
]


def as_set(partitions) -> set[frozenset[frozenset]]:
    return {frozenset(frozenset(b) for b in p) for p in partitions}


def path(n: int, weights=None) -> UnitSet:
    units = [{"id": str(i), "name": f"U{i}", "weight": None if weights is None else weights[i]}
             for i in range(n)]
    return UnitSet(units, [(str(i), str(i + 1)) for i in range(n - 1)])


def test_set_partitions_count_the_bell_numbers():
    assert [sum(1 for _ in set_partitions(n)) for n in range(7)] == BELL


@pytest.mark.parametrize("n", range(7))
def test_partitions_into_k_blocks_count_the_stirling_numbers(n):
    assert [sum(1 for _ in partitions_into(n, k)) for k in range(n + 1)] == STIRLING[n]
    assert [sum(1 for _ in label_vectors(n, k)) for k in range(n + 1)] == STIRLING[n]
    assert sum(STIRLING[n]) == BELL[n]  # the hand tables agree with each other


def test_hand_picked_stirling_numbers():
    assert sum(1 for _ in partitions_into("abcde", 2)) == 15
    assert sum(1 for _ in partitions_into("abcdef", 3)) == 90
    assert sum(1 for _ in partitions_into(3, 4)) == 0


def test_every_enumerated_partition_is_a_partition_and_appears_once():
    items = list("abcde")
    found = list(set_partitions(items))
    for p in found:
        assert all(p_block for p_block in p)  # no empty block
        assert sorted(x for b in p for x in b) == items  # each item exactly once
    assert len(as_set(found)) == len(found) == 52
    for k in range(1, 6):
        into = list(partitions_into(items, k))
        assert all(len(p) == k for p in into)
        assert as_set(into) == {q for q in as_set(found) if len(q) == k}
        # the label vectors are the same partitions, numbered by first appearance
        decoded = [[[items[i] for i, lab in enumerate(v) if lab == c] for c in range(k)]
                   for v in label_vectors(5, k)]
        assert as_set(decoded) == as_set(into)
        for v in label_vectors(5, k):
            assert list(dict.fromkeys(v)) == list(range(k))


def test_feasible_plans_of_a_four_unit_path_by_hand():
    units = path(4)
    # Two contiguous clusters of a path: cut one of its three edges.
    assert feasible_plans(units, ClusterRules(n_clusters=2, contiguous=True)) == [
        (0, 0, 0, 1), (0, 0, 1, 1), (0, 1, 1, 1)
    ]
    assert feasible_plans(units, ClusterRules(n_clusters=2, size=(2, 2), contiguous=True)) == [
        (0, 0, 1, 1)
    ]
    assert len(feasible_plans(units, ClusterRules(n_clusters=2, contiguous=False))) == 7  # S(4,2)
    # The ends together: {0,3}{1,2}, {0,1,3}{2}, {0,2,3}{1}.
    together = ClusterRules(n_clusters=2, contiguous=False, together=[["0", "3"]])
    assert feasible_plans(units, together) == [(0, 0, 1, 0), (0, 1, 0, 0), (0, 1, 1, 0)]
    assert feasible_plans(units, ClusterRules(n_clusters=2, size=(3, 3))) == []


def test_costs_by_hand():
    x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    d = np.abs(x[:, None] - x[None, :])
    # middle units as centres: 1 + 1 and 1 + 1
    assert pmedian_cost([[0, 1, 2], [3, 4, 5]], d) == 4.0
    # centre 2 (or 3): 2 + 1 + 0 + 8 = 11, against 12 for 1 or 4
    assert pmedian_cost([[0, 1, 2, 3]], d) == 11.0
    # means 1 and 11: (1 + 0 + 1) twice
    assert wcss_cost([[0, 1, 2], [3, 4, 5]], x) == 4.0
    assert wcss_cost([[0, 3]], np.array([[0.0, 0.0], [0, 0], [0, 0], [6.0, 8.0]])) == 50.0
    # ideal size 2: |1 - 2|/2 + |3 - 2|/2 + 0
    assert count_balance_cost([[0], [1, 2, 3], [4, 5]], 6, 3) == 1.0


def test_brute_force_optimum_by_hand():
    x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    units = path(6, weights=[1, 1, 1, 1, 1, 5])
    d = np.abs(x[:, None] - x[None, :])
    best = brute_force_optimum(units, 2, d=d)
    assert best.value == pytest.approx(4.0)
    assert as_set([best.blocks]) == as_set([[[0, 1, 2], [3, 4, 5]]])
    assert brute_force_optimum(units, 2, objective="wcss", features=x).value == pytest.approx(4.0)
    # Weights 1,1,1,1,1,5 within [4, 6]: only {0..3}{4,5} (4 and 6): cost 11 + 1.
    bounded = brute_force_optimum(units, 2, d=d, weight_bounds=(4, 6))
    assert bounded.value == pytest.approx(12.0)
    assert brute_force_optimum(units, 2, d=d, size=(4, 6)) is None  # 8 > 6 units
    # Sizes 3 and 3 on a path of 6: the only balanced plan, so balance 0.
    assert brute_force_optimum(units, 2, objective="balance").value == 0.0


def test_brute_force_optimum_with_and_without_contiguity_by_hand():
    # Path 0 - 1 - 2 with values 0, 10, 0: the ends belong together but do not touch.
    x = np.array([0.0, 10.0, 0.0])
    units = path(3)
    apart = brute_force_optimum(units, 2, objective="wcss", features=x, contiguous=False)
    assert apart.value == 0.0 and as_set([apart.blocks]) == as_set([[[0, 2], [1]]])
    # Contiguous: {0}{1,2} or {0,1}{2}, each 5^2 + 5^2.
    joined = brute_force_optimum(units, 2, objective="wcss", features=x, contiguous=True)
    assert joined.value == pytest.approx(50.0)


def test_best_assignment_by_hand():
    cost = np.array([[1.0, 4.0], [2.0, 3.0], [5.0, 0.0]])
    assert best_assignment(cost) == 3.0  # 1 + 2 + 0, the row minima
    assert best_assignment(cost, size=(0, 1)) is None  # three rows, two clusters of one
    # The row minima put two rows in cluster 0 and one in cluster 1: within the bounds.
    assert best_assignment(cost, size=(1, 2)) == 3.0
    assert best_assignment(cost, weights=np.ones(3), weight_bounds=(1, 2)) == 3.0
    # Rows 0 and 1 (weight 1 each) may not share a cluster of weight <= 1: 1 + 3 + 0.
    assert best_assignment(cost, weights=np.array([1.0, 1.0, 0.0]),
                           weight_bounds=(0, 1)) == 4.0


def test_wcss_features_by_hand():
    units = UnitSet([
        {"id": str(i), "name": str(i),
         "indicators": {"p": p, "q": q, "c": 7.0, **({"m": 1.0} if i else {})}}
        for i, (p, q) in enumerate(zip([1.0, 1.0, 1.0, 100.0], [0.0, 1.0, 2.0, 3.0]))
    ])
    z = wcss_features(units)
    # "c" is constant and "m" missing for unit 0: both left out; columns in name order p, q.
    # p: three equal values and one other have skewness (1 - 2/4) / sqrt(3/16) = 1.15 > 1,
    # so p is logged: (0, 0, 0, log 100) standardises to (-1/sqrt 3, x3, sqrt 3).
    # q holds a 0, so it is not logged: (q - 1.5) / sqrt(1.25).
    r3 = math.sqrt(3)
    assert z == pytest.approx(np.column_stack([
        [-1 / r3, -1 / r3, -1 / r3, r3],
        (np.array([0.0, 1.0, 2.0, 3.0]) - 1.5) / math.sqrt(1.25),
    ]))
