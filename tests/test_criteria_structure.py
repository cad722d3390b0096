"""The model of real scoring tables (items, caps, floors, bands, tiers, knock-outs, paths)
and the structural rules RIG009-RIG018 and STR001, on tables whose verdicts are written
by hand before the rules ran."""

from __future__ import annotations

import math

import pytest

from clustering.errors import FairclustersError
from criteria_design import CriteriaTable, CriteriaTableError, LintConfig, Severity, lint
from criteria_design.errors import UnknownCriterionError
from criteria_design.structure import band_problems, cross_references
from criteria_design.table import Adjustment, Band, load_table

EVIDENCE = {"evidence": "Báo cáo của Sở Nội vụ"}


def crit(cid, points, text="Tỷ lệ hồ sơ giải quyết đúng hạn", **kw):
    fields = {"kind": "quantitative", "unit": "%", "target": {"value": 100},
              "scoring": {"method": "linear", "lower": 80, "upper": 100}, **EVIDENCE}
    fields.update(kw)
    return {"id": cid, "text": text, "max_points": points, **fields}


def group(gid, *children, **kw):
    return {"id": gid, "text": f"Tiêu chuẩn {gid}", "children": list(children),
            "max_points": sum(c["max_points"] for c in children), **kw}


def make(*sections, **kw):
    total = sum(s["max_points"] for s in sections if s.get("role", "base") == "base")
    return CriteriaTable.model_validate(
        {"title": "Bảng chấm điểm", "total": total, "period": "năm 2025",
         "sections": list(sections), **kw})


def codes(t, select):
    return [(f.code, f.criterion_id) for f in lint(t, select=select)]


def deduction(did, points, text="Mỗi trường hợp trễ hạn trừ 0,5 điểm", **kw):
    return {"id": did, "text": text, "points": points, **kw}


def _error(**kw) -> CriteriaTableError:
    with pytest.raises(CriteriaTableError) as info:
        make(**kw) if "sections" not in kw else CriteriaTable.model_validate(
            {"title": "T", "total": 10, **kw})
    assert isinstance(info.value, FairclustersError)
    return info.value


# -- model: items, caps, floor ---------------------------------------------------------

def test_items_bounds_by_hand():
    c = crit("1", 10, deductions=[
        deduction("a", 0.5, per="occurrence", unit="trường hợp", cap=2),
        deduction("b", 1, per="once")],
        bonuses=[{"id": "t", "text": "Mỗi sáng kiến được công nhận cộng 1 điểm",
                  "points": 1, "per": "occurrence", "unit": "sáng kiến"}])
    t = make(group("I", c))
    node = t.find("1")
    assert node.deduction_bound == 3          # 2 (capped) + 1
    assert math.isinf(node.bonus_bound)       # per occurrence, no cap
    assert Adjustment(id="x", text="x", points=2, per="occurrence", unit="lần").bound == math.inf


def test_deduction_cap_limits_the_bound():
    c = crit("1", 10, deduction_cap=4, deductions=[
        deduction("a", 1, per="occurrence", unit="trường hợp")])
    assert make(group("I", c)).find("1").deduction_bound == 4


@pytest.mark.parametrize(("field", "value", "message"), [
    ("deduction_cap", 12, "deduction cap 12 of '1' exceeds the criterion's 10 points"),
    ("floor", 11, "floor 11 of '1' is above its 10 points"),
])
def test_caps_and_floor_above_the_criterion_are_errors_with_path(field, value, message):
    err = _error(sections=[group("I", crit("1", 10, **{field: value}))])
    assert message in str(err)
    assert err.criterion_id == "1"
    assert err.problems[0]["path"][:4] == ("sections", 0, "children", 0)


def test_negative_standard_points_is_an_error_with_path():
    err = _error(sections=[group("I", crit("1", 10), crit("2", -2))], total=8)
    assert "negative points outside deductions" in str(err)
    assert err.problems[0]["path"][:4] == ("sections", 0, "children", 1)


def test_per_occurrence_item_without_unit_is_an_error():
    err = _error(sections=[group("I", crit("1", 10, deductions=[
        deduction("a", 0.5, per="occurrence")]))])
    assert "per-occurrence item 'a' has no 'unit'" in str(err)
    assert err.problems[0]["path"][:6] == ("sections", 0, "children", 0, "deductions", 0)


