"""The rule registry: every linter rule has a code, a name, a default severity and a check.

A check is a plain function ``check(table, config) -> Iterable[Hit]``; the
linter turns hits into :class:`~criteria_design.findings.Finding` objects,
adding the code, severity, file and line, so rule code stays about the table.

Every reader-facing text of a rule is declared with the rule, in Vietnamese
and English (:class:`clustering.i18n.Text`): its title, its summary, and each
message with its fix (:class:`Message`). A hit names the message it uses and
gives the numbers once (``fields``); the linter renders both texts in the
language asked for, so the two languages always state the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from criteria_design.errors import UnknownRuleError
from criteria_design.findings import Severity

if TYPE_CHECKING:
    from criteria_design.config import LintConfig
    from criteria_design.table import CriteriaTable


@dataclass(frozen=True)
class Words:
    """A value already written in both languages (a list of parts, a lexicon's advice).

    Passed as a field of a :class:`Hit` when a part of the message is built at
    run time; it is inserted as it stands, never formatted.

    Attributes
    ----------
    vi, en : str
        The Vietnamese and the English form.
    """

    vi: str
    en: str

    def __call__(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The form in ``lang``."""
        return self.vi if check_language(lang) == "vi" else self.en


@dataclass(frozen=True)
class Message:
    """What a rule says and how to fix it, in both languages, with the same fields."""

    text: Text
    fix: Text

    def render(self, lang: str = DEFAULT_LANGUAGE, /, **fields: object) -> tuple[str, str]:
        """The message and the fix in ``lang``, with the same ``fields``.

        Parameters
        ----------
        lang : {"vi", "en"}
            The language of the texts.
        **fields
            The values of the texts' fields; :class:`Words` values are inserted in ``lang``.

        Returns
        -------
        message, fix : str
        """
        values = {k: v(lang) if isinstance(v, Words) else v for k, v in fields.items()}
        return self.text(lang, **values), self.fix(lang, **values)


@dataclass(frozen=True)
class Hit:
    """What a check found: where, which message, the fields it needs, and the data behind it.

    ``variant`` names one of the rule's :attr:`Rule.messages`; ``fields`` fill
    both its languages (:class:`Words` values are inserted per language).
    """

    criterion_id: str | None
    fields: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    severity: Severity | None = None  # None: the rule's default
    variant: str = ""


Check = Callable[["CriteriaTable", "LintConfig"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A linter rule: its code, slug, severity, check and every text it shows."""

    code: str
    name: str
    severity: Severity
    summary: Text
    check: Check
    title: Text
    messages: dict[str, Message]

    def render(self, hit: Hit, lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
        """The message and fix of ``hit`` in ``lang``.

        Parameters
        ----------
        hit : Hit
            A hit yielded by this rule's check.
        lang : {"vi", "en"}
            The language of the texts.

        Returns
        -------
        message, fix : str
        """
        return self.messages[hit.variant].render(lang, **hit.fields)

#: The error for a code that selects no rule; the command line shows it in its language.
UNKNOWN_RULE = Text(
    vi="mã quy tắc {code!r} trong {option} không có; các mã hiện có: {known}",
    en="unknown rule code {code!r} in {option}; known codes: {known}",
)

#: All registered rules by code, in registration order.
RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    title: Text,
    summary: Text,
    messages: Message | dict[str, Message],
) -> Callable[[Check], Check]:
    """Register a check function under ``code`` (decorator).

    Parameters
    ----------
    code : str
        The rule code (``"RIG001"``).
    name : str
        A stable English slug (``"heavy-all-or-nothing"``), part of the API.
    severity : Severity
        The default severity.
    title : Text
        The rule's name for readers, in both languages.
    summary : Text
        One sentence saying what the rule flags, in both languages.
    messages : Message or dict of str to Message
        The message and fix of each kind of hit; one :class:`Message` is the
        variant ``""``.
    """
    variants = {"": messages} if isinstance(messages, Message) else dict(messages)

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule code {code!r} registered twice")
        RULES[code] = Rule(code, name, severity, summary, check, title, variants)
        return check

    return register


def resolve_rules(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    lang: str = "en",
) -> list[Rule]:
    """The rules chosen by ``select`` minus ``ignore``; codes or prefixes ("RIG", "VAG0").

    Parameters
    ----------
    select, ignore : iterable of str, optional
        Rule codes or prefixes to run and to skip; ``select`` defaults to all rules.
    lang : {"en", "vi"}
        The language of the error for an unknown code: English for the Python API (an
        error for programmers), the report's language on the command line.

    Raises
    ------
    UnknownRuleError
        A code or prefix matches no rule.
    TypeError
        ``select`` or ``ignore`` is a single string instead of a collection.

    Examples
    --------
    >>> import criteria_design.lint  # registers the rules
    >>> [r.code for r in resolve_rules(["VAG00"], ignore=["VAG005", "VAG006"])]
    ['VAG001', 'VAG002', 'VAG003', 'VAG004']
    """
    lang = check_language(lang)
    chosen = list(RULES) if select is None else _expand(select, "select", lang)
    dropped = set() if ignore is None else set(_expand(ignore, "ignore", lang))
    return [RULES[c] for c in chosen if c not in dropped]


def _expand(codes: Iterable[str], what: str, lang: str = "en") -> list[str]:
    if isinstance(codes, str):
        raise TypeError(f"{what} must be a list of rule codes, got the string {codes!r}")
    out: list[str] = []
    for raw in codes:
        code = str(raw).strip().upper()
        matched = [c for c in RULES if code == "ALL" or c.startswith(code)] if code else []
        if not matched:
            raise UnknownRuleError(
                UNKNOWN_RULE(lang, code=raw, option=what, known=", ".join(RULES)))
        out.extend(c for c in matched if c not in out)
    return out
