"""Report folder: Markdown referencing valid PNGs, JSON, no silent overwrite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from benchmarks.compare import Settings, run_benchmark
from benchmarks.proposals import read_proposal
from benchmarks.report import OutputError, check_output_dir, terminal_table, write_report
from clustering.datasets import vietnam_provinces
from clustering.rules import ClusterRules

EXAMPLES = Path(__file__).parents[1] / "benchmarks" / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def bench():
    vn = vietnam_provinces(2025)
    proposals = [read_proposal(EXAMPLES / f, vn).plan
                 for f in ("north_to_south.yaml", "cities_bloc.yaml")]
    settings = Settings(ClusterRules(n_clusters=6, size=(5, 6), contiguous=True))
    return run_benchmark(vn, proposals, settings, references=False)


def assert_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_MAGIC
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert np.ptp(image[..., :3]) > 0  # not a blank canvas


def test_folder_has_markdown_referencing_existing_pngs(bench, tmp_path):
    out = tmp_path / "report"
    written = write_report(bench, out)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert "distribution.png" in images and "pareto_front.png" in images
    assert len(images) == 2 + len(bench.evaluations)  # and one map per plan
    for name in images:
        assert_png(out / name)
    assert "North to south, 6 balanced clusters" in markdown
    assert "tốt hơn N % số phương án hợp lệ" in markdown  # Vietnamese by default
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["sample"]["n_distinct"] == 3329 and data["sample"]["complete"] is True
    assert [p["name"] for p in data["plans"]] == [e.name for e in bench.evaluations]
    for kind, path in written.items():
        assert path.exists(), kind


def test_plans_written_can_be_read_back_as_proposals(bench, tmp_path):
    written = write_report(bench, tmp_path / "r")
    vn = bench.unit_set
    for e in bench.evaluations:
        again = read_proposal(written[f"plan:{e.name}"], vn).plan
        assert again.same_partition(e.plan)


def test_existing_folder_is_refused_without_force(bench, tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    keep = out / "mine.txt"
    keep.write_text("planner's notes", encoding="utf-8")
    with pytest.raises(OutputError, match=r"exists.*--force"):
        write_report(bench, out)
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    write_report(bench, out, force=True)
    assert keep.read_text(encoding="utf-8") == "planner's notes"  # only report files replaced
    assert (out / "report.md").exists()


def test_unwritable_location_is_refused(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a writable folder"):
        check_output_dir(blocker / "report")
    with pytest.raises(OutputError, match="not a folder"):
        check_output_dir(blocker, force=True)


def test_terminal_table_has_one_column_per_plan(bench):
    text = terminal_table(bench, lang="en")
    header = text.split("\n--")[0]  # long names wrap onto more header lines
    assert "North to south" in header and "Cities bloc" in header
    assert "follows the rules" in text and "no (4 breaches)" in text


def test_geojson_polygons_are_drawn(bench, tmp_path):
    vn = bench.unit_set
    features = []
    for u in vn:  # a small square around each centroid, matched by name without diacritics
        x, y = u.lon, u.lat
        ring = [[x - .2, y - .2], [x + .2, y - .2], [x + .2, y + .2], [x - .2, y + .2],
                [x - .2, y - .2]]
        features.append({"type": "Feature", "properties": {"ten": u.labels["name_ascii"]},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    geojson = tmp_path / "units.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                       encoding="utf-8")
    written = write_report(bench, tmp_path / "r", geojson=geojson)
    assert_png(written[f"map:{bench.evaluations[0].name}"])


def test_without_matplotlib_the_report_says_so(bench, tmp_path, monkeypatch):
    import benchmarks.figures as figures
    import benchmarks.report as report

    def no_pyplot():
        raise report.PlotUnavailable("PNG figures need matplotlib: pip install fairclusters[plot]")

    monkeypatch.setattr(figures, "_pyplot", no_pyplot)
    write_report(bench, tmp_path / "r", lang="en")
    markdown = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "No figures: PNG figures need matplotlib" in markdown
    assert not list((tmp_path / "r").glob("*.png"))
