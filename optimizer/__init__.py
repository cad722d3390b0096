"""Exact integer programs for balanced, contiguous, homogeneous clusters.

:func:`optimize` is the entry point: it checks the rules
(:mod:`clustering.rules`), picks a method (enumerate-and-select over
candidate clusters, or the Hess assignment model with contiguity cuts), solves
with CBC or HiGHS and returns an :class:`OptimizeResult` whose status never
claims more than the solver proved. :func:`pareto_front` draws the front of
named criteria (exact by the epsilon-constraint method, or heuristic);
:func:`reform` and :func:`reform_front` find the fairest plan within ``m``
moves from the current one.
"""

from .api import CANDIDATE_LIMIT, METHODS, optimize
from .pareto import CRITERIA, ParetoFront, ParetoPoint, pareto_front, plan_scores
from .reform import Move, ReformPoint, count_moves, plan_moves, reform, reform_front
from .result import STATUSES, OptimizeResult

__all__ = [
    "CANDIDATE_LIMIT",
    "CRITERIA",
    "METHODS",
    "STATUSES",
    "Move",
    "OptimizeResult",
    "ParetoFront",
    "ParetoPoint",
    "ReformPoint",
    "count_moves",
    "optimize",
    "pareto_front",
    "plan_moves",
    "plan_scores",
    "reform",
    "reform_front",
]
