"""The figures of a benchmark report: the clusters on a map, the metrics' distributions.

They need matplotlib (the ``plot`` extra); without it :class:`PlotUnavailable`
is raised and the report says so. Titles, axes and legends follow ``lang``;
legends keep whole names (wrapped) and no cluster takes the border grey.
"""

from __future__ import annotations

import colorsys
import json
from pathlib import Path

import numpy as np

from clustering.errors import FairclustersError
from clustering.i18n import DEFAULT_LANGUAGE, check_language
from clustering.names import fold
from clustering.units import UnitSet

from .compare import METRICS, Benchmark, Evaluation
from .text_report import ROW_TEXTS, WORDS, display_name, sample_text, wrap_text

__all__ = ["BORDER_GREY", "PlotUnavailable", "cluster_colours", "plot_distribution", "plot_map"]


class PlotUnavailable(ImportError):
    """matplotlib is not installed (install the ``plot`` extra)."""


# -- figures ---------------------------------------------------------------------------

#: The colour of borders between clusters on the maps; no cluster is drawn in a grey.
BORDER_GREY = "#cccccc"
# matplotlib's tab10 without its grey (#7f7f7f), which reads as a border.
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#bcbd22", "#17becf")


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


def _polygons_from_geojson(path: Path, unit_set: UnitSet) -> dict[str, list[np.ndarray]]:
    """Exterior rings (lon, lat) of each unit, matched by any property naming the unit."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FairclustersError(f"GeoJSON {path}: cannot be read ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise FairclustersError(f"GeoJSON {path}: expected a FeatureCollection with 'features'")
    by_key = {fold(u.name): u.id for u in unit_set} | {u.id: u.id for u in unit_set}
    rings: dict[str, list[np.ndarray]] = {}
    for feature in features:
        props = feature.get("properties") or {}
        uid = next(
            (by_key.get(str(v)) or by_key.get(fold(str(v))) for v in props.values()
             if by_key.get(str(v)) or by_key.get(fold(str(v)))),
            None,
        )
        geometry = feature.get("geometry") or {}
        if uid is None or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings.setdefault(uid, []).extend(np.asarray(p[0], dtype=float) for p in polygons)
    missing = [u.name for u in unit_set if u.id not in rings]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5
                                          else "")
        raise FairclustersError(f"GeoJSON {path}: no polygon for {shown}")
    return rings


def plot_map(
    evaluation: Evaluation,
    path: Path,
    *,
    geojson: Path | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Path:
    """Draw a plan's clusters: polygons from ``geojson``, else centroids and borders.

    Parameters
    ----------
    evaluation : Evaluation
        The plan to draw.
    path : Path
        The PNG file to write.
    geojson : Path, optional
        Polygons of the units (features matched to units by any property naming them).
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
    plan = evaluation.plan
    unit_set = plan.unit_set
    palette = cluster_colours(plan.n_clusters)
    colour_of = [palette[int(c)] for c in plan.labels]
    fig, ax = plt.subplots(figsize=(6, 8), dpi=110)
    coords = unit_set.coordinates()  # (lat, lon)
    if geojson is not None:
        from matplotlib.patches import Polygon

        rings = _polygons_from_geojson(geojson, unit_set)
        for i, uid in enumerate(unit_set.ids):
            for ring in rings[uid]:
                ax.add_patch(Polygon(ring, closed=True, facecolor=colour_of[i],
                                     edgecolor="white", linewidth=0.4))
        ax.autoscale_view()
    else:
        index = {uid: i for i, uid in enumerate(unit_set.ids)}
        for a, b in unit_set.graph.edges():
            i, j = index[a], index[b]
            same = plan.labels[i] == plan.labels[j]
            ax.plot([coords[i, 1], coords[j, 1]], [coords[i, 0], coords[j, 0]],
                    color=colour_of[i] if same else BORDER_GREY,
                    linewidth=2.0 if same else 0.6, zorder=1)
        ax.scatter(coords[:, 1], coords[:, 0], c=colour_of, s=40, edgecolors="black",
                   linewidths=0.4, zorder=2)
        if len(unit_set) <= 80:
            for i, u in enumerate(unit_set):
                ax.annotate(u.name, (coords[i, 1], coords[i, 0]), fontsize=5,
                            xytext=(3, 2), textcoords="offset points")
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=palette[k],
                   label=_legend_label(f"{name} ({len(plan.clusters[name])})"))
        for k, name in enumerate(plan.cluster_names)
    ]
    # Beside the map, not over it: full names, wrapped, and the figure grows to hold them.
    ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0),
              frameon=False)
    name = display_name(evaluation, lang)
    if not evaluation.comparable:
        name = WORDS["breaks_short"](lang, name=name)
    ax.set_title(_legend_label(name, 60), fontsize=9)
    ax.set_xlabel(WORDS["longitude"](lang))
    ax.set_ylabel(WORDS["latitude"](lang))
    ax.set_aspect("equal", adjustable="datalim")
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

