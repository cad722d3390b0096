"""The criteria-table model: validation, reading and writing, errors that name the place."""

from __future__ import annotations

import json
import textwrap
import unicodedata
from pathlib import Path

import pytest

from criteria_design import (
    CriteriaTable,
    CriteriaTableError,
    Criterion,
    UnknownCriterionError,
    load_table,
    save_table,
    table_json_schema,
)

DATA = Path(__file__).parent / "data" / "criteria"
SCHEMA = Path(__file__).parents[1] / "criteria_design" / "data" / "criteria_table.schema.json"

GOOD = textwrap.dedent("""\
    title: Khối thi đua
    total: 20
    sections:
      - id: A
        text: Nhiệm vụ chuyên môn
        max_points: 20
        children:
          - id: A.1
            text: Tỷ lệ hồ sơ giải quyết đúng hạn
            max_points: 12
            kind: quantitative
          - id: A.2
            text: Số sáng kiến được công nhận
            max_points: 8
            kind: quantitative
      - id: B
        text: Điểm thưởng
        role: bonus
        max_points: 3
        children:
          - id: B.1
            text: Được tặng Bằng khen
            max_points: 3
            kind: qualitative
    """)


def _write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tree_navigation_and_inherited_role():
    table = load_table(GOOD)
    assert [c.id for c in table.leaves()] == ["A.1", "A.2", "B.1"]
    assert [c.id for c in table.leaves("base")] == ["A.1", "A.2"]
    assert table.find("B.1").role == "bonus"  # inherited from section B
    assert table.parent_of("A.2").id == "A"
    assert table.parent_of("A") is None
    assert table.weight(table.find("A.1")) == pytest.approx(12 / 20)


def test_find_unknown_id_names_it():
    table = load_table(GOOD)
    with pytest.raises(KeyError) as info:
        table.find("Z.9")
    assert isinstance(info.value, UnknownCriterionError)
    assert "'Z.9'" in str(info.value)


def test_text_and_ids_are_stored_nfc_and_found_from_any_form():
    decomposed = unicodedata.normalize("NFD", "Đ.1")
    table = CriteriaTable(
        title="T", total=5,
        sections=[Criterion(id=decomposed, text=unicodedata.normalize("NFD", "Kịp thời"),
                            max_points=5, kind="qualitative")],
    )
    leaf = table.leaves()[0]
    assert leaf.id == unicodedata.normalize("NFC", "Đ.1")
    assert leaf.text == unicodedata.normalize("NFC", "Kịp thời")
    assert table.find(decomposed) is leaf


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_through_files(tmp_path, suffix):
    original = load_table(DATA / "cum_dbsh_1000.yaml")
    out = tmp_path / f"copy{suffix}"
    save_table(original, out)
    again = load_table(out)
    assert again == original
    assert again.to_dict() == original.to_dict()
    with pytest.raises(FileExistsError):
        save_table(original, out)
    save_table(original, out, overwrite=True)


def test_line_numbers_recorded_per_id():
    table = load_table(GOOD)
    assert table.line_of("A") == 4
    assert table.line_of("A.2") == 12
    assert table.line_of("B.1") == 21
    assert table.source is None


def test_cap_limits_contribution_and_parent_sum_uses_it():
    table = load_table(textwrap.dedent("""\
        title: T
        total: 10
        sections:
          - {id: A, text: Cơ bản, max_points: 10, kind: quantitative}
          - id: B
            text: Thưởng
            role: bonus
            max_points: 4
            children:
              - {id: B.1, text: Bằng khen, max_points: 3, kind: qualitative}
              - {id: B.2, text: Sáng kiến, max_points: 3, kind: qualitative, cap: 1}
          - id: C
            text: Trừ
            role: deduction
            max_points: -5
            cap: 2
            children:
              - {id: C.1, text: Phê bình, max_points: -5, kind: quantitative}
        """))
    assert table.find("B.2").contribution == 1
    assert table.find("C").contribution == -2


def test_aggregate_max_means_one_of_the_children():
    table = load_table(textwrap.dedent("""\
        title: T
        total: 10
        sections:
          - id: A
            text: Một trong các mức
            max_points: 10
            aggregate: max
            children:
              - {id: A.1, text: Cấp tỉnh, max_points: 6, kind: qualitative}
              - {id: A.2, text: Cấp quốc gia, max_points: 10, kind: qualitative}
        """))
    assert table.find("A").max_points == 10


# -- bad input: each error names file, line and id -------------------------------------

