"""Checks from scores: what the criteria of a table do in practice, as findings.

:func:`audit_scores` runs, in the order the research note recommends (distribution,
redundancy, effective weights, robustness, rater agreement):

====== ======== =====================================================================
code   severity finding
====== ======== =====================================================================
SCR0xx varies   the sheet against the table (:func:`~criteria_design.scores.validate_scores`)
DIS001 warning  non-discriminating: every member has the same score
DIS002 info/warn ceiling: share of members at the maximum above ``ceiling_share``
DIS003 warning  all-or-nothing in practice: only two distinct scores on a heavy criterion
EFF001 warning  effective weight (variance share) far from the nominal weight
EFF002 warning  the points needed to carry the intended influence are implausible
RED001 warning  two criteria correlate at ``|r| ≥ redundancy_r``: double counting
ROB001 warning  the leader wins in too few SMAA samples around the table's weights
ROB002 warning  a small change of one weight changes the leader
AGR001 varies   Krippendorff's alpha of a rated criterion below 0.800 / 0.667
AGR002 warning  single-rater ICC(A,1) poor
====== ======== =====================================================================

Statistics use the base (non-bonus, non-deduction) criteria that have marks, on the members
marked on all of them. When the sheet holds several years, the distribution, redundancy and
effective-weight checks pool the member-years (small clusters make one year's shares coarse)
and the ranking checks use the latest year.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ConfigDict, Field

from clustering.i18n import DEFAULT_LANGUAGE
from clustering.validation import FairclustersModel
from criteria_design.agreement import (
    ALPHA_ACCEPTABLE,
    ALPHA_TENTATIVE,
    ICC_BANDS,
    icc,
    interpret_icc,
    krippendorff_alpha,
    raters_needed,
)
from criteria_design.errors import CriteriaParameterError
from criteria_design.findings import Finding, Severity
from criteria_design.influence import (
    discrimination,
    points_for_influence,
    redundant_pairs,
    variance_shares,
)
from criteria_design.rotation import HistoryError, audit_history, load_history
from criteria_design.scores import (
    ScoresError,
    ScoreSheet,
    check_scores,
    compare_scores,
    load_scores,
    resolve_scores,
)
from criteria_design.smaa import smaa, stability_intervals

if TYPE_CHECKING:
    from criteria_design.table import CriteriaTable

__all__ = ["ScoreCheckConfig", "ScoreStatisticsCli", "audit_scores"]


class ScoreCheckConfig(FairclustersModel):
    """Thresholds of the score checks, each with its source.

    Invalid values raise :class:`~criteria_design.errors.CriteriaParameterError` naming the
    field.

    Examples
    --------
    >>> ScoreCheckConfig(ceiling_share=0.2).ceiling_share
    0.2
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    error_class = CriteriaParameterError

    ceiling_share: float = Field(
        0.15, gt=0, le=1,
        description="DIS002: ceiling effect when more than this share of members has the "
        "maximum (Terwee et al. 2007, J Clin Epidemiol 60:34-42).")
    ceiling_warning_share: float = Field(
        0.5, gt=0, le=1,
        description="DIS002 becomes a warning from this share on (own proposal: the maximum "
        "then no longer separates the better half).")
    heavy_share: float = Field(
        0.05, gt=0, le=1,
        description="DIS003: all-or-nothing criteria from this nominal share on are reported "
        "(same default as the table linter's RIG001; own proposal).")
    effective_ratio_low: float = Field(
        0.5, gt=0, lt=1,
        description="EFF001: effective share below this fraction of the nominal share "
        "(own proposal; Paruolo, Saisana & Saltelli 2013 compare the two without a cut-off).")
    effective_ratio_high: float = Field(
        2.0, gt=1,
        description="EFF001: effective share above this multiple of the nominal share.")
    needed_points_ratio: float = Field(
        2.0, gt=1,
        description="EFF002: needing more than this multiple of the current points to carry "
        "the intended influence means re-weighting would amplify noise: redesign (own "
        "proposal).")
    redundancy_r: float = Field(
        0.9, gt=0, le=1,
        description="RED001: |r| at or above this flags double counting (COINr get_corr_flags "
        "default cor_thresh = 0.9).")
    smaa_spread: float = Field(
        0.25, ge=0, lt=1,
        description="ROB001: weights sampled as nominal x U(1 - s, 1 + s) (COINr "
        "get_noisy_weights NoiseFactor 0.25).")
    smaa_samples: int = Field(10_000, ge=100,
                              description="ROB001: Monte Carlo samples (±0.01 at 10 000).")
    min_leader_acceptability: float = Field(
        0.75, gt=0, le=1,
        description="ROB001: the leader should win in at least this share of samples "
        "(own proposal).")
    min_weight_slack: float = Field(
        0.10, gt=0,
        description="ROB002: a relative change of one weight smaller than this that changes "
        "the leader is reported (own proposal).")
    alpha_acceptable: float = Field(
        ALPHA_ACCEPTABLE, gt=0, le=1,
        description="AGR001: Krippendorff (2004): alpha >= 0.800 acceptable.")
    alpha_tentative: float = Field(
        ALPHA_TENTATIVE, gt=0, le=1,
        description="AGR001: Krippendorff (2004): alpha < 0.667 unacceptable (error).")
    icc_poor: float = Field(
        ICC_BANDS[0], gt=0, le=1,
        description="AGR002: Koo & Li (2016): ICC below 0.5 is poor.")
    icc_target: float = Field(
        ICC_BANDS[1], gt=0, lt=1,
        description="AGR002: reliability to reach with averaged raters (Koo & Li 'good').")


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _checked(table: CriteriaTable, scores: ScoreSheet
             ) -> tuple[ScoreSheet, list[Finding], list]:
    """The sheet named by the table's keys, its validation findings, its base criteria."""
    resolved, findings = resolve_scores(table, scores)
    if resolved is None:
        return scores, findings, []
    findings += check_scores(table, resolved)
    base = [c for c in table.leaves("base") if table.key(c) in resolved.criteria]
    return resolved, findings, base


