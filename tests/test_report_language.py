"""Reports in Vietnamese by default, English on request, with the same numbers; readable marks.

Issue 15, parts 2, 6 and 7: the report's words, not-comparable ranks of plans that break the
rules, full names in tables, files and legends, colours, ``--version``, ``--lang`` and ``--help``.
"""

from __future__ import annotations

import argparse
import colorsys
import json
import re
import subprocess
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

import pytest

from benchmarks import __main__ as bench_cli
from benchmarks.compare import METRICS, Settings, run_benchmark
from benchmarks.figures import _legend_label
from benchmarks.proposals import read_proposal
from benchmarks.report import (
    BORDER_GREY,
    NOT_COMPARABLE,
    ROW_TEXTS,
    cluster_colours,
    console_summary,
    markdown_report,
    table_rows,
    terminal_table,
    write_report,
)
from clustering.datasets import vietnam_provinces
from clustering.errors import FairclustersError
from clustering.plan import Plan
from clustering.rules import ClusterRules

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "benchmarks" / "examples"
LONG = "Phương án sắp xếp cụm thi đua các tỉnh miền núi và trung du phía Bắc bản"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.fixture(scope="module")
def bench():
    vn = vietnam_provinces(2025)
    balanced = read_proposal(EXAMPLES / "north_to_south.yaml", vn).plan
    unbalanced = read_proposal(EXAMPLES / "cities_bloc.yaml", vn).plan
    clusters = dict(balanced.clusters)  # five clusters where the rules ask for six
    clusters["North"] = clusters.pop("Northern mountains") + clusters.pop("North-east")
    five = Plan(vn, clusters, name="Five clusters")
    a = Plan(vn, balanced.clusters, name=f"{LONG} A")
    b = Plan(vn, balanced.clusters, name=f"{LONG} B")
    settings = Settings(ClusterRules(n_clusters=6, size=(5, 6), contiguous=True))
    return run_benchmark(vn, [balanced, unbalanced, five, a, b], settings, references=False)


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def test_both_languages_carry_the_same_numbers(bench):
    for lang_rows in zip(table_rows(bench, "vi")[1], table_rows(bench, "en")[1]):
        vi, en = ([numbers(c) for c in cells[1:]] for cells in lang_rows)
        assert vi == en, lang_rows
    heads = [console_summary(bench, lang).split("\n\n")[0] for lang in ("vi", "en")]
    assert numbers(heads[0]) == numbers(heads[1]) and len(numbers(heads[0])) > 5
    assert heads[0] != heads[1]  # and they are really two languages
    for e in bench.evaluations:
        vi, en = ([value for _, value, _ in e.report.rows(lang)] for lang in ("vi", "en"))
        assert [numbers(v) for v in vi] == [numbers(v) for v in en]
    # The broken rules, said in both languages from the same figures.
    breaches = [[line for line in markdown_report(bench, {}, lang=lang).splitlines()
                 if line.startswith(start)] for lang, start in (("vi", "- Vi phạm quy tắc: "),
                                                               ("en", "- Breaks the rules: "))]
    assert len(breaches[0]) == len(breaches[1]) == 2
    assert [numbers(line) for line in breaches[0]] == [numbers(line) for line in breaches[1]]
    assert "cụm 'Northern mountains' có 8 đơn vị, ngoài khoảng [5, 6]" in breaches[0][0]


def test_vietnamese_is_the_default_and_english_is_asked_for(bench):
    assert console_summary(bench) == console_summary(bench, "vi")
    vi, en = markdown_report(bench, {}), markdown_report(bench, {}, lang="en")
    assert vi.startswith("# So sánh các phương án cụm thi đua")
    assert "tốt hơn N % số phương án hợp lệ" in vi and "tuân thủ quy tắc" in vi
    assert en.startswith("# Benchmark of cluster plans") and "follows the rules" in en
    assert "phương án" not in en and "better than N % of the valid plans" in en
    assert unicodedata.normalize("NFC", vi) == vi


def test_every_row_and_metric_is_explained_in_both_languages(bench):
    for key in [m.key for m in METRICS] + ["follows", "contiguous", "gap", "clusters"]:
        label, meaning = ROW_TEXTS[key]
        for text in (label, meaning):
            assert text.vi and text.en and text("vi", k=6) != text("en", k=6)
        assert re.search(r"[^\x00-\x7f]", meaning("vi", k=6)), key  # written with diacritics
    _, rows = table_rows(bench, "en")
    # Paragraphs: the summary, the table, its legend, then the trade-off (and the reform).
    explained = console_summary(bench, "en").split("\n\n")[2].splitlines()
    assert all(any(line.startswith(f"{r[0]}: ") for line in explained) for r in rows)
    # The fairness report says what each row measures, by population, not "weight".
    for lang in ("vi", "en"):
        rows = bench.evaluations[0].report.rows(lang)
        assert all(label and meaning for label, _, meaning in rows)
        assert not any("weight" in label + meaning for label, _, meaning in rows)
    assert "population max/min" in bench.evaluations[0].report.to_text("en")
    assert "dân số lớn nhất / nhỏ nhất" in str(bench.evaluations[0].report)


