"""The compiled rules: every check against a naive one written from the definitions.

:class:`clustering.compiled_rules.CompiledRules` is the one place where each
rule is checked, for every method. Its checks are compared here, on every
subset of small random instances, with a direct reading of the rules (Python
sums, networkx connectivity), and its enumeration helpers with brute force.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from oracles import partitions_into
from test_rules import path_set, small_instances

from clustering.bitsets import bits, components, is_connected, mask_of, spanning_tree_cuts
from clustering.compiled_rules import WEIGHT_TOLERANCE, Violation, weight_slack
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.units import UnitSet
from optimizer.candidates import rule_candidates, two_way_splits


def naive_cluster_ok(unit_set: UnitSet, rules: ClusterRules, members: list[str]) -> bool:
    """One cluster under every rule, read directly from ``rules`` (ids resolved)."""
    rules = rules.resolved(unit_set)
    low, high = rules.count_bounds(len(unit_set))
    if not low <= len(members) <= high:
        return False
    if rules.weight_bounds is not None:
        total = sum(unit_set[u].weight for u in members)
        w_low, w_high = rules.weight_bounds
        slack = WEIGHT_TOLERANCE * max(1.0, w_high)
        if not w_low - slack <= total <= w_high + slack:
            return False
    if rules.contiguous and not nx.is_connected(unit_set.graph.subgraph(members)):
        return False
    inside = set(members)
    # together, with fixed labels as together groups of their own
    groups = [set(g) for g in rules.together]
    for label in set(rules.fixed.values()):
        groups.append({u for u, lab in rules.fixed.items() if lab == label})
    changed = True
    while changed:  # merge groups sharing a unit, transitively
        changed = False
        for a, b in itertools.combinations(range(len(groups)), 2):
            if groups[a] & groups[b]:
                groups[a] |= groups.pop(b)
                changed = True
                break
    if any(g & inside and not g <= inside for g in groups):
        return False
    if any(len(set(g) & inside) > 1 for g in rules.apart):
        return False
    if len({rules.fixed[u] for u in members if u in rules.fixed}) > 1:
        return False
    if rules.pure is not None:
        values = {getattr(unit_set[u], rules.pure) for u in members}
        if len(values) > 1:
            return False
    return True


@settings(max_examples=80, deadline=None)
@given(small_instances())
def test_cluster_ok_is_the_naive_reading_of_the_rules_on_every_subset(instance):
    unit_set, rules = instance
    compiled = rules.compile(unit_set)
    ids = unit_set.ids
    for size in range(1, len(ids) + 1):
        for chosen in itertools.combinations(range(len(ids)), size):
            members = [ids[i] for i in chosen]
            assert compiled.cluster_ok(mask_of(chosen)) == naive_cluster_ok(
                unit_set, rules, members), members


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_candidates_are_exactly_the_valid_clusters(instance):
    unit_set, rules = instance
    compiled = rules.compile(unit_set)
    count, cands = rule_candidates(compiled)
    listed = sorted(mask_of(cands.members(c).tolist()) for c in range(count))
    everyone = range(1, 1 << len(unit_set))
    valid = [m for m in everyone if naive_cluster_ok(unit_set, rules, [unit_set.ids[i]
                                                                        for i in bits(m)])]
    assert listed == sorted(valid)


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_plan_violations_empty_exactly_when_every_cluster_and_the_count_are_valid(instance):
    unit_set, rules = instance
    for blocks in itertools.islice(partitions_into(list(unit_set.ids), rules.n_clusters), 200):
        plan = Plan(unit_set, {f"C{i}": b for i, b in enumerate(blocks)})
        # Apart and fixed-label rules also hold across clusters: no two clusters share a label.
        naive = all(naive_cluster_ok(unit_set, rules, b) for b in blocks)
        assert (plan_violations(plan, rules) == []) == naive, blocks


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_splittable_false_means_no_plan(instance):
    unit_set, rules = instance
    compiled = rules.compile(unit_set)
    everyone = (1 << len(unit_set)) - 1
    if compiled.splittable(everyone, rules.n_clusters):
        return
    for blocks in partitions_into(list(unit_set.ids), rules.n_clusters):
        # counts, weights and contiguity alone already rule every partition out
        relaxed = rules.model_copy(update={"together": (), "apart": (), "fixed": {},
                                           "pure": None})
        assert not all(naive_cluster_ok(unit_set, relaxed, b) for b in blocks)


def test_one_weight_tolerance_everywhere():
    units = path_set(4, weights=[1e9, 1e9, 1e9, 1e9 + 0.5])
    rules = ClusterRules(n_clusters=2, weight_bounds=(2e9, 2e9), contiguous=True)
    compiled = rules.compile(units)
    assert compiled.weight_slack == pytest.approx(2.0) == weight_slack(rules.weight_bounds)
    assert compiled.weight_ok(2e9 + 0.5)  # round-off of summed weights is not a breach
    assert not compiled.weight_ok(2e9 + 3)
    plan = Plan(units, {"A": ["0", "1"], "B": ["2", "3"]})
    assert plan_violations(plan, rules) == []  # the checker uses the same slack
    count, _ = rule_candidates(compiled)  # and so does the enumeration
    assert count == 3  # {0,1}, {1,2}, {2,3}
    assert compiled.bound_excess(2, 2e9 + 0.5) == 0.0
    # (2e9 + 12) - (2e9 + slack 2) over the scale 10, and no count excess (no size bounds)
    assert compiled.bound_excess(3, 2e9 + 12, weight_scale=10.0) == pytest.approx(1.0)


def test_fixed_labels_compile_to_together_and_apart_groups():
    units = path_set(6)
    compiled = ClusterRules(n_clusters=3, fixed={"0": "P", "2": "P", "4": "Q"},
                            together=[["2", "3"]], contiguous=False).compile(units)
    assert compiled.together == [[0, 2, 3]]  # 0 and 2 share label P; 2 is bound to 3
    assert compiled.apart == [[0, 4]]  # one unit per label
    assert compiled.fixed == {0: "P", 2: "P", 4: "Q"}
    assert compiled.frozen.tolist() == [True, False, True, True, True, False]
    assert compiled.cluster_ok(mask_of([0, 2, 3]))
    assert not compiled.cluster_ok(mask_of([0, 2]))  # 3 must come along
    assert not compiled.cluster_ok(mask_of([0, 2, 3, 4]))  # P and Q apart


def test_can_merge_checks_what_growth_cannot_repair():
    units = path_set(5, functions=list("xxxyy"))
    compiled = ClusterRules(n_clusters=2, size=(2, 3), apart=[["0", "2"]],
                            contiguous=True, pure="function").compile(units)
    assert compiled.can_merge(mask_of([0]), mask_of([1]))
    assert not compiled.can_merge(mask_of([0, 1]), mask_of([2]))  # 0 and 2 apart
    assert not compiled.can_merge(mask_of([1]), mask_of([3]))  # not bordering
    assert not compiled.can_merge(mask_of([2]), mask_of([3]))  # mixes functions
    merged = ClusterRules(n_clusters=2, size=(1, 2), contiguous=True).compile(units)
    assert not merged.can_merge(mask_of([0, 1]), mask_of([2]))  # above the maximum


def test_violations_are_structured_and_read_as_before():
    units = path_set(4)
    rules = ClusterRules(n_clusters=2, size=(2, 2), contiguous=True)
    found = plan_violations(Plan(units, {"A": ["0", "2"], "B": ["1", "3"]}), rules)
    assert found == [
        Violation("contiguity", "A", ("0", "2"), "cluster 'A' is in 2 pieces"),
        Violation("contiguity", "B", ("1", "3"), "cluster 'B' is in 2 pieces"),
    ]
    assert [str(v) for v in found] == ["cluster 'A' is in 2 pieces", "cluster 'B' is in 2 pieces"]
    assert found[0].to_dict()["units"] == ["0", "2"]


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_two_way_splits_are_every_valid_pair_by_brute_force(instance):
    unit_set, rules = instance
    compiled = rules.compile(unit_set)
    union = list(range(len(unit_set)))
    everyone = mask_of(union)
    expected = sorted(
        (side, everyone & ~side)
        for side in range(1, everyone + 1, 2)  # sides holding unit 0
        if side != everyone
        and naive_cluster_ok(unit_set, rules, [unit_set.ids[i] for i in bits(side)])
        and naive_cluster_ok(unit_set, rules, [unit_set.ids[i] for i in bits(everyone & ~side)])
    )
    assert two_way_splits(compiled, union) == expected


# -- bit masks ---------------------------------------------------------------------------


def _grid(rows: int, cols: int) -> tuple[nx.Graph, list[int]]:
    graph = nx.convert_node_labels_to_integers(nx.grid_2d_graph(rows, cols), ordering="sorted")
    masks = [mask_of(graph.neighbors(v)) for v in range(graph.number_of_nodes())]
    return graph, masks


@pytest.mark.parametrize("seed", range(5))
def test_components_and_connectivity_match_networkx(seed):
    graph, masks = _grid(3, 4)
    rng = np.random.default_rng(seed)
    for _ in range(50):
        chosen = [v for v in graph if rng.random() < 0.5]
        expected = sorted(mask_of(c) for c in nx.connected_components(graph.subgraph(chosen)))
        found = list(components(mask_of(chosen), masks))
        assert sorted(found) == expected
        assert found == sorted(found, key=lambda m: m & -m)  # lowest unit first
        assert is_connected(mask_of(chosen), masks) == (len(expected) == 1)


@pytest.mark.parametrize("seed", range(5))
def test_spanning_tree_cuts_are_the_subtrees_of_a_spanning_tree(seed):
    graph, masks = _grid(3, 3)
    rng = np.random.default_rng(seed)
    edges = sorted(tuple(sorted(e)) for e in graph.edges())
    order = [edges[i] for i in rng.permutation(len(edges))]
    everyone = mask_of(graph)
    cuts = spanning_tree_cuts(everyone, masks, order)
    assert len(cuts) == graph.number_of_nodes() - 1  # one per tree edge
    for part in cuts:
        assert not part & 1  # the side without the root (unit 0)
        assert is_connected(part, masks) and is_connected(everyone & ~part, masks)
    # The same tree as networkx's Kruskal under weights that rank edges in that order.
    ranked = nx.Graph()
    ranked.add_weighted_edges_from((a, b, r) for r, (a, b) in enumerate(order))
    tree = nx.minimum_spanning_tree(ranked)
    expected = set()
    for a, b in tree.edges():
        pruned = tree.copy()
        pruned.remove_edge(a, b)
        rootless = b if 0 in nx.node_connected_component(pruned, a) else a
        expected.add(mask_of(nx.node_connected_component(pruned, rootless)))
    assert set(cuts) == expected
    assert spanning_tree_cuts(mask_of([0, 2]), masks) == []  # not connected


def test_every_violation_reads_in_vietnamese_and_english_with_the_same_figures():
    import re

    s = path_set(6, weights=[1, 1, 1, 1, 1, 5], functions=list("xxxyyy"))
    plan = Plan(s, {"A": ["0", "2", "4"], "B": ["1", "3", "5"]})
    rules = ClusterRules(n_clusters=3, size=(1, 2), weight_bounds=(0, 4), together=[["0", "1"]],
                         apart=[["0", "2"]], fixed={"4": "P", "5": "P"}, pure="function")
    found = plan_violations(plan, rules)
    assert {v.reason for v in found} == {"n_clusters", "count", "weight", "contiguity",
                                         "purity", "together", "apart", "fixed"}
    for v in found:
        vi, en = v.text("vi"), v.text("en")
        assert en == str(v) and vi != en
        assert re.findall(r"\d+", vi) == re.findall(r"\d+", en), (vi, en)
