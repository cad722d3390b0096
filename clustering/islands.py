"""Islands: adjacency components joined to the mainland by their shortest link.

Real adjacency graphs are not always connected: Vietnam's 3,321 communes form
20 components, 19 of them island communes or archipelagos with no land border.
Contiguous clustering needs one component (or a number of clusters shared out
among the components). :func:`link_islands` is the explicit modelling choice
of serving each island from the nearest mainland unit: it adds one border per
island component, the shortest great-circle link between a member of that
component and a member of the largest one, and reports every link it added.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from .dissimilarity import great_circle_km
from .units import UnitSet

__all__ = ["IslandLink", "link_islands"]


@dataclass(frozen=True)
class IslandLink:
    """A border added between an island unit and the mainland unit nearest to it."""

    island: str
    mainland: str
    km: float
    component_size: int


def link_islands(
    unit_set: UnitSet, *, max_km: float | None = None
) -> tuple[UnitSet, list[IslandLink]]:
    """Join every adjacency component to the largest one by its shortest link.

    Parameters
    ----------
    unit_set : UnitSet
        Units with coordinates (``lat``, ``lon``).
    max_km : float, optional
        Refuse (``ValueError``) a link longer than this: a component that far
        from the mainland is better given clusters of its own.

    Returns
    -------
    linked : UnitSet
        The same units with the added borders (edge attribute
        ``island_link_km``); name, provenance and default indicators carry over.
    links : list of IslandLink
        One per component other than the largest, in the order of the units.

    Examples
    --------
    >>> units = [{"id": "a", "name": "A", "lat": 10.0, "lon": 106.0},
    ...          {"id": "b", "name": "B", "lat": 10.0, "lon": 106.1},
    ...          {"id": "c", "name": "C", "lat": 9.0, "lon": 106.1}]
    >>> linked, links = link_islands(UnitSet(units, edges=[("a", "b")]))
    >>> links[0].island, links[0].mainland, round(links[0].km)
    ('c', 'b', 111)
    >>> nx.is_connected(linked.graph)
    True
    """
    if max_km is not None and not max_km > 0:
        raise ValueError(f"max_km={max_km!r}; expected a positive number of km")
    components = sorted(
        nx.connected_components(unit_set.graph),
        key=lambda c: (-len(c), min(unit_set.index(u) for u in c)),
    )
    if len(components) == 1:
        return unit_set, []
    coordinates = unit_set.coordinates()  # raises, naming units without coordinates
    mainland = np.array(sorted(unit_set.index(u) for u in components[0]))
    links = []
    for component in sorted(components[1:], key=lambda c: min(unit_set.index(u) for u in c)):
        rows = np.array(sorted(unit_set.index(u) for u in component))
        km = great_circle_km(coordinates[rows], coordinates[mainland])
        i, j = np.unravel_index(np.argmin(km), km.shape)
        link = IslandLink(unit_set.ids[rows[i]], unit_set.ids[mainland[j]], float(km[i, j]),
                          len(component))
        if max_km is not None and link.km > max_km:
            raise ValueError(
                f"island component of {len(component)} unit(s) around {link.island!r} is "
                f"{link.km:.1f} km from the mainland unit {link.mainland!r}; "
                f"expected at most max_km={max_km}"
            )
        links.append(link)
    attributes = {(a, b): dict(data) for a, b, data in unit_set.graph.edges(data=True) if data}
    attributes.update({(x.island, x.mainland): {"island_link_km": x.km} for x in links})
    linked = UnitSet(
        unit_set.units,
        edges=[*unit_set.graph.edges(), *((x.island, x.mainland) for x in links)],
        edge_attributes=attributes,
        name=f"{unit_set.name}+island-links" if unit_set.name else "island-links",
        provenance=unit_set.provenance,
        default_indicators=unit_set.default_indicators,
    )
    return linked, links
