"""Score sheets as they are really recorded (issue 14, part 5).

Every expected verdict below was written by hand from the small tables and sheets of
each test, before the code was run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria_design.findings import Severity
from criteria_design.score_checks import audit_scores
from criteria_design.scores import (
    ScoreRecord,
    ScoreSheet,
    compare_scores,
    load_scores,
    resolve_scores,
    scored_items,
    validate_scores,
)
from criteria_design.table import load_table

#: A: A.1 (A.1.1 10, A.1.2 10), A.2 10; B 10. A.1.1 carries a bonus and a deduction list.
TABLE = """
title: Bảng chấm điểm mẫu
total: 40
max_total: 42
sections:
  - id: A
    text: Kinh tế
    max_points: 30
    children:
      - id: A.1
        text: Thu chi ngân sách
        max_points: 20
        children:
          - id: A.1.1
            text: Tỷ lệ thu ngân sách so với dự toán
            max_points: 10
            kind: quantitative
            bonuses:
              - {id: a, text: "Mỗi mô hình được công nhận cộng 0,5 điểm", points: 0.5,
                 per: occurrence, unit: mô hình, cap: 2}
              - {id: b, text: Vượt dự toán trên 10 % cộng 1 điểm, points: 1, per: once}
            bonus_cap: 2
            deductions:
              - {id: c, text: Mỗi báo cáo trễ hạn trừ 1 điểm, points: 1, per: occurrence,
                 unit: báo cáo, cap: 3}
            deduction_cap: 2
          - {id: A.1.2, text: Tỷ lệ giải ngân vốn đầu tư công, max_points: 10,
             kind: quantitative}
      - {id: A.2, text: Tốc độ tăng trưởng GRDP, max_points: 10, kind: quantitative}
  - {id: B, text: Tỷ lệ hộ nghèo giảm so với năm trước, max_points: 10, kind: quantitative}
"""

#: Ids that repeat: "1" under I and under II.
REPEATED = """
title: Bảng có mã trùng
total: 20
sections:
  - id: I
    text: Công tác chuyên môn
    max_points: 10
    children:
      - {id: "1", text: Tỷ lệ hồ sơ đúng hạn, max_points: 10, kind: quantitative}
  - id: II
    text: Công tác phối hợp
    max_points: 10
    children:
      - {id: "1", text: Số văn bản trả lời đúng hạn, max_points: 10, kind: quantitative}
