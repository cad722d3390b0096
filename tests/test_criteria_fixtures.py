"""The realistic fixtures produce exactly the findings planted in them."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from criteria_design import Severity, lint, load_table

DATA = Path(__file__).parent / "data" / "criteria"
EXPECTED = yaml.safe_load((DATA / "expected_findings.yaml").read_text(encoding="utf-8"))


def _by_code(findings):
    out = defaultdict(list)
    for f in findings:
        out[f.code].append(f.criterion_id)
    return dict(out)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings_are_exactly_the_planted_defects(name):
    findings = lint(load_table(DATA / name))
    got = {code: sorted(ids, key=str) for code, ids in _by_code(findings).items()}
    want = {code: sorted(ids, key=str) for code, ids in EXPECTED[name].items()}
    assert got == want


def _line_of_id(path: Path, criterion_id: str) -> int:
    """Independent truth: the line where the id is written, found by plain text search."""
    pattern = re.compile(
        rf"""(^|[\s{{,-])["']?id["']?\s*:\s*["']?{re.escape(criterion_id)}["']?\s*(,|$)"""
    )
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)]
    assert len(hits) == 1, (criterion_id, hits)
    return hits[0]


@pytest.mark.parametrize("name", ["cum_dbsh_1000.yaml", "khoi_so_nganh_100.json"])
def test_findings_point_at_the_line_and_file_of_the_criterion(name):
    path = DATA / name
    findings = lint(load_table(path))
    located = [f for f in findings if f.criterion_id is not None]
    assert located
    for f in located:
        assert f.source == str(path)
        assert f.line == _line_of_id(path, f.criterion_id)


def test_clean_table_has_no_finding_even_info():
    assert lint(load_table(DATA / "cum_huyen_mau_100.yaml")) == []


def test_fixture_totals_and_shares_match_hand_computation():
    big = load_table(DATA / "cum_dbsh_1000.yaml")
    assert big.total == 1000
    assert sum(c.max_points for c in big.leaves("base")) == 1000
    (rig002,) = [f for f in lint(load_table(DATA / "khoi_so_nganh_100.json"))
                 if f.code == "RIG002"]
    # A.1, A.2, B.1, B.2, B.3 (10 each), C.1 (2, rubric 0/2), C.4 (0.25)
    assert rig002.data["share"] == pytest.approx(52.25 / 100)
    assert sorted(rig002.data["criteria"]) == ["A.1", "A.2", "B.1", "B.2", "B.3", "C.1", "C.4"]
    (rig007,) = [f for f in lint(big, select=["RIG007"]) if f.criterion_id == "I.3"]
    assert rig007.data["size_ratio"] == pytest.approx(438080 / 94157)
    assert rig007.severity is Severity.WARNING


def _line_of_path(path: Path, key: str) -> int:
    """Independent truth for a path key ("III/2"): the line of the last id written after
    the line of each id before it, found by plain text search."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = 0
    for part in key.split("/"):
        pattern = re.compile(rf"""^\s*-\s*id:\s*["']?{re.escape(part)}["']?\s*$""")
        found = next(n for n, line in enumerate(lines, 1) if n > found and pattern.search(line))
    return found


def test_department_table_findings_point_at_the_path_of_repeated_ids():
    path = DATA / "so_noi_vu_cham_phong_100.yaml"
    table = load_table(path)
    assert table.find("I/3").max_points == 2 and table.find("IV/3").max_points == 2
    located = [f for f in lint(table) if f.criterion_id is not None]
    assert {f.criterion_id for f in located} >= {"I/1", "I/2", "III/2", "IV/2"}
    for f in located:
        assert f.line == _line_of_path(path, f.criterion_id), f
