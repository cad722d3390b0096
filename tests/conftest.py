"""Small shared fixtures for the foundation tests (clustering.*).

Independent truths come from hand computations and from the curated CSVs in
``/work/shared/data`` read with the :mod:`csv` module (never through the loaders).
"""

from __future__ import annotations

import csv
import os
from itertools import pairwise
from pathlib import Path

import pytest

from clustering.units import UnitSet

FOUNDATION = Path(__file__).parent / "data" / "foundation"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# The six-unit path a - b - c - d - e - f on the equator, one degree of longitude apart,
# used for every hand-computed metric. Values chosen so that each number is easy by hand.
PATH_IDS = ("a", "b", "c", "d", "e", "f")
PATH_X = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
PATH_Y = (1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
PATH_WEIGHT = (10.0, 20.0, 30.0, 40.0, 50.0, 100.0)
PATH_FUNCTION = ("econ", "econ", "social", "social", "social", "econ")


@pytest.fixture
def foundation_dir() -> Path:
    """Folder of the small hand-made CSV/JSON fixtures."""
    return FOUNDATION


def require_shared(relative: str) -> Path:
    """The path of ``relative`` under ``/work/shared/data``, or stop the test.

    The data cross-checks need the curated files next to the checkout. Where
    they are missing the test is skipped on a developer's machine, but fails
    when the environment variable ``CI`` is set: on CI a missing file means
    the checks silently stopped running, not that they passed.
    """
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"shared data file {path} not available"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: the data cross-checks must run)", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_rows():
    """Read a CSV of ``/work/shared/data`` with the csv module (see :func:`require_shared`)."""

    def read(relative: str) -> list[dict[str, str]]:
        with open(require_shared(relative), newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    return read


@pytest.fixture
def path6() -> UnitSet:
    """Six units on a path graph, on the equator at longitudes 0..5."""
    units = [
        {
            "id": uid,
            "name": uid.upper(),
            "function": PATH_FUNCTION[i],
            "lat": 0.0,
            "lon": float(i),
            "weight": PATH_WEIGHT[i],
            "indicators": {"x": PATH_X[i], "y": PATH_Y[i]},
        }
        for i, uid in enumerate(PATH_IDS)
    ]
    edges = list(pairwise(PATH_IDS))
    return UnitSet(units, edges, name="path6")
