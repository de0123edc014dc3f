"""Checking a sheet, the entry point: the verdicts and diagnosis (`grading.diagnosis`),
then error carried forward (`grading.carried`, which builds on the diagnosis), then the
precision asked (`--places`/`--digits`: too few digits is a verdict of its own) and the
interval accepted for each answer. Kept apart so that the modules import each other in
one direction only."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from bpcalc.errors import ProblemError, quoted
from bpcalc.grading.answers import FINAL, Answer
from bpcalc.grading.carried import carry_forward
from bpcalc.grading.diagnosis import judge
from bpcalc.grading.precision import (
    accepted_interval,
    asked_of,
    enough_digits,
    noise,
    written_sigfigs,
)
from bpcalc.grading.verdicts import CheckResult, Verdict
from bpcalc.problem.model import Problem, QuantityRounding, Rounding
from bpcalc.text import format_float, rounding_text


def check(problem: Problem, answers: list[Answer], *, tolerance: Fraction | None = None,
          precision: Rounding | QuantityRounding | None = None,
          too_few_digits_credit: Fraction = Fraction(0),
          detect_rounding: bool = True, carried_forward: str = "full") -> CheckResult:
    """Judge every answer, detect hand rounding, diagnose the wrong ones, and carry
    errors forward (`carried_forward`: the credit policy, full, half or none). With a
    `precision` asked, an answer is right within its interval (grading.precision), and one
    written with fewer digits but right at them is "too few digits", earning
    `too_few_digits_credit`."""
    if tolerance is not None and precision is not None:
        raise ProblemError("give either an absolute tolerance or the precision asked "
                           "(--places/--digits), not both", key="--tolerance")
    answers = settle_final(problem, answers)
    rule = precision if precision is not None else tolerance
    problem, verdicts, findings, rounding, detected = judge(problem, answers, rule,
                                                            detect_rounding)
    roots = carry_forward(problem, verdicts, findings, rounding, rule, carried_forward)
    for verdict in verdicts:
        asked = asked_of(precision, verdict.answer.quantity.kind)
        if asked is not None and verdict.right:
            _too_few_digits(verdict, asked, Fraction(too_few_digits_credit))
        verdict.accepted = accepted(verdict, asked, tolerance)
    return CheckResult(verdicts, findings, rounding, detected, tolerance, roots,
                       carried_forward, precision, Fraction(too_few_digits_credit))


def _too_few_digits(verdict: Verdict, asked: Rounding, credit: Fraction) -> None:
    """A right answer written with fewer digits than asked: its own verdict, unless it is
    the value exactly (1.25, 0, 1/3: no more digits to write)."""
    answer, value = verdict.answer, verdict.expected
    if answer.places is None or enough_digits(answer.text, answer.places, asked, value):
        return
    true = Fraction(value)
    if abs(answer.value - true) <= noise(true):
        return
    if asked.kind == "places":
        own = rounding_text(Rounding("places", answer.places)).replace("decimal ", "")
    else:
        own = rounding_text(Rounding("sigfigs", written_sigfigs(answer.text) or 1))
    verdict.right, verdict.too_few_digits = False, credit
    verdict.note = (f"{answer.text} is {format_float(float(value), 6)} to {own}; "
                    f"{rounding_text(asked).replace('decimal ', '')} asked")


def accepted(verdict: Verdict, asked: Rounding | None, tolerance: Fraction | None
             ) -> tuple[Fraction, Fraction]:
    """The interval of answers accepted for this one: the asked precision's, else the
    tolerance's, else the one at the digits written (a whole number or fraction: the value
    itself)."""
    true = Fraction(verdict.expected)
    if asked is not None:
        return accepted_interval(true, asked)
    if tolerance is not None:
        return true - tolerance, true + tolerance
    if verdict.answer.places is None:
        return true, true
    return accepted_interval(true, Rounding("places", verdict.answer.places))


def settle_final(problem: Problem, answers: list[Answer]) -> list[Answer]:
    """`final:` names the weights after the last update: with `until`, that of the epoch
    at which training stopped (solved here to find it), else the last step's. An `epoch
    N:` after the stop is refused, naming the section."""
    if problem.until is None or not any(a.section is not None for a in answers):
        return answers
    from bpcalc.engine.backprop import solve
    from bpcalc.engine.numbers import make_arithmetic

    last = len(solve(problem, make_arithmetic(problem.rounding, exact=False)).steps)
    for answer in answers:
        if answer.section not in (None, FINAL) and answer.step > last:
            stopped = last // len(problem.patterns)
            raise ProblemError(f"training stops after epoch {stopped} (its `until` is met): "
                               f"there is no {answer.section} to answer for",
                               key=answer.label, line=answer.line)
    return [replace(a, step=last) if a.section == FINAL else a for a in answers]


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


def parse_precision(places: int | None, digits: int | None, keys=("--places", "--digits"),
                    tolerance=None, tolerance_key: str = "--tolerance") -> Rounding | None:
    """The precision an assignment asks for: `places` decimal places or `digits`
    significant figures (one of them), or None (the written digits decide); refused beside
    a `tolerance` (one rule judges an answer). `keys` name them as the caller spells them."""
    if places is not None and digits is not None:
        raise ProblemError(f"give {keys[0]} or {keys[1]}, not both", key=keys[1])
    precision = None
    if places is not None:
        if places < 0:
            raise ProblemError(f"expected 0 or more decimal places, got {places}",
                               key=keys[0])
        precision = Rounding("places", places)
    if digits is not None:
        if digits < 1:
            raise ProblemError(f"expected 1 or more significant figures, got {digits}",
                               key=keys[1])
        precision = Rounding("sigfigs", digits)
    if precision is not None and tolerance is not None:
        raise ProblemError(f"give {tolerance_key} or the precision asked ({keys[0]}/"
                           f"{keys[1]}), not both", key=tolerance_key)
    return precision


def parse_credit(text: str | None, key: str) -> Fraction:
    """A credit as given (`--too-few-digits-credit`): a fraction of the points, 0 to 1."""
    if text is None:
        return Fraction(0)
    from bpcalc.problem.yamlsource import parse_number

    credit = parse_number(text.strip())
    if credit is None or not 0 <= credit <= 1:
        raise ProblemError(f"expected a number from 0 to 1, got {quoted(text)}", key=key)
    return credit
