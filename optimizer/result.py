"""The outcome of :func:`optimizer.optimize`: a plan and what was proven about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustering.errors import InfeasibleError
from clustering.plan import Plan
from clustering.rules import ClusterRules, infeasible_error

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
