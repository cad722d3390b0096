"""One mixed-integer program, two open-source solvers, and an honest status.

The models of this package are written once in matrix form (:class:`MILP`):
minimise ``c @ x`` subject to ``row_lower <= A @ x <= row_upper`` and
``col_lower <= x <= col_upper``, some ``x`` integer. :func:`solve` hands the
matrices to HiGHS through highspy (no modelling layer: building a model with
hundreds of thousands of columns takes milliseconds) or to CBC through PuLP.
Both run as child processes killed at their deadline (:mod:`optimizer.cbc`,
:mod:`optimizer.highs_process`): neither solver keeps its own time limit
everywhere.

Status is read from the solver, never inferred from the presence of a
solution: PuLP reports "Optimal" for a CBC run stopped at the time limit with
an incumbent, so the CBC log is parsed for its result line and lower bound.
A result is called ``"optimal"`` only when the solver proved it (its own
status says so *and* the relative gap between the incumbent and the bound is
at most :data:`OPTIMAL_GAP`).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["MILP", "OPTIMAL_GAP", "SOLVERS", "Solution", "relative_gap", "solve"]

#: A solution is "optimal" only if the proven relative gap is at most this.
OPTIMAL_GAP = 1e-6

SOLVERS = ("cbc", "highs")


@dataclass
class MILP:
    """``min c @ x  s.t.  row_lower <= A @ x <= row_upper, col bounds, integrality``.

    Infinite bounds are ``numpy.inf``. ``A`` is any scipy sparse matrix.
    ``presolve="light"`` asks HiGHS for its light presolve: on set-partitioning
    models its full MIP presolve (probing over thousands of clique rows) costs
    ten times the search itself, and it does not stop at the time limit.

    ``stop_when_split`` (assignment models) is ``(unit, centre, indptr,
    indices)``: column ``c`` assigns ``unit[c]`` to ``centre[c]``, and the
    units' borders are the CSR graph ``indptr, indices``. HiGHS then stops at
    its first improving solution with a cluster in pieces
    (:func:`optimizer.highs_worker.split_clusters`), status ``"feasible"`` with
    that point; CBC ignores it.
    """

    c: np.ndarray
    A: sp.spmatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    name: str = "fairclusters"
    presolve: str = "full"
    stop_when_split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape


@dataclass
class Solution:
    """What a solver returned, in its own words and in ours.

    ``status`` is one of ``"optimal"`` (proven), ``"feasible"`` (incumbent,
    gap not closed), ``"infeasible"`` (proven), ``"no_solution"`` (stopped
    without an incumbent), ``"error"`` (the solver failed or was inconclusive).
    """

    status: str
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    solver: str
    solver_status: str
    solve_time: float
    build_time: float = 0.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def found(cls, claims_optimal: bool, x: np.ndarray, objective: float, bound: float | None,
              solver: str, solver_status: str, solve_time: float,
              build_time: float = 0.0) -> Solution:
        """A solution with a point: optimal only if claimed *and* the gap is closed."""
        return cls(_classify(claims_optimal, objective, bound), x, objective, bound,
                   relative_gap(objective, bound), solver, solver_status, solve_time, build_time)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1e-10)``; 0 when both are equal."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    diff = abs(objective - bound)
    if diff <= 1e-9:
        return 0.0
    return diff / max(abs(objective), 1e-10)


def _classify(claims_optimal: bool, objective: float | None, bound: float | None) -> str:
    gap = relative_gap(objective, bound)
    if claims_optimal and gap is not None and gap <= OPTIMAL_GAP:
        return "optimal"
    return "feasible"


def solve(
    model: MILP,
    solver: str = "highs",
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    initial: np.ndarray | None = None,
    seed: int = 0,
    verbose: bool = False,
) -> Solution:
    """Solve ``model`` with ``"highs"`` or ``"cbc"`` and report an honest status.

    Parameters
    ----------
    model : MILP
        The program: costs, sparse rows with bounds, column bounds, integrality.
    solver : {"highs", "cbc"}
        HiGHS through highspy, or CBC through PuLP.
    time_limit : float, optional
        Seconds of wall time for the solver.
    mip_gap : float, optional
        Relative gap at which the solver may stop; the result is then
        ``"feasible"`` unless the gap happens to be closed.
    initial : array, optional
        A feasible starting solution (warm start).
    seed : int
        Solver random seed.
    verbose : bool
        Show the solver log.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> m = MILP(c=np.array([1.0, 2.0]), A=sp.csr_matrix([[1.0, 1.0]]),
    ...          row_lower=np.array([1.0]), row_upper=np.array([np.inf]),
    ...          col_lower=np.zeros(2), col_upper=np.ones(2), integer=np.ones(2, bool))
    >>> s = solve(m, "highs")
    >>> s.status, s.objective, (s.x > 0.5).tolist()
    ('optimal', 1.0, [True, False])
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver={solver!r}; expected one of {SOLVERS}")
    run = _run_highs if solver == "highs" else _solve_cbc
    started = time.perf_counter()
    result = run(model, time_limit, mip_gap, initial, seed, verbose)
    if initial is None or result.extra.get("consistent", True):
        return result
    # A run that contradicts its own start proves nothing: solve again without it. Seen:
    # HiGHS 1.16-1.17 after setSolution returning the start while reporting, as objective
    # and bound, a value no feasible point reaches; both solvers calling a model that holds
    # the feasible start infeasible (see _infeasible).
    left = None if time_limit is None else max(0.1, time_limit - (time.perf_counter() - started))
    again = run(model, left, mip_gap, None, seed, verbose)
    again.extra["discarded_warm_start_run"] = result.solver_status
    return again


