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

from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
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
from criteria_design.registry import Message, Words
from criteria_design.rotation import HistoryError, audit_history, load_history
from criteria_design.scores import (
    ScoresError,
    ScoreSheet,
    _in_year,
    _place,
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


#: Every message of the score statistics with its fix, in both languages; the numbers are
#: passed once (:meth:`~criteria_design.registry.Message.render`).
MESSAGES: dict[str, Message] = {
    "DIS001": Message(
        Text(vi="cả {n} {rows} đều được {value:g}/{points:g} điểm ở {key}: trọng số danh nghĩa "
                "{nominal} của tiêu chí không có tác dụng gì tới xếp hạng",
             en="all {n} {rows} scored {value:g} of {points:g} on {key}: its {nominal} "
                "nominal weight has no effect on the ranking"),
        Text(vi="đổi trọng số không thể làm tiêu chí có tác dụng: thiết kế lại với các mức "
                "chấm có mô tả rõ và khoảng điểm mà các thành viên thực sự phân tán, hoặc bỏ "
                "tiêu chí",
             en="no re-weighting can give it influence: redesign it with anchored levels and "
                "a range members really spread over, or drop it")),
    "DIS002": Message(
        Text(vi="{k} trên {n} {rows} ({share}) đạt điểm tối đa {points:g} ở {key} (hiệu ứng "
                "trần: trên {ceiling})",
             en="{k} of {n} {rows} ({share}) have the maximum {points:g} on {key} (ceiling "
                "effect above {ceiling})"),
        Text(vi="nâng chỉ tiêu hoặc thêm mức cao hơn mức tối đa hiện nay để vẫn phân biệt "
                "được các thành viên tốt nhất",
             en="raise the target or add levels above the current maximum so that the best "
                "members can still be told apart")),
    "DIS003": Message(
        Text(vi="{key} ({points:g} điểm) trên thực tế chỉ nhận hai giá trị ({values}): hoặc đủ "
                "điểm hoặc không điểm",
             en="{key} ({points:g} points) took only two values in practice ({values}): all "
                "or nothing"),
        Text(vi="cho điểm từng phần (theo bậc, hoặc tuyến tính giữa hai ngưỡng)",
             en="give partial credit (steps or linear between thresholds)")),
    "EFF001": Message(
        Text(vi="{key} quyết định {effective} phương sai của tổng điểm, trong khi trọng số "
                "danh nghĩa là {nominal} ({points:g}/{total:g} điểm)",
             en="{key} carries {effective} of the variance of the totals against a nominal "
                "{nominal} ({points:g} of {total:g} points)"),
        Text(vi="đối chiếu số điểm với tác dụng thực tế của tiêu chí; xem EFF002 về số điểm "
                "tương ứng",
             en="compare the points with what the criterion actually decides; see EFF002 for "
                "the points that would match")),
    "EFF002": Message(
        Text(vi="để quyết định đúng {target} phương sai như dự định, {key} cần {needed:.1f} "
                "điểm thay vì {points:g}",
             en="to carry its intended {target} of the variance, {key} would need "
                "{needed:.1f} points instead of {points:g}"),
        Text(vi="nên thiết kế lại thay vì đổi trọng số: số điểm lớn như vậy sẽ khuếch đại sai "
                "số của người chấm và những sơ suất đơn lẻ; hãy mở rộng khoảng phân tán thực "
                "tế của tiêu chí",
             en="redesign rather than re-weight: so many points would amplify rater noise and "
                "single slips; widen the real range of the criterion instead")),
    "EFF002/unreachable": Message(
        Text(vi="không có cách phân bổ điểm nào để mọi tiêu chí quyết định đúng phần phương "
                "sai dự định: một số tiêu chí biến động cùng chiều, ngược với các tiêu chí "
                "còn lại",
             en="no set of points gives every criterion its intended share of the variance: "
                "some criteria move together against the others"),
        Text(vi="thiết kế lại các tiêu chí liên quan; xem RED001",
             en="redesign the criteria concerned; see RED001")),
    "RED001": Message(
        Text(vi="{key} và {partner} tương quan r = {r:.2f} trên {n} {rows}: cùng một kết quả "
                "bị tính điểm hai lần",
             en="{key} and {partner} correlate at r = {r:.2f} over {n} {rows}: the same "
                "performance is counted twice"),
        Text(vi="gộp {key} và {partner}, hoặc chỉ giữ một tiêu chí",
             en="merge {key} and {partner} or keep one")),
    "ROB001/tie": Message(
        Text(vi="không có một thành viên dẫn đầu duy nhất: {detail}",
             en="no single leader: {detail}"),
        Text(vi="phá thế hòa bằng một quy tắc thành văn trước khi đề nghị tặng cờ",
             en="break the tie by a documented rule before proposing a flag")),
    "ROB001": Message(
        Text(vi="{leader} chỉ giữ vị trí dẫn đầu trong {share} của {samples} cách đặt trọng "
                "số trong phạm vi ±{spread} quanh điểm của bảng{rivals}",
             en="leader {leader} stays first in only {share} of {samples} weightings within "
                "±{spread} of the table's points{rivals}"),
        Text(vi="coi vị trí dẫn đầu là ngang nhau trong phạm vi chính xác của bảng; quyết "
                "định dựa trên thêm minh chứng chứ không chỉ dựa vào điểm số",
             en="treat the lead as a tie within the table's precision; decide with further "
                "evidence rather than by points alone")),
    "ROB002": Message(
        Text(vi="đổi trọng số của {key} từ {weight} thành {bound} (thay đổi tương đối {slack}) "
                "thì {rival} dẫn đầu thay cho {leader}",
             en="moving the weight of {key} from {weight} to {bound} ({slack} relative "
                "change) makes {rival} the leader instead of {leader}"),
        Text(vi="thành viên dẫn đầu phụ thuộc vào một lựa chọn điểm rất nhỏ: nêu rõ điểm của "
                "tiêu chí này kèm căn cứ, hoặc công bố kết quả là ngang nhau",
             en="the leader depends on a fine choice of points: state the points of this "
                "criterion with their justification, or report the result as a tie")),
    "AGR001": Message(
        Text(vi="người chấm không thống nhất ở {key}{when}: hệ số alpha của Krippendorff = "
                "{alpha:.2f} ({raters} người chấm, {members} thành viên; {verdict} {bound:g})",
             en="raters agree poorly on {key}{when}: Krippendorff's alpha = {alpha:.2f} "
                "({raters} raters, {members} members; {verdict} {bound:g})"),
        Text(vi="xây dựng các mức chấm có mô tả rõ (thang mức) cho tiêu chí này và tập huấn "
                "người chấm theo đó",
             en="write anchored levels (a rubric) for this criterion and train the raters "
                "on them")),
    "AGR002": Message(
        Text(vi="điểm của một người chấm ở {key}{when} có độ tin cậy {quality}: ICC(A,1) = "
                "{icc_a1:.2f}; trung bình của {n_raters} người chấm đạt ICC(A,k) = {icc_ak:.2f}",
             en="a single rater's mark on {key}{when} has {quality} reliability: ICC(A,1) = "
                "{icc_a1:.2f}; the mean of {n_raters} raters reaches ICC(A,k) = {icc_ak:.2f}"),
        Text(vi="{need}; xây dựng các mức chấm có mô tả rõ sẽ ít tốn kém hơn",
             en="{need}; anchored levels are cheaper")),
}

_ROWS = {True: Words(vi="lượt thành viên theo năm", en="member-years"),
         False: Words(vi="thành viên", en="members")}
#: Koo & Li's bands (:func:`~criteria_design.agreement.interpret_icc`) in Vietnamese.
_ICC_WORDS = {"poor": "kém", "moderate": "trung bình", "good": "tốt", "excellent": "rất tốt",
              "undefined": "không xác định"}


def _checked(table: CriteriaTable, scores: ScoreSheet, lang: str
             ) -> tuple[ScoreSheet, list[Finding], list]:
    """The sheet named by the table's keys, its validation findings, its base criteria."""
    resolved, findings = resolve_scores(table, scores, lang)
    if resolved is None:
        return scores, findings, []
    findings += check_scores(table, resolved, lang)
    base = [c for c in table.leaves("base") if table.key(c) in resolved.criteria]
    return resolved, findings, base


def audit_scores(table: CriteriaTable, scores: ScoreSheet,
                 config: ScoreCheckConfig | None = None, *,
                 rng: np.random.Generator | int | None = 0,
                 lang: str = DEFAULT_LANGUAGE) -> list[Finding]:
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
    lang : {"vi", "en"}
        The language of the findings' messages and fixes: Vietnamese by default.

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
    lang = check_language(lang)
    cfg = config or ScoreCheckConfig()
    scores, findings, base = _checked(table, scores, lang)
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

    def finding(code: str, severity: Severity, variant: str, fields: dict[str, Any],
                cid: str | None = None, **data: Any) -> Finding:
        message, fix = MESSAGES[variant].render(lang, **fields)
        return Finding(code=code, severity=severity, message=message, suggestion=fix,
                       criterion_id=cid, line=table.line_of(cid) if cid else None,
                       source=src, data=data, **_place(table, cid))

    n = pooled.shape[0]
    rows = _ROWS[len(years) > 1]
    disc = discrimination(pooled, maxima)
    constant = disc["sd"] == 0
    for j, c in enumerate(base):
        if constant[j]:
            findings.append(finding(
                "DIS001", Severity.WARNING, "DIS001",
                {"n": n, "rows": rows, "value": pooled[0, j], "points": c.max_points,
                 "key": ids[j], "nominal": _pct(nominal[j])}, ids[j],
                value=float(pooled[0, j]), n=n))
            continue
        share = float(disc["share_at_max"][j])
        all_or_nothing = disc["n_distinct"][j] == 2 and nominal[j] >= cfg.heavy_share
        if share > cfg.ceiling_share and not (all_or_nothing and share < 0.5):
            k = int(disc["n_at_max"][j])
            findings.append(finding(
                "DIS002",
                Severity.WARNING if share >= cfg.ceiling_warning_share else Severity.INFO,
                "DIS002", {"k": k, "n": n, "rows": rows, "share": _pct(share),
                           "points": c.max_points, "key": ids[j],
                           "ceiling": _pct(cfg.ceiling_share)},
                ids[j], n_at_max=k, n=n, share=share))
        if all_or_nothing:
            findings.append(finding(
                "DIS003", Severity.WARNING, "DIS003",
                {"key": ids[j], "points": c.max_points,
                 "values": ", ".join(f"{v:g}" for v in np.unique(pooled[:, j]))}, ids[j]))

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
                "EFF001", Severity.WARNING, "EFF001",
                {"key": ids[j], "effective": _pct(shares[j]), "nominal": _pct(nominal[j]),
                 "points": c.max_points, "total": maxima.sum()}, ids[j],
                nominal=float(nominal[j]), effective=float(shares[j])))
        needed = float(design.points[j])
        if design.reached and needed > cfg.needed_points_ratio * c.max_points:
            findings.append(finding(
                "EFF002", Severity.WARNING, "EFF002",
                {"target": _pct(design.target[j]), "key": ids[j], "needed": needed,
                 "points": c.max_points}, ids[j],
                needed_points=needed, points=c.max_points))
    if not design.reached and design.unreachable != tuple(np.flatnonzero(constant)):
        findings.append(finding(
            "EFF002", Severity.INFO, "EFF002/unreachable", {}, None))

    for a, b, r in redundant_pairs(pooled, cfg.redundancy_r):
        findings.append(finding(
            "RED001", Severity.WARNING, "RED001",
            {"key": ids[a], "partner": ids[b], "r": r, "n": n, "rows": rows}, ids[a],
            partner=ids[b], r=r))

    findings += _robustness(per_year[-1], ids, maxima, scores, cfg, rng, finding)
    findings += _agreement(scores, table, cfg, finding, lang)
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
        return [finding("ROB001", Severity.WARNING, "ROB001/tie", {"detail": str(exc)})]
    leader = members[stab.leader]
    out = []
    res = smaa(x, n_samples=cfg.smaa_samples, nominal=nominal, spread=cfg.smaa_spread, rng=rng)
    b1 = float(res.first_rank[stab.leader])
    if b1 < cfg.min_leader_acceptability:
        rivals = sorted(((float(res.first_rank[i]), members[i]) for i in range(len(members))
                         if i != stab.leader and res.first_rank[i] > 0), reverse=True)[:3]
        listed = ", ".join(f"{m} {_pct(v)}" for v, m in rivals)
        also = (Words(vi=f"; cũng dẫn đầu: {listed}", en=f"; also first: {listed}") if rivals
                else Words(vi="", en=""))
        out.append(finding(
            "ROB001", Severity.WARNING, "ROB001",
            {"leader": leader, "share": _pct(b1), "samples": res.n_samples,
             "spread": _pct(cfg.smaa_spread), "rivals": also}, None,
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
            "ROB002", Severity.WARNING, "ROB002",
            {"key": ids[j], "weight": _pct(stab.weights[j]), "bound": _pct(bound),
             "slack": _pct(slack[j]), "rival": members[rival], "leader": leader}, ids[j],
            lower=float(stab.lower[j]), upper=float(stab.upper[j]),
            weight=float(stab.weights[j])))
    return out


