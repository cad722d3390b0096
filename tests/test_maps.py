"""Real maps (issue 15 part 1): shipped province polygons, their loader, and choropleth maps.

Golden-image free: the checks read the matplotlib figure objects (collections,
legend, insets, texts) and the :class:`benchmarks.figures.MapSummary` of what
was drawn, and compare them with truths computed here from the unit sets.
"""

from __future__ import annotations

import colorsys
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
import tomllib

from benchmarks.compare import Evaluation
from benchmarks.figures import BORDER_GREY, OFFSHORE_LON, draw_map, map_colours, plot_map
from benchmarks.proposals import read_proposal
from clustering import boundaries
from clustering.boundaries import (
    ATTRIBUTION,
    GeoJSONError,
    geojson_unit_polygons,
    read_geojson_polygons,
    unit_polygons,
)
from clustering.datasets import vietnam_communes, vietnam_provinces
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet

ROOT = Path(__file__).parents[1]
DATA = ROOT / "clustering" / "data"
EXAMPLES = ROOT / "benchmarks" / "examples"
RULES = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)


def squash(text: str) -> str:
    """Text with every run of whitespace (line wraps included) as one space."""
    return " ".join(text.split())


# -- the shipped files and the loader --------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2024])
def test_every_shipped_unit_has_closed_polygons_keyed_by_the_project_ids(year):
    vn = vietnam_provinces(year)
    polygons = unit_polygons(vn)
    assert list(polygons) == list(vn.ids)
    for uid, unit in polygons.items():
        assert unit, uid
        for polygon in unit:
            for ring in polygon:
                assert ring.dtype == float and ring.ndim == 2 and ring.shape[1] == 2
                assert len(ring) >= 4 and (ring[0] == ring[-1]).all(), uid
                assert not ring.flags.writeable
                assert (102 < ring[:, 0]).all() and (ring[:, 0] < 116).all()
                assert (8 < ring[:, 1]).all() and (ring[:, 1] < 24).all()


@pytest.mark.parametrize("year", [2025, 2024])
def test_bounding_boxes_contain_the_unit_centroids(year):
    polygons = unit_polygons(vietnam_provinces(year))
    for u in vietnam_provinces(year):
        mainland = np.vstack([p[0] for p in polygons[u.id] if p[0][:, 0].min() <= OFFSHORE_LON])
        (x0, y0), (x1, y1) = mainland.min(axis=0), mainland.max(axis=0)
        assert x0 <= u.lon <= x1 and y0 <= u.lat <= y1, u.name


def test_shipped_files_are_small_keyed_and_attributed():
    for n, year in ((34, 2025), (63, 2024)):
        path = DATA / "boundaries" / f"vn_provinces_{n}.geojson"
        assert path.stat().st_size < 100_000
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["attribution"] == ATTRIBUTION
        vn = vietnam_provinces(year)
        assert {f["properties"]["id"]: f["properties"]["name"] for f in data["features"]} == {
            u.id: u.name for u in vn}
    notice = (DATA / "DATASETS.md").read_text(encoding="utf-8").replace("\n> ", " ")
    assert squash(ATTRIBUTION) in squash(notice)
    provenance = (DATA / "boundaries" / "PROVENANCE_boundaries.md").read_text(encoding="utf-8")
    assert squash(ATTRIBUTION) in squash(provenance.replace("\n> ", " "))
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = package_data["tool"]["setuptools"]["package-data"]["clustering"]
    assert {"data/boundaries/*.geojson", "data/boundaries/*.md"} <= set(patterns)


def test_neighbouring_provinces_share_their_border_vertices():
    # A coverage: Hà Nội's neighbours share border points with it (simplified together).
    vn = vietnam_provinces(2025)
    polygons = unit_polygons(vn)
    points = {uid: {tuple(p) for poly in unit for ring in poly for p in ring.tolist()}
              for uid, unit in polygons.items()}
    for a, b in vn.graph.edges():
        assert len(points[a] & points[b]) >= 2, (vn[a].name, vn[b].name)


