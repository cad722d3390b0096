"""Exceptions shared by the whole library.

Every error is a subclass of :class:`ValueError` (or :class:`KeyError` for
lookups) so that callers who already catch the built-in types keep working,
and every message names the offending value and what was expected.
"""

from __future__ import annotations


class FairclustersError(ValueError):
    """Base class of the library's input errors."""


class UnitSetError(FairclustersError):
    """A unit set is malformed: duplicate ids, bad coordinates, bad adjacency..."""


class IndicatorError(FairclustersError):
    """An indicator is missing, not finite, or unknown."""


class PlanError(FairclustersError):
    """A plan is not a partition of the unit set (missing, repeated or unknown members)."""


class UnknownNameError(PlanError, KeyError):
    """A member name or id matches no unit; the message suggests the closest names."""

    def __str__(self) -> str:  # KeyError would quote the message; keep it readable
        return str(self.args[0]) if self.args else ""


class InfeasibleError(FairclustersError):
    """The requested rules cannot be met by any plan.

    Attributes
    ----------
    reason : str
        A short machine-readable code of the violated rule, e.g. ``"count"``,
        ``"unit_too_heavy"``, ``"component"``, ``"together_apart"``.
    units : tuple of str
        The unit ids involved, when the reason concerns particular units.
    """

    def __init__(self, message: str, *, reason: str, units: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.units = tuple(units)
