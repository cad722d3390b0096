r"""Dissimilarity between units: economy (indicators), geography and function.

The combined dissimilarity follows ClustGeo's idea of mixing several spaces
with user weights. Each component is first scaled to ``[0, 1]`` by its largest
entry, so that the weights compare like with like:

.. math::

    D = \frac{w_x D_x / \max D_x + w_g D_g / \max D_g + w_c D_c}{w_x + w_g + w_c}

where :math:`D_x` is the Euclidean distance between standardised indicators,
:math:`D_g` the great-circle distance in km and :math:`D_c` the 0/1 mismatch of
a category (function, kind or region). Row ``i`` and column ``i`` of every
matrix refer to unit ``unit_set.ids[i]``.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .errors import IndicatorError
from .units import UnitSet

__all__ = [
    "EARTH_RADIUS_KM",
    "SKEW_FOR_LOG",
    "Dissimilarity",
    "border_hops",
    "category_mismatch",
    "default_indicators",
    "dissimilarity",
    "great_circle_km",
    "standardized_indicators",
]

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
#: Positive indicators whose sample skewness exceeds this are logged by default.
SKEW_FOR_LOG = 1.0


def great_circle_km(coordinates: np.ndarray, other: np.ndarray | None = None) -> np.ndarray:
    """Great-circle distances (haversine) between ``(lat, lon)`` rows, in km.

    Pairwise among the rows of ``coordinates``, or, given ``other``, from each
    row of ``coordinates`` to each row of ``other`` (shape ``(n, m)``).

    Examples
    --------
    >>> d = great_circle_km(np.array([[0.0, 0.0], [0.0, 1.0]]))
    >>> round(float(d[0, 1]), 1)
    111.2
    >>> great_circle_km(np.array([[0.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])).shape
    (1, 2)
    """
    a = _lat_lon_radians(coordinates)
    b = a if other is None else _lat_lon_radians(other)
    dlat = a[:, 0][:, None] - b[:, 0][None, :]
    dlon = a[:, 1][:, None] - b[:, 1][None, :]
    h = (np.sin(dlat / 2) ** 2
         + np.cos(a[:, 0])[:, None] * np.cos(b[:, 0])[None, :] * np.sin(dlon / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _lat_lon_radians(coordinates: np.ndarray) -> np.ndarray:
    coordinates = np.asarray(coordinates, dtype=float)
    if coordinates.ndim != 2 or coordinates.shape[1] != 2:
        raise ValueError(f"expected an (n, 2) array of (lat, lon), got shape {coordinates.shape}")
    return np.radians(coordinates)


def standardized_indicators(
    unit_set: UnitSet,
    indicators: Sequence[str],
    *,
    log: Sequence[str] = (),
    missing: Literal["raise", "keep"] = "raise",
) -> np.ndarray:
    """Indicators as z-scores, one column per indicator, rows in unit order.

    Parameters
    ----------
    unit_set : UnitSet
        The units; rows follow ``unit_set.ids``.
    indicators : sequence of str
        Indicator names.
    log : sequence of str
        Indicators to log-transform before standardising (all values must be > 0);
        useful for skewed sizes such as GRDP or population.
    missing : {"raise", "keep"}
        ``"raise"`` refuses missing figures; ``"keep"`` leaves them as NaN (the
        mean and standard deviation then use the figures present).

    Raises
    ------
    IndicatorError
        Unknown or missing indicator, non-positive value under ``log``, or a
        constant indicator (it cannot be standardised).
    """
    if isinstance(indicators, str):
        indicators = [indicators]
    if not indicators:
        raise IndicatorError("no indicators given; name at least one")
    unknown_log = [name for name in log if name not in indicators]
    if unknown_log:
        raise IndicatorError(f"log= names {unknown_log}, which are not among {list(indicators)}")
    columns = []
    for name in indicators:
        values = unit_set.indicator(name, missing="raise" if missing == "raise" else "nan")
        if name in log:
            if np.nanmin(values) <= 0:
                bad = unit_set.ids[int(np.nanargmin(values))]
                raise IndicatorError(
                    f"log transform of {name!r} needs positive values; unit {bad!r} has "
                    f"{np.nanmin(values)!r}"
                )
            values = np.log(values)
        # Scale by the largest magnitude first: the variance of figures near 1e300
        # overflows to inf and every z-score would become 0 (an all-zero dissimilarity).
        scale = np.nanmax(np.abs(values)) if np.any(~np.isnan(values)) else 0.0
        if scale > 0:
            values = values / scale
        spread = np.nanstd(values)
        if not spread > 0:
            raise IndicatorError(f"indicator {name!r} is constant: it cannot be standardised")
        z = (values - np.nanmean(values)) / spread
        if not np.all(np.isfinite(z[~np.isnan(values)])):
            raise IndicatorError(
                f"indicator {name!r} cannot be standardised: its figures (largest magnitude "
                f"{scale!r}) give non-finite z-scores"
            )
        columns.append(z)
    return np.column_stack(columns)


def _skewness(values: np.ndarray) -> float:
    """Sample skewness ``m3 / m2**1.5`` (the biased moment estimator; 0 when constant)."""
    centred = values - values.mean()
    m2 = float((centred**2).mean())
    return float((centred**3).mean() / m2**1.5) if m2 > 0 else 0.0


def default_indicators(unit_set: UnitSet) -> tuple[list[str], list[str]]:
    """Indicators used by default, and those of them to log-transform.

    Every indicator known for all units and not constant is used
    (:meth:`UnitSet.complete_indicators`; a missing figure is never imputed, so
    an incomplete indicator is left out). An indicator is log-transformed when
    all its values are positive and its sample skewness exceeds
    :data:`SKEW_FOR_LOG`: sizes such as population or GRDP span orders of
    magnitude, and on a linear scale the one or two largest units would
    dominate every distance.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> used, logged = default_indicators(vietnam_provinces(2025))
    >>> "grdp_per_capita" in used, "population" in logged
    (True, True)
    """
    used, _ = unit_set.complete_indicators()
    if not used:
        raise IndicatorError(
            "no indicator is complete and non-constant over the units; pass a dissimilarity"
        )
    logged = []
    for name in used:
        values = unit_set.indicator(name)
        if values.min() > 0 and _skewness(values) > SKEW_FOR_LOG:
            logged.append(name)
    return used, logged


def _pairwise_euclidean(z: np.ndarray) -> np.ndarray:
    """Euclidean distances; with NaN, over the columns both rows have, rescaled to all columns."""
    present = ~np.isnan(z)
    filled = np.where(present, z, 0.0)
    both = present[:, None, :] & present[None, :, :]
    squared = ((filled[:, None, :] - filled[None, :, :]) ** 2 * both).sum(axis=2)
    shared = both.sum(axis=2)
    if (shared == 0).any():
        i, j = np.argwhere(shared == 0)[0]
        raise IndicatorError(f"units #{i} and #{j} share no indicator value to compare")
    return np.sqrt(squared * z.shape[1] / shared)


def category_mismatch(unit_set: UnitSet, attribute: str = "function") -> np.ndarray:
    """``1`` where two units differ in ``attribute`` (e.g. ``"function"``), else ``0``.

    A missing label is not a label: units without one raise an error naming them.
    """
    labels = unit_set.labels_of(attribute)
    absent = [uid for uid, lab in zip(unit_set.ids, labels) if lab is None]
    if absent:
        raise IndicatorError(f"category {attribute!r} is missing for unit(s) {', '.join(absent)}")
    values = np.array(labels, dtype=object)
    return (values[:, None] != values[None, :]).astype(float)


def border_hops(unit_set: UnitSet) -> np.ndarray:
    """``h[i, j]``: the fewest borders crossed on a way from unit ``i`` to unit ``j``.

    The graph distance over the unit set's borders, a measure of compactness
    that needs no coordinates: clusters of units few borders apart cut few
    borders between clusters. Units that no chain of borders joins (islands
    not linked) are ``n`` apart, farther than any two that one joins.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> path = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
    ...                [("0", "1"), ("1", "2"), ("2", "3")])
    >>> border_hops(path)[0].tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    from scipy.sparse.csgraph import shortest_path

    hops = shortest_path(unit_set.adjacency_matrix().astype(float), unweighted=True)
    hops[~np.isfinite(hops)] = len(unit_set)
    return hops


