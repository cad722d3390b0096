"""Vagueness findings on the wording of real tables (issue 14, part 3): verdicts by hand.

What is and is not an anchor, names that contain a vague word, completeness over a listed
set, bonus and deduction rows, one list against separate demands, checkable facts that
need no rubric; and a smoke test of the corpus measurement.
"""

from __future__ import annotations

import pytest

from criteria_design import CriteriaTable, LintConfig, lint, load_lexicon
from criteria_design.corpus import RULES_MEASURED, evaluate, main, read_corpus
from criteria_design.vagueness import count_demands, is_checkable

LEX = load_lexicon()


def unanchored(text):
    return [m.term for m in LEX.find(text) if not m.anchored]


@pytest.mark.parametrize(("text", "terms"), [
    # a statement of the item's points is no yardstick
    ("Thực hiện tốt công tác cải cách hành chính (10 điểm)", ["tốt"]),
    ("Công tác dân vận đạt kết quả tốt: 4 điểm", ["tốt"]),
    ("Hoàn thành kịp thời các nhiệm vụ đột xuất, được 5 điểm", ["kịp thời"]),
    # the year in a law's name is no deadline
    ("Triển khai kịp thời, đầy đủ Luật Thi đua, khen thưởng năm 2022", ["kịp thời", "đầy đủ"]),
    ("Thực hiện nghiêm Luật Thực hành tiết kiệm, chống lãng phí 2013", ["nghiêm"]),
    # ...but percentage points, thresholds and dates are
    ("Giảm tỷ lệ hộ nghèo ít nhất 1,5 điểm phần trăm, thực hiện kịp thời", []),
    ("Tỷ lệ hồ sơ trễ hạn dưới 2 %: 4 điểm", []),
    ("Gửi báo cáo kịp thời trước ngày 15/12", []),
])
def test_what_is_an_anchor(text, terms):
    assert unanchored(text) == terms


@pytest.mark.parametrize("text", [
    'Tham gia phong trào thi đua "Dân vận khéo" có báo cáo kết quả',
    "Được tặng danh hiệu Tập thể lao động xuất sắc năm trước",
    "Chi bộ được xếp loại hoàn thành tốt nhiệm vụ trở lên",
    'Chỉ số PAR INDEX xếp loại "Tốt" trở lên',
    "Gửi báo cáo định kỳ về Sở Nội vụ",
    "Tỷ lệ trẻ em được tiêm chủng đầy đủ",
    "Tỷ lệ xã đạt chuẩn nông thôn mới nâng cao",
    "Báo cáo đầy đủ các nội dung: kết quả, tồn tại và đề xuất",
])
def test_names_fixed_phrases_and_listed_sets_are_not_vague(text):
    assert unanchored(text) == []


@pytest.mark.parametrize(("text", "terms"), [
    ("Hoàn thành xuất sắc nhiệm vụ chính trị được giao", ["xuất sắc"]),  # no rating named
    ("Xếp hạng chỉ số cải cách hành chính của đơn vị năm nay ở mức khá", ["khá"]),  # too far
    ("Thực hiện chế độ báo cáo đầy đủ", ["đầy đủ"]),          # no list
    ("Kiểm tra định kỳ việc chấp hành pháp luật", ["định kỳ"]),  # not a type of report
    ("Quản lý bảo vệ rừng chặt chẽ", ["chặt chẽ"]),            # a term the lexicon gained
])
def test_vague_words_outside_names_still_count(text, terms):
    assert unanchored(text) == terms


def _table(node):
    return CriteriaTable.model_validate(
        {"title": "T", "total": 10, "period": "năm 2025", "sections": [node]})


