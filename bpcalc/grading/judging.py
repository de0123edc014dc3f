"""An answer against the value it names: does it agree (at the digits written, within a
tolerance, or within the precision asked), which value of a solved trace it names, and
where it comes in the calculation (the earliest wrong value is the one to explain). The
rules the diagnosis, error carried forward, hints and the worksheet all judge by. Pure.
"""

from __future__ import annotations

from fractions import Fraction

from bpcalc.engine.arithmetic import round_fraction
from bpcalc.engine.trace import Trace
from bpcalc.grading.answers import Answer
from bpcalc.grading.precision import asked_of, enough_digits, float_slack, within
from bpcalc.problem.model import Problem, QuantityRounding, Rounding


def agrees(answer: Answer, value, tolerance=None) -> bool:
    """Is `value` (the true one) what the student wrote, at the digits they wrote?

    `.777` agrees with 0.77730 (rounds to .777 at 3 places, halves away from zero) but not
    with 0.7765; an explicit absolute `tolerance` replaces the digit rule; a fraction such
    as 1/3 or a whole number such as 0 must agree to about nine significant digits.
    `tolerance` may instead be the precision asked (a Rounding, `check --places/--digits`):
    an answer written with enough digits is then right within `precision.within`'s
    interval; one written with fewer is judged at its own digits (its verdict, made in
    grading.grade, says too few digits).
    """
    if isinstance(tolerance, Rounding | QuantityRounding):
        asked = asked_of(tolerance, answer.quantity.kind)
        if asked is not None and enough_digits(answer.text, answer.places, asked, value):
            return within(answer.value, value, asked, float_slack(value))
        tolerance = None
    if tolerance is None and answer.places is not None:
        # Fast and exact away from the edge of the rounding interval (-300: no underflow).
        half = 0.5 * 10.0 ** -min(max(answer.places, -300), 300)
        distance = abs(float(value) - float(answer.value))
        if distance < half * (1 - 1e-6):
            return True
        if distance > half * (1 + 1e-6) + 1e-12 * max(1.0, abs(float(value))):
            return False
    true = Fraction(value)
    given = answer.value
    # Only a float carries binary noise; a rounded trace's exact decimal ties stay ties.
    slack = float_slack(value)
    if tolerance is not None:
        return abs(true - given) <= tolerance + slack
    if answer.places is None:
        return abs(true - given) <= slack
    rounding = Rounding("places", answer.places)
    low, high = (round_fraction(true - slack, rounding), round_fraction(true + slack, rounding))
    # Within the slack of a tie (0.00145 to 4 places): the tie rounds away from zero.
    return given == (high if abs(high) > abs(low) else low)


def value_of(trace: Trace, answer: Answer):
    """The value an answer names, read from a solved trace (None: a step the run did not
    reach, as a mistake's run that `until` stopped sooner)."""
    if answer.step > len(trace.steps):
        return None
    step = trace.steps[answer.step - 1]
    quantity = answer.quantity
    if quantity.kind == "error":
        return step.error
    if quantity.kind == "epoch_error":  # the sum of the epoch's steps' errors
        first, *rest = (each.error for each in trace.epoch_steps(step.epoch))
        return sum(rest, first)
    if quantity.kind in ("net", "out", "slope", "delta"):
        return getattr(step.node(quantity.node), quantity.kind)
    if quantity.kind == "change":
        return step.changes[quantity.key]
    field = "new" if quantity.kind == "new" else quantity.kind  # or gradient, momentum
    return next(getattr(update, field) for update in step.updates
                if update.key == quantity.key)


def dependency_order(problem: Problem, answer: Answer) -> tuple:
    """Where a value comes in the calculation: forward pass, error, output then hidden
    deltas, changes, new weights; the earliest wrong value is the one to explain."""
    quantity = answer.quantity
    layer_of = problem.network.layer_of
    if quantity.kind in ("net", "out"):
        rest = (0, layer_of(quantity.node), quantity.node, quantity.kind == "out")
    elif quantity.kind == "error":
        rest = (1,)
    elif quantity.kind == "epoch_error":  # after every value of the epoch's last step
        rest = (7,)
    elif quantity.kind in ("slope", "delta"):
        rest = (2, -layer_of(quantity.node), quantity.node, quantity.kind == "delta")
    else:
        phase = {"gradient": 3, "momentum": 4, "change": 5, "new": 6}[quantity.kind]
        rest = (phase, -layer_of(quantity.key[1]), quantity.key)
    return (answer.step, *rest)
