"""Fairness metrics checked by hand on six units, and on the 63-unit GSO region plan."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest

from clustering.datasets import vietnam_provinces
from clustering.errors import IndicatorError
from clustering.metrics import (
    award_chance,
    cluster_pieces,
    cut_edges,
    fairness_report,
    mean_within,
    purity,
    size_stats,
    within_share,
)
from clustering.plan import Plan

KM_PER_DEGREE = 111.195  # one degree of a great circle (mean Earth radius 6371.0088 km)

# The hand example (fixture path6 in conftest.py): path a-b-c-d-e-f, lon 0..5 on the equator,
#   x = 1, 2, 4, 8, 16, 32   y = 1, 0, 0, 0, 0, 1   weight = 10, 20, 30, 40, 50, 100
#   function = econ, econ, social, social, social, econ
# Plan: P = {a, f}, Q = {b, c, d, e}.
#
# sizes 2, 4: min 2, max 4, ratio 2, mean 3, population std 1, CV 1/3
# weights P = 110, Q = 140: ratio 14/11, mean 125, std 15, CV 0.12
# x: mean 10.5, total SS 90.25+72.25+42.25+6.25+30.25+462.25 = 703.5;
#    P {1, 32} mean 16.5, SS 2 * 15.5^2 = 480.5; Q {2, 4, 8, 16} mean 7.5, SS 115;
#    1 - R^2 = 595.5 / 703.5
# y: P {1, 1} and Q {0, 0, 0, 0} are constant inside: 1 - R^2 = 0
# within pairs: (a,f) gap 5; (b,c) 1, (b,d) 2, (b,e) 3, (c,d) 1, (c,e) 2, (d,e) 1 -> 15 / 7 steps
# pieces: P = 2 (a and f are not adjacent), Q = 1; cut edges a-b and e-f = 2
# purity (function): P econ 2/2, Q social 3/4 -> 5/6 overall
# award chance 1/2 (P) and 1/4 (Q): ratio 2, population std 1/8
X_SHARE = 595.5 / 703.5
PLAN = {"P": ["a", "f"], "Q": ["b", "c", "d", "e"]}


@pytest.fixture
def plan(path6) -> Plan:
    return Plan(path6, PLAN, name="hand")


# -- the plain pieces -------------------------------------------------------------------------


def test_size_stats_by_hand():
    s = size_stats({"P": 2, "Q": 4})
    assert (s.min, s.max, s.ratio, s.by) == (2.0, 4.0, 2.0, "count")
    assert s.cv == pytest.approx(1 / 3)
    w = size_stats({"P": 110.0, "Q": 140.0}, by="weight")
    assert w.ratio == pytest.approx(14 / 11) and w.cv == pytest.approx(0.12)
    assert w.per_cluster == {"P": 110.0, "Q": 140.0}


def test_size_stats_with_an_empty_total_has_no_ratio():
    s = size_stats({"P": 0.0, "Q": 5.0})
    assert s.ratio is None and s.cv == pytest.approx(1.0)


def test_within_share_by_hand():
    labels = np.array([0, 1, 1, 1, 1, 0])
    assert within_share(np.array([1, 2, 4, 8, 16, 32.0]), labels) == pytest.approx(X_SHARE)
    assert within_share(np.array([1, 0, 0, 0, 0, 1.0]), labels) == pytest.approx(0.0)
    assert within_share(np.array([1, 2, 4, 8, 16, 32.0]), np.zeros(6)) == pytest.approx(1.0)
    with pytest.raises(IndicatorError, match="constant"):
        within_share(np.ones(6), labels)


def test_mean_within_by_hand():
    steps = np.abs(np.subtract.outer(np.arange(6), np.arange(6))).astype(float)
    assert mean_within(steps, np.array([0, 1, 1, 1, 1, 0])) == pytest.approx(15 / 7)
    assert mean_within(steps, np.arange(6)) is None  # all singletons: no pair


def test_pieces_and_cut_edges_by_hand(path6):
    assert cluster_pieces(path6.graph, PLAN) == {"P": 2, "Q": 1}
    cluster_of = {u: c for c, members in PLAN.items() for u in members}
    assert cut_edges(path6.graph, cluster_of) == 2


def test_purity_by_hand():
    categories = ["econ", "econ", "social", "social", "social", "econ"]
    overall, per_cluster = purity(categories, np.array([0, 1, 1, 1, 1, 0]))
    assert overall == pytest.approx(5 / 6)
    assert per_cluster == {0: 1.0, 1: 0.75}


def test_award_chance_by_hand():
    a = award_chance({"P": 2, "Q": 4})
    assert (a.min, a.max, a.ratio) == (0.25, 0.5, 2.0)
    assert a.std == pytest.approx(0.125)
    assert a.per_cluster == {"P": 0.5, "Q": 0.25}


# -- the report on the hand example ----------------------------------------------------------


def test_report_numbers_by_hand(plan):
    steps = np.abs(np.subtract.outer(np.arange(6), np.arange(6))).astype(float)
    r = fairness_report(plan, indicators=["x", "y"], dissimilarity=steps)
    assert (r.plan, r.n_units, r.n_clusters) == ("hand", 6, 2)
    assert (r.size_count.min, r.size_count.max, r.size_count.ratio) == (2, 4, 2)
    assert r.size_count.cv == pytest.approx(1 / 3)
    assert (r.size_weight.min, r.size_weight.max) == (110, 140)
    assert r.size_weight.ratio == pytest.approx(14 / 11)
    assert r.size_weight.cv == pytest.approx(0.12)
    assert r.homogeneity == pytest.approx({"x": X_SHARE, "y": 0.0})
    assert r.r2_overall == pytest.approx(1 - X_SHARE / 2)
    assert r.mean_within_dissimilarity == pytest.approx(15 / 7)
    assert r.contiguous is False and r.pieces == {"P": 2, "Q": 1}
    assert r.mean_within_km == pytest.approx(15 / 7 * KM_PER_DEGREE, rel=1e-5)
    assert r.cut_edges == 2
    assert (r.purity_attribute, r.purity) == ("function", pytest.approx(5 / 6))
    assert r.award_chance.ratio == 2.0 and r.award_chance.std == pytest.approx(0.125)


def test_report_default_dissimilarity_is_distance_of_z_scores(plan):
    # With x alone, |z_i - z_j| = |x_i - x_j| / sd; within gaps: 31 (P) and
    # 2 + 6 + 14 + 4 + 12 + 8 = 46 (Q), so the mean is 77 / 7 / sd, sd = sqrt(703.5 / 6).
    r = fairness_report(plan, indicators=["x"])
    assert r.mean_within_dissimilarity == pytest.approx(11 / math.sqrt(703.5 / 6))


def test_report_default_indicators_and_weights(path6, plan):
    r = fairness_report(plan)
    assert set(r.homogeneity) == {"x", "y"}
    assert r.size_weight is not None and r.size_weight.by == "weight"
    by_indicator = fairness_report(plan, weight="x")
    assert by_indicator.size_weight.per_cluster == {"P": 33.0, "Q": 30.0}
    assert fairness_report(plan, weight=False).size_weight is None


def test_report_on_a_contiguous_plan(path6):
    r = fairness_report(Plan(path6, {"L": ["a", "b", "c"], "R": ["d", "e", "f"]}))
    assert r.contiguous is True and r.pieces == {"L": 1, "R": 1} and r.cut_edges == 1
    # within gaps: 1, 2, 1 on each side -> 8 / 6 degrees
    assert r.mean_within_km == pytest.approx(8 / 6 * KM_PER_DEGREE, rel=1e-5)
    assert r.purity == pytest.approx(4 / 6)  # econ 2/3 left, social 2/3 right


def test_report_names_what_it_leaves_out():
    from clustering.units import UnitSet

    s = UnitSet(
        [
            {"id": "a", "name": "A", "indicators": {"x": 1.0, "gap": None, "flat": 2.0}},
            {"id": "b", "name": "B", "indicators": {"x": 3.0, "gap": 5.0, "flat": 2.0}},
        ],
        edges=[("a", "b")],
    )
    r = fairness_report(Plan(s, {"one": ["a"], "two": ["b"]}))
    assert set(r.homogeneity) == {"x"}
    joined = " ".join(r.notes)
    assert "gap (missing for 1 units)" in joined and "flat (constant)" in joined
    assert "weight is missing" in joined and "no distance metrics" in joined
    assert r.size_weight is None and r.mean_within_km is None
    with pytest.raises(IndicatorError, match="'gap'"):
        fairness_report(Plan(s, {"one": ["a"], "two": ["b"]}), indicators=["gap"])


def test_dissimilarity_of_wrong_shape_rejected(plan):
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        fairness_report(plan, dissimilarity=np.zeros((3, 3)))


def test_report_prints_and_converts(plan):
    r = fairness_report(plan, indicators=["x", "y"])
    text = r.to_text("en")  # str(r) is the same table in Vietnamese
    assert "Fairness of plan 'hand': 6 units in 2 clusters" in text
    assert "contiguous" in text and "1-R2 x" in text
    data = json.loads(json.dumps(r.to_dict()))
    assert data["cut_edges"] == 2 and data["pieces"] == {"P": 2, "Q": 1}
    summary = r.summary()
    assert summary["size max/min"] == 2 and summary["pieces"] == 3
    assert summary["contiguous"] is False


# -- the 63-unit GSO region plan --------------------------------------------------------------


@pytest.fixture(scope="module")
def regions():
    old = vietnam_provinces(2024)
    plan = Plan.from_attribute(old, "region", name="GSO regions")
    return plan, fairness_report(plan)


def test_region_plan_sizes_match_provenance(regions):
    plan, report = regions
    # PROVENANCE: 11 + 14 + 14 + 5 + 6 + 13 = 63.
    assert plan.sizes() == {
        "Đồng bằng sông Hồng": 11,
        "Trung du và miền núi phía Bắc": 14,
        "Bắc Trung Bộ và Duyên hải miền Trung": 14,
        "Tây Nguyên": 5,
        "Đông Nam Bộ": 6,
        "Đồng bằng sông Cửu Long": 13,
    }
    sizes = np.array([11, 14, 14, 5, 6, 13])
    assert (report.size_count.min, report.size_count.max) == (5, 14)
    assert report.size_count.ratio == pytest.approx(14 / 5)
    assert report.size_count.cv == pytest.approx(sizes.std() / sizes.mean())
    assert report.award_chance.ratio == pytest.approx(14 / 5)


def test_region_plan_is_contiguous(regions):
    plan, report = regions
    assert report.contiguous and set(report.pieces.values()) == {1}
    graph = plan.unit_set.graph
    assert all(nx.is_connected(graph.subgraph(m)) for m in plan.clusters.values())


def test_region_plan_homogeneity_recomputed_from_csv(regions, shared_rows):
    _, report = regions
    rows = shared_rows("vn_provinces_63.csv")
    regions_col = np.array([r["region_gso6"] for r in rows])
    for indicator, column in [("population", "population_2024"),
                              ("grdp_per_capita", "grdp_per_capita_2024_nso_mn_vnd")]:
        x = np.array([float(r[column]) for r in rows])
        # 1 - R^2 = within sum of squares / total, computed the other way round:
        # between = sum_c n_c (mean_c - mean)^2, within = total - between.
        total = ((x - x.mean()) ** 2).sum()
        between = sum(
            (regions_col == g).sum() * (x[regions_col == g].mean() - x.mean()) ** 2
            for g in set(regions_col)
        )
        assert report.homogeneity[indicator] == pytest.approx((total - between) / total)


def test_region_plan_weight_and_cut_edges_from_csv(regions, shared_rows):
    _, report = regions
    rows = shared_rows("vn_provinces_63.csv")
    region_of = {r["id"]: r["region_gso6"] for r in rows}
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["region_gso6"]] = totals.get(r["region_gso6"], 0.0) + float(r["population_2024"])
    assert report.size_weight.per_cluster == pytest.approx(totals)
    edges = shared_rows("vn_adjacency_63_edges.csv")
    assert report.cut_edges == sum(region_of[e["id_a"]] != region_of[e["id_b"]] for e in edges)


def test_report_accepts_one_indicator_name(regions):
    # A bare string is one indicator name, not a sequence of one-letter names.
    plan, report = regions
    single = fairness_report(plan, indicators="population")
    assert single.homogeneity == pytest.approx({"population": report.homogeneity["population"]})
