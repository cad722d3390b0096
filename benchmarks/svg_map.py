"""A plan's clusters as an inline SVG map: one ``<path>`` (or circle) per unit, with a tooltip.

Each unit is drawn as its polygons when they are known
(:func:`clustering.boundaries.unit_polygons`, or a GeoJSON file), else as a
circle at its centroid with the land borders as lines, as the PNG maps do.
Every unit carries a ``<title>`` (its name, cluster and figures), which a
browser shows on hover. The output is deterministic (same plan, same bytes)
and every text in it is escaped. A plan that breaks the rules is marked on its
map: a red dashed frame, a banner, and the units concerned outlined in red.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Mapping, Sequence

import networkx as nx
import numpy as np

from clustering.errors import FairclustersError
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.metrics import INDICATOR_TEXTS
from clustering.plan import Plan
from clustering.units import UnitSet

__all__ = [
    "MAP_TEXTS",
    "MapUnavailable",
    "Polygons",
    "adjacent_colours",
    "load_polygons",
    "plan_colours",
    "plan_svg",
]

#: Polygons of units: per unit id, polygons, each a list of rings (exterior first)
#: as ``(m, 2)`` arrays of (lon, lat).
Polygons = Mapping[str, Sequence[Sequence[np.ndarray]]]

#: The words of the map's tooltips and banner.
MAP_TEXTS: dict[str, Text] = {
    "cluster": Text(vi="Cụm: {name} ({n} đơn vị, dân số {population})",
                    en="Cluster: {name} ({n} units, population {population})"),
    "population": Text(vi="Dân số: {value}", en="Population: {value}"),
    "breaks": Text(vi="⚠ Phương án vi phạm quy tắc", en="⚠ The plan breaks the rules"),
    "concerned": Text(vi="⚠ đơn vị liên quan đến vi phạm quy tắc",
                      en="⚠ unit concerned by a breach of the rules"),
}
_UNITS = {"grdp_per_capita": Text(vi=" triệu đồng", en=" million VND"),
          "urban_pct": Text(vi=" %", en=" %"), "area_km2": Text(vi=" km²", en=" km²"),
          "area_km2_polygon": Text(vi=" km²", en=" km²")}
_LABELS = {**INDICATOR_TEXTS,
           "area_km2_polygon": Text(vi="diện tích (theo ranh giới)", en="area (from boundaries)")}
#: Above this many units the land borders are not drawn as lines (too dense to read).
_MAX_LINES_UNITS = 500
#: Qualitative colours (Okabe-Ito and ColorBrewer Set2/Dark2, no grey), for the fallback palette.
_QUALITATIVE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442",
                "#66a61e", "#7570b3", "#a6761d", "#e7298a", "#1b9e77")
_BORDER = "#cccccc"
_BREACH = "#c00000"


class MapUnavailable(FairclustersError):
    """The plan cannot be drawn: some unit has neither a polygon nor coordinates."""


def _fmt(value: float | None) -> str:
    """A figure for a tooltip: thousands separated, else three significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{round(value):,}"
    return f"{value:.3g}"


