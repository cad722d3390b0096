"""What every command line of the library does around its work: parse, run, exit codes.

``python -m benchmarks`` and ``criteria-lint`` share one convention:

=====  ==========================================================
code   meaning
=====  ==========================================================
0      done (or ``--help``)
1      an internal error (a bug: the message says to report it)
2      bad input: usage, a file, a value; the message names it
130    interrupted (Ctrl-C)
=====  ==========================================================

A command may use other codes for its own results (the linter returns 1
when findings reach ``--fail-on``).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence

from .errors import FairclustersError

__all__ = ["run_command"]


def run_command(
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None = None,
    *,
    input_errors: tuple[type[BaseException], ...] = (FairclustersError, OSError),
) -> int:
    """Parse ``argv`` with ``parser``, call ``run(args)`` and turn its errors into exit codes.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser; if it defines ``--debug``, internal errors print
        their traceback when it is given.
    run : callable
        ``run(args) -> exit code``: the command's work.
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).
    input_errors : tuple of exception types
        Errors that mean bad input (exit 2, message only).

    Returns
    -------
    int
        The exit code (see the module docstring).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="demo")
    >>> _ = parser.add_argument("n", type=int)
    >>> def work(args):
    ...     if args.n < 0:
    ...         raise FairclustersError(f"n={args.n}; expected n >= 0")
    ...     return 0
    >>> run_command(parser, work, ["3"])
    0
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     code = run_command(parser, work, ["-1"])
    >>> code, err.getvalue().strip()
    (2, 'demo: error: n=-1; expected n >= 0')
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage error (2), or --help (0)
        return int(exc.code or 0)
    try:
        return run(args)
    except input_errors as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if getattr(args, "debug", False):
            traceback.print_exc()
        hint = "rerun with --debug for the traceback; " if hasattr(args, "debug") else ""
        print(f"{parser.prog}: internal error: {type(exc).__name__}: {exc} ({hint}"
              "please report it)", file=sys.stderr)
        return 1
