"""Benchmarks on proposals: fairness, gap to the optimum and rank among feasible plans.

The planners' main job is the command line ``python -m benchmarks`` (also
installed as ``fairclusters-benchmark``); see ``benchmarks/README.md``. The
pieces are importable:

* :mod:`benchmarks.proposals`: proposal files (YAML, JSON, CSV) and datasets;
* :mod:`benchmarks.sampling`: every feasible plan, or a recombination-chain sample;
* :mod:`benchmarks.compare`: evaluate plans side by side (:func:`run_benchmark`);
* :mod:`benchmarks.report`: terminal table, Markdown, JSON and PNG figures;
* :mod:`benchmarks.sweeps`: parallel sweeps over settings (joblib; Dask/Ray backends);
* :mod:`benchmarks.perf`: the scaling suite (``python -m benchmarks.perf``).
"""

from .compare import Benchmark, Evaluation, Settings, run_benchmark
from .proposals import Proposal, load_dataset, read_proposal
from .report import write_report
from .sampling import PlanSample, enumerate_plans, sample_plans
from .sweeps import SweepResult, settings_grid, sweep

__all__ = [
    "Benchmark",
    "Evaluation",
    "PlanSample",
    "Proposal",
    "Settings",
    "SweepResult",
    "enumerate_plans",
    "load_dataset",
    "read_proposal",
    "run_benchmark",
    "sample_plans",
    "settings_grid",
    "sweep",
    "write_report",
]
