"""Number systems the engine computes in: fast floats, and hand-rounded exact decimals.

The engine is written once with `+`, `-` and `*`; an arithmetic supplies the rest (the
activation function, its slope, rounding, comparisons) for its own number type. The exact
SymPy arithmetic lives in `bpcalc.engine.exact` so that numeric runs never import SymPy;
`bpcalc.engine.numbers.make_arithmetic` picks one of them for a run.
"""

from __future__ import annotations

import math
from fractions import Fraction

from bpcalc.problem.model import Activation, Rounding


class Arithmetic:
    """Float arithmetic (IEEE double). Subclasses change the number type."""

    name = "float"
    rounds = False
    settles = False  # whether the engine passes each computed value through `settle`

    def number(self, value: Fraction):
        return float(value)

    def round(self, value):
        return value

    def settle(self, value, kind: str, step: int, node: int, source: int | None = None):
        """A computed value as it is carried on: rounded by hand, or named (exact mode).

        `kind` is net, out, delta, error, change, sum (a batch's summed change) or new (a
        new weight); `step` counts from 1; `node` is the node (the weight's target) and
        `source` the weight's source node.
        """
        return value

    def activate(self, act: Activation, net):
        name = act.name
        if name == "sigmoid":
            x = float(act.beta) * net
            # Two forms so that exp never overflows, whatever the sign of the net input.
            if x >= 0:
                return 1.0 / (1.0 + math.exp(-x))
            e = math.exp(x)
            return e / (1.0 + e)
        if name == "tanh":
            return math.tanh(net)
        if name == "relu":
            return net if net > 0 else 0.0
        if name == "linear":
            return net
        if name == "step":
            return 1.0 if net >= act.threshold else 0.0
        raise ValueError(f"unknown activation {name}")

    def slope(self, act: Activation, net, out):
        """f'(net), from the (possibly rounded) activation where the formula allows."""
        name = act.name
        if name == "sigmoid":
            return self.number(act.beta) * out * (1 - out)
        if name == "tanh":
            return 1 - out * out
        if name == "relu":
            return self.number(Fraction(1 if self.is_positive(net) else 0))
        return self.number(Fraction(1))  # linear; step takes the perceptron rule's 1

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
        places = rounding.digits - 1 - _decimal_exponent(abs(value))
    scale = Fraction(10) ** places
    scaled = abs(value) * scale
    whole = math.floor(scaled + Fraction(1, 2))
    result = Fraction(whole) / scale
    return result if value > 0 else -result


def _decimal_exponent(magnitude: Fraction) -> int:
    """e with 10**e <= magnitude < 10**(e+1), exactly (float log10 only as a first guess)."""
    e = math.floor(math.log10(magnitude.numerator) - math.log10(magnitude.denominator))
    while Fraction(10) ** e > magnitude:
        e -= 1
    while Fraction(10) ** (e + 1) <= magnitude:
        e += 1
    return e


class RoundedArithmetic(Arithmetic):
    """Exact rationals, each computed value rounded as a person working by hand rounds it.

    Sums and products are exact; only exp/tanh are evaluated, to 40 digits, before the
    activation is rounded, so rounding always sees the true decimal value.
    """

    name = "rounded"
    rounds = True
    settles = True

    def __init__(self, rounding: Rounding):
        self.rounding = rounding

    def number(self, value: Fraction):
        return Fraction(value)

    def round(self, value):
        return round_fraction(value, self.rounding)

    def settle(self, value, kind: str, step: int, node: int, source: int | None = None):
        return round_fraction(value, self.rounding)

    def activate(self, act: Activation, net):
        name = act.name
        if name in ("sigmoid", "tanh"):
            from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal  # only rounded runs

            ctx = Context(prec=40, Emax=MAX_EMAX, Emin=MIN_EMIN)
            x = ctx.divide(Decimal(net.numerator), Decimal(net.denominator))
            if name == "sigmoid":
                x = ctx.multiply(x, ctx.divide(Decimal(act.beta.numerator),
                                               Decimal(act.beta.denominator)))
                # 1/(1+e^-x); for x < 0 use e^x/(1+e^x) so the exponent stays small.
                if x >= 0:
                    value = ctx.divide(1, ctx.add(1, ctx.exp(-x)))
                else:
                    e = ctx.exp(x)
                    value = ctx.divide(e, ctx.add(1, e))
            else:
                # tanh x = sign(x) (1 - 2/(e^(2|x|) + 1))
                # Past |x| = 60 tanh is 1 to these 40 digits; e^(2|x|) could overflow Decimal.
                e = ctx.exp(ctx.multiply(2, min(abs(x), 60)))
                value = ctx.subtract(1, ctx.divide(2, ctx.add(e, 1)))
                value = value if x >= 0 else -value
            return Fraction(value)
        if name == "relu":
            return net if net > 0 else Fraction(0)
        if name == "linear":
            return net
        return Fraction(1) if net >= act.threshold else Fraction(0)

    def to_float(self, value) -> float:
        return float(value)

