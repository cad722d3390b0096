"""The figures of a benchmark report: the clusters on a map, the metrics' distributions.

A map (:func:`draw_map`, written by :func:`plot_map`) is a choropleth when the
units' polygons are known: the province boundaries shipped with the package
(:func:`clustering.boundaries.unit_polygons`, the 34 units of 2025 and the 63 of
2024, or a subset) or a ``--geojson`` file. Province borders are thin, cluster
borders thick; the Hoàng Sa and Trường Sa archipelagos, parts of Đà Nẵng and
Khánh Hòa, are drawn in insets; a scale bar gives kilometres at the map's
latitude and the caption carries the boundaries' attribution. Without polygons
(the communes, your own units) the units' centroids are drawn, joined along
their borders. Either way adjacent clusters never share a colour (the cluster
adjacency graph is coloured, :func:`map_colours`), each cluster is numbered on
the map where the number overlaps nothing, and the legend keeps the whole
names (wrapped). A plan that breaks the rules says so in its title and in a red
badge in the caption.

They need matplotlib (the ``plot`` extra); without it :class:`PlotUnavailable`
is raised and the report says so. Titles, captions and legends follow ``lang``.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from clustering.boundaries import ATTRIBUTION, Polygons, geojson_unit_polygons, unit_polygons
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.plan import Plan
from clustering.units import UnitSet

from .compare import METRICS, Benchmark, Evaluation
from .front import FRONT_TEXTS, X_METRIC, Y_METRIC
from .text_report import (
    ROW_TEXTS,
    WORDS,
    display_name,
    sample_text,
    shown_names,
    violations_text,
    wrap_text,
)

__all__ = [
    "BORDER_GREY",
    "MAP_WORDS",
    "OFFSHORE_LON",
    "MapSummary",
    "PlotUnavailable",
    "cluster_adjacency",
    "cluster_colours",
    "draw_map",
    "map_colours",
    "plot_distribution",
    "plot_front",
    "plot_map",
]


class PlotUnavailable(ImportError):
    """matplotlib is not installed (install the ``plot`` extra)."""


# -- colours ---------------------------------------------------------------------------

#: The colour of borders between clusters on the centroid maps; no cluster is drawn in a grey.
BORDER_GREY = "#cccccc"
# matplotlib's tab10 without its grey (#7f7f7f), which reads as a border.
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#bcbd22", "#17becf")
_INK = "#333333"  # cluster borders, outlines, label frames
_BREACH = "#c00000"  # the "breaks the rules" badge


def cluster_colours(n: int) -> list[str]:
    """``n`` distinct, saturated colours (``#rrggbb``), none of them grey.

    The first nine are matplotlib's ``tab10`` without its grey; more are spread
    around the colour wheel (golden-ratio hues, alternating brightness).

    Parameters
    ----------
    n : int
        Number of clusters (>= 0).

    Returns
    -------
    list of str
        One colour per cluster, in cluster order.

    Examples
    --------
    >>> cluster_colours(2)
    ['#1f77b4', '#ff7f0e']
    """
    colours = list(_PALETTE[:n])
    hue = 0.13
    while len(colours) < n:
        k = len(colours) - len(_PALETTE)
        hue = (hue + 0.618033988749895) % 1.0
        r, g, b = colorsys.hsv_to_rgb(hue, (0.85, 0.55)[k % 2], (0.8, 0.95, 0.65)[k % 3])
        colour = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
        if colour not in colours:
            colours.append(colour)
    return colours


def cluster_adjacency(plan: Plan) -> nx.Graph:
    """The clusters as a graph: two clusters are adjacent when two of their units are.

    Parameters
    ----------
    plan : Plan
        The plan; adjacency comes from its unit set's graph (the land borders).

    Returns
    -------
    networkx.Graph
        One node per cluster name (in plan order), one edge per pair of clusters
        sharing a border.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> units = planar_unit_set(6, seed=0)
    >>> plan = Plan.from_labels(units, [0, 0, 0, 1, 1, 1])
    >>> sorted(cluster_adjacency(plan).nodes) == sorted(plan.cluster_names)
    True
    """
    graph = nx.Graph()
    graph.add_nodes_from(plan.cluster_names)
    cluster = [plan.cluster_names[int(k)] for k in plan.labels]
    index = {uid: i for i, uid in enumerate(plan.unit_set.ids)}
    for a, b in plan.unit_set.graph.edges():
        ca, cb = cluster[index[a]], cluster[index[b]]
        if ca != cb:
            graph.add_edge(ca, cb)
    return graph


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _contrast(colour: str, others: list[str]) -> float:
    """The RGB distance from ``colour`` to the closest of ``others`` (inf if none)."""
    return min((math.dist(_rgb(colour), _rgb(o)) for o in others), default=math.inf)


def map_colours(plan: Plan) -> dict[str, str]:
    """A fill colour per cluster such that adjacent clusters never share one.

    The cluster adjacency graph (:func:`cluster_adjacency`) is coloured with
    networkx's ``greedy_color`` (strategy ``saturation_largest_first``, DSatur)
    on the qualitative palette of :func:`cluster_colours`; then, while the
    palette has unused colours, a cluster sharing its colour with an earlier one
    takes the unused colour most unlike its neighbours', so that up to nine
    clusters all differ. Deterministic; no colour is a grey.

    Parameters
    ----------
    plan : Plan
        The plan to colour.

    Returns
    -------
    dict of str to str
        ``#rrggbb`` per cluster name, in plan order.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> plan = Plan.from_attribute(vn, "region_majority")
    >>> colours = map_colours(plan)
    >>> graph = cluster_adjacency(plan)
    >>> any(colours[a] == colours[b] for a, b in graph.edges)
    False
    """
    graph = cluster_adjacency(plan)
    classes = nx.greedy_color(graph, strategy="saturation_largest_first")
    palette = cluster_colours(max(len(_PALETTE), max(classes.values(), default=0) + 1))
    colours = {name: palette[classes[name]] for name in plan.cluster_names}
    seen: set[str] = set()
    for name in plan.cluster_names:
        unused = [c for c in palette if c not in colours.values()]
        if colours[name] in seen and unused:
            neighbours = [colours[n] for n in graph.neighbors(name)]
            colours[name] = max(unused, key=lambda c: _contrast(c, neighbours))
        seen.add(colours[name])
    return colours


def _legend_label(name: str, width: int = 30) -> str:
    """The whole name, wrapped onto lines of about ``width`` characters."""
    return "\n".join(wrap_text(name, width))


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotUnavailable(
            "PNG figures need matplotlib: pip install 'fairclusters[plot]'"
        ) from exc
    return plt


# -- what a map drew -------------------------------------------------------------------

#: Polygon parts lying wholly east of this longitude are offshore archipelagos, drawn in insets.
OFFSHORE_LON = 110.0
#: The archipelagos, north to south: name, the latitude north of which a part belongs to it.
_ARCHIPELAGOS: tuple[tuple[str, float, Text], ...] = (
    ("Hoàng Sa", 13.0, Text(vi="Quần đảo Hoàng Sa", en="Hoàng Sa archipelago")),
    ("Trường Sa", -90.0, Text(vi="Quần đảo Trường Sa", en="Trường Sa archipelago")),
)
_EAST_SEA = (118.0, 6.0, 18.0)  # east limit (°E), south and north limits (°N) of the insets
_KM_PER_DEGREE = 111.32  # along a meridian, and along the equator
_SCALE_STEPS_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
_NAMED_UNITS_MAX = 80  # unit names are tried on maps of at most this many units
_DPI = 130

MAP_WORDS: dict[str, Text] = {
    "clusters": Text(vi="Các cụm", en="Clusters"),
    "badge": Text(vi="⚠ PHƯƠNG ÁN VI PHẠM QUY TẮC: {what}",
                  en="⚠ THE PLAN BREAKS THE RULES: {what}"),
    "numbers": Text(vi="Số trên bản đồ: số thứ tự của cụm trong chú giải.",
                    en="Numbers on the map: the clusters' numbers in the key."),
    "shipped": Text(vi="Nguồn ranh giới: {source}", en="Boundaries: {source}"),
    "geojson": Text(vi="Ranh giới: tệp {file}", en="Boundaries: file {file}"),
    "centroids": Text(
        vi="Không có ranh giới đơn vị: mỗi chấm là tâm một đơn vị, đường nối hai đơn vị có chung "
           "địa giới (đậm: cùng cụm, xám: khác cụm).",
        en="No unit boundaries: each dot is a unit's centre, lines join units sharing a border "
           "(bold: same cluster, grey: different clusters)."),
    "inset": Text(vi="{archipelago}\n({unit})", en="{archipelago}\n({unit})"),
}


@dataclass
class MapSummary:
    """What :func:`draw_map` drew, to check a map without comparing pixels.

    Attributes
    ----------
    title : str
        The title, unwrapped.
    caption : str
        The caption below the map, unwrapped, one line per paragraph (the rules
        badge first when the plan breaks them, then the key to the numbers and
        the boundaries' source or attribution).
    clusters : list of str
        The clusters drawn (at least one unit on the map), in plan order.
    legend : list of str
        The legend's entries, unwrapped: ``"<number>. <cluster name> (<size>)"``.
    colours : dict of str to str
        The fill colour (``#rrggbb``) of each cluster.
    numbers : dict of str to int
        The number of each cluster, on the map and in the legend.
    adjacent : list of tuple of str
        The pairs of clusters sharing a border (they never share a colour).
    insets : dict of str to list of str
        Per archipelago drawn in an inset (``"Hoàng Sa"``, ``"Trường Sa"``), the
        ids of the units it belongs to.
    source : str
        ``"shipped"`` (the package's boundaries), ``"geojson"`` (a file) or
        ``"centroids"`` (no polygons).
    scale_km : float or None
        The length of the scale bar, in km, measured at the bar's latitude.
    breaks_rules : bool
        Whether the plan breaks the rules (the badge is shown).
    unit_names : list of str
        The units whose names are printed (those that fit without overlapping).
    """

    title: str
    caption: str
    clusters: list[str]
    legend: list[str]
    colours: dict[str, str]
    numbers: dict[str, int]
    adjacent: list[tuple[str, str]]
    insets: dict[str, list[str]] = field(default_factory=dict)
    source: str = "centroids"
    scale_km: float | None = None
    breaks_rules: bool = False
    unit_names: list[str] = field(default_factory=list)


# -- geometry needed for drawing -------------------------------------------------------

_Part = tuple[int, list[np.ndarray]]  # (unit index, one polygon's rings)


def _polygons_for(unit_set: UnitSet, geojson: Path | None) -> tuple[dict[str, Polygons] | None,
                                                                    str]:
    """The units' polygons and where they come from (``shipped``, ``geojson``, ``centroids``)."""
    if geojson is not None:
        return geojson_unit_polygons(geojson, unit_set), "geojson"
    shipped = unit_polygons(unit_set)
    return (shipped, "shipped") if shipped is not None else (None, "centroids")


def _polygons_from_geojson(path: Path, unit_set: UnitSet) -> dict[str, list[np.ndarray]]:
    """Exterior rings (lon, lat) of each unit, matched by any property naming the unit.

    Kept for callers of the earlier API; see :func:`clustering.boundaries.geojson_unit_polygons`.
    """
    polygons = geojson_unit_polygons(path, unit_set)
    return {uid: [rings[0] for rings in unit] for uid, unit in polygons.items()}


def _archipelago(polygon: list[np.ndarray]) -> str | None:
    """The archipelago a polygon part belongs to, or None for the mainland and near islands.

    A part is offshore when it lies wholly in the East Sea box of the two
    archipelagos: east of :data:`OFFSHORE_LON`, west of 118 °E, between 6 and 18 °N.
    """
    (x0, y0), (x1, y1) = polygon[0].min(axis=0), polygon[0].max(axis=0)
    if not (OFFSHORE_LON < x0 and x1 <= _EAST_SEA[0] and _EAST_SEA[1] <= y0 and y1 <= _EAST_SEA[2]):
        return None
    lat = float(polygon[0][:, 1].mean())
    return next(name for name, north_of, _ in _ARCHIPELAGOS if lat >= north_of)


def _split_offshore(unit_set: UnitSet, polygons: dict[str, Polygons]
                    ) -> tuple[list[_Part], dict[str, list[_Part]]]:
    """The parts for the main map, and the archipelagos' parts, by archipelago."""
    main: list[_Part] = []
    offshore: dict[str, list[_Part]] = {}
    for i, uid in enumerate(unit_set.ids):
        for polygon in polygons[uid]:
            name = _archipelago(polygon)
            (main if name is None else offshore.setdefault(name, [])).append((i, polygon))
    if not main:  # nothing but islands: they are the map
        return [part for name, _, _ in _ARCHIPELAGOS for part in offshore.get(name, [])], {}
    order = [name for name, _, _ in _ARCHIPELAGOS]
    return main, {name: offshore[name] for name in order if name in offshore}


def _split_offshore_points(anchors: np.ndarray) -> dict[str, list[_Part]]:
    """The units whose centre lies offshore, by archipelago, each as a one-point "part"."""
    offshore: dict[str, list[_Part]] = {}
    for i, xy in enumerate(anchors):
        name = _archipelago([xy[None, :]]) if np.isfinite(xy).all() else None
        if name is not None:
            offshore.setdefault(name, []).append((i, [xy[None, :].copy()]))
    n_offshore = sum(len(parts) for parts in offshore.values())
    if n_offshore == int(np.isfinite(anchors).all(axis=1).sum()):
        return {}  # nothing but islands: they are the map
    order = [name for name, _, _ in _ARCHIPELAGOS]
    return {name: offshore[name] for name in order if name in offshore}


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _path(polygons: list[list[np.ndarray]]):
    """One compound matplotlib path: exteriors counter-clockwise, holes clockwise."""
    from matplotlib.path import Path as MplPath

    pieces = []
    for polygon in polygons:
        for k, ring in enumerate(polygon):
            ccw = _signed_area(ring) > 0
            pieces.append(MplPath(ring if ccw == (k == 0) else ring[::-1], closed=True))
    return MplPath.make_compound_path(*pieces)


def _border_segments(parts: list[_Part], cluster_of: list[int]) -> dict[str, np.ndarray]:
    """The rings' segments by kind: inside a cluster, between clusters, or the outline.

    A segment two units share (the shipped boundaries share their vertices) is a
    province border when both units are in one cluster, else a cluster border;
    a segment of one unit only is the outline (coast, or the edge of the set).
    """
    owners: dict[tuple[tuple[float, ...], tuple[float, ...]], set[int]] = {}
    counts: dict[tuple[tuple[float, ...], tuple[float, ...]], int] = {}
    for i, polygon in parts:
        for ring in polygon:
            points = [tuple(p) for p in ring.tolist()]
            for p, q in pairwise(points):
                key = (p, q) if p <= q else (q, p)
                owners.setdefault(key, set()).add(cluster_of[i])
                counts[key] = counts.get(key, 0) + 1
    kinds: dict[str, list] = {"province": [], "cluster": [], "outline": []}
    for key, clusters in owners.items():
        kind = "outline" if counts[key] == 1 else "province" if len(clusters) == 1 else "cluster"
        kinds[kind].append(key)
    return {kind: np.array(segs, dtype=float).reshape(-1, 2, 2) for kind, segs in kinds.items()}


def _anchors(unit_set: UnitSet, polygons: dict[str, Polygons] | None) -> np.ndarray:
    """(lon, lat) of each unit where its labels go: its centroid, else its first ring's mean."""
    out = np.full((len(unit_set), 2), np.nan)
    for i, u in enumerate(unit_set):
        if u.lat is not None and u.lon is not None:
            out[i] = (u.lon, u.lat)
        elif polygons is not None:
            out[i] = polygons[u.id][0][0][:-1].mean(axis=0)
    return out


# -- drawing ---------------------------------------------------------------------------


@dataclass
class _Canvas:
    """The figure being drawn and what it is drawn from."""

    fig: Any
    ax: Any
    plan: Plan
    colours: list[str]  # per unit
    lang: str
    occupied: list[tuple[float, float, float, float]] = field(default_factory=list)

    def renderer(self) -> Any:
        return self.fig.canvas.get_renderer()

    def px_box(self, artist: Any, pad: float = 1.0) -> tuple[float, float, float, float]:
        box = artist.get_window_extent(self.renderer())
        if pad != 1.0:
            box = box.expanded(pad, pad)
        return box.x0, box.y0, box.x1, box.y1


def _draw_polygons(canvas: _Canvas, parts: list[_Part]) -> None:
    """The units' fills (one collection) and their borders by kind."""
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.patches import PathPatch

    by_unit: dict[int, list[list[np.ndarray]]] = {}
    for i, polygon in parts:
        by_unit.setdefault(i, []).append(polygon)
    units = sorted(by_unit)
    fills = PatchCollection([PathPatch(_path(by_unit[i])) for i in units],
                            facecolors=[canvas.colours[i] for i in units], edgecolors="none",
                            zorder=1)
    fills.set_gid("units")
    canvas.ax.add_collection(fills)
    segments = _border_segments(parts, [int(k) for k in canvas.plan.labels])
    style = {"province": ("white", 0.35), "outline": (_INK, 0.6), "cluster": (_INK, 1.5)}
    for kind, (colour, width) in style.items():
        lines = LineCollection(segments[kind], colors=colour, linewidths=width, zorder=2,
                               capstyle="round", joinstyle="round")
        lines.set_gid(f"borders:{kind}")
        canvas.ax.add_collection(lines)


def _draw_centroids(canvas: _Canvas, anchors: np.ndarray) -> None:
    """Each unit a dot at its centroid; lines along borders, bold inside a cluster.

    Units without coordinates (NaN anchors, offshore ones included) are left out.
    """
    from matplotlib.collections import LineCollection

    plan, ax = canvas.plan, canvas.ax
    index = {uid: i for i, uid in enumerate(plan.unit_set.ids)}
    shown = np.isfinite(anchors).all(axis=1)
    inside, between, inside_colours = [], [], []
    for a, b in plan.unit_set.graph.edges():
        i, j = index[a], index[b]
        if not (shown[i] and shown[j]):
            continue
        segment = (anchors[i], anchors[j])
        if plan.labels[i] == plan.labels[j]:
            inside.append(segment)
            inside_colours.append(canvas.colours[i])
        else:
            between.append(segment)
    ax.add_collection(LineCollection(np.array(between).reshape(-1, 2, 2), colors=BORDER_GREY,
                                     linewidths=0.6, zorder=1))
    ax.add_collection(LineCollection(np.array(inside).reshape(-1, 2, 2), colors=inside_colours,
                                     linewidths=2.0, zorder=1))
    size = 34 if len(anchors) <= 100 else 6
    dots = ax.scatter(anchors[shown, 0], anchors[shown, 1], s=size,
                      c=[c for c, s in zip(canvas.colours, shown) if s], edgecolors=_INK,
                      linewidths=0.4, zorder=2)
    dots.set_gid("units")


def _extent(points: np.ndarray) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) of the finite points, padded by 3 %."""
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) == 0:
        return 0.0, 1.0, 0.0, 1.0
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    pad_x, pad_y = max(0.03 * (x1 - x0), 0.05), max(0.03 * (y1 - y0), 0.05)
    return x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y


def _aspect(lat: float) -> float:
    """Data aspect that keeps shapes true at latitude ``lat`` (a degree of longitude is shorter)."""
    return 1.0 / max(math.cos(math.radians(lat)), 0.05)


def _inset_boxes(extent: tuple[float, float, float, float], offshore: dict[str, list[_Part]],
                 width: float) -> dict[str, tuple[float, float, float, float]]:
    """(x, y, w, h) in the main map's degrees of each archipelago's panel, east of the land.

    The panels sit in a column east of the mainland, each near its true latitude,
    north to south, never overlapping.
    """
    x1, y0, y1 = extent[1], extent[2], extent[3]
    n = len(offshore)
    gap = 0.03 * (y1 - y0)
    height = min(width * 1.15, (y1 - y0 - gap * (n - 1)) / max(n, 1))
    boxes: dict[str, tuple[float, float, float, float]] = {}
    top = y1
    for name, parts in offshore.items():
        lat = float(np.mean([p[0][:, 1].mean() for _, p in parts]))
        bottom = min(max(lat - height / 2, y0), top - height)
        boxes[name] = (x1 + 0.04 * width, bottom, width, height)
        top = bottom - gap
    return boxes


def _fit_limits(ax: Any, extent: tuple[float, float, float, float]) -> None:
    """Limits holding ``extent``, widened to the axes' box so the true-shape aspect holds."""
    x0, x1, y0, y1 = extent
    aspect = _aspect((y0 + y1) / 2)
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    ratio = (box.height * fig_h) / (box.width * fig_w)  # the box's height over width
    dx, dy = x1 - x0, y1 - y0
    if aspect * dy / dx < ratio:
        dy = ratio * dx / aspect
    else:
        dx = aspect * dy / ratio
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - dx / 2, cx + dx / 2)
    ax.set_ylim(cy - dy / 2, cy + dy / 2)
    ax.set_aspect(aspect, adjustable="box")


def _draw_inset(canvas: _Canvas, name: str, parts: list[_Part],
                box: tuple[float, float, float, float]) -> None:
    """One archipelago in a framed panel of its own, at its own scale, named with its unit."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    inset = canvas.ax.inset_axes(box, transform=canvas.ax.transData, zorder=4)
    inset.set_gid(f"inset:{name}")
    x0, x1, y0, y1 = _extent(np.vstack([p[0] for _, p in parts]))
    pad = 0.25 * max(x1 - x0, y1 - y0)
    _fit_limits(inset, (x0 - pad, x1 + pad, y0 - pad, y1 + 1.6 * pad))  # name at the top
    shapes = [(i, p) for i, p in parts if len(p[0]) > 1]
    colours = [canvas.colours[i] for i, _ in shapes]
    islands = PatchCollection([PathPatch(_path([p])) for _, p in shapes], facecolors=colours,
                              edgecolors=colours, linewidths=1.6)
    islands.set_gid(f"islands:{name}")
    inset.add_collection(islands)
    points = [(i, p[0][0]) for i, p in parts if len(p[0]) == 1]  # units drawn as centroids
    if points:
        dots = inset.scatter([xy[0] for _, xy in points], [xy[1] for _, xy in points], s=30,
                             c=[canvas.colours[i] for i, _ in points], edgecolors=_INK,
                             linewidths=0.4, zorder=2)
        dots.set_gid(f"island-units:{name}")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor(_INK)
        spine.set_linewidth(0.6)
    unit_names = sorted({canvas.plan.unit_set.units[i].name for i, _ in parts})
    words = next(text for key, _, text in _ARCHIPELAGOS if key == name)
    inset.text(0.5, 0.97, MAP_WORDS["inset"](canvas.lang, archipelago=words(canvas.lang),
                                             unit=", ".join(unit_names)),
               transform=inset.transAxes, ha="center", va="top", fontsize=5.5, color=_INK)
    canvas.occupied.append(canvas.px_box(inset))


def _scale_bar(canvas: _Canvas, extent: tuple[float, float, float, float]) -> float:
    """A scale bar in the lower left, in km at its own latitude; return its length in km."""
    x0, x1, y0, y1 = extent
    lat = y0 + 0.05 * (y1 - y0)
    km_per_deg = _KM_PER_DEGREE * math.cos(math.radians(lat))
    target = 0.22 * (x1 - x0) * km_per_deg
    km = max([s for s in _SCALE_STEPS_KM if s <= target] or [_SCALE_STEPS_KM[0]])
    start, length = x0 + 0.04 * (x1 - x0), km / km_per_deg
    ax = canvas.ax
    ax.plot([start, start + length], [lat, lat], color=_INK, linewidth=3, solid_capstyle="butt",
            zorder=3, gid="scale")
    ax.plot([start + length / 2, start + length], [lat, lat], color="white", linewidth=1.6,
            solid_capstyle="butt", zorder=3)
    label = ax.annotate(f"{km:g} km", (start + length / 2, lat), xytext=(0, 4),
                        textcoords="offset points", ha="center", va="bottom", fontsize=6,
                        color=_INK, zorder=3, gid="scale")
    bar = ax.transData.transform([(start, lat), (start + length, lat)])
    lx0, _, lx1, ly1 = canvas.px_box(label)
    canvas.occupied.append((min(bar[0, 0], lx0), bar[0, 1] - 4, max(bar[1, 0], lx1), ly1))
    return float(km)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _fits(canvas: _Canvas, box: tuple[float, float, float, float]) -> bool:
    frame = canvas.px_box(canvas.ax)
    inside = (frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1]
              and box[3] <= frame[3])
    return inside and not any(_overlaps(box, other) for other in canvas.occupied)


def _box_at(xy: np.ndarray, size: tuple[float, float]) -> tuple[float, float, float, float]:
    w, h = size
    return xy[0] - w / 2, xy[1] - h / 2, xy[0] + w / 2, xy[1] + h / 2


def _free_spot(canvas: _Canvas, candidates: np.ndarray, size: tuple[float, float]
               ) -> tuple[np.ndarray, bool] | None:
    """The first candidate (pixels) where a box of ``size`` fits, else a nearby offset spot.

    Returns the spot and whether it is offset (a leader line is then drawn), or None.
    """
    for xy in candidates:
        if _fits(canvas, _box_at(xy, size)):
            return xy, False
    step = max(size)
    for radius in (1.3, 2.0, 3.0, 4.5, 6.5):
        for k in range(16):
            angle = 2 * math.pi * k / 16
            xy = candidates[0] + radius * step * np.array([math.cos(angle), math.sin(angle)])
            if _fits(canvas, _box_at(xy, size)):
                return xy, True
    return None


def _text_size(canvas: _Canvas, text: str, **style: Any) -> tuple[float, float]:
    """Width and height in pixels of ``text`` drawn with ``style``."""
    probe = canvas.ax.text(0, 0, text, **style)
    box = canvas.px_box(probe)
    probe.remove()
    return box[2] - box[0], box[3] - box[1]


_NUMBER_STYLE = {"fontsize": 7, "fontweight": "bold", "ha": "center", "va": "center",
                 "color": _INK}
_NUMBER_PAD = 1.9  # the circle around a number, relative to the number's box


def _cluster_candidates(anchors: np.ndarray, members: list[int], lat: float) -> np.ndarray:
    """The members' anchors, those nearest the cluster's middle first."""
    points = anchors[members]
    points = points[np.isfinite(points).all(axis=1)]
    scale = np.array([math.cos(math.radians(lat)), 1.0])
    middle = points.mean(axis=0)
    order = np.argsort(np.linalg.norm((points - middle) * scale, axis=1), kind="stable")
    return points[order]


def _number_clusters(canvas: _Canvas, anchors: np.ndarray, numbers: dict[str, int],
                     lat: float) -> None:
    """Each cluster's number in a circle, where it overlaps nothing (a leader line if moved)."""
    plan, ax = canvas.plan, canvas.ax
    for k, name in enumerate(plan.cluster_names):
        members = [i for i, label in enumerate(plan.labels) if int(label) == k]
        points = _cluster_candidates(anchors, members, lat)
        if len(points) == 0:
            continue
        text = str(numbers[name])
        w, h = _text_size(canvas, text, **_NUMBER_STYLE)
        size = (max(w, h) * _NUMBER_PAD,) * 2
        spot = _free_spot(canvas, ax.transData.transform(points), size)
        if spot is None:
            continue
        xy, moved = spot
        where = ax.transData.inverted().transform(xy)
        arrow = {"arrowstyle": "-", "color": _INK, "linewidth": 0.6} if moved else None
        ax.annotate(text, tuple(points[0]) if moved else tuple(where), xytext=tuple(where),
                    textcoords="data", arrowprops=arrow, zorder=5, gid=f"number:{name}",
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white",
                          "edgecolor": _INK, "linewidth": 0.6}, **_NUMBER_STYLE)
        canvas.occupied.append(_box_at(xy, size))


def _name_units(canvas: _Canvas, anchors: np.ndarray) -> list[str]:
    """The units' names where they fit, the most populous first; return the names printed."""
    from matplotlib import patheffects

    units = canvas.plan.unit_set
    if len(units) > _NAMED_UNITS_MAX:
        return []
    order = sorted(range(len(units)), key=lambda i: -(units.units[i].weight or 0.0))
    style = {"fontsize": 4.8, "ha": "center", "va": "center", "color": "black"}
    printed = []
    for i in order:
        if not np.isfinite(anchors[i]).all():
            continue
        xy = canvas.ax.transData.transform(anchors[i])
        w, h = _text_size(canvas, units.units[i].name, **style)
        box = _box_at(xy, (w * 1.1, h * 1.1))
        if not _fits(canvas, box):
            continue
        canvas.ax.text(*anchors[i], units.units[i].name, zorder=4, gid=f"name:{units.ids[i]}",
                       path_effects=[patheffects.withStroke(linewidth=1.4, foreground="white")],
                       **style)
        canvas.occupied.append(box)
        printed.append(units.units[i].name)
    return printed


def _legend(canvas: _Canvas, numbers: dict[str, int]) -> list[str]:
    """The key beside the map: number, whole name (wrapped) and size of every cluster."""
    from matplotlib.patches import Patch

    plan = canvas.plan
    colours = {plan.cluster_names[int(k)]: c for k, c in zip(plan.labels, canvas.colours)}
    entries = [f"{numbers[name]}. {name} ({len(plan.clusters[name])})"
               for name in plan.cluster_names]
    handles = [Patch(facecolor=colours.get(name, "white"), edgecolor=_INK, linewidth=0.5,
                     label=_legend_label(entry, 34))
               for name, entry in zip(plan.cluster_names, entries)]
    canvas.ax.legend(handles=handles, fontsize=6.5, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                     frameon=False, title=MAP_WORDS["clusters"](canvas.lang), title_fontsize=7.5,
                     alignment="left", handlelength=1.4, borderaxespad=0.0)
    return entries


def _caption(canvas: _Canvas, evaluation: Evaluation, source: str,
             geojson: Path | None) -> list[str]:
    """The lines under the map: the rules badge (red), the key to numbers, the source."""
    lang = canvas.lang
    lines: list[tuple[str, str]] = []
    if not evaluation.comparable:
        what = violations_text(evaluation, lang)
        lines.append((MAP_WORDS["badge"](lang, what=what), _BREACH))
    lines.append((MAP_WORDS["numbers"](lang), _INK))
    if source == "shipped":
        lines.append((MAP_WORDS["shipped"](lang, source=ATTRIBUTION), _INK))
    elif source == "geojson":
        lines.append((MAP_WORDS["geojson"](lang, file=Path(str(geojson)).name), _INK))
    else:
        lines.append((MAP_WORDS["centroids"](lang), _INK))
    y = -0.015
    frame = canvas.px_box(canvas.ax)
    for text, colour in lines:
        artist = canvas.ax.text(0.0, y, _legend_label(text, 100), transform=canvas.ax.transAxes,
                                ha="left", va="top", fontsize=5.8, color=colour, gid="caption",
                                fontweight="bold" if colour == _BREACH else "normal")
        box = canvas.px_box(artist)
        y -= (box[3] - box[1]) / (frame[3] - frame[1]) + 0.008
    return [text for text, _ in lines]


def _title(canvas: _Canvas, evaluation: Evaluation) -> str:
    name = display_name(evaluation, canvas.lang)
    if not evaluation.comparable:
        name = "⚠ " + WORDS["breaks_short"](canvas.lang, name=name)
    canvas.ax.set_title(_legend_label(name, 60), fontsize=9.5, loc="left",
                        color=_INK if evaluation.comparable else _BREACH)
    return name


def _frame(canvas: _Canvas, extent: tuple[float, float, float, float]) -> None:
    """Limits, a true-shape aspect at the map's latitude, no axes; fix the layout now."""
    ax = canvas.ax
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(_aspect((extent[2] + extent[3]) / 2), adjustable="box")
    ax.set_axis_off()
    ax.apply_aspect()


def draw_map(
    evaluation: Evaluation,
    *,
    geojson: Path | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> tuple[Any, MapSummary]:
    """Draw a plan's clusters on a map; return the matplotlib figure and what was drawn.

    Polygons come from ``geojson`` when given, else from the shipped boundaries
    when the plan's units are shipped ones (:func:`clustering.boundaries.unit_polygons`),
    else the units' centroids are drawn. See the module's description for the
    map's parts. The caller closes the figure (``matplotlib.pyplot.close``).

    Parameters
    ----------
    evaluation : Evaluation
        The plan to draw, with its rule violations (a plan that breaks the rules
        is marked in the title and the caption).
    geojson : Path, optional
        Polygons of the units (features matched to units by the property whose
        values name the most units, by id or name).
    lang : {"vi", "en"}
        Language of the title, caption, legend and inset names.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, MapSummary)
        The figure, not yet saved, and a summary of what it shows.

    Raises
    ------
    PlotUnavailable
        matplotlib is not installed.
    clustering.boundaries.GeoJSONError
        ``geojson`` cannot be used (the message names the bad feature or the
        units without a polygon).

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> plan = Plan.from_attribute(vn, "region_majority", name="regions")
    >>> e = Evaluation("regions", "proposal", plan, None, [], {})
    >>> fig, summary = draw_map(e, lang="en")
    >>> summary.source, sorted(summary.insets), summary.breaks_rules
    ('shipped', ['Hoàng Sa', 'Trường Sa'], False)
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    lang = check_language(lang)
    plt = _pyplot()
    plan = evaluation.plan
    unit_set = plan.unit_set
    polygons, source = _polygons_for(unit_set, geojson)
    colour_of = map_colours(plan)
    fig = plt.figure(figsize=(8.6, 8.0), dpi=_DPI)
    ax = fig.add_axes((0.03, 0.12, 0.58, 0.8))
    canvas = _Canvas(fig, ax, plan, [colour_of[plan.cluster_names[int(k)]] for k in plan.labels],
                     lang)
    anchors = _anchors(unit_set, polygons)
    offshore: dict[str, list[_Part]] = {}
    if polygons is not None:
        main, offshore = _split_offshore(unit_set, polygons)
        _draw_polygons(canvas, main)
        extent = _extent(np.vstack([p[0] for _, p in main]))
        drawn = {int(plan.labels[i]) for i, _ in main} | {
            int(plan.labels[i]) for parts in offshore.values() for i, _ in parts}
    else:
        offshore = _split_offshore_points(anchors)
        drawn = {int(plan.labels[i]) for i in np.flatnonzero(np.isfinite(anchors).all(axis=1))}
        for parts in offshore.values():
            anchors[[i for i, _ in parts]] = np.nan  # in their inset, not on the main map
        _draw_centroids(canvas, anchors)
        extent = _extent(anchors)
    panel_width = 0.3 * (extent[1] - extent[0])
    map_extent = extent if not offshore else (extent[0], extent[1] + 1.1 * panel_width,
                                              extent[2], extent[3])
    _frame(canvas, map_extent)
    for name, box in _inset_boxes(extent, offshore, panel_width).items():
        _draw_inset(canvas, name, offshore[name], box)
    scale_km = _scale_bar(canvas, map_extent)
    numbers = {name: k + 1 for k, name in enumerate(plan.cluster_names)}
    _number_clusters(canvas, anchors, numbers, (extent[2] + extent[3]) / 2)
    printed = _name_units(canvas, anchors)
    legend = _legend(canvas, numbers)
    title = _title(canvas, evaluation)
    caption = _caption(canvas, evaluation, source, geojson)
    summary = MapSummary(
        title=title, caption="\n".join(caption),
        clusters=[n for k, n in enumerate(plan.cluster_names) if k in drawn],
        legend=legend, colours=colour_of, numbers=numbers,
        adjacent=sorted(tuple(sorted(e)) for e in cluster_adjacency(plan).edges),
        insets={name: sorted({unit_set.ids[i] for i, _ in parts})
                for name, parts in offshore.items()},
        source=source, scale_km=scale_km, breaks_rules=not evaluation.comparable,
        unit_names=printed,
    )
    return fig, summary


def plot_map(
    evaluation: Evaluation,
    path: Path,
    *,
    geojson: Path | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Path:
    """Draw a plan's clusters (:func:`draw_map`) and write the map as a PNG.

    Parameters
    ----------
    evaluation : Evaluation
        The plan to draw.
    path : Path
        The PNG file to write.
    geojson : Path, optional
        Polygons of the units (features matched to units by any property naming them);
        by default the shipped province boundaries when they fit the units, else centroids.
    lang : {"vi", "en"}
        Language of the title, caption and legend.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    PlotUnavailable
        matplotlib is not installed.
    """
    plt = _pyplot()
    fig, _ = draw_map(evaluation, geojson=geojson, lang=lang)
    try:
        fig.savefig(path, bbox_inches="tight", pad_inches=0.15)
    finally:
        plt.close(fig)
    return path


def plot_front(benchmark: Benchmark, path: Path, lang: str = DEFAULT_LANGUAGE) -> Path:
    """The trade-off: every feasible plan, the Pareto front, and each evaluated plan on it.

    Parameters
    ----------
    benchmark : Benchmark
        The results, with their ``trade_off`` (:mod:`benchmarks.front`).
    path : Path
        The PNG file to write.
    lang : {"vi", "en"}
        Language of the title, axes and legend.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    PlotUnavailable
        matplotlib is not installed.
    """
    lang = check_language(lang)
    plt = _pyplot()
    trade = benchmark.trade_off
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=110)
    ax.scatter(trade.x, trade.y, s=6, color=BORDER_GREY, linewidths=0,
               label=WORDS["plans_among"](lang, sample=sample_text(benchmark, lang)))
    front = trade.front
    ax.step(trade.x[front], trade.y[front], where="post", color="black", linewidth=1.2)
    ax.scatter(trade.x[front], trade.y[front], s=18, color="black",
               label=_legend_label(FRONT_TEXTS["exact" if trade.exact else "sampled"](
                   lang, n=f"{len(front):,}", total=f"{len(trade.x):,}"), 60))
    palette = cluster_colours(len(trade.placements))
    shown = shown_names(benchmark, lang)
    for colour, p in zip(palette, trade.placements):
        name = shown.get(p.name, p.name)
        name = name if p.comparable else WORDS["breaks_short"](lang, name=name)
        ax.scatter([p.x], [p.y], s=70, marker="o" if p.comparable else "X",
                   facecolors=colour if p.comparable else "none", edgecolors=colour,
                   linewidths=1.8, zorder=5, label=_legend_label(name, 60))
    labels = {m.key: m for m in METRICS}
    for axis, key in ((ax.set_xlabel, X_METRIC), (ax.set_ylabel, Y_METRIC)):
        text = ROW_TEXTS[key][0](lang) if key in ROW_TEXTS else labels[key].label
        axis(WORDS["lower"](lang, label=text), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_title(FRONT_TEXTS["title"](lang), fontsize=9)
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_distribution(benchmark: Benchmark, path: Path, lang: str = DEFAULT_LANGUAGE) -> Path:
    """Histogram of each metric over the feasible plans, each evaluated plan as a line.

    Parameters
    ----------
    benchmark : Benchmark
        The results, with their sample of feasible plans.
    path : Path
        The PNG file to write.
    lang : {"vi", "en"}
        Language of the titles, axes and legend.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    PlotUnavailable
        matplotlib is not installed.
    """
    lang = check_language(lang)
    plt = _pyplot()
    metrics = [m for m in METRICS if np.isfinite(benchmark.distribution.get(m.key, [])).any()]
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 1.9 * len(metrics) + 0.6), dpi=110)
    axes = np.atleast_1d(axes)
    palette = cluster_colours(len(benchmark.evaluations))
    for ax, metric in zip(axes, metrics):
        values = benchmark.distribution[metric.key]
        ax.hist(values[np.isfinite(values)], bins=40, color=BORDER_GREY)
        for k, e in enumerate(benchmark.evaluations):
            value = e.scores.get(metric.key)
            if value is not None:
                name = display_name(e, lang)
                if not e.comparable:
                    name = WORDS["breaks_short"](lang, name=name)
                ax.axvline(value, color=palette[k], linewidth=1.6,
                           linestyle="-" if e.comparable else "--",
                           label=_legend_label(name, 40))
        label = ROW_TEXTS[metric.key][0](lang) if metric.key in ROW_TEXTS else metric.label
        ax.set_title(WORDS["lower" if metric.lower_is_better else "higher"](lang, label=label),
                     fontsize=8)
        ax.set_ylabel(WORDS["plans_axis"](lang), fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    sample = sample_text(benchmark, lang)
    fig.suptitle(_legend_label(WORDS["plans_among"](lang, sample=sample), 90), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
