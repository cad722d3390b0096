"""Issue 16, files in: every bad file or odd input gets a clear error naming it (exit 2).

Each test fails on the code before the issue (see docs/robustness.md).
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from benchmarks.__main__ import main as benchmark_main
from benchmarks.proposals import read_proposal
from clustering.errors import ParameterError, PlanError, UnitSetError
from clustering.io import from_records, read_csv, read_json
from clustering.metrics import fairness_report
from clustering.plan import Plan
from clustering.units import UnitSet
from criteria_design.__main__ import main as lint_main
from criteria_design.errors import CriteriaTableError
from criteria_design.table import load_table

DATA = Path(__file__).parent / "data"
ROBUST = DATA / "robustness"
GRID9 = DATA / "benchmarks" / "grid9.json"

UNITS_CSV = "id,name,population,neighbors\n01,Hà Nội,10,02\n02,Huế,20,01\n"
TABLE = """title: T
total: 10
sections:
  - id: A
    text: Số hồ sơ đúng hạn
    max_points: 10
    kind: quantitative
"""


@pytest.fixture(scope="module")
def grid9():
    return read_json(GRID9)


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- encodings -----------------------------------------------------------------------------


def test_units_csv_with_a_bom_is_read(tmp_path):
    path = write(tmp_path / "u.csv", b"\xef\xbb\xbf" + UNITS_CSV.encode("utf-8"))
    units = read_csv(path)
    assert list(units.ids) == ["01", "02"] and units["01"].name == "Hà Nội"


def test_proposal_csv_with_a_bom_is_read(tmp_path, grid9):
    rows = "cluster,unit\n" + "".join(f"r{k // 3},{u}\n" for k, u in enumerate(grid9.ids))
    path = write(tmp_path / "p.csv", b"\xef\xbb\xbf" + rows.encode("utf-8"))
    assert read_proposal(path, grid9).plan.n_clusters == 3


@pytest.mark.parametrize("name", ["u.csv", "u.json"])
def test_units_file_in_another_encoding_is_a_clear_error(tmp_path, name):
    text = UNITS_CSV if name.endswith(".csv") else json.dumps(
        [{"id": "01", "name": "Hà Nội"}], ensure_ascii=False)
    path = write(tmp_path / name, text.encode("cp1258", errors="replace"))
    with pytest.raises(UnitSetError, match=rf"{name}:\d+: not UTF-8 text"):
        (read_csv if name.endswith(".csv") else read_json)(path)


def test_proposal_in_another_encoding_exits_2_naming_the_file(tmp_path, capsys):
    path = write(tmp_path / "p.yaml", "name: Bắc\ndataset: vietnam-2025\nclusters: {}\n"
                 .encode("utf-16"))
    code = benchmark_main([str(path), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "p.yaml" in err and "not UTF-8 text (it looks like UTF-16)" in err
    assert "internal error" not in err


def test_criteria_table_in_another_encoding_exits_2(tmp_path, capsys):
    path = write(tmp_path / "t.yaml", TABLE.encode("utf-16"))
    assert lint_main([str(path)]) == 2
    assert "t.yaml" in capsys.readouterr().err


# -- columns and delimiters --------------------------------------------------------------


def test_missing_id_column_names_the_columns_and_the_delimiter(tmp_path):
    path = write(tmp_path / "u.csv", "id;name\n01;Hà Nội\n")
    with pytest.raises(UnitSetError, match=r"no 'id' column; found \['id;name'\].*semicolons"):
        read_csv(path)


def test_proposal_csv_with_semicolons_names_the_delimiter(tmp_path, grid9):
    path = write(tmp_path / "p.csv", "cluster;unit\nA;a\n")
    with pytest.raises(PlanError, match=r"no 'cluster' column.*\['cluster;unit'\].*semicolons"):
        read_proposal(path, grid9)


def test_units_records_without_id_say_so():
    with pytest.raises(UnitSetError, match=r"no 'id' column; found \['code', 'name'\]"):
        from_records([{"code": "01", "name": "A"}])


@pytest.mark.parametrize("cell", ["1,5", "1,234,567", "2 500"])
def test_number_like_text_in_a_numeric_column_names_the_cell(tmp_path, cell):
    path = write(tmp_path / "u.csv", f'id,name,population\n01,A,10\n02,B,"{cell}"\n03,C,30\n')
    with pytest.raises(UnitSetError, match=rf"u.csv: column 'population', unit '02': '{cell}'"):
        read_csv(path)


def test_leading_zero_in_a_numeric_column_warns_naming_the_cell(tmp_path):
    path = write(tmp_path / "u.csv", "id,name,population\n01,A,10.5\n02,B,007\n03,C,30\n")
    with pytest.warns(UserWarning, match=r"column 'population', unit '02': '007'"):
        units = read_csv(path)
    assert units["02"].labels["population"] == "007"


def test_fixed_width_codes_stay_labels_quietly(tmp_path):
    path = write(tmp_path / "u.csv", "id,name,code\n1,A,01\n2,B,10\n3,C,96\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        units = read_csv(path)
    assert units["1"].labels["code"] == "01"


# -- duplicates and ragged rows ----------------------------------------------------------


def test_duplicate_csv_header_is_an_error_with_the_line(tmp_path):
    path = write(tmp_path / "u.csv", "id,name,x,x\n01,A,1,2\n")
    with pytest.raises(UnitSetError, match=r"u.csv:1: duplicate column name\(s\) \['x'\]"):
        read_csv(path)


@pytest.mark.parametrize("row", ["02,B,20,01,extra", "02,B"])
def test_rows_longer_or_shorter_than_the_header_name_the_line(tmp_path, row):
    path = write(tmp_path / "u.csv", f"id,name,population,neighbors\n01,A,10,02\n{row}\n")
    with pytest.raises(UnitSetError, match=r"u.csv:3: \d cell\(s\) but the header has 4"):
        read_csv(path)


def test_ragged_proposal_csv_exits_2(tmp_path, capsys):
    path = write(tmp_path / "p.csv", "cluster,unit\nA,a,b\n")
    code = benchmark_main([str(path), "--dataset", str(GRID9), "--clusters", "3",
                           "--out", str(tmp_path / "r")])
    assert code == 2 and "p.csv:2:" in capsys.readouterr().err


def test_repeated_cluster_key_in_a_yaml_proposal_is_refused(tmp_path, grid9):
    path = write(tmp_path / "p.yaml", "clusters:\n  A: [a, b, c]\n  B: [d, e, f]\n"
                 "  A: [g, h, i]\n")
    with pytest.raises(PlanError, match=r"p.yaml:4: cannot be parsed: duplicate key 'A' "
                                        r"\(first on line 2\)"):
        read_proposal(path, grid9)


def test_repeated_key_in_a_json_proposal_is_refused(tmp_path, grid9):
    path = write(tmp_path / "p.json", '{"clusters": {"A": ["a"]}, "clusters": {}}')
    with pytest.raises(PlanError, match=r"p.json: cannot be parsed: duplicate key 'clusters'"):
        read_proposal(path, grid9)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_repeated_max_points_in_a_criteria_table_is_refused(tmp_path, suffix, capsys):
    if suffix == ".yaml":
        text = TABLE + "    max_points: 5\n"
    else:
        text = ('{"title": "T", "total": 10, "sections": [{"id": "A", "text": "Số hồ sơ", '
                '"max_points": 10, "kind": "quantitative", "max_points": 5}]}')
    path = write(tmp_path / f"t{suffix}", text)
    with pytest.raises(CriteriaTableError, match="duplicate key 'max_points'"):
        load_table(path)
    assert lint_main([str(path)]) == 2
    assert f"t{suffix}" in capsys.readouterr().err


# -- YAML bombs, depth, numeric ids -----------------------------------------------------------


def _timed(call, bound: float = 2.0):
    start = time.perf_counter()
    try:
        call()
    finally:
        assert time.perf_counter() - start < bound


def test_billion_laughs_proposal_is_refused_at_once(tmp_path, grid9):
    # Nine levels of nine aliases: 9**9 strings once expanded (str() of the notes hangs).
    lines = ['notes:', '  - &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  - &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    clusters = "clusters: {x: [" + ", ".join(grid9.ids) + "]}"
    path = write(tmp_path / "p.yaml", "\n".join([*lines, clusters]) + "\n")
    assert len(path.read_bytes()) < 700
    with pytest.raises(PlanError, match=r"p.yaml:2: .*anchors and aliases"):
        _timed(lambda: read_proposal(path, grid9))


def test_aliases_in_a_criteria_table_are_refused_at_once(tmp_path):
    text = TABLE.replace("text: Số hồ sơ đúng hạn", "text: &t Số hồ sơ đúng hạn")
    path = write(tmp_path / "t.yaml", text + "notes: *t\n")
    with pytest.raises(CriteriaTableError, match=r"t.yaml:\d+: YAML anchors and aliases"):
        _timed(lambda: load_table(path))


def test_deeply_nested_table_is_a_clear_error_not_a_recursion_error(tmp_path):
    nested = "sections: " + "[" * 300 + "]" * 300 + "\n"
    path = write(tmp_path / "t.yaml", "title: T\ntotal: 1\n" + nested)
    with pytest.raises(CriteriaTableError, match=r"t.yaml:3: nested deeper than"):
        load_table(path)
    deep_json = '{"title": "T", "total": 1, "sections": ' + "[" * 300 + "]" * 300 + "}"
    with pytest.raises(CriteriaTableError, match="nested deeper than"):
        load_table(write(tmp_path / "t.json", deep_json))


def test_yaml_ids_written_as_numbers_are_refused_with_a_hint(tmp_path):
    units = UnitSet([{"id": "01", "name": "A"}, {"id": "04", "name": "B"}], name="two")
    path = write(tmp_path / "p.yaml", "clusters:\n  A: [01, 04]\n")
    with pytest.raises(PlanError, match=r"p.yaml:2: .*01 is written as a number.*quote ids: "
                                        r"\"01\""):
        read_proposal(path, units)
    write(path, "clusters:\n  A: ['01', '04']\n")
    assert read_proposal(path, units).plan.clusters == {"A": ["01", "04"]}


# -- load_table on text ------------------------------------------------------------------------


def test_load_table_parses_long_json_text():
    sections = [{"id": f"A{k}", "text": f"Số hồ sơ loại {k}", "max_points": 1,
                 "kind": "quantitative"} for k in range(10)]
    text = json.dumps({"title": "T", "total": 10, "sections": sections}, ensure_ascii=False)
    assert len(text) > 255 and "\n" not in text
    assert len(load_table(text).sections) == 10


def test_yaml_syntax_errors_name_the_file_never_unicode_string(tmp_path, grid9):
    path = write(tmp_path / "p.yaml", "clusters:\n  A: [a, b\n")
    with pytest.raises(PlanError) as err:
        read_proposal(path, grid9)
    assert "<unicode string>" not in str(err.value) and f"{path}:" in str(err.value)
    from criteria_design.errors import LexiconError
    from criteria_design.lexicon import load_lexicon

    lexicon = write(tmp_path / "l.yaml", "groups: {evaluative: {terms: [a}\n")
    with pytest.raises(LexiconError) as err:
        load_lexicon(lexicon)
    assert "<unicode string>" not in str(err.value) and f"{lexicon}:1:" in str(err.value)


def test_load_table_messages_name_the_source_never_unicode_string(tmp_path):
    with pytest.raises(CriteriaTableError) as err:
        load_table("title: T\ntotal: [1\n")
    assert "<unicode string>" not in str(err.value) and "<table>:" in str(err.value)
    path = write(tmp_path / "t.yaml", "title: T\ntotal: [1\n")
    with pytest.raises(CriteriaTableError) as err:
        load_table(path)
    assert str(err.value).startswith(f"{path}:") and "<unicode string>" not in str(err.value)


# -- odd numbers ---------------------------------------------------------------------------------


def test_indicators_near_1e300_give_the_right_dissimilarity():
    from clustering.dissimilarity import dissimilarity

    units = UnitSet([{"id": i, "name": i, "indicators": {"x": x}}
                     for i, x in zip("abc", (1e300, -1e300, 0.0))])
    matrix = dissimilarity(units, ["x"]).matrix
    assert np.all(np.isfinite(matrix)) and matrix[0, 1] > 0
    assert matrix[0, 2] == pytest.approx(matrix[0, 1] / 2)


@pytest.mark.parametrize("bad", [np.nan, -1.0, np.inf])
def test_fairness_report_refuses_a_nan_or_negative_matrix(bad):
    units = UnitSet([{"id": i, "name": i, "indicators": {"x": float(k)}}
                     for k, i in enumerate("abc")])
    matrix = np.ones((3, 3)) - np.eye(3)
    matrix[0, 2] = matrix[2, 0] = bad
    with pytest.raises(ParameterError, match=r"dissimilarity\[0, 2\] \(units 'a', 'c'\)"):
        fairness_report(Plan(units, {"A": ["a", "b"], "B": ["c"]}), dissimilarity=matrix)
