"""``python -m benchmarks`` / ``fairclusters-benchmark``: compare cluster plans side by side.

With no arguments, runs the main job on the built-in 34 Vietnamese units: the
GSO-region plan, a heuristic plan and the optimizer's plan under 6 contiguous
clusters of 5-6 units, ranked among all feasible plans; writes the report
folder and prints the table.

Without ``--out`` the report goes to ``fairclusters_report/``, or, when that
folder exists (the command run again), to a new dated folder
``fairclusters_report_YYYY-MM-DD_HHMMSS/``: repeating the command never fails
and never overwrites (``--force`` alone replaces ``fairclusters_report/``).
With ``--out DIR`` an existing folder is refused unless ``--force`` (which
replaces the report in it).

Exit codes (see :mod:`clustering.cli`): 0 success, 2 bad input or an unusable
output path (message on stderr, before any work), 1 internal error, 130/143
interrupted (the previous report is left as it was), 141 standard output closed
early (``| head``; the report is still written).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from clustering.cli import run_command
from clustering.errors import FairclustersError, InfeasibleError, ParameterError
from clustering.i18n import DEFAULT_LANGUAGE, LANGUAGES, Text
from clustering.plan import Plan
from clustering.rules import (
    ClusterRules,
    ClusterSpec,
    build_rules,
    check_feasible,
    plan_violations,
    read_rule_file,
)
from clustering.units import UnitSet
from optimizer.objectives import DEFAULT_GEOGRAPHY

from .compare import Settings, run_benchmark
from .proposals import BUILT_IN_DATASETS, load_dataset, read_proposal, read_proposals
from .report import check_output_dir, console_summary, report_lock, write_report

DEFAULT_OUT = "fairclusters_report"
DEFAULT_DATASET = "vietnam-2025"
#: Default rules of the built-in datasets: (clusters, (min size, max size)).
BUILT_IN_DEFAULTS = {
    "vietnam-provinces-2025": (6, (5, 6)),
    "vietnam-provinces-2024": (8, (7, 9)),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every option's help states its default."""
    import clustering  # its version, from the distribution's metadata

    parser = argparse.ArgumentParser(
        prog="fairclusters-benchmark",
        description=(
            "Compare cluster proposals with the GSO regions, a heuristic and the proven "
            "optimum under the same rules; rank them among the feasible plans; write a report."
        ),
        epilog="Exit codes: 0 success, 2 bad input, 1 internal error, 130/143 interrupted.",
    )
    parser.add_argument("proposals", nargs="*", type=Path, metavar="PROPOSAL",
                        help="proposal files (.yaml, .json or .csv) naming each cluster's "
                             "members (default: none, only the reference plans)")
    parser.add_argument("--dataset", metavar="NAME_OR_FILE",
                        help=f"built-in {sorted(BUILT_IN_DATASETS)}, one province's communes "
                             "as vietnam-communes-2025:ID or :NAME (e.g. "
                             "vietnam-communes-2025:79 or \"vietnam-communes-2025:Ho Chi Minh\"), "
                             "or a unit-set .csv/.json "
                             f"(default: the proposals' dataset, else {DEFAULT_DATASET})")
    parser.add_argument("--island-links", action=argparse.BooleanOptionalAction, default=True,
                        help="with vietnam-communes-2025:PROVINCE, link each island commune to "
                             "the mainland by its shortest link, listed in the report "
                             "(default: yes)")
    parser.add_argument("--clusters", "-k", type=int, metavar="K",
                        help="number of clusters (default: 6 on the 34 units of 2025, 8 on the "
                             "63 of 2024; required for other datasets)")
    parser.add_argument("--size", nargs=2, type=int, metavar=("MIN", "MAX"),
                        help="bounds on the number of members of each cluster (default: the "
                             "rules file's, else 5 6 on the 34 units, 7 9 on the 63, else the "
                             "mean size +-20 %%; kept with --weight-tolerance: both rules apply)")
    parser.add_argument("--weight-tolerance", type=float, metavar="T",
                        help="population of each cluster within the ideal * (1 +- T) "
                             "(default: no population bound)")
    parser.add_argument("--contiguous", action=argparse.BooleanOptionalAction, default=None,
                        help="clusters must be connected by land borders (default: the rules "
                             "file's, else yes)")
    parser.add_argument("--rules", type=Path, metavar="FILE",
                        help="a YAML/JSON rules file: any of n_clusters, size, weight_bounds, "
                             "weight_tolerance, contiguous, together, apart, fixed, pure, "
                             "max_impure, and per-cluster rules under 'clusters' (e.g. "
                             "'Đô thị: {members: [Hà Nội, Huế], contiguous: false}'); options "
                             "given here override it, groups add to it (default: none)")
    parser.add_argument("--together", action="append", default=[], metavar="UNITS",
                        help='units that share a cluster, by id or name, comma-separated: '
                             '--together "Hà Nội,Hưng Yên"; repeatable (default: none)')
    parser.add_argument("--apart", action="append", default=[], metavar="UNITS",
                        help='units in pairwise different clusters, comma-separated: '
                             '--apart "Hà Nội,Hồ Chí Minh"; repeatable (default: none)')
    parser.add_argument("--fixed", action="append", default=[], metavar="LABEL=UNITS",
                        help='units fixed to the cluster LABEL (the label names it): '
                             '--fixed "Thủ đô=Hà Nội,Hưng Yên"; repeatable; different labels '
                             'are different clusters (default: none)')
    parser.add_argument("--exempt", action="append", default=[], metavar="LABEL",
                        help="make the --fixed cluster LABEL closed (exactly its fixed units) "
                             "and exempt from contiguity, e.g. the centrally-run cities; "
                             "repeatable; checked, then refused for now: the benchmark's plan "
                             "sampler does not model per-cluster rules (default: none)")
    parser.add_argument("--pure", metavar="ATTRIBUTE",
                        help="clusters pure in this category, e.g. kind (default: the rules "
                             "file's, else none)")
    parser.add_argument("--max-impure", type=int, metavar="M",
                        help="with --pure, at most M members per cluster outside its main "
                             "value (default: the rules file's, else 0: strictly pure)")
    parser.add_argument("--complete", action="store_true",
                        help="proposals may place only some units: place the rest optimally "
                             "under the rules, never moving a placed unit (default: off, a "
                             "partial proposal is refused)")
    parser.add_argument("--geography", type=float, default=DEFAULT_GEOGRAPHY, metavar="ALPHA",
                        help="weight of geography in the dissimilarity, 0..1 "
                             f"(default: {DEFAULT_GEOGRAPHY})")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help=f"report folder (default: {DEFAULT_OUT}/, or a new dated "
                             f"{DEFAULT_OUT}_YYYY-MM-DD_HHMMSS/ when that exists)")
    parser.add_argument("--force", action="store_true",
                        help="replace the report in an existing --out folder (alone: replace "
                             f"{DEFAULT_OUT}/ instead of writing a dated folder; default: off)")
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                        help="language of the printed table, report.md, report.html, report.xlsx "
                             "and the figures: "
                             f"vi (Vietnamese) or en (English) (default: {DEFAULT_LANGUAGE})")
    parser.add_argument("--samples", type=int, default=2000, metavar="N",
                        help="chain steps when the feasible plans are too many to enumerate "
                             "(default: 2000)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="seed of every random choice (default: 0)")
    parser.add_argument("--chains", type=int, default=4, metavar="C",
                        help="independent sampling chains, seeded from --seed (default: 4)")
    parser.add_argument("--n-jobs", type=int, default=1, metavar="N",
                        help="chains run in parallel through joblib, -1 for all cores; the "
                             "result does not depend on it (default: 1)")
    parser.add_argument("--time-limit", type=float, default=20.0, metavar="SECONDS",
                        help="optimizer time limit (default: 20)")
    parser.add_argument("--start", type=Path, metavar="PLAN_FILE",
                        help="a plan following the rules (a proposal file) that the optimizer "
                             "starts from: its first incumbent, so that a time-limited run "
                             "never returns worse (a plan breaking the rules is refused; "
                             "default: none)")
    parser.add_argument("--current", type=Path, metavar="PLAN_FILE",
                        help="today's plan (a proposal file): with --max-moves, the report "
                             "adds the fairest plan within that many moves of it, and the "
                             "moves (default: none)")
    parser.add_argument("--max-moves", type=int, metavar="M",
                        help="most units the reform of --current may move (default: none)")
    parser.add_argument("--geojson", type=Path, metavar="FILE",
                        help="polygons of the units for the maps (default: the shipped province "
                             "boundaries of the 34 and 63 units; centroids and borders for "
                             "other unit sets)")
    parser.add_argument("--no-references", dest="references", action="store_false",
                        help="evaluate only the proposals, without the regions, heuristic and "
                             "optimizer (default: with them)")
    parser.add_argument("--progress", action="store_true",
                        help="show progress bars (default: off)")
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks of errors (default: off)")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {clustering.__version__}",
                        help="print the installed fairclusters version and exit")
    return parser


