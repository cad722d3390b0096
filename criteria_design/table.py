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

from clustering.files import FileFormatError, compose_yaml, load_json, load_yaml, read_text
from clustering.names import nfc
from clustering.validation import FairclustersModel, NFCText, error_message, format_path
from criteria_design.errors import (
    CriteriaParameterError,
    CriteriaTableError,
    StructureError,
    StructureErrors,
    UnknownCriterionError,
)

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = [
    "POINTS_RTOL",
    "Adjustment",
    "Band",
    "CriteriaTable",
    "CriteriaTableError",
    "Criterion",
    "Knockout",
    "Member",
    "RubricLevel",
    "ScoringRule",
    "Step",
    "StructureError",
    "Target",
    "Tier",
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
        return CriteriaTableError(
            [problem for e in exc.errors() for problem in _problems_from_error(e, data)])


class Target(_Model):
    """What a quantitative criterion asks for.

    ``basis`` says what the value is measured against: ``absolute`` means the
    same number for every member, whatever its size; ``plan`` / ``baseline`` /
    ``previous_year`` / ``average`` / ``per_capita`` normalise to the member.
    """

    value: float
    basis: Basis = "absolute"
    direction: Literal["at_least", "at_most"] = "at_least"
    minimum: float | None = Field(
        default=None,
        description="The lower of two thresholds (ngưỡng tối thiểu): below it the criterion "
        "earns nothing; ``value`` earns the full points.",
    )

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Target:
        if self.minimum is None:
            return self
        below = self.minimum < self.value if self.direction == "at_least" else (
            self.minimum > self.value)
        if not below:
            side = "below" if self.direction == "at_least" else "above"
            raise ValueError(
                f"the minimum threshold {self.minimum:g} must be {side} the target "
                f"{self.value:g} ({self.direction})"
            )
        return self


class Step(_Model):
    """One step of a step scoring rule: ``points`` once the measure reaches ``at_least``."""

    at_least: float
    points: float = Field(ge=0)


class Band(_Model):
    """One band of a band scoring rule: ``points`` when the measure falls in the interval.

    Either end may be open (``None``: no lower or no upper limit). By default the
    lower end is included and the upper one is not, as in "từ 80 % đến dưới 90 %".
    """

    lower: float | None = None
    upper: float | None = None
    lower_closed: bool = True
    upper_closed: bool = False
    points: float = Field(ge=0)

    @model_validator(mode="after")
    def _interval(self) -> Band:
        if self.lower is not None and self.upper is not None:
            if self.lower > self.upper or (
                self.lower == self.upper and not (self.lower_closed and self.upper_closed)
            ):
                raise ValueError(f"band [{self.lower:g}, {self.upper:g}) is empty")
        return self

    def contains(self, value: float) -> bool:
        """Whether ``value`` falls in the band.

        Parameters
        ----------
        value : float
            A value of the criterion's measure.

        Examples
        --------
        >>> Band(lower=80, upper=90, points=5).contains(90)
        False
        """
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_closed)
        ):
            return False
        return self.upper is None or value < self.upper or (
            value == self.upper and self.upper_closed
        )

    def label(self) -> str:
        """The interval in mathematical notation, e.g. ``[80, 90)``."""
        low = "-inf" if self.lower is None else f"{self.lower:g}"
        high = "+inf" if self.upper is None else f"{self.upper:g}"
        left = "[" if self.lower is not None and self.lower_closed else "("
        right = "]" if self.upper is not None and self.upper_closed else ")"
        return f"{left}{low}, {high}{right}"


def _band_order(band: Band) -> tuple[float, int]:
    # An open lower end sorts first; at the same number a closed end comes first.
    if band.lower is None:
        return (-math.inf, 0)
    return (band.lower, 0 if band.lower_closed else 1)


