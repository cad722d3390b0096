"""The findings drawn from scores speak Vietnamese first and English on request.

Every message of the sheet checks (SCR001-SCR006) and of the score statistics (DIS, EFF,
RED, ROB, AGR) is declared in both languages with one set of fields; the same audit run in
both languages gives the same findings with the same numbers, and the command line's
``--scores``, ``--inspection`` and ``--history`` outputs follow ``--lang``.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from criteria_design import score_checks, scores
from criteria_design.__main__ import main
from criteria_design.score_checks import audit_scores
from criteria_design.scores import (
    ScoreRecord,
    ScoreSheet,
    compare_scores,
    load_scores,
    validate_scores,
)
from criteria_design.table import load_table

DATA = Path(__file__).parent / "data" / "criteria_scores"
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
MESSAGES = [*scores.MESSAGES.items(), *score_checks.MESSAGES.items()]

SMALL = """
title: Bảng mẫu
total: 20
max_total: 21
sections:
  - id: I
    text: Kinh tế
    max_points: 20
    children:
      - id: A
        text: Tỷ lệ thu ngân sách so với dự toán
        max_points: 10
        kind: quantitative
        bonuses: [{id: a, text: Mỗi mô hình cộng 1 điểm, points: 1, per: occurrence,
                   unit: mô hình, cap: 2}]
        bonus_cap: 2
      - id: B
        text: Tỷ lệ hồ sơ giải quyết đúng hạn
        max_points: 10
        kind: quantitative
