"""SpatialWard: contiguous Ward clusters, components, array input."""

import networkx as nx
import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering

from clustering.estimators import SpatialWard, mixed_features
from clustering.metrics import cluster_pieces
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet


def test_contiguous_and_equal_to_sklearn_on_a_connected_graph():
    s = planar_unit_set(80, seed=5)
    ward = SpatialWard(7, geography=0.3).fit(s)
    pieces = cluster_pieces(s.graph, ward.plan_.clusters)
    assert ward.plan_.n_clusters == 7 and set(pieces.values()) == {1}
    reference = AgglomerativeClustering(
        7, linkage="ward", connectivity=s.adjacency_matrix().astype(int)
    ).fit(mixed_features(s, ["x1", "x2", "x3", "population"], geography=0.3))
    assert ward.plan_.same_partition(
        type(ward.plan_).from_labels(s, reference.labels_)
    )


def test_separate_components_are_never_joined():
    # two paths 0-1-2 and 3-4-5: a cluster may not cross the gap
    units = [{"id": str(i), "name": str(i), "indicators": {"x": float(v)}}
             for i, v in enumerate([0, 0, 9, 9, 0, 0])]
    s = UnitSet(units, [("0", "1"), ("1", "2"), ("3", "4"), ("4", "5")])
    ward = SpatialWard(2).fit(s)
    assert sorted(map(sorted, ward.plan_.clusters.values())) == [["0", "1", "2"], ["3", "4", "5"]]
    ward4 = SpatialWard(4).fit(s)
    for members in ward4.plan_.clusters.values():
        assert nx.is_connected(s.graph.subgraph(members))
    with pytest.raises(ValueError, match="2 connected piece"):
        SpatialWard(1).fit(s)


def test_array_input_with_adjacency():
    x = np.array([[0.0], [0.1], [5.0], [5.1]])
    chain = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    ward = SpatialWard(2).fit(x, adjacency=chain)
    assert ward.labels_.tolist() == [0, 0, 1, 1]
    assert ward.plan_.unit_set.ids == ("0", "1", "2", "3")
