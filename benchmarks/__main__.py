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
from clustering.rules import ClusterRules, check_feasible
from clustering.units import UnitSet
from optimizer.objectives import DEFAULT_GEOGRAPHY

from .compare import Settings, run_benchmark
from .proposals import BUILT_IN_DATASETS, load_dataset, read_proposal
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
                        help=f"built-in {sorted(BUILT_IN_DATASETS)} or a unit-set .csv/.json "
                             f"(default: the proposals' dataset, else {DEFAULT_DATASET})")
    parser.add_argument("--clusters", "-k", type=int, metavar="K",
                        help="number of clusters (default: 6 on the 34 units of 2025, 8 on the "
                             "63 of 2024; required for other datasets)")
    parser.add_argument("--size", nargs=2, type=int, metavar=("MIN", "MAX"),
                        help="bounds on the number of members of each cluster (default: 5 6 on "
                             "the 34 units, 7 9 on the 63, else the mean size +-20 %%; none "
                             "with --weight-tolerance)")
    parser.add_argument("--weight-tolerance", type=float, metavar="T",
                        help="population of each cluster within the ideal * (1 +- T) "
                             "(default: no population bound)")
    parser.add_argument("--contiguous", action=argparse.BooleanOptionalAction, default=True,
                        help="clusters must be connected by land borders (default: yes)")
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
                        help="language of the printed table, report.md and the figures: "
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
    parser.add_argument("--geojson", type=Path, metavar="FILE",
                        help="polygons of the units for the maps (default: none, centroids "
                             "and borders)")
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


_WRITTEN = Text(vi="Đã ghi báo cáo vào {out}/ ({n} tệp; mở {md})",
                en="Report written to {out}/ ({n} files; open {md})")


class InputError(FairclustersError):
    """A bad command-line value."""


def _rules(args: argparse.Namespace, unit_set: UnitSet) -> ClusterRules:
    default_k, default_size = BUILT_IN_DEFAULTS.get(unit_set.name, (None, None))
    k = args.clusters if args.clusters is not None else default_k
    if k is None:
        raise InputError(f"--clusters is required for dataset {unit_set.name!r}")
    if k < 1 or k > len(unit_set):
        raise InputError(f"--clusters {k}: expected 1 to {len(unit_set)} (the number of units)")
    size = tuple(args.size) if args.size else None
    if size is None and args.weight_tolerance is None:
        if args.clusters is None or args.clusters == default_k:
            size = default_size
        if size is None:  # about the mean size, +-20 %
            mean = len(unit_set) / k
            size = (max(1, int(mean * 0.8)), max(1, -int(-mean * 1.2 // 1)))
    extra = {"size": size, "contiguous": args.contiguous}
    try:
        if args.weight_tolerance is not None:
            return ClusterRules.with_weight_tolerance(unit_set, k, args.weight_tolerance, **extra)
        return ClusterRules(n_clusters=k, **extra)
    except ParameterError as exc:
        raise InputError(f"invalid rules: {exc}") from exc


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
    unit_set = load_dataset(args.dataset) if args.dataset is not None else None
    proposals = []
    for path in args.proposals:
        if unit_set is None and path.suffix.lower() != ".csv":
            proposal = read_proposal(path)  # loads the dataset the file declares
            unit_set = proposal.plan.unit_set
        else:
            if unit_set is None:
                unit_set = load_dataset(DEFAULT_DATASET)
            proposal = read_proposal(path, unit_set)
        proposals.append(proposal.plan)
    if unit_set is None:
        unit_set = load_dataset(DEFAULT_DATASET)
    rules = _rules(args, unit_set)
    try:
        check_feasible(unit_set, rules)
    except InfeasibleError as exc:
        raise InfeasibleError(f"the rules cannot be met: {exc}", reason=exc.reason,
                              units=exc.units) from None
    settings = Settings(rules=rules, geography=args.geography, samples=args.samples,
                        seed=args.seed, time_limit=args.time_limit, chains=args.chains)
    benchmark = run_benchmark(unit_set, proposals, settings, references=args.references,
                              progress=args.progress, n_jobs=args.n_jobs)
    # The report first: a closed standard output (``| head``) must not lose it.
    written = write_report(benchmark, args.out, force=args.force, geojson=args.geojson,
                           lang=args.lang)
    print(console_summary(benchmark, args.lang))
    print("\n" + _WRITTEN(args.lang, out=args.out, n=len(written),
                          md=written["markdown"].name))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 internal error)."""
    return run_command(build_parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
