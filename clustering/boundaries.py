"""Polygons of the units, for maps: the province boundaries shipped with the package, or yours.

The package ships simplified boundaries of the 34 provincial units of 2025 and the
63 of 2024 (geoBoundaries, public domain; see ``data/boundaries/PROVENANCE_boundaries.md``
and :data:`ATTRIBUTION`, the line a map must print). :func:`unit_polygons` gives them
for a unit set made of those units; :func:`read_geojson_polygons` reads a GeoJSON file
of your own (``--geojson``) with :mod:`json` only.

A unit's polygons are a list of polygons, each a list of rings (the exterior first,
then any holes), each ring an ``(m, 2)`` float array of (longitude, latitude),
closed (the last point repeats the first). The arrays returned are read-only.

Examples
--------
>>> from clustering.datasets import vietnam_provinces
>>> polygons = unit_polygons(vietnam_provinces(2025))
>>> len(polygons), polygons["01"][0][0].shape[1]
(34, 2)
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FairclustersError
from .names import fold
from .units import UnitSet

__all__ = [
    "ATTRIBUTION",
    "GeoJSONError",
    "Polygons",
    "geojson_unit_polygons",
    "read_geojson_polygons",
    "unit_polygons",
]

#: The attribution line of the shipped boundaries; every map drawn from them prints it.
ATTRIBUTION = (
    "Province boundaries: geoBoundaries VNM ADM1 (VNM-ADM1-63759600, public domain, source "
    "Wikimedia Commons), https://www.geoboundaries.org; dissolved to 34 units and simplified "
    "by fairclusters."
)
#: One unit's polygons: each polygon a list of rings (exterior first), each ring (m, 2) lon/lat.
Polygons = list[list[np.ndarray]]

#: The shipped files, tried in this order (the current units first).
_SHIPPED = ("vn_provinces_34.geojson", "vn_provinces_63.geojson")
#: A GeoJSON file larger than this is refused rather than read into memory.
MAX_GEOJSON_BYTES = 200 * 1024 * 1024


class GeoJSONError(FairclustersError):
    """A GeoJSON file cannot be used: unreadable, not a FeatureCollection, or a bad feature."""


# -- the shipped boundaries -----------------------------------------------------------


@dataclass(frozen=True)
class _Shipped:
    """One shipped file, parsed: folded names, centroids (lon, lat) and polygons by unit id."""

    names: dict[str, str]
    centroids: dict[str, tuple[float, float]]
    polygons: dict[str, Polygons]

    def matches(self, unit_set: UnitSet) -> bool:
        """Whether every unit is one of this file's (same id, same folded name)."""
        return all(self.names.get(u.id) == fold(u.name) for u in unit_set)

    def distance(self, unit_set: UnitSet) -> float:
        """Mean distance (degrees) from the units' coordinates to this file's centroids."""
        gaps = [math.dist((u.lon, u.lat), self.centroids[u.id]) for u in unit_set
                if u.lon is not None and u.lat is not None]
        return sum(gaps) / len(gaps) if gaps else 0.0


@cache
def _shipped(filename: str) -> _Shipped:
    """A shipped file, parsed once."""
    source = resources.files(__package__) / "data" / "boundaries" / filename
    features = _features(_loads(source.read_text(encoding="utf-8"), filename), filename)
    props = [f["properties"] for f in features]
    return _Shipped(
        names={str(p["id"]): fold(str(p["name"])) for p in props},
        centroids={str(p["id"]): (float(p["centroid"][0]), float(p["centroid"][1]))
                   for p in props},
        polygons=_polygons_by_key(features, "id", filename),
    )


def unit_polygons(unit_set: UnitSet) -> dict[str, Polygons] | None:
    """The shipped polygons of each unit, or ``None`` if ``unit_set`` is not made of shipped units.

    A unit matches a shipped unit when both its id and its name (folded: diacritics,
    case and punctuation ignored) are the same, so the 34 units of 2025, the 63 of
    2024, or any subset of either, get their polygons; the communes, or your own
    units that only reuse the ids, get ``None`` (draw them another way). When the
    units match both lists (a subset of units whose id and name did not change in
    2025, such as Đà Nẵng, though its territory grew), the list whose shapes lie
    nearest the units' coordinates wins (the 2025 list when they have none).

    Parameters
    ----------
    unit_set : UnitSet
        The units to draw.

    Returns
    -------
    dict of str to list of list of numpy.ndarray, or None
        For each unit id, in the unit set's order, its polygons: each a list of rings
        (the exterior first), each ring a read-only ``(m, 2)`` array of (longitude,
        latitude), closed. ``None`` when some unit is not a shipped one.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2024)
    >>> polygons = unit_polygons(vn.subset(["01", "79"]))
    >>> sorted(polygons), len(polygons["79"]) >= 1
    (['01', '79'], True)
    >>> ring = polygons["01"][0][0]
    >>> bool((ring[0] == ring[-1]).all()), ring.flags.writeable
    (True, False)
    >>> unit_polygons(UnitSet([{"id": "01", "name": "Somewhere else"}])) is None
    True
    """
    if len(unit_set) == 0:
        return None
    candidates = [s for s in map(_shipped, _SHIPPED) if s.matches(unit_set)]
    if not candidates:
        return None
    best = min(candidates, key=lambda s: s.distance(unit_set))  # the first of equals
    return {u.id: [list(rings) for rings in best.polygons[u.id]] for u in unit_set}