def adjacent_colours(plan: Plan, palette: Sequence[str] = _QUALITATIVE) -> list[str]:
    """One colour per cluster, two clusters sharing a border never alike (greedy colouring).

    Parameters
    ----------
    plan : Plan
        The plan whose clusters are coloured.
    palette : sequence of str
        The colours to draw from, in order; when the greedy colouring needs more, the
        palette is reused (only then may two neighbours match).

    Returns
    -------
    list of str
        The colour of each cluster, in the order of ``plan.cluster_names``.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> units = planar_unit_set(6, seed=1)
    >>> plan = Plan.from_labels(units, [0, 0, 1, 1, 2, 2])
    >>> len(adjacent_colours(plan))
    3
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(plan.n_clusters))
    index = {uid: i for i, uid in enumerate(plan.unit_set.ids)}
    for a, b in plan.unit_set.graph.edges():
        ca, cb = int(plan.labels[index[a]]), int(plan.labels[index[b]])
        if ca != cb:
            graph.add_edge(ca, cb)
    # "largest_first" breaks ties by node order, so the colouring is deterministic.
    colouring = nx.greedy_color(graph, strategy="largest_first")
    return [palette[colouring[k] % len(palette)] for k in range(plan.n_clusters)]


def plan_colours(plan: Plan) -> list[str]:
    """The colours of the plan's clusters: those of the PNG maps (:func:`.figures.map_colours`).

    Adjacent clusters never share a colour; without :mod:`.figures`' colouring,
    :func:`adjacent_colours` chooses them.

    Parameters
    ----------
    plan : Plan
        The plan whose clusters are coloured.

    Returns
    -------
    list of str
        One ``#rrggbb`` per cluster, in the order of ``plan.cluster_names``.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> plan = Plan.from_labels(planar_unit_set(4, seed=0), [0, 0, 1, 1])
    >>> [c.startswith("#") for c in plan_colours(plan)]
    [True, True]
    """
    try:
        from .figures import map_colours
    except ImportError:  # figures without adjacency-aware colours: ours
        return adjacent_colours(plan)
    colours = map_colours(plan)
    return [colours[name] for name in plan.cluster_names]


def load_polygons(unit_set: UnitSet, geojson: object = None) -> dict[str, list] | None:
    """The units' polygons: from ``geojson`` if given, else the shipped boundaries.

    Both come from :mod:`clustering.boundaries`.

    Parameters
    ----------
    unit_set : UnitSet
        The units to find polygons for.
    geojson : str or path, optional
        A GeoJSON file of the units (as for the PNG maps), matched by unit id or name.

    Returns
    -------
    dict or None
        Per unit id, its polygons (lists of rings of (lon, lat)); ``None`` when no
        polygons are known for these units.

    Raises
    ------
    FairclustersError
        ``geojson`` cannot be used (unreadable, or some unit has no polygon in it).

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> load_polygons(planar_unit_set(4, seed=0)) is None
    True
    """
    try:
        from clustering.boundaries import (  # type: ignore[import-not-found]
            geojson_unit_polygons,
            unit_polygons,
        )
    except ImportError:  # a package without boundaries: centroids
        return None
    if geojson is not None:
        return dict(geojson_unit_polygons(str(geojson), unit_set))
    try:
        polygons = unit_polygons(unit_set)
    except (FairclustersError, OSError, ValueError):
        return None
    return dict(polygons) if polygons else None


def _unit_title(plan: Plan, i: int, cluster_sizes: Mapping[int, tuple[int, float | None]],
                indicators: Sequence[str], lang: str, concerned: bool) -> str:
    unit = plan.unit_set.units[i]
    k = int(plan.labels[i])
    n, population = cluster_sizes[k]
    lines = [f"{unit.name} ({unit.id})",
             MAP_TEXTS["cluster"](lang, name=plan.cluster_names[k], n=n,
                                  population=_fmt(population))]
    if unit.weight is not None:
        lines.append(MAP_TEXTS["population"](lang, value=_fmt(unit.weight)))
    for key in indicators:
        if key == "population" or key not in unit.indicators:
            continue
        label = _LABELS[key](lang) if key in _LABELS else key
        if key in _LABELS:
            label = label[:1].upper() + label[1:]
        unit_text = _UNITS[key](lang) if key in _UNITS else ""
        value = unit.indicators[key]
        lines.append(f"{label}: {_fmt(value)}{unit_text if value is not None else ''}")
    if concerned:
        lines.append(MAP_TEXTS["concerned"](lang))
    return "\n".join(lines)


class _Projection:
    """(lon, lat) to SVG pixels: equirectangular, x shrunk by cos(mean latitude)."""

    def __init__(self, points: np.ndarray, width: float, pad: float, right: float) -> None:
        self.cos = math.cos(math.radians(float(np.mean(points[:, 1]))))
        x, y = points[:, 0] * self.cos, -points[:, 1]
        self.x0, self.y0 = float(x.min()), float(y.min())
        span_x = max(float(x.max()) - self.x0, 1e-9)
        span_y = max(float(y.max()) - self.y0, 1e-9)
        self.scale = (width - 2 * pad - right) / span_x
        if span_y * self.scale > 2.5 * width:  # a very tall set: keep the map readable
            self.scale = 2.5 * width / span_y
        self.pad = pad
        self.width = width
        self.height = span_y * self.scale + 2 * pad

    def __call__(self, lonlat: np.ndarray) -> np.ndarray:
        lonlat = np.asarray(lonlat, dtype=float).reshape(-1, 2)
        return np.column_stack([
            (lonlat[:, 0] * self.cos - self.x0) * self.scale + self.pad,
            (-lonlat[:, 1] - self.y0) * self.scale + self.pad,
        ])


def _simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Drop the points closer than ``tolerance`` pixels to the last point kept."""
    kept = [ring[0]]
    for point in ring[1:]:
        if abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) >= tolerance:
            kept.append(point)
    return np.asarray(kept)