def test_subsets_get_their_subset_and_other_sets_get_none():
    vn = vietnam_provinces(2024)
    full = unit_polygons(vn)
    part = unit_polygons(vn.subset(["79", "01", "48"]))
    assert list(part) == ["79", "01", "48"]
    assert all(part[u][0][0] is full[u][0][0] for u in part)
    # Đà Nẵng keeps its id and name in 2025 but absorbed Quảng Nam: the coordinates decide
    new = unit_polygons(vietnam_provinces(2025).subset(["48"]))["48"]
    assert new[0][0] is unit_polygons(vietnam_provinces(2025))["48"][0][0]
    assert min(p[0][:, 1].min() for p in new) < 15.2 < min(p[0][:, 1].min() for p in part["48"])
    assert unit_polygons(vietnam_communes("Hà Nội")) is None
    assert unit_polygons(planar_unit_set(5, seed=1)) is None
    # the ids alone do not decide: "15" is Yên Bái in 2024 and Lào Cai in 2025
    assert unit_polygons(UnitSet([{"id": "15", "name": "Yên Bái"}])) is not None
    mixed = UnitSet([{"id": "15", "name": "Yên Bái"}, {"id": "08", "name": "Tuyên Quang"},
                     {"id": "02", "name": "Hà Giang"}, {"id": "19", "name": "Thái Nguyên"}])
    assert set(unit_polygons(mixed)) == {"15", "08", "02", "19"}  # all four exist in 2024
    assert unit_polygons(UnitSet([{"id": "15", "name": "Lào Cai"},
                                  {"id": "02", "name": "Hà Giang"}])) is None  # 2025 + 2024


def test_loader_is_fast_and_cached():
    vn = vietnam_provinces(2025)
    cold = []
    for _ in range(3):
        boundaries._shipped.cache_clear()
        start = time.perf_counter()
        unit_polygons(vn)
        cold.append(time.perf_counter() - start)
    start = time.perf_counter()
    unit_polygons(vn)
    assert time.perf_counter() - start < 0.01
    assert min(cold) < 0.05


# -- reading a user's GeoJSON ----------------------------------------------------------


def _write(tmp_path: Path, data: object, name: str = "u.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _feature(props: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
HOLE = [[0.2, 0.2], [0.4, 0.2], [0.4, 0.4], [0.2, 0.2]]


def test_geojson_polygons_multipolygons_holes_and_repeated_keys(tmp_path):
    features = [
        _feature({"code": "a"}, {"type": "Polygon", "coordinates": [SQUARE, HOLE]}),
        _feature({"code": "b"}, {"type": "MultiPolygon",
                                 "coordinates": [[SQUARE[:-1]], [[[5, 5], [6, 5], [6, 6]]]]}),
        _feature({"code": "a"}, {"type": "Polygon", "coordinates": [[[3, 3], [4, 3], [4, 4]]]}),
    ]
    polygons = read_geojson_polygons(_write(tmp_path, {"type": "FeatureCollection",
                                                       "features": features}), "code")
    assert sorted(polygons) == ["a", "b"]
    assert [len(p) for p in polygons["a"]] == [2, 1]  # exterior + hole, then the second feature
    assert len(polygons["b"]) == 2
    assert all((r[0] == r[-1]).all() for unit in polygons.values() for p in unit for r in p)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"type": "FeatureCollection", "features": [NaN]}', "not valid JSON"),
    ({"type": "Feature"}, "expected a FeatureCollection"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature"}]}, "feature #0"),
    ({"type": "FeatureCollection", "features": [_feature({"name": "x"}, None)]},
     r"feature #0 has no 'code' property \(its properties: 'name'\)"),
    ({"type": "FeatureCollection",
      "features": [_feature({"code": "a"}, {"type": "Polygon", "coordinates": [SQUARE]}),
                   _feature({"code": "b"}, {"type": "Point", "coordinates": [0, 0]})]},
     r"feature #1 \(code='b'\): geometry 'Point'"),
    ({"type": "FeatureCollection",
      "features": [_feature({"code": 7}, {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})]},
     r"feature #0 \(code='7'\): a ring has fewer than 3"),
    ({"type": "FeatureCollection",
      "features": [_feature({"code": "a"},
                            {"type": "Polygon", "coordinates": [[[0, 0], [500, 0], [1, 1]]]})]},
     r"position \[500.0, 0.0\] is not a \(longitude, latitude\)"),
    ({"type": "FeatureCollection",
      "features": [_feature({"code": "a"}, {"type": "Polygon", "coordinates": [["x", "y"]]})]},
     "not a list of"),
])
def test_bad_geojson_files_name_the_bad_feature(tmp_path, content, message):
    with pytest.raises(GeoJSONError, match=message):
        read_geojson_polygons(_write(tmp_path, content), "code")


def test_missing_or_huge_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(GeoJSONError, match="cannot be read"):
        read_geojson_polygons(tmp_path / "absent.geojson", "code")
    path = _write(tmp_path, {"type": "FeatureCollection", "features": []})
    monkeypatch.setattr(boundaries, "MAX_GEOJSON_BYTES", 10)
    with pytest.raises(GeoJSONError, match="more than"):
        read_geojson_polygons(path, "code")


