"""Vagueness rules (VAG): criteria a rater cannot score the same way twice.

The checks follow the SMART and RACER indicator-quality frameworks: a
criterion should name what is measured, in which unit, against which
threshold, by which deadline, verified by whom, and ask one thing at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from clustering.i18n import Text
from clustering.names import strip_diacritics
from criteria_design.config import LintConfig
from criteria_design.findings import Severity
from criteria_design.lexicon import has_diacritics, normalise
from criteria_design.registry import Hit, Message, Words, rule
from criteria_design.table import CriteriaTable, Criterion


def has_structured_threshold(criterion: Criterion) -> bool:
    """Whether the fields (not the text) say what is required: a target, thresholds or levels.

    The criterion's own target and scoring count, and so do those of its tiers
    (targets by class of member).

    Parameters
    ----------
    criterion : Criterion
        The criterion to inspect.

    Examples
    --------
    >>> has_structured_threshold(Criterion(id="A", text="Tỷ lệ", max_points=5,
    ...     kind="quantitative", tiers=[{"member_class": "nhóm I", "target": {"value": 90}}]))
    True
    """
    return bool(criterion.targets() or criterion.rubric) or any(
        s.method in ("linear", "steps", "bands", "deduction") for s in criterion.scorings()
    )


@rule("VAG001", "vague-wording", Severity.WARNING,
      Text(vi="Từ ngữ chung chung, định tính", en="Vague wording"),
      Text(vi="Từ ngữ chung chung (theo bộ từ vựng) không kèm mốc đo được, trong tiêu chí, các "
              "mức chấm và các khoản thưởng, trừ.",
           en="Vague wording (lexicon) without a measurable anchor, in criteria, rubric levels "
              "and bonus or deduction rows."),
      Message(
          Text(vi="từ ngữ chung chung, không có mốc đo được: {terms}",
               en="vague wording without a measurable anchor: {terms}"),
          Text(vi="{advice}", en="{advice}")))
def vague_wording(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    lexicon = config.lexicon()
    for c in table.walk():
        # A target, thresholds or rubric define what the adjective means.
        structured = has_structured_threshold(c)
        found = [] if not c.is_leaf else [
            (m, _TEXT) for m in lexicon.find(c.text) if not (m.anchored or structured)]
        for level in c.rubric or []:
            where = Words(vi=f"mức {level.points:g} điểm", en=f"rubric level {level.points:g}")
            found += [(m, where) for m in lexicon.find(level.description) if not m.anchored]
        # Bonus and deduction rows are scored as written, per occurrence or once.
        for what, items in ((_BONUS, c.bonuses), (_DEDUCTION, c.deductions)):
            found += [
                (m, Words(vi=f"{what.vi} {item.id}", en=f"{what.en} {item.id}"))
                for item in items
                for m in lexicon.find(item.text)
                if not m.anchored
            ]
        if not found:
            continue
        groups = list(dict.fromkeys(m.group for m, _ in found))
        terms = {lang: ", ".join(dict.fromkeys(f"{m.term!r} ({where(lang)})" for m, where in found))
                 for lang in ("vi", "en")}
        yield Hit(
            table.key(c),
            {"terms": Words(**terms),
             "advice": Words(vi=" ".join(lexicon.groups[g].advice("vi") for g in groups),
                             en=" ".join(lexicon.groups[g].advice("en") for g in groups))},
            {"terms": list(dict.fromkeys(m.term for m, _ in found)), "groups": groups},
        )


_TEXT = Words(vi="nội dung", en="text")
_BONUS = Words(vi="khoản thưởng", en="bonus")
_DEDUCTION = Words(vi="khoản trừ", en="deduction")


# A qualitative line that states a fact a third party can check needs no graded levels:
# a negative fact ("Không để xảy ra ..."), an award or rating received, a document issued,
# a named standard reached, everything of a defined set ("tất cả", "đủ").
_CHECKABLE = re.compile(
    r"^khong\b|(?<!\w)(?:"
    r"duoc (?:cong nhan|tang|xep loai|khen thuong|phe duyet)|suy ton|dat danh hieu|"
    r"theo (?:quyet dinh|thong tu|nghi dinh|nghi quyet) so|"
    r"co (?:van ban|bao cao|bien ban|ke hoach|ho so|quyet dinh)|ban hanh|"
    r"dat chuan|tat ca|du|thoi han (?:luat dinh|quy dinh)|"
    r"theo (?:ke hoach|quy trinh|bo tieu chi|tieu chuan|phu luc|de an)"
    r")(?!\w)"
)


def is_checkable(text: str, config: LintConfig) -> bool:
    """Whether a line states something a third party can verify as it stands.

    True when a clause carries a measurable anchor (a number, a date, a comparison
    base: see :meth:`~criteria_design.lexicon.Lexicon.measurable`) or the line states a
    fact: a negative one ("Không để xảy ra..."), an award or rating received, a document
    issued, a named standard reached, all of a defined set. Quoted names count as facts.

    Parameters
    ----------
    text : str
        The criterion as written (with or without diacritics).
    config : LintConfig
        Gives the lexicon and its anchors.

    Examples
    --------
    >>> cfg = LintConfig()
    >>> is_checkable("Không để xảy ra vụ việc tham nhũng bị khởi tố", cfg)
    True
    >>> is_checkable("Phát huy vai trò của các đoàn thể", cfg)
    False
    """
    plain = strip_diacritics(normalise(text)).strip()
    return config.lexicon().measurable(text) or '"' in text or "“" in text or bool(
        _CHECKABLE.search(plain))


@rule("VAG002", "no-rubric", Severity.WARNING,
      Text(vi="Tiêu chí định tính không có thang mức", en="No rubric"),
      Text(vi="Tiêu chí định tính chấm theo cảm nhận, không có thang mức chấm mô tả rõ.",
           en="A qualitative criterion to be graded by judgement without a rubric of anchored "
              "levels."),
      Message(
          Text(vi="tiêu chí định tính {points:g} điểm không có thang mức chấm; mỗi người chấm "
                  "sẽ tự đặt thang điểm riêng",
               en="qualitative criterion worth {points:g} points has no rubric; each rater "
                  "will invent their own scale"),
          Text(vi="Thêm 3-5 mức chấm, mỗi mức có số điểm và mô tả quan sát được (minh chứng "
                  "nào thì được mức đó).",
               en="Add 3-5 rubric levels, each with its points and an observable description "
                  "(what evidence earns it).")))
def no_rubric(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    lexicon = config.lexicon()
    for c in table.leaves():
        vague = any(not m.anchored for m in lexicon.find(c.text))
        if (c.kind == "qualitative" and c.role != "deduction" and not c.rubric
                and (vague or not is_checkable(c.text, config))):
            yield Hit(table.key(c), {"points": c.max_points}, {"points": c.max_points})


@rule("VAG003", "not-measurable", Severity.WARNING,
      Text(vi="Tiêu chí định lượng không đo được", en="Not measurable"),
      Text(vi="Tiêu chí định lượng không có đơn vị tính hoặc ngưỡng.",
           en="A quantitative criterion without a unit or a threshold."),
      Message(
          Text(vi="tiêu chí định lượng chưa có {missing}",
               en="quantitative criterion without {missing}"),
          Text(vi="Nêu rõ đại lượng đo và đơn vị tính, chỉ tiêu (so với kế hoạch hoặc mức nền) "
                  "và cách chấm (ví dụ tuyến tính từ 80 % đến 100 % chỉ tiêu).",
               en="State the measure and its unit, the target (relative to plan or baseline) "
                  "and the scoring rule (e.g. linear from 80 % to 100 % of the target).")))
def not_measurable(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        if c.kind != "quantitative":
            continue
        missing: list[Words] = []
        if c.unit is None:
            missing.append(Words(vi="đơn vị tính", en="unit"))
        if not has_structured_threshold(c) and not re.search(r"\d", c.text):
            missing.append(Words(vi="chỉ tiêu hoặc ngưỡng chấm điểm",
                                 en="target or scoring thresholds"))
        if missing:
            yield Hit(
                table.key(c),
                {"missing": Words(vi=" và ".join(m.vi for m in missing),
                                  en=" and ".join(m.en for m in missing))},
                {"missing": [m.en for m in missing]},
            )


@rule("VAG004", "no-evidence", Severity.WARNING,
      Text(vi="Không có minh chứng", en="No evidence"),
      Text(vi="Không nêu minh chứng hoặc nguồn kiểm chứng.",
           en="No evidence or verification source named."),
      Message(
          Text(vi="không có minh chứng hay nguồn kiểm chứng: bên thứ ba không kiểm tra lại được "
                  "điểm chấm",
               en="no evidence or verification source: the score cannot be checked by a third "
                  "party"),
          Text(vi="Nêu tài liệu hoặc số liệu chứng minh điểm chấm (ví dụ báo cáo của cơ quan "
                  "thống kê, kết luận thanh tra, quyết định có ngày tháng).",
               en="Name the document or data that proves the score (e.g. a statistics office "
                  "report, an inspection conclusion, a dated decision).")))
def no_evidence(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        if not c.evidence:
            yield Hit(table.key(c))


_TIME = re.compile(
    r"\d{1,2}/\d{1,2}|(?<!\w)(?:năm|quý|tháng|trước ngày|hằng năm|hằng quý|hằng tháng|"
    r"year|quarter|month|annual|annually|deadline)(?!\w)"
)


@rule("VAG005", "no-time-bound", Severity.INFO,
      Text(vi="Không có thời hạn", en="No time bound"),
      Text(vi="Không có kỳ đánh giá hay thời hạn, ở cả tiêu chí lẫn bảng.",
           en="No period or deadline, neither on the criterion nor on the table."),
      Message(
          Text(vi="không có kỳ đánh giá hay thời hạn: kết quả của năm nào, đo lúc nào?",
               en="no period or deadline: results of which year, measured when?"),
          Text(vi="Ghi kỳ đánh giá cho bảng (ví dụ 'năm 2024') hoặc cho tiêu chí, và thời hạn "
                  "ở nơi cần đúng hạn.",
               en="Set the period on the table (e.g. 'năm 2024') or on the criterion, and a "
                  "deadline where timing matters.")))
def no_time_bound(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    if table.period:
        return
    for c in table.leaves():
        if not c.period and not _TIME.search(c.text.lower()):
            yield Hit(table.key(c))


_PARENTHESES = re.compile(r"\([^()]*\)")
# Parts are cut at commas, "và", "đồng thời", "cũng như"; "hoặc" joins alternatives of one
# condition and does not cut. A semicolon always starts a new demand.
_SEPARATOR = {
    marked: re.compile(rf",(?!\d)|(?<!\w)(?:{words}|and|as well as)(?!\w)")
    for marked, words in ((True, "và|đồng thời|cũng như"), (False, "va|dong thoi|cung nhu"))
}
# Actions that begin a separate demand. A part that does not begin with one continues the
# list of the previous action ("Gửi báo cáo tháng, quý và năm" asks one thing).
_ACTIONS = (
    "tổ chức", "ban hành", "xây dựng", "triển khai", "thực hiện", "kiểm tra", "báo cáo",
    "gửi", "tuyên truyền", "vận động", "hướng dẫn", "ký", "ký kết", "sơ kết", "tổng kết",
    "phát động", "phát hiện", "bồi dưỡng", "nhân rộng", "lập", "thẩm định", "trình",
    "khảo sát", "kiện toàn", "rà soát", "sửa đổi", "công khai", "cập nhật", "thành lập",
    "phân công", "đánh giá", "tiếp nhận", "phân loại", "giải quyết", "xử lý", "đôn đốc",
    "quán triệt", "huy động", "lồng ghép", "tạo", "mở rộng", "nâng cao", "đổi mới",
    "đẩy mạnh", "củng cố", "bảo tồn", "phát huy", "phát triển", "quảng bá", "định hướng",
    "đấu tranh", "chỉ đạo", "điều hành", "quản lý", "sử dụng", "duy trì", "áp dụng",
    "thu hồi", "chi trả", "cấp phép", "tham gia", "tham mưu", "phối hợp", "đăng ký",
    "kết nạp", "chăm lo", "quan tâm", "làm", "tiếp", "bố trí", "cử", "lựa chọn",
    "biểu dương", "nắm bắt", "bảo đảm", "đảm bảo", "tăng cường", "giữ vững",
    "plan", "do", "check", "act", "organise", "organize", "issue", "report", "publish",
    "train", "submit", "review", "hold", "sign", "conduct", "monitor",
)
_ACTION_FORMS = {
    True: tuple(sorted(_ACTIONS, key=len, reverse=True)),
    False: tuple(sorted({strip_diacritics(a) for a in _ACTIONS}, key=len, reverse=True)),
}


def _starts_with_action(part: str, marked: bool) -> bool:
    words = part.split()
    return any(
        words[: len(action.split())] == action.split() for action in _ACTION_FORMS[marked]
    )


def count_demands(text: str) -> int:
    """How many separate things a criterion's text asks for.

    Clauses separated by ';' are separate demands. Inside a clause, parts separated
    by commas, 'và', 'and' count as new demands only when they begin with an action
    ("tổ chức", "ban hành", "kiểm tra"...): the other parts continue the list of the
    previous action, and alternatives joined by 'hoặc' / 'or' are one condition.
    Parenthesised remarks and decimal commas do not split.

    Parameters
    ----------
    text : str
        The criterion as written (with or without diacritics).

    Examples
    --------
    >>> count_demands("Tổ chức hội nghị, ký giao ước và sơ kết phong trào")
    3
    >>> count_demands("Gửi báo cáo tháng, quý, 6 tháng và năm trước ngày 20")
    1
    >>> count_demands("Có Bằng khen của Thủ tướng hoặc Cờ thi đua của Chính phủ")
    1
    >>> count_demands("Tỷ lệ giải ngân (so với kế hoạch, %) đạt 95,5 %")
    1
    """
    body = _PARENTHESES.sub(" ", normalise(text))
    marked = has_diacritics(body)
    demands = 0
    for clause in body.split(";"):
        parts = [p.strip(" .:-") for p in _SEPARATOR[marked].split(clause)]
        parts = [p for p in parts if p]
        if parts:
            demands += 1 + sum(_starts_with_action(p, marked) for p in parts[1:])
    return demands


@rule("VAG006", "compound", Severity.WARNING,
      Text(vi="Tiêu chí gộp nhiều yêu cầu", en="Compound criterion"),
      Text(vi="Một tiêu chí đòi hỏi nhiều việc cùng lúc.",
           en="A compound criterion asking several things at once."),
      Message(
          Text(vi="đòi hỏi {parts} việc cùng lúc; đơn vị làm được một phần thì không chấm nhất "
                  "quán được",
               en="asks {parts} things at once; a member doing some of them cannot be scored "
                  "consistently"),
          Text(vi="Tách thành các tiêu chí riêng, mỗi tiêu chí có điểm và minh chứng riêng, "
                  "hoặc chấm từng phần theo thang mức.",
               en="Split it into separate criteria, each with its own points and evidence, or "
                  "score each part in a rubric.")))
def compound(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        parts = count_demands(c.text)
        if parts > config.max_compound_parts:
            yield Hit(table.key(c), {"parts": parts},
                      {"parts": parts, "threshold": config.max_compound_parts})
