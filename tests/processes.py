"""Whether a child process is still running, for the tests that kill solvers' parents."""

from __future__ import annotations

from pathlib import Path


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its new parent to reap it); Linux."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def project_env() -> dict[str, str]:
    """The environment for a child Python that imports the project and the tests' helpers."""
    import os

    root = Path(__file__).resolve().parent.parent
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}


def child_outlives_killed_parent(script: Path, *, pid_on: str = "stdout",
                                 seconds: float = 5.0) -> int | None:
    """Run ``script``, which prints its solver child's pid; SIGKILL it; wait for the child.

    Returns the child's pid if it is still running ``seconds`` after its parent
    was killed (a failure: nothing cleaned up after the parent), else ``None``.
    """
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parent.parent
    stream = {pid_on: subprocess.PIPE}
    parent = subprocess.Popen([sys.executable, str(script)], text=True, cwd=root,
                              env=project_env(), **stream)
    pipe = parent.stdout if pid_on == "stdout" else parent.stderr
    try:
        child = int(pipe.readline())
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and alive(child):
            time.sleep(0.05)
        return child if alive(child) else None
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        pipe.close()
