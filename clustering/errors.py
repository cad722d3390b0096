"""Exceptions shared by the whole library.

Every error is a subclass of :class:`ValueError` (or :class:`KeyError` for
lookups) so that callers who already catch the built-in types keep working,
and every message names the offending value and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class FairclustersError(ValueError):
    """Base class of the library's input errors."""


class FieldProblem(NamedTuple):
    """One invalid field of a :class:`ParameterError`.

    Attributes
    ----------
    field : str
        Where the value was given, e.g. ``"size"`` or ``"sections[0].max_points"``;
        empty when the problem concerns the whole object.
    value : object
        The offending value as given.
    message : str
        What is wrong with it and what was expected.
    """

    field: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ParameterError(FairclustersError):
    """A parameter or model field has a value it does not accept.

    Raised, among others, for every invalid value given to one of the library's
    pydantic models (see :mod:`clustering.validation`). The message names each
    field, the bad value and what was expected.

    Attributes
    ----------
    problems : tuple of FieldProblem
        One entry per invalid field, in the order they were found.
    """

    def __init__(self, message: str, *, problems: Iterable[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    @property
    def fields(self) -> tuple[str, ...]:
        """The invalid fields, e.g. ``("n_clusters",)``."""
        return tuple(p.field for p in self.problems)


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


class AmbiguousNameError(UnknownNameError):
    """A name matches several units (once folded); the message lists each one's id and name.

    A subclass of :class:`UnknownNameError`, so callers that catch an unresolvable
    name keep working.

    Attributes
    ----------
    name : str
        The name as given.
    matches : tuple of (str, str)
        Every matching unit as ``(id, name)``, in the unit set's order.
    """

    def __init__(self, message: str, *, name: str, matches: Iterable[tuple[str, str]]) -> None:
        super().__init__(message)
        self.name = name
        self.matches = tuple(matches)


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


class MissingDependencyError(FairclustersError):
    """An optional package a feature needs is not installed; the message says how to install it.

    Attributes
    ----------
    package : str
        The missing distribution, e.g. ``"pandas"``.
    """

    def __init__(self, message: str, *, package: str) -> None:
        super().__init__(message)
        self.package = package
