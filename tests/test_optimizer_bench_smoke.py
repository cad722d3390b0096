"""Smoke test: the optimizer benchmark runs in quick mode and writes its JSON."""

from __future__ import annotations

import json

from benchmarks.bench_optimizer import main


def test_quick_benchmark_runs_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--quick", "--solver", "highs", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "peak memory" in printed and "speed-up" in printed
    choices = [line for line in printed.splitlines() if line.startswith("method choice")]
    assert [line.split(": ")[1].split()[0] for line in choices] == ["enumerate", "assignment"]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {row["status"] for row in data["rows"]} == {"optimal"}
    assert all(row["violations"] == [] for row in data["rows"])
    baseline = [row for row in data["rows"] if "baseline" in row]
    # The textbook model is an independent check of the optimum.
    assert baseline and abs(baseline[0]["baseline"]["objective"] - baseline[0]["objective"]) < 1e-6
