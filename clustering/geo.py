"""GIS in and out: GeoDataFrames, libpysal weights, GeoJSON and GeoPackage.

- :func:`from_geodataframe` (also :meth:`UnitSet.from_geodataframe`) builds a unit
  set from polygons: the adjacency from libpysal contiguity weights (queen: a shared
  point is a border; rook: a shared edge), each unit's centroid computed in a
  projected CRS (VN-2000 / UTM 48N, EPSG:3405, for data within Vietnam, else the
  UTM zone :meth:`geopandas.GeoDataFrame.estimate_utm_crs` picks) and given back
  in degrees, every other column kept as an indicator or label.
- :func:`to_weights` (:meth:`UnitSet.to_weights`) gives a unit set's borders as a
  libpysal ``W`` keyed by unit id; a ``W`` is accepted as adjacency too
  (``UnitSet(units, w)``, :meth:`UnitSet.from_weights`).
- :func:`plan_to_geodataframe` (:meth:`Plan.to_geodataframe`), :func:`plan_to_geojson`,
  :func:`plan_from_geojson` and :func:`plan_to_gpkg` write a plan with the shipped
  polygons of its units (:func:`clustering.boundaries.unit_polygons`) when they
  exist, else points at the units' centroids. The GeoJSON reader and writer need
  only :mod:`json`; the rest needs the ``geo`` extra
  (``pip install "fairclusters[geo]"``: geopandas and libpysal), and says so with a
  :class:`~clustering.errors.MissingDependencyError` when it is missing.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .errors import MissingDependencyError, PlanError, UnitSetError
from .files import file_errors_as, load_json, read_text
from .io import Sheet, from_records, plan_from_table
from .names import nfc
from .plan import Plan
from .units import UnitSet

__all__ = [
    "VIETNAM_CRS",
    "from_geodataframe",
    "plan_features",
    "plan_from_geojson",
    "plan_to_geodataframe",
    "plan_to_geojson",
    "plan_to_gpkg",
    "to_weights",
]

#: The projected CRS centroids of Vietnamese units are computed in: VN-2000 / UTM zone 48N.
VIETNAM_CRS = "EPSG:3405"
#: Longitude and latitude bounds within which :data:`VIETNAM_CRS` is used (islands included).
_VIETNAM_BOUNDS = (100.0, 6.0, 118.0, 25.0)
#: A GeoJSON plan file larger than this is refused rather than read into memory.
MAX_GEOJSON_BYTES = 200 * 2**20
_RESERVED = ("id", "name", "lat", "lon", "weight", "neighbors", "indicators", "labels")


def _require(package: str, feature: str) -> Any:
    """Import ``package`` (geopandas or libpysal) or say to install the ``geo`` extra."""
    try:
        return __import__(package)
    except ImportError:
        raise MissingDependencyError(
            f"{feature} needs {package}, which is not installed; install the geo extra with "
            "`pip install \"fairclusters[geo]\"` (geopandas and libpysal)",
            package=package,
        ) from None


def _weights_class(contiguity: str) -> Any:
    _require("libpysal", "contiguity weights")
    from libpysal import weights

    classes = {"queen": weights.Queen, "rook": weights.Rook}
    if contiguity not in classes:
        raise ValueError(f"contiguity={contiguity!r}; expected 'queen' or 'rook'")
    return classes[contiguity]


def _projected(gdf: Any, crs: Any) -> Any:
    if gdf.crs is None:
        raise UnitSetError(
            "the GeoDataFrame has no CRS; set one (e.g. gdf.set_crs('EPSG:4326')) so that "
            "centroids can be computed in metres"
        )
    if crs is None:
        lon0, lat0, lon1, lat1 = gdf.to_crs("EPSG:4326").total_bounds
        a, b, c, d = _VIETNAM_BOUNDS
        crs = VIETNAM_CRS if a <= lon0 and lon1 <= c and b <= lat0 and lat1 <= d \
            else gdf.estimate_utm_crs()
    return gdf.to_crs(crs)


def _records(gdf: Any, ids: list[str], names: list[str], id: str, name: str | None,
             centroids: Any) -> list[dict[str, Any]]:
    """One record per row; a source column that would clash with a field is kept renamed."""
    geometry = gdf.geometry.name
    columns = [c for c in gdf.columns if c not in (geometry, id, name)]
    rename = {c: f"source_{c}" if str(c) in _RESERVED else str(c) for c in columns}
    missing = {c: gdf[c].isna().to_numpy() for c in columns}  # NaN, None, pd.NA, NaT
    records = []
    for k, (uid, label, point) in enumerate(zip(ids, names, centroids)):
        record: dict[str, Any] = {"id": uid, "name": label,
                                  "lon": float(point.x), "lat": float(point.y)}
        for column in columns:
            value = None if missing[column][k] else gdf[column].iloc[k]
            if isinstance(value, np.generic):
                value = value.item()
            record[rename[column]] = value
        records.append(record)
    return records


def from_geodataframe(
    gdf: Any,
    id: str,
    name: str | None = None,
    *,
    contiguity: Literal["queen", "rook"] = "queen",
    weight: str | None = None,
    projected_crs: Any = None,
    set_name: str = "",
    provenance: str | None = None,
) -> UnitSet:
    """A unit set from polygons: libpysal contiguity as adjacency, centroids in degrees.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        One (multi)polygon per unit, with a CRS.
    id : str
        The column of unit ids (kept as text, stripped).
    name : str, optional
        The column of names (NFC); default: the ids.
    contiguity : {"queen", "rook"}
        ``"queen"``: units sharing a point border each other; ``"rook"``: only
        units sharing an edge.
    weight : str, optional
        A numeric column used as each unit's size weight (it stays an indicator).
    projected_crs : CRS, optional
        The CRS centroids are computed in; default :data:`VIETNAM_CRS` for data
        within Vietnam's bounds, else the estimated UTM zone.
    set_name : str
        The unit set's name.
    provenance : str, optional
        Where the data come from.

    Returns
    -------
    UnitSet
        Units in the frame's row order; ``lat``/``lon`` the centroids; every other
        column an indicator (numbers) or label (text); a column named like a unit
        field (``lat``, ``weight``...) is kept as ``source_<name>``.

    Raises
    ------
    UnitSetError
        No CRS, a missing or repeated id, a missing geometry, or a bad value.
    MissingDependencyError
        geopandas or libpysal (the ``geo`` extra) is not installed.

    Examples
    --------
    >>> import pytest; gpd = pytest.importorskip("geopandas"); _ = pytest.importorskip("libpysal")
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"code": ["a", "b", "c"], "pop": [1, 2, 3]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2)],
    ...                        crs="EPSG:4326")
    >>> s = from_geodataframe(gdf, id="code")
    >>> sorted(s.graph.edges()), round(s["a"].lon, 3)
    ([('a', 'b'), ('b', 'c')], 0.5)
    >>> sorted(from_geodataframe(gdf, id="code", contiguity="rook").graph.edges())
    [('a', 'b')]
    """
    cls = _weights_class(contiguity)
    _require("geopandas", "UnitSet.from_geodataframe()")
    for column in (id, name, weight):
        if column is not None and column not in gdf.columns:
            raise UnitSetError(f"no column {column!r}; columns: {list(map(str, gdf.columns))}")
    empty = [str(v) for v, g in zip(gdf[id], gdf.geometry) if g is None or g.is_empty]
    if empty:
        raise UnitSetError(f"no geometry for unit(s) {empty[:10]}")
    ids = [nfc(str(v)).strip() for v in gdf[id]]
    names = ids if name is None else [nfc(str(v)).strip() for v in gdf[name]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal's notes on islands: the graph says it too
        w = cls.from_dataframe(gdf, ids=ids, use_index=False, silence_warnings=True)
    centroids = _projected(gdf, projected_crs).centroid.to_crs("EPSG:4326")
    records = _records(gdf, ids, names, id, name, centroids)
    edges = sorted({tuple(sorted((a, b))) for a, bs in w.neighbors.items() for b in bs})
    return from_records(records, edges, weight=weight, name=set_name, provenance=provenance)


def to_weights(unit_set: UnitSet) -> Any:
    """The unit set's borders as a libpysal ``W`` keyed by unit id (binary weights).

    Parameters
    ----------
    unit_set : UnitSet
        The units; ``W.id_order`` is ``unit_set.ids``.

    Returns
    -------
    libpysal.weights.W
        ``w.neighbors[uid]``: the ids bordering ``uid``, in the unit set's order
        (an island has none).

    Raises
    ------
    MissingDependencyError
        libpysal (the ``geo`` extra) is not installed.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("libpysal")
    >>> s = UnitSet([{"id": i, "name": i} for i in "abc"], edges=[("a", "b")])
    >>> w = to_weights(s)
    >>> w.neighbors["a"], w.id_order, UnitSet(s.units, w).graph.number_of_edges()
    (['b'], ['a', 'b', 'c'], 1)
    """
    _require("libpysal", "UnitSet.to_weights()")
    from libpysal.weights import W

    neighbors = {uid: sorted(unit_set.graph.neighbors(uid), key=unit_set.index)
                 for uid in unit_set.ids}
    return W(neighbors, id_order=list(unit_set.ids), silence_warnings=True)


# -- plans out ------------------------------------------------------------------------------


def _geometries(plan: Plan) -> dict[str, dict[str, Any] | None]:
    """Each unit's GeoJSON geometry: its shipped polygons, else its centroid, else ``None``."""
    try:
        from .boundaries import unit_polygons
    except ImportError:  # an older package without boundaries
        polygons = None
    else:
        polygons = unit_polygons(plan.unit_set)
    out: dict[str, dict[str, Any] | None] = {}
    for u in plan.unit_set:
        if polygons is not None and polygons.get(u.id):
            coordinates = [[np.asarray(r, dtype=float).tolist() for r in rings]
                           for rings in polygons[u.id]]
            out[u.id] = ({"type": "Polygon", "coordinates": coordinates[0]}
                         if len(coordinates) == 1 else
                         {"type": "MultiPolygon", "coordinates": coordinates})
        elif u.lat is not None and u.lon is not None:
            out[u.id] = {"type": "Point", "coordinates": [u.lon, u.lat]}
        else:
            out[u.id] = None  # GeoJSON's null geometry: the unit is kept, without a place
    return out


