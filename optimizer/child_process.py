"""Solver child processes this library owns: their own process group, gone when we are.

Both solvers run as child processes (:mod:`optimizer.cbc`, :mod:`optimizer.highs_process`)
so that a deadline can be enforced from outside: neither CBC's root processing nor
HiGHS's cut separators look at the clock often enough. The two helpers here are
what both need:

- :data:`DIE_WITH_PARENT`, a ``preexec_fn`` that asks Linux to SIGKILL the child
  when the Python process dies without a chance to clean up (``PR_SET_PDEATHSIG``);
- :func:`stop_group`, a signal to the child's whole process group (the child is
  started with ``start_new_session=True``, so Ctrl-C in a terminal reaches only
  Python, which then stops the child itself).
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Callable

__all__ = ["DIE_WITH_PARENT", "stop_group"]

#: prctl option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking for SIGKILL when the parent dies (Linux), else ``None``.

    libc is looked up here, in the parent: the child, between fork and exec,
    only makes the one call.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    import signal

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return die_with_parent


DIE_WITH_PARENT = _death_signal()


def stop_group(process: subprocess.Popen, sig: int) -> None:
    """Send ``sig`` to the process's whole group (the solver and anything it started)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