# -- reading GeoJSON ------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number GeoJSON allows")


def _loads(text: str, where: str) -> Any:
    """``json.loads`` with NaN/Infinity refused and every parse failure as a GeoJSONError."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise GeoJSONError(f"GeoJSON {where}: nested too deeply to be read") from None
    except ValueError as exc:
        raise GeoJSONError(f"GeoJSON {where}: not valid JSON ({exc})") from None


def _read_text(path: Path) -> str:
    """The file's text (UTF-8, a BOM allowed), refusing files too large to be a map."""
    try:
        size = path.stat().st_size
        if size > MAX_GEOJSON_BYTES:
            raise GeoJSONError(f"GeoJSON {str(path)!r}: {size / 2**20:.0f} MB, more than the "
                               f"{MAX_GEOJSON_BYTES / 2**20:.0f} MB a map file may be")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeoJSONError(f"GeoJSON {str(path)!r}: cannot be read ({exc})") from None


def _features(data: Any, where: str) -> list[dict[str, Any]]:
    """The features of a FeatureCollection, each checked to be an object with properties."""
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise GeoJSONError(f"GeoJSON {where}: expected a FeatureCollection with a 'features' "
                           f"list, got {type(data).__name__}")
    for k, feature in enumerate(features):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise GeoJSONError(f"GeoJSON {where}: feature #{k} is not a Feature with "
                               "'properties'")
    return features


def _ring(points: Any, where: str) -> np.ndarray:
    """One ring as a closed, read-only (m, 2) float array; a clear error if it is not one."""
    try:
        ring = np.array(points, dtype=float)
    except (TypeError, ValueError):
        raise GeoJSONError(f"{where}: a ring is not a list of [lon, lat] numbers") from None
    if ring.ndim != 2 or ring.shape[1] < 2:
        raise GeoJSONError(f"{where}: a ring is not a list of [lon, lat] positions")
    ring = ring[:, :2]
    if not np.isfinite(ring).all():
        raise GeoJSONError(f"{where}: a ring has a coordinate that is not a finite number")
    if (np.abs(ring[:, 0]) > 180).any() or (np.abs(ring[:, 1]) > 90).any():
        bad = ring[(np.abs(ring[:, 0]) > 180) | (np.abs(ring[:, 1]) > 90)][0]
        raise GeoJSONError(f"{where}: position {bad.tolist()} is not a (longitude, latitude) "
                           "in degrees")
    if len(ring) and not (ring[0] == ring[-1]).all():
        ring = np.vstack([ring, ring[:1]])  # GeoJSON rings are closed; close a careless one
    if len(ring) < 4:  # closed: at least a triangle
        raise GeoJSONError(f"{where}: a ring has fewer than 3 distinct positions")
    ring.setflags(write=False)
    return ring


