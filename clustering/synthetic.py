"""Seeded synthetic planar unit sets for tests and scale benchmarks.

:func:`planar_unit_set` draws ``n`` points uniformly in the unit square, joins
them by their Delaunay triangulation (a connected planar graph, like a map of
land borders) and maps them into Vietnam's bounding box. Indicators are a
smooth spatial trend plus noise, so that geography and economy are related as
in real data; population weights are log-normal (skewed, all positive).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import Delaunay

from .units import UnitSet

__all__ = ["VIETNAM_BBOX", "planar_unit_set"]

#: (lat_min, lat_max, lon_min, lon_max) of mainland Vietnam, in degrees.
VIETNAM_BBOX = (8.18, 23.39, 102.14, 109.46)


def planar_unit_set(n: int, seed: int = 0, n_indicators: int = 3) -> UnitSet:
    """A random planar unit set: Delaunay adjacency of ``n`` seeded random points.

    Parameters
    ----------
    n : int
        Number of units (at least 3, so that a triangulation exists).
    seed : int, default 0
        Seed of the :class:`numpy.random.Generator`; same seed, same set.
    n_indicators : int, default 3
        Number of indicators ``x1 ... xK``: each is a random linear trend over
        the square plus a random wave plus Gaussian noise.

    Returns
    -------
    UnitSet
        Ids ``"u0000"...``, ``lat``/``lon`` inside :data:`VIETNAM_BBOX`,
        indicators ``x1..xK`` and ``population`` (equal to ``weight``), and the
        Delaunay edges as borders. The graph is connected.

    Examples
    --------
    >>> s = planar_unit_set(50, seed=1)
    >>> len(s), s.indicator_names
    (50, ('population', 'x1', 'x2', 'x3'))
    >>> import networkx as nx
    >>> nx.is_connected(s.graph)
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
        raise ValueError(f"n={n!r}; expected an integer >= 3 (a triangulation needs 3 points)")
    if isinstance(n_indicators, bool) or not isinstance(n_indicators, (int, np.integer)) or (
        n_indicators < 0
    ):
        raise ValueError(f"n_indicators={n_indicators!r}; expected an integer >= 0")
    rng = np.random.default_rng(seed)
    points = rng.random((n, 2))
    # Delaunay needs points in general position; uniform draws are, almost surely.
    triangles = Delaunay(points).simplices
    edges = {
        (int(min(a, b)), int(max(a, b)))
        for tri in triangles
        for a, b in ((tri[0], tri[1]), (tri[1], tri[2]), (tri[0], tri[2]))
    }
    lat_min, lat_max, lon_min, lon_max = VIETNAM_BBOX
    lat = lat_min + points[:, 1] * (lat_max - lat_min)
    lon = lon_min + points[:, 0] * (lon_max - lon_min)

    columns = {}
    for k in range(n_indicators):
        slope = rng.normal(size=2)
        frequency, phase = rng.uniform(1.0, 4.0, size=2), rng.uniform(0, 2 * np.pi)
        wave = np.sin(2 * np.pi * points @ frequency / 2 + phase)
        columns[f"x{k + 1}"] = points @ slope + 0.5 * wave + 0.3 * rng.normal(size=n)
    population = np.round(rng.lognormal(mean=10.0, sigma=0.6, size=n))
    population = np.maximum(population, 1.0)

    ids = [f"u{i:04d}" for i in range(n)]
    units = [
        {
            "id": ids[i],
            "name": f"Unit {i}",
            "lat": float(lat[i]),
            "lon": float(lon[i]),
            "weight": float(population[i]),
            "indicators": {
                **{name: float(values[i]) for name, values in columns.items()},
                "population": float(population[i]),
            },
        }
        for i in range(n)
    ]
    return UnitSet(
        units,
        [(ids[a], ids[b]) for a, b in sorted(edges)],
        name=f"planar-{n}-seed{seed}",
        provenance=f"clustering.synthetic.planar_unit_set(n={n}, seed={seed})",
    )
