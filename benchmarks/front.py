"""The main job's trade-off: homogeneity against population balance, over the feasible plans.

The benchmark already scores every plan it ranks against (``Benchmark.distribution``):
the objective (p-median: lower is more homogeneous) and the population CV across
clusters (lower is better balanced). The plans that no other plan beats on both
form the Pareto front. When the sample holds **all** the feasible plans
(enumeration), that front is exact: it is the front
:func:`optimizer.pareto_front` would find with these two criteria, without any
solving. Otherwise it is the front of the plans sampled, which real plans may
beat: it is labelled as such.

Each evaluated plan is placed against it: how many feasible plans beat it on
both counts (0: it is on the front, or beyond it when it breaks the rules).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language

__all__ = ["FRONT_TEXTS", "Placement", "TradeOff", "front_lines", "non_dominated", "trade_off"]

#: The two metrics of the trade-off (keys of ``benchmarks.compare.METRICS``).
X_METRIC, Y_METRIC = "objective", "weight_cv"


def non_dominated(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both ``x`` and ``y`` (lower is better).

    Ties are kept once (the first index). Sorted by ``x``.

    Examples
    --------
    >>> non_dominated(np.array([1.0, 2.0, 3.0, 2.0]), np.array([3.0, 1.0, 0.5, 2.0]))
    array([0, 1, 2])
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    order = np.lexsort((y, x))  # by x, then by y
    keep, best_y = [], np.inf
    for i in order:
        if y[i] < best_y:
            keep.append(i)
            best_y = y[i]
    return np.asarray(keep, dtype=np.int64)


def dominated_by(x: np.ndarray, y: np.ndarray, point: tuple[float, float]) -> int:
    """How many of the points beat ``point``: no worse on both counts, better on one."""
    px, py = point
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return int(np.count_nonzero((x <= px) & (y <= py) & ((x < px) | (y < py))))


@dataclass(frozen=True)
class Placement:
    """One evaluated plan against the front."""

    name: str
    x: float
    y: float
    dominated_by: int
    comparable: bool  # follows the rules: one of the plans the front is made of


@dataclass(frozen=True)
class TradeOff:
    """The front of the feasible plans, and where each evaluated plan stands.

    Attributes
    ----------
    x, y : numpy.ndarray
        Objective and population CV of every plan ranked against.
    front : numpy.ndarray of int
        Rows of ``x``/``y`` on the front, by increasing objective.
    exact : bool
        The plans are all the feasible plans: the front is exact.
    placements : list of Placement
    """

    x: np.ndarray
    y: np.ndarray
    front: np.ndarray
    exact: bool
    placements: list[Placement]

    def to_dict(self) -> dict:
        return {
            "x_metric": X_METRIC, "y_metric": Y_METRIC, "exact": self.exact,
            "plans": len(self.x),
            "front": [[float(self.x[i]), float(self.y[i])] for i in self.front],
            "placements": [p.__dict__ for p in self.placements],
        }


def trade_off(distribution: dict[str, np.ndarray], evaluations: list, exact: bool
              ) -> TradeOff | None:
    """The trade-off of a benchmark's scores (``None`` without both metrics).

    Parameters
    ----------
    distribution : dict of str to numpy.ndarray
        Scores of the plans ranked against, by metric key.
    evaluations : list of Evaluation
        The evaluated plans (their ``scores`` and ``comparable``).
    exact : bool
        Whether the plans are all the feasible plans.

    Returns
    -------
    TradeOff or None

    Examples
    --------
    >>> t = trade_off({"objective": np.array([1.0, 2.0, 3.0]),
    ...                "weight_cv": np.array([0.3, 0.1, 0.2])}, [], exact=True)
    >>> t.front.tolist(), t.exact
    ([0, 1], True)
    """
    if X_METRIC not in distribution or Y_METRIC not in distribution:
        return None
    x, y = np.asarray(distribution[X_METRIC], float), np.asarray(distribution[Y_METRIC], float)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return None
    x, y = x[finite], y[finite]
    placements = []
    for e in evaluations:
        px, py = e.scores.get(X_METRIC), e.scores.get(Y_METRIC)
        if px is None or py is None:
            continue
        placements.append(Placement(e.name, float(px), float(py),
                                    dominated_by(x, y, (px, py)), bool(e.comparable)))
    return TradeOff(x, y, non_dominated(x, y), exact, placements)


FRONT_TEXTS = {
    "title": Text(vi="Đánh đổi: độ đồng nhất và cân bằng dân số",
                  en="Trade-off: homogeneity against population balance"),
    "exact": Text(
        vi="Biên Pareto chính xác: {n} trong số {total} phương án hợp lệ không bị phương án "
           "nào khác vượt cả về mục tiêu (độ đồng nhất) lẫn hệ số biến thiên dân số.",
        en="Exact Pareto front: {n} of the {total} feasible plans are beaten by no other on "
           "both the objective (homogeneity) and the population CV."),
    "sampled": Text(
        vi="Biên Pareto của các phương án lấy mẫu (không chứng minh): {n} trong số {total} "
           "phương án không bị phương án lấy mẫu nào khác vượt cả hai mặt; các phương án "
           "chưa lấy mẫu có thể tốt hơn.",
        en="Pareto front of the sampled plans (not proven): {n} of the {total} plans are "
           "beaten by no other sampled plan on both counts; plans not sampled may beat them."),
    "on": Text(vi="{name}: nằm trên biên (không phương án nào tốt hơn cả hai mặt).",
               en="{name}: on the front (no plan is better on both counts)."),
    "beyond": Text(vi="{name}: không phương án hợp lệ nào tốt hơn cả hai mặt, nhưng phương án "
                      "này vi phạm quy tắc.",
                   en="{name}: no feasible plan is better on both counts, but it breaks the "
                      "rules."),
    "beaten": Text(vi="{name}: {k} phương án hợp lệ tốt hơn cả về độ đồng nhất lẫn cân bằng "
                      "dân số{broken}.",
                   en="{name}: {k} feasible plans are better on both homogeneity and "
                      "population balance{broken}."),
    "broken": Text(vi=" (phương án vi phạm quy tắc)", en=" (it breaks the rules)"),
}


def front_lines(trade: TradeOff | None, lang: str = DEFAULT_LANGUAGE,
                names: dict[str, str] | None = None) -> list[str]:
    """The trade-off in words: the front, then one line per evaluated plan.

    Parameters
    ----------
    trade : TradeOff or None
        The benchmark's trade-off (nothing to say when ``None``).
    lang : {"vi", "en"}
        The reader's language (Vietnamese by default).
    names : dict of str to str, optional
        The name to show for each evaluated plan (default its own name).

    Returns
    -------
    list of str

    Examples
    --------
    >>> t = trade_off({"objective": np.array([1.0, 2.0]), "weight_cv": np.array([0.2, 0.1])},
    ...               [], exact=True)
    >>> front_lines(t, "en")[0][:45]
    'Exact Pareto front: 2 of the 2 feasible plans'
    """
    lang = check_language(lang)
    if trade is None:
        return []
    key = "exact" if trade.exact else "sampled"
    lines = [FRONT_TEXTS[key](lang, n=f"{len(trade.front):,}", total=f"{len(trade.x):,}")]
    names = names or {}
    for p in trade.placements:
        name = names.get(p.name, p.name)
        if p.dominated_by:
            broken = "" if p.comparable else FRONT_TEXTS["broken"](lang)
            lines.append(FRONT_TEXTS["beaten"](lang, name=name, k=f"{p.dominated_by:,}",
                                               broken=broken))
        else:
            lines.append(FRONT_TEXTS["on" if p.comparable else "beyond"](lang, name=name))
    return lines
