"""HiGHS in a worker process: a hard deadline, the last incumbent kept, no worker left behind."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from processes import child_outlives_killed_parent
from test_optimizer_robustness import _tiny_milp

import optimizer.highs_process as highs_process
from optimizer import solvers
from optimizer.highs_worker import MessageReader, encode

pytest.importorskip("highspy")
posix_only = pytest.mark.skipif(os.name != "posix", reason="the worker needs POSIX pipes")

ROOT = Path(__file__).resolve().parent.parent


def _fake_worker(tmp_path: Path, body: str) -> Path:
    """A stand-in worker: reads one request, then runs ``body`` (``send`` and ``np`` given)."""
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(f"""\
        import os, sys, time
        import numpy as np
        sys.path.insert(0, {str(ROOT / "optimizer")!r})
        from highs_worker import encode, read_message
        out = sys.stdout.buffer
        def send(header, arrays):
            out.write(encode(header, arrays)); out.flush()
        read_message(sys.stdin.buffer)
        print(os.getpid(), file=sys.stderr, flush=True)
    """) + textwrap.dedent(body), encoding="utf-8")
    return script


def test_messages_survive_any_split_and_carry_numbers_only():
    x = np.array([0.5, -1.0, 3.0])
    flags = np.array([1, 0, 1], dtype=np.uint8)
    data = encode({"kind": "done", "bound": 1.5}, {"x": x, "integer": flags}) \
        + encode({"kind": "bound", "bound": 2.0})
    reader = MessageReader()
    messages = [m for i in range(len(data)) for m in reader.feed(data[i:i + 1])]
    assert [h["kind"] for h, _ in messages] == ["done", "bound"]
    assert messages[0][0]["bound"] == 1.5
    np.testing.assert_array_equal(messages[0][1]["x"], x)
    np.testing.assert_array_equal(messages[0][1]["integer"], flags)
    with pytest.raises(TypeError, match=r"array 'names' has dtype \|O"):
        encode({}, {"names": np.array(["a", None], dtype=object)})
    forged = bytearray(encode({"kind": "done"}, {"x": x}))
    forged = forged.replace(b'"<f8"', b'"|O8"')
    with pytest.raises(ValueError, match=r"array 'x' declares dtype '\|O8'"):
        MessageReader().feed(bytes(forged))


@posix_only
def test_a_worker_is_reused_and_gives_what_highs_in_this_process_gives(monkeypatch):
    from clustering.datasets import vietnam_provinces
    from optimizer import optimize

    units = vietnam_provinces(2025)
    isolated = optimize(units, 6, size=(5, 6), method="assignment", solver="highs")
    pids = {w.process.pid for w in highs_process._POOL._idle}
    again = optimize(units, 6, size=(5, 6), method="assignment", solver="highs")
    assert pids and pids == {w.process.pid for w in highs_process._POOL._idle}
    monkeypatch.setattr(highs_process, "ISOLATED", False)
    inside = optimize(units, 6, size=(5, 6), method="assignment", solver="highs")
    assert isolated.status == again.status == inside.status == "optimal"
    assert isolated.objective == pytest.approx(inside.objective, rel=1e-9)
    assert isolated.plan.clusters == inside.plan.clusters


@posix_only
def test_highs_past_its_deadline_is_killed_and_its_last_incumbent_kept(tmp_path, monkeypatch):
    # HiGHS's root cut separation can ignore its time limit for minutes (seen: mod-k on a
    # 24,480-column model, 5 min past 120 s). Here a worker reports a plan, then hangs.
    script = _fake_worker(tmp_path, """\
        send({"kind": "incumbent", "objective": 2.0, "bound": 1.0}, {"x": np.array([0.0, 1.0])})
        send({"kind": "bound", "bound": 1.25}, {})
        time.sleep(60)
    """)
    monkeypatch.setattr(highs_process, "_WORKER", script)
    monkeypatch.setattr(highs_process, "GRACE", 0.3)
    monkeypatch.setattr(highs_process, "_POOL", highs_process._Pool())
    clock = time.monotonic()
    solution = solvers.solve(_tiny_milp(), "highs", time_limit=1.0)
    assert time.monotonic() - clock < 1.0 + highs_process.grace(1.0) + 1.0
    assert solution.status == "feasible" and "killed" in solution.solver_status
    assert solution.objective == 2.0 and solution.bound == 1.25  # the last bound reported
    assert solution.gap == pytest.approx(0.375)
    assert not highs_process._POOL._idle  # a killed worker is not reused


@posix_only
def test_an_incumbent_that_does_not_hold_is_not_returned(tmp_path, monkeypatch):
    script = _fake_worker(tmp_path, """\
        send({"kind": "incumbent", "objective": 0.0, "bound": 0.0}, {"x": np.array([0.0, 0.0])})
        time.sleep(60)
    """)
    monkeypatch.setattr(highs_process, "_WORKER", script)
    monkeypatch.setattr(highs_process, "GRACE", 0.3)
    monkeypatch.setattr(highs_process, "_POOL", highs_process._Pool())
    solution = solvers.solve(_tiny_milp(), "highs", time_limit=0.5)
    assert solution.status == "no_solution" and solution.x is None


@posix_only
def test_a_worker_that_dies_is_an_error_that_says_so(tmp_path, monkeypatch):
    script = _fake_worker(tmp_path, "os._exit(3)\n")
    monkeypatch.setattr(highs_process, "_WORKER", script)
    monkeypatch.setattr(highs_process, "_POOL", highs_process._Pool())
    solution = solvers.solve(_tiny_milp(), "highs", time_limit=5.0)
    assert solution.status == "error"
    assert "ended without answering (exit status 3)" in solution.solver_status


@posix_only
def test_an_interrupt_while_waiting_kills_the_worker(tmp_path, monkeypatch):
    script = _fake_worker(tmp_path, "time.sleep(60)\n")
    monkeypatch.setattr(highs_process, "_WORKER", script)
    monkeypatch.setattr(highs_process, "_POOL", highs_process._Pool())
    started = []
    real_worker = highs_process._Worker

    def recorded():
        worker = real_worker()
        started.append(worker.process)
        return worker

    def interrupted(*args):  # Ctrl-C arrives while the parent waits for an answer
        time.sleep(0.2)
        raise KeyboardInterrupt

    monkeypatch.setattr(highs_process, "_Worker", recorded)
    monkeypatch.setattr(highs_process.select, "select", interrupted)
    with pytest.raises(KeyboardInterrupt):
        solvers.solve(_tiny_milp(), "highs", time_limit=30.0)
    assert started and started[0].poll() is not None  # gone, and reaped
    assert not highs_process._POOL._idle


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_worker_dies_with_a_python_process_killed_without_cleanup(tmp_path):
    script = _fake_worker(tmp_path, "time.sleep(60)\n")
    parent_script = tmp_path / "solve.py"
    parent_script.write_text(textwrap.dedent(f"""\
        import optimizer.highs_process as hp
        from pathlib import Path
        from tests.test_optimizer_robustness import _tiny_milp
        from optimizer import solvers
        hp._WORKER = Path({str(script)!r})
        solvers.solve(_tiny_milp(), "highs", time_limit=60)
    """), encoding="utf-8")
    survivor = child_outlives_killed_parent(parent_script, pid_on="stderr")
    assert survivor is None, f"the HiGHS worker {survivor} outlived its parent"



@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_share_its_parents_idle_workers():
    # Two processes writing to one worker's pipe would mix their messages.
    solvers.solve(_tiny_milp(), "highs")
    parents = [w.process.pid for w in highs_process._POOL._idle]
    assert parents
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it sees, solve with a worker of its own
        try:
            seen = [w.process.pid for w in highs_process._POOL._idle]
            solution = solvers.solve(_tiny_milp(), "highs")
            mine = [w.process.pid for w in highs_process._POOL._idle]
            os.write(write, f"{seen}|{mine}|{solution.objective}".encode())
            highs_process.close_idle_workers()
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    seen, mine, objective = os.read(read, 1000).decode().split("|")
    os.close(read)
    assert seen == "[]" and float(objective) == 1.0
    assert not set(parents) & set(_pids(mine))
    assert [w.process.pid for w in highs_process._POOL._idle] == parents  # still the parent's


def _pids(text: str) -> list[int]:
    return [int(x) for x in text.strip("[]").split(",") if x.strip()]
