"""The text of a value: how every number bpcalc prints is written, in one place.

Shared by the core (the grader's messages, the problem-set index and generated files) and
every renderer, so it imports nothing of bpcalc's. Pure: no rich, no SymPy import. Each
arithmetic gets the display that is honest for it: floats to a few significant digits
(never binary noise such as 0.30000000000000004), hand-rounded values exactly as they were
carried (0.3964, not 0.39640000000000003), and exact values as their closed form beside a
decimal.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import NamedTuple

# A float within this relative distance of its short decimal is that decimal plus noise.
_NOISE = 1e-12
# An exact decimal longer than this is shown rounded, with the full digits as its exact form.
_LONGEST_DECIMAL = 16

# How long an exact closed form may be, in characters, where it is shown; a longer one is
# elided (in a worked line, named), so one huge expression cannot swamp the page. JSON's
# _exact twins always hold it whole.
TERMINAL_CLOSED_FORM = 160  # a value in the terminal's tables and in `explain`
KEY_CELL_CLOSED_FORM = 40  # an answer key's table cell: its decimal only (the worked
# lines above the table write it out)
WORKED_CLOSED_FORM = 80  # a value inside a worked line: named instead (z7, δ4)
WORKED_RESULT_CLOSED_FORM = 160  # a worked line's result: elided to `…`


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def step_mark(step: int) -> str:
    """The mark of the step that set a value, `⁽2⁾` in w47⁽²⁾: exact mode's named values and
    the worked lines write it alike (render/document/formula.py turns it into TeX)."""
    return f"⁽{step}⁾".translate(_SUPERSCRIPT)


def fraction_text(value: Fraction) -> str:
    """A given number (input, target, weight, rate) as the user would write it.

    Terminating decimals are printed in full (9/10 -> 0.9); anything else stays a fraction
    (1/3), because the problem file holds it exactly and a decimal would hide that.
    """
    value = Fraction(value)
    text = terminating_decimal(value)
    return text if text is not None else f"{value.numerator}/{value.denominator}"


def decimal_text(value: Fraction, digits: int = 6, *, min_places: int = 0) -> str:
    """An exact rational as a decimal string without trailing noise: 1982/5000 -> 0.3964.

    Hand-rounded values always terminate, so they print exactly as carried; `min_places`
    pads with the zeros a hand calculation writes (0.058 to 4 places is 0.0580). A value
    that does not terminate (1/3 given as a weight) gets `digits` significant digits and
    an ellipsis, so the reader sees it was cut.
    """
    value = Fraction(value)
    text = terminating_decimal(value)
    if text is None:
        return format_float(float(value), digits, keep_zeros=True) + "…"
    places = len(text.partition(".")[2])
    if places < min_places:
        text += ("" if places else ".") + "0" * (min_places - places)
    return text


def quantity_rounding_text(rounding) -> str:
    """A rounding per quantity (bpcalc.problem.model.QuantityRounding) in words:
    `out to 3 decimal places, delta to 3 significant figures, weight to 4 decimal places`."""
    return ", ".join(f"{quantity} to {rounding_text(by)}" for quantity, by in rounding.by)


def rounding_text(rounding) -> str:
    """A hand rounding (bpcalc.problem.model.Rounding) in words: `4 decimal places`,
    `1 significant figure`; one per quantity (QuantityRounding) says which is which:
    `3 decimal places for net and out, 3 significant figures for delta, 4 decimal places
    for weight` (a quantity it does not name is carried unrounded)."""
    if hasattr(rounding, "by"):
        groups: dict = {}
        for quantity, each in rounding.by:
            groups.setdefault(each, []).append(quantity)
        return ", ".join(f"{rounding_text(each)} for {' and '.join(names)}"
                         for each, names in groups.items())
    if rounding.kind == "places":
        unit = "decimal place" if rounding.digits == 1 else "decimal places"
    else:
        unit = "significant figure" if rounding.digits == 1 else "significant figures"
    return f"{rounding.digits} {unit}"


def rounded_places(value: Fraction, rounding) -> int:
    """How many decimals a value rounded by `rounding` (bpcalc.problem.model.Rounding) shows."""
    if rounding.kind == "places":
        return rounding.digits
    if value == 0:
        return 0
    magnitude = abs(Fraction(value))
    exponent = len(str(magnitude.numerator // magnitude.denominator)) - 1
    if magnitude < 1:
        exponent = -1
        while magnitude * 10 ** (-exponent) < 1:
            exponent -= 1
    return max(rounding.digits - 1 - exponent, 0)


def format_float(value: float, digits: int = 6, *, keep_zeros: bool | None = None) -> str:
    """`digits` significant digits; trailing zeros only where they are real digits.

    0.7772998611 -> 0.777300 (the zeros are significant: the value was rounded), but
    0.5 or 1.2500000000000002 -> 0.5 / 1.25 (a short decimal plus binary noise).
    `keep_zeros` forces either behaviour.
    """
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0:
        return "0"
    text = f"{_away_on_halves(value, digits):#.{digits}g}"
    if keep_zeros is None:
        keep_zeros = abs(float(text) - value) > _NOISE * abs(value)
    if not keep_zeros:
        mantissa, sep, exponent = text.partition("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = mantissa + sep + exponent
    elif text.endswith("."):
        text = text[:-1]
    return text


def _away_on_halves(value: float, digits: int) -> float:
    """A float that is exactly half-way at `digits` significant digits (0.28125 at 4), moved
    one ulp away from zero: format() would round it to even (0.2812), but a person, the hand
    rounding and `check` round halves away from zero (0.2813)."""
    from decimal import Decimal

    exact = Decimal(value)
    dropped = exact.scaleb(digits - exact.adjusted())  # the first dropped digit is the last
    if dropped == dropped.to_integral_value() and int(dropped) % 10 == 5:
        return math.nextafter(value, math.copysign(math.inf, value))
    return value


def display_text(value, rounding) -> str:
    """A value as `display` shows it (bpcalc.problem.model.Rounding: places or figures):
    rounded to exactly that many digits, trailing zeros kept (0.3964, -0.0115, 0.7770), but
    a value that is exact in fewer digits as it is (1.25 to 3 places is 1.25). Floats are
    read as their shortest decimal, and one within binary noise of its rounding is exact."""
    from decimal import ROUND_HALF_UP, Context, Decimal

    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        number = Decimal(repr(value))
    else:
        fraction = Fraction(value)
        number = Context(prec=60).divide(Decimal(fraction.numerator),
                                         Decimal(fraction.denominator))
    if number == 0:
        return "0"

    def rounded(places: int) -> Decimal:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP,
                               context=Context(prec=200))

    places = rounding.digits
    if rounding.kind == "sigfigs":
        places = rounding.digits - 1 - number.adjusted()
        if rounded(places).adjusted() > number.adjusted():  # 0.09996 -> 0.100, not 0.1000
            places -= 1
    shown = rounded(places)
    if abs(shown - number) <= abs(number) * Decimal(_NOISE):  # exact in these digits
        shown = shown.normalize(Context(prec=200))
        shown = shown if shown.as_tuple().exponent <= 0 else shown.quantize(Decimal(1))
    return _plain_decimal(shown)


def _plain_decimal(number) -> str:
    """A Decimal in positional notation (never 1E+3), without a negative zero."""
    text = format(number, "f")
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def shown_rounding(problem, quantity: str | None):
    """The digits `display` asks for `quantity` (net, out, slope, delta, error, change,
    weight), or None: the one place that reads a problem's display."""
    display = getattr(problem, "display", None)
    return None if display is None or quantity is None else display.of(quantity)


