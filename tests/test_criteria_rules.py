"""Each linter rule on small tables whose shares and counts are computed by hand."""

from __future__ import annotations

import pytest

from criteria_design import (
    RULES,
    CriteriaTable,
    LintConfig,
    Severity,
    UnknownRuleError,
    lint,
)
from criteria_design.rigidity import effective_number, is_all_or_nothing
from criteria_design.vagueness import count_demands

CLEAN = dict(unit="%", target={"value": 100, "basis": "plan"},
             scoring={"method": "linear", "lower": 80, "upper": 100}, evidence="Báo cáo")


def leaf(cid, points, text="Tỷ lệ thu ngân sách so với dự toán", kind="quantitative", **kw):
    fields = dict(CLEAN) if kind == "quantitative" else {"evidence": "Biên bản"}
    fields.update(kw)
    return {"id": cid, "text": text, "max_points": points, "kind": kind, **fields}


def table(*sections, total=None, **kw):
    base = sum(s["max_points"] for s in sections if s.get("role", "base") == "base")
    return CriteriaTable.model_validate(
        {"title": "T", "total": total or base, "period": "năm 2024", "sections": list(sections),
         **kw})


def section(sid, *children, **kw):
    return {"id": sid, "text": f"Phần {sid}", "children": list(children),
            "max_points": sum(c["max_points"] for c in children), **kw}


def hits(t, code, **config):
    return [(f.criterion_id, f.severity) for f in lint(t, select=[code],
                                                         config=LintConfig(**config))]


AON = {"scoring": {"method": "all_or_nothing"}}


def test_effective_number_by_hand():
    assert effective_number([1.0]) == 1.0
    assert effective_number([0.5, 0.5]) == pytest.approx(2.0)
    # 1 / (0.6^2 + 0.2^2 + 0.2^2) = 1 / 0.44
    assert effective_number([0.6, 0.2, 0.2]) == pytest.approx(1 / 0.44)
    # unnormalised weights give the same answer
    assert effective_number([60, 20, 20]) == pytest.approx(1 / 0.44)
    with pytest.raises(ValueError, match="positive sum"):
        effective_number([0, 0])


def test_all_or_nothing_recognised_in_every_form():
    t = table(section("A",
        leaf("a", 10, **AON),
        leaf("b", 10, scoring={"method": "steps", "steps": [{"at_least": 1, "points": 10}]}),
        leaf("c", 10, kind="qualitative", rubric=[{"points": 0, "description": "Không"},
                                                  {"points": 10, "description": "Có"}]),
        leaf("d", 10, kind="qualitative", rubric=[{"points": 0, "description": "Không"},
                                                  {"points": 5, "description": "Một phần"},
                                                  {"points": 10, "description": "Có"}]),
        leaf("e", 10),
        leaf("f", 10, kind="qualitative")))
    assert [c.id for c in t.leaves() if is_all_or_nothing(c)] == ["a", "b", "c"]


def test_rig001_threshold_is_inclusive_and_parametric():
    # 5 of 100 points = exactly the default 5 % threshold; 4 points is below it
    t = table(section("A", leaf("big", 5, **AON), leaf("small", 4, **AON), leaf("rest", 91)))
    assert hits(t, "RIG001") == [("big", Severity.WARNING)]
    assert hits(t, "RIG001", heavy_share=0.04) == [("big", Severity.WARNING),
                                                   ("small", Severity.WARNING)]


def test_rig001_ignores_bonuses():
    t = table(section("A", leaf("a", 100)),
              section("B", leaf("b", 10, **AON), role="bonus"))
    assert hits(t, "RIG001") == []


def test_rig002_share_of_binary_points():
    t = table(section("A", leaf("a", 30, **AON), leaf("b", 20, **AON), leaf("c", 50)))
    (f,) = lint(t, select=["RIG002"])
    assert f.criterion_id is None and f.data["share"] == pytest.approx(0.5)
    assert hits(t, "RIG002", max_binary_share=0.51) == []


def test_rig003_equal_points_with_and_without_importance():
    four = [leaf(f"a{i}", 5) for i in range(4)]
    assert hits(table(section("A", *four)), "RIG003") == [("A", Severity.INFO)]
    assert hits(table(section("A", *four[:3])), "RIG003") == []  # below 4 siblings
    weighted = [leaf(f"a{i}", 5, importance=imp) for i, imp in enumerate([1, 1, 3, 1])]
    assert hits(table(section("A", *weighted)), "RIG003") == [("A", Severity.WARNING)]
    same = [leaf(f"a{i}", 5, importance=2) for i in range(4)]
    assert hits(table(section("A", *same)), "RIG003") == []  # declared equally important
    unequal = [leaf("a0", 5), leaf("a1", 5), leaf("a2", 5), leaf("a3", 6)]
    assert hits(table(section("A", *unequal)), "RIG003") == []


