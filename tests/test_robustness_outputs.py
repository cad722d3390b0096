"""Issue 16, outputs and runs: the report folder is whole or absent, runs end with clear codes.

Each test fails on the code before the issue (see docs/robustness.md).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import benchmarks.__main__ as bench_cli
import benchmarks.report as report
import criteria_design.__main__ as lint_cli
from benchmarks.compare import Settings, run_benchmark
from benchmarks.proposals import read_proposal
from benchmarks.report import OutputError, report_lock, write_report
from clustering.io import read_json
from clustering.rules import ClusterRules

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
GRID9 = DATA / "benchmarks" / "grid9.json"
ROWS = DATA / "benchmarks" / "grid9_rows.yaml"
SMALL = [str(ROWS), "--dataset", str(GRID9), "--clusters", "3", "--no-references"]
BIG_TABLE = str(DATA / "criteria" / "cum_dbsh_1000.yaml")


@pytest.fixture(scope="module")
def bench():
    units = read_json(GRID9)
    plan = read_proposal(ROWS, units).plan
    return run_benchmark(units, [plan], Settings(ClusterRules(n_clusters=3, size=(3, 3))),
                         references=False)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def interrupt_in_distribution(monkeypatch, error: BaseException) -> None:
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(report, "plot_distribution", boom)


# -- interrupted runs ----------------------------------------------------------------------------


def test_an_interrupted_rewrite_leaves_the_old_report(bench, tmp_path, monkeypatch):
    out = tmp_path / "r"
    write_report(bench, out)
    before = {name: (out / name).read_bytes() for name in listing(out) if (out / name).is_file()}
    renamed = dataclasses.replace(bench, evaluations=[
        dataclasses.replace(e, name="Another plan") for e in bench.evaluations])
    interrupt_in_distribution(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):  # after its plan files and maps were written
        write_report(renamed, out, force=True)
    assert {n: (out / n).read_bytes() for n in before} == before
    assert listing(out) == sorted([*before, "plans"])
    assert hidden(tmp_path) == []  # no temporary folder, no lock left behind


def test_an_interrupted_first_run_leaves_no_folder_and_the_next_run_works(bench, tmp_path,
                                                                          monkeypatch):
    out = tmp_path / "r"
    with monkeypatch.context() as patch:
        interrupt_in_distribution(patch, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            write_report(bench, out)
    assert not out.exists() and hidden(tmp_path) == []
    write_report(bench, out)  # no --force needed: nothing half-written blocks it
    assert (out / "report.json").exists()


def test_sigterm_exits_143_and_leaves_no_half_folder(tmp_path, monkeypatch, capsys):
    out = tmp_path / "r"

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(report, "plot_distribution", terminated)
    code = bench_cli.main([*SMALL, "--out", str(out)])
    assert code == 143 and "terminated" in capsys.readouterr().err
    assert not out.exists() and hidden(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler was put back


class _ClosedPipe:
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_is_quiet_and_the_report_is_still_written(tmp_path, monkeypatch, capsys):
    out = tmp_path / "r"
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = bench_cli.main([*SMALL, "--out", str(out)])
    monkeypatch.undo()
    assert code == 141 and capsys.readouterr().err == ""
    assert (out / "report.json").exists()


def test_benchmarks_piped_into_a_closed_reader_ends_quietly(tmp_path):
    out = tmp_path / "r"
    child = subprocess.Popen([sys.executable, "-m", "benchmarks", *SMALL, "--out", str(out)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # like `| head` that has already quit
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141, err
    assert "BrokenPipeError" not in err and "error" not in err
    assert (out / "report.md").exists()


# -- concurrent runs, --force, repeated default runs ------------------------------------------


def test_a_second_run_into_the_same_folder_is_refused(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r"
    monkeypatch.setattr(bench_cli, "run_benchmark", pytest.fail)  # refused before any work
    first = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:  # a live process holds the folder's lock, as a first run does while it works
        (tmp_path / ".r.lock").write_text(f"{first.pid}\n", encoding="ascii")
        code = bench_cli.main([*SMALL, "--out", str(out)])
    finally:
        first.kill()
        first.wait()
    err = capsys.readouterr().err
    assert code == 2 and "another run is writing the report folder" in err and str(out) in err
    assert (tmp_path / ".r.lock").exists()  # the refused run leaves the first run's lock alone


def test_a_lock_left_by_a_killed_run_is_taken_over(bench, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / ".r.lock").write_text(dead + "\n", encoding="ascii")
    write_report(bench, tmp_path / "r")
    assert hidden(tmp_path) == []


def test_force_replaces_the_report_without_stale_plans(bench, tmp_path):
    out = tmp_path / "r"
    write_report(bench, out)
    (out / "plans" / "proposal_from_an_earlier_run.json").write_text("{}", encoding="utf-8")
    (out / "map_proposal_from_an_earlier_run.png").write_bytes(b"")
    (out / "my_notes.txt").write_text("keep me", encoding="utf-8")
    written = write_report(bench, out, force=True)
    assert not (out / "plans" / "proposal_from_an_earlier_run.json").exists()
    assert not (out / "map_proposal_from_an_earlier_run.png").exists()
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "keep me"
    assert all(p.exists() and p.is_relative_to(out) for p in written.values())


def test_running_the_readme_command_twice_does_not_fail(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert bench_cli.main(SMALL) == 0
    assert bench_cli.main(SMALL) == 0
    out = capsys.readouterr().out
    folders = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert folders[0] == "fairclusters_report" and len(folders) == 2
    assert folders[1].startswith("fairclusters_report_") and f"{folders[1]}/" in out


# -- same-named proposals -----------------------------------------------------------------------


def test_proposals_with_the_same_name_get_distinct_files_and_sections(tmp_path):
    twin = tmp_path / "twin.yaml"
    twin.write_text(ROWS.read_text(encoding="utf-8").replace("South: [Ap A, Ap B, Ap C]",
                    "South: [Ap A, Ap B, Ap D]").replace("Middle: [Ap D,", "Middle: [Ap C,"),
                    encoding="utf-8")
    out = tmp_path / "r"
    assert bench_cli.main([str(ROWS), str(twin), *SMALL[1:], "--out", str(out)]) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    names = [p["name"] for p in data["plans"]]
    assert len(set(names)) == 2 and names[0] == "Rows"
    plan_files = [v for k, v in data["files"].items() if k.startswith("plan:")]
    maps = [v for k, v in data["files"].items() if k.startswith("map:")]
    assert len(set(plan_files)) == 2 and len(set(maps)) == 2
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert all(f"## {n} (đề xuất)" in markdown for n in names)  # Vietnamese by default
    assert all(f"]({m})" in markdown for m in maps)
    clusters = [json.loads((out / f).read_text(encoding="utf-8"))["clusters"] for f in plan_files]
    assert clusters[0] != clusters[1]


# -- output paths checked before any work ---------------------------------------------------------


def _refused_before_work(monkeypatch, capsys, out: Path) -> str:
    monkeypatch.setattr(bench_cli, "run_benchmark", pytest.fail)
    monkeypatch.setattr(bench_cli, "load_dataset", pytest.fail)
    code = bench_cli.main([*SMALL, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    return err


def test_an_output_name_too_long_is_refused_before_work(tmp_path, monkeypatch, capsys):
    err = _refused_before_work(monkeypatch, capsys, tmp_path / ("r" * 300))
    assert "r" * 30 in err
    err = _refused_before_work(monkeypatch, capsys, tmp_path / ("x" * 300) / "r")
    assert "x" * 30 in err


def test_a_long_but_valid_output_name_works(bench, tmp_path):
    out = tmp_path / ("r" * 250)  # its lock and temporary siblings get shortened names
    write_report(bench, out)
    assert (out / "report.md").exists() and hidden(tmp_path) == []


@pytest.mark.parametrize("where", ["missing/out.txt", "a_file/out.txt", "folder", "x" * 300])
def test_lint_output_path_is_checked_before_any_work(tmp_path, monkeypatch, capsys, where):
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    monkeypatch.setattr(lint_cli, "load_table", pytest.fail)
    code = lint_cli.main([BIG_TABLE, "-o", str(tmp_path / where)])
    err = capsys.readouterr().err
    assert code == 2 and str(tmp_path / where)[:60] in err, err


def test_an_output_path_through_a_file_is_refused_before_work(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    assert str(blocker) in _refused_before_work(monkeypatch, capsys, blocker / "r")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_output_is_refused_before_work(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert str(locked) in _refused_before_work(monkeypatch, capsys, locked / "r")
    finally:
        locked.chmod(0o700)


def test_a_folder_that_cannot_take_the_lock_is_refused(tmp_path, monkeypatch):
    def no_permission(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(report.os, "open", no_permission)
    with pytest.raises(OutputError, match=r"cannot lock output folder .*Permission denied"):
        with report_lock(tmp_path / "r"):
            pass


# -- criteria-lint exit codes ------------------------------------------------------------------


def test_lint_findings_and_crashes_have_distinct_codes(monkeypatch, capsys):
    assert lint_cli.main([BIG_TABLE]) == 3  # findings at --fail-on
    assert lint_cli.main([BIG_TABLE, "--fail-on", "error", "--select", "RIG004"]) == 0

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(lint_cli, "lint", crash)
    capsys.readouterr()
    assert lint_cli.main([BIG_TABLE]) == 1
    assert "internal error: RuntimeError: boom" in capsys.readouterr().err


def test_lint_reports_every_table_error_at_once(tmp_path, capsys):
    table = tmp_path / "t.yaml"
    table.write_text(
        "title: T\ntotal: 10\nsections:\n"
        "  - {id: A, text: Số hồ sơ, max_points: -5, kind: quantitative}\n"
        "  - {id: B, text: Số sáng kiến, max_points: abc, kind: quantitative}\n"
        "  - {id: C, text: Số đề án, max_points: 5, kind: weird}\n",
        encoding="utf-8",
    )
    assert lint_cli.main([str(table)]) == 2
    err = capsys.readouterr().err
    assert all(f"t.yaml:{line}: [{c}]" in err for line, c in ((4, "A"), (5, "B"), (6, "C")))