class Shown(NamedTuple):
    """A value split for display: its decimal and, in exact mode, its closed form.

    `equal` tells whether the decimal is the value itself (=) or an approximation (≈).
    Renderers lay the parts out their own way (one line, two lines, LaTeX).
    """

    decimal: str
    exact: str | None = None
    equal: bool = True
    elided: bool = False  # a closed form exists but was too long to show

    def text(self) -> str:
        """One line: `1/3 ≈ 0.333333`, `1/(exp(-5/4) + 1) ≈ 0.777300`, or the decimal alone."""
        if self.elided:
            return f"… ≈ {self.decimal}"
        if self.exact is None:
            return self.decimal
        return f"{self.exact} {'=' if self.equal else '≈'} {self.decimal}"


def show_value(arithmetic, value, digits: int = 6, *, exact: bool = True,
               exact_limit: int | None = None, pad: bool = True, quantity: str | None = None,
               display=None) -> Shown:
    """A computed value (in `arithmetic`'s own number type), split for display.

    - float arithmetic: `format_float`;
    - hand-rounded arithmetic: the carried decimal exactly (`decimal_text`), padded to
      the rounding's decimals unless `pad=False` (for given values, which are not rounded);
    - exact arithmetic: the decimal plus the closed form (unless `exact=False`); a short
      terminating decimal is shown as its fraction, equal to the decimal. A closed form
      longer than `exact_limit` characters is elided, so one huge expression cannot swamp
      a table (the JSON output still carries it whole).
    """
    if value is None:
        return Shown("")
    if getattr(arithmetic, "name", "float") == "exact":
        shown = _exact_parts(arithmetic, value, digits, exact, exact_limit)
        if display is not None and not (shown.exact is None and shown.equal):
            rational = as_fraction(value)
            decimal = display_text(rational if rational is not None
                                   else arithmetic.to_float(value), display)
            shown = shown._replace(decimal=decimal)
        return shown
    if getattr(arithmetic, "rounds", False):
        value = Fraction(value)
        if display is not None:
            return Shown(display_text(value, display))
        rounding = getattr(arithmetic, "rounding", None)
        if rounding is not None and quantity is not None and not hasattr(rounding, "kind"):
            rounding = rounding.of(quantity)  # a rounding per quantity
            if rounding is None:  # carried unrounded: a long decimal, shown as a float's
                return Shown(format_float(float(value), digits))
        elif rounding is not None and not hasattr(rounding, "kind"):
            rounding = None
        places = rounded_places(value, rounding) if pad and rounding is not None else 0
        return Shown(decimal_text(value, digits, min_places=places))
    if display is not None:
        return Shown(display_text(arithmetic.to_float(value), display))
    return Shown(format_float(arithmetic.to_float(value), digits))


