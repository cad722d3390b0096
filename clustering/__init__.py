"""Units, real datasets, dissimilarity, cluster plans, fairness metrics and heuristics.

The base package of fairclusters: :mod:`optimizer` and :mod:`benchmarks` build on it.
"""

# The module, not the function, so that ``import clustering.dissimilarity`` gives the
# module; it is callable as the function (its class is dissimilarity._CallableModule).
from . import dissimilarity
from .dissimilarity import Dissimilarity, great_circle_km
from .errors import (
    FairclustersError,
    IndicatorError,
    InfeasibleError,
    PlanError,
    UnitSetError,
    UnknownNameError,
)
from .io import from_dataframe, from_records, read_csv, read_json
from .islands import IslandLink, link_islands
from .metrics import FairnessReport, fairness_report
from .plan import Plan
from .rules import ClusterRules, check_feasible, diagnose, plan_violations
from .units import Unit, UnitSet

# The estimators import scikit-learn (most of the import time): load them on first use.
_ESTIMATORS = (
    "AZPLocalSearch",
    "FunctionBlocs",
    "SizeConstrainedKMeans",
    "SpatialWard",
    "mixing_curve",
    "propose_alpha",
)


def __getattr__(name: str):
    if name in _ESTIMATORS:
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'clustering' has no attribute {name!r}")


__all__ = [
    "AZPLocalSearch",
    "ClusterRules",
    "Dissimilarity",
    "FairclustersError",
    "FairnessReport",
    "FunctionBlocs",
    "IndicatorError",
    "InfeasibleError",
    "IslandLink",
    "Plan",
    "PlanError",
    "SizeConstrainedKMeans",
    "SpatialWard",
    "Unit",
    "UnitSet",
    "UnitSetError",
    "UnknownNameError",
    "check_feasible",
    "diagnose",
    "dissimilarity",
    "fairness_report",
    "from_dataframe",
    "from_records",
    "great_circle_km",
    "link_islands",
    "mixing_curve",
    "plan_violations",
    "propose_alpha",
    "read_csv",
    "read_json",
]
