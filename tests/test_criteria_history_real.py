"""Award histories as they are really recorded (issue 14, part 5).

Every expected verdict below was written by hand (the p-values from the formulas in the
comments) before the code was run.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from criteria_design.findings import Severity
from criteria_design.rotation import (
    ClusterHistory,
    HistoryError,
    audit_history,
    balance_awards_test,
    detectability,
    distinct_awardees_test,
    load_history,
    rotation_tests,
    years_needed,
)

DATA = Path(__file__).parent / "data" / "criteria_scores"

#: Nine members, four years: Hà Nam, Nam Định, Ninh Bình, Hà Nam. In 2022 Nam Định, the
#: 2021 leader, withdrew "because it received the flag last year".
WITHDRAWAL = """year,cluster,unit,role,n_members,reason
2020,Cụm Nam sông Hồng,Hà Nam,dẫn đầu,9,
2020,Cụm Nam sông Hồng,Thái Bình,cụm trưởng,9,
2021,Cụm Nam sông Hồng,Nam Định,dẫn đầu,9,
2021,Cụm Nam sông Hồng,Thái Bình,cụm trưởng,9,
2022,Cụm Nam sông Hồng,Ninh Bình,leader,9,
2022,Cụm Nam sông Hồng,Nam Định,rút,9,đã nhận cờ năm trước
2022,Cụm Nam sông Hồng,Hưng Yên,cụm phó,9,
2023,Cụm Nam sông Hồng,Hà Nam,dẫn đầu,9,
"""


@pytest.fixture()
def withdrawal_file(tmp_path):
    path = tmp_path / "lich_su.csv"
    path.write_text(WITHDRAWAL, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- events
def test_a_withdrawal_is_direct_evidence_whatever_the_p_value(withdrawal_file):
    (h,) = load_history(withdrawal_file).values()
    # Three distinct leaders of nine in four years: far from significant (P(D >= 3) > 0.5).
    tests = rotation_tests(h, rng=0)
    assert min(t.p_value for t in tests.values()) > 0.05
    found = {f.code: f for f in audit_history(h)}
    assert set(found) == {"ROT005", "ROT003"}  # no ROT001: the sequence proves nothing
    event = found["ROT005"]
    assert event.severity is Severity.WARNING and event.line == 7
    assert event.data == {"cluster": "Cụm Nam sông Hồng", "year": 2022, "unit": "Nam Định",
                          "reason": "đã nhận cờ năm trước", "awardees": ["Ninh Bình"]}
    assert "bằng chứng trực tiếp" in event.message and "đã nhận cờ năm trước" in event.message
    (en,) = [f for f in audit_history(h, lang="en") if f.code == "ROT005"]
    assert "direct evidence of rotation, whatever the p-value" in en.message


def test_roles_are_kept_apart(withdrawal_file):
    (h,) = load_history(withdrawal_file).values()
    assert h.leaders == ("Hà Nam", "Nam Định", "Ninh Bình", "Hà Nam")
    assert h.chairs == ("Thái Bình", "Thái Bình", None, None)
    assert h.vice_chairs == ((), (), ("Hưng Yên",), ())
    assert [(e.year, e.unit, e.kind) for e in h.events] == [(2022, "Nam Định", "withdrawal")]


def _roles_file(tmp_path, leader_is: str) -> Path:
    """Nine years, nine members; the chair and vice-chair rotate; the leader is one of them."""
    names = [f"Tỉnh {c}" for c in "ABCDEFGHI"]
    rows = ["year,cluster,unit,role,n_members"]
    for t in range(9):
        chair, vice = names[t], names[(t + 1) % 9]
        rows += [f"{2015 + t},K,{chair},chair,9", f"{2015 + t},K,{vice},vice_chair,9",
                 f"{2015 + t},K,{chair if leader_is == 'chair' else vice},leader,9"]
    path = tmp_path / f"{leader_is}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_chair_seat_is_tested_and_the_vice_chair_is_not_taken_for_it(tmp_path):
    # The flag follows the chair seat in 9 of 9 years: p = 9^-9.
    chair = {f.code: f for f in audit_history(load_history(_roles_file(tmp_path, "chair")))}
    assert chair["ROT004"].data["same"] == 9
    assert chair["ROT004"].data["p_value"] == pytest.approx(9.0**-9)
    # The flag follows the vice-chair: the chair was never the leader, no ROT004.
    vice = {f.code for f in audit_history(load_history(_roles_file(tmp_path, "vice_chair")))}
    assert "ROT004" not in vice and "ROT001" in vice  # still a strict rotation of the flag


def test_a_year_with_a_chair_but_no_leader_is_left_out_of_the_tests(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("year,cluster,leader,n_members,chair\n2019,X,a,5,a\n2020,X,b,5,b\n"
                    "2021,X,,5,c\n2022,X,c,5,d\n2023,X,d,5,e\n", encoding="utf-8")
    (h,) = load_history(path).values()
    assert h.leaders == ("a", "b", None, "c", "d") and h.chairs[2] == "c"
    tests = rotation_tests(h)
    # Four years with a leader, all different, of 5: P(D = 4) = 5*4*3*2 / 5^4 = 0.192.
    assert tests["distinct leaders"].detail["years"] == 4
    assert tests["distinct leaders"].p_value == pytest.approx(120 / 625)
    # The chair led in 2 of the 4 years with both: P(>= 2 of 4 at 1/5) = 0.1808 > 0.05.
    assert "ROT004" not in {f.code for f in audit_history(h)}


# ---------------------------------------------------------------------------- several awardees
def test_several_awardees_a_year_load_from_the_original_format(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("year,cluster,leader,n_members\n2020,X,a,5\n2020,X,b,5\n2021,X,c,5\n",
                    encoding="utf-8")
    (h,) = load_history(path).values()
    assert h.awardees == (("a", "b"), ("c",)) and not h.single


def test_distinct_awardees_p_value_equals_enumeration():
    # By hand: two disjoint pairs of five: C(3, 2) / C(5, 2) = 0.3.
    assert distinct_awardees_test([("a", "b"), ("c", "d")], 5).p_value == pytest.approx(0.3)
    # Years of 2, 1 and 2 awardees among 5: every draw enumerated.
    draws = itertools.product(*[itertools.combinations(range(5), k) for k in (2, 1, 2)])
    distinct = np.array([len(set().union(*d)) for d in draws])
    for awardees in ([("a", "b"), ("a",), ("a", "b")], [("a", "b"), ("c",), ("a", "b")],
                     [("a", "b"), ("c",), ("a", "d")], [("a", "b"), ("c",), ("d", "e")]):
        d = len({x for year in awardees for x in year})
        assert distinct_awardees_test(awardees, 5).p_value == pytest.approx(
            np.mean(distinct >= d), abs=1e-12)


def test_balance_with_several_awardees_agrees_with_enumeration():
    n, awardees = 4, [("a", "b"), ("c", "d"), ("a", "c")]
    q_obs = sum(c * c for c in Counter(x for y in awardees for x in y).values())
    sets = list(itertools.combinations(range(n), 2))
    qs = []
    for draw in itertools.product(sets, repeat=3):
        counts = Counter(x for s in draw for x in s)
        qs.append(sum(c * c for c in counts.values()))
    exact = float(np.mean(np.array(qs) <= q_obs))
    res = balance_awards_test(awardees, n, n_simulations=20_000, rng=3)
    assert abs(res.p_value - exact) <= 4 * math.sqrt(exact * (1 - exact) / 20_000) + 1e-3


def test_strict_rotation_with_two_awardees_a_year_is_flagged():
    # Six members, pairs {A,B}, {C,D}, {E,F} in turn for nine years. The gap test alone:
    # only the 6 period-3 orders of the 1680 orders of AAABBBCCC have no quick repeat,
    # p = 0.0036; times 2 tests (T2 does not apply: 18 awards > 6 members) < 0.05.
    rounds = [("A", "B"), ("C", "D"), ("E", "F")] * 3
    h = ClusterHistory("K", range(2015, 2024), rounds, n_members=6)
    tests = rotation_tests(h, rng=0)
    assert set(tests) == {"repeat gaps", "balance"}
    assert tests["repeat gaps"].p_value == pytest.approx(6 / 1680, abs=0.003)
    assert "ROT001" in {f.code for f in audit_history(h)}


# ---------------------------------------------------------------------------- years needed
def _perfect_rotation_p(n: int, t: int) -> float:
    """Brute force: the combined p of a perfect rotation from every count vector."""
    probs: dict[int, float] = {}
    for counts in itertools.product(range(t + 1), repeat=n):
        if sum(counts) != t:
            continue
        ways = math.factorial(t)
        for c in counts:
            ways //= math.factorial(c)
        q = sum(c * c for c in counts)
        probs[q] = probs.get(q, 0.0) + ways / n**t
    p = probs[min(probs)]  # the most even counts are the perfect rotation's
    if t <= n:
        p = min(p, math.perm(n, t) / n**t)
        return min(1.0, 3 * p)
    return min(1.0, 2 * p)


def test_years_needed_for_five_members_is_ten_by_hand_and_by_brute_force():
    # By hand: T = 9 gives counts 2,2,2,2,1: 5 * 9!/2^4 / 5^9 = 0.058, times 2 > 0.05;
    # T = 10 gives 2,2,2,2,2: 10!/2^5 / 5^10 = 0.0116, times 2 = 0.023 <= 0.05.
    assert detectability(5, 9)["rotation"] == pytest.approx(2 * 5 * 22680 / 5**9)
    assert detectability(5, 10)["rotation"] == pytest.approx(2 * 113400 / 5**10)
    assert years_needed(5) == 10
    for n in (3, 4, 5):
        for t in range(1, 13):
            assert detectability(n, t)["rotation"] == pytest.approx(_perfect_rotation_p(n, t))
    brute = next(t for t in range(1, 13) if _perfect_rotation_p(4, t) <= 0.05)
    assert years_needed(4) == brute
    # Just past two rounds, 11 years of 5 are less even than 10: the next length that works.
    assert _perfect_rotation_p(5, 11) > 0.05
    assert years_needed(5, start=11) == next(t for t in range(11, 30)
                                             if detectability(5, t)["rotation"] <= 0.05)


def test_the_years_needed_are_explained_in_plain_vietnamese():
    h = ClusterHistory("Cụm 5 tỉnh", range(2020, 2024), ["a", "b", "c", "d"], n_members=5)
    (vi,) = audit_history(h)
    assert vi.code == "ROT003" and vi.data["years_needed"] == 10
    assert "Với 5 thành viên, cần ít nhất 10 năm" in vi.message
    assert "lịch sử còn quá ngắn" in vi.message
    (en,) = audit_history(h, lang="en")
    assert "with 5 members, at least 10 years are needed" in en.message


# ---------------------------------------------------------------------------- files and CLI
def test_original_history_files_still_load():
    histories = load_history(DATA / "history.csv")
    h = histories["Cụm Trung du và miền núi phía Bắc"]
    assert h.single and isinstance(h.leaders[0], str) and h.chairs is not None
    assert h.events == () and h.vice_chairs is None


def test_bad_roles_and_rows_name_file_line_and_value(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("year,cluster,unit,role,n_members\n2020,X,a,chủ tịch,5\n", encoding="utf-8")
    with pytest.raises(HistoryError, match=r"h\.csv, line 2: role 'chủ tịch'"):
        load_history(path)
    path.write_text("year,cluster,unit,role,n_members\n2020,X,a,chair,5\n2020,X,b,chair,5\n",
                    encoding="utf-8")
    with pytest.raises(HistoryError, match="lines 2 and 3: cluster 'X' has two chairs"):
        load_history(path)
    path.write_text("year,cluster,leader,n_members\n2020,X,,5\n", encoding="utf-8")
    with pytest.raises(HistoryError, match=r"line 2: leader \(or chair\) must not be empty"):
        load_history(path)


def test_history_runs_without_a_table_in_either_language(withdrawal_file, capsys):
    from criteria_design.__main__ import main

    assert main(["--history", str(withdrawal_file)]) == 3
    out = capsys.readouterr().out
    assert "ROT005" in out and "bằng chứng trực tiếp" in out and "lich_su.csv" in out
    assert main(["--history", str(withdrawal_file), "--lang", "en"]) == 3
    assert "direct evidence" in capsys.readouterr().out
    assert main(["--scores", str(DATA / "scores.csv")]) == 2
