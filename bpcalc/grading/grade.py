"""Checking a sheet, the entry point: the verdicts and diagnosis (`grading.diagnosis`),
then error carried forward (`grading.carried`, which builds on the diagnosis). Kept apart
so that the two modules import each other in one direction only."""

from __future__ import annotations

from fractions import Fraction

from bpcalc.errors import ProblemError, quoted
from bpcalc.grading.answers import Answer
from bpcalc.grading.carried import carry_forward
from bpcalc.grading.diagnosis import judge
from bpcalc.grading.verdicts import CheckResult
from bpcalc.problem.model import Problem


def check(problem: Problem, answers: list[Answer], *, tolerance: Fraction | None = None,
          detect_rounding: bool = True, carried_forward: str = "full") -> CheckResult:
    """Judge every answer, detect hand rounding, diagnose the wrong ones, and carry
    errors forward (`carried_forward`: the credit policy, full, half or none)."""
    problem, verdicts, findings, rounding, detected = judge(problem, answers, tolerance,
                                                            detect_rounding)
    roots = carry_forward(problem, verdicts, findings, rounding, tolerance, carried_forward)
    return CheckResult(verdicts, findings, rounding, detected, tolerance, roots,
                       carried_forward)


def parse_tolerance(text: str | None, key: str) -> Fraction | None:
    """A tolerance as given (`--tolerance`, or the API's `tolerance`): a number of 0 or
    more, exactly as written; None judges by the digits each answer shows."""
    if text is None:
        return None
    from bpcalc.problem.yamlsource import parse_number

    limit = parse_number(text.strip())
    if limit is None or limit < 0:
        raise ProblemError(f"expected a number of 0 or more, got {quoted(text)}", key=key)
    return limit
