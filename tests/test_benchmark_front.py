"""The main job's trade-off: the front of the feasible plans, checked by brute force."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks.front import dominated_by, front_lines, non_dominated, trade_off


def _brute_front(x: np.ndarray, y: np.ndarray) -> set[tuple[float, float]]:
    points = list(zip(x.tolist(), y.tolist()))
    return {p for p in points
            if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in points)}


@pytest.mark.parametrize("seed", range(20))
def test_non_dominated_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    # Few distinct values, so that ties on one coordinate are common.
    x, y = rng.integers(0, 8, n).astype(float), rng.integers(0, 8, n).astype(float)
    front = non_dominated(x, y)
    assert {(x[i], y[i]) for i in front} == _brute_front(x, y)
    assert len(front) == len({(x[i], y[i]) for i in front})  # each point once
    assert np.all(np.diff(x[front]) > 0) and np.all(np.diff(y[front]) < 0)


def test_dominated_by_counts_by_hand():
    x, y = np.array([1.0, 2.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0, 0.5])
    assert dominated_by(x, y, (2.0, 2.0)) == 1  # (1, 1) only; (2, 2) itself is a tie
    assert dominated_by(x, y, (3.0, 3.0)) == 4  # each is no worse on both, better on one
    assert dominated_by(x, y, (0.5, 0.5)) == 0


def _evaluation(name, objective, cv, comparable=True):
    return SimpleNamespace(name=name, scores={"objective": objective, "weight_cv": cv},
                           comparable=comparable)


def test_placements_and_words():
    distribution = {"objective": np.array([1.0, 2.0, 3.0, np.nan]),
                    "weight_cv": np.array([0.3, 0.1, 0.05, 0.0])}
    evaluations = [_evaluation("A", 1.0, 0.3), _evaluation("B", 4.0, 0.4),
                   _evaluation("C", 0.5, 0.01, comparable=False)]
    trade = trade_off(distribution, evaluations, exact=True)
    assert len(trade.x) == 3  # the plan with a missing score is left out, not imputed
    assert {p.name: p.dominated_by for p in trade.placements} == {"A": 0, "B": 3, "C": 0}
    vi, en = front_lines(trade, "vi"), front_lines(trade, "en", {"B": "Plan B"})
    assert vi[0].startswith("Biên Pareto chính xác: 3 trong số 3")
    assert "Plan B: 3 feasible plans are better" in en[2]
    assert "breaks the rules" in en[3]
    sampled = trade_off(distribution, evaluations, exact=False)
    assert "not proven" in front_lines(sampled, "en")[0]


def test_the_main_job_reports_the_exact_front(tmp_path):
    from benchmarks.__main__ import main

    out = tmp_path / "report"
    assert main(["--out", str(out), "--samples", "200", "--time-limit", "20"]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    trade = data["trade_off"]
    assert trade["exact"] and trade["plans"] == 3329  # every feasible plan of the 34 units
    front = [tuple(p) for p in trade["front"]]
    assert front == sorted(front) and len(front) >= 2
    optimum = next(p for p in data["plans"] if p["role"] == "optimum")
    # The proven optimum has the lowest objective of all: it starts the front.
    assert front[0][0] == pytest.approx(optimum["scores"]["objective"])
    assert (out / "pareto_front.png").stat().st_size > 0
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## Đánh đổi: độ đồng nhất và cân bằng dân số" in markdown
    assert "Biên Pareto" in (out / "report.html").read_text(encoding="utf-8")  # figure inlined
