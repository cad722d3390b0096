"""The exit codes every command line shares (clustering.cli.run_command)."""

from __future__ import annotations

import argparse

import pytest

from clustering.cli import run_command
from clustering.errors import FairclustersError


def parser(debug: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="demo")
    p.add_argument("what")
    if debug:
        p.add_argument("--debug", action="store_true")
    return p


def work(args) -> int:
    if args.what == "bad":
        raise FairclustersError("what='bad'; expected 'good'")
    if args.what == "file":
        raise FileNotFoundError("no such file: x.csv")
    if args.what == "stop":
        raise KeyboardInterrupt
    if args.what == "bug":
        raise RuntimeError("boom")
    return 0


@pytest.mark.parametrize(("what", "code", "message"), [
    ("good", 0, ""),
    ("bad", 2, "demo: error: what='bad'; expected 'good'"),
    ("file", 2, "demo: error: no such file: x.csv"),
    ("stop", 130, "demo: interrupted"),
    ("bug", 1, "demo: internal error: RuntimeError: boom (rerun with --debug for the "
               "traceback; please report it)"),
])
def test_exit_codes_and_messages(capsys, what, code, message):
    assert run_command(parser(), work, [what]) == code
    assert capsys.readouterr().err.strip() == message


def test_usage_errors_and_help_keep_argparse_codes(capsys):
    assert run_command(parser(), work, []) == 2  # missing argument
    assert "the following arguments are required: what" in capsys.readouterr().err
    assert run_command(parser(), work, ["--help"]) == 0


def test_debug_shows_the_traceback_and_no_debug_flag_no_hint(capsys):
    assert run_command(parser(), work, ["bug", "--debug"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert run_command(parser(debug=False), work, ["bug"]) == 1
    assert capsys.readouterr().err.strip() == (
        "demo: internal error: RuntimeError: boom (please report it)")
