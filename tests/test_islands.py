"""Linking island components to the mainland, against hand-computed distances."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from clustering.errors import UnitSetError
from clustering.islands import link_islands
from clustering.units import UnitSet


def law_of_cosines_km(a, b) -> float:
    """Great-circle distance by the spherical law of cosines (not the haversine)."""
    (lat1, lon1), (lat2, lon2) = (map(math.radians, a), map(math.radians, b))
    c = (math.sin(lat1) * math.sin(lat2)
         + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1))
    return 6371.0088 * math.acos(max(-1.0, min(1.0, c)))


def archipelago() -> UnitSet:
    # Mainland m1-m2-m3 along the coast; island i1-i2 offshore; lone island j.
    coords = {"m1": (10.0, 106.0), "m2": (10.5, 106.2), "m3": (11.0, 106.4),
              "i1": (10.4, 107.0), "i2": (10.6, 107.1), "j": (8.7, 106.6)}
    units = [{"id": k, "name": k.upper(), "lat": lat, "lon": lon}
             for k, (lat, lon) in coords.items()]
    return UnitSet(units, edges=[("m1", "m2"), ("m2", "m3"), ("i1", "i2")],
                   name="coast", provenance="made up for the test")


def test_each_island_gets_its_shortest_link_to_the_mainland():
    units = archipelago()
    linked, links = link_islands(units)
    coords = {u.id: (u.lat, u.lon) for u in units.units}
    mainland = ["m1", "m2", "m3"]
    for link, component in zip(links, [["i1", "i2"], ["j"]], strict=True):
        pairs = [(law_of_cosines_km(coords[a], coords[b]), a, b)
                 for a in component for b in mainland]
        km, island, nearest = min(pairs)
        assert (link.island, link.mainland) == (island, nearest)
        assert link.km == pytest.approx(km, rel=1e-6)
        assert link.component_size == len(component)
    assert nx.is_connected(linked.graph)
    assert linked.graph.number_of_edges() == units.graph.number_of_edges() + 2
    assert linked.graph.edges[links[0].island, links[0].mainland]["island_link_km"] == (
        pytest.approx(links[0].km))
    assert linked.provenance == units.provenance and linked.ids == units.ids
    assert not nx.is_connected(units.graph)  # the input is left as it was


def test_a_connected_set_is_returned_unchanged():
    units = UnitSet([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}], edges=[("a", "b")])
    linked, links = link_islands(units)  # no coordinates needed: nothing to link
    assert linked is units and links == []


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"max_km=0"):
        link_islands(archipelago(), max_km=0)
    with pytest.raises(ValueError, match=r"around 'j'.*at most max_km=100"):
        link_islands(archipelago(), max_km=100)
    no_coords = UnitSet([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}])
    with pytest.raises(UnitSetError, match="coordinates are missing"):
        link_islands(no_coords)


def test_the_real_communes_become_one_component():
    from clustering.datasets import vietnam_communes

    communes = vietnam_communes()
    components = list(nx.connected_components(communes.graph))
    linked, links = link_islands(communes)
    assert len(links) == len(components) - 1
    assert nx.is_connected(linked.graph)
    largest = max(components, key=len)
    assert all(x.mainland in largest and x.island not in largest for x in links)
