"""HiGHS in a process of its own: the worker side, and the message format both sides use.

Run as a script (``python highs_worker.py``, which is how
:mod:`optimizer.highs_process` starts it), it reads solve requests on stdin and
answers on stdout, one at a time, until stdin closes. It imports only numpy
and highspy: nothing of this package, so that it starts in a tenth of a second
and is reused for every solve that follows.

A message is a JSON header and numpy arrays, framed as::

    8-byte little-endian header length | header (UTF-8 JSON) | array bytes...

where ``header["arrays"]`` lists ``[name, dtype, shape]`` for the arrays that
follow, in order. Nothing is unpickled: arrays are rebuilt with
``numpy.frombuffer`` from their declared dtype (numbers only) and shape.

While HiGHS searches, the worker reports each improving solution (``"incumbent"``,
with ``x``, objective and dual bound) and, at most every :data:`BOUND_EVERY`
seconds, the dual bound (``"bound"``). The parent keeps the last of each, so a
run killed at its deadline still returns the best plan found and an honest bound.

HiGHS takes no lazy constraints from Python, so contiguity is checked here: a
request carrying the ``split_*`` arrays (see :func:`split_clusters`) stops at
the first improving solution whose clusters are in pieces. The parent then adds
the separator cuts that solution violates and solves again, instead of letting
HiGHS search on under a bound that the cut solution made too low.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import time
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

#: Seconds between two dual-bound reports while HiGHS searches.
BOUND_EVERY = 0.5

#: Array dtypes a message may carry: numbers and flags only.
_DTYPES = frozenset({"<f8", "<i4", "<i8", "|u1", "|b1"})

_LENGTH = struct.Struct("<Q")

#: HiGHS model statuses meaning "stopped at a limit", not "failed".
LIMIT_STATUSES = ("kTimeLimit", "kIterationLimit", "kSolutionLimit", "kInterrupt")


# -- messages ------------------------------------------------------------------
def encode(header: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """``header`` and ``arrays`` as one framed message."""
    arrays = {name: np.ascontiguousarray(a) for name, a in (arrays or {}).items()}
    for name, a in arrays.items():
        if a.dtype.str not in _DTYPES:
            raise TypeError(f"array {name!r} has dtype {a.dtype.str}; expected one of "
                            f"{sorted(_DTYPES)}")
    header = {**header, "arrays": [[n, a.dtype.str, list(a.shape)] for n, a in arrays.items()]}
    head = json.dumps(header, allow_nan=True).encode("utf-8")
    return b"".join([_LENGTH.pack(len(head)), head, *(a.tobytes() for a in arrays.values())])


def _message_size(header: dict) -> int:
    return sum(int(np.prod(shape)) * np.dtype(dtype).itemsize
               for _, dtype, shape in header["arrays"])


def _decode_arrays(header: dict, body: memoryview) -> dict[str, np.ndarray]:
    arrays, offset = {}, 0
    for name, dtype, shape in header["arrays"]:
        if dtype not in _DTYPES:
            raise ValueError(f"array {name!r} declares dtype {dtype!r}; expected one of "
                             f"{sorted(_DTYPES)}")
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        arrays[name] = np.frombuffer(body[offset: offset + size], dtype=dtype).reshape(shape).copy()
        offset += size
    return arrays


class MessageReader:
    """Messages out of a byte stream that arrives in pieces (the parent's side)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[dict, dict[str, np.ndarray]]]:
        """Add ``data``; return the messages it completes, in order."""
        self._buffer += data
        done = []
        while len(self._buffer) >= _LENGTH.size:
            (head_size,) = _LENGTH.unpack_from(self._buffer)
            start = _LENGTH.size + head_size
            if len(self._buffer) < start:
                break
            header = json.loads(bytes(self._buffer[_LENGTH.size: start]).decode("utf-8"))
            end = start + _message_size(header)
            if len(self._buffer) < end:
                break
            with memoryview(self._buffer) as view:  # released before the buffer shrinks
                done.append((header, _decode_arrays(header, view[start:end])))
            del self._buffer[:end]
        return done


def read_message(stream: BinaryIO) -> tuple[dict, dict[str, np.ndarray]] | None:
    """One message from a blocking stream, or ``None`` at its end (the worker's side)."""
    first = stream.read(_LENGTH.size)
    if len(first) < _LENGTH.size:
        return None
    (head_size,) = _LENGTH.unpack(first)
    header = json.loads(_read_exactly(stream, head_size).decode("utf-8"))
    body = _read_exactly(stream, _message_size(header))
    return header, _decode_arrays(header, memoryview(body))


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError(f"the stream ended {left} bytes before the end of a message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- the solve -----------------------------------------------------------------
def highs_lp(highspy, arrays: dict[str, np.ndarray], *, integer: bool = True):
    """The model in ``arrays`` (see :func:`solve_arrays`) as a ``highspy.HighsLp``."""
    c = arrays["c"]
    n_rows, n_cols = len(arrays["row_lower"]), len(c)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = c
    lp.col_lower_, lp.col_upper_ = arrays["col_lower"], arrays["col_upper"]
    lp.row_lower_, lp.row_upper_ = arrays["row_lower"], arrays["row_upper"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = arrays["start"]
    lp.a_matrix_.index_ = arrays["index"]
    lp.a_matrix_.value_ = arrays["value"]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
    if integer:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in arrays["integer"]
        ]
    return lp


def quiet_highs(highspy, verbose: bool):
    """A Highs object; its one-time banner (C-level stdout) is hidden unless verbose."""
    if verbose:
        return highspy.Highs()
    import ctypes

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
            ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def solve_arrays(arrays: dict[str, np.ndarray], options: dict,
                 report: Callable[[dict, dict], None] | None = None) -> tuple[dict, dict]:
    """Solve the model in ``arrays`` (column-wise matrix) with the HiGHS ``options``.

    ``arrays`` holds ``c, col_lower, col_upper, row_lower, row_upper`` and the
    CSC matrix ``start, index, value``, ``integer`` (flags) and optionally
    ``initial`` (a start) and ``split_unit, split_centre, split_indptr,
    split_indices`` (stop at a solution in pieces: :func:`split_clusters`).
    ``options`` holds ``time_limit`` (or None), ``mip_rel_gap``,
    ``random_seed``, ``presolve_mode`` (or None) and ``verbose``. ``report``,
    when given, receives each improving solution and the dual bound as the
    search goes.

    Returns the outcome, in HiGHS's words (``status`` is the model status's
    enum name, e.g. ``"kOptimal"``), and ``{"x": ...}`` when there is a point.
    """
    import highspy

    lp = highs_lp(highspy, arrays)
    h = quiet_highs(highspy, bool(options["verbose"]))
    h.setOptionValue("output_flag", bool(options["verbose"]))
    h.setOptionValue("random_seed", int(options["random_seed"]))
    h.setOptionValue("mip_rel_gap", float(options["mip_rel_gap"]))
    if options.get("time_limit") is not None:
        h.setOptionValue("time_limit", float(options["time_limit"]))
    if options.get("presolve_mode") is not None:
        h.setOptionValue("presolve_mode", int(options["presolve_mode"]))
    h.passModel(lp)
    if "initial" in arrays:
        start = highspy.HighsSolution()
        start.col_value = list(arrays["initial"])
        start.value_valid = True
        h.setSolution(start)
    split = None
    if "split_unit" in arrays:
        split = [arrays[f"split_{name}"] for name in ("unit", "centre", "indptr", "indices")]
    if report is not None or split is not None:
        _watch(h, report or (lambda header, arrays: None), split)
    started = time.perf_counter()
    h.run()
    solve_time = time.perf_counter() - started

    status = h.getModelStatus()
    info = h.getInfo()
    bound = float(info.mip_dual_bound)
    outcome = {
        "status": status.name,
        "status_text": h.modelStatusToString(status),
        "has_solution": info.primal_solution_status == 2,  # kSolutionStatusFeasible
        "reported": float(info.objective_function_value),
        "bound": bound if np.isfinite(bound) else None,
        "solve_time": solve_time,
    }
    points = {"x": np.asarray(h.getSolution().col_value, dtype=float)} \
        if outcome["has_solution"] else {}
    return outcome, points


def _watch(h, report: Callable[[dict, dict], None], split: list[np.ndarray] | None) -> None:
    """Send ``report`` HiGHS's improving solutions and (throttled) dual bounds.

    With ``split`` (the arrays of :func:`split_clusters`), the run is also
    interrupted after an improving solution in pieces (HiGHS status ``kInterrupt``,
    that solution as its result).
    """
    last, stop = [0.0], [False]

    def improved(event) -> None:
        out = event.data_out
        bound = float(out.mip_dual_bound)
        x = np.asarray(out.mip_solution, dtype=float)
        report({"kind": "incumbent", "objective": float(out.objective_function_value),
                "bound": bound if np.isfinite(bound) else None}, {"x": x})
        if split is not None and split_clusters(x, *split):
            stop[0] = True

    def progress(event) -> None:
        if stop[0]:
            event.interrupt()
        now = time.monotonic()
        if now - last[0] < BOUND_EVERY:
            return
        last[0] = now
        bound = float(event.data_out.mip_dual_bound)
        if np.isfinite(bound):
            report({"kind": "bound", "bound": bound}, {})

    h.cbMipImprovingSolution.subscribe(improved)
    h.cbMipInterrupt.subscribe(progress)


def split_clusters(x: np.ndarray, unit: np.ndarray, centre: np.ndarray, indptr: np.ndarray,
                   indices: np.ndarray) -> bool:
    """Whether some cluster of an assignment is in pieces.

    Column ``c < len(unit)`` of ``x`` is 1 when ``unit[c]`` joins the cluster
    centred at ``centre[c]``; the units' borders are the graph in CSR form
    (``indices[indptr[u]:indptr[u + 1]]`` border ``u``). A cluster is in pieces
    when a search from its centre, through its own members, misses one.

    Examples
    --------
    >>> path = np.array([0, 1, 3, 4, 5]), np.array([1, 0, 2, 1, 3, 2])  # 0-1-2-3
    >>> unit, centre = np.array([0, 1, 2, 3]), np.array([0, 0, 0, 3])
    >>> split_clusters(np.ones(4), unit, centre, *path)  # {0, 1, 2} and {3}
    False
    >>> split_clusters(np.ones(4), unit, np.array([0, 3, 0, 3]), *path)  # {0, 2}, {1, 3}
    True
    """
    chosen = x[: len(unit)] > 0.5
    owner = np.full(len(indptr) - 1, -1, dtype=np.int64)
    owner[unit[chosen]] = centre[chosen]
    reached = np.zeros(len(owner), dtype=bool)
    for j in np.unique(owner[owner >= 0]).tolist():
        reached[j], frontier = True, [j]
        while frontier:
            u = frontier.pop()
            for v in indices[indptr[u]: indptr[u + 1]].tolist():
                if owner[v] == j and not reached[v]:
                    reached[v] = True
                    frontier.append(v)
    return not bool(reached[owner >= 0].all())


# -- the worker loop -----------------------------------------------------------
def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer solve requests until ``requests`` ends."""
    def send(header: dict, arrays: dict) -> None:
        answers.write(encode(header, arrays))
        answers.flush()

    while (message := read_message(requests)) is not None:
        header, arrays = message
        options = header["options"]
        try:
            with _printing(options["verbose"]):
                outcome, points = solve_arrays(arrays, options, report=send)
            send({"kind": "done", **outcome}, points)
        except Exception as exc:  # the parent reports it as the solver's error
            send({"kind": "failed", "error": f"{type(exc).__name__}: {exc}"}, {})


class _printing:
    """What HiGHS prints on fd 1 goes to stderr when ``verbose``, else nowhere."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    def __enter__(self) -> None:
        if self.verbose:
            os.dup2(sys.stderr.fileno(), 1)

    def __exit__(self, *exc) -> None:
        if self.verbose:
            import ctypes

            ctypes.CDLL(None).fflush(None)  # HiGHS's C-level buffer, before fd 1 moves
        _stdout_to_nowhere()


def _stdout_to_nowhere() -> None:
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)


def main() -> None:
    # Answers go to a copy of the original stdout; fd 1 itself, where HiGHS prints
    # (its banner, a verbose log), goes to stderr or nowhere, never into a message.
    answers = os.fdopen(os.dup(1), "wb")
    _stdout_to_nowhere()
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
