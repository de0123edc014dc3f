"""What checking a sheet finds: a verdict per answer, the mistakes found, and the result
with its score. Plain records, read by the reports; made by `grading.diagnosis` and
`grading.carried`."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from bpcalc.grading.answers import Answer
from bpcalc.grading.mistakes import Mistake
from bpcalc.problem.model import Rounding


@dataclass
class Finding:
    """A mistake that reproduces `first` (the earliest wrong value it explains) and `also`."""

    mistake: Mistake
    first: Answer
    also: list[Answer]
    alternatives: list[str] = field(default_factory=list)  # other mistakes explaining the same


@dataclass
class Verdict:
    answer: Answer
    expected: object  # the value judged against (float, or Fraction from a rounded trace)
    rounding: Rounding | None  # the rounding of the solution it was judged against
    right: bool
    note: str = ""
    finding: Finding | None = None
    carried: Any = None  # a grading.carried.Carry: wrong, but right on method from earlier
    # wrong values (carried.py builds on this module, so it is not imported here)
    slip: str | None = None  # a root that is one slip of the pen (mistakes.SLIP_WORDS)
    # Right at its own digits but written with fewer than the precision asked: the
    # credit `--too-few-digits-credit` gives it (None: not such an answer).
    too_few_digits: Fraction | None = None
    accepted: tuple[Fraction, Fraction] | None = None  # the interval of answers accepted

    @property
    def credit(self) -> Fraction:
        """1 right, the too-few-digits or carried-forward credit where one applies, else 0."""
        if self.right:
            return Fraction(1)
        if self.too_few_digits is not None:
            return self.too_few_digits
        return self.carried.credit if self.carried else Fraction(0)


@dataclass
class CheckResult:
    verdicts: list[Verdict]
    findings: list[Finding]
    rounding: Rounding | None  # the solution's rounding (given, or detected)
    rounding_detected: bool
    tolerance: Fraction | None
    roots: list = field(default_factory=list)  # grading.carried.Root: the wrong values
    # others follow from
    carried_forward: str = "full"  # the policy: full, half or none credit when carried
    precision: Any = None  # the precision asked (Rounding), None: the written digits decide
    too_few_digits_credit: Fraction = Fraction(0)

    @property
    def score(self) -> int | float:
        """1 point per right answer plus the policy's credit per answer carried forward."""
        points = Fraction(sum(v.credit for v in self.verdicts))
        return int(points) if points.denominator == 1 else float(points)

    @property
    def all_right(self) -> bool:
        return all(v.right for v in self.verdicts)

    @property
    def total(self) -> int:
        return len(self.verdicts)

    @property
    def unexplained(self) -> list[Answer]:
        return [v.answer for v in self.verdicts if not v.right and v.finding is None
                and v.carried is None and v.slip is None and v.too_few_digits is None]
