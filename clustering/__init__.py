"""Units, real datasets, dissimilarity, cluster plans, fairness metrics and heuristics.

The base package of fairclusters: :mod:`optimizer` and :mod:`benchmarks` build on it.
"""

from .dissimilarity import Dissimilarity, dissimilarity, great_circle_km
from .errors import (
    FairclustersError,
    IndicatorError,
    InfeasibleError,
    PlanError,
    UnitSetError,
    UnknownNameError,
)

# Estimators last: they build on everything above.
from .estimators import (
    AZPLocalSearch,
    FunctionBlocs,
    SizeConstrainedKMeans,
    SpatialWard,
    mixing_curve,
    propose_alpha,
)
from .io import from_dataframe, from_records, read_csv, read_json
from .metrics import FairnessReport, fairness_report
from .plan import Plan
from .rules import ClusterRules, check_feasible, diagnose, plan_violations
from .units import Unit, UnitSet

__all__ = [
    "AZPLocalSearch",
    "ClusterRules",
    "Dissimilarity",
    "FairclustersError",
    "FairnessReport",
    "FunctionBlocs",
    "IndicatorError",
    "InfeasibleError",
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
    "mixing_curve",
    "plan_violations",
    "propose_alpha",
    "read_csv",
    "read_json",
]
