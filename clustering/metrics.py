"""Fairness metrics of a cluster plan.

The plain functions compute one aspect each (sizes, homogeneity, contiguity,
compactness, purity, award chances) and are reused by the optimizer, the
estimators and the benchmarks; :func:`fairness_report` gathers them in one
typed report that prints as a table and converts to a dict.

Definitions
-----------
* Size balance: over clusters, ``min``, ``max``, ``max / min`` and the
  coefficient of variation ``std / mean`` (population standard deviation).
* Homogeneity of an indicator ``x``: the share of its variance left inside
  clusters, ``1 - R^2 = sum_c sum_{i in c} (x_i - mean_c)^2 / sum_i (x_i - mean)^2``.
* Mean within-cluster dissimilarity (or distance): the mean over all unordered
  pairs of units that share a cluster (pooled over clusters).
* Contiguity: a cluster is contiguous when the adjacency graph restricted to
  its members is connected; ``pieces`` counts its connected components.
* Cut edges: borders between units of different clusters.
* Purity for a category: the share of units whose category is the most common
  one of their cluster.
* Award chance: a member's chance to be its cluster's leader is ``1 / size``
  when every member is equally likely; its spread across clusters shows how
  unequal the chances are.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.spatial.distance import pdist, squareform

from .dissimilarity import great_circle_km, standardized_indicators
from .errors import IndicatorError, ParameterError
from .i18n import DEFAULT_LANGUAGE, Text, check_language
from .plan import Plan
from .tables import html_table, require_pandas

__all__ = [
    "INDICATOR_TEXTS",
    "AwardChance",
    "FairnessReport",
    "SizeStats",
    "award_chance",
    "cluster_pieces",
    "cut_edges",
    "fairness_report",
    "mean_within",
    "purity",
    "size_stats",
    "within_share",
]


class SizeStats(BaseModel):
    """Balance of a per-cluster total (member count or summed weight)."""

    model_config = ConfigDict(frozen=True)

    by: str
    min: float
    max: float
    ratio: float | None  # max / min; None when the smallest is 0
    cv: float
    per_cluster: dict[str, float]


class AwardChance(BaseModel):
    """Each member's chance to lead its cluster (``1 / size``), across clusters."""

    model_config = ConfigDict(frozen=True)

    min: float
    max: float
    ratio: float
    std: float
    per_cluster: dict[str, float]


def size_stats(totals: Mapping[str, float], by: str = "count") -> SizeStats:
    """Min, max, max/min and coefficient of variation of per-cluster totals.

    Examples
    --------
    >>> s = size_stats({"a": 2, "b": 4})
    >>> s.ratio, round(s.cv, 4)
    (2.0, 0.3333)
    """
    values = np.array(list(totals.values()), dtype=float)
    mean = values.mean()
    return SizeStats(
        by=by,
        min=float(values.min()),
        max=float(values.max()),
        ratio=float(values.max() / values.min()) if values.min() > 0 else None,
        cv=float(values.std() / mean) if mean > 0 else 0.0,
        per_cluster={k: float(v) for k, v in totals.items()},
    )


def within_share(values: np.ndarray, labels: np.ndarray) -> float:
    """Share of the variance of ``values`` left inside clusters (``1 - R^2``).

    Examples
    --------
    >>> round(within_share(np.array([1.0, 3.0, 10.0, 12.0]), np.array([0, 0, 1, 1])), 4)
    0.0471
    """
    values, labels = np.asarray(values, dtype=float), np.asarray(labels)
    scale = np.abs(values).max() if values.size else 0.0
    if scale > 0:  # a ratio of variances: scaled first so that figures near 1e300 cannot overflow
        values = values / scale
    total = ((values - values.mean()) ** 2).sum()
    if total == 0:
        raise IndicatorError("a constant indicator has no variance to split")
    within = sum(((values[labels == c] - values[labels == c].mean()) ** 2).sum()
                 for c in np.unique(labels))
    return float(within / total)


