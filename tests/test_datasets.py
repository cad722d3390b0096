"""Built-in datasets checked against the curated CSVs (read with the csv module) and PROVENANCE."""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx
import numpy as np
import pytest
from conftest import SHARED_DATA, require_shared

from clustering.datasets import (
    merger_2025,
    merger_2025_plan,
    provenance,
    vietnam_communes,
    vietnam_provinces,
)
from clustering.errors import FairclustersError, IndicatorError


def _edge_set(rows, a="id_a", b="id_b") -> set[frozenset]:
    return {frozenset((r[a], r[b])) for r in rows}


def _graph_edges(unit_set) -> set[frozenset]:
    return {frozenset(e) for e in unit_set.graph.edges()}


# -- the shared data: present, or a failure on CI -------------------------------------


def test_missing_shared_data_skips_locally_and_fails_on_ci(monkeypatch):
    missing = "no_such_file_anywhere.csv"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not available"):
        require_shared(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_shared(missing)


def test_present_shared_data_is_returned_whatever_ci_says(monkeypatch):
    path = require_shared("vn_provinces_34.csv")  # skipped only where absent and not on CI
    monkeypatch.setenv("CI", "true")
    assert require_shared("vn_provinces_34.csv") == path == SHARED_DATA / "vn_provinces_34.csv"


# -- graphs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "n_units", "n_edges", "edge_file"),
    [(2025, 34, 58, "vn_adjacency_34_edges.csv"), (2024, 63, 135, "vn_adjacency_63_edges.csv")],
)
def test_province_graph_matches_shared_edge_file(year, n_units, n_edges, edge_file, shared_rows):
    s = vietnam_provinces(year)
    assert len(s) == s.graph.number_of_nodes() == n_units
    assert s.graph.number_of_edges() == n_edges
    assert nx.is_connected(s.graph)
    assert _graph_edges(s) == _edge_set(shared_rows(edge_file))


@pytest.mark.parametrize(
    ("year", "units_file"), [(2025, "vn_provinces_34.csv"), (2024, "vn_provinces_63.csv")]
)
def test_province_units_match_shared_file(year, units_file, shared_rows):
    rows = shared_rows(units_file)
    s = vietnam_provinces(year)
    assert list(s.ids) == [r["id"] for r in rows]
    assert [u.name for u in s] == [r["name_vi"] for r in rows]
    assert [u.kind for u in s] == [r["type"] for r in rows]
    np.testing.assert_array_equal(
        s.coordinates(), [[float(r["lat"]), float(r["lon"])] for r in rows]
    )
    # The neighbours column of the units file is a second, independent statement of the graph.
    from_lists = {frozenset((r["id"], n)) for r in rows for n in r["neighbors"].split(";")}
    assert _graph_edges(s) == from_lists


def test_border_lengths_are_edge_attributes(shared_rows):
    s = vietnam_provinces(2024)
    for r in shared_rows("vn_adjacency_63_edges.csv"):
        assert s.graph.edges[r["id_a"], r["id_b"]]["shared_border_km"] == float(
            r["shared_border_km"]
        )


def test_ids_are_strings_with_leading_zero():
    assert vietnam_provinces(2025).ids[0] == "01"
    assert "02" in vietnam_provinces(2024)


def test_unknown_year_rejected():
    with pytest.raises(FairclustersError, match="2023"):
        vietnam_provinces(2023)


# -- indicators -----------------------------------------------------------------------


def test_2024_indicators_read_from_the_right_columns(shared_rows):
    rows = shared_rows("vn_provinces_63.csv")
    s = vietnam_provinces(2024)
    for name, column in [
        ("population", "population_2024"),
        ("grdp", "grdp_2024_nso_bn_vnd"),
        ("grdp_per_capita", "grdp_per_capita_2024_nso_mn_vnd"),
        ("urban_pct", "urban_pct_2024"),
        ("density", "pop_density_2024"),
        ("area_km2_polygon", "area_km2_polygon"),
    ]:
        assert s.indicator(name).tolist() == [float(r[column]) for r in rows], name
    assert s.weights().tolist() == [float(r["population_2024"]) for r in rows]