# -- HiGHS ---------------------------------------------------------------------
def _is_feasible(model: MILP, x: np.ndarray, tol: float = 1e-5) -> bool:
    """Whether ``x`` satisfies the rows, the column bounds and integrality of ``model``."""
    ax = model.A @ x
    scale = tol * (1.0 + np.abs(ax))
    return bool(
        np.all(ax >= model.row_lower - scale) and np.all(ax <= model.row_upper + scale)
        and np.all(x >= model.col_lower - tol) and np.all(x <= model.col_upper + tol)
        and np.all(np.abs(x[model.integer] - np.round(x[model.integer])) <= tol)
    )


def _infeasible(model: MILP, initial: np.ndarray | None, solver: str, text: str,
                solve_time: float, build_time: float) -> Solution:
    """The solver's "infeasible", unless the model holds the feasible start it was given.

    Seen with both solvers: HiGHS 1.16-1.17 after ``setSolution``, and CBC
    with a MIP start ("Linear relaxation infeasible" on a 7-unit assignment
    model whose start is feasible). Such a run proves nothing; :func:`solve`
    runs again without the start.
    """
    if initial is not None and _is_feasible(model, np.asarray(initial, dtype=float)):
        return Solution("error", None, None, None, None, solver, f"{text} despite a feasible start",
                        solve_time, build_time, extra={"consistent": False})
    return Solution("infeasible", None, None, None, None, solver, text, solve_time, build_time)


def highs_lp(highspy, model: MILP, *, integer: bool = True):
    """``model`` as a ``highspy.HighsLp`` (integrality kept only if ``integer``)."""
    from .highs_worker import highs_lp as lp_of_arrays

    return lp_of_arrays(highspy, model_arrays(model), integer=integer)


def model_arrays(model: MILP) -> dict[str, np.ndarray]:
    """``model`` as the arrays a HiGHS worker takes: bounds, costs, the matrix by column."""
    A = sp.csc_matrix(model.A)
    return {
        "c": np.asarray(model.c, dtype=float),
        "col_lower": np.asarray(model.col_lower, dtype=float),
        "col_upper": np.asarray(model.col_upper, dtype=float),
        "row_lower": np.asarray(model.row_lower, dtype=float),
        "row_upper": np.asarray(model.row_upper, dtype=float),
        "start": A.indptr.astype(np.int32), "index": A.indices.astype(np.int32),
        "value": A.data.astype(float), "integer": np.asarray(model.integer, dtype=np.uint8),
    }


#: HiGHS's ``presolve_mode`` for ``MILP(presolve="light")`` (0 full, 1 initial sweep, 2 light).
HIGHS_LIGHT_PRESOLVE = 2


