"""Issue 16, property test: every reader, fed random bytes or random valid-looking
YAML / JSON / CSV, returns a result or raises a FairclustersError, quickly.

Small ``max_examples`` keep the whole file within a few seconds; each call is
timed against an explicit bound (a YAML bomb or a quadratic parse would break it).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.proposals import load_dataset, read_proposal
from clustering.errors import FairclustersError
from clustering.io import read_csv, read_edges_csv, read_json
from clustering.plan import Plan
from clustering.units import UnitSet
from criteria_design.config import load_config
from criteria_design.lexicon import load_lexicon
from criteria_design.rotation import load_history
from criteria_design.scores import ScoreSheet
from criteria_design.table import load_table

#: Seconds one reader may take on one small file.
TIME_BOUND = 2.0
UNITS = UnitSet([{"id": "01", "name": "Hà Nội"}, {"id": "02", "name": "Huế"}], name="two")

#: suffix -> readers of a file with that suffix
READERS: dict[str, list[Callable[[Path], object]]] = {
    ".csv": [read_csv, read_edges_csv, lambda p: Plan.read_csv(p, UNITS),
             lambda p: read_proposal(p, UNITS), load_dataset, ScoreSheet.from_csv,
             load_history],
    ".json": [read_json, lambda p: Plan.read_json(p, UNITS), lambda p: read_proposal(p, UNITS),
              load_dataset, load_table],
    ".yaml": [lambda p: read_proposal(p, UNITS), load_table, load_config, load_lexicon],
}

WORDS = ["id", "name", "cluster", "unit", "clusters", "dataset", "title", "total", "sections",
         "text", "max_points", "kind", "children", "member", "criterion", "points", "year",
         "leader", "n_members", "groups", "terms", "anchors", "units", "edges", "neighbors",
         "population", "01", "Hà Nội", "1,5", "007", "quantitative", "-1", "1e300", ""]
scalars = st.one_of(st.sampled_from(WORDS), st.integers(-10**6, 10**6), st.floats(),
                    st.booleans(), st.none(), st.text(max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(WORDS), inner, max_size=5)),
    max_leaves=25,
)
csv_tables = st.lists(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)),
                               min_size=1, max_size=5), min_size=1, max_size=6)
FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def _to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def check_every_reader(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        for reader in READERS[suffix]:
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    reader(path)
            except FairclustersError:
                pass
            except Exception as exc:  # anything else is a bug the user would see as a crash
                pytest.fail(f"{getattr(reader, '__qualname__', reader)} raised "
                            f"{type(exc).__name__}: {exc} on {data[:200]!r}")
            elapsed = time.perf_counter() - start
            assert elapsed < TIME_BOUND, f"{reader} took {elapsed:.1f} s on {data[:200]!r}"


@FUZZ
@given(suffix=st.sampled_from(sorted(READERS)), data=st.binary(max_size=200))
def test_random_bytes(suffix, data):
    check_every_reader(suffix, data)


@FUZZ
@given(document=documents)
def test_random_yaml(document):
    check_every_reader(".yaml", yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@FUZZ
@given(document=documents)
def test_random_json(document):
    check_every_reader(".json", json.dumps(document, ensure_ascii=False).encode("utf-8"))


@FUZZ
@given(rows=csv_tables)
def test_random_csv(rows):
    check_every_reader(".csv", _to_csv(rows).encode("utf-8"))


@FUZZ
@given(document=documents)
def test_random_text_given_to_load_table(document):
    for text in (yaml.safe_dump(document), json.dumps(document)):
        start = time.perf_counter()
        try:
            load_table(text)
        except FairclustersError:
            pass
        assert time.perf_counter() - start < TIME_BOUND


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".yaml", "clusters: {A: ['01']}\nname: &n x\nnotes: *n\n"),
        (".yaml", "a: " + "[" * 200 + "]" * 200),
        (".json", "[" * 5000 + "]" * 5000),
        (".yaml", "x: " + "9" * 5000),
        (".json", '{"units": [{"id": "a", "indicators": "abc", "neighbors": 5}]}'),
        (".csv", "id,name\n\x00,a\n"),
        (".csv", 'id,name\n"01,a\n'),
    ],
    ids=["alias", "deep-yaml", "deep-json", "huge-int", "wrong-types", "nul", "open-quote"],
)
def test_known_hard_inputs(suffix, text):
    check_every_reader(suffix, text.encode("utf-8"))
