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
