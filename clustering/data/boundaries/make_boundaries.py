"""Make the simplified province boundaries shipped with the package (a one-off script).

The library never imports this file: it only documents, and can redo, how
``vn_provinces_63.geojson`` and ``vn_provinces_34.geojson`` were made from the
curated geoBoundaries copies (see ``PROVENANCE_boundaries.md``). It needs
shapely >= 2.1 (``pip install shapely``); the library reads the results with
:mod:`json` only.

Steps, for each of the two source files:

1. **Clean the coverage.** The source polygons do not overlap, but a few shared
   borders do not have the same vertices on both sides (10 short edges), and
   there are 2 tiny interior gaps. All borders are noded together and
   polygonized into faces; each face goes to the unit that contains it, and the
   faces in no unit (gaps under 1 km²) to the neighbour sharing most of their
   border. Every shared border then has identical vertices on both sides.
2. **Simplify the coverage, not each polygon**: :func:`shapely.coverage_simplify`
   (Visvalingam-Whyatt on the shared edges), so neighbours keep sharing one
   border, no gap or overlap opens, and no polygon (not even a one-hectare
   island of Hoàng Sa or Trường Sa) disappears.
3. **Round** the coordinates to 1e-3 degree (about 100 m) and check that every
   geometry is still valid and the whole still a valid coverage.
4. **Key by the project's unit ids**: each feature's properties are ``id`` (the
   GSO code, as in ``clustering.datasets.vietnam_provinces``), ``name``,
   ``name_ascii`` and ``centroid`` ([lon, lat] of the simplified shape, which
   tells the 2024 Đà Nẵng from the larger 2025 one: same id, same name); the
   ids and names are checked against the project's lists.
5. **Check adjacency**: the pairs of units whose polygons touch along a line
   are compared with the project's edge files and the differences printed (the
   34 units match exactly; the 63 differ by the one known river-channel pair).

Run it from the repository root::

    python clustering/data/boundaries/make_boundaries.py \\
        --source /work/shared/data/boundaries --out clustering/data/boundaries
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

try:  # only this script needs shapely; guarded so that collecting doctests never fails
    import shapely
    from shapely.geometry import mapping, shape
except ImportError:  # pragma: no cover
    shapely = None

SOURCES = {
    34: ("vn_provinces_34_from_geoboundaries.geojson", "vn_provinces_34.geojson", 2025),
    63: ("vn_provinces_63_geoboundaries.geojson", "vn_provinces_63.geojson", 2024),
}
#: Visvalingam-Whyatt tolerance, degrees (about the side of the smallest triangle kept).
TOLERANCE = 0.02
#: Decimal places kept (1e-3 degree, about 100 m).
DECIMALS = 3
#: Gaps smaller than this (deg², about 1 km²) are filled; larger holes are left.
MAX_GAP = 1e-4
ATTRIBUTION = (
    "Province boundaries: geoBoundaries VNM ADM1 (VNM-ADM1-63759600, public domain, source "
    "Wikimedia Commons), https://www.geoboundaries.org; dissolved to 34 units and simplified "
    "by fairclusters."
)


def clean_coverage(geoms: np.ndarray) -> np.ndarray:
    """Rebuild ``geoms`` on the 1e-3 degree grid from shared faces, edge-matched everywhere."""
    grid = 10.0 ** -DECIMALS
    lines = shapely.union_all(shapely.boundary(geoms), grid_size=grid)  # snap-rounded, noded
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    owner = np.full(len(faces), -1)
    for f, face in enumerate(faces):
        overlap = shapely.area(shapely.intersection(geoms, face))
        if overlap.max() >= 0.5 * face.area:
            owner[f] = int(np.argmax(overlap))
        elif face.area <= MAX_GAP:  # a gap: to the neighbour sharing most of its border
            owner[f] = int(np.argmax(shapely.length(shapely.intersection(geoms, face.boundary))))
            print(f"  filled a gap of {face.area * 12300:.3f} km² into unit #{owner[f]}")
    out = np.array([shapely.coverage_union_all(faces[owner == i]) for i in range(len(geoms))])
    assert shapely.is_valid(out).all() and shapely.coverage_is_valid(out)
    return out


def simplify(geoms: np.ndarray) -> np.ndarray:
    """Coverage-simplify ``geoms`` and round their coordinates, checking validity."""
    parts_before = shapely.get_num_geometries(geoms)
    simple = shapely.coverage_simplify(geoms, TOLERANCE)
    # The faces are on the grid and simplification only drops vertices: rounding is exact.
    rounded = shapely.transform(simple, lambda xy: np.round(xy, DECIMALS))
    assert shapely.is_valid(rounded).all(), "a polygon became invalid after rounding"
    assert shapely.coverage_is_valid(rounded), "shared borders no longer match"
    assert (shapely.get_num_geometries(rounded) == parts_before).all(), "a polygon was lost"
    return rounded


def adjacency(geoms: np.ndarray, ids: list[str]) -> set[tuple[str, str]]:
    """Pairs of ids whose polygons share a border line (not just a point)."""
    tree = shapely.STRtree(geoms)
    pairs = set()
    for i, j in zip(*tree.query(geoms, predicate="intersects")):
        if i < j and shapely.intersection(geoms[i], geoms[j]).length > 0:
            pairs.add(tuple(sorted((ids[i], ids[j]))))
    return pairs


def project_units(year: int) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """The project's ids -> names and adjacency pairs for ``year``."""
    from clustering.datasets import vietnam_provinces

    units = vietnam_provinces(year)
    names = {u.id: u.name for u in units}
    return names, {tuple(sorted(e)) for e in units.graph.edges()}


def make(source: Path, out: Path, n_units: int) -> Path:
    """Write the simplified file for the ``n_units`` set; return its path."""
    src_name, out_name, year = SOURCES[n_units]
    data = json.loads((source / src_name).read_text(encoding="utf-8"))
    features = data["features"]
    ids = [f["properties"]["code"] for f in features]
    names, edges = project_units(year)
    assert sorted(ids) == sorted(names), "ids differ from the project's"
    for f in features:
        assert f["properties"]["name_vi"] == names[f["properties"]["code"]], f["properties"]
    print(f"{src_name}: {len(features)} units")
    geoms = simplify(clean_coverage(np.array([shape(f["geometry"]) for f in features])))
    found = adjacency(geoms, ids)
    print(f"  adjacency: {len(found)} pairs; missing {sorted(edges - found)}, "
          f"extra {sorted(found - edges)}")
    collection = {
        "type": "FeatureCollection",
        "name": f"vn_provinces_{n_units}",
        "attribution": ATTRIBUTION,
        "features": [
            {"type": "Feature",
             "properties": {"id": uid, "name": names[uid],
                            "name_ascii": f["properties"]["name_ascii"],
                            "centroid": [round(g.centroid.x, DECIMALS),
                                         round(g.centroid.y, DECIMALS)]},
             "geometry": mapping(g)}
            for uid, f, g in sorted(zip(ids, features, geoms), key=lambda t: t[0])
        ],
    }
    path = out / out_name
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text.replace(".0,", ",").replace(".0]", "]") + "\n", encoding="utf-8")
    print(f"  wrote {path} ({path.stat().st_size / 1024:.0f} KB, "
          f"{int(shapely.get_num_coordinates(geoms).sum())} points)")
    return path


def main() -> None:
    """Parse the arguments and write both files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=Path("/work/shared/data/boundaries"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    if shapely is None:
        raise SystemExit("make_boundaries.py needs shapely >= 2.1: pip install shapely")
    for n in SOURCES:
        make(args.source, args.out, n)


if __name__ == "__main__":
    main()