def _highs_request(model: MILP, time_limit, mip_gap, initial, seed,
                   verbose) -> tuple[dict[str, np.ndarray], dict]:
    """``model`` and the run's options as the arrays and options a HiGHS worker takes."""
    arrays = model_arrays(model)
    if initial is not None:
        arrays["initial"] = np.asarray(initial, dtype=float)
    if model.stop_when_split is not None:
        for name, a in zip(("unit", "centre", "indptr", "indices"), model.stop_when_split,
                           strict=True):
            arrays[f"split_{name}"] = np.asarray(a, dtype=np.int64)
    options = {
        "time_limit": None if time_limit is None else float(time_limit),
        "mip_rel_gap": float(mip_gap) if mip_gap is not None else OPTIMAL_GAP / 10,
        "random_seed": int(seed), "verbose": bool(verbose),
        "presolve_mode": HIGHS_LIGHT_PRESOLVE if model.presolve == "light" else None,
    }
    return arrays, options


def _run_highs(model, time_limit, mip_gap, initial, seed, verbose) -> Solution:
    import highspy  # noqa: F401  (without the "highs" extra, fail here and not in a worker)

    from . import highs_process
    from .highs_worker import LIMIT_STATUSES

    started = time.perf_counter()
    arrays, options = _highs_request(model, time_limit, mip_gap, initial, seed, verbose)
    outcome, x = highs_process.run_highs(arrays, options)
    build_time = time.perf_counter() - started - outcome["solve_time"]
    solve_time = outcome["solve_time"]
    status, text = outcome["status"], outcome["status_text"]
    stopped = status in ("killed", "died")  # from outside: the worker's last reports

    if status == "kInfeasible":
        return _infeasible(model, initial, "highs", text, solve_time, build_time)
    if x is not None and stopped and not _is_feasible(model, x):
        x = None  # a reported incumbent that does not hold is no incumbent
    if x is None:
        state = "no_solution" if status in LIMIT_STATUSES or status == "killed" else "error"
        return Solution(state, None, None, outcome["bound"], None, "highs", text, solve_time,
                        build_time)
    objective = float(model.c @ x)  # the point's own cost, never the solver's report
    reported = outcome["reported"]
    consistent = _is_feasible(model, x) and abs(reported - objective) <= 1e-6 * max(
        1.0, abs(objective)
    )
    if not consistent:  # the report is not about this point: no claim, no bound
        return Solution("error", None, None, None, None, "highs",
                        f"{text} (reported objective {reported!r} but the point costs "
                        f"{objective!r} or is infeasible)", solve_time, build_time,
                        extra={"consistent": False})
    claims = status == "kOptimal"
    return Solution.found(claims, x, objective, outcome["bound"], "highs", text, solve_time,
                          build_time)


# -- CBC through PuLP ----------------------------------------------------------
_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)
_NUMBER = r"([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf|nan|1e\+50|-1e\+50))"
_OBJECTIVE = re.compile(r"^Objective value:\s+" + _NUMBER, re.MULTILINE)
_LOWER = re.compile(r"^Lower bound:\s+" + _NUMBER, re.MULTILINE)


def _to_pulp(model: MILP):
    """The matrix model as a PuLP problem (variables ``x0..``, rows ``r0..``)."""
    import pulp

    problem = pulp.LpProblem(model.name, pulp.LpMinimize)
    variables = [
        problem.add_variable(
            f"x{j}",
            lowBound=None if np.isinf(lo) else float(lo),
            upBound=None if np.isinf(up) else float(up),
            cat=pulp.LpInteger if flag else pulp.LpContinuous,
        )
        for j, (lo, up, flag) in enumerate(zip(model.col_lower, model.col_upper, model.integer))
    ]
    problem.setObjective(
        pulp.LpAffineExpression(
            [(variables[j], float(model.c[j])) for j in np.flatnonzero(model.c)]
        )
    )
    A = sp.csr_matrix(model.A)
    for r in range(A.shape[0]):
        cols = A.indices[A.indptr[r]: A.indptr[r + 1]]
        vals = A.data[A.indptr[r]: A.indptr[r + 1]]
        lo, up = model.row_lower[r], model.row_upper[r]
        terms = [(variables[j], float(v)) for j, v in zip(cols, vals)]
        if lo == up:
            problem.addConstraint(
                pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintEQ, rhs=lo),
                f"r{r}",
            )
            continue
        if np.isfinite(lo):
            problem.addConstraint(
                pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintGE, rhs=lo),
                f"r{r}_lo",
            )
        if np.isfinite(up):
            problem.addConstraint(
                pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintLE, rhs=up),
                f"r{r}_up",
            )
    return problem, variables


