"""Error messages for a person, in Vietnamese (default) or English, at the command line.

The exceptions :mod:`criteria_design` raises keep their English messages and their
attributes (an error for programmers: ``str(exc)`` stays English). The command line shows
them to a planner through :func:`describe_error`, which renders them in the report's
language with :class:`clustering.i18n.Text`:

* a :class:`~criteria_design.errors.CriteriaTableError` problem by problem, from its
  attributes (``message``, ``line``, ``path``, ``criterion_id``), with the file;
* a :class:`clustering.files.FileFormatError` from its ``source``, ``line`` and ``problem``;
* any other error (a score sheet, a history, a lint configuration, a lexicon, the command
  line's own checks) from its message, location first.

Problem texts are matched against the known English messages (:data:`PATTERNS`: pydantic's
"missing field", "unknown field", "Input should be ...", the file readers' messages, the
table's structural checks, the score and history readers); the values found in the text
(names, numbers, lines) are passed once to both languages. A message no pattern knows is
shown as it stands, in English.
"""

from __future__ import annotations

import re

from clustering.files import FileFormatError
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.validation import format_path
from criteria_design.errors import CriteriaTableError

__all__ = ["PATTERNS", "describe_error", "translate_message"]


def _p(pattern: str, vi: str, en: str) -> tuple[re.Pattern[str], Text]:
    return re.compile(pattern, re.S), Text(vi=vi, en=en)