def test_2025_weight_is_the_gso_population_series(shared_rows):
    rows = shared_rows("vn_provinces_34.csv")
    s = vietnam_provinces(2025)
    gso = [float(r["population_2024_gso_sum"]) for r in rows]
    official = [float(r["population_2025_official"]) for r in rows]
    assert s.weights().tolist() == gso
    assert s.indicator("population").tolist() == gso
    assert s.indicator("population_official_2025").tolist() == official
    assert s.indicator("grdp").tolist() == [float(r["grdp_2024_nso_bn_vnd"]) for r in rows]


def test_press_grdp_series_is_not_loaded():
    # PROVENANCE: the press-based GRDP columns are a different series; do not mix.
    for year in (2024, 2025):
        s = vietnam_provinces(year)
        for u in s:
            assert "grdp_2024_bn_vnd" not in u.labels and "grdp_2024_bn_vnd" not in u.indicators


def test_sum_of_63_nso_grdp_is_the_published_total(shared_rows):
    total = vietnam_provinces(2024).indicator("grdp").sum()
    rows = shared_rows("vn_provinces_63.csv")
    assert total == sum(float(r["grdp_2024_nso_bn_vnd"]) for r in rows)
    # GRDP_PROVENANCE.md: "Σ63 GRDP 2024 = 11,394,495 bn VND", summed before each row was
    # rounded to whole bn VND (the file's rows add up to 11,394,494): allow that rounding.
    assert total == pytest.approx(11_394_495, abs=63 * 0.5)
    # The 34-unit NSO column is derived from the same figures, so the totals agree.
    assert vietnam_provinces(2025).indicator("grdp").sum() == pytest.approx(total, abs=34 * 0.5)


def test_population_totals_match_provenance():
    # PROVENANCE sanity check 8: GSO national sum 2024 = 101,343,900.
    assert vietnam_provinces(2024).weights().sum() == 101_343_900
    assert vietnam_provinces(2025).weights().sum() == 101_343_900


def test_34_unit_sums_equal_constituents_through_the_mapping():
    old, new, mapping = vietnam_provinces(2024), vietnam_provinces(2025), merger_2025()
    for indicator in ("grdp", "population"):
        summed: dict[str, float] = defaultdict(float)
        for uid, value in zip(old.ids, old.indicator(indicator)):
            summed[mapping[uid]] += value
        for uid, value in zip(new.ids, new.indicator(indicator)):
            assert value == pytest.approx(summed[uid], abs=1.0), (indicator, uid)


def test_regions_of_the_63_units(shared_rows):
    s = vietnam_provinces(2024)
    counts = Counter(s.labels_of("region"))
    # PROVENANCE: 11 + 14 + 14 + 5 + 6 + 13 = 63.
    assert counts == {
        "Đồng bằng sông Hồng": 11,
        "Trung du và miền núi phía Bắc": 14,
        "Bắc Trung Bộ và Duyên hải miền Trung": 14,
        "Tây Nguyên": 5,
        "Đông Nam Bộ": 6,
        "Đồng bằng sông Cửu Long": 13,
    }


def test_straddling_2025_units_have_no_region():
    # PROVENANCE: 7 new units straddle two regions; their region is left empty, never guessed.
    s = vietnam_provinces(2025)
    straddling = {u.name for u in s if u.region is None}
    assert straddling == {
        "Bắc Ninh", "Phú Thọ", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Lâm Đồng", "Tây Ninh",
    }
    assert all(u.labels.get("region_majority") for u in s)


# -- merger mapping -------------------------------------------------------------------


def test_merger_maps_every_old_unit_to_one_new_unit(shared_rows):
    mapping = merger_2025()
    old, new = vietnam_provinces(2024), vietnam_provinces(2025)
    assert set(mapping) == set(old.ids)  # every old unit, each exactly once (a dict)
    assert set(mapping.values()) == set(new.ids)  # covers all 34
    rows = shared_rows("vn_merger_2025.csv")
    assert len(rows) == 63 and len({r["old_id"] for r in rows}) == 63
    assert mapping == {r["old_id"]: r["new_id"] for r in rows}


