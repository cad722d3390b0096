"""The criteria table (bảng tiêu chí, thang điểm) as validated data.

A table is a tree: sections hold criteria, criteria may hold sub-criteria.
Every node carries its maximum points. Points are signed: base criteria and
bonuses (điểm thưởng) are non-negative, deductions (điểm trừ) are written as
negative numbers, so a member's total is simply the sum of what it earned.

Structural rules enforced on construction (violations raise a
:class:`~criteria_design.errors.CriteriaTableError` naming the path and
criterion id of every problem; :func:`load_table` adds the file and line):

* ids are unique across the whole table;
* a group's ``max_points`` equals the sum of its children's contributions
  (``aggregate: sum``, the default) or the largest of them (``aggregate: max``,
  for "one of these applies");
* a ``cap`` limits what a group or item can contribute (bonus and deduction
  ceilings); it is a magnitude, the same for bonuses and deductions;
* negative points only on deductions, and deductions only negative;
* the declared ``total`` equals the sum of the base sections' contributions
  (bonuses and deductions come on top of the base table);
* a child has the role of its parent (a bonus cannot hide inside a base section).

The pydantic models double as the documented file format: see
:func:`table_json_schema` and ``criteria_design/data/criteria_table.schema.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from clustering.names import nfc
from clustering.validation import FairclustersModel, NFCText, error_message, format_path
from criteria_design.errors import (
    CriteriaParameterError,
    CriteriaTableError,
    StructureError,
    UnknownCriterionError,
)

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = [
    "POINTS_RTOL",
    "CriteriaTable",
    "CriteriaTableError",
    "Criterion",
    "Member",
    "RubricLevel",
    "ScoringRule",
    "Step",
    "StructureError",
    "Target",
    "UnknownCriterionError",
    "format_path",
    "load_table",
    "save_table",
    "table_json_schema",
]

Kind = Literal["quantitative", "qualitative"]
Role = Literal["base", "bonus", "deduction"]
Basis = Literal["absolute", "plan", "baseline", "previous_year", "average", "per_capita"]

#: Relative tolerance when comparing point sums (points are often halves or tenths).
POINTS_RTOL = 1e-9


def _nonempty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


# Vietnamese text may arrive composed or decomposed; one stored form (NFC, stripped)
# makes ids and lexicon matches compare equal.
Identifier = Annotated[NFCText, AfterValidator(_nonempty)]


class _Model(FairclustersModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    @classmethod
    def _invalid(cls, exc: ValidationError, data: object) -> CriteriaTableError:
        # Unlike other models', table errors keep the path and criterion id of each
        # problem, so that load_table can point at the line in the file.
        return CriteriaTableError([_problem_from_error(e, data) for e in exc.errors()])


class Target(_Model):
    """What a quantitative criterion asks for.

    ``basis`` says what the value is measured against: ``absolute`` means the
    same number for every member, whatever its size; ``plan`` / ``baseline`` /
    ``previous_year`` / ``average`` / ``per_capita`` normalise to the member.
    """

    value: float
    basis: Basis = "absolute"
    direction: Literal["at_least", "at_most"] = "at_least"


class Step(_Model):
    """One step of a step scoring rule: ``points`` once the measure reaches ``at_least``."""

    at_least: float
    points: float = Field(ge=0)


class ScoringRule(_Model):
    """How points are awarded.

    ``linear``: 0 points at ``lower``, full points at ``upper``, linear between.
    ``steps``: the points of the highest step reached. ``all_or_nothing``: full
    points if the target is met, else 0. ``deduction``: ``per_occurrence``
    points removed per occurrence up to the cap. ``rubric``: the criterion's
    anchored levels. ``judgement``: the rater's discretion (declared, so the
    linter can flag it).
    """

    method: Literal["linear", "steps", "all_or_nothing", "deduction", "rubric", "judgement"]
    lower: float | None = None
    upper: float | None = None
    steps: list[Step] = Field(default_factory=list)
    per_occurrence: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _parameters_match_method(self) -> ScoringRule:
        if self.method == "linear":
            if self.lower is None or self.upper is None:
                raise ValueError("linear scoring needs both 'lower' and 'upper' thresholds")
            if self.lower == self.upper:
                raise ValueError(f"linear scoring needs lower != upper, got both {self.lower}")
        if self.method == "steps":
            if not self.steps:
                raise ValueError("steps scoring needs at least one entry in 'steps'")
            cuts = [s.at_least for s in self.steps]
            if len(set(cuts)) != len(cuts):
                raise ValueError(f"steps scoring has repeated thresholds {cuts}")
        if self.method == "deduction" and self.per_occurrence is None:
            raise ValueError("deduction scoring needs 'per_occurrence' (points removed each time)")
        return self

    def levels(self, max_points: float) -> set[float] | None:
        """The distinct point values this rule can award, or ``None`` if continuous/unknown."""
        if self.method == "all_or_nothing":
            return {0.0, abs(max_points)}
        if self.method == "steps":
            return {0.0} | {s.points for s in self.steps}
        return None


class RubricLevel(_Model):
    """An anchored level of a qualitative criterion: the points and what earns them."""

    points: float = Field(ge=0)
    description: NFCText


class Member(_Model):
    """A member of the cluster/bloc, with a size used to judge absolute targets."""

    name: NFCText
    size: float = Field(gt=0)


class Criterion(_Model):
    """A criterion, or a group of criteria (a node with ``children``).

    Parameters
    ----------
    id : str
        Unique in the table, e.g. ``"I.2.a"``.
    text : str
        The criterion as written (Vietnamese or English, stored NFC).
    max_points : float
        Maximum points; negative for deductions (e.g. ``-10``).
    kind : {"quantitative", "qualitative"} or None
        Required on leaves, ``None`` on groups.
    role : {"base", "bonus", "deduction"}
        Inherited from the parent when omitted in a file.
    children : list of Criterion
        Sub-criteria; their contributions add up to ``max_points`` (see ``aggregate``).
    aggregate : {"sum", "max"}
        How children's points make the group's: all apply, or only the best one.
    cap : float or None
        Magnitude the node contributes at most (bonus and deduction ceilings).
    measure, unit, target, scoring, evidence, period, rubric, importance
        What is measured, in which unit, against which target, how points are
        awarded, who verifies it, over which period, the anchored levels of a
        qualitative item, and the importance the designers intend (any
        positive scale), used to judge equal points.
    """

    id: Identifier
    text: NFCText
    max_points: float
    kind: Kind | None = None
    role: Role = "base"
    measure: NFCText | None = None
    unit: NFCText | None = None
    target: Target | None = None
    scoring: ScoringRule | None = None
    evidence: NFCText | None = None
    period: NFCText | None = None
    rubric: list[RubricLevel] | None = None
    importance: float | None = Field(default=None, gt=0)
    cap: float | None = Field(default=None, gt=0)
    aggregate: Literal["sum", "max"] = "sum"
    children: list[Criterion] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _children_inherit_role(cls, data: object) -> object:
        # In a file, writing ``role: bonus`` once on the bonus section is enough.
        if isinstance(data, dict) and "role" in data and isinstance(data.get("children"), list):
            data = dict(data)
            data["children"] = [
                {**child, "role": data["role"]}
                if isinstance(child, dict) and "role" not in child
                else child
                for child in data["children"]
            ]
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        if math.isnan(self.max_points) or math.isinf(self.max_points):
            raise ValueError(f"max_points must be a finite number, got {self.max_points}")
        if self.role == "deduction" and self.max_points > 0:
            raise ValueError(
                f"deduction {self.id!r} has max_points {self.max_points:g}; write deductions "
                f"as negative points (e.g. {-self.max_points:g})"
            )
        if self.role != "deduction" and self.max_points < 0:
            raise ValueError(
                f"negative points outside deductions: {self.id!r} has max_points "
                f"{self.max_points:g} with role {self.role!r}; mark it role: deduction "
                "or give positive points"
            )
        if self.cap is not None and self.cap > abs(self.max_points):
            raise ValueError(
                f"cap {self.cap:g} of {self.id!r} exceeds its maximum {abs(self.max_points):g}; "
                "a cap must be below the uncapped maximum"
            )
        if self.children:
            self._check_group()
        else:
            self._check_leaf()
        return self

    def _check_group(self) -> None:
        for child in self.children:
            if child.role != self.role:
                raise ValueError(
                    f"{child.id!r} has role {child.role!r} inside {self.role!r} group "
                    f"{self.id!r}; put {child.role} items in a group of their own"
                )
        contributions = [c.contribution for c in self.children]
        expected = sum(contributions) if self.aggregate == "sum" else max(contributions, key=abs)
        if not _close(expected, self.max_points):
            how = "sum" if self.aggregate == "sum" else "largest"
            raise ValueError(
                f"points do not add up: {self.id!r} declares {self.max_points:g} but the {how} "
                f"of its children is {expected:g} "
                f"({', '.join(f'{c.id}={c.contribution:g}' for c in self.children)})"
            )

    def _check_leaf(self) -> None:
        if self.kind is None:
            raise ValueError(f"criterion {self.id!r} has no 'kind' (quantitative or qualitative)")
        top = abs(self.max_points)
        if self.scoring is not None:
            if self.scoring.method == "rubric" and not self.rubric:
                raise ValueError(f"{self.id!r} is scored by rubric but has no 'rubric' levels")
            if self.scoring.method == "deduction" and self.role != "deduction":
                raise ValueError(
                    f"{self.id!r} uses deduction scoring but its role is {self.role!r}"
                )
            for step in self.scoring.steps:
                if step.points > top:
                    raise ValueError(
                        f"a step of {self.id!r} awards {step.points:g} points, "
                        f"above its maximum {top:g}"
                    )
        if self.rubric:
            for level in self.rubric:
                if level.points > top:
                    raise ValueError(
                        f"rubric level of {self.id!r} awards {level.points:g} points, "
                        f"above its maximum {top:g}"
                    )

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def contribution(self) -> float:
        """Signed points the node can add to a total: ``max_points`` limited by ``cap``."""
        if self.cap is None:
            return self.max_points
        return math.copysign(min(abs(self.max_points), self.cap), self.max_points)

    def walk(self) -> Iterator[Criterion]:
        """This node and all its descendants, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


