"""The README's quickstart runs exactly as written, and CI runs the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quickstart_runs_as_written(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "the README has no Python quickstart"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
    printed = capsys.readouterr().out
    # The comments in the quickstart promise these outputs; hold the README to them.
    promises = re.findall(r"# (<UnitSet .*?>|\{'capital'.*\}|optimal 0\.0)", README)
    assert len(promises) == 3
    for promised in promises:
        assert promised in printed
    for code in ("RIG004", "VAG001", "VAG002", "VAG004", "VAG005"):
        assert f"{code} A " in printed


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)```", README, re.S)
    assert len(commands) >= 2
    test_command = commands[1].strip()
    install, run = (part.strip() for part in test_command.split("&&"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install.replace("pip install", "python -m pip install --quiet") in ci
    assert run in ci
