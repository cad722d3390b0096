"""What every command line of the library does around its work: parse, run, exit codes.

``python -m benchmarks`` and ``criteria-lint`` share one convention:

=====  ==========================================================
code   meaning
=====  ==========================================================
0      done (or ``--help``)
1      an internal error (a bug: the message says to report it)
2      bad input: usage, a file, a value, an output path; the
       message names it
3      ``criteria-lint`` only: findings at or above ``--fail-on``
130    interrupted (Ctrl-C)
141    standard output was closed early (``... | head``): the rest
       of the output is dropped quietly
143    terminated (SIGTERM)
=====  ==========================================================

A command may use other codes for its own results, never 1, 2 or the
signal codes (the linter's 3). Interruptions (Ctrl-C, SIGTERM) are raised as
:class:`KeyboardInterrupt` inside the command, so that its clean-up code
runs (the benchmark report is then left as it was before the run).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence

from .errors import FairclustersError

__all__ = ["EXIT_FINDINGS", "Terminated", "run_command"]

#: The linter's exit code for findings at or above ``--fail-on`` (1 stays "internal error").
EXIT_FINDINGS = 3
_EXIT_BROKEN_PIPE = 128 + 13
_EXIT_TERMINATED = 128 + 15


class Terminated(KeyboardInterrupt):
    """Raised inside a command when the process receives SIGTERM."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(f"signal {signum}")


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    """Point standard output at the null device after a broken pipe (as Python's docs advise).

    Without it, the interpreter's final flush would raise BrokenPipeError again.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


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
        with _sigterm_raises():
            code = run(args)
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return _EXIT_BROKEN_PIPE
    except input_errors as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except Terminated:
        print(f"{parser.prog}: terminated", file=sys.stderr)
        return _EXIT_TERMINATED
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
