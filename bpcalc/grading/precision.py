"""The precision an assignment asks for, and the interval of answers it accepts.

One rule, shared by `bpcalc check`, the self-check worksheet and every export (Moodle,
Canvas, PrairieLearn), so that they agree on every answer: an answer is right when it is
within half a unit of the asked precision's last place of the true value (`--places 4`:
within 0.00005; `--digits 3`: within half a unit of the third significant figure of the
true value). With no precision asked, the digits the student wrote decide (`.777` is judged
at 3 places), which is the same rule at the written precision. An answer written with fewer
digits than asked is "too few digits", a verdict of its own, whatever its value.

Pure: Fractions in, Fractions out.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from bpcalc.engine.arithmetic import decimal_exponent
from bpcalc.problem.model import QuantityRounding, Rounding

# An answer's kind (bpcalc.grading.answers.KINDS) as the quantity a rounding names; a
# gradient or a momentum term is judged as the change it makes.
QUANTITY_OF = {"net": "net", "out": "out", "slope": "slope", "delta": "delta",
               "error": "error", "change": "change", "new": "weight",
               "gradient": "change", "momentum": "change", "epoch_error": "error"}

# A float trace differs from the true value by ~1e-16; a float this close to a tie (0.00145
# to 4 places, computed as 0.0014499999...) is taken as the tie, which rounds away from 0.
# Relative to max(1, |value|). Check, the worksheet and the exports all use this one.
FLOAT_SLACK = Fraction(1, 10**9)

_NUMBER = re.compile(r"[+-]?(\d*)(?:\.(\d*))?(?:[eE][+-]?\d+)?")


def asked_of(precision: Rounding | QuantityRounding | None, kind: str) -> Rounding | None:
    """The precision asked for a quantity of this kind (None: the written digits decide)."""
    if precision is None or isinstance(precision, Rounding):
        return precision
    return precision.of(QUANTITY_OF.get(kind, kind))


def places_for(value: Fraction, asked: Rounding) -> int:
    """The decimal places `asked` means for this true value (significant figures count from
    the value's first digit; for a true value of 0, as that many places)."""
    if asked.kind == "places" or value == 0:
        return asked.digits
    return asked.digits - 1 - decimal_exponent(abs(Fraction(value)))


def half_unit(value: Fraction, asked: Rounding) -> Fraction:
    """Half a unit in the last asked place of the true value: the accepted distance."""
    return Fraction(1, 2) / Fraction(10) ** places_for(value, asked)


def accepted_interval(value, asked: Rounding) -> tuple[Fraction, Fraction]:
    """The closed interval [low, high] of answers accepted for the true `value`. At its ends
    (a tie) only the end away from zero is taken, as halves round away from zero."""
    true = Fraction(value)
    half = half_unit(true, asked)
    return true - half, true + half


def written_sigfigs(text: str) -> int | None:
    """Significant figures written: '0.0390' -> 3, '.777' -> 3, '120' -> 3 (trailing zeros
    of a whole number count: the student wrote them), '1/3' -> None."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None
    digits = ((match.group(1) or "") + (match.group(2) or "")).lstrip("0")
    return len(digits) if digits else 1


def enough_digits(text: str, places: int | None, asked: Rounding, value) -> bool:
    """Was the answer written with at least the asked precision? An exact fraction (1/3) is
    always enough; `places` is the decimal places written (None for a fraction)."""
    if places is None and written_sigfigs(text) is None:
        return True
    if asked.kind == "places":
        return places is not None and places >= asked.digits
    if Fraction(value) == 0:
        return places is not None and places >= asked.digits
    if places is not None and places >= places_for(Fraction(value), asked):
        return True  # 0.10 for 0.0999 at 2 significant figures: its places are enough
    sigfigs = written_sigfigs(text)
    return sigfigs is not None and sigfigs >= asked.digits


def within(given: Fraction, value, asked: Rounding, slack: Fraction = Fraction(0)) -> bool:
    """Is `given` in the accepted interval of the true `value`? At an end (to within
    `slack`, a float trace's noise: `float_slack`) only the end away from zero is taken, as
    halves round away from zero."""
    true = Fraction(value)
    low, high = accepted_interval(true, asked)
    if abs(given - high) <= slack:
        return true >= -slack
    if abs(given - low) <= slack:
        return true <= slack
    return low < given < high


def noise(value) -> Fraction:
    """How far a float trace's value may be from the true one: FLOAT_SLACK, relative to
    max(1, |value|)."""
    return FLOAT_SLACK * max(1, abs(Fraction(value)))


def float_slack(value, float_run: bool | None = None) -> Fraction:
    """`noise` for a value of a float run (by default: `value` is a float), else none: an
    exact or hand-rounded value is what it says."""
    is_float = isinstance(value, float) if float_run is None else float_run
    return noise(value) if is_float else Fraction(0)


def interval_text(low: Fraction, high: Fraction, places: int, *, value=None,
                  slack: Fraction = Fraction(0), closed: bool = False,
                  open_ties: bool = False) -> str:
    """The interval as a reader checks it, one place more than asked: `[0.39633, 0.39642]`
    for 0.3963243 to 0.3964243. Its ends are rounded inwards (the low end up, the high end
    down), so that every number the reader sees inside it is accepted (rounding 0.3963243
    to the nearest, 0.39632, would show an end that is refused). An end at a decimal of
    that many places, to within `slack` (a float trace's noise), is a tie, taken only on the
    side away from zero of the true `value` (default the middle): a tie not taken moves in
    one unit, or with `open_ties` is shown open (`(1.20, 1.30]` for 1.25 to 1 place). A
    `closed` interval (a tolerance's) takes both its ends."""
    unit = Fraction(1, 10 ** (places + 1))
    true = (low + high) / 2 if value is None else Fraction(value)

    def end(exact: Fraction, inward, taken: bool, side: int) -> tuple[Fraction, bool]:
        near = round(exact / unit) * unit
        if abs(near - exact) > slack:
            return inward(exact / unit) * unit, False
        if taken or closed:
            return near, False
        return (near, True) if open_ties else (near + side * unit, False)

    shown_low, low_open = end(low, math.ceil, true <= slack, 1)
    shown_high, high_open = end(high, math.floor, true >= -slack, -1)
    return (f"{'(' if low_open else '['}{float(shown_low):.{places + 1}f}, "
            f"{float(shown_high):.{places + 1}f}{')' if high_open else ']'}")