def test_geojson_is_matched_to_units_by_the_property_naming_them(tmp_path):
    units = UnitSet([{"id": "u1", "name": "Đồng Nai"}, {"id": "u2", "name": "Bình Phước"}])
    features = [_feature({"fid": 1, "ten": "Dong Nai"},
                         {"type": "Polygon", "coordinates": [SQUARE]}),
                _feature({"fid": 2, "ten": "BINH PHUOC"},
                         {"type": "Polygon", "coordinates": [SQUARE]}),
                _feature({"fid": 3, "ten": "Elsewhere"}, None)]  # names no unit: skipped
    path = _write(tmp_path, {"type": "FeatureCollection", "features": features})
    assert list(geojson_unit_polygons(path, units)) == ["u1", "u2"]
    with pytest.raises(GeoJSONError, match=r"no polygon for Bình Phước \(matched on the 'ten'"):
        geojson_unit_polygons(_write(tmp_path, {"type": "FeatureCollection",
                                                "features": features[:1]}, "one.geojson"), units)


# -- the maps --------------------------------------------------------------------------


def _evaluation(plan: Plan, rules: ClusterRules | None = RULES) -> Evaluation:
    violations = plan_violations(plan, rules) if rules is not None else []
    return Evaluation(plan.name, "proposal", plan, None, violations, {})


@pytest.fixture(scope="module")
def drawn():
    """The cities-bloc proposal (it breaks the rules) on the 34-unit map, in Vietnamese."""
    import matplotlib.pyplot as plt

    vn = vietnam_provinces(2025)
    plan = read_proposal(EXAMPLES / "cities_bloc.yaml", vn).plan
    fig, summary = draw_map(_evaluation(plan))
    yield plan, fig, summary
    plt.close(fig)


def _main_axes(fig):
    (ax,) = fig.axes  # the insets are the map's child axes
    return ax


def _hex(rgba) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgba[:3])


def _true_adjacent_clusters(plan: Plan) -> set[frozenset[str]]:
    cluster = {u: plan.cluster_of(u) for u in plan.unit_set.ids}
    return {frozenset((cluster[a], cluster[b])) for a, b in plan.unit_set.graph.edges()
            if cluster[a] != cluster[b]}


def _assert_proper_colours(plan: Plan, colours: dict[str, str]) -> None:
    assert set(colours) == set(plan.cluster_names)
    for pair in _true_adjacent_clusters(plan):
        a, b = sorted(pair)
        assert colours[a] != colours[b], (a, b)
    for colour in colours.values():
        assert colour.lower() != BORDER_GREY
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        assert colorsys.rgb_to_hsv(*rgb)[1] > 0.3, colour  # saturated: not a grey


def test_every_cluster_is_filled_in_its_colour(drawn):
    plan, fig, summary = drawn
    assert summary.source == "shipped" and summary.clusters == plan.cluster_names
    ax = _main_axes(fig)
    fills = next(c for c in ax.collections if c.get_gid() == "units")
    facecolours = [_hex(c) for c in fills.get_facecolors()]
    assert len(facecolours) == len(plan.unit_set)  # every unit has a mainland part
    expected = [summary.colours[plan.cluster_of(uid)] for uid in plan.unit_set.ids]
    assert facecolours == expected
    _assert_proper_colours(plan, summary.colours)
    assert {frozenset(p) for p in summary.adjacent} == _true_adjacent_clusters(plan)


def test_borders_thin_between_provinces_thick_between_clusters(drawn):
    _, fig, _ = drawn
    widths = {c.get_gid(): c.get_linewidths()[0] for c in _main_axes(fig).collections
              if str(c.get_gid()).startswith("borders:")}
    assert widths["borders:province"] < widths["borders:outline"] < widths["borders:cluster"]
    segments = {c.get_gid(): len(c.get_segments()) for c in _main_axes(fig).collections
                if str(c.get_gid()).startswith("borders:")}
    assert all(n > 0 for n in segments.values())


def test_legend_lists_every_cluster_by_its_whole_name(drawn):
    plan, fig, summary = drawn
    legend = _main_axes(fig).get_legend()
    texts = [squash(t.get_text()) for t in legend.get_texts()]
    assert texts == summary.legend
    assert texts == [f"{k + 1}. {name} ({len(plan.clusters[name])})"
                     for k, name in enumerate(plan.cluster_names)]
    assert legend.get_title().get_text() == "Các cụm"  # Vietnamese by default
    swatches = [_hex(h.get_facecolor()) for h in legend.legend_handles]
    assert swatches == [summary.colours[name] for name in plan.cluster_names]


