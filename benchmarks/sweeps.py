"""Sweeps over settings (number of clusters, size tolerance, geography weight), in parallel.

A sweep runs one task per setting through joblib, so it runs on the local
cores (``n_jobs``) or, unchanged, on a cluster through joblib's backend
mechanism::

    import joblib
    from dask.distributed import Client        # pip install "dask[distributed]"
    client = Client("tcp://scheduler:8786")
    with joblib.parallel_config(backend="dask"):
        result = sweep(solve_setting, grid, unit_set=vn, n_jobs=-1)

    import ray                                  # pip install ray
    from ray.util.joblib import register_ray
    ray.init()                                  # or ray.init(address="auto") on a cluster
    register_ray()
    with joblib.parallel_config(backend="ray"):
        result = sweep(solve_setting, grid, unit_set=vn, n_jobs=-1)
        sample = sample_plans(vn, rules, 4_000, n_chains=8, n_jobs=-1)  # same as n_jobs=1

Results come back in the order of the settings, whatever the backend. A
progress bar (tqdm) counts finished settings. Ctrl-C stops the sweep and keeps
every setting that had finished (``result.interrupted`` is then true and
``result.pending`` lists the others).

Backends that cannot stream results (Ray's, joblib's ``multiprocessing``)
reject ``return_as="generator"``; :func:`parallel_map` then asks for the
whole list at once, so the results are the same but arrive together (the bar
jumps at the end, and Ctrl-C keeps nothing of the unfinished batch). The plan
sampler's independent runs (:func:`benchmarks.sampling.sample_plans`) go
through the same function, each seeded from ``numpy.random.SeedSequence(seed)
.spawn``, so their results do not depend on the backend or the number of workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clustering.errors import FairclustersError, InfeasibleError
from clustering.metrics import fairness_report
from clustering.rules import ClusterRules
from clustering.units import UnitSet

from .sampling import enumerate_plans

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["SweepResult", "feasible_count", "parallel_map", "settings_grid", "solve_setting",
           "sweep"]

_KEYS = ("n_clusters", "size", "weight_tolerance", "geography", "contiguous")


def settings_grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """Every combination of the given axes, as a list of settings.

    Axes: ``n_clusters``, ``size`` (``(min, max)`` or ``None``),
    ``weight_tolerance`` (fraction or ``None``), ``geography``, ``contiguous``.

    Examples
    --------
    >>> settings_grid(n_clusters=[5, 6], weight_tolerance=[0.1])
    [{'n_clusters': 5, 'weight_tolerance': 0.1}, {'n_clusters': 6, 'weight_tolerance': 0.1}]
    """
    unknown = sorted(set(axes) - set(_KEYS))
    if unknown:
        raise FairclustersError(f"unknown sweep axes {unknown}; expected some of {list(_KEYS)}")
    names = list(axes)
    values = [list(axes[n]) for n in names]
    for name, options in zip(names, values):
        if not options:
            raise FairclustersError(f"sweep axis {name!r} has no values")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _rules(unit_set: UnitSet, setting: Mapping[str, Any]) -> ClusterRules:
    k = setting["n_clusters"]
    extra = {"size": setting.get("size"), "contiguous": setting.get("contiguous", True)}
    if setting.get("weight_tolerance") is not None:
        return ClusterRules.with_weight_tolerance(unit_set, k, setting["weight_tolerance"], **extra)
    return ClusterRules(n_clusters=k, **extra)


def solve_setting(
    setting: Mapping[str, Any], *, unit_set: UnitSet, time_limit: float | None = 20.0
) -> dict[str, Any]:
    """Optimize under one setting; the record holds the status and the plan's fairness.

    Impossible settings are recorded with status ``"infeasible"`` and the reason
    (a sweep explores, so one impossible point does not stop it).
    """
    from clustering.dissimilarity import default_indicators, dissimilarity
    from optimizer import optimize
    from optimizer.objectives import DEFAULT_GEOGRAPHY

    record: dict[str, Any] = dict(setting)
    try:
        rules = _rules(unit_set, setting)
        used, logged = default_indicators(unit_set)
        geography = setting.get("geography", DEFAULT_GEOGRAPHY)
        matrix = dissimilarity(unit_set, used, log=logged, geography=geography)
        result = optimize(unit_set, rules, dissimilarity=matrix, time_limit=time_limit)
    except InfeasibleError as exc:
        return record | {"status": "infeasible", "reason": exc.reason, "message": str(exc)}
    record |= {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "wall_time": result.wall_time,
        "method": result.method,
    }
    if result.status == "infeasible":
        record["message"] = "; ".join(str(r) for r in result.reasons)
    if result.plan is not None:
        summary = fairness_report(result.plan, dissimilarity=matrix).summary()
        record |= {k: summary[k] for k in ("weight CV", "R2 (indicators)",
                                            "mean within dissimilarity", "cut edges")}
    return record


def feasible_count(
    setting: Mapping[str, Any], *, unit_set: UnitSet, limit: int = 200_000
) -> dict[str, Any]:
    """How many plans are feasible under one setting (``None`` above ``limit``)."""
    record: dict[str, Any] = dict(setting)
    try:
        count = enumerate_plans(unit_set, _rules(unit_set, setting), limit=limit).n_distinct
    except InfeasibleError as exc:
        return record | {"plans": 0, "reason": exc.reason}
    except FairclustersError:
        return record | {"plans": None, "reason": f"more than {limit:,}"}
    return record | {"plans": count}


def parallel_map(func: Callable[..., Any], args: Iterable[tuple[Any, ...]], *,
                 n_jobs: int | None = 1) -> Iterator[Any]:
    """``func(*a)`` for every ``a`` of ``args``, in order, through joblib.

    A generator of the results as they finish (in order) when the active
    backend can stream them; under a backend that rejects
    ``return_as="generator"`` (Ray's joblib backend, ``multiprocessing``),
    an iterator over the full list, computed at once. The results are the same.

    Parameters
    ----------
    func : callable
        A module-level function (workers import it).
    args : iterable of tuples
        The positional arguments of each call.
    n_jobs : int or None, default 1
        joblib workers (``-1``: all cores); inside ``joblib.parallel_config(backend=...)``
        that backend is used.

    Examples
    --------
    >>> list(parallel_map(pow, [(2, 3), (3, 2)]))
    [8, 9]
    """
    from joblib import Parallel, delayed

    calls = (delayed(func)(*a) for a in args)
    try:
        run = Parallel(n_jobs=n_jobs, return_as="generator")
    except ValueError as exc:  # the backend cannot stream: one list
        if "return_as" not in str(exc):
            raise
        return iter(Parallel(n_jobs=n_jobs)(calls))
    return iter(run(calls))


@dataclass
class SweepResult:
    """Records of the finished settings, in the settings' order."""

    records: list[dict[str, Any]]
    pending: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False

    def to_rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.records]


