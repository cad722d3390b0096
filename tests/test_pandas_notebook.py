"""pandas frames and notebook tables of unit sets, plans, fairness reports and optimizer results."""

from __future__ import annotations

import math
import subprocess
import sys
import unicodedata

import numpy as np
import pytest

from clustering import MissingDependencyError, Plan, PlanError, UnitSet, fairness_report
from clustering.datasets import vietnam_provinces
from clustering.names import fold

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def provinces():
    return vietnam_provinces(2024)


@pytest.fixture(scope="module")
def regions(provinces):
    return Plan.from_attribute(provinces, "region", name="GSO regions")


@pytest.fixture(scope="module")
def result():
    import optimizer

    units = vietnam_provinces(2025).subset(["01", "31", "33", "24", "79", "92"])
    return optimizer.optimize(units, 2, size=(3, 3), contiguous=False)


def _hostile_set() -> UnitSet:
    return UnitSet(
        [
            {"id": "01", "name": "Hà Nội", "region": "north", "weight": 8.7,
             "indicators": {"x": 1.0, "y": 2.0}},
            {"id": "02", "name": "<script>alert(1)</script>", "region": "north",
             "indicators": {"x": None}},
            {"id": "03", "name": "Huế & Đà Nẵng", "lat": 16.4, "lon": 107.6,
             "indicators": {"x": 3.0}},
        ],
        edges=[("01", "02"), ("02", "03")],
        name="hostile",
    )


# -- Plan.from_labels with a pandas Series ---------------------------------------------

def test_plan_round_trips_through_a_shuffled_series(regions, provinces):
    frame = regions.to_frame()
    shuffled = frame.set_index("unit")["cluster"].sample(frac=1, random_state=7)
    assert list(shuffled.index) != list(provinces.ids)  # really out of order
    back = Plan.from_labels(provinces, shuffled)
    assert back.clusters == regions.clusters  # same names, same members
    assert back.same_partition(regions)


def test_a_shuffled_series_was_silently_wrong_by_position(regions, provinces):
    shuffled = regions.to_frame().set_index("unit")["cluster"].sample(frac=1, random_state=7)
    by_position = Plan.from_labels(provinces, shuffled.to_numpy())  # what the index prevents
    assert not by_position.same_partition(regions)


def test_a_series_indexed_by_names_without_diacritics_is_aligned(provinces, regions):
    frame = regions.to_frame()
    series = pd.Series(frame["cluster"].to_numpy(), index=[fold(n) for n in frame["name"]])
    assert "ha noi" in series.index
    assert Plan.from_labels(provinces, series.iloc[::-1]).clusters == regions.clusters


def test_a_range_index_is_taken_by_position(regions, provinces):
    series = regions.to_frame()["cluster"]  # RangeIndex 0 .. n-1
    assert isinstance(series.index, pd.RangeIndex)
    assert Plan.from_labels(provinces, series).clusters == regions.clusters


def test_a_shuffled_default_index_puts_each_row_back(regions, provinces):
    shuffled = regions.to_frame().sample(frac=1, random_state=3)["cluster"]
    assert list(shuffled.index) != list(range(len(provinces)))
    assert Plan.from_labels(provinces, shuffled).clusters == regions.clusters


def test_a_series_missing_a_unit_is_refused_naming_it(regions, provinces):
    series = regions.to_frame().set_index("unit")["cluster"].drop("01")
    with pytest.raises(PlanError, match=r"missing units: 01\b"):
        Plan.from_labels(provinces, series)


def test_a_series_repeating_or_not_knowing_a_unit_is_refused_naming_it(regions, provinces):
    series = regions.to_frame().set_index("unit")["cluster"]
    repeated = pd.concat([series.drop("79"), series.loc[["01"]]])
    with pytest.raises(PlanError, match=r"repeated units: 01.*missing units: 79"):
        Plan.from_labels(provinces, repeated)
    unknown = series.rename(index={"01": "Atlantis"})
    with pytest.raises(PlanError, match=r"unknown units: Atlantis.*missing units: 01"):
        Plan.from_labels(provinces, unknown)


