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
from .io import from_dataframe, from_records, read_csv, read_json
from .metrics import FairnessReport, fairness_report
from .plan import Plan
from .units import Unit, UnitSet

__all__ = [
    "Dissimilarity",
    "FairclustersError",
    "FairnessReport",
    "IndicatorError",
    "InfeasibleError",
    "Plan",
    "PlanError",
    "Unit",
    "UnitSet",
    "UnitSetError",
    "UnknownNameError",
    "dissimilarity",
    "fairness_report",
    "from_dataframe",
    "from_records",
    "great_circle_km",
    "read_csv",
    "read_json",
]
