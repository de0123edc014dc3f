"""An instructor's rubric: points per answer and deductions per named mistake.

A rubric file (YAML) says what each answer is worth and what a mistake costs:

    points:            # per answer; an exact name beats a pattern
      w*: 2            # fnmatch patterns, matched against the answer's own name and its
      delta*: 1        # canonical name (z4 for a4, w47 for v47, dw47 for Δw47)
      w47: 3
    default: 1         # an answer no key names (1 when left out)
    deductions:        # per mistake id, taken once per distinct mistake found
      no_slope: 1
      delta_sign: 0.5

Of several patterns the most specific (most characters that are not wildcards) wins, then
the first written. The score never goes below 0. Without a rubric every answer is worth 1
point and nothing is deducted, which is `CheckResult.score`. Pure: reads text, no I/O.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from fractions import Fraction

from bpcalc.errors import ProblemError
from bpcalc.grading.answers import Answer, Quantity
from bpcalc.grading.mistakes import _SHORT
from bpcalc.grading.verdicts import CheckResult
from bpcalc.problem.model import weight_name
from bpcalc.problem.yamlsource import Value, compose_mapping, read_text, source_name

MISTAKE_IDS = frozenset(_SHORT) | {"early_rounding"}
_KEYS = ("points", "default", "deductions")
_WILDCARDS = set("*?[]")


@dataclass(frozen=True)
class Rubric:
    points: tuple[tuple[str, Fraction], ...] = ()  # (lower-case name or pattern, points)
    default: Fraction = Fraction(1)
    deductions: tuple[tuple[str, Fraction], ...] = ()  # (mistake id, points)

    def worth(self, answer: Answer) -> Fraction:
        """The points an answer is worth: its exact name, else the most specific pattern."""
        names = {answer.name.strip().lower(), canonical_name(answer.quantity)}
        for key, points in self.points:
            if key in names and not _WILDCARDS & set(key):
                return points
        best, best_rank = self.default, None
        for order, (key, points) in enumerate(self.points):
            if any(fnmatch.fnmatchcase(name, key) for name in names):
                rank = (len([c for c in key if c not in _WILDCARDS]), -order)
                if best_rank is None or rank > best_rank:
                    best, best_rank = points, rank
        return best


@dataclass(frozen=True)
class Marks:
    """The points of one checked sheet: per verdict, in the result's order, and deductions."""

    earned: tuple[Fraction, ...]
    possible: tuple[Fraction, ...]
    deductions: tuple[tuple[str, Fraction], ...] = field(default=())

    @property
    def total(self) -> Fraction:
        return sum(self.possible, Fraction(0))

    @property
    def score(self) -> Fraction:
        taken = sum((points for _id, points in self.deductions), Fraction(0))
        return max(Fraction(0), sum(self.earned, Fraction(0)) - taken)


def marks(result: CheckResult, rubric: Rubric | None = None) -> Marks:
    """Points earned per answer and the deductions the sheet's mistakes cost."""
    rubric = rubric or Rubric()
    possible = tuple(rubric.worth(v.answer) for v in result.verdicts)
    earned = tuple(p * Fraction(v.credit)  # right 1, carried forward the policy's credit
                   for p, v in zip(possible, result.verdicts, strict=True))
    found = list(dict.fromkeys(f.mistake.id for f in result.findings))
    costs = dict(rubric.deductions)
    deductions = tuple((mistake, costs[mistake]) for mistake in found if costs.get(mistake))
    return Marks(earned, possible, deductions)


def canonical_name(quantity: Quantity) -> str:
    """The slides' name of a value, whatever notation the student wrote it in."""
    kind = quantity.kind
    if kind in ("error", "epoch_error"):
        return "error"
    if quantity.node is not None:
        return {"net": "net", "out": "z", "slope": "slope", "delta": "delta"}[kind] + str(
            quantity.node)
    weight = weight_name(quantity.key)
    prefix = {"new": "", "change": "d", "gradient": "de/d", "momentum": "momentum_"}[kind]
    return prefix + weight


def load_rubric(path: str) -> Rubric:
    """Read and validate a rubric file; a bad one is one message with its key and line."""
    try:
        return parse_rubric(read_text(path))
    except ProblemError as error:
        if error.source is None:
            error.source = source_name(path)
        raise


def parse_rubric(text: str) -> Rubric:
    root = compose_mapping(
        text, "the rubric file is empty: give `points:` per answer name or pattern and "
        "`deductions:` per mistake id",
        "a rubric file is a mapping with `points:`, `default:` and `deductions:`")
    entries = root.mapping()
    for name, (key, _value) in entries.items():
        if name not in _KEYS:
            raise key.error("not a rubric key: write points, default or deductions")
    points: list[tuple[str, Fraction]] = []
    if "points" in entries:
        for name, (_key, value) in entries["points"][1].mapping().items():
            points.append((name.strip().lower(), _points(value)))
    deductions: list[tuple[str, Fraction]] = []
    if "deductions" in entries:
        for name, (key, value) in entries["deductions"][1].mapping().items():
            if name.strip() not in MISTAKE_IDS:
                known = ", ".join(sorted(MISTAKE_IDS))
                raise key.error(f"not a mistake id (they are: {known})")
            deductions.append((name.strip(), _points(value)))
    default = _points(entries["default"][1]) if "default" in entries else Fraction(1)
    return Rubric(tuple(points), default, tuple(deductions))


def _points(value: Value) -> Fraction:
    points = value.number()
    if points < 0:
        raise value.error("points are 0 or more (a deduction is written as a positive "
                          "number too)")
    return points