def _call(task: Callable[..., dict[str, Any]], setting: dict[str, Any],
          kwargs: dict[str, Any]) -> dict[str, Any]:
    return task(setting, **kwargs)


def sweep(
    task: Callable[..., dict[str, Any]],
    settings: Sequence[Mapping[str, Any]],
    *,
    n_jobs: int | None = 1,
    progress: bool = True,
    **task_kwargs: Any,
) -> SweepResult:
    """Run ``task(setting, **task_kwargs)`` for every setting through joblib.

    Parameters
    ----------
    task : callable
        A module-level function (so workers can import it) returning a dict.
    settings : sequence of mappings
        E.g. from :func:`settings_grid`.
    n_jobs : int, default 1
        joblib workers; ``-1`` for all cores. Inside a
        ``joblib.parallel_config(backend=...)`` block the backend given there
        is used (Dask, Ray...).
    progress : bool, default True
        Show a tqdm bar of finished settings.
    **task_kwargs
        Passed to every call (e.g. ``unit_set=``).

    Returns
    -------
    SweepResult
        On Ctrl-C, the settings finished so far, ``interrupted=True`` and the
        rest in ``pending``.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> grid = settings_grid(n_clusters=[6], size=[(5, 6), (6, 6)])
    >>> result = sweep(feasible_count, grid, unit_set=vietnam_provinces(2025), progress=False)
    >>> [r["plans"] for r in result.records]
    [3329, 0]
    """
    from tqdm.auto import tqdm

    if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs == 0):
        raise FairclustersError(f"n_jobs={n_jobs!r}; expected a non-zero integer (-1: all cores)")
    settings = [dict(s) for s in settings]
    records: list[dict[str, Any]] = []
    interrupted = False
    bar = tqdm(total=len(settings), desc="sweep", unit="setting", disable=not progress)
    try:
        calls = ((task, s, task_kwargs) for s in settings)
        for record in parallel_map(_call, calls, n_jobs=n_jobs):
            records.append(record)
            bar.update()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    return SweepResult(records=records, pending=settings[len(records):], interrupted=interrupted)

