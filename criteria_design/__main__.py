"""Command line: ``criteria-lint TABLE`` or ``python -m criteria_design TABLE``.

Exit codes (shared with ``python -m benchmarks``, see :mod:`clustering.cli`):
0 no finding at or above ``--fail-on`` (default: warning); 3 some finding at
or above it; 2 bad input (unreadable or invalid table, every problem listed;
unknown rule code, bad configuration or lexicon); 1 an internal error (a bug);
130/143 interrupted; 141 standard output closed early.

Extending the command line
--------------------------
Each group of checks is a :class:`CliExtension`: it adds its options to the
parser and returns findings for a parsed namespace and the loaded table.
:func:`build_parser` and :func:`run` loop over :data:`EXTENSIONS`, so a new
group (e.g. score statistics with ``--scores S --history H``) is one class
and one entry in that tuple::

    class ScoreChecks:
        def add_arguments(self, parser): parser.add_argument("--scores", ...)
        def findings(self, args, table): return [...] if args.scores else []

Errors an extension raises for bad input should subclass
:class:`~criteria_design.errors.CriteriaError` (any ``ValueError`` or ``OSError``
is accepted): :func:`main` reports them and returns 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from clustering.cli import EXIT_FINDINGS, run_command
from clustering.errors import FairclustersError
from clustering.files import check_output_file
from clustering.i18n import DEFAULT_LANGUAGE, LANGUAGES, Text, check_language
from criteria_design.config import LintConfig, load_config
from criteria_design.error_text import describe_error
from criteria_design.errors import CriteriaError, CriteriaParameterError
from criteria_design.findings import Finding, Severity
from criteria_design.lint import lint, list_rules
from criteria_design.redesign import TableRedesign
from criteria_design.registry import resolve_rules
from criteria_design.report import FORMATS, format_findings
from criteria_design.score_checks import ScoreStatisticsCli
from criteria_design.table import CriteriaTable, load_table, table_json_schema


class CliExtension(Protocol):
    """A group of checks reachable from the command line."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def findings(self, args: argparse.Namespace, table: CriteriaTable) -> list[Finding]: ...


def _codes(value: str) -> list[str]:
    return [c for c in (part.strip() for part in value.split(",")) if c]


class TableLint:
    """The table linter's options: ``--select``, ``--ignore``, ``--config``, ``--lexicon``."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("table linter")
        group.add_argument("--select", type=_codes, metavar="CODES",
                           help="comma-separated rule codes or prefixes to run (default: all)")
        group.add_argument("--ignore", type=_codes, metavar="CODES",
                           help="comma-separated rule codes or prefixes to skip")
        group.add_argument("--config", type=Path, metavar="FILE",
                           help="YAML file of thresholds (LintConfig field names)")
        group.add_argument("--lexicon", type=Path, action="append", default=[], metavar="FILE",
                           help="extra vague-wording lexicon (repeatable)")

    def findings(self, args: argparse.Namespace, table: CriteriaTable | None) -> list[Finding]:
        if table is None:  # --history alone: there is no table to lint
            return []
        extra = {"lexicon_files": tuple(args.lexicon)} if args.lexicon else {}
        if args.config is not None:
            config = load_config(args.config, **extra)
        else:
            config = LintConfig(**extra)
        lang = getattr(args, "lang", DEFAULT_LANGUAGE)
        resolve_rules(args.select, args.ignore, lang=lang)  # unknown codes, said in `lang`
        return lint(table, select=args.select, ignore=args.ignore, config=config, lang=lang)


def _language(value: str) -> str:
    """``--lang``: a known language, else a usage error naming the value (exit 2)."""
    try:
        return check_language(value)
    except FairclustersError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_NO_TABLE = Text(vi="chưa chỉ ra bảng tiêu chí (cách dùng: criteria-lint BẢNG)",
                 en="no criteria table given (usage: criteria-lint TABLE)")


#: The check groups the command line runs, in order.
EXTENSIONS: tuple[CliExtension, ...] = (TableLint(), ScoreStatisticsCli(), TableRedesign())


def build_parser(extensions: Sequence[CliExtension] = EXTENSIONS) -> argparse.ArgumentParser:
    """The argument parser: common options, then each extension's."""
    parser = argparse.ArgumentParser(
        prog="criteria-lint",
        description="Check an emulation criteria table (YAML/JSON) for rigid point structures "
        "and vague indicators.",
    )
    parser.add_argument("table", nargs="?", type=Path, help="criteria table, .yaml/.yml/.json")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity], default="warning",
                        help=f"exit {EXIT_FINDINGS} when a finding has at least this severity "
                             "(default warning)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--lang", type=_language, default=DEFAULT_LANGUAGE, metavar="LANG",
                        help=f"language of the report: {' or '.join(LANGUAGES)} "
                             f"(default {DEFAULT_LANGUAGE}, Vietnamese)")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--schema", action="store_true",
                        help="print the JSON Schema of the table format and exit")
    from clustering import __version__  # the distribution's metadata, read on first use

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the installed fairclusters version and exit")
    for extension in extensions:
        extension.add_arguments(parser)
    return parser