class ScoringRule(_Model):
    """How points are awarded.

    ``linear``: 0 points at ``lower``, full points at ``upper``, linear between.
    ``steps``: the points of the highest step reached. ``all_or_nothing``: full
    points if the target is met, else 0. ``deduction``: ``per_occurrence``
    points removed per occurrence up to the cap. ``rubric``: the criterion's
    anchored levels. ``judgement``: the rater's discretion (declared, so the
    linter can flag it). ``bands``: the points of the band the measure falls in
    (``bands``, in increasing order; gaps and overlaps are findings, RIG012).
    """

    method: Literal[
        "linear", "steps", "bands", "all_or_nothing", "deduction", "rubric", "judgement"
    ]
    lower: float | None = None
    upper: float | None = None
    steps: list[Step] = Field(default_factory=list)
    bands: list[Band] = Field(default_factory=list)
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
        if self.method == "bands" and not self.bands:
            raise ValueError("bands scoring needs at least one entry in 'bands'")
        keys = [_band_order(b) for b in self.bands]
        for k in range(1, len(keys)):
            if keys[k] < keys[k - 1]:
                raise ValueError(
                    f"bands are not in increasing order: band {k} {self.bands[k].label()} "
                    f"comes after band {k - 1} {self.bands[k - 1].label()}"
                )
        return self

    def levels(self, max_points: float) -> set[float] | None:
        """The distinct point values this rule can award, or ``None`` if continuous/unknown."""
        if self.method == "all_or_nothing":
            return {0.0, abs(max_points)}
        if self.method == "steps":
            return {0.0} | {s.points for s in self.steps}
        if self.method == "bands":
            return {b.points for b in self.bands}
        return None


class RubricLevel(_Model):
    """An anchored level of a qualitative criterion: the points and what earns them."""

    points: float = Field(ge=0)
    description: NFCText


class Member(_Model):
    """A member of the cluster/bloc.

    ``size`` (population, GRDP, staff...) lets the linter judge absolute targets;
    ``member_class`` is the class the member belongs to when targets depend on it
    (e.g. "nhóm I" by workload), named by the ``tiers`` of criteria.
    """

    name: NFCText
    size: float | None = Field(default=None, gt=0)
    member_class: NFCText | None = None


Per = Literal["once", "occurrence"]


class Adjustment(_Model):
    """A bonus (điểm thưởng) or deduction (điểm trừ) item attached to a criterion.

    ``points`` is a magnitude (positive for both): what the item adds or removes
    once, or each time when ``per`` is ``"occurrence"`` ("mỗi trường hợp vi phạm
    trừ 0,5 điểm"), then counted in ``unit`` and limited by ``cap`` if given.
    ``per`` left out means the table does not say (rule RIG016).
    ``on_detection`` marks an item applied only when an inspection happens to
    find the case (rule RIG015).
    """

    id: Identifier
    text: NFCText
    points: float = Field(gt=0)
    per: Per | None = None
    unit: NFCText | None = None
    cap: float | None = Field(default=None, gt=0)
    at_least: float | None = None
    on_detection: bool = False
    evidence: NFCText | None = None
    verified_by: NFCText | None = None
    note: NFCText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Adjustment:
        if self.per == "occurrence" and self.unit is None:
            raise ValueError(
                f"per-occurrence item {self.id!r} has no 'unit': say what one occurrence is "
                "(e.g. unit: trường hợp vi phạm)"
            )
        if self.cap is not None and self.cap < self.points:
            raise ValueError(
                f"cap {self.cap:g} of item {self.id!r} is below its {self.points:g} points"
            )
        return self

    @property
    def bound(self) -> float:
        """Most the item can add or remove (``inf`` for an uncapped per-occurrence item)."""
        if self.per == "occurrence":
            return math.inf if self.cap is None else self.cap
        return self.points


class Knockout(_Model):
    """A knock-out rule (điều kiện không xếp loại): a fact that overrides the points.

    ``effect``: ``not_ranked`` (không xếp loại / not considered for the award),
    ``lower_class`` (capped at a lower class) or ``zero`` (the criterion scores 0).
    """

    text: NFCText
    effect: Literal["not_ranked", "lower_class", "zero"] = "not_ranked"
    evidence: NFCText | None = None


