"""Plans: members by id or name, validation naming the offending value, JSON/CSV round trips."""

from __future__ import annotations

import csv
import json
import unicodedata

import numpy as np
import pytest

from clustering.datasets import vietnam_provinces
from clustering.errors import PlanError, UnknownNameError
from clustering.plan import Plan
from clustering.units import UnitSet


@pytest.fixture
def five() -> UnitSet:
    names = ["Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh"]
    ids = ["01", "31", "46", "48", "79"]
    return UnitSet(
        [{"id": i, "name": n, "region": r} for i, n, r in zip(ids, names, "NNCCS")]
    )


def test_members_by_id_name_and_without_diacritics(five):
    by_id = Plan(five, {"north": ["01", "31"], "rest": ["46", "48", "79"]})
    by_name = Plan(five, {"north": ["Hà Nội", "Hải Phòng"], "rest": ["Huế", "Đà Nẵng",
                                                                    "Hồ Chí Minh"]})
    plain = Plan(five, {"north": ["ha noi", "HAI PHONG"], "rest": ["Hue", "Da Nang",
                                                                  "Ho Chi Minh"]})
    nfd = Plan(five, {"north": [unicodedata.normalize("NFD", "Hà Nội"), "31"],
                      "rest": ["46", "48", "79"]})
    for plan in (by_id, by_name, plain, nfd):
        assert plan.clusters == {"north": ["01", "31"], "rest": ["46", "48", "79"]}
        assert plan.labels.tolist() == [0, 0, 1, 1, 1]
        assert plan.same_partition(by_id)


def test_members_stored_in_unit_order(five):
    plan = Plan(five, {"b": ["79", "01"], "a": ["48", "31", "46"]})
    assert plan.clusters == {"b": ["01", "79"], "a": ["31", "46", "48"]}
    assert plan.cluster_names == ["b", "a"]
    assert plan.labels.tolist() == [0, 1, 1, 1, 0]
    assert plan.sizes() == {"b": 2, "a": 3} and plan.n_clusters == 2
    assert plan.cluster_of("Ho Chi Minh") == "b"


def test_unknown_name_suggests_the_closest(five):
    with pytest.raises(UnknownNameError, match=r"cluster 'x'.*'Hai Phog'.*'Hải Phòng' \(id 31\)"):
        Plan(five, {"x": ["01", "Hai Phog"], "y": ["46", "48", "79"]})


def test_unknown_id_is_named(five):
    with pytest.raises(UnknownNameError, match="'99'"):
        Plan(five, {"x": ["01", "31", "99"], "y": ["46", "48", "79"]})


def test_missing_unit_is_named(five):
    with pytest.raises(PlanError, match=r"1 unit\(s\) in no cluster: '79' \(Hồ Chí Minh\)"):
        Plan(five, {"x": ["01", "31"], "y": ["46", "48"]})


def test_repeated_unit_across_clusters_is_named(five):
    with pytest.raises(PlanError, match=r"'46' \(Huế\) in clusters 'x' and 'y'"):
        Plan(five, {"x": ["01", "31", "46"], "y": ["Hue", "48", "79"]})


def test_repeated_unit_in_one_cluster_is_named(five):
    with pytest.raises(PlanError, match=r"'01' \(Hà Nội\) in cluster 'x' twice"):
        Plan(five, {"x": ["01", "Ha Noi", "31"], "y": ["46", "48", "79"]})


def test_empty_cluster_is_named(five):
    with pytest.raises(PlanError, match="cluster 'empty' is empty"):
        Plan(five, {"x": ["01", "31", "46", "48", "79"], "empty": []})


def test_members_as_a_string_rejected(five):
    with pytest.raises(PlanError, match="'01'"):
        Plan(five, {"x": "01"})


def test_cluster_names_normalised_and_unique(five):
    with pytest.raises(PlanError, match="used twice"):
        Plan(five, {"Miền Bắc": ["01", "31"],
                    unicodedata.normalize("NFD", "Miền Bắc"): ["46", "48", "79"]})


def test_from_labels_and_from_attribute(five):
    plan = Plan.from_labels(five, np.array([2, 2, 0, 0, 1]))
    assert plan.clusters == {"C1": ["01", "31"], "C2": ["46", "48"], "C3": ["79"]}
    named = Plan.from_labels(five, [0, 0, 1, 1, 1], cluster_names=["north", "rest"])
    assert named.clusters == {"north": ["01", "31"], "rest": ["46", "48", "79"]}
    with pytest.raises(PlanError, match=r"\[2\]"):
        Plan.from_labels(five, [0, 0, 1, 1, 2], cluster_names=["north", "rest"])
    with pytest.raises(PlanError, match="4 labels for 5 units"):
        Plan.from_labels(five, [0, 0, 1, 1])
    by_region = Plan.from_attribute(five, "region")
    assert by_region.same_partition(plan)
    assert by_region.clusters == {"N": ["01", "31"], "C": ["46", "48"], "S": ["79"]}


