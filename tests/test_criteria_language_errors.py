"""Error messages a planner reads: Vietnamese by default, English with ``--lang en``.

The exceptions keep their English messages and attributes (the API); the command line
renders them through :func:`criteria_design.error_text.describe_error`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clustering.files import FileFormatError, load_yaml
from criteria_design.__main__ import main
from criteria_design.error_text import PATTERNS, describe_error, translate_message
from criteria_design.errors import CriteriaTableError
from criteria_design.table import load_table

DATA = Path(__file__).parent / "data" / "criteria_scores"
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")

BROKEN = """\
title: Bảng lỗi
total: 20
sections:
  - id: A
    text: Thu ngân sách
    max_points: mười
    kind: quantitative
  - id: B
    max_points: 10
    kind: quantitativ
    colour: red
"""


def _err(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr().err


def _numbers(text: str) -> list[str]:
    return sorted(NUMBER.findall(text))


def test_a_broken_table_is_described_in_vietnamese_by_default(tmp_path, capsys):
    path = tmp_path / "bang.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    code, vi = _err([str(path)], capsys)
    assert code == 2
    lines = vi.strip().splitlines()
    assert len(lines) == 4  # every problem, one a line
    assert (f"{path}:6: [A] trường 'max_points': phải là một số (không đọc được chuỗi thành "
            "số), nhận được 'mười' (tại sections[0].max_points)") in lines[0]
    assert lines[1] == f"{path}:8: [B] thiếu trường bắt buộc 'text' (tại sections[1].text)"
    assert lines[2] == (f"{path}:10: [B] trường 'kind': phải là một trong các giá trị "
                        "'quantitative' hoặc 'qualitative', nhận được 'quantitativ' "
                        "(tại sections[1].kind)")
    assert lines[3].startswith(f"{path}:11: [B] trường 'colour': trường không có trong mẫu")
    code, en = _err([str(path), "--lang", "en"], capsys)
    assert code == 2
    assert f"{path}:8: [B] missing field 'text' (at sections[1].text)" in en
    assert "field 'kind': Input should be 'quantitative' or 'qualitative'" in en
    # The same file, lines and fields in both languages.
    assert _numbers(vi) == _numbers(en)


def test_the_exception_itself_stays_english_with_its_attributes():
    with pytest.raises(CriteriaTableError) as info:
        load_table(BROKEN)
    exc = info.value
    assert "missing field 'text'" in str(exc)
    assert [p["line"] for p in exc.problems] == [6, 8, 10, 11]
    assert describe_error(exc, "en") == str(exc)
    vi = describe_error(exc)
    assert vi.startswith("<bảng>:6: [A] trường 'max_points'") and VIETNAMESE.search(vi)


@pytest.mark.parametrize(("text", "vi"), [
    ("a: 1\na: 2\n", "t.yaml:2: khóa 'a' bị lặp (lần đầu ở dòng 1); mỗi khóa chỉ được ghi một lần"),
    ("a: &x 1\nb: *x\n",
     "t.yaml:1: không dùng neo và bí danh YAML (&tên, *tên); hãy ghi đầy đủ các giá trị"),
    ("a: [1\n", "t.yaml:2: YAML sai cú pháp: "),
])
def test_file_format_errors_are_rendered_from_their_attributes(text, vi):
    with pytest.raises(FileFormatError) as info:
        load_yaml(text, "t.yaml")
    assert describe_error(info.value).startswith(vi)
    assert describe_error(info.value, "en") == str(info.value)


def test_not_utf8_is_explained_in_vietnamese(tmp_path, capsys):
    path = tmp_path / "bang.yaml"
    path.write_bytes("title: Bảng\n".encode("utf-16"))
    code, vi = _err([str(path)], capsys)
    assert code == 2 and "không phải văn bản UTF-8 (có vẻ là UTF-16)" in vi
    code, en = _err([str(path), "--lang", "en"], capsys)
    assert "not UTF-8 text (it looks like UTF-16)" in en and _numbers(vi) == _numbers(en)


def test_score_sheet_history_config_and_output_errors_follow_lang(tmp_path, capsys):
    table = str(DATA / "table.yaml")
    sheet = tmp_path / "diem.csv"
    sheet.write_text("member,criterion,points\nP1,A1,abc\n", encoding="utf-8")
    code, vi = _err([table, "--scores", str(sheet)], capsys)
    assert code == 2 and f"{sheet}, dòng 2: điểm 'abc' không phải là số" in vi
    code, en = _err([table, "--scores", str(sheet), "--lang", "en"], capsys)
    assert f"{sheet}, line 2: points 'abc' is not a number" in en
    cells = tmp_path / "o.csv"
    cells.write_text("member,criterion,points\nP1,A1\n", encoding="utf-8")
    code, vi = _err([table, "--scores", str(cells)], capsys)
    assert code == 2 and "dòng có 2 ô nhưng dòng tiêu đề có 3 cột" in vi
    history = tmp_path / "ls.csv"
    history.write_text("year,cluster,leader,n_members\n2021,,Hà Nam,5\n", encoding="utf-8")
    code, vi = _err(["--history", str(history)], capsys)
    assert code == 2 and "tên cụm không được để trống" in vi
    code, en = _err(["--history", str(history), "--lang", "en"], capsys)
    assert "cluster must not be empty" in en
    config = tmp_path / "cau_hinh.yaml"
    config.write_text("- 1\n", encoding="utf-8")
    code, vi = _err([table, "--config", str(config)], capsys)
    assert code == 2 and "cấu hình phải là một ánh xạ các ngưỡng" in vi
    code, vi = _err([table, "--config", str(tmp_path / "khong_co.yaml")], capsys)
    assert code == 2 and "không đọc được cấu hình kiểm tra" in vi


def test_the_command_line_own_messages_follow_lang(capsys):
    code, vi = _err([], capsys)
    assert code == 2 and "chưa chỉ ra bảng tiêu chí" in vi
    code, en = _err(["--lang", "en"], capsys)
    assert code == 2 and "no criteria table given" in en
    code, vi = _err([str(DATA / "table.yaml"), "--select", "XYZ"], capsys)
    assert code == 2 and "mã quy tắc 'XYZ'" in vi


def test_known_messages_translate_and_unknown_ones_stay_english():
    assert translate_message("Input should be greater than 0, got -1") == \
        "phải lớn hơn 0, nhận được -1"
    assert translate_message("field 'total': Input should be a valid number, got [1]") == \
        "trường 'total': phải là một số, nhận được [1]"
    assert translate_message("something nobody wrote a pattern for") == \
        "something nobody wrote a pattern for"
    assert translate_message("missing field 'text'", "en") == "missing field 'text'"


def test_every_pattern_has_a_vietnamese_form():
    for pattern, text in PATTERNS:
        assert VIETNAMESE.search(text.vi.lower()), pattern.pattern
        assert text.vi != text.en
