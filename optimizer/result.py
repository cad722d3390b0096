"""The outcome of :func:`optimizer.optimize`: a plan and what was proven about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clustering.errors import InfeasibleError
from clustering.plan import Plan
from clustering.rules import ClusterRules, infeasible_error
from clustering.tables import html_table, require_pandas

__all__ = ["STATUSES", "OptimizeResult"]

#: ``optimal``: proven optimal; ``feasible``: a plan, optimality not proven (see ``gap``);
#: ``infeasible``: proven that no plan exists (``reasons`` says why);
#: ``no_solution``: stopped (time limit) before finding any plan.
STATUSES = ("optimal", "feasible", "infeasible", "no_solution")


@dataclass
class OptimizeResult:
    """A plan with its objective, the best proven bound and how it was found.

    Attributes
    ----------
    plan : Plan or None
        The best plan found; ``None`` when none was found.
    status : str
        One of :data:`STATUSES`. ``"optimal"`` only when the solver proved it.
    objective : float or None
        Objective value of ``plan``.
    bound : float or None
        Best proven lower bound on the objective of any plan.
    gap : float or None
        ``|objective - bound| / |objective|``.
    wall_time : float
        Seconds from the call to the return.
    method : str
        ``"enumerate"``, ``"assignment"`` or ``"presolve"`` (infeasible before solving).
    method_reason : str
        Why that method was used.
    solver : str
        ``"cbc"`` or ``"highs"``.
    reasons : list of InfeasibleError
        Why no plan exists, when ``status == "infeasible"``.
    rules : ClusterRules
        The rules the plan follows (ids resolved).
    objective_name : str
    details : dict
        Method-specific figures (candidates, kept columns, cuts, rounds, times).
    """

    plan: Plan | None
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    wall_time: float
    method: str
    method_reason: str
    solver: str
    rules: ClusterRules
    objective_name: str = ""
    reasons: list[InfeasibleError] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    def raise_if_infeasible(self) -> OptimizeResult:
        """Raise the :class:`~clustering.errors.InfeasibleError` the estimators and the
        sampler raise for the same rules, when ``status == "infeasible"``; else return self.

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> from optimizer import optimize
        >>> result = optimize(vietnam_provinces(2025), 6, size=(7, 9))
        >>> result.status
        'infeasible'
        >>> try:
        ...     result.raise_if_infeasible()
        ... except InfeasibleError as error:
        ...     print(error.reason)
        count
        """
        if self.status == "infeasible":
            raise infeasible_error(self.reasons)
        return self

    def headline(self) -> dict[str, object]:
        """What was proven: status, objective, bound, gap, method, solver and wall time.

        Returns
        -------
        dict
            ``status``, ``objective``, ``objective_name``, ``bound``, ``gap``,
            ``method``, ``method_reason``, ``solver``, ``wall_time``; ``None`` where
            nothing is known (e.g. the objective of a run without a plan).

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> from optimizer import optimize
        >>> optimize(vietnam_provinces(2025), 6, size=(7, 9)).headline()["status"]
        'infeasible'
        """
        return {
            "status": self.status, "objective": self.objective,
            "objective_name": self.objective_name, "bound": self.bound, "gap": self.gap,
            "method": self.method, "method_reason": self.method_reason,
            "solver": self.solver, "wall_time": self.wall_time,
        }

    def to_frame(self) -> Any:
        """The plan as a pandas DataFrame (``unit``, ``name``, ``cluster``), the proof in attrs.

        Needs pandas (``pip install pandas``); ``import clustering`` does not.

        Returns
        -------
        pandas.DataFrame
            :meth:`clustering.Plan.to_frame` of :attr:`plan` (no rows when no plan was
            found); ``frame.attrs`` holds :meth:`headline` (status, objective, bound,
            gap...) and the infeasibility ``reasons`` as text.

        Raises
        ------
        MissingDependencyError
            pandas is not installed.

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> from optimizer import optimize
        >>> units = vietnam_provinces(2025).subset(["01", "31", "33", "24", "79", "92"])
        >>> frame = optimize(units, 2, size=(3, 3), contiguous=False).to_frame()
        >>> len(frame), frame.attrs["status"]
        (6, 'optimal')
        """
        pd = require_pandas("OptimizeResult.to_frame()")
        if self.plan is not None:
            frame = self.plan.to_frame()
        else:
            frame = pd.DataFrame({"unit": [], "name": [], "cluster": []}, dtype=object)
        frame.attrs.update(self.headline())
        frame.attrs["reasons"] = [str(reason) for reason in self.reasons]
        return frame

    def _repr_html_(self) -> str:
        """A notebook's view: status, objective, bound, gap and method, then the plan's clusters.

        No map yet: no unit polygons are shipped (centroids only).
        """
        figures = self.headline()
        rows = [(key, figures[key]) for key in ("status", "objective", "bound", "gap")]
        rows += [("objective name", self.objective_name),
                 ("method", f"{self.method}: {self.method_reason}"),
                 ("solver", f"{self.solver}, {self.wall_time:.2f} s")]
        rows += [("reason", f"[{reason.reason}] {reason}") for reason in self.reasons]
        parts = [html_table(["", "value"], rows, caption="OptimizeResult")]
        if self.plan is not None:
            parts.append(self.plan._repr_html_())
        return "<div>\n" + "\n".join(parts) + "\n</div>"

    def __str__(self) -> str:
        lines = [f"status     {self.status}"]
        if self.objective is not None:
            lines.append(f"objective  {self.objective:.6g} ({self.objective_name})")
        if self.bound is not None:
            lines.append(f"bound      {self.bound:.6g}")
        if self.gap is not None:
            lines.append(f"gap        {self.gap:.4%}")
        lines.append(f"method     {self.method}: {self.method_reason}")
        lines.append(f"solver     {self.solver}, wall time {self.wall_time:.2f} s")
        for reason in self.reasons:
            lines.append(f"reason     [{reason.reason}] {reason}")
        if self.plan is not None:
            for name, members in self.plan.clusters.items():
                names = ", ".join(self.plan.unit_set[u].name for u in members)
                lines.append(f"  {name} ({len(members)}): {names}")
        return "\n".join(lines)
