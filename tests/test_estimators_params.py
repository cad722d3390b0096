"""scikit-learn conventions of the estimators: parameters, inputs, ``n_iter_``; the rules path."""

import types

import numpy as np
import pytest
from sklearn.base import clone

from clustering.errors import FairclustersError, InfeasibleError, ParameterError
from clustering.estimators import (
    AZPLocalSearch,
    FunctionBlocs,
    SizeConstrainedKMeans,
    SpatialWard,
)
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet


def same_params(a: dict, b: dict) -> bool:
    """Parameter dicts equal, arrays compared by value and plans by partition."""
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if isinstance(value, np.ndarray) or isinstance(other, np.ndarray):
            if not np.array_equal(value, other):
                return False
        elif isinstance(value, Plan):  # clone copies plans: compare what they say
            if not (isinstance(other, Plan) and value.unit_set.ids == other.unit_set.ids
                    and value.same_partition(other)):
                return False
        elif value != other:
            return False
    return True


def path_units(n: int, weights=None) -> UnitSet:
    """``n`` units on a path ``0 - 1 - ... - n-1`` with one indicator ``x = i``."""
    units = [{"id": str(i), "name": f"U{i}", "indicators": {"x": float(i)},
              "weight": None if weights is None else float(weights[i])} for i in range(n)]
    return UnitSet(units, [(str(i), str(i + 1)) for i in range(n - 1)])


# -- fit leaves the parameters alone -------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda s: SpatialWard(4, geography=0.2),
        lambda s: SizeConstrainedKMeans(4, size=(10, 20), random_state=0),
        lambda s: AZPLocalSearch(4, size=(10, 20), random_state=0, max_iter=3),
        # n_clusters from the start plan: fit used to set it for the duration of fit
        lambda s: AZPLocalSearch(init=SpatialWard(4).fit(s).plan_, size=(5, 40), max_iter=3),
        lambda s: AZPLocalSearch(init=np.arange(len(s)) % 2, size=(10, 40), improve=False),
    ],
    ids=["ward", "kmeans", "azp", "azp-plan-init", "azp-label-init"],
)
def test_fit_does_not_change_parameters(make):
    s = planar_unit_set(60, seed=2)
    est = make(s)
    before = est.get_params()
    est.fit(s)
    assert same_params(est.get_params(), before)
    assert same_params(clone(est).get_params(), before)


def test_blocs_fit_does_not_change_parameters():
    units = [{"id": str(i), "name": f"U{i}", "function": "econ" if i < 6 else "soc",
              "indicators": {"x": float(i)}} for i in range(9)]
    est = FunctionBlocs(3, random_state=0)
    before = est.get_params()
    est.fit(UnitSet(units))
    assert same_params(est.get_params(), before)


def test_local_search_takes_k_from_the_start_without_storing_it():
    s = planar_unit_set(40, seed=1)
    start = SpatialWard(3).fit(s).plan_
    azp = AZPLocalSearch(init=start, size=(5, 30), max_iter=2).fit(s)
    assert azp.n_clusters is None and azp.n_clusters_ == 3 and azp.plan_.n_clusters == 3
    assert azp.rules_.n_clusters == 3


# -- n_iter_ -----------------------------------------------------------------------
def test_n_iter_counts_the_search():
    s = planar_unit_set(50, seed=3)
    searched = AZPLocalSearch(4, size=(8, 16), max_iter=5, random_state=0).fit(s)
    assert isinstance(searched.n_iter_, int) and searched.n_iter_ >= 1  # at least one sweep
    repair_only = AZPLocalSearch(4, size=(8, 16), improve=False).fit(s)
    assert repair_only.n_iter_ == 0
    km = SizeConstrainedKMeans(4, size=(8, 16), max_iter=7, random_state=0).fit(s)
    assert isinstance(km.n_iter_, int) and 1 <= km.n_iter_ <= 7


def test_n_iter_of_plain_descent_is_its_sweeps():
    # max_iter=0: no tabu step, so the count is the descent sweeps alone (>= 1: the
    # last sweep is the one that finds no improving move).
    s = planar_unit_set(40, seed=5)
    azp = AZPLocalSearch(4, size=(6, 14), max_iter=0, random_state=1).fit(s)
    assert 1 <= azp.n_iter_ <= azp.n_moves_ + 1


# -- array inputs ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("X", "words"),
    [
        (np.zeros(5), "X has shape (5,)"),
        (np.zeros((2, 3, 4)), "X has shape (2, 3, 4)"),
        (np.array([[0.0, 1.0], [np.nan, 2.0]]), "NaN"),
        (np.array([[0.0, 1.0], [np.inf, 2.0]]), "infinity"),
        ([["a", "b"], ["c", "d"]], "finite numbers"),
        (np.zeros((0, 2)), "0 sample"),
    ],
)
def test_bad_indicator_arrays_are_named(X, words):
    with pytest.raises(ParameterError, match=r"^X ") as info:
        SpatialWard(2).fit(X)
    assert words in str(info.value)
    assert info.value.fields == ("X",)


