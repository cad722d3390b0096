"""Tests of the seeded planar generator."""

import networkx as nx
import numpy as np
import pytest
from scipy.spatial import ConvexHull

from clustering.synthetic import VIETNAM_BBOX, planar_unit_set


def test_triangulation_has_euler_edge_count():
    # A triangulation of n points in general position with h points on the convex
    # hull has exactly 3n - 3 - h edges (Euler's formula), and is planar and connected.
    s = planar_unit_set(200, seed=3)
    coords = s.coordinates()
    h = len(ConvexHull(coords[:, ::-1]).vertices)
    assert s.graph.number_of_edges() == 3 * 200 - 3 - h
    assert nx.is_connected(s.graph)
    assert nx.check_planarity(s.graph)[0]


def test_inside_bounding_box_with_positive_weights():
    s = planar_unit_set(100, seed=0, n_indicators=2)
    lat_min, lat_max, lon_min, lon_max = VIETNAM_BBOX
    coords = s.coordinates()
    assert (coords[:, 0] >= lat_min).all() and (coords[:, 0] <= lat_max).all()
    assert (coords[:, 1] >= lon_min).all() and (coords[:, 1] <= lon_max).all()
    assert (s.weights() > 0).all()
    np.testing.assert_array_equal(s.weights(), s.indicator("population"))
    assert s.indicator_names == ("population", "x1", "x2")


def test_seeded():
    a, b, c = planar_unit_set(60, seed=7), planar_unit_set(60, seed=7), planar_unit_set(60, seed=8)
    np.testing.assert_array_equal(a.coordinates(), b.coordinates())
    np.testing.assert_array_equal(a.indicator("x1"), b.indicator("x1"))
    assert set(a.graph.edges()) == set(b.graph.edges())
    assert not np.array_equal(a.coordinates(), c.coordinates())


@pytest.mark.parametrize("bad", [2, 0, -5, 3.5, True, "10"])
def test_bad_n(bad):
    with pytest.raises(ValueError, match="n="):
        planar_unit_set(bad)


def test_bad_indicator_count():
    with pytest.raises(ValueError, match="n_indicators"):
        planar_unit_set(10, n_indicators=-1)