def plan_features(plan: Plan) -> list[dict[str, Any]]:
    """One GeoJSON feature per unit: properties ``unit`` (id), ``name``, ``cluster``.

    A unit a partial plan leaves in no cluster has ``cluster`` ``None``.

    Parameters
    ----------
    plan : Plan
        The plan; features follow its unit set's order.

    Returns
    -------
    list of dict
        GeoJSON ``Feature`` objects; the geometry is the unit's shipped polygons
        (:func:`clustering.boundaries.unit_polygons`), else a point at its
        centroid, else ``None`` (a unit without coordinates).

    Examples
    --------
    >>> s = UnitSet([{"id": "1", "name": "Huế", "lat": 16.46, "lon": 107.6}])
    >>> plan_features(Plan(s, {"Trung": ["1"]}))[0]["geometry"]
    {'type': 'Point', 'coordinates': [107.6, 16.46]}
    """
    geometries = _geometries(plan)
    # by the clusters, not plan.labels: a unit of a partial plan in no cluster gets None
    owner = {uid: cluster for cluster, members in plan.clusters.items() for uid in members}
    return [
        {"type": "Feature",
         "properties": {"unit": u.id, "name": u.name, "cluster": owner.get(u.id)},
         "geometry": geometries[u.id]}
        for u in plan.unit_set
    ]