def _key(criterion_id: str) -> str:
    """A requested id in its stored form (NFC, stripped); a non-string raises TypeError."""
    return nfc(criterion_id).strip()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=POINTS_RTOL, abs_tol=1e-9)


class CriteriaTable(_Model):
    """A whole criteria table.

    Parameters
    ----------
    title : str
        E.g. ``"Bảng tiêu chí thi đua Cụm các tỉnh Đồng bằng sông Hồng năm 2024"``.
    total : float
        Declared maximum of the base table (bonuses and deductions excluded).
    sections : list of Criterion
        Top-level groups (or criteria), in document order.
    period : str or None
        Period the whole table covers (e.g. ``"năm 2024"``); criteria inherit it.
    members : list of Member
        Optional members with a size (population, GRDP, staff...), named in
        ``size_measure``, so the linter can judge identical absolute targets.

    Examples
    --------
    >>> t = CriteriaTable.model_validate({
    ...     "title": "Demo", "total": 10,
    ...     "sections": [{"id": "A", "text": "Thu ngân sách", "max_points": 10,
    ...                   "kind": "quantitative"}]})
    >>> [c.id for c in t.leaves()]
    ['A']
    """

    title: NFCText
    total: float = Field(gt=0)
    period: NFCText | None = None
    description: NFCText | None = None
    size_measure: NFCText | None = None
    members: list[Member] = Field(default_factory=list)
    sections: list[Criterion] = Field(min_length=1)

    _source: str | None = PrivateAttr(default=None)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _table_consistent(self) -> CriteriaTable:
        seen: dict[str, tuple] = {}
        for path, criterion in self._walk_with_paths():
            if criterion.id in seen:
                raise StructureError(
                    f"duplicate id {criterion.id!r}: first at {format_path(seen[criterion.id])}, "
                    f"again at {format_path(path)}",
                    path=path,
                    criterion_id=criterion.id,
                )
            seen[criterion.id] = path
        base_sections = [s for s in self.sections if s.role == "base"]
        base = sum(s.contribution for s in base_sections)
        if not _close(base, self.total):
            parts = ", ".join(f"{s.id}={s.contribution:g}" for s in base_sections)
            raise StructureError(
                f"declared total {self.total:g} does not match the base sections, which add up "
                f"to {base:g} ({parts})",
                path=("total",),
            )
        return self

    def _walk_with_paths(self) -> Iterator[tuple[tuple, Criterion]]:
        def rec(node: Criterion, path: tuple) -> Iterator[tuple[tuple, Criterion]]:
            yield path, node
            for j, child in enumerate(node.children):
                yield from rec(child, (*path, "children", j))

        for i, section in enumerate(self.sections):
            yield from rec(section, ("sections", i))

    def __eq__(self, other: object) -> bool:
        # Where a table was read from (file, lines) is not part of what it says.
        if not isinstance(other, CriteriaTable):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable model, like pydantic's default

    # -- navigation -------------------------------------------------------
    def walk(self) -> Iterator[Criterion]:
        """Every node (groups and leaves), in document order."""
        for section in self.sections:
            yield from section.walk()

    def leaves(self, role: Role | None = None) -> list[Criterion]:
        """The scored criteria (nodes without children), in document order.

        Parameters
        ----------
        role : {"base", "bonus", "deduction"} or None
            Keep only leaves of this role.
        """
        return [c for c in self.walk() if c.is_leaf and (role is None or c.role == role)]

    def find(self, criterion_id: str) -> Criterion:
        """The criterion with this id; raises :class:`UnknownCriterionError` (a KeyError)."""
        key = _key(criterion_id)
        for criterion in self.walk():
            if criterion.id == key:
                return criterion
        raise UnknownCriterionError(
            f"no criterion with id {criterion_id!r} in table {self.title!r}"
        )

    def parent_of(self, criterion_id: str) -> Criterion | None:
        """The group holding this criterion, ``None`` for a section."""
        self.find(criterion_id)
        for node in self.walk():
            if any(child.id == _key(criterion_id) for child in node.children):
                return node
        return None

    def weight(self, criterion: Criterion) -> float:
        """Nominal weight: the criterion's contribution as a share of the declared total."""
        return criterion.contribution / self.total

    # -- provenance -------------------------------------------------------
    @property
    def source(self) -> str | None:
        """The file this table was read from, if any."""
        return self._source

    def line_of(self, criterion_id: str) -> int | None:
        """Line where the criterion is defined in the source file, when known."""
        return self._lines.get(criterion_id)

    def to_dict(self) -> dict:
        """Plain data (JSON types), omitting unset optional fields; reloads to an equal table."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def table_json_schema() -> dict:
    """JSON Schema (draft 2020-12) of the criteria-table file format.

    Generated from the pydantic models, so it cannot drift from the validation;
    the copy shipped as ``criteria_design/data/criteria_table.schema.json`` is
    checked against it by the tests (regenerate it with
    ``criteria-lint --schema > criteria_design/data/criteria_table.schema.json``).

    Examples
    --------
    >>> schema = table_json_schema()
    >>> sorted(schema["required"])
    ['sections', 'title', 'total']
    """
    schema = CriteriaTable.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/fairclusters/fairclusters/criteria_table.schema.json",
        **schema,
    }


# -- reading and writing ------------------------------------------------------

_SUFFIX_FORMAT = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load_table(path_or_text: str | os.PathLike, *, fmt: str | None = None) -> CriteriaTable:
    """Read and validate a criteria table from a YAML or JSON file or string.

    Parsing is safe (``yaml.safe_load`` / ``json.loads``). The line of every
    criterion id is recorded so findings and errors can point into the file.

    Parameters
    ----------
    path_or_text : str or path-like
        A :class:`os.PathLike` is always a file. A ``str`` is a file if it names
        one (or ends in ``.yaml``, ``.yml`` or ``.json``), else the document itself.
    fmt : {"yaml", "json"} or None
        Force the format; by default it follows the suffix (text: JSON if it
        starts with ``{``, else YAML).

    Raises
    ------
    CriteriaTableError
        Unreadable file, malformed document or invalid table; the message names
        file, line, path and criterion id of each problem.

    Examples
    --------
    >>> t = load_table('''
    ... title: Khối thi đua các sở
    ... total: 10
    ... sections:
    ...   - id: A
    ...     text: Tỷ lệ hồ sơ giải quyết đúng hạn
    ...     max_points: 10
    ...     kind: quantitative
    ... ''')
    >>> t.find("A").max_points, t.line_of("A")
    (10.0, 5)
    """
    text, source, fmt = _read_source(path_or_text, fmt)
    data = _parse(text, fmt, source)
    lines = _node_lines(text)
    if not isinstance(data, dict):
        raise CriteriaTableError(
            [{"message": f"the document must be a mapping with title, total and sections, "
                         f"got {type(data).__name__}", "line": 1}],
            source,
        )
    try:
        table = CriteriaTable.model_validate(data)
    except CriteriaTableError as exc:
        raise exc.located(lines, source) from exc.__cause__
    table._source = source
    table._lines = {
        criterion.id: line
        for path, criterion in table._walk_with_paths()
        if (line := lines.get((*path, "id"))) is not None
    }
    return table


def save_table(table: CriteriaTable, path: str | os.PathLike, *, overwrite: bool = False) -> None:
    """Write a table as YAML or JSON (by suffix), in NFC, readable by :func:`load_table`.

    Raises
    ------
    FileExistsError
        The file exists and ``overwrite`` is false.
    CriteriaTableError
        The suffix is not ``.yaml``, ``.yml`` or ``.json``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> t = load_table('{"title": "T", "total": 5, "sections": [{"id": "A", '
    ...                '"text": "Số sáng kiến", "max_points": 5, "kind": "quantitative"}]}')
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
    >>> save_table(t, out)
    >>> load_table(out) == t
    True
    """
    path = Path(path)
    fmt = _SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None:
        raise CriteriaTableError(
            [{"message": f"cannot write {path.suffix!r}; use .yaml, .yml or .json"}], str(path)
        )
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    data = table.to_dict()
    if fmt == "json":
        out = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        out = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(out, encoding="utf-8")


def _read_source(path_or_text: str | os.PathLike, fmt: str | None) -> tuple[str, str | None, str]:
    if fmt is not None and fmt not in ("yaml", "json"):
        raise CriteriaParameterError(f"fmt must be 'yaml', 'json' or None, got {fmt!r}")
    is_path = isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str)
        and "\n" not in path_or_text
        and (Path(path_or_text).suffix.lower() in _SUFFIX_FORMAT or Path(path_or_text).is_file())
    )
    if not is_path:
        if not isinstance(path_or_text, str):
            raise TypeError(
                "load_table expects a path or a YAML/JSON string, "
                f"got {type(path_or_text).__name__}"
            )
        text = path_or_text
        return text, None, fmt or ("json" if text.lstrip().startswith("{") else "yaml")
    path = Path(path_or_text)
    source = str(path)
    suffix_fmt = _SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None and suffix_fmt is None:
        raise CriteriaTableError(
            [{"message": f"unknown file type {path.suffix!r}; expected .yaml, .yml or .json "
                         "(or pass fmt=)"}],
            source,
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CriteriaTableError([{"message": "file not found"}], source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaTableError([{"message": f"cannot read file: {exc}"}], source) from None
    return text, source, fmt or suffix_fmt


def _parse(text: str, fmt: str, source: str | None) -> object:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CriteriaTableError(
                [{"message": f"malformed JSON: {exc.msg} (column {exc.colno})",
                  "line": exc.lineno}],
                source,
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CriteriaTableError(
            [{"message": f"malformed YAML: {problem}",
              "line": mark.line + 1 if mark is not None else None}],
            source,
        ) from None


def _node_lines(text: str) -> dict[tuple, int]:
    """Map every document path to the (1-based) line where it starts.

    JSON is read as YAML for this purpose only (JSON is YAML's flow style);
    when that fails, errors and findings simply carry no line.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple, int] = {}

    def rec(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, key.value)
                lines[sub] = key.start_mark.line + 1
                rec(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                rec(item, (*path, i))

    if root is not None:
        rec(root, ())
    return lines


def _problem_from_error(err: ErrorDetails, data: object) -> dict:
    """One pydantic error as a table problem: message, path and the criterion concerned."""
    cause = (err.get("ctx") or {}).get("error")
    path = tuple(err["loc"])
    criterion_id = None
    if isinstance(cause, StructureError):
        path, criterion_id = cause.path or path, cause.criterion_id
        message = str(cause)
    elif err["type"] == "missing":
        message = f"missing field {path[-1]!r}"
    else:
        message = error_message(err)
        if path and isinstance(path[-1], str) and path[-1] not in ("children", "sections"):
            message = f"field {path[-1]!r}: {message}"
    if criterion_id is None:
        criterion_id = _deepest_id(data, path)
    return {"message": message, "line": None, "path": path, "criterion_id": criterion_id}


def _deepest_id(data: object, path: tuple) -> str | None:
    """The id of the innermost criterion on ``path``: the one a reader should look at."""
    found, node = None, data
    for part in (*path, None):
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        if part is None:
            break
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
    return found
