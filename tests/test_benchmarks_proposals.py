"""Proposal files: formats, name matching, and every kind of bad proposal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.proposals import DatasetError, load_dataset, read_proposal
from clustering.datasets import vietnam_provinces
from clustering.errors import PlanError, UnknownNameError

DATA = Path(__file__).parent / "data" / "benchmarks"
EXAMPLES = Path(__file__).parents[1] / "benchmarks" / "examples"


@pytest.fixture(scope="module")
def vn():
    return vietnam_provinces(2025)


def test_yaml_json_and_csv_give_the_same_plan(vn):
    from_json = read_proposal(DATA / "three_regions.json")
    from_csv = read_proposal(DATA / "three_regions.csv", vn)
    raw = json.loads((DATA / "three_regions.json").read_text(encoding="utf-8"))
    assert from_json.plan.clusters == {k: sorted(v) for k, v in raw["clusters"].items()}
    assert from_csv.plan.same_partition(from_json.plan)
    assert from_json.dataset == "vietnam-2025" and from_json.name == "North, centre, south"
    assert from_csv.name == "three_regions" and from_csv.dataset is None


def test_names_without_diacritics_match(vn):
    plan = read_proposal(EXAMPLES / "north_to_south.yaml").plan
    assert plan.cluster_of("79") == plan.cluster_of("Đồng Nai") == "Highlands and south-east"
    assert plan.cluster_of("Cà Mau") == "Mekong delta"


def test_examples_are_valid_partitions(vn):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        plan = read_proposal(path, vn).plan
        assert sorted(u for m in plan.clusters.values() for u in m) == sorted(vn.ids)


def test_region_example_follows_region_majority(vn):
    plan = read_proposal(EXAMPLES / "regions_majority.yaml").plan
    majority = dict(zip(vn.ids, vn.labels_of("region_majority")))
    for cluster, members in plan.clusters.items():
        assert {majority[u] for u in members} == {cluster}


def test_missing_unit(vn):
    with pytest.raises(PlanError, match=r"1 unit\(s\) in no cluster: '96' \(Cà Mau\)"):
        read_proposal(DATA / "missing_unit.yaml", vn)


def test_repeated_unit(vn):
    with pytest.raises(PlanError, match="more than once: '46' \\(Huế\\) in clusters 'North'"):
        read_proposal(DATA / "repeated_unit.yaml", vn)


def test_unknown_unit_suggests_closest_names(vn):
    with pytest.raises(UnknownNameError) as info:
        read_proposal(DATA / "unknown_unit.yaml", vn)
    message = str(info.value)
    assert "'Ho Chi Mihn'" in message and "Hồ Chí Minh" in message
    assert "unknown_unit.yaml" in message


def test_declared_dataset_must_match(vn):
    with pytest.raises(DatasetError, match="vietnam-2024"):
        read_proposal(DATA / "wrong_dataset.yaml", vn)


def test_unknown_dataset_suggests_names():
    with pytest.raises(DatasetError, match=r"unknown dataset 'vietnam-2052'.*vietnam-2025"):
        load_dataset("vietnam-2052")


def test_malformed_files(tmp_path, vn):
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("clusters: [unclosed", encoding="utf-8")
    with pytest.raises(PlanError, match="cannot be parsed"):
        read_proposal(bad_yaml, vn)
    extra_key = tmp_path / "extra.yaml"
    extra_key.write_text("name: x\nmembers: {}\nclusters: {}\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"unknown key\(s\) \['members'\]"):
        read_proposal(extra_key, vn)
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("clusters: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(PlanError, match="cannot be parsed"):
        read_proposal(unsafe, vn)
    with pytest.raises(FileNotFoundError):
        read_proposal(tmp_path / "absent.yaml", vn)
    with pytest.raises(PlanError, match="unknown proposal format"):
        read_proposal(_touch(tmp_path / "plan.txt"), vn)


def _touch(path: Path) -> Path:
    path.write_text("", encoding="utf-8")
    return path


def test_csv_needs_a_dataset():
    with pytest.raises(DatasetError, match="does not name its dataset"):
        read_proposal(DATA / "three_regions.csv")