def test_rig004_section_and_criterion_dominance():
    t = table(section("A", leaf("a1", 31), leaf("a2", 20)), section("B", leaf("b1", 49)))
    # section A = 51 % > 50 %; criterion a1 = 31 % > 30 %; b1 = 49 % > 30 % as a criterion
    # (its section B, at 49 %, is below 50 %)
    assert hits(t, "RIG004") == [("A", Severity.WARNING), ("a1", Severity.WARNING),
                                 ("b1", Severity.WARNING)]
    assert hits(t, "RIG004", max_section_share=0.6, max_criterion_share=0.5) == []
    # a single section cannot dominate a table of one section
    assert hits(table(section("A", *[leaf(f"x{i}", 10) for i in range(10)])), "RIG004") == []


def test_rig005_effective_number_above_threshold():
    crumbs = table(section("A", *[leaf(f"x{i}", 2) for i in range(50)]))  # N_eff = 50
    (f,) = lint(crumbs, select=["RIG005"])
    assert f.data["n_effective"] == pytest.approx(50) and f.data["n_criteria"] == 50
    forty = table(section("A", *[leaf(f"x{i}", 2.5) for i in range(40)]))  # N_eff = 40
    assert hits(forty, "RIG005") == []


def test_rig006_crumbs_below_half_percent():
    t = table(section("A", leaf("tiny", 4), leaf("edge", 5), leaf("rest", 991)))
    assert hits(t, "RIG006") == [("tiny", Severity.INFO)]  # 0.4 % < 0.5 % ≤ 0.5 %


def test_rig007_absolute_targets_and_member_sizes():
    absolute = leaf("fdi", 50, unit="triệu USD", target={"value": 500})
    rate = leaf("rate", 50, unit="%", target={"value": 95})
    sections = section("A", absolute, rate)
    uneven = [{"name": "Lớn", "size": 300}, {"name": "Nhỏ", "size": 100}]
    even = [{"name": "Lớn", "size": 299}, {"name": "Nhỏ", "size": 100}]
    assert hits(table(sections, members=uneven), "RIG007") == [("fdi", Severity.WARNING)]
    assert hits(table(sections, members=even), "RIG007") == []  # ratio 2.99 < 3
    assert hits(table(sections), "RIG007") == [("fdi", Severity.INFO)]  # sizes unknown
    relative = section("A", leaf("fdi", 50, unit="triệu USD",
                                 target={"value": 110, "basis": "previous_year"}), rate)
    assert hits(table(relative, members=uneven), "RIG007") == []


def test_rig008_bonus_share_counts_caps():
    base = section("A", leaf("a", 100))
    big = section("B", leaf("b1", 8, kind="qualitative"), leaf("b2", 8, kind="qualitative"),
                  role="bonus")
    assert hits(table(base, big), "RIG008") == [("B", Severity.WARNING)]  # 16 %
    capped = dict(big, cap=10)  # 10 % is not above 10 %
    assert hits(table(base, capped), "RIG008") == []


def test_vag001_text_structure_and_rubric():
    plain = leaf("a", 10, text="Thực hiện tốt thu ngân sách", kind="qualitative")
    structured = leaf("b", 10, text="Thu ngân sách hiệu quả")  # has target and thresholds
    rubric_vague = leaf("c", 10, text="Công tác tuyên truyền", kind="qualitative",
                        rubric=[{"points": 0, "description": "Không tổ chức"},
                                {"points": 10, "description": "Tổ chức tích cực"}])
    t = table(section("A", plain, structured, rubric_vague))
    found = lint(t, select=["VAG001"], lang="en")
    assert [f.criterion_id for f in found] == ["a", "c"]
    assert found[0].data["terms"] == ["tốt"] and "rubric level 10" in found[1].message


def test_vag001_uses_extra_lexicon_from_config(tmp_path):
    extra = tmp_path / "x.yaml"
    extra.write_text("groups: {evaluative: {terms: [chuyên nghiệp]}}", encoding="utf-8")
    t = table(section("A", leaf("a", 10, text="Phục vụ chuyên nghiệp", kind="qualitative")))
    assert hits(t, "VAG001") == []
    assert hits(t, "VAG001", lexicon_files=(extra,)) == [("a", Severity.WARNING)]


