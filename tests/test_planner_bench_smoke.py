"""Smoke test: the planner benchmark runs in quick mode and writes its JSON."""

from __future__ import annotations

import json

from benchmarks.bench_planner import main


def test_quick_planner_benchmark_runs_and_writes_json(tmp_path, capsys):
    out = tmp_path / "planner.json"
    assert main(["--quick", "--points", "2", "--moves", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "front: 12 units" in printed and "reform: 12 units" in printed
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    front, reform = rows
    assert front["method"] == "epsilon-constraint" and front["proven"]
    assert reform["status"] == "optimal" and reform["moves"] <= 2