def test_a_series_indexed_by_an_ambiguous_name_is_refused_naming_it():
    twins = UnitSet([{"id": "1", "name": "Tân Phú"}, {"id": "2", "name": "Tân Phú"},
                     {"id": "3", "name": "Huế"}])
    series = pd.Series(["a", "b", "a"], index=["Tân Phú", "2", "Huế"])
    with pytest.raises(PlanError, match=r"ambiguous names \(use ids\): Tân Phú.*missing units: 1"):
        Plan.from_labels(twins, series)


def test_a_whole_frame_is_refused_as_labels(regions, provinces):
    with pytest.raises(PlanError, match="one column"):
        Plan.from_labels(provinces, regions.to_frame().set_index("unit"))


def test_integer_labels_in_a_series_keep_the_default_names():
    s = UnitSet([{"id": i, "name": i} for i in "abc"])
    plan = Plan.from_labels(s, pd.Series([5, 9, 5], index=["c", "a", "b"]))
    assert plan.clusters == {"C1": ["a"], "C2": ["b", "c"]}


# -- to_frame: values against the objects --------------------------------------------------

def test_plan_frame_has_one_row_per_unit_in_order(regions, provinces):
    frame = regions.to_frame()
    assert list(frame.columns) == ["unit", "name", "cluster"]
    assert list(frame["unit"]) == list(provinces.ids)
    assert list(frame["name"]) == [u.name for u in provinces]
    assert frame["cluster"].value_counts().to_dict() == regions.sizes()
    for uid, cluster in zip(frame["unit"], frame["cluster"]):
        assert uid in regions.clusters[cluster]
    assert frame.attrs["name"] == "GSO regions"


def test_unit_set_frame_keeps_missing_figures_missing():
    units = _hostile_set()
    frame = units.to_frame()
    assert list(frame.columns) == ["id", "name", "kind", "function", "region", "weight",
                                   "lat", "lon", "x", "y"]
    assert list(frame["id"]) == ["01", "02", "03"]
    assert frame.loc[0, "weight"] == 8.7 and math.isnan(frame.loc[1, "weight"])
    assert math.isnan(frame.loc[1, "x"]) and frame.loc[2, "x"] == 3.0
    assert frame["y"].isna().tolist() == [False, True, True]  # absent, not invented
    assert pd.isna(frame.loc[2, "region"])
    assert frame.attrs["name"] == "hostile"


def test_unit_set_frame_matches_the_indicators(provinces):
    frame = provinces.to_frame()
    assert len(frame) == len(provinces)
    for name in provinces.indicator_names:
        np.testing.assert_array_equal(frame[name].to_numpy(),
                                      provinces.indicator(name, missing="nan"))
    np.testing.assert_array_equal(frame["weight"].to_numpy(), provinces.weights())
    np.testing.assert_array_equal(frame[["lat", "lon"]].to_numpy(), provinces.coordinates())


def test_fairness_frame_rows_and_totals_are_the_reports(regions, provinces):
    report = fairness_report(regions)
    frame = report.to_frame("en")
    assert list(frame.columns) == ["members", "population", "pieces", "award chance"]
    assert list(frame.index) == [*regions.cluster_names, "total"]
    clusters = frame.drop(index="total")
    # recomputed from the plan and the units, not read back from the report
    weights = provinces.weights()
    for name, members in regions.clusters.items():
        assert clusters.loc[name, "members"] == len(members)
        rows = [provinces.index(u) for u in members]
        assert clusters.loc[name, "population"] == pytest.approx(weights[rows].sum())
        assert clusters.loc[name, "award chance"] == pytest.approx(1 / len(members))
        assert clusters.loc[name, "pieces"] == 1
    total = frame.loc["total"]
    assert total["members"] == clusters["members"].sum() == len(provinces)
    assert total["population"] == pytest.approx(clusters["population"].sum())
    assert total["population"] == pytest.approx(weights.sum())
    assert total["pieces"] == clusters["pieces"].sum()
    assert math.isnan(total["award chance"])
    assert frame.attrs["summary"] == report.summary()
    assert frame.attrs["n_clusters"] == 6 and frame.attrs["contiguous"] is True