def audit_scores(table: CriteriaTable, scores: ScoreSheet,
                 config: ScoreCheckConfig | None = None, *,
                 rng: np.random.Generator | int | None = 0) -> list[Finding]:
    """Findings from a table's scores: discrimination, effective weights, redundancy,
    robustness of the leader, rater agreement.

    Parameters
    ----------
    table : CriteriaTable
        The criteria table the marks were given under.
    scores : ScoreSheet
        Marks of the members; ids must be the table's (else :class:`ScoresError`).
    config : ScoreCheckConfig, optional
        Thresholds of the checks (default: the documented ones).
    rng : numpy Generator or seed
        For the SMAA samples (fixed seed by default: the same data give the same report).

    Examples
    --------
    >>> from criteria_design.table import load_table
    >>> table = load_table('''
    ... title: Demo
    ... total: 30
    ... sections:
    ...   - {id: A, text: Budget revenue against estimate, max_points: 10, kind: quantitative}
    ...   - {id: B, text: Share of households with clean water, max_points: 10,
    ...      kind: quantitative}
    ...   - {id: C, text: Complete the tasks well, max_points: 10, kind: qualitative}
    ... ''')
    >>> marks = np.array([[9, 4, 10], [6, 8, 10], [3, 5, 10], [8, 2, 10], [5, 7, 10]])
    >>> sheet = ScoreSheet.from_matrix(marks, ["P1", "P2", "P3", "P4", "P5"], "ABC")
    >>> [(f.code, f.criterion_id) for f in audit_scores(table, sheet)]
    [('DIS001', 'C')]
    """
    cfg = config or ScoreCheckConfig()
    scores, findings, base = _checked(table, scores)
    if len(base) < 2:
        return findings
    ids = [table.key(c) for c in base]
    maxima = np.array([c.max_points for c in base])
    nominal = maxima / maxima.sum()
    years = scores.years or (None,)
    per_year = [scores.matrix(year=y, criteria=ids) for y in years]
    pooled = np.vstack([p[~np.isnan(p).any(axis=1)] for p in per_year])
    if pooled.shape[0] < 3:
        return findings
    src = table.source  # lines point into the table, where the criterion is defined

    def finding(code: str, severity: Severity, message: str, suggestion: str,
                cid: str | None = None, **data: Any) -> Finding:
        return Finding(code=code, severity=severity, message=message, suggestion=suggestion,
                       criterion_id=cid, line=table.line_of(cid) if cid else None,
                       source=src, data=data)

    n = pooled.shape[0]
    rows = "member-years" if len(years) > 1 else "members"
    disc = discrimination(pooled, maxima)
    constant = disc["sd"] == 0
    for j, c in enumerate(base):
        if constant[j]:
            findings.append(finding(
                "DIS001", Severity.WARNING,
                f"all {n} {rows} scored {pooled[0, j]:g} of {c.max_points:g} on {ids[j]}: its "
                f"{_pct(nominal[j])} nominal weight has no effect on the ranking",
                "no re-weighting can give it influence: redesign it with anchored levels and "
                "a range members really spread over, or drop it", ids[j],
                value=float(pooled[0, j]), n=n))
            continue
        share = float(disc["share_at_max"][j])
        all_or_nothing = disc["n_distinct"][j] == 2 and nominal[j] >= cfg.heavy_share
        if share > cfg.ceiling_share and not (all_or_nothing and share < 0.5):
            k = int(disc["n_at_max"][j])
            findings.append(finding(
                "DIS002",
                Severity.WARNING if share >= cfg.ceiling_warning_share else Severity.INFO,
                f"{k} of {n} {rows} ({_pct(share)}) have the maximum {c.max_points:g} on "
                f"{ids[j]} (ceiling effect above {_pct(cfg.ceiling_share)})",
                "raise the target or add levels above the current maximum so that the best "
                "members can still be told apart", ids[j], n_at_max=k, n=n, share=share))
        if all_or_nothing:
            findings.append(finding(
                "DIS003", Severity.WARNING,
                f"{ids[j]} ({c.max_points:g} points) took only two values in practice "
                f"({', '.join(f'{v:g}' for v in np.unique(pooled[:, j]))}): all or nothing",
                "give partial credit (steps or linear between thresholds)", ids[j]))

    try:
        shares = variance_shares(pooled)
    except ValueError:
        return findings  # every total equal: nothing more to say from the scores
    design = points_for_influence(pooled, maxima)
    for j, c in enumerate(base):
        if constant[j]:
            continue
        ratio = shares[j] / nominal[j]
        if ratio < cfg.effective_ratio_low or ratio > cfg.effective_ratio_high:
            findings.append(finding(
                "EFF001", Severity.WARNING,
                f"{ids[j]} carries {_pct(shares[j])} of the variance of the totals against a "
                f"nominal {_pct(nominal[j])} ({c.max_points:g} of {maxima.sum():g} points)",
                "compare the points with what the criterion actually decides; see EFF002 for "
                "the points that would match", ids[j],
                nominal=float(nominal[j]), effective=float(shares[j])))
        needed = float(design.points[j])
        if design.reached and needed > cfg.needed_points_ratio * c.max_points:
            findings.append(finding(
                "EFF002", Severity.WARNING,
                f"to carry its intended {_pct(design.target[j])} of the variance, {ids[j]} "
                f"would need {needed:.1f} points instead of {c.max_points:g}",
                "redesign rather than re-weight: so many points would amplify rater noise and "
                "single slips; widen the real range of the criterion instead", ids[j],
                needed_points=needed, points=c.max_points))
    if not design.reached and design.unreachable != tuple(np.flatnonzero(constant)):
        findings.append(finding(
            "EFF002", Severity.INFO,
            "no set of points gives every criterion its intended share of the variance: some "
            "criteria move together against the others",
            "redesign the criteria concerned; see RED001", None))

    for a, b, r in redundant_pairs(pooled, cfg.redundancy_r):
        findings.append(finding(
            "RED001", Severity.WARNING,
            f"{ids[a]} and {ids[b]} correlate at r = {r:.2f} over {n} {rows}: the same "
            "performance is counted twice",
            f"merge {ids[a]} and {ids[b]} or keep one", ids[a], partner=ids[b], r=r))

    findings += _robustness(per_year[-1], ids, maxima, scores, cfg, rng, finding)
    findings += _agreement(scores, table, cfg, finding)
    return findings


