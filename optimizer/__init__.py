"""Exact integer programs for balanced, contiguous, homogeneous clusters.

:func:`optimize` is the entry point: it checks the rules
(:mod:`clustering.rules`), picks a method (enumerate-and-select over
candidate clusters, or the Hess assignment model with contiguity cuts), solves
with CBC or HiGHS and returns an :class:`OptimizeResult` whose status never
claims more than the solver proved. :func:`pareto_front` sweeps the size
tolerance or the number of clusters.
"""

from .api import CANDIDATE_LIMIT, METHODS, optimize
from .pareto import ParetoPoint, pareto_front
from .result import STATUSES, OptimizeResult

__all__ = [
    "CANDIDATE_LIMIT",
    "METHODS",
    "STATUSES",
    "OptimizeResult",
    "ParetoPoint",
    "optimize",
    "pareto_front",
]
