"""The redesigned table: graded bands, caps where missing, placeholders, each change listed.

Verdicts written by hand: the bands of a 10-point criterion with target 90 %, the cap that
stops an uncapped bonus, the placeholder that replaces "tốt", and an SMAA before/after whose
acceptabilities are worked out on paper in the comments.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import criteria_design
from criteria_design import ScoreSheet, lint, load_table, redesign
from criteria_design.__main__ import main
from criteria_design.redesign import PLACEHOLDERS
from criteria_design.scores import ScoreRecord

DATA = Path(__file__).parent / "data" / "criteria"


def _leaf(cid: str, points: float, **fields) -> dict:
    return {"id": cid, "text": f"Tỷ lệ hồ sơ loại {cid} đúng hạn", "max_points": points,
            "kind": "quantitative", "unit": "%", "evidence": "Hệ thống một cửa",
            "target": {"value": 100}, "scoring": {"method": "linear", "lower": 80, "upper": 100},
            **fields}


TABLE = {
    "title": "Bảng thử", "total": 100, "period": "năm 2024",
    "sections": [{"id": "A", "text": "Cải cách hành chính", "max_points": 100, "children": [
        _leaf("A.1", 10, target={"value": 90}, scoring={"method": "all_or_nothing"}),
        _leaf("A.2", 20, text="Thực hiện tốt công tác tiếp công dân", kind="qualitative",
              unit=None, target=None, scoring={"method": "judgement"}),
        _leaf("A.3", 30, bonuses=[{"id": "a", "text": "Mỗi sáng kiến được công nhận cộng "
                                   "0,5 điểm", "points": 0.5, "per": "occurrence",
                                   "unit": "sáng kiến"}]),
        _leaf("A.4", 40, deductions=[{"id": "a", "text": "Mỗi hồ sơ trễ hạn trừ 1 điểm",
                                      "points": 1, "per": "occurrence", "unit": "hồ sơ"}]),
    ]}],
}


@pytest.fixture
def result():
    return redesign(load_table(json.dumps(TABLE)), lang="en")


def test_all_or_nothing_becomes_graded_bands(result):
    (change,) = [c for c in result.changes if c.path == "A/A.1"]
    assert (change.kind, change.rule) == ("bands", "RIG001")
    bands = result.table.find("A.1").scoring.bands
    # by hand: minimum 0.8 x 90 = 72, middle (72 + 90) / 2 = 81; 50 % and 75 % of 10 points
    assert [(b.lower, b.upper, b.points) for b in bands] == [
        (None, 72, 0), (72, 81, 5), (81, 90, 7.5), (90, None, 10)]
    assert change.what == ("scored in bands: 0 points below 72, 5 from 72, 7.5 from 81, "
                           "10 at the target 90")
    assert change.before == {"method": "all_or_nothing"}
    assert result.table.find("A.1").target.minimum == 72


def test_missing_caps_are_added(result):
    kinds = {(c.path, c.kind): c for c in result.changes}
    # uncapped per-occurrence bonus: cap at 10 % of the criterion's 30 points = 3
    assert kinds["A/A.3", "bonus_cap"].after == 3 and result.table.find("A.3").bonus_cap == 3
    # uncapped per-occurrence deduction on 40 points, no floor: cap at the 40 points
    assert kinds["A/A.4", "deduction_cap"].after == 40
    assert result.table.find("A.4").deduction_cap == 40
    assert kinds["A/A.4", "deduction_cap"].rule == "RIG010"


def test_vague_phrase_replaced_by_a_marked_placeholder(result):
    (change,) = [c for c in result.changes if c.kind == "placeholder"]
    assert change.path == "A/A.2" and change.rule == "VAG001"
    assert change.before == "Thực hiện tốt công tác tiếp công dân"
    assert change.after == "Thực hiện [chỉ tiêu: ... %] công tác tiếp công dân"
    assert PLACEHOLDERS["evaluative"] == "[chỉ tiêu: ... %]"
    assert result.table.find("A.2").text == change.after


def test_each_change_is_listed_with_what_where_why(result):
    assert Counter(c.kind for c in result.changes) == {
        "bands": 1, "placeholder": 1, "bonus_cap": 1, "deduction_cap": 1}
    report = result.report().splitlines()
    assert report[0] == "Redesigned criteria table: 4 changes"
    assert all(c.what and c.why and c.path for c in result.changes)
    assert "- [RIG009] A/A.3: added a bonus cap of 3 points to the criterion — " in "\n".join(
        report)
    vi = redesign(load_table(json.dumps(TABLE)))
    assert vi.report().splitlines()[0] == "Bảng tiêu chí đề xuất sửa đổi: 4 thay đổi"
    assert [c.path for c in vi.changes] == [c.path for c in result.changes]


def test_the_redesigned_table_loads_back(result, tmp_path):
    out = tmp_path / "revised.yaml"
    result.save(out)
    again = load_table(out)
    assert again == result.table
    with pytest.raises(FileExistsError):
        result.save(out)


@pytest.mark.parametrize("name", ["cum_dbsh_1000.yaml", "khoi_so_nganh_100.json",
                                  "so_noi_vu_cham_phong_100.yaml"])
def test_real_tables_lint_with_fewer_rigidity_findings(name, tmp_path):
    table = load_table(DATA / name)
    revised = redesign(table)
    out = tmp_path / "out.yaml"
    revised.save(out)
    after = load_table(out)

    def rigid(t):
        return [f for f in lint(t, select=["RIG"]) if f.code in (
            "RIG001", "RIG002", "RIG008", "RIG009", "RIG010", "RIG013")]

    assert len(rigid(after)) < len(rigid(table))
    assert rigid(after) == []  # every rigidity finding the redesign answers is gone
    assert len(lint(after, select=["VAG001"])) <= len(lint(table, select=["VAG001"]))
    assert table == load_table(DATA / name)  # the original is untouched


def test_smaa_before_and_after_when_scores_are_given():
    table = load_table(json.dumps({
        "title": "T", "total": 100, "period": "năm 2024",
        "sections": [{"id": "A", "text": "Mục A", "max_points": 100, "children": [
            _leaf("A.1", 50, scoring={"method": "all_or_nothing"}),
            _leaf("A.2", 50)]}]}))
    points = {"P1": {"A.1": 50, "A.2": 10}, "P2": {"A.1": 0, "A.2": 45},
              "P3": {"A.1": 0, "A.2": 30}}
    measures = {"P1": {"A.1": 100}, "P2": {"A.1": 98}, "P3": {"A.1": 50}}
    sheet = ScoreSheet(ScoreRecord(m, c, p) for m, row in points.items() for c, p in row.items())
    r = redesign(table, scores=sheet, measures=measures, lang="en", n_samples=20_000, seed=3)
    eff = r.ranking
    assert eff.members == ("P1", "P2", "P3") and eff.rescored == ("A.1",) and eff.kept == ()
    # Before: P1 = w1 + 0.2 w2 beats P2 = 0.9 w2 unless w1/w2 < 0.7; with w = 0.5 U,
    # U ~ U(0.75, 1.25): P(U1 < 0.7 U2) = 0.0446 by integration, so b(P1, 1) ≈ 0.955.
    assert eff.before[0, 0] == pytest.approx(0.955, abs=0.01)
    assert eff.before[2, 2] == 1.0  # P3 is last whatever the weights
    # After: P2's 98 % falls in the band [90, 100): 37.5 of 50 points, so
    # P2 = 0.75 w1 + 0.9 w2 > P1 = w1 + 0.2 w2 whenever w1/w2 < 2.8: always.
    assert eff.after[1, 0] == 1.0 and eff.after[0, 1] == 1.0
    text = r.report()
    assert "Effect on the ranking (SMAA, 20000 weight samples, points ±25%)" in text
    assert "  P2: first rank 0.04 → 1.00;" in text
    # without measured values the banded points are kept, and the report says so
    kept = redesign(table, scores=points, n_samples=2_000).ranking
    assert kept.kept == ("A.1",) and (kept.before == kept.after).all()
    assert "Điểm giữ nguyên" in redesign(table, scores=points, n_samples=500).report()


def test_scores_missing_a_criterion_are_refused():
    table = load_table(json.dumps(TABLE))
    with pytest.raises(criteria_design.ScoresError, match=r"P1/A\.2"):
        redesign(table, scores={"P1": {"A.1": 10, "A.3": 1, "A.4": 2}})


def test_command_line_writes_the_redesign(tmp_path, capsys):
    out = tmp_path / "revised.yaml"
    table = str(DATA / "khoi_so_nganh_100.json")
    assert main([table, "--redesign", str(out), "--select", "RIG001"]) == 3
    text = capsys.readouterr().out
    assert "Bảng tiêu chí đề xuất sửa đổi: 11 thay đổi" in text
    assert main([str(out), "--select", "RIG001"]) == 0  # the revised table has none left
    capsys.readouterr()
    assert main([table, "--redesign", str(out), "--lang", "en"]) == 2  # never overwrite
    assert "exists" in capsys.readouterr().err
    out2 = tmp_path / "revised2.yaml"
    assert main([table, "--redesign", str(out2), "--format", "json", "--lang", "en"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["redesign"]) == 11 and doc["redesign"][0]["path"] == "A/A.1"


def test_a_new_rubric_keeps_the_points_and_says_so():
    table = load_table(json.dumps({
        "title": "T", "total": 20, "period": "năm 2024",
        "sections": [{"id": "A", "text": "Mục A", "max_points": 20, "children": [
            {"id": "A.1", "text": "Có đề án chuyển đổi số được phê duyệt", "max_points": 10,
             "kind": "qualitative", "scoring": {"method": "all_or_nothing"},
             "evidence": "Quyết định phê duyệt"},
            _leaf("A.2", 10)]}]}))
    r = redesign(table, scores={"P1": {"A.1": 10, "A.2": 2}, "P2": {"A.1": 0, "A.2": 9}},
                 n_samples=1_000)
    (change,) = r.changes
    assert change.kind == "rubric"
    # by hand: 0, 50 % and 75 % of 10 points, 10; the middle levels are placeholders
    assert [lv.points for lv in r.table.find("A.1").rubric] == [0, 5, 7.5, 10]
    assert r.table.find("A.1").rubric[1].description.startswith("[mức 5 điểm:")
    assert r.ranking.kept == ("A.1",) and r.ranking.rescored == ()
    assert lint(r.table, select=["RIG001", "VAG001"]) == []
