"""One error hierarchy: every bad input raises a FairclustersError naming what is wrong."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ConfigDict, Field, ValidationError

import criteria_design
from clustering.errors import (
    FairclustersError,
    FieldProblem,
    IndicatorError,
    InfeasibleError,
    MissingDependencyError,
    ParameterError,
    PlanError,
    UnitSetError,
    UnknownNameError,
)
from clustering.units import Unit
from clustering.validation import FairclustersModel
from criteria_design import (
    CriteriaError,
    CriteriaParameterError,
    CriteriaTable,
    CriteriaTableError,
    Criterion,
    Finding,
    HistoryError,
    LexiconError,
    LintConfig,
    LintConfigError,
    ScoreCheckConfig,
    ScoresError,
    StructureError,
    UnknownCriterionError,
    UnknownRuleError,
    lint,
    load_config,
    load_history,
    load_lexicon,
    load_scores,
    load_table,
)
from criteria_design.influence import variance_shares
from criteria_design.weighting import ahp_weights

PUBLIC_ERRORS = [
    FairclustersError, ParameterError, UnitSetError, IndicatorError, PlanError,
    UnknownNameError, InfeasibleError, MissingDependencyError, CriteriaError,
    CriteriaParameterError, LintConfigError,
    CriteriaTableError, StructureError, UnknownCriterionError, UnknownRuleError, LexiconError,
    ScoresError, HistoryError,
]

TABLE = """\
title: Khối thi đua
total: 10
sections:
  - id: A
    text: Tỷ lệ hồ sơ giải quyết đúng hạn
    max_points: 10
    kind: quantitative
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the hierarchy -----------------------------------------------------------------------

@pytest.mark.parametrize("error", PUBLIC_ERRORS, ids=lambda e: e.__name__)
def test_every_public_error_is_a_fairclusters_error(error):
    assert issubclass(error, FairclustersError)
    assert issubclass(error, ValueError)  # callers catching ValueError keep working


def test_no_exception_class_outside_the_hierarchy():
    # Catches a future error class that forgets the root (every criteria_design module).
    modules = [importlib.import_module(m.name) for m in
               pkgutil.walk_packages(criteria_design.__path__, "criteria_design.")]
    modules += [importlib.import_module(n) for n in
                ("clustering.errors", "clustering.validation", "clustering.units")]
    found = {
        obj for module in modules for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__.split(".")[0]
        in ("clustering", "criteria_design")
    }
    assert len(found) >= len(PUBLIC_ERRORS)
    assert [e.__name__ for e in found if not issubclass(e, FairclustersError)] == []


def test_criteria_errors_share_one_root_and_are_re_exported_where_they_are_raised():
    from criteria_design import config, lexicon, registry, rotation, scores, table

    for error in (LintConfigError, CriteriaTableError, StructureError, UnknownCriterionError,
                  UnknownRuleError, LexiconError, ScoresError, HistoryError):
        assert issubclass(error, CriteriaError)
    assert issubclass(CriteriaParameterError, ParameterError)
    assert rotation.HistoryError is HistoryError and scores.ScoresError is ScoresError
    assert config.LintConfigError is LintConfigError and lexicon.LexiconError is LexiconError
    assert registry.UnknownRuleError is UnknownRuleError
    assert table.CriteriaTableError is CriteriaTableError


def test_unknown_criterion_is_a_key_error_with_a_readable_message():
    table = load_table(TABLE)
    with pytest.raises(KeyError) as info:
        table.find("Z.9")
    assert isinstance(info.value, UnknownCriterionError)
    assert isinstance(info.value, FairclustersError)
    assert str(info.value) == "no criterion with id 'Z.9' in table 'Khối thi đua'"


# -- loaders: the message names the offending value --------------------------------------

def test_bad_table_names_file_line_field_and_value(tmp_path):
    path = _write(tmp_path, "t.yaml", TABLE.replace("max_points: 10", "max_points: mười"))
    with pytest.raises(FairclustersError) as info:
        load_table(path)
    assert isinstance(info.value, CriteriaTableError)
    assert str(info.value) == (
        f"{path}:6: [A] field 'max_points': Input should be a valid number, unable to parse "
        "string as a number, got 'mười' (at sections[0].max_points)"
    )
    assert info.value.line == 6 and info.value.criterion_id == "A"
    assert isinstance(info.value.__cause__, ValidationError)  # the detail stays reachable


def test_bad_history_names_the_value(tmp_path):
    path = _write(tmp_path, "h.csv", "year,cluster,leader,n_members\n2020,C,A,5\n20x1,C,B,5\n")
    with pytest.raises(FairclustersError, match=r"line 3: year '20x1'") as info:
        load_history(path)
    assert isinstance(info.value, HistoryError)


def test_bad_scores_name_the_value(tmp_path):
    path = _write(tmp_path, "s.csv", "member,criterion,points\nP1,A,mười\n")
    with pytest.raises(FairclustersError, match=r"line 2: points 'mười' is not a number") as info:
        load_scores(path)
    assert isinstance(info.value, ScoresError)