def test_archipelagos_are_in_insets_not_on_the_main_map(drawn):
    plan, fig, summary = drawn
    assert summary.insets == {"Hoàng Sa": ["48"], "Trường Sa": ["56"]}
    insets = {ax.get_gid(): ax for ax in _main_axes(fig).child_axes}
    assert set(insets) == {"inset:Hoàng Sa", "inset:Trường Sa"}
    for name, uid, n_islands in (("Hoàng Sa", "48", 6), ("Trường Sa", "56", 7)):
        islands = next(c for c in insets[f"inset:{name}"].collections
                       if c.get_gid() == f"islands:{name}")
        assert len(islands.get_paths()) == n_islands
        assert {_hex(c) for c in islands.get_facecolors()} == {
            summary.colours[plan.cluster_of(uid)]}
        title = squash(" ".join(t.get_text() for t in insets[f"inset:{name}"].texts))
        assert f"Quần đảo {name}" in title and plan.unit_set[uid].name in title
    ax = _main_axes(fig)
    fills = next(c for c in ax.collections if c.get_gid() == "units")
    assert max(p.vertices[:, 0].max() for p in fills.get_paths()) < OFFSHORE_LON
    assert ax.get_xlim()[1] < 113.5  # room for the insets, not stretched out to 115 °E


def test_caption_has_the_attribution_and_the_rules_badge(drawn):
    _, fig, summary = drawn
    ax = _main_axes(fig)
    caption = squash(" ".join(t.get_text() for t in ax.texts if t.get_gid() == "caption"))
    assert squash(ATTRIBUTION) in caption and squash(ATTRIBUTION) in squash(summary.caption)
    assert "VI PHẠM QUY TẮC" in caption and "bị chia thành" in caption
    assert summary.breaks_rules and "vi phạm quy tắc" in ax.get_title(loc="left")


def test_labels_number_every_cluster_and_never_overlap(drawn):
    plan, fig, summary = drawn
    ax = _main_axes(fig)
    renderer = fig.canvas.get_renderer()
    numbers = {t.get_gid(): t for t in ax.texts if str(t.get_gid()).startswith("number:")}
    assert set(numbers) == {f"number:{name}" for name in plan.cluster_names}
    assert {t.get_text() for t in numbers.values()} == {str(k) for k in summary.numbers.values()}
    labels = [t for t in ax.texts if str(t.get_gid()).startswith(("number:", "name:"))]
    assert len(labels) > len(plan.cluster_names)  # some unit names fit too
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    obstacles = [inset.get_window_extent(renderer) for inset in ax.child_axes]
    obstacles += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "scale"]
    frame = ax.get_window_extent(renderer)
    for box in boxes:
        assert not any(box.overlaps(o) for o in obstacles)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 <= frame.y1


def test_scale_bar_is_in_km_at_the_map_latitude(drawn):
    _, fig, summary = drawn
    ax = _main_axes(fig)
    bar = next(line for line in ax.lines if line.get_gid() == "scale")
    (x0, x1), (lat, _) = bar.get_xdata(), bar.get_ydata()
    km = (x1 - x0) * 111.32 * math.cos(math.radians(lat))
    assert km == pytest.approx(summary.scale_km) and summary.scale_km in (100, 200, 500)
    assert f"{summary.scale_km:g} km" in [t.get_text() for t in ax.texts]


def test_the_63_unit_map_in_english(tmp_path):
    import matplotlib.pyplot as plt

    vn = vietnam_provinces(2024)
    plan = Plan.from_attribute(vn, "region", name="GSO regions")
    fig, summary = draw_map(_evaluation(plan, None), lang="en")
    try:
        assert summary.source == "shipped" and summary.clusters == plan.cluster_names
        assert set(summary.insets) == {"Hoàng Sa", "Trường Sa"} and not summary.breaks_rules
        _assert_proper_colours(plan, summary.colours)
        ax = _main_axes(fig)
        assert ax.get_legend().get_title().get_text() == "Clusters"
        assert "Boundaries: " + squash(ATTRIBUTION) in squash(summary.caption)
        assert "⚠" not in summary.caption + ax.get_title(loc="left")
    finally:
        plt.close(fig)