def test_item_cap_below_its_points_and_repeated_item_ids_are_errors():
    err = _error(sections=[group("I", crit("1", 10, deductions=[
        deduction("a", 2, per="occurrence", unit="lần", cap=1)]))])
    assert "cap 1 of item 'a' is below its 2 points" in str(err)
    err = _error(sections=[group("I", crit("1", 10, deductions=[deduction("a", 1)],
                                          bonuses=[{"id": "a", "text": "x", "points": 1}]))])
    assert "two items with id 'a'" in str(err)


# -- model: bands, tiers, targets ------------------------------------------------------

BANDS = [{"lower": 95, "points": 10}, {"lower": 80, "upper": 95, "points": 5}]


def test_unordered_bands_are_an_error_with_path():
    err = _error(sections=[group("I", crit("1", 10, scoring={"method": "bands",
                                                             "bands": BANDS}))])
    assert "bands are not in increasing order: band 1 [80, 95)" in str(err)
    assert err.problems[0]["path"][:5] == ("sections", 0, "children", 0, "scoring")


def test_band_points_above_the_criterion_and_empty_band_are_errors():
    err = _error(sections=[group("I", crit("1", 10, scoring={"method": "bands", "bands": [
        {"upper": 80, "points": 0}, {"lower": 80, "points": 12}]}))])
    assert "band [80, +inf) of '1' awards 12 points, above its maximum 10" in str(err)
    with pytest.raises(ValueError, match="is empty"):
        Band(lower=5, upper=5, points=1)


def test_band_membership_by_hand():
    band = Band(lower=80, upper=90, points=5)   # từ 80 % đến dưới 90 %
    assert [band.contains(v) for v in (79.9, 80, 89.9, 90)] == [False, True, True, False]
    assert Band(upper=50, upper_closed=True, points=0).contains(50)
    assert Band(lower=50, lower_closed=False, points=1).label() == "(50, +inf)"


def test_two_thresholds_must_be_ordered_by_direction():
    t = make(group("I", crit("1", 10, target={"value": 100, "minimum": 80})))
    assert t.find("1").target.minimum == 80
    err = _error(sections=[group("I", crit("1", 10, target={"value": 100, "minimum": 120}))])
    assert "minimum threshold 120 must be below the target 100" in str(err)
    err = _error(sections=[group("I", crit("1", 10, target={
        "value": 5, "minimum": 2, "direction": "at_most"}))])
    assert "must be above the target 5" in str(err)


def test_tiers_by_member_class_are_checked_against_the_members():
    tiers = [{"member_class": "nhóm I", "target": {"value": 300}},
             {"member_class": "nhóm II", "target": {"value": 150}}]
    members = [{"name": "Phòng A", "member_class": "nhóm I"},
               {"name": "Phòng B", "member_class": "nhóm II"}]
    t = make(group("I", crit("1", 10, tiers=tiers)), members=members)
    assert [x.value for x in t.find("1").targets()] == [100, 300, 150]
    err = _error(sections=[group("I", crit("1", 10, tiers=tiers))], total=10,
                 members=members[:1])
    assert "member class 'nhóm II', which no member has" in str(err)
    assert err.problems[0]["path"][-2:] == (1, "member_class")


def test_knockouts_notes_verifier_and_max_total_round_trip(tmp_path):
    from criteria_design import save_table

    t = make(group("I", crit("1", 10, note="Tính đến ngày 15/12", verified_by="Sở Tài chính",
                             knockouts=[{"text": "Có cán bộ bị kỷ luật", "effect": "zero"}])),
             knockouts=[{"text": "Để xảy ra tham nhũng: không xếp loại"}],
             notes=["Điểm trừ tính trên từng tiêu chí"], verified_by="Sở Nội vụ",
             max_total=10)
    out = tmp_path / "t.yaml"
    save_table(t, out)
    again = load_table(out)
    assert again == t
    assert again.knockouts[0].effect == "not_ranked"
    assert again.find("1").knockouts[0].effect == "zero"
    err = _error(sections=[group("I", crit("1", 10))], max_total=9)
    assert "max_total 9 is below the base total 10" in str(err)


# -- model: repeated ids and paths -----------------------------------------------------