class Tier(_Model):
    """The target and scoring that apply to one class of members (e.g. by workload)."""

    member_class: Identifier
    target: Target | None = None
    scoring: ScoringRule | None = None


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
    bonuses, deductions : list of Adjustment
        Bonus (điểm thưởng) and deduction (điểm trừ) items of this criterion.
    bonus_cap, deduction_cap : float or None
        Most all its bonus (deduction) items together can add (remove): "tổng
        điểm trừ của mục không quá y điểm". A deduction cap cannot exceed the
        criterion's points.
    floor : float or None
        The criterion's score never goes below this (usually 0).
    tiers : list of Tier
        Targets and scoring by class of member; classes must be declared on members.
    knockouts : list of Knockout
        Facts that override the points ("không xếp loại").
    note, verified_by : str or None
        Rule notes (ghi chú) and the department that verifies the score.
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
    bonuses: list[Adjustment] = Field(default_factory=list)
    deductions: list[Adjustment] = Field(default_factory=list)
    bonus_cap: float | None = Field(default=None, gt=0)
    deduction_cap: float | None = Field(default=None, gt=0)
    floor: float | None = Field(default=None, ge=0)
    tiers: list[Tier] = Field(default_factory=list)
    knockouts: list[Knockout] = Field(default_factory=list)
    note: NFCText | None = None
    verified_by: NFCText | None = None
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
        self._check_adjustments()
        if self.children:
            self._check_group()
        else:
            self._check_leaf()
        return self

    def _check_adjustments(self) -> None:
        top = abs(self.max_points)
        if self.deduction_cap is not None and self.deduction_cap > top:
            raise ValueError(
                f"deduction cap {self.deduction_cap:g} of {self.id!r} exceeds the criterion's "
                f"{top:g} points; a criterion cannot lose more than it is worth"
            )
        if self.floor is not None and self.floor > top:
            raise ValueError(f"floor {self.floor:g} of {self.id!r} is above its {top:g} points")
        items = [("bonuses", a) for a in self.bonuses]
        items += [("deductions", a) for a in self.deductions]
        seen: set[str] = set()
        for field, item in items:
            if item.id in seen:
                raise ValueError(f"{self.id!r} has two items with id {item.id!r} ({field})")
            seen.add(item.id)
        classes = [t.member_class for t in self.tiers]
        if len(set(classes)) != len(classes):
            raise ValueError(f"{self.id!r} has several tiers for the same member class")

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
        for scoring in self.scorings():
            if scoring.method == "rubric" and not self.rubric:
                raise ValueError(f"{self.id!r} is scored by rubric but has no 'rubric' levels")
            if scoring.method == "deduction" and self.role != "deduction":
                raise ValueError(
                    f"{self.id!r} uses deduction scoring but its role is {self.role!r}"
                )
            awarded = [("a step", s.points) for s in scoring.steps]
            awarded += [(f"band {b.label()}", b.points) for b in scoring.bands]
            for what, points in awarded:
                if points > top:
                    raise ValueError(
                        f"{what} of {self.id!r} awards {points:g} points, "
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

    def scorings(self) -> list[ScoringRule]:
        """The criterion's scoring rule followed by those of its tiers (the ones given)."""
        rules = [self.scoring] + [t.scoring for t in self.tiers]
        return [r for r in rules if r is not None]

    def targets(self) -> list[Target]:
        """The criterion's target followed by those of its tiers (the ones given)."""
        found = [self.target] + [t.target for t in self.tiers]
        return [t for t in found if t is not None]

    @property
    def bonus_bound(self) -> float:
        """Most its bonus items can add together (``inf`` when nothing caps them)."""
        return _capped(sum(a.bound for a in self.bonuses), self.bonus_cap)

    @property
    def deduction_bound(self) -> float:
        """Most its deduction items can remove together (``inf`` when nothing caps them)."""
        return _capped(sum(a.bound for a in self.deductions), self.deduction_cap)

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


def _capped(total: float, cap: float | None) -> float:
    return total if cap is None else min(total, cap)


def _key(criterion_id: str) -> str:
    """A requested id in its stored form (NFC, stripped); a non-string raises TypeError."""
    return nfc(criterion_id).strip()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=POINTS_RTOL, abs_tol=1e-9)