#: Known English messages (whole text) and their two forms. Named groups are the values;
#: a group named ``rest`` (or ``rest2``) is itself a message, translated in turn.
PATTERNS: list[tuple[re.Pattern[str], Text]] = [
    # -- pydantic, as criteria_design and clustering.validation word it
    _p(r"missing field (?P<f>'[^']*')", "thiếu trường bắt buộc {f}", "missing field {f}"),
    _p(r"field (?P<f>'[^']*'): (?P<rest>.*)", "trường {f}: {rest}", "field {f}: {rest}"),
    _p(r"(?P<f>\w+): (?P<rest>(?:Input|Value|String|Extra|unknown field|required).*)",
       "trường {f!r}: {rest}", "{f}: {rest}"),
    _p(r"required, but missing", "bắt buộc nhưng chưa có", "required, but missing"),
    _p(r"Extra inputs are not permitted, got (?P<x>.*)",
       "trường không có trong mẫu (giá trị {x}); xem mẫu bằng criteria-lint --schema",
       "Extra inputs are not permitted, got {x}"),
    _p(r"unknown field \(got (?P<x>.*)\); expected one of (?P<known>.*)",
       "trường không có trong mẫu (giá trị {x}); các trường hợp lệ: {known}",
       "unknown field (got {x}); expected one of {known}"),
    _p(r"Input should be a valid number, unable to parse string as a number, got (?P<x>.*)",
       "phải là một số (không đọc được chuỗi thành số), nhận được {x}",
       "Input should be a valid number, unable to parse string as a number, got {x}"),
    _p(r"Input should be a valid number, got (?P<x>.*)", "phải là một số, nhận được {x}",
       "Input should be a valid number, got {x}"),
    _p(r"Input should be a finite number, got (?P<x>.*)",
       "phải là một số hữu hạn, nhận được {x}", "Input should be a finite number, got {x}"),
    _p(r"Input should be a valid integer(?P<why>, unable to parse string as an integer"
       r"|, got a number with a fractional part)?, got (?P<x>.*)",
       "phải là một số nguyên, nhận được {x}", "Input should be a valid integer{why}, got {x}"),
    _p(r"Input should be a valid string, got (?P<x>.*)",
       "phải là một chuỗi văn bản, nhận được {x}", "Input should be a valid string, got {x}"),
    _p(r"Input should be a valid boolean(?P<why>, unable to interpret input)?, got (?P<x>.*)",
       "phải là true hoặc false, nhận được {x}", "Input should be a valid boolean{why}, got {x}"),
    _p(r"Input should be a valid list, got (?P<x>.*)",
       "phải là một danh sách (các dòng bắt đầu bằng '- '), nhận được {x}",
       "Input should be a valid list, got {x}"),
    _p(r"Input should be a valid dictionary(?P<why> or instance of \w+)?, got (?P<x>.*)",
       "phải là một ánh xạ (các cặp khóa: giá trị), nhận được {x}",
       "Input should be a valid dictionary{why}, got {x}"),
    _p(r"Input should be (?P<op>greater than or equal to|greater than|less than or equal to"
       r"|less than) (?P<n>\S+), got (?P<x>.*)",
       "phải {op_vi} {n}, nhận được {x}", "Input should be {op} {n}, got {x}"),
    _p(r"Input should be (?P<choices>'.*'), got (?P<x>.*)",
       "phải là một trong các giá trị {choices_vi}, nhận được {x}",
       "Input should be {choices}, got {x}"),
    _p(r"String should have at least 1 character, got (?P<x>.*)",
       "không được để trống, nhận được {x}", "String should have at least 1 character, got {x}"),
    _p(r"must not be empty", "không được để trống", "must not be empty"),
    # -- reading files (clustering.files, criteria_design.table)
    _p(r"file not found", "không tìm thấy tệp", "file not found"),
    _p(r"cannot read file: (?P<x>.*)", "không đọc được tệp: {x}", "cannot read file: {x}"),
    _p(r"unknown file type (?P<s>'[^']*'); expected \.yaml, \.yml or \.json \(or pass fmt=\)",
       "loại tệp {s} không đọc được; cần tệp .yaml, .yml hoặc .json",
       "unknown file type {s}; expected .yaml, .yml or .json (or pass fmt=)"),
    _p(r"the document must be a mapping with title, total and sections, got (?P<t>\w+)",
       "tài liệu phải là một ánh xạ gồm title, total và sections, nhận được {t}",
       "the document must be a mapping with title, total and sections, got {t}"),
    _p(r"malformed YAML: (?P<x>.*)", "YAML sai cú pháp: {x}", "malformed YAML: {x}"),
    _p(r"(?P<w>malformed|not valid) JSON: (?P<x>.*)", "JSON sai cú pháp: {x}", "{w} JSON: {x}"),
    _p(r"duplicate key (?P<k>.*) \(first on line (?P<n>\d+)\); each key may appear once",
       "khóa {k} bị lặp (lần đầu ở dòng {n}); mỗi khóa chỉ được ghi một lần",
       "duplicate key {k} (first on line {n}); each key may appear once"),
    _p(r"duplicate key (?P<k>.*) in one object; each key may appear once",
       "khóa {k} bị lặp trong một đối tượng; mỗi khóa chỉ được ghi một lần",
       "duplicate key {k} in one object; each key may appear once"),
    _p(r"YAML anchors and aliases \(&name, \*name\) are not accepted; write the values out",
       "không dùng neo và bí danh YAML (&tên, *tên); hãy ghi đầy đủ các giá trị",
       "YAML anchors and aliases (&name, *name) are not accepted; write the values out"),
    _p(r"nested deeper than (?P<n>\d+) levels of lists and mappings",
       "lồng sâu quá {n} cấp danh sách và ánh xạ",
       "nested deeper than {n} levels of lists and mappings"),
    _p(r"not UTF-8 text(?P<hint> \(it looks like UTF-16\))?: byte (?P<b>0x[0-9a-f]+) at offset "
       r"(?P<o>\d+) cannot be decoded; save the file as UTF-8",
       "không phải văn bản UTF-8{hint_vi}: byte {b} ở vị trí {o} không giải mã được; hãy lưu "
       "tệp dưới dạng UTF-8",
       "not UTF-8 text{hint}: byte {b} at offset {o} cannot be decoded; save the file as UTF-8"),
    _p(r"the file is empty; expected a header row", "tệp rỗng; cần có dòng tiêu đề cột",
       "the file is empty; expected a header row"),
    _p(r"(?P<n>\d+) cell\(s\) but the header has (?P<m>\d+) columns \((?P<cols>.*)\); check the "
       r"commas and quotes of this row",
       "dòng có {n} ô nhưng dòng tiêu đề có {m} cột ({cols}); kiểm tra dấu phẩy và dấu ngoặc "
       "kép của dòng này",
       "{n} cell(s) but the header has {m} columns ({cols}); check the commas and quotes of "
       "this row"),
    _p(r"malformed CSV: (?P<x>.*)", "CSV sai cú pháp: {x}", "malformed CSV: {x}"),
    _p(r"duplicate column name\(s\) (?P<c>.*) in the header",
       "tên cột {c} bị lặp trong dòng tiêu đề", "duplicate column name(s) {c} in the header"),
    _p(r"(?P<missing>no '[^']*' column.*?); found (?P<found>\[.*?\])(?P<hint>.*)",
       "thiếu cột: {missing_vi}; tệp có {found}{hint}",
       "{missing}; found {found}{hint}"),
    # -- the table's structural checks
    _p(r"declared total (?P<t>\S+) does not match the base sections, which add up to "
       r"(?P<s>\S+) \((?P<parts>.*)\)",
       "tổng điểm khai báo {t} không khớp với các mục điểm chuẩn, cộng lại bằng {s} ({parts})",
       "declared total {t} does not match the base sections, which add up to {s} ({parts})"),
    _p(r"duplicate id (?P<i>'[^']*'): first at (?P<a>\S+), again at (?P<b>\S+)",
       "mã {i} bị trùng: lần đầu ở {a}, lặp lại ở {b}",
       "duplicate id {i}: first at {a}, again at {b}"),
    _p(r"max_total (?P<m>\S+) is below the base total (?P<t>\S+)",
       "max_total {m} nhỏ hơn tổng điểm chuẩn {t}", "max_total {m} is below the base total {t}"),
    _p(r"negative points outside deductions: (?P<i>'[^']*') has max_points (?P<p>\S+) with role "
       r"(?P<r>'[^']*'); mark it role: deduction or give positive points",
       "điểm âm ngoài mục điểm trừ: {i} có max_points {p} với role {r}; ghi role: deduction "
       "hoặc cho điểm dương",
       "negative points outside deductions: {i} has max_points {p} with role {r}; mark it "
       "role: deduction or give positive points"),
    _p(r"criterion (?P<i>'[^']*') has no 'kind' \(quantitative or qualitative\)",
       "tiêu chí {i} chưa có 'kind' (quantitative: định lượng, hoặc qualitative: định tính)",
       "criterion {i} has no 'kind' (quantitative or qualitative)"),
    # -- score sheets and histories
    _p(r"points (?P<v>.*) is not a number", "điểm {v} không phải là số",
       "points {v} is not a number"),
    _p(r"year (?P<v>.*) is not an integer", "năm {v} không phải là số nguyên",
       "year {v} is not an integer"),
    _p(r"(?P<f>\w+) is empty", "{f} để trống", "{f} is empty"),
    _p(r"cannot read (?P<what>score file|history) \((?P<x>.*)\)",
       "không đọc được {what_vi} ({x})", "cannot read {what} ({x})"),
    _p(r"unknown column\(s\) (?P<c>.*); expected (?P<req>\[.*?\]) and optionally (?P<opt>\[.*\])",
       "cột không dùng được {c}; cần các cột {req} và có thể thêm {opt}",
       "unknown column(s) {c}; expected {req} and optionally {opt}"),
    _p(r"missing column\(s\) (?P<c>.*); expected (?P<req>\[.*?\]) and optionally (?P<opt>\[.*\])",
       "thiếu cột {c}; cần các cột {req} và có thể thêm {opt}",
       "missing column(s) {c}; expected {req} and optionally {opt}"),
    _p(r"cluster must not be empty", "tên cụm không được để trống",
       "cluster must not be empty"),
    _p(r"no history rows", "lịch sử không có dòng nào", "no history rows"),
    _p(r"no score records", "bảng điểm không có điểm chấm nào", "no score records"),
    # -- lint configuration and lexicon
    _p(r"cannot read lint configuration (?P<p>'[^']*'): (?P<rest>.*)",
       "không đọc được cấu hình kiểm tra {p}: {rest}",
       "cannot read lint configuration {p}: {rest}"),
    _p(r"the configuration must be a mapping of thresholds",
       "cấu hình phải là một ánh xạ các ngưỡng (tên: giá trị)",
       "the configuration must be a mapping of thresholds"),
    _p(r"cannot read lexicon file (?P<p>'[^']*'): (?P<rest>.*)",
       "không đọc được tệp từ điển {p}: {rest}", "cannot read lexicon file {p}: {rest}"),
    # -- output files and the command line
    _p(r"(?P<p>\S+) exists; remove it or choose another output file",
       "{p} đã có; hãy xóa tệp đó hoặc chọn tệp kết quả khác",
       "{p} exists; remove it or choose another output file"),
    _p(r"output (?P<p>'[^']*') is a folder; give a file name",
       "{p} là một thư mục; hãy chỉ ra tên tệp", "output {p} is a folder; give a file name"),
]

