"""Unit and UnitSet: validation of every bad input, views in unit order."""

from __future__ import annotations

import math
import unicodedata
import warnings

import numpy as np
import pytest

from clustering.errors import IndicatorError, UnitSetError, UnknownNameError
from clustering.units import Unit, UnitSet


def _units(*ids: str, **fields) -> list[dict]:
    return [{"id": uid, "name": f"Unit {uid}", **fields} for uid in ids]


# -- bad input: each raises, naming the offending value ------------------------------


def test_duplicate_id_is_named():
    with pytest.raises(UnitSetError, match=r"duplicate unit id 'b'"):
        UnitSet(_units("a", "b", "c", "b"))


def test_empty_unit_set_rejected():
    with pytest.raises(UnitSetError, match="at least one unit"):
        UnitSet([])


def test_edge_to_unknown_id_is_named():
    with pytest.raises(UnitSetError, match=r"unknown unit id 'zz'"):
        UnitSet(_units("a", "b"), edges=[("a", "b"), ("b", "zz")])


def test_neighbour_list_naming_unknown_id_is_named():
    with pytest.raises(UnitSetError, match=r"'ghost'"):
        UnitSet(_units("a", "b"), neighbors={"a": ["b", "ghost"], "b": ["a"]})
    with pytest.raises(UnitSetError, match=r"'ghost'"):
        UnitSet(_units("a", "b"), neighbors={"ghost": ["a"], "a": [], "b": []})


def test_self_loop_in_edges_is_named():
    with pytest.raises(UnitSetError, match=r"self-loop on unit 'b'"):
        UnitSet(_units("a", "b"), edges=[("a", "b"), ("b", "b")])


def test_self_loop_in_neighbour_lists_is_named():
    with pytest.raises(UnitSetError, match=r"self-loop on unit 'a'"):
        UnitSet(_units("a", "b"), neighbors={"a": ["a", "b"], "b": ["a"]})


def test_asymmetric_neighbours_rejected_by_default():
    with pytest.raises(UnitSetError, match=r"asymmetric.*a->c"):
        UnitSet(_units("a", "b", "c"), neighbors={"a": ["b", "c"], "b": ["a"], "c": []})


def test_asymmetric_neighbours_kept_with_warning_under_union():
    with pytest.warns(UserWarning, match=r"a->c"):
        s = UnitSet(
            _units("a", "b", "c"),
            neighbors={"a": ["b", "c"], "b": ["a"], "c": []},
            asymmetric="union",
        )
    assert {frozenset(e) for e in s.graph.edges()} == {frozenset("ab"), frozenset("ac")}


def test_symmetric_neighbours_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = UnitSet(_units("a", "b"), neighbors={"a": ["b"], "b": ["a"]}, asymmetric="union")
    assert s.graph.number_of_edges() == 1


def test_bad_asymmetric_option_rejected():
    with pytest.raises(ValueError, match="'maybe'"):
        UnitSet(_units("a"), asymmetric="maybe")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_indicator_is_named(bad):
    units = _units("a", "b")
    units[1]["indicators"] = {"grdp": bad}
    with pytest.raises(UnitSetError, match=r"unit 'b'.*grdp.*(nan|inf)"):
        UnitSet(units)


def test_non_finite_indicator_rejected_on_unit_itself():
    with pytest.raises(ValueError, match="nan"):
        Unit(id="a", name="A", indicators={"x": float("nan")})


def test_negative_weight_is_named():
    units = _units("a", "b")
    units[0]["weight"] = -5
    with pytest.raises(UnitSetError, match=r"unit 'a'.*-5"):
        UnitSet(units)


@pytest.mark.parametrize(
    ("field", "value"), [("lat", 90.5), ("lat", -91.0), ("lon", 180.5), ("lon", -200.0)]
)
def test_coordinates_out_of_range_are_named(field, value):
    units = _units("a", "b", lat=10.0, lon=100.0)
    units[1][field] = value
    with pytest.raises(UnitSetError, match=rf"unit 'b'.*{field}.*{value}"):
        UnitSet(units)


def test_coordinate_bounds_are_inclusive():
    s = UnitSet([{"id": "p", "name": "Pole", "lat": -90.0, "lon": 180.0}])
    assert s.coordinates().tolist() == [[-90.0, 180.0]]


def test_unknown_unit_field_is_not_silently_dropped():
    with pytest.raises(UnitSetError, match="populaton"):
        UnitSet([{"id": "a", "name": "A", "populaton": 3}])


def test_edge_attributes_on_a_non_border_rejected():
    with pytest.raises(UnitSetError, match=r"\('a', 'c'\)"):
        UnitSet(_units("a", "b", "c"), edges=[("a", "b")], edge_attributes={("a", "c"): {"km": 1}})


# -- views ----------------------------------------------------------------------------


def test_ids_graph_and_matrices_follow_unit_order():
    s = UnitSet(_units("z", "a", "m"), edges=[("m", "z")])
    assert s.ids == ("z", "a", "m")
    assert list(s.graph.nodes) == ["z", "a", "m"]
    assert [s.index(u) for u in ("z", "a", "m")] == [0, 1, 2]
    expected = np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(s.adjacency_matrix(), expected)
    np.testing.assert_array_equal(s.edge_index_pairs(), [[0, 2]])


