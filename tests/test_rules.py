"""Rules and the pre-solve diagnosis: each reason by hand, and soundness by brute force.

Soundness: whenever :func:`diagnose` reports a reason, no partition of the units
satisfies the rules. Checked on small random graphs against every partition.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import partitions_into, set_partitions

from clustering.datasets import vietnam_provinces
from clustering.errors import InfeasibleError, UnknownNameError
from clustering.plan import Plan
from clustering.rules import ClusterRules, check_feasible, diagnose, plan_violations
from clustering.units import UnitSet


def path_set(n: int, weights=None, functions=None) -> UnitSet:
    """Units 0..n-1 on a path, optional weights and function labels."""
    units = [
        {
            "id": str(i),
            "name": f"U{i}",
            "weight": None if weights is None else weights[i],
            "function": None if functions is None else functions[i],
        }
        for i in range(n)
    ]
    return UnitSet(units, [(str(i), str(i + 1)) for i in range(n - 1)])


def reasons(unit_set: UnitSet, **rules) -> list[str]:
    """Reason codes of the diagnosis; contiguity only where a test asks for it."""
    return [e.reason for e in diagnose(unit_set, ClusterRules(**{"contiguous": False, **rules}))]


# -- each reason, by hand -------------------------------------------------------------


def test_count_reason():
    assert reasons(path_set(7), n_clusters=3, size=(3, 4)) == ["count"]  # needs >= 9
    assert reasons(path_set(7), n_clusters=2, size=(1, 3)) == ["count"]  # at most 6
    assert reasons(path_set(7), n_clusters=2, size=(3, 4)) == []


def test_unit_too_heavy_and_weight_total():
    s = path_set(4, weights=[1, 1, 1, 10])
    found = diagnose(s, ClusterRules(n_clusters=2, weight_bounds=(2, 6), contiguous=False))
    assert [e.reason for e in found] == ["unit_too_heavy", "weight_total"]
    assert found[0].units == ("3",)
    assert "U3" in str(found[0])


def test_component_reason_when_parts_cannot_be_split():
    # Two components of 3 units; clusters of exactly 2 cannot tile a part of 3.
    s = UnitSet([{"id": str(i), "name": str(i)} for i in range(6)],
                [("0", "1"), ("1", "2"), ("3", "4"), ("4", "5")])
    assert reasons(s, n_clusters=3, size=(2, 2), contiguous=True) == ["component", "component"]
    assert reasons(s, n_clusters=3, size=(2, 2), contiguous=False) == []
    # Two parts need at least 2 contiguous clusters: k = 1 is impossible.
    assert reasons(s, n_clusters=1, contiguous=True) == ["component"]


def test_together_apart_directly_transitively_and_by_fixed_labels():
    s = path_set(5)
    assert reasons(s, n_clusters=2, together=[["0", "1"]], apart=[["1", "0"]]) == [
        "together_apart"
    ]
    transitive = reasons(s, n_clusters=2, together=[["0", "1"], ["1", "2"]], apart=[["0", "2"]])
    assert transitive == ["together_apart"]
    fixed = reasons(s, n_clusters=2, together=[["0", "1"]], fixed={"0": "A", "1": "B"})
    assert fixed == ["together_apart"]


def test_together_too_large_and_unreachable():
    s = path_set(6)
    assert reasons(s, n_clusters=2, size=(3, 3), together=[["0", "1", "2", "3"]]) == [
        "together_too_large"
    ]
    # 0 and 4 are 5 units apart on the path: no contiguous cluster of <= 4 holds both.
    assert reasons(s, n_clusters=2, size=(2, 4), contiguous=True, together=[["0", "4"]]) == [
        "together_unreachable"
    ]
    assert reasons(s, n_clusters=2, size=(2, 4), contiguous=False, together=[["0", "4"]]) == []


def test_apart_too_many():
    s = path_set(5)
    assert reasons(s, n_clusters=2, apart=[["0", "1", "2"]]) == ["apart_too_many"]
    assert reasons(s, n_clusters=2, fixed={"0": "A", "1": "B", "2": "C"}) == ["apart_too_many"]


def test_purity():
    s = path_set(5, functions=["x", "x", "x", "y", "y"])
    assert reasons(s, n_clusters=1, pure="function") == ["purity"]
    assert reasons(s, n_clusters=2, pure="function") == []
    assert reasons(s, n_clusters=2, size=(2, 2), pure="function") == ["count", "purity"]
    assert reasons(s, n_clusters=3, pure="function", size=(1, 1)) == ["count", "purity"]
    assert reasons(s, n_clusters=2, pure="function", together=[["2", "3"]]) == ["purity"]


def test_names_are_resolved_and_unknown_names_suggest():
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, together=[["Ha Noi", "Bac Ninh"]]).resolved(vn)
    assert rules.together == (("01", "24"),)
    with pytest.raises(UnknownNameError, match="Hà Nội"):
        ClusterRules(n_clusters=6, together=[["Ha Nol", "Bac Ninh"]]).resolved(vn)


def test_bad_rules_are_refused_with_the_value():
    with pytest.raises(ValueError, match="minimum exceeds maximum"):
        ClusterRules(n_clusters=2, size=(5, 3))
    with pytest.raises(ValueError, match="greater than 0"):
        ClusterRules(n_clusters=0)
    with pytest.raises(ValueError, match="at least two units"):
        ClusterRules(n_clusters=2, together=[["a"]])
    with pytest.raises(ValueError, match="exceeds the 5 units"):
        diagnose(path_set(5), ClusterRules(n_clusters=6))


def test_check_feasible_lists_every_reason():
    with pytest.raises(InfeasibleError) as info:
        check_feasible(path_set(4, weights=[1, 1, 1, 10]),
                       ClusterRules(n_clusters=2, weight_bounds=(2, 6), contiguous=False))
    assert info.value.reason == "unit_too_heavy"
    assert "2 reasons" in str(info.value)


def test_weight_tolerance_bounds_are_ideal_plus_minus():
    vn = vietnam_provinces(2025)
    total = sum(u.weight for u in vn)
    rules = ClusterRules.with_weight_tolerance(vn, 4, 0.05)
    assert rules.weight_bounds == pytest.approx((total / 4 * 0.95, total / 4 * 1.05))


# -- plan_violations by hand ---------------------------------------------------------


def test_plan_violations_names_each_broken_rule():
    s = path_set(6, weights=[1, 1, 1, 1, 1, 5], functions=list("xxxyyy"))
    plan = Plan(s, {"A": ["0", "2", "4"], "B": ["1", "3", "5"]})
    found = plan_violations(
        plan,
        ClusterRules(
            n_clusters=3, size=(1, 2), weight_bounds=(0, 4), contiguous=True,
            together=[["0", "1"]], apart=[["0", "2"]], fixed={"4": "P", "5": "P"},
            pure="function",
        ),
    )
    text = "\n".join(map(str, found))
    for expected in ("2 clusters instead of 3", "'A' has 3 members", "'B' weighs 7",
                     "'A' is in 3 pieces", "must be together", "must be apart",
                     "fixed to 'P' are split", "'A' mixes function"):
        assert expected in text
    # One structured violation per broken rule, with the reason codes callers match on.
    assert sorted((v.reason, v.cluster) for v in found) == sorted([
        ("n_clusters", None), ("count", "A"), ("count", "B"), ("weight", "B"),
        ("contiguity", "A"), ("contiguity", "B"), ("purity", "A"), ("purity", "B"),
        ("together", None), ("apart", None), ("fixed", None),
    ])
    assert plan_violations(plan, ClusterRules(n_clusters=2, contiguous=False)) == []
    assert [v.reason for v in plan_violations(plan, ClusterRules(n_clusters=2))] == [
        "contiguity", "contiguity"]  # contiguity is required by default


def test_region_plan_of_63_follows_its_own_rules():
    old = vietnam_provinces(2024)
    regions = Plan.from_attribute(old, "region")
    assert plan_violations(regions, ClusterRules(n_clusters=6, size=(5, 14), contiguous=True)) == []
    assert plan_violations(regions, ClusterRules(n_clusters=6, size=(6, 14))) != []


# -- soundness against brute force ---------------------------------------------------


@st.composite
def small_instances(draw):
    n = draw(st.integers(3, 7))
    edges = [(i, j) for i, j in itertools.combinations(range(n), 2)
             if draw(st.booleans()) and draw(st.booleans())]
    weights = [draw(st.integers(1, 6)) for _ in range(n)]
    functions = [draw(st.sampled_from("xy")) for _ in range(n)]
    units = [{"id": str(i), "name": f"U{i}", "weight": weights[i], "function": functions[i]}
             for i in range(n)]
    unit_set = UnitSet(units, [(str(a), str(b)) for a, b in edges])
    k = draw(st.integers(1, n))
    low = draw(st.integers(1, n))
    high = draw(st.integers(low, n))
    ids = [str(i) for i in range(n)]
    pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True)
    rules = ClusterRules(
        n_clusters=k,
        size=(low, high) if draw(st.booleans()) else None,
        weight_bounds=(
            (w := draw(st.integers(0, 12)), w + draw(st.integers(0, 12)))
            if draw(st.booleans()) else None
        ),
        contiguous=draw(st.booleans()),
        together=draw(st.lists(pair, max_size=1)),
        apart=draw(st.lists(pair, max_size=1)),
        fixed=draw(st.dictionaries(st.sampled_from(ids), st.sampled_from("PQR"), max_size=2)),
        pure="function" if draw(st.booleans()) else None,
    )
    return unit_set, rules


@settings(max_examples=150, deadline=None)
@given(small_instances())
def test_a_reported_reason_means_no_plan_exists(instance):
    unit_set, rules = instance
    problems = diagnose(unit_set, rules)
    feasible = any(
        not plan_violations(Plan(unit_set, {f"C{i}": b for i, b in enumerate(blocks)}), rules)
        for blocks in partitions_into(list(unit_set.ids), rules.n_clusters)
    )
    if problems:
        assert not feasible, f"diagnosed {[p.reason for p in problems]} but a plan exists"


def test_brute_force_helper_counts_bell_numbers():
    # Bell numbers 1, 1, 2, 5, 15, 52, 203 (OEIS A000110, by hand): the oracle behind the
    # soundness check lists every partition of the unit ids, each once.
    counts = [sum(1 for _ in set_partitions([]))]  # a unit set cannot be empty
    for n in range(1, 7):
        found = [frozenset(frozenset(b) for b in p) for p in set_partitions(path_set(n).ids)]
        assert len(set(found)) == len(found)
        counts.append(len(found))
    assert counts == [1, 1, 2, 5, 15, 52, 203]
