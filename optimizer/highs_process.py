"""HiGHS under a hard deadline: the search runs in a worker process that can be killed.

HiGHS checks its ``time_limit`` between steps of its search, and some steps are
long: on a 24,480-column districting model its root mod-k cut separator ran more
than five minutes past a 120 s limit, with no option to turn it off and no
callback reached inside it. So :func:`run_highs` hands the model to a worker
(:mod:`optimizer.highs_worker`, a plain Python process importing only numpy and
highspy) and waits at most ``time_limit`` plus :func:`grace`. Past that the
worker is killed, and the run ends with what the worker reported while it
searched: its last improving solution and dual bound.

The worker is this library's child, as CBC is (:mod:`optimizer.cbc`): its own
process group, killed on KeyboardInterrupt, SIGTERM raised as an exception, or
any other exception while we wait, and on Linux killed by the kernel when the
Python process dies without cleaning up. A worker that finished in time is kept
for the next solve (starting one costs about 0.1 s), so a search of many small
models pays that once.

Where there are no POSIX pipes to wait on with a timeout (Windows), or when
:data:`ISOLATED` is set to ``False``, HiGHS runs in this process instead, with
its own time limit as the only deadline.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from . import highs_worker
from .child_process import DIE_WITH_PARENT, stop_group

__all__ = ["GRACE", "ISOLATED", "close_idle_workers", "grace", "run_highs"]

#: Whether HiGHS runs in a worker process (POSIX) or in this one.
ISOLATED = os.name == "posix"

#: Seconds past its limit a HiGHS worker gets (plus 5 % of the limit) before it is killed.
GRACE = 1.0

_WORKER = Path(highs_worker.__file__)


def grace(time_limit: float) -> float:
    """How long past ``time_limit`` a worker may run: :data:`GRACE` plus 5 % of the limit.

    The 5 % covers passing a large model to HiGHS, which its clock does not count.
    """
    return GRACE + 0.05 * time_limit


def run_highs(arrays: dict[str, np.ndarray], options: dict) -> tuple[dict, np.ndarray | None]:
    """Solve with HiGHS; return its outcome (see :func:`highs_worker.solve_arrays`) and ``x``.

    A run stopped from outside has ``outcome["status"] == "killed"`` (past its
    deadline) or ``"died"`` (the worker ended without answering), and keeps the
    last improving solution and dual bound the worker reported.
    """
    if not ISOLATED:
        return _in_this_process(arrays, options)
    request = highs_worker.encode({"kind": "solve", "options": options}, arrays)
    limit = options.get("time_limit")
    wait = None if limit is None else limit + grace(limit)
    try:
        worker = _POOL.take()
    except OSError as exc:  # no interpreter to start (an embedded or frozen Python)
        warnings.warn(f"HiGHS runs in this process, without a hard deadline: its worker "
                      f"could not be started ({exc})", RuntimeWarning, stacklevel=3)
        return _in_this_process(arrays, options)
    try:
        try:
            outcome, x = worker.solve(request, wait)
        except BrokenPipeError:  # an idle worker that someone else ended: once more, fresh
            worker.kill()
            worker = _Worker()
            outcome, x = worker.solve(request, wait)
    except BaseException:  # Ctrl-C, SIGTERM, anything: the worker must not outlive the call
        worker.kill()
        raise
    _POOL.give_back(worker)
    return outcome, x


def _in_this_process(arrays: dict[str, np.ndarray], options: dict
                     ) -> tuple[dict, np.ndarray | None]:
    outcome, points = highs_worker.solve_arrays(arrays, options)
    return outcome, points.get("x")


class _Worker:
    """One worker process and the messages it sends."""

    def __init__(self) -> None:
        flags = ["-P"] if sys.version_info >= (3, 11) else []  # not the package's folder on path
        self.process = subprocess.Popen(
            [sys.executable, *flags, str(_WORKER)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=None, bufsize=0, start_new_session=True,
            preexec_fn=DIE_WITH_PARENT)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        stop_group(self.process, signal.SIGKILL)
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()

    def close(self) -> None:
        """Let an idle worker end by itself (its stdin closes), or kill it."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            stop_group(self.process, signal.SIGKILL)
            self.process.wait()
        self.process.stdout.close()

    def solve(self, request: bytes, wait: float | None) -> tuple[dict, np.ndarray | None]:
        """Send ``request``; read reports until the answer, or kill at ``wait`` seconds."""
        started = time.monotonic()
        deadline = None if wait is None else started + wait
        _write_all(self.process.stdin, request)
        reader = highs_worker.MessageReader()
        incumbent: tuple[float, float | None, np.ndarray] | None = None
        bound: float | None = None
        fd = self.process.stdout.fileno()
        while True:
            timeout = None if deadline is None else deadline - time.monotonic()
            ready = timeout is None or (timeout > 0 and select.select([fd], [], [], timeout)[0])
            data = os.read(fd, 1 << 20) if ready else None
            if not data:  # past the deadline (None), or the worker ended (b"")
                stopped = "killed" if data is None else "died"
                self.kill()
                return _stopped(stopped, wait, self.process.returncode, incumbent, bound,
                                time.monotonic() - started)
            for header, arrays in reader.feed(data):
                kind = header["kind"]
                if header.get("bound") is not None:
                    bound = header["bound"] if bound is None else max(bound, header["bound"])
                if kind == "incumbent":
                    incumbent = (header["objective"], header["bound"], arrays["x"])
                elif kind == "done":
                    return header, arrays.get("x")
                elif kind == "failed":
                    return ({"status": "failed", "status_text": header["error"],
                             "has_solution": False, "reported": None, "bound": None,
                             "solve_time": time.monotonic() - started},
                            None)


def _write_all(pipe, data: bytes) -> None:
    """Write all of ``data`` (a raw pipe may take it in parts)."""
    view = memoryview(data)
    while view:
        view = view[pipe.write(view):]


def _stopped(how: str, wait: float | None, returncode: int | None,
             incumbent: tuple | None, bound: float | None,
             seconds: float) -> tuple[dict, np.ndarray | None]:
    """The outcome of a worker stopped from outside: what it reported before."""
    text = (f"killed {seconds:.1f} s after it started, past its time limit and grace"
            if how == "killed" else f"the HiGHS worker ended without answering "
                                    f"(exit status {returncode})")
    outcome = {"status": how, "status_text": text, "has_solution": incumbent is not None,
               "reported": None if incumbent is None else incumbent[0], "bound": bound,
               "solve_time": seconds}
    return outcome, None if incumbent is None else incumbent[2]


class _Pool:
    """Idle workers, reused one solve at a time (a thread takes its own)."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
        return _Worker()

    def give_back(self, worker: _Worker) -> None:
        if worker.alive:
            with self._lock:
                self._idle.append(worker)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


_POOL = _Pool()


def _forget_parents_workers() -> None:
    """In a forked child: the idle workers are the parent's (their pipes too); start afresh."""
    _POOL._idle = []
    _POOL._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parents_workers)


def close_idle_workers() -> None:
    """End the workers kept for the next solve (the next solve starts a new one)."""
    _POOL.close()


atexit.register(close_idle_workers)