def test_a_plan_outside_the_rules_is_marked_and_its_rank_not_comparable(bench):
    by_name = {e.name: e for e in bench.evaluations}
    assert by_name["North to south, 6 balanced clusters"].comparable
    assert not by_name["Cities bloc (unbalanced)"].comparable
    assert not by_name["Five clusters"].comparable  # another number of clusters
    for lang in ("vi", "en"):
        header, rows = table_rows(bench, lang)
        column = {name: k + 1 for k, name in enumerate(by_name)}
        assert header[column["Cities bloc (unbalanced)"]].startswith("⚠")
        assert not header[column["North to south, 6 balanced clusters"]].startswith("⚠")
        ranked = [r for r in rows if r[0] in {ROW_TEXTS[m.key][0](lang) for m in METRICS}]
        assert len(ranked) == len(METRICS)
        for r in ranked:
            for name in ("Cities bloc (unbalanced)", "Five clusters"):
                assert r[column[name]].endswith(f"({NOT_COMPARABLE(lang)})")
                assert "%" not in r[column[name]]
            assert r[column["North to south, 6 balanced clusters"]].endswith("%)")
        clusters_row = next(r for r in rows if r[0] == ROW_TEXTS["clusters"][0](lang))
        assert numbers(clusters_row[column["Five clusters"]]) == ["5", "6"]
    data = json.loads(json.dumps([e.to_dict() for e in bench.evaluations]))
    assert [p["comparable"] for p in data] == [e.comparable for e in bench.evaluations]


def test_long_names_wrap_in_the_table_and_stay_distinct_in_files(bench, tmp_path):
    text = terminal_table(bench, lang="en")
    assert "…" not in text
    header = text.split("\n--")[0]
    assert "bản A" in header and "bản B" in header
    assert max(len(line) for line in text.splitlines()) < 200  # wrapped, not one long line
    written = write_report(bench, tmp_path / "r")
    files = {name: written[f"plan:{name}"].name for name in (f"{LONG} A", f"{LONG} B")}
    assert files[f"{LONG} A"].endswith("ban_a.json") and files[f"{LONG} B"].endswith("ban_b.json")
    maps = [written[f"map:{e.name}"].name for e in bench.evaluations]
    assert len(set(maps)) == len(maps)
    assert all(re.fullmatch(r"map_[a-z0-9_]+\.png", m) and len(m) < 100 for m in maps)


def test_the_report_folder_in_english_holds_the_same_data(bench, tmp_path):
    vi = write_report(bench, tmp_path / "vi")
    en = write_report(bench, tmp_path / "en", lang="en")
    data = [json.loads(w["json"].read_text(encoding="utf-8")) for w in (vi, en)]
    assert data[0]["plans"] == data[1]["plans"] and data[1]["language"] == "en"
    assert "Cách đọc bảng" in vi["markdown"].read_text(encoding="utf-8")
    assert "Reading the table" in en["markdown"].read_text(encoding="utf-8")
    with pytest.raises(FairclustersError, match="'xx'"):
        write_report(bench, tmp_path / "xx", lang="xx")


def test_cluster_colours_are_distinct_and_never_the_border_grey():
    for n in (1, 6, 9, 10, 18, 40):
        colours = cluster_colours(n)
        assert len(colours) == n == len(set(colours)) and BORDER_GREY not in colours
        for colour in colours:
            rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
            assert colorsys.rgb_to_hsv(*rgb)[1] > 0.3, colour  # saturated: not a grey


def test_legends_keep_whole_names():
    name = "Trung du và miền núi phía Bắc (10)"
    label = _legend_label(name, 20)
    assert "\n" in label and label.replace("\n", " ") == name


def test_version_comes_from_the_distribution(capsys):
    import clustering
    from criteria_design.__main__ import main as lint_main

    expected = version("fairclusters")
    assert clustering.__version__ == expected
    assert bench_cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"fairclusters-benchmark {expected}"
    assert lint_main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"criteria-lint {expected}"
    done = subprocess.run([sys.executable, "-c", "import clustering, sys; "
                           "print(clustering.__version__, 'numpy' in sys.modules)"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.split() == [expected, "False"]  # import clustering stays light


def test_unknown_language_exits_2_naming_it(capsys):
    assert bench_cli.main(["--lang", "xx"]) == 2
    err = capsys.readouterr().err
    assert "'xx'" in err and "--lang" in err


def test_help_states_every_default_and_describes_every_option():
    parser = bench_cli.build_parser()
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        assert action.help and "default" in action.help, action.dest
    assert "--lang" in parser.format_help()


def test_the_note_on_beating_the_optimum_by_breaking_rules_is_translated(bench):
    import dataclasses

    from benchmarks.compare import BELOW_OPTIMUM

    broken = next(e for e in bench.evaluations if not e.comparable)
    noted = dataclasses.replace(bench, evaluations=[
        dataclasses.replace(broken, notes=[BELOW_OPTIMUM("en")])])
    assert f"- {BELOW_OPTIMUM('vi')}" in markdown_report(noted, {})
    assert f"- {BELOW_OPTIMUM('en')}" in markdown_report(noted, {}, lang="en")
