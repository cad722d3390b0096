"""What a reader reads of a benchmark: the side-by-side table, the terminal and Markdown.

Every text is in Vietnamese by default and in English with ``lang="en"``
(:class:`clustering.i18n.Text`); the numbers are formatted once, outside the
texts, so both languages carry the same figures. A plan that breaks the rules
is marked ``⚠`` and its ranks read "not comparable". The figures are in
:mod:`benchmarks.figures`, the report folder in :mod:`benchmarks.report`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np

from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.metrics import INDICATOR_TEXTS

from .compare import BELOW_OPTIMUM, METRICS, Benchmark, Evaluation, Metric
from .front import FRONT_TEXTS, front_lines

# -- words: every text a planner reads, in Vietnamese and English ----------------------
# The numbers are formatted once, outside the texts, so that both languages carry the
# very same figures.

#: Label and one-line explanation of each row of the side-by-side table, by row key;
#: the metric rows are keyed by :data:`benchmarks.compare.METRICS` keys.
ROW_TEXTS: dict[str, tuple[Text, Text]] = {
    "role": (
        Text(vi="vai trò", en="role"),
        Text(vi="đề xuất của người lập phương án, hay phương án tham chiếu (vùng kinh tế - xã "
                "hội, heuristic, bộ tối ưu)",
             en="a planner's proposal, or a reference plan (socio-economic regions, heuristic, "
                "optimizer)"),
    ),
    "clusters": (
        Text(vi="số cụm", en="clusters"),
        Text(vi="số cụm thi đua của phương án; quy tắc đòi hỏi {k} cụm",
             en="number of emulation clusters in the plan; the rules ask for {k}"),
    ),
    "sizes": (
        Text(vi="số đơn vị mỗi cụm (ít nhất-nhiều nhất)", en="members per cluster (min-max)"),
        Text(vi="số đơn vị của cụm ít đơn vị nhất và của cụm nhiều đơn vị nhất",
             en="members of the smallest and of the largest cluster"),
    ),
    "follows": (
        Text(vi="tuân thủ quy tắc", en="follows the rules"),
        Text(vi="phương án có đáp ứng mọi quy tắc (số cụm, số đơn vị, dân số, tính liền kề) "
                "không; nếu không, có bao nhiêu vi phạm",
             en="whether the plan meets every rule (number of clusters, members, population, "
                "contiguity); if not, how many breaches"),
    ),
    "contiguous": (
        Text(vi="tính liền kề", en="contiguous"),
        Text(vi="mỗi cụm liền một dải (liên thông): đi được giữa hai đơn vị bất kỳ trong cụm "
                "qua đường địa giới chung",
             en="each cluster is one piece: any two members are linked through shared land "
                "borders"),
    ),
    "population_ratio": (
        Text(vi="dân số lớn nhất / nhỏ nhất", en="population max/min"),
        Text(vi="dân số của cụm đông dân nhất gấp bao nhiêu lần cụm ít dân nhất; 1 là cân bằng",
             en="how many times the population of the most populous cluster is that of the "
                "least populous; 1 is balanced"),
    ),
    "objective": (
        Text(vi="mục tiêu (p-median)", en="objective (p-median)"),
        Text(vi="tổng mức khác biệt giữa mỗi đơn vị và đơn vị trung tâm của cụm, theo hàm mục "
                "tiêu của bộ tối ưu; càng thấp, các cụm càng đồng đều",
             en="total dissimilarity of each member to its cluster's central member, by the "
                "optimizer's own objective; lower means more homogeneous clusters"),
    ),
    "mean_within": (
        Text(vi="độ khác biệt trung bình trong cụm", en="mean within-cluster dissimilarity"),
        Text(vi="mức khác biệt trung bình giữa hai đơn vị cùng cụm (về các chỉ tiêu và địa lý); "
                "càng thấp càng tốt",
             en="average dissimilarity of two members of the same cluster (indicators and "
                "geography); lower is better"),
    ),
    "r2": (
        Text(vi="R² các chỉ tiêu", en="R2 of the indicators"),
        Text(vi="phần chênh lệch về các chỉ tiêu nằm giữa các cụm chứ không trong cụm; càng "
                "cao, các đơn vị cùng cụm càng giống nhau",
             en="share of the indicators' spread that lies between clusters rather than inside "
                "them; higher means members of a cluster are more alike"),
    ),
    "weight_cv": (
        Text(vi="hệ số biến thiên dân số", en="population CV"),
        Text(vi="độ lệch chuẩn của dân số các cụm chia cho dân số trung bình một cụm; càng "
                "thấp, dân số các cụm càng cân bằng",
             en="standard deviation of the clusters' populations over their mean; lower means "
                "more balanced populations"),
    ),
    "cut_edges": (
        Text(vi="số đoạn địa giới giữa các cụm", en="cut edges (borders between clusters)"),
        Text(vi="số đoạn địa giới chung nằm giữa hai cụm khác nhau; càng ít, các cụm càng gọn",
             en="shared land borders between units of different clusters; fewer means more "
                "compact clusters"),
    ),
    "gap": (
        Text(vi="khoảng cách tối ưu (gap)", en="objective gap"),
        Text(vi="mục tiêu của phương án so với phương án của bộ tối ưu; chính xác khi đã chứng "
                "minh tối ưu, nếu không thì đánh dấu * và cho một khoảng từ phương án tốt nhất "
                "tìm được đến cận tốt nhất đã chứng minh",
             en="the plan's objective relative to the optimizer's plan; exact when optimality "
                "was proven, else marked * and given as a range from the best plan found to the "
                "best proven bound"),
    ),
}

RANK_NOTE = Text(
    vi="(N %) = tốt hơn N % số phương án hợp lệ (cùng quy tắc) về chỉ số đó (bách phân vị; "
       "bằng nhau tính một nửa): 100 % là tốt nhất. Mọi chỉ số càng thấp càng tốt, trừ R².",
    en="(N %) = better than N % of the valid plans under the same rules on that metric (ties "
       "count half): 100 % is best. Lower values are better for every metric except R2.",
)
#: What the percentiles mean, by how the plans were obtained (benchmarks.uncertainty).
PERCENTILE_TEXTS: dict[str, Text] = {
    "exact": Text(vi="Các bách phân vị là chính xác: tính trên toàn bộ {n} phương án hợp lệ.",
                  en="The percentiles are exact: computed over all {n} feasible plans."),
    "uniform sample": Text(
        vi="Các bách phân vị được ước lượng từ {n} phương án rút ngẫu nhiên đều, độc lập, trong "
           "toàn bộ {total} phương án hợp lệ (đếm chính xác); trong ngoặc là khoảng tin cậy "
           "{level} % (Wilson){example}.",
        en="The percentiles are estimated from {n} plans drawn independently and uniformly at "
           "random among all {total} feasible plans (counted exactly); brackets give the "
           "{level} % confidence interval (Wilson){example}."),
    "chains": Text(
        vi="Các bách phân vị được ước lượng từ {chains} chuỗi tái tổ hợp ({n} bước) mà phân bố "
           "không chắc là đều trên các phương án hợp lệ; trong ngoặc là khoảng {level} % theo "
           "cỡ mẫu hiệu dụng (ESS nhỏ nhất {ess}, R-hat lớn nhất {rhat}){example}.",
        en="The percentiles are estimated from {chains} recombination chains ({n} steps) whose "
           "distribution over the feasible plans is not known to be uniform; brackets give a "
           "{level} % interval from the effective sample size (smallest ESS {ess}, largest "
           "R-hat {rhat}){example}."),
    "example": Text(vi=", ví dụ {name} tốt hơn {share} % ({low}-{high} %) về {metric}",
                    en=", e.g. {name} beats {share} % ({low}-{high} %) on {metric}"),
    "warning": Text(
        vi="⚠ Các chuỗi chưa hội tụ đủ (R-hat > {rmax} hoặc ESS < {emin}) ở {n} bách phân vị: "
           "các ước lượng đó không đáng tin cậy.",
        en="⚠ The chains have not converged enough (R-hat > {rmax} or ESS < {emin}) for {n} "
           "percentiles: those estimates are unreliable."),
}
NOT_COMPARABLE = Text(vi="không so sánh được", en="not comparable")
NOT_COMPARABLE_NOTE = Text(
    vi="⚠ = phương án vi phạm quy tắc (hoặc có số cụm khác quy tắc): nó không thuộc các "
       "phương án hợp lệ nên thứ hạng \"tốt hơn N %\" của nó không so sánh được.",
    en="⚠ = the plan breaks the rules (or has another number of clusters than the rules): it "
       "is not among the valid plans, so its \"better than N %\" is not comparable.",
)
WORDS = {
    "yes": Text(vi="có", en="yes"),
    "breaches": Text(vi="không ({n} vi phạm)", en="no ({n} breaches)"),
    "split": Text(vi="không ({n} cụm bị chia cắt)", en="no ({n} split)"),
    "rule_k": Text(vi="{n} (quy tắc: {k})", en="{n} (rules: {k})"),
    "dataset": Text(vi="Bộ dữ liệu: {name} ({n} đơn vị)", en="Dataset: {name} ({n} units)"),
    "rules": Text(vi="Quy tắc: {parts}", en="Rules: {parts}"),
    "k": Text(vi="{k} cụm", en="{k} clusters"),
    "size": Text(vi="mỗi cụm {a}-{b} đơn vị", en="of {a}-{b} units"),
    "weighing": Text(vi="{what} mỗi cụm {a}-{b}", en="weighing {a}-{b} ({what})"),
    "population": Text(vi="dân số", en="population"),
    "contiguous": Text(vi="các cụm liền kề", en="contiguous"),
    "not_contiguous": Text(vi="không bắt buộc liền kề", en="not necessarily contiguous"),
    "closed": Text(vi="cụm {name!r} cố định gồm {n} đơn vị{free}",
                   en="cluster {name!r} fixed to its {n} units{free}"),
    "open": Text(vi="cụm {name!r} có {n} đơn vị gán sẵn{free}",
                 en="cluster {name!r} with {n} units fixed to it{free}"),
    "free": Text(vi=", không cần liền kề", en=", not necessarily contiguous"),
    "dissimilarity": Text(vi="Độ khác biệt: các chỉ tiêu {names}{log}; trọng số địa lý {g}",
                          en="Dissimilarity: indicators {names}{log}; geography weight {g}"),
    "log": Text(vi=" (lấy logarit: {names})", en=" (log: {names})"),
    "optimizer": Text(
        vi="Bộ tối ưu: trạng thái {status}, mục tiêu {objective}{bound}{gap}, {time} s, "
           "phương pháp {method}, bộ giải {solver}",
        en="Optimizer: status {status}, objective {objective}{bound}{gap}, {time} s, "
           "method {method}, solver {solver}"),
    "bound": Text(vi=", cận {bound}", en=", bound {bound}"),
    "opt_gap": Text(vi=", khoảng cách tối ưu (gap) {gap} %", en=", gap {gap} %"),
    "none": Text(vi="không có", en="none"),
    "ranked": Text(vi="Xếp hạng so với: {sample}", en="Feasible plans ranked against: {sample}"),
    "complete": Text(vi="toàn bộ {n} phương án hợp lệ (liệt kê đầy đủ)",
                     en="all {n} feasible plans (enumeration)"),
    "chain": Text(vi="{n} phương án khác nhau qua {steps} bước của chuỗi tái tổ hợp ({accepted} "
                     "bước được chấp nhận{stop})",
                  en="{n} distinct plans from {steps} steps of a {method} ({accepted} moves "
                     "accepted{stop})"),
    "interrupted": Text(vi=", bị dừng giữa chừng", en=", interrupted"),
    "title": Text(vi="So sánh các phương án cụm thi đua", en="Benchmark of cluster plans"),
    "side_by_side": Text(vi="Đặt cạnh nhau", en="Side by side"),
    "reading": Text(vi="Cách đọc bảng", en="Reading the table"),
    "among": Text(vi="Các phương án giữa các phương án hợp lệ",
                  en="The plans among the feasible plans"),
    "distribution_alt": Text(vi="phân bố các chỉ số", en="distribution of the metrics"),
    "map_alt": Text(vi="bản đồ {name}", en="map of {name}"),
    "objective_line": Text(vi="Mục tiêu {value}: {gap}", en="Objective {value}: {gap}"),
    "breaks": Text(vi="Vi phạm quy tắc: {what}", en="Breaks the rules: {what}"),
    "follows_all": Text(vi="Tuân thủ mọi quy tắc.", en="Follows every rule."),
    "note": Text(vi="Ghi chú: {note}", en="Note: {note}"),
    "cluster_table": Text(vi="| cụm | số đơn vị | dân số | các đơn vị |",
                          en="| cluster | size | population | members |"),
    "fairness": Text(vi="Mức độ công bằng", en="Fairness"),
    "fairness_table": Text(vi="| chỉ số | giá trị | ý nghĩa |", en="| metric | value | meaning |"),
    "notes": Text(vi="Ghi chú", en="Notes"),
    "data": Text(vi="Dữ liệu", en="Data"),
    "no_figures": Text(vi="Không có hình: {why}", en="No figures: {why}"),
    "longitude": Text(vi="kinh độ", en="longitude"),
    "latitude": Text(vi="vĩ độ", en="latitude"),
    "lower": Text(vi="{label} (thấp hơn là tốt hơn)", en="{label} (lower is better)"),
    "higher": Text(vi="{label} (cao hơn là tốt hơn)", en="{label} (higher is better)"),
    "plans_axis": Text(vi="số phương án", en="plans"),
    "plans_among": Text(vi="Các phương án giữa {sample}", en="Plans among {sample}"),
    "breaks_short": Text(vi="{name} (vi phạm quy tắc)", en="{name} (breaks the rules)"),
}
ROLE_TEXTS: dict[str, Text] = {
    "proposal": Text(vi="đề xuất", en="proposal"),
    "regions": Text(vi="theo vùng", en="regions"),
    "heuristic": Text(vi="heuristic", en="heuristic"),
    "optimum": Text(vi="tối ưu", en="optimum"),
    "reform": Text(vi="cải cách", en="reform"),
}
#: The reference plans' names as :mod:`benchmarks.compare` gives them, for the reader.
_REFERENCE_NAMES: dict[str, Text] = {
    "GSO regions": Text(vi="Các vùng kinh tế - xã hội (GSO)", en="GSO regions"),
    "heuristic (Ward + AZP local search)": Text(
        vi="Heuristic (Ward + tìm kiếm cục bộ AZP)", en="heuristic (Ward + AZP local search)"),
}
_STATUS_TEXTS: dict[str, Text] = {
    "optimal": Text(vi="tối ưu đã chứng minh", en="optimal"),
    "feasible": Text(vi="khả thi, chưa chứng minh tối ưu", en="feasible"),
    "infeasible": Text(vi="không có phương án hợp lệ", en="infeasible"),
}
_RULE_TEXTS: dict[str, Text] = {  # clustering.compiled_rules.RULE_CODES
    "n_clusters": Text(vi="số cụm", en="number of clusters"),
    "count": Text(vi="số đơn vị mỗi cụm", en="members per cluster"),
    "weight": Text(vi="dân số mỗi cụm", en="population per cluster"),
    "contiguity": Text(vi="tính liền kề", en="contiguity"),
    "together": Text(vi="đơn vị phải cùng cụm", en="units kept together"),
    "apart": Text(vi="đơn vị phải khác cụm", en="units kept apart"),
    "fixed": Text(vi="đơn vị được gán sẵn", en="fixed units"),
    "purity": Text(vi="cùng nhóm chức năng", en="purity"),
}

__all__ = [
    "NOT_COMPARABLE",
    "PERCENTILE_TEXTS",
    "RANK_NOTE",
    "ROW_TEXTS",
    "WORDS",
    "beats",
    "console_summary",
    "display_name",
    "legend_lines",
    "markdown_report",
    "percentile_meaning",
    "plan_notes",
    "sample_text",
    "shown_names",
    "summary_lines",
    "table_rows",
    "terminal_table",
    "violations_text",
    "wrap_text",
]


def _term(table: dict[str, Text], key: str, lang: str) -> str:
    """``table[key]`` in ``lang``, or ``key`` itself when it has no translation."""
    text = table.get(key)
    return text(lang) if text is not None else key


def shown_names(benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Each evaluated plan's name as the report shows it (:func:`display_name`).

    Parameters
    ----------
    benchmark : Benchmark
        The results.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    dict of str to str
        Plan name -> the name shown.
    """
    return {e.name: display_name(e, lang) for e in benchmark.evaluations}