def _robustness(latest: np.ndarray, ids: list[str], maxima: np.ndarray, scores: ScoreSheet,
                cfg: ScoreCheckConfig, rng: Any, finding: Any) -> list[Finding]:
    complete = ~np.isnan(latest).any(axis=1)
    members = [m for m, ok in zip(scores.members, complete, strict=True) if ok]
    x = latest[complete] / maxima
    nominal = maxima / maxima.sum()
    if x.shape[0] < 2:
        return []
    try:
        stab = stability_intervals(x, nominal)
    except ValueError as exc:  # tie for first place
        return [finding("ROB001", Severity.WARNING, f"no single leader: {exc}",
                        "break the tie by a documented rule before proposing a flag")]
    leader = members[stab.leader]
    out = []
    res = smaa(x, n_samples=cfg.smaa_samples, nominal=nominal, spread=cfg.smaa_spread, rng=rng)
    b1 = float(res.first_rank[stab.leader])
    if b1 < cfg.min_leader_acceptability:
        rivals = sorted(((float(res.first_rank[i]), members[i]) for i in range(len(members))
                         if i != stab.leader and res.first_rank[i] > 0), reverse=True)[:3]
        out.append(finding(
            "ROB001", Severity.WARNING,
            f"leader {leader} stays first in only {_pct(b1)} of {res.n_samples} weightings "
            f"within ±{_pct(cfg.smaa_spread)} of the table's points"
            + (f"; also first: {', '.join(f'{m} {_pct(v)}' for v, m in rivals)}" if rivals
               else ""),
            "treat the lead as a tie within the table's precision; decide with further "
            "evidence rather than by points alone", None,
            leader=leader, first_rank=b1, rivals={m: v for v, m in rivals}))
    slack = stab.slack
    for j in np.argsort(np.nan_to_num(slack, nan=np.inf)):
        if not slack[j] < cfg.min_weight_slack:
            break
        moved_up = stab.upper_rival[j] >= 0 and stab.upper[j] - stab.weights[j] <= \
            stab.weights[j] * slack[j] + 1e-12
        bound, rival = ((stab.upper[j], stab.upper_rival[j]) if moved_up
                        else (stab.lower[j], stab.lower_rival[j]))
        out.append(finding(
            "ROB002", Severity.WARNING,
            f"moving the weight of {ids[j]} from {_pct(stab.weights[j])} to {_pct(bound)} "
            f"({_pct(slack[j])} relative change) makes {members[rival]} the leader instead "
            f"of {leader}",
            "the leader depends on a fine choice of points: state the points of this "
            "criterion with their justification, or report the result as a tie", ids[j],
            lower=float(stab.lower[j]), upper=float(stab.upper[j]),
            weight=float(stab.weights[j])))
    return out


