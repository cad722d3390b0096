"""A redesigned criteria table: the linter's main fixes applied, each change listed.

:func:`redesign` writes a revised copy of a table (the original is not touched):

* every all-or-nothing base criterion becomes graded: a quantitative one with a
  target gets bands (0 below a minimum threshold, 50 % and 75 % of the points on the
  way, full points at the target); any other gets a rubric whose middle levels are
  marked placeholders for the planner to describe (answers RIG001, RIG002, RIG013);
* caps where missing: a bonus cap on a criterion whose per-occurrence bonuses have
  none (RIG009), a deduction cap of the criterion's points where deductions could
  remove more and no floor stops them (RIG010), a cap on a bonus section above
  the ``max_bonus_share`` of the total (RIG008);
* vague wording without a measurable anchor (VAG001) is replaced by a marked
  placeholder for the measurable target: ``[chỉ tiêu: ... %]``, ``[thời hạn: ...]``.

Every change names what changed, where (the path of ids in the original table)
and why. With the members' scores, the effect on the ranking is shown as SMAA
rank acceptability (:func:`criteria_design.smaa.smaa`) before and after, under
the same weight samples. Scores are points; the points of a criterion turned
into bands are recomputed only for members whose measured value is given
(``measures``); otherwise they are kept, and the result says which were kept.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from clustering.files import check_output_file
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from criteria_design.config import LintConfig
from criteria_design.errors import CriteriaParameterError, ScoresError
from criteria_design.findings import Finding
from criteria_design.rigidity import is_all_or_nothing
from criteria_design.scores import ScoreSheet, load_scores
from criteria_design.smaa import smaa
from criteria_design.table import Band, CriteriaTable, Criterion, save_table
from criteria_design.vagueness import has_structured_threshold

__all__ = ["PLACEHOLDERS", "Change", "RankEffect", "Redesign", "TableRedesign", "redesign"]

#: The marked placeholder that replaces a vague term, by lexicon group.
PLACEHOLDERS: dict[str, str] = {
    "evaluative": "[chỉ tiêu: ... %]",
    "quantity": "[chỉ tiêu: ... (số lượng)]",
    "timing": "[thời hạn: trước ngày .../...]",
    "escape": "[điều kiện: ...]",
}
_DEFAULT_PLACEHOLDER = "[chỉ tiêu: ...]"
# Shares of the points on the way to the target: partial credit, the top band in full.
_GRADES = (0.5, 0.75)

_WHAT = {
    "bands": Text(vi="chấm theo khoảng: 0 điểm dưới {low:g}, {p1:g} điểm từ {low:g}, {p2:g} "
                     "điểm từ {mid:g}, {points:g} điểm khi đạt {target:g}",
                  en="scored in bands: 0 points below {low:g}, {p1:g} from {low:g}, {p2:g} from "
                     "{mid:g}, {points:g} at the target {target:g}"),
    "bands_at_most": Text(vi="chấm theo khoảng: {points:g} điểm khi không quá {target:g}, {p2:g} "
                             "điểm đến {mid:g}, {p1:g} điểm đến {low:g}, 0 điểm khi vượt {low:g}",
                          en="scored in bands: {points:g} points up to {target:g}, {p2:g} up to "
                             "{mid:g}, {p1:g} up to {low:g}, 0 above {low:g}"),
    "rubric": Text(vi="chấm theo thang mức 0 / {p1:g} / {p2:g} / {points:g} điểm; mô tả các mức "
                      "giữa còn để trống cho người xây dựng bảng",
                   en="scored by rubric levels 0 / {p1:g} / {p2:g} / {points:g} points; the "
                      "middle levels are placeholders for the planners to describe"),
    "bonus_cap": Text(vi="thêm mức điểm thưởng tối đa {cap:g} điểm cho tiêu chí",
                      en="added a bonus cap of {cap:g} points to the criterion"),
    "deduction_cap": Text(vi="thêm mức điểm trừ tối đa {cap:g} điểm (bằng số điểm của tiêu chí)",
                          en="added a deduction cap of {cap:g} points (the criterion's points)"),
    "section_cap": Text(vi="khống chế mục điểm thưởng ở {cap:g} điểm ({share:.0%} tổng điểm)",
                        en="capped the bonus section at {cap:g} points ({share:.0%} of the total)"),
    "placeholder": Text(vi="thay {terms} bằng chỗ trống có đánh dấu cho chỉ tiêu đo được: "
                           "“{after}”",
                        en="replaced {terms} by a marked placeholder for a measurable target: "
                           "“{after}”"),
}
_WHY = {
    "RIG001": Text(vi="chấm kiểu đạt/không đạt: đơn vị suýt đạt mất trọn {points:g} điểm như "
                      "đơn vị không làm gì",
                   en="all-or-nothing: a near-miss loses all {points:g} points, like doing "
                      "nothing"),
    "RIG009": Text(vi="điểm thưởng theo mỗi lần không có mức tối đa: có thể cộng không giới hạn",
                   en="a per-occurrence bonus with no cap can add points without limit"),
    "RIG010": Text(vi="điểm trừ có thể vượt {points:g} điểm của tiêu chí và lấn sang tiêu chí "
                      "khác",
                   en="deductions could remove more than the criterion's {points:g} points"),
    "RIG008": Text(vi="điểm thưởng {bonus:g} điểm lấn át bảng điểm chuẩn {total:g} điểm",
                   en="bonuses of {bonus:g} points outweigh the base total of {total:g}"),
    "VAG001": Text(vi="từ ngữ chung chung không kèm mốc đo được: mỗi người chấm hiểu một kiểu",
                   en="vague wording without a measurable anchor: each rater reads it their way"),
}
_REPORT = {
    "title": Text(vi="Bảng tiêu chí đề xuất sửa đổi: {count} thay đổi",
                  en="Redesigned criteria table: {count} changes"),
    "ranking": Text(vi="Ảnh hưởng tới xếp hạng (SMAA, {n} mẫu trọng số, điểm chuẩn ±{spread:.0%}): "
                       "xác suất đứng từng hạng, trước → sau",
                    en="Effect on the ranking (SMAA, {n} weight samples, points ±{spread:.0%}): "
                       "rank acceptability, before → after"),
    "member": Text(vi="  {member}: hạng 1 {b1:.2f} → {a1:.2f}; phân bố {before} → {after}",
                   en="  {member}: first rank {b1:.2f} → {a1:.2f}; ranks {before} → {after}"),
    "kept": Text(vi="  Điểm giữ nguyên (chưa có số đo để chấm lại theo khoảng, hoặc thang mức "
                    "mới cần chấm lại): {criteria}",
                 en="  Points kept (no measured value to rescore in bands, or a new rubric to "
                    "be marked again): {criteria}"),
    "rescored": Text(vi="  Chấm lại theo khoảng từ số đo: {criteria}",
                     en="  Rescored in bands from measured values: {criteria}"),
}


@dataclass(frozen=True)
class Change:
    """One change of the redesign.

    Attributes
    ----------
    kind : str
        ``"bands"``, ``"rubric"``, ``"bonus_cap"``, ``"deduction_cap"``, ``"section_cap"``
        or ``"placeholder"``.
    path : str
        Where, as the path of ids in the original table (``"I/2"``; an item as ``"I/2:a"``).
    rule : str
        The linter rule the change answers (``"RIG001"``...).
    what : str
        What changed, in the language asked for.
    why : str
        Why, in the same language.
    before, after : object
        The field's value before and after (text, scoring, cap).
    """

    kind: str
    path: str
    rule: str
    what: str
    why: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class RankEffect:
    """SMAA rank acceptability of the members before and after the redesign.

    Attributes
    ----------
    members : tuple of str
        Row order of both matrices.
    before, after : ndarray, shape (n_members, n_members)
        ``[i, r-1]`` = share of weight samples in which member i has rank r.
    rescored : tuple of str
        Criteria whose points were recomputed from the measured values.
    kept : tuple of str
        Redesigned criteria whose points were kept as scored: bands without a measured
        value, and new rubrics (which need the raters again).
    n_samples : int
        Weight samples (the same ones before and after).
    spread : float
        Relative spread of the sampled weights around the table's points.
    """

    members: tuple[str, ...]
    before: np.ndarray
    after: np.ndarray
    rescored: tuple[str, ...]
    kept: tuple[str, ...]
    n_samples: int
    spread: float

    def lines(self, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """The report lines in ``lang``.

        Parameters
        ----------
        lang : {"vi", "en"}
            The language of the lines.
        """
        out = [_REPORT["ranking"](lang, n=self.n_samples, spread=self.spread)]
        for i, member in enumerate(self.members):
            out.append(_REPORT["member"](
                lang, member=member, b1=self.before[i, 0], a1=self.after[i, 0],
                before=_distribution(self.before[i]), after=_distribution(self.after[i])))
        if self.rescored:
            out.append(_REPORT["rescored"](lang, criteria=", ".join(self.rescored)))
        if self.kept:
            out.append(_REPORT["kept"](lang, criteria=", ".join(self.kept)))
        return out


def _distribution(row: np.ndarray) -> str:
    return "[" + " ".join(f"{b:.2f}" for b in row) + "]"


@dataclass(frozen=True)
class Redesign:
    """The result of :func:`redesign`.

    Attributes
    ----------
    table : CriteriaTable
        The revised table (valid; :func:`~criteria_design.table.load_table` reads it back).
    changes : list of Change
        Every change, in document order.
    ranking : RankEffect or None
        The effect on the ranking, when scores were given.
    lang : str
        The language of the changes' texts.
    """

    table: CriteriaTable
    changes: list[Change] = field(default_factory=list)
    ranking: RankEffect | None = None
    lang: str = DEFAULT_LANGUAGE

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        """Write the revised table as YAML or JSON (by suffix).

        Parameters
        ----------
        path : path-like
            The file to write (``.yaml``, ``.yml`` or ``.json``).
        overwrite : bool
            Replace an existing file; by default an existing file is refused.
        """
        save_table(self.table, path, overwrite=overwrite)

    def report(self) -> str:
        """The list of changes (what, where, why) and the effect on the ranking, as text."""
        lines = [_REPORT["title"](self.lang, count=len(self.changes))]
        lines += [f"- [{c.rule}] {c.path}: {c.what} — {c.why}" for c in self.changes]
        if self.ranking is not None:
            lines += ["", *self.ranking.lines(self.lang)]
        return "\n".join(lines)


def redesign(
    table: CriteriaTable,
    *,
    config: LintConfig | None = None,
    scores: ScoreSheet | Mapping[str, Mapping[str, float]] | None = None,
    measures: Mapping[str, Mapping[str, float]] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    n_samples: int = 10_000,
    spread: float = 0.25,
    seed: int = 0,
) -> Redesign:
    """A revised table: graded bands, caps where missing, placeholders for vague wording.

    Parameters
    ----------
    table : CriteriaTable
        The table to revise (left unchanged).
    config : LintConfig, optional
        Gives the lexicon and ``max_bonus_share``; default :class:`LintConfig()`.
    scores : ScoreSheet or mapping, optional
        The members' points: a sheet, or ``{member: {criterion key: points}}``, covering
        every base criterion. Given, the result holds the SMAA rank acceptability before
        and after.
    measures : mapping, optional
        ``{member: {criterion key: measured value}}`` for criteria turned into bands: their
        points after the redesign are those of the band the value falls in.
    lang : {"vi", "en"}
        The language of the list of changes and of the report.
    n_samples : int
        SMAA weight samples.
    spread : float
        The weights are the table's points times ``U(1 - spread, 1 + spread)``.
    seed : int
        Seed of the weight samples; before and after use the same samples.

    Returns
    -------
    Redesign
        The revised table, the changes and the ranking effect.

    Raises
    ------
    ScoresError
        ``scores`` miss a base criterion of a member.
    FairclustersError
        ``lang`` is not a known language.

    Examples
    --------
    >>> t = CriteriaTable.model_validate({"title": "T", "total": 10, "period": "năm 2024",
    ...     "sections": [{"id": "A", "text": "Tỷ lệ hồ sơ đúng hạn", "max_points": 10,
    ...                   "kind": "quantitative", "unit": "%", "target": {"value": 90},
    ...                   "scoring": {"method": "all_or_nothing"}, "evidence": "Hệ thống"}]})
    >>> r = redesign(t, lang="en")
    >>> [(c.kind, c.path) for c in r.changes]
    [('bands', 'A')]
    >>> [(b.lower, b.points) for b in r.table.sections[0].scoring.bands]
    [(None, 0.0), (72.0, 5.0), (81.0, 7.5), (90.0, 10.0)]
    """
    lang = check_language(lang)
    config = config or LintConfig()
    data = table.to_dict()
    changes: list[Change] = []
    lexicon = config.lexicon()
    for (ids, node), d in zip(table.id_paths(), _dict_nodes(data), strict=True):
        path = "/".join(ids)
        if node.is_leaf:
            changes += _placeholders(node, d, path, lexicon, lang)
            changes += _graded(node, d, path, lang)
        changes += _caps(table, node, d, path, config, lang)
    revised = CriteriaTable.model_validate(data)
    graded = {c.path: c.kind for c in changes if c.kind in ("bands", "rubric")}
    ranking = None
    if scores is not None:
        ranking = _rank_effect(table, revised, scores, measures or {}, graded,
                               n_samples=n_samples, spread=spread, seed=seed)
    return Redesign(revised, changes, ranking, lang)


def _dict_nodes(data: dict) -> Iterator[dict]:
    """The nodes of ``table.to_dict()`` in document order (as :meth:`CriteriaTable.walk`)."""

    def rec(node: dict) -> Iterator[dict]:
        yield node
        for child in node.get("children", []):
            yield from rec(child)

    for section in data["sections"]:
        yield from rec(section)


def _round(points: float) -> float:
    return round(points, 2)


def _graded(node: Criterion, d: dict, path: str, lang: str) -> list[Change]:
    """All-or-nothing -> bands (quantitative with a target) or a rubric with middle levels."""
    if node.role != "base" or node.max_points <= 0 or node.tiers or not is_all_or_nothing(node):
        return []
    top = node.max_points
    p1, p2 = (_round(top * g) for g in _GRADES)
    why = _WHY["RIG001"](lang, points=top)
    before = d.get("scoring") or {"rubric": d.get("rubric")}
    target = node.target
    # A small count at least ("có 1 sáng kiến") has no meaningful fraction: rubric instead.
    small_count = target is not None and target.direction == "at_least" and (
        target.value < 5 and float(target.value).is_integer())
    if node.kind == "quantitative" and target is not None and not small_count and (
            target.value > 0 or target.direction == "at_most"):
        v = target.value
        if target.direction == "at_least":
            low = target.minimum if target.minimum is not None else _round(0.8 * v)
            mid = _round((low + v) / 2)
            bands = [{"upper": low, "points": 0}, {"lower": low, "upper": mid, "points": p1},
                     {"lower": mid, "upper": v, "points": p2}, {"lower": v, "points": top}]
            kind = "bands"
        else:
            # "không quá 0 vụ": one and two occurrences are the partial bands
            low = target.minimum if target.minimum is not None else (_round(1.2 * v) if v else 2)
            mid = _round((low + v) / 2)
            bands = [{"upper": v, "upper_closed": True, "points": top},
                     {"lower": v, "lower_closed": False, "upper": mid, "upper_closed": True,
                      "points": p2},
                     {"lower": mid, "lower_closed": False, "upper": low, "upper_closed": True,
                      "points": p1},
                     {"lower": low, "lower_closed": False, "points": 0}]
            kind = "bands_at_most"
        d["target"] = {**d["target"], "minimum": low}
        d["scoring"] = {"method": "bands", "bands": bands}
        what = _WHAT[kind](lang, low=low, mid=mid, target=v, p1=p1, p2=p2, points=top)
        return [Change("bands", path, "RIG001", what, why, before, d["scoring"])]
    levels = {lv.points: lv.description for lv in node.rubric or []}
    d["rubric"] = [
        {"points": 0, "description": levels.get(0.0, "Không đạt: không có minh chứng kết quả")},
        # placeholders free of lexicon words, so the new levels are not flagged themselves
        {"points": p1, "description": f"[mức {p1:g} điểm: mô tả kết quả và minh chứng]"},
        {"points": p2, "description": f"[mức {p2:g} điểm: mô tả kết quả và minh chứng]"},
        {"points": top, "description": levels.get(top, f"Đạt yêu cầu: {d['text']}")},
    ]
    d["scoring"] = {"method": "rubric"}
    what = _WHAT["rubric"](lang, p1=p1, p2=p2, points=top)
    return [Change("rubric", path, "RIG001", what, why, before, d["rubric"])]


def _caps(table: CriteriaTable, node: Criterion, d: dict, path: str, config: LintConfig,
          lang: str) -> list[Change]:
    """Bonus caps (RIG009), deduction caps (RIG010), a cap on a heavy bonus section (RIG008)."""
    out = []
    worth = abs(node.contribution)
    if node.bonuses and math.isinf(node.bonus_bound):
        cap = _round(max(0.1 * worth, max(a.points for a in node.bonuses)))
        d["bonus_cap"] = cap
        out.append(Change("bonus_cap", path, "RIG009", _WHAT["bonus_cap"](lang, cap=cap),
                          _WHY["RIG009"](lang), None, cap))
    if node.deductions and node.floor is None and node.deduction_bound > worth:
        d["deduction_cap"] = worth
        out.append(Change("deduction_cap", path, "RIG010",
                          _WHAT["deduction_cap"](lang, cap=worth),
                          _WHY["RIG010"](lang, points=worth), node.deduction_cap, worth))
    limit = _round(config.max_bonus_share * table.total)
    if (node.role == "bonus" and any(node is s for s in table.sections) and node.cap is None
            and node.max_points > limit):
        d["cap"] = limit
        out.append(Change(
            "section_cap", path, "RIG008",
            _WHAT["section_cap"](lang, cap=limit, share=config.max_bonus_share),
            _WHY["RIG008"](lang, bonus=node.max_points, total=table.total), None, limit))
    return out


def _placeholders(node: Criterion, d: dict, path: str, lexicon: Any, lang: str) -> list[Change]:
    """Vague terms without an anchor -> marked placeholders, in the text, levels and items."""
    places: list[tuple[str, dict, str, bool]] = [(path, d, "text", has_structured_threshold(node))]
    places += [(path, level, "description", False) for level in d.get("rubric", [])]
    for kind in ("bonuses", "deductions"):
        places += [(f"{path}:{item['id']}", item, "text", False) for item in d.get(kind, [])]
    out = []
    for where, holder, key, structured in places:
        before = holder[key]
        matches = [] if structured else [m for m in lexicon.find(before) if not m.anchored]
        after = _replace(before, matches)
        if after == before:
            continue
        holder[key] = after
        terms = ", ".join(dict.fromkeys(f"'{m.term}'" for m in matches))
        out.append(Change("placeholder", where, "VAG001",
                          _WHAT["placeholder"](lang, terms=terms, after=after),
                          _WHY["VAG001"](lang), before, after))
    return out


def _replace(text: str, matches: Sequence[Any]) -> str:
    """``text`` with each match replaced by its group's placeholder, right to left."""
    if not matches or len(text.lower()) != len(text):
        return text  # positions index the lower-cased text: only safe when lengths agree
    out = text
    taken: list[tuple[int, int]] = []
    for m in sorted(matches, key=lambda m: m.start, reverse=True):
        if any(m.start < end and start < m.end for start, end in taken):
            continue  # overlapping terms ("kịp thời" in "đầy đủ, kịp thời" is separate)
        taken.append((m.start, m.end))
        out = out[:m.start] + PLACEHOLDERS.get(m.group, _DEFAULT_PLACEHOLDER) + out[m.end:]
    return out


