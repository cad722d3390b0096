"""Score sheets: loading, validation against a table, and the findings drawn from scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import hadamard

from criteria_design.findings import Severity
from criteria_design.score_checks import ScoreCheckConfig, audit_scores
from criteria_design.scores import (
    ScoreRecord,
    ScoresError,
    ScoreSheet,
    as_matrix,
    constant_columns,
    load_scores,
    validate_scores,
)
from criteria_design.table import load_table

DATA = Path(__file__).parent / "data" / "criteria_scores"


@pytest.fixture(scope="module")
def table():
    return load_table(DATA / "table.yaml")


@pytest.fixture(scope="module")
def sheet():
    return load_scores(DATA / "scores.csv")


def _table(ids_points: dict[str, float]):
    total = sum(ids_points.values())
    items = "\n".join(f"  - {{id: {i}, text: Indicator {i} against the plan in percent, "
                      f"max_points: {p}, kind: quantitative}}" for i, p in ids_points.items())
    return load_table(f"title: Demo\ntotal: {total}\nsections:\n{items}\n")


# ---------------------------------------------------------------------------- loading
def test_csv_and_dataframe_give_the_same_sheet(sheet):
    frame = pd.read_csv(DATA / "scores.csv", keep_default_na=False)
    from_frame = load_scores(frame)
    assert from_frame.members == sheet.members and from_frame.years == (2022, 2023)
    np.testing.assert_array_equal(from_frame.matrix(year=2022), sheet.matrix(year=2022))
    assert "Bắc Kạn" in sheet.members  # Vietnamese names kept in NFC


def test_rater_marks_are_averaged_and_available_per_rater(sheet):
    members, raters, marks = sheet.ratings("C1", year=2022)
    assert raters == ("R1", "R2", "R3", "R4", "R5") and marks.shape == (9, 5)
    assert members == sheet.members
    col = sheet.criteria.index("C1")
    np.testing.assert_allclose(sheet.matrix(year=2022)[:, col], marks.mean(axis=1))


def test_missing_marks_stay_missing():
    s = ScoreSheet([ScoreRecord("P1", "A", 3), ScoreRecord("P2", "B", 4)])
    m = s.matrix()
    assert np.isnan(m[0, 1]) and np.isnan(m[1, 0]) and m[0, 0] == 3
    with pytest.raises(ValueError, match="missing value"):
        as_matrix(m)
    assert constant_columns([[1, 2], [1, 3]]).tolist() == [True, False]


@pytest.mark.parametrize(("text", "message"), [
    ("member,criterion,points\nP1,A,x\n", "line 2: points 'x' is not a number"),
    ("member,criterion,points\nP1,A,nan\n", "not a finite number"),
    ("member,criterion,points,weight\nP1,A,1,2\n", r"unknown column\(s\) \['weight'\]"),
    ("member,criterion\nP1,A\n", "missing column"),
    ("member,criterion,points\nP1,A,1\nP1,A,2\n", "record 2 repeats record 1"),
    ("member,criterion,points,year\nP1,A,1,2023\nP1,B,1,\n", "some records have a year"),
    ("member,criterion,points\n,A,1\n", "member is empty"),
])
def test_bad_score_files_are_refused(tmp_path, text, message):
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScoresError, match=message):
        load_scores(path)


def test_several_years_need_a_choice(sheet):
    with pytest.raises(ScoresError, match="choose one with year"):
        sheet.matrix()
    with pytest.raises(ScoresError, match="year 2019 not in"):
        sheet.matrix(year=2019)
    with pytest.raises(TypeError, match="DataFrame"):
        ScoreSheet.from_frame([1, 2])


# ---------------------------------------------------------------------------- validation
def test_unknown_and_group_ids_are_errors(table):
    # Issue 14 part 5: reported as SCR004 errors, the run goes on (no longer raised).
    (f,) = validate_scores(table, ScoreSheet([ScoreRecord("P", "Z9", 1)]))
    assert f.code == "SCR004" and f.severity is Severity.ERROR and f.data["value"] == "Z9"
    (f,) = validate_scores(table, ScoreSheet([ScoreRecord("P", "A", 1)]), lang="en")
    assert f.code == "SCR004" and "'A' is a group" in f.message


def test_fixture_defects_become_validation_findings(table, sheet):
    found = validate_scores(table, sheet)
    (over,) = [f for f in found if f.code == "SCR001"]
    assert (over.criterion_id, over.data["member"], over.data["points"]) == ("A2", "Lào Cai", 11)
    assert over.severity is Severity.ERROR and over.line == table.line_of("A2")
    (cap,) = [f for f in found if f.code == "SCR002"]
    assert cap.criterion_id == "D" and cap.data["over"] == {"Lào Cai": 10.0}


def test_deduction_sign_is_checked():
    t = load_table("""
title: Demo
total: 10
sections:
  - {id: A, text: Revenue against estimate in percent, max_points: 10, kind: quantitative}
  - {id: X, text: Late reports, max_points: -5, role: deduction, kind: quantitative}
