"""Peak memory of a benchmark run, measured one way by every benchmark script."""

from __future__ import annotations

import resource
import sys

__all__ = ["peak_memory_mb"]


def peak_memory_mb() -> float:
    """Peak resident memory of this process plus the largest peak of its children, in MiB.

    ``getrusage`` gives two peaks resident set sizes (``ru_maxrss``): that of
    this process (``RUSAGE_SELF``) and the largest among its terminated,
    waited-for children (``RUSAGE_CHILDREN``, a maximum over the children, not
    a sum). A solver child (CBC) runs while this process still holds the model
    it was given, so both are resident at once: the **sum** of the two peaks
    is an upper bound on the simultaneous peak (the two need not coincide),
    while their maximum would only be a lower bound. The sum is the figure for
    "how much memory does this need", and the one every benchmark reports.
    Both peaks only grow, so a reading bounds the peak of everything run so
    far in this process. HiGHS workers kept idle for the next solve
    (:mod:`optimizer.highs_process`) are closed first, so that theirs count.

    Linux reports ``ru_maxrss`` in KiB (macOS in bytes); the result is in MiB
    (2**20 bytes), printed as "MB" by the scripts.

    Returns
    -------
    float
        The parent's peak plus the largest child's peak, in MiB.

    Examples
    --------
    >>> peak_memory_mb() > 0
    True
    """
    from optimizer.highs_process import close_idle_workers

    close_idle_workers()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    per_mib = 1024**2 if sys.platform == "darwin" else 1024
    return (own + child) / per_mib