def _score_matrix(scores: ScoreSheet | Mapping[str, Mapping[str, float]],
                  keys: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    if isinstance(scores, ScoreSheet):
        members = scores.members
        years = [y for y in scores.years if y is not None]
        # a sheet of several years: the ranking of the latest one
        points = scores.matrix(year=max(years) if len(scores.years) > 1 else None,
                               criteria=keys)
    elif isinstance(scores, Mapping):
        members = tuple(str(m) for m in scores)
        points = np.array([[float(scores[m].get(k, math.nan)) for k in keys] for m in scores])
    else:
        raise CriteriaParameterError(
            f"scores must be a ScoreSheet or a mapping member -> criterion -> points, got "
            f"{type(scores).__name__}")
    missing = [f"{members[i]}/{keys[j]}" for i, j in zip(*np.nonzero(np.isnan(points)))]
    if missing:
        raise ScoresError(f"scores miss {len(missing)} base criteria needed for SMAA: "
                          f"{', '.join(missing[:10])}")
    return members, points


def _band_points(bands: list[Band], value: float) -> float:
    return next((b.points for b in bands if b.contains(value)), 0.0)


def _rank_effect(table: CriteriaTable, revised: CriteriaTable,
                 scores: ScoreSheet | Mapping[str, Mapping[str, float]],
                 measures: Mapping[str, Mapping[str, float]], graded: dict[str, str], *,
                 n_samples: int, spread: float, seed: int) -> RankEffect:
    leaves = table.leaves("base")
    keys = [table.key(c) for c in leaves]
    paths = {table.key(node): "/".join(ids) for ids, node in table.id_paths()}
    new_leaves = dict(zip(keys, revised.leaves("base"), strict=True))
    members, points = _score_matrix(scores, keys)
    tops = np.array([c.max_points for c in leaves])
    after = points.copy()
    rescored, kept = [], []
    for j, key in enumerate(keys):
        kind = graded.get(paths[key])
        if kind is None:
            continue
        # a new rubric needs the raters again: its points are kept as scored
        given = [] if kind == "rubric" else [
            i for i, m in enumerate(members) if key in measures.get(m, {})]
        bands = new_leaves[key].scoring.bands
        for i in given:
            after[i, j] = _band_points(bands, float(measures[members[i]][key]))
        (rescored if given else kept).append(key)
    nominal = [c.contribution for c in leaves]
    before_res = smaa(points / tops, n_samples=n_samples, nominal=nominal, spread=spread,
                      rng=seed)
    after_res = smaa(after / tops, n_samples=n_samples, nominal=nominal, spread=spread, rng=seed)
    return RankEffect(members, before_res.rank_acceptability, after_res.rank_acceptability,
                      tuple(rescored), tuple(kept), n_samples, spread)


class TableRedesign:
    """Command-line extension: ``--redesign OUT.yaml`` writes the revised table.

    The list of changes (and, with ``--scores``, the effect on the ranking) is
    appended to the report; it adds no findings.
    """

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add ``--redesign`` to ``parser``.

        Parameters
        ----------
        parser : argparse.ArgumentParser
            The command line's parser.
        """
        group = parser.add_argument_group("redesign")
        group.add_argument("--redesign", type=Path, metavar="OUT",
                           help="write a revised table (.yaml/.json) with graded bands, caps "
                                "and placeholders for vague wording, and list the changes")

    def findings(self, args: argparse.Namespace, table: CriteriaTable | None) -> list[Finding]:
        """Write the revised table when asked; the change list goes to ``args.redesign_report``.

        Parameters
        ----------
        args : argparse.Namespace
            The parsed command line (``redesign``, ``lang``, ``scores``, ``seed``).
        table : CriteriaTable or None
            The table read from the command line (``None``: an award history alone).
        """
        out = getattr(args, "redesign", None)
        if out is None:
            return []
        if table is None:
            raise CriteriaParameterError(_NEEDS_TABLE(getattr(args, "lang", DEFAULT_LANGUAGE)))
        check_output_file(out)
        scores = getattr(args, "scores", None)
        result = redesign(table, lang=getattr(args, "lang", DEFAULT_LANGUAGE),
                          scores=None if scores is None else load_scores(scores),
                          seed=getattr(args, "seed", 0) or 0)
        result.save(out)
        args.redesign_report = result.report()
        args.redesign_changes = [
            {"kind": c.kind, "path": c.path, "rule": c.rule, "what": c.what, "why": c.why}
            for c in result.changes]
        return []


_NEEDS_TABLE = Text(vi="--redesign cần một bảng tiêu chí", en="--redesign needs a criteria table")
