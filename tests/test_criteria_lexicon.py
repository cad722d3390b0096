"""The vague-wording lexicon on sentences written to catch false positives and negatives."""

from __future__ import annotations

import unicodedata

import pytest

from criteria_design.lexicon import LexiconError, load_lexicon, strip_diacritics

LEX = load_lexicon()


def flagged(text: str) -> list[str]:
    """Terms the linter would report: vague and not anchored."""
    return [m.term for m in LEX.find(text) if not m.anchored]


# Vague sentences that must be caught (false negatives if missed).
@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Thực hiện tốt công tác cải cách hành chính", ["tốt"]),
        ("Triển khai hiệu quả, thiết thực các phong trào thi đua", ["hiệu quả", "thiết thực"]),
        ("Tích cực, chủ động, sáng tạo trong tham mưu", ["tích cực", "chủ động", "sáng tạo"]),
        ("Chấp hành nghiêm túc chế độ báo cáo đầy đủ, kịp thời", ["nghiêm túc", "đầy đủ",
                                                                  "kịp thời"]),
        ("TỔ CHỨC HỘI NGHỊ KỊP THỜI", ["kịp thời"]),  # upper case
        ("Tham gia một số hoạt động khi cần thiết", ["một số", "khi cần thiết"]),
        ("Reports are submitted in a timely manner and are adequate", ["timely", "adequate"]),
        ("Cooperate with other members as far as possible", ["as far as possible"]),
        # a document number and a bare year are not a yardstick
        ("Thực hiện tốt Nghị quyết số 35-NQ/TW năm 2024", ["tốt"]),
        ("Quán triệt Chỉ thị 34-CT/TW đầy đủ", ["đầy đủ"]),
        # the anchor in another sentence does not rescue this one
        ("Báo cáo đầy đủ. Kế hoạch gửi trước ngày 15/12", ["đầy đủ"]),
        # "kế hoạch" alone is not a threshold
        ("Thực hiện tốt kế hoạch năm", ["tốt"]),
    ],
)
def test_vague_sentences_are_flagged(text, terms):
    assert flagged(text) == terms


# Innocent or anchored sentences that must pass (false positives if flagged).
@pytest.mark.parametrize(
    "text",
    [
        "Tỷ lệ học sinh tốt nghiệp trung học phổ thông",  # tốt nghiệp = graduation
        "Số hộ khá giả tăng so với năm trước",  # khá giả = well-off; also anchored
        "Nâng cấp khả năng tiếp cận dịch vụ công",  # khả ≠ khá
        "Vốn đầu tư xây dựng cơ bản",  # technical term
        "Tiết kiệm chi thường xuyên",  # recurrent expenditure
        "Số hộ có bán sản phẩm OCOP",  # có bán ≠ cơ bản
        "Tốtnghiệp",  # not on a word boundary
        "Hoàn thành hiệu quả 95% kế hoạch vốn",  # anchored by a percentage
        "Giải ngân kịp thời, trước ngày 31/12",  # anchored by a deadline
        "Báo cáo định kỳ hằng quý",  # anchored by a frequency
        "Tăng cường tỷ lệ che phủ rừng so với năm trước",  # comparison base
        "Goods delivered at least 5 days before the deadline",  # 'good' ≠ 'goods'; anchored
    ],
)
def test_innocent_or_anchored_sentences_pass(text):
    assert flagged(text) == []


def test_anchor_marks_match_instead_of_dropping_it():
    (match,) = LEX.find("Giải ngân kịp thời, trước ngày 31/12")
    assert match.term == "kịp thời" and match.anchored and match.group == "timing"


def test_text_without_diacritics_matches_multisyllable_terms():
    assert flagged("Thuc hien hieu qua, kip thoi cong tac tuyen truyen") == [
        "hiệu quả", "kịp thời"]
    assert flagged("bao cao day du") == ["đầy đủ"]


def test_single_unmarked_syllable_is_not_matched():
    # without marks "tot"/"kha" could be several words: no guess
    assert flagged("thuc hien tot nhiem vu") == []
    assert flagged("nang cao kha nang canh tranh") == ["nâng cao"]


def test_stripped_forms_are_not_matched_in_text_with_diacritics():
    # "co ban" (cơ bản) must not fire on "có bán", which strips to the same letters
    assert strip_diacritics("Số hộ có bán hàng") == "So ho co ban hang"
    assert flagged("Số hộ có bán hàng") == []
    assert flagged("So ho co ban hang") == ["cơ bản"]  # genuinely ambiguous without marks


def test_decomposed_input_is_normalised():
    text = unicodedata.normalize("NFD", "Thực hiện nghiêm túc")
    assert flagged(text) == ["nghiêm túc"]


def test_longest_term_wins_over_nested_one(tmp_path):
    extra = tmp_path / "nested.yaml"
    extra.write_text("groups: {evaluative: {terms: [hiệu quả cao]}}", encoding="utf-8")
    lex = load_lexicon(extra)
    assert [m.term for m in lex.find("Đạt hiệu quả cao")] == ["hiệu quả cao"]
    assert [m.term for m in LEX.find("Đạt hiệu quả cao")] == ["hiệu quả"]


def test_user_lexicon_adds_terms_groups_and_anchors(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "groups:\n"
        "  evaluative:\n    terms: [chuyên nghiệp]\n"
        "  hedge:\n    description: hedging\n    suggestion: say it plainly\n"
        "    terms: [{term: có thể, except: [có thể tích]}]\n"
        "anchors: [theo thang]\n",
        encoding="utf-8",
    )
    lex = load_lexicon(extra)
    assert [m.term for m in lex.find("Phục vụ chuyên nghiệp")] == ["chuyên nghiệp"]
    assert [(m.term, m.group) for m in lex.find("Có thể hoàn thành")] == [("có thể", "hedge")]
    assert lex.find("Đo có thể tích bể") == []
    assert [m.anchored for m in lex.find("Phục vụ tốt theo thang đánh giá")] == [True]
    # the shipped lexicon is unchanged
    assert LEX.find("Phục vụ chuyên nghiệp") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("groups: [a, b]", "expected a mapping"),
        ("groups:\n  new:\n    terms: [x]\n", "new group 'new' needs description and suggestion"),
        ("groups:\n  evaluative:\n    terms: [{except: [x]}]\n", "expected a term"),
        ("anchors: 5", "'anchors' must be a list"),
        ("groups: {evaluative: {terms: [a}", "malformed YAML"),
    ],
)
def test_bad_lexicon_files_name_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as info:
        load_lexicon(path)
    assert str(path) in str(info.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(LexiconError, match="cannot read lexicon file"):
        load_lexicon(tmp_path / "nope.yaml")