def test_bad_adjacency_and_weights_are_named():
    x = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ParameterError, match=r"adjacency has shape \(3, 3\); expected \(4, 4\)"):
        SpatialWard(2).fit(x, adjacency=np.eye(3))
    with pytest.raises(ParameterError, match=r"adjacency .*finite"):
        SpatialWard(2).fit(x, adjacency=np.full((4, 4), np.nan))
    bounds = {"weight_bounds": (1.0, 10.0)}
    with pytest.raises(ParameterError, match=r"sample_weight has shape \(3,\); expected \(4,\)"):
        SizeConstrainedKMeans(2, **bounds).fit(x, sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="sample_weight has negative values"):
        SizeConstrainedKMeans(2, **bounds).fit(x, sample_weight=[1.0, -2.0, 3.0, 4.0])
    with pytest.raises(ParameterError, match=r"sample_weight .*finite"):
        SizeConstrainedKMeans(2, **bounds).fit(x, sample_weight=[1.0, np.nan, 3.0, 4.0])


def test_array_input_still_works_with_sparse_adjacency():
    import scipy.sparse as sp

    x = np.array([[0.0], [0.0], [5.0], [5.0]])
    chain = sp.diags([np.ones(3), np.ones(3)], [1, -1], format="csr")
    ward = SpatialWard(2).fit(x, adjacency=chain)
    assert ward.labels_.tolist() == [0, 0, 1, 1]


# -- parameters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SpatialWard(0), "n_clusters=0; expected an integer >= 1"),
        (lambda: SpatialWard(True), "n_clusters=True; expected an integer >= 1"),
        (lambda: SpatialWard(3, geography=float("nan")),
         "geography=nan; expected a number in [0, 1]"),
        (lambda: SpatialWard(3, connectivity="yes"), "connectivity='yes'; expected a boolean"),
        (lambda: SpatialWard(3, random_state="seed"),
         "random_state='seed'; expected an integer seed or a RandomState or None"),
        (lambda: SizeConstrainedKMeans(3, time_limit=0),
         "time_limit=0; expected a number > 0"),
        (lambda: SizeConstrainedKMeans(3, size=(1.5, 4)),
         "size=(1.5, 4); expected a pair (min, max) of integers or None"),
        (lambda: SizeConstrainedKMeans(3, weight_bounds=5),
         "weight_bounds=5; expected a pair (min, max) of numbers or None"),
        (lambda: AZPLocalSearch(3, init="random"),
         "init='random'; expected one of 'auto', 'ward', 'kmeans', a Plan or an array of labels"),
        (lambda: AZPLocalSearch(3, tabu_length=-1), "tabu_length=-1; expected an integer >= 0"),
        (lambda: AZPLocalSearch(3, improve=1), "improve=1; expected a boolean"),
        (lambda: FunctionBlocs(3, attribute=7),
         "attribute=7; expected the name of a unit attribute"),
    ],
)
def test_bad_parameters_name_value_and_expectation(make, message):
    s = planar_unit_set(20, seed=0)
    est = make()
    with pytest.raises(FairclustersError) as info:
        est.fit(s)
    assert isinstance(info.value, ParameterError)
    assert message in str(info.value)
    assert str(info.value).startswith(type(est).__name__ + ": ")


def test_every_bad_parameter_is_reported_at_once():
    with pytest.raises(ParameterError) as info:
        AZPLocalSearch(0, max_iter=-2, geography=2).fit(planar_unit_set(20, seed=0))
    assert info.value.fields == ("n_clusters", "geography", "max_iter")
    assert [p.value for p in info.value.problems] == [0, 2, -2]


def test_numpy_numbers_are_accepted():
    s = planar_unit_set(30, seed=0)
    ward = SpatialWard(np.int64(3), geography=np.float64(0.25)).fit(s)
    assert ward.plan_.n_clusters == 3


def test_no_private_scikit_learn_validation():
    from pathlib import Path

    import clustering.estimators

    folder = Path(clustering.estimators.__file__).parent
    for path in folder.glob("*.py"):
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith(("#", "``")))
        assert "from sklearn.utils._param_validation" not in code, path.name


