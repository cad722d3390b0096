r"""Choosing the mix of geography and economy, in the spirit of ClustGeo's ``choicealpha``.

For a mixing weight :math:`\alpha` (``geography=alpha`` of every estimator),
cluster the units and measure the share of inertia the clusters explain in
each space separately:

.. math::

    Q_Z(\alpha) = 1 - W_Z/T_Z \quad\text{(indicators, the mean } R^2\text{)},\qquad
    Q_G(\alpha) = 1 - W_G/T_G \quad\text{(geography, projected km)}.

Raising :math:`\alpha` trades indicator homogeneity for compact clusters.
ClustGeo also shows the normalised curves :math:`Q_Z(\alpha)/Q_Z(0)` and
:math:`Q_G(\alpha)/Q_G(1)`; :func:`propose_alpha` picks the largest
:math:`\alpha` that keeps :math:`Q_Z(\alpha) \ge (1 - \text{max\_loss})\, Q_Z(0)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone

from ..plan import Plan
from ..units import UnitSet
from .base import mixed_features, within_sum_of_squares
from .ward import SpatialWard

__all__ = ["MixingCurve", "mixing_curve", "propose_alpha"]


@dataclass(frozen=True)
class MixingCurve:
    """Homogeneity in each space as the mixing weight varies (one entry per alpha)."""

    alphas: np.ndarray
    q_indicators: np.ndarray
    q_geography: np.ndarray
    plans: list[Plan] = field(repr=False)

    @property
    def q_indicators_normalized(self) -> np.ndarray:
        """``Q_Z(alpha) / Q_Z(0)`` (needs ``alpha = 0`` on the grid)."""
        return self.q_indicators / self.q_indicators[np.argmin(self.alphas)]

    @property
    def q_geography_normalized(self) -> np.ndarray:
        """``Q_G(alpha) / Q_G(1)`` (needs ``alpha = 1`` on the grid)."""
        return self.q_geography / self.q_geography[np.argmax(self.alphas)]

    def table(self) -> str:
        """The curve as a small text table."""
        lines = ["alpha  Q_indicators  Q_geography"]
        lines += [
            f"{a:5.2f}  {qz:12.4f}  {qg:11.4f}"
            for a, qz, qg in zip(self.alphas, self.q_indicators, self.q_geography)
        ]
        return "\n".join(lines)


def mixing_curve(
    unit_set: UnitSet,
    n_clusters: int,
    alphas: Sequence[float] | None = None,
    *,
    indicators: Sequence[str] | None = None,
    log: Sequence[str] = (),
    estimator=None,
) -> MixingCurve:
    """Cluster at each ``alpha`` and measure the explained inertia in both spaces.

    Parameters
    ----------
    unit_set : UnitSet
        Units with coordinates.
    n_clusters : int
        Number of clusters at every ``alpha``.
    alphas : sequence of float in [0, 1], optional
        Default ``0, 0.1, ..., 1``.
    indicators, log
        The indicator space (default: as the estimators').
    estimator : clustering estimator, optional
        Any estimator of :mod:`clustering.estimators` (it is cloned and given
        ``geography=alpha`` and ``n_clusters``). Default: plain Ward
        (``SpatialWard(connectivity=False)``), as in ClustGeo.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> curve = mixing_curve(vietnam_provinces(2025), 5, [0.0, 0.5, 1.0],
    ...                      indicators=["grdp_per_capita", "urban_pct"])
    >>> bool(curve.q_geography[-1] >= curve.q_geography[0])
    True
    """
    alphas = np.round(np.linspace(0, 1, 11), 10) if alphas is None else np.asarray(alphas, float)
    if alphas.ndim != 1 or alphas.size == 0 or alphas.min() < 0 or alphas.max() > 1:
        raise ValueError(f"alphas={alphas!r}; expected a non-empty list of weights in [0, 1]")
    base = SpatialWard(connectivity=False) if estimator is None else estimator
    plans, q_z, q_g = [], [], []
    first = clone(base).set_params(n_clusters=n_clusters, geography=0.0)
    if indicators is not None:
        first.set_params(indicators=list(indicators), log=tuple(log))
    first.fit(unit_set)
    names = list(first.indicators_)
    z = mixed_features(unit_set, names, log=log, geography=0.0)  # total inertia 1
    g = mixed_features(unit_set, [], geography=1.0)
    for alpha in alphas:
        est = clone(first).set_params(geography=float(alpha), indicators=names, log=tuple(log))
        est.fit(unit_set)
        plans.append(est.plan_)
        q_z.append(1.0 - within_sum_of_squares(z, est.labels_))
        q_g.append(1.0 - within_sum_of_squares(g, est.labels_))
    return MixingCurve(alphas, np.array(q_z), np.array(q_g), plans)


def propose_alpha(curve: MixingCurve, max_loss: float = 0.1) -> float:
    """The largest ``alpha`` losing at most ``max_loss`` of the indicator homogeneity.

    That is, the largest ``alpha`` on the grid with
    ``Q_Z(alpha) >= (1 - max_loss) * Q_Z(0)``: geography is given as much
    weight as the economy's homogeneity can afford.

    Examples
    --------
    >>> c = MixingCurve(np.array([0.0, 0.5, 1.0]), np.array([0.8, 0.75, 0.3]),
    ...                 np.array([0.2, 0.6, 0.9]), [])
    >>> propose_alpha(c, max_loss=0.1)
    0.5
    """
    if not 0 <= max_loss < 1:
        raise ValueError(f"max_loss={max_loss!r}; expected a fraction in [0, 1)")
    if not (curve.alphas == 0).any():
        raise ValueError("the curve needs alpha = 0 (the reference homogeneity)")
    floor = (1 - max_loss) * curve.q_indicators[curve.alphas == 0][0]
    ok = curve.alphas[curve.q_indicators >= floor - 1e-12]
    return float(ok.max())
