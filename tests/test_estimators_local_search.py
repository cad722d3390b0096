"""AZPLocalSearch: rules kept, objective never worse, repair or a clear refusal."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import partitions_into

from clustering.errors import InfeasibleError
from clustering.estimators import AZPLocalSearch, SizeConstrainedKMeans, SpatialWard
from clustering.estimators.base import mixed_features
from clustering.metrics import cluster_pieces, fairness_report
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet


def ward_sse(x, labels):
    """Ward's criterion, computed directly (independent of the estimators' code)."""
    return sum(((x[labels == c] - x[labels == c].mean(axis=0)) ** 2).sum()
               for c in np.unique(labels))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(8, 24), k=st.integers(2, 4), seed=st.integers(0, 10_000),
       geography=st.sampled_from([0.0, 0.5]))
def test_never_worsens_a_feasible_start(n, k, seed, geography):
    s = planar_unit_set(n, seed=seed, n_indicators=2)
    start = SpatialWard(k, geography=geography).fit(s).plan_
    sizes = list(start.sizes().values())
    rules = ClusterRules(n_clusters=k, size=(min(sizes), max(sizes)), contiguous=True)
    azp = AZPLocalSearch(init=start, size=rules.size, geography=geography,
                         max_iter=5, random_state=seed).fit(s)
    assert plan_violations(azp.plan_, rules) == []
    x = mixed_features(s, list(azp.indicators_), geography=geography)
    assert ward_sse(x, azp.labels_) <= ward_sse(x, start.labels) + 1e-9
    assert azp.repaired_ is False


def test_repairs_a_split_and_unbalanced_start():
    s = planar_unit_set(60, seed=11)
    # k-means ignores adjacency, so its clusters are generally in several pieces
    start = SizeConstrainedKMeans(5, size=(1, 60), random_state=0).fit(s).plan_
    assert not fairness_report(start).contiguous
    rules = ClusterRules(n_clusters=5, size=(10, 14), contiguous=True)
    azp = AZPLocalSearch(init=start, size=(10, 14), random_state=0).fit(s)
    assert azp.repaired_
    assert plan_violations(azp.plan_, rules) == []
    assert set(cluster_pieces(s.graph, azp.plan_.clusters).values()) == {1}


def test_weight_bounds_kept():
    s = planar_unit_set(50, seed=3)
    rules = ClusterRules.with_weight_tolerance(s, 4, 0.25, contiguous=True)
    azp = AZPLocalSearch(4, weight_bounds=rules.weight_bounds, random_state=0).fit(s)
    assert plan_violations(azp.plan_, rules) == []


def test_seeded():
    s = planar_unit_set(70, seed=4)
    a = AZPLocalSearch(6, size=(10, 13), geography=0.5, random_state=1).fit(s)
    b = AZPLocalSearch(6, size=(10, 13), geography=0.5, random_state=1).fit(s)
    assert a.plan_.same_partition(b.plan_) and a.objective_ == b.objective_


def test_unrepairable_start_raises():
    # A star (centre 0, leaves 1..5) into 3 contiguous pairs: the counts allow it,
    # but only the pair holding the centre is connected; brute force confirms below.
    units = [{"id": str(i), "name": str(i), "indicators": {"x": float(i)}} for i in range(6)]
    edges = [("0", str(i)) for i in range(1, 6)]
    s = UnitSet(units, edges)
    with pytest.raises(InfeasibleError, match="cannot repair"):
        AZPLocalSearch(init=np.array([0, 0, 1, 1, 2, 2]), size=(2, 2)).fit(s)
    pairings = [p for p in partitions_into(list(s.ids), 3) if all(len(c) == 2 for c in p)]
    assert len(pairings) == 15  # 5 * 3 * 1 ways to pair six units
    assert not any(all(nx.is_connected(s.graph.subgraph(c)) for c in p) for p in pairings)


def test_start_plan_must_match():
    s, other = planar_unit_set(20, seed=0), planar_unit_set(21, seed=0)
    plan = Plan.from_labels(other, np.arange(21) % 2)
    with pytest.raises(ValueError, match="different unit set"):
        AZPLocalSearch(init=plan).fit(s)
    with pytest.raises(ValueError, match="init="):
        AZPLocalSearch(2, init="random").fit(s)


def test_array_input_with_adjacency():
    # path 0-1-2-3-4-5 with values 0,0,5,5,9,9: three contiguous pairs are optimal
    x = np.array([[0.0], [0.0], [5.0], [5.0], [9.0], [9.0]])
    chain = np.diag(np.ones(5), 1) + np.diag(np.ones(5), -1)
    azp = AZPLocalSearch(3, size=(2, 2), random_state=0).fit(x, adjacency=chain)
    assert azp.labels_.tolist() == [0, 0, 1, 1, 2, 2]
    assert azp.objective_ == pytest.approx(0.0)


def test_repair_only_keeps_a_valid_start_and_mends_a_broken_one_with_few_moves():
    s = planar_unit_set(60, seed=11)
    rules = ClusterRules(n_clusters=5, size=(10, 14), contiguous=True)
    valid = AZPLocalSearch(5, size=(10, 14), random_state=0).fit(s).plan_
    kept = AZPLocalSearch(init=valid, size=(10, 14), improve=False).fit(s)
    assert kept.plan_.same_partition(valid) and not kept.repaired_

    broken = SizeConstrainedKMeans(5, size=(1, 60), random_state=0).fit(s).plan_
    mended = AZPLocalSearch(init=broken, size=(10, 14), improve=False).fit(s)
    improved = AZPLocalSearch(init=broken, size=(10, 14), random_state=0).fit(s)
    assert plan_violations(mended.plan_, rules) == []
    assert mended.objective_ == pytest.approx(mended.start_objective_)
    assert improved.objective_ <= mended.objective_ + 1e-9
    # Repair alone moves fewer units away from the start than repair plus search.
    moved = lambda plan: sum(  # noqa: E731
        broken.labels[i] != broken.labels[j]
        for i in range(len(s)) for j in range(i) if plan.labels[i] == plan.labels[j]
    )
    assert moved(mended.plan_) <= moved(improved.plan_)