def test_bad_lint_config_names_field_value_and_expectation(tmp_path):
    path = _write(tmp_path, "c.yaml", "max_bonus_share: -0.5\nheavy_sahre: 0.1\n")
    with pytest.raises(FairclustersError) as info:
        load_config(path)
    err = info.value
    assert isinstance(err, LintConfigError)
    assert str(err).startswith(
        f"{path}: max_bonus_share: Input should be greater than or equal to 0, got -0.5; "
        "heavy_sahre: unknown field (got 0.1); expected one of heavy_share,"
    )
    assert err.fields == ("max_bonus_share", "heavy_sahre")
    assert err.problems[0] == FieldProblem(
        "max_bonus_share", -0.5, "Input should be greater than or equal to 0, got -0.5")


def test_unknown_rule_names_the_code():
    with pytest.raises(FairclustersError, match=r"unknown rule code 'XYZ9' in select") as info:
        lint(load_table(TABLE), select=["XYZ9"])
    assert isinstance(info.value, UnknownRuleError)
    assert "known codes: RIG001" in str(info.value)


def test_bad_lexicon_names_file_group_and_value(tmp_path):
    path = _write(tmp_path, "l.yaml", "groups:\n  evaluative:\n    terms: tốt\n")
    with pytest.raises(FairclustersError) as info:
        load_lexicon(path)
    assert isinstance(info.value, LexiconError)
    assert str(info.value) == (
        f"{path}: group 'evaluative' must be a mapping with a 'terms' list, got {{'terms': 'tốt'}}"
    )


# -- pydantic-backed models: no ValidationError escapes ------------------------------------

def test_unit_names_field_and_value():
    with pytest.raises(ParameterError) as info:
        Unit(id="a", name="A", lat="north")
    assert str(info.value) == (
        "invalid Unit: lat: Input should be a valid number, unable to parse string as a "
        "number, got 'north'"
    )
    assert info.value.fields == ("lat",)
    assert isinstance(info.value.__cause__, ValidationError)


def test_lint_config_values_raise_lint_config_error():
    expected = r"^invalid LintConfig: heavy_share: .*less than or equal to 1, got 2$"
    with pytest.raises(LintConfigError, match=expected):
        LintConfig(heavy_share=2)


def test_score_check_config_and_finding_raise_criteria_parameter_errors():
    with pytest.raises(CriteriaParameterError, match=r"ceiling_share: .*greater than 0, got 0"):
        ScoreCheckConfig(ceiling_share=0)
    expected = r"severity: Input should be 'info', 'warning' or 'error', got 'fatal'"
    with pytest.raises(CriteriaParameterError, match=expected):
        Finding(code="X", severity="fatal", message="m")


def test_table_models_raise_criteria_table_errors_with_path_and_id():
    with pytest.raises(CriteriaTableError) as info:
        Criterion(id="A", text="x", max_points="mười", kind="quantitative")
    assert info.value.criterion_id == "A"
    assert "field 'max_points'" in str(info.value) and "got 'mười'" in str(info.value)
    with pytest.raises(CriteriaTableError) as info:
        CriteriaTable.model_validate({"title": "T", "total": 0, "sections": []})
    assert [p["path"] for p in info.value.problems] == [("total",), ("sections",)]
    assert "got 0" in str(info.value)


def test_nested_models_report_the_full_path_once():
    class Inner(FairclustersModel):
        model_config = ConfigDict(extra="forbid")
        x: int = Field(gt=0)

    class Outer(FairclustersModel):
        inner: list[Inner]

    with pytest.raises(ParameterError) as info:
        Outer(inner=[{"x": 1}, {"x": 0}])
    assert str(info.value) == "invalid Outer: inner[1].x: Input should be greater than 0, got 0"
    with pytest.raises(ParameterError, match=r"inner: Input should be a valid array, got 3"):
        Outer.model_validate_json('{"inner": 3}')
    with pytest.raises(ParameterError, match=r"inner\[0\]\.x: required, but missing"):
        Outer.model_validate({"inner": [{}]})


def test_cluster_rules_name_the_field():
    from clustering.rules import ClusterRules

    assert issubclass(ClusterRules, FairclustersModel)
    with pytest.raises(ParameterError, match=r"n_clusters: Input should be greater than 0, got 0"):
        ClusterRules(n_clusters=0)
    with pytest.raises(ParameterError, match=r"size: size minimum 0 must be >= 1"):
        ClusterRules(n_clusters=2, size=(0, 3))


# -- statistics on bad matrices ----------------------------------------------------------

def test_statistics_raise_criteria_errors():
    with pytest.raises(ScoresError, match="the same for every member"):
        variance_shares([[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(CriteriaParameterError, match=r"square and non-empty, got shape \(1, 2\)"):
        ahp_weights([[1, 2]])
    with pytest.raises(CriteriaParameterError, match="fmt must be 'yaml', 'json' or None, got"):
        load_table(TABLE, fmt="toml")


# -- the cost of the shared root ---------------------------------------------------------

def test_import_criteria_design_does_not_load_scikit_learn():
    code = "import sys, criteria_design; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
