"""report.html: one self-contained page with the table, the SVG maps and the figures (issue 15, 3).

Fast checks of :mod:`benchmarks.html_report` and :mod:`benchmarks.svg_map` parse the page
with :mod:`html.parser`; the browser test opens the default report in headless Chromium
(skipped, saying why, when no Chromium is installed; CI installs Debian's).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from benchmarks import __main__ as bench_cli
from benchmarks.compare import Settings, run_benchmark
from benchmarks.html_report import HTML_TEXTS, html_report
from benchmarks.proposals import read_proposal
from benchmarks.report import table_rows, write_report
from benchmarks.svg_map import (
    MAP_TEXTS,
    MapUnavailable,
    adjacent_colours,
    plan_colours,
    plan_svg,
)
from clustering.datasets import vietnam_provinces
from clustering.plan import Plan
from clustering.rules import ClusterRules
from clustering.units import UnitSet

EXAMPLES = Path(__file__).parents[1] / "benchmarks" / "examples"
NASTY = 'Bản <script>alert("x")</script> & “Đồng Tháp”'
#: Attributes that would make a browser fetch something.
RESOURCE_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "data", "poster", "action",
                       "background", "formaction"}


class Page(HTMLParser):
    """The elements of a page, with their attributes, text and enclosing elements."""

    VOID: ClassVar[set[str]] = {"meta", "img", "br", "hr", "link", "input", "source", "area",
                                "base", "col", "wbr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "",
                              "parents": list(self.stack)})

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def find(self, tag: str, cls: str | None = None, inside: dict | None = None) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag
                and (cls is None or cls in e["attrs"].get("class", "").split())
                and (inside is None or any(p is inside for p in e["parents"]))]


def side_table(page: Page) -> list[list[str]]:
    table = page.find("table", "side")
    assert len(table) == 1
    rows = page.find("tr", inside=table[0])
    return [[c["text"] for c in page.elements if c["tag"] in ("th", "td")
             and c["parents"] and c["parents"][-1] is row] for row in rows]


def map_units(page: Page, svg: dict) -> list[dict]:
    return [e for e in page.elements if e["tag"] in ("path", "circle")
            and "unit" in e["attrs"].get("class", "").split()
            and any(p is svg for p in e["parents"])]


def titles_of(page: Page, shape: dict) -> list[str]:
    return [e["text"] for e in page.find("title", inside=shape)]


@pytest.fixture(scope="module")
def vn():
    return vietnam_provinces(2025)


@pytest.fixture(scope="module")
def bench(vn):
    balanced = read_proposal(EXAMPLES / "north_to_south.yaml", vn).plan
    clusters = {(f"{name} & <b>" if k == 0 else name): members
                for k, (name, members) in enumerate(balanced.clusters.items())}
    nasty = Plan(vn, clusters, name=NASTY)
    five = dict(balanced.clusters)  # five clusters where the rules ask for six
    five["North"] = five.pop("Northern mountains") + five.pop("North-east")
    settings = Settings(ClusterRules(n_clusters=6, size=(5, 6), contiguous=True))
    return run_benchmark(vn, [balanced, nasty, Plan(vn, five, name="Năm cụm")], settings,
                         references=False)


@pytest.fixture(scope="module")
def page_text(bench):
    return html_report(bench, {})


@pytest.fixture(scope="module")
def folder(bench, tmp_path_factory):
    """The report folder of ``bench``, figures and all."""
    out = tmp_path_factory.mktemp("html") / "r"
    write_report(bench, out)
    return out


def test_every_unit_is_drawn_once_per_map_with_its_name_cluster_and_population(bench, vn,
                                                                               page_text):
    page = Page(page_text)
    maps = page.find("svg", "fc-map")
    assert len(maps) == len(bench.evaluations)
    for svg, e in zip(maps, bench.evaluations):
        shapes = map_units(page, svg)
        assert sorted(s["attrs"]["data-unit"] for s in shapes) == sorted(vn.ids)
        for shape in shapes:
            unit = vn.units[vn.index(shape["attrs"]["data-unit"])]
            (title,) = titles_of(page, shape)
            cluster = e.plan.cluster_of(unit.id)
            assert shape["attrs"]["data-cluster"] == cluster
            assert title.startswith(f"{unit.name} ({unit.id})\n")
            assert f"Cụm: {cluster} (" in title
            assert f"Dân số: {unit.weight:,.0f}" in title


def test_the_table_is_report_md_s_and_names_every_plan(bench, page_text):
    header, rows = table_rows(bench, "vi")
    assert side_table(Page(page_text)) == [header, *rows]
    for e in bench.evaluations:
        assert any(e.name in h for h in header)


def test_every_text_is_escaped(page_text):
    assert "<script>alert" not in page_text and "& <b>" not in page_text
    assert "Bản &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; “Đồng Tháp”" in page_text
    assert "&amp; &lt;b&gt;" in page_text
    page = Page(page_text)
    assert [e["attrs"] for e in page.find("script")] == [{}]  # only our inline script
    assert NASTY in "".join(t["text"] for t in page.find("th"))  # reads back as written


def test_the_page_needs_nothing_from_the_network(folder):
    text = (folder / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    assert page.find("img")  # the distribution plot is inlined
    for element in page.elements:
        for name, value in element["attrs"].items():
            if name in RESOURCE_ATTRIBUTES:
                assert value.startswith(("data:", "#")), (element["tag"], name, value[:60])
    assert not page.find("link") and not page.find("iframe") and not page.find("object")
    lowered = text.lower()
    assert "@import" not in lowered and "url(" not in lowered
    for scheme in ("http://", "https://", "//cdn", "fonts.googleapis"):
        for attr in ("src=", "href="):
            assert f'{attr}"{scheme}' not in lowered and f"{attr}'{scheme}" not in lowered
    meta = page.find("meta")[0]["attrs"]
    assert meta == {"charset": "utf-8"}  # first in <head>: the diacritics are read as UTF-8
    assert '"html": "report.html"' in (folder / "report.json").read_text(encoding="utf-8")


def test_a_plan_breaking_the_rules_is_marked_in_the_table_and_on_its_map(bench, page_text):
    page = Page(page_text)
    broken = [e for e in bench.evaluations if not e.comparable]
    assert [e.name for e in broken] == ["Năm cụm"]
    marked = [h["text"] for h in page.find("th", "breaks")]
    assert marked == ["⚠ Năm cụm"]
    assert len(page.find("td", "breaks")) == len(table_rows(bench)[1])
    maps = page.find("svg", "fc-map")
    assert ["breaks" in m["attrs"]["class"].split() for m in maps] == [
        not e.comparable for e in bench.evaluations]
    (banner,) = [t for t in page.find("text", "banner")]
    assert any(p is maps[2] for p in banner["parents"])
    assert banner["text"] == MAP_TEXTS["breaks"]("vi")
    assert len(page.find("figure", "breaks")) == 1


def test_vietnamese_by_default_english_on_request(bench, page_text):
    english = html_report(bench, {}, lang="en")
    assert '<html lang="vi">' in page_text and '<html lang="en">' in english
    assert HTML_TEXTS["maps"]("vi") in page_text and HTML_TEXTS["maps"]("en") in english
    assert "Cluster: " in english and "Cụm: " not in english
    assert [r[1:] for r in table_rows(bench, "en")[1]] != [r[1:] for r in table_rows(bench)[1]]


def test_same_benchmark_same_bytes(bench, folder, tmp_path):
    again = write_report(bench, tmp_path / "again")["html"].read_bytes()
    assert again == (folder / "report.html").read_bytes()
    assert html_report(bench, {}, lang="en") == html_report(bench, {}, lang="en")


def test_without_matplotlib_the_page_still_has_its_maps(bench, tmp_path, monkeypatch):
    import benchmarks.figures as figures
    import benchmarks.report as report

    def no_pyplot():
        raise report.PlotUnavailable("PNG figures need matplotlib: pip install fairclusters[plot]")

    monkeypatch.setattr(figures, "_pyplot", no_pyplot)
    text = write_report(bench, tmp_path / "r", lang="en")["html"].read_text(encoding="utf-8")
    page = Page(text)
    assert len(page.find("svg", "fc-map")) == len(bench.evaluations)
    assert not page.find("img")
    assert "No figures: PNG figures need matplotlib" in text


def test_other_figures_such_as_a_pareto_front_are_inlined(bench, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1, 2], [2, 1, 0.5], marker="o")
    fig.savefig(tmp_path / "pareto.png")
    plt.close(fig)
    page = Page(html_report(bench, {"pareto": "pareto.png"}, folder=tmp_path, lang="en"))
    (image,) = page.find("img")
    assert image["attrs"]["src"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert image["attrs"]["alt"] == HTML_TEXTS["pareto"]("en")
    assert HTML_TEXTS["pareto"]("en") in [h["text"] for h in page.find("h2")]


def square_polygons(units: UnitSet, skip: str | None = None) -> dict:
    half = 0.1
    out = {}
    for u in units:
        if u.id == skip:
            continue
        square = np.array([[u.lon - half, u.lat - half], [u.lon + half, u.lat - half],
                           [u.lon + half, u.lat + half], [u.lon - half, u.lat + half]])
        hole = (square - [u.lon, u.lat]) * 0.3 + [u.lon, u.lat]
        out[u.id] = [[square, hole[::-1]]]
    return out


def test_polygons_are_paths_and_a_unit_without_one_is_a_circle(vn):
    plan = Plan.from_labels(vn, [i % 6 for i in range(len(vn))])
    page = Page(plan_svg(plan, polygons=square_polygons(vn, skip="01"), lang="en"))
    paths, circles = page.find("path", "unit"), page.find("circle", "unit")
    assert len(paths) == len(vn) - 1 and [c["attrs"]["data-unit"] for c in circles] == ["01"]
    assert all(p["attrs"]["d"].count("M") == 2 for p in paths)  # exterior and hole
    assert all(p["attrs"]["fill-rule"] == "evenodd" for p in paths)
    assert not page.find("line")  # borders are the polygons' edges
    svg = page.find("svg")[0]["attrs"]
    width, height = (float(v) for v in svg["viewbox"].split()[2:])
    for p in paths:
        xy = np.array([float(v) for v in p["attrs"]["d"].replace("M", " ").replace("L", " ")
                       .replace("Z", " ").split()]).reshape(-1, 2)
        assert (xy >= 0).all() and (xy[:, 0] <= width).all() and (xy[:, 1] <= height).all()


def test_maps_drawn_from_the_shipped_boundaries_credit_them(bench, vn, page_text):
    import html

    from clustering.boundaries import ATTRIBUTION

    page = Page(page_text)
    assert len(page.find("path", "unit")) == len(vn) * len(bench.evaluations)
    assert html.escape(ATTRIBUTION) in page_text


def test_the_planner_s_geojson_is_drawn_and_a_bad_one_is_said(bench, vn, tmp_path):
    squares = square_polygons(vn)
    features = [{"type": "Feature", "properties": {"ten": u.labels["name_ascii"]},
                 "geometry": {"type": "Polygon",
                              "coordinates": [squares[u.id][0][0].tolist()]}} for u in vn]
    geojson = tmp_path / "units.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                       encoding="utf-8")
    page = Page(html_report(bench, {}, geojson=geojson, lang="en"))
    paths = page.find("path", "unit")
    assert len(paths) == len(vn) * len(bench.evaluations) and not page.find("circle")
    assert all(p["attrs"]["d"].count("M") == 1 for p in paths)  # the squares, not the shipped
    assert "geoBoundaries" not in "".join(e["text"] for e in page.find("p"))
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features[1:]}),
                       encoding="utf-8")
    text = html_report(bench, {}, geojson=geojson, lang="en")
    assert "The maps below do not use the GeoJSON file" in text and vn.units[0].name in text
    assert Page(text).find("path", "unit")  # the shipped boundaries instead


def test_a_unit_without_coordinates_nor_polygon_cannot_be_drawn():
    units = UnitSet([{"id": "a", "name": "A", "lat": 10.0, "lon": 106.0},
                     {"id": "b", "name": "B"}], edges=[("a", "b")])
    plan = Plan.from_labels(units, [0, 1])
    with pytest.raises(MapUnavailable, match="B"):
        plan_svg(plan)
    assert plan_svg(plan, polygons=square_polygons(units.subset(["a"])) | {
        "b": [[np.array([[105.0, 9.0], [105.5, 9.0], [105.5, 9.5]])]]}).count("<path") == 2


def test_fallback_colours_keep_neighbouring_clusters_apart(vn):
    regions = read_proposal(EXAMPLES / "north_to_south.yaml", vn).plan
    colours = adjacent_colours(regions)
    index = {uid: i for i, uid in enumerate(vn.ids)}
    for a, b in vn.graph.edges():
        ca, cb = (int(regions.labels[index[u]]) for u in (a, b))
        if ca != cb:
            assert colours[ca] != colours[cb]
    assert adjacent_colours(regions) == colours


# -- in a browser ----------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def chromium(browser: str, page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args,
               page.resolve().as_uri()]
    env = os.environ | {"LANG": "C.UTF-8"}
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=env,
                          check=False)


#: A script run after the page's own: hovers the first unit of each map, turns the wheel once.
PROBE = """<script>
document.querySelectorAll("svg.fc-map").forEach(function(svg){
  var unit=svg.querySelector(".unit"), box=unit.getBoundingClientRect();
  unit.dispatchEvent(new PointerEvent("pointerover",{bubbles:true}));
  svg.dispatchEvent(new WheelEvent("wheel",{deltaY:-100,bubbles:true,cancelable:true,
    clientX:box.left+box.width/2,clientY:box.top+box.height/2}));
});
</script>"""


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    """The main job's default report (the 34 units), as a planner runs it."""
    out = tmp_path_factory.mktemp("main") / "report"
    assert bench_cli.main(["--out", str(out), "--force"]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    """The headless browser's command (the test is skipped, saying why, without one)."""
    found = find_browser()
    if found is None:
        pytest.skip("no Chromium installed (apt-get install chromium; .ci/run installs it)")
    return found


def test_the_default_report_renders_in_a_headless_browser(browser, default_report, tmp_path):
    import matplotlib.image

    page = default_report / "report.html"
    data = json.loads((default_report / "report.json").read_text(encoding="utf-8"))
    names = [p["name"] for p in data["plans"]]
    dom = chromium(browser, page, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = Page(dom.stdout)
    header = side_table(rendered)[0]
    markdown = (default_report / "report.md").read_text(encoding="utf-8")
    md_header = next(line for line in markdown.splitlines() if line.startswith("| "))
    assert header == [c.strip() for c in md_header.strip("|").split(" | ")]  # every plan named
    assert len(header) == 1 + len(names) and header[1].startswith("⚠ ")  # GSO: 2-10 units
    maps = rendered.find("svg", "fc-map")
    assert len(maps) == len(names) == 3  # regions, heuristic, optimizer
    vn = vietnam_provinces(2025)
    for svg in maps:
        assert svg["attrs"].get("data-zoom") == "ready"  # the inline script ran
        shapes = map_units(rendered, svg)
        assert sorted(s["attrs"]["data-unit"] for s in shapes) == sorted(vn.ids)
        assert all(len(titles_of(rendered, s)) == 1 for s in shapes)
        assert {titles_of(rendered, s)[0].split(" (")[0] for s in shapes} == {
            u.name for u in vn}
    # Hover and wheel, as a reader's pointer does them, on a copy of the page.
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    touched = Page(chromium(browser, probe, tmp_path / "profile-probe", "--dump-dom").stdout)
    for svg, before in zip(touched.find("svg", "fc-map"), maps):
        first = map_units(touched, svg)[0]
        info = [e for e in touched.find("p", "unit-info")
                if e["parents"][-1] is svg["parents"][-1]]
        assert [e["text"] for e in info] == titles_of(touched, first)  # described on hover
        zoomed = [float(v) for v in svg["attrs"]["viewbox"].split()]
        full = [float(v) for v in before["attrs"]["viewbox"].split()]
        assert zoomed[2] == pytest.approx(0.8 * full[2], rel=1e-3)  # the wheel zoomed in
    shot = tmp_path / "shot.png"
    run = chromium(browser, page, tmp_path / "profile-shot", f"--screenshot={shot}",
                   "--window-size=1400,2000", "--hide-scrollbars")
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    image = matplotlib.image.imread(shot)[..., :3]
    assert image.shape[:2] == (2000, 1400)
    assert np.ptp(image) > 0.5  # not a blank page
    assert (image.min(axis=2) < 0.9).mean() > 0.03  # text, table and maps drawn
    # The maps are drawn: their cluster colours are on the screen.
    pixels = np.round(image.reshape(-1, 3) * 255).astype(int)
    codes = pixels[:, 0] * 65536 + pixels[:, 1] * 256 + pixels[:, 2]
    regions = Plan(vn, data["plans"][0]["clusters"])
    for colour in plan_colours(regions):
        assert (codes == int(colour[1:], 16)).sum() > 50, colour
