"""The performance suite runs, measures, writes JSON and never overwrites silently."""

from __future__ import annotations

import json

from benchmarks.perf import INSTANCES, main, run_case
from clustering.datasets import vietnam_provinces


def test_one_case_measures_time_memory_and_violations():
    record = run_case("34", "ward+azp", time_limit=10, seed=0)
    assert record["n"] == len(vietnam_provinces(2025)) == 34
    assert record["k"] == INSTANCES["34"][1] and record["status"] == "heuristic"
    assert record["seconds"] > 0 and record["peak_memory_mb"] >= record["memory_before_mb"] > 0
    assert record["violations"] == 0  # the local search keeps bounds and contiguity
    low, high = INSTANCES["34"][2]
    assert low <= record["size_range"][0] <= record["size_range"][1] <= high


def test_errors_are_recorded_not_raised():
    record = run_case("34", "no-such-method", time_limit=1, seed=0)
    assert record["status"] == "error" and "unknown method" in record["error"]


def test_suite_writes_json_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "perf.json"
    assert main(["--sizes", "34", "--methods", "kmeans", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["method"] for r in data["results"]] == ["kmeans"]
    assert data["results"][0]["n"] == 34
    before = out.read_text(encoding="utf-8")
    assert main(["--sizes", "34", "--methods", "kmeans", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == before