def bundled_cbc(**options):
    """PuLP's ``PULP_CBC_CMD`` (the CBC binary shipped in the PuLP wheel) with ``options``.

    PuLP 3.3.2 deprecates ``PULP_CBC_CMD`` in favour of ``COIN_CMD`` with the
    separate ``pulp[cbc]`` extra. The bundled binary is what lets the project
    solve with its core dependencies alone, so it is kept, and only that one
    deprecation warning is silenced, here where the solver is created.
    """
    import warnings

    import pulp

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning
        )
        return pulp.PULP_CBC_CMD(**options)


def _parse_cbc_log(text: str) -> tuple[str, float | None, float | None]:
    result = _RESULT.findall(text)
    objective = _OBJECTIVE.findall(text)
    lower = _LOWER.findall(text)
    return (
        result[-1].strip() if result else "",
        float(objective[-1]) if objective else None,
        float(lower[-1]) if lower else None,
    )


def _solve_cbc(model, time_limit, mip_gap, initial, seed, verbose) -> Solution:
    import pulp

    from .cbc import run_cbc

    started = time.perf_counter()
    problem, variables = _to_pulp(model)
    if initial is not None:
        for var, value in zip(variables, np.asarray(initial, dtype=float)):
            var.setInitialValue(float(round(value)) if var.cat == pulp.LpInteger else float(value))
    build_time = time.perf_counter() - started
    if time_limit is not None:
        # The limit covers building the PuLP model, and writing the MPS file and
        # reading the solution back (measured: about as long as building) lie
        # outside CBC's clock, which also overshoots a little to finish a node.
        left = 0.95 * (time_limit - 2 * build_time)
        if left <= 0.1:
            return Solution("no_solution", None, None, None, None, "cbc",
                            "no time left for CBC after building its model", 0.0, build_time)
        time_limit = left
    command = bundled_cbc(
        msg=False,
        gapRel=mip_gap,
        warmStart=initial is not None,
        options=[f"randomCbcSeed {int(seed) + 1}"],  # 0 would mean "use the clock"
    )
    try:
        run = run_cbc(problem, command, time_limit=time_limit)
    except OSError as exc:  # the binary cannot be started
        return Solution("error", None, None, None, None, "cbc", str(exc), 0.0, build_time)
    solve_time, log_text = run.seconds, run.log
    if verbose:
        print(log_text)
    if run.stopped is not None and not run.solved:
        return Solution("no_solution", None, None, None, None, "cbc",
                        f"{run.stopped} at the time limit", solve_time, build_time)
    result, objective, lower = _parse_cbc_log(log_text)
    lowered = result.lower()
    # PuLP's status is Infeasible only when CBC's solution file says "Infeasible" or
    # "Integer infeasible", i.e. proven (a time limit without a solution says "Stopped").
    if problem.status == pulp.LpStatusInfeasible or "infeasible" in lowered:
        return _infeasible(model, initial, "cbc", result or "Problem is infeasible",
                           solve_time, build_time)
    # Without a log, a point PuLP read back is kept, but proves nothing (no claim, no bound).
    has_solution = problem.sol_status in (
        pulp.LpSolutionOptimal,
        pulp.LpSolutionIntegerFeasible,
    ) and (objective is not None or not log_text)
    if not has_solution:
        # CBC stopped by its own -sec inside the root LP prints no result line at all.
        timed_out = time_limit is not None and solve_time >= 0.9 * time_limit
        state = "no_solution" if lowered.startswith("stopped") or timed_out else "error"
        text = result or ("stopped at the time limit (no result line)" if timed_out
                          else "no result line")
        return Solution(state, None, None, lower, None, "cbc", text, solve_time, build_time)
    x = np.array([v.varValue if v.varValue is not None else 0.0 for v in variables])
    objective = float(model.c @ x)  # the log prints 8 decimals; recompute exactly
    claims = lowered.startswith("optimal solution found")
    # CBC prints no lower bound when it proves optimality with the default gaps.
    bound = lower if lower is not None else (objective if claims else None)
    if bound is not None and claims and abs(bound - objective) <= 1e-7 * max(1.0, abs(objective)):
        bound = objective  # same value, printed rounded
    return Solution.found(claims, x, objective, bound, "cbc", result, solve_time, build_time)