def test_neighbours_and_edges_give_the_same_graph():
    by_edges = UnitSet(_units("a", "b", "c", "d"), edges=[("a", "b"), ("c", "b"), ("c", "d")])
    by_lists = UnitSet(
        _units("a", "b", "c", "d"),
        neighbors={"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]},
    )
    as_sets = [{frozenset(e) for e in s.graph.edges()} for s in (by_edges, by_lists)]
    assert as_sets[0] == as_sets[1] == {frozenset("ab"), frozenset("bc"), frozenset("cd")}


def test_indicator_missing_raises_naming_units_or_gives_nan():
    s = UnitSet(
        [
            {"id": "a", "name": "A", "indicators": {"x": 1.0}},
            {"id": "b", "name": "B", "indicators": {"x": None}},
        ]
    )
    with pytest.raises(IndicatorError, match=r"'x'.*\bb\b"):
        s.indicator("x")
    values = s.indicator("x", missing="nan")
    assert values[0] == 1.0 and np.isnan(values[1])
    with pytest.raises(IndicatorError, match="'nope'"):
        s.indicator("nope")


def test_weights_from_unit_weight_or_indicator():
    s = UnitSet(
        [
            {"id": "a", "name": "A", "weight": 3, "indicators": {"pop": 30.0, "growth": -1.0}},
            {"id": "b", "name": "B", "weight": 4, "indicators": {"pop": 40.0, "growth": 2.0}},
        ]
    )
    assert s.weights().tolist() == [3.0, 4.0]
    assert s.weights("pop").tolist() == [30.0, 40.0]
    with pytest.raises(IndicatorError, match=r"'growth'.*'a'"):
        s.weights("growth")


def test_missing_weight_raises_naming_unit():
    s = UnitSet([{"id": "a", "name": "A", "weight": 1}, {"id": "b", "name": "B"}])
    with pytest.raises(IndicatorError, match=r"\bb\b"):
        s.weights()


def test_coordinates_missing_raise_naming_unit():
    s = UnitSet([{"id": "a", "name": "A", "lat": 1, "lon": 2}, {"id": "b", "name": "B"}])
    with pytest.raises(UnitSetError, match=r"\bb\b"):
        s.coordinates()


def test_labels_of_builtin_and_custom_attributes():
    s = UnitSet(
        [
            {"id": "a", "name": "A", "region": "N", "labels": {"bloc": "x"}},
            {"id": "b", "name": "B", "region": None},
        ]
    )
    assert s.labels_of("region") == ["N", None]
    assert s.labels_of("bloc") == ["x", None]
    with pytest.raises(UnitSetError, match="'colour'"):
        s.labels_of("colour")


def test_resolve_by_id_name_and_without_diacritics():
    s = UnitSet([{"id": "01", "name": "Hà Nội"}, {"id": "79", "name": "Hồ Chí Minh"}])
    assert s.resolve("79") == "79"
    assert s.resolve("Hồ Chí Minh") == "79"
    assert s.resolve("ho chi minh") == "79"
    assert s.resolve("HA NOI") == "01"
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert s.resolve(nfd) == "01"


def test_unknown_name_suggests_closest():
    s = UnitSet([{"id": "01", "name": "Hà Nội"}, {"id": "79", "name": "Hồ Chí Minh"}])
    with pytest.raises(UnknownNameError, match=r"'Ha Noii'.*Hà Nội") as info:
        s.resolve("Ha Noii")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_unknown_name_message_survives_duplicate_names():
    # Two different units share a name (common for Vietnamese communes): a typo must still
    # be reported as an unknown name, not as an ambiguity of the suggestion.
    s = UnitSet([{"id": "1", "name": "Tân Phú"}, {"id": "2", "name": "Tân Phú"}])
    with pytest.raises(UnknownNameError, match=r"no unit .*'Tân Phúx'") as info:
        s.resolve("Tân Phúx")
    assert "1" in str(info.value) and "2" in str(info.value)
    with pytest.raises(UnknownNameError, match="ambiguous"):
        s.resolve("Tan Phu")


def test_names_and_labels_stored_in_nfc():
    nfd = unicodedata.normalize("NFD", "Đồng bằng sông Hồng")
    u = Unit(id="01", name=unicodedata.normalize("NFD", "Hà Nội"), region=nfd, labels={"r": nfd})
    for text in (u.name, u.region, u.labels["r"]):
        assert text == unicodedata.normalize("NFC", text)
    assert u.name == "Hà Nội"


def test_subset_keeps_order_and_internal_borders():
    s = UnitSet(_units("a", "b", "c", "d"), edges=[("a", "b"), ("b", "c"), ("c", "d")],
                edge_attributes={("b", "c"): {"km": 7.0}})
    sub = s.subset(["c", "b", "d"])
    assert sub.ids == ("c", "b", "d")
    assert {frozenset(e) for e in sub.graph.edges()} == {frozenset("bc"), frozenset("cd")}
    assert sub.graph.edges["b", "c"]["km"] == 7.0
    with pytest.raises(UnitSetError, match="duplicate unit id 'c'"):
        s.subset(["c", "c"])


def test_complete_indicators_name_why_others_are_left_out():
    s = UnitSet(
        [
            {"id": "a", "name": "A", "indicators": {"x": 1.0, "gap": None, "flat": 2.0}},
            {"id": "b", "name": "B", "indicators": {"x": 3.0, "gap": 1.0, "flat": 2.0}},
        ]
    )
    usable, left_out = s.complete_indicators()
    assert usable == ["x"]
    assert left_out == ["flat (constant)", "gap (missing for 1 units)"]
