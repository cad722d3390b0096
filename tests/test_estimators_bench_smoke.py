"""Smoke test of benchmarks/bench_heuristics.py (quick mode; peers optional)."""

import json

from benchmarks import bench_heuristics


def test_quick_run_writes_valid_plans(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert bench_heuristics.main(["--quick", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    printed = capsys.readouterr().out
    assert "vietnam-34" in printed and "scale" in printed
    for instance in results["compare"].values():
        for label, row in instance["rows"].items():
            if row.get("ours_for_rules"):
                assert row["valid"] and row["pieces"] == 0, label
    assert results["scale"]["synthetic"]["violations"] == 0


def test_refuses_to_overwrite(tmp_path):
    out = tmp_path / "results.json"
    out.write_text("{}")
    assert bench_heuristics.main(["--quick", "--out", str(out)]) == 2
    assert out.read_text() == "{}"