def mean_within(matrix: np.ndarray, labels: np.ndarray) -> float | None:
    """Mean of ``matrix[i, j]`` over unordered pairs ``i < j`` in the same cluster.

    ``None`` when every cluster is a singleton (no pair to average).
    """
    matrix, labels = np.asarray(matrix, dtype=float), np.asarray(labels)
    same = labels[:, None] == labels[None, :]
    upper = np.triu(same, k=1)
    return float(matrix[upper].mean()) if upper.any() else None


def cluster_pieces(graph: nx.Graph, clusters: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Number of connected pieces of each cluster in the adjacency ``graph``."""
    return {
        name: nx.number_connected_components(graph.subgraph(members))
        for name, members in clusters.items()
    }


def cut_edges(graph: nx.Graph, cluster_of: Mapping[str, object]) -> int:
    """Number of borders joining units of different clusters."""
    return sum(1 for a, b in graph.edges() if cluster_of[a] != cluster_of[b])


def purity(categories: Sequence[object], labels: np.ndarray) -> tuple[float, dict[int, float]]:
    """Overall and per-cluster share of units in their cluster's most common category."""
    labels = np.asarray(labels)
    per_cluster = {}
    hits = 0
    for c in np.unique(labels):
        members = [categories[i] for i in np.flatnonzero(labels == c)]
        top = Counter(members).most_common(1)[0][1]
        per_cluster[int(c)] = top / len(members)
        hits += top
    return hits / len(labels), per_cluster


def award_chance(sizes: Mapping[str, int]) -> AwardChance:
    """Chance ``1 / size`` of each cluster's members to lead it, and its spread.

    Examples
    --------
    >>> award_chance({"a": 4, "b": 8}).ratio
    2.0
    """
    chances = {k: 1.0 / v for k, v in sizes.items()}
    values = np.array(list(chances.values()))
    return AwardChance(
        min=float(values.min()),
        max=float(values.max()),
        ratio=float(values.max() / values.min()),
        std=float(values.std()),
        per_cluster=chances,
    )


class FairnessReport(BaseModel):
    """How fair a plan is. ``print(report)`` shows a table; ``report.to_dict()`` the data."""

    model_config = ConfigDict(frozen=True)

    plan: str
    n_units: int
    n_clusters: int
    size_count: SizeStats
    size_weight: SizeStats | None
    homogeneity: dict[str, float]  # indicator -> share of variance within clusters (1 - R^2)
    r2_overall: float | None  # mean R^2 over the standardised indicators
    mean_within_dissimilarity: float | None
    contiguous: bool
    pieces: dict[str, int]
    mean_within_km: float | None
    cut_edges: int
    purity_attribute: str | None
    purity: float | None
    award_chance: AwardChance
    notes: list[str]
    #: Units a partial plan leaves in no cluster, id -> name (not scored).
    unplaced: dict[str, str] = {}

    def unplaced_line(self, lang: str = DEFAULT_LANGUAGE) -> str | None:
        """``"N units not placed: ..."`` in ``lang``, or ``None`` when every unit is placed.

        Parameters
        ----------
        lang : {"vi", "en"}
            The reader's language (Vietnamese by default).

        Returns
        -------
        str or None
            The sentence naming every unplaced unit (name and id).

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> from clustering.plan import Plan
        >>> vn = vietnam_provinces(2025)
        >>> plan = Plan.partial(vn, {"A": ["Hà Nội", "Bắc Ninh"], "B": ["Huế", "Đà Nẵng"]})
        >>> fairness_report(plan).unplaced_line("en")[:36]
        '30 units not placed: Cao Bằng (04), '
        """
        if not self.unplaced:
            return None
        listed = ", ".join(f"{name} ({uid})" for uid, name in self.unplaced.items())
        return _UNPLACED(check_language(lang), n=len(self.unplaced), units=listed)

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")

    def summary(self) -> dict[str, float | int | bool | None]:
        """The headline numbers, flat (for side-by-side tables)."""
        return {
            "clusters": self.n_clusters,
            "size min": self.size_count.min,
            "size max": self.size_count.max,
            "size max/min": self.size_count.ratio,
            "size CV": self.size_count.cv,
            "weight max/min": self.size_weight.ratio if self.size_weight else None,
            "weight CV": self.size_weight.cv if self.size_weight else None,
            "R2 (indicators)": self.r2_overall,
            "mean within dissimilarity": self.mean_within_dissimilarity,
            "contiguous": self.contiguous,
            "pieces": sum(self.pieces.values()),
            "mean within km": self.mean_within_km,
            "cut edges": self.cut_edges,
            "purity": self.purity,
            "award chance max/min": self.award_chance.ratio,
        }

    def rows(self, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str, str]]:
        """Each headline number as ``(label, value, what it measures)``, in a planner's words.

        Parameters
        ----------
        lang : {"vi", "en"}
            The reader's language (Vietnamese by default); the values are the same in both.

        Returns
        -------
        list of tuple of (str, str, str)
            One row per entry of :meth:`summary`, then one per indicator's ``1 - R2``.
        """
        lang = check_language(lang)
        # The unit weight is the population in every built-in dataset; another named weight
        # is shown by its name.
        by = self.size_weight.by if self.size_weight else "weight"
        what = _POPULATION(lang) if by == "weight" else by
        attribute = self.purity_attribute or "category"
        fields = {"what": what, "attribute": _term(attribute, lang)}
        rows = [
            (label(lang, **fields), _fmt(value, lang), meaning(lang, **fields))
            for (label, meaning), value in zip(_ROW_TEXTS, self.summary().values())
        ]
        rows += [
            (_HOMOGENEITY[0](lang, name=_term(name, lang)), _fmt(value, lang),
             _HOMOGENEITY[1](lang, name=_term(name, lang)))
            for name, value in self.homogeneity.items()
        ]
        return rows

    def to_text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The report as a table, each row saying what it measures.

        Parameters
        ----------
        lang : {"vi", "en"}
            The reader's language (Vietnamese by default).

        Returns
        -------
        str
            A title, then one line per row: label, value, meaning.
        """
        rows = self.rows(lang)
        width = max(len(label) for label, _, _ in rows)
        values = max(len(value) for _, value, _ in rows)
        title = _TITLE(lang, plan=self.plan, n=self.n_units, k=self.n_clusters)
        lines = [title, "-" * len(title)]
        lines += [f"{label.ljust(width)}  {value.ljust(values)}  {meaning}"
                  for label, value, meaning in rows]
        unplaced = self.unplaced_line(lang)
        lines += [unplaced] if unplaced else []
        lines += [_NOTE(lang, note=n) for n in self.notes]
        return "\n".join(lines)

    def cluster_rows(
        self, lang: str = DEFAULT_LANGUAGE
    ) -> tuple[list[str], list[list[object]]]:
        """One row per cluster (members, summed weight, pieces, award chance), then totals.

        Parameters
        ----------
        lang : {"vi", "en"}
            The language of the column headers and of the totals row's label
            (Vietnamese by default); the numbers are the same in both.

        Returns
        -------
        headers : list of str
            ``cluster``, ``members``, the weight (when the report has one), ``pieces``,
            ``award chance``, in ``lang``.
        rows : list of list
            One per cluster in the plan's order, then the totals: the sums of
            members, weight and pieces; no total for the award chance (``None``).

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> from clustering.plan import Plan
        >>> report = fairness_report(Plan.from_attribute(vietnam_provinces(2024), "region"))
        >>> headers, rows = report.cluster_rows("en")
        >>> headers
        ['cluster', 'members', 'population', 'pieces', 'award chance']
        >>> rows[-1][:2]
        ['total', 63]
        """
        lang = check_language(lang)
        sizes = self.size_count.per_cluster
        weights = self.size_weight.per_cluster if self.size_weight else None
        headers = [_COLUMN_TEXTS["cluster"](lang), _COLUMN_TEXTS["members"](lang)]
        if weights is not None:
            by = self.size_weight.by  # type: ignore[union-attr]
            headers.append(_POPULATION(lang) if by == "weight" else _term(by, lang))
        headers += [_COLUMN_TEXTS["pieces"](lang), _COLUMN_TEXTS["award chance"](lang)]
        rows: list[list[object]] = []
        for name, size in sizes.items():
            row: list[object] = [name, int(size)]
            if weights is not None:
                row.append(weights[name])
            rows.append([*row, self.pieces[name], self.award_chance.per_cluster[name]])
        totals: list[object] = [_COLUMN_TEXTS["total"](lang), int(sum(sizes.values()))]
        if weights is not None:
            totals.append(float(sum(weights.values())))
        rows.append([*totals, sum(self.pieces.values()), None])
        return headers, rows

    def to_frame(self, lang: str = DEFAULT_LANGUAGE) -> Any:
        """The report per cluster as a pandas DataFrame, with a totals row.

        Needs pandas (``pip install pandas``); ``import clustering`` does not.

        Parameters
        ----------
        lang : {"vi", "en"}
            The language of the column names and of the totals row's label
            (Vietnamese by default); the numbers are the same in both.

        Returns
        -------
        pandas.DataFrame
            The rows of :meth:`cluster_rows`, indexed by cluster (the last row is the
            totals; its award chance is NaN). ``frame.attrs`` holds ``plan``,
            ``n_units``, ``n_clusters``, ``contiguous``, ``summary`` (:meth:`summary`),
            ``notes`` and ``unplaced`` (units a partial plan leaves out, id -> name).

        Raises
        ------
        MissingDependencyError
            pandas is not installed.

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> from clustering.plan import Plan
        >>> report = fairness_report(Plan.from_attribute(vietnam_provinces(2024), "region"))
        >>> frame = report.to_frame("en")
        >>> int(frame.loc["total", "members"]), list(frame.columns)
        (63, ['members', 'population', 'pieces', 'award chance'])
        """
        pd = require_pandas("FairnessReport.to_frame()")
        headers, rows = self.cluster_rows(lang)
        frame = pd.DataFrame(rows, columns=headers).set_index(headers[0])
        frame[headers[-1]] = frame[headers[-1]].astype(float)  # the totals' None -> NaN
        frame.attrs.update(
            plan=self.plan, n_units=self.n_units, n_clusters=self.n_clusters,
            contiguous=self.contiguous, summary=self.summary(), notes=list(self.notes),
            unplaced=dict(self.unplaced),
        )
        return frame

    def _repr_html_(self) -> str:
        """A notebook's view (Vietnamese): the headline rows, then the clusters and totals."""
        lang = DEFAULT_LANGUAGE
        title = _TITLE(lang, plan=self.plan, n=self.n_units, k=self.n_clusters)
        headline = html_table([t(lang) for t in _HEADLINE_HEADERS], self.rows(lang),
                              caption=title)
        headers, rows = self.cluster_rows(lang)
        unplaced = self.unplaced_line(lang)
        notes = "".join(f"<p>{html.escape(line)}</p>" for line in
                        ([unplaced] if unplaced else []) + [_NOTE(lang, note=n)
                                                             for n in self.notes])
        return f"<div>\n{headline}\n{html_table(headers, rows)}\n{notes}</div>"

    def __str__(self) -> str:
        return self.to_text()


