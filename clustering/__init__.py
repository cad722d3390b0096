"""Units, real datasets, dissimilarity, cluster plans, fairness metrics and heuristics.

The base package of fairclusters: :mod:`optimizer` and :mod:`benchmarks` build on it.
"""

import importlib

# Only the errors load with the package: criteria_design imports clustering.errors and
# clustering.names and should not pay for numpy, networkx and scipy. Everything else
# loads on first use (PEP 562); the estimators import scikit-learn, most of the time.
from .errors import (
    AmbiguousNameError,
    FairclustersError,
    IndicatorError,
    InfeasibleError,
    MissingDependencyError,
    PlanError,
    UnitSetError,
    UnknownNameError,
)

#: Public name -> the submodule defining it. ``dissimilarity`` is the module itself,
#: callable as its function (its class is ``dissimilarity._CallableModule``), so that
#: ``import clustering.dissimilarity`` gives the module.
_HOME = {
    "dissimilarity": "dissimilarity",
    "Dissimilarity": "dissimilarity",
    "great_circle_km": "dissimilarity",
    "from_dataframe": "io",
    "from_records": "io",
    "read_csv": "io",
    "read_json": "io",
    "IslandLink": "islands",
    "link_islands": "islands",
    "FairnessReport": "metrics",
    "fairness_report": "metrics",
    "Plan": "plan",
    "ClusterRules": "rules",
    "check_feasible": "rules",
    "diagnose": "rules",
    "plan_violations": "rules",
    "Unit": "units",
    "UnitSet": "units",
    "AZPLocalSearch": "estimators",
    "FunctionBlocs": "estimators",
    "SizeConstrainedKMeans": "estimators",
    "SpatialWard": "estimators",
    "mixing_curve": "estimators",
    "propose_alpha": "estimators",
}


def _version() -> str:
    """The installed distribution's version (one source: its metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fairclusters")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str):
    if name == "__version__":  # read on first use: importlib.metadata is not free
        value = globals()["__version__"] = _version()
        return value
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'clustering' has no attribute {name!r}")
    module = importlib.import_module(f".{home}", __name__)
    value = module if name == home else getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME) | {"__version__"})


__all__ = [
    "AZPLocalSearch",
    "AmbiguousNameError",
    "ClusterRules",
    "Dissimilarity",
    "FairclustersError",
    "FairnessReport",
    "FunctionBlocs",
    "IndicatorError",
    "InfeasibleError",
    "IslandLink",
    "MissingDependencyError",
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
