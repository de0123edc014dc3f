"""Number systems the engine computes in: fast floats, and hand-rounded exact decimals.

The engine is written once with `+`, `-` and `*`; an arithmetic supplies the rest for its
own number type: rounding, comparisons, and the few functions the activation entries of
`bpcalc.problem.activations` are written with (exp, tanh, the logistic function), running
each activation by its entry. The exact SymPy arithmetic lives in `bpcalc.engine.exact` so
that numeric runs never import SymPy; `bpcalc.engine.numbers.make_arithmetic` picks one of
them for a run.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Activation, QuantityRounding, Rounding

# What a value passed to `settle` is: a node's net, its activation (out), its f'(net)
# (slope), its delta, the step's error, a weight's change, a batch's summed change (sum),
# or a new weight (new).
SettleKind = Literal["net", "out", "slope", "delta", "error", "change", "sum", "new"]
# The contract's quantity (problem-format.md section 4) each kind is rounded as.
QUANTITY = {"net": "net", "out": "out", "slope": "slope", "delta": "delta", "error": "error",
            "change": "change", "sum": "change", "new": "weight"}


class LogOfNonPositive(ArithmeticError):
    """A loss took the log of a value <= 0 (the engine names the step and the node)."""


class DivisionByZero(ArithmeticError):
    """A loss's derivative would divide by 0 (the engine names the step and the node)."""


class Arithmetic:
    """Float arithmetic (IEEE double). Subclasses change the number type."""

    name = "float"
    rounds = False
    settles = False  # whether the engine passes each computed value through `settle`
    settles_slope = False  # whether f'(net) is settled too (a rounding that names slope)

    def number(self, value: Fraction):
        return float(value)

    def round(self, value):
        return value

    def settle(self, value, kind: SettleKind, step: int, node: int,
               source: int | None = None):
        """A computed value as it is carried on: rounded by hand, or named (exact mode).

        `step` counts from 1; `node` is the node (the weight's target) and `source` the
        weight's source node.
        """
        return value

    def activate(self, act: Activation, net):
        """f(net), by the activation's entry."""
        return activation_spec(act.name).f(self, act, net)

    def slope(self, act: Activation, net, out):
        """f'(net), from the (possibly rounded) activation where the formula allows."""
        return activation_spec(act.name).slope(self, act, net, out)

    # -- what the activation entries are written with ------------------------------------

    def exp(self, x):
        return math.exp(x)

    def tanh(self, x):
        return math.tanh(x)

    def log(self, x):
        """ln x, refused for x <= 0 (a cross-entropy term with a non-zero coefficient)."""
        if not self.is_positive(x):
            raise LogOfNonPositive(x)
        return math.log(x)

    def divide(self, numerator, denominator):
        """A loss derivative's quotient, refused where the denominator is 0."""
        if denominator == 0:
            raise DivisionByZero(denominator)
        return numerator / denominator

    def shift(self, nets: list):
        """What softmax subtracts from every net before exp: the largest, so none overflows."""
        return max(nets)

    def logistic(self, x):
        """1/(1 + e^-x), in two forms so that exp never overflows, whatever the sign of x."""
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    def where(self, condition: bool, if_true, if_false):
        return if_true if condition else if_false

    def is_positive(self, value) -> bool:
        return value > 0

    def at_least(self, value, bound: Fraction) -> bool:
        return value >= bound

    def to_float(self, value) -> float:
        return float(value)

    def exact_text(self, value) -> str:
        """A string `sympy.parse_expr` reads back to the same value."""
        return str(Fraction(value))


def round_fraction(value: Fraction, rounding: Rounding) -> Fraction:
    """Round the true value to decimal places or significant figures, halves away from 0."""
    if value == 0:
        return value
    if rounding.kind == "places":
        places = rounding.digits
    else:
        places = rounding.digits - 1 - decimal_exponent(abs(value))
    scale = Fraction(10) ** places
    scaled = abs(value) * scale
    whole = math.floor(scaled + Fraction(1, 2))
    result = Fraction(whole) / scale
    return result if value > 0 else -result


def decimal_exponent(magnitude: Fraction) -> int:
    """e with 10**e <= magnitude < 10**(e+1), exactly (float log10 only as a first guess)."""
    e = math.floor(math.log10(magnitude.numerator) - math.log10(magnitude.denominator))
    while Fraction(10) ** e > magnitude:
        e -= 1
    while Fraction(10) ** (e + 1) <= magnitude:
        e += 1
    return e


class RoundedArithmetic(Arithmetic):
    """Exact rationals, each computed value rounded as a person working by hand rounds it.

    Sums and products are exact; only exp, tanh and the logistic function are evaluated,
    to EVALUATED_DIGITS (20 more than the most a rounding keeps), before the activation is
    rounded, so rounding sees the true decimal value.
    """

    name = "rounded"
    rounds = True
    settles = True

    def __init__(self, rounding: Rounding | QuantityRounding):
        self.rounding = rounding
        self._by_kind = {kind: rounding.of(quantity) for kind, quantity in QUANTITY.items()}
        self.settles_slope = self._by_kind["slope"] is not None

    def number(self, value: Fraction):
        return Fraction(value)

    def round(self, value):
        return round_fraction(value, self.rounding)

    def settle(self, value, kind: SettleKind, step: int, node: int,
               source: int | None = None):
        rounding = self._by_kind[kind]
        return value if rounding is None else round_fraction(value, rounding)

    def log(self, x):
        if x <= 0:
            raise LogOfNonPositive(x)
        ctx = _context()
        return Fraction(ctx.ln(_decimal(ctx, x)))

    # Every Decimal operation goes through the context: the operators would round to the
    # thread's default 28 digits.
    def exp(self, x):
        ctx = _context()
        return Fraction(ctx.exp(_decimal(ctx, x)))

    def tanh(self, x):
        ctx = _context()
        x = _decimal(ctx, x)
        # tanh x = sign(x) (1 - 2/(e^(2|x|) + 1))
        # Past |x| = 80 tanh is 1 to these digits; e^(2|x|) could overflow Decimal.
        e = ctx.exp(ctx.multiply(2, min(ctx.abs(x), 80)))
        value = ctx.subtract(1, ctx.divide(2, ctx.add(e, 1)))
        return Fraction(value if x >= 0 else ctx.minus(value))

    def logistic(self, x):
        ctx = _context()
        x = _decimal(ctx, x)
        # 1/(1+e^-x); for x < 0 use e^x/(1+e^x) so the exponent stays small.
        if x >= 0:
            return Fraction(ctx.divide(1, ctx.add(1, ctx.exp(ctx.minus(x)))))
        e = ctx.exp(x)
        return Fraction(ctx.divide(e, ctx.add(1, e)))

    def to_float(self, value) -> float:
        return float(value)


# Digits exp, tanh and the logistic function are evaluated to in hand-rounded runs: 20
# beyond the 40 a rounding may keep (bpcalc.problem.loader.MAX_ROUND_DIGITS).
EVALUATED_DIGITS = 60


def _context():
    from decimal import MAX_EMAX, MIN_EMIN, Context  # only rounded runs

    return Context(prec=EVALUATED_DIGITS, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _decimal(ctx, value: Fraction):
    from decimal import Decimal

    return ctx.divide(Decimal(value.numerator), Decimal(value.denominator))