def test_vag002_to_vag004_fields():
    t = table(section("A",
        leaf("q", 10, text="Phát huy vai trò của các đoàn thể", kind="qualitative"),
        # a qualitative line that states a checkable fact needs no graded levels
        leaf("f", 10, text="Không để xảy ra vụ việc tham nhũng bị khởi tố", kind="qualitative"),
        leaf("d", 10, text="Ban hành kế hoạch trước ngày 31/01", kind="qualitative"),
        leaf("n", 10, unit=None, target=None, scoring=None, evidence=None),
        leaf("n2", 10, text="Đạt 95 % kế hoạch", target=None, scoring=None),
        leaf("ok", 10)))
    assert hits(t, "VAG002") == [("q", Severity.WARNING)]
    vag003 = lint(t, select=["VAG003"])
    assert [(f.criterion_id, f.data["missing"]) for f in vag003] == [
        ("n", ["unit", "target or scoring thresholds"])]
    assert hits(t, "VAG004") == [("n", Severity.WARNING)]


def test_vag005_time_bound():
    body = section("A", leaf("a", 10, text="Số sáng kiến"),
                   leaf("b", 10, text="Số sáng kiến trong năm"),
                   leaf("c", 10, text="Số sáng kiến", period="quý IV"),
                   leaf("d", 10, text="Nộp trước 15/12"))
    without = CriteriaTable.model_validate({"title": "T", "total": 40, "sections": [body]})
    assert hits(without, "VAG005") == [("a", Severity.INFO)]
    assert hits(table(body), "VAG005") == []  # the table's period covers all


def test_count_demands_by_hand():
    assert count_demands("Tỷ lệ thu ngân sách") == 1
    assert count_demands("Phát hiện, bồi dưỡng, nhân rộng điển hình") == 3
    # a list of areas under one heading is one demand; a semicolon starts another
    assert count_demands("Văn hóa, xã hội và y tế; quốc phòng") == 2
    assert count_demands("Có Bằng khen hoặc Cờ thi đua hoặc Huân chương") == 1
    assert count_demands("Gửi báo cáo tháng, quý và năm; tổ chức hội nghị, ký giao ước") == 3
    assert count_demands("To chuc hoi nghi, ky giao uoc va so ket") == 3  # no diacritics
    assert count_demands("Tăng 1,5 điểm phần trăm (so với năm trước, theo chuẩn mới)") == 1
    assert count_demands("Plan, do and check") == 3


def test_vag006_threshold_parametric():
    t = table(section("A", leaf("a", 10, text="Tổ chức hội nghị và ký giao ước"),
                      leaf("b", 10, text="Tổ chức hội nghị, ký giao ước và sơ kết")))
    assert hits(t, "VAG006") == [("b", Severity.WARNING)]
    assert hits(t, "VAG006", max_compound_parts=1) == [("a", Severity.WARNING),
                                                       ("b", Severity.WARNING)]


# -- selection and configuration ------------------------------------------------------

def test_select_and_ignore_by_code_and_prefix():
    t = table(section("A", leaf("a", 10, text="Thực hiện tốt", kind="qualitative",
                                evidence=None), leaf("b", 10), leaf("c", 11), leaf("d", 12)))
    codes = {f.code for f in lint(t)}
    assert codes == {"VAG001", "VAG002", "VAG004"}
    assert {f.code for f in lint(t, select=["VAG00"])} == codes
    assert {f.code for f in lint(t, select=["vag001", "RIG"])} == {"VAG001"}
    assert {f.code for f in lint(t, ignore=["VAG002"])} == {"VAG001", "VAG004"}
    assert lint(t, select=["VAG"], ignore=["VAG"]) == []


@pytest.mark.parametrize("bad", [["RIG999"], ["XYZ"], [""]])
def test_unknown_rule_codes_are_refused_before_work(bad):
    with pytest.raises(UnknownRuleError, match="unknown rule code") as info:
        lint("not even a table", select=bad)
    assert "RIG001" in str(info.value)  # lists the known codes
    with pytest.raises(UnknownRuleError):
        lint("not even a table", ignore=bad)


def test_select_as_plain_string_is_a_type_error():
    with pytest.raises(TypeError, match="list of rule codes"):
        lint(table(section("A", leaf("a", 10))), select="RIG001")


def test_severity_override_and_bad_thresholds():
    t = table(section("A", leaf("a", 10, text="Phát huy vai trò", kind="qualitative")))
    (f,) = lint(t, select=["VAG002"], config=LintConfig(severities={"VAG002": "error"}))
    assert f.severity is Severity.ERROR
    with pytest.raises(ValueError, match="heavy_share"):
        LintConfig(heavy_share=1.5)
    with pytest.raises(ValueError, match="not_a_threshold"):
        LintConfig(not_a_threshold=1)


def test_every_rule_has_docs_and_a_unique_code():
    assert len(RULES) == 25
    for code, r in RULES.items():
        assert r.code == code and r.summary and r.name