_OPERATORS = {"greater than or equal to": "lớn hơn hoặc bằng", "greater than": "lớn hơn",
              "less than or equal to": "nhỏ hơn hoặc bằng", "less than": "nhỏ hơn"}
#: ``file:line: rest``, ``file, line 3: rest``, ``file, lines 3 and 7: rest``.
_LOCATION = re.compile(r"(?P<where>[^\s:][^:\n]*?(?::\d+)?(?:, lines? \d+(?: and \d+)?)?): "
                       r"(?P<rest>.+)", re.S)
_LINES = re.compile(r", (?P<word>lines?) (?P<a>\d+)(?: and (?P<b>\d+))?$")


def _vietnamese_extras(groups: dict[str, str]) -> dict[str, str]:
    """Values whose Vietnamese form differs (operators, lists of choices, hints)."""
    out = {}
    if "what" in groups:
        out["what_vi"] = {"score file": "tệp điểm", "history": "tệp lịch sử"}[groups["what"]]
    if "op" in groups:
        out["op_vi"] = _OPERATORS[groups["op"]]
    if "choices" in groups:
        out["choices_vi"] = re.sub(r" or (?='[^']*'$)", " hoặc ", groups["choices"])
    if "hint" in groups:
        out["hint_vi"] = " (có vẻ là UTF-16)" if groups["hint"] else ""
    if "missing" in groups:
        out["missing_vi"] = re.sub(r"no ('[^']*') column(?: \(or (.*?)\))?",
                                   lambda m: m[1] + (f" (hoặc {m[2]})" if m[2] else ""),
                                   groups["missing"]).replace(" and ", ", ")
    return out