def _agreement(scores: ScoreSheet, table: CriteriaTable, cfg: ScoreCheckConfig,
               finding: Any, lang: str) -> list[Finding]:
    out = []
    for cid in scores.rated_criteria():
        for year in scores.years or (None,):
            try:
                members, raters, marks = scores.ratings(cid, year=year)
            except ScoresError:
                continue
            if marks.shape[0] < 2 or marks.shape[1] < 2:
                continue
            when = _in_year(year)
            alpha = krippendorff_alpha(marks, "interval")
            if np.isnan(alpha):
                continue
            if alpha < cfg.alpha_acceptable:
                bad = alpha < cfg.alpha_tentative
                out.append(finding(
                    "AGR001", Severity.ERROR if bad else Severity.WARNING, "AGR001",
                    {"key": cid, "when": when, "alpha": alpha, "raters": len(raters),
                     "members": len(members),
                     "verdict": Words(vi="không chấp nhận được khi dưới", en="unacceptable below")
                     if bad else Words(vi="chỉ tạm chấp nhận khi dưới", en="tentative below"),
                     "bound": cfg.alpha_tentative if bad else cfg.alpha_acceptable},
                    cid, alpha=alpha, year=year))
            complete = ~np.isnan(marks).any(axis=1)
            if complete.sum() >= 2:
                res = icc(marks[complete])
                if res.icc_a1 < cfg.icc_poor:
                    k = raters_needed(res.icc_a1, cfg.icc_target)
                    target = f"{cfg.icc_target:g}"
                    need = (Words(vi=f"dù bao nhiêu người chấm cũng không đạt ICC {target}",
                                  en=f"no number of raters reaches ICC {target}")
                            if not np.isfinite(k) else
                            Words(vi=f"cần khoảng {int(np.ceil(k))} người chấm để đạt ICC "
                                     f"{target} (Spearman-Brown)",
                                  en=f"about {int(np.ceil(k))} raters would be needed for ICC "
                                     f"{target} (Spearman-Brown)"))
                    quality = interpret_icc(res.icc_a1)
                    out.append(finding(
                        "AGR002", Severity.WARNING, "AGR002",
                        {"key": cid, "when": when,
                         "quality": Words(vi=_ICC_WORDS.get(quality, quality), en=quality),
                         "icc_a1": res.icc_a1, "n_raters": res.n_raters,
                         "icc_ak": res.icc_ak, "need": need},
                        cid, icc_a1=res.icc_a1, icc_ak=res.icc_ak, year=year))
    return out