_COLUMN_TEXTS: dict[str, Text] = {
    "cluster": Text(vi="cụm", en="cluster"),
    "members": Text(vi="số đơn vị", en="members"),
    "pieces": Text(vi="số mảnh", en="pieces"),
    "award chance": Text(vi="cơ hội dẫn đầu", en="award chance"),
    "total": Text(vi="tổng", en="total"),
}
_HEADLINE_HEADERS = (
    Text(vi="chỉ số", en="measure"), Text(vi="giá trị", en="value"),
    Text(vi="ý nghĩa", en="meaning"),
)

#: Names of the built-in indicators and categories for readers (others keep their own name).
INDICATOR_TEXTS: dict[str, Text] = {
    "population": Text(vi="dân số", en="population"),
    "grdp_per_capita": Text(vi="GRDP bình quân đầu người", en="GRDP per capita"),
    "urban_pct": Text(vi="tỷ lệ đô thị hóa", en="urbanisation"),
    "area_km2": Text(vi="diện tích", en="area"),
    "function": Text(vi="chức năng", en="function"),
    "category": Text(vi="nhóm", en="category"),
}


def _term(name: str, lang: str) -> str:
    text = INDICATOR_TEXTS.get(name)
    return text(lang) if text is not None else name


_TITLE = Text(vi="Mức độ công bằng của phương án {plan!r}: {n} đơn vị trong {k} cụm",
              en="Fairness of plan {plan!r}: {n} units in {k} clusters")
