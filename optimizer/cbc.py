"""CBC as a child process this library owns: its own process group, a wall-clock deadline.

PuLP starts the CBC binary and waits for it without a limit of its own, and
CBC checks its ``-sec`` limit only between nodes: on a 30,000-row assignment
model its root processing ran 277 s past a 21 s limit. Here the same binary
(the one in PuLP's wheel) is started by :func:`run_cbc` in a new session
(process group), watched, and

- at the deadline (``time_limit`` plus a grace) sent SIGINT, on which CBC
  stops and writes the best solution it has; a few seconds later, SIGKILL;
- on KeyboardInterrupt, SIGTERM (raised as an exception by the command line)
  or any other exception in the waiting thread, killed with its whole group
  before the exception goes on, so that no CBC outlives the Python process;
- on Linux, killed by the kernel when the Python process dies without a
  chance to clean up (SIGKILL, or SIGTERM with no handler): the child asks
  for ``PR_SET_PDEATHSIG`` before it starts CBC.

Files go to a temporary folder that is removed in every case. The model is
written and the solution read back by PuLP's own public methods
(``LpProblem.writeMPS``, ``COIN_CMD.writesol`` and ``readsol_MPS``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

from .child_process import DIE_WITH_PARENT, stop_group

__all__ = ["GRACE", "CbcRun", "run_cbc"]

#: Seconds past its limit CBC gets before SIGINT, and again before SIGKILL.
GRACE = 1.0


@dataclass(frozen=True)
class CbcRun:
    """How one CBC run ended.

    Attributes
    ----------
    log : str
        What CBC printed ("" when it printed nothing or was killed before).
    solved : bool
        Whether CBC wrote a solution file that was read back into the problem.
    stopped : str or None
        ``"interrupted"`` (SIGINT at the deadline) or ``"killed"``; ``None``
        when CBC ended by itself.
    seconds : float
        Wall time of the child process.
    """

    log: str
    solved: bool
    stopped: str | None
    seconds: float


def _wait(process: subprocess.Popen, time_limit: float | None) -> str | None:
    """Wait for CBC; interrupt it, then kill it, if it runs past its limit."""
    if time_limit is None:
        process.wait()
        return None
    try:
        process.wait(timeout=time_limit + GRACE)
        return None
    except subprocess.TimeoutExpired:
        stop_group(process, signal.SIGINT)  # CBC stops and writes what it has
    try:
        process.wait(timeout=GRACE)
        return "interrupted"
    except subprocess.TimeoutExpired:
        stop_group(process, signal.SIGKILL)
        process.wait()
        return "killed"


def run_cbc(problem, command, *, time_limit: float | None, log: bool = True) -> CbcRun:
    """Solve the PuLP ``problem`` with the CBC binary of ``command`` under a hard deadline.

    Parameters
    ----------
    problem : pulp.LpProblem
        The model; on success its variables hold the solution and its
        ``status``/``sol_status`` are set as ``problem.solve`` would set them.
    command : pulp.PULP_CBC_CMD
        Gives the binary's path and the options: ``timeLimit``, ``gapRel``,
        ``warmStart`` (the variables' initial values), ``options`` (extra CBC
        words) and ``logPath`` (keep the log; default: none).
    time_limit : float, optional
        Seconds for CBC (passed as ``-sec``); the process is stopped
        :data:`GRACE` seconds past it, then killed.
    log : bool, default True
        Capture CBC's output (returned in :attr:`CbcRun.log`).

    Returns
    -------
    CbcRun

    Examples
    --------
    >>> import pulp
    >>> from optimizer.solvers import bundled_cbc
    >>> lp = pulp.LpProblem("demo", pulp.LpMinimize)
    >>> x = lp.add_variable("x", 0, 3, cat=pulp.LpInteger)
    >>> lp += -x
    >>> run = run_cbc(lp, bundled_cbc(msg=False), time_limit=10)
    >>> run.solved, run.stopped, x.value()
    (True, None, 3.0)
    """
    options = command.optionsDict
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fairclusters-cbc-") as tmp:
        mps, sol, mst = (os.path.join(tmp, f"model.{ext}") for ext in ("mps", "sol", "mst"))
        variables, names, rows, _ = problem.writeMPS(mps, rename=1)
        args = [command.path, mps]
        if options.get("warmStart"):
            command.writesol(mst, problem, variables, names, rows)
            args += ["-mips", mst]
        if time_limit is not None:
            args += ["-sec", str(time_limit)]
        if options.get("gapRel") is not None:
            args += ["-ratio", str(options["gapRel"])]
        for option in command.options:
            args += ["-" + option.split()[0], *option.split()[1:]]
        args += ["-solve", "-printingOptions", "all", "-solution", sol]
        log_path = options.get("logPath") or os.path.join(tmp, "cbc.log")
        with open(log_path if log else os.devnull, "w") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True,
                                       preexec_fn=DIE_WITH_PARENT)
            try:
                stopped = _wait(process, time_limit)
            except BaseException:  # Ctrl-C, SIGTERM, anything: CBC must not outlive us
                stop_group(process, signal.SIGKILL)
                process.wait()
                raise
        text = ""
        if log and os.path.exists(log_path):
            with open(log_path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        solved = os.path.exists(sol) and os.path.getsize(sol) > 0
        if solved:
            status, values, _, _, _, sol_status = command.readsol_MPS(
                sol, problem, variables, names, rows)
            problem.assignVarsVals(values)
            problem.assignStatus(status, sol_status)
    return CbcRun(text, solved, stopped, time.perf_counter() - started)