REPEATED = """\
title: Bảng chấm điểm
total: 20
sections:
  - id: I
    text: Tiêu chuẩn 1
    max_points: 10
    children:
      - id: a
        text: Nội dung a của tiêu chuẩn 1
        max_points: 10
        kind: qualitative
  - id: II
    text: Tiêu chuẩn 2
    max_points: 10
    children:
      - id: a
        text: Thực hiện tốt nội dung a
        max_points: 10
        kind: qualitative
"""


def test_repeated_ids_at_different_levels_are_named_by_path(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(REPEATED, encoding="utf-8")
    t = load_table(path)
    assert [t.key(c) for c in t.walk()] == ["I", "I/a", "II", "II/a"]
    assert t.find("II/a").text == "Thực hiện tốt nội dung a"
    assert t.parent_of("II/a").id == "II"
    with pytest.raises(UnknownCriterionError, match="name one by its path: I/a, II/a"):
        t.find("a")
    assert (t.line_of("I/a"), t.line_of("II/a"), t.line_of("II")) == (8, 16, 12)
    findings = lint(t, select=["VAG001"])
    assert [(f.criterion_id, f.line) for f in findings] == [("II/a", 16)]
    assert t.model_copy(deep=True).find("II/a").text == "Thực hiện tốt nội dung a"


def test_repeated_ids_among_siblings_are_still_refused():
    err = _error(sections=[group("I", crit("a", 5), crit("a", 5))])
    assert "duplicate id 'a'" in str(err)


# -- STR001: cross-references ----------------------------------------------------------

def test_cross_references_are_checked_against_the_table():
    t = make(group("I", crit("1", 5), crit("2", 5, note="Cách tính theo mục I.1")),
             group("II", crit("1", 5, text="Điểm trừ tính theo mục II.4, theo mục 3"),
                   crit("2", 5, text="Thực hiện theo mục 2 Chương III Nghị định 30")),
             notes=["Không xếp loại theo mục V"])
    # by hand: I.1 exists; II.4, 3 and V do not; the Decree's article is not the table's
    assert cross_references(t) == [("", "V"), ("II/1", "II.4"), ("II/1", "3")]
    assert codes(t, ["STR001"]) == [("STR001", None), ("STR001", "II/1"), ("STR001", "II/1")]


def test_cross_references_tolerate_missing_diacritics():
    t = make(group("I", crit("1", 5, text="Tinh theo muc I.1"), crit("2", 5)))
    assert cross_references(t) == []


# -- RIG009-RIG018 ---------------------------------------------------------------------

def test_rig009_uncapped_bonus():
    per = {"per": "occurrence", "unit": "sáng kiến"}
    t = make(group("I",
        crit("1", 5, bonuses=[{"id": "t", "text": "Mỗi sáng kiến cộng 1 điểm", "points": 1,
                               **per}]),
        crit("2", 5, bonuses=[{"id": "t", "text": "Mỗi sáng kiến cộng 1 điểm", "points": 1,
                               "cap": 2, **per}]),
        crit("3", 5, bonus_cap=2, bonuses=[{"id": "t", "text": "Mỗi sáng kiến cộng 1 điểm",
                                            "points": 1, **per}])))
    assert codes(t, ["RIG009"]) == [("RIG009", "1")]


def test_rig010_deductions_exceeding_the_criterion():
    per = {"per": "occurrence", "unit": "hồ sơ"}
    t = make(group("I",
        crit("1", 5, deductions=[deduction("a", 0.5, **per)]),               # unbounded
        crit("2", 5, deductions=[deduction("a", 3, per="once"),
                                 deduction("b", 3, per="once")]),             # 6 > 5
        crit("3", 5, floor=0, deductions=[deduction("a", 0.5, **per)]),       # floor
        crit("4", 5, deduction_cap=5, deductions=[deduction("a", 0.5, **per)]),
        crit("5", 5, deductions=[deduction("a", 2, per="once")])))            # 2 <= 5
    found = lint(t, select=["RIG010"])
    assert [(f.criterion_id, f.data["deduction_bound"]) for f in found] == [
        ("1", math.inf), ("2", 6)]


def test_rig011_double_penalty():
    aon = {"scoring": {"method": "all_or_nothing"}}
    t = make(group("I",
        crit("1", 4, **aon, deductions=[deduction("a", 4, "Không nộp báo cáo trừ 4 điểm",
                                                  per="once")]),
        crit("2", 4, **aon, deductions=[deduction("a", 1, "Nộp chậm trừ 1 điểm",
                                                  per="once")]),
        crit("3", 4, kind="qualitative", scoring=None, target=None, unit=None,
             rubric=[{"points": 2, "description": "Có"}, {"points": 4, "description": "Đủ"}],
             deductions=[deduction("a", 4, "Không thực hiện trừ 4 điểm", per="once")])))
    # 1: 0 points on failure and 4 more off; 2: only 1 of 4; 3: the rubric never gives 0
    assert codes(t, ["RIG011"]) == [("RIG011", "1")]


def test_band_problems_by_hand():
    b = Band
    assert band_problems([b(upper=50, points=0), b(lower=50, upper=80, points=5),
                          b(lower=80, points=10)]) == ([], [])
    assert band_problems([b(lower=50, upper=80, points=5),
                          b(lower=80, lower_closed=False, points=10)]) == (["[80, 80]"], [])
    assert band_problems([b(lower=50, upper=90, points=5), b(lower=80, points=10)]) == (
        [], ["[80, 90]"])
    assert band_problems([b(lower=50, points=5), b(lower=80, points=10)]) == (
        [], ["[80, +inf]"])


def test_rig012_gaps_warn_overlaps_are_errors_per_tier():
    gap = {"method": "bands", "bands": [{"lower": 50, "upper": 80, "points": 5},
                                        {"lower": 85, "points": 10}]}
    overlap = {"method": "bands", "bands": [{"lower": 50, "upper": 80, "upper_closed": True,
                                             "points": 5}, {"lower": 80, "points": 10}]}
    t = make(group("I", crit("1", 10, scoring=gap),
                   crit("2", 10, scoring=None, tiers=[
                       {"member_class": "nhóm I", "scoring": overlap},
                       {"member_class": "nhóm II", "scoring": gap}])))
    found = lint(t, select=["RIG012"])
    assert [(f.criterion_id, f.severity, f.data["member_class"]) for f in found] == [
        ("1", Severity.WARNING, None), ("2", Severity.ERROR, "nhóm I"),
        ("2", Severity.WARNING, "nhóm II")]
    assert found[0].data["gaps"] == ["[80, 85)"]


def test_rig013_small_all_or_nothing_reported_as_a_group():
    aon = {"scoring": {"method": "all_or_nothing"}}
    # 100 points: three 2-point all-or-nothing items (6 % together), each below 5 %
    t = make(group("I", crit("1", 2, **aon), crit("2", 2, **aon), crit("3", 2, **aon),
                   crit("4", 94)))
    (f,) = lint(t, select=["RIG013"])
    assert f.criterion_id is None and f.data["criteria"] == ["1", "2", "3"]
    assert f.data["share"] == pytest.approx(0.06)
    # two such items are not a group; three worth 1 % each hold 3 % < 5 %
    assert lint(make(group("I", crit("1", 2, **aon), crit("2", 2, **aon), crit("4", 96))),
                select=["RIG013"]) == []
    assert lint(make(group("I", *(crit(str(k), 1, **aon) for k in range(3)), crit("9", 97))),
                select=["RIG013"]) == []


def test_rig014_bonus_for_what_is_required():
    t = make(group("I",
        crit("1", 5, text="Hoàn thành 100 % chỉ tiêu thu ngân sách được giao",
             bonuses=[{"id": "t", "text": "Hoàn thành chỉ tiêu thu ngân sách được giao",
                       "points": 1, "per": "once"}]),
        crit("2", 5, text="Hoàn thành chỉ tiêu thu ngân sách được giao",
             bonuses=[{"id": "t", "text": "Thu ngân sách vượt chỉ tiêu được giao",
                       "points": 1, "per": "once"}]),
        crit("3", 5, bonuses=[{"id": "t", "text": "Đạt mức cao", "points": 1, "per": "once",
                               "at_least": 100}]),
        crit("4", 5, bonuses=[{"id": "t", "text": "Đạt mức cao", "points": 1, "per": "once",
                               "at_least": 110}])))
    # 1: same words; 2: asks for more (vượt); 3: at the target 100; 4: beyond it
    assert codes(t, ["RIG014"]) == [("RIG014", "1"), ("RIG014", "3")]


def test_rig015_deduction_only_on_detection():
    t = make(group("I",
        crit("1", 5, deductions=[deduction("a", 1, "Qua kiểm tra phát hiện sai phạm trừ 1 "
                                                    "điểm mỗi trường hợp", per="occurrence",
                                           unit="trường hợp", cap=5)]),
        crit("2", 5, deductions=[deduction("a", 1, "Trừ 1 điểm", per="once",
                                           on_detection=True)]),
        crit("3", 5, deductions=[deduction("a", 1, "Mỗi hồ sơ trễ hạn trên Hệ thống trừ 1 "
                                                    "điểm", per="occurrence", unit="hồ sơ",
                                           cap=5)])))
    assert codes(t, ["RIG015"]) == [("RIG015", "1"), ("RIG015", "2")]


def test_rig016_once_or_per_occurrence_not_stated():
    t = make(group("I", crit("1", 5, deductions=[
        deduction("a", 1, "Để xảy ra khiếu nại đông người trừ 1 điểm"),   # not said
        deduction("b", 1, "Mỗi văn bản chậm trừ 1 điểm"),                # mỗi: said
        deduction("c", 1, "Trừ 1 điểm", per="once")])))                   # field: said
    (f,) = lint(t, select=["RIG016"])
    assert (f.criterion_id, f.data["items"]) == ("1", ["a"])


def test_rig017_achievable_total_above_the_declared_maximum():
    bonus = [{"id": "t", "text": "Mỗi giải thưởng cộng 2 điểm", "points": 2, "per": "once"}]
    t = make(group("I", crit("1", 10, bonuses=bonus)), max_total=11)
    (f,) = lint(t, select=["RIG017"])
    assert f.data == {"reachable": 12, "max_total": 11}
    assert lint(make(group("I", crit("1", 10, bonuses=bonus)), max_total=12),
                select=["RIG017"]) == []
    assert lint(make(group("I", crit("1", 10, bonuses=bonus))), select=["RIG017"]) == []


def test_rig018_same_fact_scored_twice():
    prize = {"id": "t", "text": "Được tặng Bằng khen của Thủ tướng Chính phủ", "points": 1,
             "per": "once"}
    t = make(group("I", crit("1", 5, bonuses=[prize]), crit("2", 5, bonuses=[prize]),
                   crit("3", 5, measure="tỷ lệ giải ngân"),
                   crit("4", 5, measure="Tỷ lệ giải ngân"),
                   crit("5", 5), crit("6", 5)))   # 5, 6: same generic text, no measure
    assert [(f.criterion_id, f.data["places"]) for f in lint(t, select=["RIG018"])] == [
        ("1", ["1:t", "2:t"]), ("3", ["3", "4"])]


def test_new_thresholds_are_config_fields():
    assert LintConfig().small_binary_min_items == 3
    assert LintConfig(bonus_overlap=0.5).bonus_overlap == 0.5


def test_rig008_counts_capped_bonus_items_but_leaves_unbounded_ones_to_rig009():
    once = {"per": "once"}
    t = make(group("I", crit("1", 50, bonuses=[{"id": "t", "text": "Cộng 6 điểm một lần",
                                                "points": 6, **once}]),
                   crit("2", 50, bonuses=[{"id": "t", "text": "Cộng 6 điểm một lần",
                                           "points": 6, **once}])))
    (f,) = lint(t, select=["RIG008"])
    assert f.data["bonus"] == 12 and f.data["share"] == pytest.approx(0.12)
    per = {"per": "occurrence", "unit": "lần"}
    t = make(group("I", crit("1", 100, bonuses=[{"id": "t", "text": "Mỗi lần cộng 1 điểm",
                                                 "points": 1, **per}])))
    assert codes(t, ["RIG008", "RIG009"]) == [("RIG009", "1")]


def test_tiers_count_as_thresholds_for_vag003():
    tiers = [{"member_class": "nhóm I", "scoring": {"method": "bands", "bands": [
        {"upper": 80, "points": 0}, {"lower": 80, "points": 10}]}}]
    t = make(group("I", crit("1", 10, text="Tỷ lệ hồ sơ đúng hạn", target=None, scoring=None,
                             tiers=tiers)))
    assert lint(t, select=["VAG003"]) == []
    t = make(group("I", crit("1", 10, text="Tỷ lệ hồ sơ đúng hạn", target=None, scoring=None)))
    assert codes(t, ["VAG003"]) == [("VAG003", "1")]