"""


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _sample(template: str) -> dict[str, object]:
    """A number for formatted fields, a spaced number for the others (names, lists)."""
    return {name: 7.25 if spec else " 3 "
            for _, name, spec, _ in string.Formatter().parse(template) if name}


def _numbers(text: str) -> list[float]:
    return sorted(float(x) for x in NUMBER.findall(text))


@pytest.mark.parametrize(("variant", "message"), MESSAGES, ids=[v for v, _ in MESSAGES])
def test_every_score_message_has_both_languages_with_the_same_fields(variant, message):
    for text in (message.text, message.fix):
        assert text.vi.strip() and text.en.strip()
        assert _fields(text.vi) == _fields(text.en), variant
        assert VIETNAMESE.search(text.vi.lower()), (variant, text.vi)
        assert text.vi != text.en
    # Filled with the same numbers, both languages state them (nothing is lost in one).
    fields = {**_sample(message.text.en), **_sample(message.fix.en)}
    vi, vi_fix = message.render("vi", **fields)
    en, en_fix = message.render("en", **fields)
    assert _numbers(vi) == _numbers(en) and _numbers(vi_fix) == _numbers(en_fix), variant


def _pairs(vi, en):
    assert [(f.code, f.criterion_id, f.severity, f.line, f.section, f.data) for f in vi] == [
        (g.code, g.criterion_id, g.severity, g.line, g.section, g.data) for g in en]
    for f, g in zip(vi, en, strict=True):
        assert f.message != g.message, f.code
        assert _numbers(f.message) == _numbers(g.message), (f.message, g.message)
        assert _numbers(f.suggestion) == _numbers(g.suggestion), (f.suggestion, g.suggestion)
        assert VIETNAMESE.search(f.message.lower()), f.message
    return list(zip(vi, en, strict=True))


def test_the_audit_of_the_fixture_says_the_same_in_both_languages():
    table, sheet = load_table(DATA / "table.yaml"), load_scores(DATA / "scores.csv")
    pairs = _pairs(audit_scores(table, sheet), audit_scores(table, sheet, lang="en"))
    codes = {f.code for f, _ in pairs}
    assert {"DIS001", "DIS002", "DIS003", "EFF001", "RED001", "AGR001"} <= codes
    # Vietnamese by default: DIS002 as a planner reads it, numbers computed by hand (16 of 18).
    (dis,) = [f for f, _ in pairs if f.code == "DIS002"]
    assert dis.message.startswith("16 trên 18 lượt thành viên theo năm (88.9 %) đạt điểm tối đa")
    # Findings about a criterion carry its section, so that reports group them.
    sections = {ids[0] for ids, _ in table.id_paths()}
    for f, _ in pairs:
        if f.criterion_id is not None:
            assert f.section in sections, (f.code, f.criterion_id)


def test_sheet_checks_say_the_same_in_both_languages_and_carry_the_section():
    table = load_table(SMALL)
    sheet = ScoreSheet([ScoreRecord("P1", "A", 12), ScoreRecord("P1", "A/bonus/a", 3),
                        ScoreRecord("P1", "B", 10),
                        ScoreRecord("P2", "A", 9), ScoreRecord("P2", "Bx", 5)])
    pairs = _pairs(validate_scores(table, sheet), validate_scores(table, sheet, lang="en"))
    by_code = {f.code: (f, g) for f, g in reversed(pairs)}  # the first of each code
    assert set(by_code) >= {"SCR001", "SCR002", "SCR003", "SCR004", "SCR005"}
    unknown_vi, unknown_en = by_code["SCR004"]
    assert "bảng 'Bảng mẫu' không có tiêu chí 'Bx'" in unknown_vi.message
    assert "no criterion 'Bx'" in unknown_en.message
    assert unknown_vi.suggestion == "có phải là B?" and unknown_en.suggestion == "did you mean B?"
    over = by_code["SCR001"][0]
    assert over.message.startswith("P1 được 12 điểm ở A, ngoài khoảng cho phép [0, 10]")
    assert (over.section, over.path, over.criterion_text) == (
        "I", "I/A", "Tỷ lệ thu ngân sách so với dự toán")
    cap = by_code["SCR002"][0]
    assert "mức trần điểm thưởng của A (2 điểm)" in cap.message and cap.section == "I"


def test_two_sources_are_named_in_the_report_language():
    table = load_table(SMALL)
    own = ScoreSheet([ScoreRecord("P1", "A", 9), ScoreRecord("P1", "B", 8)])
    checked = ScoreSheet([ScoreRecord("P1", "A", 9)])
    (vi,) = compare_scores(table, own, checked)
    (en,) = compare_scores(table, own, checked, lang="en")
    assert vi.message == "P1 ở B: tự chấm 8, thẩm định không có điểm"
    assert en.message == "P1 on B: self-assessment 8, inspection no mark"
    assert vi.section == en.section == "I"


def _cli(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_scores_inspection_and_history_follow_lang(tmp_path, capsys):
    table = tmp_path / "t.yaml"
    table.write_text(SMALL, encoding="utf-8")
    own, checked = tmp_path / "own.csv", tmp_path / "checked.csv"
    own.write_text("member,criterion,points\nP1,A,9\nP1,B,8\nP2,A,5\nP2,B,6\nP3,A,7\nP3,B,7\n",
                   encoding="utf-8")
    checked.write_text(own.read_text(encoding="utf-8").replace("P2,B,6", "P2,B,4"),
                       encoding="utf-8")
    argv = [str(table), "--scores", str(own), "--inspection", str(checked),
            "--select", "RIG001"]
    code, vi, _ = _cli(argv, capsys)
    assert code == 3 and "P2 ở B: tự chấm 6, thẩm định 4 (chênh lệch -2)" in vi
    code, en, _ = _cli([*argv, "--lang", "en"], capsys)
    assert code == 3 and "P2 on B: self-assessment 6, inspection 4 (difference -2)" in en
    # The history audit (ROT, run without a table) follows the same option.
    history = ["--history", str(DATA / "history.csv")]
    _, vi, _ = _cli(history, capsys)
    _, en, _ = _cli([*history, "--lang", "en"], capsys)
    rot_vi = [line for line in vi.splitlines() if " ROT00" in line]
    rot_en = [line for line in en.splitlines() if " ROT00" in line]
    assert rot_vi and len(rot_vi) == len(rot_en) and rot_vi != rot_en


def test_cli_own_score_messages_follow_lang(tmp_path, capsys):
    own = tmp_path / "own.csv"
    own.write_text("member,criterion,points\nP1,A,9\n", encoding="utf-8")
    table = tmp_path / "t.yaml"
    table.write_text(SMALL, encoding="utf-8")
    code, _, err = _cli([str(table), "--inspection", str(own)], capsys)
    assert code == 2 and "hãy chỉ ra cả hai" in err
    code, _, err = _cli([str(table), "--inspection", str(own), "--lang", "en"], capsys)
    assert code == 2 and "give both" in err