def _ring_path(ring: np.ndarray) -> str:
    points = [f"{x:.1f} {y:.1f}" for x, y in ring]
    return "M" + "L".join(points) + "Z"


def _unit_path(polygons: Sequence[Sequence[np.ndarray]], project: _Projection,
               tolerance: float) -> str:
    """The path data of one unit's polygons ("" when nothing of it is visible)."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            ring = np.asarray(ring, dtype=float)
            if ring.ndim != 2 or len(ring) < 3:
                continue
            simple = _simplify(project(ring), tolerance)
            if len(simple) >= 3:
                parts.append(_ring_path(simple))
    return "".join(parts)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _points(plan: Plan, polygons: Polygons | None) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """All (lon, lat) points drawn, and each unit's centroid (``MapUnavailable`` if unknown)."""
    centroids: dict[int, np.ndarray] = {}
    chunks = []
    missing = []
    for i, unit in enumerate(plan.unit_set.units):
        if unit.lon is not None and unit.lat is not None:
            centroids[i] = np.array([unit.lon, unit.lat], dtype=float)
            chunks.append(centroids[i][None, :])
        exteriors = (np.asarray(p[0], dtype=float).reshape(-1, 2)
                     for p in (polygons or {}).get(unit.id, ()) if len(p))
        rings = [r for r in exteriors if len(r) >= 3]
        chunks += rings
        if i not in centroids and not rings:
            missing.append(unit.name)
    if missing:
        raise MapUnavailable(f"no coordinates nor polygon for {', '.join(missing[:5])}")
    return np.concatenate(chunks), centroids