_NOTE = Text(vi="ghi chú: {note}", en="note: {note}")
_UNPLACED = Text(vi="{n} đơn vị chưa được xếp: {units} (không tính vào các chỉ số)",
                 en="{n} units not placed: {units} (left out of every figure)")
_POPULATION = Text(vi="dân số", en="population")
#: Label and meaning of each entry of FairnessReport.summary(), in its order.
_ROW_TEXTS: tuple[tuple[Text, Text], ...] = (
    (Text(vi="số cụm", en="clusters"),
     Text(vi="số cụm thi đua của phương án", en="number of emulation clusters")),
    (Text(vi="số đơn vị ít nhất", en="fewest members"),
     Text(vi="số đơn vị của cụm ít đơn vị nhất", en="members of the smallest cluster")),
    (Text(vi="số đơn vị nhiều nhất", en="most members"),
     Text(vi="số đơn vị của cụm nhiều đơn vị nhất", en="members of the largest cluster")),
    (Text(vi="số đơn vị lớn nhất / nhỏ nhất", en="members max/min"),
     Text(vi="cụm nhiều đơn vị nhất có số đơn vị gấp bao nhiêu lần cụm ít nhất",
          en="how many times the largest cluster's members outnumber the smallest's")),
    (Text(vi="hệ số biến thiên số đơn vị", en="members CV"),
     Text(vi="độ lệch chuẩn của số đơn vị mỗi cụm chia cho trung bình; 0 là đều nhau",
          en="standard deviation of the members per cluster over their mean; 0 is equal")),
    (Text(vi="{what} lớn nhất / nhỏ nhất", en="{what} max/min"),
     Text(vi="{what} của cụm lớn nhất gấp bao nhiêu lần cụm nhỏ nhất; 1 là cân bằng",
          en="how many times the largest cluster's {what} is the smallest's; 1 is balanced")),
    (Text(vi="hệ số biến thiên {what}", en="{what} CV"),
     Text(vi="độ lệch chuẩn của {what} các cụm chia cho trung bình; càng thấp càng cân bằng",
          en="standard deviation of the clusters' {what} over its mean; lower is more "
             "balanced")),
    (Text(vi="R² các chỉ tiêu", en="R2 (indicators)"),
     Text(vi="phần chênh lệch về các chỉ tiêu nằm giữa các cụm; càng cao, các đơn vị cùng cụm "
             "càng giống nhau",
          en="share of the indicators' spread lying between clusters; higher means members "
             "of a cluster are more alike")),
    (Text(vi="độ khác biệt trung bình trong cụm", en="mean within-cluster dissimilarity"),
     Text(vi="mức khác biệt trung bình giữa hai đơn vị cùng cụm; càng thấp càng tốt",
          en="average dissimilarity of two members of the same cluster; lower is better")),
    (Text(vi="tính liền kề", en="contiguous"),
     Text(vi="mọi cụm liền một dải qua đường địa giới chung",
          en="every cluster is one piece linked by shared land borders")),
    (Text(vi="số mảnh", en="pieces"),
     Text(vi="tổng số mảnh rời của các cụm; bằng số cụm khi mọi cụm liền kề",
          en="separate pieces of all clusters; equals the clusters when all are contiguous")),
    (Text(vi="khoảng cách trung bình trong cụm (km)", en="mean within-cluster distance (km)"),
     Text(vi="khoảng cách đường chim bay trung bình giữa hai đơn vị cùng cụm",
          en="average great-circle distance between two members of the same cluster")),
    (Text(vi="số đoạn địa giới giữa các cụm", en="cut edges"),
     Text(vi="số đoạn địa giới chung nằm giữa hai cụm khác nhau; càng ít, cụm càng gọn",
          en="shared land borders between different clusters; fewer is more compact")),
    (Text(vi="độ thuần theo {attribute}", en="purity ({attribute})"),
     Text(vi="tỷ lệ đơn vị cùng {attribute} với số đông trong cụm của mình",
          en="share of units sharing their cluster's most common {attribute}")),
    (Text(vi="cơ hội dẫn đầu lớn nhất / nhỏ nhất", en="award chance max/min"),
     Text(vi="cơ hội được chọn dẫn đầu cụm (1 / số đơn vị) của một đơn vị ở cụm nhỏ nhất gấp "
             "bao nhiêu lần ở cụm lớn nhất",
          en="how many times a member of the smallest cluster is likelier to lead it "
             "(1 / members) than one of the largest")),
)
_HOMOGENEITY = (
    Text(vi="1-R² {name}", en="1-R2 {name}"),
    Text(vi="phần chênh lệch về {name} còn lại bên trong các cụm; càng thấp càng đồng đều",
         en="share of the spread of {name} left inside clusters; lower is more homogeneous"),
)


