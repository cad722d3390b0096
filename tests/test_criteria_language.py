"""Findings a planner acts on: Vietnamese first, English on request; grouped, ranked, summarised.

Checked against verdicts written by hand: the exact Vietnamese and English sentences of a
finding whose numbers are computed by hand, the order of a report built by hand.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from clustering.errors import FairclustersError
from criteria_design import RULES, Finding, format_findings, lint, load_table
from criteria_design.__main__ import main
from criteria_design.report import arrange, collapse_repeats

DATA = Path(__file__).parent / "data" / "criteria"
TABLES = sorted(p for p in DATA.iterdir() if p.suffix in (".yaml", ".json")
                and p.name != "expected_findings.yaml")
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _numbers(text: str) -> list[str]:
    return sorted(NUMBER.findall(text))


def _texts(rule):
    yield "title", rule.title
    yield "summary", rule.summary
    for variant, message in rule.messages.items():
        yield f"message {variant!r}", message.text
        yield f"fix {variant!r}", message.fix


def test_every_registered_rule_speaks_vietnamese_and_english():
    assert len(RULES) >= 25
    for code, rule in RULES.items():
        assert rule.messages, code
        for what, text in _texts(rule):
            assert text.vi.strip() and text.en.strip(), (code, what)
            if not _literal(text.vi).strip():  # all run time: VAG001's advice, checked below
                assert code == "VAG001" and what.startswith("fix"), (code, what)
                continue
            # the Vietnamese form is Vietnamese (diacritics), not the English copied over
            assert VIETNAMESE.search(text.vi.lower()), (code, what, text.vi)
            if what.startswith(("title", "summary", "message")):
                assert text.vi != text.en, (code, what)
            # one set of fields fills both: the same numbers, passed once
            assert _fields(text.vi) == _fields(text.en), (code, what)
            # numbers written in the templates themselves agree too (e.g. "80 %", "3-5")
            assert _numbers(_literal(text.vi)) == _numbers(_literal(text.en)), (code, what)


def test_lexicon_advice_exists_in_both_languages():
    from criteria_design import load_lexicon

    for group in load_lexicon().groups.values():
        assert VIETNAMESE.search(group.advice("vi")), group.name
        assert group.advice("vi") != group.advice("en"), group.name


def _literal(template: str) -> str:
    """The template without its fields: what it says whatever the numbers."""
    return re.sub(r"\{[^{}]*\}", " ", template)


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_both_languages_carry_the_same_numbers(path):
    table = load_table(path)
    vi, en = lint(table), lint(table, lang="en")
    assert [(f.code, f.criterion_id, f.severity, f.data) for f in vi] == [
        (f.code, f.criterion_id, f.severity, f.data) for f in en]
    for a, b in zip(vi, en, strict=True):
        assert a.message != b.message
        assert _numbers(a.message) == _numbers(b.message), (a.message, b.message)
        assert _numbers(a.suggestion) == _numbers(b.suggestion), (a.suggestion, b.suggestion)


def _table(*leaves: dict, total: float | None = None) -> dict:
    return {"title": "Bảng thử", "total": total or sum(c["max_points"] for c in leaves),
            "period": "năm 2024",
            "sections": [{"id": "A", "text": "Mục A", "max_points": sum(
                c["max_points"] for c in leaves), "children": list(leaves)}]}


def test_hand_written_sentences_in_both_languages():
    # 10 of 100 points all-or-nothing: 10.0 % of the total, by hand
    heavy = {"id": "A.1", "text": "Có đề án chuyển đổi số được phê duyệt", "max_points": 10,
             "kind": "qualitative", "scoring": {"method": "all_or_nothing"},
             "evidence": "Quyết định phê duyệt"}
    rest = {"id": "A.2", "text": "Tỷ lệ hồ sơ đúng hạn", "max_points": 90,
            "kind": "quantitative", "unit": "%", "target": {"value": 95},
            "scoring": {"method": "linear", "lower": 80, "upper": 95},
            "evidence": "Hệ thống một cửa"}
    table = load_table(json.dumps(_table(heavy, rest)))
    (vi,) = lint(table, select=["RIG001"])
    (en,) = lint(table, select=["RIG001"], lang="en")
    assert vi.message == "10 điểm (10.0% tổng điểm) chỉ chấm đủ điểm hoặc không điểm"
    assert en.message == "10 points (10.0% of the total) are awarded all-or-nothing"
    assert vi.suggestion.startswith("Chấm tuyến tính giữa hai ngưỡng hoặc theo bậc")
    assert (vi.criterion_text, vi.path, vi.section) == (heavy["text"], "A/A.1", "A")


def test_unknown_language_is_refused_naming_it(capsys):
    table = DATA / "cum_huyen_mau_100.yaml"
    with pytest.raises(FairclustersError, match="lang='xx'"):
        lint(table, lang="xx")
    with pytest.raises(FairclustersError, match="lang='de'"):
        format_findings([], lang="de")
    assert main([str(table), "--lang", "xx"]) == 2
    assert "'xx'" in capsys.readouterr().err


def test_command_line_is_vietnamese_by_default_and_english_on_request(capsys):
    big = str(DATA / "cum_dbsh_1000.yaml")
    assert main([big, "--select", "RIG001"]) == 3
    vi = capsys.readouterr().out
    assert "RIG001 cảnh báo: 100 điểm (10.0% tổng điểm) chỉ chấm đủ điểm hoặc không điểm" in vi
    assert "cách sửa: Chấm tuyến tính" in vi and "== Mục I ==" in vi
    assert "tiêu chí “Thu hút vốn đầu tư trực tiếp nước ngoài (FDI) đạt 500 triệu USD”" in vi
    # expected_findings.yaml: RIG001 on I.3 and III.4
    assert vi.rstrip().endswith("2 phát hiện: 0 lỗi, 2 cảnh báo, 0 lưu ý")
    assert main([big, "--select", "RIG001", "--lang", "en"]) == 3
    en = capsys.readouterr().out
    assert "RIG001 warning: 100 points (10.0% of the total) are awarded all-or-nothing" in en
    assert en.rstrip().endswith("2 findings: 0 errors, 2 warnings, 0 info")
    assert main(["--list-rules"]) == 0
    assert "RIG001  warning  heavy-all-or-nothing: Tiêu chí nặng chấm kiểu đạt/không đạt" in (
        capsys.readouterr().out)
    assert main([]) == 2
    assert "chưa chỉ ra bảng tiêu chí" in capsys.readouterr().err
    assert main(["--lang", "en"]) == 2
    assert "no criteria table given" in capsys.readouterr().err
    assert main([big, "--select", "RIG999"]) == 2
    assert "mã quy tắc 'RIG999' trong select không có" in capsys.readouterr().err
    assert main([big, "--ignore", "NOPE", "--lang", "en"]) == 2
    assert "unknown rule code 'NOPE' in ignore" in capsys.readouterr().err


def test_report_groups_by_section_and_ranks_errors_warnings_notes():
    def f(code, severity, section, cid):
        return Finding(code=code, severity=severity, message=code, criterion_id=cid,
                       section=section, path=None if cid is None else f"{section}/{cid}")

    findings = [f("RIG002", "warning", None, None), f("VAG005", "info", "I", "I.1"),
                f("VAG004", "warning", "I", "I.1"), f("RIG012", "error", "I", "I.2"),
                f("VAG001", "warning", "II", "II.1"), f("RIG003", "info", None, None),
                f("RIG012", "error", None, None)]
    groups = arrange(findings)
    # by hand: table-wide first, then I, then II; errors, warnings, notes; else as given
    assert [(s, [g.code for g in group]) for s, group in groups] == [
        (None, ["RIG012", "RIG002", "RIG003"]),
        ("I", ["RIG012", "VAG004", "VAG005"]),
        ("II", ["VAG001"]),
    ]
    text = format_findings(findings, lang="en").splitlines()
    headings = [line for line in text if line.startswith("==")]
    assert headings == ["== Whole table ==", "== Section I ==", "== Section II =="]
    assert [line.split()[1] for line in text if line.startswith("[I")] == [
        "RIG012", "VAG004", "VAG005", "VAG001"]
    md = format_findings(findings, "markdown")
    assert md.index("### Toàn bảng") < md.index("### Mục I") < md.index("### Mục II")


def test_real_table_report_is_ranked_within_each_section():
    table = load_table(DATA / "so_noi_vu_cham_phong_100.yaml")
    groups = arrange(lint(table))
    order = [s.id for s in table.sections]
    sections = [s for s, _ in groups if s is not None]
    assert sections == [s for s in order if s in sections]
    for _, group in groups:
        ranks = [g.severity.rank for g in group]
        assert ranks == sorted(ranks, reverse=True)


def test_eighty_per_row_findings_become_one_summary():
    leaves = [{"id": f"A.{i}", "text": f"Tỷ lệ hồ sơ loại {i} đúng hạn", "max_points": 1,
               "kind": "quantitative", "unit": "%", "target": {"value": 95},
               "scoring": {"method": "linear", "lower": 80, "upper": 95}}
              for i in range(1, 81)]
    table = load_table(json.dumps(_table(*leaves)))
    findings = lint(table, select=["VAG004"])
    assert len(findings) == 80
    (summary,) = collapse_repeats(findings)
    assert summary.data["count"] == 80 and summary.criterion_id is None
    assert summary.data["paths"][:2] == ["A/A.1", "A/A.2"]
    assert summary.message == (
        "80 tiêu chí cùng có phát hiện VAG004 (Không có minh chứng): A/A.1, A/A.2, A/A.3, "
        "A/A.4, A/A.5 và 75 tiêu chí khác")
    text = format_findings(findings)
    assert sum("VAG004 cảnh báo" in line for line in text.splitlines()) == 1
    assert text.splitlines()[-1] == "80 phát hiện: 0 lỗi, 80 cảnh báo, 0 lưu ý"
    # the JSON report keeps every finding for tools
    assert len(json.loads(format_findings(findings, "json"))["findings"]) == 80
    # below the threshold nothing is summarised
    assert collapse_repeats(findings[:9]) == findings[:9]
    # other kinds are kept as they are, in place
    mixed = [Finding(code="RIG002", severity="warning", message="m"), *findings]
    assert Counter(f.code for f in collapse_repeats(mixed)) == {"RIG002": 1, "VAG004": 1}


def test_findings_quote_the_text_and_the_path_of_repeated_ids():
    table = load_table(DATA / "so_noi_vu_cham_phong_100.yaml")
    for f in lint(table):
        if f.criterion_id is None:
            continue
        node = table.find(f.criterion_id)
        assert f.criterion_text == node.text
        ids = f.path.split("/")
        assert ids[-1] == node.id and ids[0] == f.section