def test_bonus_and_deduction_rows_are_linted():
    node = {"id": "1", "text": "Tỷ lệ hồ sơ đúng hạn", "max_points": 10, "kind": "quantitative",
            "deductions": [
                {"id": "a", "text": "Mỗi trường hợp thực hiện không tốt nhiệm vụ trừ 1 điểm",
                 "points": 1, "per": "occurrence", "unit": "trường hợp"},
                {"id": "b", "text": "Mỗi hồ sơ quá hạn trên Hệ thống trừ 0,5 điểm",
                 "points": 0.5, "per": "occurrence", "unit": "hồ sơ"}],
            "bonuses": [{"id": "c", "text": "Có nhiều sáng kiến hay cộng 1 điểm", "points": 1,
                         "per": "once"}]}
    (f,) = lint(_table(node), select=["VAG001"], lang="en")
    assert f.criterion_id == "1"
    assert f.message == ("vague wording without a measurable anchor: 'nhiều' (bonus c), "
                         "'tốt' (deduction a)")


@pytest.mark.parametrize(("text", "n"), [
    ("Gửi báo cáo tháng, quý, 6 tháng và năm trước ngày 20", 1),      # one list
    ("Có Bằng khen của Thủ tướng, Cờ thi đua của Chính phủ hoặc Huân chương", 1),  # or
    ("Ký quy chế phối hợp với Mặt trận Tổ quốc, Liên đoàn Lao động và Hội Nông dân", 1),
    ("Kiện toàn Hội đồng thi đua, khen thưởng và ban hành quy chế hoạt động", 2),
    ("Lập danh sách, thẩm định hồ sơ và trình Hội đồng thi đua, khen thưởng", 3),
    ("Thành lập tổ công tác, xây dựng quy chế, cập nhật dữ liệu và báo cáo hằng quý", 4),
])
def test_vag006_tells_a_list_and_an_or_from_separate_demands(text, n):
    assert count_demands(text) == n


@pytest.mark.parametrize(("text", "checkable"), [
    ("Không có cán bộ, công chức bị xử lý kỷ luật trong năm", True),
    ("Được Khối suy tôn dẫn đầu phong trào thi đua năm trước", True),
    ("Ban hành Danh mục hồ sơ của cơ quan trước ngày 31/01", True),
    ('Xã được công nhận "Xã đạt chuẩn tiếp cận pháp luật"', True),
    ("Thực hiện các nhiệm vụ đột xuất khi được giao", False),
    ("Nhân dân đồng tình, ủng hộ", False),
])
def test_checkable_facts(text, checkable):
    assert is_checkable(text, LintConfig()) is checkable


def test_vag002_only_for_lines_graded_by_judgement():
    def vag002(text):
        node = {"id": "1", "text": text, "max_points": 10, "kind": "qualitative",
                "evidence": "Biên bản"}
        return [f.code for f in lint(_table(node), select=["VAG002"])]

    assert vag002("Ban hành kế hoạch trước ngày 31/01") == []
    assert vag002("Phát huy vai trò của Mặt trận Tổ quốc") == ["VAG002"]
    # checkable form, vague word: the rater still needs levels for "nghiêm túc"
    assert vag002("Ban hành và thực hiện nghiêm túc quy chế dân chủ") == ["VAG002"]


# -- the corpus and its measurement ----------------------------------------------------

def test_corpus_is_large_labelled_and_split():
    lines = read_corpus()
    assert len(lines) >= 400
    assert all(line.reason and line.text for line in lines)
    for rule_code in RULES_MEASURED:
        positives = sum(line.labels[rule_code] for line in lines)
        assert 0 < positives < len(lines)
    assert {line.role for line in lines} == {"base", "bonus", "ded"}


def test_corpus_measurement_smoke(capsys):
    lines = read_corpus()[:40]
    scores, errors = evaluate(lines)
    for rule_code, score in scores.items():
        labelled = sum(line.labels[rule_code] for line in lines)
        assert score.tp + score.fn == labelled
        assert score.fp + score.fn == sum(1 for r, _, _ in errors if r == rule_code)
        assert 0 <= score.precision <= 1 and 0 <= score.recall <= 1
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "held-out half (even lines)" in out and "tuning half (odd lines)" in out
    assert out.count("| VAG001 |") == 3