""")
    s = ScoreSheet([ScoreRecord("P1", "A", 5), ScoreRecord("P1", "X", -2),
                    ScoreRecord("P2", "A", 5), ScoreRecord("P2", "X", 2)])
    (f,) = validate_scores(t, s)
    assert f.code == "SCR001" and f.data["member"] == "P2"


# ---------------------------------------------------------------------------- audit findings
def test_fixture_audit_finds_each_constructed_defect(table, sheet):
    found = {(f.code, f.criterion_id) for f in audit_scores(table, sheet)}
    expected = {
        ("DIS001", "B3"),   # everyone 10
        ("DIS003", "B2"),   # 0 or 10
        ("DIS002", "C2"),   # 16 of 18 at the maximum
        ("EFF001", "B2"),   # the all-or-nothing item dominates the variance
        ("EFF001", "C1"),   # 15 points, compressed lenient marks
        ("EFF002", "C1"),   # would need far more points
        ("RED001", "A1"),   # A3 is a copy of A1
        ("AGR001", "C1"),   # raters mark at random
    }
    assert expected <= found
    assert not any(code == "DIS001" and cid != "B3" for code, cid in found)


def test_ceiling_is_reported_with_counts(table, sheet):
    (c2,) = [f for f in audit_scores(table, sheet, lang="en") if f.code == "DIS002"]
    assert c2.data == {"n_at_max": 16, "n": 18, "share": 16 / 18}
    assert "16 of 18" in c2.message and c2.severity is Severity.WARNING


def test_healthy_scores_give_no_distribution_or_weight_findings():
    # Orthogonal criteria with SD ∝ sqrt(points): variance shares equal nominal shares.
    maxima = {"A": 40.0, "B": 30.0, "C": 20.0, "D": 10.0}
    h = hadamard(8)[:, 1:5]
    pts = np.column_stack([m * 0.6 + 0.1 * np.sqrt(m) * h[:, j]
                           for j, m in enumerate(maxima.values())])
    pts += np.arange(8)[:, None] * 1e-3  # break ties in the totals, keep the shares
    sheet = ScoreSheet.from_matrix(pts, [f"P{i}" for i in range(8)], list(maxima))
    codes = {f.code for f in audit_scores(_table(maxima), sheet)}
    assert not codes & {"DIS001", "DIS002", "DIS003", "EFF001", "EFF002", "RED001"}


def test_close_race_is_not_robust_and_a_clear_leader_is():
    t = _table({"A": 50.0, "B": 50.0})
    close = ScoreSheet.from_matrix([[40, 30.2], [30, 40], [20, 20], [25, 15]],
                                   ["P1", "P2", "P3", "P4"], ["A", "B"])
    found = {(f.code, f.criterion_id): f for f in audit_scores(t, close)}
    # Fractions: P1 (0.8, 0.604), P2 (0.6, 0.8). P1 leads iff 0.2 w_A > 0.196 w_B, i.e.
    # w_A > 0.196 / 0.396. Under w = (0.5 u1, 0.5 u2), u ~ U(0.75, 1.25): P(u1 > 0.98 u2).
    u2 = np.linspace(0.75, 1.25, 100_001)
    exact = np.mean(np.clip((1.25 - 0.98 * u2) / 0.5, 0, 1))
    se = np.sqrt(exact * (1 - exact) / 10_000)
    assert found["ROB001", None].data["first_rank"] == pytest.approx(exact, abs=4 * se)
    assert found["ROB002", "A"].data["lower"] == pytest.approx(0.196 / 0.396, abs=1e-12)
    assert found["ROB002", "B"].data["upper"] == pytest.approx(0.2 / 0.396, abs=1e-12)
    clear = ScoreSheet.from_matrix([[45, 45], [30, 40], [20, 20], [25, 15]],
                                   ["P1", "P2", "P3", "P4"], ["A", "B"])
    assert not {f.code for f in audit_scores(t, clear)} & {"ROB001", "ROB002"}


def test_thresholds_are_parameters(table, sheet):
    strict = ScoreCheckConfig(ceiling_share=0.95)
    assert "DIS002" not in {f.code for f in audit_scores(table, sheet, strict)}
    with pytest.raises(ValueError, match="ceiling_share"):
        ScoreCheckConfig(ceiling_share=1.5)


# ---------------------------------------------------------------------------- command line
def _run_cli(argv, capsys):
    from criteria_design.__main__ import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_extension_reports_scores_and_history(capsys):
    code, out = _run_cli([str(DATA / "table.yaml"), "--scores", str(DATA / "scores.csv"),
                          "--select", "RIG", "--fail-on", "error"], capsys)
    assert code == 3 and "DIS001" in out and "table.yaml:37 [B3]" in out
    code, out = _run_cli([str(DATA / "table.yaml"), "--history", str(DATA / "history.csv"),
                          "--select", "RIG001"], capsys)
    assert code == 3 and "ROT001" in out and "ROT004" in out


def test_cli_extension_bad_input_exits_2_naming_the_value(tmp_path, capsys):
    bad = tmp_path / "s.csv"
    # An unknown id is now a finding (SCR004); unreadable points are still bad input.
    bad.write_text("member,criterion,points\nP1,A1,abc\n", encoding="utf-8")
    code, out = _run_cli([str(DATA / "table.yaml"), "--scores", str(bad)], capsys)
    assert code == 2 and "'abc'" in out