# -- clustering.dissimilarity is the module, and callable --------------------------------
def test_dissimilarity_is_a_callable_module():
    import clustering
    import clustering.dissimilarity as module
    from clustering import dissimilarity
    from clustering.datasets import vietnam_provinces
    from clustering.dissimilarity import dissimilarity as function

    assert isinstance(module, types.ModuleType)
    assert module is clustering.dissimilarity is dissimilarity
    assert callable(module.great_circle_km) and callable(function)
    vn = vietnam_provinces(2025)
    via_module = dissimilarity(vn, ["grdp_per_capita"], geography=0.3)
    via_function = function(vn, ["grdp_per_capita"], geography=0.3)
    np.testing.assert_array_equal(via_module.matrix, via_function.matrix)
    assert via_module.weights == via_function.weights and "geography" in via_module.weights


# -- the compiled rules: one weight tolerance --------------------------------------------
def test_weight_bounds_use_the_one_tolerance():
    # Six units on a path weighing about 1e8 each; the only plans of two contiguous
    # clusters of three weigh 3e8 + 0.1 each, above the upper bound 3e8 by less than
    # the shared slack (1e-9 * 3e8 = 0.3). plan_violations accepts them; so must the
    # search (which used to demand 1e-12 of the mean weight, and failed).
    weights = [1e8, 1e8 + 0.1, 1e8, 1e8, 1e8 + 0.1, 1e8]
    s = path_units(6, weights)
    rules = ClusterRules(n_clusters=2, weight_bounds=(3e8, 3e8), contiguous=True)
    slack = rules.compile(s).weight_slack
    assert slack == pytest.approx(0.3)
    for init in ("ward", "kmeans", "auto"):
        azp = AZPLocalSearch(2, weight_bounds=(3e8, 3e8), init=init, random_state=0).fit(s)
        assert azp.labels_.tolist() == [0, 0, 0, 1, 1, 1], init
        assert plan_violations(azp.plan_, rules) == []
        totals = [sum(weights[i] for i in range(6) if azp.labels_[i] == c) for c in (0, 1)]
        assert all(3e8 < t <= 3e8 + slack for t in totals)  # outside nominally, within slack


def test_weight_beyond_the_tolerance_is_refused():
    # The same path, but each half is 0.5 too heavy: beyond the slack, so no plan is valid.
    weights = [1e8, 1e8 + 0.5, 1e8, 1e8, 1e8 + 0.5, 1e8]
    with pytest.raises(InfeasibleError):
        AZPLocalSearch(2, weight_bounds=(3e8, 3e8), init="ward").fit(path_units(6, weights))


def test_plans_under_weight_bounds_follow_the_rules():
    s = planar_unit_set(80, seed=7)
    rules = ClusterRules.with_weight_tolerance(s, 5, 0.1, contiguous=True)
    azp = AZPLocalSearch(5, weight_bounds=rules.weight_bounds, max_iter=10,
                         random_state=0).fit(s)
    assert plan_violations(azp.plan_, rules) == [] and azp.violations_ == []
    compiled = rules.compile(s)
    for c in range(5):
        members = np.flatnonzero(azp.labels_ == c).tolist()
        assert compiled.bounds_ok(len(members), compiled.cluster_weight(members))
        assert compiled.connected(members)


def test_spanning_tree_split_follows_feature_distance_without_contiguity():
    # Four units, no contiguity: the minimum spanning tree in feature space joins 0-2 and
    # 1-3 (each 0.1 apart), so the only cut into pairs is {0, 2} | {1, 3}.
    from clustering.estimators.local_search import _best_split, _State

    units = [{"id": str(i), "name": str(i), "indicators": {"x": x}}
             for i, x in enumerate([0.0, 10.0, 0.1, 10.1])]
    s = UnitSet(units, [("0", "1"), ("1", "2"), ("2", "3")])
    compiled = ClusterRules(n_clusters=2, size=(2, 2), contiguous=False).compile(s)
    x = np.array([[0.0], [10.0], [0.1], [10.1]])
    state = _State(x, compiled, np.array([0, 0, 1, 1]), 2)
    sse, with_root, other = _best_split(state, 0b1111)
    assert (with_root, other) == ([0, 2], [1, 3])
    assert sse == pytest.approx(2 * 0.05**2 * 2)


def test_azp_time_limit_stops_the_search_and_a_repair_it_cannot_finish():
    units = planar_unit_set(60, seed=2)
    valid = AZPLocalSearch(4, size=(12, 18), random_state=0, max_iter=0).fit(units)
    # A limit already past: no descent or tabu step, the (valid) start comes back as it was.
    stopped = AZPLocalSearch(4, size=(12, 18), init=valid.plan_, time_limit=1e-9).fit(units)
    assert stopped.n_iter_ == 0 and stopped.plan_.same_partition(valid.plan_)
    # A start that needs repair, and no time to repair it: said so, not a broken plan.
    broken = np.arange(60) % 4  # scattered clusters
    with pytest.raises(InfeasibleError) as info:
        AZPLocalSearch(4, size=(12, 18), init=broken, time_limit=1e-9).fit(units)
    assert info.value.reason == "time_limit"
