"""Tables for pandas and notebooks: the optional pandas import and small HTML tables.

pandas is optional: :func:`require_pandas` imports it when a ``to_frame()`` is
called and otherwise raises :class:`~clustering.errors.MissingDependencyError`
saying how to install it. The ``_repr_html_`` methods do not need pandas:
:func:`html_table` writes the table itself, every cell escaped.

Examples
--------
>>> print(html_table(["unit", "name"], [["01", "Hà Nội"]]))
<table>
<thead><tr><th>unit</th><th>name</th></tr></thead>
<tbody>
<tr><td>01</td><td>Hà Nội</td></tr>
</tbody>
</table>
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from types import ModuleType

from .errors import MissingDependencyError
from .names import nfc

__all__ = ["MAX_HTML_ROWS", "cell_text", "html_table", "require_pandas"]

#: Rows shown by a notebook table before the rest are summed up in one line.
MAX_HTML_ROWS = 60


def require_pandas(feature: str = "to_frame()") -> ModuleType:
    """The pandas module, or a clear error saying to install it.

    Parameters
    ----------
    feature : str, default "to_frame()"
        What needs pandas, named in the message.

    Returns
    -------
    module
        ``pandas``.

    Raises
    ------
    MissingDependencyError
        pandas is not installed (or is blocked in ``sys.modules``).

    Examples
    --------
    >>> require_pandas().__name__
    'pandas'
    """
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError(
            f"{feature} needs pandas, which is not installed; install it with "
            "`pip install pandas` (or `pip install \"fairclusters[test]\"`)",
            package="pandas",
        ) from None
    return pandas


def cell_text(value: object) -> str:
    """A cell's text: ``""`` for a missing figure, floats to 6 significant digits (large ones
    whole), text in NFC.

    Parameters
    ----------
    value : object
        The cell's value.

    Returns
    -------
    str
        Not yet escaped; :func:`html_table` escapes it.

    Examples
    --------
    >>> cell_text(None), cell_text(0.123456789), cell_text(8717600.0), cell_text(3)
    ('', '0.123457', '8717600', '3')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        # populations and areas read whole (8717600, not 8.7176e+06)
        return f"{value:.0f}" if 1e5 <= abs(value) < 1e15 else f"{value:.6g}"
    return nfc(str(value))


def html_table(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    max_rows: int = MAX_HTML_ROWS,
) -> str:
    """A small HTML table, every cell escaped with :func:`html.escape`.

    Parameters
    ----------
    headers : sequence
        The column headers.
    rows : iterable of sequences
        The rows, each as long as ``headers``; cells are formatted by :func:`cell_text`.
    caption : str, optional
        A title shown above the table.
    max_rows : int, default MAX_HTML_ROWS
        Rows shown; the rest are counted in a last row (``… and N more``).

    Returns
    -------
    str
        The ``<table>`` element.

    Examples
    --------
    >>> "&lt;script&gt;" in html_table(["name"], [["<script>"]])
    True
    """

    def cells(tag: str, values: Sequence[object]) -> str:
        return "".join(f"<{tag}>{html.escape(cell_text(v))}</{tag}>" for v in values)

    rows = list(rows)
    lines = ["<table>"]
    if caption:
        lines.append(f"<caption>{html.escape(nfc(caption))}</caption>")
    lines.append(f"<thead><tr>{cells('th', headers)}</tr></thead>")
    lines.append("<tbody>")
    lines += [f"<tr>{cells('td', row)}</tr>" for row in rows[:max_rows]]
    if len(rows) > max_rows:
        more = html.escape(f"… and {len(rows) - max_rows} more")
        lines.append(f'<tr><td colspan="{len(headers)}">{more}</td></tr>')
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)