def plan_to_geojson(plan: Plan, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a plan as a GeoJSON FeatureCollection (UTF-8, names as stored), no geopandas needed.

    The collection also holds the plan's ``name``, ``notes`` and ``dataset``;
    :func:`plan_from_geojson` reads it back.

    Parameters
    ----------
    plan : Plan
        The plan (see :func:`plan_features` for the geometries).
    path : str or path
        The file to write.
    overwrite : bool
        Whether an existing file may be replaced.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> s = UnitSet([{"id": "1", "name": "Hà Nội", "lat": 21.0, "lon": 105.8},
    ...              {"id": "2", "name": "Huế", "lat": 16.46, "lon": 107.6}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.geojson"
    >>> _ = plan_to_geojson(Plan(s, {"Bắc": ["1"], "Trung": ["2"]}, name="bản A"), path)
    >>> again = plan_from_geojson(path, s)
    >>> again.clusters, again.name
    ({'Bắc': ['1'], 'Trung': ['2']}, 'bản A')
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    data = {"type": "FeatureCollection", "name": plan.name, "notes": plan.notes,
            "dataset": plan.unit_set.name, "features": plan_features(plan)}
    try:
        from .boundaries import ATTRIBUTION, unit_polygons
    except ImportError:
        pass
    else:
        if unit_polygons(plan.unit_set) is not None:
            data["attribution"] = ATTRIBUTION
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def plan_from_geojson(path: str | Path, unit_set: UnitSet, *, name: str = "") -> Plan:
    """Read a plan from a GeoJSON FeatureCollection: one feature per unit, with its cluster.

    Each feature's properties name its cluster (``cluster``, or ``Cụm``...) and
    its unit by id and/or name (``unit``, ``id``, ``Mã``, ``name``, ``Tỉnh``...;
    :data:`clustering.io.HEADER_ALIASES`), as in a proposal spreadsheet. The
    geometries are not read. The file is parsed safely (:func:`clustering.files.load_json`).

    Parameters
    ----------
    path : str or path
        The GeoJSON file (UTF-8).
    unit_set : UnitSet
        The units the plan partitions.
    name : str
        The plan's name (default: the collection's ``name``, else the file name).

    Returns
    -------
    Plan
        The plan.

    Raises
    ------
    PlanError
        Not UTF-8, not JSON, not a FeatureCollection, a feature without
        properties, a missing cluster or unit, or not a partition (the file and
        the feature, counted from 1, are named).
    UnknownNameError
        A feature names no unit of ``unit_set`` (closest names suggested).
    """
    source = str(path)
    if Path(path).stat().st_size > MAX_GEOJSON_BYTES:
        raise PlanError(f"{source}: larger than {MAX_GEOJSON_BYTES // 2**20} MB; not read")
    with file_errors_as(PlanError):
        data = load_json(read_text(path), source)
    features = data.get("features") if isinstance(data, Mapping) else None
    if not isinstance(features, list):
        raise PlanError(f"{source}: expected a GeoJSON FeatureCollection with 'features'")
    rows = []
    for k, feature in enumerate(features, 1):
        properties = feature.get("properties") if isinstance(feature, Mapping) else None
        if not isinstance(properties, Mapping):
            raise PlanError(f"{source}, feature {k}: no 'properties' object")
        rows.append({str(key): value for key, value in properties.items()})
    header = list(dict.fromkeys(key for row in rows for key in row))
    table = Sheet(source, None, header, [{h: r.get(h) for h in header} for r in rows],
                  list(range(1, len(rows) + 1)), row_word="feature")
    title = name or str(data.get("name") or "") or Path(path).stem
    return plan_from_table(table, unit_set, name=title, notes=str(data.get("notes") or ""))


def plan_to_geodataframe(plan: Plan) -> Any:
    """The plan as a GeoDataFrame (EPSG:4326): one row per unit, ``unit``, ``name``, ``cluster``.

    Parameters
    ----------
    plan : Plan
        The plan (see :func:`plan_features` for the geometries).

    Returns
    -------
    geopandas.GeoDataFrame
        Rows in the unit set's order; ``frame.attrs["name"]`` is the plan's name.

    Raises
    ------
    MissingDependencyError
        geopandas (the ``geo`` extra) is not installed.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("geopandas")
    >>> from clustering.datasets import vietnam_provinces
    >>> regions = Plan.from_attribute(vietnam_provinces(2024), "region")
    >>> frame = plan_to_geodataframe(regions)
    >>> len(frame), frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    (63, np.True_)
    """
    gpd = _require("geopandas", "Plan.to_geodataframe()")
    frame = gpd.GeoDataFrame.from_features(plan_features(plan), crs="EPSG:4326")
    frame = frame[["unit", "name", "cluster", "geometry"]]
    frame.attrs["name"] = plan.name
    return frame


def plan_to_gpkg(plan: Plan, path: str | Path, *, layer: str = "clusters",
                 overwrite: bool = False) -> Path:
    """Write a plan as a GeoPackage layer (geopandas ``to_file(driver="GPKG")``).

    Parameters
    ----------
    plan : Plan
        The plan (see :func:`plan_to_geodataframe`).
    path : str or path
        The ``.gpkg`` file.
    layer : str
        The layer's name.
    overwrite : bool
        Whether an existing file may be replaced.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false.
    MissingDependencyError
        geopandas (the ``geo`` extra) is not installed.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    frame = plan_to_geodataframe(plan)
    if path.exists():
        path.unlink()
    frame.to_file(path, driver="GPKG", layer=layer)
    return path
