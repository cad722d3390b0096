"""The report as one self-contained HTML page (``report.html``).

The page opens with no network: its style and its small zoom script are inline,
the maps are inline SVG drawn by :mod:`benchmarks.svg_map` (hover a unit for
its name, cluster and figures; wheel to zoom, drag to pan, double-click to
reset) and the other figures (distributions, a Pareto front when the report has
one) are PNGs inlined as ``data:`` URIs. The side-by-side table is
:func:`benchmarks.text_report.table_rows`, the very cells of ``report.md``. Every
text is escaped; the words follow ``lang`` (Vietnamese by default). A plan that
breaks the rules is marked in the table (its column, ``⚠``) and on its map.
The same benchmark gives the same bytes.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

from clustering.errors import FairclustersError
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language

from .compare import BELOW_OPTIMUM, Benchmark, Evaluation
from .svg_map import MapUnavailable, load_polygons, plan_colours, plan_svg
from .text_report import (
    ROLE_TEXTS,
    WORDS,
    display_name,
    legend_lines,
    plan_notes,
    summary_lines,
    table_rows,
    violations_text,
)

__all__ = ["HTML_TEXTS", "html_report"]

#: The words of the page that ``report.md`` does not have.
HTML_TEXTS: dict[str, Text] = {
    "maps": Text(vi="Bản đồ các phương án", en="Maps of the plans"),
    "how_maps": Text(
        vi="Di chuột lên một đơn vị để xem tên, cụm và số liệu; cuộn chuột để phóng to, kéo để "
           "di chuyển, nhấp đúp để trở lại.",
        en="Hover over a unit to see its name, cluster and figures; scroll to zoom, drag to "
           "pan, double-click to reset."),
    "centroids": Text(
        vi="Chưa có ranh giới: mỗi đơn vị là một chấm tại tâm của nó; các đường là địa giới "
           "chung (màu xám: giữa hai cụm khác nhau).",
        en="No boundaries: each unit is a dot at its centre; the lines are shared borders "
           "(grey: between two clusters)."),
    "boundaries": Text(vi="Ranh giới: {attribution}", en="Boundaries: {attribution}"),
    "pareto": Text(vi="Biên Pareto", en="Pareto front"),
    "details": Text(vi="Chi tiết từng phương án", en="Each plan in detail"),
    "cluster": Text(vi="cụm", en="cluster"),
    "size": Text(vi="số đơn vị", en="size"),
    "members": Text(vi="các đơn vị", en="members"),
    "metric": Text(vi="chỉ số", en="metric"),
    "value": Text(vi="giá trị", en="value"),
    "meaning": Text(vi="ý nghĩa", en="meaning"),
    "no_map": Text(vi="Không vẽ được bản đồ: {why}", en="No map: {why}"),
    "no_geojson": Text(vi="Các bản đồ dưới đây không dùng tệp GeoJSON: {why}",
                       en="The maps below do not use the GeoJSON file: {why}"),
}

_STYLE = """
body{font-family:"Noto Sans","Segoe UI",Arial,sans-serif;margin:1.2em auto;max-width:1400px;
padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
thead th{background:#f2f2f2}
table.side td,table.side thead th{min-width:9em}
th.breaks,td.breaks{background:#fde8e8}
th.breaks{color:#a00000}
.maps{display:flex;flex-wrap:wrap;gap:1em}
figure.map{margin:0;border:1px solid #ddd;padding:.5em;width:380px}
figure.map.breaks{border:2px solid #c00000}
figure.map figcaption{font-weight:bold;margin-bottom:.3em}
svg.fc-map{max-width:100%;height:auto;touch-action:none;cursor:grab;background:#fafcff}
svg.fc-map .unit{stroke:#fff;stroke-width:.6}
svg.fc-map circle.unit{stroke:#333;stroke-width:.5}
svg.fc-map .unit:hover{stroke:#000;stroke-width:1.6}
svg.fc-map .unit.concerned{stroke:#c00000;stroke-width:1.2}
svg.fc-map .names text{font-size:6.5px;fill:#333}
svg.fc-map .banner{font-size:13px;font-weight:bold}
ul.legend{list-style:none;padding:0;margin:.4em 0;font-size:.85em}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:-.1em;
border:1px solid #666}
.warn{color:#a00000;font-weight:bold}
img.figure{max-width:100%;height:auto}
.note{color:#555;font-size:.9em}
.unit-info{white-space:pre-line;font-size:.85em;min-height:4.2em;margin:.3em 0;color:#333}
"""

# Wheel zooms about the pointer, a drag pans, a double click resets: on each map's viewBox;
# the unit under the pointer (or finger) is described below the map, as its tooltip says.
# A map marked data-zoom="ready" has it all (the browser test reads the mark).
_SCRIPT = """
(function(){document.querySelectorAll("svg.fc-map").forEach(function(svg){
var base=svg.getAttribute("viewBox").split(" ").map(Number),v=base.slice(),drag=null;
function set(){svg.setAttribute("viewBox",v.join(" "));}
function at(e){var r=svg.getBoundingClientRect();
return[v[0]+(e.clientX-r.left)/r.width*v[2],v[1]+(e.clientY-r.top)/r.height*v[3]];}
svg.addEventListener("wheel",function(e){e.preventDefault();var p=at(e),f=e.deltaY<0?0.8:1.25,
w=Math.min(base[2],v[2]*f),h=Math.min(base[3],v[3]*f);
v=[p[0]-(p[0]-v[0])*w/v[2],p[1]-(p[1]-v[1])*h/v[3],w,h];set();},{passive:false});
svg.addEventListener("pointerdown",function(e){drag=[e.clientX,e.clientY,v[0],v[1]];});
svg.addEventListener("pointermove",function(e){if(!drag)return;var r=svg.getBoundingClientRect();
v[0]=drag[2]-(e.clientX-drag[0])/r.width*v[2];v[1]=drag[3]-(e.clientY-drag[1])/r.height*v[3];
set();});
["pointerup","pointerleave"].forEach(function(n){svg.addEventListener(n,function(){drag=null;});});
svg.addEventListener("dblclick",function(){v=base.slice();set();});
var info=svg.parentNode.querySelector(".unit-info");
svg.addEventListener("pointerover",function(e){var u=e.target.closest(".unit");
if(u&&info){info.textContent=u.querySelector("title").textContent;}});
svg.setAttribute("data-zoom","ready");});})();
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _data_uri(path: Path) -> str:
    """A PNG (or SVG) file as a ``data:`` URI: nothing is fetched when the page opens."""
    kind = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _side_by_side(benchmark: Benchmark, lang: str) -> list[str]:
    """The table of report.md (:func:`table_rows`), broken plans' columns marked."""
    header, rows = table_rows(benchmark, lang)
    marks = ["", *("" if e.comparable else ' class="breaks"' for e in benchmark.evaluations)]
    out = ['<table class="side">', "<thead><tr>"]
    out += [f'<th scope="col"{m}>{_esc(h)}</th>' for h, m in zip(header, marks)]
    out += ["</tr></thead>", "<tbody>"]
    for row in rows:
        cells = [f'<th scope="row">{_esc(row[0])}</th>']
        cells += [f"<td{m}>{_esc(c)}</td>" for c, m in zip(row[1:], marks[1:])]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _legend(e: Evaluation, colours: Sequence[str]) -> list[str]:
    weights = e.report.size_weight.per_cluster if e.report.size_weight else {}
    out = ['<ul class="legend">']
    for k, name in enumerate(e.plan.cluster_names):
        population = f", {weights[name]:,.0f}" if name in weights else ""
        out.append(f'<li><span class="swatch" style="background:{_esc(colours[k])}"></span>'
                   f"{_esc(name)} ({len(e.plan.clusters[name])}{population})</li>")
    out.append("</ul>")
    return out


def _map_figure(benchmark: Benchmark, e: Evaluation, polygons: Mapping | None,
                figures: Mapping[str, Path], lang: str) -> list[str]:
    """One plan's map (inline SVG; the PNG map when the units cannot be drawn)."""
    name = display_name(e, lang)
    caption = name if e.comparable else f"⚠ {WORDS['breaks_short'](lang, name=name)}"
    colours = plan_colours(e.plan)
    concerned = sorted({uid for v in e.violations for uid in v.units})
    out = [f'<figure class="map{"" if e.comparable else " breaks"}">',
           f"<figcaption>{_esc(caption)}</figcaption>"]
    try:
        out.append(plan_svg(e.plan, colours=colours, polygons=polygons,
                            indicators=benchmark.indicators, lang=lang, title=caption,
                            breaks=not e.comparable, concerned=concerned))
        out.append('<p class="unit-info" aria-live="polite"></p>')
    except MapUnavailable as exc:
        png = figures.get(f"map:{e.name}")
        if png is not None and png.exists():
            out.append(f'<img class="figure" alt="{_esc(WORDS["map_alt"](lang, name=name))}" '
                       f'src="{_data_uri(png)}">')
        else:
            out.append(f'<p class="note">{_esc(HTML_TEXTS["no_map"](lang, why=exc))}</p>')
    out += _legend(e, colours)
    out.append("</figure>")
    return out


def _plan_details(benchmark: Benchmark, e: Evaluation, lang: str) -> list[str]:
    """One plan's notes, breaches, clusters and fairness table, as in report.md."""
    names = {u.id: u.name for u in benchmark.unit_set}
    role = ROLE_TEXTS[e.role](lang) if e.role in ROLE_TEXTS else e.role
    out = [f"<h3>{_esc(display_name(e, lang))} ({_esc(role)})</h3>"]
    notes = plan_notes(e, lang)
    if notes:
        out.append(f"<p>{_esc(notes)}</p>")
    out.append("<ul>")
    # The benchmark's notes are English; the one it writes on comparability is said in lang.
    out += [f"<li>{_esc(BELOW_OPTIMUM(lang) if n == BELOW_OPTIMUM('en') else n)}</li>"
            for n in e.notes]
    if e.violations:
        breaks = WORDS["breaks"](lang, what=violations_text(e, lang))
        out.append(f'<li class="warn">⚠ {_esc(breaks)}</li>')
    else:
        out.append(f"<li>{_esc(WORDS['follows_all'](lang))}</li>")
    out += [f"<li>{_esc(WORDS['note'](lang, note=n))}</li>" for n in e.report.notes]
    out.append("</ul>")
    weights = e.report.size_weight.per_cluster if e.report.size_weight else {}
    heads = [HTML_TEXTS[k](lang) for k in ("cluster", "size")] + [
        WORDS["population"](lang), HTML_TEXTS["members"](lang)]
    out.append("<table><thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in heads)
               + "</tr></thead><tbody>")
    for cluster, members in e.plan.clusters.items():
        population = f"{weights[cluster]:,.0f}" if cluster in weights else "-"
        cells = [cluster, len(members), population, ", ".join(names[m] for m in members)]
        out.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    out.append(f"<h4>{_esc(WORDS['fairness'](lang))}</h4>")
    heads = [HTML_TEXTS[k](lang) for k in ("metric", "value", "meaning")]
    out.append("<table><thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in heads)
               + "</tr></thead><tbody>")
    out += ["<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>"
            for row in e.report.rows(lang)]
    out.append("</tbody></table>")
    return out


def _attribution(polygons: Mapping | None, geojson: object) -> str | None:
    """Whose boundaries the maps draw (``None`` for centroids or the planner's GeoJSON)."""
    if not polygons or geojson is not None:
        return None
    try:
        from clustering.boundaries import ATTRIBUTION  # type: ignore[import-not-found]
    except ImportError:
        return None
    return str(ATTRIBUTION)


def _figure_sections(figures: Mapping[str, Path], lang: str) -> list[str]:
    """The distribution plots, then any other figure (a Pareto front...), inlined."""
    out: list[str] = []
    keys = [k for k in figures if not k.startswith("map:")]
    keys.sort(key=lambda k: (k != "distribution", k))
    for key in keys:
        path = figures[key]
        if not path.exists():
            continue
        if key == "distribution":
            title, alt = WORDS["among"](lang), WORDS["distribution_alt"](lang)
        elif "pareto" in key:
            title = alt = HTML_TEXTS["pareto"](lang)
        else:
            title = alt = key
        out += [f"<h2>{_esc(title)}</h2>",
                f'<img class="figure" alt="{_esc(alt)}" src="{_data_uri(path)}">']
    return out


def html_report(
    benchmark: Benchmark,
    figures: Mapping[str, str | Path],
    figure_note: str = "",
    lang: str = DEFAULT_LANGUAGE,
    *,
    folder: str | Path = ".",
    geojson: str | Path | None = None,
) -> str:
    """The report as one self-contained HTML page (UTF-8 text).

    Parameters
    ----------
    benchmark : Benchmark
        The results to report.
    figures : mapping of str to str or path
        The PNG figures by kind, as for :func:`benchmarks.text_report.markdown_report`
        (``"distribution"``, ``"map:<plan name>"``, a Pareto front...): inlined, except the
        maps, which are drawn as SVG (a PNG map is inlined only when its units cannot be).
    figure_note : str
        A note on the figures (e.g. why there are none).
    lang : {"vi", "en"}
        The reader's language (Vietnamese by default); the numbers are the same in both.
    folder : str or path
        The folder the figures' relative paths are in.
    geojson : str or path, optional
        Polygons of the units for the maps; without it the built-in boundaries
        (:mod:`clustering.boundaries`) when there are any, else the centroids.

    Returns
    -------
    str
        The page, to write as UTF-8.

    Examples
    --------
    >>> from benchmarks.compare import Settings, run_benchmark
    >>> from clustering.plan import Plan
    >>> from clustering.rules import ClusterRules
    >>> from clustering.synthetic import planar_unit_set
    >>> units = planar_unit_set(6, seed=1)
    >>> plan = Plan.from_labels(units, [0, 0, 0, 1, 1, 1], name="Bản <A>")
    >>> bench = run_benchmark(units, [plan], Settings(ClusterRules(n_clusters=2)),
    ...                       references=False)
    >>> page = html_report(bench, {}, lang="vi")
    >>> "Bản &lt;A&gt;" in page, page.count("<circle"), "<svg" in page
    (True, 6, True)
    """
    lang = check_language(lang)
    folder = Path(folder)
    paths = {k: folder / v for k, v in figures.items()}
    geojson_note = ""
    try:
        polygons = load_polygons(benchmark.unit_set, geojson)
    except FairclustersError as exc:  # the PNG maps read it; the page still has its maps
        polygons, geojson, geojson_note = load_polygons(benchmark.unit_set), None, str(exc)
    title = WORDS["title"](lang)
    out = ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_esc(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{_esc(title)}</h1>", "<ul>"]
    out += [f"<li>{_esc(line)}</li>" for line in summary_lines(benchmark, lang)]
    out += ["</ul>", f"<h2>{_esc(WORDS['side_by_side'](lang))}</h2>"]
    out += _side_by_side(benchmark, lang)
    out += [f"<h3>{_esc(WORDS['reading'](lang))}</h3>", '<ul class="note">']
    out += [f"<li>{_esc(line)}</li>" for line in legend_lines(benchmark, lang)]
    out.append("</ul>")
    if figure_note:
        out.append(f'<p class="note">{_esc(figure_note)}</p>')
    out += [f"<h2>{_esc(HTML_TEXTS['maps'](lang))}</h2>",
            f'<p class="note">{_esc(HTML_TEXTS["how_maps"](lang))}</p>']
    attribution = _attribution(polygons, geojson)
    if geojson_note:
        out.append(f'<p class="note">{_esc(HTML_TEXTS["no_geojson"](lang, why=geojson_note))}</p>')
    if not polygons:
        out.append(f'<p class="note">{_esc(HTML_TEXTS["centroids"](lang))}</p>')
    out.append('<div class="maps">')
    for e in benchmark.evaluations:
        out += _map_figure(benchmark, e, polygons, paths, lang)
    out.append("</div>")
    if attribution:
        credit = HTML_TEXTS["boundaries"](lang, attribution=attribution)
        out.append(f'<p class="note">{_esc(credit)}</p>')
    out += _figure_sections(paths, lang)
    out.append(f"<h2>{_esc(HTML_TEXTS['details'](lang))}</h2>")
    for e in benchmark.evaluations:
        out += _plan_details(benchmark, e, lang)
    if benchmark.notes:
        out += [f"<h2>{_esc(WORDS['notes'](lang))}</h2>", "<ul>"]
        out += [f"<li>{_esc(n)}</li>" for n in benchmark.notes]
        out.append("</ul>")
    if benchmark.unit_set.provenance:
        out += [f"<h2>{_esc(WORDS['data'](lang))}</h2>",
                f'<p class="note">{_esc(benchmark.unit_set.provenance)}</p>']
    out += [f"<script>{_SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(out)