def _agreement(scores: ScoreSheet, table: CriteriaTable, cfg: ScoreCheckConfig,
               finding: Any) -> list[Finding]:
    out = []
    for cid in scores.rated_criteria():
        for year in scores.years or (None,):
            try:
                members, raters, marks = scores.ratings(cid, year=year)
            except ScoresError:
                continue
            if marks.shape[0] < 2 or marks.shape[1] < 2:
                continue
            when = f" in {year}" if year is not None else ""
            alpha = krippendorff_alpha(marks, "interval")
            if np.isnan(alpha):
                continue
            if alpha < cfg.alpha_acceptable:
                bad = alpha < cfg.alpha_tentative
                out.append(finding(
                    "AGR001", Severity.ERROR if bad else Severity.WARNING,
                    f"raters agree poorly on {cid}{when}: Krippendorff's alpha = {alpha:.2f} "
                    f"({len(raters)} raters, {len(members)} members; "
                    f"{'unacceptable below' if bad else 'tentative below'} "
                    f"{cfg.alpha_tentative if bad else cfg.alpha_acceptable:g})",
                    "write anchored levels (a rubric) for this criterion and train the raters "
                    "on them", cid, alpha=alpha, year=year))
            complete = ~np.isnan(marks).any(axis=1)
            if complete.sum() >= 2:
                res = icc(marks[complete])
                if res.icc_a1 < cfg.icc_poor:
                    k = raters_needed(res.icc_a1, cfg.icc_target)
                    need = (f"no number of raters reaches ICC {cfg.icc_target:g}"
                            if not np.isfinite(k) else
                            f"about {int(np.ceil(k))} raters would be needed for ICC "
                            f"{cfg.icc_target:g} (Spearman-Brown)")
                    out.append(finding(
                        "AGR002", Severity.WARNING,
                        f"a single rater's mark on {cid}{when} has {interpret_icc(res.icc_a1)} "
                        f"reliability: ICC(A,1) = {res.icc_a1:.2f}; the mean of "
                        f"{res.n_raters} raters reaches ICC(A,k) = {res.icc_ak:.2f}",
                        f"{need}; anchored levels are cheaper", cid, icc_a1=res.icc_a1,
                        icc_ak=res.icc_ak, year=year))
    return out


