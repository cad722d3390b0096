"""Dissimilarity: great-circle km, z-scores, mixing weights, order, missing values."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from clustering.datasets import vietnam_provinces
from clustering.dissimilarity import (
    dissimilarity,
    great_circle_km,
    standardized_indicators,
)
from clustering.errors import IndicatorError
from clustering.units import UnitSet

KM_PER_DEGREE = 111.195  # 2 * pi * 6371.0088 km / 360, one degree of a great circle


def _three(x=(1.0, 2.0, 3.0), y=None, function=("A", "A", "B"), lons=(0.0, 1.0, 3.0)):
    """Three units on the equator; optional second indicator y (None = missing)."""
    units = []
    for i, uid in enumerate(("p", "q", "r")):
        indicators = {"x": x[i]}
        if y is not None:
            indicators["y"] = y[i]
        units.append({"id": uid, "name": uid, "lat": 0.0, "lon": lons[i],
                      "function": function[i], "indicators": indicators})
    return UnitSet(units)


# -- great-circle distance --------------------------------------------------------------


def test_one_degree_on_the_equator_and_along_a_meridian():
    d = great_circle_km(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    assert d[0, 1] == pytest.approx(KM_PER_DEGREE, rel=1e-5)
    assert d[0, 2] == pytest.approx(KM_PER_DEGREE, rel=1e-5)
    np.testing.assert_allclose(d, d.T)
    np.testing.assert_array_equal(np.diag(d), 0.0)


def test_antipodes_and_quarter_circle():
    d = great_circle_km(np.array([[90.0, 0.0], [-90.0, 0.0], [0.0, 90.0]]))
    assert d[0, 1] == pytest.approx(180 * KM_PER_DEGREE, rel=1e-5)
    assert d[0, 2] == pytest.approx(90 * KM_PER_DEGREE, rel=1e-5)


def test_matches_spherical_law_of_cosines():
    # An independent formula on arbitrary points (haversine vs law of cosines).
    pts = np.array([[21.0, 105.8], [10.8, 106.7], [16.05, 108.2], [-33.9, 151.2]])
    d = great_circle_km(pts)
    for i in range(len(pts)):
        for j in range(len(pts)):
            if i == j:
                continue
            (la1, lo1), (la2, lo2) = np.radians(pts[i]), np.radians(pts[j])
            cos_c = math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(
                lo2 - lo1
            )
            assert d[i, j] == pytest.approx(
                math.degrees(math.acos(cos_c)) * KM_PER_DEGREE, rel=1e-5
            )


def test_hanoi_to_ho_chi_minh_centroids():
    vn = vietnam_provinces(2025)
    d = great_circle_km(vn.coordinates())
    km = d[vn.index(vn.resolve("Hà Nội")), vn.index(vn.resolve("Hồ Chí Minh"))]
    # ~10 degrees of latitude apart, little longitude difference: about 1,100-1,200 km.
    assert 1050 < km < 1250


def test_bad_coordinate_shape_rejected():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        great_circle_km(np.array([1.0, 2.0, 3.0]))


# -- standardisation ----------------------------------------------------------------------


def test_standardisation_by_hand_on_three_units():
    # x = 1, 2, 3: mean 2, population standard deviation sqrt(2/3), z = -+sqrt(3/2).
    z = standardized_indicators(_three(), ["x"])
    np.testing.assert_allclose(z[:, 0], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)])


def test_standardisation_agrees_with_statistics_module():
    # z = (x - mean) / population standard deviation, as scikit-learn's StandardScaler.
    vn = vietnam_provinces(2025)
    names = ["grdp_per_capita", "urban_pct", "area_km2"]
    z = standardized_indicators(vn, names)
    for k, name in enumerate(names):
        raw = [u.indicators[name] for u in vn]
        mean, sd = statistics.fmean(raw), statistics.pstdev(raw)
        np.testing.assert_allclose(z[:, k], [(v - mean) / sd for v in raw], atol=1e-12)


def test_log_transform_then_standardise():
    s = _three(x=(1.0, math.e, math.e**2))  # logs 0, 1, 2
    z = standardized_indicators(s, ["x"], log=["x"])
    np.testing.assert_allclose(z[:, 0], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)])


@pytest.mark.parametrize("bad", [0.0, -4.0])
def test_log_of_non_positive_raises_naming_unit(bad):
    s = _three(x=(1.0, bad, 3.0))
    with pytest.raises(IndicatorError, match=rf"'x'.*'q'.*{bad}"):
        standardized_indicators(s, ["x"], log=["x"])
    with pytest.raises(IndicatorError, match="'q'"):
        dissimilarity(s, ["x"], log=["x"])


def test_log_of_an_indicator_not_chosen_rejected():
    with pytest.raises(IndicatorError, match="'y'"):
        standardized_indicators(_three(), ["x"], log=["y"])


def test_constant_indicator_rejected():
    with pytest.raises(IndicatorError, match=r"'x'.*constant"):
        standardized_indicators(_three(x=(5.0, 5.0, 5.0)), ["x"])


# -- mixing ---------------------------------------------------------------------------------


def test_mixing_is_weighted_average_of_max_scaled_components():
    # Indicator distances |z_i - z_j| scaled by their max: p-q 1/2, p-r 1, q-r 1/2.
    # Geography on the equator at lon 0, 1, 3, scaled by 3 degrees: 1/3, 1, 2/3.
    # Function A, A, B: mismatch 0, 1, 1.
    d = dissimilarity(_three(), ["x"], geography=0.3, category="function", category_weight=0.2)
    expected = np.array(
        [
            [0.0, 0.5 * 0.5 + 0.3 / 3, 0.5 + 0.3 + 0.2],
            [0.5 * 0.5 + 0.3 / 3, 0.0, 0.5 * 0.5 + 0.3 * 2 / 3 + 0.2],
            [1.0, 0.5 * 0.5 + 0.3 * 2 / 3 + 0.2, 0.0],
        ]
    )
    np.testing.assert_allclose(np.asarray(d), expected, atol=1e-12)
    assert d.weights == pytest.approx({"indicators": 0.5, "geography": 0.3, "category": 0.2})
    assert d.components["geography"][0, 1] == pytest.approx(KM_PER_DEGREE, rel=1e-5)


def test_explicit_weights_are_normalised_by_their_sum():
    d = dissimilarity(_three(), ["x"], geography=1.0, indicator_weight=1.0)
    assert d.matrix[0, 1] == pytest.approx((0.5 + 1 / 3) / 2)
    assert d.matrix[1, 2] == pytest.approx((0.5 + 2 / 3) / 2)


def test_geography_only_is_scaled_distance():
    d = dissimilarity(_three(), geography=1.0)
    np.testing.assert_allclose(d.matrix[0], [0.0, 1 / 3, 1.0])


def test_indicators_only_equals_scaled_euclidean_of_z_scores():
    vn = vietnam_provinces(2025)
    names = ["grdp_per_capita", "urban_pct"]
    z = standardized_indicators(vn, names)
    euclid = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    d = dissimilarity(vn, names)
    np.testing.assert_allclose(d.matrix, euclid / euclid.max(), atol=1e-12)
    assert d.matrix.max() == pytest.approx(1.0)


def test_bad_weights_rejected():
    s = _three()
    with pytest.raises(ValueError, match=r"geography=-0\.1"):
        dissimilarity(s, ["x"], geography=-0.1)
    with pytest.raises(ValueError, match="category"):
        dissimilarity(s, ["x"], category_weight=0.5)
    with pytest.raises(ValueError, match="weight"):
        dissimilarity(s)


# -- row order --------------------------------------------------------------------------------


def test_rows_follow_unit_set_ids():
    vn = vietnam_provinces(2025)
    names = ["grdp_per_capita", "urban_pct"]
    d = dissimilarity(vn, names, geography=0.5)
    assert d.ids == vn.ids and d.shape == (34, 34)
    reversed_ids = list(reversed(vn.ids))
    d_rev = dissimilarity(vn.subset(reversed_ids), names, geography=0.5)
    assert d_rev.ids == tuple(reversed_ids)
    # Same units, opposite order: the matrix is the same, permuted.
    np.testing.assert_allclose(d_rev.matrix, d.matrix[::-1, ::-1], atol=1e-12)
    hanoi, hue = d.ids.index("01"), d.ids.index("46")
    assert d.matrix[hanoi, hue] == d_rev.matrix[d_rev.ids.index("01"), d_rev.ids.index("46")]


def test_matrix_is_symmetric_with_zero_diagonal_in_unit_interval():
    vn = vietnam_provinces(2024)
    d = np.asarray(dissimilarity(vn, ["population", "grdp_per_capita"], log=["population"],
                                 geography=0.3, category="kind", category_weight=0.1))
    np.testing.assert_array_equal(d, d.T)
    np.testing.assert_array_equal(np.diag(d), 0.0)
    assert d.min() >= 0.0 and d.max() <= 1.0


# -- missing values ---------------------------------------------------------------------------


def test_missing_values_raise_naming_units():
    s = _three(y=(0.0, None, 4.0))
    with pytest.raises(IndicatorError, match=r"'y'.*\bq\b"):
        dissimilarity(s, ["x", "y"])


def test_pairwise_strategy_by_hand():
    # z_x = -sqrt(1.5), 0, sqrt(1.5); y present for p, r only: 0, 4 -> z_y = -1, 1.
    # p-q: x only, rescaled to 2 indicators: sqrt(1.5 * 2) = sqrt(3); q-r likewise.
    # p-r: sqrt((2 sqrt(1.5))^2 + 2^2) = sqrt(10), the largest.
    s = _three(y=(0.0, None, 4.0))
    d = dissimilarity(s, ["x", "y"], missing="pairwise")
    expected_raw = np.array(
        [[0, math.sqrt(3), math.sqrt(10)], [math.sqrt(3), 0, math.sqrt(3)],
         [math.sqrt(10), math.sqrt(3), 0]]
    )
    np.testing.assert_allclose(d.matrix, expected_raw / math.sqrt(10), atol=1e-12)


def test_pairwise_with_nothing_in_common_raises():
    s = UnitSet(
        [
            {"id": "p", "name": "p", "indicators": {"x": 1.0, "y": None}},
            {"id": "q", "name": "q", "indicators": {"x": None, "y": 2.0}},
            {"id": "r", "name": "r", "indicators": {"x": 3.0, "y": 5.0}},
        ]
    )
    with pytest.raises(IndicatorError, match="share no indicator"):
        dissimilarity(s, ["x", "y"], missing="pairwise")


def test_unknown_missing_strategy_rejected():
    with pytest.raises(ValueError, match="'impute'"):
        dissimilarity(_three(), ["x"], missing="impute")


def test_missing_category_label_raises_naming_unit():
    s = _three(function=("A", None, "B"))
    with pytest.raises(IndicatorError, match=r"'function'.*\bq\b"):
        dissimilarity(s, ["x"], category="function", category_weight=0.5)


def test_category_without_weight_is_refused_rather_than_ignored():
    with pytest.raises(ValueError, match=r"category='kind'.*weight"):
        dissimilarity(vietnam_provinces(2025), ["grdp"], category="kind")
