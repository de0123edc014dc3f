"""The Python API, for notebooks and scripts: `bpcalc.solve` and `bpcalc.check`.

A thin layer over the command line's own parts (the loader, the engine, the renderers,
the grading): the same numbers and keys as `bpcalc solve` and `bpcalc check`, and the same
one exception, `bpcalc.BpcalcError` (bpcalc.errors.ProblemError), carrying the message the
command line prints after `bpcalc: error:`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpcalc.api.inputs import (
    carried_policy,
    guarded,
    load,
    load_answers,
    number_text,
    overridden,
    tolerance_of,
    whole,
)
from bpcalc.api.results import CheckReport, Picture, Solution
from bpcalc.errors import ProblemError

if TYPE_CHECKING:
    from os import PathLike

__all__ = ["CheckReport", "Picture", "Solution", "check", "solve"]


def solve(problem: str | PathLike | dict | None = None, *, text: str | None = None,
          exact: bool = False, round: int | None = None, sigfigs: int | None = None,
          convention: str | None = None, epochs: int | None = None,
          learning_rate: str | float | None = None, notation: str | None = None) -> Solution:
    """Solve a problem: a path (str or Path), a dict as its YAML would load, or YAML text
    through `text=` (a string given as `problem` is always a path). A dict's values are
    never evaluated: a float is read as its shortest decimal (0.9 is 9/10, as the YAML's
    0.9), a str as quoted YAML text ("1/3"), a Fraction exactly. The keywords override the
    problem as `bpcalc solve`'s options do (--exact, --round, --sigfigs, ...)."""
    return guarded(lambda: _solve(problem, text, exact, dict(
        convention=convention, notation=notation, round=round, sigfigs=sigfigs,
        epochs=epochs, learning_rate=learning_rate)))


def _solve(problem, text, exact, overrides: dict) -> Solution:
    from bpcalc.engine.backprop import train
    from bpcalc.engine.limits import check_output
    from bpcalc.engine.numbers import make_arithmetic
    from bpcalc.engine.stopping import with_epochs_run

    if not isinstance(exact, bool):
        raise ProblemError(f"expected True or False, got {exact!r}", key="exact")
    given = overridden(load(problem, text), **overrides)
    arithmetic = make_arithmetic(given.rounding, exact)
    shown = with_epochs_run(given, arithmetic)  # as solve's tables and keys run it
    run = train(shown, arithmetic, warn=True)  # refuses too much computation at once
    check_output(shown, shown.step_count, "json", "use fewer epochs (a Solution keeps "
                 "every step)")
    return Solution(run.trace(), exact, given)


def check(problem: str | PathLike | dict | None = None,
          answers: str | PathLike | dict | None = None, *, text: str | None = None,
          answers_text: str | None = None, round: int | None = None,
          sigfigs: int | None = None, convention: str | None = None,
          tolerance: str | float | None = None, detect_rounding: bool = True,
          carried_forward: str = "full", places: int | None = None,
          digits: int | None = None,
          too_few_digits_credit: str | float | None = None) -> CheckReport:
    """Check a student's answers against the solved problem, as `bpcalc check` does. Each
    of the problem and the answers is a path, a dict, or YAML text (`text=`,
    `answers_text=`); for a dict of answers, give values as strings ('.777') to keep the
    digits written, which set how exactly an answer is judged (a float 0.50 is '0.5').
    `carried_forward` is --carried-forward's credit for a wrong value worked correctly
    from the student's own wrong earlier values: "full", "half" or "none". `places` or
    `digits` is the precision asked (--places/--digits; not with `tolerance`), and
    `too_few_digits_credit` (0 to 1) the credit of an answer written with fewer digits."""
    asked = dict(places=places, digits=digits, credit=too_few_digits_credit)
    return guarded(lambda: _check(problem, answers, text, answers_text, round, sigfigs,
                                  convention, tolerance, detect_rounding, carried_forward,
                                  asked))


def _check(problem, answers, text, answers_text, round, sigfigs, convention, tolerance,
           detect_rounding, carried_forward, asked: dict) -> CheckReport:
    from bpcalc.grading.grade import check as check_answers
    from bpcalc.grading.grade import parse_credit, parse_precision
    from bpcalc.problem.yamlsource import source_name

    precision = parse_precision(whole(asked["places"], "places"),
                                whole(asked["digits"], "digits"), ("places", "digits"),
                                tolerance, "tolerance")
    credit = parse_credit(number_text(asked["credit"], "too_few_digits_credit"),
                          "too_few_digits_credit")

    given = overridden(load(problem, text), convention=convention, round=round,
                       sigfigs=sigfigs)
    limit = tolerance_of(tolerance)
    policy = carried_policy(carried_forward)
    student = load_answers(answers, answers_text, given)
    try:
        result = check_answers(given, student, tolerance=limit,
                               detect_rounding=bool(detect_rounding),
                               carried_forward=policy, precision=precision,
                               too_few_digits_credit=credit)
    except ProblemError as error:  # an answer the run cannot have (after `until`)
        if error.source is None and error.line is not None and answers is not None:
            import os

            error.source = source_name(os.fspath(answers))
        raise
    return CheckReport(result)