def test_fairness_frame_speaks_vietnamese_with_the_same_numbers(regions):
    report = fairness_report(regions)
    vi, en = report.to_frame(), report.to_frame("en")
    assert list(vi.columns) == ["số đơn vị", "dân số", "số mảnh", "cơ hội dẫn đầu"]
    assert vi.index[-1] == "tổng" and vi.index.name == "cụm"
    np.testing.assert_array_equal(vi.to_numpy(), en.to_numpy())


def test_fairness_frame_without_weights_has_no_weight_column(regions):
    frame = fairness_report(regions, weight=False).to_frame("en")
    assert list(frame.columns) == ["members", "pieces", "award chance"]


def test_optimize_result_frame_carries_the_proof(result):
    frame = result.to_frame()
    assert list(frame.columns) == ["unit", "name", "cluster"]
    assert frame["cluster"].value_counts().to_dict() == result.plan.sizes()
    assert frame.attrs["status"] == result.status == "optimal"
    assert frame.attrs["objective"] == result.objective
    assert frame.attrs["bound"] == result.bound and frame.attrs["gap"] == result.gap
    assert frame.attrs["method"] == result.method


def test_optimize_result_frame_without_a_plan_is_empty():
    import optimizer

    failed = optimizer.optimize(vietnam_provinces(2025), 6, size=(7, 9))
    frame = failed.to_frame()
    assert len(frame) == 0 and list(frame.columns) == ["unit", "name", "cluster"]
    assert frame.attrs["status"] == "infeasible" and frame.attrs["reasons"]


# -- _repr_html_ ---------------------------------------------------------------------------

def test_html_escapes_names_and_keeps_vietnamese_intact():
    units = _hostile_set()
    plan = Plan(units, {"<b>north</b>": ["01", "02"], "centre": ["03"]}, name="a<i>")
    for page in (units._repr_html_(), plan._repr_html_()):
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "Hà Nội" in page and unicodedata.is_normalized("NFC", page)
        assert "Huế &amp; Đà Nẵng" in page
    assert "&lt;b&gt;north&lt;/b&gt;" in plan._repr_html_() and "<b>" not in plan._repr_html_()
    assert "<i>" not in plan._repr_html_()
    report = fairness_report(plan)._repr_html_()
    assert "&lt;b&gt;north&lt;/b&gt;" in report and "<b>" not in report
    assert "<p>ghi chú: " in report  # the notes, escaped too


def test_plan_html_lists_each_cluster_with_its_members(regions):
    page = regions._repr_html_()
    assert page.count("<tr>") == 1 + regions.n_clusters  # the header, one row per cluster
    assert "Hà Nội (01)" in page and "GSO regions" in page


def test_report_and_result_html(regions, result):
    page = fairness_report(regions)._repr_html_()
    assert "số đơn vị" in page and "tổng" in page and "Hà Nội" not in page
    page = result._repr_html_()
    for word in ("status", "optimal", "objective", "bound", "gap", "method", "enumerate"):
        assert word in page
    assert "Hà Nội (01)" in page


def test_large_unit_sets_show_a_short_table():
    communes = vietnam_provinces(2025)
    page = communes._repr_html_()
    assert page.count("<tr>") == 1 + len(communes)  # 34 units: all shown
    big = UnitSet([{"id": str(i), "name": f"xã {i}"} for i in range(200)])
    assert "… and 140 more" in big._repr_html_()


# -- pandas stays optional -----------------------------------------------------------------

def test_import_clustering_does_not_import_pandas():
    code = ("import sys, clustering, clustering.plan, clustering.metrics, clustering.units; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_to_frame_without_pandas_says_how_to_install_it(monkeypatch, regions, result):
    monkeypatch.setitem(sys.modules, "pandas", None)
    calls = (regions.to_frame, regions.unit_set.to_frame, fairness_report(regions).to_frame,
             result.to_frame)
    for call in calls:
        with pytest.raises(MissingDependencyError, match=r"pip install pandas") as info:
            call()
        assert info.value.package == "pandas"
        assert not isinstance(info.value, ImportError)
    assert "<table>" in regions._repr_html_()  # notebooks need no pandas