def _geometry_polygons(geometry: Any, where: str) -> Polygons:
    """The polygons of a Polygon or MultiPolygon geometry."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeoJSONError(f"{where}: geometry {kind!r}, expected 'Polygon' or 'MultiPolygon'")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not all(isinstance(p, list) and p for p in polygons):
        raise GeoJSONError(f"{where}: the {kind}'s coordinates are not lists of rings")
    return [[_ring(points, where) for points in polygon] for polygon in polygons]


def _polygons_by_key(features: list[dict[str, Any]], id_property: str, where: str,
                     keep: Callable[[str], bool] | None = None) -> dict[str, Polygons]:
    """Polygons by the ``id_property`` value; features sharing a value add up.

    With ``keep``, features whose value is missing or not kept are skipped, not refused.
    """
    out: dict[str, Polygons] = {}
    for k, feature in enumerate(features):
        value = feature["properties"].get(id_property)
        if keep is not None and (value is None or not keep(str(value).strip())):
            continue
        if value is None or str(value).strip() == "":
            present = ", ".join(map(repr, feature["properties"])) or "none"
            raise GeoJSONError(f"GeoJSON {where}: feature #{k} has no {id_property!r} property "
                               f"(its properties: {present})")
        key = str(value).strip()
        label = f"GeoJSON {where}: feature #{k} ({id_property}={key!r})"
        out.setdefault(key, []).extend(_geometry_polygons(feature.get("geometry"), label))
    return out


def read_geojson_polygons(path: str | Path, id_property: str) -> dict[str, Polygons]:
    """Polygons of each feature of a GeoJSON FeatureCollection, keyed by one property.

    Read with :mod:`json` only (no code runs; NaN and Infinity refused; files over
    :data:`MAX_GEOJSON_BYTES` refused). Features with the same key add their
    polygons (an island given as a feature of its own); unclosed rings are closed.

    Parameters
    ----------
    path : str or path
        The GeoJSON file (UTF-8).
    id_property : str
        The feature property whose value (as text, stripped) keys the result.

    Returns
    -------
    dict of str to list of list of numpy.ndarray
        For each key, its polygons: lists of closed, read-only ``(m, 2)`` (lon, lat) rings.

    Raises
    ------
    GeoJSONError
        The file cannot be read or is not a FeatureCollection, or a feature (named
        by its index and key) lacks the property or has a geometry that is not a
        valid Polygon or MultiPolygon.

    Examples
    --------
    >>> import json, tempfile
    >>> square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    >>> feature = {"type": "Feature", "properties": {"code": "a"},
    ...            "geometry": {"type": "Polygon", "coordinates": [square]}}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as fh:
    ...     json.dump({"type": "FeatureCollection", "features": [feature]}, fh)
    >>> polygons = read_geojson_polygons(fh.name, "code")
    >>> list(polygons), polygons["a"][0][0].shape
    (['a'], (5, 2))
    """
    path = Path(path)
    features = _features(_loads(_read_text(path), repr(str(path))), repr(str(path)))
    return _polygons_by_key(features, id_property, repr(str(path)))


# -- matching a user's GeoJSON to the units -------------------------------------------


def _unit_keys(unit_set: UnitSet) -> dict[str, str]:
    """Unit id by each way a feature may name it: the id, the folded name."""
    return {fold(u.name): u.id for u in unit_set} | {u.id: u.id for u in unit_set}


def _best_property(features: Iterable[Mapping[str, Any]], keys: Mapping[str, str],
                   where: str) -> str:
    """The property whose values name the most units (first seen wins a tie)."""
    counts: dict[str, set[str]] = {}
    for feature in features:
        for name, value in feature["properties"].items():
            text = "" if value is None else str(value).strip()
            uid = keys.get(text) or keys.get(fold(text))
            counts.setdefault(name, set())
            if uid is not None:
                counts[name].add(uid)
    best = max(counts, key=lambda name: len(counts[name]), default=None)
    if best is None or not counts[best]:
        raise GeoJSONError(f"GeoJSON {where}: no feature property holds the units' ids or "
                           f"names (properties: {', '.join(map(repr, counts)) or 'none'})")
    return best


def geojson_unit_polygons(path: str | Path, unit_set: UnitSet,
                          id_property: str | None = None) -> dict[str, Polygons]:
    """Polygons of each unit from a GeoJSON file, matched by unit id or name.

    Parameters
    ----------
    path : str or path
        The GeoJSON FeatureCollection.
    unit_set : UnitSet
        The units to draw; every one needs a polygon.
    id_property : str, optional
        The property naming each feature's unit (its id, or its name in any
        spelling :func:`clustering.names.fold` equates). By default, the property
        whose values name the most units.

    Returns
    -------
    dict of str to list of list of numpy.ndarray
        For each unit id, in the unit set's order, its polygons (see
        :func:`read_geojson_polygons`). Features naming no unit are left out.

    Raises
    ------
    GeoJSONError
        The file is not usable (see :func:`read_geojson_polygons`), or some units
        have no feature (the message names them).

    Examples
    --------
    >>> import json, tempfile
    >>> units = UnitSet([{"id": "a", "name": "Đồng Nai"}])
    >>> square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    >>> feature = {"type": "Feature", "properties": {"ten": "Dong Nai"},
    ...            "geometry": {"type": "Polygon", "coordinates": [square]}}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as fh:
    ...     json.dump({"type": "FeatureCollection", "features": [feature]}, fh)
    >>> list(geojson_unit_polygons(fh.name, units))
    ['a']
    """
    where = repr(str(path))
    features = _features(_loads(_read_text(Path(path)), where), where)
    keys = _unit_keys(unit_set)
    prop = id_property if id_property is not None else _best_property(features, keys, where)
    by_key = _polygons_by_key(features, prop, where,
                              keep=lambda key: key in keys or fold(key) in keys)
    polygons: dict[str, Polygons] = {}
    for key, rings in by_key.items():
        polygons.setdefault(keys.get(key) or keys[fold(key)], []).extend(rings)
    missing = [u.name for u in unit_set if u.id not in polygons]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more"
                                          if len(missing) > 5 else "")
        raise GeoJSONError(f"GeoJSON {where}: no polygon for {shown} (matched on the "
                           f"{prop!r} property)")
    return {u.id: polygons[u.id] for u in unit_set}