def format_value(arithmetic, value, digits: int = 6, *, exact: bool = True,
                 exact_limit: int | None = None, pad: bool = True, quantity: str | None = None,
                 display=None) -> str:
    """`show_value` on one line: `0.777300`, `0.3964`, or `1/3 ≈ 0.333333` in exact mode."""
    return show_value(arithmetic, value, digits, exact=exact, exact_limit=exact_limit,
                      pad=pad, quantity=quantity, display=display).text()


def _exact_parts(arithmetic, value, digits: int, exact: bool, limit: int | None) -> Shown:
    rational = as_fraction(value)
    if rational is not None:
        decimal = terminating_decimal(rational)
        if decimal is not None and len(decimal) <= _LONGEST_DECIMAL:
            # 5/4 is 1.25 exactly: both forms are exact, the fraction is the one SymPy keeps.
            if exact and rational.denominator != 1:
                return Shown(decimal, f"{rational.numerator}/{rational.denominator}", True)
            return Shown(decimal)
        approx = format_float(float(rational), digits, keep_zeros=True)
        # Exact but long (many exact products) or not terminating: round for reading.
        form = decimal or f"{rational.numerator}/{rational.denominator}"
    else:
        approx = format_float(arithmetic.to_float(value), digits, keep_zeros=True)
        form = getattr(arithmetic, "pretty", arithmetic.exact_text)(value) if exact else ""
    if not exact:
        return Shown(approx, None, False)
    if limit is not None and len(form) > limit:
        return Shown(approx, None, False, elided=True)
    return Shown(approx, form, False)


def as_fraction(value) -> Fraction | None:
    """The value as a Fraction when it is a plain rational (SymPy or Python), else None."""
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return None


def terminating_decimal(value: Fraction) -> str | None:
    """The exact decimal expansion of `value`, or None when it does not terminate."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    if places == 0:
        return f"{sign}{scaled}"
    whole, frac = divmod(scaled, 10**places)
    frac_text = str(frac).rjust(places, "0").rstrip("0")
    return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"


def epoch_error_texts(trace, epochs: list[int] | None = None,
                      display=None) -> list[tuple[int, str]]:
    """(epoch, total error shown) per epoch, or for the chosen `epochs` (from 1); hand-
    rounded runs sum the carried decimals exactly, so a hand check of the column matches
    digit for digit; `display` (a Rounding) sets the digits shown."""
    totals = trace.epoch_totals()
    exact = totals.exact()
    rows = exact if exact is not None else totals.floats()
    if epochs is not None:
        rows = [rows[epoch - 1] for epoch in epochs]
    text = decimal_text if exact is not None else format_float
    if display is not None:
        return [(epoch, display_text(total, display)) for epoch, total in rows]
    return [(epoch, text(total)) for epoch, total in rows]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~])")


def markdown_text(text: str) -> str:
    """Prose for a Markdown file (an answer key, a problem set's index): every character
    Markdown or its hosts' maths would read as markup escaped, so an underscore or a star
    in a title never turns into emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")

