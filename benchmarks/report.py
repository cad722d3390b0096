"""Reports of a benchmark: terminal table, Markdown, JSON and PNG figures.

:func:`write_report` fills a folder::

    report.md          the side-by-side table, settings, each plan's clusters
    report.json        every number (settings, optimum, sample, scores, fairness)
    report.xlsx        every table in a sheet of its own (needs openpyxl: the excel extra)
    plans/*.json       each plan, readable back as a proposal file
    map_<plan>.png     the clusters on a map (shipped province boundaries, --geojson, or centroids)
    distribution.png   each metric's distribution over the feasible plans, with the plans marked
    pareto_front.png   homogeneity against population balance: the feasible plans, their front
    report.html        all of it on one self-contained page (inline SVG maps, inlined figures)

Figures need matplotlib (the ``plot`` extra); without it the report says so
and the rest is written. A folder that exists is refused unless ``force``.

Every text a reader sees is in Vietnamese by default and in English with
``lang="en"`` (:class:`clustering.i18n.Text`); the numbers are formatted once,
outside the texts, so both languages carry the same figures. A plan that breaks
the rules is marked ``⚠`` and its ranks read "not comparable".

The folder is written whole or not at all: the files go to a hidden sibling
folder that is renamed into place at the end, so an interrupted run (Ctrl-C,
SIGTERM, a closed pipe, an error) leaves the previous report, or none. With
``force`` the previous report is replaced entirely (no stale ``plans/*.json``);
files of the planner's own in the folder are carried over. A lock file next to
the folder (``.<name>.lock``) refuses a second run into the same folder while
one is writing.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from clustering.errors import FairclustersError, MissingDependencyError
from clustering.files import name_max
from clustering.i18n import DEFAULT_LANGUAGE, check_language
from clustering.names import fold

from .compare import Benchmark, Evaluation
from .figures import (
    BORDER_GREY,
    PlotUnavailable,
    cluster_colours,
    plot_distribution,
    plot_front,
    plot_map,
)
from .html_report import html_report
from .text_report import (
    NOT_COMPARABLE,
    RANK_NOTE,
    ROW_TEXTS,
    WORDS,
    beats,
    console_summary,
    display_name,
    markdown_report,
    table_rows,
    terminal_table,
)
from .workbook import WORKBOOK_SKIPPED, write_workbook

__all__ = [
    "BORDER_GREY",
    "NOT_COMPARABLE",
    "RANK_NOTE",
    "ROW_TEXTS",
    "OutputError",
    "PlotUnavailable",
    "beats",
    "check_output_dir",
    "cluster_colours",
    "console_summary",
    "display_name",
    "markdown_report",
    "plot_distribution",
    "plot_front",
    "plot_map",
    "report_lock",
    "table_rows",
    "terminal_table",
    "write_report",
]


class OutputError(FairclustersError):
    """The output folder exists (and ``force`` was not given) or cannot be written."""


# -- the report folder -----------------------------------------------------------------


#: What a report folder holds; anything else in it is the planner's and is kept.
_REPORT_ENTRY = re.compile(
    r"report\.(md|html|json|xlsx)|plans|distribution\.png|pareto_front\.png|map_.*\.png")


def _side_name(out: Path, tag: str) -> str:
    """A hidden sibling name (lock, temporary folder) short enough for any file system."""
    return f".{out.name[:150]}.{tag}"


def check_output_dir(path: str | Path, *, force: bool = False) -> Path:
    """Check, before any work, that ``path`` can receive the report.

    Parameters
    ----------
    path : str or path
        The report folder.
    force : bool
        Whether an existing report folder may be replaced.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        ``path`` exists and ``force`` is false, is not a folder, a name in it is
        too long, or no writable folder holds it (the message names the path).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_output_dir(pathlib.Path(tempfile.mkdtemp()) / "report").name
    'report'
    """
    path = Path(path)
    try:
        exists = path.exists()
        if exists and not path.is_dir():
            raise OutputError(f"output {str(path)!r} exists and is not a folder")
        if exists and not force:
            raise OutputError(
                f"output folder {str(path)!r} exists; choose another with --out or pass --force "
                "to replace the report in it"
            )
        parent = path.absolute().parent
        missing = [path.name] if not exists else []
        while not parent.exists():
            missing.append(parent.name)
            parent = parent.parent
    except OSError as exc:  # e.g. a name too long for the file system
        raise OutputError(
            f"cannot use output folder {str(path)!r}: {exc.strerror or exc}"
        ) from None
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot create output folder {str(path)!r}: {str(parent)!r} is not a writable folder"
        )
    limit = name_max(parent)
    too_long = [name for name in (*missing, _side_name(path, "lock")) if len(name) > limit]
    if too_long:
        raise OutputError(
            f"cannot create output folder {str(path)!r}: the name {too_long[0][:40]!r}... has "
            f"{len(too_long[0])} characters; the file system allows {limit}"
        )
    if exists and not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise OutputError(f"output folder {str(path)!r} is not writable")
    return path


_HELD: set[Path] = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (owned by someone else), or we cannot tell: assume alive
    return True


@contextlib.contextmanager
def report_lock(path: str | Path) -> Iterator[Path]:
    """Hold the lock of report folder ``path`` (re-entrant within one process).

    The lock is a file ``.<name>.lock`` next to the folder, created with
    ``O_CREAT | O_EXCL``; it names the process holding it, so that a lock left
    by a killed process is taken over.

    Parameters
    ----------
    path : str or path
        The report folder (it need not exist yet).

    Yields
    ------
    Path
        The lock file.

    Raises
    ------
    OutputError
        Another process is writing the same folder, or the lock cannot be created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with report_lock(out) as lock:
    ...     lock.exists()
    True
    >>> lock.exists()
    False
    """
    out = Path(path).absolute()
    lock = out.parent / _side_name(out, "lock")
    if out in _HELD:
        yield lock
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                break
            except FileExistsError:
                try:
                    pid = int(lock.read_text(encoding="ascii").strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if attempt == 0 and pid > 0 and not _pid_alive(pid):
                    lock.unlink(missing_ok=True)  # left by a killed run
                    continue
                raise OutputError(
                    f"another run is writing the report folder {str(path)!r} (process "
                    f"{pid or 'unknown'}; lock file {str(lock)!r}); wait for it to finish, or "
                    "remove the lock file if no run is active"
                ) from None
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")
    except OSError as exc:
        raise OutputError(f"cannot lock output folder {str(path)!r}: {exc}") from None
    _HELD.add(out)
    try:
        yield lock
    finally:
        _HELD.discard(out)
        lock.unlink(missing_ok=True)


def _swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished ``tmp`` folder to ``out``, replacing an old report there.

    The planner's own files in the old folder move into the new one. On any
    interruption the old folder is put back as it was.
    """
    old = out.parent / _side_name(out, "old")
    moved: list[str] = []
    swapped = False
    try:
        if out.exists():
            for entry in sorted(os.listdir(out)):
                if not _REPORT_ENTRY.fullmatch(entry):
                    os.rename(out / entry, tmp / entry)
                    moved.append(entry)
            if old.exists():
                shutil.rmtree(old)
            os.rename(out, old)
        os.rename(tmp, out)
        swapped = True
    finally:
        if not swapped:
            if old.exists() and not out.exists():
                os.rename(old, out)
            for entry in moved:
                with contextlib.suppress(OSError):
                    os.rename(tmp / entry, out / entry)
    shutil.rmtree(old, ignore_errors=True)


