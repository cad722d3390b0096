"""The command line: the main job end to end, and every bad input (exit code 2, stderr)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from oracles import feasible_plans

from benchmarks.__main__ import main
from clustering.datasets import vietnam_provinces
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data" / "benchmarks"
EXAMPLES = ROOT / "benchmarks" / "examples"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("missing_unit.yaml", r"1 unit\(s\) in no cluster: '96' \(Cà Mau\)"),
        ("repeated_unit.yaml", r"'46' \(Huế\) in clusters 'North' and 'Centre'"),
        ("unknown_unit.yaml", r"'Ho Chi Mihn'.*closest names: 'Hồ Chí Minh'"),
    ],
)
def test_bad_proposals_exit_2(capsys, tmp_path, fixture, expected):
    code, out, err = run(capsys, str(DATA / fixture), "--out", str(tmp_path / "r"))
    assert code == 2 and out == ""
    assert re.search(expected, err), err
    assert not (tmp_path / "r").exists()


def test_unknown_dataset_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "--dataset", "vietnam-2052", "--out", str(tmp_path / "r"))
    assert code == 2 and "unknown dataset 'vietnam-2052'" in err and "vietnam-2025" in err


def test_infeasible_rules_show_the_explanation(capsys, tmp_path):
    code, _, err = run(capsys, "--clusters", "6", "--size", "7", "9",
                       "--out", str(tmp_path / "r"))
    assert code == 2
    assert "rules cannot be met" in err and "34 units cannot form 6 clusters of 7 to 9" in err


def test_min_above_max_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "--size", "6", "5", "--out", str(tmp_path / "r"))
    assert code == 2 and "minimum exceeds maximum" in err


def test_unwritable_output_exits_2(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "--out", str(blocker / "report"))
    assert code == 2 and "not a writable folder" in err


def test_existing_output_is_not_overwritten(capsys, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "report.md").write_text("my own notes", encoding="utf-8")
    code, _, err = run(capsys, "--out", str(out))
    assert code == 2 and "--force" in err
    assert (out / "report.md").read_text(encoding="utf-8") == "my own notes"


def test_internal_error_exits_1(capsys, tmp_path, monkeypatch):
    import benchmarks.__main__ as cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "run_benchmark", broken)
    code, _, err = run(capsys, "--out", str(tmp_path / "r"))
    assert code == 1 and "internal error: RuntimeError: boom" in err


def test_usage_error_exits_2(capsys):
    code, _, err = run(capsys, "--clusters", "six")
    assert code == 2 and "invalid int value" in err


# -- the main job ----------------------------------------------------------------------


def test_main_job_end_to_end(capsys, tmp_path):
    out = tmp_path / "report"
    code, stdout, err = run(capsys, "--out", str(out), *map(str, sorted(EXAMPLES.glob("*.yaml"))))
    assert code == 0, err
    # Vietnamese by default: the reference plans under their Vietnamese names.
    for name in ("(GSO)", "Heuristic", "Bộ tối ưu", "North to south", "Cities bloc"):
        assert name in stdout
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["sample"]["complete"] and data["sample"]["n_distinct"] == 3329
    roles = [p["role"] for p in data["plans"]]
    assert roles == ["proposal"] * 3 + ["regions", "heuristic", "optimum"]
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    by_role = {p["role"]: p for p in data["plans"]}
    optimum = by_role["optimum"]
    plan = Plan(vn, optimum["clusters"])
    assert plan_violations(plan, rules) == []
    best_enumerated = data["sample"]["quantiles"]["objective"]["min"]
    # every feasible plan was enumerated, so none may beat the optimizer's plan
    assert optimum["scores"]["objective"] >= best_enumerated - 1e-9
    if data["optimum"]["status"] == "optimal":
        assert optimum["scores"]["objective"] == pytest.approx(best_enumerated)
        assert optimum["gap"]["proven"] and optimum["gap"]["low"] == pytest.approx(0, abs=1e-9)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "region_majority" in markdown  # the straddling units are explained
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown):
        assert (out / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_command_runs_as_a_module(tmp_path):
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "(GSO)" in done.stdout and "Đã ghi báo cáo" in done.stdout  # Vietnamese by default
    assert (out / "report.md").exists() and (out / "distribution.png").exists()
    again = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 2 and "exists" in again.stderr


def test_user_dataset_file_and_proposal(capsys, tmp_path):
    from clustering.io import read_json

    dataset = DATA / "grid9.json"
    out = tmp_path / "r"
    code, stdout, err = run(capsys, "--dataset", str(dataset), "--clusters", "3",
                            "--size", "2", "4", str(DATA / "grid9_rows.yaml"),
                            "--out", str(out))
    assert code == 0, err
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    # brute force: every labelling into 3 clusters following the rules, counted once
    units = read_json(dataset)
    feasible = len(feasible_plans(units, ClusterRules(n_clusters=3, size=(2, 4),
                                                      contiguous=True)))
    assert data["sample"]["complete"] and data["sample"]["n_distinct"] == feasible > 0
    rows = next(p for p in data["plans"] if p["name"] == "Rows")
    assert rows["clusters"] == {"South": ["a", "b", "c"], "Middle": ["d", "e", "f"],
                                "North": ["g", "h", "i"]}
    assert "Rows" in stdout


def test_chain_starts_from_a_proposal_that_follows_the_rules(capsys, tmp_path):
    # Without contiguity there are too many candidate clusters to enumerate; with no
    # reference plans the chain starts from the one proposal that follows the rules.
    out = tmp_path / "r"
    code, _, err = run(capsys, "--no-contiguous", "--no-references", "--samples", "200",
                       str(EXAMPLES / "north_to_south.yaml"), str(EXAMPLES / "cities_bloc.yaml"),
                       "--out", str(out))
    assert code == 0, err
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    sample = data["sample"]
    assert not sample["complete"] and sample["method"] == "recombination chain"
    assert 1 < sample["n_distinct"] <= sample["steps"] + 1  # all chains share the start
    assert "chains started from the given plan" in sample["notes"]