@dataclass(frozen=True)
class Dissimilarity:
    """An ``n x n`` dissimilarity with the unit order and how it was made.

    ``numpy.asarray(d)`` gives the matrix; row ``i`` is unit ``ids[i]``.
    """

    matrix: np.ndarray
    ids: tuple[str, ...]
    weights: dict[str, float] = field(default_factory=dict)
    components: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self.matrix if dtype is None else self.matrix.astype(dtype)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape


def _scaled(matrix: np.ndarray) -> np.ndarray:
    top = matrix.max()
    return matrix / top if top > 0 else matrix


def dissimilarity(
    unit_set: UnitSet,
    indicators: Sequence[str] | None = None,
    *,
    log: Sequence[str] = (),
    geography: float = 0.0,
    category: str | None = None,
    category_weight: float = 0.0,
    indicator_weight: float | None = None,
    missing: Literal["raise", "pairwise"] = "raise",
) -> Dissimilarity:
    """Combined dissimilarity of economy, geography and function.

    Parameters
    ----------
    unit_set : UnitSet
        The units; rows and columns follow ``unit_set.ids``.
    indicators : sequence of str, optional
        Indicators compared after standardisation (z-scores). ``None`` or empty:
        no indicator component.
    log : sequence of str
        Indicators to log-transform first.
    geography : float, default 0
        Weight of the great-circle distance, ClustGeo's mixing parameter
        ``alpha`` when only indicators and geography are mixed.
    category : str, optional
        Categorical attribute for the mismatch component (``"function"``,
        ``"kind"``, ``"region"`` or a label name).
    category_weight : float, default 0
        Weight of the category mismatch.
    indicator_weight : float, optional
        Weight of the indicator component; default ``1 - geography -
        category_weight`` (so the three weights sum to 1).
    missing : {"raise", "pairwise"}
        Missing indicator figures raise by default. ``"pairwise"`` compares
        two units on the indicators both have (distance rescaled to all
        indicators), an explicit choice the caller makes.

    Returns
    -------
    Dissimilarity
        ``.matrix`` is ``n x n``, symmetric, zero on the diagonal, in ``[0, 1]``;
        row ``i`` is ``unit_set.ids[i]``.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> d = dissimilarity(vn, ["grdp_per_capita", "urban_pct"], geography=0.4)
    >>> d.shape, d.ids[0], d.weights["geography"]
    ((34, 34), '01', 0.4)
    """
    for label, w in (("geography", geography), ("category_weight", category_weight)):
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"{label}={w!r}; expected a finite weight >= 0")
    if indicator_weight is None:
        indicator_weight = 1.0 - geography - category_weight if indicators else 0.0
    if not np.isfinite(indicator_weight) or indicator_weight < -1e-12:
        raise ValueError(
            f"indicator_weight={indicator_weight!r}; weights must be >= 0 "
            f"(geography={geography}, category_weight={category_weight} leave nothing)"
        )
    indicator_weight = max(indicator_weight, 0.0)
    if indicators and indicator_weight == 0:
        raise ValueError("indicators are given but their weight is 0")
    if not indicators and indicator_weight > 0:
        raise ValueError(f"indicator_weight={indicator_weight} but no indicators are given")
    if category_weight > 0 and category is None:
        raise ValueError("category_weight > 0 needs a category attribute (e.g. 'function')")
    if category is not None and category_weight == 0:
        raise ValueError(
            f"category={category!r} is given but category_weight is 0; give it a weight > 0"
        )
    if missing not in ("raise", "pairwise"):
        raise ValueError(f"missing={missing!r}; expected 'raise' or 'pairwise'")
    total = indicator_weight + geography + category_weight
    if total <= 0:
        raise ValueError("all weights are 0: give indicators, geography or a category")

    components: dict[str, np.ndarray] = {}
    weights: dict[str, float] = {}
    if indicators:
        z = standardized_indicators(
            unit_set, indicators, log=log, missing="raise" if missing == "raise" else "keep"
        )
        components["indicators"] = _pairwise_euclidean(z)
        weights["indicators"] = indicator_weight
    if geography > 0:
        components["geography"] = great_circle_km(unit_set.coordinates())
        weights["geography"] = geography
    if category_weight > 0:
        components["category"] = category_mismatch(unit_set, category)  # type: ignore[arg-type]
        weights["category"] = category_weight
    matrix = sum(weights[k] * _scaled(components[k]) for k in components) / total
    matrix = (matrix + matrix.T) / 2  # exact symmetry despite rounding
    np.fill_diagonal(matrix, 0.0)
    return Dissimilarity(matrix=matrix, ids=unit_set.ids, weights=weights, components=components)


class _CallableModule(types.ModuleType):
    """This module, callable as its main function :func:`dissimilarity`.

    ``clustering`` exposes the module as ``clustering.dissimilarity``, so that
    ``import clustering.dissimilarity`` and attribute access such as
    ``clustering.dissimilarity.great_circle_km`` work; calling it, as in
    ``from clustering import dissimilarity; dissimilarity(units, ...)``, runs the
    function (the documented customisation of a module's class).

    Examples
    --------
    >>> import clustering.dissimilarity as module
    >>> from clustering.datasets import vietnam_provinces
    >>> callable(module), module(vietnam_provinces(2025), geography=1.0).matrix.shape
    (True, (34, 34))
    """

    def __call__(self, *args: object, **kwargs: object) -> Dissimilarity:
        """Call :func:`dissimilarity` with the same arguments."""
        return dissimilarity(*args, **kwargs)  # type: ignore[arg-type]


sys.modules[__name__].__class__ = _CallableModule
