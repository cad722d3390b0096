"""The command line: exit codes 0 / 1 / 2, formats, options; and the report renderers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from criteria_design import Finding, Severity, format_findings
from criteria_design.__main__ import EXTENSIONS, build_parser, main, run

DATA = Path(__file__).parent / "data" / "criteria"
BIG = str(DATA / "cum_dbsh_1000.yaml")
BLOC = str(DATA / "khoi_so_nganh_100.json")
CLEAN = str(DATA / "cum_huyen_mau_100.yaml")


def test_clean_table_exits_0(capsys):
    assert main([CLEAN, "--lang", "en"]) == 0
    assert "0 findings" in capsys.readouterr().out


def test_findings_exit_1_and_fail_on_threshold(capsys):
    assert main([BIG, "--lang", "en"]) == 3
    out = capsys.readouterr().out
    assert f"{BIG}:44 [I.3] RIG001 warning" in out
    # the bloc table's only info-level findings are RIG003/RIG006/RIG007/VAG005
    assert main([BLOC, "--select", "RIG003,RIG006,RIG007,VAG005"]) == 0
    assert main([BLOC, "--select", "RIG003,RIG006,RIG007,VAG005", "--fail-on", "info"]) == 3
    assert main([BIG, "--fail-on", "error"]) == 0
    capsys.readouterr()


def test_json_report_round_trips_the_findings(capsys):
    assert main([BIG, "--format", "json", "--select", "VAG"]) == 3
    doc = json.loads(capsys.readouterr().out)
    codes = [f["code"] for f in doc["findings"]]
    assert set(codes) == {"VAG001", "VAG002", "VAG003", "VAG004", "VAG006"}
    # expected_findings.yaml: VAG001 4 + VAG002 5 + VAG003 1 + VAG004 4 + VAG006 1
    assert doc["summary"]["total"] == len(codes) == 15
    assert doc["summary"]["warning"] == 15
    assert all(f["source"] == BIG and isinstance(f["line"], int) for f in doc["findings"])


def test_markdown_report_to_file(tmp_path, capsys):
    out = tmp_path / "report.md"
    assert main([BLOC, "--format", "markdown", "--select", "RIG001", "-o", str(out)]) == 3
    assert capsys.readouterr().out == ""
    rows = [line for line in out.read_text(encoding="utf-8").splitlines()
            if line.startswith("| RIG001")]
    assert [r.split("|")[3].strip() for r in rows] == ["A.1", "A.2", "B.1", "B.2", "B.3"]
    assert main([BLOC, "-o", str(out)]) == 2  # never overwrite a report silently


def test_extra_lexicon_and_config_file(tmp_path, capsys):
    lexicon = tmp_path / "lex.yaml"
    lexicon.write_text("groups: {evaluative: {terms: [thành công]}}", encoding="utf-8")
    assert main([BIG, "--select", "VAG001"]) == 3
    before = capsys.readouterr().out
    assert main([BIG, "--select", "VAG001", "--lexicon", str(lexicon)]) == 3
    after = capsys.readouterr().out
    assert "[IV.3]" not in before and "[IV.3] VAG001" in after  # "Tổ chức thành công..."
    config = tmp_path / "lint.yaml"
    config.write_text("max_bonus_share: 0.2\n", encoding="utf-8")
    assert main([BIG, "--select", "RIG008", "--config", str(config)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--select", "RIG999", "--lang", "en"], "unknown rule code 'RIG999'"),
        (["--ignore", "NOPE", "--lang", "en"], "unknown rule code 'NOPE'"),
        (["--config", "{missing}", "--lang", "en"], "cannot read lint configuration"),
        (["--lexicon", "{missing}", "--lang", "en"], "cannot read lexicon file"),
    ],
)
def test_bad_options_exit_2(tmp_path, capsys, argv, message):
    argv = [a.replace("{missing}", str(tmp_path / "missing.yaml")) for a in argv]
    assert main([BIG, *argv]) == 2
    assert message in capsys.readouterr().err


def test_bad_config_value_exit_2(tmp_path, capsys):
    config = tmp_path / "lint.yaml"
    config.write_text("heavy_share: 2\n", encoding="utf-8")
    assert main([BIG, "--config", str(config)]) == 2
    assert "heavy_share" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("title: T\ntotal: [1\n", "t.yaml", "malformed YAML"),
        ('{"title": "T",}', "t.json", "malformed JSON"),
        ("title: T\ntotal: 5\nsections:\n  - {id: A, text: x, max_points: 4, kind: qualitative}\n",
         "t.yaml", "declared total 5"),
    ],
)
def test_bad_tables_exit_2_with_location(tmp_path, capsys, content, name, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main([str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert message in err and f"{path}:" in err


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2  # no table
    assert main([BIG, "--format", "pdf"]) == 2  # argparse choice
    assert main([str(DATA / "absent.yaml")]) == 2
    assert main(["--help"]) == 0
    capsys.readouterr()


def test_list_rules_and_schema(capsys):
    assert main(["--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines][:3] == ["RIG001", "RIG002", "RIG003"]
    assert len(lines) == 25
    assert main(["--schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "CriteriaTable"


def test_parser_and_run_can_be_extended():
    class Extra:
        def add_arguments(self, parser):
            parser.add_argument("--always-info", action="store_true")

        def findings(self, args, table):
            if not args.always_info:
                return []
            return [Finding(code="EXT001", severity="info", message="extension ran")]

    extensions = (*EXTENSIONS, Extra())
    args = build_parser(extensions).parse_args([CLEAN, "--always-info", "--fail-on", "info"])
    assert run(args, extensions) == 3


def test_module_entry_point_in_a_subprocess():
    done = subprocess.run([sys.executable, "-m", "criteria_design", BIG, "--select", "RIG004"],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[1])
    assert done.returncode == 3, done.stderr
    assert "[I] RIG004" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "criteria_design", BIG, "--select", "X1",
                          "--lang", "en"],
                         capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[1])
    assert bad.returncode == 2 and "unknown rule code" in bad.stderr


# -- report renderers ---------------------------------------------------------------------

FINDINGS = [
    Finding(code="RIG002", severity="warning", message="most points | binary", suggestion="s1"),
    Finding(code="VAG005", severity="info", message="no period", criterion_id="A.1", line=7,
            source="t.yaml"),
    Finding(code="X", severity="error", message="bad\nthing", criterion_id="B"),
]


def test_text_report_lines_and_summary():
    text = format_findings(FINDINGS, title="Bảng", lang="en")
    lines = text.splitlines()
    assert lines[0] == "Bảng"
    assert lines[1] == "== Whole table =="  # no section given: one group, ranked by severity
    assert lines[2:4] == ["[B] X error: bad", "thing"]
    assert lines[4] == "(table) RIG002 warning: most points | binary"
    assert lines[5] == "    fix: s1"
    assert lines[6] == "t.yaml:7 [A.1] VAG005 info: no period"
    assert lines[-1] == "3 findings: 1 error, 1 warning, 1 info"


def test_markdown_escapes_cells():
    md = format_findings(FINDINGS, "markdown")
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 3
    assert "most points \\| binary" in md and "bad thing" in md


def test_json_summary_counts():
    doc = json.loads(format_findings(FINDINGS, "json"))
    assert doc["summary"] == {"error": 1, "warning": 1, "info": 1, "total": 3}
    assert Finding.model_validate(doc["findings"][1]) == FINDINGS[1]
    assert json.loads(format_findings([], "json"))["summary"]["total"] == 0


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        format_findings(FINDINGS, "pdf")


def test_severity_order():
    assert Severity.ERROR > Severity.WARNING > Severity.INFO