class ScoreStatisticsCli:
    """Command-line extension: ``--scores FILE``, ``--inspection FILE`` and ``--history FILE``.

    Implements the ``CliExtension`` protocol of :mod:`criteria_design.__main__`; add an
    instance to its ``EXTENSIONS`` to get
    ``python -m criteria_design TABLE --scores S --history H``. ``--history`` also runs
    without a table; the rotation messages follow ``--lang`` (Vietnamese by default).
    """

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the options of the score statistics and the rotation audit.

        Parameters
        ----------
        parser : argparse.ArgumentParser
            The command line's parser.
        """
        group = parser.add_argument_group("score statistics and rotation audit")
        group.add_argument("--scores", type=Path, metavar="FILE",
                           help="marks as CSV: member,criterion,points[,year,rater]")
        group.add_argument("--inspection", type=Path, metavar="FILE",
                           help="a second source of the same marks (the inspection, against "
                                "the self-assessment in --scores), compared item by item")
        group.add_argument("--history", type=Path, metavar="FILE",
                           help="award history as CSV: year,cluster,leader,n_members[,chair,"
                                "vice_chair] or year,cluster,unit,role,n_members[,reason]")
        group.add_argument("--alpha", type=float, default=0.05, metavar="A",
                           help="error rate of the rotation tests (default 0.05)")
        group.add_argument("--seed", type=int, default=0, metavar="N",
                           help="seed of the SMAA samples and permutations (default 0)")

    def findings(self, args: argparse.Namespace, table: CriteriaTable | None) -> list[Finding]:
        """Findings of the options given.

        Parameters
        ----------
        args : argparse.Namespace
            The parsed command line.
        table : CriteriaTable or None
            The table; ``None`` when only ``--history`` is given.
        """
        if table is None and (args.scores is not None or args.inspection is not None):
            raise CriteriaParameterError("--scores and --inspection need the criteria table")
        if args.inspection is not None and args.scores is None:
            raise CriteriaParameterError("--inspection is compared with --scores: give both")
        scores = load_scores(args.scores) if args.scores is not None else None
        out = audit_scores(table, scores, rng=args.seed) if scores is not None else []
        if args.inspection is not None:
            compared = compare_scores(table, scores, load_scores(args.inspection))
            # The self-assessment's unknown names were reported by audit_scores already.
            out += [f for f in compared if f.code != "SCR004" or f.source != scores.source]
        if args.history is not None:
            histories = load_history(args.history)
            if scores is not None and len(histories) > 1:
                raise HistoryError(
                    f"--scores holds one cluster's marks but {args.history} has "
                    f"{len(histories)} clusters; give the history of that cluster only")
            resolved = resolve_scores(table, scores)[0] if scores is not None else None
            out += audit_history(histories, resolved, alpha=args.alpha, rng=args.seed,
                                 lang=getattr(args, "lang", DEFAULT_LANGUAGE))
        return out
