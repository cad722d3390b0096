"""Every public name of every package resolves, and ``import clustering`` stays light."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["clustering", "optimizer", "criteria_design", "benchmarks"])
def test_every_public_name_resolves(package):
    module = importlib.import_module(package)
    missing = [name for name in getattr(module, "__all__", []) if not hasattr(module, name)]
    assert missing == []


def test_import_clustering_does_not_load_scikit_learn():
    code = "import sys, clustering; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