def plan_svg(
    plan: Plan,
    *,
    colours: Sequence[str] | None = None,
    polygons: Polygons | None = None,
    indicators: Sequence[str] = (),
    lang: str = DEFAULT_LANGUAGE,
    title: str = "",
    breaks: bool = False,
    concerned: Collection[str] = (),
    width: int = 360,
    labels: bool | None = None,
) -> str:
    """The plan's clusters as an inline ``<svg>``: a path (or circle) per unit, with its title.

    Parameters
    ----------
    plan : Plan
        The plan to draw.
    colours : sequence of str, optional
        One colour per cluster, in the order of ``plan.cluster_names`` (default:
        :func:`plan_colours`).
    polygons : mapping, optional
        Per unit id, its polygons (lists of rings, exterior first, of (lon, lat)); a unit
        without any is drawn as a circle at its centroid. Without polygons every unit is
        a circle and the land borders are lines (grey between clusters; up to 500 units).
    indicators : sequence of str
        Indicators shown in each unit's tooltip, besides its population.
    lang : {"vi", "en"}
        Language of the tooltips and the banner.
    title : str
        The map's accessible name (its ``<title>``), e.g. the plan's name.
    breaks : bool
        Whether the plan breaks the rules: the map gets a red dashed frame and a banner.
    concerned : collection of str
        Ids of the units concerned by the breaches, outlined in red.
    width : int
        Width of the map in pixels; the height follows the units' extent.
    labels : bool, optional
        Whether to write the units' names on the map (default: without polygons, up to 80
        units).

    Returns
    -------
    str
        The ``<svg>`` element (no XML declaration, no namespace: meant for HTML).

    Raises
    ------
    MapUnavailable
        A unit has neither a polygon nor coordinates.

    Examples
    --------
    >>> from clustering.synthetic import planar_unit_set
    >>> plan = Plan.from_labels(planar_unit_set(4, seed=0), ["a", "a", "b", "b"])
    >>> svg = plan_svg(plan, lang="en")
    >>> svg.startswith("<svg"), svg.count("<circle"), "Cluster: a" in svg
    (True, 4, True)
    """
    lang = check_language(lang)
    colours = list(colours) if colours is not None else plan_colours(plan)
    unit_set = plan.unit_set
    points, centroids = _points(plan, polygons)
    if labels is None:
        labels = not polygons and len(unit_set) <= 80
    project = _Projection(points, float(width), pad=12.0, right=48.0 if labels else 0.0)
    sizes: dict[int, tuple[int, float | None]] = {}
    for k in range(plan.n_clusters):
        members = [u for u, label in zip(unit_set.units, plan.labels) if int(label) == k]
        weights = [u.weight for u in members if u.weight is not None]
        sizes[k] = (len(members), float(sum(weights)) if weights else None)
    concerned = set(concerned)
    radius = round(min(5.0, max(1.5, 30 / math.sqrt(len(unit_set)))), 1)
    shapes: list[str] = []
    circles: list[int] = []
    for i, unit in enumerate(unit_set.units):
        colour = colours[int(plan.labels[i])]
        mark = unit.id in concerned
        tooltip = _esc(_unit_title(plan, i, sizes, indicators, lang, mark))
        attrs = (f'class="unit{" concerned" if mark else ""}" data-unit="{_esc(unit.id)}" '
                 f'data-cluster="{_esc(plan.cluster_names[int(plan.labels[i])])}" '
                 f'fill="{_esc(colour)}"')
        own = (polygons or {}).get(unit.id, ())
        # A unit too small to keep a point at 0.7 px keeps its whole outline, if no centroid.
        d = _unit_path(own, project, 0.7) or (_unit_path(own, project, 0.0)
                                                if i not in centroids else "")
        if d:
            shapes.append(f'<path {attrs} fill-rule="evenodd" d="{d}"><title>{tooltip}</title>'
                          "</path>")
        else:
            x, y = project(centroids[i])[0]
            circles.append(i)
            shapes.append(f'<circle {attrs} cx="{x:.1f}" cy="{y:.1f}" r="{radius:g}">'
                          f"<title>{tooltip}</title></circle>")
    edges: list[str] = []
    if len(circles) == len(unit_set) <= _MAX_LINES_UNITS:  # no polygons: borders as lines
        index = {uid: i for i, uid in enumerate(unit_set.ids)}
        for a, b in sorted(tuple(sorted(e)) for e in unit_set.graph.edges()):
            i, j = index[a], index[b]
            same = plan.labels[i] == plan.labels[j]
            (x1, y1), (x2, y2) = project(np.array([centroids[i], centroids[j]]))
            colour = colours[int(plan.labels[i])] if same else _BORDER
            edges.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                         f'stroke="{colour}" stroke-width="{2 if same else 0.8}"/>')
    names: list[str] = []
    if labels:
        for i in sorted(centroids):
                x, y = project(centroids[i])[0]
                names.append(f'<text x="{x + 6:.1f}" y="{y + 3:.1f}">'
                             f"{_esc(unit_set.units[i].name)}</text>")
    top = 30 if breaks else 0  # room for the banner above the map
    w, h = project.width, project.height + top
    out = [f'<svg class="fc-map{" breaks" if breaks else ""}" viewBox="0 0 {w:.0f} {h:.0f}" '
           f'width="{w:.0f}" height="{h:.0f}" role="img" aria-label="{_esc(title)}">',
           f"<title>{_esc(title)}</title>"]
    if breaks:
        out.append(f'<rect class="frame" x="1.5" y="1.5" width="{w - 3:.0f}" '
                   f'height="{h - 3:.0f}" fill="none" stroke="{_BREACH}" stroke-width="3" '
                   'stroke-dasharray="8 4"/>')
    out.append(f'<g class="zoom" transform="translate(0 {top})">' if top else '<g class="zoom">')
    out += ['<g class="borders">', *edges, "</g>"] if edges else []
    out += ['<g class="units">', *shapes, "</g>"]
    out += ['<g class="names" pointer-events="none">', *names, "</g>"] if names else []
    out.append("</g>")
    if breaks:
        out.append(f'<text class="banner" x="{w / 2:.0f}" y="22" text-anchor="middle" '
                   f'fill="{_BREACH}">{_esc(MAP_TEXTS["breaks"](lang))}</text>')
    out.append("</svg>")
    return "\n".join(out)