def display_name(e: Evaluation, lang: str = DEFAULT_LANGUAGE) -> str:
    """The plan's name for the reader: a reference plan's name in ``lang``, a proposal's as given.

    Parameters
    ----------
    e : Evaluation
        The evaluated plan.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    str
        The name shown in tables, headings and figures.
    """
    lang = check_language(lang)
    if e.role == "proposal" or e.name != e.plan.name:
        return e.name  # the planner's own name, or one renamed "name (2)" to stay distinct
    if e.role == "reform" and e.name.startswith("reform ("):
        return REFORM_TEXTS["name"](lang, status=_term(_STATUS_TEXTS, e.name[8:-1], lang))
    if e.role == "optimum" and e.name.startswith("optimizer ("):
        status = e.name[len("optimizer ("):-1]
        return Text(vi="Bộ tối ưu ({status})", en="optimizer ({status})")(
            lang, status=_term(_STATUS_TEXTS, status, lang))
    return _term(_REFERENCE_NAMES, e.name, lang)


#: The reform section's words (``Benchmark.reform``).
REFORM_TEXTS: dict[str, Text] = {
    "name": Text(vi="Cải cách từ phương án hiện tại ({status})",
                 en="reform of the current plan ({status})"),
    "title": Text(vi="Cải cách từ phương án hiện tại", en="Reform of the current plan"),
    "summary": Text(
        vi="Phương án hiện tại: {current}; tối đa {m} lượt chuyển; trạng thái {status}; "
           "mục tiêu {objective} (hiện tại {before}); {n} đơn vị chuyển cụm:",
        en="current plan: {current}; at most {m} moves; status {status}; objective "
           "{objective} (today {before}); {n} units change cluster:"),
    "none": Text(vi="không tìm được phương án trong {m} lượt chuyển (trạng thái {status})",
                 en="no plan found within {m} moves (status {status})"),
}