def test_without_polygons_the_centroids_are_drawn_with_the_same_care():
    import matplotlib.pyplot as plt

    units = planar_unit_set(30, seed=3)
    plan = Plan.from_labels(units, [i * 5 // 30 for i in range(30)], name="planar")
    fig, summary = draw_map(_evaluation(plan, None))
    try:
        assert summary.source == "centroids" and summary.insets == {}
        assert summary.clusters == plan.cluster_names
        _assert_proper_colours(plan, summary.colours)
        ax = _main_axes(fig)
        dots = next(c for c in ax.collections if c.get_gid() == "units")
        assert [_hex(c) for c in dots.get_facecolors()] == [
            summary.colours[plan.cluster_of(u)] for u in units.ids]
        assert [squash(t.get_text()) for t in ax.get_legend().get_texts()] == summary.legend
        renderer = fig.canvas.get_renderer()
        labels = [t.get_window_extent(renderer) for t in ax.texts
                  if str(t.get_gid()).startswith(("number:", "name:"))]
        assert len(labels) >= plan.n_clusters
        assert not any(a.overlaps(b) for i, a in enumerate(labels) for b in labels[i + 1:])
        assert "chấm" in summary.caption and ATTRIBUTION not in summary.caption
    finally:
        plt.close(fig)


def test_a_users_geojson_is_drawn_and_credited_by_file_name(tmp_path):
    import matplotlib.pyplot as plt

    vn = vietnam_provinces(2025).subset(["01", "31", "33"])
    features = [_feature({"ma": u.id}, {"type": "Polygon", "coordinates": [[
        [u.lon - .2, u.lat - .2], [u.lon + .2, u.lat - .2], [u.lon + .2, u.lat + .2],
        [u.lon - .2, u.lat + .2], [u.lon - .2, u.lat - .2]]]}) for u in vn]
    path = _write(tmp_path, {"type": "FeatureCollection", "features": features}, "mine.geojson")
    plan = Plan(vn, {"A": ["01"], "B": ["31", "33"]}, name="mine")
    fig, summary = draw_map(_evaluation(plan, None), geojson=path)
    try:
        assert summary.source == "geojson" and "mine.geojson" in summary.caption
        assert summary.clusters == ["A", "B"]
    finally:
        plt.close(fig)
    written = plot_map(_evaluation(plan, None), tmp_path / "m.png", geojson=path)
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = plot_map(_evaluation(plan, None), tmp_path / "m2.png", geojson=path)
    assert again.read_bytes() == written.read_bytes()  # deterministic


def test_many_clusters_still_never_share_a_colour_with_a_neighbour():
    vn = vietnam_provinces(2024)
    singletons = Plan(vn, {u.name: [u.id] for u in vn}, name="one per unit")
    colours = map_colours(singletons)
    _assert_proper_colours(singletons, colours)
    assert len(set(colours.values())) < len(vn)  # the graph is coloured, not one colour each
    assert map_colours(singletons) == colours  # deterministic


def test_offshore_units_without_polygons_go_to_their_inset():
    import matplotlib.pyplot as plt

    units = UnitSet([{"id": "a", "name": "A", "lat": 16.0, "lon": 106.0},
                     {"id": "b", "name": "B", "lat": 16.3, "lon": 106.6},
                     {"id": "c", "name": "C", "lat": 15.6, "lon": 106.3},
                     {"id": "d", "name": "D", "lat": 16.5, "lon": 112.3}],
                    [("a", "b"), ("b", "c"), ("a", "c"), ("b", "d")])
    plan = Plan(units, {"West": ["a", "c"], "East": ["b", "d"]}, name="two")
    fig, summary = draw_map(_evaluation(plan, None), lang="en")
    try:
        assert summary.source == "centroids" and summary.insets == {"Hoàng Sa": ["d"]}
        ax = _main_axes(fig)
        assert ax.get_xlim()[1] < 109
        (inset,) = ax.child_axes
        dots = next(c for c in inset.collections if c.get_gid() == "island-units:Hoàng Sa")
        assert [_hex(c) for c in dots.get_facecolors()] == [summary.colours["East"]]
        assert "Hoàng Sa archipelago" in inset.texts[0].get_text()
    finally:
        plt.close(fig)
    islands_only = UnitSet([{"id": "p", "name": "P", "lat": 16.5, "lon": 112.3},
                            {"id": "q", "name": "Q", "lat": 16.8, "lon": 111.9}], [("p", "q")])
    plan = Plan(islands_only, {"All": ["p", "q"]}, name="islands")
    fig, summary = draw_map(_evaluation(plan, None))
    try:
        assert summary.insets == {} and summary.clusters == ["All"]
    finally:
        plt.close(fig)