def _slug(name: str, limit: int = 72) -> str:
    """A readable ASCII file name; a long one keeps its end, where "bản A" and "bản B" differ."""
    slug = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_") or "plan"
    if len(slug) > limit:
        slug = f"{slug[:limit - 25].rstrip('_')}_{slug[-24:].lstrip('_')}"
    return slug


def _file_names(evaluations: Sequence[Evaluation]) -> list[str]:
    """One distinct slug per plan, a repeated one numbered ``_2``, ``_3``... past any taken."""
    names: list[str] = []
    for e in evaluations:
        slug = candidate = _slug(f"{e.role}_{e.name}")
        k = 1
        while candidate in names:
            k += 1
            candidate = f"{slug}_{k}"
        names.append(candidate)
    return names


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_report(
    benchmark: Benchmark,
    out_dir: str | Path,
    *,
    force: bool = False,
    geojson: str | Path | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> dict[str, Path]:
    """Write the report folder whole (or not at all); return the files written by kind.

    The files are written to a hidden temporary sibling folder renamed into
    place at the end, under the folder's lock (:func:`report_lock`).

    Parameters
    ----------
    benchmark : Benchmark
        The results to report.
    out_dir : str or path
        The report folder.
    force : bool
        Replace an existing report folder (the planner's own files in it are kept).
    geojson : str or path, optional
        Polygons of the units for the maps.
    lang : {"vi", "en"}
        Language of the Markdown report and the figures (Vietnamese by default); the
        numbers, and ``report.json``, are the same in both.

    Returns
    -------
    dict of str to Path
        The files written, by kind (``"markdown"``, ``"html"``, ``"json"``,
        ``"plan:<name>"``...), at their final place.

    Raises
    ------
    OutputError
        The folder exists (without ``force``), cannot be written, or another run
        is writing it.
    """
    lang = check_language(lang)
    out = check_output_dir(out_dir, force=force)
    with report_lock(out):
        try:
            tmp = Path(tempfile.mkdtemp(prefix=_side_name(out, "tmp-"), dir=out.parent))
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # mkdtemp's 0o700 would stay on the renamed report
        except OSError as exc:
            raise OutputError(f"cannot create output folder {str(out)!r}: {exc}") from None
        try:
            written = _write_files(benchmark, tmp, geojson, lang)
            _swap_in(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return {kind: out / p.relative_to(tmp) for kind, p in written.items()}


def _write_files(benchmark: Benchmark, out: Path, geojson: str | Path | None,
                 lang: str) -> dict[str, Path]:
    (out / "plans").mkdir()
    written: dict[str, Path] = {}
    figures: dict[str, str] = {}
    figure_note = ""
    names = _file_names(benchmark.evaluations)
    for e, slug in zip(benchmark.evaluations, names):
        plan_file = out / "plans" / f"{slug}.json"
        e.plan.to_json(plan_file, overwrite=True)
        written[f"plan:{e.name}"] = plan_file
    try:
        for e, slug in zip(benchmark.evaluations, names):
            png = plot_map(e, out / f"map_{slug}.png",
                           geojson=Path(geojson) if geojson else None, lang=lang)
            figures[f"map:{e.name}"] = png.name
            written[f"map:{e.name}"] = png
        if benchmark.sample is not None:
            png = plot_distribution(benchmark, out / "distribution.png", lang)
            figures["distribution"] = png.name
            written["distribution"] = png
        if benchmark.trade_off is not None:
            png = plot_front(benchmark, out / "pareto_front.png", lang)
            figures["pareto"] = png.name
            written["pareto"] = png
    except PlotUnavailable as exc:
        figure_note = WORDS["no_figures"](lang, why=exc)
    workbook_note = ""
    try:
        written["workbook"] = write_workbook(benchmark, out / "report.xlsx", lang)
    except MissingDependencyError as exc:  # the rest of the report is written
        workbook_note = WORKBOOK_SKIPPED(lang, why=exc)
    md = out / "report.md"
    md.write_text(markdown_report(benchmark, figures, figure_note, lang)
                  + (f"\n> {workbook_note}\n" if workbook_note else ""), encoding="utf-8")
    written["markdown"] = md
    page = out / "report.html"
    page.write_text(html_report(benchmark, figures, figure_note, lang, folder=out,
                                geojson=geojson), encoding="utf-8")
    written["html"] = page
    data = benchmark.to_dict() | {
        "files": {k: str(p.relative_to(out)) for k, p in written.items()},
        "figure_note": figure_note or None,
        "workbook_note": workbook_note or None,
        "language": lang,
    }
    js = out / "report.json"
    js.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n",
                  encoding="utf-8")
    written["json"] = js
    return written