def reform_lines(benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The reform's summary and its moves, one line each (empty without a reform).

    Parameters
    ----------
    benchmark : Benchmark
        The results, with ``benchmark.reform`` when a current plan was given.
    lang : {"vi", "en"}
        The reader's language (Vietnamese by default).

    Returns
    -------
    list of str
        The lines, the moves as ``"- ..."`` items.
    """
    reform = benchmark.reform
    if reform is None:
        return []
    result, status = reform.result, _term(_STATUS_TEXTS, reform.result.status, lang)
    if result.plan is None:
        return [REFORM_TEXTS["none"](lang, m=reform.max_moves, status=status)]
    today = reform.current_objective
    summary = REFORM_TEXTS["summary"](
        lang, current=reform.current.name or "-", m=reform.max_moves, status=status,
        objective=f"{result.objective:.6g}", before=_num(today, 6), n=len(reform.moves))
    return [summary, *(f"- {move.text(lang)}" for move in reform.moves)]


# -- the side-by-side table ------------------------------------------------------------


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, (int, np.integer)) or (float(value).is_integer() and abs(value) >= 10):
        return f"{int(value):,}"
    return f"{value:.{digits}g}"


def beats(e: Evaluation, metric: Metric) -> float | None:
    """Share (%) of the feasible plans that ``e`` beats on ``metric``, ties counted half.

    Parameters
    ----------
    e : Evaluation
        The evaluated plan.
    metric : Metric
        One of :data:`benchmarks.compare.METRICS`.

    Returns
    -------
    float or None
        The share, or ``None`` when the metric was not ranked.
    """
    if metric.key not in e.percentiles:
        return None
    pct = e.percentiles[metric.key]  # share of plans with a lower value
    return 100.0 - pct if metric.lower_is_better else pct


def _with_rank(e: Evaluation, metric: Metric, lang: str, digits: int = 3) -> str:
    text = _num(e.scores.get(metric.key), digits)
    share = beats(e, metric)
    if share is not None:
        # A plan outside the valid plans has a percentile, but it does not rank it fairly.
        interval = _interval(e, metric)
        text += (f" ({share:.0f} %{interval})" if e.comparable
                 else f" ({NOT_COMPARABLE(lang)})")
    return text


def _interval(e: Evaluation, metric: Metric) -> str:
    """``", 58-66"``: the interval of the share beaten, when the percentile is estimated."""
    est = e.intervals.get(metric.key)
    if est is None or est.exact:
        return ""
    est = est.flipped() if metric.lower_is_better else est
    return f", {est.low:.0f}-{est.high:.0f}"


def percentile_meaning(benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """What the percentiles mean, in one sentence with an interval (and a warning if any).

    Parameters
    ----------
    benchmark : Benchmark
        The run whose percentiles are explained.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    list of str
        The sentence, then a warning line when some chain estimates are unreliable;
        empty without a sample.
    """
    s = benchmark.sample
    estimates = [(e, m, e.intervals[m.key]) for e in benchmark.evaluations if e.comparable
                 for m in METRICS if m.key in e.intervals]
    if s is None or not estimates:
        return []
    method = estimates[0][2].method
    if method == "exact":
        return [PERCENTILE_TEXTS["exact"](lang, n=f"{s.n_distinct:,}")]
    e, m, est = next(((e, m, x) for e, m, x in estimates if m.key == "objective"), estimates[0])
    shown = est.flipped() if m.lower_is_better else est
    example = PERCENTILE_TEXTS["example"](
        lang, name=display_name(e, lang), share=f"{shown.value:.0f}", low=f"{shown.low:.0f}",
        high=f"{shown.high:.0f}", metric=ROW_TEXTS[m.key][0](lang) if m.key in ROW_TEXTS
        else m.label)
    level = f"{100 * est.level:g}"
    if method == "uniform sample":
        return [PERCENTILE_TEXTS[method](lang, n=f"{s.steps:,}", total=f"{s.total:,}",
                                         level=level, example=example)]
    from .uncertainty import ESS_MIN, RHAT_MAX

    lines = [PERCENTILE_TEXTS["chains"](
        lang, chains=len(s.traces), n=f"{s.steps:,}", level=level, example=example,
        ess=f"{min(x.ess or 0 for _, _, x in estimates):.0f}",
        rhat=f"{max(x.rhat or 1 for _, _, x in estimates):.3f}")]
    unreliable = sum(x.unreliable for _, _, x in estimates)
    if unreliable:
        lines.append(PERCENTILE_TEXTS["warning"](lang, rmax=RHAT_MAX, emin=f"{ESS_MIN:.0f}",
                                                 n=unreliable))
    return lines


def _header(e: Evaluation, lang: str) -> str:
    return display_name(e, lang) if e.comparable else f"⚠ {display_name(e, lang)}"


def table_rows(
    benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE
) -> tuple[list[str], list[list[str]]]:
    """Header (plan names) and rows (metric label, then one cell per plan).

    Parameters
    ----------
    benchmark : Benchmark
        The results to tabulate.
    lang : {"vi", "en"}
        The reader's language (Vietnamese by default); the numbers are the same in both.

    Returns
    -------
    tuple of (list of str, list of list of str)
        The header (an empty corner, then the plans; ``⚠`` marks a plan that breaks the
        rules) and the rows.
    """
    lang = check_language(lang)
    evaluations = benchmark.evaluations
    header = ["", *[_header(e, lang) for e in evaluations]]
    rows: list[list[str]] = []
    k = benchmark.settings.rules.n_clusters

    def row(key: str, cells: Sequence[str]) -> None:
        rows.append([ROW_TEXTS[key][0](lang), *cells])

    yes = WORDS["yes"](lang)
    row("role", [ROLE_TEXTS[e.role](lang) if e.role in ROLE_TEXTS else e.role
                 for e in evaluations])
    row("clusters", [str(e.plan.n_clusters) if e.plan.n_clusters == k
                     else WORDS["rule_k"](lang, n=e.plan.n_clusters, k=k) for e in evaluations])
    sizes = [e.report.size_count for e in evaluations]
    row("sizes", [f"{s.min:g}-{s.max:g}" for s in sizes])
    row("follows", [yes if not e.violations else WORDS["breaches"](lang, n=len(e.violations))
                    for e in evaluations])
    row("contiguous", [yes if e.report.contiguous else
                       WORDS["split"](lang, n=sum(p > 1 for p in e.report.pieces.values()))
                       for e in evaluations])
    row("population_ratio", [_num(e.report.size_weight.ratio if e.report.size_weight else None)
                             for e in evaluations])
    metrics = {m.key: m for m in METRICS}
    for key in ("weight_cv", "r2", "mean_within", "cut_edges", "objective"):
        row(key, [_with_rank(e, metrics[key], lang) for e in evaluations])
    row("gap", [_gap_cell(e) for e in evaluations])
    return header, rows


def legend_lines(benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """One line per row of the table: what it measures, then how to read the ranks.

    Parameters
    ----------
    benchmark : Benchmark
        The results.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    list of str
    """
    k = benchmark.settings.rules.n_clusters
    order = ("role", "clusters", "sizes", "follows", "contiguous", "population_ratio",
             "weight_cv", "r2", "mean_within", "cut_edges", "objective", "gap")
    lines = [f"{ROW_TEXTS[key][0](lang)}: {ROW_TEXTS[key][1](lang, k=k)}" for key in order]
    lines.append(RANK_NOTE(lang))
    lines += percentile_meaning(benchmark, lang)
    if not all(e.comparable for e in benchmark.evaluations):
        lines.append(NOT_COMPARABLE_NOTE(lang))
    return lines


def _gap_cell(e: Evaluation) -> str:
    gap = e.gap
    if gap is None or gap.low is None:
        return "-"
    if gap.proven:
        return f"{100 * gap.low:+.1f} %"
    if gap.high is None:
        return f">= {100 * gap.low:+.1f} %*"
    return f"{100 * gap.low:+.1f}..{100 * gap.high:+.1f} %*"


def _gap_text(e: Evaluation, lang: str) -> str:
    gap = e.gap
    if gap is None or gap.low is None:
        return Text(vi="không có phương án tối ưu để so sánh",
                    en="no optimum to compare with")(lang)
    low = f"{100 * gap.low:+.1f}"
    if gap.proven:
        return Text(vi="{low} % so với tối ưu đã chứng minh",
                    en="{low} % from the proven optimum")(lang, low=low)
    if gap.high is None:
        return Text(vi="{low} % so với phương án tốt nhất tìm được (chưa chứng minh tối ưu)",
                    en="{low} % from the best plan found (optimality not proven)")(lang, low=low)
    return Text(
        vi="{low} % so với phương án tốt nhất tìm được, nhiều nhất {high} % so với cận tốt "
           "nhất (chưa chứng minh tối ưu)",
        en="{low} % from the best plan found, at most {high} % from the best bound "
           "(optimality not proven)",
    )(lang, low=low, high=f"{100 * gap.high:+.1f}")


def wrap_text(text: str, width: int) -> list[str]:
    """``text`` wrapped on words into lines of at most ``width`` characters, never cut.

    Parameters
    ----------
    text : str
        A name or a cell.
    width : int
        The widest line wanted (a longer single word keeps its own line).

    Examples
    --------
    >>> wrap_text("Trung du và miền núi phía Bắc", 12)
    ['Trung du và', 'miền núi', 'phía Bắc']
    """
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def terminal_table(benchmark: Benchmark, *, width: int = 22, lang: str = DEFAULT_LANGUAGE) -> str:
    """The side-by-side table as plain text; long names and cells wrap, never cut.

    Parameters
    ----------
    benchmark : Benchmark
        The results to tabulate.
    width : int
        Widest plan column, in characters; longer names and cells wrap onto more lines.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    str
        The table, one plan per column.
    """
    header, rows = table_rows(benchmark, lang)
    limits = [max(len(r[0]) for r in [header, *rows]), *[width] * (len(header) - 1)]
    table = [[wrap_text(c, w) for c, w in zip(r, limits)] for r in [header, *rows]]
    widths = [max(len(line) for r in table for line in r[j]) for j in range(len(header))]

    def lines_of(cells: list[list[str]]) -> list[str]:
        height = max(len(c) for c in cells)
        return ["  ".join((c[i] if i < len(c) else "").ljust(w)
                          for c, w in zip(cells, widths)).rstrip() for i in range(height)]

    lines = lines_of(table[0])
    lines.append("  ".join("-" * w for w in widths))
    for cells in table[1:]:
        lines += lines_of(cells)
    return "\n".join(lines)


def sample_text(benchmark: Benchmark, lang: str) -> str:
    """What the feasible plans compared against are, in ``lang`` ("" without a sample).

    Parameters
    ----------
    benchmark : Benchmark
        The run whose sample is described.
    lang : {"vi", "en"}
        The reader's language.
    """
    s = benchmark.sample
    if s is None:
        return ""
    if s.complete:
        return WORDS["complete"](lang, n=f"{s.n_distinct:,}")
    if s.method == "uniform sample":
        return Text(vi="{n} phương án khác nhau trong {draws} lần rút ngẫu nhiên đều trong toàn "
                       "bộ {total} phương án hợp lệ (đếm chính xác)",
                    en="{n} distinct plans in {draws} uniform random draws among all {total} "
                       "feasible plans (exact count)")(
            lang, n=f"{s.n_distinct:,}", draws=f"{s.steps:,}", total=f"{s.total:,}")
    stop = WORDS["interrupted"](lang) if s.interrupted else ""
    return WORDS["chain"](lang, n=f"{s.n_distinct:,}", steps=f"{s.steps:,}",
                           accepted=f"{s.accepted:,}", method=s.method, stop=stop)


def summary_lines(benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The settings in words: dataset, rules, dissimilarity, the optimizer's proof, the sample.

    Parameters
    ----------
    benchmark : Benchmark
        The results.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    list of str
    """
    s = benchmark.settings
    rules = s.rules
    parts = [WORDS["k"](lang, k=rules.n_clusters)]
    if rules.size:
        parts.append(WORDS["size"](lang, a=rules.size[0], b=rules.size[1]))
    if rules.weight_bounds:
        what = rules.weight or WORDS["population"](lang)
        parts.append(WORDS["weighing"](lang, what=what, a=f"{rules.weight_bounds[0]:,.0f}",
                                        b=f"{rules.weight_bounds[1]:,.0f}"))
    parts.append(WORDS["contiguous" if rules.contiguous else "not_contiguous"](lang))
    for name, spec in rules.clusters.items():
        free = WORDS["free"](lang) if spec.contiguous is False else ""
        parts.append(WORDS["closed" if spec.closed else "open"](
            lang, name=name, n=len(spec.members), free=free))
    names = ", ".join(_term(INDICATOR_TEXTS, i, lang) for i in benchmark.indicators)
    log = ""
    if benchmark.log:
        log = WORDS["log"](lang, names=", ".join(_term(INDICATOR_TEXTS, i, lang)
                                                  for i in benchmark.log))
    lines = [
        WORDS["dataset"](lang, name=benchmark.unit_set.name, n=len(benchmark.unit_set)),
        WORDS["rules"](lang, parts=", ".join(parts)),
        WORDS["dissimilarity"](lang, names=names, log=log, g=f"{s.geography:g}"),
    ]
    opt = benchmark.optimum
    if opt is not None:
        bound = WORDS["bound"](lang, bound=f"{opt.bound:.6g}") if opt.bound is not None else ""
        gap = WORDS["opt_gap"](lang, gap=f"{100 * opt.gap:.2g}") if opt.gap is not None else ""
        objective = f"{opt.objective:.6g}" if opt.objective is not None else WORDS["none"](lang)
        lines.append(WORDS["optimizer"](
            lang, status=_term(_STATUS_TEXTS, opt.status, lang), objective=objective,
            bound=bound, gap=gap, time=f"{opt.wall_time:.2f}", method=opt.method,
            solver=opt.solver))
    if benchmark.sample is not None:
        lines.append(WORDS["ranked"](lang, sample=sample_text(benchmark, lang)))
    return lines


def console_summary(benchmark: Benchmark, lang: str = DEFAULT_LANGUAGE) -> str:
    """Settings, the table and what each row means, for printing.

    Parameters
    ----------
    benchmark : Benchmark
        The results to summarise.
    lang : {"vi", "en"}
        The reader's language (Vietnamese by default); the numbers are the same in both.

    Returns
    -------
    str
        The text to print.
    """
    lang = check_language(lang)
    lines = summary_lines(benchmark, lang)
    lines += ["", terminal_table(benchmark, lang=lang), ""]
    lines += legend_lines(benchmark, lang)
    if benchmark.trade_off is not None:
        names = shown_names(benchmark, lang)
        lines += ["", FRONT_TEXTS["title"](lang), *front_lines(benchmark.trade_off, lang, names)]
    if benchmark.reform is not None:
        lines += ["", REFORM_TEXTS["title"](lang), *reform_lines(benchmark, lang)]
    return "\n".join(lines)


# -- Markdown --------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def violations_text(e: Evaluation, lang: str = DEFAULT_LANGUAGE) -> str:
    """The rules a plan breaks, each with its rule's name, on one line ("" when none).

    Parameters
    ----------
    e : Evaluation
        The evaluated plan.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    str
    """
    return "; ".join(f"{_term(_RULE_TEXTS, v.reason, lang)}: {v.text(lang)}"
                     for v in e.violations)


_REGION_NOTE = Text(
    vi="Mỗi vùng kinh tế - xã hội (GSO) là một cụm; {n} đơn vị nằm trên hai vùng được xếp vào "
       "vùng chiếm phần lớn dân số của đơn vị (nhãn region_majority): {names}",
    en="one cluster per GSO region; {n} units straddling two regions placed in the region "
       "holding most of their population (region_majority label): {names}",
)


def plan_notes(e: Evaluation, lang: str = DEFAULT_LANGUAGE) -> str:
    """The plan's own notes; the region plan's, written by this package, in ``lang``.

    Parameters
    ----------
    e : Evaluation
        The evaluated plan.
    lang : {"vi", "en"}
        The reader's language.

    Returns
    -------
    str
    """
    if e.role != "regions" or e.plan.name != "GSO regions":
        return e.plan.notes or ""
    units = e.plan.unit_set
    straddling = [u.name for u, r in zip(units, units.labels_of("region")) if r is None]
    if not straddling:
        return Text(vi="Mỗi vùng kinh tế - xã hội (GSO) là một cụm",
                    en="one cluster per GSO region")(lang)
    return _REGION_NOTE(lang, n=len(straddling), names=", ".join(straddling))


def _plan_section(benchmark: Benchmark, e: Evaluation, figures: dict[str, str],
                  lang: str) -> list[str]:
    ids_to_names = {u.id: u.name for u in benchmark.unit_set}
    role = _term(ROLE_TEXTS, e.role, lang)
    out = [f"## {display_name(e, lang)} ({role})", ""]
    notes = plan_notes(e, lang)
    if notes:
        out += [notes, ""]
    # The benchmark's notes are English; the one it writes on comparability is said in lang.
    out += [f"- {BELOW_OPTIMUM(lang) if n == BELOW_OPTIMUM('en') else n}" for n in e.notes]
    if e.gap is not None:
        out.append("- " + WORDS["objective_line"](lang, value=f"{e.gap.value:.6g}",
                                                   gap=_gap_text(e, lang)))
    if e.violations:
        out.append("- " + WORDS["breaks"](lang, what=violations_text(e, lang)))
    else:
        out.append("- " + WORDS["follows_all"](lang))
    out += ["- " + WORDS["note"](lang, note=n) for n in e.report.notes]
    out += ["", WORDS["cluster_table"](lang), "|---|---|---|---|"]
    weights = e.report.size_weight.per_cluster if e.report.size_weight else {}
    for cluster, members in e.plan.clusters.items():
        names = ", ".join(ids_to_names[m] for m in members)
        population = _num(weights.get(cluster)) if weights else "-"
        out.append(f"| {_md_cell(cluster)} | {len(members)} | {population} | "
                   f"{_md_cell(names)} |")
    out += ["", f"### {WORDS['fairness'](lang)}", "", WORDS["fairness_table"](lang),
            "|---|---|---|"]
    out += [f"| {_md_cell(label)} | {_md_cell(value)} | {_md_cell(meaning)} |"
            for label, value, meaning in e.report.rows(lang)]
    key = f"map:{e.name}"
    if key in figures:
        out += ["", f"![{WORDS['map_alt'](lang, name=display_name(e, lang))}]({figures[key]})"]
    out.append("")
    return out


def markdown_report(
    benchmark: Benchmark,
    figures: dict[str, str],
    figure_note: str = "",
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """The report as Markdown.

    Parameters
    ----------
    benchmark : Benchmark
        The results to report.
    figures : dict of str to str
        PNG file names by ``"map:<plan name>"`` and ``"distribution"``.
    figure_note : str
        A note on the figures (e.g. why there are none), shown as a quote.
    lang : {"vi", "en"}
        The reader's language (Vietnamese by default); the numbers are the same in both.

    Returns
    -------
    str
        The Markdown text.
    """
    lang = check_language(lang)
    header, rows = table_rows(benchmark, lang)
    out = [f"# {WORDS['title'](lang)}", ""]
    out += [f"- {line}" for line in summary_lines(benchmark, lang)]
    out += ["", f"## {WORDS['side_by_side'](lang)}", ""]
    out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
    out.append("|" + "---|" * len(header))
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    out += ["", f"### {WORDS['reading'](lang)}", ""]
    out += [f"- {line}" for line in legend_lines(benchmark, lang)]
    out.append("")
    if figure_note:
        out += [f"> {figure_note}", ""]
    if "distribution" in figures:
        out += [f"## {WORDS['among'](lang)}", "",
                f"![{WORDS['distribution_alt'](lang)}]({figures['distribution']})", ""]
    if benchmark.trade_off is not None:
        out += [f"## {FRONT_TEXTS['title'](lang)}", ""]
        if "pareto" in figures:
            out += [f"![{FRONT_TEXTS['title'](lang)}]({figures['pareto']})", ""]
        out += [f"- {line}" for line in front_lines(benchmark.trade_off, lang,
                                                          shown_names(benchmark, lang))] + [""]
    if benchmark.reform is not None:
        out += [f"## {REFORM_TEXTS['title'](lang)}", "", *reform_lines(benchmark, lang), ""]
    for e in benchmark.evaluations:
        out += _plan_section(benchmark, e, figures, lang)
    if benchmark.notes:
        out += [f"## {WORDS['notes'](lang)}", ""] + [f"- {n}" for n in benchmark.notes] + [""]
    if benchmark.unit_set.provenance:
        out += [f"## {WORDS['data'](lang)}", "", f"{benchmark.unit_set.provenance}", ""]
    return "\n".join(out)