def test_merger_is_not_a_join_on_id(shared_rows):
    old, new, mapping = vietnam_provinces(2024), vietnam_provinces(2025), merger_2025()
    # PROVENANCE: 15 = Yên Bái (old) but Lào Cai (new); Yên Bái joined Lào Cai.
    assert old["15"].name == "Yên Bái" and new["15"].name == "Lào Cai"
    assert new[mapping[old.resolve("Yên Bái")]].name == "Lào Cai"
    assert new[mapping[old.resolve("Lào Cai")]].name == "Lào Cai"
    # Bắc Giang (old 24) joined Bắc Ninh (new 24); Long An (old 80) joined Tây Ninh (new 80).
    assert (old["24"].name, new[mapping["24"]].name) == ("Bắc Giang", "Bắc Ninh")
    assert (old["80"].name, new[mapping["80"]].name) == ("Long An", "Tây Ninh")
    # Through the mapping, the loaders' names agree with the merger file's names row by row.
    for r in shared_rows("vn_merger_2025.csv"):
        assert old[r["old_id"]].name == r["old_name_vi"]
        assert new[mapping[r["old_id"]]].name == r["new_name_vi"]


def test_merger_plan_groups_old_units_by_new_unit(shared_rows):
    plan = merger_2025_plan()
    assert plan.n_clusters == 34 and len(plan.unit_set) == 63
    expected: dict[str, set[str]] = defaultdict(set)
    for r in shared_rows("vn_merger_2025.csv"):
        expected[r["new_name_vi"]].add(r["old_id"])
    assert {c: set(m) for c, m in plan.clusters.items()} == expected
    # merged_from in the 34-unit file says the same from the other side.
    rows_34 = shared_rows("vn_provinces_34.csv")
    by_new_id = {r["id"]: set(r["merged_from"].split(";")) for r in rows_34}
    new = vietnam_provinces(2025)
    assert {new.resolve(c): set(m) for c, m in plan.clusters.items()} == by_new_id


def test_loaders_return_independent_objects():
    # Callers may modify a returned graph or mapping; the next call must not see it.
    first = vietnam_provinces(2025)
    first.graph.remove_edge("01", "19")
    assert vietnam_provinces(2025).graph.number_of_edges() == 58
    mapping = merger_2025()
    mapping["01"] = "tampered"
    assert merger_2025()["01"] == "01"


# -- communes ---------------------------------------------------------------------------


def test_communes_graph_and_missing_population(shared_rows):
    rows = shared_rows("communes/communes_2025.csv")
    edges = shared_rows("communes/communes_2025_edges.csv")
    s = vietnam_communes()
    assert len(s) == len(rows) == 3321
    assert s.graph.number_of_edges() == len(edges) == 9273
    assert _graph_edges(s) == _edge_set(edges)
    population = s.indicator("population", missing="nan")
    empty = {r["id"] for r in rows if not r["population"].strip()}
    assert len(empty) == 73
    assert {uid for uid, p in zip(s.ids, population) if np.isnan(p)} == empty
    with pytest.raises(IndicatorError, match="73 unit"):
        s.indicator("population")
    with pytest.raises(IndicatorError, match="missing for 73"):
        s.weights()


def test_communes_of_one_province_by_name(shared_rows):
    rows = shared_rows("communes/communes_2025.csv")
    hanoi_ids = [r["id"] for r in rows if r["province_id"] == "01"]
    hanoi = vietnam_communes("Ha Noi")
    assert list(hanoi.ids) == hanoi_ids
    inside = {
        frozenset((r["id_a"], r["id_b"]))
        for r in shared_rows("communes/communes_2025_edges.csv")
        if r["id_a"] in set(hanoi_ids) and r["id_b"] in set(hanoi_ids)
    }
    assert _graph_edges(hanoi) == inside


# -- provenance -------------------------------------------------------------------------


def test_provenance_is_reachable_and_warns_about_population_series():
    overview = provenance()
    assert "population_2025_official" in overview and "population_2024_gso_sum" in overview
    assert "Two population series" in overview
    assert "vn_merger_2025" in provenance("provinces")
    assert "11,394,495" in provenance("grdp63")
    assert provenance("communes")
    with pytest.raises(FairclustersError, match="'nope'"):
        provenance("nope")


def test_unit_sets_name_their_provenance():
    assert "provenance" in vietnam_provinces(2025).provenance