def run(args: argparse.Namespace, extensions: Sequence[CliExtension] = EXTENSIONS) -> int:
    """Execute a parsed command line; returns the exit code (bad input raises)."""
    if args.schema:
        print(json.dumps(table_json_schema(), ensure_ascii=False, indent=2))
        return 0
    lang = getattr(args, "lang", DEFAULT_LANGUAGE)
    if args.list_rules:
        for r in list_rules():
            print(f"{r.code}  {r.severity.value:<7}  {r.name}: {r.title(lang)}. {r.summary(lang)}")
        return 0
    if args.table is None and getattr(args, "history", None) is None:
        raise CriteriaParameterError(_NO_TABLE(lang))
    if args.output is not None:  # before any work: exists, a folder, unwritable, too long
        check_output_file(args.output)
    # An award history is audited without a table (the extensions accept None).
    table = load_table(args.table) if args.table is not None else None
    findings = [f for extension in extensions for f in extension.findings(args, table)]
    report = format_findings(findings, args.format, title=f"{table.title} ({args.table})"
                             if table is not None else str(args.history),
                             lang=lang)
    if getattr(args, "redesign_report", None):  # set by TableRedesign (--redesign OUT)
        if args.format == "json":
            doc = json.loads(report)
            doc["redesign"] = args.redesign_changes
            report = json.dumps(doc, ensure_ascii=False, indent=2)
        else:
            report += "\n\n" + args.redesign_report
    if args.output is not None:
        args.output.write_text(report + "\n", encoding="utf-8")
    else:
        print(report)
    threshold = Severity(args.fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in findings) else 0


class ShownError(CriteriaError):
    """An input error as the command line shows it: its message in the report's language.

    Raised by :func:`run_translated` from the original error (kept as ``__cause__``).
    """


def run_translated(args: argparse.Namespace,
                   extensions: Sequence[CliExtension] = EXTENSIONS) -> int:
    """:func:`run`, with the messages of input errors in ``--lang`` (Vietnamese by default).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    extensions : sequence of CliExtension
        The check groups to run.

    Returns
    -------
    int
        The exit code of :func:`run`.

    Raises
    ------
    ShownError
        An input error (a ``ValueError`` or ``OSError``), its message rendered by
        :func:`~criteria_design.error_text.describe_error`; the command line exits 2.
    """
    try:
        return run(args, extensions)
    except BrokenPipeError:
        raise
    except (ValueError, OSError) as exc:
        shown = describe_error(exc, getattr(args, "lang", DEFAULT_LANGUAGE))
        if shown == str(exc):
            raise
        raise ShownError(shown) from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``criteria-lint``; returns the exit code (3 findings, 2 bad input, 1 bug)."""
    return run_command(build_parser(), run_translated, argv, input_errors=(ValueError, OSError))


if __name__ == "__main__":
    sys.exit(main())
