"""One safe layer for reading the library's text files: UTF-8, YAML, JSON and CSV.

Every reader of the library (unit sets, plans, proposals, criteria tables,
score sheets, histories, lint configurations, lexicons) goes through these
functions, so that every bad file gets the same clear answer: a
:class:`FileFormatError` naming the file and, when known, the line.

- Text is read as UTF-8 with or without a byte-order mark (``utf-8-sig``); any
  other encoding is refused with the file and the first bad byte.
- YAML is read by a :class:`yaml.SafeLoader` that refuses anchors and aliases
  (no "billion laughs"), duplicate keys and nesting deeper than
  :data:`MAX_DEPTH`, and, on request, unquoted numbers in lists (ids such as
  ``[01, 04]``, which YAML reads as the integers 1 and 4).
- JSON refuses duplicate keys and the same excessive nesting.
- CSV checks its header (duplicate or missing columns, with a hint when the
  delimiter is not a comma) and the length of every row.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .errors import FairclustersError

__all__ = [
    "MAX_DEPTH",
    "CsvTable",
    "FileFormatError",
    "OutputPathError",
    "check_depth",
    "check_output_file",
    "compose_yaml",
    "file_errors_as",
    "load_json",
    "load_yaml",
    "read_csv_table",
    "read_text",
]

#: Deepest nesting of lists and mappings accepted in a YAML or JSON document.
MAX_DEPTH = 64


class FileFormatError(FairclustersError):
    """A file (or document) that cannot be read: encoding, syntax, duplicates, shape.

    Attributes
    ----------
    source : str
        The file, or a description of the text (``"<text>"``).
    line : int or None
        The 1-based line of the problem, when known.
    problem : str
        The message without the file and line.
    """

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}:{line}" if line is not None else str(source)
        super().__init__(f"{where}: {problem}")


@contextmanager
def file_errors_as(kind: type[FairclustersError], prefix: str = "") -> Iterator[None]:
    """Turn a :class:`FileFormatError` raised inside the block into the reader's own error type.

    Parameters
    ----------
    kind : type
        A :class:`~clustering.errors.FairclustersError` subclass taking one message
        (e.g. :class:`~clustering.errors.PlanError`); it gets the same message,
        ``source`` and ``line``.
    prefix : str
        Put before the problem (after the file and line), e.g. ``"cannot be parsed: "``.

    Examples
    --------
    >>> from clustering.errors import PlanError
    >>> try:
    ...     with file_errors_as(PlanError):
    ...         load_json("{", "p.json")
    ... except PlanError as exc:
    ...     print(exc, exc.line)
    p.json:1: not valid JSON: Expecting property name enclosed in double quotes (column 2) 1
    """
    try:
        yield
    except FileFormatError as exc:
        where = f"{exc.source}:{exc.line}" if exc.line is not None else exc.source
        error = kind(f"{where}: {prefix}{exc.problem}")
        error.source, error.line = exc.source, exc.line  # type: ignore[attr-defined]
        raise error from None


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        hint = " (it looks like UTF-16)" if utf16 else ""
        raise FileFormatError(
            source,
            f"not UTF-8 text{hint}: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot "
            "be decoded; save the file as UTF-8",
            line,
        ) from None


def read_text(path: str | os.PathLike) -> str:
    """The text of a UTF-8 file (a leading byte-order mark is dropped).

    Parameters
    ----------
    path : str or path-like
        The file to read.

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    FileFormatError
        The file is not UTF-8 (the message names the file, line and byte).
    OSError
        The file cannot be opened (missing, a folder, no permission).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfH\\xc3\\xa0 N\\xe1\\xbb\\x99i")
    >>> read_text(p)
    'Hà Nội'
    >>> _ = p.write_bytes(b"H\\xe0 N\\xf4i")
    >>> read_text(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustering.files.FileFormatError: ...a.txt:1: not UTF-8 text: byte 0xe0 at offset 1 ...
    """
    return _decode(Path(path).read_bytes(), str(path))


def check_depth(data: object, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a parsed document nested deeper than ``limit`` lists or mappings.

    Parameters
    ----------
    data : object
        A parsed JSON or YAML document.
    source : str
        Names the document in the message.
    limit : int
        The deepest nesting accepted.

    Raises
    ------
    FileFormatError
        The document is nested deeper than ``limit``.

    Examples
    --------
    >>> check_depth({"a": [1, {"b": 2}]}, "<text>", limit=3)
    >>> check_depth([[[[1]]]], "<text>", limit=3)
    Traceback (most recent call last):
    ...
    clustering.files.FileFormatError: <text>: nested deeper than 3 levels of lists and mappings
    """
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:  # iterative, so that a deep document cannot exhaust the call stack
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                raise FileFormatError(
                    source, f"nested deeper than {limit} levels of lists and mappings"
                )
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


# -- YAML ---------------------------------------------------------------------------------

_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without anchors or aliases, duplicate keys or excessive depth."""

    numbers_in_lists = True
    max_depth = MAX_DEPTH
    source = "<text>"

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def _fail(self, problem: str, mark: Any) -> FileFormatError:
        return FileFormatError(self.source, problem, mark.line + 1 if mark is not None else None)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise self._fail(
                "YAML anchors and aliases (&name, *name) are not accepted; write the values out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise self._fail(
                    f"nested deeper than {self.max_depth} levels of lists and mappings",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if not self.numbers_in_lists and isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and item.tag in _NUMBER_TAGS \
                        and item.style is None:
                    raise self._fail(
                        f"{item.value} is written as a number (YAML reads it as "
                        f"{self.construct_object(item)!r}); quote ids: \"{item.value}\"",
                        item.start_mark,
                    )
        return node

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: SafeLoader names it below
                    continue
                if first is not None:
                    raise self._fail(
                        f"duplicate key {key!r} (first on line {first}); each key may "
                        "appear once", key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _loader(text: str, source: str, numbers_in_lists: bool) -> _StrictLoader:
    loader = _StrictLoader(text)
    loader.source = source
    loader.numbers_in_lists = numbers_in_lists
    return loader


def _yaml_error(exc: yaml.YAMLError, source: str) -> FileFormatError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return FileFormatError(
        source, f"malformed YAML: {problem}", mark.line + 1 if mark is not None else None
    )


def load_yaml(text: str, source: str = "<text>", *, numbers_in_lists: bool = True) -> Any:
    """Parse one YAML document safely.

    Parameters
    ----------
    text : str
        The document.
    source : str
        Names the file (or text) in messages.
    numbers_in_lists : bool
        If false, an unquoted number in a list is refused with a hint to quote
        it (for lists of ids, where ``01`` would silently become ``1``).

    Returns
    -------
    object
        The parsed document (``None`` when empty).

    Raises
    ------
    FileFormatError
        Malformed YAML, an anchor or alias, a duplicate key, nesting deeper than
        :data:`MAX_DEPTH`, or (with ``numbers_in_lists=False``) a number in a list.

    Examples
    --------
    >>> load_yaml("a: [x, '01']")
    {'a': ['x', '01']}
    >>> load_yaml("a: 1\\nb: 2\\na: 3", "t.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustering.files.FileFormatError: t.yaml:3: duplicate key 'a' (first on line 1); ...
    >>> load_yaml("ids: [01, 04]", "p.yaml", numbers_in_lists=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustering.files.FileFormatError: p.yaml:1: 01 is written as a number ...; quote ids: "01"
    """
    try:
        loader = _loader(text, source, numbers_in_lists)  # its reader refuses some characters
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    except (ValueError, OverflowError, RecursionError) as exc:
        if isinstance(exc, FileFormatError):
            raise
        # e.g. an integer of more digits than Python converts
        raise FileFormatError(source, f"cannot read a value: {exc}") from None
    finally:
        loader.dispose()


def compose_yaml(text: str, source: str = "<text>") -> yaml.Node | None:
    """The YAML node tree of ``text``, with the same refusals as :func:`load_yaml`.

    Parameters
    ----------
    text : str
        The document.
    source : str
        Names the file (or text) in messages.

    Returns
    -------
    yaml.Node or None
        The root node, with the line of every node (``None`` when empty).

    Raises
    ------
    FileFormatError
        Malformed YAML, an anchor or alias, or nesting deeper than :data:`MAX_DEPTH`.

    Examples
    --------
    >>> compose_yaml("a:\\n  - b").value[0][1].start_mark.line
    1
    """
    try:
        loader = _loader(text, source, True)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    try:
        return loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    finally:
        loader.dispose()


# -- JSON ---------------------------------------------------------------------------------


def load_json(text: str, source: str = "<text>") -> Any:
    """Parse a JSON document, refusing duplicate keys and excessive nesting.

    Parameters
    ----------
    text : str
        The document.
    source : str
        Names the file (or text) in messages.

    Returns
    -------
    object
        The parsed document.

    Raises
    ------
    FileFormatError
        Malformed JSON, a key repeated in one object, or nesting deeper than
        :data:`MAX_DEPTH` (the message names the line).

    Examples
    --------
    >>> load_json('{"a": [1, 2]}')
    {'a': [1, 2]}
    >>> load_json('{"a": 1,\\n "a": 2}', "t.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustering.files.FileFormatError: t.json: duplicate key 'a' in one object; ...
    """

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise FileFormatError(
                    source, f"duplicate key {key!r} in one object; each key may appear once"
                )
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            source, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
        ) from None
    except RecursionError:
        raise FileFormatError(
            source, f"nested deeper than {MAX_DEPTH} levels of lists and mappings"
        ) from None
    except FileFormatError:
        raise
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise FileFormatError(source, f"cannot read a value: {exc}") from None
    check_depth(data, source)
    return data


# -- CSV ----------------------------------------------------------------------------------


class CsvTable:
    """A CSV file read with its header checked.

    Attributes
    ----------
    source : str
        The file.
    header : list of str
        The column names (stripped).
    rows : list of dict
        One mapping column -> cell per data row (blank lines skipped).
    lines : list of int
        The line of each row in the file (the header is line 1).
    """

    def __init__(self, source: str, header: list[str], rows: list[dict[str, str]],
                 lines: list[int]) -> None:
        self.source = source
        self.header = header
        self.rows = rows
        self.lines = lines

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(zip(self.lines, self.rows))

    def __len__(self) -> int:
        return len(self.rows)


def _delimiter_hint(header: Sequence[str]) -> str:
    joined = ",".join(header)
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if delimiter in joined:
            return f" (the file seems separated by {name}; it must be comma-separated)"
    return ""


def read_csv_table(
    path: str | os.PathLike,
    *,
    required: Sequence[str] = (),
    any_of: Sequence[str] = (),
    text: str | None = None,
) -> CsvTable:
    """Read a comma-separated file with a header row, checking its shape.

    Parameters
    ----------
    path : str or path-like
        The file (also names it in messages).
    required : sequence of str
        Columns that must all be present.
    any_of : sequence of str
        Columns of which at least one must be present.
    text : str, optional
        The file's text, when already read (``path`` then only names it).

    Returns
    -------
    CsvTable
        The header, the rows and their lines.

    Raises
    ------
    FileFormatError
        Not UTF-8, an empty or duplicate column name, a missing column (with a
        hint when the delimiter is not a comma), a row longer or shorter than
        the header, or a malformed cell; the message names file and line.

    Examples
    --------
    >>> t = read_csv_table("u.csv", required=["id"], text="id,name\\n01,Hà Nội\\n")
    >>> t.header, t.rows, t.lines
    (['id', 'name'], [{'id': '01', 'name': 'Hà Nội'}], [2])
    >>> read_csv_table("u.csv", required=["id"], text="a;b\\n1;2\\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustering.files.FileFormatError: u.csv:1: no 'id' column; found ['a;b'] (...semicolons...)
    """
    source = str(path)
    if text is None:
        text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise FileFormatError(source, "the file is empty; expected a header row", 1)
        _check_header(source, header, required, any_of)
        rows, lines = [], []
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # a blank line
            if len(cells) != len(header):
                raise FileFormatError(
                    source,
                    f"{len(cells)} cell(s) but the header has {len(header)} columns "
                    f"({', '.join(header)}); check the commas and quotes of this row",
                    reader.line_num,
                )
            rows.append(dict(zip(header, cells)))
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise FileFormatError(source, f"malformed CSV: {exc}", reader.line_num or None) from None
    return CsvTable(source, header, rows, lines)


def _check_header(source: str, header: list[str], required: Sequence[str],
                  any_of: Sequence[str]) -> None:
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise FileFormatError(source, f"column(s) {blank} of the header have no name", 1)
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise FileFormatError(source, f"duplicate column name(s) {repeated} in the header", 1)
    missing = [f"no {c!r} column" for c in required if c not in header]
    if any_of and not any(c in header for c in any_of):
        others = ", ".join(map(repr, any_of[1:]))
        missing.append(f"no {any_of[0]!r} column" + (f" (or {others})" if others else ""))
    if missing:
        raise FileFormatError(
            source, f"{' and '.join(missing)}; found {header}{_delimiter_hint(header)}", 1
        )



# -- output files -------------------------------------------------------------------------


class OutputPathError(FairclustersError):
    """An output path that cannot be written: a folder, a missing or unwritable folder, too long."""


def name_max(folder: str | os.PathLike) -> int:
    """The longest file name the file system of ``folder`` accepts (255 when not reported)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not POSIX, or not reported
        return 255


def check_output_file(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Check, before any work, that a file can be written at ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to be written.
    overwrite : bool
        Whether an existing file may be replaced.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputPathError
        ``path`` exists (without ``overwrite``) or is a folder, its folder is
        missing or not writable, or its name is too long; the message names it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_file(folder / "report.txt").name
    'report.txt'
    >>> check_output_file(folder / "no" / "report.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustering.files.OutputPathError: cannot write '.../no/report.txt': ... is not a folder
    """
    path = Path(path)
    parent = path.absolute().parent
    try:
        if path.is_dir():
            raise OutputPathError(f"output {str(path)!r} is a folder; give a file name")
        if path.exists() and not overwrite:
            raise OutputPathError(f"{path} exists; remove it or choose another output file")
        if not parent.is_dir():
            raise OutputPathError(f"cannot write {str(path)!r}: {str(parent)!r} is not a folder")
    except OSError as exc:  # a name too long, a loop of links...
        raise OutputPathError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {str(path)!r}: {str(parent)!r} is not writable")
    if len(path.name) > name_max(parent):
        raise OutputPathError(
            f"cannot write {str(path)!r}: the name has {len(path.name)} characters; the file "
            f"system allows {name_max(parent)}"
        )
    return path
