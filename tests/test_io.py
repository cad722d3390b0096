"""Loaders: CSV, JSON (both forms), records, DataFrame; one graph whatever the source."""

from __future__ import annotations

import csv
import json
import unicodedata

import pytest

from clustering.errors import UnitSetError
from clustering.io import from_dataframe, from_records, read_csv, read_edges_csv, read_json

# The four-unit fixture, written by hand in tests/data/foundation/.
EXPECTED_EDGES = {frozenset(p) for p in [("01", "02"), ("01", "03"), ("02", "03"), ("03", "04")]}
EXPECTED_NAMES = ("Hà Nội", "Bắc Ninh", "Hưng Yên", "Thanh Hóa")
EXPECTED_POPULATION = [8717600.0, 3619400.0, 3567900.0, 3760700.0]


def _edges(unit_set) -> set[frozenset]:
    return {frozenset(e) for e in unit_set.graph.edges()}


def _records_from_csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def loaded(foundation_dir):
    """The same four units through every loader."""
    d = foundation_dir
    records = _records_from_csv(d / "units.csv")
    no_neighbors = [{k: v for k, v in r.items() if k != "neighbors"} for r in records]
    edge_pairs, _ = read_edges_csv(d / "edges.csv")
    return {
        "csv neighbours": read_csv(d / "units.csv"),
        "csv + edge file": read_csv(d / "units_plain.csv", edges=d / "edges.csv"),
        "json list": read_json(d / "units_list.json"),
        "json object": read_json(d / "units_object.json"),
        "records neighbours": from_records(records),
        "records + edges": from_records(no_neighbors, edge_pairs),
    }


def test_every_loader_gives_the_same_units_and_graph(loaded):
    for source, s in loaded.items():
        assert s.ids == ("01", "02", "03", "04"), source
        assert tuple(u.name for u in s) == EXPECTED_NAMES, source
        assert _edges(s) == EXPECTED_EDGES, source
        assert s.indicator("population").tolist() == EXPECTED_POPULATION, source
        assert s["01"].kind == "city" and s["04"].region == "Centre", source
        assert (s["04"].lat, s["04"].lon) == (19.9, 105.4), source


def test_missing_cell_stays_missing(loaded):
    for source, s in loaded.items():
        grdp = s.indicator("grdp", missing="nan")
        assert grdp[0] == 1420309.0 and grdp[2] == 250000.0, source
        assert grdp[1] != grdp[1], source  # NaN: Bắc Ninh's empty cell was not imputed


def test_extra_columns_become_labels_or_indicators(foundation_dir):
    s = read_csv(foundation_dir / "units.csv")
    assert set(s.indicator_names) == {"population", "grdp"}
    assert s["01"].labels == {"note": "capital"}
    assert s["02"].labels == {}  # empty text cell: no label, not an empty string


def test_csv_edge_file_attributes_reach_the_graph(foundation_dir):
    s = read_csv(foundation_dir / "units_plain.csv", edges=foundation_dir / "edges.csv")
    assert s.graph.edges["01", "02"]["shared_border_km"] == 58.0
    assert s.graph.edges["04", "03"]["shared_border_km"] == 30.0


def test_json_object_keeps_name_and_provenance(foundation_dir):
    s = read_json(foundation_dir / "units_object.json")
    assert s.name == "four-units"
    assert s.provenance == "hand-made test fixture"


def test_weight_column_is_kept_as_indicator_too(foundation_dir):
    s = read_csv(foundation_dir / "units.csv", weight="population")
    assert s.weights().tolist() == EXPECTED_POPULATION
    assert s.indicator("population").tolist() == EXPECTED_POPULATION


def test_dataframe_loader_matches_csv(foundation_dir):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(foundation_dir / "units.csv", dtype={"id": str, "neighbors": str})
    s = from_dataframe(frame)
    assert s.ids == ("01", "02", "03", "04")
    assert _edges(s) == EXPECTED_EDGES
    assert s.indicator("population").tolist() == EXPECTED_POPULATION
    grdp = s.indicator("grdp", missing="nan")
    assert grdp[1] != grdp[1]  # pandas NaN -> missing, not a number
    assert s["01"].labels == {"note": "capital"}
    with_edges = from_dataframe(frame.drop(columns="neighbors"), [("01", "02"), ("03", "02")])
    assert _edges(with_edges) == {frozenset(("01", "02")), frozenset(("02", "03"))}


def test_dataframe_loader_rejects_other_types():
    with pytest.raises(TypeError, match="list"):
        from_dataframe([{"id": "a", "name": "A"}])


# -- Vietnamese names: NFC in, NFC out ----------------------------------------------


def test_names_round_trip_through_json_in_nfc(loaded, tmp_path):
    original = loaded["csv + edge file"]
    path = tmp_path / "units.json"
    path.write_text(json.dumps(original.to_records(), ensure_ascii=False), encoding="utf-8")
    again = read_json(path)
    assert tuple(u.name for u in again) == EXPECTED_NAMES
    assert _edges(again) == EXPECTED_EDGES
    assert again.indicator("grdp", missing="nan")[1] != again.indicator("grdp", missing="nan")[1]
    assert all(unicodedata.is_normalized("NFC", u.name) for u in again)


