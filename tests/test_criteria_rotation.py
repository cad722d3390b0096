"""Rotation audit: p-values against exact enumeration, error rates on simulated histories."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from criteria_design.findings import Severity
from criteria_design.rotation import (
    ClusterHistory,
    HistoryError,
    audit_history,
    balance_test,
    detectability,
    distinct_leaders_test,
    gap_test,
    load_history,
    winner_rank_test,
)
from criteria_design.scores import ScoreSheet

DATA = Path(__file__).parent / "data" / "criteria_scores"
ALPHA = 0.05


# ---------------------------------------------------------------------------- exact p-values
def test_winner_rank_p_value_equals_enumeration():
    n, ranks = 4, [1, 2, 1]
    sums = [sum(r) for r in itertools.product(range(1, n + 1), repeat=3)]
    expected = np.mean(np.array(sums) <= sum(ranks))
    assert winner_rank_test(ranks, n).p_value == pytest.approx(expected, abs=1e-12)
    # Varying field sizes: years with 3 and 5 members.
    sums = [a + b for a in range(1, 4) for b in range(1, 6)]
    assert winner_rank_test([1, 2], [3, 5]).p_value == pytest.approx(np.mean(np.array(sums) <= 3))


@pytest.mark.parametrize(("n", "t"), [(4, 3), (5, 4), (3, 3)])
def test_distinct_leaders_p_value_equals_enumeration(n, t):
    seqs = list(itertools.product(range(n), repeat=t))
    distinct = np.array([len(set(s)) for s in seqs])
    for d in range(1, t + 1):
        leaders = [str(i) for i in range(d)] + ["0"] * (t - d)
        assert distinct_leaders_test(leaders, n).p_value == pytest.approx(
            np.mean(distinct >= d), abs=1e-12)


@pytest.mark.parametrize(("n", "leaders"), [(3, "AABCA"), (4, "ABCDAB"), (4, "AAAABC")])
def test_balance_p_value_equals_enumeration(n, leaders):
    t = len(leaders)
    obs = sorted(Counter(leaders).values()) + [0] * (n - len(set(leaders)))
    obs_q = sum(c * c for c in obs)
    seqs = itertools.product(range(n), repeat=t)
    q = np.array([sum(c * c for c in Counter(s).values()) for s in seqs])
    assert balance_test(list(leaders), n).p_value == pytest.approx(np.mean(q <= obs_q), abs=1e-12)


def _gap_brute(seq, n):
    last, g = {}, 0
    for t, who in enumerate(seq):
        g += who in last and t - last[who] < n
        last[who] = t
    return g


@pytest.mark.parametrize(("n", "leaders"), [(3, "ABCABC"), (3, "AABBC"), (4, "ABACDB")])
def test_gap_p_value_equals_enumeration_of_all_orders(n, leaders):
    g = _gap_brute(leaders, n)
    perms = list(itertools.permutations(leaders))  # every order, repeats included
    expected = np.mean([_gap_brute(p, n) <= g for p in perms])
    exact = gap_test(list(leaders), n)
    assert exact.method == "exact" and exact.p_value == pytest.approx(expected, abs=1e-12)
    mc = gap_test(list(leaders), n, exact_limit=0, n_permutations=4000, rng=1)
    assert abs(mc.p_value - expected) <= 4 * np.sqrt(expected * (1 - expected) / 4000) + 1e-3


def test_detectability_is_the_p_value_of_a_perfect_rotation():
    d = detectability(9, 3)
    assert d["merit"] == pytest.approx(9.0**-3)
    # three distinct leaders in three years: P(D = 3) = 9*8*7/9^3; times 3 tests
    assert d["rotation"] == pytest.approx(min(1.0, 3 * 9 * 8 * 7 / 9**3))
    assert detectability(9, 10)["rotation"] <= ALPHA


# ---------------------------------------------------------------------------- simulated error rates
N, SIMS = 9, 150


def _flagged(leaders, n=N, ranks_scores=None) -> set[str]:
    h = ClusterHistory("sim", range(2000, 2000 + len(leaders)), leaders, n_members=n)
    return {f.code for f in audit_history(h, ranks_scores, n_permutations=199, rng=0)}


@pytest.mark.parametrize("years", [10, 18])
def test_strict_rotation_is_always_flagged(years):
    rng = np.random.default_rng(7)
    for _ in range(20):
        order = rng.permutation(N)
        leaders = [f"m{order[t % N]}" for t in range(years)]
        assert "ROT001" in _flagged(leaders)


@pytest.mark.parametrize("years", [10, 18])
def test_random_and_merit_histories_are_rarely_flagged(years):
    """iid uniform leaders: the Bonferroni verdict has a false-positive rate <= alpha.

    Merit (the strongest members win, with noise) gives concentrated counts: flagged even
    less often. The bound allows 3 binomial standard errors of SIMS simulations.
    """
    rng = np.random.default_rng(2024 + years)
    bound = ALPHA + 3 * np.sqrt(ALPHA * (1 - ALPHA) / SIMS)
    random_hits = sum("ROT001" in _flagged([f"m{i}" for i in rng.integers(N, size=years)])
                      for _ in range(SIMS))
    strength = np.linspace(0, 2, N)
    merit_hits = sum(
        "ROT001" in _flagged([f"m{int(np.argmax(strength + rng.normal(0, 0.7, N)))}"
                              for _ in range(years)])
        for _ in range(SIMS))
    assert random_hits / SIMS <= bound
    assert merit_hits / SIMS <= bound


def _scores_for(winners_rank: list[int], years: list[int]) -> tuple[ScoreSheet, list[str]]:
    """Members m0..m8 with totals 90 - i each year; the leader is the member of given rank."""
    members = [f"m{i}" for i in range(N)]
    records = []
    for y in years:
        sheet = ScoreSheet.from_matrix(np.array([[90.0 - i] for i in range(N)]), members,
                                       ["A"], year=y)
        records.extend(sheet.records)
    return ScoreSheet(records), [members[r - 1] for r in winners_rank]


def test_scores_tell_merit_from_turn_taking():
    years = list(range(2010, 2019))
    sheet, merit_leaders = _scores_for([1] * 9, years)
    h = ClusterHistory("c", years, merit_leaders, n_members=N)
    codes = {f.code for f in audit_history(h, sheet)}
    assert "ROT002" not in codes  # the top scorer was elected every year
    sheet, turn_leaders = _scores_for(list(range(1, 10)), years)
    found = {f.code: f for f in audit_history(
        ClusterHistory("c", years, turn_leaders, n_members=N), sheet)}
    assert found["ROT002"].data["ranks"] == list(range(1, 10))
    assert found["ROT001"].severity is Severity.WARNING


def test_fixture_history_rotation_cluster_flagged_merit_cluster_not():
    histories = load_history(DATA / "history.csv")
    findings = audit_history(histories)
    by_cluster = {}
    for f in findings:
        by_cluster.setdefault(f.data["cluster"], set()).add(f.code)
    assert by_cluster["Cụm Trung du và miền núi phía Bắc"] == {"ROT001", "ROT004"}
    assert "Cụm Đồng bằng sông Hồng" not in by_cluster  # its chair rotates: that is fine
    assert all(f.source.endswith("history.csv") for f in findings)


def test_short_history_states_its_lack_of_power():
    h = ClusterHistory("c", [2021, 2022, 2023], ["a", "b", "c"], n_members=9)
    (f,) = audit_history(h)
    assert f.code == "ROT003" and f.data["years_needed"] > 3
    assert detectability(9, f.data["years_needed"])["rotation"] <= ALPHA
    assert detectability(9, f.data["years_needed"] - 1)["rotation"] > ALPHA


def test_bad_histories_are_refused(tmp_path):
    with pytest.raises(HistoryError, match="strictly increasing"):
        ClusterHistory("c", [2020, 2020], ["a", "b"], n_members=3)
    with pytest.raises(HistoryError, match="4 different leaders but only 3"):
        ClusterHistory("c", [1, 2, 3, 4], list("abcd"), n_members=3)
    bad = tmp_path / "h.csv"
    bad.write_text("year,cluster,leader\n2020,X,a\n", encoding="utf-8")
    with pytest.raises(HistoryError, match=r"missing \['n_members'\]"):
        load_history(bad)
    # Issue 14 part 5: two leaders of one year are now several awardees; the same one
    # listed twice is still refused.
    bad.write_text("year,cluster,leader,n_members\n2020,X,a,5\n2020,X,a,5\n", encoding="utf-8")
    with pytest.raises(HistoryError, match="lists 'a' twice as leader for 2020"):
        load_history(bad)
    with pytest.raises(HistoryError, match="one score sheet for 2 clusters"):
        audit_history(load_history(DATA / "history.csv"),
                      ScoreSheet.from_matrix([[1.0], [2.0]], ["a", "b"], ["A"]))