_NEEDS_TABLE = Text(vi="--scores và --inspection cần có bảng tiêu chí",
                    en="--scores and --inspection need the criteria table")
_NEEDS_SCORES = Text(vi="--inspection được so với --scores: hãy chỉ ra cả hai",
                     en="--inspection is compared with --scores: give both")
_ONE_CLUSTER = Text(
    vi="--scores chứa điểm của một cụm nhưng {history} có {n_clusters} cụm; chỉ đưa lịch sử "
       "của cụm đó",
    en="--scores holds one cluster's marks but {history} has {n_clusters} clusters; give the "
       "history of that cluster only")


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
        lang = getattr(args, "lang", DEFAULT_LANGUAGE)
        if table is None and (args.scores is not None or args.inspection is not None):
            raise CriteriaParameterError(_NEEDS_TABLE(lang))
        if args.inspection is not None and args.scores is None:
            raise CriteriaParameterError(_NEEDS_SCORES(lang))
        scores = load_scores(args.scores) if args.scores is not None else None
        out = (audit_scores(table, scores, rng=args.seed, lang=lang) if scores is not None
               else [])
        if args.inspection is not None:
            compared = compare_scores(table, scores, load_scores(args.inspection), lang=lang)
            # The self-assessment's unknown names were reported by audit_scores already.
            out += [f for f in compared if f.code != "SCR004" or f.source != scores.source]
        if args.history is not None:
            histories = load_history(args.history)
            if scores is not None and len(histories) > 1:
                raise HistoryError(_ONE_CLUSTER(lang, history=args.history,
                                                n_clusters=len(histories)))
            resolved = resolve_scores(table, scores, lang)[0] if scores is not None else None
            out += audit_history(histories, resolved, alpha=args.alpha, rng=args.seed,
                                 lang=lang)
        return out