class CriteriaTable(_Model):
    """A whole criteria table.

    Ids need only be unique among siblings (``a``, ``b``, ``c`` under each
    standard); a criterion is then named by its *key*: its id when no other
    node has it, else the path of ids from the section down, joined by ``/``
    (``"I/a"``). :meth:`find`, :meth:`line_of` and findings use keys.

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
        ``size_measure``, so the linter can judge identical absolute targets,
        and the class each belongs to (named by the criteria's ``tiers``).
    max_total : float or None
        Declared ceiling of a member's final score, bonuses included (e.g. 105);
        an achievable total above it is a finding (RIG017).
    knockouts : list of Knockout
        Knock-out rules of the whole table ("không xếp loại" conditions).
    notes : list of str
        The table's rule notes (ghi chú), as written.
    verified_by : str or None
        The department that verifies the scores (cơ quan thẩm định).

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
    max_total: float | None = Field(default=None, gt=0)
    knockouts: list[Knockout] = Field(default_factory=list)
    notes: list[NFCText] = Field(default_factory=list)
    verified_by: NFCText | None = None
    sections: list[Criterion] = Field(min_length=1)

    _source: str | None = PrivateAttr(default=None)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)
    _keys: dict[int, str] = PrivateAttr(default_factory=dict)
    _paths: dict[str, tuple] = PrivateAttr(default_factory=dict)
    _file_lines: dict[tuple, int] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _table_consistent(self) -> CriteriaTable:
        # Every table-level problem is found in one pass and reported together.
        problems = self._duplicate_ids()
        if not problems:  # keys and classes need unique sibling ids
            self._index()
            problems += self._class_problems()
        if self.max_total is not None and self.max_total < self.total:
            problems.append(StructureError(
                f"max_total {self.max_total:g} is below the base total {self.total:g}",
                path=("max_total",),
            ))
        base_sections = [s for s in self.sections if s.role == "base"]
        base = sum(s.contribution for s in base_sections)
        if not _close(base, self.total):
            parts = ", ".join(f"{s.id}={s.contribution:g}" for s in base_sections)
            problems.append(StructureError(
                f"declared total {self.total:g} does not match the base sections, which add up "
                f"to {base:g} ({parts})",
                path=("total",),
            ))
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise StructureErrors(problems)
        return self

    def _duplicate_ids(self) -> list[StructureError]:
        """Ids are unique among siblings; the same id may recur at other places."""
        seen: dict[tuple, tuple] = {}
        problems = []
        for path, criterion in self._walk_with_paths():
            where = (path[:-1], criterion.id)
            if where in seen:
                problems.append(StructureError(
                    f"duplicate id {criterion.id!r}: first at {format_path(seen[where])}, "
                    f"again at {format_path(path)}",
                    path=path,
                    criterion_id=criterion.id,
                ))
            else:
                seen[where] = path
        return problems

    def _index(self) -> None:
        self._keys.clear()
        self._paths.clear()
        ids_paths = list(self._id_paths())
        counts: dict[str, int] = {}
        for _, ids, _ in ids_paths:
            counts[ids[-1]] = counts.get(ids[-1], 0) + 1
        for path, ids, node in ids_paths:
            key = ids[-1] if counts[ids[-1]] == 1 else "/".join(ids)
            self._keys[id(node)] = key
            self._paths[key] = path

    def _id_paths(self) -> Iterator[tuple[tuple, tuple[str, ...], Criterion]]:
        def rec(node: Criterion, path: tuple, ids: tuple[str, ...]) -> Iterator:
            ids = (*ids, node.id)
            yield path, ids, node
            for j, child in enumerate(node.children):
                yield from rec(child, (*path, "children", j), ids)

        for i, section in enumerate(self.sections):
            yield from rec(section, ("sections", i), ())

    def _class_problems(self) -> list[StructureError]:
        """Tiers for member classes that no member has."""
        declared = {m.member_class for m in self.members if m.member_class is not None}
        if not declared:
            return []
        return [
            StructureError(
                f"tier {j} of {criterion.id!r} is for member class {tier.member_class!r}, "
                f"which no member has (classes: {', '.join(sorted(declared))})",
                path=(*path, "tiers", j, "member_class"),
                criterion_id=criterion.id,
            )
            for path, criterion in self._walk_with_paths()
            for j, tier in enumerate(criterion.tiers)
            if tier.member_class not in declared
        ]

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

    def id_paths(self) -> list[tuple[tuple[str, ...], Criterion]]:
        """Every node with the ids from its section down to it, in document order."""
        return [(ids, node) for _, ids, node in self._id_paths()]

    def leaves(self, role: Role | None = None) -> list[Criterion]:
        """The scored criteria (nodes without children), in document order.

        Parameters
        ----------
        role : {"base", "bonus", "deduction"} or None
            Keep only leaves of this role.
        """
        return [c for c in self.walk() if c.is_leaf and (role is None or c.role == role)]

    def key(self, criterion: Criterion) -> str:
        """The name of a node of this table: its id if unique, else its path (``"I/a"``).

        Parameters
        ----------
        criterion : Criterion
            A node of this table (the object itself, as given by :meth:`walk`).

        Examples
        --------
        >>> t = CriteriaTable.model_validate({"title": "T", "total": 2, "sections": [
        ...     {"id": str(i), "text": "Mục", "max_points": 1, "children": [
        ...         {"id": "a", "text": "Nội dung", "max_points": 1, "kind": "qualitative"}]}
        ...     for i in (1, 2)]})
        >>> [t.key(c) for c in t.walk()]
        ['1', '1/a', '2', '2/a']
        """
        key = self._keys.get(id(criterion))
        if key is None:
            self._index()  # a copied or edited table: its nodes are new objects
            key = self._keys.get(id(criterion))
        if key is None:
            raise UnknownCriterionError(
                f"criterion {criterion.id!r} is not a node of table {self.title!r}"
            )
        return key

    def find(self, criterion_id: str) -> Criterion:
        """The criterion with this key (its id, or its path ``"I/a"`` when ids repeat).

        Parameters
        ----------
        criterion_id : str
            A key as given by :meth:`key`; an id that several nodes share is refused
            with the paths to choose from.

        Raises
        ------
        UnknownCriterionError
            No such criterion (a :class:`KeyError`).
        """
        key = _key(criterion_id)
        for criterion in self.walk():
            if self.key(criterion) == key:
                return criterion
        shared = [self.key(c) for c in self.walk() if c.id == key]
        if shared:
            raise UnknownCriterionError(
                f"id {criterion_id!r} is used by several criteria of table {self.title!r}; "
                f"name one by its path: {', '.join(shared)}"
            )
        raise UnknownCriterionError(
            f"no criterion with id {criterion_id!r} in table {self.title!r}"
        )

    def parent_of(self, criterion_id: str) -> Criterion | None:
        """The group holding this criterion, ``None`` for a section.

        Parameters
        ----------
        criterion_id : str
            The criterion's key (see :meth:`find`).
        """
        target = self.find(criterion_id)
        for node in self.walk():
            if any(child is target for child in node.children):
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
        """Line where the criterion is defined in the source file, when known.

        Parameters
        ----------
        criterion_id : str
            The criterion's key (see :meth:`find`).
        """
        if criterion_id in self._lines and self._paths.get(criterion_id) is not None:
            return self._lines[criterion_id]
        path = self._paths.get(criterion_id)
        if path is None or self._source is None:
            return None
        if self._file_lines is None:
            # Lines of repeated ids: only the file knows them (read again, once).
            try:
                text = Path(self._source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._file_lines = _node_lines(text)
        return self._file_lines.get((*path, "id"))

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

    Parsing is safe (:mod:`clustering.files`: UTF-8 with or without a
    byte-order mark; YAML without anchors or aliases; no duplicate keys; at most
    :data:`clustering.files.MAX_DEPTH` levels of nesting). The line of every
    criterion id is recorded so findings and errors can point into the file.

    Parameters
    ----------
    path_or_text : str or path-like
        A :class:`os.PathLike` is always a file. A ``str`` holding a newline or
        starting with ``{`` is the document itself, whatever its length;
        another ``str`` is a file if it names one (or ends in ``.yaml``,
        ``.yml`` or ``.json``), else the document.
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


def _names_a_file(text: str) -> bool:
    """Whether a string given to :func:`load_table` is a file name rather than a document."""
    if "\n" in text or text.lstrip().startswith(("{", "[")):
        return False  # checked first: Path() of a long document would fail (name too long)
    if Path(text).suffix.lower() in _SUFFIX_FORMAT:
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL character
        return False


def _read_source(path_or_text: str | os.PathLike, fmt: str | None) -> tuple[str, str | None, str]:
    if fmt is not None and fmt not in ("yaml", "json"):
        raise CriteriaParameterError(f"fmt must be 'yaml', 'json' or None, got {fmt!r}")
    is_path = isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and _names_a_file(path_or_text)
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
        text = read_text(path)
    except FileNotFoundError:
        raise CriteriaTableError([{"message": "file not found"}], source) from None
    except OSError as exc:
        raise CriteriaTableError([{"message": f"cannot read file: {exc}"}], source) from None
    except FileFormatError as exc:
        raise CriteriaTableError([{"message": exc.problem, "line": exc.line}], source) from None
    return text, source, fmt or suffix_fmt


def _parse(text: str, fmt: str, source: str | None) -> object:
    try:
        if fmt == "json":
            return load_json(text, source or "<table>")
        return load_yaml(text, source or "<table>")
    except FileFormatError as exc:
        problem = exc.problem.replace("not valid JSON", "malformed JSON", 1)
        raise CriteriaTableError([{"message": problem, "line": exc.line}], source) from None


def _node_lines(text: str) -> dict[tuple, int]:
    """Map every document path to the (1-based) line where it starts.

    JSON is read as YAML for this purpose only (JSON is YAML's flow style);
    when that fails, errors and findings simply carry no line.
    """
    try:
        root = compose_yaml(text)
    except FileFormatError:
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


def _problems_from_error(err: ErrorDetails, data: object) -> list[dict]:
    """One pydantic error as table problems (several when structural checks found several)."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, StructureErrors):
        return [_problem_from_error({**err, "ctx": {"error": p}}, data) for p in cause.problems]
    return [_problem_from_error(err, data)]


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