def translate_message(message: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """An English error message in ``lang``: a known text translated, its values kept.

    Parameters
    ----------
    message : str
        The message as the exception words it (English).
    lang : {"vi", "en"}
        The language to show it in; English returns the message unchanged.

    Returns
    -------
    str
        The message in ``lang``; unknown texts stay English. A location at the start
        (``file:line:``, ``file, line N:``) is kept and the rest translated.

    Examples
    --------
    >>> translate_message("missing field 'text'")
    "thiếu trường bắt buộc 'text'"
    >>> translate_message("s.csv, line 3: points 'abc' is not a number")
    "s.csv, dòng 3: điểm 'abc' không phải là số"
    """
    lang = check_language(lang)
    if lang == "en":
        return message
    for pattern, text in PATTERNS:
        m = pattern.fullmatch(message)
        if m is None:
            continue
        groups = {k: v or "" for k, v in m.groupdict().items()}
        for key in ("rest", "rest2"):
            if key in groups:
                groups[key] = translate_message(groups[key], lang)
        return text(lang, **groups, **_vietnamese_extras(groups))
    m = _LOCATION.fullmatch(message)
    if m is not None and m["rest"] != message:
        rest = translate_message(m["rest"], lang)
        if rest != m["rest"]:
            return f"{_where(m['where'])}: {rest}"
    return message


def _where(where: str) -> str:
    """``file, line 3`` as ``file, dòng 3`` (a bare ``file:3`` needs no words)."""
    return _LINES.sub(lambda m: f", dòng {m['a']}" + (f" và {m['b']}" if m["b"] else ""),
                      where)


_AT = Text(vi="(tại {path})", en="(at {path})")
_NO_SOURCE = Text(vi="<bảng>", en="<table>")


def _table_problem(problem: dict, source: str | None, lang: str) -> str:
    where = source or _NO_SOURCE(lang)
    if problem.get("line") is not None:
        where += f":{problem['line']}"
    parts = [where + ":"]
    if problem.get("criterion_id"):
        parts.append(f"[{problem['criterion_id']}]")
    parts.append(translate_message(str(problem["message"]), lang))
    if problem.get("path"):
        parts.append(_AT(lang, path=format_path(problem["path"])))
    return " ".join(parts)


def describe_error(exc: BaseException, lang: str = DEFAULT_LANGUAGE) -> str:
    """The message of an input error for a person, in ``lang``.

    Parameters
    ----------
    exc : BaseException
        The error raised while reading a table, a configuration, a lexicon, a score sheet
        or a history, or by the command line's own checks.
    lang : {"vi", "en"}
        The language of the message: Vietnamese by default. In English the text is the
        exception's own message.

    Returns
    -------
    str
        One line per problem, each naming the file, line, criterion id and path as far as
        the error knows them.

    Examples
    --------
    >>> from criteria_design.table import load_table
    >>> try:
    ...     load_table("title: T\\ntotal: 5\\nsections:\\n  - {id: A, max_points: 5}\\n")
    ... except Exception as exc:
    ...     print(describe_error(exc))
    ...     print(describe_error(exc, "en"))
    <bảng>:4: [A] thiếu trường bắt buộc 'text' (tại sections[0].text)
    <table>:4: [A] missing field 'text' (at sections[0].text)
    """
    lang = check_language(lang)
    if isinstance(exc, CriteriaTableError):
        return "\n".join(_table_problem(p, exc.source, lang) for p in exc.problems)
    if isinstance(exc, FileFormatError):
        where = f"{exc.source}:{exc.line}" if exc.line is not None else str(exc.source)
        return f"{where}: {translate_message(exc.problem, lang)}"
    return translate_message(str(exc), lang)
