"""The errors criteria_design raises for bad input, all under one root.

Every class derives from :class:`CriteriaError`, itself a
:class:`clustering.errors.FairclustersError` (a :class:`ValueError`), so a caller
can catch one package, the whole library, or the built-in type it always caught::

    FairclustersError (ValueError)
    └── CriteriaError
        ├── CriteriaParameterError (also a clustering.errors.ParameterError)
        │   └── LintConfigError
        ├── CriteriaTableError
        ├── StructureError
        ├── UnknownCriterionError (also a KeyError)
        ├── UnknownRuleError
        ├── LexiconError
        ├── ScoresError
        └── HistoryError

The modules that raise them re-export them (``criteria_design.rotation.HistoryError``...).
"""

from __future__ import annotations

from collections.abc import Mapping

from clustering.errors import FairclustersError, ParameterError
from clustering.validation import format_path

__all__ = [
    "CriteriaError",
    "CriteriaParameterError",
    "CriteriaTableError",
    "HistoryError",
    "LexiconError",
    "LintConfigError",
    "ScoresError",
    "StructureError",
    "UnknownCriterionError",
    "UnknownRuleError",
]


class CriteriaError(FairclustersError):
    """Base class of criteria_design's input errors."""


class CriteriaParameterError(CriteriaError, ParameterError):
    """A threshold or option has a value it does not accept; the message names the field."""


class LintConfigError(CriteriaParameterError):
    """A lint configuration (file or values) is invalid; the message names the field."""


class LexiconError(CriteriaError):
    """A lexicon file is unreadable or malformed; the message names the file and entry."""


class UnknownRuleError(CriteriaError):
    """A rule code or prefix selects no rule; the message lists the known codes."""


class ScoresError(CriteriaError):
    """A score sheet that cannot be read or does not fit its criteria table."""


class HistoryError(CriteriaError):
    """An award history that cannot be read or tested."""


class UnknownCriterionError(CriteriaError, KeyError):
    """No criterion with the requested id exists in the table."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ""


class StructureError(CriteriaError):
    """A structural rule of the table is broken at a given criterion.

    Carries the path of the offending node (``("sections", 0, "children", 2)``)
    so that :func:`~criteria_design.table.load_table` can name the line in the source file.
    """

    def __init__(self, message: str, *, path: tuple = (), criterion_id: str | None = None):
        super().__init__(message)
        self.path = path
        self.criterion_id = criterion_id


class StructureErrors(StructureError):
    """Several broken structural rules, found in one pass and reported together.

    Attributes
    ----------
    problems : list of StructureError
        Each with its own path and criterion id.
    """

    def __init__(self, problems: list[StructureError]) -> None:
        super().__init__("; ".join(map(str, problems)), path=problems[0].path,
                         criterion_id=problems[0].criterion_id)
        self.problems = list(problems)


class CriteriaTableError(CriteriaError):
    """A criteria table could not be read or is invalid.

    The message names the file, line (when known), path inside the document
    and criterion id of every problem found, one per line.

    Attributes
    ----------
    source : str or None
        The file, when the table came from one.
    problems : list of dict
        One entry per problem: ``message``, ``line``, ``path``, ``criterion_id``.
    """

    def __init__(self, problems: list[dict], source: str | None = None):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(_format_problem(p, source) for p in problems))

    @property
    def line(self) -> int | None:
        """Line of the first problem, when known."""
        return self.problems[0].get("line") if self.problems else None

    @property
    def criterion_id(self) -> str | None:
        """Criterion id of the first problem, when known."""
        return self.problems[0].get("criterion_id") if self.problems else None

    def located(self, lines: Mapping[tuple, int], source: str | None) -> CriteriaTableError:
        """The same problems, each with the line of its path in the document read from ``source``.

        ``lines`` maps document paths to lines; a problem takes the line of the
        longest prefix of its path that has one (a missing field: its parent's line).
        """
        located = []
        for problem in self.problems:
            path = tuple(problem.get("path") or ())
            line = problem.get("line")
            if line is None:
                prefixes = (path[:cut] for cut in range(len(path), -1, -1))
                line = next((lines[p] for p in prefixes if p in lines), None)
            located.append({**problem, "line": line})
        return CriteriaTableError(located, source)


def _format_problem(problem: dict, source: str | None) -> str:
    where = source or "<table>"
    if problem.get("line") is not None:
        where += f":{problem['line']}"
    parts = [where + ":"]
    if problem.get("criterion_id"):
        parts.append(f"[{problem['criterion_id']}]")
    parts.append(problem["message"])
    if problem.get("path"):
        parts.append(f"(at {format_path(problem['path'])})")
    return " ".join(parts)
