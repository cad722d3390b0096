"""Precision and recall of the vagueness rules on a labelled corpus of criterion lines.

The corpus (``tests/data/criteria_corpus.txt``) holds one criterion line per row, with
its kind, role (base criterion, bonus or deduction row), whether it counts once or per
occurrence, and hand-written labels for VAG001, VAG002 and VAG006, each with a reason.
Every line becomes a one-criterion table (a bonus or deduction row becomes an item of a
neutral criterion) and is linted; a rule's finding on it is its prediction.

Rules are tuned on the odd lines only; the even lines are held out::

    python -m criteria_design.corpus [CORPUS] [--config FILE]

prints, for each half and for all lines, a table per rule: TP, FP, FN, precision, recall.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from criteria_design.config import LintConfig, load_config
from criteria_design.errors import CriteriaParameterError
from criteria_design.lint import lint
from criteria_design.table import CriteriaTable

__all__ = ["RULES_MEASURED", "CorpusLine", "Score", "evaluate", "main", "read_corpus"]

#: The rules the corpus is labelled for.
RULES_MEASURED = ("VAG001", "VAG002", "VAG006")

#: Where the corpus lives in a source checkout.
DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "criteria_corpus.txt"

_KINDS = {"ql": "qualitative", "qn": "quantitative"}
_ROLES = ("base", "bonus", "ded")
_PERS = {"-": None, "once": "once", "occ": "occurrence"}


@dataclass(frozen=True)
class CorpusLine:
    """One labelled line: its number (from 1, in data order), fields, labels and reason."""

    number: int
    kind: str
    role: str
    per: str | None
    labels: dict[str, bool]
    text: str
    reason: str

    def table(self) -> CriteriaTable:
        """The line as a one-criterion table, the way it would be entered."""
        if self.role == "base":
            node = {"id": "1", "text": self.text, "max_points": 10, "kind": self.kind}
        else:
            item = {"id": "a", "text": self.text, "points": 1, "per": self.per,
                    "unit": "trường hợp" if self.per == "occurrence" else None}
            field = "deductions" if self.role == "ded" else "bonuses"
            node = {"id": "1", "text": "Nội dung chấm điểm", "max_points": 10,
                    "kind": "quantitative", field: [item]}
        return CriteriaTable.model_validate(
            {"title": "Corpus", "total": 10, "period": "năm 2025", "sections": [node]})


@dataclass(frozen=True)
class Score:
    """Counts of one rule on a set of lines, and the ratios made of them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1 when the rule flagged nothing."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1 when no line is labelled positive."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def read_corpus(path: str | os.PathLike = DEFAULT_CORPUS) -> list[CorpusLine]:
    """Read the labelled corpus (``#`` lines are comments).

    Parameters
    ----------
    path : path-like
        The corpus file: ``kind | role | per | VAG001 | VAG002 | VAG006 | text | reason``.

    Raises
    ------
    CriteriaParameterError
        A row without 8 fields or with a value outside its column's choices.

    Examples
    --------
    >>> lines = read_corpus()
    >>> len(lines) >= 400, lines[0].labels["VAG001"]
    (True, True)
    """
    lines: list[CorpusLine] = []
    for row_number, row in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not row.strip() or row.startswith("#"):
            continue
        fields = [f.strip() for f in row.split(" | ")]
        if (len(fields) != 8 or fields[0] not in _KINDS or fields[1] not in _ROLES
                or fields[2] not in _PERS or any(f not in ("0", "1") for f in fields[3:6])):
            raise CriteriaParameterError(f"{path}:{row_number}: malformed corpus row {row!r:.80}")
        lines.append(CorpusLine(
            number=len(lines) + 1, kind=_KINDS[fields[0]], role=fields[1],
            per=_PERS[fields[2]], labels=dict(zip(RULES_MEASURED, (f == "1" for f in fields[3:6]),
                                                  strict=True)),
            text=fields[6], reason=fields[7]))
    return lines


def evaluate(
    lines: Iterable[CorpusLine], config: LintConfig | None = None
) -> tuple[dict[str, Score], list[tuple[str, CorpusLine, bool]]]:
    """Lint every line and compare each measured rule's findings with the labels.

    Parameters
    ----------
    lines : iterable of CorpusLine
        The lines to measure on.
    config : LintConfig, optional
        Thresholds and lexicon; default :class:`LintConfig()`.

    Returns
    -------
    scores : dict of str to Score
        By rule code.
    errors : list of (str, CorpusLine, bool)
        The misses: rule, line and what the rule said (True: a false positive).

    Examples
    --------
    >>> scores, _ = evaluate(read_corpus()[:2])
    >>> scores["VAG001"].tp + scores["VAG001"].fn
    1
    """
    counts = {r: [0, 0, 0] for r in RULES_MEASURED}
    errors: list[tuple[str, CorpusLine, bool]] = []
    for line in lines:
        found = {f.code for f in lint(line.table(), select=list(RULES_MEASURED), config=config)}
        for rule_code in RULES_MEASURED:
            said, truth = rule_code in found, line.labels[rule_code]
            if said and truth:
                counts[rule_code][0] += 1
            elif said or truth:
                counts[rule_code][1 if said else 2] += 1
                errors.append((rule_code, line, said))
    return {r: Score(*c) for r, c in counts.items()}, errors


def _table(title: str, scores: dict[str, Score]) -> str:
    rows = [f"{title}", "| rule | TP | FP | FN | precision | recall |", "|---|---|---|---|---|---|"]
    rows += [f"| {r} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.2f} | {s.recall:.2f} |"
             for r, s in scores.items()]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the precision/recall tables (tuning half, held-out half, all lines).

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``): the corpus file,
        ``--config FILE`` and ``--errors`` to list the misses of the held-out half.
    """
    parser = argparse.ArgumentParser(prog="python -m criteria_design.corpus",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--config", type=Path, help="lint configuration (YAML)")
    parser.add_argument("--errors", choices=("odd", "even", "all"),
                        help="also list the misses of this half")
    args = parser.parse_args(argv)
    config = load_config(args.config) if args.config else None
    lines = read_corpus(args.corpus)
    halves = {"odd": [x for x in lines if x.number % 2],
              "even": [x for x in lines if not x.number % 2], "all": lines}
    titles = {"odd": "tuning half (odd lines)", "even": "held-out half (even lines)",
              "all": "all lines"}
    for half, chosen in halves.items():
        scores, errors = evaluate(chosen, config)
        print(_table(f"\n{titles[half]}: {len(chosen)} lines", scores))
        if args.errors == half:
            for rule_code, line, said in errors:
                kind = "FP" if said else "FN"
                print(f"  {rule_code} {kind} #{line.number}: {line.text}  [{line.reason}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