"""


@pytest.fixture(scope="module")
def table():
    return load_table(TABLE)


def _sheet(rows: list[tuple[str, str, float]], source: str = "sheet.csv") -> ScoreSheet:
    return ScoreSheet([ScoreRecord(m, c, p, line=i + 2) for i, (m, c, p) in enumerate(rows)],
                      source=source)


def _full(member: str, a11: float, a12: float, a2: float, b: float) -> list:
    return [(member, "A.1.1", a11), (member, "A.1.2", a12), (member, "A.2", a2),
            (member, "B", b)]


# ---------------------------------------------------------------------------- names
def test_unknown_id_is_reported_with_did_you_mean_and_the_rest_is_scored(table):
    rows = (_full("P1", 8, 7, 5, 10) + _full("P2", 6, 9, 7, 10) + _full("P3", 4, 5, 9, 10)
            + [("P1", "A.1.x", 3)])
    findings = validate_scores(table, _sheet(rows), lang="en")
    (unknown,) = [f for f in findings if f.code == "SCR004"]
    assert unknown.severity is Severity.ERROR
    assert unknown.data == {"value": "A.1.x", "marks": 1}
    assert "did you mean" in unknown.suggestion and "A.1.1" in unknown.suggestion
    assert unknown.source == "sheet.csv" and unknown.line == 14  # the 13th mark
    # The rest is scored: B (10 for all three) is non-discriminating.
    audited = {(f.code, f.criterion_id) for f in audit_scores(table, _sheet(rows))}
    assert ("DIS001", "B") in audited and ("SCR004", None) in audited


def test_names_match_keys_paths_and_spellings():
    t = load_table(REPEATED)
    sheet = _sheet([("P1", "I/1", 5), ("P1", "ii.1", 6), ("P2", "I/1", 7), ("P2", "II/1", 8),
                    ("P1", "1", 3)])
    resolved, findings = resolve_scores(t, sheet, lang="en")
    assert resolved.criteria == ("I/1", "II/1")  # "ii.1" is II/1 spelled otherwise
    (shared,) = findings
    assert shared.code == "SCR004" and shared.data["value"] == "1"
    assert "several criteria" in shared.message and "I/1, II/1" in shared.suggestion


def test_item_names_include_bonus_and_deduction_items(table):
    names = list(scored_items(table))
    assert names == ["A.1.1", "A.1.2", "A.2", "B", "A.1.1/bonus/a", "A.1.1/bonus/b",
                     "A.1.1/deduction/c"]
    resolved, findings = resolve_scores(table, _sheet([("P1", "A.1.1/thưởng/a", 1),
                                                       ("P1", "a.1.1/TRU/c", 1)]))
    assert findings == [] and resolved.criteria == ("A.1.1/bonus/a", "A.1.1/deduction/c")


# ---------------------------------------------------------------------------- caps and totals
def test_bonuses_are_checked_against_their_own_caps_with_a_bonus_message(table):
    rows = [*_full("P1", 8, 7, 5, 10), ("P1", "A.1.1/bonus/a", 2), ("P1", "A.1.1/bonus/b", 1),
            *_full("P2", 6, 9, 7, 10), ("P2", "A.1.1/bonus/a", 2.5),
            *_full("P3", 4, 5, 9, 10), ("P3", "A.1.1/deduction/c", 3)]
    findings = validate_scores(table, _sheet(rows), lang="en")
    # P2: 2.5 on item a, whose cap is 2.
    (item,) = [f for f in findings if f.code == "SCR001"]
    assert item.data["member"] == "P2" and item.data["kind"] == "bonus"
    assert item.data["high"] == 2 and "bonus" in item.suggestion
    assert "deduction" not in item.suggestion
    # Bonus cap 2 of A.1.1: P1 has 2 + 1 = 3, P2 2.5. Deduction cap 2: P3 has 3.
    caps = {(f.data["kind"], tuple(sorted(f.data["over"]))): f for f in findings
            if f.code == "SCR002"}
    assert set(caps) == {("bonus", ("P1", "P2")), ("deduction", ("P3",))}
    bonus = caps[("bonus", ("P1", "P2"))]
    assert bonus.criterion_id == "A.1.1" and bonus.data["over"] == {"P1": 3.0, "P2": 2.5}
    assert "bonus" in bonus.message and "bonus cap" in bonus.suggestion
    assert "deduction" not in bonus.suggestion
    assert "deduction cap" in caps[("deduction", ("P3",))].suggestion


def test_a_total_above_the_maximum_is_flagged(table):
    # max_total 42. P1: 10 + 10 + 10 + 10 + 2 bonus = 42, at the maximum: fine.
    # P2: the same plus a 1-point bonus b = 43 (and 3 bonus points, above the cap).
    rows = [*_full("P1", 10, 10, 10, 10), ("P1", "A.1.1/bonus/a", 2),
            *_full("P2", 10, 10, 10, 10), ("P2", "A.1.1/bonus/a", 2), ("P2", "A.1.1/bonus/b", 1)]
    (total,) = [f for f in validate_scores(table, _sheet(rows)) if f.code == "SCR005"]
    assert total.severity is Severity.ERROR
    assert total.data["over"] == {"P2": 43.0} and total.data["maximum"] == 42


def test_deductions_lower_the_total():
    t = load_table(TABLE.replace("max_total: 42\n", ""))  # maximum 40 + 2 bonus = 42
    rows = [*_full("P1", 10, 10, 10, 10), ("P1", "A.1.1/bonus/a", 2),
            ("P1", "A.1.1/bonus/b", 1), ("P1", "A.1.1/deduction/c", -2)]
    # 40 + 3 - 2 = 41 <= 42: no SCR005 (the bonus cap is still exceeded: SCR002).
    codes = [f.code for f in validate_scores(t, _sheet(rows))]
    assert "SCR005" not in codes and codes.count("SCR002") == 1


# ---------------------------------------------------------------------------- two sources
def test_self_assessment_and_inspection_are_compared_item_by_item(table):
    own = _sheet([*_full("Huyện A", 9, 8, 7, 10), ("Huyện A", "A.1.1/bonus/b", 1),
                  *_full("Huyện B", 6, 6, 6, 6)], source="tu_cham.csv")
    checked = _sheet([*_full("Huyện A", 9, 6, 7, 10), *_full("Huyện B", 6, 6, 6, 6),
                      ("Huyện A", "A.1.1/bonus/b", 0)], source="tham_dinh.csv")
    diffs = compare_scores(table, own, checked, lang="en")
    # By hand: Huyện A, A.1.2 8 -> 6, and the bonus b 1 -> 0; Huyện B agrees.
    assert [(f.code, f.data["member"], f.criterion_id, f.data["first"], f.data["second"],
             f.data["difference"]) for f in diffs] == [
        ("SCR006", "Huyện A", "A.1.2", 8.0, 6.0, -2.0),
        ("SCR006", "Huyện A", "A.1.1/bonus/b", 1.0, 0.0, -1.0)]
    assert "self-assessment 8, inspection 6" in diffs[0].message
    assert diffs[0].line == table.line_of("A.1.2")


def test_an_item_marked_by_one_source_only_is_reported(table):
    own = _sheet(_full("P1", 9, 8, 7, 10))
    checked = _sheet(_full("P1", 9, 8, 7, 10)[:3])
    (f,) = compare_scores(table, own, checked, labels=("tự chấm", "thẩm định"),
                         lang="en")
    assert f.criterion_id == "B" and f.data["second"] is None and f.data["difference"] is None
    assert "thẩm định no mark" in f.message


def test_cli_compares_inspection_with_scores(tmp_path, capsys):
    from criteria_design.__main__ import main

    path = tmp_path / "t.yaml"
    path.write_text(TABLE, encoding="utf-8")
    own, checked = tmp_path / "own.csv", tmp_path / "checked.csv"
    own.write_text("member,criterion,points\nP1,A.1.1,9\nP1,A.1.2,8\nP1,A.2,7\nP1,B,10\n"
                   "P2,A.1.1,5\nP2,A.1.2,6\nP2,A.2,7\nP2,B,9\n", encoding="utf-8")
    checked.write_text(own.read_text(encoding="utf-8").replace("P2,B,9", "P2,B,4")
                       .replace("P1,A.2,7", "P1,A.2x,7"), encoding="utf-8")
    code = main([str(path), "--scores", str(own), "--inspection", str(checked),
                 "--select", "RIG001", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 3
    assert "SCR006" in out and "P2 on B: self-assessment 9, inspection 4" in out
    assert "SCR004" in out and "A.2x" in out  # the inspection's unknown name
    assert main([str(path), "--inspection", str(checked), "--lang", "en"]) == 2
    assert "give both" in capsys.readouterr().err


def test_load_scores_keeps_lines(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("member,criterion,points\nP1,A,1\nP1,Zz,2\n", encoding="utf-8")
    t = load_table("title: T\ntotal: 10\nsections:\n  - {id: A, text: Tỷ lệ hồ sơ, "
                   "max_points: 10, kind: quantitative}\n")
    (f,) = [f for f in validate_scores(t, load_scores(path)) if f.code == "SCR004"]
    assert f.line == 3 and f.source == str(path) and f.data["value"] == "Zz"
    assert Path(f.source).name == "s.csv"
