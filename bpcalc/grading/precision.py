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


def within(given: Fraction, value, asked: Rounding) -> bool:
    """Is `given` in the accepted interval of the true `value` (ties away from zero)?"""
    true = Fraction(value)
    low, high = accepted_interval(true, asked)
    if low < given < high:
        return True
    if given == high:
        return true >= 0
    return given == low and true <= 0


def interval_text(low: Fraction, high: Fraction, places: int, *, closed: bool = False
                  ) -> str:
    """The interval as a reader checks it, one place more than asked: `[0.39633, 0.39642]`
    for 0.3963243 to 0.3964243. Its ends are rounded inwards (the low end up, the high end
    down), and an end that is a tie not taken moves in one unit, so that every number the
    reader sees inside it, its ends included, is accepted (rounding 0.3963243 to the
    nearest, 0.39632, would show an end that is refused). A `closed` interval (a
    tolerance's) takes both its ends."""
    unit = Fraction(1, 10 ** (places + 1))
    true = (low + high) / 2
    shown_low = math.ceil(low / unit) * unit
    shown_high = math.floor(high / unit) * unit
    if shown_low == low and true > 0 and not closed:  # a tie below a positive value: refused
        shown_low += unit
    if shown_high == high and true < 0 and not closed:
        shown_high -= unit
    return f"[{float(shown_low):.{places + 1}f}, {float(shown_high):.{places + 1}f}]"