def _error(tmp_path: Path, text: str, name: str = "t.yaml") -> CriteriaTableError:
    path = _write(tmp_path, text, name)
    with pytest.raises(CriteriaTableError) as info:
        load_table(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    return info.value


def test_malformed_yaml_names_line(tmp_path):
    err = _error(tmp_path, "title: T\ntotal: 10\nsections:\n  - id: A\n    text: [unclosed\n")
    assert "malformed YAML" in str(err)
    assert err.line is not None and err.line >= 5


def test_malformed_json_names_line(tmp_path):
    err = _error(tmp_path, '{\n  "title": "T",\n  "total": 10,\n  "sections": [,]\n}\n', "t.json")
    assert "malformed JSON" in str(err)
    assert err.line == 4


def test_missing_field_names_field_id_and_line(tmp_path):
    text = GOOD.replace("        max_points: 8\n", "")
    err = _error(tmp_path, text)
    assert "missing field 'max_points'" in str(err)
    assert err.criterion_id == "A.2"
    assert err.line == 12
    assert "sections[0].children[1]" in str(err)


def test_leaf_without_kind(tmp_path):
    err = _error(tmp_path, GOOD.replace("        kind: qualitative\n", ""))
    assert "no 'kind'" in str(err) and err.criterion_id == "B.1" and err.line == 21


def test_negative_points_outside_deductions(tmp_path):
    text = GOOD.replace("max_points: 3\n        kind", "max_points: -3\n        kind")
    err = _error(tmp_path, text)
    assert "negative points outside deductions" in str(err)
    assert err.criterion_id == "B.1"


def test_positive_deduction_is_refused(tmp_path):
    text = GOOD.replace("role: bonus", "role: deduction").replace("max_points: 3\n    children",
                                                                  "max_points: -3\n    children")
    err = _error(tmp_path, text)
    assert "write deductions as negative points" in str(err)
    assert err.criterion_id == "B.1"


def test_children_that_do_not_add_up(tmp_path):
    err = _error(tmp_path, GOOD.replace("max_points: 12", "max_points: 11"))
    assert "points do not add up" in str(err)
    assert "declares 20" in str(err) and "is 19" in str(err)
    assert err.criterion_id == "A" and err.line == 4


def test_declared_total_that_does_not_add_up(tmp_path):
    err = _error(tmp_path, GOOD.replace("total: 20", "total: 25"))
    assert "declared total 25" in str(err) and "add up to 20" in str(err)
    assert err.line == 2


def test_duplicate_ids_name_both_places(tmp_path):
    err = _error(tmp_path, GOOD.replace("id: A.2", "id: A.1"))
    assert "duplicate id 'A.1'" in str(err)
    assert "sections[0].children[0]" in str(err) and "sections[0].children[1]" in str(err)
    assert err.criterion_id == "A.1" and err.line == 12  # the second occurrence


def test_bonus_hidden_in_base_section(tmp_path):
    err = _error(tmp_path, GOOD.replace("        kind: quantitative\n      - id: A.2",
                                        "        kind: quantitative\n        role: bonus\n"
                                        "      - id: A.2"))
    assert "put bonus items in a group of their own" in str(err)


def test_unknown_field_is_refused(tmp_path):
    err = _error(tmp_path, GOOD.replace("max_points: 8", "max_points: 8\n        weigth: 2"))
    assert "weigth" in str(err) and err.criterion_id == "A.2"


def test_wrong_type_names_field(tmp_path):
    err = _error(tmp_path, GOOD.replace("max_points: 8", "max_points: tám"))
    assert "field 'max_points'" in str(err) and err.criterion_id == "A.2" and err.line == 14


def test_several_problems_are_all_reported(tmp_path):
    text = GOOD.replace("max_points: 8", "max_points: tám").replace(
        "        kind: qualitative\n", "")
    err = _error(tmp_path, text)
    assert len(err.problems) == 2
    assert len(str(err).splitlines()) == 2


def test_document_that_is_not_a_mapping(tmp_path):
    err = _error(tmp_path, "- just\n- a list\n")
    assert "must be a mapping" in str(err)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(CriteriaTableError, match="file not found"):
        load_table(tmp_path / "absent.yaml")
    with pytest.raises(CriteriaTableError, match=r"unknown file type '\.txt'"):
        load_table(_write(tmp_path, GOOD, "t.txt"))
    assert load_table(_write(tmp_path, GOOD, "t.txt"), fmt="yaml").title == "Khối thi đua"


def test_scoring_rule_parameters_are_checked(tmp_path):
    err = _error(tmp_path, GOOD.replace(
        "max_points: 8\n", "max_points: 8\n        scoring: {method: linear, lower: 5}\n"))
    assert "linear scoring needs both 'lower' and 'upper'" in str(err)
    err = _error(tmp_path, GOOD.replace(
        "max_points: 8\n",
        "max_points: 8\n        scoring: {method: steps, steps: [{at_least: 1, points: 9}]}\n"))
    assert "awards 9 points, above its maximum 8" in str(err)


def test_python_construction_raises_criteria_table_error():
    with pytest.raises(CriteriaTableError, match="negative points outside deductions"):
        Criterion(id="X", text="x", max_points=-1, kind="quantitative")


# -- schema --------------------------------------------------------------------------

def test_shipped_schema_equals_generated_schema():
    shipped = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert shipped == table_json_schema()


def test_schema_describes_the_fields_files_use():
    schema = table_json_schema()
    criterion = schema["$defs"]["Criterion"]
    assert set(criterion["required"]) == {"id", "text", "max_points"}
    assert {"kind", "role", "unit", "target", "scoring", "evidence", "period", "rubric", "cap",
            "children"} <= set(criterion["properties"])
    assert criterion["additionalProperties"] is False


def test_table_level_problems_are_all_reported_at_once_each_with_its_line(tmp_path):
    from criteria_design.errors import CriteriaTableError

    path = tmp_path / "two_problems.yaml"
    path.write_text(
        "title: t\ntotal: 100\nsections:\n"
        "  - id: A\n    text: Một\n    max_points: 40\n    kind: qualitative\n"
        "  - id: A\n    text: Hai\n    max_points: 40\n    kind: qualitative\n",
        encoding="utf-8",
    )
    with pytest.raises(CriteriaTableError) as info:
        load_table(path)
    problems = info.value.problems
    assert [p["message"].split(":")[0] for p in problems] == [
        "duplicate id 'A'", "declared total 100 does not match the base sections, which add up "
        "to 80 (A=40, A=40)"]
    assert [p["line"] for p in problems] == [8, 2]
