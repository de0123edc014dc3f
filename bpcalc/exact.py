"""Exact arithmetic with SymPy: every value kept as a closed-form expression.

Imported only for `--exact`, because importing SymPy costs more than a whole numeric solve.
Values come in as `Fraction`s (0.9 is 9/10); no user text is ever given to `sympify`.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from bpcalc.arithmetic import Arithmetic
from bpcalc.problem import Activation

_PRECISION = 30  # digits used to decide signs (relu, step) and to print decimals


class ExactArithmetic(Arithmetic):
    name = "exact"

    def number(self, value: Fraction):
        return sympy.Rational(value.numerator, value.denominator)

    def activate(self, act: Activation, net):
        name = act.name
        if name == "sigmoid":
            return 1 / (1 + sympy.exp(-self.number(act.beta) * net))
        if name == "tanh":
            return sympy.tanh(net)
        if name == "relu":
            return net if self.is_positive(net) else sympy.Integer(0)
        if name == "linear":
            return net
        return sympy.Integer(1 if self.at_least(net, act.threshold) else 0)

    def is_positive(self, value) -> bool:
        decided = value.is_positive
        if decided is not None:
            return bool(decided)
        return bool(value.evalf(_PRECISION) > 0)

    def at_least(self, value, bound: Fraction) -> bool:
        difference = value - self.number(bound)
        decided = difference.is_nonnegative
        if decided is not None:
            return bool(decided)
        return bool(difference.evalf(_PRECISION) >= 0)

    def to_float(self, value) -> float:
        return float(value.evalf(_PRECISION))

    def exact_text(self, value) -> str:
        return sympy.sstr(value)

    def pretty(self, value) -> str:
        """Human form for the terminal: e^(...) instead of exp(...)."""
        return sympy.sstr(value).replace("**", "^")
