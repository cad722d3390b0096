r"""The textbook model, written plainly in PuLP: a baseline and an independent check.

Hess et al. (1965) assignment with size bounds and Shirabe's single-commodity
flow contiguity (as compared by Validi, Buchanan and Lykhovyd, 2022), with no
variable fixing, no cuts and no enumeration:

.. math::

    \min \sum_{i,j} d_{ij} x_{ij} \quad \text{s.t.} \quad
    \sum_j x_{ij} = 1, \quad \sum_j x_{jj} = k, \quad x_{ij} \le x_{jj}, \quad
    L x_{jj} \le \sum_i s_i x_{ij} \le U x_{jj},

and, for contiguity, a flow for each possible centre :math:`j` on the arcs
:math:`(u, v)` of the adjacency graph: every member :math:`i \ne j` sends one
unit to :math:`j` through members only,

.. math::

    \sum_{v} f^j_{iv} - \sum_{u} f^j_{ui} = x_{ij} \;(i \ne j), \qquad
    \sum_u f^j_{ui} \le (M - 1)\, x_{ij}, \qquad f \ge 0,

where :math:`M` is the largest possible member count.
"""

from __future__ import annotations

import time

import numpy as np
import pulp

from .highs_worker import quiet_highs
from .solvers import bundled_cbc

__all__ = ["textbook_hess"]


def textbook_hess(
    n_clusters: int,
    d: np.ndarray,
    edges: np.ndarray,
    *,
    size: tuple[int, int] | None = None,
    weights: np.ndarray | None = None,
    weight_bounds: tuple[float, float] | None = None,
    contiguous: bool = True,
    solver: str = "cbc",
    time_limit: float | None = None,
) -> dict:
    """Solve the textbook Hess model with flow contiguity; return what PuLP reports.

    Returns
    -------
    dict
        ``status`` ("optimal" only if the solver finished before the time limit
        with an optimal solution, "infeasible", "feasible" or "no_solution"),
        ``objective``, ``labels`` (centre position per unit, or None),
        ``build_time``, ``solve_time``, ``hit_time_limit``.

    Examples
    --------
    >>> d = np.array([[0, 1, 5], [1, 0, 4], [5, 4, 0.0]])
    >>> out = textbook_hess(2, d, np.array([[0, 1], [1, 2]]), size=(1, 2))
    >>> out["status"], out["objective"]
    ('optimal', 1.0)
    """
    started = time.perf_counter()
    n = len(d)
    units = range(n)
    problem = pulp.LpProblem("textbook_hess", pulp.LpMinimize)
    x = problem.add_variable_dicts("x", (units, units), cat=pulp.LpBinary)
    problem += pulp.lpSum(float(d[i][j]) * x[i][j] for i in units for j in units)
    for i in units:
        problem += pulp.lpSum(x[i][j] for j in units) == 1
    problem += pulp.lpSum(x[j][j] for j in units) == n_clusters
    for i in units:
        for j in units:
            if i != j:
                problem += x[i][j] <= x[j][j]
    for j in units:
        if size is not None:
            problem += pulp.lpSum(x[i][j] for i in units) <= size[1] * x[j][j]
            problem += pulp.lpSum(x[i][j] for i in units) >= size[0] * x[j][j]
        if weight_bounds is not None:
            load = pulp.lpSum(float(weights[i]) * x[i][j] for i in units)
            problem += load <= weight_bounds[1] * x[j][j]
            problem += load >= weight_bounds[0] * x[j][j]
    if contiguous:
        _add_flow_contiguity(problem, x, edges, n, size[1] if size is not None else n)
    build_time = time.perf_counter() - started
    if solver == "cbc":
        command = bundled_cbc(msg=False, timeLimit=time_limit)
    else:
        import highspy

        # PuLP's msg=False does not reach the banner HiGHS prints once per process.
        quiet_highs(highspy, verbose=False)
        command = pulp.HiGHS(msg=False, timeLimit=time_limit)
    started = time.perf_counter()
    problem.solve(command)
    solve_time = time.perf_counter() - started
    hit = time_limit is not None and solve_time >= time_limit * 0.98
    has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    status = _status(problem, has_solution, hit)
    labels = None
    objective = None
    if has_solution:
        centre = np.array([max(units, key=lambda j, i=i: x[i][j].value() or 0) for i in units])
        labels = np.unique(centre, return_inverse=True)[1]
        objective = float(pulp.value(problem.objective))
    return {
        "status": status,
        "objective": objective,
        "labels": labels,
        "build_time": build_time,
        "solve_time": solve_time,
        "hit_time_limit": hit,
    }


def _add_flow_contiguity(problem: pulp.LpProblem, x, edges: np.ndarray, n: int, big: int
                         ) -> None:
    r"""Single-commodity flow from each centre: :math:`f^j` sends one unit to each member.

    Flow conservation :math:`\sum_{out} f^j - \sum_{in} f^j = x_{ij}` at every
    :math:`i \ne j`, and flow only into members: :math:`\sum_{in} f^j \le (U-1) x_{ij}`.
    """
    units = range(n)
    arcs = [(int(a), int(b)) for a, b in edges] + [(int(b), int(a)) for a, b in edges]
    f = problem.add_variable_dicts("f", (units, range(len(arcs))), lowBound=0)
    out_arcs = {i: [a for a, (u, _) in enumerate(arcs) if u == i] for i in units}
    in_arcs = {i: [a for a, (_, v) in enumerate(arcs) if v == i] for i in units}
    for j in units:
        for i in units:
            inflow = pulp.lpSum(f[j][a] for a in in_arcs[i])
            if i != j:
                problem += pulp.lpSum(f[j][a] for a in out_arcs[i]) - inflow == x[i][j]
            problem += inflow <= (big - 1) * x[i][j]


def _status(problem: pulp.LpProblem, has_solution: bool, hit_time_limit: bool) -> str:
    """What PuLP reports, with "optimal" only when the solver finished before the limit."""
    if problem.status == pulp.LpStatusInfeasible:
        return "infeasible"
    if not has_solution:
        return "no_solution"
    if problem.sol_status == pulp.LpSolutionOptimal and not hit_time_limit:
        return "optimal"
    return "feasible"