def test_names_round_trip_through_csv_in_nfc(loaded, tmp_path):
    original = loaded["csv neighbours"]
    path = tmp_path / "units.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "neighbors"])
        for r in original.to_records():
            writer.writerow([r["id"], r["name"], ";".join(r["neighbors"])])
    with open(path, encoding="utf-8") as fh:
        assert "Hưng Yên" in fh.read()  # written composed, readable as is
    again = read_csv(path)
    assert tuple(u.name for u in again) == EXPECTED_NAMES
    assert _edges(again) == EXPECTED_EDGES


def test_decomposed_input_comes_back_composed(tmp_path):
    nfd = {name: unicodedata.normalize("NFD", name) for name in EXPECTED_NAMES}
    assert all(nfd[n] != n for n in EXPECTED_NAMES)  # the input really is NFD
    path = tmp_path / "nfd.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "region", "note"])
        for i, name in enumerate(EXPECTED_NAMES):
            writer.writerow([f"0{i + 1}", nfd[name], nfd["Hà Nội"], nfd[name]])
    s = read_csv(path)
    assert tuple(u.name for u in s) == EXPECTED_NAMES
    assert s["02"].region == "Hà Nội"
    assert s["03"].labels["note"] == "Hưng Yên"
    assert s.resolve(nfd["Thanh Hóa"]) == "04"


# -- bad input through the loaders -----------------------------------------------------


def test_csv_nan_and_inf_cells_rejected_naming_the_value(tmp_path):
    for bad in ("nan", "inf"):
        path = tmp_path / f"{bad}.csv"
        path.write_text(f"id,name,grdp\n01,A,1\n02,B,{bad}\n", encoding="utf-8")
        with pytest.raises(UnitSetError, match=rf"'02'.*grdp.*{bad}"):
            read_csv(path)


def test_csv_negative_weight_rejected(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,name,weight\n01,A,-3\n", encoding="utf-8")
    with pytest.raises(UnitSetError, match=r"'01'.*-3"):
        read_csv(path)


def test_csv_bad_latitude_rejected(tmp_path):
    path = tmp_path / "lat.csv"
    path.write_text("id,name,lat,lon\n01,A,21,105\n02,B,210,105\n", encoding="utf-8")
    with pytest.raises(UnitSetError, match=r"'02'.*210"):
        read_csv(path)


def test_csv_non_numeric_coordinate_rejected(tmp_path):
    path = tmp_path / "lon.csv"
    path.write_text("id,name,lat,lon\n01,A,21,east\n", encoding="utf-8")
    with pytest.raises(UnitSetError, match=r"'01'.*lon.*'east'"):
        read_csv(path)


def test_csv_duplicate_id_rejected(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("id,name\n01,A\n02,B\n01,C\n", encoding="utf-8")
    with pytest.raises(UnitSetError, match=r"duplicate unit id '01'"):
        read_csv(path)


def test_csv_asymmetric_neighbours_rejected_then_kept_with_union(tmp_path):
    path = tmp_path / "asym.csv"
    path.write_text("id,name,neighbors\n01,A,02;03\n02,B,01\n03,C,\n", encoding="utf-8")
    with pytest.raises(UnitSetError, match="01->03"):
        read_csv(path)
    with pytest.warns(UserWarning, match="01->03"):
        s = read_csv(path, asymmetric="union")
    assert _edges(s) == {frozenset(("01", "02")), frozenset(("01", "03"))}


def test_edge_file_naming_unknown_unit_rejected(foundation_dir, tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text("id_a,id_b\n01,02\n03,99\n", encoding="utf-8")
    with pytest.raises(UnitSetError, match="'99'"):
        read_csv(foundation_dir / "units_plain.csv", edges=path)


def test_adjacency_given_twice_rejected(foundation_dir):
    records = _records_from_csv(foundation_dir / "units.csv")  # has a neighbors column
    with pytest.raises(UnitSetError, match="twice"):
        from_records(records, [("01", "02")])
    with pytest.raises(UnitSetError, match="twice"):
        read_csv(foundation_dir / "units.csv", edges=foundation_dir / "edges.csv")


def test_invalid_json_rejected(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UnitSetError, match="not valid JSON"):
        read_json(path)
    path.write_text('{"nodes": []}', encoding="utf-8")
    with pytest.raises(UnitSetError, match="'units'"):
        read_json(path)


def test_record_without_id_rejected():
    with pytest.raises(UnitSetError, match="#1 has no id"):
        from_records([{"id": "a", "name": "A"}, {"name": "B"}])


def test_codes_with_leading_zeros_stay_text_labels():
    s = from_records(
        [
            {"id": "a", "name": "A", "province_code": "01", "score": "1.5"},
            {"id": "b", "name": "B", "province_code": "12", "score": "2"},
        ]
    )
    assert s["a"].labels["province_code"] == "01"
    assert "province_code" not in s.indicator_names
    assert s.indicator("score").tolist() == [1.5, 2.0]


def test_a_column_named_weight_is_kept_when_another_column_is_the_weight():
    s = from_records(
        [
            {"id": "a", "name": "A", "pop": 10, "weight": 3},
            {"id": "b", "name": "B", "pop": 20, "weight": 4},
        ],
        weight="pop",
    )
    assert s.weights().tolist() == [10.0, 20.0]
    assert s.indicator("weight").tolist() == [3.0, 4.0]
