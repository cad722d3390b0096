"""Reports of a benchmark: terminal table, Markdown, JSON and PNG figures.

:func:`write_report` fills a folder::

    report.md          the side-by-side table, settings, each plan's clusters
    report.json        every number (settings, optimum, sample, scores, fairness)
    plans/*.json       each plan, readable back as a proposal file
    map_<plan>.png     the clusters on a map (centroids and borders, or polygons)
    distribution.png   each metric's distribution over the feasible plans, with the plans marked

Figures need matplotlib (the ``plot`` extra); without it the report says so
and the rest is written. A folder that exists is refused unless ``force``.

The folder is written whole or not at all: the files go to a hidden sibling
folder that is renamed into place at the end, so an interrupted run (Ctrl-C,
SIGTERM, a closed pipe, an error) leaves the previous report, or none. With
``force`` the previous report is replaced entirely (no stale ``plans/*.json``);
files of the planner's own in the folder are carried over. A lock file next to
the folder (``.<name>.lock``) refuses a second run into the same folder while
one is writing.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from clustering.errors import FairclustersError
from clustering.files import name_max
from clustering.names import fold
from clustering.units import UnitSet

from .compare import METRICS, Benchmark, Evaluation, Metric

RANK_NOTE = (
    "(N%) = the share of the feasible plans under the same rules that this plan beats on that "
    "metric (ties count half): 100% is best. Lower values are better for every metric except R2."
)
GAP_NOTE = (
    "objective gap = the plan's p-median objective (by the optimizer's own cost function) "
    "relative to the optimizer's plan; exact when optimality was proven, else marked * and "
    "given as a range from the best plan found to the best proven bound."
)

__all__ = [
    "RANK_NOTE",
    "OutputError",
    "PlotUnavailable",
    "beats",
    "check_output_dir",
    "console_summary",
    "markdown_report",
    "plot_distribution",
    "plot_map",
    "report_lock",
    "table_rows",
    "terminal_table",
    "write_report",
]


class OutputError(FairclustersError):
    """The output folder exists (and ``force`` was not given) or cannot be written."""


class PlotUnavailable(ImportError):
    """matplotlib is not installed (install the ``plot`` extra)."""


# -- the side-by-side table ------------------------------------------------------------


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, (int, np.integer)) or (float(value).is_integer() and abs(value) >= 10):
        return f"{int(value):,}"
    return f"{value:.{digits}g}"


def beats(e: Evaluation, metric: Metric) -> float | None:
    """Share (%) of the feasible plans that ``e`` beats on ``metric``, ties counted half."""
    if metric.key not in e.percentiles:
        return None
    pct = e.percentiles[metric.key]  # share of plans with a lower value
    return 100.0 - pct if metric.lower_is_better else pct


def _with_rank(e: Evaluation, metric: Metric, digits: int = 3) -> str:
    text = _num(e.scores.get(metric.key), digits)
    share = beats(e, metric)
    if share is not None:
        text += f" ({share:.0f}%)"
    return text


def table_rows(benchmark: Benchmark) -> tuple[list[str], list[list[str]]]:
    """Header (plan names) and rows (metric label, then one cell per plan)."""
    evaluations = benchmark.evaluations
    header = ["", *[e.name for e in evaluations]]
    rows: list[list[str]] = []

    def row(label: str, cells: Sequence[str]) -> None:
        rows.append([label, *cells])

    row("role", [e.role for e in evaluations])
    row("clusters", [str(e.plan.n_clusters) for e in evaluations])
    sizes = [e.report.size_count for e in evaluations]
    row("sizes min-max", [f"{s.min:g}-{s.max:g}" for s in sizes])
    row("follows the rules", ["yes" if not e.violations else f"no ({len(e.violations)} breaches)"
                              for e in evaluations])
    row("contiguous", ["yes" if e.report.contiguous else
                       f"no ({sum(p > 1 for p in e.report.pieces.values())} split)"
                       for e in evaluations])
    row("population max/min", [_num(e.report.size_weight.ratio if e.report.size_weight else None)
                               for e in evaluations])
    metrics = {m.key: m for m in METRICS}
    for key in ("weight_cv", "r2", "mean_within", "cut_edges", "objective"):
        row(metrics[key].short or metrics[key].label,
            [_with_rank(e, metrics[key]) for e in evaluations])
    row("objective gap", [_gap_cell(e) for e in evaluations])
    return header, rows


def _gap_cell(e: Evaluation) -> str:
    gap = e.gap
    if gap is None or gap.low is None:
        return "-"
    if gap.proven:
        return f"{100 * gap.low:+.1f} %"
    if gap.high is None:
        return f">= {100 * gap.low:+.1f} %*"
    return f"{100 * gap.low:+.1f}..{100 * gap.high:+.1f} %*"


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def terminal_table(benchmark: Benchmark, *, width: int = 20) -> str:
    """The side-by-side table as plain text (plan names cut to ``width``)."""
    header, rows = table_rows(benchmark)
    header = [header[0], *[_short(h, width) for h in header[1:]]]
    columns = list(zip(header, *rows))
    widths = [max(len(str(c)) for c in col) for col in columns]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _summary_lines(benchmark: Benchmark) -> list[str]:
    s = benchmark.settings
    rules = s.rules
    parts = [f"{rules.n_clusters} clusters"]
    if rules.size:
        parts.append(f"of {rules.size[0]}-{rules.size[1]} units")
    if rules.weight_bounds:
        parts.append(
            f"weighing {rules.weight_bounds[0]:,.0f}-{rules.weight_bounds[1]:,.0f} "
            f"({rules.weight or 'population'})"
        )
    parts.append("contiguous" if rules.contiguous else "not necessarily contiguous")
    lines = [
        f"Dataset: {benchmark.unit_set.name} ({len(benchmark.unit_set)} units)",
        "Rules: " + ", ".join(parts),
        f"Dissimilarity: indicators {', '.join(benchmark.indicators)}"
        + (f" (log: {', '.join(benchmark.log)})" if benchmark.log else "")
        + f"; geography weight {s.geography:g}",
    ]
    opt = benchmark.optimum
    if opt is not None:
        bound = f", bound {opt.bound:.6g}" if opt.bound is not None else ""
        gap = f", gap {100 * opt.gap:.2g} %" if opt.gap is not None else ""
        objective = f"{opt.objective:.6g}" if opt.objective is not None else "none"
        lines.append(
            f"Optimizer: status {opt.status}, objective {objective}{bound}{gap}, "
            f"{opt.wall_time:.2f} s, method {opt.method}, solver {opt.solver}"
        )
    if benchmark.sample is not None:
        lines.append(f"Feasible plans ranked against: {benchmark.sample.describe()}")
    return lines


def console_summary(benchmark: Benchmark) -> str:
    """Settings, the table and a legend, for printing."""
    lines = _summary_lines(benchmark)
    lines += ["", terminal_table(benchmark), ""]
    lines += [RANK_NOTE, GAP_NOTE]
    return "\n".join(lines)


# -- Markdown --------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_report(benchmark: Benchmark, figures: dict[str, str], figure_note: str = "") -> str:
    """The report as Markdown.

    ``figures`` maps ``"map:<plan name>"`` and ``"distribution"`` to PNG file names.
    """
    header, rows = table_rows(benchmark)
    out = ["# Benchmark of cluster plans", ""]
    out += [f"- {line}" for line in _summary_lines(benchmark)]
    out += ["", "## Side by side", ""]
    out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
    out.append("|" + "---|" * len(header))
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    out += [
        "",
        RANK_NOTE + " " + GAP_NOTE,
        "",
    ]
    if figure_note:
        out += [f"> {figure_note}", ""]
    if "distribution" in figures:
        out += ["## The plans among the feasible plans", "",
                f"![distribution of the metrics]({figures['distribution']})", ""]
    ids_to_names = {u.id: u.name for u in benchmark.unit_set}
    for e in benchmark.evaluations:
        out += [f"## {e.name} ({e.role})", ""]
        if e.plan.notes:
            out += [e.plan.notes, ""]
        out += [f"- {n}" for n in e.notes]
        if e.gap is not None:
            out.append(f"- Objective {e.gap.value:.6g}: {e.gap.describe()}")
        if e.violations:
            out.append("- Breaks the rules: " + "; ".join(map(str, e.violations)))
        else:
            out.append("- Follows every rule.")
        out += [f"- Note: {n}" for n in e.report.notes]
        out += ["", "| cluster | size | population | members |", "|---|---|---|---|"]
        weights = e.report.size_weight.per_cluster if e.report.size_weight else {}
        for cluster, members in e.plan.clusters.items():
            names = ", ".join(ids_to_names[m] for m in members)
            population = _num(weights.get(cluster)) if weights else "-"
            out.append(f"| {_md_cell(cluster)} | {len(members)} | {population} | "
                       f"{_md_cell(names)} |")
        key = f"map:{e.name}"
        if key in figures:
            out += ["", f"![map of {e.name}]({figures[key]})"]
        out.append("")
    if benchmark.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in benchmark.notes] + [""]
    if benchmark.unit_set.provenance:
        out += ["## Data", "", f"{benchmark.unit_set.provenance}", ""]
    return "\n".join(out)


# -- figures ---------------------------------------------------------------------------


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


def plot_map(evaluation: Evaluation, path: Path, *, geojson: Path | None = None) -> Path:
    """Draw a plan's clusters: polygons from ``geojson``, else centroids and borders.

    Raises :class:`PlotUnavailable` without matplotlib.
    """
    plt = _pyplot()
    plan = evaluation.plan
    unit_set = plan.unit_set
    colours = plt.get_cmap("tab20" if plan.n_clusters > 10 else "tab10")
    colour_of = [colours(int(c) % colours.N) for c in plan.labels]
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
                    color=colour_of[i] if same else "0.8", linewidth=2.0 if same else 0.6,
                    zorder=1)
        ax.scatter(coords[:, 1], coords[:, 0], c=colour_of, s=40, edgecolors="black",
                   linewidths=0.4, zorder=2)
        if len(unit_set) <= 80:
            for i, u in enumerate(unit_set):
                ax.annotate(u.name, (coords[i, 1], coords[i, 0]), fontsize=5,
                            xytext=(3, 2), textcoords="offset points")
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=colours(k % colours.N),
                   label=f"{_short(name, 28)} ({len(plan.clusters[name])})")
        for k, name in enumerate(plan.cluster_names)
    ]
    ax.legend(handles=handles, fontsize=6, loc="lower left", frameon=False)
    ax.set_title(_short(evaluation.name, 60), fontsize=9)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_distribution(benchmark: Benchmark, path: Path) -> Path:
    """Histogram of each metric over the feasible plans, each evaluated plan as a line."""
    plt = _pyplot()
    metrics = [m for m in METRICS if np.isfinite(benchmark.distribution.get(m.key, [])).any()]
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 1.9 * len(metrics) + 0.6), dpi=110)
    axes = np.atleast_1d(axes)
    colours = plt.get_cmap("tab10")
    for ax, metric in zip(axes, metrics):
        values = benchmark.distribution[metric.key]
        ax.hist(values[np.isfinite(values)], bins=40, color="0.75")
        for k, e in enumerate(benchmark.evaluations):
            value = e.scores.get(metric.key)
            if value is not None:
                ax.axvline(value, color=colours(k % 10), linewidth=1.6,
                           label=_short(e.name, 40))
        better = "lower" if metric.lower_is_better else "higher"
        ax.set_title(f"{metric.label} ({better} is better)", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=6, loc="upper right")
    sample = benchmark.sample.describe() if benchmark.sample is not None else ""
    fig.suptitle(f"Plans among {sample}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# -- the report folder -----------------------------------------------------------------


#: What a report folder holds; anything else in it is the planner's and is kept.
_REPORT_ENTRY = re.compile(r"report\.md|report\.json|plans|distribution\.png|map_.*\.png")


def _side_name(out: Path, tag: str) -> str:
    """A hidden sibling name (lock, temporary folder) short enough for any file system."""
    return f".{out.name[:150]}.{tag}"


def check_output_dir(path: str | Path, *, force: bool = False) -> Path:
    """Check, before any work, that ``path`` can receive the report.

    Parameters
    ----------
    path : str or path
        The report folder.
    force : bool
        Whether an existing report folder may be replaced.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        ``path`` exists and ``force`` is false, is not a folder, a name in it is
        too long, or no writable folder holds it (the message names the path).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_output_dir(pathlib.Path(tempfile.mkdtemp()) / "report").name
    'report'
    """
    path = Path(path)
    try:
        exists = path.exists()
        if exists and not path.is_dir():
            raise OutputError(f"output {str(path)!r} exists and is not a folder")
        if exists and not force:
            raise OutputError(
                f"output folder {str(path)!r} exists; choose another with --out or pass --force "
                "to replace the report in it"
            )
        parent = path.absolute().parent
        missing = [path.name] if not exists else []
        while not parent.exists():
            missing.append(parent.name)
            parent = parent.parent
    except OSError as exc:  # e.g. a name too long for the file system
        raise OutputError(
            f"cannot use output folder {str(path)!r}: {exc.strerror or exc}"
        ) from None
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot create output folder {str(path)!r}: {str(parent)!r} is not a writable folder"
        )
    limit = name_max(parent)
    too_long = [name for name in (*missing, _side_name(path, "lock")) if len(name) > limit]
    if too_long:
        raise OutputError(
            f"cannot create output folder {str(path)!r}: the name {too_long[0][:40]!r}... has "
            f"{len(too_long[0])} characters; the file system allows {limit}"
        )
    if exists and not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise OutputError(f"output folder {str(path)!r} is not writable")
    return path


_HELD: set[Path] = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (owned by someone else), or we cannot tell: assume alive
    return True


@contextlib.contextmanager
def report_lock(path: str | Path) -> Iterator[Path]:
    """Hold the lock of report folder ``path`` (re-entrant within one process).

    The lock is a file ``.<name>.lock`` next to the folder, created with
    ``O_CREAT | O_EXCL``; it names the process holding it, so that a lock left
    by a killed process is taken over.

    Parameters
    ----------
    path : str or path
        The report folder (it need not exist yet).

    Yields
    ------
    Path
        The lock file.

    Raises
    ------
    OutputError
        Another process is writing the same folder, or the lock cannot be created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with report_lock(out) as lock:
    ...     lock.exists()
    True
    >>> lock.exists()
    False
    """
    out = Path(path).absolute()
    lock = out.parent / _side_name(out, "lock")
    if out in _HELD:
        yield lock
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                break
            except FileExistsError:
                try:
                    pid = int(lock.read_text(encoding="ascii").strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if attempt == 0 and pid > 0 and not _pid_alive(pid):
                    lock.unlink(missing_ok=True)  # left by a killed run
                    continue
                raise OutputError(
                    f"another run is writing the report folder {str(path)!r} (process "
                    f"{pid or 'unknown'}; lock file {str(lock)!r}); wait for it to finish, or "
                    "remove the lock file if no run is active"
                ) from None
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")
    except OSError as exc:
        raise OutputError(f"cannot lock output folder {str(path)!r}: {exc}") from None
    _HELD.add(out)
    try:
        yield lock
    finally:
        _HELD.discard(out)
        lock.unlink(missing_ok=True)


def _swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished ``tmp`` folder to ``out``, replacing an old report there.

    The planner's own files in the old folder move into the new one. On any
    interruption the old folder is put back as it was.
    """
    old = out.parent / _side_name(out, "old")
    moved: list[str] = []
    swapped = False
    try:
        if out.exists():
            for entry in sorted(os.listdir(out)):
                if not _REPORT_ENTRY.fullmatch(entry):
                    os.rename(out / entry, tmp / entry)
                    moved.append(entry)
            if old.exists():
                shutil.rmtree(old)
            os.rename(out, old)
        os.rename(tmp, out)
        swapped = True
    finally:
        if not swapped:
            if old.exists() and not out.exists():
                os.rename(old, out)
            for entry in moved:
                with contextlib.suppress(OSError):
                    os.rename(tmp / entry, out / entry)
    shutil.rmtree(old, ignore_errors=True)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:40] or "plan"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_report(
    benchmark: Benchmark,
    out_dir: str | Path,
    *,
    force: bool = False,
    geojson: str | Path | None = None,
) -> dict[str, Path]:
    """Write the report folder whole (or not at all); return the files written by kind.

    The files are written to a hidden temporary sibling folder renamed into
    place at the end, under the folder's lock (:func:`report_lock`).

    Parameters
    ----------
    benchmark : Benchmark
        The results to report.
    out_dir : str or path
        The report folder.
    force : bool
        Replace an existing report folder (the planner's own files in it are kept).
    geojson : str or path, optional
        Polygons of the units for the maps.

    Returns
    -------
    dict of str to Path
        The files written, by kind (``"markdown"``, ``"json"``, ``"plan:<name>"``...),
        at their final place.

    Raises
    ------
    OutputError
        The folder exists (without ``force``), cannot be written, or another run
        is writing it.
    """
    out = check_output_dir(out_dir, force=force)
    with report_lock(out):
        try:
            tmp = Path(tempfile.mkdtemp(prefix=_side_name(out, "tmp-"), dir=out.parent))
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # mkdtemp's 0o700 would stay on the renamed report
        except OSError as exc:
            raise OutputError(f"cannot create output folder {str(out)!r}: {exc}") from None
        try:
            written = _write_files(benchmark, tmp, geojson)
            _swap_in(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return {kind: out / p.relative_to(tmp) for kind, p in written.items()}


def _write_files(benchmark: Benchmark, out: Path, geojson: str | Path | None) -> dict[str, Path]:
    (out / "plans").mkdir()
    written: dict[str, Path] = {}
    figures: dict[str, str] = {}
    figure_note = ""
    slugs: dict[str, int] = {}
    names = []
    for e in benchmark.evaluations:
        slug = _slug(f"{e.role}_{e.name}")
        slugs[slug] = slugs.get(slug, 0) + 1
        names.append(slug if slugs[slug] == 1 else f"{slug}_{slugs[slug]}")
    for e, slug in zip(benchmark.evaluations, names):
        plan_file = out / "plans" / f"{slug}.json"
        e.plan.to_json(plan_file, overwrite=True)
        written[f"plan:{e.name}"] = plan_file
    try:
        for e, slug in zip(benchmark.evaluations, names):
            png = plot_map(e, out / f"map_{slug}.png",
                           geojson=Path(geojson) if geojson else None)
            figures[f"map:{e.name}"] = png.name
            written[f"map:{e.name}"] = png
        if benchmark.sample is not None:
            png = plot_distribution(benchmark, out / "distribution.png")
            figures["distribution"] = png.name
            written["distribution"] = png
    except PlotUnavailable as exc:
        figure_note = f"No figures: {exc}"
    md = out / "report.md"
    md.write_text(markdown_report(benchmark, figures, figure_note), encoding="utf-8")
    written["markdown"] = md
    data = benchmark.to_dict() | {
        "files": {k: str(p.relative_to(out)) for k, p in written.items()},
        "figure_note": figure_note or None,
    }
    js = out / "report.json"
    js.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n",
                  encoding="utf-8")
    written["json"] = js
    return written
