"""Checks of estimator parameters and array inputs, on public APIs only.

Each estimator declares ``_parameter_checks``: parameter name -> the
constraints it may satisfy (any one is enough). :func:`check_params` tests
them at the start of ``fit`` and raises one
:class:`~clustering.errors.ParameterError` naming every bad value and what
was expected, e.g. ``n_clusters=0; expected an integer >= 1``. Array inputs go
through :func:`sklearn.utils.check_array` (2-D, finite numbers) with messages
that name the parameter.

The constraints mirror scikit-learn's own (an interval of integers or reals,
an instance of some types, one of some strings) without importing its private
``sklearn.utils._param_validation``.

Examples
--------
>>> from numbers import Integral
>>> checks = {"n_clusters": [Interval(Integral, 1, None, closed="left")]}
>>> try:
...     check_params("Demo", {"n_clusters": 0}, checks)
... except ParameterError as exc:
...     print(exc)
Demo: n_clusters=0; expected an integer >= 1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Literal, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array

from ..errors import FieldProblem, ParameterError

__all__ = [
    "BOOLEAN",
    "RANDOM_STATE",
    "Constraint",
    "InstanceOf",
    "Interval",
    "Options",
    "PairOf",
    "check_adjacency",
    "check_indicator_array",
    "check_params",
    "check_sample_weight",
]


class Constraint(Protocol):
    """What a parameter value may be: ``accepts`` tests it, ``str()`` says it in words."""

    def accepts(self, value: object) -> bool: ...


def _is_number(value: object, kind: type) -> bool:
    """``value`` is an instance of ``kind`` (``Integral`` or ``Real``), booleans excluded."""
    return isinstance(value, kind) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Interval:
    """Numbers of one kind within bounds, like scikit-learn's ``Interval``.

    Parameters
    ----------
    kind : numbers.Integral or numbers.Real
        ``Integral`` accepts integers only; ``Real`` accepts any finite real
        number (integers included). Booleans are never accepted.
    low, high : float or None
        The bounds; ``None`` leaves that side open.
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.

    Examples
    --------
    >>> from numbers import Real
    >>> geography = Interval(Real, 0, 1, closed="both")
    >>> geography.accepts(0.5), geography.accepts(1.5), geography.accepts(float("nan"))
    (True, False, False)
    >>> str(geography)
    'a number in [0, 1]'
    """

    kind: type
    low: float | None
    high: float | None
    closed: Literal["left", "right", "both", "neither"] = "both"

    def accepts(self, value: object) -> bool:
        if not _is_number(value, self.kind):
            return False
        if self.kind is not Integral and not math.isfinite(float(value)):  # type: ignore[arg-type]
            return False
        x = float(value)  # type: ignore[arg-type]
        low_in = self.closed in ("left", "both")
        high_in = self.closed in ("right", "both")
        if self.low is not None and (x < self.low or (x == self.low and not low_in)):
            return False
        return self.high is None or not (x > self.high or (x == self.high and not high_in))

    def __str__(self) -> str:
        noun = "an integer" if self.kind is Integral else "a number"
        low, high = _plain(self.low), _plain(self.high)
        if self.low is None and self.high is None:
            return noun
        if self.high is None:
            return f"{noun} {'>=' if self.closed in ('left', 'both') else '>'} {low}"
        if self.low is None:
            return f"{noun} {'<=' if self.closed in ('right', 'both') else '<'} {high}"
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        return f"{noun} in {left}{low}, {high}{right}"


def _plain(bound: float | None) -> str:
    """A bound as written by hand: ``1`` rather than ``1.0``."""
    if bound is None:
        return ""
    return str(int(bound)) if float(bound).is_integer() else str(bound)


@dataclass(frozen=True)
class InstanceOf:
    """Instances of some types, described in words (``"a Plan"``, ``"a boolean"``).

    Examples
    --------
    >>> InstanceOf((str,), "a string").accepts("population"), str(InstanceOf((str,), "a string"))
    (True, 'a string')
    """

    types: tuple[type, ...]
    description: str

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.types)

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class Options:
    """One of a few strings.

    Examples
    --------
    >>> init = Options(("auto", "ward"))
    >>> init.accepts("ward"), init.accepts("random"), str(init)
    (True, False, "one of 'auto', 'ward'")
    """

    values: tuple[str, ...]

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and value in self.values

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


@dataclass(frozen=True)
class PairOf:
    """A ``(low, high)`` tuple or list of two numbers of one kind (bounds of a range).

    Only the types are checked here; the order and range of the bounds are the
    rules' to check (:class:`~clustering.rules.ClusterRules`), with their own messages.

    Examples
    --------
    >>> size = PairOf(Integral)
    >>> size.accepts((5, 6)), size.accepts((5.5, 6)), size.accepts(5), str(size)
    (True, False, False, 'a pair (min, max) of integers')
    """

    kind: type

    def accepts(self, value: object) -> bool:
        return (
            isinstance(value, (tuple, list))
            and len(value) == 2
            and all(_is_number(v, self.kind) for v in value)
        )

    def __str__(self) -> str:
        return f"a pair (min, max) of {'integers' if self.kind is Integral else 'numbers'}"


#: ``True`` or ``False`` (numpy booleans included).
BOOLEAN = InstanceOf((bool, np.bool_), "a boolean")
#: What :func:`sklearn.utils.check_random_state` accepts besides ``None``.
RANDOM_STATE = InstanceOf((Integral, np.random.RandomState), "an integer seed or a RandomState")


def _describe(constraints: Sequence[Constraint | None]) -> str:
    words = ["None" if c is None else str(c) for c in constraints]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _shown(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_params(
    owner: str,
    params: Mapping[str, object],
    constraints: Mapping[str, Sequence[Constraint | None]],
) -> None:
    """Raise one :class:`~clustering.errors.ParameterError` for all values breaking constraints.

    Parameters
    ----------
    owner : str
        Who the parameters belong to (the estimator's class name), first in the message.
    params : mapping of str to object
        The values, e.g. ``estimator.get_params(deep=False)``.
    constraints : mapping of str to sequence of constraints
        Parameter -> what it may be; a value is valid when any constraint
        accepts it, ``None`` in the sequence allowing ``None``. Parameters
        without constraints are not checked.

    Raises
    ------
    ParameterError
        With one :class:`~clustering.errors.FieldProblem` per bad parameter;
        the message reads ``"<owner>: <name>=<value>; expected <what>"``.
    """
    problems = []
    for name, allowed in constraints.items():
        value = params[name]
        if any(value is None if c is None else c.accepts(value) for c in allowed):
            continue
        problems.append(FieldProblem(name, value, f"expected {_describe(allowed)}"))
    if problems:
        text = ". ".join(f"{p.field}={_shown(p.value)}; {p.message}" for p in problems)
        raise ParameterError(f"{owner}: {text}", problems=problems)


def _invalid_input(name: str, value: object, message: str) -> ParameterError:
    return ParameterError(f"{name} {message}", problems=[FieldProblem(name, value, message)])


def check_indicator_array(X: object, name: str = "X") -> np.ndarray:
    """``X`` as a 2-D float array of finite numbers, at least one row and one column.

    Parameters
    ----------
    X : array-like
        The ``(n_units, n_indicators)`` indicators.
    name : str, default "X"
        The parameter named in error messages.

    Raises
    ------
    ParameterError
        Not 2-D (the message gives the shape), empty, not numeric, or holding
        NaN or infinite values.

    Examples
    --------
    >>> check_indicator_array([[1, 2], [3, 4]]).dtype
    dtype('float64')
    >>> try:
    ...     check_indicator_array([1.0, 2.0])
    ... except ParameterError as exc:
    ...     print(exc)
    X has shape (2,); expected a UnitSet or a 2-D (n_units, n_indicators) array
    """
    try:
        shape = X.shape if sp.issparse(X) else np.shape(X)  # type: ignore[union-attr]
    except ValueError:  # ragged nested lists
        raise _invalid_input(name, X, "is ragged; expected a 2-D (n_units, n_indicators) "
                                      "array") from None
    if len(shape) != 2:
        raise _invalid_input(name, X, f"has shape {tuple(shape)}; expected a UnitSet or a 2-D "
                                      "(n_units, n_indicators) array")
    try:
        return check_array(X, dtype=np.float64, ensure_all_finite=True, input_name=name)
    except (TypeError, ValueError) as exc:
        reason = str(exc).splitlines()[0]
        raise _invalid_input(name, X, f"of shape {tuple(shape)} is not an array of finite "
                                      f"numbers ({reason}); mark missing figures in a "
                                      "UnitSet instead") from exc


def check_sample_weight(sample_weight: object, n: int) -> np.ndarray:
    """``sample_weight`` as a float array of ``n`` finite numbers >= 0.

    Raises
    ------
    ParameterError
        Wrong shape, not numeric, not finite, or negative.

    Examples
    --------
    >>> check_sample_weight([1, 2, 3], 3)
    array([1., 2., 3.])
    """
    try:
        weights = check_array(sample_weight, ensure_2d=False, dtype=np.float64,
                              ensure_all_finite=True, input_name="sample_weight")
    except (TypeError, ValueError) as exc:
        raise _invalid_input("sample_weight", sample_weight,
                             f"is not an array of finite numbers ({str(exc).splitlines()[0]})"
                             ) from exc
    if weights.shape != (n,):
        raise _invalid_input("sample_weight", sample_weight,
                             f"has shape {weights.shape}; expected ({n},), one weight per unit")
    if (weights < 0).any():
        raise _invalid_input("sample_weight", sample_weight,
                             f"has negative values (smallest {weights.min():g}); expected "
                             "weights >= 0")
    return weights


def check_adjacency(adjacency: object, n: int) -> sp.coo_matrix:
    """``adjacency`` as an ``n x n`` sparse matrix of finite numbers (nonzero = border).

    Raises
    ------
    ParameterError
        Not 2-D, not ``n x n``, not numeric or not finite.

    Examples
    --------
    >>> check_adjacency([[0, 1], [1, 0]], 2).nnz
    2
    """
    try:
        matrix = check_array(adjacency, accept_sparse=("csr", "csc", "coo"), dtype="numeric",
                             ensure_all_finite=True, input_name="adjacency",
                             ensure_min_samples=0, ensure_min_features=0)
    except (TypeError, ValueError) as exc:
        raise _invalid_input("adjacency", adjacency,
                             f"is not a 2-D array of finite numbers ({str(exc).splitlines()[0]})"
                             ) from exc
    if matrix.shape != (n, n):
        raise _invalid_input("adjacency", adjacency,
                             f"has shape {matrix.shape}; expected ({n}, {n}), one row and one "
                             "column per unit")
    return sp.coo_matrix(matrix)