def test_from_attribute_refuses_missing_values():
    # 7 of the 34 units straddle two regions: region is missing, never guessed.
    with pytest.raises(PlanError, match="'region' is missing"):
        Plan.from_attribute(vietnam_provinces(2025), "region")


def test_same_partition_ignores_names_but_not_grouping(five):
    a = Plan(five, {"x": ["01", "31"], "y": ["46", "48", "79"]})
    b = Plan(five, {"p": ["46", "48", "79"], "q": ["01", "31"]})
    c = Plan(five, {"x": ["01", "31", "46"], "y": ["48", "79"]})
    assert a.same_partition(b) and not a.same_partition(c)


# -- input / output -------------------------------------------------------------------------


def test_json_round_trip_keeps_vietnamese_text(five, tmp_path):
    plan = Plan(five, {"Miền Bắc": ["Hà Nội", "31"], "Miền Trung và Nam": ["46", "48", "79"]},
                name="vùng", notes="thử nghiệm")
    path = tmp_path / "plan.json"
    plan.to_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["clusters"] == {"Miền Bắc": ["01", "31"], "Miền Trung và Nam": ["46", "48", "79"]}
    assert "Miền Bắc" in path.read_text(encoding="utf-8")  # not \\u-escaped
    again = Plan.read_json(path, five)
    assert again.clusters == plan.clusters
    assert (again.name, again.notes) == ("vùng", "thử nghiệm")


def test_csv_round_trip(five, tmp_path):
    plan = Plan(five, {"Miền Bắc": ["01", "31"], "Nam": ["46", "48", "79"]})
    path = tmp_path / "plan.csv"
    plan.to_csv(path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0] == {"cluster": "Miền Bắc", "unit_id": "01", "unit_name": "Hà Nội"}
    assert len(rows) == 5
    again = Plan.read_csv(path, five)
    assert again.clusters == plan.clusters


def test_hand_written_csv_by_name_without_diacritics(five, tmp_path):
    path = tmp_path / "hand.csv"
    path.write_text(
        "cluster,unit\nBac,Ha Noi\nBac,Hai Phong\nNam,Hue\nNam,Da Nang\nNam,Ho Chi Minh\n",
        encoding="utf-8",
    )
    assert Plan.read_csv(path, five).clusters == {"Bac": ["01", "31"], "Nam": ["46", "48", "79"]}


def test_hand_written_json_with_typo_suggests(five, tmp_path):
    path = tmp_path / "hand.json"
    path.write_text(
        json.dumps({"clusters": {"a": ["Ha Noi", "Hai Phong"], "b": ["Hue", "Da Nagn", "79"]}}),
        encoding="utf-8",
    )
    with pytest.raises(UnknownNameError, match="Đà Nẵng"):
        Plan.read_json(path, five)


def test_bad_plan_files_rejected(five, tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(PlanError, match="not valid JSON"):
        Plan.read_json(bad_json, five)
    bad_json.write_text('{"groups": {}}', encoding="utf-8")
    with pytest.raises(PlanError, match="'clusters'"):
        Plan.read_json(bad_json, five)
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("group,member\na,01\n", encoding="utf-8")
    with pytest.raises(PlanError, match="'cluster' column"):
        Plan.read_csv(bad_csv, five)
    bad_csv.write_text("cluster,unit\na,01\n,31\n", encoding="utf-8")
    with pytest.raises(PlanError, match=":3: empty"):
        Plan.read_csv(bad_csv, five)


@pytest.mark.parametrize("writer", ["to_json", "to_csv"])
def test_overwrite_refused_without_flag(five, tmp_path, writer):
    plan = Plan(five, {"all": list(five.ids)})
    path = tmp_path / "out"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        getattr(plan, writer)(path)
    assert path.read_text(encoding="utf-8") == "precious"
    getattr(plan, writer)(path, overwrite=True)
    assert path.read_text(encoding="utf-8") != "precious"


def test_real_region_plan_of_63_units(shared_rows):
    old = vietnam_provinces(2024)
    plan = Plan.from_attribute(old, "region")
    expected: dict[str, list[str]] = {}
    for r in shared_rows("vn_provinces_63.csv"):
        expected.setdefault(r["region_gso6"], []).append(r["id"])
    assert plan.clusters == expected


def test_plan_file_for_another_dataset_is_refused(tmp_path):
    new, old = vietnam_provinces(2025), vietnam_provinces(2024)
    path = tmp_path / "regions.json"
    Plan.from_attribute(old, "region").to_json(path)
    with pytest.raises(PlanError, match="vietnam-provinces-2024"):
        Plan.read_json(path, new)
