"""Every parameter in a public numpydoc docstring is described, not only named."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

PACKAGES = ("clustering", "optimizer", "criteria_design", "benchmarks")


def _public(package: str):
    """``(qualified name, object)`` of every name in the ``__all__`` of the package's modules,
    and of the public methods of its classes."""
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # re-exported: checked where it is defined
            yield f"{module.__name__}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        yield f"{module.__name__}.{name}.{attr}", member


def _is_rule(line: str | None) -> bool:
    return line is not None and bool(line.strip()) and set(line.strip()) == {"-"}


def named_only(doc: str | None) -> list[str]:
    """Entries of the Parameters sections that have no indented description under them.

    Examples
    --------
    >>> named_only('''Sum.
    ...
    ... Parameters
    ... ----------
    ... a : int
    ...     The first.
    ... b : int
    ...
    ... Returns
    ... -------
    ... int
    ... ''')
    ['b']
    """
    if not doc:
        return []
    lines = [*inspect.cleandoc(doc).splitlines(), ""]
    found, inside = [], False
    for k, line in enumerate(lines[:-1]):
        following = lines[k + 1]
        if _is_rule(following) and line and not line.startswith(" "):
            inside = line.strip() in ("Parameters", "Other Parameters")
            continue
        if not inside or _is_rule(line) or not line or line.startswith(" "):
            continue
        if not following.startswith(" ") or not following.strip():
            found.append(line.split(" : ")[0].strip())
    return found


def test_the_checker_finds_a_parameter_named_without_description():
    assert named_only("Parameters\n----------\nx : int\n    Described.\ny : str\n") == ["y"]
    assert named_only("Parameters\n----------\nx : int\n    Described.\n") == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_parameter_is_described(package):
    missing = [
        f"{name}: {parameter}"
        for name, obj in _public(package)
        for parameter in named_only(obj.__doc__)
    ]
    assert missing == []