_WRITTEN = Text(vi="Đã ghi báo cáo vào {out}/ ({n} tệp; mở {page} trong trình duyệt, hoặc {md})",
                en="Report written to {out}/ ({n} files; open {page} in a browser, or {md})")


class InputError(FairclustersError):
    """A bad command-line value."""


def _rules(args: argparse.Namespace, unit_set: UnitSet) -> ClusterRules:
    """The rules: the rules file, then the options (which override it), then the defaults."""
    given = read_rule_file(args.rules) if args.rules is not None else {}
    default_k, default_size = BUILT_IN_DEFAULTS.get(unit_set.name, (None, None))
    k = args.clusters if args.clusters is not None else given.get("n_clusters", default_k)
    if k is None:
        raise InputError(f"--clusters is required for dataset {unit_set.name!r}")
    if not isinstance(k, int) or k < 1 or k > len(unit_set):
        raise InputError(f"--clusters {k}: expected 1 to {len(unit_set)} (the number of units)")
    size = tuple(args.size) if args.size else given.get("size")
    if size is None and "size" not in given:  # kept with a weight tolerance too
        size = default_size if k == default_k else None
        if size is None:  # about the mean size, +-20 %
            mean = len(unit_set) / k
            size = (max(1, int(mean * 0.8)), max(1, -int(-mean * 1.2 // 1)))
    fixed, specs = _fixed_groups(args, given)
    settings = {
        **given, "n_clusters": k, "size": size, "fixed": fixed, "clusters": specs,
        "together": [*given.get("together", []), *(_units(g, "--together") for g in args.together)],
        "apart": [*given.get("apart", []), *(_units(g, "--apart") for g in args.apart)],
    }
    for key in ("weight_tolerance", "contiguous", "pure", "max_impure"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    try:
        return build_rules(unit_set, **settings)
    except ParameterError as exc:
        raise InputError(f"invalid rules: {exc}") from exc


def _units(text: str, option: str) -> list[str]:
    """``"Hà Nội, Hưng Yên"`` -> the unit names (ids or names) it lists."""
    units = [u.strip() for u in text.split(",") if u.strip()]
    if not units:
        raise InputError(f"{option} {text!r}: expected units separated by commas")
    return units


def _fixed_groups(args: argparse.Namespace, given: dict) -> tuple[dict, dict]:
    """``--fixed LABEL=UNITS`` and ``--exempt LABEL`` with the rules file's: (fixed, clusters)."""
    fixed = dict(given.get("fixed", {}))
    for text in args.fixed:
        label, sep, units = text.partition("=")
        if not sep or not label.strip():
            raise InputError(f"--fixed {text!r}: expected LABEL=UNIT,UNIT...")
        for unit in _units(units, "--fixed"):
            if fixed.get(unit, label.strip()) != label.strip():
                raise InputError(f"--fixed: unit {unit!r} is fixed to two clusters, "
                                 f"{fixed[unit]!r} and {label.strip()!r}")
            fixed[unit] = label.strip()
    specs = dict(given.get("clusters", {}))
    for label in args.exempt:
        members = [u for u, lab in fixed.items() if lab == label]
        if label in specs or args.exempt.count(label) > 1:
            raise InputError(f"--exempt {label!r}: the cluster is exempted twice (by --exempt "
                             "or in the rules file); exempt it once")
        if not members:
            raise InputError(f"--exempt {label!r}: no --fixed cluster has this label; "
                             f"expected one of {sorted(set(fixed.values()))}")
        specs[label] = ClusterSpec(members=members, contiguous=False)
        fixed = {u: lab for u, lab in fixed.items() if lab != label}
    return fixed, specs


def _check_args(args: argparse.Namespace) -> None:
    if args.samples < 0:
        raise InputError(f"--samples {args.samples}: expected a number >= 0")
    if args.chains < 1:
        raise InputError(f"--chains {args.chains}: expected a number >= 1")
    if args.n_jobs == 0:
        raise InputError("--n-jobs 0: expected a positive number (or -1 for all cores)")
    if not 0 <= args.geography <= 1:
        raise InputError(f"--geography {args.geography}: expected a weight in [0, 1]")
    if args.time_limit is not None and args.time_limit <= 0:
        raise InputError(f"--time-limit {args.time_limit}: expected seconds > 0")
    if args.geojson is not None and not args.geojson.is_file():
        raise InputError(f"--geojson {str(args.geojson)!r} does not exist")
    if not args.references and not args.proposals:
        raise InputError("--no-references needs at least one proposal file")
    if (args.current is None) != (args.max_moves is None):
        raise InputError("--current and --max-moves go together; give both or neither")
    if args.max_moves is not None and args.max_moves < 0:
        raise InputError(f"--max-moves {args.max_moves}: expected a number >= 0")


def default_out(now: datetime | None = None) -> Path:
    """Where the report goes without ``--out``: ``fairclusters_report``, else a new dated folder.

    Parameters
    ----------
    now : datetime, optional
        The date and time in the folder's name (default: now).

    Returns
    -------
    Path
        A folder that does not exist yet.

    Examples
    --------
    >>> default_out(datetime(2026, 1, 2, 3, 4, 5)).name in (
    ...     "fairclusters_report", "fairclusters_report_2026-01-02_030405")
    True
    """
    out = Path(DEFAULT_OUT)
    if not out.exists():
        return out
    stamp = f"{DEFAULT_OUT}_{(now or datetime.now()):%Y-%m-%d_%H%M%S}"
    out, k = Path(stamp), 1
    while out.exists():
        k += 1
        out = Path(f"{stamp}_{k}")
    return out


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    if args.out is None:  # --force alone replaces the default folder
        args.out = Path(DEFAULT_OUT) if args.force else default_out()
    check_output_dir(args.out, force=args.force)
    with report_lock(args.out):  # a second run into the same folder is refused before work
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    unit_set = None
    if args.dataset is not None:
        unit_set = load_dataset(args.dataset, islands=args.island_links)
    proposals = []
    for path in args.proposals:
        if unit_set is None and path.suffix.lower() not in (".csv", ".xlsx"):
            found = read_proposals(path, allow_unassigned=True)  # the dataset it declares
            unit_set = found[0].plan.unit_set
        else:
            if unit_set is None:
                unit_set = load_dataset(DEFAULT_DATASET)
            found = read_proposals(path, unit_set, allow_unassigned=True)
        proposals += [_placed(p.plan, path, args.complete) for p in found]
    if unit_set is None:
        declared = args.current is not None and args.current.suffix.lower() not in (
            ".csv", ".xlsx")  # today's plan may declare the dataset, as proposals do
        unit_set = (read_proposal(args.current).plan.unit_set if declared
                    else load_dataset(DEFAULT_DATASET))
    current = None if args.current is None else read_proposal(args.current, unit_set).plan
    rules = _rules(args, unit_set)
    if open_specs := [name for name, spec in rules.clusters.items() if not spec.closed]:
        raise InputError(
            f"cluster(s) {open_specs} have rules of their own but are open (other units may "
            "join): the benchmark ranks plans under closed clusters only (every member "
            "listed, e.g. --fixed LABEL=... --exempt LABEL); use --fixed for open ones")
    if args.complete:
        proposals = [_completed(plan, rules, args) for plan in proposals]
    try:
        check_feasible(unit_set, rules)
    except InfeasibleError as exc:
        raise InfeasibleError(f"the rules cannot be met: {exc}", reason=exc.reason,
                              units=exc.units) from None
    start = None if args.start is None else _start_plan(args.start, unit_set, rules)
    settings = Settings(rules=rules, geography=args.geography, samples=args.samples,
                        seed=args.seed, time_limit=args.time_limit, chains=args.chains,
                        start=start)
    benchmark = run_benchmark(unit_set, proposals, settings, references=args.references,
                              progress=args.progress, n_jobs=args.n_jobs, current=current,
                              max_moves=args.max_moves)
    # The report first: a closed standard output (``| head``) must not lose it.
    written = write_report(benchmark, args.out, force=args.force, geojson=args.geojson,
                           lang=args.lang)
    print(console_summary(benchmark, args.lang))
    page = written["html"].name if "html" in written else "-"
    print("\n" + _WRITTEN(args.lang, out=args.out, n=len(written), page=page,
                          md=written["markdown"].name))
    return 0


def _start_plan(path: Path, unit_set: UnitSet, rules: ClusterRules) -> Plan:
    """The ``--start`` plan, refused before any solving unless it follows the rules."""
    plan = read_proposal(path, unit_set).plan
    if broken := plan_violations(plan, rules):
        raise InputError(f"--start {str(path)!r} breaks the rules "
                         f"({'; '.join(map(str, broken[:3]))}"
                         f"{'; ...' if len(broken) > 3 else ''}); give a plan that follows them")
    return plan


def _placed(plan: Plan, path: Path, complete: bool) -> Plan:
    """A proposal's plan; a partial one is refused unless ``--complete``."""
    if plan.unassigned and not complete:
        shown = ", ".join(f"{u!r} ({plan.unit_set[u].name})" for u in plan.unassigned[:10])
        more = f" and {len(plan.unassigned) - 10} more" if len(plan.unassigned) > 10 else ""
        raise InputError(
            f"{path}: proposal {plan.name!r}: {len(plan.unassigned)} unit(s) in no cluster: "
            f"{shown}{more}; pass --complete to place them optimally under the rules")
    return plan


def _completed(plan: Plan, rules: ClusterRules, args: argparse.Namespace) -> Plan:
    """A partial proposal completed optimally under the rules (placed units never move)."""
    if plan.is_complete:
        return plan
    from clustering.dissimilarity import default_indicators
    from clustering.dissimilarity import dissimilarity as combined_dissimilarity
    from optimizer.complete import complete_plan

    units = plan.unit_set
    indicators, log = default_indicators(units)  # the benchmark's dissimilarity
    geography = args.geography if all(u.lat is not None and u.lon is not None
                                      for u in units) else 0.0
    matrix = combined_dissimilarity(units, indicators, log=log, geography=geography)
    result = complete_plan(plan, rules, dissimilarity=matrix, time_limit=args.time_limit,
                           seed=args.seed)
    if result.plan is None:
        why = "; ".join(str(r) for r in result.reasons) or f"status {result.status}"
        raise InfeasibleError(f"proposal {plan.name!r} cannot be completed under the rules: "
                              f"{why}", reason="complete")
    names = ", ".join(units[u].name for u in plan.unassigned)
    result.plan.notes = " ".join(filter(None, [plan.notes, (
        f"Completed by the optimizer ({result.status}): {len(plan.unassigned)} unit(s) "
        f"placed ({names}); the proposal's own units were not moved.")]))
    return result.plan


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 internal error)."""
    return run_command(build_parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