def _fmt(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return Text(vi="có", en="yes")(lang) if value else Text(vi="không", en="no")(lang)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _checked_dissimilarity(matrix: object, ids: Sequence[str]) -> np.ndarray:
    """``matrix`` as an ``n x n`` array of finite, non-negative numbers, or a ParameterError."""
    try:
        d = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"dissimilarity is not a numeric matrix: {exc}") from None
    n = len(ids)
    if d.shape != (n, n):
        raise ParameterError(
            f"dissimilarity has shape {d.shape}; expected ({n}, {n}) in the unit set's order"
        )
    bad = np.argwhere(~np.isfinite(d) | (d < 0))
    if len(bad):
        i, j = (int(x) for x in bad[0])
        raise ParameterError(
            f"dissimilarity[{i}, {j}] (units {ids[i]!r}, {ids[j]!r}) is {float(d[i, j])!r}; "
            f"expected finite numbers >= 0 ({len(bad)} cell(s) are not)"
        )
    return d


def fairness_report(
    plan: Plan,
    *,
    indicators: Sequence[str] | None = None,
    weight: str | bool | None = None,
    dissimilarity: np.ndarray | None = None,
    purity_attribute: str | None = None,
) -> FairnessReport:
    """Measure how fair ``plan`` is.

    Parameters
    ----------
    plan : Plan
        The plan to score. A partial plan (:meth:`Plan.partial`) is scored on
        the units it places (indicators standardised over them); the others
        are listed in ``report.unplaced`` and in the printed report
        (:meth:`FairnessReport.unplaced_line`).
    indicators : sequence of str, optional
        Indicators for homogeneity. Default: every indicator complete and
        non-constant over the units (the others are named in ``notes``).
    weight : str, None or False
        Size weight: ``None`` uses each unit's ``weight`` (skipped with a note
        when some are missing), a string names an indicator, ``False`` skips.
    dissimilarity : array, optional
        ``n x n`` matrix in the unit set's order for the mean within-cluster
        dissimilarity; default: distances between the standardised indicators.
    purity_attribute : str, optional
        Category for purity (e.g. ``"function"``); default ``"function"`` when
        every unit has one, else no purity.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.plan import Plan
    >>> old = vietnam_provinces(2024)
    >>> report = fairness_report(Plan.from_attribute(old, "region"))
    >>> report.n_clusters, report.contiguous
    (6, True)
    """
    if plan.unassigned:
        return _partial_report(plan, indicators=indicators, weight=weight,
                               dissimilarity=dissimilarity, purity_attribute=purity_attribute)
    unit_set, labels = plan.unit_set, plan.labels
    notes: list[str] = []

    if weight is False:
        size_weight = None
    else:
        try:
            w = unit_set.weights(weight if isinstance(weight, str) else None)
        except IndicatorError as exc:
            if isinstance(weight, str):
                raise
            size_weight, w = None, None
            notes.append(f"no size-by-weight metrics: {exc}")
        if w is not None:
            totals = {c: float(w[labels == k].sum()) for k, c in enumerate(plan.cluster_names)}
            size_weight = size_stats(totals, by=weight if isinstance(weight, str) else "weight")

    if isinstance(indicators, str):  # one name, as standardized_indicators accepts
        indicators = [indicators]
    if indicators is None:
        indicators, skipped = unit_set.complete_indicators()
        if skipped:
            notes.append("indicators left out of homogeneity: " + ", ".join(skipped))
    homogeneity = {
        name: within_share(unit_set.indicator(name), labels) for name in indicators
    }
    r2 = 1 - float(np.mean(list(homogeneity.values()))) if homogeneity else None

    if dissimilarity is None and indicators:
        z = standardized_indicators(unit_set, indicators)
        dissimilarity = squareform(pdist(z))
        notes.append("dissimilarity: Euclidean distance between standardised indicators")
    if dissimilarity is not None:
        dissimilarity = _checked_dissimilarity(dissimilarity, unit_set.ids)
    within_d = mean_within(dissimilarity, labels) if dissimilarity is not None else None

    try:
        within_km = mean_within(great_circle_km(unit_set.coordinates()), labels)
    except ValueError as exc:
        within_km = None
        notes.append(f"no distance metrics: {exc}")

    pieces = cluster_pieces(unit_set.graph, plan.clusters)
    cluster_of = {uid: plan.cluster_names[k] for uid, k in zip(unit_set.ids, labels)}

    if purity_attribute is None and all(u.function for u in unit_set):
        purity_attribute = "function"
    purity_value = None
    if purity_attribute is not None:
        purity_value, _ = purity(unit_set.labels_of(purity_attribute), labels)

    return FairnessReport(
        plan=plan.name or "plan",
        n_units=len(unit_set),
        n_clusters=plan.n_clusters,
        size_count=size_stats(plan.sizes()),
        size_weight=size_weight,
        homogeneity=homogeneity,
        r2_overall=r2,
        mean_within_dissimilarity=within_d,
        contiguous=all(p == 1 for p in pieces.values()),
        pieces=pieces,
        mean_within_km=within_km,
        cut_edges=cut_edges(unit_set.graph, cluster_of),
        purity_attribute=purity_attribute,
        purity=purity_value,
        award_chance=award_chance(plan.sizes()),
        notes=notes,
    )


def _partial_report(plan: Plan, **options: Any) -> FairnessReport:
    """A partial plan's report: the placed units scored as a plan of their own."""
    unit_set = plan.unit_set
    left_out = set(plan.unassigned)
    placed = [uid for uid in unit_set.ids if uid not in left_out]
    if options.get("dissimilarity") is not None:
        rows = [unit_set.index(uid) for uid in placed]
        matrix = _checked_dissimilarity(options["dissimilarity"], unit_set.ids)
        options["dissimilarity"] = matrix[np.ix_(rows, rows)]
    placed_plan = Plan(unit_set.subset(placed), plan.clusters, name=plan.name, notes=plan.notes)
    report = fairness_report(placed_plan, **options)
    return report.model_copy(
        update={"unplaced": {uid: unit_set[uid].name for uid in plan.unassigned}})
